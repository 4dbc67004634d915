// Command tests: a RespSession over an in-memory map, no sockets.
#include "node/resp/resp_commands.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "node/resp/resp_session.h"
#include "tests/resp/memory_backend.h"
#include "tests/resp/reply_reader.h"

namespace parley::resp {
namespace {

class RespCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override { session_ = NewSession(); }

  // A session whose replies go to `*output` (default: output_).
  std::shared_ptr<RespSession> NewSession(std::string* output = nullptr) {
    if (output == nullptr) output = &output_;
    SessionIo io;
    io.send = [output](std::string_view bytes) { *output += bytes; };
    io.close = [this] { closed_ = true; };
    return RespSession::Create(&backend_, &server_, std::move(io), "127.0.0.1:5555", "127.0.0.1:6379");
  }

  // Runs one command; returns its reply (and any message sent with it).
  std::string Run(const std::vector<std::string>& args) {
    session_->Feed(EncodeCommand(args));
    return TakeReplies();
  }
  std::string TakeReplies() {
    std::vector<std::string> replies = ParseAllReplies(output_);
    output_.clear();
    std::string joined;
    for (size_t i = 0; i < replies.size(); ++i) joined += (i ? " | " : "") + replies[i];
    return joined;
  }

  MemoryBackend backend_;
  ServerState server_;
  std::string output_;
  bool closed_ = false;
  std::shared_ptr<RespSession> session_;
};

TEST_F(RespCommandsTest, PingEchoSelect) {
  EXPECT_EQ(Run({"PING"}), "PONG");
  EXPECT_EQ(Run({"ping", "hi"}), "hi");
  EXPECT_EQ(Run({"ECHO", "x y"}), "x y");
  EXPECT_EQ(Run({"SELECT", "0"}), "OK");
  EXPECT_EQ(Run({"SELECT", "1"}), "(error) ERR DB index is out of range");
  EXPECT_EQ(Run({"SELECT", "x"}), "(error) ERR value is not an integer or out of range");
}

TEST_F(RespCommandsTest, UnknownCommandAndArityErrorsMatchRedis) {
  EXPECT_EQ(Run({"FOO", "a", "b"}), "(error) ERR unknown command 'FOO', with args beginning with: 'a' 'b' ");
  EXPECT_EQ(Run({"LPUSH"}), "(error) ERR unknown command 'LPUSH', with args beginning with: ");
  EXPECT_EQ(Run({"GET"}), "(error) ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(Run({"GET", "a", "b"}), "(error) ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(Run({"MSET", "a"}), "(error) ERR wrong number of arguments for 'mset' command");
  EXPECT_EQ(Run({"MSET", "a", "1", "b"}), "(error) ERR wrong number of arguments for 'mset' command");
}

TEST_F(RespCommandsTest, StringsAndCounters) {
  EXPECT_EQ(Run({"GET", "k"}), "(nil)");
  EXPECT_EQ(Run({"SET", "k", "v"}), "OK");
  EXPECT_EQ(Run({"GET", "k"}), "v");
  EXPECT_EQ(Run({"STRLEN", "k"}), "1");
  EXPECT_EQ(Run({"SET", "k", "w", "NX"}), "(nil)");
  EXPECT_EQ(Run({"SET", "k", "w", "XX", "GET"}), "v");
  EXPECT_EQ(Run({"SET", "new", "w", "XX"}), "(nil)");
  EXPECT_EQ(Run({"SET", "k", "w", "NX", "XX"}), "(error) ERR syntax error");
  EXPECT_EQ(Run({"SET", "k", "w", "EX", "10"}),
            "(error) ERR parley keys do not expire: SET with EX/PX/EXAT/PXAT is not supported");
  EXPECT_EQ(Run({"SET", "k", "w", "KEEPTTL"}), "OK");
  EXPECT_EQ(Run({"SETNX", "k", "z"}), "0");
  EXPECT_EQ(Run({"MSET", "a", "1", "b", "2"}), "OK");
  EXPECT_EQ(Run({"MGET", "a", "b", "missing"}), "[1, 2, (nil)]");

  EXPECT_EQ(Run({"INCR", "c"}), "1");
  EXPECT_EQ(Run({"INCRBY", "c", "10"}), "11");
  EXPECT_EQ(Run({"DECR", "c"}), "10");
  EXPECT_EQ(Run({"DECRBY", "c", "3"}), "7");
  EXPECT_EQ(Run({"GET", "c"}), "7");
  EXPECT_EQ(Run({"TYPE", "c"}), "string");
  EXPECT_EQ(Run({"INCRBY", "c", "x"}), "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(Run({"INCRBY", "c", "9223372036854775807"}), "(error) ERR increment or decrement would overflow");

  // SET k 5; INCR k works, as Redis users expect.
  EXPECT_EQ(Run({"SET", "n", "5"}), "OK");
  EXPECT_EQ(Run({"INCR", "n"}), "6");
  EXPECT_EQ(Run({"INCR", "n"}), "7");
  EXPECT_EQ(Run({"GET", "n"}), "7");
  EXPECT_EQ(Run({"SET", "s", "05"}), "OK");
  EXPECT_EQ(Run({"INCR", "s"}), "(error) ERR value is not an integer or out of range");
  // SET over a counter replaces it.
  EXPECT_EQ(Run({"SET", "c", "text"}), "OK");
  EXPECT_EQ(Run({"GET", "c"}), "text");
}

TEST_F(RespCommandsTest, WrongTypeErrors) {
  EXPECT_EQ(Run({"SADD", "s", "a"}), "1");
  const char* wrongtype = "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
  EXPECT_EQ(Run({"GET", "s"}), wrongtype);
  EXPECT_EQ(Run({"INCR", "s"}), wrongtype);
  EXPECT_EQ(Run({"HSET", "s", "f", "v"}), wrongtype);
  EXPECT_EQ(Run({"HGET", "s", "f"}), wrongtype);
  EXPECT_EQ(Run({"SET", "s", "a", "GET"}), wrongtype);
  EXPECT_EQ(Run({"MGET", "s"}), "[(nil)]");
}

TEST_F(RespCommandsTest, SetsAndHashes) {
  EXPECT_EQ(Run({"SADD", "s", "a", "b", "a"}), "2");
  EXPECT_EQ(Run({"SADD", "s", "a"}), "0");
  EXPECT_EQ(Run({"SCARD", "s"}), "2");
  EXPECT_EQ(Run({"SISMEMBER", "s", "b"}), "1");
  EXPECT_EQ(Run({"SMEMBERS", "s"}), "[a, b]");
  EXPECT_EQ(Run({"SREM", "s", "a", "zz"}), "1");
  EXPECT_EQ(Run({"SMEMBERS", "s"}), "[b]");
  EXPECT_EQ(Run({"SMEMBERS", "none"}), "[]");

  EXPECT_EQ(Run({"HSET", "h", "f1", "v1", "f2", "v2"}), "2");
  EXPECT_EQ(Run({"HSET", "h", "f1", "x"}), "0");
  EXPECT_EQ(Run({"HSET", "h", "f1"}), "(error) ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(Run({"HGET", "h", "f1"}), "x");
  EXPECT_EQ(Run({"HGET", "h", "nope"}), "(nil)");
  EXPECT_EQ(Run({"HLEN", "h"}), "2");
  EXPECT_EQ(Run({"HEXISTS", "h", "f2"}), "1");
  EXPECT_EQ(Run({"HGETALL", "h"}), "[f1, x, f2, v2]");
  EXPECT_EQ(Run({"HMGET", "h", "f2", "no"}), "[v2, (nil)]");
  EXPECT_EQ(Run({"HDEL", "h", "f1", "f1", "no"}), "1");
  EXPECT_EQ(Run({"HKEYS", "h"}), "[f2]");
  EXPECT_EQ(Run({"TYPE", "h"}), "hash");
  EXPECT_EQ(Run({"TYPE", "s"}), "set");
  EXPECT_EQ(Run({"TYPE", "zz"}), "none");
}

TEST_F(RespCommandsTest, KeysExistsDelScan) {
  for (int i = 0; i < 30; ++i) Run({"SET", "user:" + std::to_string(i), "v"});
  Run({"SADD", "other", "m"});
  EXPECT_EQ(Run({"DBSIZE"}), "31");
  EXPECT_EQ(Run({"EXISTS", "user:1", "user:1", "nope"}), "2");
  EXPECT_EQ(Run({"KEYS", "user:2?"}), "[user:20, user:21, user:22, user:23, user:24, user:25, user:26, "
                                       "user:27, user:28, user:29]");
  EXPECT_EQ(Run({"DEL", "user:1", "user:1", "nope"}), "1");
  EXPECT_EQ(Run({"DBSIZE"}), "30");
  EXPECT_EQ(Run({"SCAN", "0", "TYPE", "set"}), "[0, [other]]");
  EXPECT_EQ(Run({"SCAN", "0", "MATCH", "user:2*", "COUNT", "100"}).substr(0, 12), "[0, [user:2,");
  EXPECT_EQ(Run({"SCAN", "x"}), "(error) ERR invalid cursor");
  EXPECT_EQ(Run({"SCAN", "0", "COUNT", "0"}), "(error) ERR syntax error");
}

TEST_F(RespCommandsTest, LargeScanWalksSnapshotAndSkipsDeletedKeys) {
  std::vector<Op> ops;
  for (int i = 0; i < 3000; ++i) ops.push_back(Op::Set("k" + std::to_string(10000 + i), "v"));
  ASSERT_TRUE(backend_.Write(ops, [](const Status&) {}).ok());
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  bool deleted = false;
  do {
    session_->Feed(EncodeCommand({"SCAN", cursor, "COUNT", "100"}));
    Reply reply;
    ASSERT_GT(ParseReply(output_, &reply).value_or(0), 0u);
    output_.clear();
    ASSERT_EQ(reply.elements.size(), 2u);
    cursor = reply.elements[0].text;
    for (const Reply& key : reply.elements[1].elements) EXPECT_TRUE(seen.insert(key.text).second);
    if (!deleted) {
      Run({"DEL", "k12999"});  // not yet returned: must not appear
      deleted = true;
    }
    ++calls;
  } while (cursor != "0" && calls < 1000);
  EXPECT_EQ(seen.size(), 2999u);
  EXPECT_FALSE(seen.contains("k12999"));
  EXPECT_EQ(calls, 30);
}

TEST_F(RespCommandsTest, RepliesKeepOrderWhileWritesArePending) {
  backend_.auto_ack = false;
  session_->Feed(EncodeCommand({"SET", "k", "v"}) + EncodeCommand({"GET", "k"}) + EncodeCommand({"INCR", "c"}) +
                 EncodeCommand({"PING"}));
  EXPECT_EQ(output_, "");  // the SET's reply blocks everything after it
  backend_.AckAll();
  EXPECT_EQ(TakeReplies(), "OK | v | 1 | PONG");
}

// One fsync acknowledges a whole pipeline: with defer_drain, the session asks
// once to be drained and then sends every reply in one piece, instead of one
// send per acknowledgement.
TEST_F(RespCommandsTest, AcknowledgedPipelineIsSentInOnePiece) {
  std::vector<std::string> sends;
  int deferrals = 0;
  SessionIo io;
  io.send = [&sends](std::string_view bytes) { sends.emplace_back(bytes); };
  io.defer_drain = [&deferrals] { ++deferrals; };
  auto session = RespSession::Create(&backend_, &server_, std::move(io));
  backend_.auto_ack = false;
  std::string pipeline;
  for (int i = 0; i < 16; ++i) pipeline += EncodeCommand({"SET", "k" + std::to_string(i), "v"});
  session->Feed(pipeline);
  EXPECT_TRUE(sends.empty());
  backend_.AckAll();
  EXPECT_EQ(deferrals, 1);
  EXPECT_TRUE(sends.empty()) << "sent before the server drained it";
  session->DrainDeferred();
  ASSERT_EQ(sends.size(), 1u);
  std::string expected;
  for (int i = 0; i < 16; ++i) expected += "+OK\r\n";
  EXPECT_EQ(sends[0], expected);
  session->Shutdown();
}

// MULTI queues, EXEC answers with one array of the queued commands'
// replies (a failing command does not stop the rest), DISCARD drops them,
// and the errors read as Redis's do.
TEST_F(RespCommandsTest, MultiExecRunsTheQueuedCommandsAndAnswersWithOneArray) {
  EXPECT_EQ(Run({"EXEC"}), "(error) ERR EXEC without MULTI");
  EXPECT_EQ(Run({"DISCARD"}), "(error) ERR DISCARD without MULTI");
  EXPECT_EQ(Run({"SET", "s", "text"}), "OK");
  EXPECT_EQ(Run({"MULTI"}), "OK");
  EXPECT_EQ(Run({"MULTI"}), "(error) ERR MULTI calls can not be nested");
  EXPECT_EQ(Run({"INCR", "c"}), "QUEUED");
  EXPECT_EQ(Run({"INCR", "s"}), "QUEUED");
  EXPECT_EQ(Run({"INCRBY", "c", "5"}), "QUEUED");
  EXPECT_EQ(Run({"GET", "c"}), "QUEUED");
  EXPECT_EQ(backend_.map().GetCounter("c"), std::nullopt) << "queued, not run";
  EXPECT_EQ(Run({"EXEC"}), "[1, (error) ERR value is not an integer or out of range, 6, 6]");
  EXPECT_EQ(backend_.write_groups, 1u) << "EXEC's writes reach other nodes together";
  EXPECT_EQ(backend_.grouped_writes, 2u) << "the two increments; the first SET was no part of it";
  EXPECT_EQ(backend_.unmatched_group_calls, 0u);
  EXPECT_EQ(Run({"EXEC"}), "(error) ERR EXEC without MULTI");
  EXPECT_EQ(Run({"MULTI"}), "OK");
  EXPECT_EQ(Run({"SET", "d", "x"}), "QUEUED");
  EXPECT_EQ(Run({"DISCARD"}), "OK");
  EXPECT_EQ(Run({"GET", "d"}), "(nil)");
  EXPECT_EQ(Run({"MULTI"}), "OK");
  EXPECT_EQ(Run({"EXEC"}), "[]");
  EXPECT_EQ(Run({"MULTI"}), "OK");
  EXPECT_EQ(Run({"SET", "d", "x"}), "QUEUED");
  EXPECT_EQ(Run({"RESET"}), "RESET");
  EXPECT_EQ(Run({"EXEC"}), "(error) ERR EXEC without MULTI");
  EXPECT_EQ(Run({"GET", "d"}), "(nil)");
}

TEST_F(RespCommandsTest, ACommandRefusedWhileQueuingAbortsTheTransaction) {
  for (std::vector<std::string> refused : std::vector<std::vector<std::string>>{
           {"NOSUCH"}, {"GET"}, {"SUBSCRIBE", "__keyspace@0__:k"}}) {
    EXPECT_EQ(Run({"MULTI"}), "OK");
    EXPECT_EQ(Run({"SET", "k", "v"}), "QUEUED");
    EXPECT_NE(Run(refused).find("(error) ERR"), std::string::npos) << refused[0];
    EXPECT_EQ(Run({"EXEC"}), "(error) EXECABORT Transaction discarded because of previous errors.") << refused[0];
    EXPECT_EQ(Run({"GET", "k"}), "(nil)") << refused[0];
  }
  server_.limits.max_command_bytes = 400;  // a SET is ~100 bytes of overhead
  EXPECT_EQ(Run({"MULTI"}), "OK");
  EXPECT_EQ(Run({"SET", "k", std::string(150, 'v')}), "QUEUED");
  EXPECT_EQ(Run({"SET", "k", std::string(150, 'w')}), "(error) ERR transaction larger than 400 bytes; use several");
  EXPECT_EQ(Run({"EXEC"}), "(error) EXECABORT Transaction discarded because of previous errors.");
}

// EXEC's array waits for its writes' acknowledgements like any reply, and
// nothing sent after EXEC overtakes it.
TEST_F(RespCommandsTest, ExecRepliesWaitForTheirWritesInOrder) {
  backend_.auto_ack = false;
  session_->Feed(EncodeCommand({"MULTI"}) + EncodeCommand({"SET", "a", "1"}) + EncodeCommand({"SADD", "s", "m"}) +
                 EncodeCommand({"EXEC"}) + EncodeCommand({"PING"}));
  EXPECT_EQ(output_.find("PONG"), std::string::npos) << "EXEC's array waits for its writes";
  backend_.AckAll();
  EXPECT_EQ(TakeReplies(), "OK | QUEUED | QUEUED | [OK, 1] | PONG");
}

TEST_F(RespCommandsTest, FailedAcknowledgementBecomesAnError) {
  backend_.fail_acks_with = Status::IoError("disk full");
  EXPECT_EQ(Run({"SET", "k", "v"}), "(error) ERR write not acknowledged: disk full");
}

TEST_F(RespCommandsTest, HelloSwitchesToResp3) {
  EXPECT_EQ(Run({"HELLO", "4"}), "(error) NOPROTO unsupported protocol version");
  std::string hello = Run({"HELLO", "3", "SETNAME", "app"});
  EXPECT_NE(hello.find("{server: redis, version: 7.0.0, proto: 3, id: "), std::string::npos) << hello;
  EXPECT_EQ(Run({"CLIENT", "GETNAME"}), "app");
  EXPECT_EQ(Run({"GET", "missing"}), "(nil)");
  session_->Feed(EncodeCommand({"GET", "missing"}));
  EXPECT_EQ(output_, "_\r\n");
  output_.clear();
  EXPECT_EQ(Run({"SADD", "s", "x"}), "1");
  EXPECT_EQ(Run({"SMEMBERS", "s"}), "~[x]");
  EXPECT_EQ(Run({"HSET", "h", "f", "v"}), "1");
  EXPECT_EQ(Run({"HGETALL", "h"}), "{f: v}");
  EXPECT_EQ(Run({"HELLO", "2"}).substr(0, 9), "[server, ");
}

TEST_F(RespCommandsTest, AuthWhenAPasswordIsSet) {
  EXPECT_EQ(Run({"AUTH", "x"}),
            "(error) ERR AUTH <password> called without any password configured for the default user. Are you sure "
            "your configuration is correct?");
  server_.password = "secret";
  session_ = NewSession();
  EXPECT_EQ(Run({"GET", "k"}), "(error) NOAUTH Authentication required.");
  EXPECT_EQ(Run({"NOPE"}), "(error) ERR unknown command 'NOPE', with args beginning with: ");
  EXPECT_EQ(Run({"HELLO", "3"}).substr(0, 21), "(error) NOAUTH HELLO ");
  EXPECT_EQ(Run({"AUTH", "wrong"}), "(error) WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(Run({"AUTH", "root", "secret"}), "(error) WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(Run({"AUTH", "secret"}), "OK");
  EXPECT_EQ(Run({"GET", "k"}), "(nil)");
  session_ = NewSession();
  EXPECT_NE(Run({"HELLO", "3", "AUTH", "default", "secret"}).find("proto: 3"), std::string::npos);
}

TEST_F(RespCommandsTest, ClientCommandInfoAndCommand) {
  EXPECT_EQ(Run({"CLIENT", "SETNAME", "bad name"}),
            "(error) ERR Client names cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(Run({"CLIENT", "SETNAME", "worker"}), "OK");
  EXPECT_EQ(Run({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"}), "OK");
  EXPECT_EQ(Run({"CLIENT", "ID"}), std::to_string(session_->id()));
  EXPECT_NE(Run({"CLIENT", "INFO"}).find("name=worker"), std::string::npos);
  EXPECT_NE(Run({"CLIENT", "LIST"}).find("lib-name=redis-py"), std::string::npos);
  EXPECT_EQ(Run({"COMMAND", "COUNT"}), std::to_string(AllCommands().size()));
  EXPECT_EQ(Run({"COMMAND", "DOCS"}), "[]");
  EXPECT_EQ(Run({"COMMAND", "INFO", "get", "nope"}).substr(0, 20), "[[get, 2, [readonly,");
  std::string info = Run({"INFO"});
  for (const char* field : {"# Server", "redis_version:7.0.0", "# Clients", "connected_clients:1", "# Keyspace",
                            "# Parley", "node_name:memory", "role:master"}) {
    EXPECT_NE(info.find(field), std::string::npos) << field;
  }
  Run({"SET", "k", "v"});
  EXPECT_NE(Run({"INFO", "keyspace"}).find("db0:keys=1,expires=0"), std::string::npos);
}

// The session remembers its last lookup by the name's exact spelling; any
// other spelling, or an unknown name, is looked up afresh.
TEST_F(RespCommandsTest, CommandNamesResolveInAnySpellingOneAfterAnother) {
  EXPECT_EQ(Run({"set", "k", "1"}), "OK");
  EXPECT_EQ(Run({"SET", "k", "2"}), "OK");
  EXPECT_EQ(Run({"Get", "k"}), "2");
  EXPECT_EQ(Run({"GETX", "k"}), "(error) ERR unknown command 'GETX', with args beginning with: 'k' ");
  EXPECT_EQ(Run({"Get", "k"}), "2");
  EXPECT_EQ(Run({"GET", "k", "extra"}), "(error) ERR wrong number of arguments for 'get' command");
  EXPECT_NE(Run({"client", "info"}).find(" cmd=client"), std::string::npos);
}

TEST_F(RespCommandsTest, QuitRepliesThenCloses) {
  session_->Feed(EncodeCommand({"QUIT"}) + EncodeCommand({"PING"}));
  EXPECT_EQ(TakeReplies(), "OK");
  EXPECT_TRUE(closed_);
}

TEST_F(RespCommandsTest, ProtocolErrorRepliesAfterEarlierCommandsThenCloses) {
  session_->Feed(EncodeCommand({"PING"}) + "*1\r\n$-3\r\n");
  EXPECT_EQ(TakeReplies(), "PONG | (error) ERR Protocol error: invalid bulk length");
  EXPECT_TRUE(closed_);
}

TEST_F(RespCommandsTest, KeyspaceSubscriptionsReceiveChanges) {
  EXPECT_EQ(Run({"SUBSCRIBE", "__keyspace@0__:k", "plain"}),
            "[subscribe, __keyspace@0__:k, 1] | [subscribe, plain, 2]");
  EXPECT_EQ(Run({"PSUBSCRIBE", "__keyevent@0__:*"}), "[psubscribe, __keyevent@0__:*, 3]");
  EXPECT_EQ(Run({"GET", "k"}),
            "(error) ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
            "allowed in this context");
  EXPECT_EQ(Run({"PING"}), "[pong, ]");

  std::string writer_output;
  auto writer = NewSession(&writer_output);
  writer->Feed(EncodeCommand({"SET", "k", "v"}));
  EXPECT_EQ(TakeReplies(),
            "[message, __keyspace@0__:k, changed] | [pmessage, __keyevent@0__:*, __keyevent@0__:changed, k]");
  writer->Feed(EncodeCommand({"DEL", "k"}));
  EXPECT_EQ(TakeReplies(), "[message, __keyspace@0__:k, del] | [pmessage, __keyevent@0__:*, __keyevent@0__:del, k]");
  writer->Feed(EncodeCommand({"SET", "k2", "v"}));
  EXPECT_EQ(TakeReplies(), "[pmessage, __keyevent@0__:*, __keyevent@0__:changed, k2]");
  EXPECT_EQ(ParseAllReplies(writer_output), (std::vector<std::string>{"OK", "1", "OK"}));

  EXPECT_EQ(Run({"UNSUBSCRIBE"}), "[unsubscribe, __keyspace@0__:k, 2] | [unsubscribe, plain, 1]");
  EXPECT_EQ(Run({"PUNSUBSCRIBE"}), "[punsubscribe, __keyevent@0__:*, 0]");
  EXPECT_EQ(backend_.watch_count(), 0u);
  EXPECT_EQ(Run({"UNSUBSCRIBE"}), "[unsubscribe, (nil), 0]");
  EXPECT_EQ(Run({"GET", "k2"}), "v");
}

TEST_F(RespCommandsTest, Resp3SubscriberMayRunCommandsAndGetsPushes) {
  Run({"HELLO", "3"});
  EXPECT_EQ(Run({"SUBSCRIBE", "__keyspace@0__:k"}), ">[subscribe, __keyspace@0__:k, 1]");
  EXPECT_EQ(Run({"SET", "k", "1"}), "OK | >[message, __keyspace@0__:k, changed]");
}

// Pushes raised by a transaction's writes come after EXEC's whole array,
// never between its elements.
TEST_F(RespCommandsTest, Resp3PushesWaitForTheEndOfExec) {
  Run({"HELLO", "3"});
  Run({"SUBSCRIBE", "__keyspace@0__:k"});
  Run({"MULTI"});
  Run({"SET", "k", "1"});
  Run({"SET", "k", "2"});
  EXPECT_EQ(Run({"EXEC"}),
            "[OK, OK] | >[message, __keyspace@0__:k, changed] | >[message, __keyspace@0__:k, changed]");
}

TEST_F(RespCommandsTest, SessionGoneBeforeAcknowledgementIsHarmless) {
  backend_.auto_ack = false;
  session_->Feed(EncodeCommand({"SET", "k", "v"}) + EncodeCommand({"SET", "k", "w"}));
  session_.reset();
  // The acknowledgements' route outlives the session until both arrive.
  EXPECT_EQ(server_.orphaned_routes.size(), 1u);
  backend_.AckAll();
  EXPECT_EQ(output_, "");
  EXPECT_TRUE(server_.orphaned_routes.empty());
}

// A quorum write may be acknowledged before an older local one: its reply
// still waits for the older reply.
TEST_F(RespCommandsTest, LaterAcknowledgementWaitsForTheEarlierReply) {
  backend_.auto_ack = false;
  session_->Feed(EncodeCommand({"SET", "a", "1"}) + EncodeCommand({"INCR", "c"}));
  backend_.AckNewest();
  EXPECT_EQ(output_, "");
  backend_.AckAll();
  EXPECT_EQ(TakeReplies(), "OK | 1");
}

}  // namespace
}  // namespace parley::resp
