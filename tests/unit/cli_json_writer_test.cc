// The CLI's tiny JSON writer: escaping, nesting and number formatting.
#include "converter/json_writer.h"

#include <cmath>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace optconv::cli {
namespace {

std::string Escaped(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

TEST(CliJsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Escaped("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Escaped("line\nnext\ttab\r"), R"("line\nnext\ttab\r")");
  EXPECT_EQ(Escaped(std::string("\x01\x1f", 2)), R"("\u0001\u001f")");
  EXPECT_EQ(Escaped(std::string("a\0b", 3)), R"("a\u0000b")");
}

TEST(CliJsonWriterTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(Escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  EXPECT_EQ(Escaped("a\xff" "b"), R"("a\ufffdb")");
  EXPECT_EQ(Escaped("\xc3"), R"("\ufffd")");               // truncated sequence
  EXPECT_EQ(Escaped("\xc0\xaf"), R"("\ufffd\ufffd")");     // overlong encoding
  EXPECT_EQ(Escaped("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // surrogate
}

TEST(CliJsonWriterTest, WritesCompactNestedDocuments) {
  JsonWriter w(/*indent=*/0);
  w.BeginObject();
  w.Key("s").String("x");
  w.Key("n").Int(-3);
  w.Key("b").Bool(true);
  w.Key("z").Null();
  w.Key("a").BeginArray().Int(1).BeginObject().EndObject().BeginArray().EndArray().EndArray();
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"s":"x","n":-3,"b":true,"z":null,"a":[1,{},[]]})");
}

TEST(CliJsonWriterTest, PrettyPrintsWithIndentation) {
  JsonWriter w;
  w.BeginObject().Key("a").BeginArray().Int(1).Int(2).EndArray().Key("o").BeginObject().EndObject().EndObject();
  EXPECT_EQ(w.str(), "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"o\": {}\n}");
}

TEST(CliJsonWriterTest, FormatsDoublesShortestAndNonFiniteAsNull) {
  JsonWriter w(0);
  w.BeginArray().Double(0.125).Double(1e-6).Double(3).Double(std::nan(""))
      .Double(std::numeric_limits<double>::infinity()).EndArray();
  EXPECT_EQ(w.str(), "[0.125,1e-06,3,null,null]");
}

}  // namespace
}  // namespace optconv::cli
