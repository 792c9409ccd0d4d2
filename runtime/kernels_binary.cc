// Broadcasting binary kernels: arithmetic (with fused activation),
// comparisons, logical ops (and LOGICAL_NOT) and SELECT_V2.
#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "runtime/kernel.h"
#include "runtime/kernel_util.h"

namespace optconv {
namespace {

std::string TypeName(DataType t) { return std::string(DataTypeName(t)); }

// out[i] = fn(a[ia], b[ib]) with numpy broadcasting; fn may fail (returns false).
template <typename T, typename Out, typename Fn>
bool BinaryLoop(const TensorView& a, const TensorView& b, HostTensor& out, Fn fn) {
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  Out* po = out.data<Out>();
  bool ok = true;
  if (a.shape == out.shape && b.shape == out.shape) {
    for (int64_t i = 0, n = out.num_elements(); i < n; ++i) ok &= fn(pa[i], pb[i], &po[i]);
    return ok;
  }
  std::array<std::vector<int64_t>, 2> strides{BroadcastStrides(a.shape, out.shape),
                                               BroadcastStrides(b.shape, out.shape)};
  ForEachIndex<2>(out.shape, strides, [&](int64_t i, const std::array<int64_t, 2>& off) {
    ok &= fn(pa[off[0]], pb[off[1]], &po[i]);
  });
  return ok;
}

// Integer power as TFLite computes it (repeated squaring); negative exponents fail.
template <typename T>
bool IntPow(T base, T exp, T* out) {
  if (exp < 0) return false;
  T result = 1;
  while (exp > 0) {
    if (exp & 1) result = WrapMul(result, base);
    base = WrapMul(base, base);
    exp >>= 1;
  }
  *out = result;
  return true;
}

template <typename T>
bool Arith(OpKind kind, T a, T b, T* out) {
  switch (kind) {
    case OpKind::kAdd: *out = WrapAdd(a, b); return true;
    case OpKind::kSub: *out = WrapSub(a, b); return true;
    case OpKind::kMul: *out = WrapMul(a, b); return true;
    case OpKind::kDiv:
      if constexpr (std::is_integral_v<T>) {
        if (b == 0) return false;
        if (std::is_signed_v<T> && b == T(-1)) { *out = WrapSub(T(0), a); return true; }
      }
      *out = a / b;  // integers truncate toward zero, as TFLite
      return true;
    case OpKind::kPow:
      if constexpr (std::is_integral_v<T>) {
        return IntPow(a, b, out);
      } else {
        *out = std::pow(a, b);
        return true;
      }
    case OpKind::kMaximum: *out = a > b ? a : b; return true;
    case OpKind::kMinimum: *out = a < b ? a : b; return true;
    case OpKind::kSquaredDifference: {
      T d = WrapSub(a, b);
      *out = WrapMul(d, d);
      return true;
    }
    default: return false;
  }
}

absl::Status Arithmetic(KernelContext& c) {
  const TensorView& a = c.in(0);
  const TensorView& b = c.in(1);
  HostTensor& out = c.out(0);
  if (a.type != b.type || a.type != out.type) {
    return c.Invalid(absl::StrCat("operand types ", TypeName(a.type), ", ", TypeName(b.type),
                                  " -> ", TypeName(out.type)), "one element type");
  }
  if (a.quant || b.quant || c.output_quant[0]) return c.NoKernel("quantized operands");
  Activation act = Activation::kNone;
  if (const auto* o = std::get_if<BinaryOptions>(&c.op.options)) act = o->activation;
  OpKind kind = c.op.kind;
  bool ok = true;
  bool typed = VisitNumeric(a.type, [&]<typename T>() {
    double lo, hi;
    bool clamp_ok = ActivationRange(act, &lo, &hi);
    if constexpr (std::is_integral_v<T>) {
      if (!clamp_ok) { ok = false; return; }
    }
    ok = BinaryLoop<T, T>(a, b, out, [&](T x, T y, T* r) {
      if (!Arith<T>(kind, x, y, r)) return false;
      if constexpr (std::is_floating_point_v<T>) {
        *r = ApplyActivation(*r, act);
      } else if (act != Activation::kNone) {
        *r = static_cast<T>(std::clamp<double>(*r, std::max<double>(lo, std::numeric_limits<T>::lowest()),
                                               std::min<double>(hi, std::numeric_limits<T>::max())));
      }
      return true;
    });
  });
  if (!typed) return c.NoKernel(TypeName(a.type));
  if (!ok) {
    return c.Invalid("integer division by zero, negative integer exponent or unsupported fused "
                     "activation");
  }
  return absl::OkStatus();
}

absl::Status Compare(KernelContext& c) {
  const TensorView& a = c.in(0);
  const TensorView& b = c.in(1);
  if (a.type != b.type || c.out(0).type != DataType::kBool) {
    return c.Invalid(absl::StrCat("operand types ", TypeName(a.type), ", ", TypeName(b.type),
                                  " -> ", TypeName(c.out(0).type)), "equal types -> bool");
  }
  if (a.quant || b.quant) return c.NoKernel("quantized operands");
  OpKind kind = c.op.kind;
  auto run = [&]<typename T>() {
    BinaryLoop<T, uint8_t>(a, b, c.out(0), [&](T x, T y, uint8_t* r) {
      bool v = false;
      switch (kind) {
        case OpKind::kLess: v = x < y; break;
        case OpKind::kLessEqual: v = x <= y; break;
        case OpKind::kGreater: v = x > y; break;
        case OpKind::kGreaterEqual: v = x >= y; break;
        case OpKind::kEqual: v = x == y; break;
        case OpKind::kNotEqual: v = x != y; break;
        default: break;
      }
      *r = v ? 1 : 0;
      return true;
    });
  };
  if (a.type == DataType::kBool) {
    run.template operator()<uint8_t>();
    return absl::OkStatus();
  }
  if (!VisitNumeric(a.type, run)) return c.NoKernel(TypeName(a.type));
  return absl::OkStatus();
}

absl::Status Logical(KernelContext& c) {
  const TensorView& a = c.in(0);
  const TensorView& b = c.in(1);
  if (a.type != DataType::kBool || b.type != DataType::kBool || c.out(0).type != DataType::kBool) {
    return c.Invalid("non-bool operands", "bool inputs and output");
  }
  bool is_and = c.op.kind == OpKind::kLogicalAnd;
  BinaryLoop<uint8_t, uint8_t>(a, b, c.out(0), [&](uint8_t x, uint8_t y, uint8_t* r) {
    *r = is_and ? (x && y) : (x || y);
    return true;
  });
  return absl::OkStatus();
}

absl::Status LogicalNot(KernelContext& c) {
  if (c.in(0).type != DataType::kBool || c.out(0).type != DataType::kBool) {
    return c.Invalid("non-bool operand", "bool input and output");
  }
  for (int64_t i = 0, n = c.in(0).num_elements(); i < n; ++i) {
    c.out(0).data<uint8_t>()[i] = c.in(0).bytes[i] ? 0 : 1;
  }
  return absl::OkStatus();
}

// SELECT_V2 moves whole elements, so it works on any type by element size.
absl::Status SelectV2(KernelContext& c) {
  const TensorView& cond = c.in(0);
  const TensorView& x = c.in(1);
  const TensorView& y = c.in(2);
  HostTensor& out = c.out(0);
  if (cond.type != DataType::kBool || x.type != y.type || x.type != out.type) {
    return c.Invalid("condition not bool or branch types differ", "bool condition, equal types");
  }
  size_t es = ElementSize(out.type);
  std::array<std::vector<int64_t>, 3> strides{BroadcastStrides(cond.shape, out.shape),
                                               BroadcastStrides(x.shape, out.shape),
                                               BroadcastStrides(y.shape, out.shape)};
  uint8_t* po = out.bytes.data();
  ForEachIndex<3>(out.shape, strides, [&](int64_t i, const std::array<int64_t, 3>& off) {
    const uint8_t* src = cond.bytes[off[0]] ? x.bytes + off[1] * es : y.bytes + off[2] * es;
    std::memcpy(po + i * es, src, es);
  });
  return absl::OkStatus();
}

}  // namespace

KernelFn FindBinaryKernel(OpKind kind) {
  switch (kind) {
    case OpKind::kAdd: case OpKind::kSub: case OpKind::kMul: case OpKind::kDiv:
    case OpKind::kPow: case OpKind::kMaximum: case OpKind::kMinimum:
    case OpKind::kSquaredDifference:
      return Arithmetic;
    case OpKind::kLess: case OpKind::kLessEqual: case OpKind::kGreater:
    case OpKind::kGreaterEqual: case OpKind::kEqual: case OpKind::kNotEqual:
      return Compare;
    case OpKind::kLogicalAnd: case OpKind::kLogicalOr:
      return Logical;
    case OpKind::kLogicalNot:
      return LogicalNot;
    case OpKind::kSelectV2:
      return SelectV2;
    default:
      return nullptr;
  }
}

}  // namespace optconv
