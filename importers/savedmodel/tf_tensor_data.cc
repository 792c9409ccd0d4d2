#include "importers/savedmodel/tf_tensor_data.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "importers/savedmodel/tf_types.h"
#include "runtime/fp16.h"

namespace optconv::tf_import {
namespace {

/// `n` values of T from a repeated field: empty -> zeros, shorter -> the last
/// value repeated.
template <typename T, typename Field>
absl::StatusOr<std::vector<T>> Broadcast(const Field& field, int64_t n, const std::string& what) {
  if (field.size() > n) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": has ", field.size(),
                                                   " values for ", n, " elements"));
  }
  std::vector<T> out(n, T{});
  for (int64_t i = 0; i < n; ++i) {
    if (field.empty()) break;
    out[i] = static_cast<T>(field[std::min<int64_t>(i, field.size() - 1)]);
  }
  return out;
}

template <typename T>
BufferPtr ToBuffer(const std::vector<T>& v) {
  return Buffer::FromValues<T>(absl::MakeConstSpan(v));
}

absl::StatusOr<BufferPtr> FromTypedValues(const tensorflow::TensorProto& p, int64_t n,
                                          const std::string& what) {
  switch (p.dtype()) {
    case tensorflow::DT_FLOAT: {
      auto v = Broadcast<float>(p.float_val(), n, what);
      if (!v.ok()) return v.status();
      return ToBuffer(*v);
    }
    case tensorflow::DT_DOUBLE: {
      auto v = Broadcast<float>(p.double_val(), n, what);
      if (!v.ok()) return v.status();
      return ToBuffer(*v);
    }
    case tensorflow::DT_HALF: {
      auto v = Broadcast<uint16_t>(p.half_val(), n, what);
      if (!v.ok()) return v.status();
      return ToBuffer(*v);
    }
    case tensorflow::DT_INT32: {
      auto v = Broadcast<int32_t>(p.int_val(), n, what);
      if (!v.ok()) return v.status();
      return ToBuffer(*v);
    }
    case tensorflow::DT_INT16: {
      auto v = Broadcast<int16_t>(p.int_val(), n, what);
      if (!v.ok()) return v.status();
      return ToBuffer(*v);
    }
    case tensorflow::DT_INT8: {
      auto v = Broadcast<int8_t>(p.int_val(), n, what);
      if (!v.ok()) return v.status();
      return ToBuffer(*v);
    }
    case tensorflow::DT_UINT8: {
      auto v = Broadcast<uint8_t>(p.int_val(), n, what);
      if (!v.ok()) return v.status();
      return ToBuffer(*v);
    }
    case tensorflow::DT_INT64: {
      auto v = Broadcast<int64_t>(p.int64_val(), n, what);
      if (!v.ok()) return v.status();
      return ToBuffer(*v);
    }
    case tensorflow::DT_BOOL: {
      auto v = Broadcast<uint8_t>(p.bool_val(), n, what);
      if (!v.ok()) return v.status();
      return ToBuffer(*v);
    }
    default:
      return absl::UnimplementedError(
          absl::StrCat(what, ": constants of type ", TfDataTypeName(p.dtype()),
                       " are not supported"));
  }
}

}  // namespace

std::optional<Shape> ShapeFromProto(const tensorflow::TensorShapeProto& shape) {
  if (shape.unknown_rank()) return std::nullopt;
  Shape dims;
  for (const auto& d : shape.dim()) dims.push_back(d.size() >= 0 ? d.size() : kUnknownDim);
  return dims;
}

absl::StatusOr<Tensor> ConstantFromProto(const tensorflow::TensorProto& proto,
                                         const std::string& name, const std::string& what) {
  std::optional<Shape> shape = ShapeFromProto(proto.tensor_shape());
  if (!shape || !IsStatic(*shape)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": constant without a static shape"));
  }
  std::optional<DataType> type = FromTfDataType(proto.dtype());
  if (proto.dtype() == tensorflow::DT_DOUBLE) type = DataType::kFloat32;
  if (!type || *type == DataType::kString) {
    return absl::UnimplementedError(absl::StrCat(
        what, ": constants of type ", TfDataTypeName(proto.dtype()), " are not supported"));
  }
  const int64_t n = NumElements(*shape).value_or(0);
  Tensor t;
  t.name = name;
  t.type = *type;
  t.shape = *shape;
  if (!proto.tensor_content().empty()) {
    const std::string& bytes = proto.tensor_content();
    if (proto.dtype() == tensorflow::DT_DOUBLE) {
      if (bytes.size() != static_cast<size_t>(n) * sizeof(double)) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": tensor_content size mismatch"));
      }
      std::vector<float> narrowed(n);
      for (int64_t i = 0; i < n; ++i) {
        double d;
        std::memcpy(&d, bytes.data() + i * sizeof(double), sizeof(double));
        narrowed[i] = static_cast<float>(d);
      }
      t.data = ToBuffer(narrowed);
      return t;
    }
    const size_t expected = static_cast<size_t>(n) * ElementSize(*type);
    if (bytes.size() != expected) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": tensor_content has ", bytes.size(),
                                                     " bytes (expected ", expected, ")"));
    }
    t.data = Buffer::Copy(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes.data()),
                                              bytes.size()));
    return t;
  }
  absl::StatusOr<BufferPtr> data = FromTypedValues(proto, n, what);
  if (!data.ok()) return data.status();
  t.data = *std::move(data);
  return t;
}

}  // namespace optconv::tf_import
