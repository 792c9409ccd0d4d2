#pragma once
// TensorFlow (SavedModel directory, frozen GraphDef) to the optconv IR.
// TensorFlow is NHWC already: no layout transposes are added. The loaders
// (tf_loader.h) produce a TfGraph; ImportTfGraph converts its nodes.
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "converter/graph.h"
#include "runtime/evaluate.h"
#include "importers/savedmodel/tf_graph.h"
#include "importers/savedmodel/tf_loader.h"

namespace optconv {

struct TfImportOptions {
  /// Fold ops whose inputs are all constants while importing.
  bool fold_constants = true;
  /// ...except results that would bloat the file (see FoldingWouldBloat).
  int64_t fold_max_bytes = kDefaultFoldMaxBytes;
  /// Shapes that replace the signature's for inputs named by key (for inputs
  /// of unknown rank, or to fix a dim); -1 marks an unknown dim.
  std::map<std::string, std::vector<int64_t>> input_shapes;
};

/// Converts `tf` (whose source names every error). Graph inputs and outputs
/// are the signature's, named by their keys, in one Signature named after
/// tf.signature_name ("serving_default" when empty). Errors: Unimplemented
/// listing *all* unsupported ops at once; InvalidArgument for inconsistent graphs.
absl::StatusOr<Graph> ImportTfGraph(const tf_import::TfGraph& tf,
                                    const TfImportOptions& options = {});

/// LoadSavedModel + ImportTfGraph.
absl::StatusOr<Graph> ImportSavedModel(const std::string& dir,
                                       const tf_import::SavedModelOptions& load_options = {},
                                       const TfImportOptions& options = {});

/// LoadFrozenGraphDef + ImportTfGraph.
absl::StatusOr<Graph> ImportGraphDef(const std::string& path,
                                     const tf_import::GraphDefOptions& load_options = {},
                                     const TfImportOptions& options = {});

}  // namespace optconv
