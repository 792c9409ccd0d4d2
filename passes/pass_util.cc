#include "passes/pass_util.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace optconv {

bool IsIdentityPerm(const Perm& perm) {
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] != static_cast<int>(i)) return false;
  }
  return true;
}

Perm IdentityPerm(int rank) {
  Perm p(static_cast<size_t>(rank));
  std::iota(p.begin(), p.end(), 0);
  return p;
}

Perm InversePerm(const Perm& perm) {
  Perm inv(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inv[static_cast<size_t>(perm[i])] = static_cast<int>(i);
  return inv;
}

Perm ComposePerms(const Perm& a, const Perm& b) {
  Perm r(b.size());
  for (size_t i = 0; i < b.size(); ++i) r[i] = a[static_cast<size_t>(b[i])];
  return r;
}

Shape PermuteShape(const Shape& shape, const Perm& perm) {
  Shape out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = shape[static_cast<size_t>(perm[i])];
  return out;
}

bool PermMovesOnlyUnitDims(const Shape& shape, const Perm& perm) {
  int last = -1;
  for (int axis : perm) {
    if (shape[static_cast<size_t>(axis)] == 1) continue;
    if (axis < last) return false;
    last = axis;
  }
  return true;
}

std::optional<std::vector<int64_t>> ConstInts(const Graph& graph, TensorId id) {
  if (id < 0 || id >= graph.num_tensors()) return std::nullopt;
  const Tensor& t = graph.tensor(id);
  if (!t.is_constant()) return std::nullopt;
  std::vector<int64_t> out;
  if (t.type == DataType::kInt32) {
    for (int32_t v : t.data->AsVector<int32_t>()) out.push_back(v);
  } else if (t.type == DataType::kInt64) {
    out = t.data->AsVector<int64_t>();
  } else {
    return std::nullopt;
  }
  auto n = NumElements(t.shape);
  if (!n || static_cast<int64_t>(out.size()) != *n) return std::nullopt;
  return out;
}

std::optional<Perm> TransposePerm(const Graph& graph, const Op& op) {
  if (op.kind != OpKind::kTranspose || op.inputs.size() != 2) return std::nullopt;
  auto values = ConstInts(graph, op.inputs[1]);
  if (!values) return std::nullopt;
  const Shape& in_shape = graph.tensor(op.inputs[0]).shape;
  if (values->size() != in_shape.size()) return std::nullopt;
  Perm perm;
  std::vector<bool> seen(values->size(), false);
  for (int64_t v : *values) {
    if (v < 0 || v >= static_cast<int64_t>(values->size()) || seen[static_cast<size_t>(v)]) {
      return std::nullopt;
    }
    seen[static_cast<size_t>(v)] = true;
    perm.push_back(static_cast<int>(v));
  }
  return perm;
}

std::optional<std::vector<float>> ConstFloats(const Graph& graph, TensorId id) {
  if (id < 0 || id >= graph.num_tensors()) return std::nullopt;
  const Tensor& t = graph.tensor(id);
  if (!t.is_constant() || t.type != DataType::kFloat32) return std::nullopt;
  auto n = NumElements(t.shape);
  if (!n || static_cast<size_t>(*n) * sizeof(float) != t.data->size()) return std::nullopt;
  return t.data->AsVector<float>();
}

BufferPtr TransposeBytes(const Buffer& data, const Shape& shape, size_t elem_size,
                         const Perm& perm) {
  const size_t rank = shape.size();
  Shape out_shape = PermuteShape(shape, perm);
  // Strides of the input, gathered in output-dim order.
  std::vector<int64_t> in_strides(rank, 1);
  for (size_t i = rank; i-- > 1;) in_strides[i - 1] = in_strides[i] * shape[i];
  std::vector<int64_t> strides(rank);
  for (size_t i = 0; i < rank; ++i) strides[i] = in_strides[static_cast<size_t>(perm[i])];
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  std::vector<uint8_t> out(static_cast<size_t>(total) * elem_size);
  std::vector<int64_t> index(rank, 0);
  const uint8_t* src = data.data();
  for (int64_t n = 0; n < total; ++n) {
    int64_t offset = 0;
    for (size_t i = 0; i < rank; ++i) offset += index[i] * strides[i];
    std::memcpy(out.data() + static_cast<size_t>(n) * elem_size,
                src + static_cast<size_t>(offset) * elem_size, elem_size);
    for (size_t i = rank; i-- > 0;) {
      if (++index[i] < out_shape[i]) break;
      index[i] = 0;
    }
  }
  return Buffer::FromVector(std::move(out));
}

TensorId AddInt32Vector(Graph& graph, const std::string& name, const std::vector<int32_t>& values) {
  return graph.AddConstantValues<int32_t>(graph.UniqueTensorName(name), DataType::kInt32,
                                          Shape{static_cast<int64_t>(values.size())}, values);
}

TensorId AddInt32Scalar(Graph& graph, const std::string& name, int32_t value) {
  std::vector<int32_t> v{value};
  return graph.AddConstantValues<int32_t>(graph.UniqueTensorName(name), DataType::kInt32, Shape{},
                                          v);
}

TensorId AddFloatConstant(Graph& graph, const std::string& name, const Shape& shape,
                          const std::vector<float>& values) {
  return graph.AddConstantValues<float>(graph.UniqueTensorName(name), DataType::kFloat32, shape,
                                        values);
}

TensorId RelayoutConstant(Graph& graph, TensorId id, int rank, const Perm& perm) {
  Tensor copy = graph.tensor(id);
  Shape shape = copy.shape;
  const int pad = rank - static_cast<int>(shape.size());
  shape.insert(shape.begin(), static_cast<size_t>(pad), 1);
  copy.data = TransposeBytes(*copy.data, shape, ElementSize(copy.type), perm);
  copy.shape = PermuteShape(shape, perm);
  if (copy.quant && copy.quant->per_axis()) {
    copy.quant->quantized_dimension = InversePerm(perm)[copy.quant->quantized_dimension + pad];
  }
  copy.name = graph.UniqueTensorName(copy.name + "_nhwc");
  return graph.AddTensor(std::move(copy));
}

Op MakeOp(OpKind kind, std::vector<TensorId> inputs, std::vector<TensorId> outputs,
          const SourceLoc& origin) {
  Op op;
  op.kind = kind;
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  op.options = DefaultOptions(kind);
  op.origin = origin;
  return op;
}

TensorId AppendTranspose(Graph& graph, TensorId input, const Perm& perm, const SourceLoc& origin,
                         const std::string& name_hint) {
  std::vector<int32_t> p(perm.begin(), perm.end());
  TensorId perm_id = AddInt32Vector(graph, name_hint + "_perm", p);
  const Tensor& in = graph.tensor(input);
  Tensor out;
  out.name = graph.UniqueTensorName(name_hint);
  out.type = in.type;
  out.shape = PermuteShape(in.shape, perm);
  if (in.quant) {
    out.quant = in.quant;
    if (out.quant->per_axis()) out.quant->quantized_dimension = InversePerm(perm)[in.quant->quantized_dimension];
  }
  TensorId out_id = graph.AddTensor(std::move(out));
  graph.AddOp(MakeOp(OpKind::kTranspose, {input, perm_id}, {out_id}, origin));
  return out_id;
}

std::optional<TensorId> AppendReshape(Graph& graph, TensorId input, const Shape& out_shape,
                                      const SourceLoc& origin, const std::string& name_hint) {
  std::vector<int32_t> dims;
  int unknown = 0;
  for (int64_t d : out_shape) {
    if (d < 0) ++unknown;
    dims.push_back(static_cast<int32_t>(d < 0 ? -1 : d));
  }
  if (unknown > 1) return std::nullopt;
  TensorId shape_id = AddInt32Vector(graph, name_hint + "_shape", dims);
  const Tensor& in = graph.tensor(input);
  Tensor out;
  out.name = graph.UniqueTensorName(name_hint);
  out.type = in.type;
  out.shape = out_shape;
  if (in.quant && !in.quant->per_axis()) out.quant = in.quant;
  TensorId out_id = graph.AddTensor(std::move(out));
  graph.AddOp(MakeOp(OpKind::kReshape, {input, shape_id}, {out_id}, origin));
  return out_id;
}

std::vector<int> UseCounts(const Graph& graph) {
  std::vector<int> count(static_cast<size_t>(graph.num_tensors()), 0);
  for (const Op& op : graph.ops()) {
    for (TensorId t : op.inputs) {
      if (t >= 0) ++count[static_cast<size_t>(t)];
    }
  }
  for (TensorId t : graph.outputs()) ++count[static_cast<size_t>(t)];
  return count;
}

Activation* FusedActivation(Op& op) {
  return std::visit(
      [](auto& o) -> Activation* {
        if constexpr (requires { o.activation; }) {
          return &o.activation;
        } else {
          return nullptr;
        }
      },
      op.options);
}

const Activation* FusedActivation(const Op& op) { return FusedActivation(const_cast<Op&>(op)); }

absl::Status CompactGraph(Graph& graph, const std::vector<bool>& erased) {
  graph.EraseOps(erased);
  absl::Status status = graph.TopologicalSort();
  if (!status.ok()) return status;
  graph.RemoveUnusedTensors();
  return absl::OkStatus();
}

}  // namespace optconv
