// Report: text table, CSV and a hand-built SVG line chart (no plotting
// dependency; the chart is a few dozen SVG elements).
#include "bench/fleet/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace parley::bench {
namespace {

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += "\"\"";
    else out.push_back(c);
  }
  return out + "\"";
}

// Splits one CSV line written by CsvField (quotes only around fields that
// need them, "" for a quote inside).
std::vector<std::string> ParseCsvLine(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  return fields;
}

}  // namespace

std::string FormatNumber(double v, int digits) {
  char buf[64];
  if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  }
  return buf;
}

void Report::Add(ReportRow row) { rows_.push_back(std::move(row)); }

void Report::PrintTable() const {
  const char* header[] = {"phase", "nodes", "system", "metric", "value", "unit", "note"};
  std::vector<std::vector<std::string>> cells;
  for (const ReportRow& r : rows_) {
    cells.push_back({r.phase, std::to_string(r.nodes), r.system, r.metric, FormatNumber(r.value), r.unit, r.note});
  }
  std::vector<size_t> width(7);
  for (int c = 0; c < 7; ++c) width[c] = std::string(header[c]).size();
  for (const auto& row : cells) {
    for (int c = 0; c < 7; ++c) width[c] = std::max(width[c], row[c].size());
  }
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (int c = 0; c < 7; ++c) {
      std::string cell = row[c];
      // Numbers right-aligned, words left-aligned.
      if (c == 1 || c == 4) cell = std::string(width[c] - cell.size(), ' ') + cell;
      else if (c < 6) cell += std::string(width[c] - cell.size(), ' ');
      line += cell + (c < 6 ? "  " : "");
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
  };
  print({header, header + 7});
  std::string last_phase;
  for (const auto& row : cells) {
    if (!last_phase.empty() && row[0] != last_phase) std::printf("\n");
    last_phase = row[0];
    print(row);
  }
  std::fflush(stdout);
}

Status Report::WriteCsv(const std::string& path) const {
  std::ofstream out(path);
  if (!out) return Status::IoError("cannot write " + path);
  out << "phase,nodes,system,metric,value,unit,note\n";
  for (const ReportRow& r : rows_) {
    out << CsvField(r.phase) << ',' << r.nodes << ',' << CsvField(r.system) << ',' << CsvField(r.metric) << ','
        << FormatNumber(r.value, 4) << ',' << CsvField(r.unit) << ',' << CsvField(r.note) << '\n';
  }
  out.close();
  if (!out) return Status::IoError("writing " + path + " failed");
  return Status::Ok();
}

Status Report::LoadCsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read " + path);
  std::string line;
  std::getline(in, line);  // header
  for (int number = 2; std::getline(in, line); ++number) {
    std::vector<std::string> f = ParseCsvLine(line);
    if (f.size() != 7) return Status::Corruption(path + ":" + std::to_string(number) + ": expected 7 fields");
    try {
      rows_.push_back({f[0], std::stoi(f[1]), f[2], f[3], std::stod(f[4]), f[5], f[6]});
    } catch (const std::exception&) {
      return Status::Corruption(path + ":" + std::to_string(number) + ": bad number");
    }
  }
  return Status::Ok();
}

Status Report::WritePropagationSvg(const std::string& path) const {
  struct Series {
    std::string system, metric, label, color, dash;
  };
  const std::vector<Series> series = {
      {"parley", "p50", "parley p50", "#1f77b4", ""},
      {"parley", "p99", "parley p99", "#d62728", ""},
      {"parley", "max", "parley max", "#7f7f7f", ""},
      {"parley", "half_nodes_p50", "parley p50, half the nodes", "#9467bd", "2,3"},
      {"redis", "p99", "redis p99, N subscribers", "#2ca02c", "6,4"},
  };
  std::map<std::string, std::map<int, double>> points;  // label -> nodes -> ms
  std::set<int> sizes;
  // Log scale: redis-server's sub-millisecond p50 and parley's
  // anti-entropy tail of seconds must both be readable on one chart.
  double lo = 50, hi = 50;  // keep the 50 ms goal line on the chart
  for (const ReportRow& r : rows_) {
    if (r.phase != "propagation") continue;
    for (const Series& s : series) {
      if (r.system == s.system && r.metric == s.metric) {
        points[s.label][r.nodes] = r.value;
        sizes.insert(r.nodes);
        if (r.value > 0) lo = std::min(lo, r.value);
        hi = std::max(hi, r.value);
      }
    }
  }
  if (sizes.empty()) return Status::NotFound("no propagation results to plot");
  const int low_decade = static_cast<int>(std::floor(std::log10(lo)));
  const int high_decade = std::max(low_decade + 1, static_cast<int>(std::ceil(std::log10(hi))));
  const double W = 680, H = 400, left = 60, right = 240, bottom = 50, topm = 40;
  const double pw = W - left - right, ph = H - topm - bottom;
  int xmin = *sizes.begin(), xmax = *sizes.rbegin();
  auto X = [&](int n) {
    if (xmax == xmin) return left + pw / 2;
    return left + pw * (n - xmin) / static_cast<double>(xmax - xmin);
  };
  auto Y = [&](double ms) {
    double decades = std::log10(std::max(ms, std::pow(10.0, low_decade))) - low_decade;
    return topm + ph * (1 - decades / (high_decade - low_decade));
  };
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << left << "\" y=\"22\" font-size=\"14\">parley write propagation (write on one node, "
      << "visible on all) vs fleet size</text>\n";
  for (int d = low_decade; d <= high_decade; ++d) {  // a grid line and label per decade
    double v = std::pow(10.0, d), y = Y(v);
    svg << "<line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << y << "\" y2=\"" << y
        << "\" stroke=\"#ddd\"/>\n<text x=\"" << left - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">"
        << FormatNumber(v, 1) << "</text>\n";
  }
  for (int n : sizes) {
    svg << "<text x=\"" << X(n) << "\" y=\"" << topm + ph + 18 << "\" text-anchor=\"middle\">" << n << "</text>\n";
  }
  svg << "<line x1=\"" << left << "\" x2=\"" << left << "\" y1=\"" << topm << "\" y2=\"" << topm + ph
      << "\" stroke=\"black\"/>\n<line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << topm + ph
      << "\" y2=\"" << topm + ph << "\" stroke=\"black\"/>\n"
      << "<text x=\"" << left + pw / 2 << "\" y=\"" << H - 12 << "\" text-anchor=\"middle\">nodes</text>\n"
      << "<text transform=\"translate(16," << topm + ph / 2
      << ") rotate(-90)\" text-anchor=\"middle\">ms (log scale)</text>\n"
      << "<line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << Y(50) << "\" y2=\"" << Y(50)
      << "\" stroke=\"#ff7f0e\" stroke-dasharray=\"2,3\"/>\n<text x=\"" << left + pw - 4 << "\" y=\"" << Y(50) - 4
      << "\" text-anchor=\"end\" fill=\"#ff7f0e\">goal: p99 50 ms at 32 nodes</text>\n";
  double legend_y = topm + 10;
  for (const Series& s : series) {
    auto it = points.find(s.label);
    if (it == points.end()) continue;
    std::string dash = s.dash.empty() ? "" : " stroke-dasharray=\"" + s.dash + "\"";
    svg << "<polyline fill=\"none\" stroke=\"" << s.color << "\" stroke-width=\"2\"" << dash << " points=\"";
    for (const auto& [n, ms] : it->second) svg << X(n) << "," << Y(ms) << " ";
    svg << "\"/>\n";
    for (const auto& [n, ms] : it->second) {
      svg << "<circle cx=\"" << X(n) << "\" cy=\"" << Y(ms) << "\" r=\"3\" fill=\"" << s.color << "\"><title>"
          << s.label << " at " << n << " nodes: " << FormatNumber(ms, 1) << " ms</title></circle>\n";
    }
    svg << "<line x1=\"" << W - right + 15 << "\" x2=\"" << W - right + 40 << "\" y1=\"" << legend_y << "\" y2=\""
        << legend_y << "\" stroke=\"" << s.color << "\" stroke-width=\"2\"" << dash << "/>\n<text x=\""
        << W - right + 46 << "\" y=\"" << legend_y + 4 << "\">" << s.label << "</text>\n";
    legend_y += 20;
  }
  svg << "</svg>\n";
  std::ofstream out(path);
  if (!out) return Status::IoError("cannot write " + path);
  out << svg.str();
  out.close();
  if (!out) return Status::IoError("writing " + path + " failed");
  return Status::Ok();
}

}  // namespace parley::bench
