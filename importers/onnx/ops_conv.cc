// Conv and ConvTranspose (1-D and 2-D) -> CONV_2D / DEPTHWISE_CONV_2D /
// TRANSPOSE_CONV on channels-last tensors. Weights are re-laid out once at
// import: OIHW -> OHWI (conv), OIHW -> 1HW(O) (depthwise), IOHW -> OHWI
// (transpose conv).
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "importers/onnx/nn_util.h"
#include "importers/onnx/op_families.h"

namespace optconv::onnx_import {
namespace {

// Weights of a conv-like node as floats with a static rank-3/4 shape.
struct ConstWeights {
  std::vector<float> values;
  Shape shape;  // lifted to rank 4 (H = 1) for 1-D ops
  int onnx_rank = 4;
};

absl::StatusOr<ConstWeights> ReadWeights(OnnxContext& ctx, const onnx::NodeProto& node,
                                         TensorId x, TensorId w) {
  const Shape ws = ctx.shape(w);
  if (ws.size() == 5) return ctx.Unsupported(node, "3-D convolution", "a 1-D or 2-D convolution");
  if (ws.size() != 3 && ws.size() != 4) {
    return ctx.Invalid(node, absl::StrCat("weights of rank ", ws.size()), "rank 3 or 4 weights");
  }
  if (ctx.rank(x) != static_cast<int>(ws.size())) {
    return ctx.Invalid(node, absl::StrCat("input ", ShapeToString(ctx.shape(x)), " vs weights ",
                                          ShapeToString(ws)),
                       "input and weights of the same rank");
  }
  if (!IsStatic(ws)) return ctx.Invalid(node, "weights of unknown shape", "static weights");
  std::optional<std::vector<float>> values = ctx.ConstantFloats(w);
  if (!values) {
    return ctx.Unsupported(node, "weights computed at run time",
                           "constant weights (an initializer or Constant)");
  }
  ConstWeights out{std::move(*values), ws, static_cast<int>(ws.size())};
  if (out.onnx_rank == 3) out.shape = {ws[0], ws[1], 1, ws[2]};
  return out;
}

// Spatial input sizes of an NCHW/NCW tensor as the 2-D op sees them.
std::vector<int64_t> SpatialSizes2D(const Shape& x) {
  if (x.size() == 3) return {1, x[2]};
  return {x[2], x[3]};
}

absl::StatusOr<TensorId> BiasOrZeros(OnnxContext& ctx, const onnx::NodeProto& node, int index,
                                     int64_t channels) {
  if (OnnxContext::HasInput(node, index)) {
    NN_ASSIGN_OR_RETURN(TensorId b, ctx.Input(node, index));
    if (ctx.rank(b) != 1 || (ctx.shape(b)[0] >= 0 && ctx.shape(b)[0] != channels)) {
      return ctx.Invalid(node, absl::StrCat("bias ", ShapeToString(ctx.shape(b))),
                         absl::StrCat("bias of [", channels, "]"));
    }
    return b;
  }
  // TFLite kernels and delegates are happiest with an explicit bias.
  return ctx.AddConstFloats(NodeBaseName(node) + "/bias", std::vector<float>(channels, 0.0f),
                            {channels});
}

absl::Status ConvertConv(OnnxContext& ctx, const onnx::NodeProto& node) {
  NN_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  NN_ASSIGN_OR_RETURN(TensorId w, ctx.Input(node, 1));
  NN_ASSIGN_OR_RETURN(ConstWeights wt, ReadWeights(ctx, node, x, w));
  const int64_t co = wt.shape[0], ci_per_group = wt.shape[1];
  const int64_t group = OnnxContext::AttrInt(node, "group", 1);
  const Shape xs = ctx.shape(x);
  const int64_t cin = xs[1] >= 0 ? xs[1] : ci_per_group * group;
  if (group <= 0 || cin != ci_per_group * group || co % group != 0) {
    return ctx.Invalid(node, absl::StrCat("group ", group, " with input ", ShapeToString(xs),
                                          " and weights ", ShapeToString(ctx.shape(w))),
                       "input channels = weights dim 1 x group, output channels divisible "
                       "by group");
  }
  std::vector<int64_t> kernel(wt.shape.begin() + 2, wt.shape.end());
  if (wt.onnx_rank == 3) kernel = {wt.shape[3]};
  NN_ASSIGN_OR_RETURN(Window win, ReadWindow(ctx, node, wt.onnx_rank - 2, kernel));
  if (wt.onnx_rank == 3) win = LiftWindowTo2D(win);
  NN_ASSIGN_OR_RETURN(PaddingPlan plan, PlanPadding(ctx, node, win, SpatialSizes2D(xs)));

  NN_ASSIGN_OR_RETURN(TensorId xn, ToNhwc4D(ctx, node, x));
  if (plan.HasExplicitPads()) {
    NN_ASSIGN_OR_RETURN(xn, EmitSpatialPad(ctx, node, xn, plan.pad_begin, plan.pad_end, 0.0f));
  }
  NN_ASSIGN_OR_RETURN(TensorId bias, BiasOrZeros(ctx, node, 2, co));
  const std::string base = NodeBaseName(node);
  const auto sh = static_cast<int32_t>(win.strides[0]), sw = static_cast<int32_t>(win.strides[1]);
  const auto dh = static_cast<int32_t>(win.dilations[0]);
  const auto dw = static_cast<int32_t>(win.dilations[1]);
  TensorId y;
  if (group > 1 && ci_per_group == 1) {
    // Depthwise (any multiplier): output channel c*M+m reads input channel c,
    // which is TFLite's [1,KH,KW,C*M] order too.
    const std::vector<int> perm = {1, 2, 3, 0};
    TensorId filter = ctx.AddConstFloats(base + "/depthwise_filter",
                                         PermuteDims(wt.values, wt.shape, perm),
                                         PermuteShape(wt.shape, perm));
    DepthwiseConv2DOptions o;
    o.padding = plan.padding;
    o.stride_h = sh, o.stride_w = sw, o.dilation_h = dh, o.dilation_w = dw;
    o.depth_multiplier = static_cast<int32_t>(co / group);
    NN_ASSIGN_OR_RETURN(y, ctx.Emit(node, OpKind::kDepthwiseConv2D, {xn, filter, bias}, o,
                                    ctx.type(x)));
  } else {
    // Plain and grouped: [Co,KH,KW,Ci/group]; TFLite infers groups from the
    // input depth / filter depth ratio.
    const std::vector<int> perm = {0, 2, 3, 1};
    TensorId filter = ctx.AddConstFloats(base + "/filter", PermuteDims(wt.values, wt.shape, perm),
                                         PermuteShape(wt.shape, perm));
    Conv2DOptions o;
    o.padding = plan.padding;
    o.stride_h = sh, o.stride_w = sw, o.dilation_h = dh, o.dilation_w = dw;
    NN_ASSIGN_OR_RETURN(y, ctx.Emit(node, OpKind::kConv2D, {xn, filter, bias}, o, ctx.type(x)));
  }
  NN_ASSIGN_OR_RETURN(TensorId out, FromNhwc4D(ctx, node, y, wt.onnx_rank));
  ctx.SetOutput(node, 0, out);
  return absl::OkStatus();
}

// Per spatial dim of a ConvTranspose: ONNX begin pad and output size.
struct TransposeDim {
  int64_t pad_begin = 0;
  int64_t out = 0;
  int64_t full = 0;  // s*(in-1) + k: every position an input reaches
};

absl::StatusOr<std::vector<TransposeDim>> ResolveTransposeDims(OnnxContext& ctx,
                                                               const onnx::NodeProto& node,
                                                               const Window& win,
                                                               const std::vector<int64_t>& in,
                                                               bool lifted_1d) {
  const int n = win.num_spatial();
  const int onnx_n = lifted_1d ? n - 1 : n;
  std::vector<int64_t> out_pad = OnnxContext::AttrInts(node, "output_padding");
  if (out_pad.empty()) out_pad.assign(onnx_n, 0);
  std::vector<int64_t> out_shape = OnnxContext::AttrInts(node, "output_shape");
  if (out_shape.size() > static_cast<size_t>(onnx_n)) {
    out_shape.erase(out_shape.begin(), out_shape.end() - onnx_n);  // a full N,C,... shape
  }
  if (lifted_1d) {
    out_pad.insert(out_pad.begin(), 0);
    if (!out_shape.empty()) out_shape.insert(out_shape.begin(), 1);
  }
  if (out_pad.size() != static_cast<size_t>(n) ||
      (!out_shape.empty() && out_shape.size() != static_cast<size_t>(n))) {
    return ctx.Invalid(node, "output_padding/output_shape length", absl::StrCat(n, " values"));
  }
  std::vector<TransposeDim> dims(n);
  for (int i = 0; i < n; ++i) {
    const int64_t s = win.strides[i], k = win.kernel[i];
    const int64_t natural = s * (in[i] - 1) + out_pad[i] + k;
    TransposeDim& d = dims[i];
    d.full = s * (in[i] - 1) + k;
    if (!out_shape.empty() || win.auto_pad == "SAME_UPPER" || win.auto_pad == "SAME_LOWER") {
      d.out = out_shape.empty() ? in[i] * s : out_shape[i];
      const int64_t total = natural - d.out;
      if (total < 0) {
        return ctx.Unsupported(node, absl::StrCat("output size ", d.out, " larger than ", natural),
                               "output_shape within stride*(in-1)+output_padding+kernel");
      }
      d.pad_begin = win.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else if (win.auto_pad == "VALID") {
      d.out = natural;
    } else {
      d.pad_begin = win.pad_begin[i];
      d.out = natural - win.pad_begin[i] - win.pad_end[i];
    }
    if (d.out <= 0) {
      return ctx.Invalid(node, absl::StrCat("output size ", d.out, " along spatial dim ", i),
                         "a positive output size");
    }
  }
  return dims;
}

absl::Status ConvertConvTranspose(OnnxContext& ctx, const onnx::NodeProto& node) {
  NN_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  NN_ASSIGN_OR_RETURN(TensorId w, ctx.Input(node, 1));
  NN_ASSIGN_OR_RETURN(ConstWeights wt, ReadWeights(ctx, node, x, w));
  if (OnnxContext::AttrInt(node, "group", 1) != 1) {
    return ctx.Unsupported(node, "grouped ConvTranspose", "group = 1");
  }
  const int64_t ci = wt.shape[0], co = wt.shape[1];
  const Shape xs = ctx.shape(x);
  if (xs[1] >= 0 && xs[1] != ci) {
    return ctx.Invalid(node, absl::StrCat("input ", ShapeToString(xs), " vs weights ",
                                          ShapeToString(ctx.shape(w))),
                       "input channels = weights dim 0");
  }
  std::vector<int64_t> kernel(wt.shape.begin() + 2, wt.shape.end());
  if (wt.onnx_rank == 3) kernel = {wt.shape[3]};
  NN_ASSIGN_OR_RETURN(Window win, ReadWindow(ctx, node, wt.onnx_rank - 2, kernel));
  if (wt.onnx_rank == 3) win = LiftWindowTo2D(win);
  for (int64_t d : win.dilations) {
    if (d != 1) return ctx.Unsupported(node, "dilated ConvTranspose", "dilations = 1");
  }
  const std::vector<int64_t> in = SpatialSizes2D(xs);
  if (in[0] < 0 || in[1] < 0) {
    return ctx.Unsupported(node, "ConvTranspose on a dynamic spatial size", "static H and W");
  }
  NN_ASSIGN_OR_RETURN(std::vector<TransposeDim> dims,
                      ResolveTransposeDims(ctx, node, win, in, wt.onnx_rank == 3));

  // TFLite SAME places the output like ONNX when the begin pad equals the one
  // TFLite derives from the output size; VALID when no begin pad and the
  // output stays within stride of the natural size. Otherwise compute a VALID
  // output covering [0, pad_begin + out) and crop.
  bool same_ok = true, valid_ok = true, crop = false;
  for (int i = 0; i < 2; ++i) {
    const TransposeDim& d = dims[i];
    const int64_t s = win.strides[i], k = win.kernel[i];
    if (!(d.pad_begin == TfliteSamePads(d.out, k, s).first && (d.out + s - 1) / s == in[i])) {
      same_ok = false;
    }
    if (!(d.pad_begin == 0 && d.out >= d.full && d.out < d.full + s)) valid_ok = false;
  }
  Padding padding = Padding::kSame;
  int64_t oh = dims[0].out, ow = dims[1].out;
  if (!same_ok) {
    padding = Padding::kValid;
    if (!valid_ok) {
      crop = true;
      oh = std::max(dims[0].full, dims[0].pad_begin + dims[0].out);
      ow = std::max(dims[1].full, dims[1].pad_begin + dims[1].out);
    }
  }
  const std::string base = NodeBaseName(node);
  NN_ASSIGN_OR_RETURN(TensorId xn, ToNhwc4D(ctx, node, x));
  const std::vector<int32_t> ohwc = {static_cast<int32_t>(oh), static_cast<int32_t>(ow),
                                     static_cast<int32_t>(co)};
  TensorId out_shape;
  if (xs[0] >= 0) {
    out_shape = ctx.AddConstInts(base + "/output_shape",
                                 {static_cast<int32_t>(xs[0]), ohwc[0], ohwc[1], ohwc[2]}, {4});
  } else {
    // Dynamic batch: output_shape = concat(shape(x)[0:1], [OH, OW, Co]) at run time.
    NN_ASSIGN_OR_RETURN(TensorId shape, ctx.Emit(node, OpKind::kShape, {xn}, NoOptions{},
                                                 DataType::kInt32));
    std::vector<TensorId> slice = {shape, ctx.AddConstInts(base + "/batch_begin", {0}),
                                   ctx.AddConstInts(base + "/batch_end", {1}),
                                   ctx.AddConstInts(base + "/batch_step", {1})};
    NN_ASSIGN_OR_RETURN(TensorId batch, ctx.Emit(node, OpKind::kStridedSlice, slice,
                                                 StridedSliceOptions{}, DataType::kInt32));
    ConcatenationOptions co_opts;
    co_opts.axis = 0;
    NN_ASSIGN_OR_RETURN(out_shape, ctx.Emit(node, OpKind::kConcatenation,
                                            {batch, ctx.AddConstInts(base + "/ohwc", ohwc)},
                                            co_opts, DataType::kInt32));
  }
  // [Ci, Co, KH, KW] -> [Co, KH, KW, Ci]
  const std::vector<int> perm = {1, 2, 3, 0};
  TensorId filter = ctx.AddConstFloats(base + "/filter", PermuteDims(wt.values, wt.shape, perm),
                                       PermuteShape(wt.shape, perm));
  NN_ASSIGN_OR_RETURN(TensorId bias, BiasOrZeros(ctx, node, 2, co));
  TransposeConvOptions o;
  o.padding = padding;
  o.stride_h = static_cast<int32_t>(win.strides[0]);
  o.stride_w = static_cast<int32_t>(win.strides[1]);
  NN_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kTransposeConv,
                                           {out_shape, filter, xn, bias}, o, ctx.type(x)));
  // A run-time output_shape hides H, W and C from shape inference; they are known.
  ctx.graph().tensor(y).shape = {xs[0], oh, ow, co};
  if (crop) {
    const auto b0 = static_cast<int32_t>(dims[0].pad_begin);
    const auto b1 = static_cast<int32_t>(dims[1].pad_begin);
    TensorId begin = ctx.AddConstInts(base + "/crop_begin", {0, b0, b1, 0}, {4});
    TensorId end = ctx.AddConstInts(
        base + "/crop_end",
        {0, b0 + static_cast<int32_t>(dims[0].out), b1 + static_cast<int32_t>(dims[1].out), 0},
        {4});
    TensorId strides = ctx.AddConstInts(base + "/crop_strides", {1, 1, 1, 1}, {4});
    StridedSliceOptions so;
    so.begin_mask = 0b1001;  // batch and channels: whole range
    so.end_mask = 0b1001;
    NN_ASSIGN_OR_RETURN(y, ctx.Emit(node, OpKind::kStridedSlice, {y, begin, end, strides}, so,
                                    ctx.type(x)));
  }
  NN_ASSIGN_OR_RETURN(TensorId out, FromNhwc4D(ctx, node, y, wt.onnx_rank));
  ctx.SetOutput(node, 0, out);
  return absl::OkStatus();
}

}  // namespace

void RegisterConvOps(ConverterTable& table) {
  table["Conv"] = &ConvertConv;
  table["ConvTranspose"] = &ConvertConvTranspose;
}

}  // namespace optconv::onnx_import
