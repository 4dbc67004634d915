// edge_sensor: one device of a fleet of sensors, each embedding a parley
// node. Every sensor counts its readings into shared counters, registers
// itself in a shared set and keeps its last reading in a hash — with no
// server in the middle: the nodes gossip until they agree.
//
//   edge_sensor NAME SEED_HOST:PORT READINGS SENSORS
//
// Takes READINGS readings, then waits (up to 20 s) until all SENSORS sensors
// are registered and the fleet-wide counter covers all their readings,
// prints what it sees and leaves. A watch prints sensors as they join.
#include <parley/parley.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

namespace {

using parley::embed::Batch;
using parley::embed::Node;

// A fake temperature; a real device would read its hardware here.
std::string ReadTemperature(std::mt19937& rng) {
  std::normal_distribution<double> celsius(21.0, 1.5);
  char text[16];
  std::snprintf(text, sizeof text, "%.1f", celsius(rng));
  return text;
}

bool FleetComplete(const Node& node, size_t sensors, int64_t readings) {
  auto members = node.SetMembers("sensors");
  auto total = node.GetCounter("readings/total");
  return members.ok() && members->size() >= sensors && total.ok() && *total >= readings;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s NAME SEED_HOST:PORT READINGS SENSORS\n", argv[0]);
    return 2;
  }
  const std::string name = argv[1];
  const int readings = std::atoi(argv[3]);
  const size_t sensors = std::strtoul(argv[4], nullptr, 10);

  parley::embed::Options options;
  options.name = name;
  options.in_memory = true;
  options.seeds = {argv[2]};
  options.timing = parley::embed::TimingProfile::kLocal;
  auto opened = Node::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), opened.status().ToString().c_str());
    return 1;
  }
  Node& node = **opened;
  auto watch = node.Watch("sensors", [&](const std::string&) {
    auto members = node.SetMembers("sensors");  // reads work in callbacks
    if (members.ok()) std::printf("%s: %zu sensors registered\n", name.c_str(), members->size());
  });
  if (!watch.ok()) return 1;

  std::mt19937 rng(std::hash<std::string>{}(name));
  for (int i = 0; i < readings; ++i) {
    // One atomic batch per reading: peers never see the counters disagree.
    Batch reading;
    reading.Incr("readings/total").Incr("readings/" + name).HSet("last", name, ReadTemperature(rng));
    if (i == 0) reading.SAdd("sensors", name);
    if (auto s = node.Write(reading); !s.ok()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), s.ToString().c_str());
      return 1;
    }
  }

  const int64_t expected = static_cast<int64_t>(readings) * static_cast<int64_t>(sensors);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!FleetComplete(node, sensors, expected) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  bool complete = FleetComplete(node, sensors, expected);
  (void)node.Unwatch(*watch);  // no more callbacks while we print
  auto status = node.GetStatus();
  std::printf("%s: %s, readings/total = %lld, digest %s\n", name.c_str(), complete ? "fleet complete" : "INCOMPLETE",
              static_cast<long long>(node.GetCounter("readings/total").ok() ? *node.GetCounter("readings/total") : 0),
              status.ok() ? status->digest.c_str() : "?");
  auto last = node.HashGetAll("last");
  if (last.ok()) {
    for (const auto& [sensor, celsius] : *last) {
      std::printf("%s:   last %s = %s C\n", name.c_str(), sensor.c_str(), celsius.c_str());
    }
  }
  // Stay a moment so the last sensors to finish still have a peer to talk to.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  return complete && node.Close().ok() ? 0 : 1;
}
