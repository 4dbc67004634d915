// minimal: an embedded parley node in ~50 lines. It joins a cluster through
// a seed, writes one key acknowledged by two nodes, waits for a key another
// node wrote, prints it and leaves.
//
//   minimal NAME SEED_HOST:PORT [KEY_TO_WAIT_FOR]
#include <parley/parley.h>

#include <chrono>
#include <cstdio>
#include <thread>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s NAME SEED_HOST:PORT [KEY_TO_WAIT_FOR]\n", argv[0]);
    return 2;
  }
  parley::embed::Options options;
  options.name = argv[1];
  options.in_memory = true;  // or options.data_dir = "/var/lib/myapp/parley";
  options.seeds = {argv[2]};
  options.timing = parley::embed::TimingProfile::kLocal;
  auto opened = parley::embed::Node::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "cannot open node: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  parley::embed::Node& node = **opened;

  // Acknowledged once this node and one peer hold it.
  std::string key = "hello/" + options.name;
  auto written = node.Set(key, "world", parley::embed::Durability::Quorum(2, 10000));
  if (!written.ok()) {
    std::fprintf(stderr, "write failed: %s\n", written.ToString().c_str());
    return 1;
  }
  std::printf("%s = world (on 2 nodes)\n", key.c_str());

  if (argc > 3) {
    for (int i = 0; i < 1000; ++i) {  // up to 10 s
      auto value = node.Get(argv[3]);
      if (value.ok()) {
        std::printf("%s = %s\n", argv[3], value->c_str());
        return node.Close().ok() ? 0 : 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::fprintf(stderr, "%s did not arrive\n", argv[3]);
    return 1;
  }
  return node.Close().ok() ? 0 : 1;  // graceful leave
}
