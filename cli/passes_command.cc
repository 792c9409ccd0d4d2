#include "cli/passes_command.h"

#include <cstdio>
#include <string>

#include "converter/json_writer.h"
#include "converter/status_util.h"
#include "passes/pipeline.h"

namespace optconv::cli {

int RunPasses(bool json) {
  const Pipeline pipeline = DefaultPipeline();
  std::string out;
  if (json) {
    // One object per pass in execution order; `group` numbers the pipeline
    // steps, passes of one fixed-point group share it and its max_rounds.
    JsonWriter w;
    w.BeginArray();
    for (size_t step = 0; step < pipeline.steps().size(); ++step) {
      const Pipeline::Step& s = pipeline.steps()[step];
      for (size_t i = s.begin; i < s.end; ++i) {
        const Pass& pass = *pipeline.passes()[i];
        w.BeginObject();
        w.Key("name").String(pass.name());
        w.Key("summary").String(pass.summary());
        w.Key("options").BeginObject();
        for (const PassOption& o : pass.options()) w.Key(o.name).String(o.value);
        w.EndObject();
        w.Key("group").Int(static_cast<int64_t>(step));
        w.Key("max_rounds").Int(s.max_rounds);
        w.EndObject();
      }
    }
    w.EndArray();
    out = w.str() + "\n";
  } else {
    out = "default pipeline, in order:\n" + pipeline.Describe();
  }
  std::fputs(out.c_str(), stdout);
  return static_cast<int>(ExitCode::kOk);
}

}  // namespace optconv::cli
