#include "cli/onnx_summary.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "converter/buffer.h"
#include "importers/onnx/onnx_model_file.h"
#include "onnx/onnx_pb.h"

namespace optconv::cli {
namespace {

// Short type names matching the IR's ("f32"); element sizes in bytes (0 when
// variable or sub-byte).
struct ElementInfo {
  const char* name;
  int64_t size;
};

ElementInfo ElementInfoOf(int32_t elem_type) {
  switch (elem_type) {
    case onnx::TensorProto::FLOAT: return {"f32", 4};
    case onnx::TensorProto::UINT8: return {"u8", 1};
    case onnx::TensorProto::INT8: return {"i8", 1};
    case onnx::TensorProto::UINT16: return {"u16", 2};
    case onnx::TensorProto::INT16: return {"i16", 2};
    case onnx::TensorProto::INT32: return {"i32", 4};
    case onnx::TensorProto::INT64: return {"i64", 8};
    case onnx::TensorProto::STRING: return {"string", 0};
    case onnx::TensorProto::BOOL: return {"bool", 1};
    case onnx::TensorProto::FLOAT16: return {"f16", 2};
    case onnx::TensorProto::DOUBLE: return {"f64", 8};
    case onnx::TensorProto::UINT32: return {"u32", 4};
    case onnx::TensorProto::UINT64: return {"u64", 8};
    case onnx::TensorProto::COMPLEX64: return {"c64", 8};
    case onnx::TensorProto::COMPLEX128: return {"c128", 16};
    case onnx::TensorProto::BFLOAT16: return {"bf16", 2};
    // Newer than the libonnx-dev schema (ONNX 1.14+): float8 variants, 4-bit ints.
    case 17: case 18: case 19: case 20: return {"f8", 1};
    case 21: return {"u4", 0};
    case 22: return {"i4", 0};
    default: return {"?", 0};
  }
}

std::vector<std::string> Dims(const onnx::TensorShapeProto& shape) {
  std::vector<std::string> dims;
  for (const auto& dim : shape.dim()) {
    if (dim.has_dim_value()) {
      dims.push_back(std::to_string(dim.dim_value()));
    } else if (dim.has_dim_param() && !dim.dim_param().empty()) {
      dims.push_back(dim.dim_param());
    } else {
      dims.push_back("?");
    }
  }
  return dims;
}

OnnxValueSummary SummarizeValue(const onnx::ValueInfoProto& value) {
  OnnxValueSummary out{value.name(), "?", false, {}};
  const onnx::TypeProto& type = value.type();
  if (type.has_tensor_type()) {
    out.type = ElementInfoOf(type.tensor_type().elem_type()).name;
    if (type.tensor_type().has_shape()) {
      out.has_shape = true;
      out.dims = Dims(type.tensor_type().shape());
    }
  } else if (type.has_sequence_type()) {
    out.type = "sequence";
  } else if (type.has_map_type()) {
    out.type = "map";
  } else if (type.has_optional_type()) {
    out.type = "optional";
  }
  return out;
}

int64_t NumElements(const onnx::TensorProto& tensor) {
  int64_t n = 1;
  for (int64_t dim : tensor.dims()) n *= dim;
  return n;
}

class Summarizer {
 public:
  Summarizer(const std::string& path, OnnxModelSummary& summary)
      : dir_(std::filesystem::path(path).parent_path()), summary_(summary) {}

  /// `mapped_data`: the main graph's OnnxModelFile::initializer_data (raw
  /// data left in the file mapping); null for subgraphs.
  void AddGraph(const onnx::GraphProto& graph, bool is_subgraph,
                const std::vector<BufferPtr>* mapped_data = nullptr) {
    for (const onnx::NodeProto& node : graph.node()) {
      const bool default_domain = node.domain().empty() || node.domain() == "ai.onnx";
      ++summary_.op_histogram[default_domain ? node.op_type()
                                             : absl::StrCat(node.domain(), ".", node.op_type())];
      ++summary_.nodes;
      if (is_subgraph) ++summary_.subgraph_nodes;
      for (const onnx::AttributeProto& attr : node.attribute()) {
        if (attr.has_g()) AddGraph(attr.g(), true);
        for (const onnx::GraphProto& g : attr.graphs()) AddGraph(g, true);
      }
    }
    for (int i = 0; i < graph.initializer_size(); ++i) {
      const BufferPtr* mapped = mapped_data != nullptr && i < static_cast<int>(mapped_data->size())
                                    ? &(*mapped_data)[static_cast<size_t>(i)]
                                    : nullptr;
      status_.Update(AddInitializer(graph.initializer(i), mapped ? mapped->get() : nullptr));
    }
    for (const onnx::SparseTensorProto& sparse : graph.sparse_initializer()) {
      status_.Update(AddInitializer(sparse.values()));
      if (sparse.has_indices()) status_.Update(AddBytesOnly(sparse.indices()));
    }
  }

  const absl::Status& status() const { return status_; }

 private:
  absl::Status AddInitializer(const onnx::TensorProto& tensor, const Buffer* mapped_raw_data = nullptr) {
    ++summary_.initializers;
    summary_.params += NumElements(tensor);
    if (mapped_raw_data != nullptr) {
      summary_.param_bytes += static_cast<int64_t>(mapped_raw_data->size());
      return absl::OkStatus();
    }
    return AddBytesOnly(tensor);
  }

  // Adds the tensor's data size to param_bytes (and external_bytes).
  absl::Status AddBytesOnly(const onnx::TensorProto& tensor) {
    if (tensor.data_location() == onnx::TensorProto::EXTERNAL) return AddExternal(tensor);
    int64_t bytes = 0;
    if (tensor.has_raw_data()) {
      bytes = static_cast<int64_t>(tensor.raw_data().size());
    } else if (tensor.data_type() == onnx::TensorProto::STRING) {
      for (const std::string& s : tensor.string_data()) bytes += static_cast<int64_t>(s.size());
    } else {
      bytes = NumElements(tensor) * ElementInfoOf(tensor.data_type()).size;
    }
    summary_.param_bytes += bytes;
    return absl::OkStatus();
  }

  absl::Status AddExternal(const onnx::TensorProto& tensor) {
    std::string location;
    int64_t offset = 0;
    int64_t length = -1;
    const std::string where = absl::StrCat(summary_.path, ": initializer '", tensor.name(), "'");
    for (const auto& entry : tensor.external_data()) {
      bool ok = true;
      if (entry.key() == "location") location = entry.value();
      if (entry.key() == "offset") ok = absl::SimpleAtoi(entry.value(), &offset);
      if (entry.key() == "length") ok = absl::SimpleAtoi(entry.value(), &length);
      if (!ok) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": external data ", entry.key(), " '",
                                                       entry.value(), "' is not a number"));
      }
    }
    if (location.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": external data without a location"));
    }
    std::error_code ec;
    const auto file_size = std::filesystem::file_size(dir_ / location, ec);
    if (ec) {
      return absl::NotFoundError(absl::StrCat(where, ": external data file '", location,
                                              "' not found next to the model"));
    }
    if (length < 0) length = static_cast<int64_t>(file_size) - offset;
    if (offset < 0 || length < 0 || offset + length > static_cast<int64_t>(file_size)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": external data [", offset, ", ", offset + length,
                       ") lies outside '", location, "' (", file_size, " bytes)"));
    }
    summary_.param_bytes += length;
    summary_.external_bytes += length;
    files_.insert(location);
    summary_.external_files.assign(files_.begin(), files_.end());
    return absl::OkStatus();
  }

  std::filesystem::path dir_;
  OnnxModelSummary& summary_;
  std::set<std::string> files_;
  absl::Status status_;  // the first error
};

}  // namespace

absl::StatusOr<OnnxModelSummary> ReadOnnxSummary(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  absl::StatusOr<onnx_import::OnnxModelFile> file = onnx_import::ReadOnnxModelFile(path);
  if (!file.ok()) return file.status();
  const onnx::ModelProto& model = file->model;

  OnnxModelSummary summary;
  summary.path = path;
  summary.file_bytes = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  summary.ir_version = model.ir_version();
  summary.producer_name = model.producer_name();
  summary.producer_version = model.producer_version();
  summary.graph_name = model.graph().name();
  for (const auto& opset : model.opset_import()) {
    summary.opsets[opset.domain().empty() ? "ai.onnx" : opset.domain()] = opset.version();
  }
  summary.functions = model.functions_size();

  Summarizer summarizer(path, summary);
  summarizer.AddGraph(model.graph(), /*is_subgraph=*/false, &file->initializer_data);
  if (!summarizer.status().ok()) return summarizer.status();

  std::set<std::string> initializer_names;
  for (const auto& tensor : model.graph().initializer()) initializer_names.insert(tensor.name());
  for (const auto& input : model.graph().input()) {
    if (!initializer_names.count(input.name())) summary.inputs.push_back(SummarizeValue(input));
  }
  for (const auto& output : model.graph().output()) summary.outputs.push_back(SummarizeValue(output));
  return summary;
}

}  // namespace optconv::cli
