// FleetManifest: fleet.json reading and atomic writing.
#include "node/cli/fleet_manifest.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace parley::cli {

using nlohmann::json;

FleetNode* FleetManifest::Find(const std::string& name) {
  for (FleetNode& node : nodes) {
    if (node.name == name) return &node;
  }
  return nullptr;
}

const FleetNode* FleetManifest::Find(const std::string& name) const {
  return const_cast<FleetManifest*>(this)->Find(name);
}

std::string ManifestPath(const std::string& fleet_dir) {
  return (std::filesystem::path(fleet_dir) / "fleet.json").string();
}

Result<FleetManifest> LoadManifest(const std::string& fleet_dir) {
  std::string path = ManifestPath(fleet_dir);
  std::ifstream in(path);
  if (!in) return Status::NotFound("no fleet in " + fleet_dir + " (" + path + " does not exist)");
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("nodes") || !doc["nodes"].is_array()) {
    return Status::Corruption(path + " is not a fleet manifest");
  }
  FleetManifest manifest;
  std::error_code ec;
  manifest.dir = std::filesystem::absolute(fleet_dir, ec).lexically_normal().string();
  // Catch nlohmann's type errors here: a hand-edited file must not crash the CLI.
  try {
    manifest.binary = doc.value("binary", "");
    manifest.profile = doc.value("profile", "local");
    manifest.sync = doc.value("sync", "always");
    manifest.base_port = doc.value("base_port", 0);
    for (const json& n : doc["nodes"]) {
      FleetNode node;
      node.name = n.at("name").get<std::string>();
      node.pid = n.value("pid", 0);
      node.gossip = n.at("gossip").get<std::string>();
      node.http = n.at("http").get<std::string>();
      node.resp = n.value("resp", "");
      node.data_dir = n.at("data_dir").get<std::string>();
      node.log_file = n.value("log", "");
      manifest.nodes.push_back(std::move(node));
    }
  } catch (const json::exception& e) {
    return Status::Corruption(path + ": " + e.what());
  }
  return manifest;
}

Status SaveManifest(const FleetManifest& manifest) {
  json nodes = json::array();
  for (const FleetNode& node : manifest.nodes) {
    nodes.push_back({{"name", node.name},       {"pid", node.pid},   {"gossip", node.gossip},
                     {"http", node.http},       {"resp", node.resp}, {"data_dir", node.data_dir},
                     {"log", node.log_file}});
  }
  json doc{{"binary", manifest.binary},
           {"profile", manifest.profile},
           {"sync", manifest.sync},
           {"base_port", manifest.base_port},
           {"nodes", nodes}};
  std::string path = ManifestPath(manifest.dir);
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    if (!out) return Status::IoError("cannot write " + temp + ": " + std::strerror(errno));
    out << doc.dump(2) << "\n";
    if (!out.flush()) return Status::IoError("cannot write " + temp + ": " + std::strerror(errno));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return Status::IoError("cannot rename " + temp + " to " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace parley::cli
