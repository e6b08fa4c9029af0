// A blocking HTTP client on libcurl for the endpoint generator: one object per thread, which keeps its
// connection to the server open between calls.
#pragma once
#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace r1eval::harness::run {

struct HttpResult {
  long status = 0;                    // 0 when no response came (connection error, timeout, abort)
  std::string body;
  std::optional<double> retry_after;  // the Retry-After header in seconds, when it gave a number
  std::string transport_error;        // libcurl's reason when status is 0
  bool timed_out = false;
  bool aborted = false;               // `abort` was set during the call
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // GET `url` (when `json_body` is null) or POST it as application/json. Gives up after `timeout_s`
  // seconds in all, or as soon as `abort` (may be null) becomes true. `headers` are "Name: value" lines.
  // Never throws for network trouble: it is reported in the result.
  HttpResult call(const std::string& url, const std::string* json_body, const std::vector<std::string>& headers,
                  double timeout_s, const std::atomic<bool>* abort);

 private:
  void* handle_;  // CURL*
};

}  // namespace r1eval::harness::run
