#pragma once
// Turns the part of a GraphDef that some outputs need into TfGraph::nodes:
// function calls inlined (except api_implements functions), Identity chains
// collapsed, control inputs and NoOps dropped, variables read from a
// checkpoint into Const nodes backed by TfGraph::constants. Shared by the
// SavedModel and frozen-GraphDef loaders.
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "importers/savedmodel/proto/graph.pb.h"
#include "importers/savedmodel/proto/op_def.pb.h"
#include "importers/savedmodel/tensor_bundle.h"
#include "importers/savedmodel/tf_graph.h"

namespace optconv::tf_import {

struct FlattenOptions {
  /// The file errors name.
  std::string source;
  const tensorflow::GraphDef* graph = nullptr;
  /// OpDefs of the graph's ops (MetaInfoDef.stripped_op_list); may be empty.
  /// They give output-arg sizes and the attr defaults re-added to nodes.
  tensorflow::OpList op_list;
  /// Checkpoint holding variable values; null when there is none.
  const TensorBundle* bundle = nullptr;
  /// Top-level variable node (VarHandleOp / VariableV2) -> checkpoint key.
  /// Variables not listed are looked up by node name, then shared_name.
  absl::flat_hash_map<std::string, std::string> variable_keys;
  /// Top-level tensors ("node" or "node:N") replaced by another flat tensor
  /// (a frozen graph cut at an inner tensor by --inputs).
  absl::flat_hash_map<std::string, std::string> replaced_tensors;
};

/// Flattens what `outputs` (top-level tensor names, "node" or "node:N")
/// need into `graph` (nodes, constants, library) and returns the flat tensor
/// name of each output. Variables that cannot be resolved stay as
/// VarHandleOp / ReadVariableOp / VariableV2 nodes: callers decide how to
/// report them (see UnresolvedVariables).
absl::StatusOr<std::vector<std::string>> FlattenGraph(const FlattenOptions& options,
                                                      const std::vector<std::string>& outputs, TfGraph& graph);

/// A Placeholder fed instead of top-level tensor `tensor` ("node" or
/// "node:N"), as TF feeds a signature input that is not a Placeholder (an
/// Identity after tf.Example parsing, a PlaceholderWithDefault): records the
/// cut in `options` and returns the node, named after the tensor, for the
/// caller to add to TfGraph::nodes after flattening.
tensorflow::NodeDef CutAtTensor(const std::string& tensor, tensorflow::DataType dtype,
                                const tensorflow::TensorShapeProto& shape, FlattenOptions& options);

/// Names of the nodes in `graph` that still hold or read a variable.
std::vector<std::string> UnresolvedVariables(const TfGraph& graph);

/// Splits a flat tensor name "node" / "node:N" into node and index
/// (index -1 when the suffix is not a number).
std::pair<std::string, int> SplitTensorName(const std::string& tensor);

}  // namespace optconv::tf_import
