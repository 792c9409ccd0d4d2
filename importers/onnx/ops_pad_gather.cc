// Pad (-> PAD / PADV2 / MIRROR_PAD, attributes before opset 11, axes input
// from 18) and Gather (negative constant indices resolved; known entries of
// run-time shape vectors folded).
#include <algorithm>

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

absl::Status EdgePad(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                     const std::vector<int32_t>& paddings);

absl::Status Pad(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  const int rank = ctx.rank(*x);
  auto pads = RequiredInts(ctx, node, "pads", 11, 1);
  if (!pads.ok()) return pads.status();
  const std::string mode = OnnxContext::AttrString(node, "mode", "constant");
  float value = OnnxContext::AttrFloat(node, "value", 0.0f);
  if (ctx.opset() >= 11 && OnnxContext::HasInput(node, 2)) {
    absl::StatusOr<TensorId> v = ctx.Input(node, 2);
    if (!v.ok()) return v.status();
    auto f = ctx.ConstantFloats(*v);
    if (!f || f->size() != 1) return ctx.Unsupported(node, "constant_value is computed at run time");
    value = f->front();
  }
  std::vector<int> axes;
  for (int i = 0; i < rank; ++i) axes.push_back(i);
  if (ctx.opset() >= 18 && OnnxContext::HasInput(node, 3)) {
    auto a = ConstIntsInput(ctx, node, 3);
    if (!a.ok()) return a.status();
    auto n = NormalizeAxes(ctx, node, *a, rank);
    if (!n.ok()) return n.status();
    // Pads follow the axes input order, so keep it unsorted.
    axes.clear();
    for (int64_t v : *a) axes.push_back(*NormalizeAxis(v, rank));
  }
  const size_t k = axes.size();
  if (pads->size() != 2 * k) {
    return ctx.Invalid(node, absl::StrCat("pads has ", pads->size(), " entries"),
                       absl::StrCat(2 * k, " (begin and end per axis)"));
  }
  std::vector<int32_t> paddings(2 * rank, 0);
  bool any = false;
  for (size_t i = 0; i < k; ++i) {
    const int64_t b = (*pads)[i], e = (*pads)[i + k];
    if (b < 0 || e < 0) return ctx.Unsupported(node, "negative pads (cropping)", "pads >= 0");
    paddings[2 * axes[i]] = static_cast<int32_t>(b);
    paddings[2 * axes[i] + 1] = static_cast<int32_t>(e);
    any = any || b != 0 || e != 0;
  }
  if (!any) return Bind(ctx, node, *x);
  TensorId p = ctx.AddConstInts(HelperName(node, "paddings"), paddings, {rank, 2});
  if (mode == "constant") {
    if (value == 0.0f) {
      return Bind(ctx, node, ctx.Emit(node, OpKind::kPad, {*x, p}, NoOptions{}, ctx.type(*x)));
    }
    TensorId v = ctx.AddScalarOfType(HelperName(node, "value"), value, ctx.type(*x));
    return Bind(ctx, node, ctx.Emit(node, OpKind::kPadV2, {*x, p, v}, NoOptions{}, ctx.type(*x)));
  }
  if (mode == "reflect") {
    MirrorPadOptions o;
    o.symmetric = false;
    return Bind(ctx, node, ctx.Emit(node, OpKind::kMirrorPad, {*x, p}, o, ctx.type(*x)));
  }
  if (mode == "edge") return EdgePad(ctx, node, *x, paddings);
  return ctx.Unsupported(node, absl::StrCat("pad mode '", mode, "'"),
                         "'constant', 'reflect' or 'edge'");
}

/// Edge padding has no TFLite builtin: one GATHER per padded axis with the
/// clamped source index of every output position repeats the border values.
absl::Status EdgePad(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                     const std::vector<int32_t>& paddings) {
  const int rank = ctx.rank(x);
  TensorId current = x;
  for (int axis = 0; axis < rank; ++axis) {
    const int32_t before = paddings[2 * axis], after = paddings[2 * axis + 1];
    if (before == 0 && after == 0) continue;
    const int64_t n = ctx.shape(current)[axis];
    if (n <= 0) return ctx.Unsupported(node, "edge padding of a dim of unknown size");
    std::vector<int32_t> indices;
    for (int64_t i = 0; i < n + before + after; ++i) {
      indices.push_back(static_cast<int32_t>(std::clamp<int64_t>(i - before, 0, n - 1)));
    }
    TensorId idx = ctx.AddConstInts(HelperName(node, "edge_indices"), indices);
    GatherOptions o;
    o.axis = axis;
    absl::StatusOr<TensorId> out = ctx.Emit(node, OpKind::kGather, {current, idx}, o, ctx.type(x));
    if (!out.ok()) return out.status();
    current = *out;
  }
  return Bind(ctx, node, current);
}

absl::Status Gather(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  absl::StatusOr<TensorId> indices = ctx.Input(node, 1);
  if (!indices.ok()) return indices.status();
  const int rank = ctx.rank(*x);
  std::optional<int> axis = NormalizeAxis(OnnxContext::AttrInt(node, "axis", 0), rank);
  if (!axis) return ctx.Invalid(node, "axis is out of range", "an axis within the input rank");
  // Gathering known entries of a run-time shape vector gives a constant.
  OnnxContext::PartialInts picked;
  OnnxContext::PartialDims picked_refs;
  const auto known = ctx.IsConstant(*x) ? std::nullopt : ctx.KnownInts(*x);
  const auto index_values = ctx.ConstantInts(*indices);
  if (known && rank == 1 && index_values) {
    const int64_t n = static_cast<int64_t>(known->size());
    const OnnxContext::PartialDims refs = ctx.DimRefs(*x, known->size());
    for (int64_t v : *index_values) {
      if (v < -n || v >= n) {
        return ctx.Invalid(node, absl::StrCat("index ", v, " is out of range for size ", n));
      }
      picked.push_back((*known)[v < 0 ? v + n : v]);
      picked_refs.push_back(refs[v < 0 ? v + n : v]);
    }
    if (auto c = ctx.AddConstFromKnown(HelperName(node, "known"), picked, ctx.type(*x),
                                ctx.shape(*indices))) {
      return Bind(ctx, node, *c);
    }
  }
  TensorId idx = *indices;
  if (auto values = index_values) {
    // TFLite GATHER rejects negative indices: resolve them against the dim.
    const int64_t dim = ctx.shape(*x)[*axis];
    std::vector<int32_t> fixed;
    for (int64_t v : *values) {
      if (v < 0 && dim < 0) {
        return ctx.Unsupported(node, "negative index into a dim of unknown size");
      }
      if ((dim >= 0 && (v >= dim || v < -dim))) {
        return ctx.Invalid(node, absl::StrCat("index ", v, " is out of range for size ", dim));
      }
      fixed.push_back(static_cast<int32_t>(v < 0 ? v + dim : v));
    }
    const Shape index_shape = ctx.shape(idx);
    idx = ctx.AddConstInts(HelperName(node, "indices"), fixed, index_shape);
    if (index_shape.empty()) ctx.graph().tensor(idx).shape = {};  // a scalar index
  }
  GatherOptions o;
  o.axis = *axis;
  absl::StatusOr<TensorId> out = ctx.Emit(node, OpKind::kGather, {*x, idx}, o, ctx.type(*x));
  if (out.ok() && !picked.empty()) {
    ctx.RecordKnownInts(*out, picked);
    ctx.RecordDimRefs(*out, std::move(picked_refs));
  }
  return Bind(ctx, node, out);
}

}  // namespace

void RegisterPadGatherOps(ConverterTable& t) {
  t["Pad"] = Pad;
  t["Gather"] = Gather;
}

}  // namespace optconv::onnx_import
