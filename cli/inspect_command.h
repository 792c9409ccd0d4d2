#pragma once
// `optconv inspect FILE`: a summary of an .onnx or .tflite file.
#include <string>

namespace optconv::cli {

struct InspectFlags {
  std::string path;
  bool json = false;
};

/// Prints the summary (a table, or one JSON object with --json) on stdout.
/// Returns the process exit code (see converter/status_util.h ExitCode).
int RunInspect(const InspectFlags& flags);

}  // namespace optconv::cli
