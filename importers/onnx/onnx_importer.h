#pragma once
// ONNX (opsets 7-21) to the optconv IR. The graph is returned in canonical
// (NHWC, TFLite-semantics) form; layout-sensitive ONNX ops are wrapped with
// explicit Transposes that the layout pass later removes.
#include <string>

#include "absl/status/statusor.h"
#include "converter/graph.h"
#include "runtime/evaluate.h"

namespace optconv {

struct OnnxImportOptions {
  /// Fold ops whose inputs are all constants while importing.
  bool fold_constants = true;
  /// ...except results that would bloat the file (see FoldingWouldBloat).
  int64_t fold_max_bytes = kDefaultFoldMaxBytes;
};

/// Reads `path` (and its external data files, memory-mapped). Errors:
///  InvalidArgument/NotFound/DataLoss for unreadable or inconsistent models,
///  Unimplemented listing *all* unsupported ops with node names at once.
absl::StatusOr<Graph> ImportOnnx(const std::string& path, const OnnxImportOptions& options = {});

}  // namespace optconv
