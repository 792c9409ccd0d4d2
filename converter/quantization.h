#pragma once
// Affine quantization parameters attached to a tensor: real = scale * (q - zero_point).
// Per-tensor when scales has one entry, per-axis along `quantized_dimension` otherwise.
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace optconv {

struct QuantParams {
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t quantized_dimension = 0;
  // Calibration statistics (optional, float range observed or imposed).
  std::vector<float> min;
  std::vector<float> max;

  bool per_axis() const { return scales.size() > 1; }

  /// Validates the invariants: equal-length scales and zero points, positive
  /// finite scales, and a quantized dimension inside `rank` for per-axis params.
  static absl::StatusOr<QuantParams> Create(std::vector<float> scales,
                                            std::vector<int64_t> zero_points,
                                            int32_t quantized_dimension, int rank);

  bool operator==(const QuantParams&) const = default;
};

}  // namespace optconv
