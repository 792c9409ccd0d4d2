#pragma once
// A summary of an .onnx file for `optconv inspect`, read straight from the
// ModelProto without importing the graph (so it works on models we cannot
// convert).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace optconv::cli {

/// A graph input or output.
struct OnnxValueSummary {
  std::string name;
  std::string type;   // "f32", "i64", ... or "sequence"/"map"/"optional"/"?"
  bool has_shape = false;         // false: even the rank is unknown
  std::vector<std::string> dims;  // "224", a symbolic name like "batch", or "?"
};

struct OnnxModelSummary {
  std::string path;
  int64_t file_bytes = 0;
  int64_t ir_version = 0;
  std::string producer_name;
  std::string producer_version;
  std::string graph_name;
  std::map<std::string, int64_t> opsets;        // domain ("ai.onnx" for "") -> version
  std::map<std::string, int64_t> op_histogram;  // op_type ("domain.op_type" outside ai.onnx)
  int64_t nodes = 0;           // every node, including those in subgraphs
  int64_t subgraph_nodes = 0;  // nodes inside If/Loop/Scan bodies
  int64_t functions = 0;       // model-local functions
  int64_t initializers = 0;    // dense and sparse
  int64_t params = 0;          // elements in initializers
  int64_t param_bytes = 0;     // bytes of initializer data, external data included
  int64_t external_bytes = 0;  // the part of param_bytes stored in external files
  std::vector<std::string> external_files;  // sorted, unique, relative to the model
  std::vector<OnnxValueSummary> inputs;     // initializers listed as inputs are left out
  std::vector<OnnxValueSummary> outputs;
};

/// Parses `path` as an ONNX ModelProto. Errors name the file: NotFound for a
/// missing file or external data file, InvalidArgument for empty or corrupt
/// files and files that are not ONNX models.
absl::StatusOr<OnnxModelSummary> ReadOnnxSummary(const std::string& path);

}  // namespace optconv::cli
