// Pipeline mechanics (disabled passes, hooks, failing passes) and the default
// pipeline end to end on importer-shaped CNN blocks, including ShuffleNet's
// channel shuffle.
#include "passes/pipeline.h"

#include <algorithm>
#include <set>

#include "passes/channel_shuffle.h"
#include "passes_test_util.h"

namespace optconv {
namespace {

using passes_test::CountKind;
using passes_test::ExpectAllNear;
using passes_test::GraphBuilder;
using passes_test::CompareOptions;
using passes_test::RandomInputs;
using passes_test::RunAndCompare;
using passes_test::RunGraph;
using passes_test::TransposeValues;

const Perm kToNhwc = {0, 2, 3, 1};

class FailingPass : public Pass {
 public:
  std::string_view name() const override { return "always-fails"; }
  std::string_view summary() const override { return "test"; }
  absl::StatusOr<bool> Run(Graph&, PassContext&) override {
    return absl::UnimplementedError("boom");
  }
};

class CountingPass : public Pass {
 public:
  explicit CountingPass(int changes) : changes_(changes) {}
  std::string_view name() const override { return "counting"; }
  std::string_view summary() const override { return "test"; }
  absl::StatusOr<bool> Run(Graph&, PassContext& ctx) override {
    ctx.Count(name(), "runs");
    return changes_-- > 0;
  }

 private:
  int changes_;
};

TEST(PassesPipeline, FailingPassIsNamedAndKeepsCode) {
  Pipeline p;
  p.Add(std::make_unique<FailingPass>());
  Graph g;
  PassContext ctx;
  absl::Status s = p.Run(g, ctx, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("pass 'always-fails'"), std::string_view::npos) << s;
}

TEST(PassesPipeline, DisabledHooksAndFixedPoint) {
  Pipeline p;
  std::vector<std::unique_ptr<Pass>> group;
  group.push_back(std::make_unique<CountingPass>(2));
  p.AddFixedPointGroup(std::move(group), 10);
  p.Add(std::make_unique<FailingPass>());
  Graph g;
  PassContext ctx;
  PipelineOptions options;
  options.disabled = {"always-fails"};
  options.verify_each = true;
  std::vector<std::string> seen;
  options.after_pass = [&](std::string_view name, bool, const Graph&) {
    seen.emplace_back(name);
  };
  ASSERT_TRUE(p.Run(g, ctx, options).ok());
  EXPECT_EQ(ctx.counters["counting.runs"], 3);  // two changing rounds + one quiet
  EXPECT_EQ(seen.size(), 3u);

  options.disabled = {"no-such-pass"};
  EXPECT_EQ(p.Run(g, ctx, options).code(), absl::StatusCode::kInvalidArgument);
}

TEST(PassesPipeline, DefaultPipelineListsPasses) {
  Pipeline p = DefaultPipeline();
  std::vector<std::string> names;
  for (const auto& pass : p.passes()) names.emplace_back(pass->name());
  // The passes every conversion relies on, in this relative order (fusion
  // passes are added between them over time).
  const std::vector<std::string> required = {"fold-constants", "cleanup", "cse", "channel-shuffle",
                                             "layout-nhwc", "fold-flatten-transpose",
                                             "fold-batchnorm", "fuse-bias", "fuse-activation"};
  auto it = names.begin();
  for (const std::string& name : required) {
    it = std::find(it, names.end(), name);
    EXPECT_NE(it, names.end()) << name << " missing or out of order";
  }
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size())
      << "pass names must be unique";
}

// Importer-shaped ShuffleNet unit: conv, channel split via SLICE on axis 1,
// branch conv + BN + relu, concat on axis 1, channel shuffle
// (reshape-transpose-reshape), pooled head.
TEST(PassesPipeline, ShuffleNetUnitHasNoTranspose) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 3, 6, 6});
  TensorId stem = b.Op1(OpKind::kRelu, {b.NchwConv(x, 8, 3, 1)});
  TensorId left = b.Op1(OpKind::kSlice, {stem, b.Ints({0, 0, 0, 0}), b.Ints({1, 4, 6, 6})});
  TensorId right = b.Op1(OpKind::kSlice, {stem, b.Ints({0, 4, 0, 0}), b.Ints({1, 4, 6, 6})});
  TensorId r = b.ToNhwc(right);
  r = b.Conv(r, 4, 1, 2, /*bias=*/false);
  r = b.Op1(OpKind::kMul, {r, b.RandomConst({4}, 3, 0.5f, 1.5f)});
  r = b.Op1(OpKind::kAdd, {r, b.RandomConst({4}, 4)});
  r = b.Op1(OpKind::kRelu, {b.ToNchw(r)});
  ConcatenationOptions cat;
  cat.axis = 1;
  TensorId cc = b.Op1(OpKind::kConcatenation, {left, r}, cat);
  TensorId s = b.Op1(OpKind::kReshape, {cc, b.Ints({1, 2, 4, 6, 6})});
  s = b.Transpose(s, {0, 2, 1, 3, 4});
  s = b.Op1(OpKind::kReshape, {s, b.Ints({1, 8, 6, 6})});
  TensorId head = b.NchwConv(s, 5, 1, 5);
  TensorId pooled = b.Op1(OpKind::kMean, {head, b.Ints({2, 3})});
  b.Output(pooled);
  Graph before = b.graph();
  Graph g = b.graph();
  const size_t ops_before = g.ops().size();
  PassContext ctx;
  PipelineOptions options;
  options.verify_each = true;
  absl::Status st = DefaultPipeline().Run(g, ctx, options);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 0);
  EXPECT_EQ(CountKind(g, OpKind::kGather), 1);
  EXPECT_EQ(ctx.counters["channel-shuffle.shuffles_to_gather"], 1);
  EXPECT_LT(g.ops().size(), ops_before);
  auto in = RandomInputs(before);
  auto expected = RunGraph(before, in)[0];
  auto got = RunGraph(g, {TransposeValues(in[0], {1, 3, 6, 6}, kToNhwc)})[0];
  ExpectAllNear(expected, got);
}

// Must not fire: a reshape-transpose-reshape that mixes two axes.
TEST(PassesPipeline, ChannelShuffleKeepsRealTransposes) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 4, 6});
  TensorId s = b.Op1(OpKind::kReshape, {x, b.Ints({1, 2, 2, 6})});
  s = b.Transpose(s, {0, 3, 2, 1});
  b.Output(b.Op1(OpKind::kReshape, {s, b.Ints({1, 4, 6})}));
  Graph g = b.graph();
  PassContext ctx;
  ChannelShufflePass pass;
  auto changed = pass.Run(g, ctx);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
}

// RESHAPE -> TRANSPOSE -> RESHAPE, the form of a channel shuffle.
TensorId ReshapeTransposeReshape(GraphBuilder& b, TensorId x, const std::vector<int32_t>& split,
                                 const std::vector<int32_t>& perm,
                                 const std::vector<int32_t>& merged) {
  TensorId s = b.Transpose(b.Op1(OpKind::kReshape, {x, b.Ints(split)}), perm);
  return b.Op1(OpKind::kReshape, {s, b.Ints(merged)});
}

// An unknown batch that every op of the chain keeps as dim 0 (ShuffleNet
// exported with a dynamic batch): each image is shuffled alike, so the chain
// is one channel GATHER at any batch.
TEST(PassesPipeline, ChannelShuffleWithUnknownBatchFires) {
  GraphBuilder b;
  TensorId x = b.Input("x", {kUnknownDim, 8, 3, 3});
  b.Output(ReshapeTransposeReshape(b, x, {-1, 2, 4, 3, 3}, {0, 2, 1, 3, 4}, {-1, 8, 3, 3}));
  CompareOptions batch_1_and_3;
  batch_1_and_3.bindings = {{{1, 8, 3, 3}}, {{3, 8, 3, 3}}};
  ChannelShufflePass pass;
  RunAndCompare(b, {&pass}, true, batch_1_and_3);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kGather), 1);
  EXPECT_EQ(CountKind(b.graph(), OpKind::kTranspose), 0);
}

// Must not fire: an unknown length (the element map needs every size other
// than the batch), and a chain whose last reshape folds channels into the
// batch ([?,8] -> [?,2,4] -> [?,4,2] -> [?,4]: twice as many rows).
TEST(PassesPipeline, ChannelShuffleRefusesUnknownLengthAndBatchChanges) {
  GraphBuilder b;
  TensorId y = b.Input("y", {1, 8, kUnknownDim});
  b.Output(ReshapeTransposeReshape(b, y, {1, 2, 4, -1}, {0, 2, 1, 3}, {1, 8, -1}));
  TensorId x = b.Input("x", {kUnknownDim, 8});
  b.Output(ReshapeTransposeReshape(b, x, {-1, 2, 4}, {0, 2, 1}, {-1, 4}));
  CompareOptions two_bindings;
  two_bindings.bindings = {{{1, 8, 5}, {1, 8}}, {{1, 8, 2}, {3, 8}}};
  const size_t ops = b.graph().ops().size();
  ChannelShufflePass pass;
  RunAndCompare(b, {&pass}, false, two_bindings);
  EXPECT_EQ(b.graph().ops().size(), ops);
}

// Must not fire: the transpose moves the unknown batch into the rows, so the
// chain is a channel GATHER at batch 1 but mixes images at batch 3.
TEST(PassesPipeline, ChannelShuffleKeepsBatchMixingChain) {
  GraphBuilder b;
  TensorId x = b.Input("x", {kUnknownDim, 8});
  b.Output(ReshapeTransposeReshape(b, x, {-1, 2, 4}, {2, 0, 1}, {-1, 8}));
  CompareOptions batch_1_and_3;
  batch_1_and_3.bindings = {{{1, 8}}, {{3, 8}}};
  const size_t ops = b.graph().ops().size();
  ChannelShufflePass pass;
  RunAndCompare(b, {&pass}, false, batch_1_and_3);
  EXPECT_EQ(b.graph().ops().size(), ops);
}

// Megvii ShuffleNetV2 (FastestDet's backbone): the shuffle and split are one
// chain, reshape [C/2, 2, HW] -> transpose (1,0,2) -> reshape
// [2, N, C/2, H, W] -> GATHER 0 and 1: the even and the odd channels.
TEST(PassesPipeline, MegviiShuffleSplitBecomesChannelGathers) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 3, 4, 4});
  TensorId stem = b.Op1(OpKind::kRelu, {b.NchwConv(x, 8, 3, 1)});
  TensorId s = b.Op1(OpKind::kReshape, {stem, b.Ints({4, 2, 16})});
  s = b.Transpose(s, {1, 0, 2});
  s = b.Op1(OpKind::kReshape, {s, b.Ints({2, 1, 4, 4, 4})});
  TensorId even = b.Op1(OpKind::kGather, {s, b.Ints({}, {0})});
  TensorId odd = b.Op1(OpKind::kGather, {s, b.Ints({}, {1})});
  TensorId branch = b.Op1(OpKind::kRelu, {b.NchwConv(odd, 4, 1, 2)});
  ConcatenationOptions cat;
  cat.axis = 1;
  b.Output(b.Op1(OpKind::kConcatenation, {even, branch}, cat));
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  PipelineOptions options;
  options.verify_each = true;
  ASSERT_TRUE(DefaultPipeline().Run(g, ctx, options).ok());
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 0);
  EXPECT_EQ(CountKind(g, OpKind::kReshape), 0);
  EXPECT_EQ(CountKind(g, OpKind::kGather), 2);
  EXPECT_EQ(ctx.counters["channel-shuffle.shuffles_to_gather"], 2);
  auto in = RandomInputs(before);
  auto expected = RunGraph(before, in)[0];
  auto got = RunGraph(g, {TransposeValues(in[0], {1, 3, 4, 4}, kToNhwc)})[0];
  ExpectAllNear(expected, TransposeValues(got, {1, 4, 4, 8}, {0, 3, 1, 2}));
}

// Must not fire: a third reader of the reshaped tensor keeps the chain alive,
// so GATHERs for the two selections would add work instead of replacing it.
TEST(PassesPipeline, ShuffleSplitWithAnotherReaderIsKept) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 8, 4, 4});
  TensorId s = b.Op1(OpKind::kReshape, {x, b.Ints({4, 2, 16})});
  s = b.Transpose(s, {1, 0, 2});
  s = b.Op1(OpKind::kReshape, {s, b.Ints({2, 1, 4, 4, 4})});
  b.Output(b.Op1(OpKind::kGather, {s, b.Ints({}, {0})}));
  b.Output(b.Op1(OpKind::kRelu, {s}));
  Graph g = b.graph();
  PassContext ctx;
  ChannelShufflePass pass;
  auto changed = pass.Run(g, ctx);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(*changed);
}

// VGG-style head: the flatten of a 3x3 feature map needs the channels-first
// element order; the FC weights absorb it instead of a TRANSPOSE.
TEST(PassesPipeline, FlattenIntoFullyConnectedHasNoTranspose) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 3, 3, 3});
  TensorId f = b.Op1(OpKind::kRelu, {b.NchwConv(x, 4, 3, 1)});
  TensorId flat = b.Op1(OpKind::kReshape, {f, b.Ints({1, 36})});
  TensorId fc = b.Op1(OpKind::kFullyConnected, {flat, b.RandomConst({5, 36}, 2), b.RandomConst({5}, 3)});
  b.Output(b.Op1(OpKind::kFullyConnected, {fc, b.RandomConst({2, 5}, 4)}));
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  PipelineOptions options;
  options.verify_each = true;
  ASSERT_TRUE(DefaultPipeline().Run(g, ctx, options).ok());
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 0);
  EXPECT_EQ(ctx.counters["fold-flatten-transpose.folded"], 1);
  auto in = RandomInputs(before);
  auto expected = RunGraph(before, in)[0];
  auto got = RunGraph(g, {TransposeValues(in[0], {1, 3, 3, 3}, kToNhwc)})[0];
  ExpectAllNear(expected, got);
}

TEST(PassesPipeline, KeepIoLayoutLeavesOnlyBoundaryTransposes) {
  GraphBuilder b;
  TensorId x = b.Input("x", {1, 3, 6, 6});
  TensorId y = b.Op1(OpKind::kRelu, {b.NchwConv(x, 4, 3, 1)});
  y = b.NchwConv(y, 4, 3, 2);
  b.Output(y);
  Graph g = b.graph();
  PassContext ctx;
  DefaultPipelineOptions dpo;
  dpo.keep_io_layout = true;
  ASSERT_TRUE(DefaultPipeline(dpo).Run(g, ctx, {}).ok());
  EXPECT_EQ(CountKind(g, OpKind::kTranspose), 2);
  EXPECT_EQ(g.ops().size(), 4u);  // T, conv(relu), conv, T
}

}  // namespace
}  // namespace optconv
