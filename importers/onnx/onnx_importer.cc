// ImportOnnx: parse the memory-mapped model, validate its header, turn
// initializers and graph inputs into tensors, convert nodes in topological
// order (collecting every unsupported op), then bind outputs and signature.
#include "importers/onnx/onnx_importer.h"

#include <algorithm>
#include <climits>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "converter/verifier.h"
#include "importers/onnx/onnx_context.h"
#include "importers/onnx/onnx_model_file.h"
#include "importers/onnx/onnx_node_order.h"
#include "importers/onnx/onnx_tensor_data.h"
#include "spdlog/spdlog.h"

namespace optconv {
namespace {

using onnx_import::OnnxContext;

constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 21;
constexpr int64_t kMinIrVersion = 3;  // the first IR version with opset imports
constexpr int64_t kMaxIrVersion = 11;

absl::Status NotAModel(const std::string& path, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": not a valid ONNX model: ", why));
}

/// The default-domain opset, validated. Opsets below 7 are imported with
/// opset-7 semantics (the ops we convert did not change in ways we rely on).
absl::StatusOr<int64_t> DefaultOpset(const onnx::ModelProto& model, const std::string& path) {
  if (model.ir_version() < kMinIrVersion) {
    return absl::UnimplementedError(absl::StrCat(path, ": IR version ", model.ir_version(),
                                                 " is not supported (expected ", kMinIrVersion,
                                                 "..", kMaxIrVersion, ")"));
  }
  if (model.ir_version() > kMaxIrVersion) {
    return absl::UnimplementedError(absl::StrCat(path, ": IR version ", model.ir_version(),
                                                 " is newer than supported (expected ",
                                                 kMinIrVersion, "..", kMaxIrVersion, ")"));
  }
  std::optional<int64_t> opset;
  for (const onnx::OperatorSetIdProto& id : model.opset_import()) {
    if (id.domain().empty() || id.domain() == "ai.onnx") opset = id.version();
  }
  if (!opset) return NotAModel(path, "no opset is imported for the default ONNX domain");
  if (*opset > kMaxOpset) {
    return absl::UnimplementedError(absl::StrCat(path, ": opset ", *opset,
                                                 " is not supported (expected ", kMinOpset, "..",
                                                 kMaxOpset, ")"));
  }
  if (*opset < 1) return NotAModel(path, absl::StrCat("invalid opset ", *opset));
  if (*opset < kMinOpset) {
    spdlog::warn("{}: opset {} is older than {}; importing with opset-{} semantics", path, *opset,
                 kMinOpset, kMinOpset);
    return kMinOpset;
  }
  return *opset;
}

/// Shape of a graph input from its type; symbolic or missing dims are unknown.
absl::StatusOr<Tensor> InputTensor(const onnx::ValueInfoProto& info, const std::string& path) {
  const std::string what = absl::StrCat(path, ": graph input '", info.name(), "'");
  if (!info.type().has_tensor_type()) {
    return absl::UnimplementedError(
        absl::StrCat(what, ": only tensor inputs are supported (not sequences, maps or optionals)"));
  }
  const onnx::TypeProto::Tensor& tt = info.type().tensor_type();
  absl::StatusOr<DataType> type = onnx_import::DataTypeFromOnnx(tt.elem_type(), what);
  if (!type.ok()) return type.status();
  if (!tt.has_shape()) {
    return absl::UnimplementedError(
        absl::StrCat(what, ": has no shape (expected a tensor of known rank)"));
  }
  Tensor t;
  t.name = info.name();
  t.type = *type;
  for (const onnx::TensorShapeProto::Dimension& d : tt.shape().dim()) {
    t.shape.push_back(d.has_dim_value() && d.dim_value() >= 0 ? d.dim_value() : kUnknownDim);
  }
  return t;
}

/// "<file>: node 'x' (Op): why" -> "node 'x' (Op): why" for the summary list.
std::string WithoutFilePrefix(absl::string_view message, const std::string& path) {
  const std::string prefix = absl::StrCat(path, ": ");
  if (absl::StartsWith(message, prefix)) message.remove_prefix(prefix.size());
  return std::string(message);
}

class Importer {
 public:
  Importer(std::string path, onnx_import::OnnxModelFile file, int64_t opset,
           const OnnxImportOptions& options)
      : path_(std::move(path)),
        model_(std::move(file.model)),
        initializer_data_(std::move(file.initializer_data)),
        files_(path_),
        ctx_(graph_, path_, opset, options.fold_constants, options.fold_max_bytes) {
    graph_.source_path = path_;
    ctx_.set_external_files(&files_);
  }

  absl::StatusOr<Graph> Run() {
    onnx::GraphProto& g = *model_.mutable_graph();
    NameNodes(g);
    absl::flat_hash_set<std::string> consumed;
    for (const onnx::NodeProto& n : g.node()) {
      for (const std::string& in : n.input()) consumed.insert(in);
    }
    for (const onnx::ValueInfoProto& out : g.output()) consumed.insert(out.name());
    ctx_.set_consumed(std::move(consumed));
    if (g.sparse_initializer_size() > 0) {
      return absl::UnimplementedError(
          absl::StrCat(path_, ": sparse initializers are not supported"));
    }
    absl::StatusOr<std::vector<int>> order = onnx_import::TopologicalNodeOrder(g, path_);
    if (!order.ok()) return order.status();
    if (absl::Status s = AddInitializers(g); !s.ok()) return s;
    if (absl::Status s = AddInputs(g); !s.ok()) return s;
    if (absl::Status s = ConvertNodes(g, *order); !s.ok()) return s;
    if (absl::Status s = BindOutputs(g); !s.ok()) return s;
    graph_.RemoveDeadOps();
    graph_.RemoveUnusedTensors();
    if (absl::Status s = VerifyGraph(graph_); !s.ok()) {
      return absl::InternalError(absl::StrCat(path_, ": importer produced an invalid graph: ",
                                              s.message()));
    }
    return std::move(graph_);
  }

 private:
  // Unnamed nodes get "<op_type>_<index>" so every message and origin names one.
  static void NameNodes(onnx::GraphProto& g) {
    for (int i = 0; i < g.node_size(); ++i) {
      onnx::NodeProto& node = *g.mutable_node(i);
      if (node.name().empty()) node.set_name(absl::StrCat(node.op_type(), "_", i));
    }
  }

  absl::Status AddInitializers(onnx::GraphProto& g) {
    for (int i = 0; i < g.initializer_size(); ++i) {
      onnx::TensorProto* init = g.mutable_initializer(i);
      absl::StatusOr<Tensor> t =
          onnx_import::TensorFromProto(*init, files_, init, std::move(initializer_data_[i]));
      if (!t.ok()) return t.status();
      t->name = ctx_.UniqueName(t->name);
      ctx_.Bind(init->name(), graph_.AddTensor(*std::move(t)));
      initializer_names_.insert(init->name());
    }
    return absl::OkStatus();
  }

  absl::Status AddInputs(const onnx::GraphProto& g) {
    for (const onnx::ValueInfoProto& info : g.input()) {
      // Old IR versions list initializers as graph inputs too: those are constants.
      if (initializer_names_.contains(info.name())) continue;
      absl::StatusOr<Tensor> t = InputTensor(info, path_);
      if (!t.ok()) return t.status();
      t->name = ctx_.UniqueName(t->name);
      TensorId id = graph_.AddTensor(*std::move(t));
      graph_.inputs().push_back(id);
      ctx_.Bind(info.name(), id);
      signature_.inputs.push_back({info.name(), id});
    }
    return absl::OkStatus();
  }

  absl::Status ConvertNodes(const onnx::GraphProto& g, const std::vector<int>& order) {
    absl::flat_hash_set<std::string> consumed;  // values some node or graph output reads
    for (const onnx::NodeProto& node : g.node()) {
      for (const std::string& in : node.input()) consumed.insert(in);
    }
    for (const onnx::ValueInfoProto& out : g.output()) consumed.insert(out.name());

    absl::flat_hash_set<std::string> unavailable;  // outputs of unconverted nodes
    std::vector<std::string> unsupported;
    for (int index : order) {
      const onnx::NodeProto& node = g.node(index);
      auto mark_unavailable = [&] {
        for (const std::string& out : node.output()) unavailable.insert(out);
      };
      auto report = [&](const std::string& why) {
        unsupported.push_back(
            absl::StrCat("node '", node.name(), "' (", node.op_type(), "): ", why));
      };
      if (!node.domain().empty() && node.domain() != "ai.onnx") {
        report(absl::StrCat("domain '", node.domain(), "' is not supported"));
        mark_unavailable();
        continue;
      }
      onnx_import::OpConverter converter = onnx_import::FindConverter(node.op_type());
      const bool blocked = std::any_of(node.input().begin(), node.input().end(),
                                       [&](const std::string& in) { return unavailable.contains(in); });
      if (converter == nullptr) report("no converter");
      if (converter == nullptr || blocked) {
        mark_unavailable();
        continue;
      }
      absl::Status s = converter(ctx_, node);
      if (s.code() == absl::StatusCode::kUnimplemented) {
        unsupported.push_back(WithoutFilePrefix(s.message(), path_));
        mark_unavailable();
        continue;
      }
      if (!s.ok()) return s;
      for (int i = 0; i < node.output_size(); ++i) {
        const std::string& out = node.output(i);
        if (out.empty() || !consumed.contains(out) || ctx_.Lookup(out).ok()) continue;
        report(absl::StrCat("output #", i, " '", out, "' is used but not supported"));
        unavailable.insert(out);
      }
    }
    if (unsupported.empty()) return absl::OkStatus();
    return absl::UnimplementedError(absl::StrCat(path_, ": ", unsupported.size(),
                                                 " unsupported op", unsupported.size() == 1 ? "" : "s",
                                                 ":\n  ", absl::StrJoin(unsupported, "\n  ")));
  }

  absl::Status BindOutputs(const onnx::GraphProto& g) {
    for (const onnx::ValueInfoProto& out : g.output()) {
      absl::StatusOr<TensorId> id = ctx_.Lookup(out.name());
      if (!id.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            path_, ": graph output '", out.name(),
            "' is not produced (expected a graph input, initializer or node output)"));
      }
      graph_.outputs().push_back(*id);
      signature_.outputs.push_back({out.name(), *id});
    }
    graph_.signatures().push_back(std::move(signature_));
    return absl::OkStatus();
  }

  std::string path_;
  onnx::ModelProto model_;
  std::vector<BufferPtr> initializer_data_;  // OnnxModelFile::initializer_data
  onnx_import::ExternalDataFiles files_;
  Graph graph_;
  OnnxContext ctx_;
  absl::flat_hash_set<std::string> initializer_names_;
  Signature signature_;
};

}  // namespace

absl::StatusOr<Graph> ImportOnnx(const std::string& path, const OnnxImportOptions& options) {
  absl::StatusOr<onnx_import::OnnxModelFile> file = onnx_import::ReadOnnxModelFile(path);
  if (!file.ok()) return file.status();
  absl::StatusOr<int64_t> opset = DefaultOpset(file->model, path);
  if (!opset.ok()) return opset.status();
  Importer importer(path, *std::move(file), *opset, options);
  return importer.Run();
}

}  // namespace optconv
