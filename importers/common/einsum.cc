#include "importers/common/einsum.h"

#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace optconv::importer {
namespace {

/// An operand while it is being rewritten: its tensor and one label per dim.
/// Letters are the equation's labels; digits stand for ellipsis dims.
struct Term {
  TensorId id;
  std::string labels;
};

bool Has(const std::string& labels, char c) { return labels.find(c) != std::string::npos; }

class EinsumLowering {
 public:
  EinsumLowering(GraphBuilder& b, const SourceLoc& origin, std::string equation)
      : b_(b), origin_(origin), equation_(std::move(equation)) {}

  absl::StatusOr<TensorId> Run(const std::vector<TensorId>& operands) {
    std::string eq;
    for (char c : equation_) {
      if (c != ' ') eq.push_back(c);
    }
    const size_t arrow = eq.find("->");
    const std::string lhs = eq.substr(0, arrow);
    std::vector<std::string> inputs = absl::StrSplit(lhs, ',');
    if (inputs.size() != operands.size()) {
      return b_.Invalid(origin_, absl::StrCat("equation '", equation_, "' names ", inputs.size(),
                                              " operands for ", operands.size(), " inputs"));
    }
    if (operands.empty() || operands.size() > 2) {
      return b_.Unsupported(origin_, absl::StrCat(operands.size(), " operands"),
                            "one or two operands");
    }
    // Ellipsis dims align from the right; digit labels name them.
    int ellipsis_rank = 0;
    std::vector<Term> terms;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const int rank = b_.rank(operands[i]);
      const size_t dots = inputs[i].find("...");
      const int letters = static_cast<int>(inputs[i].size()) - (dots == std::string::npos ? 0 : 3);
      const int e = dots == std::string::npos ? 0 : rank - letters;
      if (e < 0 || (dots == std::string::npos && letters != rank)) {
        return b_.Invalid(origin_, absl::StrCat("operand ", i, " of rank ", rank, " has labels '",
                                                inputs[i], "'"),
                          "one label per dim");
      }
      ellipsis_rank = std::max(ellipsis_rank, e);
      terms.push_back({operands[i], inputs[i]});
      ellipsis_of_.push_back(e);
    }
    if (ellipsis_rank > 10) return b_.Unsupported(origin_, "an ellipsis of more than 10 dims");
    for (size_t i = 0; i < terms.size(); ++i) {
      terms[i].labels = ExpandEllipsis(terms[i].labels, ellipsis_of_[i], ellipsis_rank);
    }
    std::string output;
    if (arrow == std::string::npos) {
      output = ImplicitOutput(terms, ellipsis_rank);
    } else {
      output = ExpandEllipsis(eq.substr(arrow + 2), ellipsis_rank, ellipsis_rank);
    }
    for (const Term& t : terms) {
      for (size_t i = 0; i < t.labels.size(); ++i) {
        if (t.labels.find(t.labels[i]) != i) {
          return b_.Unsupported(origin_, absl::StrCat("label '", std::string(1, t.labels[i]),
                                                      "' repeats within an operand (a diagonal)"),
                                "distinct labels per operand");
        }
        const int64_t d = b_.shape(t.id)[i];
        auto [it, inserted] = sizes_.emplace(t.labels[i], d);
        if (!inserted && it->second != d) {
          if (it->second == 1 || it->second == kUnknownDim) it->second = d;
          else if (d != 1 && d != kUnknownDim) {
            return b_.Invalid(origin_, absl::StrCat("label '", std::string(1, t.labels[i]),
                                                    "' has sizes ", it->second, " and ", d));
          }
        }
      }
    }
    for (char c : output) {
      if (!sizes_.contains(c)) {
        return b_.Invalid(origin_, absl::StrCat("output label '", std::string(1, c),
                                                "' is in no operand"));
      }
    }
    if (terms.size() == 1) return Finish(SumOut(terms[0], output), output);
    return Contract(terms[0], terms[1], output);
  }

 private:
  static std::string ExpandEllipsis(const std::string& labels, int own, int total) {
    const size_t dots = labels.find("...");
    if (dots == std::string::npos) return labels;
    std::string digits;
    for (int k = total - own; k < total; ++k) digits.push_back(static_cast<char>('0' + k));
    return labels.substr(0, dots) + digits + labels.substr(dots + 3);
  }

  // numpy's implicit mode: ellipsis dims, then the labels seen once, sorted.
  static std::string ImplicitOutput(const std::vector<Term>& terms, int ellipsis_rank) {
    std::map<char, int> count;
    for (const Term& t : terms) {
      for (char c : t.labels) ++count[c];
    }
    std::string out;
    for (int k = 0; k < ellipsis_rank; ++k) out.push_back(static_cast<char>('0' + k));
    for (const auto& [c, n] : count) {
      if (n == 1 && !(c >= '0' && c <= '9')) out.push_back(c);
    }
    return out;
  }

  absl::StatusOr<Term> Transposed(const Term& t, const std::string& labels) {
    if (t.labels == labels) return t;
    std::vector<int32_t> perm;
    for (char c : labels) perm.push_back(static_cast<int32_t>(t.labels.find(c)));
    absl::StatusOr<TensorId> id = b_.EmitTranspose(origin_, t.id, perm);
    if (!id.ok()) return id.status();
    return Term{*id, labels};
  }

  absl::StatusOr<TensorId> Reshaped(TensorId id, const Shape& shape) {
    if (b_.shape(id) == shape) return id;
    std::vector<int32_t> dims;
    int unknown = 0;
    for (int64_t d : shape) {
      unknown += d < 0;
      dims.push_back(d < 0 ? -1 : static_cast<int32_t>(d));
    }
    if (unknown > 1) {
      return b_.Unsupported(origin_, "more than one unknown dim in a merged label group",
                            "static sizes for all but one label");
    }
    TensorId target = b_.AddConstInts(absl::StrCat(origin_.node_name, "/shape"), dims);
    return b_.Emit(origin_, OpKind::kReshape, {id, target}, NoOptions{}, b_.type(id));
  }

  int64_t Size(const std::string& labels) const {
    int64_t n = 1;
    for (char c : labels) {
      const int64_t d = sizes_.at(c);
      if (d < 0) return kUnknownDim;
      n *= d;
    }
    return n;
  }
  Shape Dims(const std::string& labels) const {
    Shape s;
    for (char c : labels) s.push_back(sizes_.at(c));
    return s;
  }

  /// Sums out the labels of `t` that `keep` does not have.
  absl::StatusOr<Term> SumOut(const Term& t, const std::string& keep) {
    std::vector<int32_t> axes;
    std::string kept;
    for (size_t i = 0; i < t.labels.size(); ++i) {
      if (Has(keep, t.labels[i])) kept.push_back(t.labels[i]);
      else axes.push_back(static_cast<int32_t>(i));
    }
    if (axes.empty()) return t;
    TensorId axes_id = b_.AddConstInts(absl::StrCat(origin_.node_name, "/axes"), axes);
    absl::StatusOr<TensorId> id =
        b_.Emit(origin_, OpKind::kSum, {t.id, axes_id}, ReducerOptions{false}, b_.type(t.id));
    if (!id.ok()) return id.status();
    return Term{*id, kept};
  }

  absl::StatusOr<TensorId> Finish(absl::StatusOr<Term> t, const std::string& output) {
    if (!t.ok()) return t.status();
    absl::StatusOr<Term> out = Transposed(*t, output);
    if (!out.ok()) return out.status();
    return out->id;
  }

  absl::StatusOr<TensorId> Contract(Term a, Term b, const std::string& output) {
    // Labels one operand alone has and the output lacks are summed first.
    absl::StatusOr<Term> sa = SumOut(a, b.labels + output);
    if (!sa.ok()) return sa.status();
    absl::StatusOr<Term> sb = SumOut(b, sa->labels + output);
    if (!sb.ok()) return sb.status();
    a = *sa;
    b = *sb;
    std::string batch, contracted, free_a, free_b;
    for (char c : output) {
      if (Has(a.labels, c) && Has(b.labels, c)) batch.push_back(c);
      else if (Has(a.labels, c)) free_a.push_back(c);
      else free_b.push_back(c);
    }
    for (char c : a.labels) {
      if (Has(b.labels, c) && !Has(output, c)) contracted.push_back(c);
    }
    // A constant operand without batch dims: FULLY_CONNECTED weights.
    if (batch.empty() && b_.IsConstant(b.id) && !b_.IsConstant(a.id)) {
      return FullyConnected(a, b, free_a, free_b, contracted, output);
    }
    if (batch.empty() && b_.IsConstant(a.id) && !b_.IsConstant(b.id)) {
      return FullyConnected(b, a, free_b, free_a, contracted, output);
    }
    // BATCH_MATMUL is symmetric up to the output order: take the operand
    // order that needs fewer TRANSPOSEs (attention's "aecd,abcd->acbe").
    if (TransposesNeeded(b, a, batch, free_b, free_a, contracted, output) <
        TransposesNeeded(a, b, batch, free_a, free_b, contracted, output)) {
      return BatchMatMul(b, a, batch, free_b, free_a, contracted, output);
    }
    return BatchMatMul(a, b, batch, free_a, free_b, contracted, output);
  }

  static int TransposesNeeded(const Term& a, const Term& b, const std::string& batch,
                              const std::string& free_a, const std::string& free_b,
                              const std::string& contracted, const std::string& output) {
    const bool a_ok = a.labels == batch + free_a + contracted ||
                      a.labels == batch + contracted + free_a;
    const bool b_ok = b.labels == batch + contracted + free_b ||
                      b.labels == batch + free_b + contracted;
    return !a_ok + !b_ok + (output != batch + free_a + free_b);
  }

  absl::StatusOr<TensorId> FullyConnected(const Term& x, const Term& w, const std::string& free_x,
                                          const std::string& free_w,
                                          const std::string& contracted,
                                          const std::string& output) {
    absl::StatusOr<Term> xt = Transposed(x, free_x + contracted);
    if (!xt.ok()) return xt.status();
    Shape x_shape = Dims(free_x);
    if (x_shape.empty()) x_shape.push_back(1);
    x_shape.push_back(Size(contracted));
    absl::StatusOr<TensorId> xr = Reshaped(xt->id, x_shape);
    if (!xr.ok()) return xr.status();
    // Weights [N, K]: transposes and reshapes of a constant fold at import.
    absl::StatusOr<Term> wt = Transposed(w, free_w + contracted);
    if (!wt.ok()) return wt.status();
    const int64_t n = Size(free_w);
    absl::StatusOr<TensorId> wr = Reshaped(wt->id, {n, Size(contracted)});
    if (!wr.ok()) return wr.status();
    TensorId bias = b_.AddConstFloats(absl::StrCat(origin_.node_name, "/bias"),
                                      std::vector<float>(static_cast<size_t>(n), 0.0f));
    FullyConnectedOptions o;
    o.keep_num_dims = x_shape.size() > 2;
    absl::StatusOr<TensorId> y =
        b_.Emit(origin_, OpKind::kFullyConnected, {*xr, *wr, bias}, o, b_.type(x.id));
    if (!y.ok()) return y.status();
    Shape y_shape = Dims(free_x);
    for (int64_t d : Dims(free_w)) y_shape.push_back(d);
    absl::StatusOr<TensorId> yr = Reshaped(*y, y_shape);
    if (!yr.ok()) return yr.status();
    return Finish(Term{*yr, free_x + free_w}, output);
  }

  absl::StatusOr<TensorId> BatchMatMul(const Term& a, const Term& b, const std::string& batch,
                                       const std::string& free_a, const std::string& free_b,
                                       const std::string& contracted, const std::string& output) {
    // adj_x / adj_y when an operand already has that order: no TRANSPOSE.
    // Otherwise both operands are transposed to [batch, free, contracted]
    // (B with adj_y), the rows layout their producers usually have.
    const bool adj_x = a.labels != batch + free_a + contracted &&
                       a.labels == batch + contracted + free_a && !free_a.empty();
    const bool adj_y = b.labels != batch + contracted + free_b && !free_b.empty();
    absl::StatusOr<Term> at =
        Transposed(a, adj_x ? batch + contracted + free_a : batch + free_a + contracted);
    if (!at.ok()) return at.status();
    absl::StatusOr<Term> bt =
        Transposed(b, adj_y ? batch + free_b + contracted : batch + contracted + free_b);
    if (!bt.ok()) return bt.status();
    const Shape batch_a = SubShape(*at, batch), batch_b = SubShape(*bt, batch);
    const int64_t m = free_a.empty() ? 1 : Size(free_a), k = Size(contracted);
    const int64_t n = free_b.empty() ? 1 : Size(free_b);
    absl::StatusOr<TensorId> ar = Reshaped(at->id, Append(batch_a, adj_x ? k : m, adj_x ? m : k));
    if (!ar.ok()) return ar.status();
    absl::StatusOr<TensorId> br = Reshaped(bt->id, Append(batch_b, adj_y ? n : k, adj_y ? k : n));
    if (!br.ok()) return br.status();
    absl::StatusOr<TensorId> y = b_.Emit(origin_, OpKind::kBatchMatMul, {*ar, *br},
                                         BatchMatMulOptions{adj_x, adj_y}, b_.type(a.id));
    if (!y.ok()) return y.status();
    Shape y_shape;
    const Shape& ys = b_.shape(*y);
    for (size_t i = 0; i < batch.size(); ++i) y_shape.push_back(ys[i]);
    for (int64_t d : Dims(free_a)) y_shape.push_back(d);
    for (int64_t d : Dims(free_b)) y_shape.push_back(d);
    absl::StatusOr<TensorId> yr = Reshaped(*y, y_shape);
    if (!yr.ok()) return yr.status();
    return Finish(Term{*yr, batch + free_a + free_b}, output);
  }

  // The operand's own sizes of `labels` (batch dims may broadcast: 1 vs N).
  Shape SubShape(const Term& t, const std::string& labels) const {
    Shape s;
    for (char c : labels) s.push_back(b_.shape(t.id)[t.labels.find(c)]);
    return s;
  }
  static Shape Append(Shape s, int64_t x, int64_t y) {
    s.push_back(x);
    s.push_back(y);
    return s;
  }

  GraphBuilder& b_;
  SourceLoc origin_;
  std::string equation_;
  std::vector<int> ellipsis_of_;
  std::map<char, int64_t> sizes_;
};

}  // namespace

absl::StatusOr<TensorId> EmitEinsum(GraphBuilder& builder, const SourceLoc& origin,
                                    const std::string& equation,
                                    const std::vector<TensorId>& operands) {
  return EinsumLowering(builder, origin, equation).Run(operands);
}

}  // namespace optconv::importer
