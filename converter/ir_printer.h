#pragma once
// The text form of the IR, for tests, --print-ir-after and bug reports.
// One line per op:
//   %y:f32[1,112,112,32] = Conv2D(%x, %w:const, %b:const) {padding=same, stride=2x2, act=relu6}  # node 'Conv_0' (Conv)
#include <string>

#include "converter/graph.h"

namespace optconv {

std::string PrintGraph(const Graph& graph);

}  // namespace optconv
