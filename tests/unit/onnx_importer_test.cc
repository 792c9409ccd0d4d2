// Importer core: parsing errors, graph order, unsupported-op collection,
// external data, constant folding of shape subgraphs, and core converters.
#include "importers/onnx/onnx_importer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "converter/ir_printer.h"
#include "importers/onnx/onnx_context.h"
#include "tests/unit/onnx_test_util.h"

namespace optconv {
namespace {

using testing::OnnxModelBuilder;
using B = OnnxModelBuilder;

class OnnxImporterTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  absl::StatusOr<Graph> Import(const OnnxModelBuilder& b, const std::string& file = "model.onnx") {
    return ImportOnnx(b.Write(dir_, file));
  }

  static std::vector<OpKind> Kinds(const Graph& g) {
    std::vector<OpKind> kinds;
    for (const Op& op : g.ops()) kinds.push_back(op.kind);
    return kinds;
  }

  static std::vector<float> Floats(const Graph& g, TensorId id) {
    return g.tensor(id).data->AsVector<float>();
  }

  std::string dir_;
};

// ---- parsing and header errors

TEST_F(OnnxImporterTest, EmptyFileIsInvalid) {
  const std::string path = dir_ + "/empty.onnx";
  testing::WriteBytes(path, "");
  absl::StatusOr<Graph> g = ImportOnnx(path);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(g.status().message().find(path), std::string::npos);
  EXPECT_NE(g.status().message().find("empty"), std::string::npos);
}

TEST_F(OnnxImporterTest, MissingFileIsNotFound) {
  absl::StatusOr<Graph> g = ImportOnnx(dir_ + "/nope.onnx");
  EXPECT_EQ(g.status().code(), absl::StatusCode::kNotFound);
}

OnnxModelBuilder SmallModel() {
  OnnxModelBuilder b;
  b.Input("x", {1, 4});
  b.InitFloats("w", {1, 4}, {1, 2, 3, 4});
  b.Node("Add", {"x", "w"}, {"y"}, "add");
  b.Output("y");
  return b;
}

TEST_F(OnnxImporterTest, TruncatedAndCorruptBytesAreInvalid) {
  const std::string bytes = SmallModel().Bytes();
  const std::string truncated = dir_ + "/truncated.onnx";
  testing::WriteBytes(truncated, bytes.substr(0, bytes.size() / 2));
  absl::StatusOr<Graph> g = ImportOnnx(truncated);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(g.status().message().find("not a valid ONNX model"), std::string::npos)
      << g.status();

  std::string flipped = bytes;
  flipped[0] = static_cast<char>(0xff);  // field 31 with the invalid wire type 7
  const std::string corrupt = dir_ + "/flipped.onnx";
  testing::WriteBytes(corrupt, flipped);
  g = ImportOnnx(corrupt);
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument) << g.status();

  const std::string text = dir_ + "/text.onnx";
  testing::WriteBytes(text, "this is not a model\n");
  EXPECT_EQ(ImportOnnx(text).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(OnnxImporterTest, MissingGraphAndBadOpsets) {
  OnnxModelBuilder b = SmallModel();
  b.model().clear_graph();
  absl::StatusOr<Graph> g = Import(b);
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(g.status().message().find("no graph"), std::string::npos) << g.status();

  OnnxModelBuilder newer = SmallModel();
  newer.model().mutable_opset_import(0)->set_version(22);
  g = Import(newer);
  EXPECT_EQ(g.status().code(), absl::StatusCode::kUnimplemented) << g.status();
  EXPECT_NE(g.status().message().find("opset 22"), std::string::npos);

  OnnxModelBuilder older = SmallModel();
  older.model().mutable_opset_import(0)->set_version(6);
  EXPECT_TRUE(Import(older).ok());
}

// ---- graph structure

TEST_F(OnnxImporterTest, DynamicBatchStaysUnknownAndSignatureUsesOnnxNames) {
  OnnxModelBuilder b;
  b.Input("input.1", {-1, 3});
  b.Input("b", {-1, 3});
  b.Node("Add", {"input.1", "b"}, {"sum"});
  b.Node("Relu", {"sum"}, {"out"});
  b.Output("out");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kAdd, OpKind::kRelu}));
  ASSERT_EQ(g->inputs().size(), 2u);
  EXPECT_EQ(g->tensor(g->inputs()[0]).shape, (Shape{kUnknownDim, 3}));
  ASSERT_EQ(g->signatures().size(), 1u);
  const Signature& sig = g->signatures()[0];
  EXPECT_EQ(sig.key, "serving_default");
  EXPECT_EQ(sig.inputs[0].name, "input.1");
  EXPECT_EQ(sig.outputs[0].name, "out");
  EXPECT_EQ(g->tensor(sig.outputs[0].tensor).name, "out");
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{kUnknownDim, 3}));
  // Unnamed nodes are named "<op_type>_<index>".
  EXPECT_EQ(g->ops()[0].origin.node_name, "Add_0");
  EXPECT_EQ(g->ops()[1].origin.op_type, "Relu");
}

TEST_F(OnnxImporterTest, NodesOutOfOrderAreSorted) {
  OnnxModelBuilder b;
  b.Input("x", {2, 2});
  b.Node("Relu", {"a"}, {"y"}, "second");
  b.Node("Neg", {"x"}, {"a"}, "first");
  b.Output("y");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kNeg, OpKind::kRelu}));
}

TEST_F(OnnxImporterTest, CycleNamesANodeOnIt) {
  OnnxModelBuilder b;
  b.Input("x", {2});
  b.Node("Relu", {"x"}, {"r"}, "before");
  b.Node("Add", {"r", "c"}, {"a"}, "loop_a");
  b.Node("Neg", {"a"}, {"c"}, "loop_b");
  b.Output("a");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string msg(g.status().message());
  EXPECT_NE(msg.find("cycle"), std::string::npos) << msg;
  EXPECT_TRUE(msg.find("'loop_a'") != std::string::npos || msg.find("'loop_b'") != std::string::npos)
      << msg;
}

TEST_F(OnnxImporterTest, UndefinedInputNamesNodeAndValue) {
  OnnxModelBuilder b;
  b.Input("x", {2});
  b.Node("Add", {"x", "ghost"}, {"y"}, "adder");
  b.Output("y");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string msg(g.status().message());
  EXPECT_NE(msg.find("node 'adder' (Add)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'ghost'"), std::string::npos) << msg;
}

TEST_F(OnnxImporterTest, AllUnsupportedOpsAreListedAtOnce) {
  OnnxModelBuilder b;
  b.Input("x", {1, 3, 8, 8});
  b.Input("boxes", {1, 10, 4});
  b.Input("scores", {1, 1, 10});
  b.Node("If", {"x"}, {"i"}, "branch");
  b.Node("Relu", {"i"}, {"after_if"}, "blocked_relu");  // supported, but depends on If
  b.Node("NonMaxSuppression", {"boxes", "scores"}, {"nms"}, "nms");
  b.Node("FusedThing", {"x"}, {"f"}, "custom").set_domain("com.example");
  b.Node("Pad", {"x", "pads"}, {"p"}, "crop_pad");  // negative pads: unsupported attribute
  b.InitInt64s("pads", {8}, {0, 0, -1, 1, 0, 0, 1, 1});
  b.Node("Relu", {"x"}, {"ok"}, "fine");
  for (const char* o : {"after_if", "nms", "f", "p", "ok"}) b.Output(o);
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_EQ(g.status().code(), absl::StatusCode::kUnimplemented) << g.status();
  const std::string msg(g.status().message());
  EXPECT_NE(msg.find("4 unsupported ops"), std::string::npos) << msg;
  EXPECT_NE(msg.find("node 'branch' (If): no converter"), std::string::npos) << msg;
  EXPECT_NE(msg.find("node 'nms' (NonMaxSuppression): no converter"), std::string::npos) << msg;
  EXPECT_NE(msg.find("node 'custom' (FusedThing): domain 'com.example'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("node 'crop_pad' (Pad): negative pads"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("blocked_relu"), std::string::npos) << msg;
}

// ---- constants and external data

TEST_F(OnnxImporterTest, InitializerListedAsInputIsConstant) {
  OnnxModelBuilder b(9, 3);
  b.Input("x", {1, 4});
  b.Input("w", {1, 4});  // old IR: initializers are also inputs
  b.InitFloats("w", {1, 4}, {1, 2, 3, 4}, /*raw=*/false);
  b.Node("Mul", {"x", "w"}, {"y"});
  b.Output("y");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->inputs().size(), 1u);
  ASSERT_EQ(g->ops().size(), 1u);
  TensorId w = g->ops()[0].inputs[1];
  EXPECT_TRUE(g->tensor(w).is_constant());
  EXPECT_EQ(Floats(*g, w), (std::vector<float>{1, 2, 3, 4}));
}

TEST_F(OnnxImporterTest, ExternalDataIsMappedAndMissingFileIsNotFound) {
  OnnxModelBuilder b;
  b.Input("x", {4});
  onnx::TensorProto& w = b.InitFloats("w", {4}, {});
  w.clear_raw_data();
  w.set_data_location(onnx::TensorProto::EXTERNAL);
  auto add_kv = [&](const char* k, const std::string& v) {
    auto* e = w.add_external_data();
    e->set_key(k);
    e->set_value(v);
  };
  add_kv("location", "weights.bin");
  add_kv("offset", "8");
  add_kv("length", "16");
  b.Node("Add", {"x", "w"}, {"y"});
  b.Output("y");
  const std::string model = b.Write(dir_);

  absl::StatusOr<Graph> g = ImportOnnx(model);
  ASSERT_EQ(g.status().code(), absl::StatusCode::kNotFound) << g.status();
  const std::string msg(g.status().message());
  EXPECT_NE(msg.find(model), std::string::npos) << msg;
  EXPECT_NE(msg.find("'w'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("weights.bin"), std::string::npos) << msg;

  std::vector<float> data = {0, 0, 5, 6, 7, 8};  // 8 bytes of padding, then the tensor
  testing::WriteBytes(dir_ + "/weights.bin",
                      std::string(reinterpret_cast<const char*>(data.data()), 24));
  g = ImportOnnx(model);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Floats(*g, g->ops()[0].inputs[1]), (std::vector<float>{5, 6, 7, 8}));

  // A file shorter than offset + length is data loss.
  testing::WriteBytes(dir_ + "/weights.bin", std::string(12, '\0'));
  EXPECT_EQ(ImportOnnx(model).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(OnnxImporterTest, BadInitializersAreReported) {
  OnnxModelBuilder b = SmallModel();
  b.graph().mutable_initializer(0)->set_raw_data(std::string(12, '\0'));  // 3 floats for 4
  absl::StatusOr<Graph> g = Import(b);
  EXPECT_EQ(g.status().code(), absl::StatusCode::kDataLoss) << g.status();

  OnnxModelBuilder bf = SmallModel();
  bf.graph().mutable_initializer(0)->set_data_type(onnx::TensorProto::BFLOAT16);
  g = Import(bf);
  EXPECT_EQ(g.status().code(), absl::StatusCode::kUnimplemented) << g.status();
  EXPECT_NE(g.status().message().find("BFLOAT16"), std::string::npos) << g.status();
}

// ---- folding and converters

TEST_F(OnnxImporterTest, StaticShapeSubgraphFoldsAway) {
  OnnxModelBuilder b;
  b.Input("x", {2, 3, 4, 5});
  b.Node("Shape", {"x"}, {"s"});
  b.InitInt64s("zero", {}, {0});
  B::AttrInt(b.Node("Gather", {"s", "zero"}, {"n"}), "axis", 0);
  b.InitInt64s("axes0", {1}, {0});
  b.Node("Unsqueeze", {"n", "axes0"}, {"n1"});
  b.InitInt64s("minus1", {1}, {-1});
  B::AttrInt(b.Node("Concat", {"n1", "minus1"}, {"shape"}), "axis", 0);
  b.Node("Reshape", {"x", "shape"}, {"y"});
  b.Output("y");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kReshape})) << PrintGraph(*g);
  const Tensor& shape = g->tensor(g->ops()[0].inputs[1]);
  EXPECT_EQ(shape.type, DataType::kInt32);
  EXPECT_EQ(shape.data->AsVector<int32_t>(), (std::vector<int32_t>{2, 60}));
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{2, 60}));
}

TEST_F(OnnxImporterTest, PartiallyKnownShapeFoldsToConstantReshape) {
  OnnxModelBuilder b;
  b.Input("x", {-1, 8, 12});
  b.Node("Shape", {"x"}, {"s"});
  b.InitInt64s("i0", {}, {0});
  b.InitInt64s("i2", {}, {2});
  b.InitInt64s("three", {}, {3});
  b.InitInt64s("ax", {1}, {0});
  b.InitInt64s("eight_three", {2}, {8, 3});
  b.Node("Gather", {"s", "i0"}, {"batch"});
  b.Node("Gather", {"s", "i2"}, {"d"});
  b.Node("Div", {"d", "three"}, {"h"});
  b.Node("Unsqueeze", {"batch", "ax"}, {"b1"});
  b.Node("Unsqueeze", {"h", "ax"}, {"h1"});
  B::AttrInt(b.Node("Concat", {"b1", "eight_three", "h1"}, {"shape"}), "axis", 0);
  b.Node("Reshape", {"x", "shape"}, {"y"});
  b.Output("y");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kReshape})) << PrintGraph(*g);
  EXPECT_EQ(g->tensor(g->ops()[0].inputs[1]).data->AsVector<int32_t>(),
            (std::vector<int32_t>{-1, 8, 3, 4}));
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{kUnknownDim, 8, 3, 4}));
}

TEST_F(OnnxImporterTest, SliceWithRunTimeEndUsesDynamicBounds) {
  OnnxModelBuilder b;
  b.Input("x", {-1, -1, 8});
  std::vector<float> pos(32 * 8, 0.5f);
  b.InitFloats("pos", {1, 32, 8}, pos);
  b.InitInt64s("i1", {1}, {1});
  b.InitInt64s("zero", {1}, {0});
  b.Node("Shape", {"x"}, {"s"});
  b.Node("Gather", {"s", "i1"}, {"len"});  // [1], unknown at import time
  b.Node("Slice", {"pos", "zero", "len", "i1"}, {"p"});
  b.Node("Add", {"x", "p"}, {"y"});
  b.Output("y");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  const Op* slice = nullptr;
  for (const Op& op : g->ops()) {
    if (op.kind == OpKind::kStridedSlice) slice = &op;
  }
  ASSERT_NE(slice, nullptr) << PrintGraph(*g);
  EXPECT_FALSE(g->tensor(slice->inputs[2]).is_constant());
  EXPECT_EQ(g->tensor(slice->inputs[2]).type, DataType::kInt32);
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{kUnknownDim, kUnknownDim, 8}));
}

TEST_F(OnnxImporterTest, FlattenKeepsDynamicBatch) {
  OnnxModelBuilder b;
  b.Input("x", {-1, 3, 4, 4});
  b.Node("Flatten", {"x"}, {"y"});
  b.Output("y");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kReshape}));
  EXPECT_EQ(g->tensor(g->ops()[0].inputs[1]).data->AsVector<int32_t>(),
            (std::vector<int32_t>{-1, 48}));
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{kUnknownDim, 48}));
}

TEST_F(OnnxImporterTest, ClipPowAndSoftmaxPickCheapForms) {
  OnnxModelBuilder b(13);
  b.Input("x", {1, 3, 2, 2});
  b.InitFloats("lo", {}, {0});
  b.InitFloats("hi", {}, {6});
  b.Node("Clip", {"x", "lo", "hi"}, {"c"});
  b.InitFloats("two", {}, {2});
  b.Node("Pow", {"c", "two"}, {"p"});
  B::AttrInt(b.Node("Softmax", {"p"}, {"s"}), "axis", 1);
  b.Output("s");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kRelu6, OpKind::kSquare, OpKind::kTranspose,
                                            OpKind::kSoftmax, OpKind::kTranspose}))
      << PrintGraph(*g);
}

TEST_F(OnnxImporterTest, SliceSplitAndSqueezeUseCanonicalOps) {
  OnnxModelBuilder b(13);
  b.Input("x", {-1, 6, 4});
  b.InitInt64s("starts", {2}, {1, -1});
  b.InitInt64s("ends", {2}, {INT64_MAX, INT64_MIN});
  b.InitInt64s("axes", {2}, {1, 2});
  b.InitInt64s("steps", {2}, {2, -1});
  b.Node("Slice", {"x", "starts", "ends", "axes", "steps"}, {"sl"});  // [?,3,4]
  b.InitInt64s("sizes", {2}, {1, 2});
  B::AttrInt(b.Node("Split", {"sl", "sizes"}, {"a", "b2"}), "axis", 1);
  b.InitInt64s("sq_axes", {1}, {1});
  b.Node("Squeeze", {"a", "sq_axes"}, {"sq"});
  b.Output("sq");
  b.Output("b2");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kStridedSlice, OpKind::kSplitV,
                                            OpKind::kReshape}))
      << PrintGraph(*g);
  const Op& slice = g->ops()[0];
  EXPECT_EQ(g->tensor(slice.outputs[0]).shape, (Shape{kUnknownDim, 3, 4}));
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{kUnknownDim, 4}));
  EXPECT_EQ(g->tensor(g->outputs()[1]).shape, (Shape{kUnknownDim, 2, 4}));
}

TEST_F(OnnxImporterTest, ErfExpansionIsAccurate) {
  std::vector<float> xs;
  for (float v = -5.0f; v <= 5.0f; v += 0.00390625f) xs.push_back(v);
  OnnxModelBuilder b;
  b.Input("unused", {1});
  b.InitFloats("c", {static_cast<int64_t>(xs.size())}, xs);
  b.Node("Erf", {"c"}, {"y"});
  b.Output("y");
  absl::StatusOr<Graph> g = Import(b);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_TRUE(g->ops().empty()) << PrintGraph(*g);  // folded by the reference kernels
  std::vector<float> ys = Floats(*g, g->outputs()[0]);
  double worst = 0;
  for (size_t i = 0; i < xs.size(); ++i) worst = std::max(worst, std::abs(ys[i] - std::erf(double{xs[i]})));
  EXPECT_LE(worst, 2e-7);
}

TEST_F(OnnxImporterTest, ChannelsLastTransposesAnyRank) {
  Graph graph;
  onnx_import::OnnxContext ctx(graph, "m.onnx", 13, true);
  onnx::NodeProto node;
  node.set_name("n");
  node.set_op_type("Conv");
  TensorId x = graph.AddActivation("x", DataType::kFloat32, {1, 8, 5, 6, 7});
  absl::StatusOr<TensorId> last = ctx.ToChannelsLast(node, x);
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(graph.tensor(*last).shape, (Shape{1, 5, 6, 7, 8}));
  absl::StatusOr<TensorId> first = ctx.ToChannelsFirst(node, *last);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(graph.tensor(*first).shape, (Shape{1, 8, 5, 6, 7}));
  EXPECT_EQ(graph.tensor(graph.ops()[1].inputs[1]).data->AsVector<int32_t>(),
            (std::vector<int32_t>{0, 4, 1, 2, 3}));
}

}  // namespace
}  // namespace optconv
