#pragma once
// Builds small ONNX ModelProtos in C++ and writes them to a temporary
// directory, for importer tests.
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "onnx/onnx_pb.h"

namespace optconv::testing {

/// A fresh directory under the system temp dir (removed by the caller if wanted).
inline std::string MakeTempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "optconv_onnx_XXXXXX").string();
  char* dir = mkdtemp(tmpl.data());
  return dir == nullptr ? std::string() : std::string(dir);
}

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

class OnnxModelBuilder {
 public:
  explicit OnnxModelBuilder(int64_t opset = 13, int64_t ir_version = 8) {
    model_.set_ir_version(ir_version);
    model_.set_producer_name("optconv-test");
    auto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }

  onnx::ModelProto& model() { return model_; }
  onnx::GraphProto& graph() { return *model_.mutable_graph(); }

  /// A tensor input; a negative dim becomes the symbolic dim "N".
  void Input(const std::string& name, std::vector<int64_t> dims,
             int elem_type = onnx::TensorProto::FLOAT) {
    SetValueInfo(graph().add_input(), name, dims, elem_type);
  }
  void Output(const std::string& name, int elem_type = onnx::TensorProto::FLOAT) {
    auto* v = graph().add_output();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(elem_type);
  }

  onnx::NodeProto& Node(const std::string& op_type, std::vector<std::string> inputs,
                        std::vector<std::string> outputs, const std::string& name = "") {
    onnx::NodeProto* n = graph().add_node();
    n->set_op_type(op_type);
    if (!name.empty()) n->set_name(name);
    for (auto& i : inputs) n->add_input(i);
    for (auto& o : outputs) n->add_output(o);
    return *n;
  }

  onnx::TensorProto& InitFloats(const std::string& name, std::vector<int64_t> dims,
                                std::vector<float> values, bool raw = true) {
    onnx::TensorProto* t = graph().add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    if (raw) {
      t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()),
                                  values.size() * sizeof(float)));
    } else {
      for (float v : values) t->add_float_data(v);
    }
    return *t;
  }
  onnx::TensorProto& InitInt64s(const std::string& name, std::vector<int64_t> dims,
                                std::vector<int64_t> values) {
    onnx::TensorProto* t = graph().add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    for (int64_t d : dims) t->add_dims(d);
    for (int64_t v : values) t->add_int64_data(v);
    return *t;
  }

  static void AttrInt(onnx::NodeProto& n, const std::string& name, int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void AttrInts(onnx::NodeProto& n, const std::string& name, std::vector<int64_t> v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void AttrFloat(onnx::NodeProto& n, const std::string& name, float v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void AttrString(onnx::NodeProto& n, const std::string& name, const std::string& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }

  std::string Bytes() const { return model_.SerializeAsString(); }
  /// Serialises into `dir`/`file` and returns the path.
  std::string Write(const std::string& dir, const std::string& file = "model.onnx") const {
    std::string path = (std::filesystem::path(dir) / file).string();
    WriteBytes(path, Bytes());
    return path;
  }

 private:
  static void SetValueInfo(onnx::ValueInfoProto* v, const std::string& name,
                           const std::vector<int64_t>& dims, int elem_type) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem_type);
    auto* shape = tt->mutable_shape();
    for (int64_t d : dims) {
      auto* dim = shape->add_dim();
      if (d < 0) dim->set_dim_param("N");
      else dim->set_dim_value(d);
    }
  }

  onnx::ModelProto model_;
};

}  // namespace optconv::testing
