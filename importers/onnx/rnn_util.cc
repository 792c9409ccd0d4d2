#include "importers/onnx/rnn_util.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace optconv::onnx_import {

absl::StatusOr<RnnNode> ReadRnnNode(OnnxContext& ctx, const onnx::NodeProto& node, int gates,
                                    const std::vector<std::string>& default_activations) {
  RnnNode n;
  NN_ASSIGN_OR_RETURN(n.x, ctx.Input(node, 0));
  n.layout = static_cast<int>(OnnxContext::AttrInt(node, "layout", 0));
  const Shape xs = ctx.shape(n.x);
  if (xs.size() != 3 || (n.layout != 0 && n.layout != 1)) {
    return ctx.Invalid(node, absl::StrCat("input ", ShapeToString(xs), " with layout ", n.layout),
                       "a rank-3 input and layout 0 or 1");
  }
  n.seq = xs[n.time_axis()];
  n.batch = xs[1 - n.time_axis()];
  n.input_size = xs[2];
  const std::string direction = OnnxContext::AttrString(node, "direction", "forward");
  if (direction == "forward") {
    n.reverse = {false};
  } else if (direction == "reverse") {
    n.reverse = {true};
  } else if (direction == "bidirectional") {
    n.reverse = {false, true};
  } else {
    return ctx.Invalid(node, absl::StrCat("direction '", direction, "'"),
                       "forward, reverse or bidirectional");
  }
  const int64_t dirs = n.num_directions();
  NN_ASSIGN_OR_RETURN(TensorId w_id, ctx.Input(node, 1));
  const Shape ws = ctx.shape(w_id);
  if (ws.size() != 3 || !IsStatic(ws) || ws[0] != dirs || ws[1] % gates != 0) {
    return ctx.Invalid(node, absl::StrCat("W of shape ", ShapeToString(ws)),
                       absl::StrCat("W of [", dirs, ", ", gates, "*hidden_size, input_size]"));
  }
  n.hidden = ws[1] / gates;
  if (n.input_size < 0) n.input_size = ws[2];
  const int64_t attr_hidden = OnnxContext::AttrInt(node, "hidden_size", n.hidden);
  if (attr_hidden != n.hidden || ws[2] != n.input_size) {
    return ctx.Invalid(node, absl::StrCat("W of shape ", ShapeToString(ws), " vs hidden_size ",
                                          attr_hidden, " and input ", ShapeToString(xs)),
                       absl::StrCat("W of [num_directions, ", gates, "*hidden_size, input_size]"));
  }
  if (const onnx::AttributeProto* a = OnnxContext::FindAttr(node, "activations")) {
    for (int i = 0; i < a->strings_size(); ++i) {
      const std::string& expected = default_activations[i % default_activations.size()];
      if (a->strings(i) != expected) {
        return ctx.Unsupported(node, absl::StrCat("activation '", a->strings(i), "'"),
                               absl::StrCat("the default activations ",
                                            absl::StrJoin(default_activations, ", ")));
      }
    }
  }
  if (OnnxContext::FindAttr(node, "clip") != nullptr) {
    return ctx.Unsupported(node, "clip", "no clip attribute");
  }
  if (OnnxContext::HasInput(node, 4)) {
    NN_ASSIGN_OR_RETURN(TensorId lens, ctx.Input(node, 4));
    std::optional<std::vector<int64_t>> v = ctx.ConstantInts(lens);
    bool full = v.has_value() && n.seq >= 0;
    if (full) {
      for (int64_t l : *v) full = full && l == n.seq;
    }
    if (!full) {
      return ctx.Unsupported(node, "sequence_lens other than the full sequence length",
                             "sequence_lens absent or all equal to the static sequence length");
    }
  }
  if (OnnxContext::HasInput(node, 5)) {
    NN_ASSIGN_OR_RETURN(n.initial_h, ctx.Input(node, 5));
  }
  return n;
}

std::vector<float> Block(const std::vector<float>& all, int64_t offset, int64_t count) {
  return std::vector<float>(all.begin() + offset, all.begin() + offset + count);
}

bool AllZero(const std::vector<float>& v) {
  for (float f : v) {
    if (f != 0.0f) return false;
  }
  return true;
}

absl::StatusOr<std::vector<float>> ConstRnnInput(OnnxContext& ctx, const onnx::NodeProto& node,
                                                 int index, const char* what, int64_t expected) {
  NN_ASSIGN_OR_RETURN(TensorId id, ctx.Input(node, index));
  std::optional<std::vector<float>> v = ctx.ConstantFloats(id);
  if (!v) {
    return ctx.Unsupported(node, absl::StrCat(what, " computed at run time"),
                           absl::StrCat("constant ", what));
  }
  if (static_cast<int64_t>(v->size()) != expected) {
    return ctx.Invalid(node, absl::StrCat(what, " has ", v->size(), " values"),
                       absl::StrCat(expected, " values"));
  }
  return *v;
}

absl::StatusOr<TensorId> ReverseTime(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                                     int time_axis) {
  const int r = ctx.rank(x);
  std::vector<int32_t> zeros(r, 0), strides(r, 1);
  strides[time_axis] = -1;
  const std::string base = NodeBaseName(node);
  TensorId begin = ctx.AddConstInts(base + "/rev_begin", zeros);
  TensorId end = ctx.AddConstInts(base + "/rev_end", zeros);
  TensorId step = ctx.AddConstInts(base + "/rev_strides", strides);
  StridedSliceOptions o;
  o.begin_mask = (1 << r) - 1;
  o.end_mask = (1 << r) - 1;
  return ctx.Emit(node, OpKind::kStridedSlice, {x, begin, end, step}, o, ctx.type(x));
}

absl::StatusOr<TensorId> SliceOne(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                                  int axis, int32_t index) {
  const int r = ctx.rank(x);
  std::vector<int32_t> begin(r, 0), end(r, 0), strides(r, 1);
  begin[axis] = index;
  end[axis] = index + 1;
  StridedSliceOptions o;
  o.begin_mask = ((1 << r) - 1) & ~(1 << axis);
  o.end_mask = ((1 << r) - 1) & ~(1 << axis);
  if (index == -1) o.end_mask |= 1 << axis;  // -1:-0 means "to the end"
  const std::string base = NodeBaseName(node);
  return ctx.Emit(node, OpKind::kStridedSlice,
                  {x, ctx.AddConstInts(base + "/slice_begin", begin),
                   ctx.AddConstInts(base + "/slice_end", end),
                   ctx.AddConstInts(base + "/slice_strides", strides)},
                  o, ctx.type(x));
}

absl::StatusOr<TensorId> ExpandAxis(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                                    int axis) {
  return ctx.Emit(node, OpKind::kExpandDims, {x, AxisConst(ctx, node, "axis", axis)}, NoOptions{},
                  ctx.type(x));
}

absl::StatusOr<TensorId> ConcatParts(OnnxContext& ctx, const onnx::NodeProto& node,
                                     std::vector<TensorId> parts, int axis) {
  if (parts.size() == 1) return parts[0];
  ConcatenationOptions o;
  o.axis = axis;
  const DataType t = ctx.type(parts[0]);
  return ctx.Emit(node, OpKind::kConcatenation, std::move(parts), o, t);
}

bool IsZeroState(const OnnxContext& ctx, TensorId id) {
  if (id == kNoTensor) return true;
  std::optional<std::vector<float>> v = ctx.ConstantFloats(id);
  return v.has_value() && AllZero(*v);
}

absl::StatusOr<std::vector<TensorId>> ProjectInputSteps(OnnxContext& ctx,
                                                        const onnx::NodeProto& node,
                                                        const RnnNode& n, TensorId weights,
                                                        TensorId bias, int64_t steps) {
  const DataType t = ctx.type(n.x);
  FullyConnectedOptions fo;
  fo.keep_num_dims = true;
  NN_ASSIGN_OR_RETURN(TensorId xw, ctx.Emit(node, OpKind::kFullyConnected, {n.x, weights, bias},
                                            fo, t));
  PackOptions po;
  po.axis = n.time_axis();
  po.values_count = static_cast<int32_t>(steps);
  return ctx.EmitMulti(node, OpKind::kUnpack, {xw}, po, t, static_cast<int>(steps));
}

absl::StatusOr<TensorId> DirectionState(OnnxContext& ctx, const onnx::NodeProto& node,
                                        const RnnNode& n, TensorId given, int d) {
  if (IsZeroState(ctx, given)) return kNoTensor;
  // [D,B,H] (layout 0) or [B,D,H] (layout 1) -> [B,H]
  const int axis = n.layout == 0 ? 0 : 1;
  NN_ASSIGN_OR_RETURN(TensorId s, SliceOne(ctx, node, given, axis, d));
  return ctx.Emit(node, OpKind::kSqueeze, {s}, SqueezeOptions{{axis}}, ctx.type(given));
}

absl::Status BindRnnOutputs(OnnxContext& ctx, const onnx::NodeProto& node, const RnnNode& n,
                            const std::vector<DirectionResult>& res) {
  // num_directions axis: Y [T,D,B,H] / [B,T,D,H]; Y_h [D,B,H] / [B,D,H].
  const int y_axis = n.layout == 0 ? 1 : 2;
  const int state_axis = n.layout == 0 ? 0 : 1;
  if (OutputUsed(ctx, node, 0)) {
    std::vector<TensorId> parts;
    for (const DirectionResult& r : res) {
      NN_ASSIGN_OR_RETURN(TensorId e, ExpandAxis(ctx, node, r.y, y_axis));
      parts.push_back(e);
    }
    NN_ASSIGN_OR_RETURN(TensorId y, ConcatParts(ctx, node, parts, y_axis));
    ctx.SetOutput(node, 0, y);
  }
  for (int out = 1; out <= 2; ++out) {
    if (!OutputUsed(ctx, node, out)) continue;
    std::vector<TensorId> parts;
    for (const DirectionResult& r : res) parts.push_back(out == 1 ? r.y_h : r.y_c);
    NN_ASSIGN_OR_RETURN(TensorId s, ConcatParts(ctx, node, parts, state_axis));
    ctx.SetOutput(node, out, s);
  }
  return absl::OkStatus();
}

absl::StatusOr<TensorId> EmitBinary(OnnxContext& ctx, const onnx::NodeProto& node, OpKind kind,
                                    TensorId a, TensorId b) {
  return ctx.Emit(node, kind, {a, b}, BinaryOptions{}, ctx.type(a));
}

absl::StatusOr<TensorId> EmitUnary(OnnxContext& ctx, const onnx::NodeProto& node, OpKind kind,
                                   TensorId a) {
  return ctx.Emit(node, kind, {a}, NoOptions{}, ctx.type(a));
}

}  // namespace optconv::onnx_import
