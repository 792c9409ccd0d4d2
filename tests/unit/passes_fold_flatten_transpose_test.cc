// fold-flatten-transpose: the channels-first TRANSPOSE before a flatten into
// FULLY_CONNECTED moves into the FC weights, here on graphs with unknown dims.
#include "passes/fold_flatten_transpose.h"
#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CompareOptions;
using passes_test::CountKind;
using passes_test::GraphBuilder;
using passes_test::RunAndCompare;

// x -> TRANSPOSE by `perm` -> RESHAPE to `flat` -> FC with K = 36.
TensorId FlattenFc(GraphBuilder& b, TensorId x, const std::vector<int32_t>& perm,
                   const std::vector<int32_t>& flat) {
  TensorId f = b.Op1(OpKind::kReshape, {b.Transpose(x, perm), b.Ints(flat)});
  return b.Op1(OpKind::kFullyConnected, {f, b.RandomConst({5, 36}, 1), b.RandomConst({5}, 2)});
}

// An unknown batch leaves each image's flatten order alone, so the transpose
// folds into the weights and the numbers match at batch 1 and 3.
TEST(PassesFoldFlattenTranspose, UnknownBatchFolds) {
  GraphBuilder b;
  TensorId x = b.Input("x", {kUnknownDim, 3, 3, 4});
  b.Output(FlattenFc(b, x, {0, 3, 1, 2}, {-1, 36}));
  CompareOptions batch_1_and_3;
  batch_1_and_3.bindings = {{{1, 3, 3, 4}}, {{3, 3, 3, 4}}};
  FoldFlattenTransposePass pass;
  PassContext ctx = RunAndCompare(b, {&pass}, true, batch_1_and_3);
  EXPECT_EQ(ctx.counters["fold-flatten-transpose.folded"], 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kTranspose), 0);
}

// Must not fire: with unknown H and W the pass cannot build the weight order.
// An H<->W swap needs different orders for 3x3 and 1x9 images (both K = 36),
// so firing would be wrong; the NCHW flatten only needs H*W = 36 / C and would
// be exact, but is refused too (conservative).
TEST(PassesFoldFlattenTranspose, UnknownSpatialDimsAreKept) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, kUnknownDim, kUnknownDim, 4});
  b.Output(FlattenFc(b, x, {0, 2, 1, 3}, {1, -1}));
  TensorId y = b.Input("y", {1, kUnknownDim, kUnknownDim, 4});
  b.Output(FlattenFc(b, y, {0, 3, 1, 2}, {1, -1}));
  CompareOptions hw_3x3_and_1x9;
  hw_3x3_and_1x9.bindings = {{{1, 3, 3, 4}, {1, 3, 3, 4}}, {{1, 1, 9, 4}, {1, 9, 1, 4}}};
  FoldFlattenTransposePass pass;
  RunAndCompare(b, {&pass}, false, hw_3x3_and_1x9);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kTranspose), 2);
}

}  // namespace
}  // namespace optconv
