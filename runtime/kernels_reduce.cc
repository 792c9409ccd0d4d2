// Reductions over constant axes (MEAN, SUM, REDUCE_PROD/MAX/MIN), ARG_MAX,
// ARG_MIN and CUMSUM.
#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "runtime/kernel.h"
#include "runtime/kernel_util.h"

namespace optconv {
namespace {

std::string TypeName(DataType t) { return std::string(DataTypeName(t)); }

absl::Status Reduce(KernelContext& c) {
  const TensorView& in = c.in(0);
  HostTensor& out = c.out(0);
  if (in.type != out.type) return c.Invalid("output type differs from the input type");
  if (in.quant || c.output_quant[0]) return c.NoKernel("quantized operands");
  int r = in.rank();
  std::vector<bool> reduced(r, false);
  for (int64_t a : c.in(1).ints()) {
    auto axis = NormalizeAxis(a, r);
    if (!axis) return c.Invalid(absl::StrCat("axis ", a, " out of range"));
    reduced[*axis] = true;
  }
  Shape kept = in.shape;
  int64_t count = 1;
  for (int d = 0; d < r; ++d) {
    if (reduced[d]) {
      count *= kept[d];
      kept[d] = 1;
    }
  }
  std::vector<int64_t> strides = RowMajorStrides(kept);
  for (int d = 0; d < r; ++d) {
    if (reduced[d]) strides[d] = 0;
  }
  if (NumElements(kept).value_or(-1) != out.num_elements()) {
    return c.Invalid("output size differs from the reduced input");
  }
  OpKind kind = c.op.kind;
  bool typed = VisitNumeric(in.type, [&]<typename T>() {
    // Floats accumulate in float like TFLite; integer sums in int64 (wrapping
    // to T at the end gives TFLite's result for SUM, and exact MEAN).
    using Acc = std::conditional_t<std::is_floating_point_v<T>, float, int64_t>;
    std::vector<Acc> acc(static_cast<size_t>(out.num_elements()));
    Acc init = 0;
    if (kind == OpKind::kReduceProd) init = 1;
    if (kind == OpKind::kReduceMax) init = std::numeric_limits<T>::lowest();
    if (kind == OpKind::kReduceMin) init = std::numeric_limits<T>::max();
    std::fill(acc.begin(), acc.end(), init);
    const T* x = in.data<T>();
    ForEachIndex<1>(in.shape, {strides}, [&](int64_t i, const std::array<int64_t, 1>& off) {
      Acc& a = acc[off[0]];
      Acc v = static_cast<Acc>(x[i]);
      switch (kind) {
        case OpKind::kMean: case OpKind::kSum: a = WrapAdd(a, v); break;
        case OpKind::kReduceProd: a = WrapMul(a, v); break;
        case OpKind::kReduceMax: a = std::max(a, v); break;
        case OpKind::kReduceMin: a = std::min(a, v); break;
        default: break;
      }
    });
    T* y = out.data<T>();
    for (size_t i = 0; i < acc.size(); ++i) {
      Acc v = acc[i];
      if (kind == OpKind::kMean && count > 0) v = v / static_cast<Acc>(count);
      if constexpr (std::is_floating_point_v<T>) {
        y[i] = static_cast<T>(v);
      } else {
        y[i] = static_cast<T>(static_cast<std::make_unsigned_t<T>>(v));
      }
    }
  });
  if (!typed) return c.NoKernel(TypeName(in.type));
  return absl::OkStatus();
}

absl::Status Arg(KernelContext& c) {
  const TensorView& in = c.in(0);
  HostTensor& out = c.out(0);
  std::vector<int64_t> axis_v = c.in(1).ints();
  if (axis_v.size() != 1) return c.Invalid("axis is not a single integer");
  auto axis = NormalizeAxis(axis_v[0], in.rank());
  if (!axis) return c.Invalid("axis out of range");
  if (out.type != DataType::kInt32 && out.type != DataType::kInt64) {
    return c.NoKernel(absl::StrCat("output ", TypeName(out.type)));
  }
  int64_t outer = 1, inner = 1, dim = in.shape[*axis];
  for (int d = 0; d < *axis; ++d) outer *= in.shape[d];
  for (int d = *axis + 1; d < in.rank(); ++d) inner *= in.shape[d];
  bool is_max = c.op.kind == OpKind::kArgMax;
  bool typed = VisitNumeric(in.type, [&]<typename T>() {
    const T* x = in.data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t k = 0; k < inner; ++k) {
        int64_t best = 0;
        T best_v = x[o * dim * inner + k];
        for (int64_t j = 1; j < dim; ++j) {
          T v = x[(o * dim + j) * inner + k];
          if (is_max ? v > best_v : v < best_v) {  // ties keep the first index
            best = j;
            best_v = v;
          }
        }
        int64_t i = o * inner + k;
        if (out.type == DataType::kInt32) out.data<int32_t>()[i] = static_cast<int32_t>(best);
        else out.data<int64_t>()[i] = best;
      }
    }
  });
  if (!typed) return c.NoKernel(TypeName(in.type));
  return absl::OkStatus();
}

absl::Status Cumsum(KernelContext& c) {
  const TensorView& in = c.in(0);
  HostTensor& out = c.out(0);
  if (in.type != out.type) return c.Invalid("output type differs from the input type");
  std::vector<int64_t> axis_v = c.in(1).ints();
  if (axis_v.size() != 1) return c.Invalid("axis is not a single integer");
  auto axis = NormalizeAxis(axis_v[0], in.rank());
  if (!axis) return c.Invalid("axis out of range");
  const auto& o = std::get<CumsumOptions>(c.op.options);
  int64_t outer = 1, inner = 1, dim = in.shape[*axis];
  for (int d = 0; d < *axis; ++d) outer *= in.shape[d];
  for (int d = *axis + 1; d < in.rank(); ++d) inner *= in.shape[d];
  bool typed = VisitNumeric(in.type, [&]<typename T>() {
    const T* x = in.data<T>();
    T* y = out.data<T>();
    for (int64_t b = 0; b < outer; ++b) {
      for (int64_t k = 0; k < inner; ++k) {
        T acc = 0;
        for (int64_t s = 0; s < dim; ++s) {
          int64_t j = o.reverse ? dim - 1 - s : s;
          int64_t idx = (b * dim + j) * inner + k;
          if (o.exclusive) {
            y[idx] = acc;
            acc = WrapAdd(acc, x[idx]);
          } else {
            acc = WrapAdd(acc, x[idx]);
            y[idx] = acc;
          }
        }
      }
    }
  });
  if (!typed) return c.NoKernel(TypeName(in.type));
  return absl::OkStatus();
}

}  // namespace

KernelFn FindReduceKernel(OpKind kind) {
  switch (kind) {
    case OpKind::kMean: case OpKind::kSum: case OpKind::kReduceProd: case OpKind::kReduceMax:
    case OpKind::kReduceMin:
      return Reduce;
    case OpKind::kArgMax: case OpKind::kArgMin: return Arg;
    case OpKind::kCumsum: return Cumsum;
    default: return nullptr;
  }
}

}  // namespace optconv
