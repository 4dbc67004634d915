// Request parsing edge cases, both on the parser alone and through a live
// server: pipelining, requests split across packets, limits, keep-alive,
// the connection cap.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "node/http/http_request.h"
#include "node/http/json_codec.h"
#include "node/http/url.h"
#include "tests/http/http_fixture.h"

namespace parley {
namespace {

using nlohmann::json;
using testing::HttpApiTest;
using testing::RunningNode;
using testing::TestHttpClient;
using testing::TestNodeOptions;
using testing::TestResponse;

TEST(RequestParser, SplitsPipelinedRequestsAndJoinsSplitOnes) {
  RequestParser parser{HttpLimits{}};
  std::string two = TestHttpClient::Request("GET", "/a?x=1") + TestHttpClient::Request("PUT", "/b", "{\"v\":1}");
  // Byte by byte: every split point must work.
  for (char c : two) ASSERT_TRUE(parser.Feed(std::string_view(&c, 1)));
  ASSERT_EQ(parser.ready().size(), 2u);
  EXPECT_EQ(parser.ready()[0].method, "GET");
  EXPECT_EQ(parser.ready()[0].path, "/a");
  EXPECT_EQ(parser.ready()[0].query, "x=1");
  EXPECT_EQ(parser.ready()[0].Header("host"), "test");
  EXPECT_EQ(parser.ready()[1].method, "PUT");
  EXPECT_EQ(parser.ready()[1].body, "{\"v\":1}");
  EXPECT_TRUE(parser.ready()[1].keep_alive);
}

TEST(RequestParser, EnforcesLimitsBeforeBuffering) {
  HttpLimits limits;
  limits.max_body_bytes = 100;
  limits.max_header_bytes = 200;
  {
    RequestParser parser{limits};
    EXPECT_FALSE(parser.Feed("POST /x HTTP/1.1\r\nContent-Length: 101\r\n\r\n"));
    EXPECT_EQ(parser.error().status, 413);
  }
  {
    RequestParser parser{limits};
    EXPECT_FALSE(parser.Feed("GET /x HTTP/1.1\r\nX-Big: " + std::string(300, 'a') + "\r\n\r\n"));
    EXPECT_EQ(parser.error().status, 413);
  }
  {
    RequestParser parser{limits};
    EXPECT_FALSE(parser.Feed("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "80\r\n" + std::string(128, 'a') + "\r\n0\r\n\r\n"));
    EXPECT_EQ(parser.error().status, 413);
  }
  {
    RequestParser parser{limits};
    EXPECT_FALSE(parser.Feed("NONSENSE\r\n\r\n"));
    EXPECT_EQ(parser.error().status, 400);
  }
}

TEST(Url, PercentDecodingAndQueries) {
  EXPECT_EQ(*PercentDecode("a%2Fb%20c+d", false), "a/b c+d");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_FALSE(PercentDecode("%4", false).ok());
  EXPECT_FALSE(PercentDecode("%g0", false).ok());
  auto q = ParseQuery("prefix=us%3Aer&limit=5&flag");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->at("prefix"), "us:er");
  EXPECT_EQ(q->at("limit"), "5");
  EXPECT_EQ(q->at("flag"), "");
}

TEST(JsonCodec, DurabilityParameters) {
  EXPECT_EQ(ParseDurability({})->nodes, 1);
  auto q = ParseDurability({{"durability", "quorum:3"}, {"timeout_ms", "250"}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->nodes, 3);
  EXPECT_EQ(q->timeout_ms, 250u);
  EXPECT_FALSE(ParseDurability({{"durability", "quorum:"}}).ok());
  EXPECT_FALSE(ParseDurability({{"durability", "quorum:2x"}}).ok());
  EXPECT_FALSE(ParseDurability({{"timeout_ms", "0"}}).ok());
}

TEST_F(HttpApiTest, PipelinedRequestsAnswerInOrder) {
  TestHttpClient client(node_->http());
  std::string burst = TestHttpClient::Request("PUT", "/v1/register/p", R"({"value":"1"})") +
                      TestHttpClient::Request("POST", "/v1/counter/pc", R"({"by":2})") +
                      TestHttpClient::Request("GET", "/v1/keys/p") +
                      TestHttpClient::Request("GET", "/v1/nothing") +
                      TestHttpClient::Request("POST", "/v1/counter/pc", R"({"by":3})");
  ASSERT_TRUE(client.SendRaw(burst));
  std::vector<TestResponse> got;
  for (int i = 0; i < 5; ++i) {
    auto r = client.ReadResponse();
    ASSERT_TRUE(r) << i;
    got.push_back(*r);
  }
  EXPECT_EQ(got[0].Json(), (json{{"ok", true}}));
  EXPECT_EQ(got[1].Json(), (json{{"value", 2}}));
  EXPECT_EQ(got[2].Json()["value"], "1");
  EXPECT_EQ(got[3].status, 404);
  EXPECT_EQ(got[4].Json(), (json{{"value", 5}}));
  EXPECT_EQ(got[4].headers["connection"], "keep-alive");
}

TEST_F(HttpApiTest, ManyPipelinedRequestsDoNotStall) {
  TestHttpClient client(node_->http());
  std::string burst;
  for (int i = 0; i < 300; ++i) burst += TestHttpClient::Request("POST", "/v1/counter/many", "");
  ASSERT_TRUE(client.SendRaw(burst));
  std::optional<TestResponse> last;
  for (int i = 0; i < 300; ++i) {
    last = client.ReadResponse();
    ASSERT_TRUE(last) << i;
  }
  EXPECT_EQ(last->Json(), (json{{"value", 300}}));
}

TEST_F(HttpApiTest, RequestSplitAcrossPackets) {
  TestHttpClient client(node_->http());
  std::string request = TestHttpClient::Request("PUT", "/v1/register/split%20key", R"({"value":"pieces"})");
  for (size_t i = 0; i < request.size(); i += 7) {
    ASSERT_TRUE(client.SendRaw(request.substr(i, 7)));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(node_->Get("split key"), "pieces");
}

TEST_F(HttpApiTest, OversizedBodyIs413AndCloses) {
  std::string before = Digest();
  TestHttpClient client(node_->http());
  std::string body = R"({"value":")" + std::string(2 << 20, 'x') + R"("})";
  // Only the head: the server must answer without waiting for 2 MiB.
  ASSERT_TRUE(client.SendRaw("PUT /v1/register/big HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->Json()["error"]["code"], "too_large");
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(client.ClosedByServer());
  EXPECT_EQ(Digest(), before);
}

TEST_F(HttpApiTest, OversizedHeadersAre413) {
  TestHttpClient client(node_->http());
  ASSERT_TRUE(client.SendRaw("GET /healthz HTTP/1.1\r\nX-Filler: " + std::string(20000, 'h') + "\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(HttpApiTest, GarbageIs400AfterEarlierRequestsAreAnswered) {
  TestHttpClient client(node_->http());
  ASSERT_TRUE(client.SendRaw(TestHttpClient::Request("GET", "/healthz") + "BLAH BLAH\r\n\r\n"));
  auto first = client.ReadResponse();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  auto second = client.ReadResponse();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 400);
  EXPECT_EQ(second->Json()["error"]["code"], "bad_request");
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(HttpApiTest, KeepAliveAndConnectionClose) {
  TestHttpClient client(node_->http());
  for (int i = 0; i < 3; ++i) {
    auto r = client.Call("GET", "/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->headers["connection"], "keep-alive");
  }
  ASSERT_TRUE(client.SendRaw(TestHttpClient::Request("GET", "/healthz", "", /*keep_alive=*/false)));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(client.ClosedByServer());

  TestHttpClient old(node_->http());  // HTTP/1.0 without keep-alive closes too
  ASSERT_TRUE(old.SendRaw("GET /healthz HTTP/1.0\r\n\r\n"));
  auto r10 = old.ReadResponse();
  ASSERT_TRUE(r10);
  EXPECT_EQ(r10->status, 200);
  EXPECT_TRUE(old.ClosedByServer());
}

// Connections beyond the limit get a 503 and are closed; once one closes,
// a new client is served again.
TEST(HttpServerLimits, ConnectionsBeyondTheLimitGet503) {
  TestNodeOptions o;
  o.name = "capped";
  o.http = true;
  o.http_max_connections = 2;
  auto node = RunningNode::Launch(o);
  ASSERT_TRUE(node);
  auto first = std::make_unique<TestHttpClient>(node->http());
  TestHttpClient second(node->http());
  for (TestHttpClient* c : {first.get(), &second}) {
    auto r = c->Call("GET", "/healthz");  // answered: its session exists
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  TestHttpClient third(node->http());
  ASSERT_TRUE(third.connected());  // the kernel accepts; the server answers
  auto refused = third.ReadResponse();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_NE(refused->body.find("at most 2 HTTP connections"), std::string::npos) << refused->body;
  EXPECT_TRUE(third.ClosedByServer());

  first.reset();  // frees a place once the server sees the close
  bool served = false;
  for (int attempt = 0; attempt < 100 && !served; ++attempt) {
    TestHttpClient next(node->http());
    auto r = next.Call("GET", "/healthz");
    served = r && r->status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(served);
  EXPECT_EQ(second.Call("GET", "/healthz").value_or(TestResponse{}).status, 200);
}

}  // namespace
}  // namespace parley
