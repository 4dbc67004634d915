// Scenario files: a strict reader over toml11 and a plain writer.
#include "sim/scenario_toml.h"

#include <toml.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

namespace parley::sim {
namespace {

const char* kMixNames[7] = {"set", "incr", "sadd", "srem", "hset", "hdel", "del"};

// Reads the keys of one table, checking each one's type and range, and
// remembers which keys were used so the rest can be refused as unknown.
class TableReader {
 public:
  TableReader(const toml::value& table, std::string where) : table_(table), where_(std::move(where)) {}

  bool Has(const std::string& key) const { return table_.as_table().count(key) != 0; }

  Status Int(const std::string& key, int64_t min, int64_t max, int64_t* out) {
    const toml::value* v = Take(key);
    if (v == nullptr) return Status::Ok();
    if (!v->is_integer() || v->as_integer() < min || v->as_integer() > max) {
      return Bad(key + " must be an integer between " + std::to_string(min) + " and " + std::to_string(max));
    }
    *out = v->as_integer();
    return Status::Ok();
  }
  template <typename T>
  Status Unsigned(const std::string& key, uint64_t max, T* out) {
    int64_t value = static_cast<int64_t>(*out);
    PARLEY_RETURN_IF_ERROR(Int(key, 0, static_cast<int64_t>(max), &value));
    *out = static_cast<T>(value);
    return Status::Ok();
  }
  Status Double(const std::string& key, double min, double max, double* out) {
    const toml::value* v = Take(key);
    if (v == nullptr) return Status::Ok();
    double value = 0;
    if (v->is_integer()) {
      value = static_cast<double>(v->as_integer());
    } else if (v->is_floating()) {
      value = v->as_floating();
    } else {
      return Bad(key + " must be a number");
    }
    if (!(value >= min && value <= max)) {
      return Bad(key + " must be between " + Number(min) + " and " + Number(max));
    }
    *out = value;
    return Status::Ok();
  }
  // A 64-bit seed: TOML integers stop at 2^63 - 1 (and the parser clamps
  // bigger ones silently), so larger seeds are written as decimal strings.
  Status Seed(const std::string& key, uint64_t* out) {
    const toml::value* v = Take(key);
    if (v == nullptr) return Status::Ok();
    if (v->is_integer() && v->as_integer() >= 0) {
      *out = static_cast<uint64_t>(v->as_integer());
      return Status::Ok();
    }
    if (v->is_string()) {
      const std::string& text = v->as_string().str;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
      if (error == std::errc() && end == text.data() + text.size() && !text.empty()) return Status::Ok();
    }
    return Bad(key + " must be an integer from 0 to 2^64 - 1 (a string of digits above 2^63 - 1)");
  }
  Status String(const std::string& key, std::string* out) {
    const toml::value* v = Take(key);
    if (v == nullptr) return Status::Ok();
    if (!v->is_string()) return Bad(key + " must be a string");
    *out = v->as_string().str;
    return Status::Ok();
  }
  Status IntList(const std::string& key, std::vector<int>* out) {
    const toml::value* v = Take(key);
    if (v == nullptr) return Status::Ok();
    if (!v->is_array()) return Bad(key + " must be an array of node numbers");
    return ToIntList(*v, key, out);
  }
  Status Groups(const std::string& key, std::vector<std::vector<int>>* out) {
    const toml::value* v = Take(key);
    if (v == nullptr) return Status::Ok();
    if (!v->is_array()) return Bad(key + " must be an array of arrays of node numbers");
    out->clear();
    for (const toml::value& group : v->as_array()) {
      if (!group.is_array()) return Bad(key + " must be an array of arrays of node numbers");
      out->emplace_back();
      PARLEY_RETURN_IF_ERROR(ToIntList(group, key, &out->back()));
    }
    return Status::Ok();
  }
  // A sub-table, or null if absent; `*status` is set if it is not a table.
  const toml::value* Table(const std::string& key, Status* status) {
    const toml::value* v = Take(key);
    if (v != nullptr && !v->is_table()) {
      *status = Bad(key + " must be a table");
      return nullptr;
    }
    return v;
  }
  const toml::value* Raw(const std::string& key) { return Take(key); }

  Status Finish() const {
    for (const auto& [key, value] : table_.as_table()) {
      if (!used_.count(key)) return Bad("unknown key '" + key + "'");
    }
    return Status::Ok();
  }
  Status Bad(const std::string& what) const {
    return Status::InvalidArgument(where_.empty() ? what : where_ + " " + what);
  }

 private:
  static std::string Number(double d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", d);
    return buf;
  }
  const toml::value* Take(const std::string& key) {
    used_.insert(key);
    const auto& table = table_.as_table();
    auto it = table.find(key);
    return it == table.end() ? nullptr : &it->second;
  }
  Status ToIntList(const toml::value& array, const std::string& key, std::vector<int>* out) const {
    out->clear();
    for (const toml::value& item : array.as_array()) {
      if (!item.is_integer() || item.as_integer() < 0 || item.as_integer() > 1'000'000) {
        return Bad(key + " must hold node numbers (non-negative integers)");
      }
      out->push_back(static_cast<int>(item.as_integer()));
    }
    return Status::Ok();
  }

  const toml::value& table_;
  std::string where_;
  std::set<std::string> used_;
};

Status ReadLink(TableReader& r, LinkParams* p) {
  PARLEY_RETURN_IF_ERROR(r.Double("latency_ms", 0, 60000, &p->latency_ms));
  PARLEY_RETURN_IF_ERROR(r.Double("jitter_ms", 0, 60000, &p->jitter_ms));
  std::string jitter = p->jitter == JitterKind::kUniform ? "uniform" : "exponential";
  PARLEY_RETURN_IF_ERROR(r.String("jitter", &jitter));
  if (jitter == "uniform") {
    p->jitter = JitterKind::kUniform;
  } else if (jitter == "exponential") {
    p->jitter = JitterKind::kExponential;
  } else {
    return r.Bad("jitter must be \"uniform\" or \"exponential\"");
  }
  PARLEY_RETURN_IF_ERROR(r.Double("loss", 0, 1, &p->loss));
  PARLEY_RETURN_IF_ERROR(r.Double("duplicate", 0, 1, &p->duplicate));
  PARLEY_RETURN_IF_ERROR(r.Double("reorder", 0, 1, &p->reorder));
  PARLEY_RETURN_IF_ERROR(r.Double("reorder_ms", 0, 60000, &p->reorder_ms));
  return Status::Ok();
}

Status ReadNodes(TableReader& r, NodesSpec* n) {
  int64_t count = n->count;
  PARLEY_RETURN_IF_ERROR(r.Int("count", 1, 5000, &count));
  n->count = static_cast<int>(count);
  PARLEY_RETURN_IF_ERROR(r.String("timing", &n->timing));
  std::string policy = SyncPolicyName(n->sync_policy);
  PARLEY_RETURN_IF_ERROR(r.String("sync_policy", &policy));
  Result<SyncPolicy> parsed = ParseSyncPolicy(policy);
  if (!parsed.ok()) return r.Bad("sync_policy must be \"always\", \"batch\" or \"none\"");
  n->sync_policy = *parsed;
  PARLEY_RETURN_IF_ERROR(r.Unsigned("batch_interval_ms", 10000, &n->batch_interval_ms));
  PARLEY_RETURN_IF_ERROR(r.Double("disk_sync_ms", 0, 10000, &n->disk_sync_ms));
  PARLEY_RETURN_IF_ERROR(r.Double("disk_jitter_ms", 0, 10000, &n->disk_jitter_ms));
  PARLEY_RETURN_IF_ERROR(r.Double("clock_offset_ms", 0, 3600000, &n->clock_offset_ms));
  PARLEY_RETURN_IF_ERROR(r.Double("clock_drift_ppm", 0, 100000, &n->clock_drift_ppm));
  PARLEY_RETURN_IF_ERROR(r.IntList("seeds", &n->seeds));
  PARLEY_RETURN_IF_ERROR(r.IntList("start_down", &n->start_down));
  PARLEY_RETURN_IF_ERROR(r.Unsigned("chunk_bytes", 8u << 20, &n->chunk_bytes));
  PARLEY_RETURN_IF_ERROR(r.Unsigned("direct_push_max_members", 1u << 20, &n->direct_push_max_members));
  PARLEY_RETURN_IF_ERROR(r.Unsigned("snapshot_every_records", 1u << 30, &n->snapshot_every_records));
  return r.Finish();
}

Status ReadWorkload(TableReader& r, WorkloadSpec* w) {
  PARLEY_RETURN_IF_ERROR(r.Double("writes_per_s", 0, 100000, &w->writes_per_s));
  PARLEY_RETURN_IF_ERROR(r.Double("reads_per_s", 0, 100000, &w->reads_per_s));
  PARLEY_RETURN_IF_ERROR(r.IntList("writers", &w->writers));
  std::string durability = "local";
  if (w->durability_nodes > 1) durability = "quorum:" + std::to_string(w->durability_nodes);
  PARLEY_RETURN_IF_ERROR(r.String("durability", &durability));
  if (durability == "local") {
    w->durability_nodes = 1;
  } else if (durability.rfind("quorum:", 0) == 0) {
    std::string k = durability.substr(7);
    if (k.empty() || k.size() > 4 || k.find_first_not_of("0123456789") != std::string::npos || std::stoi(k) < 1) {
      return r.Bad("durability must be \"local\" or \"quorum:k\" with k >= 1");
    }
    w->durability_nodes = std::stoi(k);
  } else {
    return r.Bad("durability must be \"local\" or \"quorum:k\" with k >= 1");
  }
  PARLEY_RETURN_IF_ERROR(r.Unsigned("quorum_timeout_ms", 3'600'000, &w->quorum_timeout_ms));
  int64_t churn = w->churn_keys, batch = w->max_batch, checked = w->checked_keys;
  PARLEY_RETURN_IF_ERROR(r.Int("churn_keys", 1, 100000, &churn));
  PARLEY_RETURN_IF_ERROR(r.Int("checked_keys", 0, 100000, &checked));
  PARLEY_RETURN_IF_ERROR(r.Int("max_batch", 1, 64, &batch));
  w->churn_keys = static_cast<int>(churn);
  w->checked_keys = static_cast<int>(checked);
  w->max_batch = static_cast<int>(batch);
  PARLEY_RETURN_IF_ERROR(r.Double("group_writes", 0, 1, &w->group_writes));
  PARLEY_RETURN_IF_ERROR(r.Unsigned("start_ms", 24ull * 3600 * 1000, &w->start_ms));
  PARLEY_RETURN_IF_ERROR(r.Unsigned("stop_ms", 24ull * 3600 * 1000, &w->stop_ms));
  Status status;
  if (const toml::value* mix = r.Table("mix", &status)) {
    TableReader m(*mix, "[workload.mix]");
    for (int i = 0; i < 7; ++i) PARLEY_RETURN_IF_ERROR(m.Double(kMixNames[i], 0, 1e6, &w->weights[i]));
    PARLEY_RETURN_IF_ERROR(m.Finish());
  }
  PARLEY_RETURN_IF_ERROR(status);
  return r.Finish();
}

Status ReadChecks(TableReader& r, ChecksSpec* c) {
  PARLEY_RETURN_IF_ERROR(r.Unsigned("liveness_ms", 3'600'000, &c->liveness_ms));
  PARLEY_RETURN_IF_ERROR(r.Unsigned("sample_ms", 60000, &c->sample_ms));
  int64_t deaths = c->max_false_deaths;
  PARLEY_RETURN_IF_ERROR(r.Int("max_false_deaths", -1, 1'000'000, &deaths));
  c->max_false_deaths = static_cast<int>(deaths);
  PARLEY_RETURN_IF_ERROR(r.Unsigned("detect_crash_within_ms", 3'600'000, &c->detect_crash_within_ms));
  return r.Finish();
}

Status ReadFault(TableReader& r, FaultEvent* f) {
  PARLEY_RETURN_IF_ERROR(r.Unsigned("at_ms", 24ull * 3600 * 1000, &f->at_ms));
  std::string kind;
  PARLEY_RETURN_IF_ERROR(r.String("kind", &kind));
  if (kind.empty()) return r.Bad("needs a kind");
  if (!ParseFaultKind(kind, &f->kind)) {
    return r.Bad("kind '" + kind + "' is unknown (split, bridge, isolate, one_way, heal, crash, restart, wipe, "
                 "start, leave, link, flap, clock_jump)");
  }
  PARLEY_RETURN_IF_ERROR(r.Groups("groups", &f->groups));
  int64_t node = f->node, from = f->from, to = f->to, jump = f->jump_ms;
  PARLEY_RETURN_IF_ERROR(r.Int("node", 0, 1'000'000, &node));
  PARLEY_RETURN_IF_ERROR(r.Int("from", 0, 1'000'000, &from));
  PARLEY_RETURN_IF_ERROR(r.Int("to", 0, 1'000'000, &to));
  PARLEY_RETURN_IF_ERROR(r.Int("jump_ms", -3'600'000, 3'600'000, &jump));
  f->node = static_cast<int>(node);
  f->from = static_cast<int>(from);
  f->to = static_cast<int>(to);
  f->jump_ms = jump;
  PARLEY_RETURN_IF_ERROR(r.Unsigned("period_ms", 3'600'000, &f->period_ms));
  PARLEY_RETURN_IF_ERROR(r.Unsigned("until_ms", 24ull * 3600 * 1000, &f->until_ms));
  if (f->kind == FaultKind::kLink) {
    PARLEY_RETURN_IF_ERROR(ReadLink(r, &f->link));  // loss here is the link's loss
    f->loss = f->link.loss;
  } else {
    PARLEY_RETURN_IF_ERROR(r.Double("loss", 0, 1, &f->loss));
  }
  return r.Finish();
}

Result<Scenario> Parse(const toml::value& root) {
  Scenario s;
  TableReader top(root, "");
  PARLEY_RETURN_IF_ERROR(top.String("name", &s.name));
  PARLEY_RETURN_IF_ERROR(top.String("description", &s.description));
  PARLEY_RETURN_IF_ERROR(top.Seed("seed", &s.seed));
  PARLEY_RETURN_IF_ERROR(top.Unsigned("duration_ms", 24ull * 3600 * 1000, &s.duration_ms));
  PARLEY_RETURN_IF_ERROR(top.String("inject_bug", &s.inject_bug));
  Status status;
  if (const toml::value* t = top.Table("nodes", &status)) {
    TableReader r(*t, "[nodes]");
    PARLEY_RETURN_IF_ERROR(ReadNodes(r, &s.nodes));
  }
  PARLEY_RETURN_IF_ERROR(status);
  if (const toml::value* t = top.Table("network", &status)) {
    TableReader r(*t, "[network]");
    PARLEY_RETURN_IF_ERROR(ReadLink(r, &s.network));
    PARLEY_RETURN_IF_ERROR(r.Finish());
  }
  PARLEY_RETURN_IF_ERROR(status);
  if (const toml::value* t = top.Table("relay", &status)) {
    TableReader r(*t, "[relay]");
    PARLEY_RETURN_IF_ERROR(r.Double("latency_ms", 0, 60000, &s.relay.latency_ms));
    PARLEY_RETURN_IF_ERROR(r.Finish());
  }
  PARLEY_RETURN_IF_ERROR(status);
  if (const toml::value* t = top.Table("workload", &status)) {
    TableReader r(*t, "[workload]");
    PARLEY_RETURN_IF_ERROR(ReadWorkload(r, &s.workload));
  }
  PARLEY_RETURN_IF_ERROR(status);
  if (const toml::value* t = top.Table("checks", &status)) {
    TableReader r(*t, "[checks]");
    PARLEY_RETURN_IF_ERROR(ReadChecks(r, &s.checks));
  }
  PARLEY_RETURN_IF_ERROR(status);
  if (const toml::value* faults = top.Raw("fault")) {
    if (!faults->is_array()) return Status::InvalidArgument("fault must be an array of tables: use [[fault]]");
    size_t i = 0;
    for (const toml::value& item : faults->as_array()) {
      ++i;
      if (!item.is_table()) return Status::InvalidArgument("fault must be an array of tables: use [[fault]]");
      TableReader r(item, "[[fault]] #" + std::to_string(i));
      FaultEvent f;
      PARLEY_RETURN_IF_ERROR(ReadFault(r, &f));
      s.faults.push_back(std::move(f));
    }
  }
  PARLEY_RETURN_IF_ERROR(top.Finish());
  std::stable_sort(s.faults.begin(), s.faults.end(),
                   [](const FaultEvent& a, const FaultEvent& b) { return a.at_ms < b.at_ms; });
  PARLEY_RETURN_IF_ERROR(Validate(s));
  return s;
}

std::string IntList(const std::vector<int>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

std::string Num(double d) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // keep it a TOML float
  return s;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

void WriteLink(std::ostringstream& o, const LinkParams& p) {
  o << "latency_ms = " << Num(p.latency_ms) << "\njitter_ms = " << Num(p.jitter_ms) << "\njitter = \""
    << (p.jitter == JitterKind::kUniform ? "uniform" : "exponential") << "\"\nloss = " << Num(p.loss)
    << "\nduplicate = " << Num(p.duplicate) << "\nreorder = " << Num(p.reorder)
    << "\nreorder_ms = " << Num(p.reorder_ms) << "\n";
}

}  // namespace

Result<Scenario> ParseScenario(std::string_view text, const std::string& file_name) {
  try {
    std::istringstream in{std::string(text)};
    toml::value root = toml::parse(in, file_name);
    Result<Scenario> s = Parse(root);
    if (!s.ok()) return s.status().WithContext(file_name);
    return s;
  } catch (const std::exception& e) {
    // toml11's message already names the file, line and column.
    return Status::InvalidArgument(e.what());
  }
}

Result<Scenario> LoadScenarioFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open the scenario file");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > (1u << 20)) return Status::InvalidArgument(path + ": scenario file larger than 1 MiB");
  return ParseScenario(text.str(), path);
}

std::string ScenarioToToml(const Scenario& s) {
  std::ostringstream o;
  const std::string seed = std::to_string(s.seed);
  o << "name = " << Quote(s.name) << "\ndescription = " << Quote(s.description)
    << "\nseed = " << (s.seed > static_cast<uint64_t>(INT64_MAX) ? Quote(seed) : seed)
    << "\nduration_ms = " << s.duration_ms << "\n";
  if (!s.inject_bug.empty()) o << "inject_bug = " << Quote(s.inject_bug) << "\n";
  const NodesSpec& n = s.nodes;
  o << "\n[nodes]\ncount = " << n.count << "\ntiming = " << Quote(n.timing) << "\nsync_policy = \""
    << SyncPolicyName(n.sync_policy) << "\"\nbatch_interval_ms = " << n.batch_interval_ms
    << "\ndisk_sync_ms = " << Num(n.disk_sync_ms) << "\ndisk_jitter_ms = " << Num(n.disk_jitter_ms)
    << "\nclock_offset_ms = " << Num(n.clock_offset_ms) << "\nclock_drift_ppm = " << Num(n.clock_drift_ppm)
    << "\nseeds = " << IntList(n.seeds) << "\nstart_down = " << IntList(n.start_down)
    << "\nchunk_bytes = " << n.chunk_bytes << "\ndirect_push_max_members = " << n.direct_push_max_members
    << "\nsnapshot_every_records = " << n.snapshot_every_records << "\n";
  o << "\n[network]\n";
  WriteLink(o, s.network);
  if (s.relay.enabled()) o << "\n[relay]\nlatency_ms = " << Num(s.relay.latency_ms) << "\n";
  const WorkloadSpec& w = s.workload;
  o << "\n[workload]\nwrites_per_s = " << Num(w.writes_per_s) << "\nreads_per_s = " << Num(w.reads_per_s)
    << "\nwriters = " << IntList(w.writers) << "\ndurability = \""
    << (w.durability_nodes == 1 ? std::string("local") : "quorum:" + std::to_string(w.durability_nodes))
    << "\"\nquorum_timeout_ms = " << w.quorum_timeout_ms << "\nchurn_keys = " << w.churn_keys
    << "\nchecked_keys = " << w.checked_keys
    << "\nmax_batch = " << w.max_batch << "\ngroup_writes = " << Num(w.group_writes)
    << "\nstart_ms = " << w.start_ms << "\nstop_ms = " << w.stop_ms
    << "\n\n[workload.mix]\n";
  for (int i = 0; i < 7; ++i) o << kMixNames[i] << " = " << Num(w.weights[i]) << "\n";
  o << "\n[checks]\nliveness_ms = " << s.checks.liveness_ms << "\nsample_ms = " << s.checks.sample_ms
    << "\nmax_false_deaths = " << s.checks.max_false_deaths
    << "\ndetect_crash_within_ms = " << s.checks.detect_crash_within_ms << "\n";
  for (const FaultEvent& f : s.faults) {
    o << "\n[[fault]]\nat_ms = " << f.at_ms << "\nkind = \"" << FaultKindName(f.kind) << "\"\n";
    if (!f.groups.empty()) {
      o << "groups = [";
      for (size_t i = 0; i < f.groups.size(); ++i) o << (i ? ", " : "") << IntList(f.groups[i]);
      o << "]\n";
    }
    if (f.node >= 0) o << "node = " << f.node << "\n";
    if (f.from >= 0) o << "from = " << f.from << "\n";
    if (f.to >= 0) o << "to = " << f.to << "\n";
    if (f.kind == FaultKind::kLink) {
      WriteLink(o, f.link);
    } else if (f.kind == FaultKind::kOneWay) {
      o << "loss = " << Num(f.loss) << "\n";
    }
    if (f.period_ms) o << "period_ms = " << f.period_ms << "\n";
    if (f.until_ms) o << "until_ms = " << f.until_ms << "\n";
    if (f.jump_ms) o << "jump_ms = " << f.jump_ms << "\n";
  }
  return o.str();
}

}  // namespace parley::sim
