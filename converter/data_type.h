#pragma once
// Element types of IR tensors. Values are our own; exporters map them.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace optconv {

enum class DataType : uint8_t {
  kFloat32,
  kFloat16,
  kInt8,
  kUInt8,
  kInt16,
  kInt32,
  kInt64,
  kBool,
  kString,
};

/// Size in bytes of one element (strings report 0: they are variable length).
size_t ElementSize(DataType type);
/// Short lower-case name used in the IR text form and reports ("f32", "i64").
std::string_view DataTypeName(DataType type);

}  // namespace optconv
