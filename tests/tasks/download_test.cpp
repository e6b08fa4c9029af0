// Downloads from a fake hub: a cpp-httplib server on the loopback interface.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "task_test_util.h"
#include "tasks/hub_download.h"
#include "tasks/task.h"

namespace r1eval::tasks {
namespace {

using testing::error_of;
using testing::scratch_dir;

const char* const kMathJsonl =
    "{\"problem\": \"1+1?\", \"solution\": \"2\", \"answer\": \"2\", \"subject\": \"Algebra\", \"level\": 1, \"unique_id\": \"u1\"}\n"
    "{\"problem\": \"2+2?\", \"solution\": \"4\", \"answer\": \"4\", \"subject\": \"Algebra\", \"level\": 2, \"unique_id\": \"u2\"}\n";
const char* const kAimeJsonl = "{\"id\": \"2025-I-1\", \"problem\": \"p\", \"answer\": \"070\"}\n";
const char* const kGpqaCsv =
    "Record ID,Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3,High-level domain\n"
    "recX,Which?,yes,no,maybe,never,Biology\n";
const char* const kToken = "hf_test_token";

class FakeHub {
 public:
  FakeHub() {
    server_.Get("/datasets/HuggingFaceH4/MATH-500/resolve/main/test.jsonl",
                [this](const httplib::Request&, httplib::Response& res) {
                  ++math_hits;
                  res.set_content(kMathJsonl, "application/json");
                });
    // Like the real hub: resolve/ answers with a redirect to a CDN URL.
    server_.Get("/datasets/math-ai/aime25/resolve/main/test.jsonl", [this](const httplib::Request&, httplib::Response& res) {
      ++aime_hits;
      res.set_redirect("/cdn/blob/aime25");
    });
    server_.Get("/cdn/blob/aime25", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kAimeJsonl, "application/json");
    });
    server_.Get("/datasets/Idavidrein/gpqa/resolve/main/gpqa_diamond.csv",
                [this](const httplib::Request& req, httplib::Response& res) {
                  ++gpqa_hits;
                  if (req.get_header_value("Authorization") != std::string("Bearer ") + kToken) {
                    res.status = 401;
                    res.set_content("Access to dataset is restricted", "text/plain");
                    return;
                  }
                  res.set_content(kGpqaCsv, "text/csv");
                });
    // A proxy's login page, answered with 200.
    server_.Get("/datasets/proxied/login/resolve/main/test.jsonl", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("<!DOCTYPE html><html><body>Sign in</body></html>", "text/html; charset=utf-8");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~FakeHub() {
    server_.stop();
    thread_.join();
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::atomic<int> math_hits{0};
  std::atomic<int> aime_hits{0};
  std::atomic<int> gpqa_hits{0};

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

LocatorOptions hub_options(const FakeHub& hub, const std::filesystem::path& dir) {
  LocatorOptions options;
  options.data_dirs = {dir / "data"};  // does not exist: skipped
  options.cache_dir = dir / "cache";
  options.hub_endpoint = hub.endpoint() + "/";
  options.connect_timeout_s = 5;
  options.stall_timeout_s = 5;
  return options;
}

std::size_t files_under(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) n += entry.is_regular_file();
  return n;
}

TEST(Download, PlainFileThenCacheReuse) {
  FakeHub hub;
  const auto dir = scratch_dir();
  const DataLocator locator(hub_options(hub, dir));
  const Task* math500 = find_task("math500");
  auto problems = math500->load(locator);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[1].id, "u2");
  EXPECT_EQ(hub.math_hits, 1);
  EXPECT_TRUE(std::filesystem::is_regular_file(dir / "cache" / "hub" / "HuggingFaceH4" / "MATH-500" / "test.jsonl"));
  EXPECT_EQ(files_under(dir / "cache"), 1u);  // no temporary file left behind

  problems = math500->load(locator);
  EXPECT_EQ(problems.size(), 2u);
  EXPECT_EQ(hub.math_hits, 1);  // read from the cache, not the hub
}

TEST(Download, FollowsRedirects) {
  FakeHub hub;
  const auto dir = scratch_dir();
  const auto problems = find_task("aime25")->load(DataLocator(hub_options(hub, dir)));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].answer, "70");
  EXPECT_EQ(hub.aime_hits, 1);
}

TEST(Download, GatedFileNeedsTheToken) {
  FakeHub hub;
  const auto dir = scratch_dir();
  LocatorOptions options = hub_options(hub, dir);
  const std::string url = hub.endpoint() + "/datasets/Idavidrein/gpqa/resolve/main/gpqa_diamond.csv";
  EXPECT_EQ(error_of<DataError>([&] { find_task("gpqa_diamond")->load(DataLocator(options)); }),
            "gpqa_diamond: " + url + ": HTTP 401: set HF_TOKEN to a Hugging Face access token and accept the dataset terms at " +
                hub.endpoint() + "/datasets/Idavidrein/gpqa");
  EXPECT_EQ(hub.gpqa_hits, 1);
  EXPECT_FALSE(std::filesystem::exists(dir / "cache" / "hub" / "Idavidrein" / "gpqa" / "gpqa_diamond.csv"));

  options.hub_token = "wrong";
  EXPECT_NE(error_of<DataError>([&] { find_task("gpqa_diamond")->load(DataLocator(options)); }).find("HTTP 401: the token in HF_TOKEN was refused"),
            std::string::npos);

  options.hub_token = kToken;
  const auto problems = find_task("gpqa_diamond")->load(DataLocator(options));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "recX");
  EXPECT_EQ(hub.gpqa_hits, 3);
  EXPECT_EQ(files_under(dir / "cache"), 1u);
}

TEST(Download, OfflineModeNeverCallsTheHub) {
  FakeHub hub;
  const auto dir = scratch_dir();
  LocatorOptions options = hub_options(hub, dir);
  options.allow_download = false;
  const std::string message = error_of<DataError>([&] { find_task("math500")->load(DataLocator(options)); });
  EXPECT_NE(message.find("downloads disabled"), std::string::npos) << message;
  EXPECT_EQ(hub.math_hits, 0);
}

TEST(Download, NotFoundIsListedAndLeavesNothing) {
  FakeHub hub;
  const auto dir = scratch_dir();
  DataSpec spec;
  spec.files.resize(1);
  spec.files[0].local_path = "x/test.jsonl";
  spec.files[0].hub_repo = "nobody/nothing";
  spec.files[0].hub_path = "test.jsonl";
  const DataLocator locator(hub_options(hub, dir));
  const std::filesystem::path cached = dir / "cache" / "hub" / "nobody" / "nothing" / "test.jsonl";
  EXPECT_EQ(error_of<DataError>([&] { locator.read(spec); }),
            "no data file found; looked at: " + (dir / "data").string() + " (no such folder), " + cached.string() + ", " +
                hub.endpoint() + "/datasets/nobody/nothing/resolve/main/test.jsonl (HTTP 404)");
  EXPECT_FALSE(std::filesystem::exists(cached));
  EXPECT_EQ(files_under(dir / "cache"), 0u);
}

// A web page in place of the file is no download: nothing is cached that every later run would read.
TEST(Download, AWebPageIsNotCachedAsTheFile) {
  FakeHub hub;
  const auto dir = scratch_dir();
  DataSpec spec;
  spec.files.resize(1);
  spec.files[0].local_path = "x/test.jsonl";
  spec.files[0].hub_repo = "proxied/login";
  spec.files[0].hub_path = "test.jsonl";
  const DataLocator locator(hub_options(hub, dir));
  EXPECT_NE(error_of<DataError>([&] { locator.read(spec); }).find("(the server sent a web page"), std::string::npos);
  EXPECT_EQ(files_under(dir / "cache"), 0u);
}

TEST(Download, HubUrlShape) {
  EXPECT_EQ(hub_file_url("https://huggingface.co/", "HuggingFaceH4/MATH-500", "test.jsonl"),
            "https://huggingface.co/datasets/HuggingFaceH4/MATH-500/resolve/main/test.jsonl");
  EXPECT_EQ(hub_file_url("https://hf-mirror.com", "Idavidrein/gpqa", "gpqa_diamond.csv"),
            "https://hf-mirror.com/datasets/Idavidrein/gpqa/resolve/main/gpqa_diamond.csv");
}

}  // namespace
}  // namespace r1eval::tasks
