// fuse-gelu and lower-erf: the erf and tanh GELU formulas become one GELU in
// their common algebraic spellings; an Erf outside GELU is lowered to builtins
// accurately; the exporter refuses an Erf that was not lowered.
#include <cmath>

#include "exporters/tflite/export_checks.h"
#include "passes/fuse_gelu.h"
#include "passes/lower_erf.h"
#include "passes/pipeline.h"
#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CountKind;
using passes_test::ExpectAllNear;
using passes_test::GraphBuilder;
using passes_test::RandomInputs;
using passes_test::RunGraph;

constexpr float kInvSqrt2 = 0.70710678f;
constexpr float kSqrt2 = 1.41421356f;
constexpr float kSqrt2OverPi = 0.79788456f;

TensorId Scalar(GraphBuilder& b, float v) { return b.Const({}, {v}); }
TensorId Mul(GraphBuilder& b, TensorId a, TensorId c) { return b.Op1(OpKind::kMul, {a, c}); }
TensorId Add(GraphBuilder& b, TensorId a, TensorId c) { return b.Op1(OpKind::kAdd, {a, c}); }

// Runs the pass; checks validity and numerical equivalence on inputs in [-4, 4].
PassContext RunAndCompare(GraphBuilder& b, Pass& pass, bool expect_change, float tol = 1e-5f) {
  passes_test::CompareOptions options;
  options.tolerance = tol;
  options.lo = -4.0f;
  options.hi = 4.0f;
  options.max_rounds = 1;
  return passes_test::RunAndCompare(b, {&pass}, expect_change, options);
}

TEST(PassesFuseGelu, ExactFormsFuse) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 3, 8});
  auto one_plus_erf = [&](TensorId arg, bool one_first) {
    TensorId e = b.Op1(OpKind::kErf, {arg});
    return one_first ? Add(b, Scalar(b, 1.0f), e) : Add(b, e, Scalar(b, 1.0f));
  };
  // PyTorch's export: (x * (erf(x / sqrt2) + 1)) * 0.5
  TensorId y1 = b.Op1(OpKind::kDiv, {x, Scalar(b, kSqrt2)});
  y1 = Mul(b, Mul(b, x, one_plus_erf(y1, false)), Scalar(b, 0.5f));
  // TF's: (0.5 * x) * (1 + erf(x * (1/sqrt2)))
  TensorId y2 = Mul(b, Mul(b, Scalar(b, 0.5f), y1),
                    one_plus_erf(Mul(b, Scalar(b, kInvSqrt2), y1), true));
  // x * (0.5 * (1 + erf(x / sqrt2)))
  TensorId e3 = one_plus_erf(b.Op1(OpKind::kDiv, {y2, Scalar(b, kSqrt2)}), true);
  TensorId y3 = Mul(b, y2, Mul(b, e3, Scalar(b, 0.5f)));
  // (x * (1 + erf(x * (1/sqrt2)))) / 2
  TensorId e4 = one_plus_erf(Mul(b, y3, Scalar(b, kInvSqrt2)), false);
  TensorId y4 = b.Op1(OpKind::kDiv, {Mul(b, e4, y3), Scalar(b, 2.0f)});
  b.Output(y4);
  FuseGeluPass pass;
  PassContext ctx = RunAndCompare(b, pass, true);
  EXPECT_EQ(b.graph().ops().size(), 4u);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kGelu), 4);
  EXPECT_EQ(ctx.counters["fuse-gelu.exact"], 4);
  for (const Op& op : b.graph().ops()) EXPECT_FALSE(op.opts<GeluOptions>().approximate);
}

// TF's tf.nn.gelu(approximate=False): 0.5 * x * erfc(-x / sqrt2), imported
// as 1 - erf(NEG(x) * (1/sqrt2)); also with the negation folded into the scale.
TEST(PassesFuseGelu, ErfcFormsFuse) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 8});
  auto erfc = [&](TensorId arg) {
    return b.Op1(OpKind::kSub, {Scalar(b, 1.0f), b.Op1(OpKind::kErf, {arg})});
  };
  TensorId neg = b.Op1(OpKind::kNeg, {x});
  TensorId y1 = Mul(b, Mul(b, Scalar(b, 0.5f), x), erfc(Mul(b, neg, Scalar(b, kInvSqrt2))));
  TensorId y2 = Mul(b, Mul(b, y1, Scalar(b, 0.5f)), erfc(Mul(b, y1, Scalar(b, -kInvSqrt2))));
  b.Output(y2);
  // Must not fire: 1 - erf(+x/sqrt2) is no GELU.
  TensorId z = b.Input("z", {2, 8});
  b.Output(Mul(b, Mul(b, Scalar(b, 0.5f), z), erfc(Mul(b, z, Scalar(b, kInvSqrt2)))));
  FuseGeluPass pass;
  PassContext ctx = RunAndCompare(b, pass, true);
  EXPECT_EQ(ctx.counters["fuse-gelu.exact"], 2);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kGelu), 2);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kErf), 1);
}

TEST(PassesFuseGelu, TanhFormsFuse) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 16});
  auto gelu_tanh = [&](TensorId v, TensorId arg) {
    TensorId t = Add(b, Scalar(b, 1.0f), b.Op1(OpKind::kTanh, {arg}));
    return Mul(b, Mul(b, Scalar(b, 0.5f), v), t);
  };
  // sqrt(2/pi) * (x + 0.044715 * pow(x, 3))  (Keras, TF, HF "gelu_new")
  TensorId cube = b.Op1(OpKind::kPow, {x, Scalar(b, 3.0f)});
  TensorId arg = Mul(b, Scalar(b, kSqrt2OverPi), Add(b, x, Mul(b, Scalar(b, 0.044715f), cube)));
  TensorId y1 = gelu_tanh(x, arg);
  // (x * x * x) * 0.044715 + x, then * sqrt(2/pi)
  TensorId cube2 = Mul(b, Mul(b, y1, y1), y1);
  TensorId arg2 = Mul(b, Add(b, Mul(b, cube2, Scalar(b, 0.044715f)), y1), Scalar(b, kSqrt2OverPi));
  TensorId y2 = gelu_tanh(y1, arg2);
  // expanded: c*x + (c*0.044715) * (x * square(x))
  TensorId cube3 = Mul(b, y2, b.Op1(OpKind::kSquare, {y2}));
  TensorId arg3 = Add(b, Mul(b, Scalar(b, kSqrt2OverPi), y2),
                      Mul(b, cube3, Scalar(b, kSqrt2OverPi * 0.044715f)));
  TensorId y3 = gelu_tanh(y2, arg3);
  b.Output(y3);
  FuseGeluPass pass;
  PassContext ctx = RunAndCompare(b, pass, true);
  EXPECT_EQ(b.graph().ops().size(), 3u);
  EXPECT_EQ(ctx.counters["fuse-gelu.tanh"], 3);
  for (const Op& op : b.graph().ops()) EXPECT_TRUE(op.opts<GeluOptions>().approximate);
}

// Must not fire: an intermediate with a second use, wrong constants, the erf of
// another tensor, a fused activation inside the chain, a non-cubic power.
TEST(PassesFuseGelu, MustNotFire) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 8});
  TensorId z = b.Input("z", {1, 8});
  auto exact = [&](TensorId v, TensorId erf_of, float half, float inv_sqrt2) {
    TensorId e = b.Op1(OpKind::kErf, {Mul(b, erf_of, Scalar(b, inv_sqrt2))});
    return std::pair{Mul(b, Mul(b, v, Add(b, e, Scalar(b, 1.0f))), Scalar(b, half)), e};
  };
  auto [y1, e1] = exact(x, x, 0.5f, kInvSqrt2);
  b.Output(y1);
  b.Output(e1);  // second use of the erf
  b.Output(exact(x, x, 0.6f, kInvSqrt2).first);
  b.Output(exact(x, x, 0.5f, 0.8f).first);
  b.Output(exact(x, z, 0.5f, kInvSqrt2).first);
  BinaryOptions relu;
  relu.activation = Activation::kRelu;
  TensorId e5 = b.Op1(OpKind::kErf, {Mul(b, x, Scalar(b, kInvSqrt2))});
  TensorId a5 = b.Op1(OpKind::kAdd, {e5, Scalar(b, 1.0f)}, relu);
  b.Output(Mul(b, Mul(b, x, a5), Scalar(b, 0.5f)));
  TensorId sq = b.Op1(OpKind::kPow, {x, Scalar(b, 2.0f)});
  TensorId arg = Mul(b, Scalar(b, kSqrt2OverPi), Add(b, x, Mul(b, Scalar(b, 0.044715f), sq)));
  b.Output(Mul(b, Mul(b, Scalar(b, 0.5f), x),
               Add(b, Scalar(b, 1.0f), b.Op1(OpKind::kTanh, {arg}))));
  const size_t ops = b.graph().ops().size();
  FuseGeluPass pass;
  RunAndCompare(b, pass, false);
  EXPECT_EQ(b.graph().ops().size(), ops);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kGelu), 0);
}

// GELU is elementwise with one-element constants only, so an unknown batch,
// sequence length or width changes nothing: the erf, erfc and tanh forms fuse
// and agree at several concrete shapes.
TEST(PassesFuseGelu, DynamicShapes) {
  constexpr int64_t kAny = kUnknownDim;
  GraphBuilder b;
  TensorId x = b.Input("x", {kAny, kAny, 8});
  TensorId e = b.Op1(OpKind::kErf, {b.Op1(OpKind::kDiv, {x, Scalar(b, kSqrt2)})});
  b.Output(Mul(b, Mul(b, x, Add(b, e, Scalar(b, 1.0f))), Scalar(b, 0.5f)));
  TensorId y = b.Input("y", {kAny, kAny});
  TensorId erf = b.Op1(OpKind::kErf, {Mul(b, y, Scalar(b, -kInvSqrt2))});
  TensorId erfc = b.Op1(OpKind::kSub, {Scalar(b, 1.0f), erf});
  b.Output(Mul(b, Mul(b, Scalar(b, 0.5f), y), erfc));
  TensorId z = b.Input("z", {kAny, 16});
  TensorId cube = b.Op1(OpKind::kPow, {z, Scalar(b, 3.0f)});
  TensorId arg = Mul(b, Scalar(b, kSqrt2OverPi), Add(b, z, Mul(b, Scalar(b, 0.044715f), cube)));
  TensorId tanh = Add(b, Scalar(b, 1.0f), b.Op1(OpKind::kTanh, {arg}));
  b.Output(Mul(b, Mul(b, Scalar(b, 0.5f), z), tanh));
  passes_test::CompareOptions options;
  options.lo = -4.0f;
  options.hi = 4.0f;
  options.bindings = {{{1, 5, 8}, {1, 1}, {1, 16}}, {{3, 2, 8}, {4, 7}, {3, 16}}};
  FuseGeluPass pass;
  PassContext ctx = passes_test::RunAndCompare(b, {&pass}, true, options);
  EXPECT_EQ(ctx.counters["fuse-gelu.exact"], 2);
  EXPECT_EQ(ctx.counters["fuse-gelu.tanh"], 1);
  EXPECT_EQ(b.graph().ops().size(), 3u);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kGelu), 3);
}

TEST(PassesLowerErf, ExpansionIsAccurate) {
  std::vector<float> xs;
  for (float v = -6.0f; v <= 6.0f; v += 0.00390625f) xs.push_back(v);
  GraphBuilder b;
  TensorId x = b.Input("x", {static_cast<int64_t>(xs.size())});
  b.Output(b.Op1(OpKind::kErf, {x}));
  Graph g = b.graph();
  PassContext ctx;
  LowerErfPass pass;
  auto changed = pass.Run(g, ctx);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(*changed);
  passes_test::ExpectValid(g);
  EXPECT_EQ(CountKind(g, OpKind::kErf), 0);
  EXPECT_EQ(ctx.counters["lower-erf.lowered"], 1);
  for (const Op& op : g.ops()) EXPECT_FALSE(IsInternalOp(op.kind)) << OpKindName(op.kind);
  std::vector<float> ys = RunGraph(g, {xs})[0];
  double worst = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    worst = std::max(worst, std::abs(ys[i] - std::erf(double{xs[i]})));
  }
  EXPECT_LE(worst, 2e-7);
}

// The default pipeline fuses the GELU and lowers the Erf that is not part of
// one, so nothing internal reaches the exporter; an Erf that does is an
// internal error in the node format.
TEST(PassesLowerErf, PipelineLeavesNoInternalOpAndExporterRefusesOne) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 8});
  TensorId e = b.Op1(OpKind::kErf, {b.Op1(OpKind::kDiv, {x, Scalar(b, kSqrt2)})});
  b.Output(Mul(b, Mul(b, x, Add(b, e, Scalar(b, 1.0f))), Scalar(b, 0.5f)));
  b.Output(b.Op1(OpKind::kErf, {x}));
  absl::Status refused = CheckExportable(b.graph());
  EXPECT_EQ(refused.code(), absl::StatusCode::kInternal) << refused;
  EXPECT_NE(refused.message().find("(Erf): internal op Erf"), std::string::npos) << refused;
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  ASSERT_TRUE(DefaultPipeline().Run(g, ctx, {}).ok());
  EXPECT_EQ(CountKind(g, OpKind::kGelu), 1);
  EXPECT_EQ(CountKind(g, OpKind::kErf), 0);
  EXPECT_TRUE(CheckExportable(g).ok());
  auto in = RandomInputs(before);
  auto want = RunGraph(before, in), got = RunGraph(g, in);
  for (size_t i = 0; i < want.size(); ++i) ExpectAllNear(want[i], got[i], 1e-5f);
}

// Unknown dims: the Erf expansion is elementwise with scalar constants, so an
// Erf of unknown batch and length lowers and matches at two bindings.
TEST(PassesLowerErf, DynamicShapes) {
  GraphBuilder b;
  TensorId x = b.Input("x", {kUnknownDim, kUnknownDim, 8});
  b.Output(b.Op1(OpKind::kErf, {x}));
  passes_test::CompareOptions options;
  options.lo = -4.0f;
  options.hi = 4.0f;
  options.bindings = {{{1, 1, 8}}, {{3, 5, 8}}};
  LowerErfPass pass;
  PassContext ctx = passes_test::RunAndCompare(b, {&pass}, true, options);
  EXPECT_EQ(ctx.counters["lower-erf.lowered"], 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kErf), 0);
}

}  // namespace
}  // namespace optconv
