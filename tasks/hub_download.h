// Fetches one file of a Hugging Face dataset repository over HTTP(S) into a local path.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace r1eval::tasks {

// `{endpoint}/datasets/{repo}/resolve/main/{path}`; a trailing '/' of the endpoint is ignored.
std::string hub_file_url(std::string_view endpoint, std::string_view repo, std::string_view path);

struct DownloadTimeouts {
  long connect_s = 30;  // give up when no connection is made in this time
  long stall_s = 60;    // give up when fewer than 1 byte/s arrive for this long
};

struct DownloadOutcome {
  bool ok = false;
  long http_status = 0;  // last HTTP status after redirects (0 when no response came)
  std::string error;     // one line, empty when ok
};

// GETs `url` (following redirects) and, on HTTP 2xx, atomically places the body at `dest`: it is
// written to a temporary file beside `dest` and renamed, so `dest` is either absent or complete.
// Sends "Authorization: Bearer <token>" when `bearer_token` is not empty (curl drops it on
// redirects to other hosts, which is what signed CDN URLs expect). Creates dest's folder. Never
// throws for HTTP or network failures: they are reported in the outcome.
DownloadOutcome download_file(const std::string& url, const std::string& bearer_token,
                              const std::filesystem::path& dest, const DownloadTimeouts& timeouts = {});

}  // namespace r1eval::tasks
