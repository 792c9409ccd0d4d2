// layout-nhwc: graphs in the importer's form (channels-first values, layout
// ops wrapped in transposes) lose their transposes and compute the same.
#include "passes/layout_nhwc.h"
#include "passes/layout_ops.h"

#include "passes/cleanup.h"
#include "passes/pipeline.h"
#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CountKind;
using passes_test::ExpectAllNear;
using passes_test::GraphBuilder;
using passes_test::RandomInputs;
using passes_test::RunGraph;
using passes_test::TransposeValues;

const Perm kToNhwc = {0, 2, 3, 1};
const Perm kToNchw = {0, 3, 1, 2};

// Runs layout-nhwc then cleanup, checking the graph stays valid.
PassContext RunLayout(Graph& g, bool keep_io) {
  PassContext ctx;
  LayoutNhwcPass layout(keep_io);
  auto changed = layout.Run(g, ctx);
  EXPECT_TRUE(changed.ok()) << changed.status();
  passes_test::ExpectValid(g);
  CleanupPass cleanup;
  auto cleaned = cleanup.Run(g, ctx);
  EXPECT_TRUE(cleaned.ok()) << cleaned.status();
  passes_test::ExpectValid(g);
  return ctx;
}

// conv -> relu -> conv, the simplest chain.
TEST(PassesLayoutNhwc, ConvReluConvKeepIo) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 3, 8, 8});
  TensorId y = b.NchwConv(x, 4, 3, 1);
  y = b.Op1(OpKind::kRelu, {y});
  y = b.NchwConv(y, 5, 3, 3);
  b.Output(y);
  Graph before = b.graph();
  Graph g = b.graph();
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 4);
  PassContext ctx = RunLayout(g, /*keep_io=*/true);
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 2);  // only the boundary ones
  EXPECT_EQ(g.tensor(g.inputs()[0]).shape, (Shape{1, 3, 8, 8}));
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{1, 5, 8, 8}));
  auto in = RandomInputs(before);
  ExpectAllNear(RunGraph(before, in)[0], RunGraph(g, in)[0]);
  EXPECT_EQ(ctx.counters["layout-nhwc.inputs_made_nhwc"], 0);
}

TEST(PassesLayoutNhwc, ConvReluConvNhwcInterface) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 3, 8, 8});
  TensorId y = b.NchwConv(x, 4, 3, 1);
  y = b.Op1(OpKind::kRelu, {y});
  y = b.NchwConv(y, 5, 3, 3);
  b.Output(y);
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx = RunLayout(g, /*keep_io=*/false);
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 0);
  EXPECT_EQ(g.tensor(g.inputs()[0]).shape, (Shape{1, 8, 8, 3}));
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{1, 8, 8, 5}));
  EXPECT_EQ(g.tensor(g.inputs()[0]).name, "x");
  EXPECT_EQ(ctx.counters["layout-nhwc.inputs_made_nhwc"], 1);
  EXPECT_EQ(ctx.counters["layout-nhwc.outputs_made_nhwc"], 1);
  EXPECT_EQ(ctx.counters["layout-nhwc.transposes_removed"], 4);
  auto in = RandomInputs(before);
  auto expected = RunGraph(before, in)[0];
  auto got = RunGraph(g, {TransposeValues(in[0], {1, 3, 8, 8}, kToNhwc)})[0];
  ExpectAllNear(TransposeValues(expected, {1, 5, 8, 8}, kToNhwc), got);
}

// A ResNet-like block: BN as MUL+ADD on NHWC, residual ADD of two transposed
// branches, global average pool + flatten + FC head.
TEST(PassesLayoutNhwc, ResidualBlockWithHead) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 3, 6, 6});
  TensorId stem = b.NchwConv(x, 4, 3, 1);
  TensorId bn_in = b.ToNhwc(stem);
  TensorId bn = b.Op1(OpKind::kMul, {bn_in, b.RandomConst({4}, 5)});
  bn = b.ToNchw(b.Op1(OpKind::kAdd, {bn, b.RandomConst({4}, 6)}));
  TensorId r = b.Op1(OpKind::kRelu, {bn});
  TensorId branch = b.NchwConv(r, 4, 3, 7);
  TensorId sum = b.Op1(OpKind::kAdd, {branch, r});
  sum = b.Op1(OpKind::kRelu, {sum});
  ReducerOptions keep;
  keep.keep_dims = true;
  TensorId pooled = b.ToNchw(b.Op1(OpKind::kMean, {b.ToNhwc(sum), b.Ints({1, 2})}, keep));
  TensorId flat = b.Op1(OpKind::kReshape, {pooled, b.Ints({1, 4})});
  TensorId fc = b.Op1(OpKind::kFullyConnected, {flat, b.RandomConst({3, 4}, 9), b.RandomConst({3}, 10)});
  b.Output(fc);
  Graph before = b.graph();
  Graph g = b.graph();
  RunLayout(g, /*keep_io=*/false);
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 0);
  // MEAN(keep_dims) + flatten became one MEAN(keep_dims=false).
  EXPECT_EQ(CountKind(g, OpKind::kReshape), 0);
  auto in = RandomInputs(before);
  auto expected = RunGraph(before, in)[0];
  auto got = RunGraph(g, {TransposeValues(in[0], {1, 3, 6, 6}, kToNhwc)})[0];
  ExpectAllNear(expected, got);
}

// Channels-first ops between the transposes: PRelu with alpha [C,1,1],
// concat on axis 1, pad, slice on channels, softmax over the last axis
// would be violated -> a reduction over axes [2,3] without keep_dims.
TEST(PassesLayoutNhwc, AgnosticOpsRemapAxes) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 3, 5, 5});
  TensorId a = b.NchwConv(x, 4, 3, 1);
  TensorId p = b.Op1(OpKind::kPrelu, {a, b.RandomConst({4, 1, 1}, 2)});
  TensorId c = b.NchwConv(x, 2, 1, 3);
  ConcatenationOptions cat;
  cat.axis = 1;
  TensorId cc = b.Op1(OpKind::kConcatenation, {p, c}, cat);  // [1,6,5,5]
  TensorId padded = b.Op1(OpKind::kPad, {cc, b.Ints({4, 2}, {0, 0, 0, 0, 1, 1, 2, 0})});
  TensorId sliced = b.Op1(OpKind::kSlice, {padded, b.Ints({0, 1, 0, 0}), b.Ints({1, 4, -1, -1})});
  SplitOptions so;
  so.num_splits = 2;
  auto halves = b.OpN(OpKind::kSplit, {b.Ints(Shape{}, {1}), sliced}, so, 2);
  TensorId sum = b.Op1(OpKind::kAdd, {halves[0], halves[1]});
  TensorId conv = b.NchwConv(sum, 3, 3, 4);
  TensorId pooled = b.Op1(OpKind::kMean, {conv, b.Ints({2, 3})});  // keep_dims=false -> [1,3]
  b.Output(pooled);
  Graph before = b.graph();
  Graph g = b.graph();
  RunLayout(g, /*keep_io=*/false);
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 0);
  EXPECT_EQ(CountKind(g, OpKind::kReshape), 0);
  auto in = RandomInputs(before);
  auto expected = RunGraph(before, in)[0];
  auto got = RunGraph(g, {TransposeValues(in[0], {1, 3, 5, 5}, kToNhwc)})[0];
  ExpectAllNear(expected, got);
}

// Swish: the transposed tensor feeds LOGISTIC and the MUL that also reads the
// LOGISTIC; pushing into one consumer at a time could not see that both absorb.
TEST(PassesLayoutNhwc, SwishMultipleConsumers) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 2, 4, 4});
  TensorId a = b.NchwConv(x, 3, 3, 1);
  TensorId s = b.Op1(OpKind::kLogistic, {a});
  TensorId m = b.Op1(OpKind::kMul, {a, s});
  b.Output(b.NchwConv(m, 2, 1, 2));
  Graph before = b.graph();
  Graph g = b.graph();
  RunLayout(g, /*keep_io=*/true);
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 2);
  auto in = RandomInputs(before);
  ExpectAllNear(RunGraph(before, in)[0], RunGraph(g, in)[0]);
}

// Softmax over channels (axis 1 in NCHW) is emitted as T -> SOFTMAX -> T with
// the channels moved last; it stays on the channels-last layout.
TEST(PassesLayoutNhwc, SoftmaxKeepsLastAxis) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 2, 4, 4});
  TensorId a = b.NchwConv(x, 3, 3, 1);
  TensorId sm = b.ToNchw(b.Op1(OpKind::kSoftmax, {b.ToNhwc(a)}));
  TensorId e = b.Op1(OpKind::kExp, {sm});
  b.Output(b.NchwConv(e, 2, 1, 2));
  Graph before = b.graph();
  Graph g = b.graph();
  RunLayout(g, /*keep_io=*/true);
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 2);
  auto in = RandomInputs(before);
  ExpectAllNear(RunGraph(before, in)[0], RunGraph(g, in)[0]);
}

// Squeeze-excite: the transposes around a [1,C,1,1] value only move size-1
// dims, so an earlier cleanup may already have lowered them to reshapes; the
// layout pass still cancels them.
void BuildSqueezeExcite(GraphBuilder& b, int64_t batch) {
  TensorId x = b.Input("x", {batch, 4, 5, 5});
  TensorId feat = b.Op1(OpKind::kRelu, {b.NchwConv(x, 6, 3, 1)});
  ReducerOptions keep;
  keep.keep_dims = true;
  TensorId pooled = b.ToNchw(b.Op1(OpKind::kMean, {b.ToNhwc(feat), b.Ints({1, 2})}, keep));
  TensorId se = b.Op1(OpKind::kRelu, {b.NchwConv(pooled, 3, 1, 2)});
  se = b.Op1(OpKind::kLogistic, {b.NchwConv(se, 6, 1, 3)});
  TensorId scaled = b.Op1(OpKind::kMul, {feat, se});
  b.Output(b.NchwConv(scaled, 2, 1, 4));
}

TEST(PassesLayoutNhwc, SqueezeExciteWithLoweredTransposes) {
  // An unknown batch is the reshapes' one unknown dim on both sides, so they
  // still only move size-1 dims (EfficientNet exported with a dynamic batch).
  for (const int64_t batch : {int64_t{1}, kUnknownDim}) {
    SCOPED_TRACE(batch);
    GraphBuilder b;
    BuildSqueezeExcite(b, batch);
    Graph before = b.graph();
    Graph g = b.graph();
    PassContext ctx;
    CleanupPass cleanup;
    ASSERT_TRUE(cleanup.Run(g, ctx).ok());  // lowers the unit-dim transposes
    EXPECT_GT(CountKind(g, OpKind::kReshape), 0);
    RunLayout(g, /*keep_io=*/false);
    EXPECT_EQ(CountKind(g, OpKind::kTranspose), 0);
    EXPECT_EQ(CountKind(g, OpKind::kReshape), 0);
    for (const int64_t n : {1, 3}) {
      const Graph bound_before = passes_test::BindInputShapes(before, {{n, 4, 5, 5}});
      const Graph bound_after = passes_test::BindInputShapes(g, {{n, 5, 5, 4}});
      auto in = RandomInputs(bound_before);
      auto expected = RunGraph(bound_before, in)[0];
      auto got = RunGraph(bound_after, {TransposeValues(in[0], {n, 4, 5, 5}, kToNhwc)})[0];
      ExpectAllNear(TransposeValues(expected, {n, 2, 5, 5}, kToNhwc), got);
      if (batch == 1) break;
    }
  }
}

// A reshape is a unit-dim permutation only when its dims are known, or when
// one unknown dim on each side must be the same one: with two unknowns the
// sizes could trade places ([2,3,1] -> [3,1,2] is no transpose).
TEST(PassesLayoutNhwc, UnitDimReshapeWithUnknownDims) {
  constexpr int64_t kAny = kUnknownDim;
  EXPECT_EQ(UnitDimReshapePerm({kAny, 1, 1, 8}, {kAny, 8, 1, 1}), (Perm{0, 3, 1, 2}));
  EXPECT_EQ(UnitDimReshapePerm({kAny, 8, 1}, {kAny, 1, 8}), (Perm{0, 2, 1}));
  EXPECT_EQ(UnitDimReshapePerm({kAny, kAny, 1}, {kAny, 1, kAny}), std::nullopt);
  EXPECT_EQ(UnitDimReshapePerm({kAny, 8, 1}, {8, 1, kAny}), std::nullopt);  // order changes
}

// Must not fire: a transpose whose only consumer needs the transposed layout
// (a flattening reshape of non-unit dims) and a plain transpose to an output.
TEST(PassesLayoutNhwc, KeepsNeededTransposes) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 3, 4, 4});
  TensorId t = b.ToNhwc(x);
  TensorId r = b.Op1(OpKind::kRelu, {t});
  TensorId flat = b.Op1(OpKind::kReshape, {r, b.Ints({1, 48})});
  b.Output(flat);
  Graph g = b.graph();
  PassContext ctx;
  LayoutNhwcPass layout(/*keep_io_layout=*/true);
  auto changed = layout.Run(g, ctx);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 1);
}

// Must not fire when it would not reduce the count: ADD of a transposed value
// and an untransposed one needs one transpose either way.
TEST(PassesLayoutNhwc, NoGainNoChange) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 3, 4, 4});
  TensorId y = b.Input("y", {1, 4, 4, 3});
  TensorId sum = b.Op1(OpKind::kAdd, {b.ToNhwc(x), y});
  b.Output(b.Conv(sum, 2, 1, 1));
  Graph g = b.graph();
  PassContext ctx;
  LayoutNhwcPass layout(/*keep_io_layout=*/true);
  auto changed = layout.Run(g, ctx);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 1);
}

// Dynamic batch: labels permute unknown dims like any other.
TEST(PassesLayoutNhwc, DynamicBatch) {
  GraphBuilder b;
  TensorId x = b.Input("x", {kUnknownDim, 3, 4, 4});
  TensorId y = b.Op1(OpKind::kRelu, {b.NchwConv(x, 2, 3, 1)});
  b.Output(b.NchwConv(y, 2, 3, 2));
  Graph g = b.graph();
  RunLayout(g, /*keep_io=*/false);
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 0);
  EXPECT_EQ(g.tensor(g.inputs()[0]).shape, (Shape{kUnknownDim, 4, 4, 3}));
}

}  // namespace
}  // namespace optconv
