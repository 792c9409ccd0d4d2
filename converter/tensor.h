#pragma once
// A tensor of the IR: a value flowing between ops, or a constant.
#include <optional>
#include <string>
#include <vector>

#include "converter/buffer.h"
#include "converter/data_type.h"
#include "converter/quantization.h"
#include "converter/shape.h"

namespace optconv {

using TensorId = int32_t;
inline constexpr TensorId kNoTensor = -1;  // an omitted optional op input

struct Tensor {
  std::string name;
  DataType type = DataType::kFloat32;
  Shape shape;
  /// Constant data, row-major, little-endian; null for activations.
  BufferPtr data;
  std::optional<QuantParams> quant;
  /// A TFLite variable tensor (e.g. LSTM state), mutable at run time.
  bool is_variable = false;
  /// Graph inputs/outputs only: set when a pass changed the interface layout
  /// (e.g. NCHW -> NHWC). The stored value is the source model's value
  /// transposed by this permutation; empty when the layout is the source's.
  std::vector<int32_t> interface_perm;

  bool is_constant() const { return data != nullptr; }
};

}  // namespace optconv
