// HttpClient: blocking HTTP/1.1 requests and response streaming over libcurl.
#include "node/cli/http_client.h"

#include <curl/curl.h>

#include <mutex>

namespace parley::cli {
namespace {

// curl_global_init is not thread-safe and must run before any handle exists.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendToString(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// State shared with the streaming callbacks of one Stream() call.
struct StreamState {
  CURL* curl;
  const std::function<bool(std::string_view)>* on_chunk;
  const std::function<bool()>* should_stop;
  std::string error_body;  // body of a non-2xx response, kept for the message
  bool stopped_by_caller = false;
};

size_t DeliverChunk(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<StreamState*>(user);
  long status = 0;
  curl_easy_getinfo(state->curl, CURLINFO_RESPONSE_CODE, &status);
  std::string_view chunk(data, size * count);
  if (status >= 300) {
    state->error_body.append(chunk);
    return size * count;
  }
  if (!(*state->on_chunk)(chunk)) {
    state->stopped_by_caller = true;
    return 0;  // makes curl abort the transfer with CURLE_WRITE_ERROR
  }
  return size * count;
}

int CheckStop(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* state = static_cast<StreamState*>(user);
  if ((*state->should_stop)()) {
    state->stopped_by_caller = true;
    return 1;  // aborts with CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

Status TransportError(const std::string& address, CURLcode code, const char* detail) {
  std::string message = "cannot reach parley node at " + address + ": ";
  message += detail[0] != '\0' ? detail : curl_easy_strerror(code);
  return Status::Unavailable(message);
}

}  // namespace

HttpClient::HttpClient(std::string address, std::chrono::milliseconds timeout)
    : address_(std::move(address)), timeout_(timeout) {
  InitCurlOnce();
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<HttpResponse> HttpClient::Send(std::string_view method, std::string_view target,
                                      std::string_view body) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Status::Unavailable("libcurl could not create a handle");
  curl_easy_reset(curl);
  std::string url = "http://" + address_ + std::string(target);
  std::string method_text(method);
  HttpResponse response;
  char error[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendToString);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_slist* headers = nullptr;
  if (method != "GET" && method != "HEAD") {
    // Always send a body (possibly empty) so the server sees Content-Length.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    headers = curl_slist_append(headers, "Content-Type: application/json");
    // curl would otherwise wait for "100 Continue" before sending big bodies.
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  }
  CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) return TransportError(address_, code, error);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

Status HttpClient::Stream(std::string_view target,
                          const std::function<bool(std::string_view)>& on_chunk,
                          const std::function<bool()>& should_stop) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Status::Unavailable("libcurl could not create a handle");
  curl_easy_reset(curl);
  std::string url = "http://" + address_ + std::string(target);
  StreamState state{curl, &on_chunk, &should_stop, {}, false};
  char error[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, DeliverChunk);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, CheckStop);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &state);
  CURLcode code = curl_easy_perform(curl);
  if (state.stopped_by_caller) return Status::Ok();
  if (code != CURLE_OK) return TransportError(address_, code, error);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 300) {
    return Status::InvalidArgument("HTTP " + std::to_string(status) + ": " + state.error_body);
  }
  return Status::Ok();
}

}  // namespace parley::cli
