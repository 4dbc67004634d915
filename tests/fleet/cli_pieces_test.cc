// The CLI's pure pieces, without processes: server-sent-event parsing, key
// escaping in URLs, redis-cli style quoting, tables, partition-free bits.
#include <gtest/gtest.h>

#include "node/cli/node_api.h"
#include "node/cli/reply_printer.h"
#include "node/cli/sse_parser.h"
#include "node/cli/text_table.h"

namespace parley::cli {
namespace {

TEST(SseParser, EventsCutAnywhereAreReassembled) {
  std::string stream =
      ": keep-alive\n\nevent: change\r\ndata: {\"key\":\"a\"}\r\n\r\nevent: change\ndata: line1\ndata: line2\n\n";
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    SseParser parser;
    auto events = parser.Feed(stream.substr(0, cut));
    auto rest = parser.Feed(stream.substr(cut));
    events.insert(events.end(), rest.begin(), rest.end());
    ASSERT_EQ(events.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(events[0].type, "change");
    EXPECT_EQ(events[0].data, "{\"key\":\"a\"}");
    EXPECT_EQ(events[1].data, "line1\nline2");
  }
}

TEST(PercentEncode, KeepsUnreservedAndEscapesTheRest) {
  EXPECT_EQ(PercentEncode("user:42/name tag~_.-"), "user%3A42%2Fname%20tag~_.-");
  EXPECT_EQ(PercentEncode("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(QuoteForDisplay, LikeRedisCli) {
  EXPECT_EQ(QuoteForDisplay("hello"), "\"hello\"");
  EXPECT_EQ(QuoteForDisplay("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(QuoteForDisplay(std::string("\x01", 1)), "\"\\x01\"");
}

TEST(TextTable, PadsColumnsToTheWidestCell) {
  TextTable table({"NAME", "STATE"});
  table.AddRow({"n1", "alive"});
  table.AddRow({"node-two", "dead"});
  EXPECT_EQ(table.Render(), "NAME      STATE\nn1        alive\nnode-two  dead\n");
}

TEST(StatusFromErrorResponse, MapsApiCodes) {
  HttpResponse wrong{409, R"({"error":{"code":"wrong_type","message":"key 'a' holds a set"}})"};
  Status s = StatusFromErrorResponse(wrong);
  EXPECT_EQ(s.code(), Status::Code::kWrongType);
  EXPECT_EQ(s.message(), "key 'a' holds a set");
  HttpResponse plain{502, "Bad Gateway"};
  EXPECT_EQ(StatusFromErrorResponse(plain).message(), "HTTP 502: Bad Gateway");
  EXPECT_EQ(StatusFromErrorResponse({504, "{}"}).code(), Status::Code::kTimedOut);
}

}  // namespace
}  // namespace parley::cli
