#pragma once
// Graph: tensors and ops (kept in topological order), graph inputs/outputs and
// signatures. Tensors are addressed by TensorId (an index into tensors()).
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "converter/op.h"
#include "converter/tensor.h"

namespace optconv {

/// One named input or output of a signature.
struct SignatureTensor {
  std::string name;
  TensorId tensor = kNoTensor;
};

/// A TFLite SignatureDef: a named entry point with named inputs/outputs.
struct Signature {
  std::string key = "serving_default";
  std::vector<SignatureTensor> inputs;
  std::vector<SignatureTensor> outputs;
};

/// Who uses a tensor: op index and input slot.
struct TensorUse {
  int op_index;
  int input_slot;
};

class Graph {
 public:
  // ---- tensors
  TensorId AddTensor(Tensor tensor);
  TensorId AddActivation(std::string name, DataType type, Shape shape);
  TensorId AddConstant(std::string name, DataType type, Shape shape, BufferPtr data);
  /// Convenience for small constants: copies `values`.
  template <typename T>
  TensorId AddConstantValues(std::string name, DataType type, Shape shape,
                             absl::Span<const T> values) {
    return AddConstant(std::move(name), type, std::move(shape), Buffer::FromValues<T>(values));
  }
  Tensor& tensor(TensorId id) { return tensors_[static_cast<size_t>(id)]; }
  const Tensor& tensor(TensorId id) const { return tensors_[static_cast<size_t>(id)]; }
  std::vector<Tensor>& tensors() { return tensors_; }
  const std::vector<Tensor>& tensors() const { return tensors_; }
  int num_tensors() const { return static_cast<int>(tensors_.size()); }
  /// A name not used by any tensor yet, derived from `base`.
  std::string UniqueTensorName(const std::string& base);

  // ---- ops (topological order is an invariant checked by the verifier)
  std::vector<Op>& ops() { return ops_; }
  const std::vector<Op>& ops() const { return ops_; }
  void AddOp(Op op) { ops_.push_back(std::move(op)); }

  // ---- graph interface
  std::vector<TensorId>& inputs() { return inputs_; }
  const std::vector<TensorId>& inputs() const { return inputs_; }
  std::vector<TensorId>& outputs() { return outputs_; }
  const std::vector<TensorId>& outputs() const { return outputs_; }
  std::vector<Signature>& signatures() { return signatures_; }
  const std::vector<Signature>& signatures() const { return signatures_; }
  bool IsGraphInput(TensorId id) const;
  bool IsGraphOutput(TensorId id) const;

  /// Path of the source model, for error messages.
  std::string source_path;

  // ---- analysis (computed on demand; O(ops + tensors))
  /// producer[t] = index of the op writing tensor t, or -1.
  std::vector<int> Producers() const;
  /// consumers[t] = uses of tensor t as an op input.
  std::vector<std::vector<int>> ConsumerOps() const;
  std::vector<std::vector<TensorUse>> Uses() const;

  // ---- mutation helpers
  /// Rewires every use of `from` (op inputs, graph outputs, signatures) to `to`.
  /// When `from` is a graph output, `to` takes over its name so interface
  /// names survive rewrites.
  void ReplaceAllUses(TensorId from, TensorId to);
  /// Removes ops whose index has erase[i] == true.
  void EraseOps(const std::vector<bool>& erase);
  /// Drops tensors no op, graph input/output or signature refers to, and
  /// renumbers the rest (ids stay in their previous relative order).
  void RemoveUnusedTensors();
  /// Removes ops whose outputs are all unused (not consumed, not graph outputs).
  /// Returns the number removed.
  int RemoveDeadOps();
  /// Re-establishes topological order of ops (stable for already-sorted graphs).
  /// Fails on a cycle, naming one op on it.
  absl::Status TopologicalSort();

 private:
  std::vector<Tensor> tensors_;
  std::vector<Op> ops_;
  std::vector<TensorId> inputs_;
  std::vector<TensorId> outputs_;
  std::vector<Signature> signatures_;
};

}  // namespace optconv
