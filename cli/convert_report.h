#pragma once
// What a conversion did, collected as it runs; printed as --json or as the
// --time-passes table. Fields stay unset (-1 / empty) for phases not reached.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "converter/status_util.h"

namespace optconv::cli {

/// One pass that ran.
struct PassRun {
  std::string name;
  bool changed = false;
  double seconds = 0;
};

struct ConvertReport {
  std::string input;
  std::string output;
  int64_t input_bytes = -1;
  int64_t output_bytes = -1;
  int64_t params = -1;
  int64_t ops_imported = -1;
  int64_t ops_final = -1;
  int64_t transposes_imported = -1;
  int64_t transposes_final = -1;
  /// The layout report: imported transposes by origin, and each one left.
  int64_t transposes_inserted = -1;     // by the importer, around channels-first ops
  int64_t transposes_from_source = -1;  // the source's own Transpose nodes
  struct RemainingTranspose {
    std::string tensor, node, source_op, reason;
    std::vector<int32_t> perm;
  };
  std::vector<RemainingTranspose> transposes_remaining;
  int64_t max_transposes = -1;  // the --max-transposes limit, -1 when unset
  std::vector<std::string> warnings;  // from the passes (iteration caps hit)
  std::map<std::string, int64_t> histogram_imported;
  std::map<std::string, int64_t> histogram_final;
  std::map<std::string, int64_t> pass_counters;
  /// Graph inputs/outputs whose layout differs from the source model's.
  struct IoLayout {
    std::string name;
    std::vector<int32_t> perm;  // stored = source.transpose(perm)
  };
  std::vector<IoLayout> io_layouts;
  std::vector<PassRun> passes;
  double import_seconds = -1;
  double passes_seconds = -1;
  double export_seconds = -1;
  double total_seconds = 0;
  /// Peak resident memory of the process at the end of each phase (-1: not reached).
  int64_t peak_rss_import = -1;
  int64_t peak_rss_passes = -1;
  int64_t peak_rss_total = -1;
  ExitCode exit_code = ExitCode::kOk;
  std::string error;  // empty on success
};

/// The report as one JSON object (with a trailing newline).
std::string ConvertReportJson(const ConvertReport& report);

/// The --time-passes table: one line per pass that ran, slowest first.
std::string PassTimingTable(const ConvertReport& report);

/// The --pass-stats table: every counter, grouped by pass, e.g.
/// "fuse-bias  fused  53".
std::string PassStatsTable(const ConvertReport& report);

/// The layout summary printed after a conversion: transposes implied,
/// removed and left, with the reason for each one left.
std::string LayoutSummary(const ConvertReport& report);

}  // namespace optconv::cli
