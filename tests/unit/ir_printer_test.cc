// The IR text form of a small graph, byte for byte (it is a stable format).
#include "converter/ir_printer.h"

#include <vector>

#include "gtest/gtest.h"

namespace optconv {
namespace {

TEST(IrPrinterTest, SmallGraph) {
  Graph g;
  g.source_path = "m.onnx";
  TensorId x = g.AddActivation("x", DataType::kFloat32, {kUnknownDim, 4, 4, 3});
  TensorId w = g.AddConstantValues<float>("w", DataType::kFloat32, {2, 1, 1, 3},
                                          std::vector<float>{0.5f, 1, 2, 3, 4, 5});
  std::vector<float> many(20, 0.25f);
  TensorId b = g.AddConstantValues<float>("b", DataType::kFloat32, {20}, many);
  TensorId y = g.AddActivation("y", DataType::kFloat32, {kUnknownDim, 2, 2, 2});
  TensorId parts0 = g.AddActivation("p0", DataType::kFloat32, {kUnknownDim, 2, 2, 1});
  TensorId parts1 = g.AddActivation("p 1", DataType::kFloat32, {kUnknownDim, 2, 2, 1});
  TensorId axis = g.AddConstantValues<int32_t>("axis", DataType::kInt32, {}, std::vector<int32_t>{3});
  g.inputs() = {x};
  g.outputs() = {parts0, parts1};
  Op conv;
  conv.kind = OpKind::kConv2D;
  conv.inputs = {x, w, kNoTensor};
  conv.outputs = {y};
  Conv2DOptions o;
  o.padding = Padding::kSame;
  o.stride_h = o.stride_w = 2;
  o.activation = Activation::kRelu6;
  conv.options = o;
  conv.origin = {"Conv_0", "Conv"};
  g.AddOp(conv);
  Op split;
  split.kind = OpKind::kSplit;
  split.inputs = {axis, y};
  split.outputs = {parts0, parts1};
  split.options = SplitOptions{2};
  g.AddOp(split);
  Signature sig;
  sig.inputs = {{"x", x}};
  sig.outputs = {{"p0", parts0}, {"p1", parts1}};
  g.signatures() = {sig};
  (void)b;
  QuantParams q;
  q.scales = {0.5f};
  q.zero_points = {-3};
  g.tensor(y).quant = q;

  EXPECT_EQ(PrintGraph(g),
            "graph \"m.onnx\" {\n"
            "  input %x:f32[?,4,4,3]\n"
            "  const %w:f32[2,1,1,3] = [0.5, 1, 2, 3, 4, 5]\n"
            "  const %b:f32[20] = [0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, ...] (20 values)\n"
            "  const %axis:i32[] = [3]\n"
            "  %y:f32[?,2,2,2] q(scale=0.5 zp=-3) = Conv2D(%x, %w:const, _) "
            "{padding=same, stride=2x2, act=relu6}  # node 'Conv_0' (Conv)\n"
            "  %p0:f32[?,2,2,1], %\"p 1\":f32[?,2,2,1] = Split(%axis:const, %y) {num_splits=2}\n"
            "  output %p0\n"
            "  output %\"p 1\"\n"
            "  signature \"serving_default\" (x: %x) -> (p0: %p0, p1: %\"p 1\")\n"
            "}\n");
}

}  // namespace
}  // namespace optconv
