// Every endpoint of the HTTP API round trip against a live node (loopback).
#include <gtest/gtest.h>

#include "tests/http/http_fixture.h"

namespace parley {
namespace {

using nlohmann::json;
using testing::HttpApiTest;
using testing::TestHttpClient;
using testing::TestResponse;

TEST_F(HttpApiTest, HealthStatusAndMembers) {
  EXPECT_EQ(Call("GET", "/healthz").Json(), (json{{"ok", true}}));

  json status = Call("GET", "/v1/status").Json();
  EXPECT_EQ(status["name"], "h1");
  EXPECT_EQ(status["replica"].get<std::string>().size(), 16u);
  EXPECT_EQ(status["digest"].get<std::string>().size(), 32u);
  EXPECT_EQ(status["keys"], 0);
  EXPECT_EQ(status["members"], (json{{"alive", 1}, {"suspect", 0}, {"dead", 0}, {"left", 0}}));
  EXPECT_EQ(status["sync_policy"], "batch");
  EXPECT_TRUE(status["context"].is_object());
  EXPECT_TRUE(status["stats"].contains("packets_sent"));
  EXPECT_EQ(status["addresses"]["http"], "127.0.0.1:" + std::to_string(node_->http().port));
  EXPECT_EQ(status["addresses"]["gossip"], "127.0.0.1:" + std::to_string(node_->gossip().port));

  json members = Call("GET", "/v1/members").Json()["members"];
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0]["name"], "h1");
  EXPECT_EQ(members[0]["state"], "alive");
  EXPECT_EQ(members[0]["meta"]["http"], "127.0.0.1:" + std::to_string(node_->http().port));
  EXPECT_TRUE(members[0]["incarnation"].is_number());
}

TEST_F(HttpApiTest, RegisterRoundTrip) {
  EXPECT_EQ(Call("PUT", "/v1/register/greeting", R"({"value":"hello"})").Json(), (json{{"ok", true}}));
  TestResponse r = Call("GET", "/v1/keys/greeting");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json(), (json{{"key", "greeting"}, {"type", "register"}, {"value", "hello"}}));
  EXPECT_EQ(node_->Get("greeting"), "hello");

  r = Call("GET", "/v1/keys/absent");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Json()["error"]["code"], "not_found");

  EXPECT_EQ(Call("DELETE", "/v1/keys/greeting").Json(), (json{{"ok", true}}));
  EXPECT_EQ(Call("GET", "/v1/keys/greeting").status, 404);
  EXPECT_EQ(Call("DELETE", "/v1/keys/never-was").status, 200);
}

TEST_F(HttpApiTest, PercentEncodedKeys) {
  EXPECT_EQ(Call("PUT", "/v1/register/a%2Fb%20c%25", R"({"value":"x"})").status, 200);
  EXPECT_EQ(node_->Get("a/b c%"), "x");
  EXPECT_EQ(Call("GET", "/v1/keys/a/b%20c%25").Json()["key"], "a/b c%");
  EXPECT_EQ(Call("GET", "/v1/keys?prefix=a%2F").Json()["keys"], (json{"a/b c%"}));
  TestResponse bad = Call("GET", "/v1/keys/bad%zz");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json()["error"]["code"], "bad_request");
  EXPECT_EQ(Call("PUT", "/v1/register/caf%C3%A9", R"({"value":"ok"})").status, 200);
  EXPECT_EQ(node_->Get("caf\xc3\xa9"), "ok");
}

TEST_F(HttpApiTest, Counters) {
  EXPECT_EQ(Call("POST", "/v1/counter/c", "").Json(), (json{{"value", 1}}));
  EXPECT_EQ(Call("POST", "/v1/counter/c", R"({"by": 10})").Json(), (json{{"value", 11}}));
  EXPECT_EQ(Call("POST", "/v1/counter/c", R"({"by": -4})").Json(), (json{{"value", 7}}));
  EXPECT_EQ(Call("GET", "/v1/keys/c").Json(), (json{{"key", "c"}, {"type", "counter"}, {"value", 7}}));
  TestResponse r = Call("POST", "/v1/counter/c", R"({"by": "3"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Call("POST", "/v1/counter/c", R"({"by": 1.5})").status, 400);
}

TEST_F(HttpApiTest, SetsAndHashes) {
  EXPECT_EQ(Call("POST", "/v1/set/crew", R"({"add":["ann","bob","cy"]})").status, 200);
  EXPECT_EQ(Call("POST", "/v1/set/crew", R"({"remove":["bob"]})").status, 200);
  EXPECT_EQ(Call("GET", "/v1/keys/crew").Json(), (json{{"key", "crew"}, {"type", "set"}, {"value", {"ann", "cy"}}}));
  EXPECT_EQ(Call("POST", "/v1/set/crew", R"({"add":[1]})").status, 400);
  EXPECT_EQ(Call("POST", "/v1/set/crew", R"({})").status, 400);

  EXPECT_EQ(Call("POST", "/v1/hash/ship", R"({"set":{"name":"Hind","guns":"18"}})").status, 200);
  EXPECT_EQ(Call("POST", "/v1/hash/ship", R"({"remove":["guns"],"set":{"port":"Plymouth"}})").status, 200);
  EXPECT_EQ(Call("GET", "/v1/keys/ship").Json(),
            (json{{"key", "ship"}, {"type", "hash"}, {"value", {{"name", "Hind"}, {"port", "Plymouth"}}}}));
  EXPECT_EQ(Call("POST", "/v1/hash/ship", R"({"set":{"n":1}})").status, 400);
}

TEST_F(HttpApiTest, KeyListingWithPrefixAndLimit) {
  for (const char* k : {"user:1", "user:2", "user:3", "other"}) {
    ASSERT_EQ(Call("PUT", std::string("/v1/register/") + k, R"({"value":"v"})").status, 200);
  }
  EXPECT_EQ(Call("GET", "/v1/keys").Json()["keys"].size(), 4u);
  EXPECT_EQ(Call("GET", "/v1/keys?prefix=user:").Json()["keys"], (json{"user:1", "user:2", "user:3"}));
  EXPECT_EQ(Call("GET", "/v1/keys?prefix=user:&limit=2").Json()["keys"], (json{"user:1", "user:2"}));
  EXPECT_EQ(Call("GET", "/v1/keys?limit=x").status, 400);
}

TEST_F(HttpApiTest, BatchIsAtomic) {
  json batch = {{"ops",
                 {{{"op", "set"}, {"key", "b:reg"}, {"value", "v"}},
                  {{"op", "incr"}, {"key", "b:ctr"}, {"by", 5}},
                  {{"op", "incr"}, {"key", "b:ctr2"}},
                  {{"op", "sadd"}, {"key", "b:set"}, {"member", "m1"}},
                  {{"op", "sadd"}, {"key", "b:set"}, {"member", "m2"}},
                  {{"op", "srem"}, {"key", "b:set"}, {"member", "m1"}},
                  {{"op", "hset"}, {"key", "b:hash"}, {"field", "f"}, {"value", "x"}},
                  {{"op", "hset"}, {"key", "b:hash"}, {"field", "g"}, {"value", "y"}},
                  {{"op", "hdel"}, {"key", "b:hash"}, {"field", "g"}},
                  {{"op", "set"}, {"key", "b:gone"}, {"value", "soon"}},
                  {{"op", "del"}, {"key", "b:gone"}}}}};
  EXPECT_EQ(Call("POST", "/v1/batch", batch.dump()).Json(), (json{{"ok", true}}));
  EXPECT_EQ(Call("GET", "/v1/keys?prefix=b:").Json()["keys"], (json{"b:ctr", "b:ctr2", "b:hash", "b:reg", "b:set"}));
  EXPECT_EQ(Call("GET", "/v1/keys/b:set").Json()["value"], (json{"m2"}));
  EXPECT_EQ(Call("GET", "/v1/keys/b:ctr2").Json()["value"], 1);

  // A wrong type anywhere refuses the whole batch.
  std::string before = Digest();
  json mixed = {{"ops",
                 {{{"op", "set"}, {"key", "b:new"}, {"value", "v"}},
                  {{"op", "incr"}, {"key", "b:reg"}, {"by", 1}}}}};
  TestResponse r = Call("POST", "/v1/batch", mixed.dump());
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.Json()["error"]["code"], "wrong_type");
  EXPECT_EQ(Call("GET", "/v1/keys/b:new").status, 404);
  EXPECT_EQ(Digest(), before);
}

TEST_F(HttpApiTest, BadRequestsChangeNothing) {
  ASSERT_EQ(Call("PUT", "/v1/register/r", R"({"value":"v"})").status, 200);
  std::string before = Digest();
  struct Case {
    const char* method;
    const char* target;
    const char* body;
    int status;
    const char* code;
  };
  const Case cases[] = {
      {"PUT", "/v1/register/r", R"({"value":)", 400, "bad_request"},           // malformed JSON
      {"PUT", "/v1/register/r", R"(["value"])", 400, "bad_request"},           // not an object
      {"PUT", "/v1/register/r", R"({"value": 3})", 400, "bad_request"},        // wrong JSON type
      {"PUT", "/v1/register/r", R"({"valeu": "x"})", 400, "bad_request"},      // unknown field
      {"POST", "/v1/counter/r", R"({"by": 1})", 409, "wrong_type"},            // register, not counter
      {"POST", "/v1/set/r", R"({"add": ["m"]})", 409, "wrong_type"},
      {"POST", "/v1/hash/r", R"({"set": {"f": "v"}})", 409, "wrong_type"},
      {"POST", "/v1/batch", R"({"ops":[{"op":"zap","key":"r"}]})", 400, "bad_request"},  // unknown op
      {"POST", "/v1/batch", R"({"ops":[{"op":"set","key":5,"value":"v"}]})", 400, "bad_request"},
      {"POST", "/v1/batch", R"({"ops":[{"op":"set","key":"ok","value":"v"},{"op":"sadd","key":"s"}]})", 400,
       "bad_request"},  // second op lacks its member: the first is not applied either
      {"POST", "/v1/batch", R"({"ops":[]})", 400, "bad_request"},
      {"PUT", "/v1/register/r?durability=sometimes", R"({"value":"x"})", 400, "bad_request"},
      {"PUT", "/v1/register/r?durability=quorum:0", R"({"value":"x"})", 400, "bad_request"},
      {"PUT", "/v1/register/r?durability=quorum:2&timeout_ms=abc", R"({"value":"x"})", 400, "bad_request"},
      {"GET", "/v1/nowhere", "", 404, "not_found"},
      {"PATCH", "/v1/register/r", R"({"value":"x"})", 405, "method_not_allowed"},
      {"DELETE", "/v1/status", "", 405, "method_not_allowed"},
  };
  for (const Case& c : cases) {
    TestResponse r = Call(c.method, c.target, c.body);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.target << " " << c.body << " -> " << r.body;
    json j = r.Json();
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j["error"]["code"], c.code) << c.target << " " << c.body;
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  }
  EXPECT_EQ(Digest(), before);
  EXPECT_EQ(Call("GET", "/v1/keys/ok").status, 404);
  EXPECT_EQ(Call("DELETE", "/v1/status").headers["allow"], "GET");
}

TEST_F(HttpApiTest, QuorumTimeoutKeepsTheWrite) {
  TestResponse r = Call("PUT", "/v1/register/q?durability=quorum:2&timeout_ms=150", R"({"value":"kept"})");
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(r.Json()["error"]["code"], "quorum_timeout");
  EXPECT_NE(r.Json()["error"]["message"].get<std::string>().find("kept locally"), std::string::npos);
  EXPECT_EQ(node_->Get("q"), "kept");
  EXPECT_EQ(Call("PUT", "/v1/register/q?durability=quorum:1", R"({"value":"one"})").status, 200);
  EXPECT_EQ(Call("PUT", "/v1/register/q?durability=local", R"({"value":"two"})").status, 200);
}

TEST_F(HttpApiTest, TreasureMapEndpoints) {
  EXPECT_EQ(Call("GET", "/get-treasure-map").Json(), (json{{"mapPiece", nullptr}}));
  json piece = {{"x", 3}, {"y", {1, 2}}, {"note", "dig here"}};
  EXPECT_EQ(Call("POST", "/update-treasure-map", json{{"mapPiece", piece}}.dump()).Json(), (json{{"ok", true}}));
  EXPECT_EQ(Call("GET", "/get-treasure-map").Json(), (json{{"mapPiece", piece}}));
  EXPECT_EQ(node_->Get("treasureMap"), piece.dump());
  EXPECT_EQ(Call("POST", "/update-treasure-map", R"({"piece": 1})").status, 400);
  EXPECT_EQ(Call("POST", "/update-treasure-map", R"({"mapPiece": "just text"})").status, 200);
  EXPECT_EQ(Call("GET", "/get-treasure-map").Json(), (json{{"mapPiece", "just text"}}));
}

TEST_F(HttpApiTest, AdminFaults) {
  EXPECT_EQ(Call("GET", "/v1/admin/faults").Json()["drop"], json::array());
  json set = Call("POST", "/v1/admin/faults", R"({"drop":["n2","n3"],"delay_ms":5})").Json();
  EXPECT_EQ(set["ok"], true);
  EXPECT_EQ(set["drop"], (json{"n2", "n3"}));
  json got = Call("GET", "/v1/admin/faults").Json();
  EXPECT_EQ(got["drop"], (json{"n2", "n3"}));
  EXPECT_EQ(got["delay_ms"], 5);
  EXPECT_EQ(Call("POST", "/v1/admin/faults", R"({"drop":"n2"})").status, 400);
  EXPECT_EQ(Call("POST", "/v1/admin/faults", R"({"delay_ms":-1})").status, 400);
  EXPECT_EQ(Call("GET", "/v1/admin/faults").Json()["drop"], (json{"n2", "n3"}));  // unchanged
  EXPECT_EQ(Call("DELETE", "/v1/admin/faults").Json(), (json{{"ok", true}}));
  got = Call("GET", "/v1/admin/faults").Json();
  EXPECT_EQ(got["drop"], json::array());
  EXPECT_EQ(got["delay_ms"], 0);
}

// A second leave stops the node at once; it used to do so inside the
// request's own callback, freeing the HTTP session that was still parsing
// it (a use after free that the ASan build reports).
TEST_F(HttpApiTest, SecondLeaveStopsTheNodeWithoutPullingTheSessionAway) {
  TestHttpClient client(node_->http());
  ASSERT_TRUE(client.SendRaw(TestHttpClient::Request("POST", "/v1/admin/leave") +
                             TestHttpClient::Request("POST", "/v1/admin/leave")));
  auto first = client.ReadResponse();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_TRUE(node_->WaitStopped());
}

TEST_F(HttpApiTest, MetricsInPrometheusFormat) {
  ASSERT_EQ(Call("PUT", "/v1/register/m", R"({"value":"v"})").status, 200);
  TestResponse r = Call("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"].rfind("text/plain", 0), 0u);
  for (const char* line : {"\nparley_keys 1\n", "parley_writes_total 1\n", "parley_members{state=\"alive\"} 1\n",
                           "parley_wire_dropped_total{reason=\"bad-magic\"} 0\n", "# TYPE parley_keys gauge\n",
                           "parley_durable_sequence ", "parley_local_health 0\n", "parley_clock_ahead_max_ms 0\n",
                           "parley_clock_ahead_recent_ms 0\n"}) {
    EXPECT_NE(r.body.find(line), std::string::npos) << line << "\n" << r.body;
  }
}

TEST_F(HttpApiTest, WatchStreamsChangesAsServerSentEvents) {
  TestHttpClient watcher(node_->http());
  ASSERT_TRUE(watcher.SendRaw(TestHttpClient::Request("GET", "/v1/watch?prefix=w:")));
  std::optional<std::string> head = watcher.ReadUntil("\r\n\r\n");
  ASSERT_TRUE(head);
  EXPECT_NE(head->find("200 OK"), std::string::npos);
  EXPECT_NE(head->find("text/event-stream"), std::string::npos);
  ASSERT_TRUE(watcher.ReadUntil("watching prefix \"w:\"\n\n"));

  ASSERT_EQ(Call("PUT", "/v1/register/other", R"({"value":"ignored"})").status, 200);
  ASSERT_EQ(Call("PUT", "/v1/register/w:1", R"({"value":"one"})").status, 200);
  ASSERT_EQ(Call("POST", "/v1/counter/w:n", R"({"by":2})").status, 200);
  ASSERT_EQ(Call("DELETE", "/v1/keys/w:1").status, 200);

  auto next_event = [&]() -> json {
    std::optional<std::string> e = watcher.ReadUntil("\n\n");
    while (e && e->rfind(": ", 0) == 0) e = watcher.ReadUntil("\n\n");  // skip heartbeats
    if (!e) return nullptr;
    EXPECT_EQ(e->rfind("event: change\ndata: ", 0), 0u) << *e;
    return json::parse(e->substr(e->find("data: ") + 6), nullptr, false);
  };
  EXPECT_EQ(next_event(), (json{{"key", "w:1"}, {"type", "register"}, {"value", "one"}}));
  EXPECT_EQ(next_event(), (json{{"key", "w:n"}, {"type", "counter"}, {"value", 2}}));
  EXPECT_EQ(next_event(), (json{{"key", "w:1"}, {"type", nullptr}, {"value", nullptr}}));
  // Heartbeats arrive every 200 ms in this fixture.
  ASSERT_TRUE(watcher.ReadUntil(": heartbeat\n\n"));
}

TEST_F(HttpApiTest, WatchIsRemovedWhenTheClientHangsUp) {
  {
    TestHttpClient watcher(node_->http());
    ASSERT_TRUE(watcher.SendRaw(TestHttpClient::Request("GET", "/v1/watch")));
    ASSERT_TRUE(watcher.ReadUntil("watching prefix"));
    EXPECT_EQ(node_->Call([](NodeRuntime& rt) { return rt.watch_count(); }), 1u);
  }
  // The node notices the hang-up, unwatches, and keeps serving.
  ASSERT_TRUE(node_->WaitFor([](NodeRuntime& rt) { return rt.watch_count() == 0; }));
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Call("PUT", "/v1/register/k" + std::to_string(i), R"({"value":"v"})").status, 200);
  }
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace parley
