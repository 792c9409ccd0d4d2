// Partial evaluation of small integer vectors (shapes computed at run time) so
// value-dependent shape inference keeps the dims it can know. Producers are
// found by scanning ops backwards; the search depth is bounded.
#include <algorithm>

#include "converter/shape_inference_util.h"

namespace optconv {
namespace {

using Partial = std::vector<PartialInt>;

PartialInt Known(int64_t v) {
  PartialInt p;
  p.value = v;
  p.known = true;
  return p;
}

const Op* FindProducer(const Graph& g, TensorId id) {
  for (auto it = g.ops().rbegin(); it != g.ops().rend(); ++it) {
    if (std::find(it->outputs.begin(), it->outputs.end(), id) != it->outputs.end()) return &*it;
  }
  return nullptr;
}

bool IsIntType(DataType t) {
  return t == DataType::kInt32 || t == DataType::kInt64 || t == DataType::kInt16 ||
         t == DataType::kInt8 || t == DataType::kUInt8;
}

std::optional<Partial> Arith(OpKind kind, const Partial& a, const Partial& b) {
  if (a.size() != b.size() && a.size() != 1 && b.size() != 1) return std::nullopt;
  size_t n = std::max(a.size(), b.size());
  Partial out(n);
  for (size_t i = 0; i < n; ++i) {
    const PartialInt& x = a[a.size() == 1 ? 0 : i];
    const PartialInt& y = b[b.size() == 1 ? 0 : i];
    if (!x.known || !y.known) continue;
    switch (kind) {
      case OpKind::kAdd: out[i] = Known(x.value + y.value); break;
      case OpKind::kSub: out[i] = Known(x.value - y.value); break;
      case OpKind::kMul: out[i] = Known(x.value * y.value); break;
      case OpKind::kDiv:
        if (y.value != 0) out[i] = Known(x.value / y.value);
        break;
      default: break;
    }
  }
  return out;
}

}  // namespace

std::optional<std::vector<PartialInt>> PartialIntValues(const Graph& g, TensorId id, int depth) {
  if (id < 0 || id >= g.num_tensors()) return std::nullopt;
  const Tensor& t = g.tensor(id);
  if (t.shape.size() > 1) return std::nullopt;
  if (auto values = ConstantIntValues(t)) {
    Partial out;
    for (int64_t v : *values) out.push_back(Known(v));
    return out;
  }
  if (depth <= 0 || !IsIntType(t.type)) return std::nullopt;
  const Op* op = FindProducer(g, id);
  if (op == nullptr) return std::nullopt;
  auto input = [&](size_t i) -> std::optional<Partial> {
    if (i >= op->inputs.size()) return std::nullopt;
    return PartialIntValues(g, op->inputs[i], depth - 1);
  };
  auto const_ints = [&](size_t i) -> std::optional<std::vector<int64_t>> {
    if (i >= op->inputs.size() || op->inputs[i] < 0) return std::nullopt;
    return ConstantIntValues(g.tensor(op->inputs[i]));
  };
  switch (op->kind) {
    case OpKind::kShape: {
      if (op->inputs.empty() || op->inputs[0] < 0) return std::nullopt;
      const Shape& s = g.tensor(op->inputs[0]).shape;
      Partial out;
      for (size_t d = 0; d < s.size(); ++d) {
        PartialInt p = s[d] >= 0 ? Known(s[d]) : PartialInt{};
        if (s[d] < 0) {
          p.source = op->inputs[0];
          p.source_dim = static_cast<int>(d);
        }
        out.push_back(p);
      }
      return out;
    }
    case OpKind::kCast: case OpKind::kReshape: case OpKind::kSqueeze: case OpKind::kExpandDims:
      return input(0);
    case OpKind::kConcatenation: case OpKind::kPack: {
      Partial out;
      for (size_t i = 0; i < op->inputs.size(); ++i) {
        std::optional<Partial> part = input(i);
        if (!part) return std::nullopt;
        out.insert(out.end(), part->begin(), part->end());
      }
      return out;
    }
    case OpKind::kGather: {
      if (std::get<GatherOptions>(op->options).axis != 0) return std::nullopt;
      std::optional<Partial> params = input(0);
      std::optional<std::vector<int64_t>> idx = const_ints(1);
      if (!params || !idx) return std::nullopt;
      Partial out;
      int64_t n = static_cast<int64_t>(params->size());
      for (int64_t i : *idx) {
        if (i < 0) i += n;
        if (i < 0 || i >= n) return std::nullopt;
        out.push_back((*params)[i]);
      }
      return out;
    }
    case OpKind::kSlice: {
      std::optional<Partial> in = input(0);
      auto begin = const_ints(1), size = const_ints(2);
      if (!in || !begin || !size || begin->size() != 1 || size->size() != 1) return std::nullopt;
      int64_t b = (*begin)[0], n = (*size)[0] < 0 ? static_cast<int64_t>(in->size()) - b : (*size)[0];
      if (b < 0 || n < 0 || b + n > static_cast<int64_t>(in->size())) return std::nullopt;
      return Partial(in->begin() + b, in->begin() + b + n);
    }
    case OpKind::kStridedSlice: {
      std::optional<Partial> in = input(0);
      auto begin = const_ints(1), end = const_ints(2);
      std::optional<std::vector<int64_t>> strides =
          op->inputs.size() > 3 ? const_ints(3) : std::optional<std::vector<int64_t>>(
                                                      std::vector<int64_t>(begin ? begin->size() : 0, 1));
      if (!in || !begin || !end || !strides) return std::nullopt;
      absl::StatusOr<StridedSlicePlan> plan =
          PlanStridedSlice({static_cast<int64_t>(in->size())}, *begin, *end, *strides,
                           std::get<StridedSliceOptions>(op->options));
      if (!plan.ok() || plan->dims.size() != 1 || plan->output_shape.size() > 1) return std::nullopt;
      const StridedSliceDim& d = plan->dims[0];
      Partial out;
      for (int64_t k = 0; k < d.size; ++k) out.push_back((*in)[d.begin + k * d.stride]);
      return out;
    }
    case OpKind::kAdd: case OpKind::kSub: case OpKind::kMul: case OpKind::kDiv: {
      std::optional<Partial> a = input(0), b = input(1);
      if (!a || !b) return std::nullopt;
      return Arith(op->kind, *a, *b);
    }
    default:
      return std::nullopt;
  }
}

}  // namespace optconv
