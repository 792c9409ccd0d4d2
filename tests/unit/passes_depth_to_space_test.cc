// fuse-depth-to-space (PyTorch pixel shuffle) and fold-channel-gather (the
// channel reorder it may leave, folded into the producing conv).
#include <gtest/gtest.h>

#include "passes/fold_channel_gather.h"
#include "passes/fuse_depth_to_space.h"
#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CountKind;
using passes_test::GraphBuilder;
using passes_test::RunAndCompare;

// RESHAPE -> TRANSPOSE -> RESHAPE of x [1, C*r*r, H, W] in `order`
// ("crd": [1,C,r,r,H,W], PyTorch's pixel_shuffle; "dcr": [1,r,r,C,H,W]).
TensorId PixelShuffle(GraphBuilder& b, TensorId x, int c, int r, int h, int w, bool crd) {
  TensorId s = crd ? b.Op1(OpKind::kReshape, {x, b.Ints({1, c, r, r, h, w})})
                   : b.Op1(OpKind::kReshape, {x, b.Ints({1, r, r, c, h, w})});
  s = crd ? b.Transpose(s, {0, 1, 4, 2, 5, 3}) : b.Transpose(s, {0, 3, 4, 1, 5, 2});
  return b.Op1(OpKind::kReshape, {s, b.Ints({1, c, h * r, w * r})});
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

}  // namespace
}  // namespace optconv
