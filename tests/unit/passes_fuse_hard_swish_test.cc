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

}  // namespace
}  // namespace optconv
