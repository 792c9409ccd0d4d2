#pragma once
// A dense tensor in host memory: the unit of data the reference kernels and
// the interpreter pass around. Row-major, little-endian, bool as one byte.
#include <cstdint>
#include <cstring>
#include <vector>

#include "converter/data_type.h"
#include "converter/shape.h"
#include "converter/tensor.h"

namespace optconv {

struct HostTensor {
  DataType type = DataType::kFloat32;
  Shape shape;
  std::vector<uint8_t> bytes;

  HostTensor() = default;
  /// Zero-filled tensor; `shape` must be static.
  HostTensor(DataType t, Shape s) : type(t), shape(std::move(s)) {
    std::optional<int64_t> n = NumElements(shape);
    bytes.assign(static_cast<size_t>(n.value_or(0)) * ElementSize(type), 0);
  }

  int64_t num_elements() const {
    std::optional<int64_t> n = NumElements(shape);
    return n.value_or(0);
  }
  template <typename T>
  T* data() { return reinterpret_cast<T*>(bytes.data()); }
  template <typename T>
  const T* data() const { return reinterpret_cast<const T*>(bytes.data()); }
  /// Copy of the elements as T (T must match the element size).
  template <typename T>
  std::vector<T> values() const {
    std::vector<T> out(bytes.size() / sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
    return out;
  }

  template <typename T>
  static HostTensor FromValues(DataType type, Shape shape, const std::vector<T>& values) {
    HostTensor t;
    t.type = type;
    t.shape = std::move(shape);
    t.bytes.resize(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
    return t;
  }
  /// Copies the data of a constant IR tensor (empty bytes for activations).
  static HostTensor FromTensor(const Tensor& tensor) {
    HostTensor t;
    t.type = tensor.type;
    t.shape = tensor.shape;
    if (tensor.data) t.bytes.assign(tensor.data->data(), tensor.data->data() + tensor.data->size());
    return t;
  }
};

}  // namespace optconv
