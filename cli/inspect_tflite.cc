// `optconv inspect` for .tflite files.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/cli_util.h"
#include "cli/inspect_formats.h"
#include "converter/json_writer.h"
#include "cli/text_table.h"
#include "exporters/tflite/tflite_reader.h"

namespace optconv::cli {
namespace {

std::string ShapeText(const TfliteTensorSummary& tensor) {
  std::vector<std::string> dims;
  for (int32_t dim : tensor.shape_signature) dims.push_back(dim < 0 ? "?" : std::to_string(dim));
  return absl::StrCat("[", absl::StrJoin(dims, ","), "]");
}

void WriteTensors(JsonWriter& w, const std::vector<TfliteTensorSummary>& tensors) {
  w.BeginArray();
  for (const TfliteTensorSummary& tensor : tensors) {
    w.BeginObject();
    w.Key("name").String(tensor.name);
    w.Key("type").String(tensor.type);
    w.Key("shape").BeginArray();
    for (int32_t dim : tensor.shape_signature) {
      if (dim < 0) {
        w.Null();
      } else {
        w.Int(dim);
      }
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

std::string Json(const std::string& path, const TfliteModelSummary& s) {
  JsonWriter w;
  w.BeginObject();
  w.Key("status").String("ok");
  w.Key("format").String("tflite");
  w.Key("path").String(path);
  w.Key("file_bytes").Int(static_cast<int64_t>(s.file_bytes));
  w.Key("schema_version").Int(s.schema_version);
  w.Key("description").String(s.description);
  w.Key("min_runtime_version").String(s.min_runtime_version);
  w.Key("io_layout").String(s.io_layout);  // the optconv_io_layout JSON, "" if none
  w.Key("subgraphs").Int(s.num_subgraphs);
  w.Key("ops").Int(s.num_ops);
  w.Key("tensors").Int(s.num_tensors);
  w.Key("params").Int(s.num_parameters);
  w.Key("constant_bytes").Int(s.constant_bytes);
  w.Key("signatures").BeginArray();
  for (const std::string& key : s.signature_keys) w.String(key);
  w.EndArray();
  w.Key("inputs");
  WriteTensors(w, s.inputs);
  w.Key("outputs");
  WriteTensors(w, s.outputs);
  w.Key("op_codes").BeginArray();
  for (const TfliteOpCodeSummary& code : s.op_codes) {
    w.BeginObject();
    w.Key("name").String(code.name);
    w.Key("builtin_code").Int(code.builtin_code);
    w.Key("version").Int(code.version);
    w.EndObject();
  }
  w.EndArray();
  w.Key("op_histogram").BeginObject();
  for (const auto& [op, count] : s.op_histogram) w.Key(op).Int(count);
  w.EndObject();
  w.EndObject();
  return w.str() + "\n";
}

void AddTensorRows(TextTable& table, const std::vector<TfliteTensorSummary>& tensors) {
  for (const TfliteTensorSummary& t : tensors) table.AddRow({t.name, t.type, ShapeText(t)});
}

std::string Text(const std::string& path, const TfliteModelSummary& s) {
  std::string out = absl::StrCat(path, ": TFLite model, ", HumanBytes(s.file_bytes), "\n");
  TextTable about;
  about.AddRow({"schema version", std::to_string(s.schema_version)});
  about.AddRow({"description", s.description.empty() ? "-" : s.description});
  about.AddRow({"min runtime", s.min_runtime_version.empty() ? "-" : s.min_runtime_version});
  about.AddRow({"io layout", s.io_layout.empty() ? "as the source" : s.io_layout});
  about.AddRow({"subgraphs", std::to_string(s.num_subgraphs)});
  about.AddRow({"ops", std::to_string(s.num_ops)});
  about.AddRow({"tensors", std::to_string(s.num_tensors)});
  about.AddRow({"constants", absl::StrCat(HumanCount(s.num_parameters), " params, ",
                                          HumanBytes(static_cast<uint64_t>(s.constant_bytes)))});
  about.AddRow({"signatures", s.signature_keys.empty() ? "-" : absl::StrJoin(s.signature_keys, ", ")});
  out += about.Render();

  TextTable inputs;
  AddTensorRows(inputs, s.inputs);
  absl::StrAppend(&out, "inputs (", s.inputs.size(), "):\n", inputs.Render());
  TextTable outputs;
  AddTensorRows(outputs, s.outputs);
  absl::StrAppend(&out, "outputs (", s.outputs.size(), "):\n", outputs.Render());

  // Histogram rows carry the op code version(s) so version bumps are visible.
  std::map<std::string, std::vector<std::string>> versions;
  for (const TfliteOpCodeSummary& code : s.op_codes) {
    versions[code.name].push_back(absl::StrCat("v", code.version));
  }
  std::map<std::string, int64_t> histogram(s.op_histogram.begin(), s.op_histogram.end());
  TextTable ops;
  ops.AlignRight(1);
  for (const auto& [op, count] : ByCountDescending(histogram)) {
    ops.AddRow({op, std::to_string(count), absl::StrJoin(versions[op], ",")});
  }
  absl::StrAppend(&out, "ops (", Plural(static_cast<int64_t>(histogram.size()), "type"), "):\n", ops.Render());
  return out;
}

}  // namespace

absl::StatusOr<std::string> InspectTflite(const std::string& path, bool json) {
  absl::StatusOr<TfliteModelSummary> summary = ReadTfliteSummary(path);
  if (!summary.ok()) return summary.status();
  return json ? Json(path, *summary) : Text(path, *summary);
}

}  // namespace optconv::cli
