// TcpConnection: direct, deferred and gathered writes, and when on_close is called.
//
// The server side is a TcpConnection on a libuv loop; the client is a plain
// non-blocking socket, so a test can reset it or read at its own pace.
#include "node/runtime/tcp_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <string>

namespace parley {
namespace {

class TcpConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);  // as NodeRuntime::Open does; writes then fail with EPIPE
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    ASSERT_EQ(uv_tcp_init(&loop_, &listener_), 0);
    listener_.data = this;
    sockaddr_in addr{};
    uv_ip4_addr("127.0.0.1", 0, &addr);
    ASSERT_EQ(uv_tcp_bind(&listener_, reinterpret_cast<const sockaddr*>(&addr), 0), 0);
    ASSERT_EQ(uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 8,
                        [](uv_stream_t* server, int status) {
                          auto* self = static_cast<TcpConnectionTest*>(server->data);
                          ASSERT_EQ(status, 0);
                          self->server_ = TcpConnection::Accept(server, self->MakeCallbacks());
                        }),
              0);
    int len = sizeof addr;
    uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&addr), &len);

    client_ = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(client_, 0);
    ASSERT_EQ(connect(client_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    fcntl(client_, F_SETFL, fcntl(client_, F_GETFL) | O_NONBLOCK);
    ASSERT_TRUE(RunUntil([&] { return server_ != nullptr; }));
  }

  void TearDown() override {
    if (client_ >= 0) close(client_);
    if (server_ != nullptr && !closed_) {
      server_->Detach();
      server_->Close();
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }

  TcpConnection::Callbacks MakeCallbacks() {
    TcpConnection::Callbacks callbacks;
    callbacks.on_close = [this](const Status& why) {
      closed_ = true;
      close_status_ = why;
    };
    return callbacks;
  }

  bool RunUntil(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      uv_run(&loop_, UV_RUN_NOWAIT);
    }
    return true;
  }

  // Reads what the client has received so far; sets *eof at the end of the stream.
  std::string ClientRead(bool* eof) {
    std::string out;
    char buf[65536];
    for (;;) {
      ssize_t n = read(client_, buf, sizeof buf);
      if (n > 0) {
        out.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) *eof = true;
      return out;
    }
  }

  uv_loop_t loop_{};
  uv_tcp_t listener_{};
  TcpConnection* server_ = nullptr;
  int client_ = -1;
  bool closed_ = false;
  Status close_status_;
};

TEST_F(TcpConnectionTest, CloseAfterWritesSendsTheBytesThenClosesFromTheLoop) {
  server_->Write("+OK\r\n");
  server_->CloseAfterWrites();
  // The bytes went to the kernel inside Write(), but on_close must not run
  // while its owner is still in the call (a QUIT handler is on the stack).
  EXPECT_FALSE(closed_);
  ASSERT_TRUE(RunUntil([&] { return closed_; }));
  EXPECT_TRUE(close_status_.ok());
  server_ = nullptr;
  std::string got;
  bool eof = false;
  ASSERT_TRUE(RunUntil([&] {
    got += ClientRead(&eof);
    return eof;
  }));
  EXPECT_EQ(got, "+OK\r\n");
}

TEST_F(TcpConnectionTest, WriteLaterWaitsForSendQueuedAndKeepsTheOrder) {
  server_->WriteLater("one,");
  server_->WriteLater("two,");
  uv_run(&loop_, UV_RUN_NOWAIT);
  usleep(20000);
  bool eof = false;
  EXPECT_EQ(ClientRead(&eof), "") << "sent before SendQueued()";
  EXPECT_EQ(server_->queued_bytes(), 8u);
  server_->SendQueued();
  server_->Write("three");  // a plain write sends what waited first
  std::string got;
  ASSERT_TRUE(RunUntil([&] {
    got += ClientRead(&eof);
    return got.size() >= 13;
  }));
  EXPECT_EQ(got, "one,two,three");
}

TEST_F(TcpConnectionTest, CloseAfterWritesSendsWhatWaitedForSendQueued) {
  server_->WriteLater("bye");
  server_->CloseAfterWrites();
  EXPECT_FALSE(closed_);
  ASSERT_TRUE(RunUntil([&] { return closed_; }));
  server_ = nullptr;
  std::string got;
  bool eof = false;
  ASSERT_TRUE(RunUntil([&] {
    got += ClientRead(&eof);
    return eof;
  }));
  EXPECT_EQ(got, "bye");
}

TEST_F(TcpConnectionTest, WriteToAResetPeerReportsTheErrorFromTheLoop) {
  linger hard{1, 0};  // close() sends a reset
  ASSERT_EQ(setsockopt(client_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard), 0);
  close(client_);
  client_ = -1;
  usleep(20000);  // let the reset arrive, without running the loop
  server_->Write("+OK\r\n");
  server_->Write("+OK\r\n");
  EXPECT_FALSE(closed_) << "on_close ran inside Write()";
  ASSERT_TRUE(RunUntil([&] { return closed_; }));
  EXPECT_FALSE(close_status_.ok());
  server_ = nullptr;
}

TEST_F(TcpConnectionTest, WritesTheKernelCannotTakeAtOnceArriveWholeAndInOrder) {
  // Larger than the socket buffers, so part of it waits for a libuv write
  // while later writes are gathered behind it.
  std::string big(32 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + (i / 4096) % 26);
  server_->Write(big);
  EXPECT_GT(server_->queued_bytes(), 0u);
  server_->Write("tail-1");
  server_->Write("tail-2");
  std::string got;
  bool eof = false;
  ASSERT_TRUE(RunUntil([&] {
    got += ClientRead(&eof);
    return got.size() >= big.size() + 12;
  }));
  EXPECT_EQ(got.size(), big.size() + 12);
  EXPECT_TRUE(got.compare(0, big.size(), big) == 0);
  EXPECT_EQ(got.substr(big.size()), "tail-1tail-2");
  EXPECT_TRUE(RunUntil([&] { return server_->queued_bytes() == 0; }));
  EXPECT_FALSE(closed_);
}

}  // namespace
}  // namespace parley
