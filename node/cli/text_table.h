// TextTable: aligned plain-text tables for `parley members` and `fleet`.
//
// Like `serf members`: a header row in capitals, columns padded to their
// widest cell with two spaces between, no borders, so the output stays
// readable in a terminal and easy to cut with awk.
#pragma once

#include <string>
#include <vector>

namespace parley::cli {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : rows_{std::move(header)} {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Every row, each line prefixed with `indent` and ending in "\n".
  std::string Render(const std::string& indent = "") const;

 private:
  std::vector<std::vector<std::string>> rows_;  // rows_[0] is the header
};

}  // namespace parley::cli
