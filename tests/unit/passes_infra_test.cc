// Pass infrastructure and the smaller cleanups: iteration caps reported,
// the pipeline description with options, the fold-constants size cap,
// whole-tensor slices removed, and the layout report's reasons.
#include "passes/cleanup.h"
#include "passes/fold_constants.h"
#include "passes/layout_report.h"
#include "passes/pipeline.h"
#include "passes/rewrite_driver.h"
#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CountKind;
using passes_test::ExpectAllNear;
using passes_test::GraphBuilder;
using passes_test::RandomInputs;
using passes_test::RunGraph;

class AlwaysChangingPass : public Pass {
 public:
  std::string_view name() const override { return "always-changes"; }
  std::string_view summary() const override { return "test"; }
  std::vector<PassOption> options() const override { return {{"knob", "7"}}; }
  absl::StatusOr<bool> Run(Graph&, PassContext&) override { return true; }
};

TEST(PassesInfra, RewriteDriverReportsItsIterationCap) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2});
  b.Output(b.Op1(OpKind::kRelu, {x}));
  Graph g = b.graph();
  // A pattern that never reaches a fixed point (it rewrites the same op
  // forever): the cap stops it, and the stop is reported.
  RewritePattern flip{"flip", {OpKind::kRelu}, nullptr,
                      [](RewriteState& s, int i) -> absl::StatusOr<bool> {
                        s.graph().ops()[static_cast<size_t>(i)].origin.node_name += "!";
                        return true;
                      }};
  PassContext ctx;
  RewriteOptions options;
  options.max_sweeps = 3;
  auto changed = ApplyPatterns(g, {flip}, ctx, "test-pass", options);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(ctx.counters["test-pass.flip"], 3);
  EXPECT_EQ(ctx.counters["test-pass.sweep_cap_hit"], 1);
  ASSERT_EQ(ctx.warnings.size(), 1u);
  EXPECT_NE(ctx.warnings[0].find("'test-pass'"), std::string::npos) << ctx.warnings[0];

  // Must not fire: a pattern that converges within the cap.
  PassContext quiet;
  RewritePattern once{"once", {OpKind::kRelu}, nullptr,
                      [](RewriteState& s, int i) -> absl::StatusOr<bool> {
                        Op& op = s.graph().ops()[static_cast<size_t>(i)];
                        if (op.origin.op_type == "done") return false;
                        op.origin.op_type = "done";
                        return true;
                      }};
  ASSERT_TRUE(ApplyPatterns(g, {once}, quiet, "test-pass", options).ok());
  EXPECT_EQ(quiet.counters.count("test-pass.sweep_cap_hit"), 0u);
  EXPECT_TRUE(quiet.warnings.empty());
}

TEST(PassesInfra, PipelineReportsRoundCapAndDescribesOptions) {
  Pipeline p;
  std::vector<std::unique_ptr<Pass>> group;
  group.push_back(std::make_unique<AlwaysChangingPass>());
  p.AddFixedPointGroup(std::move(group), 3);
  Graph g;
  PassContext ctx;
  ASSERT_TRUE(p.Run(g, ctx, {}).ok());
  EXPECT_EQ(ctx.counters["pipeline.round_cap_hit"], 1);
  EXPECT_EQ(ctx.warnings.size(), 1u);
  const std::string text = p.Describe();
  EXPECT_NE(text.find("at most 3 rounds"), std::string::npos) << text;
  EXPECT_NE(text.find("  always-changes  knob=7  test"), std::string::npos) << text;
}

TEST(PassesInfra, DefaultPipelineDescriptionShowsOptions) {
  DefaultPipelineOptions options;
  options.keep_io_layout = true;
  options.fold_max_bytes = 4096;
  const std::string text = DefaultPipeline(options).Describe();
  EXPECT_NE(text.find("max-bytes=4096"), std::string::npos) << text;
  EXPECT_NE(text.find("keep-io-layout=true"), std::string::npos) << text;
}

// TILE of a small constant into a big tensor stays an op under the cap and
// folds above it; both graphs compute the same values.
TEST(PassesInfra, FoldConstantsSizeCap) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1000, 300});
  TensorId row = b.RandomConst({1, 300}, 5);
  TensorId tiled = b.Op1(OpKind::kTile, {row, b.Ints({1000, 1})});  // 1.2 MB from 1.2 kB
  b.Output(b.Op1(OpKind::kAdd, {x, tiled}));
  Graph before = b.graph();

  Graph capped = b.graph();
  PassContext ctx;
  FoldConstantsPass small_cap(int64_t{1} << 20);
  auto changed = small_cap.Run(capped, ctx);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_FALSE(*changed);
  EXPECT_EQ(CountKind(capped, OpKind::kTile), 1);
  EXPECT_EQ(ctx.counters["fold-constants.skipped_too_large"], 1);

  Graph folded = b.graph();
  PassContext ctx2;
  FoldConstantsPass big_cap(int64_t{8} << 20);
  changed = big_cap.Run(folded, ctx2);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(CountKind(folded, OpKind::kTile), 0);

  auto in = RandomInputs(before);
  ExpectAllNear(RunGraph(before, in)[0], RunGraph(capped, in)[0]);
  ExpectAllNear(RunGraph(before, in)[0], RunGraph(folded, in)[0]);
}

TEST(PassesInfra, CleanupRemovesWholeTensorSlices) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 3, 4});
  TensorId s = b.Op1(OpKind::kSlice, {x, b.Ints({0, 0, 0}), b.Ints({2, -1, 4})});
  TensorId t = b.Op1(OpKind::kStridedSlice,
                     {b.Op1(OpKind::kRelu, {s}), b.Ints({0, 0, 0}), b.Ints({2, 3, 4}), b.Ints({1, 1, 1})});
  b.Output(b.Op1(OpKind::kExp, {t}));
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  CleanupPass pass;
  auto changed = pass.Run(g, ctx);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(CountKind(g, OpKind::kSlice) + CountKind(g, OpKind::kStridedSlice), 0);
  EXPECT_EQ(ctx.counters["cleanup.whole_slice"], 2);
  auto in = RandomInputs(before);
  ExpectAllNear(RunGraph(before, in)[0], RunGraph(g, in)[0]);
}

TEST(PassesInfra, CleanupKeepsRealSlices) {
  GraphBuilder b;
  TensorId x = b.Input("x", {2, 6});
  TensorId part = b.Op1(OpKind::kSlice, {x, b.Ints({0, 1}), b.Ints({2, 5})});
  // Stride 2 over a dim of 1 keeps the shape but is still checked as strided.
  TensorId strided =
      b.Op1(OpKind::kStridedSlice, {x, b.Ints({0, 0}), b.Ints({2, 6}), b.Ints({1, 2})});
  ConcatenationOptions cat;
  cat.axis = 1;
  b.Output(b.Op1(OpKind::kConcatenation, {part, strided}, cat));
  Graph g = b.graph();
  PassContext ctx;
  CleanupPass pass;
  ASSERT_TRUE(pass.Run(g, ctx).ok());
  EXPECT_EQ(CountKind(g, OpKind::kSlice), 1);
  EXPECT_EQ(CountKind(g, OpKind::kStridedSlice), 1);
  EXPECT_EQ(ctx.counters.count("cleanup.whole_slice"), 0u);
}

TEST(PassesInfra, LayoutReportCountsAndExplains) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 2, 3, 4});
  TensorId conv = b.NchwConv(x, 4, 1, 1);  // two importer transposes
  // A source Transpose into a reshape that mixes the permuted dims.
  TensorId t = b.Transpose(conv, {0, 2, 1, 3});
  b.graph().ops().back().origin = {"attn_transpose", "Transpose"};
  TensorId flat = b.Op1(OpKind::kReshape, {t, b.Ints({1, 12, 4})});
  b.Output(b.Op1(OpKind::kTanh, {flat}));
  TensorId out_t = b.Transpose(b.Op1(OpKind::kRelu, {x}), {0, 2, 3, 1});
  b.Output(out_t);
  // Importer-inserted transposes carry the origin of the op they wrap.
  for (Op& op : b.graph().ops()) {
    if (op.kind == OpKind::kTranspose && op.origin.node_name != "attn_transpose") {
      op.origin.op_type = "Conv";
    }
  }
  const Graph& g = b.graph();

  ImportedTransposes counts = CountImportedTransposes(g);
  EXPECT_EQ(counts.inserted, 3);
  EXPECT_EQ(counts.from_source, 1);

  std::vector<RemainingTranspose> left = ExplainTransposes(g, /*keep_io_layout=*/true);
  ASSERT_EQ(left.size(), 4u);
  EXPECT_EQ(left[2].node, "attn_transpose");
  EXPECT_EQ(left[2].perm, (std::vector<int32_t>{0, 2, 1, 3}));
  EXPECT_NE(left[2].reason.find("reshape that mixes"), std::string::npos) << left[2].reason;
  EXPECT_NE(left[3].reason.find("feeds graph output"), std::string::npos) << left[3].reason;
  EXPECT_NE(left[3].reason.find("--keep-io-layout"), std::string::npos) << left[3].reason;
}

}  // namespace
}  // namespace optconv
