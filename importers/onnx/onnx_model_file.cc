#include "importers/onnx/onnx_model_file.h"

#include <climits>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace optconv::onnx_import {
namespace {

// Field numbers of onnx.proto3 that the scan looks at.
constexpr uint32_t kModelGraph = 7;        // ModelProto.graph
constexpr uint32_t kGraphInitializer = 5;  // GraphProto.initializer
constexpr uint32_t kTensorRawData = 9;     // TensorProto.raw_data
constexpr int kLengthDelimited = 2;

struct Field {
  uint32_t number = 0;
  int wire = 0;
  const uint8_t* start = nullptr;    // the tag's first byte
  const uint8_t* payload = nullptr;  // length-delimited fields: the bytes after the length
  size_t payload_size = 0;
  const uint8_t* end = nullptr;      // one past the field
};

/// Walks the fields of one serialized message. Any malformation ends the
/// walk with failed() set; the caller then lets protobuf parse (and reject)
/// the file as it is.
class WireReader {
 public:
  WireReader(const uint8_t* begin, size_t size) : p_(begin), end_(begin + size) {}
  bool done() const { return p_ == end_ || failed_; }
  bool failed() const { return failed_; }

  std::optional<Field> Next() {
    Field f;
    f.start = p_;
    std::optional<uint64_t> tag = Varint();
    if (!tag || (*tag >> 3) == 0 || (*tag >> 3) > UINT32_MAX) return Fail();
    f.number = static_cast<uint32_t>(*tag >> 3);
    f.wire = static_cast<int>(*tag & 7);
    switch (f.wire) {
      case 0:
        if (!Varint()) return Fail();
        break;
      case 1:
        if (!Skip(8)) return Fail();
        break;
      case 5:
        if (!Skip(4)) return Fail();
        break;
      case kLengthDelimited: {
        std::optional<uint64_t> size = Varint();
        if (!size || *size > static_cast<uint64_t>(end_ - p_)) return Fail();
        f.payload = p_;
        f.payload_size = static_cast<size_t>(*size);
        p_ += *size;
        break;
      }
      default:
        return Fail();  // groups: not in onnx.proto
    }
    f.end = p_;
    return f;
  }

 private:
  std::optional<uint64_t> Varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64 && p_ < end_; shift += 7) {
      const uint8_t byte = *p_++;
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    return std::nullopt;
  }
  bool Skip(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }
  std::nullopt_t Fail() {
    failed_ = true;
    return std::nullopt;
  }

  const uint8_t* p_;
  const uint8_t* end_;
  bool failed_ = false;
};

void AppendVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void AppendBytes(std::string& out, const uint8_t* begin, const uint8_t* end) {
  out.append(reinterpret_cast<const char*>(begin), static_cast<size_t>(end - begin));
}

void AppendMessageField(std::string& out, uint32_t number, const std::string& payload) {
  AppendVarint(out, (static_cast<uint64_t>(number) << 3) | kLengthDelimited);
  AppendVarint(out, payload.size());
  out += payload;
}

struct Range {
  size_t offset = 0;
  size_t size = 0;
};

struct Stripped {
  std::string model;                             // the bytes protobuf parses
  std::vector<std::optional<Range>> raw_ranges;  // per initializer
};

/// A TensorProto without its raw_data when that is one large field; the
/// data's place in the file goes to `range`.
bool StripTensor(const Field& tensor, const uint8_t* file_begin, std::string& out,
                 std::optional<Range>& range) {
  WireReader reader(tensor.payload, tensor.payload_size);
  std::optional<Field> raw;
  int raw_fields = 0;
  while (!reader.done()) {
    std::optional<Field> f = reader.Next();
    if (!f) break;
    if (f->number == kTensorRawData && f->wire == kLengthDelimited) {
      raw = f;
      ++raw_fields;
    }
  }
  if (reader.failed()) return false;
  // Repeated raw_data fields (the last one wins) are left to protobuf.
  if (raw_fields != 1 || raw->payload_size < kMinMappedRawData) {
    AppendBytes(out, tensor.payload, tensor.payload + tensor.payload_size);
    return true;
  }
  AppendBytes(out, tensor.payload, raw->start);
  AppendBytes(out, raw->end, tensor.payload + tensor.payload_size);
  range = Range{static_cast<size_t>(raw->payload - file_begin), raw->payload_size};
  return true;
}

bool StripGraph(const Field& graph, const uint8_t* file_begin, std::string& out,
                std::vector<std::optional<Range>>& ranges) {
  WireReader reader(graph.payload, graph.payload_size);
  while (!reader.done()) {
    std::optional<Field> f = reader.Next();
    if (!f) break;
    if (f->number != kGraphInitializer || f->wire != kLengthDelimited) {
      AppendBytes(out, f->start, f->end);
      continue;
    }
    std::string tensor;
    std::optional<Range> range;
    if (!StripTensor(*f, file_begin, tensor, range)) return false;
    AppendMessageField(out, kGraphInitializer, tensor);
    ranges.push_back(range);
  }
  return !reader.failed();
}

/// nullopt when the bytes are not well-formed enough to rewrite safely.
std::optional<Stripped> StripModel(absl::Span<const uint8_t> bytes) {
  Stripped result;
  WireReader reader(bytes.data(), bytes.size());
  bool seen_graph = false;
  while (!reader.done()) {
    std::optional<Field> f = reader.Next();
    if (!f) break;
    if (f->number != kModelGraph || f->wire != kLengthDelimited) {
      AppendBytes(result.model, f->start, f->end);
      continue;
    }
    if (seen_graph) return std::nullopt;  // protobuf would merge the two graphs
    seen_graph = true;
    std::string graph;
    if (!StripGraph(*f, bytes.data(), graph, result.raw_ranges)) return std::nullopt;
    AppendMessageField(result.model, kModelGraph, graph);
  }
  if (reader.failed()) return std::nullopt;
  return result;
}

absl::Status NotAModel(const std::string& path, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": not a valid ONNX model: ", why));
}

}  // namespace

absl::StatusOr<OnnxModelFile> ReadOnnxModelFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory (expected a model file)"));
  }
  absl::StatusOr<BufferPtr> mapped = Buffer::MapFile(path);
  if (!mapped.ok()) return mapped.status();
  OnnxModelFile result;
  result.file = *std::move(mapped);
  const absl::Span<const uint8_t> bytes = result.file->bytes();
  if (bytes.empty()) return NotAModel(path, "the file is empty");
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": the model is larger than 2 GiB (expected weights in external data files)"));
  }
  onnx::ModelProto& model = result.model;
  std::optional<Stripped> stripped = StripModel(bytes);
  bool parsed = stripped && model.ParseFromString(stripped->model) && model.has_graph() &&
                model.graph().initializer_size() == static_cast<int>(stripped->raw_ranges.size());
  if (parsed) {
    result.initializer_data.reserve(stripped->raw_ranges.size());
    for (const std::optional<Range>& range : stripped->raw_ranges) {
      BufferPtr slice;
      if (range) {
        absl::StatusOr<BufferPtr> s = Buffer::Slice(result.file, range->offset, range->size);
        if (!s.ok()) return s.status();  // cannot happen: the scan checked the bounds
        slice = *std::move(s);
      }
      result.initializer_data.push_back(std::move(slice));
    }
  } else {
    // Not rewritable (or not ONNX at all): protobuf decides, on the original bytes.
    model.Clear();
    if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return NotAModel(path, "protobuf parsing failed (the file is truncated, corrupt or not ONNX)");
    }
    result.initializer_data.assign(static_cast<size_t>(model.graph().initializer_size()), nullptr);
  }
  if (!model.has_graph()) return NotAModel(path, "the model has no graph");
  if (model.ir_version() <= 0) return NotAModel(path, "ir_version is missing");
  return result;
}

}  // namespace optconv::onnx_import
