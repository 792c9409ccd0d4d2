// fuse-l2-normalize: TF's l2_normalize and its DIV/clamped-norm spellings
// become one L2_NORMALIZATION with the same numbers; an epsilon that would
// change results, another axis, and shared intermediates must not fire.
#include "passes/fuse_l2_normalize.h"

#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CountKind;
using passes_test::ExpectAllNear;
using passes_test::GraphBuilder;
using passes_test::RandomInputs;
using passes_test::RunGraph;

PassContext RunAndCompare(GraphBuilder& b, bool expect_change,
                          std::vector<std::vector<Shape>> bindings = {}) {
  FuseL2NormalizePass pass;
  passes_test::CompareOptions options;
  options.tolerance = 1e-6f;
  options.bindings = std::move(bindings);
  return passes_test::RunAndCompare(b, {&pass}, expect_change, options);
}


TensorId SumSquares(GraphBuilder& b, TensorId x, bool square_op, int32_t axis = -1) {
  ReducerOptions keep;
  keep.keep_dims = true;
  TensorId sq = square_op ? b.Op1(OpKind::kSquare, {x}) : b.Op1(OpKind::kMul, {x, x});
  return b.Op1(OpKind::kSum, {sq, b.Ints({axis})}, keep);
}

TensorId Max(GraphBuilder& b, TensorId a, float eps) {
  return b.Op1(OpKind::kMaximum, {a, b.Const({}, {eps})});
}

TEST(PassesFuseL2Normalize, ThreeSpellingsFuse) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 3, 8});
  // tf.math.l2_normalize
  b.Output(b.Op1(OpKind::kMul, {x, b.Op1(OpKind::kRsqrt, {Max(b, SumSquares(b, x, true), 1e-12f)})}));
  // x / sqrt(max(sum(x*x), 1e-12))
  b.Output(b.Op1(OpKind::kDiv, {x, b.Op1(OpKind::kSqrt, {Max(b, SumSquares(b, x, false), 1e-12f)})}));
  // x / max(sqrt(sum(x^2)), 1e-6)
  b.Output(b.Op1(OpKind::kDiv, {x, Max(b, b.Op1(OpKind::kSqrt, {SumSquares(b, x, true, 2)}), 1e-6f)}));
  PassContext ctx = RunAndCompare(b, true);
  EXPECT_EQ(ctx.counters["fuse-l2-normalize.fused"], 3);
  EXPECT_EQ(b.graph().ops().size(), 3u);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kL2Normalization), 3);
}

// One SQUARE read by norms over two axes (what CSE leaves): the last-axis one
// fuses, the SQUARE stays for the other.
TEST(PassesFuseL2Normalize, SharedSquaresStay) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 3, 8});
  ReducerOptions keep;
  keep.keep_dims = true;
  TensorId sq = b.Op1(OpKind::kSquare, {x});
  for (int32_t axis : {-1, 1}) {
    TensorId sum = b.Op1(OpKind::kSum, {sq, b.Ints({axis})}, keep);
    b.Output(b.Op1(OpKind::kMul, {x, b.Op1(OpKind::kRsqrt, {Max(b, sum, 1e-12f)})}));
  }
  PassContext ctx = RunAndCompare(b, true);
  EXPECT_EQ(ctx.counters["fuse-l2-normalize.fused"], 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kSquare), 1);
}

TEST(PassesFuseL2Normalize, MustNotFire) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 3, 8});
  // torch's F.normalize epsilon on the norm (1e-12): results differ below 1e-6.
  b.Output(b.Op1(OpKind::kDiv, {x, Max(b, b.Op1(OpKind::kSqrt, {SumSquares(b, x, true)}), 1e-12f)}));
  // A norm over another axis.
  b.Output(b.Op1(OpKind::kMul, {x, b.Op1(OpKind::kRsqrt, {Max(b, SumSquares(b, x, true, 1), 1e-12f)})}));
  // The norm is also an output.
  TensorId shared = b.Op1(OpKind::kRsqrt, {Max(b, SumSquares(b, x, true), 1e-12f)});
  b.Output(b.Op1(OpKind::kMul, {x, shared}));
  b.Output(shared);
  // The sum of squares of another tensor.
  TensorId y = b.Input("y", {2, 3, 8});
  b.Output(b.Op1(OpKind::kMul, {x, b.Op1(OpKind::kRsqrt, {Max(b, SumSquares(b, y, true), 1e-12f)})}));
  const size_t ops = b.graph().ops().size();
  RunAndCompare(b, false);
  EXPECT_EQ(b.graph().ops().size(), ops);
}

// x * RSQRT(MAX(norm², e²)).
TensorId NormalizeBy(GraphBuilder& b, TensorId x, TensorId sum_of_squares) {
  return b.Op1(OpKind::kMul, {x, b.Op1(OpKind::kRsqrt, {Max(b, sum_of_squares, 1e-12f)})});
}

// L2_NORMALIZATION normalizes over the last axis whatever its size, so the
// fusion fires with an unknown batch and with an unknown last axis.
TEST(PassesFuseL2Normalize, DynamicShapes) {
  constexpr int64_t kAny = kUnknownDim;
  GraphBuilder b;
  TensorId x = b.Input("x", {kAny, kAny, 8});
  b.Output(NormalizeBy(b, x, SumSquares(b, x, true)));
  TensorId y = b.Input("y", {kAny, kAny});
  b.Output(b.Op1(OpKind::kDiv, {y, b.Op1(OpKind::kSqrt, {Max(b, SumSquares(b, y, false), 1e-12f)})}));
  PassContext ctx = RunAndCompare(b, true, {{{1, 3, 8}, {1, 1}}, {{2, 1, 8}, {3, 5}}});
  EXPECT_EQ(ctx.counters["fuse-l2-normalize.fused"], 2);
  EXPECT_EQ(b.graph().ops().size(), 2u);
}

// Must not fire with unknown dims: norms without keep_dims ([rows]) broadcast
// along the last axis, not per row; a norm over an axis of unknown size.
TEST(PassesFuseL2Normalize, DynamicShapesOtherNormsStay) {
  constexpr int64_t kAny = kUnknownDim;
  GraphBuilder b;
  TensorId z = b.Input("z", {kAny, kAny});
  ReducerOptions drop;
  drop.keep_dims = false;
  TensorId squares = b.Op1(OpKind::kSquare, {z});
  b.Output(NormalizeBy(b, z, b.Op1(OpKind::kSum, {squares, b.Ints({-1})}, drop)));
  TensorId w = b.Input("w", {2, kAny, 8});
  b.Output(NormalizeBy(b, w, SumSquares(b, w, true, 1)));
  const size_t ops = b.graph().ops().size();
  // z as [3,3]: row norms scale columns; as [2,1]: the output is 2x2.
  RunAndCompare(b, false, {{{3, 3}, {2, 3, 8}}, {{2, 1}, {2, 1, 8}}});
  EXPECT_EQ(b.graph().ops().size(), ops);
}
}  // namespace
}  // namespace optconv
