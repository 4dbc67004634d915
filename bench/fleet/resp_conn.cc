// RespConn: hiredis's blocking API wrapped in Status/Result.
#include "bench/fleet/resp_conn.h"

#include <hiredis/hiredis.h>

namespace parley::bench {
namespace {

timeval ToTimeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

RespReply Convert(const redisReply* r) {
  RespReply out;
  switch (r->type) {
    case REDIS_REPLY_STATUS:
      out.kind = RespReply::Kind::kStatus;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STRING:
      out.kind = RespReply::Kind::kString;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.kind = RespReply::Kind::kError;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.kind = RespReply::Kind::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = RespReply::Kind::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.items.push_back(Convert(r->element[i]));
      break;
    default:
      out.kind = RespReply::Kind::kNil;
  }
  return out;
}

// hiredis wants parallel arrays of pointers and lengths.
void AppendArgv(redisContext* c, const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const std::string& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data());
}

}  // namespace

Result<std::unique_ptr<RespConn>> RespConn::Connect(const std::string& address, std::chrono::milliseconds timeout) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("not host:port: " + address);
  std::string host = address.substr(0, colon);
  int port = std::stoi(address.substr(colon + 1));
  redisContext* c = redisConnectWithTimeout(host.c_str(), port, ToTimeval(timeout));
  if (c == nullptr) return Status::Unavailable("cannot allocate a connection to " + address);
  if (c->err != 0) {
    std::string why = c->errstr;
    redisFree(c);
    return Status::Unavailable("connecting to " + address + ": " + why);
  }
  redisSetTimeout(c, ToTimeval(timeout));
  return std::unique_ptr<RespConn>(new RespConn(address, c));
}

RespConn::~RespConn() { redisFree(context_); }

Status RespConn::Broken(const char* what) const {
  return Status::Unavailable(std::string(what) + " on " + address_ + ": " + context_->errstr);
}

Result<RespReply> RespConn::Command(const std::vector<std::string>& argv) {
  auto replies = Pipeline({argv});
  if (!replies.ok()) return replies.status();
  return std::move((*replies)[0]);
}

Result<std::vector<RespReply>> RespConn::Pipeline(const std::vector<std::vector<std::string>>& commands) {
  if (context_->err != 0) return Broken("connection already failed");
  for (const auto& argv : commands) AppendArgv(context_, argv);
  std::vector<RespReply> out;
  out.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return Broken("reading a reply");
    out.push_back(Convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  return out;
}

int RespConn::fd() const { return context_->fd; }

Status RespConn::ReadAvailable() {
  if (redisBufferRead(context_) != REDIS_OK) return Broken("reading");
  return Status::Ok();
}

Result<bool> RespConn::NextBufferedReply(RespReply* reply) {
  void* raw = nullptr;
  if (redisGetReplyFromReader(context_, &raw) != REDIS_OK) return Broken("parsing");
  if (raw == nullptr) return false;
  *reply = Convert(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return true;
}

}  // namespace parley::bench
