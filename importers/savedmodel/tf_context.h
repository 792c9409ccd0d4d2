#pragma once
// The state shared by TensorFlow op converters while one TfGraph is imported:
// the "node:N" -> TensorId map, NodeDef attribute access and node-origin
// overloads of the GraphBuilder helpers (emit canonical ops with shape
// inference and constant folding, small constants, known ints).
//
// Op converters live in importers/savedmodel/tf_ops_*.cc, one file per family,
// and are registered in the table in tf_op_registry.cc (tf_op_families.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "converter/graph.h"
#include "importers/common/graph_builder.h"
#include "importers/savedmodel/proto/attr_value.pb.h"
#include "importers/savedmodel/proto/function.pb.h"
#include "importers/savedmodel/proto/node_def.pb.h"
#include "importers/savedmodel/tf_graph.h"

namespace optconv::tf_import {

/// `name` without leading "PartitionedCall", "StatefulPartitionedCall" and
/// "StatefulPartitionedCall_N" components (the last component always stays).
std::string WithoutCallScopes(const std::string& name);

class TfContext : public importer::GraphBuilder {
 public:
  /// `tf` must outlive the context (converters read its constants and library).
  TfContext(Graph& graph, const TfGraph& tf, bool fold_constants = true,
            int64_t fold_max_bytes = kDefaultFoldMaxBytes)
      : GraphBuilder(graph, tf.source, fold_constants, fold_max_bytes), tf_(tf) {}

  const TfGraph& tf_graph() const { return tf_; }
  /// Tensor names drop the call scopes that inlining a SavedModel's
  /// functions prepends ("StatefulPartitionedCall/StatefulPartitionedCall/
  /// model/dense/MatMul" -> "model/dense/MatMul"), as the names Keras users
  /// know. Node names in messages stay whole.
  std::string TensorBaseName(const std::string& node_name) const override {
    return WithoutCallScopes(node_name);
  }

  /// Where the unknown elements of a shape vector come from: element i of
  /// `id` equals dim d of tensor t, encoded as t * kMaxRank + d (nullopt when
  /// not known). Set by Shape and kept through slicing, gathering, packing
  /// and concatenation, so that a Reshape can prove that an unknown target
  /// dim copies its own input's unknown batch (Flatten), which the values
  /// alone cannot tell.
  static constexpr int64_t kMaxRank = 64;
  void SetDimRefs(TensorId id, PartialInts refs) { dim_refs_[id] = std::move(refs); }
  /// The provenance of `id`'s `size` elements (all nullopt when unrecorded).
  PartialInts DimRefs(TensorId id, size_t size) const {
    auto it = dim_refs_.find(id);
    if (it == dim_refs_.end() || it->second.size() != size) return PartialInts(size);
    return it->second;
  }
  /// The function a call node invokes (op = function name, or
  /// PartitionedCall / StatefulPartitionedCall with attr "f"); nullptr when
  /// `node` is no call or the library lacks the function.
  const tensorflow::FunctionDef* CalledFunction(const tensorflow::NodeDef& node) const;

  // ---- tensor refs: "node" (= "node:0") or "node:N"
  /// "node:N" with the ":0" made explicit.
  static std::string CanonicalRef(const std::string& ref);
  static std::string OutputRef(const tensorflow::NodeDef& node, int index);
  /// Binds output `ref` to an IR tensor.
  void Bind(const std::string& ref, TensorId id) { values_[CanonicalRef(ref)] = id; }
  /// The tensor bound to `ref`, or NotFound.
  absl::StatusOr<TensorId> Lookup(const std::string& ref) const;
  bool IsBound(const std::string& ref) const { return values_.contains(CanonicalRef(ref)); }
  /// Number of data inputs of `node` (TfGraph has no control inputs left).
  static int NumInputs(const tensorflow::NodeDef& node) { return node.input_size(); }
  /// Tensor of input `index`; InvalidArgument (node error format) when missing.
  absl::StatusOr<TensorId> Input(const tensorflow::NodeDef& node, int index) const;
  /// Binds output `index` of `node` to `id`, renaming an unnamed activation to
  /// the TF name ("node" for output 0, "node:N" otherwise).
  void SetOutput(const tensorflow::NodeDef& node, int index, TensorId id);

  // ---- GraphBuilder helpers with `node` as the origin
  using GraphBuilder::AsInt32;
  using GraphBuilder::Emit;
  using GraphBuilder::EmitCast;
  using GraphBuilder::EmitMulti;
  using GraphBuilder::EmitTranspose;
  using GraphBuilder::Invalid;
  using GraphBuilder::Unsupported;
  static SourceLoc Origin(const tensorflow::NodeDef& node) { return {node.name(), node.op()}; }
  absl::StatusOr<TensorId> Emit(const tensorflow::NodeDef& node, OpKind kind,
                                std::vector<TensorId> inputs, OpOptions options,
                                DataType out_type) {
    return Emit(Origin(node), kind, std::move(inputs), std::move(options), out_type);
  }
  absl::StatusOr<std::vector<TensorId>> EmitMulti(const tensorflow::NodeDef& node, OpKind kind,
                                                  std::vector<TensorId> inputs, OpOptions options,
                                                  DataType out_type, int num_outputs) {
    return EmitMulti(Origin(node), kind, std::move(inputs), std::move(options), out_type,
                     num_outputs);
  }
  absl::StatusOr<TensorId> EmitTranspose(const tensorflow::NodeDef& node, TensorId input,
                                         const std::vector<int32_t>& perm) {
    return EmitTranspose(Origin(node), input, perm);
  }
  absl::StatusOr<TensorId> EmitCast(const tensorflow::NodeDef& node, TensorId input,
                                    DataType type) {
    return EmitCast(Origin(node), input, type);
  }
  absl::StatusOr<TensorId> AsInt32(const tensorflow::NodeDef& node, TensorId id) {
    return AsInt32(Origin(node), id);
  }
  /// Emits `kind` on `inputs` with output type of input 0 and binds it as output 0.
  absl::Status EmitAndBind(const tensorflow::NodeDef& node, OpKind kind,
                           std::vector<TensorId> inputs, OpOptions options = NoOptions{});
  /// Values of constant integer input `index`; Unimplemented when computed at run time.
  absl::StatusOr<std::vector<int64_t>> ConstIntsInput(const tensorflow::NodeDef& node,
                                                      int index) const;

  // ---- attributes
  static const tensorflow::AttrValue* FindAttr(const tensorflow::NodeDef& node,
                                               const std::string& name);
  static int64_t AttrInt(const tensorflow::NodeDef& node, const std::string& name,
                         int64_t fallback);
  static float AttrFloat(const tensorflow::NodeDef& node, const std::string& name, float fallback);
  static bool AttrBool(const tensorflow::NodeDef& node, const std::string& name, bool fallback);
  static std::string AttrString(const tensorflow::NodeDef& node, const std::string& name,
                                const std::string& fallback);
  /// list(int) attribute (strides, ksize, dilations...); empty when absent.
  static std::vector<int64_t> AttrInts(const tensorflow::NodeDef& node, const std::string& name);
  static tensorflow::DataType AttrType(const tensorflow::NodeDef& node, const std::string& name,
                                       tensorflow::DataType fallback = tensorflow::DT_INVALID);
  /// The IR type of type attribute `name` ("T", "dtype", "DstT"...);
  /// Unimplemented naming the TF type when TFLite cannot carry it.
  absl::StatusOr<DataType> AttrIrType(const tensorflow::NodeDef& node,
                                      const std::string& name) const;

  // ---- errors (node error format: "<file>: node '<name>' (<op>): <problem> (expected <what>)")
  absl::Status Invalid(const tensorflow::NodeDef& node, const std::string& problem,
                       const std::string& expected = {}) const {
    return Invalid(Origin(node), problem, expected);
  }
  absl::Status Unsupported(const tensorflow::NodeDef& node, const std::string& problem,
                           const std::string& expected = {}) const {
    return Unsupported(Origin(node), problem, expected);
  }

 private:
  const TfGraph& tf_;
  absl::flat_hash_map<TensorId, PartialInts> dim_refs_;
  absl::flat_hash_map<std::string, TensorId> values_;
  absl::flat_hash_set<TensorId> tf_named_;  // tensors already named after a TF output
};

/// Converts one NodeDef into canonical ops, binding each used output. Returns
/// Unimplemented for what it cannot express (the importer collects these).
using TfOpConverter = absl::Status (*)(TfContext& ctx, const tensorflow::NodeDef& node);

/// The converter for `node`: by op type, or for a kept call node by its
/// function's "api_implements" attr (see tf_op_families.h); nullptr if none.
TfOpConverter FindTfConverter(const TfContext& ctx, const tensorflow::NodeDef& node);
/// Every TF op type with a converter (for docs and `inspect`).
std::vector<std::string> SupportedTfOps();

}  // namespace optconv::tf_import
