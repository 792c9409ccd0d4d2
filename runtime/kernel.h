#pragma once
// The reference kernel interface shared by EvaluateOp and the interpreter.
// A kernel reads input views and fills pre-allocated outputs (type and static
// shape already set from shape inference).
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "converter/op.h"
#include "converter/quantization.h"
#include "runtime/host_tensor.h"

namespace optconv {

/// Read-only view of one kernel input; `present` is false for an omitted input.
struct TensorView {
  DataType type = DataType::kFloat32;
  Shape shape;
  const uint8_t* bytes = nullptr;
  size_t size = 0;
  const QuantParams* quant = nullptr;
  bool present = false;

  int64_t num_elements() const { return NumElements(shape).value_or(0); }
  int rank() const { return static_cast<int>(shape.size()); }
  template <typename T>
  const T* data() const { return reinterpret_cast<const T*>(bytes); }
  /// Integer values (any integer type or bool) widened to int64.
  std::vector<int64_t> ints() const;
  /// Numeric values converted to double.
  std::vector<double> doubles() const;
};

struct KernelContext {
  const Op& op;
  std::string file;  // source path, for error messages
  std::vector<TensorView> inputs;
  std::vector<HostTensor> outputs;
  std::vector<const QuantParams*> output_quant;

  const TensorView& in(int i) const { return inputs[static_cast<size_t>(i)]; }
  bool has(int i) const { return i < static_cast<int>(inputs.size()) && inputs[i].present; }
  HostTensor& out(int i) { return outputs[static_cast<size_t>(i)]; }
  int num_inputs() const { return static_cast<int>(inputs.size()); }
  int num_outputs() const { return static_cast<int>(outputs.size()); }

  /// InvalidArgument in the node error format.
  absl::Status Invalid(const std::string& problem, const std::string& expected = "") const;
  /// Unimplemented "no kernel for <kind> with <type>".
  absl::Status NoKernel(const std::string& what) const;
  /// NoKernel unless the listed (present) inputs and output 0 are plain,
  /// unquantized f32: the float-only kernels' shared guard.
  absl::Status RequireFloat(std::initializer_list<int> input_slots);
};

using KernelFn = absl::Status (*)(KernelContext&);

/// Family lookups (nullptr when the family has no kernel for `kind`).
KernelFn FindBinaryKernel(OpKind kind);
KernelFn FindUnaryKernel(OpKind kind);
KernelFn FindTensorKernel(OpKind kind);
KernelFn FindIndexingKernel(OpKind kind);
KernelFn FindReduceKernel(OpKind kind);
KernelFn FindConvKernel(OpKind kind);
KernelFn FindLinearKernel(OpKind kind);

/// The kernel of `kind` in any family, or nullptr.
KernelFn FindKernel(OpKind kind);

}  // namespace optconv
