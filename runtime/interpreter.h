#pragma once
// A reference interpreter over the IR: runs every op with the kernels of
// EvaluateOp in graph order. Slow and simple; used by pass tests, accuracy
// checks and (later) calibration.
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "converter/graph.h"
#include "runtime/host_tensor.h"

namespace optconv {

/// Called once for every op output after it is computed (e.g. to collect
/// calibration ranges). `value` is only valid during the call.
using TensorObserver = std::function<void(TensorId id, const HostTensor& value)>;

/// Runs `graph` on `inputs` (one per graph input, in order). Input types must
/// match; shapes must match the declared ones except where those are unknown
/// (output shapes are re-inferred from the actual inputs). Returns one tensor
/// per graph output. Unimplemented when an op has no kernel.
absl::StatusOr<std::vector<HostTensor>> RunGraph(const Graph& graph,
                                                 const std::vector<HostTensor>& inputs,
                                                 const TensorObserver& observer = nullptr);

}  // namespace optconv
