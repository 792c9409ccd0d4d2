// LoadSavedModel: MetaGraph and signature selection, variable binding (TF2
// through the object graph, TF1 by variable name), then FlattenGraph.
#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "importers/savedmodel/graph_flattener.h"
#include "importers/savedmodel/proto/saved_model.pb.h"
#include "importers/savedmodel/proto/trackable_object_graph.pb.h"
#include "importers/savedmodel/tensor_bundle.h"
#include "importers/savedmodel/tf_loader.h"
#include "importers/savedmodel/tf_proto_file.h"
#include "spdlog/spdlog.h"

namespace optconv::tf_import {
namespace {

constexpr char kObjectGraphKey[] = "_CHECKPOINTABLE_OBJECT_GRAPH";
constexpr char kVariableValueAttribute[] = "VARIABLE_VALUE";
// Signatures TF adds for its own use, not for serving.
constexpr char kInitOpSignature[] = "__saved_model_init_op";
constexpr size_t kMaxListedNames = 10;

std::string ListNames(std::vector<std::string> names) {
  size_t total = names.size();
  if (total > kMaxListedNames) names.resize(kMaxListedNames);
  std::string list = absl::StrJoin(names, ", ");
  if (total > kMaxListedNames) absl::StrAppend(&list, ", ... (", total, " in all)");
  return list;
}

std::string TagSetName(const std::set<std::string>& tags) { return absl::StrCat("[", absl::StrJoin(tags, ","), "]"); }

absl::StatusOr<const tensorflow::MetaGraphDef*> SelectMetaGraph(const tensorflow::SavedModel& model,
                                                                 const std::string& path,
                                                                 const std::vector<std::string>& wanted_tags) {
  std::set<std::string> wanted(wanted_tags.begin(), wanted_tags.end());
  std::vector<std::string> available;
  for (const auto& meta_graph : model.meta_graphs()) {
    const auto& tags = meta_graph.meta_info_def().tags();
    std::set<std::string> tag_set(tags.begin(), tags.end());
    if (tag_set == wanted) return &meta_graph;
    available.push_back(TagSetName(tag_set));
  }
  if (available.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": the SavedModel holds no MetaGraph"));
  return absl::NotFoundError(absl::StrCat(path, ": no MetaGraph with tag set ", TagSetName(wanted),
                                          "; available tag sets: ", ListNames(available)));
}

absl::StatusOr<const tensorflow::SignatureDef*> SelectSignature(const tensorflow::MetaGraphDef& meta_graph,
                                                                const std::string& path, const std::string& name) {
  auto it = meta_graph.signature_def().find(name);
  if (it != meta_graph.signature_def().end() && name != kInitOpSignature) return &it->second;
  std::vector<std::string> available;
  for (const auto& [key, signature] : meta_graph.signature_def()) {
    if (key != kInitOpSignature) available.push_back(key);
  }
  std::sort(available.begin(), available.end());
  return absl::NotFoundError(absl::StrCat(path, ": no signature '", name, "'; available signatures: ",
                                          available.empty() ? "(none)" : ListNames(available)));
}

/// TF2: the variables a top-level call captures, bound to checkpoint keys.
/// SavedObjectGraph.concrete_functions[f].bound_inputs lists, for the call's
/// trailing (captured) inputs, the object-graph node of each; the
/// checkpoint's TrackableObjectGraph has the same node ids, and a variable
/// node's VARIABLE_VALUE attribute names its checkpoint key.
absl::Status BindCapturedVariables(const tensorflow::MetaGraphDef& meta_graph, const TensorBundle& bundle,
                                   absl::flat_hash_map<std::string, std::string>& keys) {
  const auto& concrete_functions = meta_graph.object_graph_def().concrete_functions();
  if (concrete_functions.empty() || !bundle.Contains(kObjectGraphKey)) return absl::OkStatus();
  absl::StatusOr<std::vector<std::string>> serialized = bundle.ReadStrings(kObjectGraphKey);
  if (!serialized.ok()) return serialized.status();
  tensorflow::TrackableObjectGraph object_graph;
  if (serialized->size() != 1 || !object_graph.ParseFromString(serialized->front())) {
    return absl::InvalidArgumentError(
        absl::StrCat(bundle.index_path(), ": unparsable ", kObjectGraphKey, " (the checkpoint's object graph)"));
  }
  for (const auto& node : meta_graph.graph_def().node()) {
    if (node.op() != "StatefulPartitionedCall" && node.op() != "PartitionedCall") continue;
    auto f = node.attr().find("f");
    if (f == node.attr().end()) continue;
    auto function = concrete_functions.find(f->second.func().name());
    if (function == concrete_functions.end()) continue;
    const auto& bound = function->second.bound_inputs();
    std::vector<std::string> data_inputs;
    for (const std::string& input : node.input()) {
      if (!input.empty() && input[0] != '^') data_inputs.push_back(input);
    }
    if (bound.size() > static_cast<int>(data_inputs.size())) continue;
    size_t first_capture = data_inputs.size() - bound.size();
    for (int i = 0; i < bound.size(); ++i) {
      int object = bound[i];
      if (object < 0 || object >= object_graph.nodes_size()) continue;
      for (const auto& attribute : object_graph.nodes(object).attributes()) {
        if (attribute.name() != kVariableValueAttribute) continue;
        std::string handle = SplitTensorName(data_inputs[first_capture + i]).first;
        keys[handle] = attribute.checkpoint_key();
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<TfSignatureTensor> SignatureTensor(const std::string& key, const tensorflow::TensorInfo& info,
                                                  const std::string& flat, const std::string& path) {
  TfSignatureTensor tensor;
  tensor.key = key;
  auto [node, index] = SplitTensorName(flat);
  tensor.node = node;
  tensor.output_index = index;
  tensor.dtype = info.dtype();
  tensor.unknown_rank = info.tensor_shape().unknown_rank();
  for (const auto& dim : info.tensor_shape().dim()) tensor.shape.push_back(dim.size() < 0 ? -1 : dim.size());
  return tensor;
}

}  // namespace

absl::StatusOr<TfGraph> LoadSavedModel(const std::string& dir, const SavedModelOptions& options) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) {
    return absl::NotFoundError(absl::StrCat(dir, ": not a SavedModel directory (no such directory)"));
  }
  std::string pb_path = (std::filesystem::path(dir) / "saved_model.pb").string();
  if (!std::filesystem::exists(pb_path, error)) {
    if (std::filesystem::exists(std::filesystem::path(dir) / "saved_model.pbtxt", error)) {
      return absl::UnimplementedError(absl::StrCat(dir, ": text SavedModels (saved_model.pbtxt) are not supported"));
    }
    return absl::NotFoundError(absl::StrCat(dir, ": no saved_model.pb (not a SavedModel directory)"));
  }
  tensorflow::SavedModel model;
  if (absl::Status s = ReadBinaryProto(pb_path, "SavedModel", model); !s.ok()) return s;
  absl::StatusOr<const tensorflow::MetaGraphDef*> meta_graph = SelectMetaGraph(model, pb_path, options.tags);
  if (!meta_graph.ok()) return meta_graph.status();
  absl::StatusOr<const tensorflow::SignatureDef*> signature =
      SelectSignature(**meta_graph, pb_path, options.signature);
  if (!signature.ok()) return signature.status();

  std::string variables_prefix = (std::filesystem::path(dir) / "variables" / "variables").string();
  std::optional<TensorBundle> bundle;
  if (std::filesystem::exists(variables_prefix + ".index", error)) {
    absl::StatusOr<TensorBundle> opened = TensorBundle::Open(variables_prefix);
    if (!opened.ok()) return opened.status();
    bundle = *std::move(opened);
  }

  FlattenOptions flatten;
  flatten.source = dir;
  flatten.graph = &(*meta_graph)->graph_def();
  flatten.op_list = (*meta_graph)->meta_info_def().stripped_op_list();
  flatten.bundle = bundle ? &*bundle : nullptr;
  if (bundle) {
    if (absl::Status s = BindCapturedVariables(**meta_graph, *bundle, flatten.variable_keys); !s.ok()) return s;
  }

  // Proto maps are unordered: sort by key so inputs/outputs are stable.
  auto sorted = [](const google::protobuf::Map<std::string, tensorflow::TensorInfo>& map) {
    std::vector<std::pair<std::string, const tensorflow::TensorInfo*>> items;
    for (const auto& [key, info] : map) items.emplace_back(key, &info);
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return items;
  };
  auto inputs = sorted((*signature)->inputs());
  auto outputs = sorted((*signature)->outputs());
  std::vector<std::string> roots;
  for (const auto* items : {&inputs, &outputs}) {
    for (const auto& [key, info] : *items) {
      if (info->name().empty()) {
        return absl::UnimplementedError(absl::StrCat(dir, ": signature '", options.signature, "' tensor '", key,
                                                     "' is a sparse or composite tensor"));
      }
      roots.push_back(info->name());
    }
  }
  // Inputs that are not Placeholders are fed as TF feeds them: the tensor is
  // replaced and what computed it (tf.Example parsing, defaults) drops out.
  absl::flat_hash_map<std::string, const tensorflow::NodeDef*> top_nodes;
  for (const auto& node : (*meta_graph)->graph_def().node()) top_nodes[node.name()] = &node;
  std::vector<tensorflow::NodeDef> fed_placeholders;
  for (const auto& [key, info] : inputs) {
    auto node = top_nodes.find(SplitTensorName(info->name()).first);
    if (node == top_nodes.end()) {
      return absl::InvalidArgumentError(absl::StrCat(pb_path, ": signature '", options.signature, "' input '", key,
                                                     "' names missing tensor '", info->name(), "'"));
    }
    if (node->second->op() == "Placeholder") continue;
    fed_placeholders.push_back(CutAtTensor(info->name(), info->dtype(), info->tensor_shape(), flatten));
  }

  TfGraph graph;
  graph.source = dir;
  graph.signature_name = options.signature;
  graph.producer = (*meta_graph)->graph_def().versions().producer();
  absl::StatusOr<std::vector<std::string>> flat = FlattenGraph(flatten, roots, graph);
  if (!flat.ok()) return flat.status();
  for (tensorflow::NodeDef& placeholder : fed_placeholders) graph.nodes.push_back(std::move(placeholder));

  std::vector<std::string> unresolved = UnresolvedVariables(graph);
  if (!unresolved.empty()) {
    if (!bundle) {
      return absl::NotFoundError(absl::StrCat(variables_prefix, ".index: checkpoint not found, but signature '",
                                              options.signature, "' reads variables: ", ListNames(unresolved)));
    }
    return absl::NotFoundError(absl::StrCat(dir, ": signature '", options.signature,
                                            "' reads variables the checkpoint does not hold: ", ListNames(unresolved)));
  }
  size_t next = 0;
  for (auto* items : {&inputs, &outputs}) {
    for (const auto& [key, info] : *items) {
      absl::StatusOr<TfSignatureTensor> tensor = SignatureTensor(key, *info, (*flat)[next++], dir);
      if (!tensor.ok()) return tensor.status();
      (items == &inputs ? graph.inputs : graph.outputs).push_back(*std::move(tensor));
    }
  }
  spdlog::debug("{}: signature '{}': {} nodes, {} checkpoint tensors, {} functions kept", dir, options.signature,
                graph.nodes.size(), graph.constants.size(), graph.library.function_size());
  return graph;
}

}  // namespace optconv::tf_import
