// SavedModel / frozen GraphDef loading: --inputs parsing, tag and signature
// selection errors, function inlining on hand-built graphs, and every real
// model in /work/shared/models flattened into a well-formed TfGraph.
#include "importers/savedmodel/tf_loader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "importers/savedmodel/graph_flattener.h"
#include "importers/savedmodel/proto/graph.pb.h"

namespace optconv::tf_import {
namespace {

namespace fs = std::filesystem;

fs::path SharedModels() {
  const char* env = std::getenv("OPTCONV_SHARED_MODELS");
  return env ? fs::path(env) : fs::path("/work/shared/models");
}

#define SKIP_WITHOUT_SHARED_MODELS()                                                           \
  if (!fs::is_directory(SharedModels() / "savedmodel")) {                                      \
    GTEST_SKIP() << SharedModels() / "savedmodel" << " is absent (set OPTCONV_SHARED_MODELS)"; \
  }

bool Contains(absl::string_view text, absl::string_view part) { return text.find(part) != absl::string_view::npos; }

TEST(TfGraphDefInputTest, ParsesNamesAndShapes) {
  auto parse = [](const std::string& item) { return ParseGraphDefInput(item); };
  absl::StatusOr<GraphDefTensorSpec> plain = parse("x");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->name, "x");
  EXPECT_FALSE(plain->has_shape);

  absl::StatusOr<GraphDefTensorSpec> output = parse("x:5");
  ASSERT_TRUE(output.ok());
  EXPECT_EQ(output->name, "x:5");
  EXPECT_FALSE(output->has_shape);

  absl::StatusOr<GraphDefTensorSpec> bracketed = parse("input:[1,224,224,3]");
  ASSERT_TRUE(bracketed.ok());
  EXPECT_EQ(bracketed->name, "input");
  EXPECT_EQ(bracketed->shape, (std::vector<int64_t>{1, 224, 224, 3}));

  absl::StatusOr<GraphDefTensorSpec> bare = parse("x:0:?,28, -1");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->name, "x:0");
  EXPECT_EQ(bare->shape, (std::vector<int64_t>{-1, 28, -1}));

  absl::StatusOr<GraphDefTensorSpec> vector = parse("x:[5]");
  ASSERT_TRUE(vector.ok());
  EXPECT_EQ(vector->shape, std::vector<int64_t>{5});

  absl::StatusOr<GraphDefTensorSpec> scalar = parse("x:[]");
  ASSERT_TRUE(scalar.ok());
  EXPECT_TRUE(scalar->has_shape);
  EXPECT_TRUE(scalar->shape.empty());

  for (const std::string bad : {"", ":[1]", "x:[1,a]", "x:[1,2", "x:1,-2", "x:y", "x:-1"}) {
    absl::StatusOr<GraphDefTensorSpec> spec = parse(bad);
    ASSERT_FALSE(spec.ok()) << "'" << bad << "' parsed";
    EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(Contains(spec.status().message(), "'" + bad + "'")) << spec.status();
  }
}

TEST(TfSavedModelTest, MissingDirectoryAndSavedModelPb) {
  fs::path empty = fs::temp_directory_path() / ("tf_loader_empty_" + std::to_string(std::random_device{}()));
  fs::create_directories(empty);
  absl::StatusOr<TfGraph> graph = LoadSavedModel(empty.string(), {});
  EXPECT_EQ(graph.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Contains(graph.status().message(), empty.string() + ": no saved_model.pb")) << graph.status();
  fs::remove_all(empty);
  graph = LoadSavedModel(empty.string(), {});
  EXPECT_EQ(graph.status().code(), absl::StatusCode::kNotFound);
}

TEST(TfSavedModelTest, UnknownTagListsAvailableTagSets) {
  SKIP_WITHOUT_SHARED_MODELS();
  SavedModelOptions options;
  options.tags = {"serve", "gpu"};
  std::string dir = (SharedModels() / "savedmodel" / "tinyml_basic_linear").string();
  absl::StatusOr<TfGraph> graph = LoadSavedModel(dir, options);
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Contains(graph.status().message(), "saved_model.pb: no MetaGraph with tag set [gpu,serve]"))
      << graph.status();
  EXPECT_TRUE(Contains(graph.status().message(), "available tag sets: [serve]")) << graph.status();
}

TEST(TfSavedModelTest, UnknownSignatureListsAvailableSignatures) {
  SKIP_WITHOUT_SHARED_MODELS();
  SavedModelOptions options;
  options.signature = "predict_nothing";
  std::string dir = (SharedModels() / "savedmodel" / "serving_half_plus_two_tf2_cpu").string();
  absl::StatusOr<TfGraph> graph = LoadSavedModel(dir, options);
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Contains(graph.status().message(), "no signature 'predict_nothing'")) << graph.status();
  EXPECT_TRUE(Contains(graph.status().message(), "regress_x_to_y")) << graph.status();
  EXPECT_TRUE(Contains(graph.status().message(), "serving_default")) << graph.status();
  EXPECT_FALSE(Contains(graph.status().message(), "__saved_model_init_op")) << graph.status();
}

TEST(TfSavedModelTest, SelectsAnotherSignature) {
  SKIP_WITHOUT_SHARED_MODELS();
  SavedModelOptions options;
  options.signature = "regress_x_to_y";
  absl::StatusOr<TfGraph> graph =
      LoadSavedModel((SharedModels() / "savedmodel" / "serving_half_plus_two_tf2_cpu").string(), options);
  ASSERT_TRUE(graph.ok()) << graph.status();
  EXPECT_EQ(graph->signature_name, "regress_x_to_y");
  ASSERT_EQ(graph->inputs.size(), 1u);
  EXPECT_EQ(graph->inputs[0].dtype, tensorflow::DT_STRING);  // serialized tf.Example
  bool parses = false;
  for (const auto& node : graph->nodes) parses |= node.op() == "ParseExampleV2";
  EXPECT_TRUE(parses);
}

/// Structural invariants of tf_graph.h for any loaded graph.
void ExpectWellFormed(const TfGraph& graph) {
  absl::flat_hash_map<std::string, const tensorflow::NodeDef*> nodes;
  for (const auto& node : graph.nodes) {
    EXPECT_TRUE(nodes.emplace(node.name(), &node).second) << "duplicate node " << node.name();
    for (const char* op : {"Identity", "NoOp", "VarHandleOp", "ReadVariableOp", "VariableV2"}) {
      EXPECT_NE(node.op(), op) << node.name();
    }
    if ((node.op() == "StatefulPartitionedCall" || node.op() == "PartitionedCall")) {
      bool kept = false;
      for (const auto& fn : graph.library.function()) {
        kept |= fn.signature().name() == node.attr().at("f").func().name() && fn.attr().contains("api_implements");
      }
      EXPECT_TRUE(kept) << node.name() << " is a call that should have been inlined";
    }
  }
  for (const auto& node : graph.nodes) {
    for (const std::string& input : node.input()) {
      ASSERT_FALSE(input.empty());
      EXPECT_NE(input[0], '^') << node.name();
      auto [producer, index] = SplitTensorName(input);
      EXPECT_GE(index, 0) << input;
      EXPECT_TRUE(nodes.contains(producer)) << node.name() << " reads missing " << input;
    }
  }
  for (const auto& [name, data] : graph.constants) {
    ASSERT_TRUE(nodes.contains(name)) << name;
    EXPECT_EQ(nodes.at(name)->op(), "Const");
    EXPECT_EQ(nodes.at(name)->attr().at("dtype").type(), data.dtype);
  }
  // Every node is needed by an output (or is a signature input).
  absl::flat_hash_set<std::string> reached;
  std::vector<std::string> stack;
  for (const auto& output : graph.outputs) {
    ASSERT_TRUE(nodes.contains(output.node)) << output.key;
    stack.push_back(output.node);
  }
  for (const auto& input : graph.inputs) {
    ASSERT_TRUE(nodes.contains(input.node)) << input.key;
    EXPECT_EQ(nodes.at(input.node)->op(), "Placeholder") << input.key;
    stack.push_back(input.node);
  }
  while (!stack.empty()) {
    std::string name = stack.back();
    stack.pop_back();
    if (!reached.insert(name).second) continue;
    for (const std::string& input : nodes.at(name)->input()) stack.push_back(SplitTensorName(input).first);
  }
  EXPECT_EQ(reached.size(), graph.nodes.size());
}

TEST(TfSavedModelTest, EveryRealSavedModelFlattens) {
  SKIP_WITHOUT_SHARED_MODELS();
  int loaded = 0;
  for (const auto& entry : fs::directory_iterator(SharedModels() / "savedmodel")) {
    SCOPED_TRACE(entry.path().string());
    absl::StatusOr<TfGraph> graph = LoadSavedModel(entry.path().string(), {});
    ASSERT_TRUE(graph.ok()) << graph.status();
    EXPECT_FALSE(graph->inputs.empty());
    EXPECT_FALSE(graph->outputs.empty());
    EXPECT_FALSE(graph->constants.empty()) << "no variable was read from the checkpoint";
    ExpectWellFormed(*graph);
    ++loaded;
  }
  EXPECT_GE(loaded, 1);
}

TEST(TfSavedModelTest, StrippedDefaultAttrsAreRestored) {
  SKIP_WITHOUT_SHARED_MODELS();
  // TF 2.15 Keras export with stripped_default_attrs: Conv2D has no "dilations" in the file.
  absl::StatusOr<TfGraph> graph = LoadSavedModel((SharedModels() / "savedmodel" / "kroax_denoiser_ae").string(), {});
  ASSERT_TRUE(graph.ok()) << graph.status();
  int convs = 0;
  for (const auto& node : graph->nodes) {
    if (node.op() != "Conv2D") continue;
    ++convs;
    ASSERT_TRUE(node.attr().contains("dilations")) << node.name();
    EXPECT_EQ(node.attr().at("dilations").list().i_size(), 4);
    EXPECT_EQ(node.attr().at("data_format").s(), "NHWC");
  }
  EXPECT_EQ(convs, 5);
}

TEST(TfSavedModelTest, KerasLstmCallIsKeptWithItsFunctions) {
  SKIP_WITHOUT_SHARED_MODELS();
  absl::StatusOr<TfGraph> graph =
      LoadSavedModel((SharedModels() / "savedmodel" / "tfnet_lstm_from_sequential").string(), {});
  ASSERT_TRUE(graph.ok()) << graph.status();
  int calls = 0;
  for (const auto& node : graph->nodes) {
    if (node.op() != "PartitionedCall" && node.op() != "StatefulPartitionedCall") continue;
    ++calls;
    // The LSTM weights enter the call as checkpoint-backed constants.
    int constant_inputs = 0;
    for (const std::string& input : node.input()) constant_inputs += graph->constants.contains(input);
    EXPECT_EQ(constant_inputs, 3) << node.DebugString();
  }
  EXPECT_EQ(calls, 1);
  EXPECT_GE(graph->library.function_size(), 2);  // the LSTM function and its While body/cond
}

TEST(TfGraphDefTest, EveryRealGraphDefFlattens) {
  SKIP_WITHOUT_SHARED_MODELS();
  for (const auto& dir : fs::directory_iterator(SharedModels() / "graphdef")) {
    for (const auto& file : fs::directory_iterator(dir.path())) {
      if (file.path().extension() != ".pb") continue;
      SCOPED_TRACE(file.path().string());
      absl::StatusOr<TfGraph> graph = LoadFrozenGraphDef(file.path().string(), {});
      ASSERT_TRUE(graph.ok()) << graph.status();
      EXPECT_FALSE(graph->outputs.empty());
      ExpectWellFormed(*graph);
    }
  }
}

TEST(TfGraphDefTest, OutputsAndInputShapesFromOptions) {
  SKIP_WITHOUT_SHARED_MODELS();
  GraphDefOptions options;
  options.outputs = {"y:0"};
  absl::StatusOr<GraphDefTensorSpec> input = ParseGraphDefInput("x:[1,784]");
  ASSERT_TRUE(input.ok());
  options.inputs = {*input};
  absl::StatusOr<TfGraph> graph =
      LoadFrozenGraphDef((SharedModels() / "graphdef" / "tf1_mnist_mlp_frozen" / "mnist.pb").string(), options);
  ASSERT_TRUE(graph.ok()) << graph.status();
  ASSERT_EQ(graph->outputs.size(), 1u);
  EXPECT_EQ(graph->outputs[0].key, "y");
  ASSERT_EQ(graph->inputs.size(), 1u);  // the labels y_ only feed 'accuracy'
  EXPECT_EQ(graph->inputs[0].shape, (std::vector<int64_t>{1, 784}));
  ExpectWellFormed(*graph);
  for (const auto& node : graph->nodes) {
    if (node.name() == "x") EXPECT_EQ(node.attr().at("shape").shape().dim(0).size(), 1);
  }

  options.outputs = {"no_such_node"};
  graph = LoadFrozenGraphDef((SharedModels() / "graphdef" / "tf1_mnist_mlp_frozen" / "mnist.pb").string(), options);
  ASSERT_FALSE(graph.ok());
  EXPECT_TRUE(Contains(graph.status().message(), "mnist.pb: output 'no_such_node' names no node")) << graph.status();
}

// Hand-built graphs: a temp .pb per test.
class TfHandBuiltGraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() / ("tf_loader_graph_" + std::to_string(std::random_device{}()) + ".pb")).string();
  }
  void TearDown() override { fs::remove(path_); }
  absl::StatusOr<TfGraph> Load(const tensorflow::GraphDef& graph, const GraphDefOptions& options = {}) {
    std::ofstream(path_, std::ios::binary) << graph.SerializeAsString();
    return LoadFrozenGraphDef(path_, options);
  }
  static tensorflow::NodeDef* Node(tensorflow::GraphDef& graph, const std::string& name, const std::string& op,
                                   std::vector<std::string> inputs = {}) {
    tensorflow::NodeDef* node = graph.add_node();
    node->set_name(name);
    node->set_op(op);
    for (const std::string& input : inputs) node->add_input(input);
    (*node->mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
    return node;
  }
  std::string path_;
};

TEST_F(TfHandBuiltGraphTest, InlinesCallsAndMapsOutputArgs) {
  tensorflow::GraphDef graph;
  tensorflow::NodeDef* x = Node(graph, "x", "Placeholder");
  (*x->mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
  Node(graph, "axis", "Const");
  Node(graph, "call", "StatefulPartitionedCall", {"axis", "x", "^x"})->mutable_attr()->operator[]("f").mutable_func()->set_name("outer");
  Node(graph, "result", "Relu", {"call:1"});

  // outer(axis, v): s = Split(axis, v) x3; n = Neg(s:2); return (s:0 via inner(), Identity(n)).
  tensorflow::FunctionDef* outer = graph.mutable_library()->add_function();
  outer->mutable_signature()->set_name("outer");
  outer->mutable_signature()->add_input_arg()->set_name("axis");
  outer->mutable_signature()->add_input_arg()->set_name("v");
  outer->mutable_signature()->add_output_arg()->set_name("first");
  outer->mutable_signature()->add_output_arg()->set_name("negated");
  tensorflow::NodeDef* split = outer->add_node_def();
  split->set_name("s");
  split->set_op("Split");
  split->add_input("axis");
  split->add_input("v");
  (*split->mutable_attr())["num_split"].set_i(3);
  tensorflow::NodeDef* neg = outer->add_node_def();
  neg->set_name("n");
  neg->set_op("Neg");
  neg->add_input("s:output:2");
  tensorflow::NodeDef* id = outer->add_node_def();
  id->set_name("id");
  id->set_op("Identity");
  id->add_input("n:y:0");
  id->add_input("^s");
  tensorflow::NodeDef* inner_call = outer->add_node_def();
  inner_call->set_name("inner_call");
  inner_call->set_op("inner");  // a call by function name
  inner_call->add_input("s:output:0");
  (*outer->mutable_ret())["first"] = "inner_call:out:0";
  (*outer->mutable_ret())["negated"] = "id:output:0";

  tensorflow::FunctionDef* inner = graph.mutable_library()->add_function();
  inner->mutable_signature()->set_name("inner");
  inner->mutable_signature()->add_input_arg()->set_name("a");
  inner->mutable_signature()->add_output_arg()->set_name("out");
  tensorflow::NodeDef* tanh = inner->add_node_def();
  tanh->set_name("t");
  tanh->set_op("Tanh");
  tanh->add_input("a");
  (*inner->mutable_ret())["out"] = "t:y:0";

  GraphDefOptions options;
  options.outputs = {"result", "call"};
  absl::StatusOr<TfGraph> loaded = Load(graph, options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  absl::flat_hash_map<std::string, const tensorflow::NodeDef*> nodes;
  for (const auto& node : loaded->nodes) nodes[node.name()] = &node;
  ASSERT_TRUE(nodes.contains("call/s") && nodes.contains("call/n") && nodes.contains("call/inner_call/t"));
  EXPECT_EQ(nodes.at("call/s")->input(0), "axis");
  EXPECT_EQ(nodes.at("call/s")->input(1), "x");
  EXPECT_EQ(nodes.at("call/n")->input(0), "call/s:2");                 // "s:output:2"
  EXPECT_EQ(nodes.at("call/inner_call/t")->input(0), "call/s");        // "s:output:0"
  EXPECT_EQ(nodes.at("result")->input(0), "call/n");                   // call:1 -> Identity -> Neg
  EXPECT_EQ(loaded->outputs[1].node, "call/inner_call/t");             // call:0
  EXPECT_EQ(loaded->library.function_size(), 0);
  ExpectWellFormed(*loaded);
}

TEST_F(TfHandBuiltGraphTest, GraphWithVariablesIsRefused) {
  tensorflow::GraphDef graph;
  Node(graph, "x", "Placeholder")->mutable_attr()->operator[]("dtype").set_type(tensorflow::DT_FLOAT);
  Node(graph, "w", "VariableV2");
  Node(graph, "w/read", "Identity", {"w"});
  Node(graph, "y", "Mul", {"x", "w/read"});
  absl::StatusOr<TfGraph> loaded = Load(graph);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_TRUE(Contains(loaded.status().message(), "still holds variables (w)")) << loaded.status();
  EXPECT_TRUE(Contains(loaded.status().message(), "SavedModel directory")) << loaded.status();
}

TEST_F(TfHandBuiltGraphTest, InputCutsTheGraph) {
  tensorflow::GraphDef graph;
  Node(graph, "x", "Placeholder")->mutable_attr()->operator[]("dtype").set_type(tensorflow::DT_FLOAT);
  Node(graph, "pre", "Exp", {"x"});
  Node(graph, "y", "Relu", {"pre"});
  GraphDefOptions options;
  absl::StatusOr<GraphDefTensorSpec> cut = ParseGraphDefInput("pre:[2,3]");
  ASSERT_TRUE(cut.ok());
  options.inputs = {*cut};
  absl::StatusOr<TfGraph> loaded = Load(graph, options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->nodes.size(), 2u);  // the new Placeholder and y; x and Exp drop out
  ASSERT_EQ(loaded->inputs.size(), 1u);
  EXPECT_EQ(loaded->inputs[0].shape, (std::vector<int64_t>{2, 3}));
  ExpectWellFormed(*loaded);
}

TEST_F(TfHandBuiltGraphTest, CorruptFileIsInvalid) {
  std::ofstream(path_, std::ios::binary) << std::string("\xff\xff\xff\xff garbage", 12);
  absl::StatusOr<TfGraph> loaded = LoadFrozenGraphDef(path_, {});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(loaded.status().message(), path_ + ": ")) << loaded.status();
}

}  // namespace
}  // namespace optconv::tf_import
