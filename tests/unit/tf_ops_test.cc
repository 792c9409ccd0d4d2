// TF op converters on small hand-built TfGraphs: op kinds, weight layouts,
// folding of shape subgraphs, the unsupported-op summary, and numerics of
// composed ops through the reference interpreter.
#include <gtest/gtest.h>

#include <cmath>

#include "absl/strings/match.h"
#include "importers/savedmodel/tf_importer.h"
#include "runtime/interpreter.h"

namespace optconv {
namespace {

using tf_import::TfGraph;

class TfGraphBuilder {
 public:
  TfGraphBuilder() { g_.source = "test.pb"; g_.signature_name = "serving_default"; }

  tensorflow::NodeDef& Node(const std::string& name, const std::string& op,
                            std::vector<std::string> inputs = {}) {
    tensorflow::NodeDef n;
    n.set_name(name);
    n.set_op(op);
    for (const auto& in : inputs) n.add_input(in);
    g_.nodes.push_back(n);
    return g_.nodes.back();
  }
  /// A Placeholder that is signature input `key`.
  void Input(const std::string& name, std::vector<int64_t> shape,
             tensorflow::DataType dtype = tensorflow::DT_FLOAT) {
    Node(name, "Placeholder");
    g_.inputs.push_back({name, name, 0, dtype, shape, false});
  }
  void Output(const std::string& key, const std::string& node, int index = 0) {
    g_.outputs.push_back({key, node, index, tensorflow::DT_FLOAT, {}, false});
  }
  void ConstFloats(const std::string& name, std::vector<int64_t> shape, std::vector<float> v) {
    tensorflow::TensorProto t;
    t.set_dtype(tensorflow::DT_FLOAT);
    for (int64_t d : shape) t.mutable_tensor_shape()->add_dim()->set_size(d);
    for (float f : v) t.add_float_val(f);
    auto& n = Node(name, "Const");
    (*n.mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
    *(*n.mutable_attr())["value"].mutable_tensor() = t;
  }
  void ConstInts(const std::string& name, std::vector<int64_t> shape, std::vector<int32_t> v) {
    tensorflow::TensorProto t;
    t.set_dtype(tensorflow::DT_INT32);
    for (int64_t d : shape) t.mutable_tensor_shape()->add_dim()->set_size(d);
    // tensor_content, the encoding TF uses for most constants.
    t.set_tensor_content(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
    auto& n = Node(name, "Const");
    (*n.mutable_attr())["dtype"].set_type(tensorflow::DT_INT32);
    *(*n.mutable_attr())["value"].mutable_tensor() = t;
  }
  TfGraph& graph() { return g_; }

 private:
  TfGraph g_;
};

void SetInts(tensorflow::NodeDef& n, const std::string& attr, std::vector<int64_t> v) {
  auto* list = (*n.mutable_attr())[attr].mutable_list();
  for (int64_t x : v) list->add_i(x);
}
void SetString(tensorflow::NodeDef& n, const std::string& attr, const std::string& v) {
  (*n.mutable_attr())[attr].set_s(v);
}

std::vector<OpKind> Kinds(const Graph& g) {
  std::vector<OpKind> kinds;
  for (const Op& op : g.ops()) kinds.push_back(op.kind);
  return kinds;
}

TEST(TfOpsTest, Conv2DBiasReluKeepsNhwcAndReordersTheFilter) {
  TfGraphBuilder b;
  b.Input("x", {-1, 5, 5, 2});
  std::vector<float> filter(3 * 3 * 2 * 4);  // HWIO
  for (size_t i = 0; i < filter.size(); ++i) filter[i] = static_cast<float>(i);
  b.ConstFloats("w", {3, 3, 2, 4}, filter);
  b.ConstFloats("bias", {4}, {1, 2, 3, 4});
  auto& conv = b.Node("conv", "Conv2D", {"x", "w"});
  SetInts(conv, "strides", {1, 2, 2, 1});
  SetString(conv, "padding", "SAME");
  b.Node("add", "BiasAdd", {"conv", "bias"});
  b.Node("relu", "Relu", {"add"});
  b.Output("out", "relu");
  absl::StatusOr<Graph> g = ImportTfGraph(b.graph());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kConv2D, OpKind::kAdd, OpKind::kRelu}));
  const Op& op = g->ops()[0];
  const auto& o = op.opts<Conv2DOptions>();
  EXPECT_EQ(o.padding, Padding::kSame);
  EXPECT_EQ(o.stride_h, 2);
  const Tensor& w = g->tensor(op.inputs[1]);
  EXPECT_EQ(w.shape, (Shape{4, 3, 3, 2}));  // OHWI
  // OHWI[o=1, h=2, w=0, i=1] == HWIO[h=2, w=0, i=1, o=1]
  const auto values = w.data->AsVector<float>();
  EXPECT_EQ(values[((1 * 3 + 2) * 3 + 0) * 2 + 1], filter[((2 * 3 + 0) * 2 + 1) * 4 + 1]);
  EXPECT_EQ(g->tensor(g->inputs()[0]).shape, (Shape{kUnknownDim, 5, 5, 2}));
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{kUnknownDim, 3, 3, 4}));
  ASSERT_EQ(g->signatures().size(), 1u);
  EXPECT_EQ(g->signatures()[0].key, "serving_default");
  EXPECT_EQ(g->signatures()[0].inputs[0].name, "x");
  EXPECT_EQ(g->signatures()[0].outputs[0].name, "out");
}

TEST(TfOpsTest, NchwConvIsRefusedByName) {
  TfGraphBuilder b;
  b.Input("x", {1, 2, 5, 5});
  b.ConstFloats("w", {1, 1, 2, 2}, {1, 2, 3, 4});
  auto& conv = b.Node("conv", "Conv2D", {"x", "w"});
  SetString(conv, "padding", "VALID");
  SetString(conv, "data_format", "NCHW");
  b.Output("y", "conv");
  absl::StatusOr<Graph> g = ImportTfGraph(b.graph());
  ASSERT_EQ(g.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_TRUE(absl::StrContains(g.status().message(), "node 'conv' (Conv2D): data_format NCHW"))
      << g.status();
}

TEST(TfOpsTest, EveryUnsupportedOpIsListedAtOnce) {
  TfGraphBuilder b;
  b.Input("x", {2, 3});
  b.Node("a", "FancyOp", {"x"});
  b.Node("r", "Relu", {"a"});
  b.Node("c", "OtherOp", {"x"});
  b.Node("sum", "AddV2", {"r", "c"});
  b.Output("y", "sum");
  absl::StatusOr<Graph> g = ImportTfGraph(b.graph());
  ASSERT_EQ(g.status().code(), absl::StatusCode::kUnimplemented);
  const std::string message(g.status().message());
  EXPECT_TRUE(absl::StartsWith(message, "test.pb: 2 unsupported ops:\n")) << message;
  EXPECT_TRUE(absl::StrContains(message, "  node 'a' (FancyOp): no converter")) << message;
  EXPECT_TRUE(absl::StrContains(message, "  node 'c' (OtherOp): no converter")) << message;
}

TEST(TfOpsTest, ShapeSubgraphWithUnknownBatchFoldsIntoOneReshape) {
  // Flatten as Keras writes it: Reshape(x, Pack(Shape(x)[0], -1)).
  TfGraphBuilder b;
  b.Input("x", {-1, 4, 6});
  b.Node("shape", "Shape", {"x"});
  b.ConstInts("begin", {1}, {0});
  b.ConstInts("end", {1}, {1});
  b.ConstInts("strides", {1}, {1});
  auto& slice = b.Node("batch", "StridedSlice", {"shape", "begin", "end", "strides"});
  (*slice.mutable_attr())["shrink_axis_mask"].set_i(1);
  b.ConstInts("minus_one", {}, {-1});
  auto& pack = b.Node("pack", "Pack", {"batch", "minus_one"});
  (*pack.mutable_attr())["axis"].set_i(0);
  b.Node("flat", "Reshape", {"x", "pack"});
  b.Output("y", "flat");
  absl::StatusOr<Graph> g = ImportTfGraph(b.graph());
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kReshape}));
  const Tensor& shape = g->tensor(g->ops()[0].inputs[1]);
  ASSERT_TRUE(shape.is_constant());
  EXPECT_EQ(shape.data->AsVector<int32_t>(), (std::vector<int32_t>{-1, 24}));
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{kUnknownDim, 24}));
}

TEST(TfOpsTest, ConstFillsFromOneValueAndBatchNormFoldsToMulAdd) {
  TfGraphBuilder b;
  b.Input("x", {1, 2, 2, 3});
  b.ConstFloats("scale", {3}, {1, 2, 3});
  b.ConstFloats("offset", {3}, {0.5f});  // one value: broadcast to all three
  b.ConstFloats("mean", {3}, {});        // no value: zeros
  b.ConstFloats("var", {3}, {3});
  auto& bn = b.Node("bn", "FusedBatchNormV3", {"x", "scale", "offset", "mean", "var"});
  (*bn.mutable_attr())["epsilon"].set_f(1.0f);
  (*bn.mutable_attr())["is_training"].set_b(false);
  b.Output("y", "bn");
  absl::StatusOr<Graph> g = ImportTfGraph(b.graph());
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kMul, OpKind::kAdd}));
  EXPECT_EQ(g->tensor(g->ops()[0].inputs[1]).data->AsVector<float>(),
            (std::vector<float>{0.5f, 1.0f, 1.5f}));
  EXPECT_EQ(g->tensor(g->ops()[1].inputs[1]).data->AsVector<float>(),
            (std::vector<float>{0.5f, 0.5f, 0.5f}));
}

TEST(TfOpsTest, MatMulWithConstantWeightIsFullyConnected) {
  TfGraphBuilder b;
  b.Input("x", {-1, 3});
  b.Input("z", {-1, 2});
  b.ConstFloats("w", {3, 2}, {1, 2, 3, 4, 5, 6});
  b.Node("fc", "MatMul", {"x", "w"});
  auto& mm = b.Node("mm", "MatMul", {"fc", "z"});
  (*mm.mutable_attr())["transpose_b"].set_b(true);
  b.Output("y", "mm");
  absl::StatusOr<Graph> g = ImportTfGraph(b.graph());
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kFullyConnected, OpKind::kBatchMatMul}));
  EXPECT_EQ(g->tensor(g->ops()[0].inputs[1]).data->AsVector<float>(),
            (std::vector<float>{1, 3, 5, 2, 4, 6}));  // [N, K]
  EXPECT_TRUE(g->ops()[1].opts<BatchMatMulOptions>().adj_y);
}

TEST(TfOpsTest, SeluIsComposedAndComputesTfValues) {
  TfGraphBuilder b;
  b.Input("x", {4});
  b.Node("selu", "Selu", {"x"});
  b.Output("y", "selu");
  absl::StatusOr<Graph> g = ImportTfGraph(b.graph());
  ASSERT_TRUE(g.ok()) << g.status();
  const std::vector<float> x = {-2.0f, -0.5f, 0.0f, 1.5f};
  auto out = RunGraph(*g, {HostTensor::FromValues<float>(DataType::kFloat32, {4}, x)});
  ASSERT_TRUE(out.ok()) << out.status();
  const auto y = (*out)[0].values<float>();
  const double alpha = 1.6732632423543772, scale = 1.0507009873554805;
  for (size_t i = 0; i < x.size(); ++i) {
    const double expected = x[i] > 0 ? scale * x[i] : scale * alpha * (std::exp(x[i]) - 1);
    EXPECT_NEAR(y[i], expected, 1e-5) << "x = " << x[i];
  }
}

TEST(TfOpsTest, DepthwiseFilterBecomesOneByHwcm) {
  TfGraphBuilder b;
  b.Input("x", {1, 4, 4, 2});
  b.ConstFloats("w", {3, 3, 2, 2}, std::vector<float>(36, 1.0f));
  auto& dw = b.Node("dw", "DepthwiseConv2dNative", {"x", "w"});
  SetString(dw, "padding", "VALID");
  b.Output("y", "dw");
  absl::StatusOr<Graph> g = ImportTfGraph(b.graph());
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(Kinds(*g), (std::vector<OpKind>{OpKind::kDepthwiseConv2D}));
  EXPECT_EQ(g->ops()[0].opts<DepthwiseConv2DOptions>().depth_multiplier, 2);
  EXPECT_EQ(g->tensor(g->ops()[0].inputs[1]).shape, (Shape{1, 3, 3, 4}));
  EXPECT_EQ(g->tensor(g->outputs()[0]).shape, (Shape{1, 2, 2, 4}));
}

}  // namespace
}  // namespace optconv
