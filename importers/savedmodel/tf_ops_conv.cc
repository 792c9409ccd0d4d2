// Conv2D, DepthwiseConv2dNative and Conv2DBackpropInput (NHWC). Filters are
// re-laid out once: HWIO -> OHWI (CONV_2D), HWCM -> [1,H,W,C*M] (depthwise),
// HWOI -> OHWI (TRANSPOSE_CONV). Explicit padding becomes a PAD + VALID.
#include "absl/strings/str_cat.h"
#include "importers/savedmodel/tf_op_families.h"
#include "importers/savedmodel/tf_ops_util.h"

namespace optconv::tf_import {
namespace {

struct Window {
  Padding padding = Padding::kValid;
  int32_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
};

/// Strides, dilations and padding; EXPLICIT padding is applied to `x` with a PAD.
absl::StatusOr<Window> ReadWindow(TfContext& ctx, const tensorflow::NodeDef& node, TensorId& x) {
  TF_RETURN_IF_ERROR(RequireChannelsLast(ctx, node));
  Window w;
  TF_ASSIGN_OR_RETURN(auto strides, SpatialPair(ctx, node, "strides"));
  TF_ASSIGN_OR_RETURN(auto dilations, SpatialPair(ctx, node, "dilations"));
  w.stride_h = strides.first;
  w.stride_w = strides.second;
  w.dilation_h = dilations.first;
  w.dilation_w = dilations.second;
  if (TfContext::AttrString(node, "padding", "") == "EXPLICIT") {
    std::vector<int64_t> pads = TfContext::AttrInts(node, "explicit_paddings");
    if (pads.size() != 8) {
      return ctx.Invalid(node, absl::StrCat("explicit_paddings has ", pads.size(), " values"),
                         "8 (before/after for N, H, W, C)");
    }
    TensorId paddings = ctx.AddConstInts(HelperName(node, "paddings"), ToInt32(pads), Shape{4, 2});
    TF_ASSIGN_OR_RETURN(x, ctx.Emit(node, OpKind::kPad, {x, paddings}, NoOptions{}, ctx.type(x)));
    w.padding = Padding::kValid;
    return w;
  }
  TF_ASSIGN_OR_RETURN(w.padding, PaddingOf(ctx, node));
  return w;
}

absl::StatusOr<TensorId> RankFourInput(TfContext& ctx, const tensorflow::NodeDef& node, int index) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, index));
  if (ctx.rank(x) != 4) {
    return ctx.Unsupported(node, absl::StrCat("input #", index, " has shape ",
                                              ShapeToString(ctx.shape(x))),
                           "a rank-4 NHWC tensor");
  }
  return x;
}

TensorId ZeroBias(TfContext& ctx, const tensorflow::NodeDef& node, int64_t channels) {
  // TFLite kernels and delegates are happiest with an explicit bias; fuse-bias
  // later folds a following BiasAdd into it.
  return ctx.AddConstFloats(HelperName(node, "bias"),
                            std::vector<float>(static_cast<size_t>(channels), 0.0f));
}

absl::Status Conv2D(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, RankFourInput(ctx, node, 0));
  TF_ASSIGN_OR_RETURN(TensorId filter, RankFourInput(ctx, node, 1));
  TF_ASSIGN_OR_RETURN(Window w, ReadWindow(ctx, node, x));
  // [KH, KW, Ci/groups, Co]; a copy, since emitting ops grows the tensor table.
  const Shape fs = ctx.shape(filter);
  if (!IsStatic(fs)) return ctx.Unsupported(node, "filter of unknown shape", "a static filter");
  TF_ASSIGN_OR_RETURN(TensorId ohwi, ctx.EmitTranspose(node, filter, {3, 0, 1, 2}));
  Conv2DOptions o;
  o.padding = w.padding;
  o.stride_h = w.stride_h;
  o.stride_w = w.stride_w;
  o.dilation_h = w.dilation_h;
  o.dilation_w = w.dilation_w;
  TensorId bias = ZeroBias(ctx, node, fs[3]);
  TF_ASSIGN_OR_RETURN(TensorId y,
                      ctx.Emit(node, OpKind::kConv2D, {x, ohwi, bias}, o, ctx.type(x)));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

absl::Status DepthwiseConv2D(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, RankFourInput(ctx, node, 0));
  TF_ASSIGN_OR_RETURN(TensorId filter, RankFourInput(ctx, node, 1));
  TF_ASSIGN_OR_RETURN(Window w, ReadWindow(ctx, node, x));
  const Shape fs = ctx.shape(filter);  // [KH, KW, C, M]
  if (!IsStatic(fs)) return ctx.Unsupported(node, "filter of unknown shape", "a static filter");
  // Output channel c*M + m is TF's order and TFLite's alike: a plain reshape.
  TF_ASSIGN_OR_RETURN(TensorId f, EmitReshape(ctx, node, filter, {1, fs[0], fs[1], fs[2] * fs[3]}));
  DepthwiseConv2DOptions o;
  o.padding = w.padding;
  o.stride_h = w.stride_h;
  o.stride_w = w.stride_w;
  o.dilation_h = w.dilation_h;
  o.dilation_w = w.dilation_w;
  o.depth_multiplier = static_cast<int32_t>(fs[3]);
  TensorId bias = ZeroBias(ctx, node, fs[2] * fs[3]);
  TF_ASSIGN_OR_RETURN(TensorId y,
                      ctx.Emit(node, OpKind::kDepthwiseConv2D, {x, f, bias}, o, ctx.type(x)));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

/// Conv2DBackpropInput(input_sizes, filter [KH,KW,Co,Ci], out_backprop) is a
/// transposed convolution producing `input_sizes`.
absl::Status Conv2DBackpropInput(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId sizes, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId filter, RankFourInput(ctx, node, 1));
  TF_ASSIGN_OR_RETURN(TensorId x, RankFourInput(ctx, node, 2));
  TensorId unused = x;
  TF_ASSIGN_OR_RETURN(Window w, ReadWindow(ctx, node, unused));
  if (unused != x) {
    return ctx.Unsupported(node, "EXPLICIT padding of a transposed convolution", "SAME or VALID");
  }
  if (w.dilation_h != 1 || w.dilation_w != 1) {
    return ctx.Unsupported(node, "dilated transposed convolution", "dilations of 1");
  }
  const Shape fs = ctx.shape(filter);
  if (!IsStatic(fs)) return ctx.Unsupported(node, "filter of unknown shape", "a static filter");
  TF_ASSIGN_OR_RETURN(TensorId ohwi, ctx.EmitTranspose(node, filter, {2, 0, 1, 3}));
  TF_ASSIGN_OR_RETURN(TensorId out_shape, Int32Operand(ctx, node, sizes));
  TransposeConvOptions o;
  o.padding = w.padding;
  o.stride_h = w.stride_h;
  o.stride_w = w.stride_w;
  TensorId bias = ZeroBias(ctx, node, fs[2]);
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kTransposeConv,
                                           {out_shape, ohwi, x, bias}, o, ctx.type(x)));
  // A run-time output shape leaves dims unknown that the sizes operand knows.
  if (auto known = ctx.KnownInts(sizes); known && known->size() == 4) {
    Tensor& t = ctx.graph().tensor(y);
    if (t.shape.size() == 4) {
      for (int i = 0; i < 4; ++i) {
        if (t.shape[i] == kUnknownDim && (*known)[i]) t.shape[i] = *(*known)[i];
      }
    }
  }
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

template <OpKind kKind>
absl::Status Pool(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, RankFourInput(ctx, node, 0));
  TF_RETURN_IF_ERROR(RequireChannelsLast(ctx, node));
  TF_ASSIGN_OR_RETURN(auto ksize, SpatialPair(ctx, node, "ksize"));
  TF_ASSIGN_OR_RETURN(auto strides, SpatialPair(ctx, node, "strides"));
  Pool2DOptions o;
  TF_ASSIGN_OR_RETURN(o.padding, PaddingOf(ctx, node));
  o.filter_h = ksize.first;
  o.filter_w = ksize.second;
  o.stride_h = strides.first;
  o.stride_w = strides.second;
  return ctx.EmitAndBind(node, kKind, {x}, o);
}

}  // namespace

void RegisterTfConvOps(TfConverterTable& t) {
  t.ops["Conv2D"] = Conv2D;
  t.ops["DepthwiseConv2dNative"] = DepthwiseConv2D;
  t.ops["Conv2DBackpropInput"] = Conv2DBackpropInput;
}

void RegisterTfPoolOps(TfConverterTable& t) {
  t.ops["MaxPool"] = Pool<OpKind::kMaxPool2D>;
  t.ops["AvgPool"] = Pool<OpKind::kAveragePool2D>;
}

}  // namespace optconv::tf_import
