// VerifyGraph: a valid graph passes; each class of violation is reported.
#include "converter/verifier.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace optconv {
namespace {

constexpr DataType kF32 = DataType::kFloat32;

// x -> Relu -> a -> Add(a, c) -> y
class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() {
    g_.source_path = "m.onnx";
    x_ = g_.AddActivation("x", kF32, {2, 2});
    a_ = g_.AddActivation("a", kF32, {2, 2});
    c_ = g_.AddConstantValues<float>("c", kF32, {2}, std::vector<float>{1, 2});
    y_ = g_.AddActivation("y", kF32, {2, 2});
    g_.inputs() = {x_};
    g_.outputs() = {y_};
    g_.AddOp(MakeOp(OpKind::kRelu, {x_}, {a_}, NoOptions{}, "relu"));
    g_.AddOp(MakeOp(OpKind::kAdd, {a_, c_}, {y_}, BinaryOptions{}, "add"));
    Signature sig;
    sig.inputs = {{"x", x_}};
    sig.outputs = {{"y", y_}};
    g_.signatures() = {sig};
  }
  static Op MakeOp(OpKind kind, std::vector<TensorId> in, std::vector<TensorId> out, OpOptions o,
                   std::string name) {
    Op op;
    op.kind = kind;
    op.inputs = std::move(in);
    op.outputs = std::move(out);
    op.options = std::move(o);
    op.origin = {std::move(name), "Onnx"};
    return op;
  }
  std::string Error() {
    absl::Status s = VerifyGraph(g_);
    EXPECT_FALSE(s.ok());
    return std::string(s.message());
  }

  Graph g_;
  TensorId x_, a_, c_, y_;
};

TEST_F(VerifierTest, ValidGraphPasses) { EXPECT_TRUE(VerifyGraph(g_).ok()) << VerifyGraph(g_); }

TEST_F(VerifierTest, OptionalInputsAreAllowed) {
  g_.ops()[1].inputs.push_back(kNoTensor);
  EXPECT_TRUE(VerifyGraph(g_).ok());
}

TEST_F(VerifierTest, DanglingTensor) {
  TensorId orphan = g_.AddActivation("orphan", kF32, {2});
  g_.ops()[1].inputs[1] = orphan;
  EXPECT_EQ(Error(), "m.onnx: node 'add' (Onnx): Add (op #1): input 1 'orphan' is dangling: no op, "
                     "graph input, constant or variable defines it");
}

TEST_F(VerifierTest, VariableTensorsNeedNoProducer) {
  TensorId state = g_.AddActivation("state", kF32, {2});
  g_.tensor(state).is_variable = true;
  g_.ops()[1].inputs[1] = state;
  EXPECT_TRUE(VerifyGraph(g_).ok()) << VerifyGraph(g_);
}

TEST_F(VerifierTest, IdOutOfRange) {
  g_.ops()[0].inputs[0] = 99;
  EXPECT_NE(Error().find("refers to tensor 99"), std::string::npos);
}

TEST_F(VerifierTest, UseBeforeDef) {
  std::swap(g_.ops()[0], g_.ops()[1]);
  std::string e = Error();
  EXPECT_NE(e.find("'a' is used before op #1 produces it"), std::string::npos) << e;
  EXPECT_NE(e.find("expected ops in topological order"), std::string::npos) << e;
}

TEST_F(VerifierTest, Cycle) {
  // relu reads y, which add (reading relu's a) produces.
  g_.ops()[0].inputs[0] = y_;
  std::string e = Error();
  EXPECT_NE(e.find("op is on a cycle"), std::string::npos) << e;
  EXPECT_NE(e.find("node 'relu'"), std::string::npos) << e;
}

TEST_F(VerifierTest, OptionsMismatch) {
  g_.ops()[1].options = Conv2DOptions{};
  EXPECT_NE(Error().find("options do not match the op kind"), std::string::npos);
}

TEST_F(VerifierTest, ConstantSizeMismatch) {
  g_.tensor(c_).shape = {3};
  EXPECT_EQ(Error(), "m.onnx: tensor 'c': constant holds 8 bytes (expected 12 for f32[3])");
}

TEST_F(VerifierTest, ProducedTwice) {
  g_.AddOp(MakeOp(OpKind::kRelu, {x_}, {a_}, NoOptions{}, "relu2"));
  EXPECT_NE(Error().find("produced more than once"), std::string::npos);
}

TEST_F(VerifierTest, GraphOutputNeverProduced) {
  g_.outputs().push_back(g_.AddActivation("ghost", kF32, {1}));
  EXPECT_EQ(Error(), "m.onnx: tensor 'ghost': graph output is never produced");
}

TEST_F(VerifierTest, SignatureMustReferToInterface) {
  g_.signatures()[0].outputs[0].tensor = a_;
  EXPECT_NE(Error().find("signature 'serving_default' output 'y' is not a graph output"),
            std::string::npos);
}

TEST_F(VerifierTest, QuantParams) {
  QuantParams q;
  q.scales = {0.5f, 0.25f};
  q.zero_points = {0, 0};
  q.quantized_dimension = 0;
  g_.tensor(c_).quant = q;
  EXPECT_TRUE(VerifyGraph(g_).ok());
  g_.tensor(c_).quant->scales[1] = -1.0f;
  EXPECT_NE(Error().find("scale -1 is not positive"), std::string::npos);
  g_.tensor(c_).quant->scales = {0.5f, 0.5f, 0.5f};
  g_.tensor(c_).quant->zero_points = {0, 0, 0};
  EXPECT_NE(Error().find("3 per-axis scales for dim of size 2"), std::string::npos);
}

}  // namespace
}  // namespace optconv
