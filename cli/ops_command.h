#pragma once
// `optconv ops`: the source ops optconv converts, per input format, so a
// user (or a CI gate) can check a model's ops before converting it.
#include <string>

namespace optconv::cli {

struct OpsFlags {
  std::string format;  // "onnx", "tensorflow", or empty for both
  bool json = false;
};

/// Prints the supported op types on stdout. Returns the process exit code.
int RunOps(const OpsFlags& flags);

}  // namespace optconv::cli
