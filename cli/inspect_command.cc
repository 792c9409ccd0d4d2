#include "cli/inspect_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "absl/status/statusor.h"
#include "cli/error_output.h"
#include "cli/inspect_formats.h"
#include "converter/json_writer.h"
#include "converter/status_util.h"

namespace optconv::cli {
namespace {

// TFLite files carry the flatbuffer identifier "TFL3" at bytes 4..8; the
// extension decides only for files too short to sniff.
bool LooksLikeTflite(const std::string& path) {
  char header[8] = {};
  std::ifstream file(path, std::ios::binary);
  if (file.read(header, sizeof(header))) return std::string_view(header + 4, 4) == "TFL3";
  return std::filesystem::path(path).extension() == ".tflite";
}

std::string ErrorJson(const std::string& path, ExitCode code, const std::string& message) {
  JsonWriter w;
  w.BeginObject();
  w.Key("status").String("error");
  w.Key("exit_code").Int(static_cast<int>(code));
  w.Key("error").String(message);
  w.Key("path").String(path);
  w.EndObject();
  return w.str() + "\n";
}

}  // namespace

int RunInspect(const InspectFlags& flags) {
  absl::StatusOr<std::string> text = LooksLikeTflite(flags.path) ? InspectTflite(flags.path, flags.json)
                                                                 : InspectOnnx(flags.path, flags.json);
  if (text.ok()) {
    std::fputs(text->c_str(), stdout);
    std::fflush(stdout);
    return static_cast<int>(ExitCode::kOk);
  }
  const ExitCode code = ExitCodeFor(text.status());
  const std::string message =
      text.status().message().empty() ? text.status().ToString() : std::string(text.status().message());
  PrintError(message);
  if (flags.json) std::fputs(ErrorJson(flags.path, code, message).c_str(), stdout);
  std::fflush(stdout);
  return static_cast<int>(code);
}

}  // namespace optconv::cli
