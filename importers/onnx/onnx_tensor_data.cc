#include "importers/onnx/onnx_tensor_data.h"

#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "converter/buffer.h"

namespace optconv::onnx_import {
namespace {

using onnx::TensorProto;

/// Owns a std::string moved out of a parsed TensorProto (no copy).
class StringBuffer final : public Buffer {
 public:
  explicit StringBuffer(std::string bytes) : bytes_(std::move(bytes)) {}
  absl::Span<const uint8_t> bytes() const override {
    return {reinterpret_cast<const uint8_t*>(bytes_.data()), bytes_.size()};
  }

 private:
  std::string bytes_;
};

std::string TensorLabel(const std::string& file, const TensorProto& proto) {
  return absl::StrCat(file, ": tensor '", proto.name(), "'");
}

// Typed-field storage: every element narrower than 32 bits lives in int32_data.
template <typename T>
BufferPtr NarrowInt32Field(const TensorProto& proto) {
  std::vector<T> values;
  values.reserve(proto.int32_data_size());
  for (int32_t v : proto.int32_data()) values.push_back(static_cast<T>(v));
  return Buffer::FromValues<T>(values);
}

int64_t TypedFieldCount(const TensorProto& proto) {
  switch (proto.data_type()) {
    case TensorProto::FLOAT: return proto.float_data_size();
    case TensorProto::INT64: return proto.int64_data_size();
    case TensorProto::DOUBLE: return proto.double_data_size();
    default: return proto.int32_data_size();
  }
}

BufferPtr TypedFieldBuffer(const TensorProto& proto) {
  switch (proto.data_type()) {
    case TensorProto::FLOAT:
      return Buffer::FromValues<float>({proto.float_data().data(),
                                        static_cast<size_t>(proto.float_data_size())});
    case TensorProto::INT64:
      return Buffer::FromValues<int64_t>({proto.int64_data().data(),
                                          static_cast<size_t>(proto.int64_data_size())});
    case TensorProto::INT32:
      return Buffer::FromValues<int32_t>({proto.int32_data().data(),
                                          static_cast<size_t>(proto.int32_data_size())});
    case TensorProto::INT16: return NarrowInt32Field<int16_t>(proto);
    case TensorProto::FLOAT16: return NarrowInt32Field<uint16_t>(proto);
    case TensorProto::INT8: return NarrowInt32Field<int8_t>(proto);
    case TensorProto::UINT8:
    case TensorProto::BOOL: return NarrowInt32Field<uint8_t>(proto);
    default: return nullptr;
  }
}

// Doubles have no IR type: constants are narrowed to f32 (one copy, small in practice).
BufferPtr DoublesToFloats(absl::Span<const double> doubles) {
  std::vector<float> floats(doubles.begin(), doubles.end());
  return Buffer::FromValues<float>(floats);
}

}  // namespace

absl::StatusOr<DataType> DataTypeFromOnnx(int32_t elem_type, const std::string& what) {
  switch (elem_type) {
    case TensorProto::FLOAT: return DataType::kFloat32;
    case TensorProto::FLOAT16: return DataType::kFloat16;
    case TensorProto::INT8: return DataType::kInt8;
    case TensorProto::UINT8: return DataType::kUInt8;
    case TensorProto::INT16: return DataType::kInt16;
    case TensorProto::INT32: return DataType::kInt32;
    case TensorProto::INT64: return DataType::kInt64;
    case TensorProto::BOOL: return DataType::kBool;
    default: break;
  }
  std::string name = onnx::TensorProto_DataType_IsValid(elem_type)
                         ? onnx::TensorProto_DataType_Name(elem_type)
                         : absl::StrCat("unknown (", elem_type, ")");
  return absl::UnimplementedError(absl::StrCat(
      what, ": element type ", name,
      " is not supported (expected float, float16, int8/16/32/64, uint8 or bool)"));
}

ExternalDataFiles::ExternalDataFiles(std::string model_path) : model_path_(std::move(model_path)) {
  model_dir_ = std::filesystem::path(model_path_).parent_path().string();
}

absl::StatusOr<BufferPtr> ExternalDataFiles::Slice(const std::string& tensor,
                                                   const std::string& location, uint64_t offset,
                                                   uint64_t length) {
  std::filesystem::path rel(location);
  bool escapes = rel.is_absolute();
  for (const auto& part : rel) escapes = escapes || part == "..";
  if (location.empty() || escapes) {
    return absl::InvalidArgumentError(absl::StrCat(
        model_path_, ": tensor '", tensor, "': external data location '", location,
        "' is not a relative path inside the model directory"));
  }
  const std::string path = (std::filesystem::path(model_dir_) / rel).string();
  auto it = mapped_.find(path);
  if (it == mapped_.end()) {
    absl::StatusOr<BufferPtr> mapped = Buffer::MapFile(path);
    if (!mapped.ok()) {
      return absl::Status(mapped.status().code(),
                          absl::StrCat(model_path_, ": tensor '", tensor,
                                       "': cannot read external data file '", path,
                                       "': ", mapped.status().message()));
    }
    it = mapped_.emplace(path, *std::move(mapped)).first;
  }
  absl::StatusOr<BufferPtr> slice = Buffer::Slice(it->second, offset, length);
  if (!slice.ok()) {
    return absl::DataLossError(absl::StrCat(model_path_, ": tensor '", tensor,
                                            "': external data in '", path, "' is truncated: ",
                                            slice.status().message()));
  }
  return slice;
}

absl::StatusOr<Tensor> TensorFromProto(const TensorProto& proto, ExternalDataFiles& files,
                                       TensorProto* movable, BufferPtr mapped_raw_data) {
  const std::string label = TensorLabel(files.model_path(), proto);
  Tensor t;
  t.name = proto.name();
  for (int64_t d : proto.dims()) {
    if (d < 0) return absl::InvalidArgumentError(absl::StrCat(label, ": negative dimension ", d));
    t.shape.push_back(d);
  }
  const bool is_double = proto.data_type() == TensorProto::DOUBLE;
  if (is_double) {
    t.type = DataType::kFloat32;
  } else {
    absl::StatusOr<DataType> type = DataTypeFromOnnx(proto.data_type(), label);
    if (!type.ok()) return type.status();
    t.type = *type;
  }
  const uint64_t numel = static_cast<uint64_t>(NumElements(t.shape).value_or(0));
  const uint64_t stored_size = is_double ? 8 : ElementSize(t.type);
  const uint64_t expected_bytes = numel * stored_size;
  const std::string expected_what =
      absl::StrCat(expected_bytes, " bytes for ", numel, " elements of ",
                   is_double ? std::string("f64") : std::string(DataTypeName(t.type)),
                   ShapeToString(t.shape));

  BufferPtr raw;
  if (proto.data_location() == TensorProto::EXTERNAL) {
    std::string location;
    uint64_t offset = 0;
    std::optional<uint64_t> length;
    for (const onnx::StringStringEntryProto& kv : proto.external_data()) {
      uint64_t v = 0;
      if (kv.key() == "location") {
        location = kv.value();
      } else if (kv.key() == "offset" || kv.key() == "length") {
        if (!absl::SimpleAtoi(kv.value(), &v)) {
          return absl::InvalidArgumentError(absl::StrCat(label, ": external data ", kv.key(),
                                                         " '", kv.value(), "' is not a number"));
        }
        if (kv.key() == "offset") offset = v;
        else length = v;
      }
    }
    if (length && *length != expected_bytes) {
      return absl::DataLossError(absl::StrCat(label, ": external data length is ", *length,
                                              " bytes (expected ", expected_what, ")"));
    }
    absl::StatusOr<BufferPtr> slice = files.Slice(proto.name(), location, offset, expected_bytes);
    if (!slice.ok()) return slice.status();
    raw = *std::move(slice);
  } else if (mapped_raw_data != nullptr || proto.has_raw_data()) {
    const size_t raw_size =
        mapped_raw_data != nullptr ? mapped_raw_data->size() : proto.raw_data().size();
    if (raw_size != expected_bytes) {
      return absl::DataLossError(absl::StrCat(label, ": raw_data has ", raw_size,
                                              " bytes (expected ", expected_what, ")"));
    }
    if (mapped_raw_data != nullptr) {
      raw = std::move(mapped_raw_data);
    } else if (movable != nullptr) {
      raw = std::make_shared<StringBuffer>(std::move(*movable->mutable_raw_data()));
    } else {
      raw = std::make_shared<StringBuffer>(proto.raw_data());
    }
  }

  if (raw != nullptr) {
    if (is_double) {
      std::vector<double> doubles = raw->AsVector<double>();
      raw = DoublesToFloats(doubles);
    }
    t.data = std::move(raw);
    return t;
  }
  if (static_cast<uint64_t>(TypedFieldCount(proto)) != numel) {
    return absl::DataLossError(absl::StrCat(label, ": has ", TypedFieldCount(proto),
                                            " values (expected ", numel, " for shape ",
                                            ShapeToString(t.shape), ")"));
  }
  t.data = is_double ? DoublesToFloats({proto.double_data().data(),
                                        static_cast<size_t>(proto.double_data_size())})
                     : TypedFieldBuffer(proto);
  if (t.data == nullptr) {
    return absl::UnimplementedError(absl::StrCat(label, ": typed data of this element type is not supported"));
  }
  return t;
}

}  // namespace optconv::onnx_import
