// VerifyGraph: checks the IR invariants and reports the first violation.
// Op-level problems use the node error format; graph-level ones name the
// tensor ("<file>: tensor '<name>': <problem>").
#include "converter/verifier.h"

#include <cmath>
#include <queue>

#include "absl/strings/str_cat.h"
#include "converter/status_util.h"

namespace optconv {
namespace {

std::string Str(std::string_view s) { return std::string(s); }

class Verifier {
 public:
  explicit Verifier(const Graph& g) : g_(g) {}

  absl::Status Run() {
    if (absl::Status s = CheckTensors(); !s.ok()) return s;
    if (absl::Status s = CheckInterface(); !s.ok()) return s;
    if (absl::Status s = CheckOps(); !s.ok()) return s;
    return CheckOutputsAndSignatures();
  }

 private:
  bool InRange(TensorId id) const { return id >= 0 && id < g_.num_tensors(); }

  absl::Status TensorError(TensorId id, const std::string& problem) const {
    return absl::InvalidArgumentError(
        absl::StrCat(g_.source_path, ": tensor '", g_.tensor(id).name, "': ", problem));
  }
  absl::Status GraphError(const std::string& problem) const {
    return absl::InvalidArgumentError(absl::StrCat(g_.source_path, ": graph: ", problem));
  }
  absl::Status OpError(const Op& op, int index, const std::string& problem,
                       const std::string& expected = "") const {
    return NodeError(absl::StatusCode::kInvalidArgument, g_.source_path, op.origin,
                     absl::StrCat(Str(OpKindName(op.kind)), " (op #", index, "): ", problem),
                     expected);
  }

  absl::Status CheckQuant(TensorId id) const {
    const Tensor& t = g_.tensor(id);
    const QuantParams& q = *t.quant;
    if (q.scales.empty() || q.scales.size() != q.zero_points.size()) {
      return TensorError(id, absl::StrCat("quantization has ", q.scales.size(), " scales and ",
                                          q.zero_points.size(), " zero points"));
    }
    for (float s : q.scales) {
      if (!(s > 0.0f) || !std::isfinite(s)) {
        return TensorError(id, absl::StrCat("quantization scale ", s, " is not positive"));
      }
    }
    if (q.per_axis()) {
      int rank = static_cast<int>(t.shape.size());
      if (q.quantized_dimension < 0 || q.quantized_dimension >= rank) {
        return TensorError(id, absl::StrCat("quantized dimension ", q.quantized_dimension,
                                            " outside rank ", rank));
      }
      int64_t d = t.shape[q.quantized_dimension];
      if (d >= 0 && d != static_cast<int64_t>(q.scales.size())) {
        return TensorError(id, absl::StrCat(q.scales.size(), " per-axis scales for dim of size ", d));
      }
    }
    if (!q.min.empty() && q.min.size() != q.max.size()) {
      return TensorError(id, "calibration min and max differ in length");
    }
    return absl::OkStatus();
  }

  absl::Status CheckTensors() const {
    for (TensorId id = 0; id < g_.num_tensors(); ++id) {
      const Tensor& t = g_.tensor(id);
      for (int64_t d : t.shape) {
        if (d < kUnknownDim) return TensorError(id, absl::StrCat("invalid dim ", d));
      }
      if (t.quant) {
        if (absl::Status s = CheckQuant(id); !s.ok()) return s;
      }
      if (!t.is_constant() || t.type == DataType::kString) continue;
      std::optional<int64_t> n = NumElements(t.shape);
      if (!n) return TensorError(id, absl::StrCat("constant has non-static shape ", ShapeToString(t.shape)));
      size_t expected = static_cast<size_t>(*n) * ElementSize(t.type);
      if (t.data->size() != expected) {
        return TensorError(id, absl::StrCat("constant holds ", t.data->size(), " bytes (expected ",
                                            expected, " for ", Str(DataTypeName(t.type)),
                                            ShapeToString(t.shape), ")"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckInterface() {
    defined_.assign(g_.num_tensors(), false);
    for (TensorId id : g_.inputs()) {
      if (!InRange(id)) return GraphError(absl::StrCat("graph input refers to tensor ", id));
      if (g_.tensor(id).is_constant()) return TensorError(id, "graph input is a constant");
      if (defined_[id]) return TensorError(id, "listed twice as a graph input");
      defined_[id] = true;
    }
    // Constants and variable tensors (e.g. LSTM state) exist before any op runs.
    for (TensorId id = 0; id < g_.num_tensors(); ++id) {
      if (g_.tensor(id).is_constant() || g_.tensor(id).is_variable) defined_[id] = true;
    }
    return absl::OkStatus();
  }

  absl::Status CheckOps() {
    std::vector<int> producer = ProducersChecked();
    for (size_t i = 0; i < g_.ops().size(); ++i) {
      const Op& op = g_.ops()[i];
      int index = static_cast<int>(i);
      if (!OptionsMatchKind(op.kind, op.options)) {
        return OpError(op, index, "options do not match the op kind");
      }
      if (op.outputs.empty()) return OpError(op, index, "op has no outputs");
      for (size_t s = 0; s < op.inputs.size(); ++s) {
        TensorId in = op.inputs[s];
        if (in == kNoTensor) continue;
        if (!InRange(in)) {
          return OpError(op, index, absl::StrCat("input ", s, " refers to tensor ", in, " which does not exist"));
        }
        if (defined_[in]) continue;
        if (producer[in] < 0) {
          return OpError(op, index, absl::StrCat("input ", s, " '", g_.tensor(in).name,
                                                 "' is dangling: no op, graph input, constant or variable defines it"));
        }
        if (HasCycle()) {
          return OpError(g_.ops()[cycle_op_], cycle_op_, "op is on a cycle",
                         "an acyclic graph");
        }
        return OpError(op, index, absl::StrCat("input ", s, " '", g_.tensor(in).name,
                                               "' is used before op #", producer[in],
                                               " produces it"), "ops in topological order");
      }
      for (size_t s = 0; s < op.outputs.size(); ++s) {
        TensorId out = op.outputs[s];
        if (!InRange(out)) {
          return OpError(op, index, absl::StrCat("output ", s, " refers to tensor ", out, " which does not exist"));
        }
        if (g_.tensor(out).is_constant()) {
          return OpError(op, index, absl::StrCat("output ", s, " '", g_.tensor(out).name, "' is a constant"));
        }
        if (g_.tensor(out).is_variable) {
          return OpError(op, index, absl::StrCat("output ", s, " '", g_.tensor(out).name,
                                                 "' is a variable tensor"));
        }
        if (g_.IsGraphInput(out)) {
          return OpError(op, index, absl::StrCat("output ", s, " '", g_.tensor(out).name, "' is a graph input"));
        }
        if (defined_[out]) {
          return OpError(op, index, absl::StrCat("output ", s, " '", g_.tensor(out).name,
                                                 "' is produced more than once"));
        }
        defined_[out] = true;
      }
    }
    return absl::OkStatus();
  }

  // producer[t] = first op writing t (duplicates are reported in CheckOps).
  std::vector<int> ProducersChecked() const {
    std::vector<int> producer(g_.num_tensors(), -1);
    for (size_t i = 0; i < g_.ops().size(); ++i) {
      for (TensorId out : g_.ops()[i].outputs) {
        if (InRange(out) && producer[out] < 0) producer[out] = static_cast<int>(i);
      }
    }
    return producer;
  }

  // Kahn's algorithm; on a cycle, cycle_op_ is the lowest-index op left over.
  bool HasCycle() {
    std::vector<int> producer = ProducersChecked();
    size_t n = g_.ops().size();
    std::vector<int> pending(n, 0);
    std::vector<std::vector<int>> dependents(n);
    for (size_t i = 0; i < n; ++i) {
      for (TensorId in : g_.ops()[i].inputs) {
        if (!InRange(in) || producer[in] < 0) continue;
        dependents[producer[in]].push_back(static_cast<int>(i));
        ++pending[i];
      }
    }
    std::queue<int> ready;
    for (size_t i = 0; i < n; ++i) {
      if (pending[i] == 0) ready.push(static_cast<int>(i));
    }
    size_t done = 0;
    while (!ready.empty()) {
      int i = ready.front();
      ready.pop();
      ++done;
      for (int d : dependents[i]) {
        if (--pending[d] == 0) ready.push(d);
      }
    }
    if (done == n) return false;
    for (size_t i = 0; i < n; ++i) {
      if (pending[i] > 0) {
        cycle_op_ = static_cast<int>(i);
        break;
      }
    }
    return true;
  }

  absl::Status CheckOutputsAndSignatures() const {
    for (TensorId id : g_.outputs()) {
      if (!InRange(id)) return GraphError(absl::StrCat("graph output refers to tensor ", id));
      if (!defined_[id]) return TensorError(id, "graph output is never produced");
    }
    for (const Signature& sig : g_.signatures()) {
      for (const SignatureTensor& st : sig.inputs) {
        if (!InRange(st.tensor) || !g_.IsGraphInput(st.tensor)) {
          return GraphError(absl::StrCat("signature '", sig.key, "' input '", st.name,
                                         "' is not a graph input"));
        }
      }
      for (const SignatureTensor& st : sig.outputs) {
        if (!InRange(st.tensor) || !g_.IsGraphOutput(st.tensor)) {
          return GraphError(absl::StrCat("signature '", sig.key, "' output '", st.name,
                                         "' is not a graph output"));
        }
      }
    }
    return absl::OkStatus();
  }

  const Graph& g_;
  std::vector<bool> defined_;
  int cycle_op_ = 0;
};

}  // namespace

absl::Status VerifyGraph(const Graph& graph) { return Verifier(graph).Run(); }

}  // namespace optconv
