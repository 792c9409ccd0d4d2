// cse: identical constants and ops merge, numerics unchanged; ops differing
// in options, constants differing in bytes and interface tensors stay apart.
#include "passes/cse.h"

#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CountKind;
using passes_test::ExpectAllNear;
using passes_test::GraphBuilder;
using passes_test::RandomInputs;
using passes_test::RunGraph;

bool RunCse(Graph& g, PassContext& ctx) {
  CsePass pass;
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

int CountConstants(const Graph& g) {
  int n = 0;
  for (const Tensor& t : g.tensors()) n += t.is_constant();
  return n;
}

TEST(PassesCse, MergesEqualConstantsThenTheOpsReadingThem) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 5});
  // Two constants with the same bytes (as an exporter of a shared weight
  // leaves them) feeding the same op kind: one constant, then one MUL.
  TensorId w1 = b.RandomConst({5}, 11);
  TensorId w2 = b.RandomConst({5}, 11);
  TensorId m1 = b.Op1(OpKind::kMul, {x, w1});
  TensorId m2 = b.Op1(OpKind::kMul, {x, w2});
  TensorId e1 = b.Op1(OpKind::kExp, {m1});
  TensorId e2 = b.Op1(OpKind::kExp, {m2});  // merges in the same sweep, after m2
  b.Output(b.Op1(OpKind::kSub, {e1, e2}));
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_TRUE(RunCse(g, ctx));
  EXPECT_EQ(CountKind(g, OpKind::kMul), 1);
  EXPECT_EQ(CountKind(g, OpKind::kExp), 1);
  EXPECT_EQ(CountConstants(g), 1);
  EXPECT_EQ(ctx.counters["cse.constants_merged"], 1);
  EXPECT_EQ(ctx.counters["cse.ops_merged"], 2);
  auto in = RandomInputs(before);
  ExpectAllNear(RunGraph(before, in)[0], RunGraph(g, in)[0]);
  // A second run finds nothing.
  PassContext again;
  EXPECT_FALSE(RunCse(g, again));
}

TEST(PassesCse, MustNotMergeDifferentOptionsOrBytes) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 5});
  BinaryOptions relu;
  relu.activation = Activation::kRelu;
  TensorId c = b.RandomConst({5}, 3);
  TensorId plain = b.Op1(OpKind::kAdd, {x, c});
  TensorId fused = b.Op1(OpKind::kAdd, {x, c}, relu);  // same inputs, other activation
  TensorId other = b.Op1(OpKind::kAdd, {x, b.RandomConst({5}, 4)});  // other bytes
  TensorId via_cast =
      b.Op1(OpKind::kAdd, {b.Op1(OpKind::kCast, {x}), c});  // reads a CAST, not x
  ConcatenationOptions cat;
  cat.axis = 0;
  b.Output(b.Op1(OpKind::kConcatenation, {plain, fused, other, via_cast}, cat));
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_FALSE(RunCse(g, ctx));
  EXPECT_EQ(CountKind(g, OpKind::kAdd), 4);
}

TEST(PassesCse, MustNotMergeGraphOutputs) {
  GraphBuilder b;
  TensorId x = b.Input("x", {3});
  b.Output(b.Op1(OpKind::kTanh, {x}));
  b.Output(b.Op1(OpKind::kTanh, {x}));  // two outputs with equal values stay two tensors
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_FALSE(RunCse(g, ctx));
  EXPECT_EQ(CountKind(g, OpKind::kTanh), 2);
}

// Unknown dims: ops with the same inputs compute the same values whatever the
// sizes, so twin flatten subgraphs (SHAPE of a dynamic tensor, its batch, the
// new shape, the reshape) merge, with equal numbers at two bindings. SHAPEs
// of two tensors that are both [?, 4] differ once bound and stay apart.
TEST(PassesCse, DynamicShapes) {
  GraphBuilder twins;
  TensorId x = twins.Input("x", {kAny, kAny, 4});
  auto flatten = [&] {
    TensorId batch = twins.Op1(OpKind::kGather, {ShapeOf(twins, x), twins.Ints({0})});
    TensorId shape = twins.Op1(OpKind::kConcatenation, {batch, twins.Ints({-1})});
    return twins.Op1(OpKind::kExp, {twins.Op1(OpKind::kReshape, {x, shape})});
  };
  twins.Output(twins.Op1(OpKind::kMul, {flatten(), flatten()}));
  passes_test::CompareOptions two_sizes;
  two_sizes.bindings = {{{1, 3, 4}}, {{3, 2, 4}}};
  CsePass pass;
  PassContext ctx = passes_test::RunAndCompare(twins, {&pass}, true, two_sizes);
  EXPECT_EQ(ctx.counters["cse.constants_merged"], 2);
  EXPECT_EQ(ctx.counters["cse.ops_merged"], 5);
  EXPECT_EQ(twins.graph().ops().size(), 6u);

  GraphBuilder apart;
  TensorId y = apart.Input("y", {kAny, 4});
  TensorId z = apart.Input("z", {kAny, 4});
  auto shape_as_floats = [&](TensorId t) {
    TensorId f = apart.Op1(OpKind::kCast, {ShapeOf(apart, t)});
    apart.graph().tensor(f).type = DataType::kFloat32;
    return f;
  };
  apart.Output(apart.Op1(OpKind::kSub, {shape_as_floats(y), shape_as_floats(z)}));
  passes_test::CompareOptions unequal_batches;
  unequal_batches.bindings = {{{2, 4}, {3, 4}}, {{5, 4}, {5, 4}}};
  passes_test::RunAndCompare(apart, {&pass}, false, unequal_batches);
  EXPECT_EQ(CountKind(apart.graph(), OpKind::kShape), 2);
}

}  // namespace
}  // namespace optconv
