// Reductions (Reduce*, with axes moving to an input in opset 13 for ReduceSum
// and 18 for the rest), Softmax/LogSoftmax (2-D coercion before opset 13, one
// axis after) and ArgMax/ArgMin.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "importers/onnx/op_families.h"
#include "importers/onnx/ops_util.h"

namespace optconv::onnx_import {
namespace {

absl::Status Bind(OnnxContext& ctx, const onnx::NodeProto& node, absl::StatusOr<TensorId> out) {
  if (!out.ok()) return out.status();
  ctx.SetOutput(node, 0, *out);
  return absl::OkStatus();
}

/// What a Reduce* op reduces: sorted axes, or nullopt for the identity
/// (noop_with_empty_axes with no axes).
absl::StatusOr<std::optional<std::vector<int>>> ReduceAxes(const OnnxContext& ctx,
                                                           const onnx::NodeProto& node,
                                                           TensorId x, int64_t input_since) {
  auto axes = ReadIntsAttrOrInput(ctx, node, "axes", input_since, 1);
  if (!axes.ok()) return axes.status();
  const int rank = ctx.rank(x);
  if (!*axes || (*axes)->empty()) {
    if (OnnxContext::AttrInt(node, "noop_with_empty_axes", 0) != 0) return std::nullopt;
    std::vector<int> all(rank);
    for (int i = 0; i < rank; ++i) all[i] = i;
    return all;
  }
  auto n = NormalizeAxes(ctx, node, **axes, rank);
  if (!n.ok()) return n.status();
  return *n;
}

/// `pre` (optional unary), then `kind` over the axes, then `post` (optional unary).
absl::Status Reduce(OnnxContext& ctx, const onnx::NodeProto& node, OpKind kind,
                    std::optional<OpKind> pre = std::nullopt,
                    std::optional<OpKind> post = std::nullopt) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  const int64_t input_since = node.op_type() == "ReduceSum" ? 13 : 18;
  auto axes = ReduceAxes(ctx, node, *x, input_since);
  if (!axes.ok()) return axes.status();
  TensorId y = *x;
  if (pre) {
    absl::StatusOr<TensorId> p = ctx.Emit(node, *pre, {y}, NoOptions{}, ctx.type(y));
    if (!p.ok()) return p.status();
    y = *p;
  }
  if (*axes && !(*axes)->empty()) {
    std::vector<int32_t> a((*axes)->begin(), (*axes)->end());
    ReducerOptions o;
    o.keep_dims = OnnxContext::AttrInt(node, "keepdims", 1) != 0;
    TensorId axes_t = ctx.AddConstInts(HelperName(node, "axes"), a);
    absl::StatusOr<TensorId> r = ctx.Emit(node, kind, {y, axes_t}, o, ctx.type(y));
    if (!r.ok()) return r.status();
    y = *r;
  }
  if (post) {
    absl::StatusOr<TensorId> p = ctx.Emit(node, *post, {y}, NoOptions{}, ctx.type(y));
    if (!p.ok()) return p.status();
    y = *p;
  }
  return Bind(ctx, node, y);
}

/// SOFTMAX / LOG_SOFTMAX over the last axis of `x`.
absl::StatusOr<TensorId> LastAxis(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                                  bool log) {
  if (log) return ctx.Emit(node, OpKind::kLogSoftmax, {x}, NoOptions{}, ctx.type(x));
  return ctx.Emit(node, OpKind::kSoftmax, {x}, SoftmaxOptions{}, ctx.type(x));
}

absl::Status Softmax(OnnxContext& ctx, const onnx::NodeProto& node, bool log) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  const Shape in = ctx.shape(*x);
  const int rank = static_cast<int>(in.size());
  if (rank == 0) return ctx.Invalid(node, "input is a scalar", "rank >= 1");
  const bool coerce_2d = ctx.opset() < 13;
  std::optional<int> axis =
      NormalizeAxis(OnnxContext::AttrInt(node, "axis", coerce_2d ? 1 : -1), rank);
  if (!axis) return ctx.Invalid(node, "axis is out of range", "an axis within the input rank");
  if (*axis == rank - 1) return Bind(ctx, node, LastAxis(ctx, node, *x, log));

  if (coerce_2d) {
    // Softmax over the flattened trailing dims [axis, rank).
    int64_t inner = 1;
    for (int i = *axis; i < rank; ++i) {
      if (in[i] < 0) {
        return ctx.Unsupported(node, "softmax over trailing dims of unknown size",
                               "known dims from the axis on");
      }
      inner *= in[i];
    }
    int64_t outer = 1;
    for (int i = 0; i < *axis; ++i) outer = (in[i] < 0 || outer < 0) ? kUnknownDim : outer * in[i];
    absl::StatusOr<TensorId> flat = EmitReshape(ctx, node, *x, {outer, inner});
    if (!flat.ok()) return flat.status();
    absl::StatusOr<TensorId> s = LastAxis(ctx, node, *flat, log);
    if (!s.ok()) return s.status();
    return Bind(ctx, node, EmitReshape(ctx, node, *s, in));
  }
  // One axis: swap it with the last one (the swap is its own inverse).
  std::vector<int32_t> perm(rank);
  for (int i = 0; i < rank; ++i) perm[i] = i;
  std::swap(perm[*axis], perm[rank - 1]);
  absl::StatusOr<TensorId> t = ctx.EmitTranspose(node, *x, perm);
  if (!t.ok()) return t.status();
  absl::StatusOr<TensorId> s = LastAxis(ctx, node, *t, log);
  if (!s.ok()) return s.status();
  return Bind(ctx, node, ctx.EmitTranspose(node, *s, perm));
}

absl::Status ArgReduce(OnnxContext& ctx, const onnx::NodeProto& node, OpKind kind) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  if (OnnxContext::AttrInt(node, "select_last_index", 0) != 0) {
    return ctx.Unsupported(node, "select_last_index=1", "select_last_index=0");
  }
  const Shape in = ctx.shape(*x);
  const int rank = static_cast<int>(in.size());
  std::optional<int> axis = NormalizeAxis(OnnxContext::AttrInt(node, "axis", 0), rank);
  if (!axis) return ctx.Invalid(node, "axis is out of range", "an axis within the input rank");
  TensorId axis_t = ctx.AddConstInts(HelperName(node, "axis"), {*axis});
  absl::StatusOr<TensorId> y = ctx.Emit(node, kind, {*x, axis_t}, ArgOptions{}, DataType::kInt64);
  if (!y.ok()) return y.status();
  if (OnnxContext::AttrInt(node, "keepdims", 1) == 0) return Bind(ctx, node, *y);
  Shape kept = in;
  kept[*axis] = 1;
  if (std::count(kept.begin(), kept.end(), kUnknownDim) <= 1) {
    return Bind(ctx, node, EmitReshape(ctx, node, *y, kept));
  }
  TensorId dim = ctx.AddScalarInt(HelperName(node, "keep_axis"), *axis);
  return Bind(ctx, node, ctx.Emit(node, OpKind::kExpandDims, {*y, dim}, NoOptions{}, DataType::kInt64));
}

}  // namespace

void RegisterReduceOps(ConverterTable& t) {
  using N = const onnx::NodeProto&;
  t["ReduceMean"] = [](OnnxContext& c, N n) { return Reduce(c, n, OpKind::kMean); };
  t["ReduceSum"] = [](OnnxContext& c, N n) { return Reduce(c, n, OpKind::kSum); };
  t["ReduceMax"] = [](OnnxContext& c, N n) { return Reduce(c, n, OpKind::kReduceMax); };
  t["ReduceMin"] = [](OnnxContext& c, N n) { return Reduce(c, n, OpKind::kReduceMin); };
  t["ReduceProd"] = [](OnnxContext& c, N n) { return Reduce(c, n, OpKind::kReduceProd); };
  t["ReduceL1"] = [](OnnxContext& c, N n) { return Reduce(c, n, OpKind::kSum, OpKind::kAbs); };
  t["ReduceL2"] = [](OnnxContext& c, N n) {
    return Reduce(c, n, OpKind::kSum, OpKind::kSquare, OpKind::kSqrt);
  };
  t["ReduceSumSquare"] = [](OnnxContext& c, N n) {
    return Reduce(c, n, OpKind::kSum, OpKind::kSquare);
  };
  t["ReduceLogSum"] = [](OnnxContext& c, N n) {
    return Reduce(c, n, OpKind::kSum, std::nullopt, OpKind::kLog);
  };
  t["Softmax"] = [](OnnxContext& c, N n) { return Softmax(c, n, false); };
  t["LogSoftmax"] = [](OnnxContext& c, N n) { return Softmax(c, n, true); };
  t["ArgMax"] = [](OnnxContext& c, N n) { return ArgReduce(c, n, OpKind::kArgMax); };
  t["ArgMin"] = [](OnnxContext& c, N n) { return ArgReduce(c, n, OpKind::kArgMin); };
}

}  // namespace optconv::onnx_import
