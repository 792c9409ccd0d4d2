// DimOrigin: which unknown dims are provably the same at run time. A wrong
// "same" would let the ONNX importer resolve a reshape target wrongly, so the
// cases where the trace must stop matter as much as the ones it follows.
#include "importers/common/dim_origin.h"

#include "passes_test_util.h"

namespace optconv {
namespace {

using importer::DimOrigin;
using importer::DimRef;
using importer::SameRuntimeDim;
using passes_test::GraphBuilder;

constexpr int64_t kAny = kUnknownDim;

// Transpose, a reshape keeping the known sizes' product, elementwise ops with
// a broadcast constant, zero padding and a conv all carry the batch.
TEST(DimOrigin, FollowsOpsThatCarryTheDim) {
  GraphBuilder b;
  TensorId x = b.Input("x", {kAny, 3, 4, 4});
  TensorId t = b.ToNhwc(x);                                            // [?,4,4,3]
  TensorId r = b.Op1(OpKind::kReshape, {t, b.Ints({-1, 2, 2, 12})});  // [?,2,2,12]
  TensorId m = b.Op1(OpKind::kMul, {r, b.RandomConst({12}, 1)});
  TensorId p = b.Op1(OpKind::kPad, {m, b.Ints({4, 2}, {0, 0, 1, 1, 1, 1, 0, 0})});
  TensorId c = b.Op1(OpKind::kRelu, {b.Conv(p, 5, 3, 2)});
  const Graph& g = b.graph();
  EXPECT_EQ(DimOrigin(g, {c, 0}), (DimRef{x, 0}));
  EXPECT_TRUE(SameRuntimeDim(g, {c, 0}, {t, 0}));
}

// Must stop: both operands of an ADD unknown there (either may be the
// broadcast 1), a reshape with two unknown dims, a concatenation along the
// dim, and a reshape whose known product changes (the batch is rescaled).
TEST(DimOrigin, StopsWhereTheDimMayDiffer) {
  GraphBuilder b;
  TensorId x = b.Input("x", {kAny, 4});
  TensorId y = b.Input("y", {kAny, 4});
  TensorId sum = b.Op1(OpKind::kAdd, {x, y});
  TensorId z = b.Input("z", {kAny, kAny});
  TensorId two_unknown = b.Op1(OpKind::kReshape, {z, b.Ints({-1, 2})});
  ConcatenationOptions on_batch;
  TensorId cat = b.Op1(OpKind::kConcatenation, {x, y}, on_batch);
  TensorId rescaled = b.Op1(OpKind::kReshape, {x, b.Ints({-1, 2})});  // [?,2]: twice the rows
  const Graph& g = b.graph();
  EXPECT_EQ(DimOrigin(g, {sum, 0}), (DimRef{sum, 0}));
  EXPECT_EQ(DimOrigin(g, {two_unknown, 0}), (DimRef{two_unknown, 0}));
  EXPECT_EQ(DimOrigin(g, {cat, 0}), (DimRef{cat, 0}));
  EXPECT_EQ(DimOrigin(g, {rescaled, 0}), (DimRef{rescaled, 0}));
  EXPECT_FALSE(SameRuntimeDim(g, {x, 0}, {y, 0}));
}

}  // namespace
}  // namespace optconv
