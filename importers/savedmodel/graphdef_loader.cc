// LoadFrozenGraphDef: a binary GraphDef whose variables are constants.
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "importers/savedmodel/graph_flattener.h"
#include "importers/savedmodel/proto/graph.pb.h"
#include "importers/savedmodel/tf_loader.h"
#include "importers/savedmodel/tf_proto_file.h"

namespace optconv::tf_import {
namespace {

/// Ops that end a graph without being a model output (bookkeeping, saving,
/// initialisation), or that are never outputs on their own.
bool IsBookkeepingOp(const std::string& op) {
  static const auto* ops = new absl::flat_hash_set<std::string>{
      "NoOp", "Const", "Placeholder", "PlaceholderWithDefault", "Assign", "AssignAdd", "AssignSub",
      "AssignVariableOp", "VarIsInitializedOp", "IsVariableInitialized", "VariableV2", "VarHandleOp",
      "SaveV2", "Save", "SaveSlices", "RestoreV2", "Restore", "RestoreSlice", "MergeV2Checkpoints"};
  return ops->contains(op);
}

/// Nodes no other node reads (through data inputs), in graph order.
std::vector<std::string> SinkNodes(const tensorflow::GraphDef& graph) {
  absl::flat_hash_set<std::string> consumed;
  for (const auto& node : graph.node()) {
    for (const std::string& input : node.input()) {
      if (!input.empty() && input[0] != '^') consumed.insert(SplitTensorName(input).first);
    }
  }
  std::vector<std::string> sinks;
  for (const auto& node : graph.node()) {
    if (!consumed.contains(node.name()) && !IsBookkeepingOp(node.op())) sinks.push_back(node.name());
  }
  return sinks;
}

/// The dtype attr that most ops use for their (first) output.
tensorflow::DataType OutputDtype(const tensorflow::NodeDef& node) {
  for (const char* attr : {"dtype", "T", "out_type", "DstT", "output_type", "Tout"}) {
    auto it = node.attr().find(attr);
    if (it != node.attr().end() && it->second.value_case() == tensorflow::AttrValue::kType) return it->second.type();
  }
  return tensorflow::DT_INVALID;
}

void SetShape(TfSignatureTensor& tensor, const tensorflow::TensorShapeProto& shape) {
  tensor.unknown_rank = shape.unknown_rank();
  tensor.shape.clear();
  for (const auto& dim : shape.dim()) tensor.shape.push_back(dim.size() < 0 ? -1 : dim.size());
}

std::string NormalizedTensor(const std::string& tensor) {
  auto [node, index] = SplitTensorName(tensor);
  return index == 0 ? node : tensor;
}

}  // namespace

absl::StatusOr<TfGraph> LoadFrozenGraphDef(const std::string& path, const GraphDefOptions& options) {
  tensorflow::GraphDef graph_def;
  if (absl::Status s = ReadBinaryProto(path, "GraphDef", graph_def); !s.ok()) return s;
  if (graph_def.node_size() == 0) return absl::InvalidArgumentError(absl::StrCat(path, ": the GraphDef holds no nodes"));
  absl::flat_hash_map<std::string, const tensorflow::NodeDef*> nodes;
  for (const auto& node : graph_def.node()) nodes[node.name()] = &node;
  auto find_node = [&](const std::string& tensor, const char* role) -> absl::StatusOr<const tensorflow::NodeDef*> {
    auto [name, index] = SplitTensorName(tensor);
    auto it = nodes.find(name);
    if (index < 0 || it == nodes.end()) {
      return absl::NotFoundError(absl::StrCat(path, ": ", role, " '", tensor, "' names no node of the graph"));
    }
    return it->second;
  };

  std::vector<std::string> outputs;
  for (const std::string& output : options.outputs.empty() ? SinkNodes(graph_def) : options.outputs) {
    absl::StatusOr<const tensorflow::NodeDef*> node = find_node(output, "output");
    if (!node.ok()) return node.status();
    outputs.push_back(NormalizedTensor(output));
  }
  if (outputs.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no output found; pass --outputs"));

  TfGraph graph;
  graph.source = path;
  graph.producer = graph_def.versions().producer();
  FlattenOptions flatten;
  flatten.source = path;
  flatten.graph = &graph_def;

  // Inputs named by the user: Placeholders keep their node; an inner tensor
  // is cut off and fed by a new Placeholder.
  std::vector<std::string> roots = outputs;
  std::vector<tensorflow::NodeDef> cut_placeholders;
  for (const GraphDefTensorSpec& spec : options.inputs) {
    absl::StatusOr<const tensorflow::NodeDef*> node = find_node(spec.name, "input");
    if (!node.ok()) return node.status();
    TfSignatureTensor input;
    input.key = NormalizedTensor(spec.name);
    auto [name, index] = SplitTensorName(input.key);
    if ((*node)->op() == "Placeholder") {
      input.node = name;
      input.output_index = index;
      input.dtype = OutputDtype(**node);
      if (auto it = (*node)->attr().find("shape"); it != (*node)->attr().end()) SetShape(input, it->second.shape());
      else input.unknown_rank = true;
      roots.push_back(input.key);
    } else {
      input.dtype = OutputDtype(**node);
      if (input.dtype == tensorflow::DT_INVALID) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": input '", spec.name, "' is output of a ", (*node)->op(),
                                                       " node whose dtype is unknown; cut at a Placeholder"));
      }
      tensorflow::TensorShapeProto unknown;
      unknown.set_unknown_rank(true);
      cut_placeholders.push_back(CutAtTensor(input.key, input.dtype, unknown, flatten));
      input.node = cut_placeholders.back().name();
      input.unknown_rank = true;
    }
    if (spec.has_shape) {
      input.unknown_rank = false;
      input.shape = spec.shape;
    }
    graph.inputs.push_back(std::move(input));
  }

  absl::StatusOr<std::vector<std::string>> flat = FlattenGraph(flatten, roots, graph);
  if (!flat.ok()) return flat.status();
  std::vector<std::string> variables = UnresolvedVariables(graph);
  if (!variables.empty()) {
    return absl::UnimplementedError(absl::StrCat(path, ": the graph still holds variables (",
                                                 absl::StrJoin(variables, ", "),
                                                 "); freeze it, or pass the SavedModel directory instead"));
  }
  for (tensorflow::NodeDef& placeholder : cut_placeholders) graph.nodes.push_back(std::move(placeholder));

  if (options.inputs.empty()) {
    absl::flat_hash_set<std::string> kept;
    for (const auto& node : graph.nodes) kept.insert(node.name());
    for (const auto& node : graph_def.node()) {
      if (node.op() != "Placeholder" || !kept.contains(node.name())) continue;
      TfSignatureTensor input;
      input.key = input.node = node.name();
      input.dtype = OutputDtype(node);
      if (auto it = node.attr().find("shape"); it != node.attr().end()) SetShape(input, it->second.shape());
      else input.unknown_rank = true;
      graph.inputs.push_back(std::move(input));
    }
  }
  // Placeholder shapes follow the signature, so converters see one truth.
  absl::flat_hash_map<std::string, const TfSignatureTensor*> input_by_node;
  for (const auto& input : graph.inputs) input_by_node[input.node] = &input;
  absl::flat_hash_map<std::string, const tensorflow::NodeDef*> flat_nodes;
  for (auto& node : graph.nodes) {
    flat_nodes[node.name()] = &node;
    auto it = input_by_node.find(node.name());
    if (it == input_by_node.end() || node.op() != "Placeholder") continue;
    tensorflow::TensorShapeProto* shape = (*node.mutable_attr())["shape"].mutable_shape();
    shape->Clear();
    if (it->second->unknown_rank) shape->set_unknown_rank(true);
    for (int64_t dim : it->second->shape) shape->add_dim()->set_size(dim);
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    TfSignatureTensor output;
    output.key = outputs[i];
    auto [node, index] = SplitTensorName((*flat)[i]);
    output.node = node;
    output.output_index = index;
    if (auto it = flat_nodes.find(node); it != flat_nodes.end() && index == 0) output.dtype = OutputDtype(*it->second);
    output.unknown_rank = true;
    graph.outputs.push_back(std::move(output));
  }
  return graph;
}

}  // namespace optconv::tf_import
