#pragma once
// The hand-off between the TensorFlow loaders (SavedModel directory, frozen
// GraphDef) and the TF op converters: one flat graph of NodeDefs for the
// selected signature, with function calls inlined and variables resolved to
// checkpoint data. Loaders own file formats; converters own op semantics.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "converter/buffer.h"
#include "importers/savedmodel/proto/function.pb.h"
#include "importers/savedmodel/proto/node_def.pb.h"
#include "importers/savedmodel/proto/types.pb.h"

namespace optconv::tf_import {

/// One input or output of the selected signature.
struct TfSignatureTensor {
  /// Signature key (e.g. "input_1"); becomes the TFLite tensor and
  /// SignatureDef name.
  std::string key;
  /// Producing node in TfGraph::nodes and its output index.
  std::string node;
  int output_index = 0;
  tensorflow::DataType dtype = tensorflow::DT_INVALID;
  /// -1 marks an unknown dim; empty with unknown_rank when nothing is known.
  std::vector<int64_t> shape;
  bool unknown_rank = false;
};

/// A variable (or large constant) value, memory-mapped from a checkpoint shard.
struct TfTensorData {
  tensorflow::DataType dtype = tensorflow::DT_INVALID;
  std::vector<int64_t> shape;
  std::shared_ptr<const Buffer> data;  // little-endian, row-major
};

struct TfGraph {
  /// What the user passed (SavedModel directory or .pb); errors name it.
  std::string source;
  /// Signature name ("serving_default"; empty for a frozen GraphDef).
  std::string signature_name;
  std::vector<TfSignatureTensor> inputs;
  std::vector<TfSignatureTensor> outputs;
  /// Nodes reachable from `outputs`, in any order. Inputs are "node" or
  /// "node:N" (never the function-body "node:arg:N" form); control inputs
  /// ("^x") are removed, as are Identity/NoOp chains that only carry control.
  /// Names are unique. Calls to functions are inlined except those whose
  /// FunctionDef has an "api_implements" attr (Keras LSTM/GRU), which stay as
  /// a call node (op = the function name, or StatefulPartitionedCall /
  /// PartitionedCall with attr "f") so converters can emit fused ops.
  std::vector<tensorflow::NodeDef> nodes;
  /// Checkpoint-backed values: nodes of op "Const" whose name is a key here
  /// take their value from the map (their "value" attr carries only dtype
  /// and shape), so weights are never copied out of the mapped shards.
  absl::flat_hash_map<std::string, TfTensorData> constants;
  /// Functions still called by `nodes` (the api_implements ones).
  tensorflow::FunctionDefLibrary library;
  /// GraphDef producer version (op semantics changed across versions rarely).
  int producer = 0;
};

}  // namespace optconv::tf_import
