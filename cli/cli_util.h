#pragma once
// Small helpers shared by the CLI commands: output paths, human-readable
// numbers, op histograms. Header-only so the unit tests can use them without
// linking the CLI executable.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "converter/graph.h"
#include "converter/op_kind.h"
#include "converter/shape.h"

namespace optconv::cli {

/// The process's peak resident memory so far (VmHWM), or -1 where
/// /proc/self/status does not say.
inline int64_t PeakResidentBytes() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  long long kib = -1;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (std::sscanf(line, "VmHWM: %lld kB", &kib) == 1) break;
  }
  std::fclose(f);
  return kib < 0 ? -1 : static_cast<int64_t>(kib) * 1024;
}

/// "dir/model.onnx" -> "dir/model.tflite" (next to the input).
inline std::string DefaultOutputPath(const std::string& input) {
  std::filesystem::path path(input);
  path.replace_extension(".tflite");
  return path.string();
}

/// True when `a` and `b` name the same file: the same inode when both exist,
/// else the same normalised absolute path.
inline bool SameFile(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (std::filesystem::exists(a, ec) && std::filesystem::exists(b, ec)) {
    const bool same = std::filesystem::equivalent(a, b, ec);
    if (!ec) return same;
  }
  const auto ca = std::filesystem::weakly_canonical(a, ec);
  if (ec) return a == b;
  const auto cb = std::filesystem::weakly_canonical(b, ec);
  if (ec) return a == b;
  return ca == cb;
}

/// 152 -> "152", 3'500'000 -> "3.5 M", 1'200 -> "1.2 k".
inline std::string HumanCount(int64_t n) {
  static constexpr const char* kUnits[] = {"", " k", " M", " G", " T"};
  double value = static_cast<double>(n);
  int unit = 0;
  while ((value >= 1000 || value <= -1000) && unit < 4) {
    value /= 1000;
    ++unit;
  }
  char buf[32];
  if (unit == 0) {
    std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(n));
  } else {
    std::snprintf(buf, sizeof(buf), value < 10 ? "%.1f%s" : "%.0f%s", value, kUnits[unit]);
  }
  return buf;
}

/// 13'400'000 -> "13.4 MB" (decimal units, like HumanCount).
inline std::string HumanBytes(uint64_t n) {
  if (n < 1000) return std::to_string(n) + " B";
  std::string count = HumanCount(static_cast<int64_t>(n));
  return count + "B";
}

/// 0.1234 -> "0.12 s", 0.00042 -> "0.4 ms", 0.000022 -> "22 us".
inline std::string HumanSeconds(double seconds) {
  char buf[32];
  if (seconds < 0.0001) {
    std::snprintf(buf, sizeof(buf), "%.0f us", seconds * 1e6);
  } else if (seconds < 0.01) {
    std::snprintf(buf, sizeof(buf), "%.1f ms", seconds * 1000);
  } else {
    std::snprintf(buf, sizeof(buf), "%.2f s", seconds);
  }
  return buf;
}

/// "1 op", "3 ops".
inline std::string Plural(int64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

/// Op count per kind name, ordered by name.
inline std::map<std::string, int64_t> OpHistogram(const Graph& graph) {
  std::map<std::string, int64_t> histogram;
  for (const Op& op : graph.ops()) ++histogram[std::string(OpKindName(op.kind))];
  return histogram;
}

/// Number of ops of `kind`.
inline int64_t CountOps(const Graph& graph, OpKind kind) {
  int64_t n = 0;
  for (const Op& op : graph.ops()) n += op.kind == kind ? 1 : 0;
  return n;
}

/// Elements in constant tensors (tensors with unknown dimensions are skipped).
inline int64_t ParameterCount(const Graph& graph) {
  int64_t n = 0;
  for (const Tensor& tensor : graph.tensors()) {
    if (!tensor.is_constant()) continue;
    if (auto elements = NumElements(tensor.shape)) n += *elements;
  }
  return n;
}

/// Histogram entries sorted by count (descending), then name: the order
/// humans want to read.
inline std::vector<std::pair<std::string, int64_t>> ByCountDescending(
    const std::map<std::string, int64_t>& histogram) {
  std::vector<std::pair<std::string, int64_t>> rows(histogram.begin(), histogram.end());
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return rows;
}

}  // namespace optconv::cli
