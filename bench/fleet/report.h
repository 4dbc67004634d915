// Report: the fleet benchmark's results as one table, a CSV file and an SVG
// plot of propagation latency against fleet size.
//
// Every measurement is one row (phase, nodes, system, metric, value, unit),
// so the CSV is easy to filter and the plot is drawn from the same rows the
// table shows; nothing is computed twice.
#pragma once

#include <string>
#include <vector>

#include "storage/status.h"

namespace parley::bench {

struct ReportRow {
  std::string phase;   // propagation, reads, throughput, bytes, availability, convergence
  int nodes = 0;
  std::string system;  // "parley", "parley-embedded", "redis", ...
  std::string metric;  // p50, p99, max, ops_per_s, ...
  double value = 0;
  std::string unit;    // ms, us, ops/s, bytes, %, x, ...
  std::string note;    // goal verdicts and caveats, shown in the table
};

class Report {
 public:
  void Add(ReportRow row);
  const std::vector<ReportRow>& rows() const { return rows_; }

  // Aligned text, one block per phase, to stdout.
  void PrintTable() const;
  Status WriteCsv(const std::string& path) const;
  // Adds the rows of a CSV written by WriteCsv, so a plot can be redrawn
  // from saved results without running the fleet again.
  Status LoadCsv(const std::string& path);
  // Propagation p50/p99/max of `system` (and redis's p99 for reference)
  // against fleet size. NotFound if there are no propagation rows.
  Status WritePropagationSvg(const std::string& path) const;

 private:
  std::vector<ReportRow> rows_;
};

// Formats `v` with `digits` decimals, or as an integer when it is one.
std::string FormatNumber(double v, int digits = 2);

}  // namespace parley::bench
