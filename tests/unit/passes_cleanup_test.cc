// cleanup and fold-constants: identity ops vanish, chains merge, constant
// subgraphs fold, and interface tensors are never aliased.
#include "passes/cleanup.h"

#include "passes/fold_constants.h"
#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CountKind;
using passes_test::ExpectAllNear;
using passes_test::GraphBuilder;
using passes_test::RandomInputs;
using passes_test::RunGraph;

bool RunCleanup(Graph& g, PassContext& ctx) {
  CleanupPass pass;
  auto changed = pass.Run(g, ctx);
  EXPECT_TRUE(changed.ok()) << changed.status();
  passes_test::ExpectValid(g);
  return changed.ok() && *changed;
}

TEST(PassesCleanup, RemovesIdentityOps) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 3});
  TensorId y = b.Op1(OpKind::kReshape, {x, b.Ints({2, 3})});
  y = b.Transpose(y, {0, 1});
  y = b.Op1(OpKind::kCast, {y});
  y = b.Op1(OpKind::kConcatenation, {y});
  y = b.Op1(OpKind::kPad, {y, b.Ints({2, 2}, {0, 0, 0, 0})});
  y = b.Op1(OpKind::kRelu, {y});
  b.Output(y);
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_TRUE(RunCleanup(g, ctx));
  ASSERT_EQ(g.ops().size(), 1u);
  EXPECT_EQ(g.ops()[0].kind, OpKind::kRelu);
  EXPECT_EQ(g.ops()[0].inputs[0], g.inputs()[0]);
  EXPECT_EQ(ctx.counters["cleanup.identity_reshape"], 1);
  EXPECT_EQ(ctx.counters["cleanup.identity_transpose"], 1);
  EXPECT_EQ(ctx.counters["cleanup.identity_cast"], 1);
  EXPECT_EQ(ctx.counters["cleanup.single_input_concat"], 1);
  EXPECT_EQ(ctx.counters["cleanup.zero_pad"], 1);
}

TEST(PassesCleanup, RemovesDeadOps) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 3});
  b.Op1(OpKind::kExp, {b.Op1(OpKind::kRelu, {x})});  // unused chain
  b.Output(b.Op1(OpKind::kTanh, {x}));
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_TRUE(RunCleanup(g, ctx));
  EXPECT_EQ(g.ops().size(), 1u);
  EXPECT_EQ(ctx.counters["cleanup.dead_ops"], 2);
}

TEST(PassesCleanup, MergesChainsAndLowersUnitTransposes) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 4, 1, 1});
  TensorId t = b.Transpose(x, {0, 2, 3, 1});  // only moves size-1 dims
  TensorId r = b.Op1(OpKind::kReshape, {t, b.Ints({4})});
  r = b.Op1(OpKind::kReshape, {r, b.Ints({2, 2})});
  TensorId z = b.Op1(OpKind::kRelu, {r});
  TensorId tt = b.Transpose(b.Transpose(z, {1, 0}), {1, 0});  // cancels
  b.Output(b.Op1(OpKind::kExp, {tt}));
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_TRUE(RunCleanup(g, ctx));
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 0);
  EXPECT_EQ(CountKind(g, OpKind::kReshape), 1);
  EXPECT_EQ(g.ops().size(), 3u);
  auto in = RandomInputs(before);
  ExpectAllNear(RunGraph(before, in)[0], RunGraph(g, in)[0]);
}

TEST(PassesCleanup, ReduceSqueezeBecomesReduceWithoutKeepDims) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 3, 3, 5});
  ReducerOptions keep;
  keep.keep_dims = true;
  TensorId m = b.Op1(OpKind::kMean, {x, b.Ints({1, 2})}, keep);
  b.Output(b.Op1(OpKind::kReshape, {m, b.Ints({1, 5})}));
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_TRUE(RunCleanup(g, ctx));
  ASSERT_EQ(g.ops().size(), 1u);
  EXPECT_FALSE(g.ops()[0].opts<ReducerOptions>().keep_dims);
  auto in = RandomInputs(before);
  ExpectAllNear(RunGraph(before, in)[0], RunGraph(g, in)[0]);
}

// The squeeze-excite form: MEAN without keep_dims, then a RESHAPE that puts
// the reduced dims back as 1s.
TEST(PassesCleanup, ReduceUnsqueezeBecomesReduceWithKeepDims) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 3, 3, 5});
  TensorId m = b.Op1(OpKind::kMean, {x, b.Ints({1, 2})});
  b.Output(b.Op1(OpKind::kReshape, {m, b.Ints({1, 1, 1, 5})}));
  // Must not fire: the reshape moves the channels.
  TensorId m2 = b.Op1(OpKind::kMean, {x, b.Ints({1, 2})});
  b.Output(b.Op1(OpKind::kReshape, {m2, b.Ints({1, 5, 1, 1})}));
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_TRUE(RunCleanup(g, ctx));
  EXPECT_EQ(ctx.counters["cleanup.reduce_unsqueeze"], 1);
  ASSERT_EQ(g.ops().size(), 3u);
  EXPECT_EQ(CountKind(g, OpKind::kReshape), 1);
  auto in = RandomInputs(before);
  auto want = RunGraph(before, in), got = RunGraph(g, in);
  for (size_t i = 0; i < want.size(); ++i) ExpectAllNear(want[i], got[i]);
}

TEST(PassesCleanup, DropsAllZeroFullyConnectedBias) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 3});
  b.Output(b.Op1(OpKind::kFullyConnected, {x, b.RandomConst({4, 3}, 1), b.Const({4}, {0, 0, 0, 0})}));
  b.Output(b.Op1(OpKind::kFullyConnected, {x, b.RandomConst({4, 3}, 2), b.Const({4}, {0, 0, 1, 0})}));
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_TRUE(RunCleanup(g, ctx));
  EXPECT_EQ(ctx.counters["cleanup.zero_fc_bias"], 1);
  EXPECT_EQ(g.ops()[0].inputs[2], kNoTensor);
  EXPECT_NE(g.ops()[1].inputs[2], kNoTensor);
  auto in = RandomInputs(before);
  auto want = RunGraph(before, in), got = RunGraph(g, in);
  for (size_t i = 0; i < want.size(); ++i) ExpectAllNear(want[i], got[i]);
}

TEST(PassesCleanup, RemovesNeutralArithmetic) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 3});
  TensorId y = b.Op1(OpKind::kMul, {b.Const({3}, {1, 1, 1}), x});
  y = b.Op1(OpKind::kAdd, {y, b.Const({}, {0})});
  y = b.Op1(OpKind::kDiv, {y, b.Const({1}, {1})});
  y = b.Op1(OpKind::kSub, {y, b.Const({1, 3}, {0, 0, 0})});
  b.Output(b.Op1(OpKind::kExp, {y}));
  // Must not fire: 1 / x, x * 1 that broadcasts to a bigger shape, x * 2.
  b.Output(b.Op1(OpKind::kDiv, {b.Const({}, {1}), x}));
  b.Output(b.Op1(OpKind::kMul, {x, b.Const({2, 2, 3}, std::vector<float>(12, 1.0f))}));
  b.Output(b.Op1(OpKind::kMul, {x, b.Const({}, {2})}));
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_TRUE(RunCleanup(g, ctx));
  EXPECT_EQ(g.ops().size(), 4u);
  EXPECT_EQ(ctx.counters["cleanup.identity_arithmetic"], 4);
}

// Must not fire: an identity op between a graph input and a graph output
// (the output would alias the input), and a reshape that really reshapes.
TEST(PassesCleanup, KeepsInterfaceAndRealReshapes) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 3});
  b.Output(b.Op1(OpKind::kReshape, {x, b.Ints({2, 3})}));
  b.Output(b.Op1(OpKind::kReshape, {x, b.Ints({3, 2})}));
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_FALSE(RunCleanup(g, ctx));
  EXPECT_EQ(g.ops().size(), 2u);
}

TEST(PassesFoldConstants, FoldsConstantSubgraphs) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 3});
  TensorId c = b.Const({3, 2}, {1, 2, 3, 4, 5, 6});
  TensorId ct = b.Transpose(c, {1, 0});                    // movement
  TensorId c2 = b.Op1(OpKind::kAdd, {ct, b.Const({1}, {1})});  // kernel
  b.Output(b.Op1(OpKind::kMul, {x, c2}));
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  FoldConstantsPass pass;
  auto changed = pass.Run(g, ctx);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(*changed);
  passes_test::ExpectValid(g);
  ASSERT_EQ(g.ops().size(), 1u);
  EXPECT_EQ(ctx.counters["fold-constants.folded"], 2);
  const Tensor& folded = g.tensor(g.ops()[0].inputs[1]);
  EXPECT_EQ(folded.data->AsVector<float>(), (std::vector<float>{2, 4, 6, 3, 5, 7}));
  auto in = RandomInputs(before);
  ExpectAllNear(RunGraph(before, in)[0], RunGraph(g, in)[0]);
}

// Must not fire: a result much larger than its inputs (a broadcast) stays.
TEST(PassesFoldConstants, SkipsLargeResults) {
  GraphBuilder b;
  TensorId x = b.Input("x", {512, 1024});
  TensorId big = b.Op1(OpKind::kBroadcastTo, {b.Const({1}, {2}), b.Ints({512, 1024})});
  b.Output(b.Op1(OpKind::kMul, {x, big}));
  Graph g = b.graph();
  PassContext ctx;
  FoldConstantsPass pass;
  auto changed = pass.Run(g, ctx);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_EQ(ctx.counters["fold-constants.skipped_too_large"], 1);
}

// The cap counts elements: a widening CAST of 1 MiB of int8 weights to 4 MiB
// of floats is no bloat (it folds), the same element count broadcast is.
TEST(PassesFoldConstants, WideningIsNotBloat) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1024, 1024});
  const std::vector<int8_t> raw(1024 * 1024, 3);
  TensorId q = b.graph().AddConstant("q", DataType::kInt8, {1024, 1024},
                                     Buffer::FromValues<int8_t>(raw));
  CastOptions cast;
  TensorId w = b.graph().AddActivation("w", DataType::kFloat32, {1024, 1024});
  Op op;
  op.kind = OpKind::kCast;
  op.options = cast;
  op.inputs = {q};
  op.outputs = {w};
  b.graph().AddOp(op);
  b.Output(b.Op1(OpKind::kMul, {x, w}));
  Graph g = b.graph();
  EXPECT_FALSE(FoldingWouldBloat(g, g.ops()[0], kDefaultFoldMaxBytes));
  EXPECT_FALSE(FoldingWouldBloat(g, g.ops()[0], 0));  // elements do not grow
  PassContext ctx;
  FoldConstantsPass pass;
  auto changed = pass.Run(g, ctx);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(ctx.counters["fold-constants.folded"], 1);
  EXPECT_EQ(ctx.counters["fold-constants.skipped_too_large"], 0);
}

}  // namespace
}  // namespace optconv
