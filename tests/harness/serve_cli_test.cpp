// `r1eval serve` and `r1eval run --endpoint` as processes: a run through a server reproduces the engine
// run sample for sample, the two kinds of run never continue each other, serve stops cleanly on SIGTERM,
// and bad flags are one line with exit code 2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <regex>
#include <thread>
#include <tuple>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "results/store.h"
#include "serve_fixture.h"
#include "cli_checks.h"
#include "run_folder_checks.h"
#include "test_support.h"

namespace r1eval::harness {
namespace {

using ::testing::HasSubstr;
using testing::expect_same_samples;
using testing::samples_by_key;

std::string common_args(const std::filesystem::path& out) {
  return " --out " + out.string() + " --tasks aime24,math500 --limit 2 --samples 2 --max-tokens 12 --seed 3 --offline"
         " --data-dir " + testing::shared_data() + " --progress-seconds 0.05";
}

TEST(ServeCli, RunThroughServeReproducesTheEngineRun) {
  const auto model = testing::tiny_model("serve_cli_run");
  testing::ServeFixture serve(model);
  const auto engine_out = testing::scratch_dir("serve_cli_engine_out");
  const auto endpoint_out = testing::scratch_dir("serve_cli_endpoint_out");
  const auto engine_run = testing::run_r1eval("run --model " + model.string() + " --kv-cache-gb 0.05" + common_args(engine_out));
  ASSERT_EQ(engine_run.exit_code, 0) << engine_run.err;
  const auto endpoint_run = testing::run_r1eval("run --endpoint " + serve.base_url() + " --api completions --concurrency 3" +
                                                common_args(endpoint_out));
  ASSERT_EQ(endpoint_run.exit_code, 0) << endpoint_run.err;
  EXPECT_THAT(endpoint_run.err, HasSubstr("8/8 samples"));
  EXPECT_THAT(endpoint_run.err, HasSubstr("8 requests, 0 retries"));

  const auto a = samples_by_key(engine_out), b = samples_by_key(endpoint_out);
  ASSERT_EQ(a.size(), 8u);
  ASSERT_EQ(b.size(), 8u);
  expect_same_samples(a, b);
  EXPECT_EQ(testing::read_text(engine_out / "scores.json").size() > 0, true);
  const auto run = nlohmann::json::parse(testing::read_text(endpoint_out / "run.json"));
  EXPECT_EQ(run["config"]["generator"], "endpoint");
  EXPECT_EQ(run["config"]["model"],
            (nlohmann::json{{"url", serve.base_url()}, {"model", "tiny"}, {"api", "completions"}}));
  EXPECT_TRUE(std::filesystem::exists(endpoint_out / "scores.json"));

  // An engine run and an endpoint run never continue each other, even with --resume.
  const auto cross1 = testing::run_r1eval("run --model " + model.string() + " --kv-cache-gb 0.05 --resume" + common_args(endpoint_out));
  EXPECT_EQ(cross1.exit_code, 2);
  EXPECT_THAT(cross1.err, HasSubstr("'generator' differs"));
  const auto cross2 = testing::run_r1eval("run --endpoint " + serve.base_url() + " --api completions --resume" + common_args(engine_out));
  EXPECT_EQ(cross2.exit_code, 2);
  EXPECT_THAT(cross2.err, HasSubstr("'generator' differs"));
  // The chat API is another run too.
  const auto chat = testing::run_r1eval("run --endpoint " + serve.base_url() + " --api chat --resume" + common_args(endpoint_out));
  EXPECT_EQ(chat.exit_code, 2);
  EXPECT_THAT(chat.err, HasSubstr("differs"));
}

TEST(ServeCli, RunEndpointBadInputIsOneLineAndExitTwo) {
  const auto model = testing::tiny_model("serve_cli_bad_run");
  const auto out = testing::scratch_dir("serve_cli_bad_run_out");
  testing::expect_one_line_error(testing::run_r1eval("run" + common_args(out)), "--model DIR");
  testing::expect_one_line_error(testing::run_r1eval("run --model " + model.string() + " --endpoint http://127.0.0.1:1/v1" + common_args(out)),
        "excludes");
  testing::expect_one_line_error(testing::run_r1eval("run --endpoint 127.0.0.1:8000/v1 --endpoint-model x" + common_args(out)), "http://");
  testing::expect_one_line_error(testing::run_r1eval("run --endpoint http://127.0.0.1:1/v1 --api grpc" + common_args(out)), "--api");
  testing::expect_one_line_error(testing::run_r1eval("run --endpoint http://127.0.0.1:1/v1 --endpoint-model x --dp 2" + common_args(out)), "--dp 2");
  // Template variables go with the chat API only, and must be an object; both are checked before any request.
  testing::expect_one_line_error(
      testing::run_r1eval("run --endpoint http://127.0.0.1:1/v1 --api completions --chat-template-kwargs '{\"a\": 1}'" +
                          common_args(out)),
      "only for --api chat");
  testing::expect_one_line_error(
      testing::run_r1eval("run --endpoint http://127.0.0.1:1/v1 --chat-template-kwargs 'true'" + common_args(out)),
      "--chat-template-kwargs: expected a JSON object");
  // Nothing listens on port 1: the model list cannot be fetched.
  testing::expect_one_line_error(testing::run_r1eval("run --endpoint http://127.0.0.1:1/v1 --max-retries 0" + common_args(out)), "127.0.0.1:1/v1/models");
  EXPECT_FALSE(std::filesystem::exists(out / "run.json"));
}

TEST(ServeCli, ServeBadFlagsAreOneLineAndExitTwo) {
  const auto model = testing::tiny_model("serve_cli_bad_flags");
  testing::expect_one_line_error(testing::run_r1eval("serve --port 8000"), "--model");
  testing::expect_one_line_error(testing::run_r1eval("serve --model " + model.string() + " --port 70000"), "--port");
  testing::expect_one_line_error(testing::run_r1eval("serve --model /nonexistent/model --port 0"), "/nonexistent/model");
  testing::expect_one_line_error(testing::run_r1eval("serve --model " + model.string() + " --port 0 --kv-cache-gb -1"), "--kv-cache-gb");
  testing::expect_one_line_error(testing::run_r1eval("serve --model " + model.string() + " --port 0 --host 203.0.113.7 --kv-cache-gb 0.01"),
        "203.0.113.7");
  // The tiny model has no template of its own: variables are refused before anything loads.
  testing::expect_one_line_error(
      testing::run_r1eval("serve --model " + model.string() + " --port 0 --chat-template-kwargs '{\"a\": 1}'"),
      "not the native R1 distill one");
  testing::expect_one_line_error(testing::run_r1eval("serve --model " + model.string() + " --port 0 --chat-template-kwargs 3"),
                                 "expected a JSON object of template variables");
}

// Starts `r1eval serve` as a child process on a free port; returns its pid and the port from its log line.
std::pair<pid_t, int> start_serve(const std::filesystem::path& model, const std::filesystem::path& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string binary = std::string(R1EVAL_BINARY_DIR) + "/r1eval";
    const std::string model_arg = model.string();
    FILE* err = std::freopen(log.c_str(), "w", stderr);
    (void)err;
    ::execl(binary.c_str(), binary.c_str(), "serve", "--model", model_arg.c_str(), "--port", "0", "--kv-cache-gb",
            "0.02", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const std::regex serving("on http://127\\.0\\.0\\.1:([0-9]+)/v1");
  for (int i = 0; i < 3000; ++i) {  // the tiny model starts in well under a second
    std::smatch m;
    const std::string text = testing::read_text(log);
    if (std::regex_search(text, m, serving)) return {pid, std::stoi(m[1])};
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  return {pid, 0};
}

TEST(ServeCli, ServesUntilSigtermThenExitsCleanly) {
  const auto model = testing::tiny_model("serve_cli_process");
  const auto log = testing::scratch_dir("serve_cli_process_log") / "stderr.txt";
  const auto [pid, port] = start_serve(model, log);
  ASSERT_GT(port, 0) << testing::read_text(log);
  httplib::Client client("127.0.0.1", port);
  const auto res = client.Post("/v1/completions", R"({"prompt": "hello", "max_tokens": 5, "seed": 1})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(nlohmann::json::parse(res->body)["usage"]["completion_tokens"].get<int>() <= 5, true);
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  const pid_t waited = ::waitpid(pid, &status, 0);
  ASSERT_EQ(waited, pid) << "status " << status << " errno " << errno;
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_THAT(testing::read_text(log), HasSubstr("serve stopped after 1 requests"));
}

}  // namespace
}  // namespace r1eval::harness
