#pragma once
// The format-independent half of an importer's conversion state: the IR graph
// being built, helpers that emit canonical ops (inferring shapes and folding
// constants through the runtime), small constants, unique tensor names, and
// integer values known at import time. OnnxContext and TfContext derive from
// it and add their format's node addressing and attributes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "converter/graph.h"
#include "importers/common/dim_origin.h"
#include "runtime/evaluate.h"

namespace optconv::importer {

class GraphBuilder {
 public:
  /// Folds ops on constants while emitting them when `fold_constants`,
  /// except those whose result would bloat the file (FoldingWouldBloat
  /// with `fold_max_bytes`, the --fold-max-bytes cap).
  virtual ~GraphBuilder() = default;
  GraphBuilder(Graph& graph, std::string file, bool fold_constants,
               int64_t fold_max_bytes = kDefaultFoldMaxBytes)
      : graph_(graph),
        file_(std::move(file)),
        fold_constants_(fold_constants),
        fold_max_bytes_(fold_max_bytes) {}

  Graph& graph() { return graph_; }
  const Graph& graph() const { return graph_; }
  /// The source model path; every error message starts with it.
  const std::string& file() const { return file_; }

  // ---- tensors
  const Tensor& tensor(TensorId id) const { return graph_.tensor(id); }
  const Shape& shape(TensorId id) const { return graph_.tensor(id).shape; }
  DataType type(TensorId id) const { return graph_.tensor(id).type; }
  int rank(TensorId id) const { return static_cast<int>(graph_.tensor(id).shape.size()); }
  bool IsConstant(TensorId id) const { return id >= 0 && graph_.tensor(id).is_constant(); }
  /// Values of a constant integer tensor (any int type, or bool) as int64.
  std::optional<std::vector<int64_t>> ConstantInts(TensorId id) const;
  /// Values of a constant float/f16/int tensor as float.
  std::optional<std::vector<float>> ConstantFloats(TensorId id) const;

  /// Element values of an integer tensor that are known at import time even
  /// though the tensor is computed at run time (e.g. SHAPE of [?,16,64] is
  /// [?,16,64]); nullopt marks unknown elements. Lets Gather/Slice/arithmetic
  /// on partially known shapes fold to constants.
  using PartialInts = std::vector<std::optional<int64_t>>;
  void SetPartialInts(TensorId id, PartialInts values) { partial_[id] = std::move(values); }
  /// Known elements of `id`: all of them for integer constants.
  std::optional<PartialInts> KnownInts(TensorId id) const;
  /// For elements of an integer tensor unknown at import time, the dim they
  /// hold at run time (SHAPE(s)[k] holds dim k of s), so that a reshape
  /// target built from them can be matched with its input's dims.
  using PartialDims = std::vector<std::optional<DimRef>>;
  void RecordDimRefs(TensorId out, PartialDims refs);
  /// The dim refs recorded for `id`, else `n` unknowns.
  PartialDims DimRefs(TensorId id, size_t n) const;

  // ---- constants and names
  /// Small constants. An empty `shape` means 1-D [values.size()] (use the
  /// scalar helpers for rank 0). Names are made unique.
  TensorId AddConstInts(const std::string& name, std::vector<int32_t> values, Shape shape = {});
  TensorId AddConstInt64s(const std::string& name, std::vector<int64_t> values, Shape shape = {});
  TensorId AddConstFloats(const std::string& name, std::vector<float> values, Shape shape = {});
  TensorId AddScalarInt(const std::string& name, int32_t value);
  TensorId AddScalarFloat(const std::string& name, float value);
  /// A rank-0 constant of `type` holding `value` (bool, ints, f16 or f32;
  /// other types give f32).
  TensorId AddScalarOfType(const std::string& name, double value, DataType type);
  /// An i32/i64 constant of `shape` holding `values` when every one is known
  /// (a shape vector assembled at import time); nullopt otherwise.
  std::optional<TensorId> AddConstFromKnown(const std::string& name, const PartialInts& values,
                                            DataType type, const Shape& shape);
  /// Records `values` as the known elements of `out` unless `out` is a
  /// constant or nothing is known.
  void RecordKnownInts(TensorId out, PartialInts values);
  /// The prefix of the tensors an op of source node `node_name` writes
  /// (formats may drop artifacts of their own, e.g. inlined call scopes).
  virtual std::string TensorBaseName(const std::string& node_name) const { return node_name; }
  /// A tensor name not used yet, derived from `base` (amortised O(1)).
  std::string UniqueName(const std::string& base);
  /// Renames tensor `id` to a unique name derived from `base` (frees its old name).
  void RenameTensor(TensorId id, const std::string& base);

  // ---- emitting canonical ops; `origin` names the source node
  /// Appends an op with one output of `out_type`, infers its shape and, when
  /// every input is constant and a kernel exists, folds it to a constant.
  /// Returns the output tensor (a constant after folding).
  absl::StatusOr<TensorId> Emit(const SourceLoc& origin, OpKind kind, std::vector<TensorId> inputs,
                                OpOptions options, DataType out_type);
  /// Same with `num_outputs` outputs of `out_type`.
  absl::StatusOr<std::vector<TensorId>> EmitMulti(const SourceLoc& origin, OpKind kind,
                                                  std::vector<TensorId> inputs, OpOptions options,
                                                  DataType out_type, int num_outputs);
  /// TRANSPOSE with a constant i32 `perm`.
  absl::StatusOr<TensorId> EmitTranspose(const SourceLoc& origin, TensorId input,
                                         const std::vector<int32_t>& perm);
  /// CAST to `type` (returns `input` unchanged when it already has that type).
  absl::StatusOr<TensorId> EmitCast(const SourceLoc& origin, TensorId input, DataType type);
  /// An i32 version of an integer tensor (shape/axes operands, which TFLite
  /// wants as i32): a new constant when `id` is constant, else a CAST.
  absl::StatusOr<TensorId> AsInt32(const SourceLoc& origin, TensorId id);

  // ---- errors (node error format: "<file>: node '<name>' (<op>): <problem> (expected <what>)")
  absl::Status Invalid(const SourceLoc& origin, const std::string& problem,
                       const std::string& expected = {}) const;
  absl::Status Unsupported(const SourceLoc& origin, const std::string& problem,
                           const std::string& expected = {}) const;

 private:
  Graph& graph_;
  std::string file_;
  bool fold_constants_;
  int64_t fold_max_bytes_;
  absl::flat_hash_map<TensorId, PartialInts> partial_;
  absl::flat_hash_map<TensorId, PartialDims> dim_refs_;
  // Tensor names in use; tensors_[0, names_synced_) have been added to it.
  absl::flat_hash_set<std::string> used_names_;
  int names_synced_ = 0;
};

}  // namespace optconv::importer
