// Report: the text summary of a simulation run.
//
// The first lines always give the seed and the trace hash (so a run can be
// reproduced and recognised); a failing run ends with its violations and
// the exact command that reproduces it.
#pragma once

#include <string>

#include "sim/sim_result.h"

namespace parley::sim {

std::string FormatReport(const SimResult& result);
// One line: "ok   split-brain-heal seed=1 hash=... converged in 812 ms".
std::string FormatOneLine(const SimResult& result);

}  // namespace parley::sim
