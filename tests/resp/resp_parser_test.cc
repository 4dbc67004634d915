// Tests for the incremental, bounded RESP request parser.
#include "node/resp/resp_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/resp/reply_reader.h"

namespace parley::resp {
namespace {

using Args = std::vector<std::string>;

// Feeds `input` in one piece and collects every command (and the error).
std::vector<Args> ParseAll(const std::string& input, std::string* error = nullptr, RespLimits limits = {}) {
  RespParser parser(limits);
  parser.Feed(input);
  std::vector<Args> commands;
  Args args;
  while (true) {
    auto outcome = parser.Next(&args);
    if (outcome == RespParser::Outcome::kCommand) {
      commands.push_back(args);
      continue;
    }
    if (outcome == RespParser::Outcome::kError && error) *error = parser.error();
    break;
  }
  return commands;
}

TEST(RespParserTest, ParsesMultibulk) {
  auto commands = ParseAll(EncodeCommand({"SET", "key", "va\r\nlue"}));
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0], (Args{"SET", "key", "va\r\nlue"}));
}

TEST(RespParserTest, ParsesPipelinedCommands) {
  std::string input;
  for (int i = 0; i < 100; ++i) input += EncodeCommand({"INCR", "k" + std::to_string(i)});
  auto commands = ParseAll(input);
  ASSERT_EQ(commands.size(), 100u);
  EXPECT_EQ(commands[99], (Args{"INCR", "k99"}));
}

// The parser reuses argument strings between commands; longer, shorter and
// big arguments must still come out exactly.
TEST(RespParserTest, ReusedArgumentBuffersHoldExactlyEachCommand) {
  std::vector<Args> sent = {{"MSET", "a-key-longer-than-sixteen", "1", "b", "2"},
                            {"GET", "a"},
                            {"SET", "k", std::string(5000, 'x')},
                            {"PING"},
                            {"SET", "another-long-key-name-here", ""},
                            {"HSET", "h", "f", std::string(20, 'v'), "g", "w"}};
  std::string input;
  for (const Args& a : sent) input += EncodeCommand(a);
  EXPECT_EQ(ParseAll(input), sent);
}

TEST(RespParserTest, EverySplitGivesTheSameCommands) {
  std::string input = EncodeCommand({"SET", "k", std::string(300, 'x')}) + "PING hello\r\n" +
                      EncodeCommand({"GET", ""}) + "*0\r\n" + EncodeCommand({"ECHO", "\"q\""});
  std::vector<Args> expected = ParseAll(input);
  ASSERT_EQ(expected.size(), 4u);
  for (size_t split = 0; split <= input.size(); ++split) {
    RespParser parser;
    std::vector<Args> got;
    Args args;
    parser.Feed(input.substr(0, split));
    while (parser.Next(&args) == RespParser::Outcome::kCommand) got.push_back(args);
    parser.Feed(input.substr(split));
    while (parser.Next(&args) == RespParser::Outcome::kCommand) got.push_back(args);
    EXPECT_EQ(got, expected) << "split at " << split;
  }
  // And byte by byte.
  RespParser parser;
  std::vector<Args> got;
  Args args;
  for (char c : input) {
    parser.Feed(std::string_view(&c, 1));
    while (parser.Next(&args) == RespParser::Outcome::kCommand) got.push_back(args);
  }
  EXPECT_EQ(got, expected);
}

TEST(RespParserTest, InlineCommandsFollowRedisQuoting) {
  auto commands = ParseAll("SET  a   \"b c\\n\\x41\"\r\nGET 'it\\'s'\nEMPTY \"\"\r\n\r\n");
  ASSERT_EQ(commands.size(), 3u);
  EXPECT_EQ(commands[0], (Args{"SET", "a", "b c\nA"}));
  EXPECT_EQ(commands[1], (Args{"GET", "it's"}));
  EXPECT_EQ(commands[2], (Args{"EMPTY", ""}));
}

TEST(RespParserTest, LengthsOfEveryWidthParse) {
  std::string ten(10, 'x');
  std::vector<Args> commands = ParseAll("*3\r\n$0\r\n\r\n$1\r\na\r\n$10\r\n" + ten + "\r\n");
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0], (Args{"", "a", ten}));
}

TEST(RespParserTest, MalformedInputGivesRedisErrors) {
  struct Case {
    std::string input;
    std::string error;
  } cases[] = {
      {"*abc\r\n", "Protocol error: invalid multibulk length"},
      {"*1\r\n$x\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$-1\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$-5\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$99999999999\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n:5\r\n", "Protocol error: expected '$', got ':'"},
      {"*1\r\n*1\r\n$1\r\na\r\n", "Protocol error: expected '$', got '*'"},
      {"*99999999999\r\n", "Protocol error: invalid multibulk length"},
      {"*+1\r\n", "Protocol error: invalid multibulk length"},
      {"*01\r\n", "Protocol error: invalid multibulk length"},
      {"*1 \r\n", "Protocol error: invalid multibulk length"},
      {"*1\r\n$01\r\nab\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$1x\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$1000000000000000000\r\n", "Protocol error: invalid bulk length"},   // 19 digits
      {"*1\r\n$99999999999999999999\r\n", "Protocol error: invalid bulk length"},  // beyond int64
      {"SET \"a\r\n", "Protocol error: unbalanced quotes in request"},
      {"SET \"a\"b\r\n", "Protocol error: unbalanced quotes in request"},
  };
  for (const Case& c : cases) {
    std::string error;
    ParseAll(c.input, &error);
    EXPECT_EQ(error, c.error) << c.input;
  }
}

TEST(RespParserTest, LimitsAreCheckedBeforeBuffering) {
  RespLimits limits;
  limits.max_bulk_bytes = 100;
  limits.max_multibulk_length = 10;
  limits.max_inline_bytes = 50;
  limits.max_command_bytes = 150;
  std::string error;
  ParseAll("*1\r\n$101\r\n", &error, limits);
  EXPECT_EQ(error, "Protocol error: invalid bulk length");
  ParseAll("*11\r\n", &error, limits);
  EXPECT_EQ(error, "Protocol error: invalid multibulk length");
  ParseAll(std::string(51, 'a'), &error, limits);
  EXPECT_EQ(error, "Protocol error: too big inline request");
  ParseAll("*2\r\n$100\r\n" + std::string(100, 'a') + "\r\n$100\r\n", &error, limits);
  EXPECT_EQ(error, "Protocol error: too big request");
  // 100 bytes of a 100-byte value are fine.
  error.clear();
  auto ok = ParseAll(EncodeCommand({std::string(100, 'v')}), &error, limits);
  EXPECT_EQ(ok.size(), 1u);
  EXPECT_EQ(error, "");
}

TEST(RespParserTest, HugeAnnouncedLengthsAllocateNothingBig) {
  RespParser parser;  // default limits: 16 MB bulk, 1M arguments
  parser.Feed("*1048576\r\n$16777216\r\nabc");
  Args args;
  EXPECT_EQ(parser.Next(&args), RespParser::Outcome::kNeedMore);
  EXPECT_LT(parser.buffered(), 100u);
}

TEST(RespParserTest, ErrorIsSticky) {
  RespParser parser;
  parser.Feed("*x\r\n");
  Args args;
  EXPECT_EQ(parser.Next(&args), RespParser::Outcome::kError);
  parser.Feed(EncodeCommand({"PING"}));
  EXPECT_EQ(parser.Next(&args), RespParser::Outcome::kError);
}

TEST(RespParserTest, Resp3TypeBytesAreInlineCommandsLikeInRedis) {
  // A server only receives arrays of bulk strings; any other first byte
  // starts an inline command (which then is unknown).
  auto commands = ParseAll("%1\r\n#t\r\n");
  ASSERT_EQ(commands.size(), 2u);
  EXPECT_EQ(commands[0], (Args{"%1"}));
  EXPECT_EQ(commands[1], (Args{"#t"}));
}

}  // namespace
}  // namespace parley::resp
