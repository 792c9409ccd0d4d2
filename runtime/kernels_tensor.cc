// Data-movement kernels that copy whole elements (type-agnostic, by element
// size): RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE, CONCATENATION, PACK,
// UNPACK, SPLIT, SPLIT_V, and the generators SHAPE, FILL, RANGE.
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "runtime/kernel.h"
#include "runtime/kernel_util.h"

namespace optconv {
namespace {

std::string TypeName(DataType t) { return std::string(DataTypeName(t)); }

absl::Status SameType(KernelContext& c, int in, int out) {
  if (c.in(in).type != c.out(out).type) {
    return c.Invalid(absl::StrCat("input ", in, " is ", TypeName(c.in(in).type), ", output ", out,
                                  " is ", TypeName(c.out(out).type)), "equal types");
  }
  return absl::OkStatus();
}

absl::Status Copy(KernelContext& c) {
  if (absl::Status s = SameType(c, 0, 0); !s.ok()) return s;
  if (c.in(0).size != c.out(0).bytes.size()) {
    return c.Invalid(absl::StrCat("input has ", c.in(0).size, " bytes, output ",
                                  c.out(0).bytes.size()), "equal element counts");
  }
  if (c.in(0).size) std::memcpy(c.out(0).bytes.data(), c.in(0).bytes, c.in(0).size);
  return absl::OkStatus();
}

absl::Status Transpose(KernelContext& c) {
  if (absl::Status s = SameType(c, 0, 0); !s.ok()) return s;
  const TensorView& in = c.in(0);
  std::vector<int64_t> perm = c.in(1).ints();
  int r = in.rank();
  if (static_cast<int>(perm.size()) != r) return c.Invalid("perm length differs from rank");
  std::vector<int64_t> in_strides = RowMajorStrides(in.shape);
  std::vector<int64_t> strides(r);
  for (int i = 0; i < r; ++i) {
    int64_t p = perm[i] < 0 ? perm[i] + r : perm[i];
    if (p < 0 || p >= r) return c.Invalid("perm entry out of range");
    strides[i] = in_strides[p];
  }
  size_t es = ElementSize(in.type);
  uint8_t* po = c.out(0).bytes.data();
  ForEachIndex<1>(c.out(0).shape, {strides}, [&](int64_t i, const std::array<int64_t, 1>& off) {
    std::memcpy(po + i * es, in.bytes + off[0] * es, es);
  });
  return absl::OkStatus();
}

// Copies `inputs` (all of rank r) into `out` along `axis` (concat semantics).
void ConcatAlong(const std::vector<const TensorView*>& inputs, int axis, HostTensor& out) {
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= out.shape[d];
  uint8_t* po = out.bytes.data();
  for (int64_t o = 0; o < outer; ++o) {
    for (const TensorView* in : inputs) {
      size_t chunk = outer == 0 ? 0 : in->size / static_cast<size_t>(outer);
      std::memcpy(po, in->bytes + o * chunk, chunk);
      po += chunk;
    }
  }
}

absl::Status Concatenation(KernelContext& c) {
  HostTensor& out = c.out(0);
  auto axis = NormalizeAxis(std::get<ConcatenationOptions>(c.op.options).axis,
                            static_cast<int>(out.shape.size()));
  if (!axis) return c.Invalid("axis out of range");
  std::vector<const TensorView*> inputs;
  for (int i = 0; i < c.num_inputs(); ++i) {
    if (c.in(i).type != out.type) return c.Invalid("input types differ from the output type");
    if (c.in(i).quant || c.output_quant[0]) return c.NoKernel("quantized operands");
    inputs.push_back(&c.in(i));
  }
  ConcatAlong(inputs, *axis, out);
  if (std::get<ConcatenationOptions>(c.op.options).activation != Activation::kNone) {
    if (out.type != DataType::kFloat32) return c.NoKernel("fused activation on non-float");
    float* y = out.data<float>();
    Activation act = std::get<ConcatenationOptions>(c.op.options).activation;
    for (int64_t i = 0; i < out.num_elements(); ++i) y[i] = ApplyActivation(y[i], act);
  }
  return absl::OkStatus();
}

absl::Status Pack(KernelContext& c) {
  HostTensor& out = c.out(0);
  auto axis = NormalizeAxis(std::get<PackOptions>(c.op.options).axis,
                            static_cast<int>(out.shape.size()));
  if (!axis) return c.Invalid("axis out of range");
  std::vector<const TensorView*> inputs;
  for (int i = 0; i < c.num_inputs(); ++i) {
    if (c.in(i).type != out.type) return c.Invalid("input types differ from the output type");
    inputs.push_back(&c.in(i));
  }
  ConcatAlong(inputs, *axis, out);  // each input is a size-1 slab along `axis`
  return absl::OkStatus();
}

// Splits input `in` along `axis` into the outputs (whose shapes are set).
absl::Status SplitAlong(KernelContext& c, const TensorView& in, int axis) {
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= in.shape[d];
  size_t row = outer == 0 ? 0 : in.size / static_cast<size_t>(outer);
  size_t total = 0;
  for (HostTensor& o : c.outputs) {
    if (o.type != in.type) return c.Invalid("output types differ from the input type");
    total += outer == 0 ? 0 : o.bytes.size() / static_cast<size_t>(outer);
  }
  if (total != row) return c.Invalid("output sizes do not add up to the input");
  size_t offset = 0;
  for (HostTensor& o : c.outputs) {
    size_t chunk = outer == 0 ? 0 : o.bytes.size() / static_cast<size_t>(outer);
    for (int64_t k = 0; k < outer; ++k) {
      std::memcpy(o.bytes.data() + k * chunk, in.bytes + k * row + offset, chunk);
    }
    offset += chunk;
  }
  return absl::OkStatus();
}

absl::Status Unpack(KernelContext& c) {
  auto axis = NormalizeAxis(std::get<PackOptions>(c.op.options).axis, c.in(0).rank());
  if (!axis) return c.Invalid("axis out of range");
  return SplitAlong(c, c.in(0), *axis);
}

absl::Status Split(KernelContext& c) {
  std::vector<int64_t> axis_v = c.in(0).ints();
  if (axis_v.size() != 1) return c.Invalid("axis is not a single integer");
  auto axis = NormalizeAxis(axis_v[0], c.in(1).rank());
  if (!axis) return c.Invalid("axis out of range");
  return SplitAlong(c, c.in(1), *axis);
}

absl::Status SplitV(KernelContext& c) {
  std::vector<int64_t> axis_v = c.in(2).ints();
  if (axis_v.size() != 1) return c.Invalid("axis is not a single integer");
  auto axis = NormalizeAxis(axis_v[0], c.in(0).rank());
  if (!axis) return c.Invalid("axis out of range");
  return SplitAlong(c, c.in(0), *axis);
}

absl::Status ShapeOp(KernelContext& c) {
  HostTensor& out = c.out(0);
  const Shape& s = c.in(0).shape;
  if (out.type == DataType::kInt32) {
    for (size_t i = 0; i < s.size(); ++i) out.data<int32_t>()[i] = static_cast<int32_t>(s[i]);
  } else if (out.type == DataType::kInt64) {
    for (size_t i = 0; i < s.size(); ++i) out.data<int64_t>()[i] = s[i];
  } else {
    return c.NoKernel(absl::StrCat("output ", TypeName(out.type)));
  }
  return absl::OkStatus();
}

absl::Status Fill(KernelContext& c) {
  if (absl::Status s = SameType(c, 1, 0); !s.ok()) return s;
  size_t es = ElementSize(c.out(0).type);
  if (c.in(1).size != es) return c.Invalid("value is not a single element");
  uint8_t* po = c.out(0).bytes.data();
  for (int64_t i = 0, n = c.out(0).num_elements(); i < n; ++i) {
    std::memcpy(po + i * es, c.in(1).bytes, es);
  }
  return absl::OkStatus();
}

absl::Status Range(KernelContext& c) {
  HostTensor& out = c.out(0);
  int64_t n = out.num_elements();
  for (int i = 0; i < 3; ++i) {
    if (c.in(i).type != out.type || c.in(i).num_elements() != 1) {
      return c.Invalid("start/limit/delta must be scalars of the output type");
    }
  }
  switch (out.type) {
    case DataType::kFloat32: {
      float start = c.in(0).data<float>()[0], delta = c.in(2).data<float>()[0];
      float v = start;
      for (int64_t i = 0; i < n; ++i, v += delta) out.data<float>()[i] = v;  // TFLite accumulates
      return absl::OkStatus();
    }
    case DataType::kInt32: {
      int32_t start = c.in(0).data<int32_t>()[0], delta = c.in(2).data<int32_t>()[0];
      for (int64_t i = 0; i < n; ++i) out.data<int32_t>()[i] = static_cast<int32_t>(start + i * delta);
      return absl::OkStatus();
    }
    case DataType::kInt64: {
      int64_t start = c.in(0).data<int64_t>()[0], delta = c.in(2).data<int64_t>()[0];
      for (int64_t i = 0; i < n; ++i) out.data<int64_t>()[i] = start + i * delta;
      return absl::OkStatus();
    }
    default:
      return c.NoKernel(TypeName(out.type));
  }
}

}  // namespace

KernelFn FindTensorKernel(OpKind kind) {
  switch (kind) {
    case OpKind::kReshape: case OpKind::kSqueeze: case OpKind::kExpandDims: return Copy;
    case OpKind::kTranspose: return Transpose;
    case OpKind::kConcatenation: return Concatenation;
    case OpKind::kPack: return Pack;
    case OpKind::kUnpack: return Unpack;
    case OpKind::kSplit: return Split;
    case OpKind::kSplitV: return SplitV;
    case OpKind::kShape: return ShapeOp;
    case OpKind::kFill: return Fill;
    case OpKind::kRange: return Range;
    default: return nullptr;
  }
}

}  // namespace optconv
