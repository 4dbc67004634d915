// Scenario files: TOML in, TOML out.
//
// A scenario file is untrusted input (I4): every key is type-checked and
// range-checked, unknown keys are refused (a misspelt "los" must not
// silently mean "no loss"), and every error names the file, the table and
// the key, e.g. "x.toml: [network] loss must be between 0 and 1". toml11
// reports syntax errors by throwing; they are caught here and returned as a
// Status, so no exception crosses this module's boundary.
#pragma once

#include <string>
#include <string_view>

#include "sim/scenario.h"
#include "storage/status.h"

namespace parley::sim {

// Parses `text`; `file_name` prefixes every error message.
Result<Scenario> ParseScenario(std::string_view text, const std::string& file_name);
Result<Scenario> LoadScenarioFile(const std::string& path);

// The scenario as a TOML file that ParseScenario() reads back to an equal
// scenario (the swarm dumps failing runs this way).
std::string ScenarioToToml(const Scenario& scenario);

}  // namespace parley::sim
