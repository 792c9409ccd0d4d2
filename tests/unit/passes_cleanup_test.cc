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

constexpr int64_t kAny = kUnknownDim;

// SHAPE(x) as the importers emit it for a dynamic x: int32, computed at run time.
TensorId ShapeOf(GraphBuilder& b, TensorId x) {
  TensorId s = b.Op1(OpKind::kShape, {x});
  b.graph().tensor(s).type = DataType::kInt32;
  return s;
}

TensorId ToFloat(GraphBuilder& b, TensorId ints) {
  TensorId f = b.Op1(OpKind::kCast, {ints});
  b.graph().tensor(f).type = DataType::kFloat32;
  return f;
}

// Cleanup must leave `b` unchanged; the outputs are compared at each binding.
void ExpectCleanupKeeps(GraphBuilder& b, std::vector<std::vector<Shape>> bindings) {
  const size_t ops = b.graph().ops().size();
  passes_test::CompareOptions options;
  options.bindings = std::move(bindings);
  CleanupPass pass;
  passes_test::RunAndCompare(b, {&pass}, false, options);
  EXPECT_EQ(b.graph().ops().size(), ops);
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

// Unknown dims, size-independent rewrites: a reshape to [-1, 4, 6] of a
// dynamic-batch tensor, identity CAST/PAD/MUL, reshape and transpose chains, a
// transpose moving only a unit dim and a dead op all go; same numbers at two batches.
TEST(PassesCleanup, DynamicShapesSizeIndependentRewritesFire) {
  GraphBuilder b;
  TensorId x = b.Input("x", {kAny, 4, 6});
  TensorId y = b.Op1(OpKind::kReshape, {x, b.Ints({-1, 4, 6})});
  y = b.Op1(OpKind::kCast, {y});
  y = b.Op1(OpKind::kPad, {y, b.Ints({3, 2}, {0, 0, 0, 0, 0, 0})});
  y = b.Op1(OpKind::kMul, {y, b.Const({1, 6}, std::vector<float>(6, 1.0f))});
  y = b.Transpose(b.Transpose(y, {1, 0, 2}), {0, 2, 1});  // one {1, 2, 0}
  b.Output(b.Op1(OpKind::kExp, {y}));
  TensorId flat = b.Op1(OpKind::kReshape, {x, b.Ints({-1, 24})});
  b.Output(b.Op1(OpKind::kReshape, {flat, b.Ints({-1, 6, 4})}));
  b.Op1(OpKind::kTanh, {x});  // dead
  TensorId v = b.Input("v", {kAny, 5, 1});
  b.Output(b.Op1(OpKind::kRelu, {b.Transpose(v, {0, 2, 1})}));
  passes_test::CompareOptions two_batches;
  two_batches.bindings = {{{1, 4, 6}, {1, 5, 1}}, {{3, 4, 6}, {2, 5, 1}}};
  CleanupPass pass;
  PassContext ctx = passes_test::RunAndCompare(b, {&pass}, true, two_batches);
  for (const char* rewrite : {"identity_reshape", "identity_cast", "zero_pad",
                              "identity_arithmetic", "merge_transposes", "merge_reshapes",
                              "transpose_to_reshape", "dead_ops"}) {
    EXPECT_GE(ctx.counters[std::string("cleanup.") + rewrite], 1) << rewrite;
  }
  const Graph& g = b.graph();
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 1);
  EXPECT_EQ(CountKind(g, OpKind::kReshape), 2);
  EXPECT_EQ(g.ops().size(), 5u);  // EXP, TRANSPOSE, RESHAPE, RESHAPE, RELU
}

// Unknown dims, size-dependent rewrites: each looks applicable only because
// unknown == unknown in the static shapes. One binding makes it wrong (or,
// for the transpose, unwritable as a RESHAPE), so cleanup must keep the graph.
TEST(PassesCleanup, DynamicShapesSizeDependentRewritesStay) {
  {
    SCOPED_TRACE("reshape [?, ?] -> [?, ?] to another tensor's run-time shape");
    GraphBuilder b;
    TensorId x = b.Input("x", {kAny, kAny});
    TensorId y = b.Input("y", {kAny, kAny});
    b.Output(b.Op1(OpKind::kSoftmax, {b.Op1(OpKind::kReshape, {x, ShapeOf(b, y)})}));
    ExpectCleanupKeeps(b, {{{2, 6}, {3, 4}}, {{3, 4}, {3, 4}}});
  }
  {
    SCOPED_TRACE("strided slice [?, 6] -> [?, 6] dropping the first row");
    GraphBuilder b;
    TensorId x = b.Input("x", {kAny, 6});
    StridedSliceOptions to_end;
    to_end.end_mask = 3;
    TensorId s = b.Op1(OpKind::kStridedSlice,
                       {x, b.Ints({1, 0}), b.Ints({0, 0}), b.Ints({1, 1})}, to_end);
    b.Output(b.Op1(OpKind::kExp, {s}));
    ExpectCleanupKeeps(b, {{{2, 6}}, {{4, 6}}});
  }
  {
    SCOPED_TRACE("x * ones[2, 3] broadcasts a batch of 1 to 2");
    GraphBuilder b;
    TensorId x = b.Input("x", {kAny, 3});
    TensorId y = b.Op1(OpKind::kMul, {x, b.Const({2, 3}, std::vector<float>(6, 1.0f))});
    b.Output(b.Op1(OpKind::kExp, {y}));
    ExpectCleanupKeeps(b, {{{1, 3}}, {{2, 3}}});
  }
  {
    SCOPED_TRACE("MEAN(keep_dims) then a reshape to a run-time shape equal to the squeeze's");
    GraphBuilder b;
    TensorId x = b.Input("x", {kAny, kAny, 4, 5});
    TensorId y = b.Input("y", {kAny, kAny, 5});
    ReducerOptions keep;
    keep.keep_dims = true;
    TensorId m = b.Op1(OpKind::kMean, {x, b.Ints({2})}, keep);
    b.Output(b.Transpose(b.Op1(OpKind::kReshape, {m, ShapeOf(b, y)}), {1, 0, 2}));
    ExpectCleanupKeeps(b, {{{2, 3, 4, 5}, {3, 2, 5}}, {{2, 3, 4, 5}, {2, 3, 5}}});
  }
  {
    SCOPED_TRACE("transpose moving a unit dim past an unknown one: the reshape needs two -1s");
    GraphBuilder b;
    TensorId x = b.Input("x", {kAny, 1, kAny, 3});
    b.Output(b.Op1(OpKind::kRelu, {b.Transpose(x, {0, 2, 1, 3})}));
    ExpectCleanupKeeps(b, {{{2, 1, 5, 3}}, {{1, 1, 4, 3}}});
  }
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

// Unknown dims: SHAPE of a dynamic-batch tensor is known only at run time, so
// the batch-mean subgraph reading it stays (folding would bake in the -1);
// the constant parts beside it (weights, the flatten size 2*3) still fold.
TEST(PassesFoldConstants, DynamicShapes) {
  GraphBuilder b;
  TensorId x = b.Input("x", {kAny, 2, 3});
  TensorId batch = b.Op1(OpKind::kGather, {ShapeOf(b, x), b.Ints({0})});
  TensorId mean = b.Op1(OpKind::kDiv, {b.Op1(OpKind::kSum, {x, b.Ints({0})}), ToFloat(b, batch)});
  b.Output(b.Op1(OpKind::kMul, {mean, b.Transpose(b.RandomConst({3, 2}, 1), {1, 0})}));
  TensorId features = b.Op1(OpKind::kMul, {b.Ints({2}), b.Ints({3})});
  TensorId flat_shape = b.Op1(OpKind::kConcatenation, {batch, features});
  b.Output(b.Op1(OpKind::kSoftmax, {b.Op1(OpKind::kReshape, {x, flat_shape})}));
  passes_test::CompareOptions two_batches;
  two_batches.bindings = {{{1, 2, 3}}, {{3, 2, 3}}};
  FoldConstantsPass pass;
  PassContext ctx = passes_test::RunAndCompare(b, {&pass}, true, two_batches);
  EXPECT_EQ(ctx.counters["fold-constants.folded"], 2);
  for (OpKind kept : {OpKind::kShape, OpKind::kGather, OpKind::kCast, OpKind::kConcatenation}) {
    EXPECT_EQ(CountKind(b.graph(), kept), 1) << OpKindName(kept);
  }
}

// The same shape subgraph on a static input folds whole: SHAPE becomes a
// constant, then the GATHER/CAST/CONCATENATION on it, leaving the reshape
// with a constant target (the form exporters write for flatten).
TEST(PassesFoldConstants, StaticShapeSubgraphFolds) {
  GraphBuilder b;
  TensorId x = b.Input("x", {4, 2, 3});
  TensorId batch = b.Op1(OpKind::kGather, {ShapeOf(b, x), b.Ints({0})});
  b.Output(b.Op1(OpKind::kDiv, {b.Op1(OpKind::kSum, {x, b.Ints({0})}), ToFloat(b, batch)}));
  TensorId flat_shape = b.Op1(OpKind::kConcatenation, {batch, b.Ints({-1})});
  b.Output(b.Op1(OpKind::kSoftmax, {b.Op1(OpKind::kReshape, {x, flat_shape})}));
  FoldConstantsPass pass;
  PassContext ctx = passes_test::RunAndCompare(b, {&pass}, true);
  EXPECT_EQ(ctx.counters["fold-constants.static_shape"], 1);
  for (OpKind folded : {OpKind::kShape, OpKind::kGather, OpKind::kCast, OpKind::kConcatenation}) {
    EXPECT_EQ(CountKind(b.graph(), folded), 0) << OpKindName(folded);
  }
}

}  // namespace
}  // namespace optconv
