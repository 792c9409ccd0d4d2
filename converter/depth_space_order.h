#pragma once
// Channel orders of depth-to-space. TFLite's DEPTH_TO_SPACE (and ONNX's DCR
// mode, TensorFlow's only mode) read output (i, j, c) of a block of size r
// from channel (i*r + j)*C + c; ONNX's CRD mode and PyTorch's pixel_shuffle
// from channel c*r*r + i*r + j.
#include <cstdint>
#include <vector>

namespace optconv {

/// Indices that GATHER CRD-ordered channels into DCR order: position
/// (i*r + j)*C + c takes CRD channel c*r*r + i*r + j.
inline std::vector<int32_t> CrdToDcrChannelOrder(int64_t channels, int64_t block) {
  std::vector<int32_t> order(static_cast<size_t>(channels * block * block));
  for (int64_t i = 0; i < block; ++i) {
    for (int64_t j = 0; j < block; ++j) {
      for (int64_t c = 0; c < channels; ++c) {
        order[static_cast<size_t>((i * block + j) * channels + c)] =
            static_cast<int32_t>(c * block * block + i * block + j);
      }
    }
  }
  return order;
}

}  // namespace optconv
