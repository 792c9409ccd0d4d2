#pragma once
// Einsum (ONNX Einsum, TF Einsum) lowered to canonical ops. One operand: a
// TRANSPOSE and/or SUM. Two operands: labels in both inputs and the output
// are batch dims, in both inputs only are contracted, in one input and the
// output are free. A constant operand without batch dims becomes
// FULLY_CONNECTED weights (the einsum of a Keras EinsumDense or attention
// projection: no run-time transpose); otherwise BATCH_MATMUL, with adj_x /
// adj_y where an operand already has its contracted dims last / first.
// Reshapes merge multi-label groups; transposes only where the label order
// demands one. Ellipses ("...") are supported. Not supported (Unimplemented):
// repeated labels within an operand (diagonals), more than two operands.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "importers/common/graph_builder.h"

namespace optconv::importer {

absl::StatusOr<TensorId> EmitEinsum(GraphBuilder& builder, const SourceLoc& origin,
                                    const std::string& equation,
                                    const std::vector<TensorId>& operands);

}  // namespace optconv::importer
