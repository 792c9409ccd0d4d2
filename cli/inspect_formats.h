#pragma once
// The per-format halves of `optconv inspect` (inspect_onnx.cc,
// inspect_tflite.cc). Each returns the text to print on success.
#include <string>

#include "absl/status/statusor.h"

namespace optconv::cli {

/// The summary of an .onnx file: a table, or a JSON object when `json`.
absl::StatusOr<std::string> InspectOnnx(const std::string& path, bool json);

/// The summary of a .tflite file: a table, or a JSON object when `json`.
absl::StatusOr<std::string> InspectTflite(const std::string& path, bool json);

}  // namespace optconv::cli
