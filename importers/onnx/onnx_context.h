#pragma once
// The state shared by ONNX op converters while one model is imported: the IR
// graph being built, the ONNX value-name -> TensorId map, the opset, and
// helpers that emit canonical ops (inferring shapes and folding constants).
//
// Op converters live in importers/onnx/ops_*.cc, one file per family, and are
// registered in the table in onnx_op_registry.cc.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "converter/graph.h"
#include "onnx/onnx_pb.h"

namespace optconv::onnx_import {

class ExternalDataFiles;

class OnnxContext {
 public:
  OnnxContext(Graph& graph, std::string file, int64_t opset, bool fold_constants)
      : graph_(graph), file_(std::move(file)), opset_(opset), fold_constants_(fold_constants) {}

  Graph& graph() { return graph_; }
  const std::string& file() const { return file_; }
  /// The default-domain opset the model imports.
  int64_t opset() const { return opset_; }
  /// External data files of the model (for Constant nodes); may be null in tests.
  ExternalDataFiles* external_files() const { return external_files_; }
  void set_external_files(ExternalDataFiles* files) { external_files_ = files; }

  // ---- ONNX value names
  /// Binds an ONNX value name to an IR tensor.
  void Bind(const std::string& onnx_name, TensorId id) {
    values_[onnx_name] = id;
    onnx_named_.insert(id);
  }
  /// The tensor bound to `onnx_name`, or NotFound.
  absl::StatusOr<TensorId> Lookup(const std::string& onnx_name) const;
  /// Records the value names that some node or the graph outputs consume.
  void set_consumed(absl::flat_hash_set<std::string> names) { consumed_ = std::move(names); }
  /// True when an ONNX value is read by a node or is a graph output (exporters
  /// name optional outputs, e.g. an LSTM's Y_c, even when nothing reads them).
  bool IsConsumed(const std::string& onnx_name) const { return consumed_.contains(onnx_name); }
  /// True when input `index` of `node` is present and non-empty.
  static bool HasInput(const onnx::NodeProto& node, int index);
  /// Tensor of input `index`; InvalidArgument (node error format) when missing.
  absl::StatusOr<TensorId> Input(const onnx::NodeProto& node, int index) const;
  /// Binds output `index` of `node` to `id` (and renames the tensor to the ONNX
  /// name when it is an activation without a source name yet).
  void SetOutput(const onnx::NodeProto& node, int index, TensorId id);

  // ---- constants
  const Tensor& tensor(TensorId id) const { return graph_.tensor(id); }
  const Shape& shape(TensorId id) const { return graph_.tensor(id).shape; }
  DataType type(TensorId id) const { return graph_.tensor(id).type; }
  int rank(TensorId id) const { return static_cast<int>(graph_.tensor(id).shape.size()); }
  bool IsConstant(TensorId id) const { return id >= 0 && graph_.tensor(id).is_constant(); }
  /// Values of a constant integer tensor (any int type, or bool) as int64.
  std::optional<std::vector<int64_t>> ConstantInts(TensorId id) const;
  /// Values of a constant float/f16/int tensor as float.
  std::optional<std::vector<float>> ConstantFloats(TensorId id) const;
  /// Small constants. An empty `shape` means 1-D [values.size()] (use the
  /// scalar helpers for rank 0). Names are made unique.
  /// Element values of an integer tensor that are known at import time even
  /// though the tensor is computed at run time (e.g. SHAPE of [?,16,64] is
  /// [?,16,64]); nullopt marks unknown elements. Lets Gather/Slice/arithmetic
  /// on partially known shapes fold to constants.
  using PartialInts = std::vector<std::optional<int64_t>>;
  void SetPartialInts(TensorId id, PartialInts values) { partial_[id] = std::move(values); }
  /// Known elements of `id`: all of them for integer constants.
  std::optional<PartialInts> KnownInts(TensorId id) const;

  TensorId AddConstInts(const std::string& name, std::vector<int32_t> values, Shape shape = {});
  TensorId AddConstInt64s(const std::string& name, std::vector<int64_t> values, Shape shape = {});
  TensorId AddConstFloats(const std::string& name, std::vector<float> values, Shape shape = {});
  TensorId AddScalarInt(const std::string& name, int32_t value);
  TensorId AddScalarFloat(const std::string& name, float value);
  /// A tensor name not used yet, derived from `base` (amortised O(1)).
  std::string UniqueName(const std::string& base);

  // ---- emitting canonical ops
  /// Appends an op with one output of `out_type`, infers its shape and, when
  /// every input is constant and a kernel exists, folds it to a constant.
  /// Returns the output tensor (a constant after folding).
  absl::StatusOr<TensorId> Emit(const onnx::NodeProto& node, OpKind kind,
                                std::vector<TensorId> inputs, OpOptions options,
                                DataType out_type);
  /// Same with `num_outputs` outputs of `out_type`.
  absl::StatusOr<std::vector<TensorId>> EmitMulti(const onnx::NodeProto& node, OpKind kind,
                                                  std::vector<TensorId> inputs, OpOptions options,
                                                  DataType out_type, int num_outputs);
  /// NCHW(-like, any rank >= 3) -> channels-last Transpose, and back. These are
  /// the explicit transposes the layout pass cancels.
  absl::StatusOr<TensorId> ToChannelsLast(const onnx::NodeProto& node, TensorId channels_first);
  absl::StatusOr<TensorId> ToChannelsFirst(const onnx::NodeProto& node, TensorId channels_last);
  /// TRANSPOSE with a constant i32 `perm`.
  absl::StatusOr<TensorId> EmitTranspose(const onnx::NodeProto& node, TensorId input,
                                         const std::vector<int32_t>& perm);
  /// CAST to `type` (returns `input` unchanged when it already has that type).
  absl::StatusOr<TensorId> EmitCast(const onnx::NodeProto& node, TensorId input, DataType type);
  /// An i32 version of an integer tensor (shape/axes operands, which TFLite
  /// wants as i32): a new constant when `id` is constant, else a CAST.
  absl::StatusOr<TensorId> AsInt32(const onnx::NodeProto& node, TensorId id);

  // ---- attributes
  static const onnx::AttributeProto* FindAttr(const onnx::NodeProto& node, const std::string& name);
  static int64_t AttrInt(const onnx::NodeProto& node, const std::string& name, int64_t fallback);
  static float AttrFloat(const onnx::NodeProto& node, const std::string& name, float fallback);
  static std::string AttrString(const onnx::NodeProto& node, const std::string& name,
                                const std::string& fallback);
  static std::vector<int64_t> AttrInts(const onnx::NodeProto& node, const std::string& name);
  static std::vector<float> AttrFloats(const onnx::NodeProto& node, const std::string& name);

  // ---- errors (node error format: "<file>: node '<name>' (<op>): <problem> (expected <what>)")
  absl::Status Invalid(const onnx::NodeProto& node, const std::string& problem,
                       const std::string& expected = {}) const;
  absl::Status Unsupported(const onnx::NodeProto& node, const std::string& problem,
                           const std::string& expected = {}) const;

 private:
  Graph& graph_;
  std::string file_;
  int64_t opset_;
  bool fold_constants_;
  absl::flat_hash_map<std::string, TensorId> values_;
  absl::flat_hash_set<std::string> consumed_;
  ExternalDataFiles* external_files_ = nullptr;
  absl::flat_hash_map<TensorId, PartialInts> partial_;
  // Tensors that already carry an ONNX value name (SetOutput keeps those).
  absl::flat_hash_set<TensorId> onnx_named_;
  // Tensor names in use; tensors_[0, names_synced_) have been added to it.
  absl::flat_hash_set<std::string> used_names_;
  int names_synced_ = 0;
};

/// Converts one ONNX node into canonical ops. Returns Unimplemented for
/// attribute combinations it cannot express (the importer collects these).
using OpConverter = absl::Status (*)(OnnxContext& ctx, const onnx::NodeProto& node);

/// The converter for an ONNX op type in the default domain, or nullptr.
OpConverter FindConverter(const std::string& op_type);
/// Every op type with a converter (for `optconv ops` and docs).
std::vector<std::string> SupportedOnnxOps();

}  // namespace optconv::onnx_import
