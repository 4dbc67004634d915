// HtmlReport: a self-contained HTML page for one run, to open in a browser.
//
// An SVG timeline shows nodes (rows) against virtual time: when each node
// was down, when it was cut from part of the cluster, the faults, the heal
// and the moment of convergence; below it, the number of distinct states
// over time (divergence). No scripts, no external files.
#pragma once

#include <string>

#include "sim/sim_result.h"
#include "storage/status.h"

namespace parley::sim {

std::string RenderHtml(const SimResult& result);
Status WriteHtmlReport(const SimResult& result, const std::string& path);

}  // namespace parley::sim
