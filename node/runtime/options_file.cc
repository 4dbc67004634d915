// Options file: TOML (toml11) to NodeOptions, exceptions caught here.
#include "node/runtime/options_file.h"

#include <toml.hpp>

#include <algorithm>

namespace parley {
namespace {

// A scalar TOML value as the text a flag would carry.
Result<std::string> AsText(const toml::value& v, const std::string& where) {
  if (v.is_string()) return v.as_string().str;
  if (v.is_integer()) return std::to_string(v.as_integer());
  if (v.is_boolean()) return std::string(v.as_boolean() ? "true" : "false");
  return Status::InvalidArgument(where + ": expected a string, number or boolean");
}

}  // namespace

Status LoadOptionsFile(const std::string& path, NodeOptions* options) {
  try {
    toml::value root = toml::parse(path);
    if (!root.is_table()) return Status::InvalidArgument("--config " + path + ": not a TOML table");
    for (const auto& [raw_key, value] : root.as_table()) {
      std::string key = raw_key;
      std::replace(key.begin(), key.end(), '_', '-');
      if (key == "key-files") key = "key-file";
      std::string where = "--config " + path + ": " + raw_key;
      if (key == "config") return Status::InvalidArgument(where + ": a config file cannot include another");
      if (value.is_array()) {
        if (key != "seeds" && key != "key-file") return Status::InvalidArgument(where + ": must not be a list");
        std::string joined;
        for (const toml::value& item : value.as_array()) {
          Result<std::string> text = AsText(item, where);
          if (!text.ok()) return text.status();
          if (key == "key-file") {
            PARLEY_RETURN_IF_ERROR(SetOption(options, key, *text).WithContext("--config " + path));
          } else {
            joined += (joined.empty() ? "" : ",") + *text;
          }
        }
        if (key == "seeds") PARLEY_RETURN_IF_ERROR(SetOption(options, key, joined).WithContext("--config " + path));
        continue;
      }
      Result<std::string> text = AsText(value, where);
      if (!text.ok()) return text.status();
      PARLEY_RETURN_IF_ERROR(SetOption(options, key, *text).WithContext("--config " + path));
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::InvalidArgument("--config " + path + ": " + e.what());
  }
}

}  // namespace parley
