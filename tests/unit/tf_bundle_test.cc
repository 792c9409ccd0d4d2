// Checkpoint reading: crc32c, the sorted string table of variables.index and
// the tensor bundle on real SavedModels from /work/shared/models, and the
// damage it must detect (flipped bytes, missing shard, truncated index).
#include "importers/savedmodel/tensor_bundle.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "importers/savedmodel/crc32c.h"
#include "importers/savedmodel/proto/trackable_object_graph.pb.h"
#include "importers/savedmodel/sstable_reader.h"

namespace optconv::tf_import {
namespace {

namespace fs = std::filesystem;

fs::path SharedModels() {
  const char* env = std::getenv("OPTCONV_SHARED_MODELS");
  return env ? fs::path(env) : fs::path("/work/shared/models");
}

#define SKIP_WITHOUT_SHARED_MODELS()                                                                  \
  if (!fs::is_directory(SharedModels() / "savedmodel")) {                                             \
    GTEST_SKIP() << SharedModels() / "savedmodel" << " is absent (set OPTCONV_SHARED_MODELS)";        \
  }

std::vector<fs::path> SavedModelDirs() {
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(SharedModels() / "savedmodel")) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

/// A writable copy of one shared SavedModel.
class BundleDamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::is_directory(SharedModels() / "savedmodel")) GTEST_SKIP() << "shared models absent";
    dir_ = fs::temp_directory_path() / ("tf_bundle_test_" + std::to_string(std::random_device{}()));
    fs::copy(SharedModels() / "savedmodel" / "tinyml_basic_linear", dir_, fs::copy_options::recursive);
    for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
      fs::permissions(entry.path(), fs::perms::owner_write, fs::perm_options::add);
    }
    prefix_ = (dir_ / "variables" / "variables").string();
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  static void FlipByte(const std::string& path, std::streamoff offset) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(offset);
    char byte = 0;
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x5a);
    file.seekp(offset);
    file.write(&byte, 1);
  }
  fs::path dir_;
  std::string prefix_;
};

TEST(TfCrc32cTest, MatchesKnownVectors) {
  const std::string digits = "123456789";
  auto span = absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(digits.data()), digits.size());
  EXPECT_EQ(Crc32c(span), 0xe3069283u);  // the CRC-32C check value
  EXPECT_EQ(Crc32cExtend(Crc32c(span.first(4)), span.subspan(4)), Crc32c(span));
  EXPECT_EQ(Crc32c({}), 0u);
  EXPECT_NE(MaskCrc32c(0x12345678u), 0x12345678u);
  EXPECT_EQ(Crc32cExtendPortable(0, span), 0xe3069283u);
}

// The dispatched (SSE4.2 on x86-64) CRC equals the table one at every length
// and misalignment, including the 8-byte loop's tail and a chained extend.
TEST(TfCrc32cTest, FastPathMatchesTheTable) {
  std::vector<uint8_t> data(300);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 131 + 7);
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t length = 0; offset + length <= data.size(); length += 13) {
      const auto part = absl::MakeConstSpan(data).subspan(offset, length);
      ASSERT_EQ(Crc32c(part), Crc32cExtendPortable(0, part)) << offset << "+" << length;
      ASSERT_EQ(Crc32cExtend(0x1234u, part), Crc32cExtendPortable(0x1234u, part));
    }
  }
}

TEST(TfBundleTest, ReadsEveryRealCheckpoint) {
  SKIP_WITHOUT_SHARED_MODELS();
  for (const fs::path& dir : SavedModelDirs()) {
    SCOPED_TRACE(dir.string());
    absl::StatusOr<TensorBundle> bundle = TensorBundle::Open((dir / "variables" / "variables").string());
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    std::vector<std::string> keys = bundle->Keys();
    ASSERT_FALSE(keys.empty());
    int numeric = 0;
    for (const std::string& key : keys) {
      absl::StatusOr<TfTensorData> tensor = bundle->ReadTensor(key);
      if (!tensor.ok()) {
        EXPECT_EQ(tensor.status().code(), absl::StatusCode::kUnimplemented) << key << ": " << tensor.status();
        continue;
      }
      ++numeric;
      int64_t elements = 1;
      for (int64_t dim : tensor->shape) elements *= dim;
      EXPECT_GT(tensor->data->size(), 0u) << key;
      EXPECT_EQ(tensor->data->size() % std::max<int64_t>(elements, 1), 0u) << key;
    }
    EXPECT_GT(numeric, 0);
    // TF2 checkpoints carry their object graph as a scalar string tensor.
    if (bundle->Contains("_CHECKPOINTABLE_OBJECT_GRAPH")) {
      absl::StatusOr<std::vector<std::string>> strings = bundle->ReadStrings("_CHECKPOINTABLE_OBJECT_GRAPH");
      ASSERT_TRUE(strings.ok()) << strings.status();
      ASSERT_EQ(strings->size(), 1u);
      tensorflow::TrackableObjectGraph graph;
      ASSERT_TRUE(graph.ParseFromString(strings->front()));
      EXPECT_GT(graph.nodes_size(), 0);
    }
  }
}

TEST(TfBundleTest, ReadsSnappyCompressedIndex) {
  SKIP_WITHOUT_SHARED_MODELS();
  // TF 1.14's export of y = 0.5 * x + 2 ("a" and "b"); its index blocks are snappy-compressed.
  absl::StatusOr<TensorBundle> bundle = TensorBundle::Open(
      (SharedModels() / "savedmodel" / "serving_half_plus_two_cpu" / "variables" / "variables").string());
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  absl::StatusOr<TfTensorData> a = bundle->ReadTensor("a");
  absl::StatusOr<TfTensorData> b = bundle->ReadTensor("b");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->data->AsVector<float>(), std::vector<float>{0.5f});
  EXPECT_EQ(b->data->AsVector<float>(), std::vector<float>{2.0f});
}

TEST_F(BundleDamageTest, FlippedShardByteIsACrcMismatch) {
  absl::StatusOr<TensorBundle> clean = TensorBundle::Open(prefix_);
  ASSERT_TRUE(clean.ok()) << clean.status();
  const std::string key = "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE";
  ASSERT_TRUE(clean->ReadTensor(key).ok());
  absl::StatusOr<TfTensorData> before = clean->ReadTensor(key);
  // Find the tensor's offset by comparing with the mapped shard.
  std::ifstream shard(prefix_ + ".data-00000-of-00001", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(shard)), {});
  size_t offset = bytes.find(std::string(reinterpret_cast<const char*>(before->data->data()), before->data->size()));
  ASSERT_NE(offset, std::string::npos);
  FlipByte(prefix_ + ".data-00000-of-00001", static_cast<std::streamoff>(offset));

  absl::StatusOr<TensorBundle> damaged = TensorBundle::Open(prefix_);
  ASSERT_TRUE(damaged.ok()) << damaged.status();
  absl::StatusOr<TfTensorData> read = damaged->ReadTensor(key);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(read.status().message().find("crc32c mismatch"), std::string::npos) << read.status();
  EXPECT_NE(read.status().message().find(key), std::string::npos);
  EXPECT_NE(read.status().message().find("variables.data-00000-of-00001"), std::string::npos);
}

TEST_F(BundleDamageTest, FlippedIndexByteIsDetected) {
  // Every byte of the first data block is covered by its crc.
  for (std::streamoff offset : {0, 5, 20, 60}) {
    TearDown();
    SetUp();
    FlipByte(prefix_ + ".index", offset);
    absl::StatusOr<TensorBundle> bundle = TensorBundle::Open(prefix_);
    ASSERT_FALSE(bundle.ok()) << "offset " << offset;
    EXPECT_EQ(bundle.status().code(), absl::StatusCode::kDataLoss) << bundle.status();
    EXPECT_NE(bundle.status().message().find("variables.index"), std::string::npos);
  }
}

TEST_F(BundleDamageTest, TruncatedIndexIsInvalid) {
  fs::resize_file(prefix_ + ".index", 30);
  absl::StatusOr<TensorBundle> bundle = TensorBundle::Open(prefix_);
  ASSERT_FALSE(bundle.ok());
  EXPECT_EQ(bundle.status().code(), absl::StatusCode::kInvalidArgument) << bundle.status();
}

TEST_F(BundleDamageTest, MissingShardIsNotFound) {
  fs::remove(prefix_ + ".data-00000-of-00001");
  absl::StatusOr<TensorBundle> bundle = TensorBundle::Open(prefix_);
  ASSERT_FALSE(bundle.ok());
  EXPECT_EQ(bundle.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(bundle.status().message().find("variables.data-00000-of-00001"), std::string::npos) << bundle.status();
}

TEST(TfSstableTest, RejectsNonTable) {
  std::vector<uint8_t> junk(100, 0x42);
  absl::StatusOr<std::vector<SstableEntry>> table = ReadSortedStringTable(junk, "junk.index");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(table.status().message().find("junk.index: "), std::string::npos);
}

}  // namespace
}  // namespace optconv::tf_import
