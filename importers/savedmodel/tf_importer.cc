// ImportTfGraph: order the NodeDefs topologically, create the signature's
// inputs, convert every node (collecting all unsupported ops), then bind the
// signature's outputs.
#include "importers/savedmodel/tf_importer.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "converter/verifier.h"
#include "importers/savedmodel/tf_context.h"
#include "importers/savedmodel/tf_types.h"
#include "importers/savedmodel/while_lowering.h"
#include "spdlog/spdlog.h"

namespace optconv {
namespace {

using tf_import::TfContext;
using tf_import::TfGraph;

/// The producing node of a tensor ref ("node", "node:N").
std::string RefNode(const std::string& ref) {
  const std::string canonical = TfContext::CanonicalRef(ref);
  return canonical.substr(0, canonical.rfind(':'));
}

/// Kahn's algorithm over data inputs; InvalidArgument on cycles or on inputs
/// that name no node.
absl::StatusOr<std::vector<int>> TopologicalOrder(const TfGraph& tf) {
  absl::flat_hash_map<std::string, int> index;
  for (int i = 0; i < static_cast<int>(tf.nodes.size()); ++i) index[tf.nodes[i].name()] = i;
  std::vector<int> pending(tf.nodes.size(), 0);
  std::vector<std::vector<int>> users(tf.nodes.size());
  for (int i = 0; i < static_cast<int>(tf.nodes.size()); ++i) {
    for (const std::string& in : tf.nodes[i].input()) {
      if (absl::StartsWith(in, "^")) continue;
      auto it = index.find(RefNode(in));
      if (it == index.end()) {
        return absl::InvalidArgumentError(absl::StrCat(tf.source, ": node '", tf.nodes[i].name(),
                                                       "' reads '", in,
                                                       "', which no node produces"));
      }
      ++pending[i];
      users[it->second].push_back(i);
    }
  }
  std::vector<int> order;
  for (int i = 0; i < static_cast<int>(tf.nodes.size()); ++i) {
    if (pending[i] == 0) order.push_back(i);
  }
  for (size_t k = 0; k < order.size(); ++k) {
    for (int user : users[order[k]]) {
      if (--pending[user] == 0) order.push_back(user);
    }
  }
  if (order.size() != tf.nodes.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(tf.source, ": the graph has a cycle (expected loops lowered before import)"));
  }
  return order;
}

/// "<file>: node 'x' (Op): why" -> "node 'x' (Op): why" for the summary list.
std::string WithoutFilePrefix(absl::string_view message, const std::string& path) {
  const std::string prefix = absl::StrCat(path, ": ");
  if (absl::StartsWith(message, prefix)) message.remove_prefix(prefix.size());
  return std::string(message);
}

class Importer {
 public:
  Importer(const TfGraph& tf, const TfImportOptions& options)
      : tf_(tf), options_(options), ctx_(graph_, tf, options.fold_constants, options.fold_max_bytes) {
    graph_.source_path = tf.source;
    signature_.key = tf.signature_name.empty() ? "serving_default" : tf.signature_name;
  }

  absl::StatusOr<Graph> Run() {
    absl::StatusOr<std::vector<int>> order = TopologicalOrder(tf_);
    if (!order.ok()) return order.status();
    if (absl::Status s = AddInputs(); !s.ok()) return s;
    if (absl::Status s = ConvertNodes(*order); !s.ok()) return s;
    if (absl::Status s = BindOutputs(); !s.ok()) return s;
    graph_.RemoveDeadOps();
    graph_.RemoveUnusedTensors();
    if (absl::Status s = VerifyGraph(graph_); !s.ok()) {
      return absl::InternalError(absl::StrCat(tf_.source, ": importer produced an invalid graph: ",
                                              s.message()));
    }
    return std::move(graph_);
  }

 private:
  absl::Status AddInputs() {
    for (const auto& [name, shape] : options_.input_shapes) {
      const bool known = std::any_of(tf_.inputs.begin(), tf_.inputs.end(), [&](const auto& in) {
        return in.key == name || in.node == name;
      });
      if (!known) {
        std::vector<std::string> keys;
        for (const auto& in : tf_.inputs) keys.push_back(in.key);
        return absl::InvalidArgumentError(absl::StrCat(tf_.source, ": no input '", name,
                                                       "' (expected one of: ",
                                                       absl::StrJoin(keys, ", "), ")"));
      }
    }
    for (const tf_import::TfSignatureTensor& in : tf_.inputs) {
      const std::string what = absl::StrCat(tf_.source, ": input '", in.key, "'");
      std::optional<DataType> type = tf_import::FromTfDataType(in.dtype);
      if (!type) {
        return absl::UnimplementedError(absl::StrCat(
            what, ": type ", tf_import::TfDataTypeName(in.dtype),
            " is not supported (expected a numeric or bool tensor)"));
      }
      // String inputs (serialized tf.Example) stay: the ops parsing them are
      // then reported as unsupported, all of them at once.
      auto given = options_.input_shapes.find(in.key);
      if (given == options_.input_shapes.end()) given = options_.input_shapes.find(in.node);
      const bool has_shape = given != options_.input_shapes.end();
      if (in.unknown_rank && !has_shape) {
        return absl::UnimplementedError(
            absl::StrCat(what, ": has unknown rank (pass its shape with --inputs NAME:SHAPE)"));
      }
      Shape shape;
      for (int64_t d : has_shape ? given->second : in.shape) {
        shape.push_back(d >= 0 ? d : kUnknownDim);
      }
      TensorId id = graph_.AddActivation(ctx_.UniqueName(in.key), *type, shape);
      graph_.inputs().push_back(id);
      ctx_.Bind(absl::StrCat(in.node, ":", in.output_index), id);
      signature_.inputs.push_back({in.key, id});
    }
    return absl::OkStatus();
  }

  absl::Status ConvertNodes(const std::vector<int>& order) {
    // Output refs some node or the signature reads, per producing node.
    absl::flat_hash_map<std::string, std::vector<std::string>> used;
    auto note_use = [&](const std::string& ref) {
      const std::string canonical = TfContext::CanonicalRef(ref);
      std::vector<std::string>& refs = used[RefNode(canonical)];
      if (std::find(refs.begin(), refs.end(), canonical) == refs.end()) refs.push_back(canonical);
    };
    for (const tensorflow::NodeDef& node : tf_.nodes) {
      for (const std::string& in : node.input()) note_use(in);
    }
    for (const tf_import::TfSignatureTensor& out : tf_.outputs) {
      note_use(absl::StrCat(out.node, ":", out.output_index));
    }

    absl::flat_hash_set<std::string> unavailable;  // nodes not converted
    std::vector<std::string> unsupported;
    for (int index : order) {
      const tensorflow::NodeDef& node = tf_.nodes[index];
      const std::vector<std::string>& outs = used[node.name()];
      // Signature inputs (Placeholders, or outputs fed by --inputs) are bound already.
      if (!outs.empty() && std::all_of(outs.begin(), outs.end(),
                                       [&](const std::string& r) { return ctx_.IsBound(r); })) {
        continue;
      }
      auto report = [&](const std::string& why) {
        unsupported.push_back(absl::StrCat("node '", node.name(), "' (", node.op(), "): ", why));
      };
      tf_import::TfOpConverter converter = tf_import::FindTfConverter(ctx_, node);
      const bool blocked = std::any_of(node.input().begin(), node.input().end(),
                                       [&](const std::string& in) {
                                         return unavailable.contains(RefNode(in));
                                       });
      if (converter == nullptr) report("no converter");
      if (converter == nullptr || blocked) {
        unavailable.insert(node.name());
        continue;
      }
      absl::Status s = converter(ctx_, node);
      if (s.code() == absl::StatusCode::kUnimplemented) {
        unsupported.push_back(WithoutFilePrefix(s.message(), tf_.source));
        unavailable.insert(node.name());
        continue;
      }
      if (!s.ok()) return s;
      for (const std::string& ref : outs) {
        if (ctx_.IsBound(ref)) continue;
        report(absl::StrCat("output '", ref, "' is used but not supported"));
        unavailable.insert(node.name());
      }
    }
    if (unsupported.empty()) return absl::OkStatus();
    return absl::UnimplementedError(absl::StrCat(tf_.source, ": ", unsupported.size(),
                                                 " unsupported op",
                                                 unsupported.size() == 1 ? "" : "s", ":\n  ",
                                                 absl::StrJoin(unsupported, "\n  ")));
  }

  absl::Status BindOutputs() {
    for (const tf_import::TfSignatureTensor& out : tf_.outputs) {
      const std::string ref = absl::StrCat(out.node, ":", out.output_index);
      absl::StatusOr<TensorId> id = ctx_.Lookup(ref);
      if (!id.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(tf_.source, ": output '", out.key,
                                                       "' (", ref, ") is not produced"));
      }
      // TFLite outputs are tensors computed by an op: a constant or input
      // returned as is gets an explicit copy.
      if (ctx_.IsConstant(*id) || graph_.IsGraphInput(*id) || graph_.IsGraphOutput(*id)) {
        absl::StatusOr<TensorId> copy = CopyForOutput(*id, out.key);
        if (!copy.ok()) return copy.status();
        id = *copy;
      }
      ctx_.RenameTensor(*id, out.key);
      graph_.outputs().push_back(*id);
      signature_.outputs.push_back({out.key, *id});
    }
    graph_.signatures().push_back(std::move(signature_));
    return absl::OkStatus();
  }

  absl::StatusOr<TensorId> CopyForOutput(TensorId id, const std::string& key) {
    const SourceLoc origin{key, "Identity"};
    const Shape shape = ctx_.shape(id);
    std::vector<int32_t> dims;
    for (int64_t d : shape) dims.push_back(d == kUnknownDim ? -1 : static_cast<int32_t>(d));
    if (std::count(dims.begin(), dims.end(), -1) > 1) {
      return absl::UnimplementedError(absl::StrCat(tf_.source, ": output '", key,
                                                   "' repeats another tensor of dynamic shape"));
    }
    TensorId shape_id = ctx_.AddConstInts(absl::StrCat(key, "/shape"), dims,
                                          Shape{static_cast<int64_t>(dims.size())});
    // Built without folding: a RESHAPE to its own shape is a cheap copy.
    Op op;
    op.kind = OpKind::kReshape;
    op.inputs = {id, shape_id};
    op.options = NoOptions{};
    op.origin = origin;
    op.outputs = {graph_.AddActivation(ctx_.UniqueName(key), ctx_.type(id), shape)};
    graph_.AddOp(std::move(op));
    return graph_.ops().back().outputs[0];
  }

  const TfGraph& tf_;
  const TfImportOptions& options_;
  Graph graph_;
  TfContext ctx_;
  Signature signature_;
};

}  // namespace

absl::StatusOr<Graph> ImportTfGraph(const TfGraph& tf, const TfImportOptions& options) {
  // Loops and TensorLists first (while_lowering.h): converters see flat graphs.
  absl::StatusOr<TfGraph> lowered = tf_import::LowerControlFlow(tf);
  if (!lowered.ok()) return lowered.status();
  Importer importer(*lowered, options);
  return importer.Run();
}

absl::StatusOr<Graph> ImportSavedModel(const std::string& dir,
                                       const tf_import::SavedModelOptions& load_options,
                                       const TfImportOptions& options) {
  absl::StatusOr<TfGraph> tf = tf_import::LoadSavedModel(dir, load_options);
  if (!tf.ok()) return tf.status();
  spdlog::debug("{}: signature '{}', {} nodes", dir, tf->signature_name, tf->nodes.size());
  return ImportTfGraph(*tf, options);
}

absl::StatusOr<Graph> ImportGraphDef(const std::string& path,
                                     const tf_import::GraphDefOptions& load_options,
                                     const TfImportOptions& options) {
  absl::StatusOr<TfGraph> tf = tf_import::LoadFrozenGraphDef(path, load_options);
  if (!tf.ok()) return tf.status();
  return ImportTfGraph(*tf, options);
}

}  // namespace optconv
