#include "importers/savedmodel/tf_static_values.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/numbers.h"

namespace optconv::tf_import {
namespace {

using tensorflow::NodeDef;
constexpr int64_t kUnknown = StaticInts::kUnknown;

std::optional<std::vector<int64_t>> ShapeFromProto(const tensorflow::TensorShapeProto& p) {
  if (p.unknown_rank()) return std::nullopt;
  std::vector<int64_t> dims;
  for (const auto& d : p.dim()) dims.push_back(d.size() < 0 ? -1 : d.size());
  return dims;
}

const tensorflow::AttrValue* FindAttr(const NodeDef& node, const std::string& name) {
  auto it = node.attr().find(name);
  return it == node.attr().end() ? nullptr : &it->second;
}

int64_t IntAttr(const NodeDef& node, const std::string& name, int64_t fallback) {
  const tensorflow::AttrValue* a = FindAttr(node, name);
  return a == nullptr ? fallback : a->i();
}

int64_t NumElements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

StaticInts Scalar(int64_t v) { return StaticInts{{}, {v}}; }

// Elementwise binary op with scalar broadcasting; unknown in, unknown out.
std::optional<StaticInts> Binary(const std::string& op, const StaticInts& a, const StaticInts& b) {
  if (!a.is_scalar() && !b.is_scalar() && a.shape != b.shape) return std::nullopt;
  StaticInts out;
  out.shape = a.is_scalar() ? b.shape : a.shape;
  const size_t n = std::max(a.values.size(), b.values.size());
  for (size_t i = 0; i < n; ++i) {
    const int64_t x = a.values[a.is_scalar() ? 0 : i];
    const int64_t y = b.values[b.is_scalar() ? 0 : i];
    if (x == kUnknown || y == kUnknown) {
      out.values.push_back(kUnknown);
      continue;
    }
    int64_t r;
    if (op == "Add" || op == "AddV2") r = x + y;
    else if (op == "Sub") r = x - y;
    else if (op == "Mul") r = x * y;
    else if (op == "FloorDiv" && y != 0) r = (x - ((x % y + y) % y)) / y;
    else if (op == "FloorMod" && y != 0) r = (x % y + y) % y;
    else if (op == "Maximum") r = std::max(x, y);
    else if (op == "Minimum") r = std::min(x, y);
    else if (op == "Less") r = x < y;
    else if (op == "LessEqual") r = x <= y;
    else if (op == "Greater") r = x > y;
    else if (op == "GreaterEqual") r = x >= y;
    else if (op == "Equal") r = x == y;
    else if (op == "NotEqual") r = x != y;
    else if (op == "LogicalAnd") r = x && y;
    else if (op == "LogicalOr") r = x || y;
    else return std::nullopt;
    out.values.push_back(r);
  }
  return out;
}

// StridedSlice of a 1-D value with one-element begin/end/strides (the
// Shape()[i] and Shape()[a:b] forms).
std::optional<StaticInts> Slice1D(const NodeDef& node, const StaticInts& in, const StaticInts& b,
                                  const StaticInts& e, const StaticInts& s) {
  if (in.shape.size() != 1 || b.values.size() != 1 || e.values.size() != 1 ||
      s.values.size() != 1 || !b.AllKnown() || !e.AllKnown() || !s.AllKnown() ||
      IntAttr(node, "ellipsis_mask", 0) != 0 || IntAttr(node, "new_axis_mask", 0) != 0) {
    return std::nullopt;
  }
  const int64_t n = in.shape[0], stride = s.values[0];
  if (stride == 0) return std::nullopt;
  auto clamp = [&](int64_t v) {
    if (v < 0) v += n;
    return stride > 0 ? std::clamp<int64_t>(v, 0, n) : std::clamp<int64_t>(v, -1, n - 1);
  };
  if (IntAttr(node, "shrink_axis_mask", 0) & 1) {
    int64_t i = b.values[0] < 0 ? b.values[0] + n : b.values[0];
    if (i < 0 || i >= n) return std::nullopt;
    return Scalar(in.values[i]);
  }
  int64_t begin = (IntAttr(node, "begin_mask", 0) & 1) ? (stride > 0 ? 0 : n - 1)
                                                       : clamp(b.values[0]);
  int64_t end = (IntAttr(node, "end_mask", 0) & 1) ? (stride > 0 ? n : -1)
                                                   : clamp(e.values[0]);
  StaticInts out;
  for (int64_t i = begin; stride > 0 ? i < end : i > end; i += stride) {
    out.values.push_back(in.values[i]);
  }
  out.shape = {static_cast<int64_t>(out.values.size())};
  return out;
}

}  // namespace

bool StaticInts::AllKnown() const {
  return std::none_of(values.begin(), values.end(), [](int64_t v) { return v == kUnknown; });
}

std::optional<StaticInts> TensorProtoInts(const tensorflow::TensorProto& t) {
  std::optional<std::vector<int64_t>> shape = ShapeFromProto(t.tensor_shape());
  if (!shape || std::count(shape->begin(), shape->end(), -1) > 0) return std::nullopt;
  StaticInts out;
  out.shape = *shape;
  const int64_t n = NumElements(out.shape);
  if (n > 4096) return std::nullopt;  // not a size/index value
  std::vector<int64_t> vals;
  const std::string& raw = t.tensor_content();
  switch (t.dtype()) {
    case tensorflow::DT_INT32:
      if (!raw.empty()) {
        for (size_t i = 0; i + 4 <= raw.size(); i += 4) {
          int32_t v;
          std::memcpy(&v, raw.data() + i, 4);
          vals.push_back(v);
        }
      } else {
        vals.assign(t.int_val().begin(), t.int_val().end());
      }
      break;
    case tensorflow::DT_INT64:
      if (!raw.empty()) {
        for (size_t i = 0; i + 8 <= raw.size(); i += 8) {
          int64_t v;
          std::memcpy(&v, raw.data() + i, 8);
          vals.push_back(v);
        }
      } else {
        vals.assign(t.int64_val().begin(), t.int64_val().end());
      }
      break;
    case tensorflow::DT_BOOL:
      if (!raw.empty()) {
        for (char c : raw) vals.push_back(c != 0);
      } else {
        for (bool b : t.bool_val()) vals.push_back(b);
      }
      break;
    default:
      return std::nullopt;
  }
  if (static_cast<int64_t>(vals.size()) == n) {
    out.values = std::move(vals);
  } else if (vals.size() == 1 || (vals.empty() && n > 0)) {
    out.values.assign(n, vals.empty() ? 0 : vals[0]);  // TF broadcasts the last value
  } else if (n == 0) {
    out.values.clear();
  } else {
    return std::nullopt;
  }
  return out;
}

tensorflow::TensorProto Int32ScalarProto(int32_t value) {
  tensorflow::TensorProto t;
  t.set_dtype(tensorflow::DT_INT32);
  t.mutable_tensor_shape();
  t.add_int_val(value);
  return t;
}

std::pair<std::string, int> SplitTensorRef(const std::string& ref) {
  const size_t colon = ref.rfind(':');
  int index = 0;
  if (colon != std::string::npos && absl::SimpleAtoi(ref.substr(colon + 1), &index)) {
    return {ref.substr(0, colon), index};
  }
  return {ref, 0};
}

void StaticEvaluator::SetShapeHint(const std::string& ref, std::vector<int64_t> shape) {
  auto [name, index] = SplitTensorRef(ref);
  hints_[name + ":" + std::to_string(index)] = std::move(shape);
}

const StaticInfo& StaticEvaluator::Info(const std::string& ref) {
  auto [name, index] = SplitTensorRef(ref);
  const std::string key = name + ":" + std::to_string(index);
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  StaticInfo info;
  if (const NodeDef* node = lookup_(name)) info = Compute(*node, index);
  if (!info.shape) {
    if (auto it = hints_.find(key); it != hints_.end()) info.shape = it->second;
  }
  return memo_[key] = std::move(info);
}

StaticInfo StaticEvaluator::Compute(const NodeDef& node, int index) {
  StaticInfo info;
  const std::string& op = node.op();
  std::vector<std::string> inputs;
  for (const std::string& in : node.input()) {
    if (!in.empty() && in[0] != '^') inputs.push_back(in);
  }
  auto in_ints = [&](size_t i) -> std::optional<StaticInts> {
    if (i >= inputs.size()) return std::nullopt;
    return Info(inputs[i]).ints;
  };
  auto in_shape = [&](size_t i) -> std::optional<std::vector<int64_t>> {
    if (i >= inputs.size()) return std::nullopt;
    return Info(inputs[i]).shape;
  };
  if (op == "Const" && index == 0) {
    if (const auto* v = FindAttr(node, "value")) {
      info.shape = ShapeFromProto(v->tensor().tensor_shape());
      info.ints = TensorProtoInts(v->tensor());
    }
  } else if ((op == "Placeholder" || op == "PlaceholderWithDefault") && index == 0) {
    if (const auto* s = FindAttr(node, "shape")) info.shape = ShapeFromProto(s->shape());
  } else if ((op == "Identity" || op == "StopGradient" || op == "Snapshot" ||
              op == "ReadVariableOp") && index == 0 && !inputs.empty()) {
    info = Info(inputs[0]);
  } else if (op == "Transpose") {
    auto s = in_shape(0);
    auto perm = in_ints(1);
    if (s && perm && perm->AllKnown() && perm->values.size() == s->size()) {
      std::vector<int64_t> out;
      for (int64_t p : perm->values) {
        if (p < 0 || p >= static_cast<int64_t>(s->size())) return info;
        out.push_back((*s)[p]);
      }
      info.shape = out;
    }
  } else if (op == "Shape") {
    if (auto s = in_shape(0)) {
      StaticInts v;
      v.shape = {static_cast<int64_t>(s->size())};
      for (int64_t d : *s) v.values.push_back(d < 0 ? kUnknown : d);
      info.ints = v;
    }
  } else if (op == "Size" || op == "Rank") {
    if (auto s = in_shape(0)) {
      if (op == "Rank") {
        info.ints = Scalar(static_cast<int64_t>(s->size()));
      } else if (std::count(s->begin(), s->end(), -1) == 0) {
        info.ints = Scalar(NumElements(*s));
      }
    }
  } else if (op == "StridedSlice") {
    auto in = in_ints(0), b = in_ints(1), e = in_ints(2), s = in_ints(3);
    if (in && b && e && s) info.ints = Slice1D(node, *in, *b, *e, *s);
  } else if (op == "Pack") {
    StaticInts v;
    for (size_t i = 0; i < inputs.size(); ++i) {
      auto x = in_ints(i);
      if (!x || !x->is_scalar() || IntAttr(node, "axis", 0) != 0) return info;
      v.values.push_back(x->values[0]);
    }
    v.shape = {static_cast<int64_t>(v.values.size())};
    info.ints = v;
  } else if (op == "LogicalNot") {
    if (auto x = in_ints(0)) {
      for (int64_t& v : x->values) v = v == kUnknown ? kUnknown : !v;
      info.ints = x;
    }
  } else if (op == "Cast") {
    info.ints = in_ints(0);
  } else if (op == "Max" || op == "Min" || op == "Sum" || op == "Prod") {
    // Reductions of scalars and vectors to a scalar (Keras' Max(steps, range(0))).
    auto x = in_ints(0);
    if (x && x->shape.size() <= 1 && x->AllKnown() && !x->values.empty() &&
        !IntAttr(node, "keep_dims", 0)) {
      int64_t r = x->values[0];
      for (size_t i = 1; i < x->values.size(); ++i) {
        const int64_t v = x->values[i];
        r = op == "Max" ? std::max(r, v) : op == "Min" ? std::min(r, v) : op == "Sum" ? r + v
                                                                                      : r * v;
      }
      info.ints = Scalar(r);
    }
  } else if (op == "Range") {
    auto s = in_ints(0), l = in_ints(1), d = in_ints(2);
    if (s && l && d && s->AllKnown() && l->AllKnown() && d->AllKnown() && d->values[0] != 0) {
      StaticInts v;
      for (int64_t i = s->values[0]; d->values[0] > 0 ? i < l->values[0] : i > l->values[0];
           i += d->values[0]) {
        v.values.push_back(i);
      }
      v.shape = {static_cast<int64_t>(v.values.size())};
      info.ints = v;
    }
  } else if (inputs.size() == 2) {
    auto a = in_ints(0), b = in_ints(1);
    if (a && b) info.ints = Binary(op, *a, *b);
  }
  if (info.ints && !info.shape) info.shape = info.ints->shape;
  if (!info.shape) {
    if (const auto* s = FindAttr(node, "_output_shapes")) {
      if (index < s->list().shape_size()) info.shape = ShapeFromProto(s->list().shape(index));
    }
  }
  return info;
}

}  // namespace optconv::tf_import
