#pragma once
// Small helpers shared by passes: permutation algebra, constant access and
// re-layout, and op construction.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "converter/graph.h"

namespace optconv {

/// A permutation in TFLite TRANSPOSE convention: out.shape[i] = in.shape[perm[i]].
using Perm = std::vector<int>;

/// True when perm[i] == i for all i.
bool IsIdentityPerm(const Perm& perm);
/// The identity permutation of `rank`.
Perm IdentityPerm(int rank);
/// inv such that Compose(perm, inv) is the identity.
Perm InversePerm(const Perm& perm);
/// Transposing by `a` then by `b` equals transposing by Compose(a, b): r[i] = a[b[i]].
Perm ComposePerms(const Perm& a, const Perm& b);
/// out[i] = shape[perm[i]].
Shape PermuteShape(const Shape& shape, const Perm& perm);
/// True when `perm` keeps the relative order of the dims of `shape` whose size
/// is not 1 (so the transpose is a pure reshape). Unknown dims count as non-1.
bool PermMovesOnlyUnitDims(const Shape& shape, const Perm& perm);

/// Integer values of a constant i32/i64 tensor; nullopt for anything else.
std::optional<std::vector<int64_t>> ConstInts(const Graph& graph, TensorId id);
/// The permutation of a TRANSPOSE op when it is a valid constant permutation.
std::optional<Perm> TransposePerm(const Graph& graph, const Op& op);
/// Float values of a constant f32 tensor; nullopt for anything else.
std::optional<std::vector<float>> ConstFloats(const Graph& graph, TensorId id);

/// Row-major transpose of raw data of `elem_size`-byte elements.
BufferPtr TransposeBytes(const Buffer& data, const Shape& shape, size_t elem_size,
                         const Perm& perm);

/// Adds a constant i32 vector tensor [n].
TensorId AddInt32Vector(Graph& graph, const std::string& name, const std::vector<int32_t>& values);
/// Adds a constant i32 scalar tensor [].
TensorId AddInt32Scalar(Graph& graph, const std::string& name, int32_t value);
/// Adds a float constant of `shape`.
TensorId AddFloatConstant(Graph& graph, const std::string& name, const Shape& shape,
                          const std::vector<float>& values);

/// A new constant equal to the constant `id` broadcast (by prepending 1s) to
/// `rank` and transposed by `perm`. Quantization axes follow the permutation.
TensorId RelayoutConstant(Graph& graph, TensorId id, int rank, const Perm& perm);

/// Builds an op with default options for its kind.
Op MakeOp(OpKind kind, std::vector<TensorId> inputs, std::vector<TensorId> outputs,
          const SourceLoc& origin);
/// Appends TRANSPOSE(input, perm) writing a new activation; returns the output.
/// The output shape is the permuted input shape. The op is appended at the end
/// (callers re-sort).
TensorId AppendTranspose(Graph& graph, TensorId input, const Perm& perm, const SourceLoc& origin,
                         const std::string& name_hint);
/// Appends RESHAPE(input, shape) writing a new activation of `out_shape`;
/// returns the output. nullopt when more than one dim of out_shape is unknown.
std::optional<TensorId> AppendReshape(Graph& graph, TensorId input, const Shape& out_shape,
                                      const SourceLoc& origin, const std::string& name_hint);

/// The number of input slots of all ops referring to each tensor, plus one per
/// graph-output occurrence.
std::vector<int> UseCounts(const Graph& graph);

/// Mutable fused activation of ops that carry one, or nullptr.
Activation* FusedActivation(Op& op);
const Activation* FusedActivation(const Op& op);

/// Erases tombstoned ops, re-sorts, drops dead ops and unused tensors.
absl::Status CompactGraph(Graph& graph, const std::vector<bool>& erased);

}  // namespace optconv
