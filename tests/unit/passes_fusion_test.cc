// fold-batchnorm, fuse-bias, fuse-activation: conv/FC + affine + relu become
// one op with the same numbers; must-not-fire cases keep the graph intact.
#include "passes/fold_batchnorm.h"
#include "passes/fuse_activation.h"
#include "passes/fuse_bias.h"
#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CountKind;
using passes_test::ExpectAllNear;
using passes_test::GraphBuilder;
using passes_test::RandomInputs;
using passes_test::RunGraph;

bool RunFusions(Graph& g, PassContext& ctx) {
  bool changed = false;
  FoldBatchNormPass bn;
  FuseBiasPass bias;
  FuseActivationPass act;
  for (Pass* p : std::initializer_list<Pass*>{&bn, &bias, &act}) {
    auto r = p->Run(g, ctx);
    EXPECT_TRUE(r.ok()) << r.status();
    passes_test::ExpectValid(g);
    changed |= r.ok() && *r;
  }
  return changed;
}

// The three passes to a fixed point via passes_test::RunAndCompare, comparing
// before/after at each binding of the graph's unknown dims.
PassContext RunFusionsAndCompare(GraphBuilder& b, bool expect_change,
                                 std::vector<std::vector<Shape>> bindings) {
  FoldBatchNormPass bn;
  FuseBiasPass bias;
  FuseActivationPass act;
  passes_test::CompareOptions options;
  options.bindings = std::move(bindings);
  return passes_test::RunAndCompare(b, {&bn, &bias, &act}, expect_change, options);
}

TEST(PassesFusion, ConvBatchNormReluBecomesOneConv) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 5, 5, 3});
  TensorId y = b.Conv(x, 4, 3, 1, /*bias=*/false);
  y = b.Op1(OpKind::kMul, {y, b.RandomConst({4}, 2, 0.5f, 2.0f)});
  y = b.Op1(OpKind::kAdd, {b.RandomConst({1, 1, 1, 4}, 3), y});
  y = b.Op1(OpKind::kRelu6, {y});
  b.Output(y);
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_TRUE(RunFusions(g, ctx));
  ASSERT_EQ(g.ops().size(), 1u);
  EXPECT_EQ(g.ops()[0].kind, OpKind::kConv2D);
  EXPECT_EQ(g.ops()[0].opts<Conv2DOptions>().activation, Activation::kRelu6);
  EXPECT_EQ(ctx.counters["fold-batchnorm.folded_mul"], 1);
  EXPECT_EQ(ctx.counters["fuse-bias.fused_add"], 1);
  EXPECT_EQ(ctx.counters["fuse-activation.fused_relu6"], 1);
  auto in = RandomInputs(before);
  ExpectAllNear(RunGraph(before, in)[0], RunGraph(g, in)[0]);
}

TEST(PassesFusion, DepthwiseAndFullyConnected) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 4, 4, 3});
  DepthwiseConv2DOptions dw;
  dw.depth_multiplier = 2;
  TensorId y = b.Op1(OpKind::kDepthwiseConv2D,
                     {x, b.RandomConst({1, 3, 3, 6}, 1), b.RandomConst({6}, 2)}, dw);
  y = b.Op1(OpKind::kDiv, {y, b.RandomConst({6}, 3, 0.5f, 2.0f)});
  y = b.Op1(OpKind::kSub, {y, b.RandomConst({6}, 4)});
  y = b.Op1(OpKind::kRelu, {y});
  TensorId flat = b.Op1(OpKind::kReshape, {y, b.Ints({1, 24})});
  TensorId fc = b.Op1(OpKind::kFullyConnected, {flat, b.RandomConst({5, 24}, 5)});
  fc = b.Op1(OpKind::kMul, {fc, b.Const({}, {0.5f})});
  fc = b.Op1(OpKind::kAdd, {fc, b.RandomConst({5}, 6)});
  b.Output(fc);
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_TRUE(RunFusions(g, ctx));
  EXPECT_EQ(g.ops().size(), 3u);  // depthwise(relu), reshape, fully connected (with new bias)
  EXPECT_EQ(CountKind(g, OpKind::kRelu), 0);
  auto in = RandomInputs(before);
  ExpectAllNear(RunGraph(before, in)[0], RunGraph(g, in)[0]);
}

TEST(PassesFusion, ActivationIntoPoolAndAdd) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 4, 4, 2});
  TensorId y = b.Input("y", {1, 4, 4, 2});
  TensorId s = b.Op1(OpKind::kRelu, {b.Op1(OpKind::kAdd, {x, y})});
  Pool2DOptions po;
  po.filter_h = po.filter_w = 2;
  po.stride_h = po.stride_w = 2;
  b.Output(b.Op1(OpKind::kReluN1To1, {b.Op1(OpKind::kMaxPool2D, {s}, po)}));
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_TRUE(RunFusions(g, ctx));
  EXPECT_EQ(g.ops().size(), 2u);
  auto in = RandomInputs(before);
  ExpectAllNear(RunGraph(before, in)[0], RunGraph(g, in)[0]);
}

// A division by a constant folds to weights rounded once, as w / v itself
// would be: multiplying by the float 1 / v rounds twice and is off by one ulp
// on some of these weights.
TEST(PassesFusion, FoldedDivisionRoundsOnce) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 2, 2, 8});
  const std::vector<float> divisors = {3.0f, 7.0f, 0.3f, 11.0f};
  TensorId w = b.RandomConst({4, 1, 1, 8}, 7);
  TensorId bias = b.RandomConst({4}, 8);
  Conv2DOptions o;
  o.padding = Padding::kSame;
  TensorId y = b.Op1(OpKind::kConv2D, {x, w, bias}, o);
  b.Output(b.Op1(OpKind::kDiv, {y, b.Const({4}, divisors)}));
  const std::vector<float> w0 = b.graph().tensor(w).data->AsVector<float>();
  const std::vector<float> b0 = b.graph().tensor(bias).data->AsVector<float>();
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_TRUE(RunFusions(g, ctx));
  ASSERT_EQ(g.ops().size(), 1u);
  const std::vector<float> w1 = g.tensor(g.ops()[0].inputs[1]).data->AsVector<float>();
  const std::vector<float> b1 = g.tensor(g.ops()[0].inputs[2]).data->AsVector<float>();
  int twice_rounded_differs = 0;
  for (size_t i = 0; i < w0.size(); ++i) {
    const float v = divisors[i / 8];
    EXPECT_EQ(w1[i], w0[i] / v) << "weight " << i;
    twice_rounded_differs += w0[i] * (1.0f / v) != w0[i] / v;
  }
  for (size_t c = 0; c < b0.size(); ++c) EXPECT_EQ(b1[c], b0[c] / divisors[c]) << "bias " << c;
  EXPECT_GT(twice_rounded_differs, 0) << "the case does not tell one rounding from two";
}

// fold-batchnorm rewrites a weight only this op reads in place (no second
// copy of the weights); one that another op also reads must stay intact.
TEST(PassesFusion, SharedWeightsAreCopiedSingleUseOnesRewrittenInPlace) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 4, 4, 3});
  TensorId w = b.RandomConst({2, 1, 1, 3}, 1);
  TensorId bias = b.RandomConst({2}, 2);
  Conv2DOptions o;
  o.padding = Padding::kSame;
  TensorId folded = b.Op1(OpKind::kConv2D, {x, w, bias}, o);
  b.Output(b.Op1(OpKind::kMul, {folded, b.RandomConst({2}, 3, 0.5f, 2.0f)}));
  b.Output(b.Op1(OpKind::kConv2D, {x, w, bias}, o));  // reads the same weights, unscaled
  TensorId own_w = b.RandomConst({2, 1, 1, 3}, 4);
  TensorId alone = b.Op1(OpKind::kConv2D, {x, own_w, b.RandomConst({2}, 5)}, o);
  b.Output(b.Op1(OpKind::kMul, {alone, b.RandomConst({2}, 6, 0.5f, 2.0f)}));
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  EXPECT_TRUE(RunFusions(g, ctx));
  EXPECT_EQ(ctx.counters["fold-batchnorm.folded_mul"], 2);
  EXPECT_EQ(CountKind(g, OpKind::kMul), 0);
  // The conv that owns its weights still reads the same (renumbered) tensor,
  // now scaled; the shared weights were copied into a "_scaled" constant.
  const std::string own_name = before.tensor(own_w).name;
  const std::string shared_name = before.tensor(w).name;
  int own_readers = 0, shared_readers = 0, scaled_copies = 0;
  for (const Op& op : g.ops()) {
    const std::string& name = g.tensor(op.inputs[1]).name;
    own_readers += name == own_name;
    shared_readers += name == shared_name;
    scaled_copies += name == shared_name + "_scaled";
  }
  EXPECT_EQ(own_readers, 1);
  EXPECT_EQ(shared_readers, 1);
  EXPECT_EQ(scaled_copies, 1);
  auto in = RandomInputs(before);
  const auto expected = RunGraph(before, in);
  const auto actual = RunGraph(g, in);
  ASSERT_EQ(expected.size(), actual.size());
  for (size_t i = 0; i < expected.size(); ++i) ExpectAllNear(expected[i], actual[i]);
}

// Must not fire: multi-use producer, existing activation, non-constant
// operand, per-spatial constant, TANH, CONCATENATION.
TEST(PassesFusion, MustNotFire) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 4, 4, 3});
  TensorId shared = b.Conv(x, 2, 1, 1);
  b.Output(b.Op1(OpKind::kRelu, {shared}));
  b.Output(b.Op1(OpKind::kMul, {shared, b.RandomConst({2}, 2)}));

  Conv2DOptions with_act;
  with_act.padding = Padding::kSame;
  with_act.activation = Activation::kRelu;
  TensorId activated = b.Op1(OpKind::kConv2D, {x, b.RandomConst({2, 1, 1, 3}, 3), b.RandomConst({2}, 4)}, with_act);
  b.Output(b.Op1(OpKind::kMul, {activated, b.RandomConst({2}, 5)}));

  TensorId c3 = b.Conv(x, 2, 1, 6);
  b.Output(b.Op1(OpKind::kMul, {c3, b.Input("scale", {2})}));

  TensorId c4 = b.Conv(x, 2, 1, 7);
  b.Output(b.Op1(OpKind::kAdd, {c4, b.RandomConst({1, 4, 4, 1}, 8)}));

  TensorId c5 = b.Conv(x, 2, 1, 9);
  b.Output(b.Op1(OpKind::kTanh, {c5}));

  ConcatenationOptions cat;
  cat.axis = 3;
  TensorId cc = b.Op1(OpKind::kConcatenation, {x, x}, cat);
  b.Output(b.Op1(OpKind::kRelu, {cc}));

  Graph g = b.graph();
  const size_t ops = g.ops().size();
  PassContext ctx;
  EXPECT_FALSE(RunFusions(g, ctx));
  EXPECT_EQ(g.ops().size(), ops);
}

// Folding a per-channel affine op and an activation into conv, depthwise, FC
// or pool does not depend on the batch or H/W: all fire with those unknown and
// agree at two bindings.
TEST(PassesFusion, DynamicShapesFold) {
  constexpr int64_t kAny = kUnknownDim;
  GraphBuilder b;
  TensorId x = b.Input("x", {kAny, kAny, kAny, 3});
  TensorId y = b.Conv(x, 4, 3, 1, /*bias=*/false);
  y = b.Op1(OpKind::kMul, {y, b.RandomConst({4}, 2, 0.5f, 2.0f)});
  y = b.Op1(OpKind::kAdd, {b.RandomConst({1, 1, 1, 4}, 3), y});
  b.Output(b.Op1(OpKind::kRelu6, {y}));
  DepthwiseConv2DOptions dw;
  dw.depth_multiplier = 2;
  TensorId d = b.Op1(OpKind::kDepthwiseConv2D,
                     {x, b.RandomConst({1, 3, 3, 6}, 4), b.RandomConst({6}, 5)}, dw);
  d = b.Op1(OpKind::kDiv, {d, b.RandomConst({6}, 6, 0.5f, 2.0f)});
  b.Output(b.Op1(OpKind::kRelu, {d}));
  TensorId f = b.Input("f", {kAny, 24});
  TensorId fc = b.Op1(OpKind::kFullyConnected, {f, b.RandomConst({5, 24}, 7)});
  fc = b.Op1(OpKind::kMul, {fc, b.Const({}, {0.5f})});
  fc = b.Op1(OpKind::kSub, {fc, b.RandomConst({5}, 8)});
  b.Output(b.Op1(OpKind::kRelu, {fc}));
  Pool2DOptions po;
  po.filter_h = po.filter_w = 2;
  b.Output(b.Op1(OpKind::kReluN1To1, {b.Op1(OpKind::kMaxPool2D, {x}, po)}));
  PassContext ctx = RunFusionsAndCompare(b, true, {{{1, 5, 5, 3}, {1, 24}}, {{3, 4, 7, 3}, {3, 24}}});
  EXPECT_EQ(b.graph().ops().size(), 4u);
  EXPECT_EQ(ctx.counters["fold-batchnorm.folded_mul"], 2);
  EXPECT_EQ(ctx.counters["fold-batchnorm.folded_div"], 1);
  EXPECT_EQ(ctx.counters["fuse-bias.fused_add"], 1);
  EXPECT_EQ(ctx.counters["fuse-bias.fused_sub"], 1);
  EXPECT_EQ(ctx.counters["fuse-activation.fused_relu6"], 1);
  EXPECT_EQ(ctx.counters["fuse-activation.fused_relu"], 2);
  EXPECT_EQ(ctx.counters["fuse-activation.fused_relu_n1_to_1"], 1);
}

// A constant that varies along an unknown batch or H/W dim is no per-channel
// constant: at batch 1 (or 1x1) it broadcasts the conv output up, at batch 2
// it scales per image. Neither folds.
TEST(PassesFusion, DynamicShapesPerBatchOrSpatialConstantStays) {
  constexpr int64_t kAny = kUnknownDim;
  GraphBuilder b;
  TensorId x = b.Input("x", {kAny, 4, 4, 3});
  b.Output(b.Op1(OpKind::kMul, {b.Conv(x, 2, 1, 1), b.RandomConst({2, 1, 1, 2}, 3, 0.5f, 2.0f)}));
  TensorId v = b.Input("v", {1, kAny, kAny, 3});
  b.Output(b.Op1(OpKind::kAdd, {b.Conv(v, 2, 1, 4), b.RandomConst({1, 4, 4, 1}, 6)}));
  const size_t ops = b.graph().ops().size();
  RunFusionsAndCompare(b, false, {{{1, 4, 4, 3}, {1, 1, 1, 3}}, {{2, 4, 4, 3}, {1, 4, 4, 3}}});
  EXPECT_EQ(b.graph().ops().size(), ops);
}

}  // namespace
}  // namespace optconv
