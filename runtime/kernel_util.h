#pragma once
// Index arithmetic shared by the reference kernels.
#include <array>
#include <type_traits>
#include <cstdint>
#include <vector>

#include "converter/data_type.h"
#include "converter/op_options.h"
#include "converter/shape.h"

namespace optconv {

/// Row-major strides of `shape` (in elements).
std::vector<int64_t> RowMajorStrides(const Shape& shape);

/// Strides of `in` right-aligned to `out`, zero where `in` is broadcast.
std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out);

/// Calls f(out_flat, offsets) for every element of `out` in row-major order,
/// where offsets[k] is the flat element offset into operand k with `strides[k]`.
template <size_t N, typename F>
void ForEachIndex(const Shape& out, const std::array<std::vector<int64_t>, N>& strides, F&& f) {
  const size_t rank = out.size();
  int64_t total = 1;
  for (int64_t d : out) total *= d;
  if (total <= 0) return;
  std::vector<int64_t> counter(rank, 0);
  std::array<int64_t, N> offsets{};
  for (int64_t flat = 0; flat < total; ++flat) {
    f(flat, offsets);
    for (size_t d = rank; d-- > 0;) {
      ++counter[d];
      for (size_t k = 0; k < N; ++k) offsets[k] += strides[k][d];
      if (counter[d] < out[d]) break;
      for (size_t k = 0; k < N; ++k) offsets[k] -= strides[k][d] * out[d];
      counter[d] = 0;
    }
  }
}

/// Calls f(flat, index) for every element of `shape` in row-major order.
template <typename F>
void ForEachCounter(const Shape& shape, F&& f) {
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  if (total <= 0) return;
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t flat = 0; flat < total; ++flat) {
    f(flat, static_cast<const std::vector<int64_t>&>(index));
    for (size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

/// Applies a fused activation to a float (TFLite: clamps, or tanh).
float ApplyActivation(float x, Activation activation);

/// Clamp range of a fused activation for integer outputs; false for kTanh,
/// which has no integer form.
bool ActivationRange(Activation activation, double* lo, double* hi);

}  // namespace optconv

namespace optconv {

/// Calls f.template operator()<T>() with the C++ type of `type` for the plain
/// numeric types (f32, i8, u8, i16, i32, i64); returns false for others.
template <typename F>
bool VisitNumeric(DataType type, F&& f) {
  switch (type) {
    case DataType::kFloat32: f.template operator()<float>(); return true;
    case DataType::kInt8: f.template operator()<int8_t>(); return true;
    case DataType::kUInt8: f.template operator()<uint8_t>(); return true;
    case DataType::kInt16: f.template operator()<int16_t>(); return true;
    case DataType::kInt32: f.template operator()<int32_t>(); return true;
    case DataType::kInt64: f.template operator()<int64_t>(); return true;
    default: return false;
  }
}

/// Wrapping integer arithmetic (TFLite's int kernels wrap in practice; in C++
/// signed overflow is undefined, so go through the unsigned type).
template <typename T>
T WrapAdd(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return a + b;
  }
}
template <typename T>
T WrapSub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  } else {
    return a - b;
  }
}
template <typename T>
T WrapMul(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<std::conditional_t<(sizeof(T) < 4), int32_t, T>>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  } else {
    return a * b;
  }
}

}  // namespace optconv
