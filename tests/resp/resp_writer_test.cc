// Tests for RESP2/RESP3 reply encoding.
#include "node/resp/resp_writer.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace parley::resp {
namespace {

std::string Write(int protocol, void (*fill)(RespWriter&)) {
  std::string out;
  RespWriter w(&out, protocol);
  fill(w);
  return out;
}

TEST(RespWriterTest, ScalarsAreTheSameInBothProtocols) {
  for (int protocol : {2, 3}) {
    EXPECT_EQ(Write(protocol, [](RespWriter& w) { w.Ok(); }), "+OK\r\n");
    EXPECT_EQ(Write(protocol, [](RespWriter& w) { w.Integer(-42); }), ":-42\r\n");
    EXPECT_EQ(Write(protocol, [](RespWriter& w) { w.Bulk("a\r\nb"); }), "$4\r\na\r\nb\r\n");
    EXPECT_EQ(Write(protocol, [](RespWriter& w) { w.Error("ERR bad\r\nthing"); }), "-ERR bad  thing\r\n");
  }
}

TEST(RespWriterTest, WidestNumbersFit) {
  EXPECT_EQ(Write(2, [](RespWriter& w) { w.Integer(INT64_MIN); }), ":-9223372036854775808\r\n");
  EXPECT_EQ(Write(2, [](RespWriter& w) { w.Integer(INT64_MAX); }), ":9223372036854775807\r\n");
  EXPECT_EQ(Write(2, [](RespWriter& w) { w.Array(UINT64_MAX); }), "*18446744073709551615\r\n");
  EXPECT_EQ(Write(2, [](RespWriter& w) { w.Integer(0); }), ":0\r\n");
}

TEST(RespWriterTest, Resp3TypesDowngradeInResp2) {
  auto nulls = [](RespWriter& w) {
    w.Null();
    w.NullArray();
  };
  EXPECT_EQ(Write(2, nulls), "$-1\r\n*-1\r\n");
  EXPECT_EQ(Write(3, nulls), "_\r\n_\r\n");
  auto map = [](RespWriter& w) {
    w.Map(1);
    w.Bulk("k");
    w.Integer(1);
  };
  EXPECT_EQ(Write(2, map), "*2\r\n$1\r\nk\r\n:1\r\n");
  EXPECT_EQ(Write(3, map), "%1\r\n$1\r\nk\r\n:1\r\n");
  EXPECT_EQ(Write(2, [](RespWriter& w) { w.Set(0); }), "*0\r\n");
  EXPECT_EQ(Write(3, [](RespWriter& w) { w.Set(0); }), "~0\r\n");
  EXPECT_EQ(Write(2, [](RespWriter& w) { w.Push(1); }), "*1\r\n");
  EXPECT_EQ(Write(3, [](RespWriter& w) { w.Push(1); }), ">1\r\n");
  EXPECT_EQ(Write(2, [](RespWriter& w) { w.Boolean(true); }), ":1\r\n");
  EXPECT_EQ(Write(3, [](RespWriter& w) { w.Boolean(false); }), "#f\r\n");
  EXPECT_EQ(Write(2, [](RespWriter& w) { w.Verbatim("hi"); }), "$2\r\nhi\r\n");
  EXPECT_EQ(Write(3, [](RespWriter& w) { w.Verbatim("hi"); }), "=6\r\ntxt:hi\r\n");
}

}  // namespace
}  // namespace parley::resp
