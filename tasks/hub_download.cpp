#include "tasks/hub_download.h"

#include <curl/curl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string_view>
#include <system_error>

namespace r1eval::tasks {
namespace {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlCloser {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct HeaderListCloser {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::size_t write_to_file(char* data, std::size_t size, std::size_t count, void* user) {
  return std::fwrite(data, size, count, static_cast<std::FILE*>(user)) * size;
}

// Unique per process and call, so concurrent downloads of the same file never share a temp file.
std::filesystem::path temp_path_for(const std::filesystem::path& dest) {
  static std::atomic<unsigned> counter{0};
  return dest.parent_path() / (dest.filename().string() + ".part." + std::to_string(::getpid()) + "." +
                               std::to_string(counter.fetch_add(1)));
}

}  // namespace

std::string hub_file_url(std::string_view endpoint, std::string_view repo, std::string_view path) {
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.remove_suffix(1);
  std::string url(endpoint);
  url += "/datasets/";
  url += repo;
  url += "/resolve/main/";
  url += path;
  return url;
}

DownloadOutcome download_file(const std::string& url, const std::string& bearer_token,
                              const std::filesystem::path& dest, const DownloadTimeouts& timeouts) {
  init_curl_once();
  DownloadOutcome outcome;
  std::error_code ec;
  std::filesystem::create_directories(dest.parent_path(), ec);
  if (ec) {
    outcome.error = "cannot create " + dest.parent_path().string() + ": " + ec.message();
    return outcome;
  }
  const std::filesystem::path temp = temp_path_for(dest);
  {
    std::unique_ptr<std::FILE, FileCloser> out(std::fopen(temp.c_str(), "wb"));
    if (!out) {
      outcome.error = "cannot write " + temp.string();
      return outcome;
    }
    std::unique_ptr<CURL, CurlCloser> curl(curl_easy_init());
    if (!curl) {
      outcome.error = "cannot initialise libcurl";
      return outcome;
    }
    std::unique_ptr<curl_slist, HeaderListCloser> headers;
    if (!bearer_token.empty()) {
      const std::string header = "Authorization: Bearer " + bearer_token;
      headers.reset(curl_slist_append(nullptr, header.c_str()));
    }
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeouts.connect_s);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, timeouts.stall_s);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "r1eval");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_to_file);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out.get());
    if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    char curl_error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);

    const CURLcode code = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &outcome.http_status);
    // fsync before the rename so a crash never leaves a complete-looking but empty cache file.
    const bool flushed =
        std::fflush(out.get()) == 0 && !std::ferror(out.get()) && ::fsync(fileno(out.get())) == 0;
    if (code != CURLE_OK) {
      outcome.error = curl_error[0] != '\0' ? curl_error : curl_easy_strerror(code);
    } else if (outcome.http_status < 200 || outcome.http_status >= 300) {
      outcome.error = "HTTP " + std::to_string(outcome.http_status);
    } else if (!flushed) {
      outcome.error = "cannot write " + temp.string();
    } else {
      // No data file is a web page: an HTML answer is a login or proxy page, and cached it would stand for the
      // file in every later run.
      char* type = nullptr;
      curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
      if (type != nullptr && std::string_view(type).starts_with("text/html"))
        outcome.error = "the server sent a web page (text/html: a login or proxy page?), not the file";
    }
  }
  if (!outcome.error.empty()) {
    std::filesystem::remove(temp, ec);
    return outcome;
  }
  std::filesystem::rename(temp, dest, ec);
  if (ec) {
    outcome.error = "cannot move the download to " + dest.string() + ": " + ec.message();
    std::filesystem::remove(temp, ec);
    return outcome;
  }
  outcome.ok = true;
  return outcome;
}

}  // namespace r1eval::tasks
