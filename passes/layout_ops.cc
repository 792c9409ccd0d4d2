#include "passes/layout_ops.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace optconv {
namespace {

using Role = LayoutOpInfo::Role;

bool IsReducer(OpKind k) {
  return k == OpKind::kMean || k == OpKind::kSum || k == OpKind::kReduceMax ||
         k == OpKind::kReduceMin || k == OpKind::kReduceProd;
}

bool IsConst(const Graph& g, TensorId t) { return t >= 0 && g.tensor(t).is_constant(); }

bool IsSingleElement(const Tensor& t) {
  auto n = NumElements(t.shape);
  return n && *n == 1;
}

// Classifies an elementwise data operand of an op with output rank `rank`.
// Returns false when the operand prevents layout changes.
bool AddDataOperand(const Graph& g, const Op& op, int slot, int rank, LayoutOpInfo& info) {
  TensorId t = op.inputs[static_cast<size_t>(slot)];
  if (t < 0) return true;
  const Tensor& tensor = g.tensor(t);
  const int r = static_cast<int>(tensor.shape.size());
  if (tensor.is_constant()) {
    if (IsSingleElement(tensor)) return true;
    if (r > rank || !IsStatic(tensor.shape)) return false;
    info.relayout_inputs.push_back(slot);
    return true;
  }
  if (r == rank) {
    info.linked_inputs.push_back(slot);
    return true;
  }
  return r == 0;  // a dynamic scalar broadcasts the same way on any layout
}

// Agnostic op with data operand slots `data` and constant parameter slots
// `params`.
LayoutOpInfo Agnostic(const Graph& g, const Op& op, std::initializer_list<int> data,
                      std::initializer_list<int> params) {
  LayoutOpInfo info;
  if (op.outputs.empty()) return info;
  const int rank = static_cast<int>(g.tensor(op.outputs[0]).shape.size());
  if (rank < 2) return info;
  for (TensorId out : op.outputs) {
    if (out < 0 || static_cast<int>(g.tensor(out).shape.size()) != rank) return info;
  }
  for (int p : params) {
    if (p >= static_cast<int>(op.inputs.size()) || !IsConst(g, op.inputs[static_cast<size_t>(p)])) {
      return info;
    }
  }
  for (int d : data) {
    if (d >= static_cast<int>(op.inputs.size())) continue;
    if (!AddDataOperand(g, op, d, rank, info)) return LayoutOpInfo{};
  }
  if (info.linked_inputs.empty()) return LayoutOpInfo{};
  info.role = Role::kAgnostic;
  return info;
}

// A constant integer tensor like `like` (same element type) holding `values`.
TensorId AddIntsLike(Graph& g, TensorId like, const Shape& shape,
                     const std::vector<int64_t>& values) {
  const Tensor& src = g.tensor(like);
  std::string name = g.UniqueTensorName(src.name + "_nhwc");
  if (src.type == DataType::kInt64) {
    return g.AddConstantValues<int64_t>(name, DataType::kInt64, shape, values);
  }
  std::vector<int32_t> v(values.begin(), values.end());
  return g.AddConstantValues<int32_t>(name, DataType::kInt32, shape, v);
}

absl::Status BadParam(const Op& op, const std::string& what) {
  return absl::InternalError(absl::StrCat("layout-nhwc: node '", op.origin.node_name, "' (",
                                          std::string(OpKindName(op.kind)), "): ", what));
}

// Replaces a constant scalar/1-element axis input with its remapped value.
absl::Status RemapAxisInput(Graph& g, Op& op, int slot, const Perm& inv) {
  TensorId t = op.inputs[static_cast<size_t>(slot)];
  auto v = ConstInts(g, t);
  const int rank = static_cast<int>(inv.size());
  if (!v || v->size() != 1) return BadParam(op, "axis is not a constant scalar");
  auto axis = NormalizeAxis((*v)[0], rank);
  if (!axis) return BadParam(op, "axis out of range");
  op.inputs[static_cast<size_t>(slot)] =
      AddIntsLike(g, t, g.tensor(t).shape, {inv[static_cast<size_t>(*axis)]});
  return absl::OkStatus();
}

// Permutes a per-dim constant (shape [rank] or [rank, k]) row-wise: new row i = old row L[i].
absl::Status PermuteRows(Graph& g, Op& op, int slot, const Perm& label) {
  TensorId t = op.inputs[static_cast<size_t>(slot)];
  auto v = ConstInts(g, t);
  const size_t rank = label.size();
  if (!v || v->size() % rank != 0) return BadParam(op, "per-dim parameter has the wrong size");
  const size_t k = v->size() / rank;
  std::vector<int64_t> out(v->size());
  for (size_t i = 0; i < rank; ++i) {
    for (size_t j = 0; j < k; ++j) out[i * k + j] = (*v)[static_cast<size_t>(label[i]) * k + j];
  }
  op.inputs[static_cast<size_t>(slot)] = AddIntsLike(g, t, g.tensor(t).shape, out);
  return absl::OkStatus();
}

int32_t PermuteMask(int32_t mask, const Perm& label) {
  int32_t out = 0;
  for (size_t i = 0; i < label.size(); ++i) {
    if (mask & (1 << label[i])) out |= (1 << i);
  }
  return out;
}

}  // namespace

std::optional<Perm> UnitDimReshapePerm(const Shape& in, const Shape& out) {
  if (in.size() != out.size() || in == out) return std::nullopt;
  // One unknown dim on each side is the same dim once the known non-unit dims
  // match in order (the element count fixes it); two could trade sizes.
  const bool unknown_allowed = UnknownDims(in) <= 1 && UnknownDims(out) <= 1;
  std::vector<int> in_units, in_other;
  for (size_t i = 0; i < in.size(); ++i) (in[i] == 1 ? in_units : in_other).push_back(static_cast<int>(i));
  Perm perm;
  size_t u = 0, o = 0;
  for (int64_t d : out) {
    if (d == 1) {
      if (u >= in_units.size()) return std::nullopt;
      perm.push_back(in_units[u++]);
    } else {
      if (o >= in_other.size() || in[static_cast<size_t>(in_other[o])] != d ||
          (d == kUnknownDim && !unknown_allowed)) {
        return std::nullopt;
      }
      perm.push_back(in_other[o++]);
    }
  }
  return perm;
}

LayoutOpInfo ClassifyForLayout(const Graph& g, const Op& op) {
  const OpKind k = op.kind;
  if (op.inputs.empty() || op.inputs[0] < 0 || (IsConst(g, op.inputs[0]) && k == OpKind::kTranspose)) {
    return {};
  }
  if (k == OpKind::kTranspose) {
    LayoutOpInfo info;
    auto perm = TransposePerm(g, op);
    if (!perm) return info;
    info.role = Role::kTranspose;
    info.perm = *perm;
    return info;
  }
  if (k == OpKind::kReshape) {
    if (IsConst(g, op.inputs[0])) return {};
    auto perm = UnitDimReshapePerm(g.tensor(op.inputs[0]).shape, g.tensor(op.outputs[0]).shape);
    if (!perm) return {};
    LayoutOpInfo info;
    info.role = Role::kTranspose;
    info.perm = *perm;
    return info;
  }
  if (IsUnaryElementwise(k)) return Agnostic(g, op, {0}, {});
  if (k == OpKind::kSelectV2) return Agnostic(g, op, {0, 1, 2}, {});
  if (IsBinaryElementwise(k)) return Agnostic(g, op, {0, 1}, {});
  switch (k) {
    case OpKind::kConcatenation: {
      std::vector<int> slots;
      LayoutOpInfo info;
      const int rank = static_cast<int>(g.tensor(op.outputs[0]).shape.size());
      if (rank < 2) return {};
      for (size_t s = 0; s < op.inputs.size(); ++s) {
        const Tensor& t = g.tensor(op.inputs[s]);
        if (static_cast<int>(t.shape.size()) != rank) return {};
        (t.is_constant() ? info.relayout_inputs : info.linked_inputs).push_back(static_cast<int>(s));
      }
      if (info.linked_inputs.empty()) return {};
      info.role = Role::kAgnostic;
      return info;
    }
    case OpKind::kSplit:
      return Agnostic(g, op, {1}, {0});
    case OpKind::kSplitV:
      return Agnostic(g, op, {0}, {1, 2});
    case OpKind::kSlice:
      return Agnostic(g, op, {0}, {1, 2});
    case OpKind::kStridedSlice: {
      const auto& o = op.opts<StridedSliceOptions>();
      if (o.ellipsis_mask || o.new_axis_mask || o.shrink_axis_mask) return {};
      return Agnostic(g, op, {0}, {1, 2, 3});
    }
    case OpKind::kPad: case OpKind::kMirrorPad:
      return Agnostic(g, op, {0}, {1});
    case OpKind::kPadV2:
      return Agnostic(g, op, {0}, {1, 2});
    case OpKind::kTile:
      return Agnostic(g, op, {0}, {1});
    case OpKind::kCumsum:
      return Agnostic(g, op, {0}, {1});
    case OpKind::kGather: {
      const auto& o = op.opts<GatherOptions>();
      if (o.batch_dims != 0 || op.inputs.size() != 2) return {};
      if (g.tensor(op.inputs[1]).shape.size() != 1) return {};
      return Agnostic(g, op, {0}, {});
    }
    case OpKind::kSoftmax: case OpKind::kLogSoftmax: case OpKind::kL2Normalization: {
      LayoutOpInfo info = Agnostic(g, op, {0}, {});
      info.keeps_last_axis = true;
      return info;
    }
    default:
      break;
  }
  if (IsReducer(k) && op.opts<ReducerOptions>().keep_dims) return Agnostic(g, op, {0}, {1});
  return {};
}

absl::Status ApplyLabelToOp(Graph& g, Op& op, const LayoutOpInfo& info, const Perm& label) {
  if (IsIdentityPerm(label)) return absl::OkStatus();
  const int rank = static_cast<int>(label.size());
  const Perm inv = InversePerm(label);
  for (int slot : info.relayout_inputs) {
    op.inputs[static_cast<size_t>(slot)] =
        RelayoutConstant(g, op.inputs[static_cast<size_t>(slot)], rank, label);
  }
  switch (op.kind) {
    case OpKind::kConcatenation: {
      auto axis = NormalizeAxis(op.opts<ConcatenationOptions>().axis, rank);
      if (!axis) return BadParam(op, "axis out of range");
      op.opts<ConcatenationOptions>().axis = inv[static_cast<size_t>(*axis)];
      return absl::OkStatus();
    }
    case OpKind::kGather: {
      auto axis = NormalizeAxis(op.opts<GatherOptions>().axis, rank);
      if (!axis) return BadParam(op, "axis out of range");
      op.opts<GatherOptions>().axis = inv[static_cast<size_t>(*axis)];
      return absl::OkStatus();
    }
    case OpKind::kSplit:
      return RemapAxisInput(g, op, 0, inv);
    case OpKind::kSplitV:
      return RemapAxisInput(g, op, 2, inv);
    case OpKind::kCumsum:
      return RemapAxisInput(g, op, 1, inv);
    case OpKind::kSlice: {
      absl::Status s = PermuteRows(g, op, 1, label);
      return s.ok() ? PermuteRows(g, op, 2, label) : s;
    }
    case OpKind::kStridedSlice: {
      for (int slot : {1, 2, 3}) {
        absl::Status s = PermuteRows(g, op, slot, label);
        if (!s.ok()) return s;
      }
      auto& o = op.opts<StridedSliceOptions>();
      o.begin_mask = PermuteMask(o.begin_mask, label);
      o.end_mask = PermuteMask(o.end_mask, label);
      return absl::OkStatus();
    }
    case OpKind::kPad: case OpKind::kPadV2: case OpKind::kMirrorPad: case OpKind::kTile:
      return PermuteRows(g, op, 1, label);
    default:
      break;
  }
  if (IsReducer(op.kind)) {
    TensorId t = op.inputs[1];
    auto axes = ConstInts(g, t);
    if (!axes) return BadParam(op, "axes are not constant");
    std::vector<int64_t> out;
    for (int64_t a : *axes) {
      auto axis = NormalizeAxis(a, rank);
      if (!axis) return BadParam(op, "axis out of range");
      out.push_back(inv[static_cast<size_t>(*axis)]);
    }
    std::sort(out.begin(), out.end());
    op.inputs[1] = AddIntsLike(g, t, g.tensor(t).shape, out);
  }
  return absl::OkStatus();
}

}  // namespace optconv
