#pragma once
// Reads a .tflite file back into a summary: what `optconv inspect` prints and
// what tests use to check exported models.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace optconv {

/// One graph input or output of subgraph 0.
struct TfliteTensorSummary {
  std::string name;
  std::string type;                      // TFLite name: "FLOAT32", "INT8", ...
  std::vector<int32_t> shape_signature;  // -1 for unknown dims
};

/// One OperatorCode entry.
struct TfliteOpCodeSummary {
  std::string name;  // "CONV_2D", or the custom code for custom ops
  int32_t builtin_code = 0;
  int32_t version = 1;
};

struct TfliteModelSummary {
  uint32_t schema_version = 0;
  std::string description;
  std::string min_runtime_version;  // "" when the metadata is absent
  std::string io_layout;            // optconv_io_layout metadata (JSON), "" when absent
  size_t file_bytes = 0;
  int num_subgraphs = 0;
  int num_ops = 0;      // over all subgraphs
  int num_tensors = 0;  // over all subgraphs
  /// Elements of constant tensors (each distinct buffer counted once).
  int64_t num_parameters = 0;
  /// Bytes of constant data (each distinct buffer counted once).
  int64_t constant_bytes = 0;
  /// Operator name -> number of ops, over all subgraphs; sorted by name.
  std::map<std::string, int> op_histogram;
  std::vector<TfliteOpCodeSummary> op_codes;
  std::vector<TfliteTensorSummary> inputs;
  std::vector<TfliteTensorSummary> outputs;
  std::vector<std::string> signature_keys;
};

/// Summarizes the TFLite model in `path`. The file is verified with the
/// flatbuffers verifier first; a missing file gives NotFound, a truncated or
/// corrupt one DataLoss, both naming the file.
absl::StatusOr<TfliteModelSummary> ReadTfliteSummary(const std::string& path);

/// As above, for a model already in memory; `label` names it in errors.
absl::StatusOr<TfliteModelSummary> SummarizeTflite(absl::Span<const uint8_t> bytes,
                                                   const std::string& label);

/// Official name of a BuiltinOperator value ("CONV_2D"); "" when unknown.
std::string_view TfliteBuiltinName(int32_t code);

}  // namespace optconv
