// libparley on the program's own libuv loop (Node::OpenOnLoop).
#include <gtest/gtest.h>
#include <uv.h>

#include "tests/embed/embed_test_util.h"

namespace parley::embed {
namespace {

TEST(EmbedLoop, RunsOnTheCallersLoop) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  {
    Result<std::unique_ptr<Node>> opened = Node::OpenOnLoop(testing::LocalOptions("looped"), &loop);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    Node& node = **opened;

    // On the loop thread, reads and asynchronous writes work directly;
    // a blocking write would wait for this very thread and is refused.
    EXPECT_EQ(node.Set("k", "v").code(), Status::Code::kInvalidArgument);
    Status written = Status::Error(Status::Code::kUnsupported, "not yet");
    node.WriteAsync(Batch().Set("k", "v"), Durability::Local(), [&](const Status& s) { written = s; });
    uint64_t changes = 0;
    ASSERT_TRUE(node.Watch("", [&](const std::string&) { ++changes; }).ok());
    // Another thread's blocking write completes once this loop runs.
    std::thread other([&] { EXPECT_TRUE(node.Incr("c", 2).ok()); });
    while (!node.GetCounter("c").ok() || !written.ok()) uv_run(&loop, UV_RUN_ONCE);
    other.join();
    EXPECT_EQ(node.Get("k").value(), "v");
    EXPECT_EQ(node.GetCounter("c").value(), 2);
    EXPECT_GE(changes, 1u);
    EXPECT_TRUE(node.Close().ok());
  }
  // The node's handles close as the loop runs on; then the loop can close.
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace parley::embed
