#pragma once
// Tensor shapes with unknown dimensions (kUnknownDim), e.g. a dynamic batch.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace optconv {

inline constexpr int64_t kUnknownDim = -1;

using Shape = std::vector<int64_t>;

/// True when every dimension is known.
bool IsStatic(const Shape& shape);
/// Number of elements, or nullopt when a dimension is unknown.
std::optional<int64_t> NumElements(const Shape& shape);
/// How many dimensions are unknown.
int UnknownDims(const Shape& shape);
/// Product of the known dimensions (unknown ones count as 1): with one unknown
/// dim on each side, equal products make a reshape keep that dim's size.
int64_t KnownDimsProduct(const Shape& shape);
/// "[1,3,?,224]"
std::string ShapeToString(const Shape& shape);
/// Normalises a possibly negative axis against `rank`; nullopt when out of range.
std::optional<int> NormalizeAxis(int64_t axis, int rank);
/// Numpy-style broadcast of two shapes; nullopt when incompatible.
std::optional<Shape> BroadcastShapes(const Shape& a, const Shape& b);

}  // namespace optconv
