// Command registry: each `parley` subcommand registers itself from its own file.
//
// A file defines `void AddFooCommand(CLI::App&)` and registers it with
// PARLEY_REGISTER_COMMAND(order, AddFooCommand); main() adds every
// registered command in `order`. New subcommands need no edit elsewhere.
#pragma once

#include <CLI/CLI.hpp>

#include <utility>
#include <vector>

namespace parley::cli {

using CommandAdder = void (*)(CLI::App&);

inline std::vector<std::pair<int, CommandAdder>>& RegisteredCommands() {
  static std::vector<std::pair<int, CommandAdder>> commands;
  return commands;
}

struct CommandRegistration {
  CommandRegistration(int order, CommandAdder adder) { RegisteredCommands().emplace_back(order, adder); }
};

}  // namespace parley::cli

#define PARLEY_CONCAT_INNER(a, b) a##b
#define PARLEY_CONCAT(a, b) PARLEY_CONCAT_INNER(a, b)
#define PARLEY_REGISTER_COMMAND(order, adder) \
  static ::parley::cli::CommandRegistration PARLEY_CONCAT(parley_command_, __LINE__)(order, adder)
