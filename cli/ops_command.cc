#include "cli/ops_command.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_join.h"
#include "converter/json_writer.h"
#include "converter/status_util.h"
#include "importers/onnx/onnx_context.h"
#include "importers/savedmodel/tf_context.h"

namespace optconv::cli {

int RunOps(const OpsFlags& flags) {
  std::vector<std::pair<std::string, std::vector<std::string>>> formats;
  if (flags.format.empty() || flags.format == "onnx") {
    formats.emplace_back("onnx", onnx_import::SupportedOnnxOps());
  }
  if (flags.format.empty() || flags.format == "tensorflow") {
    formats.emplace_back("tensorflow", tf_import::SupportedTfOps());
  }
  std::string out;
  if (flags.json) {
    JsonWriter w;
    w.BeginObject();
    for (const auto& [format, ops] : formats) {
      w.Key(format).BeginArray();
      for (const std::string& op : ops) w.String(op);
      w.EndArray();
    }
    w.EndObject();
    out = w.str() + "\n";
  } else {
    for (const auto& [format, ops] : formats) {
      out += format + " (" + std::to_string(ops.size()) + " op types):\n  " +
             absl::StrJoin(ops, " ") + "\n";
    }
  }
  std::fputs(out.c_str(), stdout);
  return static_cast<int>(ExitCode::kOk);
}

}  // namespace optconv::cli
