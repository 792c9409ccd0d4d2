// fuse-depth-to-space (PyTorch pixel shuffle) and fold-channel-gather (the
// channel reorder it may leave, folded into the producing conv).
#include <gtest/gtest.h>

#include "passes/fold_channel_gather.h"
#include "passes/fuse_depth_to_space.h"
#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CompareOptions;
using passes_test::CountKind;
using passes_test::GraphBuilder;
using passes_test::RunAndCompare;

// RESHAPE -> TRANSPOSE -> RESHAPE of x [N, C*r*r, H, W] in `order`
// ("crd": [N,C,r,r,H,W], PyTorch's pixel_shuffle; "dcr": [N,r,r,C,H,W]).
// `n` or `h` may be -1 (inferred from x), not both.
TensorId PixelShuffle(GraphBuilder& b, TensorId x, int c, int r, int h, int w, bool crd,
                      int n = 1) {
  TensorId s = crd ? b.Op1(OpKind::kReshape, {x, b.Ints({n, c, r, r, h, w})})
                   : b.Op1(OpKind::kReshape, {x, b.Ints({n, r, r, c, h, w})});
  s = crd ? b.Transpose(s, {0, 1, 4, 2, 5, 3}) : b.Transpose(s, {0, 3, 4, 1, 5, 2});
  return b.Op1(OpKind::kReshape, {s, b.Ints({n, c, h < 0 ? -1 : h * r, w * r})});
}

TEST(FuseDepthToSpace, CrdPixelShuffleBecomesGatherAndDepthToSpace) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 12, 3, 4});
  b.Output(PixelShuffle(b, x, 3, 2, 3, 4, /*crd=*/true));
  FuseDepthToSpacePass pass;
  PassContext ctx = RunAndCompare(b, {&pass}, true);
  EXPECT_EQ(ctx.counters["fuse-depth-to-space.fused"], 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kDepthToSpace), 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kGather), 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kReshape), 0);
}

TEST(FuseDepthToSpace, DcrAndSingleChannelNeedNoGather) {
  for (bool crd : {false, true}) {
    GraphBuilder b;
    const int c = crd ? 1 : 2;
    TensorId x = b.Input("x", {1, c * 9, 2, 3});
    b.Output(PixelShuffle(b, x, c, 3, 2, 3, crd));
    FuseDepthToSpacePass pass;
    RunAndCompare(b, {&pass}, true);
    EXPECT_EQ(CountKind(b.graph(), OpKind::kDepthToSpace), 1) << crd;
    EXPECT_EQ(CountKind(b.graph(), OpKind::kGather), 0) << crd;
  }
}

// Must not fire: the rank-6 intermediate is also a graph output.
TEST(FuseDepthToSpace, SharedIntermediateIsKept) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 8, 2, 2});
  TensorId s = b.Op1(OpKind::kReshape, {x, b.Ints({1, 2, 2, 2, 2, 2})});
  s = b.Transpose(s, {0, 1, 4, 2, 5, 3});
  b.Output(s);
  b.Output(b.Op1(OpKind::kReshape, {s, b.Ints({1, 2, 4, 4})}));
  FuseDepthToSpacePass pass;
  RunAndCompare(b, {&pass}, false);
}

// Must not fire: a 2x3 block is no DEPTH_TO_SPACE.
TEST(FuseDepthToSpace, NonSquareBlockIsKept) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 6, 2, 2});
  TensorId s = b.Op1(OpKind::kReshape, {x, b.Ints({1, 1, 2, 3, 2, 2})});
  s = b.Transpose(s, {0, 1, 4, 2, 5, 3});
  b.Output(b.Op1(OpKind::kReshape, {s, b.Ints({1, 1, 4, 6})}));
  FuseDepthToSpacePass pass;
  RunAndCompare(b, {&pass}, false);
}

// Dynamic shapes: DEPTH_TO_SPACE works per image, so with an unknown batch
// both orders fuse and match at batch 1 and 3. An unknown H is refused, though
// the fusion would be exact there too (conservative).
TEST(FuseDepthToSpace, DynamicShapes) {
  GraphBuilder batch;
  TensorId x = batch.Input("x", {kUnknownDim, 12, 3, 4});
  batch.Output(PixelShuffle(batch, x, 3, 2, 3, 4, /*crd=*/true, /*n=*/-1));
  TensorId y = batch.Input("y", {kUnknownDim, 18, 2, 3});
  batch.Output(PixelShuffle(batch, y, 2, 3, 2, 3, /*crd=*/false, /*n=*/-1));
  CompareOptions batch_1_and_3;
  batch_1_and_3.bindings = {{{1, 12, 3, 4}, {1, 18, 2, 3}}, {{3, 12, 3, 4}, {3, 18, 2, 3}}};
  FuseDepthToSpacePass pass;
  PassContext ctx = RunAndCompare(batch, {&pass}, true, batch_1_and_3);
  EXPECT_EQ(ctx.counters["fuse-depth-to-space.fused"], 2);
  EXPECT_EQ(CountKind(batch.graph(), OpKind::kDepthToSpace), 2);
  EXPECT_EQ(CountKind(batch.graph(), OpKind::kReshape), 0);

  GraphBuilder height;
  TensorId z = height.Input("z", {1, 12, kUnknownDim, 4});
  height.Output(PixelShuffle(height, z, 3, 2, /*h=*/-1, 4, /*crd=*/true));
  CompareOptions h_3_and_5;
  h_3_and_5.bindings = {{{1, 12, 3, 4}}, {{1, 12, 5, 4}}};
  RunAndCompare(height, {&pass}, false, h_3_and_5);
  EXPECT_EQ(CountKind(height.graph(), OpKind::kReshape), 2);
  EXPECT_EQ(CountKind(height.graph(), OpKind::kDepthToSpace), 0);
}

TEST(FoldChannelGather, PermutationFoldsIntoConvWeights) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 5, 5, 3});
  TensorId y = b.Op1(OpKind::kRelu, {b.Conv(x, 4, 3, 1)});
  TensorId conv = b.Conv(y, 4, 1, 2);
  GatherOptions axis3;
  axis3.axis = 3;
  b.Output(b.Op1(OpKind::kGather, {conv, b.Ints({2, 0, 3, 1})}, axis3));
  FoldChannelGatherPass pass;
  PassContext ctx = RunAndCompare(b, {&pass}, true);
  EXPECT_EQ(ctx.counters["fold-channel-gather.folded"], 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kGather), 0);
}

TEST(FoldChannelGather, PermutationFoldsIntoFullyConnectedRows) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 6});
  TensorId fc = b.Op1(OpKind::kFullyConnected,
                      {x, b.RandomConst({5, 6}, 7), b.RandomConst({5}, 8)});
  GatherOptions last;
  last.axis = 1;
  b.Output(b.Op1(OpKind::kGather, {fc, b.Ints({4, 2, 0, 1, 3})}, last));
  FoldChannelGatherPass pass;
  RunAndCompare(b, {&pass}, true);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kGather), 0);
}

// Must not fire: a selection that drops channels, and a conv output read twice.
TEST(FoldChannelGather, SelectionsAndSharedOutputsAreKept) {
  for (bool shared : {false, true}) {
    GraphBuilder b;
    TensorId x = b.Input("x", {1, 4, 4, 3});
    TensorId conv = b.Conv(x, 4, 1, 3);
    GatherOptions axis3;
    axis3.axis = 3;
    std::vector<int32_t> indices = shared ? std::vector<int32_t>{3, 2, 1, 0}
                                          : std::vector<int32_t>{0, 2};
    b.Output(b.Op1(OpKind::kGather, {conv, b.Ints(indices)}, axis3));
    if (shared) b.Output(conv);
    FoldChannelGatherPass pass;
    RunAndCompare(b, {&pass}, false);
  }
}

GatherOptions OnAxis(int32_t axis) {
  GatherOptions o;
  o.axis = axis;
  return o;
}

// Dynamic shapes: a channel permutation does not depend on N, H or W, so it
// folds into a conv with all three unknown and into an FC with an unknown
// batch; numbers match at two bindings.
TEST(FoldChannelGather, DynamicShapesFold) {
  GraphBuilder b;
  TensorId x = b.Input("x", {kUnknownDim, kUnknownDim, kUnknownDim, 3});
  b.Output(b.Op1(OpKind::kGather, {b.Conv(x, 4, 3, 1), b.Ints({2, 0, 3, 1})}, OnAxis(3)));
  TensorId v = b.Input("v", {kUnknownDim, 6});
  TensorId fc = b.Op1(OpKind::kFullyConnected,
                      {v, b.RandomConst({5, 6}, 7), b.RandomConst({5}, 8)});
  b.Output(b.Op1(OpKind::kGather, {fc, b.Ints({4, 2, 0, 1, 3})}, OnAxis(-1)));
  CompareOptions two_sizes;
  two_sizes.bindings = {{{1, 5, 5, 3}, {1, 6}}, {{2, 4, 7, 3}, {3, 6}}};
  FoldChannelGatherPass pass;
  PassContext ctx = RunAndCompare(b, {&pass}, true, two_sizes);
  EXPECT_EQ(ctx.counters["fold-channel-gather.folded"], 2);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kGather), 0);
}

// Must not fire: a reorder of the unknown W axis is no channel permutation,
// even with as many indices as the conv has channels.
TEST(FoldChannelGather, UnknownWidthReorderIsKept) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 4, kUnknownDim, 3});
  b.Output(b.Op1(OpKind::kGather, {b.Conv(x, 4, 1, 3), b.Ints({3, 2, 1, 0})}, OnAxis(2)));
  CompareOptions w_4_and_6;
  w_4_and_6.bindings = {{{1, 4, 4, 3}}, {{1, 4, 6, 3}}};
  FoldChannelGatherPass pass;
  RunAndCompare(b, {&pass}, false, w_4_and_6);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kGather), 1);
}

}  // namespace
}  // namespace optconv
