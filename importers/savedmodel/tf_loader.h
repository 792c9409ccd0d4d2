#pragma once
// Loading TensorFlow files into a TfGraph (see tf_graph.h). Errors:
//  NotFound: missing saved_model.pb / variables / shard, unknown tag set or
//            signature (the message lists what exists);
//  InvalidArgument / DataLoss: unparsable protos, corrupt index, crc mismatch;
//  Unimplemented: constructs we do not import (partitioned variables...).
// Every message starts with the path it concerns.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "importers/savedmodel/tf_graph.h"

namespace optconv::tf_import {

struct SavedModelOptions {
  /// The MetaGraph whose tag set equals this set (order-insensitive).
  std::vector<std::string> tags = {"serve"};
  std::string signature = "serving_default";
};

/// A SavedModel directory (saved_model.pb + variables/), TF1 or TF2.
absl::StatusOr<TfGraph> LoadSavedModel(const std::string& dir, const SavedModelOptions& options);

/// "name" or "name:shape", shape as "1,224,224,3" with -1 / ? for unknown.
struct GraphDefTensorSpec {
  std::string name;   // node name, optionally ":N"
  std::vector<int64_t> shape;
  bool has_shape = false;
};

struct GraphDefOptions {
  /// Empty: every Placeholder reachable from the outputs, with its own shape.
  std::vector<GraphDefTensorSpec> inputs;
  /// Empty: nodes no other node consumes (excluding NoOp/Assign/Save...).
  std::vector<std::string> outputs;
};

/// A frozen GraphDef (.pb, binary proto). Variables must already be constants;
/// a graph with VariableV2/VarHandleOp nodes is refused (Unimplemented) with
/// the advice to pass the SavedModel directory instead.
absl::StatusOr<TfGraph> LoadFrozenGraphDef(const std::string& path, const GraphDefOptions& options);

/// Parses one "--inputs" item: "NAME" or "NAME:SHAPE", NAME a node name
/// (optionally "node:0"), SHAPE "[1,28,28,1]" or "1,28,28,1" with -1 or ? for
/// unknown dims ("x:5" is output 5 of x; a 1-D shape needs brackets: "x:[5]").
/// InvalidArgument naming the item when malformed.
absl::StatusOr<GraphDefTensorSpec> ParseGraphDefInput(const std::string& item);

}  // namespace optconv::tf_import
