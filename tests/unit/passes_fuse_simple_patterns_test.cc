// fuse-simple-patterns: each rule on its unfused form, checked numerically in
// the reference runtime, plus must-not-fire cases.
#include "passes/fuse_simple_patterns.h"

#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CountKind;
using passes_test::ExpectAllNear;
using passes_test::GraphBuilder;
using passes_test::RandomInputs;
using passes_test::RunGraph;

TensorId Scalar(GraphBuilder& b, float v) { return b.Const({}, {v}); }

// Both leaky-ReLU spellings of x as outputs: max(0.1 x, x) and
// select(x > 0, x, 0.3 x).
void OutputUnfusedLeakyRelus(GraphBuilder& b, TensorId x) {
  b.Output(b.Op1(OpKind::kMaximum, {b.Op1(OpKind::kMul, {x, Scalar(b, 0.1f)}), x}));
  TensorId gt = b.Op1(OpKind::kGreater, {x, Scalar(b, 0.0f)});
  b.graph().tensor(gt).type = DataType::kBool;  // the builder types outputs like input 0
  TensorId sel = b.Op1(OpKind::kSelectV2, {gt, x, b.Op1(OpKind::kMul, {Scalar(b, 0.3f), x})});
  b.graph().tensor(sel).type = DataType::kFloat32;
  b.Output(sel);
}

// The decomposed layer norm over the last axis of x, as exporters write it:
// (x - m) / sqrt(mean(pow(x - m, 2)) + eps), the difference computed twice.
TensorId DecomposedLayerNorm(GraphBuilder& b, TensorId x) {
  TensorId axes = b.Ints({static_cast<int32_t>(b.graph().tensor(x).shape.size()) - 1});
  ReducerOptions keep{true};
  TensorId m = b.Op1(OpKind::kMean, {x, axes}, keep);
  TensorId sq = b.Op1(OpKind::kPow, {b.Op1(OpKind::kSub, {x, m}), Scalar(b, 2.0f)});
  TensorId var = b.Op1(OpKind::kMean, {sq, axes}, keep);
  TensorId sd = b.Op1(OpKind::kSqrt, {b.Op1(OpKind::kAdd, {var, Scalar(b, 1e-5f)})});
  return b.Op1(OpKind::kDiv, {b.Op1(OpKind::kSub, {x, m}), sd});
}

// Runs the pass and compares before/after on inputs in [lo, hi] (at each of
// `bindings` when the graph has unknown dims).
PassContext RunAndCompare(GraphBuilder& b, bool expect_change, float lo = -3.0f, float hi = 3.0f,
                          std::vector<std::vector<Shape>> bindings = {}) {
  FuseSimplePatternsPass pass;
  passes_test::CompareOptions options;
  options.lo = lo;
  options.hi = hi;
  options.bindings = std::move(bindings);
  return passes_test::RunAndCompare(b, {&pass}, expect_change, options);
}


TEST(PassesFuseSimplePatterns, PowersBecomeUnaryOps) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 5});
  b.Output(b.Op1(OpKind::kPow, {x, Scalar(b, 2.0f)}));
  b.Output(b.Op1(OpKind::kPow, {x, Scalar(b, 0.5f)}));
  b.Output(b.Op1(OpKind::kPow, {x, Scalar(b, -0.5f)}));
  b.Output(b.Op1(OpKind::kDiv, {Scalar(b, 1.0f), b.Op1(OpKind::kSqrt, {x})}));
  PassContext ctx = RunAndCompare(b, true, 0.1f, 4.0f);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kPow), 0);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kSquare), 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kSqrt), 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kRsqrt), 2);
  EXPECT_EQ(b.graph().ops().size(), 4u);
  EXPECT_EQ(ctx.counters["fuse-simple-patterns.rsqrt"], 2);
}

// The decomposed layer norm: d / sqrt(var + eps) becomes d * rsqrt(var + eps),
// and POW(x - m, 2) with a single-use difference becomes SQUARED_DIFFERENCE.
TEST(PassesFuseSimplePatterns, NormalizationPieces) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 6, 8});
  b.Output(DecomposedLayerNorm(b, x));
  TensorId e = b.Op1(OpKind::kSub, {x, b.RandomConst({8}, 3)});
  b.Output(b.Op1(OpKind::kMul, {e, e}));
  PassContext ctx = RunAndCompare(b, true);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kSquaredDifference), 2);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kRsqrt), 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kDiv), 0);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kSqrt), 0);
}

TEST(PassesFuseSimplePatterns, LeakyReluAndPrelu) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 4, 4, 3});
  OutputUnfusedLeakyRelus(b, x);
  // Keras PReLU: relu(x) + (-alpha) * relu(-x), per-channel alpha.
  TensorId neg = b.Op1(OpKind::kRelu, {b.Op1(OpKind::kNeg, {x})});
  TensorId minus_alpha = b.RandomConst({1, 1, 3}, 5, -0.5f, -0.1f);
  b.Output(b.Op1(OpKind::kAdd, {b.Op1(OpKind::kRelu, {x}), b.Op1(OpKind::kMul, {minus_alpha, neg})}));
  // relu(x) - a * relu(-x) with one alpha: LEAKY_RELU.
  TensorId neg2 = b.Op1(OpKind::kRelu, {b.Op1(OpKind::kNeg, {x})});
  b.Output(b.Op1(OpKind::kSub, {b.Op1(OpKind::kRelu, {x}), b.Op1(OpKind::kMul, {neg2, Scalar(b, 0.25f)})}));
  PassContext ctx = RunAndCompare(b, true);
  EXPECT_EQ(b.graph().ops().size(), 4u);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kLeakyRelu), 3);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kPrelu), 1);
  EXPECT_EQ(ctx.counters["fuse-simple-patterns.prelu"], 2);
}

// Must not fire: multi-use intermediates, alpha >= 1 in the max form, the
// wrong exponent, a SUB with a fused activation, another tensor under NEG.
// Keras 3's layer norm adds NEG(mean) * s: the NEG becomes a SUB.
TEST(PassesFuseSimplePatterns, AddOfNegatedBecomesSub) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 4});
  TensorId m = b.Input("m", {2, 1});
  TensorId s = b.Input("s", {2, 4});
  b.Output(b.Op1(OpKind::kAdd, {x, b.Op1(OpKind::kMul, {b.Op1(OpKind::kNeg, {m}), s})}));
  b.Output(b.Op1(OpKind::kAdd, {b.Op1(OpKind::kNeg, {s}), x}));
  PassContext ctx = RunAndCompare(b, true);
  EXPECT_EQ(ctx.counters["fuse-simple-patterns.add_negated"], 2);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kNeg), 0);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kSub), 2);
}

// Keras' layer norm: x*s + (beta - mean*s) becomes (x - mean)*s + beta.
TEST(PassesFuseSimplePatterns, CenterBeforeScale) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 3, 4});
  TensorId m = b.Input("m", {2, 3, 1});
  TensorId s = b.Input("s", {2, 3, 4});
  TensorId beta = b.RandomConst({4}, 3);
  TensorId shift = b.Op1(OpKind::kSub, {beta, b.Op1(OpKind::kMul, {m, s})});
  b.Output(b.Op1(OpKind::kAdd, {b.Op1(OpKind::kMul, {x, s}), shift}));
  PassContext ctx = RunAndCompare(b, true);
  EXPECT_EQ(ctx.counters["fuse-simple-patterns.center_before_scale"], 1);
  EXPECT_EQ(b.graph().ops().size(), 3u);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kMul), 1);
}

TEST(PassesFuseSimplePatterns, MustNotFire) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 8});
  TensorId y = b.Input("y", {1, 8});
  TensorId ax = b.Op1(OpKind::kMul, {x, Scalar(b, 0.2f)});
  b.Output(b.Op1(OpKind::kMaximum, {x, ax}));
  b.Output(ax);  // second use
  b.Output(b.Op1(OpKind::kMaximum, {x, b.Op1(OpKind::kMul, {x, Scalar(b, 1.5f)})}));
  b.Output(b.Op1(OpKind::kPow, {x, Scalar(b, 3.0f)}));
  BinaryOptions relu;
  relu.activation = Activation::kRelu;
  b.Output(b.Op1(OpKind::kSquare, {b.Op1(OpKind::kSub, {x, y}, relu)}));
  TensorId s = b.Op1(OpKind::kSqrt, {y});
  b.Output(b.Op1(OpKind::kDiv, {x, s}));
  b.Output(s);  // the SQRT is used elsewhere
  TensorId neg = b.Op1(OpKind::kRelu, {b.Op1(OpKind::kNeg, {y})});
  b.Output(b.Op1(OpKind::kSub, {b.Op1(OpKind::kRelu, {x}), b.Op1(OpKind::kMul, {neg, Scalar(b, 0.2f)})}));
  const size_t ops = b.graph().ops().size();
  RunAndCompare(b, false, 0.1f, 2.0f);
  EXPECT_EQ(b.graph().ops().size(), ops);
}

// The powers, RSQRT and SQUARED_DIFFERENCE rules are elementwise, so they fire
// with an unknown batch and sequence length; numbers agree at two bindings.
TEST(PassesFuseSimplePatterns, DynamicShapesPowersAndNormalization) {
  constexpr int64_t kAny = kUnknownDim;
  GraphBuilder b;
  TensorId x = b.Input("x", {kAny, kAny, 8});
  b.Output(b.Op1(OpKind::kPow, {x, Scalar(b, 2.0f)}));
  b.Output(b.Op1(OpKind::kPow, {x, Scalar(b, 0.5f)}));
  b.Output(b.Op1(OpKind::kPow, {x, Scalar(b, -0.5f)}));
  b.Output(b.Op1(OpKind::kDiv, {Scalar(b, 1.0f), b.Op1(OpKind::kSqrt, {x})}));
  b.Output(DecomposedLayerNorm(b, x));
  PassContext ctx = RunAndCompare(b, true, 0.1f, 4.0f, {{{1, 3, 8}}, {{4, 1, 8}}});
  EXPECT_EQ(CountKind(b.graph(), OpKind::kPow), 0);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kDiv), 0);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kSquare), 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kSqrt), 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kSquaredDifference), 1);
  EXPECT_EQ(ctx.counters["fuse-simple-patterns.rsqrt"], 3);
}

// RELU(x) + (-alpha) * RELU(NEG(x)): the unfused PRELU.
TensorId UnfusedPrelu(GraphBuilder& b, TensorId x, TensorId minus_alpha) {
  TensorId neg = b.Op1(OpKind::kRelu, {b.Op1(OpKind::kNeg, {x})});
  return b.Op1(OpKind::kAdd, {b.Op1(OpKind::kRelu, {x}), b.Op1(OpKind::kMul, {minus_alpha, neg})});
}

// LEAKY_RELU (both forms) and PRELU with alpha along a known channel dim
// (NHWC or NCHW) fire with an unknown batch and H/W.
TEST(PassesFuseSimplePatterns, DynamicShapesLeakyReluAndPrelu) {
  constexpr int64_t kAny = kUnknownDim;
  GraphBuilder b;
  TensorId x = b.Input("x", {kAny, kAny, kAny, 3});
  OutputUnfusedLeakyRelus(b, x);
  b.Output(UnfusedPrelu(b, x, b.RandomConst({3}, 5, -0.5f, -0.1f)));
  TensorId nchw = b.Input("nchw", {kAny, 3, kAny, kAny});
  b.Output(UnfusedPrelu(b, nchw, b.RandomConst({3, 1, 1}, 6, -0.5f, -0.1f)));
  PassContext ctx = RunAndCompare(b, true, -3.0f, 3.0f,
                                  {{{1, 2, 2, 3}, {1, 3, 4, 4}}, {{3, 5, 1, 3}, {2, 3, 1, 6}}});
  EXPECT_EQ(b.graph().ops().size(), 4u);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kLeakyRelu), 2);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kPrelu), 2);
  EXPECT_EQ(ctx.counters["fuse-simple-patterns.prelu"], 2);
}

// A 4-wide alpha against an unknown channel dim may widen the output past x
// (channel 1 below); the pass keeps PRELU's output shape x's, so it declines
// (the runtime's PRELU broadcasts x too, so the numbers would still agree).
TEST(PassesFuseSimplePatterns, DynamicShapesPreluAlphaWiderThanUnknownChannels) {
  constexpr int64_t kAny = kUnknownDim;
  GraphBuilder b;
  TensorId x = b.Input("x", {kAny, kAny, kAny, kAny});
  b.Output(UnfusedPrelu(b, x, b.RandomConst({1, 1, 4}, 7, -0.5f, -0.1f)));
  const size_t ops = b.graph().ops().size();
  RunAndCompare(b, false, -3.0f, 3.0f, {{{1, 2, 2, 1}}, {{2, 3, 3, 4}}});
  EXPECT_EQ(b.graph().ops().size(), ops);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kPrelu), 0);
}
}  // namespace
}  // namespace optconv
