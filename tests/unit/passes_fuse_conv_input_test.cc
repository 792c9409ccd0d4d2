// fuse-conv-input: a SAME-equivalent zero PAD and an input scale fold into the
// following conv/FC with the same numbers; must-not-fire cases stay intact.
#include "passes/fuse_conv_input.h"

#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CountKind;
using passes_test::ExpectAllNear;
using passes_test::GraphBuilder;
using passes_test::RandomInputs;
using passes_test::RunGraph;

PassContext RunAndCompare(GraphBuilder& b, bool expect_change) {
  FuseConvInputPass pass;
  return passes_test::RunAndCompare(b, {&pass}, expect_change);
}


TensorId Pad(GraphBuilder& b, TensorId x, std::vector<int32_t> pads) {
  return b.Op1(OpKind::kPad, {x, b.Ints({4, 2}, pads)});
}

TensorId ValidConv(GraphBuilder& b, TensorId x, int64_t cout, int k, int stride, uint32_t seed,
                   bool depthwise = false) {
  const int64_t cin = b.graph().tensor(x).shape.back();
  if (depthwise) {
    DepthwiseConv2DOptions o;
    o.stride_h = o.stride_w = stride;
    return b.Op1(OpKind::kDepthwiseConv2D,
                 {x, b.RandomConst({1, k, k, cin}, seed), b.RandomConst({cin}, seed + 1)}, o);
  }
  Conv2DOptions o;
  o.stride_h = o.stride_w = stride;
  return b.Op1(OpKind::kConv2D,
               {x, b.RandomConst({cout, k, k, cin}, seed), b.RandomConst({cout}, seed + 1)}, o);
}

// Keras' ZeroPadding2D(((0,1),(0,1))) + stride-2 VALID conv on an even size:
// exactly TF's SAME padding.
TEST(PassesFuseConvInput, SameEquivalentPadFoldsIntoConvAndDepthwise) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 8, 8, 3});
  b.Output(ValidConv(b, Pad(b, x, {0, 0, 0, 1, 0, 1, 0, 0}), 4, 3, 2, 1));
  b.Output(ValidConv(b, Pad(b, x, {0, 0, 1, 1, 1, 1, 0, 0}), 0, 3, 1, 3, /*depthwise=*/true));
  PassContext ctx = RunAndCompare(b, true);
  EXPECT_EQ(ctx.counters["fuse-conv-input.pad_to_same"], 2);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kPad), 0);
  for (const Op& op : b.graph().ops()) {
    if (op.kind == OpKind::kConv2D) EXPECT_EQ(op.opts<Conv2DOptions>().padding, Padding::kSame);
  }
}

TensorId MaxPool(GraphBuilder& b, TensorId x, int k, int stride) {
  Pool2DOptions o;
  o.filter_h = o.filter_w = k;
  o.stride_h = o.stride_w = stride;
  return b.Op1(OpKind::kMaxPool2D, {x}, o);
}

// RELU -> ZeroPadding2D((0,1),(0,1)) -> MaxPooling2D(3, 2) VALID: SAME's pads.
TEST(PassesFuseConvInput, ZeroPadBeforeMaxPoolOfNonNegativesFolds) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 8, 8, 3});
  TensorId relu = b.Op1(OpKind::kRelu, {x});
  b.Output(MaxPool(b, Pad(b, relu, {0, 0, 0, 1, 0, 1, 0, 0}), 3, 2));
  // Must not fire: negative inputs would lose to the zero border...
  b.Output(MaxPool(b, Pad(b, x, {0, 0, 0, 1, 0, 1, 0, 0}), 3, 2));
  // ... and ResNet50's (1,1) pads align the windows differently from SAME.
  b.Output(MaxPool(b, Pad(b, relu, {0, 0, 1, 1, 1, 1, 0, 0}), 3, 2));
  PassContext ctx = RunAndCompare(b, true);
  EXPECT_EQ(ctx.counters["fuse-conv-input.pad_to_same"], 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kPad), 2);
}

TEST(PassesFuseConvInput, InputScaleFoldsIntoWeightsThroughAZeroPad) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 6, 6, 3});
  // Per-channel scale, then a zero pad, then a conv (a rescaling stem).
  TensorId scaled = b.Op1(OpKind::kMul, {x, b.RandomConst({3}, 5, 0.5f, 2.0f)});
  b.Output(ValidConv(b, Pad(b, scaled, {0, 0, 1, 1, 1, 1, 0, 0}), 4, 3, 1, 7));
  // A scalar scale before a depthwise conv with multiplier 2.
  TensorId x2 = b.Op1(OpKind::kMul, {b.Const({}, {0.25f}), x});
  DepthwiseConv2DOptions dw;
  dw.padding = Padding::kSame;
  dw.depth_multiplier = 2;
  b.Output(b.Op1(OpKind::kDepthwiseConv2D,
                 {x2, b.RandomConst({1, 3, 3, 6}, 9), b.RandomConst({6}, 10)}, dw));
  // A per-feature scale before a fully connected layer.
  TensorId v = b.Input("v", {2, 5});
  TensorId v2 = b.Op1(OpKind::kMul, {v, b.RandomConst({1, 5}, 11)});
  b.Output(b.Op1(OpKind::kFullyConnected,
                 {v2, b.RandomConst({3, 5}, 12), b.RandomConst({3}, 13)}));
  PassContext ctx = RunAndCompare(b, true);
  EXPECT_EQ(ctx.counters["fuse-conv-input.input_scale"], 3);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kMul), 0);
}

TEST(PassesFuseConvInput, MustNotFire) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 7, 7, 3});
  // Pads that are not what SAME would add (SAME on 7 with k3 s2 pads 1 and 1).
  b.Output(ValidConv(b, Pad(b, x, {0, 0, 0, 1, 0, 1, 0, 0}), 2, 3, 2, 1));
  // A pad of the channel dim.
  b.Output(ValidConv(b, Pad(b, x, {0, 0, 1, 1, 1, 1, 0, 1}), 2, 3, 1, 3));
  // A padded value that another op also reads.
  TensorId shared = Pad(b, x, {0, 0, 1, 1, 1, 1, 0, 0});
  b.Output(ValidConv(b, shared, 2, 3, 1, 5));
  b.Output(shared);
  // ADD before a conv (padding would stop being zeros), and a MUL with an
  // activation.
  TensorId shifted = b.Op1(OpKind::kAdd, {x, b.RandomConst({3}, 7)});
  b.Output(ValidConv(b, shifted, 2, 1, 1, 8));
  BinaryOptions relu;
  relu.activation = Activation::kRelu;
  TensorId activated = b.Op1(OpKind::kMul, {x, b.RandomConst({3}, 9)}, relu);
  b.Output(ValidConv(b, activated, 2, 1, 1, 10));
  // A scale varying over space, not channels.
  TensorId spatial = b.Op1(OpKind::kMul, {x, b.RandomConst({1, 7, 7, 1}, 11)});
  b.Output(ValidConv(b, spatial, 2, 1, 1, 12));
  // A FULLY_CONNECTED that flattens a wider input: the scale's channel is not
  // the weights' input feature.
  TensorId wide = b.Input("wide", {1, 2, 3});
  TensorId wide2 = b.Op1(OpKind::kMul, {wide, b.RandomConst({3}, 13)});
  b.Output(b.Op1(OpKind::kFullyConnected,
                 {wide2, b.RandomConst({4, 6}, 14), b.RandomConst({4}, 15)}));
  const size_t ops = b.graph().ops().size();
  RunAndCompare(b, false);
  EXPECT_EQ(b.graph().ops().size(), ops);
}

// Unknown dims: whether a pad equals SAME's depends on the spatial size, so
// with unknown H/W it must stay ((1,1) is SAME's at 7, not at 8); an unknown
// batch changes nothing, and an input scale never depends on the size.
TEST(PassesFuseConvInput, DynamicShapes) {
  constexpr int64_t kAny = kUnknownDim;
  GraphBuilder spatial;
  TensorId x = spatial.Input("x", {1, kAny, kAny, 3});
  spatial.Output(ValidConv(spatial, Pad(spatial, x, {0, 0, 1, 1, 1, 1, 0, 0}), 4, 3, 2, 1));
  passes_test::CompareOptions at_7_and_8;
  at_7_and_8.bindings = {{{1, 7, 7, 3}}, {{1, 8, 8, 3}}};
  FuseConvInputPass pass;
  passes_test::RunAndCompare(spatial, {&pass}, false, at_7_and_8);
  EXPECT_EQ(CountKind(spatial.graph(), OpKind::kPad), 1);

  GraphBuilder batch;
  TensorId y = batch.Input("y", {kAny, 8, 8, 3});
  batch.Output(ValidConv(batch, Pad(batch, y, {0, 0, 0, 1, 0, 1, 0, 0}), 4, 3, 2, 1));
  TensorId z = batch.Input("z", {1, kAny, kAny, 3});
  TensorId scaled = batch.Op1(OpKind::kMul, {z, batch.RandomConst({3}, 5, 0.5f, 2.0f)});
  batch.Output(ValidConv(batch, scaled, 4, 3, 1, 7));
  passes_test::CompareOptions two_sizes;
  two_sizes.bindings = {{{1, 8, 8, 3}, {1, 5, 6, 3}}, {{3, 8, 8, 3}, {1, 9, 4, 3}}};
  PassContext ctx = passes_test::RunAndCompare(batch, {&pass}, true, two_sizes);
  EXPECT_EQ(ctx.counters["fuse-conv-input.pad_to_same"], 1);
  EXPECT_EQ(ctx.counters["fuse-conv-input.input_scale"], 1);
}

}  // namespace
}  // namespace optconv
