#include "cli/convert_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "converter/json_writer.h"
#include "cli/text_table.h"

namespace optconv::cli {
namespace {

// Microsecond resolution is plenty and keeps the numbers short.
double RoundSeconds(double seconds) { return std::round(seconds * 1e6) / 1e6; }

void WriteHistogram(JsonWriter& w, const std::map<std::string, int64_t>& histogram) {
  w.BeginObject();
  for (const auto& [name, count] : histogram) w.Key(name).Int(count);
  w.EndObject();
}

// Writes "key": n, or "key": null when the phase producing n was not reached.
void WriteCount(JsonWriter& w, const char* key, int64_t n) {
  w.Key(key);
  if (n >= 0) {
    w.Int(n);
  } else {
    w.Null();
  }
}

void WriteSeconds(JsonWriter& w, const char* key, double seconds) {
  w.Key(key);
  if (seconds >= 0) {
    w.Double(RoundSeconds(seconds));
  } else {
    w.Null();
  }
}

}  // namespace

std::string ConvertReportJson(const ConvertReport& r) {
  JsonWriter w;
  w.BeginObject();
  w.Key("status").String(r.error.empty() ? "ok" : "error");
  w.Key("exit_code").Int(static_cast<int>(r.exit_code));
  if (!r.error.empty()) w.Key("error").String(r.error);
  w.Key("input").String(r.input);
  w.Key("output").String(r.output);
  w.Key("bytes").BeginObject();
  WriteCount(w, "input", r.input_bytes);
  WriteCount(w, "output", r.output_bytes);
  w.EndObject();
  WriteCount(w, "params", r.params);
  w.Key("ops").BeginObject();
  WriteCount(w, "imported", r.ops_imported);
  WriteCount(w, "final", r.ops_final);
  w.EndObject();
  w.Key("transposes").BeginObject();
  WriteCount(w, "imported", r.transposes_imported);
  WriteCount(w, "final", r.transposes_final);
  w.EndObject();
  w.Key("layout").BeginObject();
  WriteCount(w, "implied", r.transposes_imported);
  WriteCount(w, "inserted_by_importer", r.transposes_inserted);
  WriteCount(w, "from_source", r.transposes_from_source);
  WriteCount(w, "removed", r.transposes_imported >= 0 && r.transposes_final >= 0
                               ? r.transposes_imported - r.transposes_final
                               : -1);
  WriteCount(w, "max_transposes", r.max_transposes);
  w.Key("remaining").BeginArray();
  for (const auto& t : r.transposes_remaining) {
    w.BeginObject();
    w.Key("tensor").String(t.tensor);
    w.Key("node").String(t.node);
    w.Key("source_op").String(t.source_op);
    w.Key("perm").BeginArray();
    for (int32_t p : t.perm) w.Int(p);
    w.EndArray();
    w.Key("reason").String(t.reason);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.Key("io").BeginArray();
  for (const auto& io : r.io_layouts) {
    w.BeginObject().Key("name").String(io.name).Key("perm").BeginArray();
    for (int32_t p : io.perm) w.Int(p);
    w.EndArray().EndObject();
  }
  w.EndArray();
  w.Key("op_histogram").BeginObject();
  w.Key("imported");
  WriteHistogram(w, r.histogram_imported);
  w.Key("final");
  WriteHistogram(w, r.histogram_final);
  w.EndObject();
  w.Key("pass_counters");
  WriteHistogram(w, r.pass_counters);
  w.Key("warnings").BeginArray();
  for (const std::string& warning : r.warnings) w.String(warning);
  w.EndArray();
  w.Key("passes").BeginArray();
  for (const PassRun& run : r.passes) {
    w.BeginObject();
    w.Key("name").String(run.name);
    w.Key("changed").Bool(run.changed);
    w.Key("seconds").Double(RoundSeconds(run.seconds));
    w.EndObject();
  }
  w.EndArray();
  w.Key("seconds").BeginObject();
  WriteSeconds(w, "import", r.import_seconds);
  WriteSeconds(w, "passes", r.passes_seconds);
  WriteSeconds(w, "export", r.export_seconds);
  WriteSeconds(w, "total", r.total_seconds);
  w.EndObject();
  w.Key("peak_rss_bytes").BeginObject();
  WriteCount(w, "import", r.peak_rss_import);
  WriteCount(w, "passes", r.peak_rss_passes);
  WriteCount(w, "total", r.peak_rss_total);
  w.EndObject();
  w.EndObject();
  return w.str() + "\n";
}

std::string PassTimingTable(const ConvertReport& report) {
  // Passes of a fixed-point group run several times: one row per pass name.
  struct Row {
    std::string name;
    double seconds = 0;
    int runs = 0;
    int changed = 0;
  };
  std::vector<Row> rows;
  double total = 0;
  size_t width = 5;
  for (const PassRun& run : report.passes) {
    auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.name == run.name; });
    if (it == rows.end()) it = rows.insert(rows.end(), Row{run.name});
    it->seconds += run.seconds;
    ++it->runs;
    it->changed += run.changed ? 1 : 0;
    total += run.seconds;
    width = std::max(width, run.name.size());
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.seconds > b.seconds; });
  std::string out = "pass timing (wall clock, includes --verify-each):\n";
  char line[256];
  for (const Row& row : rows) {
    const double share = total > 0 ? 100 * row.seconds / total : 0;
    std::snprintf(line, sizeof(line), "  %10.6f s %5.1f%%  %-*s  %d run%s, %d changed\n", row.seconds,
                  share, static_cast<int>(width), row.name.c_str(), row.runs, row.runs == 1 ? "" : "s",
                  row.changed);
    out += line;
  }
  std::snprintf(line, sizeof(line), "  %10.6f s 100.0%%  total\n", total);
  out += line;
  return out;
}

std::string PassStatsTable(const ConvertReport& report) {
  // Counters are "pass.counter"; the pipeline's own are under "pipeline".
  TextTable table;
  table.AlignRight(2);
  for (const auto& [key, value] : report.pass_counters) {
    const size_t dot = key.find('.');
    table.AddRow({key.substr(0, dot), dot == std::string::npos ? "" : key.substr(dot + 1),
                  std::to_string(value)});
  }
  if (table.empty()) return "pass statistics: no pass changed anything\n";
  return "pass statistics (summed over every run):\n" + table.Render();
}

std::string LayoutSummary(const ConvertReport& r) {
  if (r.transposes_imported < 0 || r.transposes_final < 0) return "";
  std::string out = absl::StrCat(
      "layout: ", r.transposes_imported, " transpose", r.transposes_imported == 1 ? "" : "s",
      " implied (", r.transposes_inserted, " inserted by the importer, ", r.transposes_from_source,
      " in the source), ", r.transposes_imported - r.transposes_final, " removed, ",
      r.transposes_final, " left\n");
  for (const auto& t : r.transposes_remaining) {
    absl::StrAppend(&out, "  TRANSPOSE -> '", t.tensor, "' (node '", t.node, "' (", t.source_op,
                    "), perm [", absl::StrJoin(t.perm, ","), "]): ", t.reason, "\n");
  }
  return out;
}

}  // namespace optconv::cli
