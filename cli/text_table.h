#pragma once
// Aligned plain-text columns for human-readable CLI output.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace optconv::cli {

/// Collects rows and renders them with every column padded to its widest
/// cell, two spaces apart, each line prefixed by `indent`.
class TextTable {
 public:
  explicit TextTable(std::string indent = "  ") : indent_(std::move(indent)) {}

  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  /// Right-aligns column `column` (for counts).
  void AlignRight(size_t column) {
    if (right_.size() <= column) right_.resize(column + 1, false);
    right_[column] = true;
  }
  bool empty() const { return rows_.empty(); }

  std::string Render() const {
    std::vector<size_t> widths;
    for (const auto& row : rows_) {
      if (widths.size() < row.size()) widths.resize(row.size(), 0);
      for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    std::string out;
    for (const auto& row : rows_) {
      std::string line = indent_;
      for (size_t i = 0; i < row.size(); ++i) {
        const size_t pad = widths[i] - row[i].size();
        const bool right = i < right_.size() && right_[i];
        if (right) line.append(pad, ' ');
        line += row[i];
        if (i + 1 < row.size()) line.append(right ? 2 : pad + 2, ' ');
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    return out;
  }

 private:
  std::string indent_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> right_;
};

}  // namespace optconv::cli
