#include "converter/quantization.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace optconv {

absl::StatusOr<QuantParams> QuantParams::Create(std::vector<float> scales,
                                                std::vector<int64_t> zero_points,
                                                int32_t quantized_dimension, int rank) {
  if (scales.empty() || scales.size() != zero_points.size()) {
    return absl::InvalidArgumentError(absl::StrCat("quantization: ", scales.size(), " scales but ",
                                                   zero_points.size(), " zero points"));
  }
  for (float s : scales) {
    if (!(s > 0.0f) || !std::isfinite(s)) {
      return absl::InvalidArgumentError(absl::StrCat("quantization: scale ", s, " is not positive"));
    }
  }
  if (scales.size() > 1 && (quantized_dimension < 0 || quantized_dimension >= rank)) {
    return absl::InvalidArgumentError(absl::StrCat("quantization: quantized dimension ",
                                                   quantized_dimension, " outside rank ", rank));
  }
  QuantParams q;
  q.scales = std::move(scales);
  q.zero_points = std::move(zero_points);
  q.quantized_dimension = quantized_dimension;
  return q;
}

}  // namespace optconv
