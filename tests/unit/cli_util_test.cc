// CLI helpers: default output paths, same-file detection, human-readable numbers.
#include "cli/cli_util.h"

#include <filesystem>
#include <fstream>

#include "cli/text_table.h"
#include "gtest/gtest.h"

namespace optconv::cli {
namespace {

TEST(CliUtilTest, DefaultOutputPathReplacesTheExtensionNextToTheInput) {
  EXPECT_EQ(DefaultOutputPath("model.onnx"), "model.tflite");
  EXPECT_EQ(DefaultOutputPath("dir/sub/resnet.v2.onnx"), "dir/sub/resnet.v2.tflite");
  EXPECT_EQ(DefaultOutputPath("/abs/noext"), "/abs/noext.tflite");
  EXPECT_EQ(DefaultOutputPath("a.tflite"), "a.tflite");  // the caller refuses this
}

TEST(CliUtilTest, SameFileSeesThroughRelativeSpellings) {
  const auto dir = std::filesystem::temp_directory_path() / "optconv_cli_util_test";
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "m.onnx").string();
  std::ofstream(file) << "x";
  EXPECT_TRUE(SameFile(file, (dir / "." / "m.onnx").string()));
  EXPECT_FALSE(SameFile(file, (dir / "m.tflite").string()));  // does not exist yet
  EXPECT_TRUE(SameFile((dir / "new.tflite").string(), (dir / ".." / dir.filename() / "new.tflite").string()));
  std::filesystem::remove_all(dir);
}

TEST(CliUtilTest, HumanNumbers) {
  EXPECT_EQ(HumanCount(152), "152");
  EXPECT_EQ(HumanCount(3'500'000), "3.5 M");
  EXPECT_EQ(HumanCount(25'557'032), "26 M");
  EXPECT_EQ(HumanCount(1'200), "1.2 k");
  EXPECT_EQ(HumanBytes(999), "999 B");
  EXPECT_EQ(HumanBytes(13'400'000), "13 MB");
  EXPECT_EQ(HumanBytes(4'200'000), "4.2 MB");
  EXPECT_EQ(HumanSeconds(0.1234), "0.12 s");
  EXPECT_EQ(HumanSeconds(0.00042), "0.4 ms");
  EXPECT_EQ(HumanSeconds(0.000022), "22 us");
}

TEST(CliUtilTest, ByCountDescendingBreaksTiesByName) {
  const auto rows = ByCountDescending({{"Add", 2}, {"Conv", 5}, {"Relu", 2}});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].first, "Conv");
  EXPECT_EQ(rows[1].first, "Add");
  EXPECT_EQ(rows[2].first, "Relu");
}

TEST(CliUtilTest, TextTableAlignsColumns) {
  TextTable table;
  table.AddRow({"Conv", "52"});
  table.AddRow({"BatchNormalization", "3"});
  EXPECT_EQ(table.Render(), "  Conv                52\n  BatchNormalization  3\n");
  table.AlignRight(1);
  EXPECT_EQ(table.Render(), "  Conv                52\n  BatchNormalization   3\n");
}

}  // namespace
}  // namespace optconv::cli
