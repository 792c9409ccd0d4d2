// fuse-hard-swish: the importer's HardSigmoid + Mul lowering becomes one op.
#include "passes/fuse_hard_swish.h"

#include "passes/fuse_activation.h"
#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CountKind;
using passes_test::ExpectAllNear;
using passes_test::GraphBuilder;
using passes_test::RandomInputs;
using passes_test::RunGraph;

// relu6(x + 3) * (1/6), with the RELU6 standalone or fused into the ADD.
TensorId HardSigmoid(GraphBuilder& b, TensorId x, bool fused_relu6) {
  TensorId r;
  if (fused_relu6) {
    BinaryOptions o;
    o.activation = Activation::kRelu6;
    r = b.Op1(OpKind::kAdd, {x, b.Const({}, {3.0f})}, o);
  } else {
    r = b.Op1(OpKind::kRelu6, {b.Op1(OpKind::kAdd, {x, b.Const({}, {3.0f})})});
  }
  return b.Op1(OpKind::kMul, {r, b.Const({}, {1.0f / 6.0f})});
}

TEST(PassesFuseHardSwish, BothFormsFuse) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 4, 4, 3});
  TensorId a = b.Op1(OpKind::kMul, {x, HardSigmoid(b, x, false)});
  TensorId c = b.Op1(OpKind::kMul, {HardSigmoid(b, a, true), a});
  // (y * relu6(y + 3)) / 6
  TensorId r = b.Op1(OpKind::kRelu6, {b.Op1(OpKind::kAdd, {b.Const({}, {3.0f}), c})});
  TensorId d = b.Op1(OpKind::kDiv, {b.Op1(OpKind::kMul, {c, r}), b.Const({}, {6.0f})});
  b.Output(d);
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  FuseHardSwishPass pass;
  auto changed = pass.Run(g, ctx);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(*changed);
  passes_test::ExpectValid(g);
  EXPECT_EQ(g.ops().size(), 3u);
  EXPECT_EQ(CountKind(g, OpKind::kHardSwish), 3);
  EXPECT_EQ(ctx.counters["fuse-hard-swish.fused"], 3);
  auto in = RandomInputs(before);
  for (float& v : in[0]) v *= 5.0f;  // cover both clamps
  ExpectAllNear(RunGraph(before, in)[0], RunGraph(g, in)[0]);
}

// Must not fire: a hard sigmoid of another tensor, an intermediate with a
// second use, and the wrong constants.
TEST(PassesFuseHardSwish, MustNotFire) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 4});
  TensorId y = b.Input("y", {1, 4});
  b.Output(b.Op1(OpKind::kMul, {x, HardSigmoid(b, y, false)}));
  TensorId h = HardSigmoid(b, x, true);
  b.Output(b.Op1(OpKind::kMul, {x, h}));
  b.Output(h);
  TensorId r = b.Op1(OpKind::kRelu6, {b.Op1(OpKind::kAdd, {x, b.Const({}, {2.0f})})});
  b.Output(b.Op1(OpKind::kMul, {x, b.Op1(OpKind::kMul, {r, b.Const({}, {1.0f / 6.0f})})}));
  Graph g = b.graph();
  const size_t ops = g.ops().size();
  PassContext ctx;
  FuseHardSwishPass pass;
  auto changed = pass.Run(g, ctx);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_EQ(g.ops().size(), ops);
}

// With an unknown batch and H/W the rewrite is elementwise and fires, also
// with a per-channel 3 against a known channel dim. Against an unknown
// channel dim that constant may broadcast x up (x of width 1), so it must not.
TEST(PassesFuseHardSwish, DynamicShapes) {
  constexpr int64_t kAny = kUnknownDim;
  auto hard_swish = [](GraphBuilder& b, TensorId x, TensorId three) {
    TensorId r = b.Op1(OpKind::kRelu6, {b.Op1(OpKind::kAdd, {x, three})});
    return b.Op1(OpKind::kMul, {x, b.Op1(OpKind::kMul, {r, b.Const({}, {1.0f / 6.0f})})});
  };
  const std::vector<float> threes(4, 3.0f);
  GraphBuilder known;
  TensorId x = known.Input("x", {kAny, kAny, kAny, 4});
  known.Output(hard_swish(known, x, known.Const({}, {3.0f})));
  known.Output(hard_swish(known, x, known.Const({4}, threes)));
  passes_test::CompareOptions batches;
  batches.lo = -5.0f;  // cover both clamps
  batches.hi = 5.0f;
  batches.bindings = {{{1, 3, 3, 4}}, {{3, 2, 5, 4}}};
  FuseHardSwishPass pass;
  PassContext ctx = passes_test::RunAndCompare(known, {&pass}, true, batches);
  EXPECT_EQ(ctx.counters["fuse-hard-swish.fused"], 2);
  EXPECT_EQ(known.graph().ops().size(), 2u);

  GraphBuilder unknown_channels;
  TensorId y = unknown_channels.Input("y", {kAny, kAny});
  unknown_channels.Output(hard_swish(unknown_channels, y, unknown_channels.Const({4}, threes)));
  const size_t ops = unknown_channels.graph().ops().size();
  passes_test::CompareOptions widths = batches;
  widths.bindings = {{{2, 1}}, {{2, 4}}};  // width 1: the output is 2x4, not 2x1
  passes_test::RunAndCompare(unknown_channels, {&pass}, false, widths);
  EXPECT_EQ(unknown_channels.graph().ops().size(), ops);
  EXPECT_EQ(CountKind(unknown_channels.graph(), OpKind::kHardSwish), 0);
}

}  // namespace
}  // namespace optconv
