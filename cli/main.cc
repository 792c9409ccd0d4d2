// optconv: the command-line entry point. Wires CLI11 subcommands to the
// convert/inspect/passes commands and maps every failure to a documented
// exit code (converter/status_util.h).
#include <malloc.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli/convert_command.h"
#include "cli/error_output.h"
#include "cli/inspect_command.h"
#include "cli/log_setup.h"
#include "cli/ops_command.h"
#include "cli/passes_command.h"
#include "converter/status_util.h"

#ifndef OPTCONV_VERSION
#define OPTCONV_VERSION "0.1.0"
#endif

namespace optconv::cli {
namespace {

constexpr char kFooter[] =
    "Exit codes: 0 ok, 1 usage error or unwritable output, 2 unreadable or invalid input,\n"
    "3 unsupported ops or features, 4 internal error, 5 a --max-transposes limit was exceeded.";

void AddConvertOptions(CLI::App& cmd, ConvertFlags& flags) {
  cmd.add_option("MODEL", flags.input,
                 "The model to convert: .onnx, SavedModel directory or frozen GraphDef .pb")
      ->required();
  cmd.add_option("-o,--output", flags.output,
                 "Output .tflite path (default: MODEL's name with .tflite, next to it)")
      ->type_name("OUT");
  cmd.add_flag("--json", flags.json, "Print a JSON report on stdout");
  cmd.add_option("--quantize", flags.quantize,
                 "Post-training quantization: none (float32; the only mode so far), float16, "
                 "dynamic or int8 (refused, exit 3, until quantization lands)")
      ->type_name("MODE")
      ->check(CLI::IsMember({"none", "float16", "dynamic", "int8"}));
  cmd.add_option("--calibration-data", flags.calibration_data,
                 "Representative samples for --quantize int8 (.npz)")
      ->type_name("FILE");
  cmd.add_flag("--keep-io-layout", flags.keep_io_layout,
               "Keep the model's channels-first (NCHW) graph inputs and outputs");
  cmd.add_flag("--verify-each", flags.verify_each, "Verify the IR after import and after every pass");
  cmd.add_option("--print-ir-after", flags.print_ir_after,
                 "Print the IR to stderr after PASS ('import', a pass name or 'all'); repeatable")
      ->type_name("PASS")
      ->allow_extra_args(false)  // one value per occurrence: never swallow MODEL
      ->delimiter(',');
  cmd.add_flag("--print-ir-after-change", flags.print_ir_after_change,
               "Print the IR only after passes that changed it (alone: after every such pass)");
  cmd.add_flag("--time-passes", flags.time_passes, "Print the wall time of each pass to stderr");
  cmd.add_flag("--pass-stats", flags.pass_stats,
               "Print what each pass did (its counters, e.g. fuse-bias fused 53) to stderr");
  cmd.add_option("--fold-max-bytes", flags.fold_max_bytes,
                 "Do not constant-fold an op whose result exceeds BYTES and twice its inputs' elements")
      ->type_name("BYTES")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--max-transposes", flags.max_transposes,
                 "Fail (exit 5, nothing written) when more than N TRANSPOSE ops remain")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--disable-pass", flags.disabled_passes, "Skip the pass NAME; repeatable")
      ->type_name("NAME")
      ->allow_extra_args(false)
      ->delimiter(',');
  // TensorFlow inputs.
  cmd.add_option("--tags", flags.tf.tags, "SavedModel: the MetaGraph's tag set (default: serve)")
      ->type_name("TAG[,TAG]")
      ->allow_extra_args(false)
      ->delimiter(',');
  cmd.add_option("--signature", flags.tf.signature,
                 "SavedModel: the signature to convert (default: serving_default)")
      ->type_name("NAME");
  cmd.add_option("--inputs", flags.tf.inputs,
                 "Frozen GraphDef: an input node, optionally with its shape; SavedModel: an "
                 "input's shape; repeatable")
      ->type_name("NAME[:SHAPE]")
      ->allow_extra_args(false);
  cmd.add_option("--outputs", flags.tf.outputs, "Frozen GraphDef: an output node; repeatable")
      ->type_name("NAME")
      ->allow_extra_args(false);
}

// `optconv MODEL ...` is short for `optconv convert MODEL ...`: anything that
// is not a subcommand or a top-level flag starts a conversion.
std::vector<std::string> ExpandShortForm(std::vector<std::string> args) {
  size_t first = 0;  // skip the top-level verbosity flags
  while (first < args.size() && (args[first] == "-v" || args[first] == "--verbose" ||
                                 args[first] == "-q" || args[first] == "--quiet")) {
    ++first;
  }
  if (first == args.size()) return args;
  static const char* const kTopLevel[] = {"convert", "inspect", "passes", "ops",
                                          "-h",      "--help",  "--version"};
  for (const char* word : kTopLevel) {
    if (args[first] == word) return args;
  }
  args.insert(args.begin() + static_cast<std::ptrdiff_t>(first), "convert");
  return args;
}

int Main(int argc, char** argv) {
  CLI::App app{"optconv converts ONNX and TensorFlow models to TFLite flatbuffers.\n"
               "Short form: optconv MODEL [convert flags] is optconv convert MODEL [flags].",
               "optconv"};
  app.set_version_flag("--version", "optconv " OPTCONV_VERSION);
  app.footer(kFooter);
  app.fallthrough();  // -v/-q also work after the subcommand
  bool verbose = false;
  bool quiet = false;
  app.add_flag("-v,--verbose", verbose, "Log details (each pass) to stderr");
  app.add_flag("-q,--quiet", quiet, "Log only errors");

  ConvertFlags convert_flags;
  CLI::App* convert = app.add_subcommand(
      "convert",
      "Convert an ONNX or TensorFlow model to TFLite (short form: optconv MODEL [flags])");
  AddConvertOptions(*convert, convert_flags);

  InspectFlags inspect_flags;
  CLI::App* inspect = app.add_subcommand("inspect", "Summarize an .onnx or .tflite file");
  inspect->add_option("FILE", inspect_flags.path, "The .onnx or .tflite file")->required();
  inspect->add_flag("--json", inspect_flags.json, "Print one JSON object instead of tables");

  bool passes_json = false;
  CLI::App* passes = app.add_subcommand("passes", "List the passes of the default pipeline");
  passes->add_flag("--json", passes_json, "Print a JSON array");

  OpsFlags ops_flags;
  CLI::App* ops = app.add_subcommand("ops", "List the source op types optconv converts");
  ops->add_option("--format", ops_flags.format, "Only this input format")
      ->check(CLI::IsMember({"onnx", "tensorflow"}));
  ops->add_flag("--json", ops_flags.json, "Print one JSON object {format: [op, ...]}");

  std::vector<std::string> args = ExpandShortForm(std::vector<std::string>(argv + 1, argv + argc));
  if (args.empty()) {
    std::fputs(app.help().c_str(), stderr);
    return static_cast<int>(ExitCode::kUsage);
  }
  std::vector<char*> expanded = {argv[0]};
  for (std::string& arg : args) expanded.push_back(arg.data());
  try {
    app.parse(static_cast<int>(expanded.size()), expanded.data());
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    PrintError(std::string(e.what()) + "\nRun 'optconv --help' for usage.");
    return static_cast<int>(ExitCode::kUsage);
  }
  if (verbose && quiet) {
    PrintError("-v/--verbose and -q/--quiet cannot be combined");
    return static_cast<int>(ExitCode::kUsage);
  }
  SetUpLogging(verbose ? LogLevel::kVerbose : quiet ? LogLevel::kQuiet : LogLevel::kNormal);

  if (convert->parsed()) return RunConvert(convert_flags);
  if (inspect->parsed()) return RunInspect(inspect_flags);
  if (passes->parsed()) return RunPasses(passes_json);
  if (ops->parsed()) return RunOps(ops_flags);
  PrintError("a command or a model is required\nRun 'optconv --help' for usage.");
  return static_cast<int>(ExitCode::kUsage);
}

}  // namespace
}  // namespace optconv::cli

int main(int argc, char** argv) {
  // Weights are allocated and freed in large blocks while they are re-laid
  // out and serialized. A fixed mmap threshold returns every freed block to
  // the system at once; glibc's adaptive one would keep them in the heap.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  try {
    return optconv::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    optconv::cli::PrintError(std::string("internal error: ") + e.what());
  } catch (...) {
    optconv::cli::PrintError("internal error: unknown exception");
  }
  return static_cast<int>(optconv::ExitCode::kInternal);
}
