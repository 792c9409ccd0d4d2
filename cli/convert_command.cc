#include "cli/convert_command.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/cli_util.h"
#include "cli/convert_report.h"
#include "cli/error_output.h"
#include "converter/file_util.h"
#include "converter/ir_printer.h"
#include "converter/verifier.h"
#include "exporters/tflite/tflite_exporter.h"
#include "passes/layout_report.h"
#include "passes/pipeline.h"
#include "spdlog/spdlog.h"

namespace optconv::cli {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Fails fast, before a long conversion, when the output cannot be written.
std::string CheckOutputWritable(const std::string& output) {
  std::error_code ec;
  if (std::filesystem::is_directory(output, ec)) {
    return absl::StrCat(output, ": is a directory (expected an output file path)");
  }
  std::filesystem::path dir = std::filesystem::path(output).parent_path();
  if (dir.empty()) dir = ".";
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::StrCat(output, ": output directory ", dir.string(), " does not exist");
  }
  if (access(dir.c_str(), W_OK) != 0) {
    return absl::StrCat(output, ": cannot write to directory ", dir.string(), ": ",
                        std::strerror(errno));
  }
  return "";
}

// Usage errors (exit 1) in the pass flags: unknown pass names. Returns an
// empty string when all is well.
std::string CheckPassFlags(const ConvertFlags& flags, const Pipeline& pipeline) {
  std::vector<std::string> known;
  for (const auto& pass : pipeline.passes()) known.emplace_back(pass->name());
  auto is_known = [&](const std::string& name) {
    return std::find(known.begin(), known.end(), name) != known.end();
  };
  const std::string known_list = absl::StrJoin(known, ", ");
  for (const std::string& name : flags.disabled_passes) {
    if (!is_known(name)) {
      return absl::StrCat("--disable-pass: unknown pass '", name, "' (expected one of: ",
                          known_list, ")");
    }
  }
  for (const std::string& name : flags.print_ir_after) {
    if (name != "all" && name != "import" && !is_known(name)) {
      return absl::StrCat("--print-ir-after: unknown pass '", name,
                          "' (expected 'all', 'import' or one of: ", known_list, ")");
    }
  }
  return "";
}

// Usage errors (exit 1) about the output path. Empty when all is well.
std::string CheckOutput(const std::string& input, const std::string& output) {
  if (SameFile(input, output)) {
    return absl::StrCat(output, ": refusing to overwrite the input model (choose another path with -o)");
  }
  return CheckOutputWritable(output);
}

// Decides which IR dumps --print-ir-after/--print-ir-after-change ask for.
class IrDumper {
 public:
  explicit IrDumper(const ConvertFlags& flags) : flags_(flags) {
    for (const std::string& name : flags.print_ir_after) all_ = all_ || name == "all";
    // --print-ir-after-change alone means: after every pass that changed the IR.
    if (flags.print_ir_after.empty() && flags.print_ir_after_change) all_ = true;
  }
  /// `run` counts the runs of a pass (passes of a fixed-point group repeat).
  void MaybeDump(std::string_view stage, int run, bool changed, const Graph& graph) const {
    if (!Wants(stage) || (flags_.print_ir_after_change && !changed)) return;
    std::string text = absl::StrCat("// ----- IR after ", std::string(stage),
                                    run > 1 ? absl::StrCat(" (run ", run, ")") : "",
                                    changed ? "" : " (unchanged)", " -----\n", PrintGraph(graph));
    if (text.back() != '\n') text.push_back('\n');
    std::fputs(text.c_str(), stderr);
    std::fflush(stderr);
  }

 private:
  bool Wants(std::string_view stage) const {
    if (all_) return true;
    for (const std::string& name : flags_.print_ir_after) {
      if (name == stage) return true;
    }
    return false;
  }
  const ConvertFlags& flags_;
  bool all_ = false;
};

// The verifier failing on our own output is a bug in optconv, whatever code
// the verifier chose.
absl::Status AsInternal(const absl::Status& status, std::string_view after) {
  if (status.ok()) return status;
  return absl::InternalError(absl::StrCat("IR verification failed after ", std::string(after), ": ",
                                          status.message()));
}

// The conversion proper; fills `report` as phases complete. Sets
// report.exit_code itself when the status code would map to the wrong exit
// code (output path problems are usage errors).
absl::Status Convert(const ConvertFlags& flags, const Pipeline& pipeline, ConvertReport& report) {
  if (flags.quantize != "none") {
    // Named, so that scripts written for the quantization modes fail clearly.
    return absl::UnimplementedError(absl::StrCat(
        flags.input, ": --quantize ", flags.quantize,
        " is not implemented yet (this version writes float32 models only; expected "
        "--quantize none)"));
  }
  if (!flags.calibration_data.empty()) {
    report.exit_code = ExitCode::kUsage;
    return absl::InvalidArgumentError("--calibration-data needs --quantize int8");
  }
  absl::StatusOr<ModelKind> kind = DetectModelKind(flags.input);
  if (!kind.ok()) return kind.status();
  if (std::string usage = TfFlagsUsageError(flags.input, *kind, flags.tf); !usage.empty()) {
    report.exit_code = ExitCode::kUsage;
    return absl::InvalidArgumentError(usage);
  }
  if (std::string usage = CheckOutput(flags.input, report.output); !usage.empty()) {
    report.exit_code = ExitCode::kUsage;
    return absl::InvalidArgumentError(usage);
  }
  std::error_code ec;
  report.input_bytes = static_cast<int64_t>(std::filesystem::file_size(flags.input, ec));
  if (ec) report.input_bytes = -1;
  const IrDumper dumper(flags);

  Clock::time_point start = Clock::now();
  absl::StatusOr<Graph> imported = ImportModel(flags.input, *kind, flags.tf, flags.fold_max_bytes);
  if (!imported.ok()) return imported.status();
  Graph graph = *std::move(imported);
  report.import_seconds = SecondsSince(start);
  report.peak_rss_import = PeakResidentBytes();
  report.ops_imported = static_cast<int64_t>(graph.ops().size());
  report.transposes_imported = CountOps(graph, OpKind::kTranspose);
  const ImportedTransposes imported_transposes = CountImportedTransposes(graph);
  report.transposes_inserted = imported_transposes.inserted;
  report.transposes_from_source = imported_transposes.from_source;
  report.histogram_imported = OpHistogram(graph);
  report.params = ParameterCount(graph);
  spdlog::info("imported {}: {}, {} params in {}", flags.input, Plural(report.ops_imported, "op"),
               HumanCount(report.params), HumanSeconds(report.import_seconds));
  dumper.MaybeDump("import", 1, true, graph);
  if (flags.verify_each) {
    if (absl::Status status = AsInternal(VerifyGraph(graph), "import"); !status.ok()) return status;
  }

  PipelineOptions options;
  options.verify_each = flags.verify_each;
  options.disabled = flags.disabled_passes;
  Clock::time_point pass_start = Clock::now();
  std::map<std::string, int> runs;
  options.after_pass = [&](std::string_view name, bool changed, const Graph& g) {
    const double seconds = SecondsSince(pass_start);
    const int run = ++runs[std::string(name)];
    report.passes.push_back(PassRun{std::string(name), changed, seconds});
    spdlog::debug("pass {} (run {}): {} in {}, {}", std::string(name), run,
                  changed ? "changed" : "unchanged", HumanSeconds(seconds),
                  Plural(static_cast<int64_t>(g.ops().size()), "op"));
    dumper.MaybeDump(name, run, changed, g);
    pass_start = Clock::now();  // IR printing does not count towards the next pass
  };
  PassContext context;
  start = Clock::now();
  absl::Status status = pipeline.Run(graph, context, options);
  report.passes_seconds = SecondsSince(start);
  report.peak_rss_passes = PeakResidentBytes();
  for (const auto& [name, value] : context.counters) report.pass_counters[name] = value;
  report.warnings = context.warnings;
  for (const std::string& warning : context.warnings) spdlog::warn("{}", warning);
  if (!status.ok()) return status;
  if (status = AsInternal(VerifyGraph(graph), "the pass pipeline"); !status.ok()) return status;
  report.ops_final = static_cast<int64_t>(graph.ops().size());
  report.transposes_final = CountOps(graph, OpKind::kTranspose);
  report.histogram_final = OpHistogram(graph);
  for (const std::vector<TensorId>* ids : {&graph.inputs(), &graph.outputs()}) {
    for (TensorId id : *ids) {
      const Tensor& t = graph.tensor(id);
      if (!t.interface_perm.empty()) report.io_layouts.push_back({t.name, t.interface_perm});
    }
  }
  spdlog::info("optimized: {} -> {} ops, {} -> {} transposes in {}", report.ops_imported,
               report.ops_final, report.transposes_imported, report.transposes_final,
               HumanSeconds(report.passes_seconds));
  for (const RemainingTranspose& t : ExplainTransposes(graph, flags.keep_io_layout)) {
    report.transposes_remaining.push_back({t.tensor, t.node, t.source_op, t.reason, t.perm});
  }
  if (report.transposes_imported > 0) {
    std::string layout = LayoutSummary(report);
    while (!layout.empty() && layout.back() == '\n') layout.pop_back();
    spdlog::info("{}", layout);
  }
  report.max_transposes = flags.max_transposes;
  if (flags.max_transposes >= 0 && report.transposes_final > flags.max_transposes) {
    // A CI gate: the conversion worked, but the user asked for fewer
    // transposes, so nothing is written.
    report.exit_code = ExitCode::kLimitExceeded;
    return absl::FailedPreconditionError(absl::StrCat(
        flags.input, ": ", report.transposes_final, " TRANSPOSE op",
        report.transposes_final == 1 ? "" : "s", " left, above --max-transposes ",
        flags.max_transposes, "; nothing written (the layout report says why each is left)"));
  }

  start = Clock::now();
  absl::StatusOr<flatbuffers::DetachedBuffer> bytes = ExportTfliteConsuming(std::move(graph));
  if (!bytes.ok()) return bytes.status();
  if (status = WriteFileAtomically(report.output, {bytes->data(), bytes->size()}); !status.ok()) {
    // Not a bug and not a bad model: the output location is the problem.
    report.exit_code = ExitCode::kUsage;
    return status;
  }
  report.export_seconds = SecondsSince(start);
  report.output_bytes = static_cast<int64_t>(bytes->size());
  spdlog::info("wrote {}: {}, {} in {}", report.output, HumanBytes(bytes->size()),
               Plural(report.ops_final, "op"), HumanSeconds(report.export_seconds));
  spdlog::debug("peak resident memory: {} after import, {} after passes, {} in all",
                HumanBytes(report.peak_rss_import), HumanBytes(report.peak_rss_passes),
                HumanBytes(PeakResidentBytes()));
  return absl::OkStatus();
}

}  // namespace

int RunConvert(const ConvertFlags& flags) {
  const Clock::time_point start = Clock::now();
  ConvertReport report;
  report.input = flags.input;
  report.output = flags.output.empty() ? DefaultTfliteOutput(flags.input) : flags.output;
  DefaultPipelineOptions pipeline_options;
  pipeline_options.keep_io_layout = flags.keep_io_layout;
  pipeline_options.fold_max_bytes = flags.fold_max_bytes;
  const Pipeline pipeline = DefaultPipeline(pipeline_options);

  if (std::string usage = CheckPassFlags(flags, pipeline); !usage.empty()) {
    report.exit_code = ExitCode::kUsage;
    report.error = std::move(usage);
  } else {
    absl::Status status = Convert(flags, pipeline, report);
    if (!status.ok()) {
      // Convert pre-sets the code when it knows better than the status code.
      if (report.exit_code == ExitCode::kOk) report.exit_code = ExitCodeFor(status);
      report.error = status.message().empty() ? status.ToString() : std::string(status.message());
    }
  }
  report.total_seconds = SecondsSince(start);
  report.peak_rss_total = PeakResidentBytes();

  if (!report.error.empty()) PrintError(report.error);
  if (flags.time_passes) std::fputs(PassTimingTable(report).c_str(), stderr);
  if (flags.pass_stats) std::fputs(PassStatsTable(report).c_str(), stderr);
  if (flags.json) std::fputs(ConvertReportJson(report).c_str(), stdout);
  std::fflush(stdout);
  return static_cast<int>(report.exit_code);
}

}  // namespace optconv::cli
