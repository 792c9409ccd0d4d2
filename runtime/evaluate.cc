// EvaluateOp: wraps the constant inputs of an op as kernel views, runs the
// reference kernel and hands the results back as buffers.
#include "runtime/evaluate.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "converter/status_util.h"
#include "runtime/fp16.h"
#include "runtime/kernel.h"

namespace optconv {
namespace {

template <typename T>
void Widen(const TensorView& v, std::vector<int64_t>& out) {
  for (int64_t i = 0; i < static_cast<int64_t>(out.size()); ++i) {
    T x;
    std::memcpy(&x, v.bytes + i * sizeof(T), sizeof(T));
    out[i] = static_cast<int64_t>(x);
  }
}

template <typename T>
void WidenD(const TensorView& v, std::vector<double>& out) {
  for (int64_t i = 0; i < static_cast<int64_t>(out.size()); ++i) {
    T x;
    std::memcpy(&x, v.bytes + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(x);
  }
}

std::string KindName(OpKind kind) { return std::string(OpKindName(kind)); }

}  // namespace

std::vector<int64_t> TensorView::ints() const {
  std::vector<int64_t> out(static_cast<size_t>(num_elements()));
  switch (type) {
    case DataType::kInt8: Widen<int8_t>(*this, out); break;
    case DataType::kUInt8: case DataType::kBool: Widen<uint8_t>(*this, out); break;
    case DataType::kInt16: Widen<int16_t>(*this, out); break;
    case DataType::kInt32: Widen<int32_t>(*this, out); break;
    case DataType::kInt64: Widen<int64_t>(*this, out); break;
    default: out.clear();
  }
  return out;
}

std::vector<double> TensorView::doubles() const {
  std::vector<double> out(static_cast<size_t>(num_elements()));
  switch (type) {
    case DataType::kFloat32: WidenD<float>(*this, out); break;
    case DataType::kFloat16:
      for (size_t i = 0; i < out.size(); ++i) {
        uint16_t h;
        std::memcpy(&h, bytes + i * 2, 2);
        out[i] = HalfToFloat(h);
      }
      break;
    case DataType::kInt8: WidenD<int8_t>(*this, out); break;
    case DataType::kUInt8: case DataType::kBool: WidenD<uint8_t>(*this, out); break;
    case DataType::kInt16: WidenD<int16_t>(*this, out); break;
    case DataType::kInt32: WidenD<int32_t>(*this, out); break;
    case DataType::kInt64: WidenD<int64_t>(*this, out); break;
    default: out.clear();
  }
  return out;
}

absl::Status KernelContext::Invalid(const std::string& problem, const std::string& expected) const {
  return NodeError(absl::StatusCode::kInvalidArgument, file, op.origin,
                   absl::StrCat(KindName(op.kind), ": ", problem), expected);
}

absl::Status KernelContext::RequireFloat(std::initializer_list<int> input_slots) {
  for (int i : input_slots) {
    if (has(i) && (in(i).type != DataType::kFloat32 || in(i).quant)) {
      return NoKernel(absl::StrCat("input ", i, " of type ", std::string(DataTypeName(in(i).type)),
                                   in(i).quant ? " (quantized)" : ""));
    }
  }
  if (out(0).type != DataType::kFloat32) return NoKernel("non-float output");
  return absl::OkStatus();
}

absl::Status KernelContext::NoKernel(const std::string& what) const {
  return NodeError(absl::StatusCode::kUnimplemented, file, op.origin,
                   absl::StrCat("no reference kernel for ", KindName(op.kind), " with ", what));
}

KernelFn FindKernel(OpKind kind) {
  for (KernelFn (*find)(OpKind) :
       {FindBinaryKernel, FindUnaryKernel, FindTensorKernel, FindIndexingKernel,
        FindReduceKernel, FindConvKernel, FindLinearKernel}) {
    if (KernelFn fn = find(kind)) return fn;
  }
  return nullptr;
}

bool CanEvaluate(OpKind kind) { return FindKernel(kind) != nullptr; }

bool FoldingWouldBloat(const Graph& graph, const Op& op, int64_t max_bytes) {
  int64_t out_bytes = 0, out_elements = 0, in_elements = 0;
  for (TensorId id : op.outputs) {
    const Tensor& t = graph.tensor(id);
    const int64_t n = NumElements(t.shape).value_or(0);
    out_elements += n;
    out_bytes += n * static_cast<int64_t>(ElementSize(t.type));
  }
  for (TensorId id : op.inputs) {
    if (id != kNoTensor) in_elements += NumElements(graph.tensor(id).shape).value_or(0);
  }
  return out_bytes > max_bytes && out_elements > 2 * in_elements;
}

absl::StatusOr<std::vector<BufferPtr>> EvaluateOp(const Graph& graph, const Op& op) {
  auto fail = [&](absl::StatusCode code, const std::string& problem) {
    return NodeError(code, graph.source_path, op.origin,
                     absl::StrCat(KindName(op.kind), ": ", problem));
  };
  KernelFn kernel = FindKernel(op.kind);
  if (kernel == nullptr) {
    return fail(absl::StatusCode::kUnimplemented, "no reference kernel for this op");
  }
  KernelContext ctx{op, graph.source_path, {}, {}, {}};
  ctx.inputs.reserve(op.inputs.size());
  // Kernels read typed pointers; a constant sliced from a file at an odd
  // offset is read through an aligned copy that lives for this call.
  std::vector<std::vector<uint8_t>> aligned_copies;
  aligned_copies.reserve(op.inputs.size());
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    TensorView v;
    TensorId id = op.inputs[i];
    if (id != kNoTensor) {
      if (id < 0 || id >= graph.num_tensors()) {
        return fail(absl::StatusCode::kInvalidArgument, absl::StrCat("input ", i, " does not exist"));
      }
      const Tensor& t = graph.tensor(id);
      if (!t.is_constant()) {
        return fail(absl::StatusCode::kFailedPrecondition,
                    absl::StrCat("input ", i, " '", t.name, "' is not a constant"));
      }
      std::optional<int64_t> n = NumElements(t.shape);
      if (!n || t.data->size() != static_cast<size_t>(*n) * ElementSize(t.type)) {
        return fail(absl::StatusCode::kInvalidArgument,
                    absl::StrCat("constant '", t.name, "' holds ", t.data->size(),
                                 " bytes for shape ", ShapeToString(t.shape)));
      }
      v.type = t.type;
      v.shape = t.shape;
      v.bytes = t.data->data();
      v.size = t.data->size();
      if (!t.data->AlignedFor(ElementSize(t.type))) {
        aligned_copies.emplace_back(t.data->data(), t.data->data() + t.data->size());
        v.bytes = aligned_copies.back().data();
      }
      v.quant = t.quant ? &*t.quant : nullptr;
      v.present = true;
    }
    ctx.inputs.push_back(std::move(v));
  }
  for (size_t i = 0; i < op.outputs.size(); ++i) {
    TensorId id = op.outputs[i];
    if (id < 0 || id >= graph.num_tensors()) {
      return fail(absl::StatusCode::kInvalidArgument, absl::StrCat("output ", i, " does not exist"));
    }
    const Tensor& t = graph.tensor(id);
    if (!IsStatic(t.shape)) {
      return fail(absl::StatusCode::kFailedPrecondition,
                  absl::StrCat("output '", t.name, "' has non-static shape ",
                               ShapeToString(t.shape)));
    }
    if (t.type == DataType::kString) {
      return fail(absl::StatusCode::kUnimplemented, "string tensors");
    }
    ctx.outputs.emplace_back(t.type, t.shape);
    ctx.output_quant.push_back(t.quant ? &*t.quant : nullptr);
  }
  if (absl::Status s = kernel(ctx); !s.ok()) return s;
  // Folding reads a weight once (to re-lay it out, say); mapped file pages
  // need not stay resident beside the result.
  for (TensorId id : op.inputs) {
    if (id != kNoTensor) graph.tensor(id).data->ReleasePages();
  }
  std::vector<BufferPtr> buffers;
  buffers.reserve(ctx.outputs.size());
  for (HostTensor& out : ctx.outputs) buffers.push_back(Buffer::FromVector(std::move(out.bytes)));
  return buffers;
}

}  // namespace optconv
