#pragma once
// A tiny streaming JSON writer for the CLI's --json output and the .tflite
// metadata the exporter writes; header-only. Keys are written in the order
// given: callers iterate ordered containers so the output is deterministic.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace optconv {

/// Appends `text` to `out` as a quoted JSON string. Control characters are
/// escaped; bytes that are not valid UTF-8 become U+FFFD so the result always
/// parses (names in corrupt models can hold arbitrary bytes).
inline void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Multi-byte UTF-8: validate lead byte, continuation bytes and ranges.
    size_t len = 0;
    uint32_t code = 0;
    if ((c & 0xe0) == 0xc0) { len = 2; code = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { len = 3; code = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { len = 4; code = c & 0x07; }
    bool valid = len != 0 && i + len <= text.size();
    for (size_t k = 1; valid && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      valid = (cc & 0xc0) == 0x80;
      code = (code << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMinForLen[] = {0, 0, 0x80, 0x800, 0x10000};
    if (valid) {
      valid = code >= kMinForLen[len] && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
    }
    if (valid) {
      out.append(text.data() + i, len);
      i += len;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out.push_back('"');
}

/// Builds a JSON document. Usage:
///   JsonWriter w;
///   w.BeginObject().Key("status").String("ok").Key("ops").Int(3).EndObject();
///   std::string text = w.str();
class JsonWriter {
 public:
  /// `indent` > 0 pretty-prints with that many spaces per level.
  explicit JsonWriter(int indent = 2) : indent_(indent) {}

  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }

  /// The key of the next value inside an object.
  JsonWriter& Key(std::string_view key) {
    Separate();
    AppendJsonString(out_, key);
    out_ += indent_ > 0 ? ": " : ":";
    after_key_ = true;
    return *this;
  }
  JsonWriter& String(std::string_view value) {
    Separate();
    AppendJsonString(out_, value);
    return *this;
  }
  JsonWriter& Int(int64_t value) {
    Separate();
    out_ += std::to_string(value);
    return *this;
  }
  /// Finite values in shortest round-trip form; NaN and infinities as null.
  JsonWriter& Double(double value) {
    Separate();
    if (!std::isfinite(value)) {
      out_ += "null";
      return *this;
    }
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
    out_.append(buf, end);
    return *this;
  }
  JsonWriter& Bool(bool value) {
    Separate();
    out_ += value ? "true" : "false";
    return *this;
  }
  JsonWriter& Null() {
    Separate();
    out_ += "null";
    return *this;
  }

  /// The document so far (complete once every Begin has its End).
  const std::string& str() const { return out_; }

 private:
  struct Level {
    bool empty = true;
  };

  // Emits the comma/newline/indent that precedes a value or key.
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (stack_.empty()) return;
    if (!stack_.back().empty) out_.push_back(',');
    stack_.back().empty = false;
    NewLine(stack_.size());
  }
  void NewLine(size_t depth) {
    if (indent_ <= 0) return;
    out_.push_back('\n');
    out_.append(depth * static_cast<size_t>(indent_), ' ');
  }
  JsonWriter& Open(char bracket) {
    Separate();
    out_.push_back(bracket);
    stack_.push_back(Level{});
    return *this;
  }
  JsonWriter& Close(char bracket) {
    const bool empty = stack_.back().empty;
    stack_.pop_back();
    if (!empty) NewLine(stack_.size());
    out_.push_back(bracket);
    return *this;
  }

  int indent_;
  bool after_key_ = false;
  std::vector<Level> stack_;
  std::string out_;
};

}  // namespace optconv
