// footprint: what an idle embedded node costs (RSS) and how fast reads are:
// Get() under the reader lock vs a round trip through the loop thread
// (Members()) and a blocking local write. Numbers go to bench/RESULTS.md.
#include <parley/parley.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>
long RssKb() {
  std::ifstream f("/proc/self/status");
  std::string l;
  while (std::getline(f, l)) {
    if (l.rfind("VmRSS:", 0) == 0) return std::atol(l.c_str() + 6);
  }
  return 0;
}
template <typename F> double MedianNs(F f, int n) {
  std::vector<double> t(n);
  for (int i = 0; i < n; ++i) {
    auto a = std::chrono::steady_clock::now();
    f();
    t[i] = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - a).count();
  }
  std::sort(t.begin(), t.end()); return t[n / 2];
}
int main() {
  parley::embed::Options o; o.name = "idle"; o.in_memory = true;
  auto node = parley::embed::Node::Open(o);
  if (!node.ok()) return 1;
  std::this_thread::sleep_for(std::chrono::seconds(2));
  std::printf("idle_rss_kb=%ld\n", RssKb());
  (*node)->Set("temperature", "21.5");
  double get = MedianNs([&] { (void)(*node)->Get("temperature"); }, 100000);
  double post = MedianNs([&] { (void)(*node)->Members(); }, 5000);
  double write = MedianNs([&] { (void)(*node)->Set("temperature", "21.6"); }, 5000);
  std::printf("get_median_ns=%.0f post_wait_median_ns=%.0f blocking_write_median_ns=%.0f\n", get, post, write);
}
