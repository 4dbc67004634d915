// HtmlReport: SVG timeline and divergence chart in one HTML page.
#include "sim/html_report.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "sim/report.h"

namespace parley::sim {
namespace {

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string F(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", d);
  return buf;
}

constexpr size_t kMaxRows = 120;  // larger fleets show their first nodes
constexpr double kLeft = 60, kWidth = 1100, kTop = 45;
constexpr int kLabelLevels = 3;  // rows of event labels above the lanes, so close ones do not overlap

}  // namespace

std::string RenderHtml(const SimResult& r) {
  size_t rows = std::min(r.nodes, kMaxRows);
  double row_h = rows > 60 ? 6 : 14;
  double end_ms = std::max<double>(1, static_cast<double>(r.virtual_ms));
  auto x = [&](uint64_t ms) { return kLeft + static_cast<double>(ms) / end_ms * kWidth; };
  double lanes_h = static_cast<double>(rows) * row_h;
  double chart_top = kTop + lanes_h + 40, chart_h = 120;
  double height = chart_top + chart_h + 40;

  std::string svg = "<svg xmlns='http://www.w3.org/2000/svg' width='" + F(kLeft + kWidth + 20) + "' height='" +
                    F(height) + "' font-family='monospace' font-size='10'>\n";
  // Lanes.
  for (size_t i = 0; i < rows; ++i) {
    double y = kTop + static_cast<double>(i) * row_h;
    svg += "<rect x='" + F(kLeft) + "' y='" + F(y) + "' width='" + F(kWidth) + "' height='" + F(row_h - 1) +
           "' fill='" + (i % 2 ? "#eef6ee" : "#e4f0e4") + "'/>\n";
    if (row_h >= 10 || i % 10 == 0) {
      svg += "<text x='" + F(kLeft - 4) + "' y='" + F(y + row_h - 3) + "' text-anchor='end'>n" + std::to_string(i) +
             "</text>\n";
    }
  }
  for (const NodeSpan& s : r.spans) {
    if (s.node >= rows) continue;
    double y = kTop + static_cast<double>(s.node) * row_h;
    bool down = s.kind == NodeSpan::Kind::kDown;
    svg += "<rect x='" + F(x(s.from_ms)) + "' y='" + F(y + (down ? 0 : row_h / 4)) + "' width='" +
           F(std::max(1.0, x(s.to_ms) - x(s.from_ms))) + "' height='" + F(down ? row_h - 1 : row_h / 2) +
           "' fill='" + (down ? "#777" : "#f0a030") + "' opacity='" + (down ? "0.9" : "0.8") + "'><title>n" +
           std::to_string(s.node) + (down ? " down " : " cut ") + std::to_string(s.from_ms) + "-" +
           std::to_string(s.to_ms) + " ms</title></rect>\n";
  }
  // Events: cluster-wide ones as lines across every lane, node ones as ticks.
  double label_end[kLabelLevels] = {0, 0, 0};  // where each label row is free again
  for (const TimelineEvent& e : r.timeline) {
    double ex = x(e.at_ms);
    std::string color = e.label == "converged" ? "#080" : e.label.rfind("liveness", 0) == 0 ? "#06c" : "#c00";
    if (e.node < 0 || static_cast<size_t>(e.node) >= rows) {
      svg += "<line x1='" + F(ex) + "' y1='" + F(kTop - 8) + "' x2='" + F(ex) + "' y2='" + F(kTop + lanes_h) +
             "' stroke='" + color + "' stroke-dasharray='3,2'><title>" + Escape(e.label) + " @ " +
             std::to_string(e.at_ms) + " ms</title></line>\n";
      // ~6.5 px per monospace character; a label that would run off the
      // right edge ends at its line instead of starting there.
      double width = 6.5 * static_cast<double>(e.label.size());
      bool flip = ex + 2 + width > kLeft + kWidth + 20;
      double start = flip ? ex - 2 - width : ex + 2;
      int level = 0;
      while (level + 1 < kLabelLevels && label_end[level] > start) ++level;
      label_end[level] = start + width + 4;
      svg += "<text x='" + F(flip ? ex - 2 : ex + 2) + "' y='" + F(kTop - 10 - 11 * level) + "' fill='" + color +
             "'" + (flip ? " text-anchor='end'" : "") + ">" + Escape(e.label) + "</text>\n";
    } else {
      double y = kTop + static_cast<double>(e.node) * row_h;
      svg += "<rect x='" + F(ex - 1) + "' y='" + F(y) + "' width='3' height='" + F(row_h - 1) + "' fill='" + color +
             "'><title>" + Escape(e.label) + " @ " + std::to_string(e.at_ms) + " ms</title></rect>\n";
    }
  }
  // Divergence chart.
  int max_distinct = 1;
  for (const DivergenceSample& s : r.samples) max_distinct = std::max(max_distinct, s.distinct);
  svg += "<text x='" + F(kLeft) + "' y='" + F(chart_top - 6) + "'>distinct states among live nodes (max " +
         std::to_string(max_distinct) + ")</text>\n";
  svg += "<rect x='" + F(kLeft) + "' y='" + F(chart_top) + "' width='" + F(kWidth) + "' height='" + F(chart_h) +
         "' fill='#f8f8f8' stroke='#ccc'/>\n<polyline fill='none' stroke='#a0c' points='";
  for (const DivergenceSample& s : r.samples) {
    double y = chart_top + chart_h - static_cast<double>(s.distinct) / max_distinct * (chart_h - 5);
    svg += F(x(s.at_ms)) + "," + F(y) + " ";
  }
  svg += "'/>\n";
  svg += "<text x='" + F(kLeft - 4) + "' y='" + F(chart_top + 9) + "' text-anchor='end'>" +
         std::to_string(max_distinct) + "</text>\n<text x='" + F(kLeft - 4) + "' y='" + F(chart_top + chart_h) +
         "' text-anchor='end'>0</text>\n";
  if (r.converged) {
    svg += "<line x1='" + F(x(r.converged_ms)) + "' y1='" + F(chart_top) + "' x2='" + F(x(r.converged_ms)) +
           "' y2='" + F(chart_top + chart_h) + "' stroke='#080'/>\n";
  }
  for (int t = 0; t <= 10; ++t) {
    auto ms = static_cast<uint64_t>(end_ms * t / 10);
    svg += "<text x='" + F(x(ms)) + "' y='" + F(chart_top + chart_h + 14) + "' text-anchor='middle'>" +
           std::to_string(ms) + "ms</text>\n";
  }
  svg += "</svg>\n";

  std::string html = "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>parley sim: " + Escape(r.scenario) +
                     "</title><style>body{font-family:sans-serif;margin:20px}pre{background:#f4f4f4;padding:8px}"
                     ".ok{color:#080}.fail{color:#c00}</style></head><body>\n";
  html += "<h1>parley sim: " + Escape(r.scenario) + " <span class='" + (r.ok() ? "ok'>ok" : "fail'>FAILED") +
          "</span></h1>\n";
  html += "<p>Legend: grey = node down, orange = node cut from part of the cluster, red = fault, blue = heal "
          "(liveness phase), green = convergence.";
  if (r.nodes > rows) {
    html += " Showing the first " + std::to_string(rows) + " of " + std::to_string(r.nodes) + " nodes.";
  }
  html += "</p>\n" + svg + "<pre>" + Escape(FormatReport(r)) + "</pre>\n</body></html>\n";
  return html;
}

Status WriteHtmlReport(const SimResult& result, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IoError(path + ": cannot create the HTML report");
  out << RenderHtml(result);
  out.close();
  if (!out) return Status::IoError(path + ": write failed");
  return Status::Ok();
}

}  // namespace parley::sim
