#include "cli/passes_command.h"

#include <cstdio>
#include <string>

#include "cli/json_writer.h"
#include "cli/text_table.h"
#include "converter/status_util.h"
#include "passes/pipeline.h"

namespace optconv::cli {

int RunPasses(bool json) {
  const Pipeline pipeline = DefaultPipeline();
  std::string out;
  if (json) {
    JsonWriter w;
    w.BeginArray();
    for (const auto& pass : pipeline.passes()) {
      w.BeginObject();
      w.Key("name").String(pass->name());
      w.Key("summary").String(pass->summary());
      w.EndObject();
    }
    w.EndArray();
    out = w.str() + "\n";
  } else {
    TextTable table;
    for (const auto& pass : pipeline.passes()) {
      table.AddRow({std::string(pass->name()), std::string(pass->summary())});
    }
    out = "default pipeline, in order:\n" + table.Render();
  }
  std::fputs(out.c_str(), stdout);
  return static_cast<int>(ExitCode::kOk);
}

}  // namespace optconv::cli
