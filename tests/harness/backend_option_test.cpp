// `--backend cpu|cuda|auto` on `r1eval generate` and `r1eval run`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace r1eval::harness {
namespace {

using ::testing::HasSubstr;

std::string generate_args(const std::filesystem::path& model) {
  return "generate --model " + model.string() + " --prompt 'What is 1+1?' --template plain --max-tokens 8 --seed 5 "
         "--format json";
}

// The tiny model's head_dim (16) is not one the CUDA kernels run, so auto is the CPU backend on every
// machine: the same tokens as --backend cpu.
TEST(BackendOption, AutoAndCpuGiveTheSameTokensOnTheTinyModel) {
  const auto model = testing::tiny_model("backend_auto");
  const auto automatic = testing::run_r1eval(generate_args(model));
  const auto cpu = testing::run_r1eval(generate_args(model) + " --backend cpu");
  ASSERT_EQ(automatic.exit_code, 0) << automatic.err;
  ASSERT_EQ(cpu.exit_code, 0) << cpu.err;
  EXPECT_EQ(nlohmann::json::parse(automatic.out)["completions"], nlohmann::json::parse(cpu.out)["completions"]);
}

TEST(BackendOption, UnknownBackendIsOneLineExit2) {
  const auto model = testing::tiny_model("backend_bad");
  for (const std::string& command : {generate_args(model), "run --model " + model.string() + " --tasks aime24 --out " +
                                                              (model / "run").string()}) {
    const auto r = testing::run_r1eval(command + " --backend gpu");
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_THAT(r.err, HasSubstr("--backend")) << command;
  }
}

// Asked for explicitly, the CUDA backend refuses what it cannot run in one line: a build without CUDA, no
// device, or (here, with a device) the tiny model's head_dim.
TEST(BackendOption, CudaOnTheTinyModelIsRefusedInOneLine) {
  const auto model = testing::tiny_model("backend_cuda");
  const auto r = testing::run_r1eval(generate_args(model) + " --backend cuda");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::AnyOf(HasSubstr("built without CUDA"), HasSubstr("no CUDA device"),
                                      HasSubstr("head_dim 16")));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
}  // namespace r1eval::harness
