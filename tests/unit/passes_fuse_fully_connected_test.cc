// fuse-fully-connected and fold-scalar-scale: the reshapes and constants
// around FULLY_CONNECTED that TF's tensordot and attention lowerings leave
// fold away with the same numbers; must-not-fire cases stay intact.
#include "passes/fold_batchnorm.h"
#include "passes/fold_scalar_scale.h"
#include "passes/fuse_bias.h"
#include "passes/fuse_fully_connected.h"
#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CompareOptions;
using passes_test::CountKind;
using passes_test::ExpectAllNear;
using passes_test::GraphBuilder;
using passes_test::RandomInputs;
using passes_test::RunAndCompare;
using passes_test::RunGraph;


TensorId Reshape(GraphBuilder& b, TensorId x, const std::vector<int32_t>& shape) {
  return b.Op1(OpKind::kReshape, {x, b.Ints(shape)});
}

TensorId Fc(GraphBuilder& b, TensorId x, int64_t n, uint32_t seed) {
  const int64_t k = b.graph().tensor(x).shape.back();
  return b.Op1(OpKind::kFullyConnected,
               {x, b.RandomConst({n, k}, seed), b.RandomConst({n}, seed + 1)});
}

// Dense on a sequence as tf.tensordot writes it, then a bias split over heads
// ([T, H*K] -> [T, H, K] + bias[H, K]) and a query scale.
TEST(PassesFuseFullyConnected, TensordotAndHeadSplitCollapseIntoOneFc) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 5, 6});
  TensorId y = Reshape(b, Fc(b, Reshape(b, x, {10, 6}), 8, 1), {2, 5, 8});
  TensorId heads = Reshape(b, y, {2, 5, 2, 4});
  TensorId biased = b.Op1(OpKind::kAdd, {heads, b.RandomConst({2, 4}, 3)});
  b.Output(b.Op1(OpKind::kMul, {biased, b.Const({}, {0.5f})}));
  FuseFullyConnectedPass fc;
  FuseBiasPass bias;
  FoldBatchNormPass bn;
  PassContext ctx = RunAndCompare(b, {&fc, &bias, &bn}, true);
  EXPECT_EQ(ctx.counters["fuse-fully-connected.keep_num_dims"], 1);
  EXPECT_EQ(ctx.counters["fuse-fully-connected.const_past_reshape"], 2);
  // FC(keep_num_dims) + the one RESHAPE that splits the heads.
  ASSERT_EQ(b.graph().ops().size(), 2u);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kFullyConnected), 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kReshape), 1);
}

// Attention scores: (q W) . k^T * (1/sqrt(d)) -> the scale moves into W
// through the head-split reshape, the transpose and the BATCH_MATMUL.
TEST(PassesFuseFullyConnected, ScalarScaleFoldsIntoAProjectionThroughAMatmul) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 4, 6});
  TensorId keys = b.Input("keys", {1, 2, 4, 3});
  FullyConnectedOptions keep;
  keep.keep_num_dims = true;
  TensorId q = b.Op1(OpKind::kFullyConnected,
                     {x, b.RandomConst({6, 6}, 1), b.RandomConst({6}, 2)}, keep);
  TensorId qh = b.Transpose(Reshape(b, q, {1, 4, 2, 3}), {0, 2, 1, 3});
  BatchMatMulOptions adj;
  adj.adj_y = true;
  TensorId scores = b.Op1(OpKind::kBatchMatMul, {qh, keys}, adj);
  b.Output(b.Op1(OpKind::kDiv, {scores, b.Const({}, {1.7320508f})}));
  FoldScalarScalePass scale;
  PassContext ctx = RunAndCompare(b, {&scale}, true);
  EXPECT_EQ(ctx.counters["fold-scalar-scale.folded"], 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kDiv), 0);
}

TEST(PassesFuseFullyConnected, MustNotFire) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 5, 6});
  // The flattened value has a second use.
  TensorId flat = Reshape(b, x, {10, 6});
  b.Output(Reshape(b, Fc(b, flat, 8, 1), {2, 5, 8}));
  b.Output(flat);
  // A reshape back to something other than x's leading dims.
  b.Output(Reshape(b, Fc(b, Reshape(b, x, {10, 6}), 8, 3), {5, 2, 8}));
  // A bias that varies over the leading dims, and a reshape that is no
  // last-dim split, and a reshape of a non-weighted op.
  TensorId y = Fc(b, b.Input("v", {3, 8}), 8, 5);
  b.Output(b.Op1(OpKind::kAdd, {Reshape(b, y, {3, 2, 4}), b.RandomConst({3, 1, 1}, 7)}));
  TensorId z = Fc(b, b.Input("w", {4, 8}), 8, 8);
  b.Output(b.Op1(OpKind::kAdd, {Reshape(b, z, {2, 16}), b.RandomConst({16}, 10)}));
  TensorId t = b.Op1(OpKind::kTanh, {b.Input("u", {3, 8})});
  b.Output(b.Op1(OpKind::kMul, {Reshape(b, t, {3, 2, 4}), b.RandomConst({2, 4}, 11)}));
  // A scalar scale after an activation (not linear), and c / y.
  FullyConnectedOptions relu;
  relu.activation = Activation::kRelu;
  TensorId r = b.Op1(OpKind::kFullyConnected,
                     {b.Input("p", {2, 3}), b.RandomConst({4, 3}, 12), b.RandomConst({4}, 13)}, relu);
  b.Output(b.Op1(OpKind::kMul, {r, b.Const({}, {-2.0f})}));
  TensorId d = Fc(b, b.Input("q", {2, 3}), 4, 14);
  b.Output(b.Op1(OpKind::kDiv, {b.Const({}, {2.0f}), d}));
  const size_t ops = b.graph().ops().size();
  FuseFullyConnectedPass fc;
  FoldScalarScalePass scale;
  RunAndCompare(b, {&fc, &scale}, false);
  EXPECT_EQ(b.graph().ops().size(), ops);
}

// Dynamic shapes: a tensordot with one unknown dim (the batch, or the length
// under a known batch) still folds to keep_num_dims, and the head-split bias
// and the scale still move into the FC; numbers match at two bindings.
TEST(PassesFuseFullyConnected, DynamicShapesFold) {
  GraphBuilder b;
  TensorId x = b.Input("x", {kUnknownDim, 5, 6});
  TensorId y = Reshape(b, Fc(b, Reshape(b, x, {-1, 6}), 8, 1), {-1, 5, 8});
  TensorId biased = b.Op1(OpKind::kAdd, {Reshape(b, y, {-1, 5, 2, 4}), b.RandomConst({2, 4}, 3)});
  b.Output(b.Op1(OpKind::kMul, {biased, b.Const({}, {0.5f})}));
  TensorId s = b.Input("s", {2, kUnknownDim, 6});
  b.Output(Reshape(b, Fc(b, Reshape(b, s, {-1, 6}), 4, 5), {2, -1, 4}));
  CompareOptions two_sizes;
  two_sizes.bindings = {{{1, 5, 6}, {2, 3, 6}}, {{3, 5, 6}, {2, 7, 6}}};
  FuseFullyConnectedPass fc;
  FuseBiasPass bias;
  FoldScalarScalePass scale;
  PassContext ctx = RunAndCompare(b, {&fc, &bias, &scale}, true, two_sizes);
  EXPECT_EQ(ctx.counters["fuse-fully-connected.keep_num_dims"], 2);
  EXPECT_EQ(ctx.counters["fuse-fully-connected.const_past_reshape"], 1);
  EXPECT_EQ(ctx.counters["fold-scalar-scale.folded"], 1);
  // Two FC(keep_num_dims) + the RESHAPE that splits the heads.
  EXPECT_EQ(b.graph().ops().size(), 3u);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kReshape), 1);
}

// Must not fire: with two unknown leading dims, out == [?, ?, N] cannot prove
// the unflatten restores x's own dims; here it swaps them ([B, T] -> [T, B])
// and the TRANSPOSE after it turns the wrong shape into wrong numbers. The
// unswapped (exact) tensordot is refused as well: conservative.
TEST(PassesFuseFullyConnected, TwoUnknownLeadingDimsAreKept) {
  for (bool swap : {false, true}) {
    GraphBuilder b;
    TensorId x = b.Input("x", {kUnknownDim, kUnknownDim, 6});
    TensorId dims = b.Op1(OpKind::kShape, {x});
    b.graph().tensor(dims).type = DataType::kInt32;
    TensorId lead = b.Op1(OpKind::kGather, {dims, b.Ints(swap ? std::vector<int32_t>{1, 0}
                                                              : std::vector<int32_t>{0, 1})});
    TensorId to = b.Op1(OpKind::kConcatenation, {lead, b.Ints({8})});
    TensorId y = b.Op1(OpKind::kReshape, {Fc(b, Reshape(b, x, {-1, 6}), 8, 1), to});
    b.Output(b.Transpose(y, {1, 0, 2}));
    CompareOptions two_sizes;
    two_sizes.bindings = {{{2, 3, 6}}, {{4, 1, 6}}};
    const size_t ops = b.graph().ops().size();
    FuseFullyConnectedPass fc;
    RunAndCompare(b, {&fc}, false, two_sizes);
    EXPECT_EQ(b.graph().ops().size(), ops) << swap;
  }
}

// Dynamic shapes: a scalar scale is size-independent, so it folds into a conv
// with unknown N/H/W and into the query projection through the head split,
// transpose and BATCH_MATMUL with unknown query and key lengths.
TEST(PassesFuseFullyConnected, ScalarScaleFoldsWithUnknownDims) {
  GraphBuilder b;
  TensorId image = b.Input("image", {kUnknownDim, kUnknownDim, kUnknownDim, 3});
  b.Output(b.Op1(OpKind::kMul, {b.Conv(image, 4, 3, 1), b.Const({}, {-2.0f})}));
  TensorId x = b.Input("x", {1, kUnknownDim, 6});
  TensorId keys = b.Input("keys", {1, 2, kUnknownDim, 3});
  FullyConnectedOptions keep;
  keep.keep_num_dims = true;
  TensorId q = b.Op1(OpKind::kFullyConnected,
                     {x, b.RandomConst({6, 6}, 3), b.RandomConst({6}, 4)}, keep);
  TensorId qh = b.Transpose(Reshape(b, q, {1, -1, 2, 3}), {0, 2, 1, 3});
  BatchMatMulOptions adj;
  adj.adj_y = true;
  TensorId scores = b.Op1(OpKind::kBatchMatMul, {qh, keys}, adj);
  b.Output(b.Op1(OpKind::kDiv, {scores, b.Const({}, {1.7320508f})}));
  CompareOptions two_sizes;
  two_sizes.bindings = {{{1, 5, 5, 3}, {1, 4, 6}, {1, 2, 5, 3}},
                        {{2, 3, 6, 3}, {1, 7, 6}, {1, 2, 2, 3}}};
  FoldScalarScalePass scale;
  PassContext ctx = RunAndCompare(b, {&scale}, true, two_sizes);
  EXPECT_EQ(ctx.counters["fold-scalar-scale.folded"], 2);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kMul), 0);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kDiv), 0);
}

}  // namespace
}  // namespace optconv
