// `optconv inspect` for .onnx files.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/cli_util.h"
#include "cli/inspect_formats.h"
#include "converter/json_writer.h"
#include "cli/onnx_summary.h"
#include "cli/text_table.h"

namespace optconv::cli {
namespace {

bool IsNumber(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

std::string ShapeText(const OnnxValueSummary& value) {
  return value.has_shape ? absl::StrCat("[", absl::StrJoin(value.dims, ","), "]") : "?";
}

void WriteValues(JsonWriter& w, const std::vector<OnnxValueSummary>& values) {
  w.BeginArray();
  for (const OnnxValueSummary& value : values) {
    w.BeginObject();
    w.Key("name").String(value.name);
    w.Key("type").String(value.type);
    w.Key("shape");
    if (!value.has_shape) {
      w.Null();
    } else {
      // Known dims as numbers, symbolic dims by name, unknown dims as null.
      w.BeginArray();
      for (const std::string& dim : value.dims) {
        if (IsNumber(dim)) {
          w.Int(std::stoll(dim));
        } else if (dim == "?") {
          w.Null();
        } else {
          w.String(dim);
        }
      }
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
}

std::string Json(const OnnxModelSummary& s) {
  JsonWriter w;
  w.BeginObject();
  w.Key("status").String("ok");
  w.Key("format").String("onnx");
  w.Key("path").String(s.path);
  w.Key("file_bytes").Int(s.file_bytes);
  w.Key("ir_version").Int(s.ir_version);
  w.Key("producer").BeginObject();
  w.Key("name").String(s.producer_name);
  w.Key("version").String(s.producer_version);
  w.EndObject();
  w.Key("graph_name").String(s.graph_name);
  w.Key("opsets").BeginObject();
  for (const auto& [domain, version] : s.opsets) w.Key(domain).Int(version);
  w.EndObject();
  w.Key("nodes").Int(s.nodes);
  w.Key("subgraph_nodes").Int(s.subgraph_nodes);
  w.Key("functions").Int(s.functions);
  w.Key("initializers").Int(s.initializers);
  w.Key("params").Int(s.params);
  w.Key("param_bytes").Int(s.param_bytes);
  w.Key("external_bytes").Int(s.external_bytes);
  w.Key("external_files").BeginArray();
  for (const std::string& file : s.external_files) w.String(file);
  w.EndArray();
  w.Key("inputs");
  WriteValues(w, s.inputs);
  w.Key("outputs");
  WriteValues(w, s.outputs);
  w.Key("op_histogram").BeginObject();
  for (const auto& [op, count] : s.op_histogram) w.Key(op).Int(count);
  w.EndObject();
  w.EndObject();
  return w.str() + "\n";
}

void AddValueRows(TextTable& table, const std::vector<OnnxValueSummary>& values) {
  for (const OnnxValueSummary& value : values) table.AddRow({value.name, value.type, ShapeText(value)});
}

std::string Text(const OnnxModelSummary& s) {
  std::string out = absl::StrCat(s.path, ": ONNX model, ", HumanBytes(s.file_bytes), "\n");
  TextTable about;
  std::string producer = absl::StrCat(s.producer_name, " ", s.producer_version);
  about.AddRow({"producer", producer == " " ? "-" : producer});
  about.AddRow({"ir version", std::to_string(s.ir_version)});
  std::vector<std::string> opsets;
  for (const auto& [domain, version] : s.opsets) opsets.push_back(absl::StrCat(domain, " ", version));
  about.AddRow({"opsets", opsets.empty() ? "-" : absl::StrJoin(opsets, ", ")});
  about.AddRow({"graph", s.graph_name.empty() ? "-" : s.graph_name});
  std::string nodes = std::to_string(s.nodes);
  if (s.subgraph_nodes > 0) absl::StrAppend(&nodes, " (", s.subgraph_nodes, " in subgraphs)");
  about.AddRow({"nodes", nodes});
  if (s.functions > 0) about.AddRow({"functions", std::to_string(s.functions)});
  about.AddRow({"initializers", absl::StrCat(s.initializers, ": ", HumanCount(s.params), " params, ",
                                             HumanBytes(s.param_bytes))});
  if (!s.external_files.empty()) {
    about.AddRow({"external data", absl::StrCat(HumanBytes(s.external_bytes), " in ",
                                                absl::StrJoin(s.external_files, ", "))});
  }
  out += about.Render();

  TextTable io;
  AddValueRows(io, s.inputs);
  absl::StrAppend(&out, "inputs (", s.inputs.size(), "):\n", io.Render());
  TextTable outputs;
  AddValueRows(outputs, s.outputs);
  absl::StrAppend(&out, "outputs (", s.outputs.size(), "):\n", outputs.Render());

  TextTable ops;
  ops.AlignRight(1);
  for (const auto& [op, count] : ByCountDescending(s.op_histogram)) ops.AddRow({op, std::to_string(count)});
  absl::StrAppend(&out, "ops (", Plural(static_cast<int64_t>(s.op_histogram.size()), "type"), "):\n", ops.Render());
  return out;
}

}  // namespace

absl::StatusOr<std::string> InspectOnnx(const std::string& path, bool json) {
  absl::StatusOr<OnnxModelSummary> summary = ReadOnnxSummary(path);
  if (!summary.ok()) return summary.status();
  return json ? Json(*summary) : Text(*summary);
}

}  // namespace optconv::cli
