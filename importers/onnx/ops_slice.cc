// Slice (-> STRIDED_SLICE, constant or run-time bounds) and Split (-> SPLIT /
// SPLIT_V), across their attribute->input changes (Slice 10, Split 13/18).
#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"
#include "importers/onnx/ops_internal.h"
#include "importers/onnx/ops_util.h"

namespace optconv::onnx_import {
namespace {

absl::Status Bind(OnnxContext& ctx, const onnx::NodeProto& node, absl::StatusOr<TensorId> out) {
  if (!out.ok()) return out.status();
  ctx.SetOutput(node, 0, *out);
  return absl::OkStatus();
}

/// An i32 copy of a run-time int vector, clamped first so that the INT64
/// "to the end" sentinels do not wrap around.
absl::StatusOr<TensorId> ClampedInt32(OnnxContext& ctx, const onnx::NodeProto& node, TensorId v) {
  if (ctx.type(v) != DataType::kInt64) return ctx.EmitCast(node, v, DataType::kInt32);
  TensorId lo = ctx.AddConstInt64s(HelperName(node, "i32_min"), {INT_MIN});
  TensorId hi = ctx.AddConstInt64s(HelperName(node, "i32_max"), {INT_MAX});
  absl::StatusOr<TensorId> c = ctx.Emit(node, OpKind::kMaximum, {v, lo}, NoOptions{}, DataType::kInt64);
  if (c.ok()) c = ctx.Emit(node, OpKind::kMinimum, {*c, hi}, NoOptions{}, DataType::kInt64);
  if (c.ok()) c = ctx.EmitCast(node, *c, DataType::kInt32);
  return c;
}

/// A full-rank i32 begin/end vector: entry i of `v` at axis axes[i], 0 elsewhere.
absl::StatusOr<TensorId> FullRankVector(OnnxContext& ctx, const onnx::NodeProto& node, TensorId v,
                                        const std::vector<int>& axes, int rank) {
  TensorId v32;
  if (auto values = ctx.ConstantInts(v)) {
    v32 = ctx.AddConstInts(HelperName(node, "bound"), ToInt32(*values));
  } else {
    absl::StatusOr<TensorId> c = ClampedInt32(ctx, node, v);
    if (!c.ok()) return c.status();
    v32 = *c;
  }
  bool in_order = static_cast<int>(axes.size()) == rank;
  for (int i = 0; in_order && i < rank; ++i) in_order = axes[i] == i;
  if (in_order) return v32;
  std::vector<TensorId> parts;
  for (int p = 0; p < rank; ++p) {
    auto it = std::find(axes.begin(), axes.end(), p);
    if (it == axes.end()) {
      parts.push_back(ctx.AddConstInts(HelperName(node, "zero"), {0}));
      continue;
    }
    TensorId index = ctx.AddConstInts(HelperName(node, "index"),
                                      {static_cast<int32_t>(it - axes.begin())});
    absl::StatusOr<TensorId> e =
        ctx.Emit(node, OpKind::kGather, {v32, index}, GatherOptions{}, DataType::kInt32);
    if (!e.ok()) return e.status();
    parts.push_back(*e);
  }
  return ctx.Emit(node, OpKind::kConcatenation, parts, ConcatenationOptions{}, DataType::kInt32);
}

/// Slice with run-time starts/ends (e.g. x[:, :seq_len]): begin and end are
/// assembled at run time; TFLite's clamping of out-of-range bounds matches
/// ONNX. Axes and steps must be constant.
absl::Status SliceDynamic(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x) {
  const int rank = ctx.rank(x);
  absl::StatusOr<TensorId> starts = ctx.Input(node, 1);
  if (!starts.ok()) return starts.status();
  absl::StatusOr<TensorId> ends = ctx.Input(node, 2);
  if (!ends.ok()) return ends.status();
  const Shape ss = ctx.shape(*starts);
  if (ss.size() != 1 || ss[0] < 0 || ctx.shape(*ends) != ss) {
    return ctx.Unsupported(node, "run-time starts/ends of unknown length", "1-D of known length");
  }
  const int64_t k = ss[0];
  std::vector<int64_t> axes64, steps(static_cast<size_t>(k), 1);
  for (int64_t i = 0; i < k; ++i) axes64.push_back(i);
  if (OnnxContext::HasInput(node, 3)) {
    auto a = ConstIntsInput(ctx, node, 3);
    if (!a.ok()) return a.status();
    axes64 = *a;
  }
  if (OnnxContext::HasInput(node, 4)) {
    auto st = ConstIntsInput(ctx, node, 4);
    if (!st.ok()) return st.status();
    steps = *st;
  }
  if (static_cast<int64_t>(axes64.size()) != k || static_cast<int64_t>(steps.size()) != k) {
    return ctx.Invalid(node, "starts, ends, axes and steps differ in length", "equal lengths");
  }
  if (auto sorted = NormalizeAxes(ctx, node, axes64, rank); !sorted.ok()) return sorted.status();
  std::vector<int> axes;
  std::vector<int32_t> stride(rank, 1);
  int32_t mask = (1 << rank) - 1;
  for (int64_t i = 0; i < k; ++i) {
    axes.push_back(*NormalizeAxis(axes64[i], rank));
    if (steps[i] == 0) return ctx.Invalid(node, "a step is 0", "non-zero steps");
    stride[axes.back()] = static_cast<int32_t>(std::clamp<int64_t>(steps[i], INT_MIN, INT_MAX));
    mask &= ~(1 << axes.back());
  }
  absl::StatusOr<TensorId> b = FullRankVector(ctx, node, *starts, axes, rank);
  if (!b.ok()) return b.status();
  absl::StatusOr<TensorId> e = FullRankVector(ctx, node, *ends, axes, rank);
  if (!e.ok()) return e.status();
  StridedSliceOptions o;
  o.begin_mask = mask;
  o.end_mask = mask;
  TensorId st = ctx.AddConstInts(HelperName(node, "strides"), stride);
  return Bind(ctx, node, ctx.Emit(node, OpKind::kStridedSlice, {x, *b, *e, st}, o, ctx.type(x)));
}

absl::Status Slice(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  if (ctx.opset() >= 10) {
    absl::StatusOr<TensorId> s = ctx.Input(node, 1);
    absl::StatusOr<TensorId> e = ctx.Input(node, 2);
    if (s.ok() && e.ok() && (!ctx.IsConstant(*s) || !ctx.IsConstant(*e))) {
      return SliceDynamic(ctx, node, *x);
    }
  }
  const Shape in = ctx.shape(*x);
  const int rank = static_cast<int>(in.size());
  auto starts = RequiredInts(ctx, node, "starts", 10, 1);
  if (!starts.ok()) return starts.status();
  auto ends = RequiredInts(ctx, node, "ends", 10, 2);
  if (!ends.ok()) return ends.status();
  auto axes_or = ReadIntsAttrOrInput(ctx, node, "axes", 10, 3);
  if (!axes_or.ok()) return axes_or.status();
  std::vector<int64_t> steps(starts->size(), 1);
  if (ctx.opset() >= 10 && OnnxContext::HasInput(node, 4)) {
    auto s = ConstIntsInput(ctx, node, 4);
    if (!s.ok()) return s.status();
    steps = *s;
  }
  std::vector<int64_t> axes;
  if (*axes_or) axes = **axes_or;
  else for (size_t i = 0; i < starts->size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (ends->size() != starts->size() || axes.size() != starts->size() ||
      steps.size() != starts->size()) {
    return ctx.Invalid(node, "starts, ends, axes and steps differ in length", "equal lengths");
  }

  std::vector<int32_t> begin(rank, 0), end(rank, 0), stride(rank, 1);
  int32_t begin_mask = (1 << rank) - 1, end_mask = (1 << rank) - 1;
  bool identity = true;
  std::vector<int64_t> selected;  // for 1-D inputs: the picked indices
  for (size_t i = 0; i < axes.size(); ++i) {
    std::optional<int> axis = NormalizeAxis(axes[i], rank);
    if (!axis) return ctx.Invalid(node, absl::StrCat("axis ", axes[i], " is out of range"));
    const int64_t step = steps[i];
    if (step == 0) return ctx.Invalid(node, "a step is 0", "non-zero steps");
    const int64_t dim = in[*axis];
    int64_t s = (*starts)[i], e = (*ends)[i];
    // Resolve against a known dim exactly as ONNX does (clamping).
    bool full_begin = false, full_end = false;
    if (dim >= 0) {
      if (s < 0) s += dim;
      if (e < 0) e += dim;
      if (step > 0) {
        s = std::clamp<int64_t>(s, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        full_begin = s == 0;
        full_end = e == dim;
      } else {
        s = std::clamp<int64_t>(s, -1, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        full_begin = s == dim - 1;
        full_end = e == -1;  // before index 0: only expressible with the end mask
        if (s < 0) {  // starts before index 0: an empty slice
          s = 0;
          e = 0;
          full_end = false;
        }
      }
    } else {
      // Unknown dim: TFLite's Python-style clamping matches ONNX, except the
      // "to the end" sentinels that must become masks.
      full_begin = step > 0 ? s <= INT_MIN : s >= INT_MAX;
      full_end = step > 0 ? e >= INT_MAX : e <= INT_MIN;
    }
    if (rank == 1 && dim >= 0) {
      for (int64_t j = s; step > 0 ? j < e : j > e; j += step) selected.push_back(j);
    }
    const int32_t bit = 1 << *axis;
    if (full_begin) begin_mask |= bit; else begin_mask &= ~bit;
    if (full_end) end_mask |= bit; else end_mask &= ~bit;
    begin[*axis] = static_cast<int32_t>(std::clamp<int64_t>(s, INT_MIN, INT_MAX));
    end[*axis] = static_cast<int32_t>(std::clamp<int64_t>(e, INT_MIN, INT_MAX));
    stride[*axis] = static_cast<int32_t>(std::clamp<int64_t>(step, INT_MIN, INT_MAX));
    identity = identity && full_begin && full_end && step == 1;
  }
  if (identity) return Bind(ctx, node, *x);
  StridedSliceOptions o;
  o.begin_mask = begin_mask;
  o.end_mask = end_mask;
  // Slicing known entries of a run-time shape vector.
  OnnxContext::PartialInts picked;
  OnnxContext::PartialDims picked_refs;
  if (rank == 1 && axes.size() == 1 && !ctx.IsConstant(*x)) {
    if (auto known = ctx.KnownInts(*x)) {
      const OnnxContext::PartialDims refs = ctx.DimRefs(*x, known->size());
      for (int64_t j : selected) {
        picked.push_back((*known)[j]);
        picked_refs.push_back(refs[j]);
      }
      if (auto c = ctx.AddConstFromKnown(HelperName(node, "known"), picked, ctx.type(*x),
                                  {static_cast<int64_t>(picked.size())})) {
        return Bind(ctx, node, *c);
      }
    }
  }
  TensorId b = ctx.AddConstInts(HelperName(node, "begin"), begin);
  TensorId en = ctx.AddConstInts(HelperName(node, "end"), end);
  TensorId st = ctx.AddConstInts(HelperName(node, "strides"), stride);
  absl::StatusOr<TensorId> out =
      ctx.Emit(node, OpKind::kStridedSlice, {*x, b, en, st}, o, ctx.type(*x));
  if (out.ok() && !picked.empty()) {
    ctx.RecordKnownInts(*out, picked);
    ctx.RecordDimRefs(*out, std::move(picked_refs));
  }
  return Bind(ctx, node, out);
}

absl::Status Split(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  const int rank = ctx.rank(*x);
  std::optional<int> axis = NormalizeAxis(OnnxContext::AttrInt(node, "axis", 0), rank);
  if (!axis) return ctx.Invalid(node, "axis is out of range", "an axis within the input rank");
  const int n = node.output_size();
  auto sizes_or = ReadIntsAttrOrInput(ctx, node, "split", 13, 1);
  if (!sizes_or.ok()) return sizes_or.status();
  const int64_t dim = ctx.shape(*x)[*axis];
  std::vector<int64_t> sizes;
  if (*sizes_or) {
    sizes = **sizes_or;
  } else if (dim >= 0 && dim % n != 0) {
    // Opset 18 num_outputs: the last chunk is smaller.
    const int64_t chunk = (dim + n - 1) / n;
    for (int i = 0; i < n; ++i) sizes.push_back(std::min(chunk, dim - chunk * i));
  }
  if (!sizes.empty() && static_cast<int>(sizes.size()) != n) {
    return ctx.Invalid(node, absl::StrCat("split has ", sizes.size(), " sizes for ", n, " outputs"),
                       "one size per output");
  }
  const bool equal = sizes.empty() || std::all_of(sizes.begin(), sizes.end(),
                                                  [&](int64_t s) { return s == sizes.front(); });
  if (n == 1) return Bind(ctx, node, *x);
  TensorId axis_t = ctx.AddScalarInt(HelperName(node, "axis"), *axis);
  SplitOptions o;
  o.num_splits = n;
  absl::StatusOr<std::vector<TensorId>> outs =
      equal ? ctx.EmitMulti(node, OpKind::kSplit, {axis_t, *x}, o, ctx.type(*x), n)
            : ctx.EmitMulti(node, OpKind::kSplitV,
                            {*x, ctx.AddConstInts(HelperName(node, "sizes"), ToInt32(sizes)), axis_t},
                            o, ctx.type(*x), n);
  if (!outs.ok()) return outs.status();
  for (int i = 0; i < n; ++i) ctx.SetOutput(node, i, (*outs)[i]);
  return absl::OkStatus();
}

}  // namespace

void RegisterSliceOps(ConverterTable& t) {
  t["Slice"] = Slice;
  t["Split"] = Split;
  RegisterPadGatherOps(t);
}

}  // namespace optconv::onnx_import
