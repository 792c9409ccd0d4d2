// Tests of the TFLite reader behind `optconv inspect`: round trips through the
// exporter, and clear errors for missing, truncated and foreign files.
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "converter/graph.h"
#include "exporters/tflite/tflite_exporter.h"
#include "exporters/tflite/tflite_reader.h"
#include "gtest/gtest.h"

namespace optconv {
namespace {

std::string WriteTemp(const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return path;
}

/// x[?,8] -> FULLY_CONNECTED -> RELU -> FULLY_CONNECTED (shared weights) ->
/// CUMSUM, with a signature named "infer".
Graph SmallGraph() {
  Graph g;
  g.source_path = "small.onnx";
  const TensorId x = g.AddActivation("input", DataType::kFloat32, {kUnknownDim, 8});
  g.inputs().push_back(x);
  std::vector<float> w(64, 0.5f);
  std::vector<float> bias(8, 0.25f);
  const TensorId wt = g.AddConstantValues<float>("w", DataType::kFloat32, {8, 8},
                                                 absl::MakeConstSpan(w));
  const TensorId wt2 = g.AddConstantValues<float>("w_again", DataType::kFloat32, {8, 8},
                                                  absl::MakeConstSpan(w));  // deduplicated
  const TensorId b = g.AddConstantValues<float>("b", DataType::kFloat32, {8},
                                                absl::MakeConstSpan(bias));
  const int32_t axis_value = 1;
  const TensorId axis = g.AddConstantValues<int32_t>("axis", DataType::kInt32, {},
                                                     absl::MakeConstSpan(&axis_value, 1));
  auto add = [&](OpKind kind, OpOptions options, std::vector<TensorId> inputs,
                 const std::string& name) {
    const TensorId out = g.AddActivation(name, DataType::kFloat32, {kUnknownDim, 8});
    g.AddOp(Op{kind, std::move(inputs), {out}, std::move(options), {name, "test"}});
    return out;
  };
  TensorId h = add(OpKind::kFullyConnected, FullyConnectedOptions{}, {x, wt, b}, "fc1");
  h = add(OpKind::kRelu, NoOptions{}, {h}, "relu");
  h = add(OpKind::kFullyConnected, FullyConnectedOptions{}, {h, wt2, b}, "fc2");
  h = add(OpKind::kCumsum, CumsumOptions{}, {h, axis}, "scores");
  g.outputs().push_back(h);
  Signature sig;
  sig.key = "infer";
  sig.inputs.push_back({"input", x});
  sig.outputs.push_back({"scores", h});
  g.signatures().push_back(sig);
  return g;
}

TEST(TfliteReaderTest, RoundTripsAnExportedModel) {
  TfliteExportOptions options;
  options.description = "round trip";
  absl::StatusOr<std::vector<uint8_t>> bytes = ExportTflite(SmallGraph(), options);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  const std::string path = WriteTemp("round_trip.tflite", *bytes);

  absl::StatusOr<TfliteModelSummary> s = ReadTfliteSummary(path);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->schema_version, 3u);
  EXPECT_EQ(s->description, "round trip");
  EXPECT_EQ(s->min_runtime_version, "2.4.0");  // CUMSUM v1
  EXPECT_EQ(s->file_bytes, bytes->size());
  EXPECT_EQ(s->num_subgraphs, 1);
  EXPECT_EQ(s->num_ops, 4);
  EXPECT_EQ(s->num_tensors, 9);
  EXPECT_EQ(s->op_histogram,
            (std::map<std::string, int>{{"CUMSUM", 1}, {"FULLY_CONNECTED", 2}, {"RELU", 1}}));
  ASSERT_EQ(s->op_codes.size(), 3u);
  EXPECT_EQ(s->op_codes[0].name, "FULLY_CONNECTED");
  EXPECT_EQ(s->op_codes[2].name, "CUMSUM");
  EXPECT_EQ(s->op_codes[2].builtin_code, 128);
  // w and w_again share one buffer: 64 + 8 + 1 parameters.
  EXPECT_EQ(s->num_parameters, 73);
  EXPECT_EQ(s->constant_bytes, (64 + 8 + 1) * 4);
  ASSERT_EQ(s->inputs.size(), 1u);
  EXPECT_EQ(s->inputs[0].name, "input");
  EXPECT_EQ(s->inputs[0].type, "FLOAT32");
  EXPECT_EQ(s->inputs[0].shape_signature, (std::vector<int32_t>{-1, 8}));
  ASSERT_EQ(s->outputs.size(), 1u);
  EXPECT_EQ(s->outputs[0].name, "scores");
  EXPECT_EQ(s->outputs[0].shape_signature, (std::vector<int32_t>{-1, 8}));
  EXPECT_EQ(s->signature_keys, (std::vector<std::string>{"infer"}));
  EXPECT_EQ(s->io_layout, "");  // the interface is the source's: no entry
}

// An input or output stored transposed from the source's layout is recorded
// in the file, so a user of the .tflite alone can map its data back.
TEST(TfliteReaderTest, InterfaceLayoutIsRecordedAsMetadata) {
  Graph g = SmallGraph();
  g.tensor(g.inputs()[0]).interface_perm = {1, 0};
  g.tensor(g.outputs()[0]).name = "scores \"nhwc\"";
  g.tensor(g.outputs()[0]).interface_perm = {1, 0};
  absl::StatusOr<std::vector<uint8_t>> bytes = ExportTflite(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  absl::StatusOr<TfliteModelSummary> s =
      ReadTfliteSummary(WriteTemp("io_layout.tflite", *bytes));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->io_layout,
            R"([{"name":"input","perm":[1,0]},{"name":"scores \"nhwc\"","perm":[1,0]}])");
}

TEST(TfliteReaderTest, MissingFileIsNotFound) {
  const std::string path = ::testing::TempDir() + "/does_not_exist.tflite";
  absl::StatusOr<TfliteModelSummary> s = ReadTfliteSummary(path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(s.status().message().find(path), std::string::npos);
}

TEST(TfliteReaderTest, TruncatedFileIsDataLoss) {
  absl::StatusOr<std::vector<uint8_t>> bytes = ExportTflite(SmallGraph());
  ASSERT_TRUE(bytes.ok());
  for (size_t keep : {bytes->size() / 2, bytes->size() - 16, size_t{12}, size_t{3}}) {
    std::vector<uint8_t> cut(bytes->begin(), bytes->begin() + static_cast<long>(keep));
    const std::string path = WriteTemp("truncated.tflite", cut);
    absl::StatusOr<TfliteModelSummary> s = ReadTfliteSummary(path);
    ASSERT_FALSE(s.ok()) << "kept " << keep << " bytes";
    EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(s.status().message().find(path), std::string::npos) << s.status();
  }
}

TEST(TfliteReaderTest, ForeignFileIsDataLoss) {
  std::vector<uint8_t> junk(256);
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<uint8_t>(i * 37 + 11);
  const std::string path = WriteTemp("junk.tflite", junk);
  absl::StatusOr<TfliteModelSummary> s = ReadTfliteSummary(path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(s.status().message().find("not a valid TFLite flatbuffer"), std::string::npos);
}

TEST(TfliteReaderTest, BuiltinNamesCoverTheWholeEnum) {
  EXPECT_EQ(TfliteBuiltinName(0), "ADD");
  EXPECT_EQ(TfliteBuiltinName(3), "CONV_2D");
  EXPECT_EQ(TfliteBuiltinName(87), "LOGICAL_NOT");
  EXPECT_EQ(TfliteBuiltinName(126), "BATCH_MATMUL");
  EXPECT_EQ(TfliteBuiltinName(127), "PLACEHOLDER_FOR_GREATER_OP_CODES");
  EXPECT_EQ(TfliteBuiltinName(150), "GELU");
  EXPECT_EQ(TfliteBuiltinName(161), "RIGHT_SHIFT");
  EXPECT_EQ(TfliteBuiltinName(207), "COMPLEX");
  EXPECT_EQ(TfliteBuiltinName(-1), "");
  EXPECT_EQ(TfliteBuiltinName(208), "");
  for (int32_t code = 0; code <= 207; ++code) EXPECT_FALSE(TfliteBuiltinName(code).empty()) << code;
}

}  // namespace
}  // namespace optconv
