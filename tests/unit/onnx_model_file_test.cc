// The zero-copy ONNX reader: large initializer data stays in the file
// mapping, small data and malformed files take the plain protobuf path, and
// the importer and the folding kernels read mapped (possibly misaligned)
// weights correctly.
#include "importers/onnx/onnx_model_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "converter/buffer.h"
#include "importers/onnx/onnx_importer.h"
#include "tests/unit/onnx_test_util.h"

namespace optconv {
namespace {

using onnx_import::kMinMappedRawData;
using onnx_import::OnnxModelFile;
using onnx_import::ReadOnnxModelFile;
using testing::OnnxModelBuilder;

class OnnxModelFileTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::vector<float> Ramp(size_t n) {
    std::vector<float> v(n);
    std::iota(v.begin(), v.end(), 0.5f);
    return v;
  }

  // x[1,n] * w[1,n] -> y, with w large enough to stay in the mapping.
  static OnnxModelBuilder MulModel(size_t n, const std::string& name_padding = "") {
    OnnxModelBuilder b;
    b.Input("x", {1, static_cast<int64_t>(n)});
    b.InitFloats("w" + name_padding, {1, static_cast<int64_t>(n)}, Ramp(n));
    b.InitFloats("small", {2}, {1.0f, 2.0f});
    b.Node("Mul", {"x", "w" + name_padding}, {"y"});
    b.Output("y");
    return b;
  }

  std::string dir_;
};

TEST_F(OnnxModelFileTest, LargeRawDataStaysInTheMapping) {
  const size_t n = 4096;  // 16 KiB of weights
  const std::string path = MulModel(n).Write(dir_);
  absl::StatusOr<OnnxModelFile> file = ReadOnnxModelFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->initializer_data.size(), 2u);
  // The large one: not in the proto, a slice of the file holding exactly its bytes.
  const BufferPtr& w = file->initializer_data[0];
  ASSERT_NE(w, nullptr);
  EXPECT_FALSE(file->model.graph().initializer(0).has_raw_data());
  EXPECT_GE(w->data(), file->file->data());
  EXPECT_LE(w->data() + w->size(), file->file->data() + file->file->size());
  EXPECT_EQ(w->AsVector<float>(), Ramp(n));
  // The small one stays in the proto.
  EXPECT_EQ(file->initializer_data[1], nullptr);
  EXPECT_EQ(file->model.graph().initializer(1).raw_data().size(), 2 * sizeof(float));
  // Everything else parsed as protobuf would have.
  EXPECT_EQ(file->model.graph().node(0).op_type(), "Mul");
  EXPECT_EQ(file->model.graph().initializer(0).name(), "w");
}

TEST_F(OnnxModelFileTest, SmallModelsAreParsedWhole) {
  const size_t n = kMinMappedRawData / sizeof(float) - 1;
  absl::StatusOr<OnnxModelFile> file = ReadOnnxModelFile(MulModel(n).Write(dir_));
  ASSERT_TRUE(file.ok()) << file.status();
  for (const BufferPtr& b : file->initializer_data) EXPECT_EQ(b, nullptr);
  EXPECT_EQ(file->model.graph().initializer(0).raw_data().size(), n * sizeof(float));
}

TEST_F(OnnxModelFileTest, TwoGraphFieldsFallBackToProtobufMerging) {
  // Protobuf merges repeated embedded messages; the scan refuses to guess.
  OnnxModelBuilder b = MulModel(1024);
  onnx::GraphProto extra;
  extra.set_doc_string("second graph field");
  std::string bytes = b.Bytes();
  bytes.push_back(static_cast<char>((7 << 3) | 2));
  const std::string payload = extra.SerializeAsString();
  bytes.push_back(static_cast<char>(payload.size()));
  bytes += payload;
  const std::string path = dir_ + "/merged.onnx";
  testing::WriteBytes(path, bytes);
  absl::StatusOr<OnnxModelFile> file = ReadOnnxModelFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->model.graph().doc_string(), "second graph field");
  ASSERT_EQ(file->initializer_data.size(), 2u);
  EXPECT_EQ(file->initializer_data[0], nullptr);
  EXPECT_EQ(file->model.graph().initializer(0).raw_data().size(), 1024 * sizeof(float));
}

TEST_F(OnnxModelFileTest, TruncatedFilesAreRejectedNamingTheFile) {
  const std::string bytes = MulModel(4096).Bytes();
  for (size_t keep : {bytes.size() / 2, bytes.size() - 3, size_t{5}}) {
    const std::string path = dir_ + "/cut.onnx";
    testing::WriteBytes(path, bytes.substr(0, keep));
    absl::StatusOr<OnnxModelFile> file = ReadOnnxModelFile(path);
    ASSERT_FALSE(file.ok()) << "kept " << keep;
    EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(file.status().message().find(path), std::string::npos) << file.status();
  }
}

TEST_F(OnnxModelFileTest, WrongRawDataSizeIsReportedAsRawData) {
  OnnxModelBuilder b = MulModel(4096);
  b.graph().mutable_initializer(0)->set_dims(1, 4000);  // the data holds 4096
  absl::StatusOr<Graph> g = ImportOnnx(b.Write(dir_));
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(g.status().message().find("raw_data has 16384 bytes"), std::string::npos)
      << g.status();
}

// Every name length shifts the raw data by one byte, so some of these put
// the weights at offsets that are not a multiple of 4. Folding reads them
// through the reference kernels, which need aligned floats.
TEST_F(OnnxModelFileTest, MisalignedMappedWeightsFoldCorrectly) {
  const size_t n = 1024;
  bool saw_misaligned = false;
  for (int pad = 0; pad < 4; ++pad) {
    OnnxModelBuilder b;
    b.Input("x", {1, static_cast<int64_t>(n)});
    const std::string w = "w" + std::string(static_cast<size_t>(pad), 'p');
    b.InitFloats(w, {1, static_cast<int64_t>(n)}, Ramp(n));
    b.InitFloats("two", {1}, {2.0f});
    b.Node("Mul", {w, "two"}, {"w2"});  // folded at import
    b.Node("Add", {"x", "w2"}, {"y"});
    b.Output("y");
    const std::string path = b.Write(dir_, "m" + std::to_string(pad) + ".onnx");
    absl::StatusOr<OnnxModelFile> file = ReadOnnxModelFile(path);
    ASSERT_TRUE(file.ok()) << file.status();
    ASSERT_NE(file->initializer_data[0], nullptr);
    saw_misaligned |= !file->initializer_data[0]->AlignedFor(sizeof(float));

    absl::StatusOr<Graph> g = ImportOnnx(path);
    ASSERT_TRUE(g.ok()) << g.status();
    ASSERT_EQ(g->ops().size(), 1u);
    const Tensor& folded = g->tensor(g->ops()[0].inputs[1]);
    ASSERT_TRUE(folded.is_constant());
    std::vector<float> expected = Ramp(n);
    for (float& v : expected) v *= 2.0f;
    EXPECT_EQ(folded.data->AsVector<float>(), expected) << "pad " << pad;
  }
  EXPECT_TRUE(saw_misaligned) << "no case put the weights at a misaligned offset";
}

TEST_F(OnnxModelFileTest, ReleasedPagesReadBackUnchanged) {
  const size_t n = 64 * 1024;  // 256 KiB: many whole pages
  const std::string path = MulModel(n).Write(dir_);
  absl::StatusOr<OnnxModelFile> file = ReadOnnxModelFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  const BufferPtr& w = file->initializer_data[0];
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->AsVector<float>(), Ramp(n));
  w->ReleasePages();
  file->file->ReleasePages();
  EXPECT_EQ(w->AsVector<float>(), Ramp(n));
  // Owned buffers ignore the hint.
  BufferPtr owned = Buffer::FromValues<float>(Ramp(16));
  owned->ReleasePages();
  EXPECT_EQ(owned->AsVector<float>(), Ramp(16));
}

}  // namespace
}  // namespace optconv
