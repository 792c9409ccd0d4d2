// Structure of the neural-network op converters (conv, pool, norm, linear,
// resize, rnn): op kinds, options and weight layouts on tiny hand-made
// models. Numerics against onnxruntime/LiteRT live in the conformance suite.
#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "converter/ir_printer.h"
#include "importers/onnx/onnx_importer.h"
#include "tests/unit/onnx_test_util.h"

namespace optconv {
namespace {

using testing::OnnxModelBuilder;
using B = OnnxModelBuilder;

std::vector<float> Iota(size_t n) {
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), 0.0f);
  return v;
}

class OnnxNnOpsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  absl::StatusOr<Graph> Import(const OnnxModelBuilder& b) { return ImportOnnx(b.Write(dir_)); }

  static std::vector<OpKind> Kinds(const Graph& g) {
    std::vector<OpKind> kinds;
    for (const Op& op : g.ops()) kinds.push_back(op.kind);
    return kinds;
  }
  static const Op* Find(const Graph& g, OpKind kind) {
    for (const Op& op : g.ops()) {
      if (op.kind == kind) return &op;
    }
    return nullptr;
  }
  static int Count(const Graph& g, OpKind kind) {
    int n = 0;
    for (const Op& op : g.ops()) n += op.kind == kind;
    return n;
  }
  static std::vector<float> Floats(const Graph& g, TensorId id) {
    return g.tensor(id).data->AsVector<float>();
  }
  static std::vector<int32_t> Ints(const Graph& g, TensorId id) {
    return g.tensor(id).data->AsVector<int32_t>();
  }

  std::string dir_;
};

// A single-node model: input "x" of `dims`, output "y".
OnnxModelBuilder OneNode(const std::string& op, std::vector<int64_t> dims,
                         std::vector<std::string> inputs, int64_t opset = 13) {
  OnnxModelBuilder b(opset);
  b.Input("x", std::move(dims));
  inputs.insert(inputs.begin(), "x");
  b.Node(op, inputs, {"y"}, "n");
  b.Output("y");
  return b;
}

onnx::NodeProto& OnlyNode(OnnxModelBuilder& b) { return *b.graph().mutable_node(0); }

// ---------------------------------------------------------------- Conv

TEST_F(OnnxNnOpsTest, ConvBecomesNhwcConv2DWithOhwiFilter) {
  OnnxModelBuilder b = OneNode("Conv", {1, 2, 5, 5}, {"W", "B"});
  b.InitFloats("W", {3, 2, 3, 3}, Iota(3 * 2 * 3 * 3));
  b.InitFloats("B", {3}, {1, 2, 3});
  B::AttrInts(OnlyNode(b), "pads", {1, 1, 1, 1});
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kTranspose, OpKind::kConv2D,
                                            OpKind::kTranspose}));
  const Op& conv = *Find(*g, OpKind::kConv2D);
  EXPECT_EQ(conv.opts<Conv2DOptions>().padding, Padding::kSame);
  const Tensor& filter = g->tensor(conv.inputs[1]);
  EXPECT_EQ(filter.shape, (Shape{3, 3, 3, 2}));
  // filter[o,kh,kw,i] = W[o,i,kh,kw]
  std::vector<float> f = Floats(*g, conv.inputs[1]);
  EXPECT_EQ(f[((1 * 3 + 2) * 3 + 0) * 2 + 1], (((1 * 2 + 1) * 3 + 2) * 3 + 0));
  EXPECT_EQ(g->tensor(conv.outputs[0]).shape, (Shape{1, 5, 5, 3}));
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{1, 3, 5, 5}));
}

TEST_F(OnnxNnOpsTest, ConvAsymmetricPadsMaterialisePad) {
  OnnxModelBuilder b = OneNode("Conv", {1, 2, 6, 6}, {"W"});
  b.InitFloats("W", {3, 2, 3, 3}, Iota(54));
  B::AttrInts(OnlyNode(b), "pads", {0, 1, 2, 0});
  B::AttrInts(OnlyNode(b), "strides", {2, 2});
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  const Op* pad = Find(*g, OpKind::kPad);
  ASSERT_NE(pad, nullptr);
  EXPECT_EQ(Ints(*g, pad->inputs[1]), (std::vector<int32_t>{0, 0, 0, 2, 1, 0, 0, 0}));
  const Op& conv = *Find(*g, OpKind::kConv2D);
  EXPECT_EQ(conv.opts<Conv2DOptions>().padding, Padding::kValid);
  EXPECT_EQ(conv.opts<Conv2DOptions>().stride_h, 2);
  // A zero bias is supplied when ONNX has none.
  ASSERT_EQ(conv.inputs.size(), 3u);
  EXPECT_EQ(Floats(*g, conv.inputs[2]), (std::vector<float>{0, 0, 0}));
}

TEST_F(OnnxNnOpsTest, DepthwiseConvKeepsChannelMultiplierOrder) {
  OnnxModelBuilder b = OneNode("Conv", {1, 2, 5, 5}, {"W"});
  b.InitFloats("W", {4, 1, 3, 3}, Iota(36));
  B::AttrInt(OnlyNode(b), "group", 2);
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  const Op* dw = Find(*g, OpKind::kDepthwiseConv2D);
  ASSERT_NE(dw, nullptr);
  EXPECT_EQ(dw->opts<DepthwiseConv2DOptions>().depth_multiplier, 2);
  EXPECT_EQ(g->tensor(dw->inputs[1]).shape, (Shape{1, 3, 3, 4}));
  // filter[0,kh,kw,o] = W[o,0,kh,kw]
  std::vector<float> f = Floats(*g, dw->inputs[1]);
  EXPECT_EQ(f[(2 * 3 + 1) * 4 + 3], 3 * 9 + 2 * 3 + 1);
}

TEST_F(OnnxNnOpsTest, GroupedConvUsesGroupedFilter) {
  OnnxModelBuilder b = OneNode("Conv", {1, 4, 5, 5}, {"W"});
  b.InitFloats("W", {6, 2, 3, 3}, Iota(108));
  B::AttrInt(OnlyNode(b), "group", 2);
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  const Op* conv = Find(*g, OpKind::kConv2D);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(g->tensor(conv->inputs[1]).shape, (Shape{6, 3, 3, 2}));
}

TEST_F(OnnxNnOpsTest, Conv1DIsLiftedTo2D) {
  OnnxModelBuilder b = OneNode("Conv", {1, 2, 9}, {"W"});
  b.InitFloats("W", {3, 2, 3}, Iota(18));
  B::AttrInts(OnlyNode(b), "pads", {1, 1});
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kTranspose, OpKind::kExpandDims,
                                            OpKind::kConv2D, OpKind::kSqueeze,
                                            OpKind::kTranspose}));
  EXPECT_EQ(g->tensor(Find(*g, OpKind::kConv2D)->inputs[1]).shape, (Shape{3, 1, 3, 2}));
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{1, 3, 9}));
}

TEST_F(OnnxNnOpsTest, Conv3DAndRuntimeWeightsAreUnimplemented) {
  OnnxModelBuilder b3 = OneNode("Conv", {1, 2, 4, 4, 4}, {"W"});
  b3.InitFloats("W", {3, 2, 1, 1, 1}, Iota(6));
  EXPECT_EQ(Import(b3).status().code(), absl::StatusCode::kUnimplemented);

  OnnxModelBuilder b(13);
  b.Input("x", {1, 2, 4, 4});
  b.Input("w", {3, 2, 1, 1});
  b.Node("Conv", {"x", "w"}, {"y"}, "n");
  b.Output("y");
  absl::StatusOr<Graph> g = Import(b);
  EXPECT_EQ(g.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(g.status().message().find("weights computed at run time"), std::string::npos)
      << g.status();
}

// ---------------------------------------------------------------- ConvTranspose

TEST_F(OnnxNnOpsTest, ConvTransposeSamePadsUseTransposeConvSame) {
  OnnxModelBuilder b = OneNode("ConvTranspose", {1, 2, 5, 5}, {"W", "B"});
  b.InitFloats("W", {2, 3, 4, 4}, Iota(96));
  b.InitFloats("B", {3}, {1, 2, 3});
  B::AttrInts(OnlyNode(b), "strides", {2, 2});
  B::AttrInts(OnlyNode(b), "pads", {1, 1, 1, 1});
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  const Op* tc = Find(*g, OpKind::kTransposeConv);
  ASSERT_NE(tc, nullptr);
  EXPECT_EQ(tc->opts<TransposeConvOptions>().padding, Padding::kSame);
  EXPECT_EQ(Ints(*g, tc->inputs[0]), (std::vector<int32_t>{1, 10, 10, 3}));
  EXPECT_EQ(g->tensor(tc->inputs[1]).shape, (Shape{3, 4, 4, 2}));
  // filter[o,kh,kw,i] = W[i,o,kh,kw]
  std::vector<float> f = Floats(*g, tc->inputs[1]);
  EXPECT_EQ(f[((2 * 4 + 1) * 4 + 3) * 2 + 1], ((1 * 3 + 2) * 4 + 1) * 4 + 3);
  EXPECT_EQ(Find(*g, OpKind::kStridedSlice), nullptr);
}

TEST_F(OnnxNnOpsTest, ConvTransposeOddPadsCropAValidResult) {
  OnnxModelBuilder b = OneNode("ConvTranspose", {1, 2, 5, 5}, {"W"});
  b.InitFloats("W", {2, 3, 3, 3}, Iota(54));
  B::AttrInts(OnlyNode(b), "strides", {2, 2});
  B::AttrInts(OnlyNode(b), "pads", {1, 1, 1, 1});
  B::AttrInts(OnlyNode(b), "output_padding", {1, 1});
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  const Op* tc = Find(*g, OpKind::kTransposeConv);
  ASSERT_NE(tc, nullptr);
  EXPECT_EQ(tc->opts<TransposeConvOptions>().padding, Padding::kValid);
  EXPECT_EQ(Ints(*g, tc->inputs[0]), (std::vector<int32_t>{1, 11, 11, 3}));
  const Op* crop = Find(*g, OpKind::kStridedSlice);
  ASSERT_NE(crop, nullptr);
  EXPECT_EQ(Ints(*g, crop->inputs[1]), (std::vector<int32_t>{0, 1, 1, 0}));
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{1, 3, 10, 10}));
}

TEST_F(OnnxNnOpsTest, GroupedConvTransposeIsUnimplemented) {
  OnnxModelBuilder b = OneNode("ConvTranspose", {1, 2, 5, 5}, {"W"});
  b.InitFloats("W", {2, 1, 3, 3}, Iota(18));
  B::AttrInt(OnlyNode(b), "group", 2);
  EXPECT_EQ(Import(b).status().code(), absl::StatusCode::kUnimplemented);
}

TEST_F(OnnxNnOpsTest, DepthToSpaceCrdReordersChannelsBeforeTheBuiltin) {
  OnnxModelBuilder b = OneNode("DepthToSpace", {1, 8, 3, 3}, {});
  B::AttrInt(OnlyNode(b), "blocksize", 2);
  B::AttrString(OnlyNode(b), "mode", "CRD");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  const Op* d2s = Find(*g, OpKind::kDepthToSpace);
  ASSERT_NE(d2s, nullptr);
  EXPECT_EQ(d2s->opts<BlockSizeOptions>().block_size, 2);
  const Op* gather = Find(*g, OpKind::kGather);
  ASSERT_NE(gather, nullptr);
  // C = 2: DCR position (i*2 + j)*2 + c reads CRD channel c*4 + i*2 + j.
  EXPECT_EQ(Ints(*g, gather->inputs[1]), (std::vector<int32_t>{0, 4, 1, 5, 2, 6, 3, 7}));
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{1, 2, 6, 6}));
}

TEST_F(OnnxNnOpsTest, SpaceToDepthRejectsSizesNotDivisibleByTheBlock) {
  OnnxModelBuilder b = OneNode("SpaceToDepth", {1, 3, 5, 4}, {});
  B::AttrInt(OnlyNode(b), "blocksize", 2);
  absl::Status st = Import(b).status();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("spatial size 5"), std::string::npos) << st;
}

// ---------------------------------------------------------------- pooling

TEST_F(OnnxNnOpsTest, MaxPoolSamePadsNeedNoPadOp) {
  OnnxModelBuilder b = OneNode("MaxPool", {1, 2, 8, 8}, {});
  B::AttrInts(OnlyNode(b), "kernel_shape", {3, 3});
  B::AttrInts(OnlyNode(b), "strides", {2, 2});
  B::AttrInts(OnlyNode(b), "pads", {0, 0, 1, 1});
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kTranspose, OpKind::kMaxPool2D,
                                            OpKind::kTranspose}));
  const auto& o = Find(*g, OpKind::kMaxPool2D)->opts<Pool2DOptions>();
  EXPECT_EQ(o.padding, Padding::kSame);
  EXPECT_EQ(o.filter_h, 3);
  EXPECT_EQ(o.stride_w, 2);
}

TEST_F(OnnxNnOpsTest, MaxPoolOtherPadsUsePadV2) {
  OnnxModelBuilder b = OneNode("MaxPool", {1, 2, 8, 8}, {});
  B::AttrInts(OnlyNode(b), "kernel_shape", {3, 3});
  B::AttrInts(OnlyNode(b), "pads", {2, 0, 0, 0});
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_NE(Find(*g, OpKind::kPadV2), nullptr);
  EXPECT_EQ(Find(*g, OpKind::kMaxPool2D)->opts<Pool2DOptions>().padding, Padding::kValid);
}

TEST_F(OnnxNnOpsTest, MaxPoolIndicesAreUnimplemented) {
  OnnxModelBuilder b(13);
  b.Input("x", {1, 2, 4, 4});
  onnx::NodeProto& n = b.Node("MaxPool", {"x"}, {"y", "idx"}, "n");
  B::AttrInts(n, "kernel_shape", {2, 2});
  b.Output("y");
  b.Output("idx", onnx::TensorProto::INT64);
  EXPECT_EQ(Import(b).status().code(), absl::StatusCode::kUnimplemented);
}

TEST_F(OnnxNnOpsTest, AveragePoolCountIncludePadPadsWithZeros) {
  OnnxModelBuilder b = OneNode("AveragePool", {1, 2, 8, 8}, {});
  B::AttrInts(OnlyNode(b), "kernel_shape", {3, 3});
  B::AttrInts(OnlyNode(b), "pads", {1, 1, 1, 1});
  B::AttrInt(OnlyNode(b), "count_include_pad", 1);
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_NE(Find(*g, OpKind::kPad), nullptr);
  EXPECT_EQ(Find(*g, OpKind::kAveragePool2D)->opts<Pool2DOptions>().padding, Padding::kValid);
  EXPECT_EQ(Find(*g, OpKind::kMul), nullptr);
}

TEST_F(OnnxNnOpsTest, AveragePoolExcludedAsymmetricPadsCorrectDivisor) {
  OnnxModelBuilder b = OneNode("AveragePool", {1, 1, 4, 4}, {});
  B::AttrInts(OnlyNode(b), "kernel_shape", {2, 2});
  B::AttrInts(OnlyNode(b), "pads", {1, 1, 0, 0});
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  const Op* mul = Find(*g, OpKind::kMul);
  ASSERT_NE(mul, nullptr);
  const std::vector<float> f = Floats(*g, mul->inputs[1]);
  ASSERT_EQ(f.size(), 16u);
  EXPECT_FLOAT_EQ(f[0], 4.0f);  // corner window sees one real pixel
  EXPECT_FLOAT_EQ(f[1], 2.0f);  // top edge: two
  EXPECT_FLOAT_EQ(f[5], 1.0f);  // interior: no correction
}

TEST_F(OnnxNnOpsTest, GlobalAveragePoolIsMeanOverSpatialAxes) {
  OnnxModelBuilder b = OneNode("GlobalAveragePool", {1, 3, 5, 7}, {});
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  const Op* mean = Find(*g, OpKind::kMean);
  ASSERT_NE(mean, nullptr);
  EXPECT_TRUE(mean->opts<ReducerOptions>().keep_dims);
  EXPECT_EQ(Ints(*g, mean->inputs[1]), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{1, 3, 1, 1}));
}

// ---------------------------------------------------------------- normalization

TEST_F(OnnxNnOpsTest, BatchNormFoldsToChannelScaleAndOffset) {
  OnnxModelBuilder b = OneNode("BatchNormalization", {1, 2, 3, 3}, {"s", "bias", "m", "v"});
  b.InitFloats("s", {2}, {2, 3});
  b.InitFloats("bias", {2}, {1, -1});
  b.InitFloats("m", {2}, {0.5f, 2});
  b.InitFloats("v", {2}, {4, 9});
  B::AttrFloat(OnlyNode(b), "epsilon", 0.0f);
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kTranspose, OpKind::kMul, OpKind::kAdd,
                                            OpKind::kTranspose}));
  EXPECT_EQ(Floats(*g, Find(*g, OpKind::kMul)->inputs[1]), (std::vector<float>{1, 1}));
  EXPECT_EQ(Floats(*g, Find(*g, OpKind::kAdd)->inputs[1]), (std::vector<float>{0.5f, -3}));
}

TEST_F(OnnxNnOpsTest, BatchNormTrainingModeIsUnimplemented) {
  OnnxModelBuilder b = OneNode("BatchNormalization", {1, 2, 3, 3}, {"s", "bias", "m", "v"}, 15);
  for (const char* p : {"s", "bias", "m", "v"}) b.InitFloats(p, {2}, {1, 1});
  B::AttrInt(OnlyNode(b), "training_mode", 1);
  EXPECT_EQ(Import(b).status().code(), absl::StatusCode::kUnimplemented);
}

TEST_F(OnnxNnOpsTest, LayerNormDecomposesOverTrailingAxes) {
  OnnxModelBuilder b = OneNode("LayerNormalization", {2, 4, 6}, {"s", "bias"}, 17);
  b.InitFloats("s", {4, 6}, std::vector<float>(24, 1.0f));
  b.InitFloats("bias", {4, 6}, std::vector<float>(24, 0.0f));
  B::AttrInt(OnlyNode(b), "axis", 1);
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kMean, OpKind::kSquaredDifference,
                                            OpKind::kMean, OpKind::kAdd, OpKind::kRsqrt,
                                            OpKind::kSub, OpKind::kMul, OpKind::kMul,
                                            OpKind::kAdd}));
  EXPECT_EQ(Ints(*g, g->ops()[0].inputs[1]), (std::vector<int32_t>{1, 2}));
}

TEST_F(OnnxNnOpsTest, InstanceNormReducesSpatialAxesChannelsLast) {
  OnnxModelBuilder b = OneNode("InstanceNormalization", {1, 2, 3, 3}, {"s", "bias"});
  b.InitFloats("s", {2}, {1, 2});
  b.InitFloats("bias", {2}, {0, 1});
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Count(*g, OpKind::kMean), 2);
  EXPECT_EQ(Ints(*g, Find(*g, OpKind::kMean)->inputs[1]), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(Count(*g, OpKind::kTranspose), 2);
}

// ---------------------------------------------------------------- MatMul / Gemm

TEST_F(OnnxNnOpsTest, MatMulWithConstantWeightsIsFullyConnected) {
  OnnxModelBuilder b = OneNode("MatMul", {2, 3, 4}, {"W"});
  b.InitFloats("W", {4, 5}, Iota(20));
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kFullyConnected}));
  const Op& fc = g->ops()[0];
  EXPECT_TRUE(fc.opts<FullyConnectedOptions>().keep_num_dims);
  EXPECT_EQ(g->tensor(fc.inputs[1]).shape, (Shape{5, 4}));
  EXPECT_EQ(Floats(*g, fc.inputs[1])[1 * 4 + 2], 2 * 5 + 1);  // w[n,k] = W[k,n]
  EXPECT_EQ(g->tensor(fc.outputs[0]).shape, (Shape{2, 3, 5}));
}

TEST_F(OnnxNnOpsTest, MatMulOfTwoActivationsIsBatchMatMul) {
  OnnxModelBuilder b(13);
  b.Input("a", {2, 3, 4});
  b.Input("b", {4});
  b.Node("MatMul", {"a", "b"}, {"y"}, "n");
  b.Output("y");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kExpandDims, OpKind::kBatchMatMul,
                                            OpKind::kSqueeze}));
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{2, 3}));
}

TEST_F(OnnxNnOpsTest, GemmFoldsAlphaBetaIntoWeightsAndBias) {
  OnnxModelBuilder b = OneNode("Gemm", {3, 2}, {"W", "C"});
  b.InitFloats("W", {4, 2}, Iota(8));
  b.InitFloats("C", {4}, {1, 2, 3, 4});
  B::AttrInt(OnlyNode(b), "transB", 1);
  B::AttrFloat(OnlyNode(b), "alpha", 2.0f);
  B::AttrFloat(OnlyNode(b), "beta", 0.5f);
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kFullyConnected}));
  const Op& fc = g->ops()[0];
  EXPECT_EQ(Floats(*g, fc.inputs[1]), (std::vector<float>{0, 2, 4, 6, 8, 10, 12, 14}));
  EXPECT_EQ(Floats(*g, fc.inputs[2]), (std::vector<float>{0.5f, 1, 1.5f, 2}));
}

// ---------------------------------------------------------------- Resize

OnnxModelBuilder ResizeModel(const std::string& mode, const std::string& coord,
                             const std::string& nearest, std::vector<float> scales) {
  OnnxModelBuilder b(13);
  b.Input("x", {1, 2, 4, 4});
  b.InitFloats("scales", {4}, std::move(scales));
  onnx::NodeProto& n = b.Node("Resize", {"x", "", "scales"}, {"y"}, "n");
  B::AttrString(n, "mode", mode);
  B::AttrString(n, "coordinate_transformation_mode", coord);
  if (!nearest.empty()) B::AttrString(n, "nearest_mode", nearest);
  b.Output("y");
  return b;
}

TEST_F(OnnxNnOpsTest, ResizeModesMapToTfliteFlags) {
  struct Case {
    std::string mode, coord, nearest;
    OpKind kind;
    bool align, half;
  };
  const Case cases[] = {
      {"nearest", "asymmetric", "floor", OpKind::kResizeNearestNeighbor, false, false},
      {"nearest", "half_pixel", "round_prefer_ceil", OpKind::kResizeNearestNeighbor, false, true},
      {"linear", "half_pixel", "", OpKind::kResizeBilinear, false, true},
      {"linear", "pytorch_half_pixel", "", OpKind::kResizeBilinear, false, true},
      {"linear", "align_corners", "", OpKind::kResizeBilinear, true, false},
      {"linear", "asymmetric", "", OpKind::kResizeBilinear, false, false},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Graph> g = Import(ResizeModel(c.mode, c.coord, c.nearest, {1, 1, 2, 2}));
    ASSERT_TRUE(g.ok()) << c.coord << ": " << g.status();
    const Op* op = Find(*g, c.kind);
    ASSERT_NE(op, nullptr) << c.coord;
    EXPECT_EQ(op->opts<ResizeOptions>().align_corners, c.align) << c.coord;
    EXPECT_EQ(op->opts<ResizeOptions>().half_pixel_centers, c.half) << c.coord;
    EXPECT_EQ(Ints(*g, op->inputs[1]), (std::vector<int32_t>{8, 8}));
  }
}

TEST_F(OnnxNnOpsTest, NearestResizeTfliteCannotMatchBecomesGathers) {
  absl::StatusOr<Graph> g = Import(ResizeModel("nearest", "asymmetric", "ceil", {1, 1, 2, 2}));
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kGather, OpKind::kGather}));
  // ceil(o / 2), clamped to 3
  EXPECT_EQ(Ints(*g, g->ops()[0].inputs[1]), (std::vector<int32_t>{0, 1, 1, 2, 2, 3, 3, 3}));
}

TEST_F(OnnxNnOpsTest, CubicResizeIsUnimplemented) {
  absl::StatusOr<Graph> g = Import(ResizeModel("cubic", "half_pixel", "", {1, 1, 2, 2}));
  EXPECT_EQ(g.status().code(), absl::StatusCode::kUnimplemented);
}

// ---------------------------------------------------------------- LSTM

OnnxModelBuilder LstmModel(bool want_yc) {
  const int64_t t = 3, batch = 2, in = 4, h = 5;
  OnnxModelBuilder b(14);
  b.Input("x", {t, batch, in});
  b.InitFloats("W", {1, 4 * h, in}, Iota(4 * h * in));
  b.InitFloats("R", {1, 4 * h, h}, Iota(4 * h * h));
  b.InitFloats("B", {1, 8 * h}, Iota(8 * h));
  std::vector<std::string> outs = {"Y", "Y_h"};
  if (want_yc) outs.push_back("Y_c");
  onnx::NodeProto& n = b.Node("LSTM", {"x", "W", "R", "B"}, outs, "lstm");
  B::AttrInt(n, "hidden_size", h);
  for (const std::string& o : outs) b.Output(o);
  return b;
}

TEST_F(OnnxNnOpsTest, LstmBecomesSequenceLstmWithReorderedGates) {
  absl::StatusOr<Graph> g = Import(LstmModel(false));
  ASSERT_TRUE(g.ok()) << g.status();
  const Op* lstm = Find(*g, OpKind::kUnidirectionalSequenceLstm);
  ASSERT_NE(lstm, nullptr);
  ASSERT_EQ(lstm->inputs.size(), 24u);
  EXPECT_TRUE(lstm->opts<SequenceLstmOptions>().time_major);
  // TFLite forget weights (input 2) = ONNX gate block 2 (i, o, f, c).
  EXPECT_EQ(Floats(*g, lstm->inputs[2])[0], 2 * 5 * 4);
  // Output weights (input 4) = ONNX block 1.
  EXPECT_EQ(Floats(*g, lstm->inputs[4])[0], 1 * 5 * 4);
  // Gate bias = Wb + Rb: input gate (12) element 0 = 0 + 20.
  EXPECT_EQ(Floats(*g, lstm->inputs[12])[0], 20);
  for (int i : {9, 10, 11, 16, 17, 20, 21, 22, 23}) EXPECT_EQ(lstm->inputs[i], kNoTensor) << i;
  for (int i : {18, 19}) {
    const Tensor& state = g->tensor(lstm->inputs[i]);
    EXPECT_TRUE(state.is_variable) << i;
    EXPECT_EQ(state.shape, (Shape{2, 5}));
  }
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{3, 1, 2, 5}));
  EXPECT_EQ(g->tensor(g->outputs()[1]).shape, (Shape{1, 2, 5}));
}

TEST_F(OnnxNnOpsTest, LstmCellOutputIsUnrolled) {
  absl::StatusOr<Graph> g = Import(LstmModel(true));
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Find(*g, OpKind::kUnidirectionalSequenceLstm), nullptr);
  EXPECT_EQ(Count(*g, OpKind::kSplit), 3);  // one per step
  EXPECT_EQ(g->tensor(g->outputs()[2]).shape, (Shape{1, 2, 5}));
}

TEST_F(OnnxNnOpsTest, GruIsUnrolledPerStep) {
  const int64_t t = 3, batch = 2, in = 4, h = 5;
  OnnxModelBuilder b(14);
  b.Input("x", {t, batch, in});
  b.InitFloats("W", {2, 3 * h, in}, Iota(2 * 3 * h * in));
  b.InitFloats("R", {2, 3 * h, h}, Iota(2 * 3 * h * h));
  onnx::NodeProto& n = b.Node("GRU", {"x", "W", "R"}, {"Y", "Y_h"}, "gru");
  B::AttrInt(n, "hidden_size", h);
  B::AttrString(n, "direction", "bidirectional");
  b.Output("Y");
  b.Output("Y_h");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  // Per direction: one input projection, then per step one SPLIT of it and
  // (after the first step) one recurrent FULLY_CONNECTED + SPLIT + (r*h) Rh.
  EXPECT_EQ(Count(*g, OpKind::kUnpack), 2);
  EXPECT_EQ(Count(*g, OpKind::kTanh), 2 * 3);
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{3, 2, 2, 5}));
  EXPECT_EQ(g->tensor(g->outputs()[1]).shape, (Shape{2, 2, 5}));
}

TEST_F(OnnxNnOpsTest, RnnWithSequenceLensIsUnimplemented) {
  OnnxModelBuilder b(14);
  b.Input("x", {3, 2, 4});
  b.Input("lens", {2}, onnx::TensorProto::INT32);
  b.InitFloats("W", {1, 15, 4}, Iota(60));
  b.InitFloats("R", {1, 15, 5}, Iota(75));
  onnx::NodeProto& n = b.Node("GRU", {"x", "W", "R", "", "lens"}, {"Y"}, "gru");
  B::AttrInt(n, "hidden_size", 5);
  b.Output("Y");
  EXPECT_EQ(Import(b).status().code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace optconv
