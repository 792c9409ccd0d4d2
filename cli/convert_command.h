#pragma once
// `optconv convert MODEL [-o OUT.tflite]`: import, run the pass pipeline,
// export to memory, then write the file atomically.
#include <cstdint>
#include <string>
#include <vector>

#include "cli/model_import.h"
#include "runtime/evaluate.h"

namespace optconv::cli {

/// Flags of the convert command (also used by the short form `optconv MODEL`).
struct ConvertFlags {
  std::string input;
  std::string output;  // empty: MODEL's stem + ".tflite" next to the input
  bool json = false;
  bool keep_io_layout = false;  // keep ONNX's channels-first graph inputs/outputs
  std::string quantize = "none";  // --quantize: only "none" converts so far
  std::string calibration_data;   // --calibration-data (with --quantize int8)
  bool verify_each = false;
  std::vector<std::string> print_ir_after;  // pass names, "import" or "all"
  bool print_ir_after_change = false;
  bool time_passes = false;
  std::vector<std::string> disabled_passes;
  bool pass_stats = false;                    // print the pass counters to stderr
  int64_t fold_max_bytes = kDefaultFoldMaxBytes;  // constant-folding size cap (import and passes)
  int64_t max_transposes = -1;                // fail above this many TRANSPOSEs; -1: no limit
  TfFlags tf;  // --tags, --signature, --inputs, --outputs (TensorFlow inputs)
};

/// Runs the conversion and reports it (progress on stderr, --json on stdout).
/// Returns the process exit code (see converter/status_util.h ExitCode).
int RunConvert(const ConvertFlags& flags);

}  // namespace optconv::cli
