#include "runtime/kernel_util.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace optconv {

std::vector<int64_t> RowMajorStrides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out) {
  std::vector<int64_t> strides(out.size(), 0);
  std::vector<int64_t> own = RowMajorStrides(in);
  size_t lead = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) {
    strides[lead + i] = (in[i] == 1 && out[lead + i] != 1) ? 0 : own[i];
  }
  return strides;
}

float ApplyActivation(float x, Activation activation) {
  switch (activation) {
    case Activation::kNone: return x;
    case Activation::kRelu: return std::max(x, 0.0f);
    case Activation::kReluN1To1: return std::min(std::max(x, -1.0f), 1.0f);
    case Activation::kRelu6: return std::min(std::max(x, 0.0f), 6.0f);
    case Activation::kTanh: return std::tanh(x);
  }
  return x;
}

bool ActivationRange(Activation activation, double* lo, double* hi) {
  *lo = -std::numeric_limits<double>::infinity();
  *hi = std::numeric_limits<double>::infinity();
  switch (activation) {
    case Activation::kNone: return true;
    case Activation::kRelu: *lo = 0; return true;
    case Activation::kReluN1To1: *lo = -1; *hi = 1; return true;
    case Activation::kRelu6: *lo = 0; *hi = 6; return true;
    case Activation::kTanh: return false;
  }
  return false;
}

}  // namespace optconv
