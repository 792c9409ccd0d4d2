#pragma once
// The state shared by ONNX op converters while one model is imported: the
// ONNX value-name -> TensorId map, the opset and attribute access, on top of
// GraphBuilder (the IR graph being built, and helpers that emit canonical ops
// inferring shapes and folding constants).
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
#include "importers/common/graph_builder.h"
#include "onnx/onnx_pb.h"

namespace optconv::onnx_import {

class ExternalDataFiles;

class OnnxContext : public importer::GraphBuilder {
 public:
  OnnxContext(Graph& graph, std::string file, int64_t opset, bool fold_constants,
              int64_t fold_max_bytes = kDefaultFoldMaxBytes)
      : GraphBuilder(graph, std::move(file), fold_constants, fold_max_bytes), opset_(opset) {}

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

  // ---- constants, names, known ints: see GraphBuilder.

  // ---- emitting canonical ops (GraphBuilder's, with `node` as the origin)
  using GraphBuilder::Emit;
  using GraphBuilder::EmitMulti;
  using GraphBuilder::EmitTranspose;
  using GraphBuilder::EmitCast;
  using GraphBuilder::AsInt32;
  using GraphBuilder::Invalid;
  using GraphBuilder::Unsupported;
  static SourceLoc Origin(const onnx::NodeProto& node) { return {node.name(), node.op_type()}; }
  absl::StatusOr<TensorId> Emit(const onnx::NodeProto& node, OpKind kind,
                                std::vector<TensorId> inputs, OpOptions options,
                                DataType out_type) {
    return Emit(Origin(node), kind, std::move(inputs), std::move(options), out_type);
  }
  absl::StatusOr<std::vector<TensorId>> EmitMulti(const onnx::NodeProto& node, OpKind kind,
                                                  std::vector<TensorId> inputs, OpOptions options,
                                                  DataType out_type, int num_outputs) {
    return EmitMulti(Origin(node), kind, std::move(inputs), std::move(options), out_type,
                     num_outputs);
  }
  /// NCHW(-like, any rank >= 3) -> channels-last Transpose, and back. These are
  /// the explicit transposes the layout pass cancels.
  absl::StatusOr<TensorId> ToChannelsLast(const onnx::NodeProto& node, TensorId channels_first);
  absl::StatusOr<TensorId> ToChannelsFirst(const onnx::NodeProto& node, TensorId channels_last);
  absl::StatusOr<TensorId> EmitTranspose(const onnx::NodeProto& node, TensorId input,
                                         const std::vector<int32_t>& perm) {
    return EmitTranspose(Origin(node), input, perm);
  }
  absl::StatusOr<TensorId> EmitCast(const onnx::NodeProto& node, TensorId input, DataType type) {
    return EmitCast(Origin(node), input, type);
  }
  absl::StatusOr<TensorId> AsInt32(const onnx::NodeProto& node, TensorId id) {
    return AsInt32(Origin(node), id);
  }

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
                       const std::string& expected = {}) const {
    return Invalid(Origin(node), problem, expected);
  }
  absl::Status Unsupported(const onnx::NodeProto& node, const std::string& problem,
                           const std::string& expected = {}) const {
    return Unsupported(Origin(node), problem, expected);
  }

 private:
  int64_t opset_;
  absl::flat_hash_map<std::string, TensorId> values_;
  absl::flat_hash_set<std::string> consumed_;
  ExternalDataFiles* external_files_ = nullptr;
  // Tensors that already carry an ONNX value name (SetOutput keeps those).
  absl::flat_hash_set<TensorId> onnx_named_;
};

/// Converts one ONNX node into canonical ops. Returns Unimplemented for
/// attribute combinations it cannot express (the importer collects these).
using OpConverter = absl::Status (*)(OnnxContext& ctx, const onnx::NodeProto& node);

/// The converter for an ONNX op type in the default domain, or nullptr.
OpConverter FindConverter(const std::string& op_type);
/// Every op type with a converter (for `optconv ops` and docs).
std::vector<std::string> SupportedOnnxOps();

}  // namespace optconv::onnx_import
