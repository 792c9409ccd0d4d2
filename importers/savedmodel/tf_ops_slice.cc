// StridedSlice (every mask), Slice, Split, SplitV and GatherV2. Slices of
// known integer vectors (Shape(x)[0] and the like) keep their known values.
#include "absl/strings/str_cat.h"
#include "importers/savedmodel/tf_op_families.h"
#include "importers/savedmodel/tf_ops_util.h"

namespace optconv::tf_import {
namespace {

/// Known elements of a 1-D strided slice without ellipsis/new-axis masks.
std::optional<PartialInts> SliceKnown(const PartialInts& in, int64_t begin, int64_t end,
                                      int64_t stride, bool begin_masked, bool end_masked,
                                      bool shrink) {
  const int64_t n = static_cast<int64_t>(in.size());
  if (stride == 0) return std::nullopt;
  auto clamp = [&](int64_t v, bool is_begin) {
    if (v < 0) v += n;
    if (stride > 0) return std::clamp<int64_t>(v, 0, n);
    return std::clamp<int64_t>(v, -1, n - 1);
  };
  if (shrink) {
    const int64_t i = begin < 0 ? begin + n : begin;
    if (i < 0 || i >= n) return std::nullopt;
    return PartialInts{in[i]};
  }
  int64_t b = begin_masked ? (stride > 0 ? 0 : n - 1) : clamp(begin, true);
  int64_t e = end_masked ? (stride > 0 ? n : -1) : clamp(end, false);
  PartialInts out;
  for (int64_t i = b; stride > 0 ? i < e : i > e; i += stride) out.push_back(in[i]);
  return out;
}

absl::Status StridedSlice(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(std::vector<int64_t> begin, ctx.ConstIntsInput(node, 1));
  TF_ASSIGN_OR_RETURN(std::vector<int64_t> end, ctx.ConstIntsInput(node, 2));
  TF_ASSIGN_OR_RETURN(std::vector<int64_t> strides, ctx.ConstIntsInput(node, 3));
  StridedSliceOptions o;
  o.begin_mask = static_cast<int32_t>(TfContext::AttrInt(node, "begin_mask", 0));
  o.end_mask = static_cast<int32_t>(TfContext::AttrInt(node, "end_mask", 0));
  o.ellipsis_mask = static_cast<int32_t>(TfContext::AttrInt(node, "ellipsis_mask", 0));
  o.new_axis_mask = static_cast<int32_t>(TfContext::AttrInt(node, "new_axis_mask", 0));
  o.shrink_axis_mask = static_cast<int32_t>(TfContext::AttrInt(node, "shrink_axis_mask", 0));
  // Known values of a sliced shape vector.
  std::optional<PartialInts> known, refs;
  if (auto k = ctx.KnownInts(x); k && !ctx.IsConstant(x) && ctx.rank(x) == 1 &&
                                 begin.size() == 1 && o.ellipsis_mask == 0 &&
                                 o.new_axis_mask == 0) {
    known = SliceKnown(*k, begin[0], end[0], strides[0], o.begin_mask & 1, o.end_mask & 1,
                       o.shrink_axis_mask & 1);
    refs = SliceKnown(ctx.DimRefs(x, k->size()), begin[0], end[0], strides[0],
                      o.begin_mask & 1, o.end_mask & 1, o.shrink_axis_mask & 1);
  }
  if (known) {
    Shape shape = (o.shrink_axis_mask & 1) ? Shape{} : Shape{static_cast<int64_t>(known->size())};
    if (auto c = ctx.AddConstFromKnown(node.name(), *known, ctx.type(x), shape)) {
      ctx.SetOutput(node, 0, *c);
      return absl::OkStatus();
    }
  }
  const std::string base = HelperName(node, "");
  TensorId b = ctx.AddConstInts(base + "begin", ToInt32(begin));
  TensorId e = ctx.AddConstInts(base + "end", ToInt32(end));
  TensorId s = ctx.AddConstInts(base + "strides", ToInt32(strides));
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kStridedSlice, {x, b, e, s}, o,
                                           ctx.type(x)));
  if (known) ctx.RecordKnownInts(y, *known);
  if (refs) ctx.SetDimRefs(y, *refs);
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

/// Slice(x, begin, size), size -1 meaning "to the end".
absl::Status Slice(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(std::vector<int64_t> begin, ctx.ConstIntsInput(node, 1));
  TF_ASSIGN_OR_RETURN(std::vector<int64_t> size, ctx.ConstIntsInput(node, 2));
  if (begin.size() != size.size() || static_cast<int>(begin.size()) != ctx.rank(x)) {
    return ctx.Invalid(node, "begin/size lengths differ from the rank", "one entry per dim");
  }
  std::optional<PartialInts> part, part_refs;
  if (auto k = ctx.KnownInts(x); k && !ctx.IsConstant(x) && ctx.rank(x) == 1) {
    const int64_t n = static_cast<int64_t>(k->size());
    const int64_t stop = size[0] < 0 ? n : begin[0] + size[0];
    if (begin[0] >= 0 && stop <= n && begin[0] <= stop) {
      part = PartialInts(k->begin() + begin[0], k->begin() + stop);
      const PartialInts refs = ctx.DimRefs(x, k->size());
      part_refs = PartialInts(refs.begin() + begin[0], refs.begin() + stop);
      if (auto c = ctx.AddConstFromKnown(node.name(), *part, ctx.type(x),
                                  Shape{static_cast<int64_t>(part->size())})) {
        ctx.SetOutput(node, 0, *c);
        return absl::OkStatus();
      }
    }
  }
  TensorId b = ctx.AddConstInts(HelperName(node, "begin"), ToInt32(begin));
  TensorId s = ctx.AddConstInts(HelperName(node, "size"), ToInt32(size));
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kSlice, {x, b, s}, NoOptions{},
                                           ctx.type(x)));
  if (part) {
    ctx.RecordKnownInts(y, *part);
    ctx.SetDimRefs(y, *part_refs);
  }
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

/// Split(axis, value) into num_split equal parts.
absl::Status Split(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(std::vector<int64_t> axis, ctx.ConstIntsInput(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 1));
  if (axis.size() != 1) return ctx.Invalid(node, "axis is not a scalar", "one axis");
  TF_ASSIGN_OR_RETURN(int a, AxisOf(ctx, node, axis[0], ctx.rank(x)));
  const int n = static_cast<int>(TfContext::AttrInt(node, "num_split", 1));
  TensorId axis_id = ctx.AddScalarInt(HelperName(node, "axis"), a);
  TF_ASSIGN_OR_RETURN(std::vector<TensorId> ys,
                      ctx.EmitMulti(node, OpKind::kSplit, {axis_id, x}, SplitOptions{n},
                                    ctx.type(x), n));
  for (int i = 0; i < n; ++i) ctx.SetOutput(node, i, ys[i]);
  return absl::OkStatus();
}

/// SplitV(value, size_splits, axis), one size possibly -1.
absl::Status SplitV(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, ctx.ConstIntsInput(node, 1));
  TF_ASSIGN_OR_RETURN(std::vector<int64_t> axis, ctx.ConstIntsInput(node, 2));
  if (axis.size() != 1) return ctx.Invalid(node, "axis is not a scalar", "one axis");
  TF_ASSIGN_OR_RETURN(int a, AxisOf(ctx, node, axis[0], ctx.rank(x)));
  const int n = static_cast<int>(sizes.size());
  TensorId sizes_id = ctx.AddConstInts(HelperName(node, "size_splits"), ToInt32(sizes));
  TensorId axis_id = ctx.AddScalarInt(HelperName(node, "axis"), a);
  TF_ASSIGN_OR_RETURN(std::vector<TensorId> ys,
                      ctx.EmitMulti(node, OpKind::kSplitV, {x, sizes_id, axis_id},
                                    SplitOptions{n}, ctx.type(x), n));
  for (int i = 0; i < n; ++i) ctx.SetOutput(node, i, ys[i]);
  return absl::OkStatus();
}

/// GatherV2(params, indices, axis) with batch_dims 0 (embeddings, index picks).
absl::Status GatherV2(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId params, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId indices, ctx.Input(node, 1));
  int64_t axis_value = 0;
  if (node.op() == "GatherV2") {
    TF_ASSIGN_OR_RETURN(std::vector<int64_t> axis, ctx.ConstIntsInput(node, 2));
    if (axis.size() != 1) return ctx.Invalid(node, "axis is not a scalar", "one axis");
    axis_value = axis[0];
  }
  if (TfContext::AttrInt(node, "batch_dims", 0) != 0) {
    return ctx.Unsupported(node, "batch_dims != 0", "batch_dims 0");
  }
  TF_ASSIGN_OR_RETURN(int a, AxisOf(ctx, node, axis_value, ctx.rank(params)));
  // Picking from a known shape vector folds, or keeps what is known.
  std::optional<PartialInts> picked, picked_refs;
  if (auto k = ctx.KnownInts(params); k && !ctx.IsConstant(params) && ctx.rank(params) == 1) {
    if (auto idx = ctx.ConstantInts(indices); idx && ctx.rank(indices) <= 1) {
      const PartialInts refs = ctx.DimRefs(params, k->size());
      picked.emplace();
      picked_refs.emplace();
      for (int64_t i : *idx) {
        if (i < 0) i += static_cast<int64_t>(k->size());
        const bool in_range = i >= 0 && i < static_cast<int64_t>(k->size());
        picked->push_back(in_range ? (*k)[i] : std::nullopt);
        picked_refs->push_back(in_range ? refs[i] : std::nullopt);
      }
      if (auto c = ctx.AddConstFromKnown(node.name(), *picked, ctx.type(params),
                                  ctx.shape(indices))) {
        ctx.SetOutput(node, 0, *c);
        return absl::OkStatus();
      }
    }
  }
  TensorId idx = indices;  // run-time i64 indices are fine for GATHER
  if (ctx.IsConstant(indices)) {
    TF_ASSIGN_OR_RETURN(idx, ctx.AsInt32(node, indices));
  }
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kGather, {params, idx},
                                           GatherOptions{a, 0}, ctx.type(params)));
  if (picked) {
    ctx.RecordKnownInts(y, *picked);
    ctx.SetDimRefs(y, *picked_refs);
  }
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

}  // namespace

void RegisterTfSliceOps(TfConverterTable& t) {
  t.ops["StridedSlice"] = StridedSlice;
  t.ops["Slice"] = Slice;
  t.ops["Split"] = Split;
  t.ops["SplitV"] = SplitV;
  t.ops["GatherV2"] = GatherV2;
  t.ops["Gather"] = GatherV2;
  t.ops["ResourceGather"] = GatherV2;
}

}  // namespace optconv::tf_import
