#pragma once
// Chooses the importer from what the input is: a SavedModel directory
// (holding saved_model.pb), a frozen GraphDef (.pb file), or an ONNX model.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "converter/graph.h"

namespace optconv::cli {

enum class ModelKind { kOnnx, kSavedModel, kGraphDef };

/// TensorFlow-only flags of `convert`.
struct TfFlags {
  std::vector<std::string> tags = {"serve"};
  std::string signature = "serving_default";
  std::vector<std::string> inputs;   // "NAME[:SHAPE]" (frozen GraphDefs)
  std::vector<std::string> outputs;  // node names (frozen GraphDefs)
};

/// The kind of `path`; NotFound / InvalidArgument for what is no model
/// (a missing path, a directory without saved_model.pb, a .tflite file).
absl::StatusOr<ModelKind> DetectModelKind(const std::string& path);

/// A usage error (exit 1) when TF flags are given that do not apply to `kind`,
/// so that they do not pass silently; empty when all is well.
std::string TfFlagsUsageError(const std::string& path, ModelKind kind, const TfFlags& tf);

/// Imports `path` of `kind`; import-time folding obeys `fold_max_bytes`.
absl::StatusOr<Graph> ImportModel(const std::string& path, ModelKind kind, const TfFlags& tf,
                                  int64_t fold_max_bytes);

/// "DIR.tflite" next to a SavedModel directory, else MODEL's stem + ".tflite".
std::string DefaultTfliteOutput(const std::string& input);

}  // namespace optconv::cli
