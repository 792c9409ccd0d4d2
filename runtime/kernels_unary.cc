// Elementwise unary kernels: math functions, activations, CAST, DEQUANTIZE,
// and the last-axis normalisations (SOFTMAX, LOG_SOFTMAX, L2_NORMALIZATION).
#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "runtime/fp16.h"
#include "runtime/kernel.h"
#include "runtime/kernel_util.h"

namespace optconv {
namespace {

std::string TypeName(DataType t) { return std::string(DataTypeName(t)); }

// Float-only functions (TFLite only has float kernels for these).
bool FloatFn(const Op& op, float x, float* r) {
  switch (op.kind) {
    case OpKind::kFloor: *r = std::floor(x); return true;
    case OpKind::kCeil: *r = std::ceil(x); return true;
    case OpKind::kRound: *r = std::nearbyint(x); return true;  // half to even, as TFLite
    case OpKind::kLogistic: *r = 1.0f / (1.0f + std::exp(-x)); return true;
    case OpKind::kTanh: *r = std::tanh(x); return true;
    case OpKind::kExp: *r = std::exp(x); return true;
    case OpKind::kLog: *r = std::log(x); return true;
    case OpKind::kSqrt: *r = std::sqrt(x); return true;
    case OpKind::kRsqrt: *r = 1.0f / std::sqrt(x); return true;
    case OpKind::kSin: *r = std::sin(x); return true;
    case OpKind::kCos: *r = std::cos(x); return true;
    case OpKind::kErf: *r = std::erf(x); return true;  // internal op, lowered before export
    case OpKind::kElu: *r = x < 0 ? std::expm1(x) : x; return true;
    case OpKind::kHardSwish: *r = x * std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f; return true;
    case OpKind::kLeakyRelu: {
      float alpha = std::get<LeakyReluOptions>(op.options).alpha;
      *r = x > 0 ? x : alpha * x;
      return true;
    }
    case OpKind::kGelu:
      if (std::get<GeluOptions>(op.options).approximate) {
        constexpr float kSqrt2OverPi = 0.7978845608028654f;
        *r = 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * (x + 0.044715f * x * x * x)));
      } else {
        *r = 0.5f * x * (1.0f + std::erf(x * 0.7071067811865476f));
      }
      return true;
    default: return false;
  }
}

// Functions TFLite also defines on integers.
template <typename T>
bool NumericFn(OpKind kind, T x, T* r) {
  switch (kind) {
    case OpKind::kNeg: *r = WrapSub(T(0), x); return true;
    case OpKind::kAbs: *r = x < 0 ? WrapSub(T(0), x) : x; return true;
    case OpKind::kSquare: *r = WrapMul(x, x); return true;
    case OpKind::kSign: *r = static_cast<T>((T(0) < x) - (x < T(0))); return true;
    case OpKind::kRelu: *r = std::max(x, T(0)); return true;
    case OpKind::kRelu6: *r = std::min(std::max(x, T(0)), T(6)); return true;
    case OpKind::kReluN1To1: *r = std::min(std::max<T>(x, static_cast<T>(-1)), T(1)); return true;
    default: return false;
  }
}

absl::Status Unary(KernelContext& c) {
  const TensorView& in = c.in(0);
  HostTensor& out = c.out(0);
  if (in.type != out.type) {
    return c.Invalid(absl::StrCat(TypeName(in.type), " -> ", TypeName(out.type)), "equal types");
  }
  if (in.quant || c.output_quant[0]) return c.NoKernel("quantized operands");
  int64_t n = in.num_elements();
  if (in.type == DataType::kFloat32) {
    const float* x = in.data<float>();
    float* y = out.data<float>();
    for (int64_t i = 0; i < n; ++i) {
      if (!FloatFn(c.op, x[i], &y[i]) && !NumericFn<float>(c.op.kind, x[i], &y[i])) {
        return c.NoKernel("f32");
      }
    }
    return absl::OkStatus();
  }
  absl::Status status = absl::OkStatus();
  bool typed = VisitNumeric(in.type, [&]<typename T>() {
    const T* x = in.data<T>();
    T* y = out.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      if (!NumericFn<T>(c.op.kind, x[i], &y[i])) {
        status = c.NoKernel(TypeName(in.type));
        return;
      }
    }
  });
  if (!typed) return c.NoKernel(TypeName(in.type));
  return status;
}

// Float -> integer as static_cast, made total: NaN -> 0, out of range saturates.
template <typename U>
U FloatToInt(double v) {
  if (std::isnan(v)) return U(0);
  if (v <= static_cast<double>(std::numeric_limits<U>::lowest())) return std::numeric_limits<U>::lowest();
  if (v >= static_cast<double>(std::numeric_limits<U>::max())) return std::numeric_limits<U>::max();
  return static_cast<U>(v);
}

bool IsFloatType(DataType t) { return t == DataType::kFloat32 || t == DataType::kFloat16; }

absl::Status Cast(KernelContext& c) {
  const TensorView& in = c.in(0);
  HostTensor& out = c.out(0);
  int64_t n = in.num_elements();
  if (in.type == DataType::kString || out.type == DataType::kString) return c.NoKernel("strings");
  std::vector<double> fv;
  std::vector<int64_t> iv;
  if (IsFloatType(in.type)) fv = in.doubles(); else iv = in.ints();
  auto as_double = [&](int64_t i) { return fv.empty() ? static_cast<double>(iv[i]) : fv[i]; };
  switch (out.type) {
    case DataType::kFloat32: {
      float* y = out.data<float>();
      for (int64_t i = 0; i < n; ++i) {
        y[i] = fv.empty() ? static_cast<float>(iv[i]) : static_cast<float>(fv[i]);
      }
      return absl::OkStatus();
    }
    case DataType::kFloat16: {
      uint16_t* y = out.data<uint16_t>();
      for (int64_t i = 0; i < n; ++i) {
        y[i] = FloatToHalf(fv.empty() ? static_cast<float>(iv[i]) : static_cast<float>(fv[i]));
      }
      return absl::OkStatus();
    }
    case DataType::kBool: {
      uint8_t* y = out.data<uint8_t>();
      for (int64_t i = 0; i < n; ++i) y[i] = fv.empty() ? iv[i] != 0 : fv[i] != 0.0;
      return absl::OkStatus();
    }
    default: break;
  }
  bool typed = VisitNumeric(out.type, [&]<typename U>() {
    U* y = out.data<U>();
    for (int64_t i = 0; i < n; ++i) {
      y[i] = fv.empty() ? static_cast<U>(iv[i]) : FloatToInt<U>(as_double(i));
    }
  });
  if (!typed) return c.NoKernel(absl::StrCat(TypeName(in.type), " -> ", TypeName(out.type)));
  return absl::OkStatus();
}

absl::Status Dequantize(KernelContext& c) {
  const TensorView& in = c.in(0);
  HostTensor& out = c.out(0);
  if (out.type != DataType::kFloat32) return c.NoKernel(absl::StrCat("output ", TypeName(out.type)));
  float* y = out.data<float>();
  int64_t n = in.num_elements();
  if (in.type == DataType::kFloat16) {
    for (int64_t i = 0; i < n; ++i) y[i] = HalfToFloat(in.data<uint16_t>()[i]);
    return absl::OkStatus();
  }
  if (!in.quant || in.quant->scales.empty()) return c.Invalid("input has no quantization", "scales");
  std::vector<int64_t> q = in.ints();
  if (q.empty() && n > 0) return c.NoKernel(TypeName(in.type));
  const QuantParams& p = *in.quant;
  int64_t inner = 1, channels = 1;
  if (p.per_axis()) {
    int axis = p.quantized_dimension;
    if (axis < 0 || axis >= in.rank() || in.shape[axis] != static_cast<int64_t>(p.scales.size())) {
      return c.Invalid("per-axis scales do not match the quantized dimension");
    }
    channels = in.shape[axis];
    for (int d = axis + 1; d < in.rank(); ++d) inner *= in.shape[d];
  }
  for (int64_t i = 0; i < n; ++i) {
    size_t ch = p.per_axis() ? static_cast<size_t>((i / inner) % channels) : 0;
    y[i] = static_cast<float>(p.scales[ch] * static_cast<double>(q[i] - p.zero_points[ch]));
  }
  return absl::OkStatus();
}

absl::Status LastAxisNorm(KernelContext& c) {
  const TensorView& in = c.in(0);
  if (in.type != DataType::kFloat32 || in.quant) return c.NoKernel(TypeName(in.type));
  int64_t depth = in.shape.empty() ? 1 : in.shape.back();
  int64_t rows = depth == 0 ? 0 : in.num_elements() / depth;
  const float* x = in.data<float>();
  float* y = c.out(0).data<float>();
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * depth;
    float* yr = y + r * depth;
    if (c.op.kind == OpKind::kL2Normalization) {
      float sum = 0;
      for (int64_t i = 0; i < depth; ++i) sum += xr[i] * xr[i];
      float norm = std::max(std::sqrt(sum), 1e-6f);
      Activation act = std::get<L2NormOptions>(c.op.options).activation;
      for (int64_t i = 0; i < depth; ++i) yr[i] = ApplyActivation(xr[i] / norm, act);
      continue;
    }
    float beta = c.op.kind == OpKind::kSoftmax ? std::get<SoftmaxOptions>(c.op.options).beta : 1.0f;
    float max = -std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < depth; ++i) max = std::max(max, xr[i]);
    float sum = 0;
    for (int64_t i = 0; i < depth; ++i) sum += std::exp((xr[i] - max) * beta);
    if (c.op.kind == OpKind::kSoftmax) {
      for (int64_t i = 0; i < depth; ++i) yr[i] = std::exp((xr[i] - max) * beta) / sum;
    } else {
      float log_sum = std::log(sum);
      for (int64_t i = 0; i < depth; ++i) yr[i] = (xr[i] - max) - log_sum;
    }
  }
  return absl::OkStatus();
}

absl::Status Prelu(KernelContext& c) {
  const TensorView& x = c.in(0);
  const TensorView& alpha = c.in(1);
  if (x.type != DataType::kFloat32 || alpha.type != DataType::kFloat32 || x.quant) {
    return c.NoKernel(TypeName(x.type));
  }
  HostTensor& out = c.out(0);
  std::array<std::vector<int64_t>, 2> strides{BroadcastStrides(x.shape, out.shape),
                                               BroadcastStrides(alpha.shape, out.shape)};
  const float* px = x.data<float>();
  const float* pa = alpha.data<float>();
  float* y = out.data<float>();
  ForEachIndex<2>(out.shape, strides, [&](int64_t i, const std::array<int64_t, 2>& off) {
    float v = px[off[0]];
    y[i] = v >= 0 ? v : v * pa[off[1]];
  });
  return absl::OkStatus();
}

}  // namespace

KernelFn FindUnaryKernel(OpKind kind) {
  switch (kind) {
    case OpKind::kFloor: case OpKind::kCeil: case OpKind::kRound: case OpKind::kLogistic:
    case OpKind::kTanh: case OpKind::kExp: case OpKind::kLog: case OpKind::kSqrt:
    case OpKind::kRsqrt: case OpKind::kSin: case OpKind::kCos: case OpKind::kElu:
    case OpKind::kHardSwish: case OpKind::kLeakyRelu: case OpKind::kGelu: case OpKind::kNeg:
    case OpKind::kAbs: case OpKind::kSquare: case OpKind::kSign: case OpKind::kRelu:
    case OpKind::kRelu6: case OpKind::kReluN1To1: case OpKind::kErf:
      return Unary;
    case OpKind::kCast: return Cast;
    case OpKind::kDequantize: return Dequantize;
    case OpKind::kSoftmax: case OpKind::kLogSoftmax: case OpKind::kL2Normalization:
      return LastAxisNorm;
    case OpKind::kPrelu: return Prelu;
    default: return nullptr;
  }
}

}  // namespace optconv
