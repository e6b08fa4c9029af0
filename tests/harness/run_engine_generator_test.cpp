// The engine generator against the Generator contract, on the tiny model folder.
#include <gtest/gtest.h>

#include <map>

#include "harness/run/engine_generator.h"
#include "harness/seeds.h"
#include "test_support.h"

namespace r1eval::harness::run {
namespace {

// A small cache keeps start-up fast; it still holds every sample of these tests at once.
EngineGeneratorOptions small_cache(std::size_t max_in_flight = 256) {
  EngineGeneratorOptions options;
  options.backend.kv_cache_bytes = 16ull << 20;
  options.max_in_flight = max_in_flight;
  return options;
}

std::vector<GenerationRequest> two_prompts(int samples_each) {
  std::vector<GenerationRequest> requests;
  for (const char* id : {"p1", "p2"}) {
    GenerationRequest r{std::string("Compute ") + id + " and box it.", {0.6, 0.95, 10}, {}};
    for (int k = 0; k < samples_each; ++k) r.samples.push_back({"t", id, k, sample_seed(1, "t", id, k)});
    requests.push_back(std::move(r));
  }
  return requests;
}

std::map<std::pair<std::size_t, std::size_t>, GeneratedSample> generate_all(
    EngineGenerator& generator, const std::vector<GenerationRequest>& requests) {
  std::map<std::pair<std::size_t, std::size_t>, GeneratedSample> out;
  std::atomic<bool> stop{false};
  generator.generate(requests, [&](GeneratedSample&& s) {
    const auto key = std::pair(s.request, s.sample);
    EXPECT_FALSE(out.count(key)) << "sample handed over twice";
    out.emplace(key, std::move(s));
  }, stop);
  return out;
}

TEST(EngineGenerator, EverySampleOnceAndIndependentOfTheBatch) {
  const auto model = testing::tiny_model("engine_generator");
  EngineGenerator wide(model, small_cache());
  EngineGenerator narrow(model, small_cache(1));
  const auto requests = two_prompts(3);
  const auto a = generate_all(wide, requests);
  const auto b = generate_all(narrow, requests);
  ASSERT_EQ(a.size(), 6u);
  ASSERT_EQ(b.size(), 6u);
  for (const auto& [key, s] : a) {
    EXPECT_EQ(s.text, b.at(key).text);
    EXPECT_EQ(s.completion_tokens, b.at(key).completion_tokens);
    EXPECT_LE(s.completion_tokens, 10);
    EXPECT_GT(s.prompt_tokens, 0);
    EXPECT_TRUE(s.finish_reason == "stop" || s.finish_reason == "length") << s.finish_reason;
    // The R1 template opens the assistant's turn with "<think>\n": the text is the turn as written, from there.
    EXPECT_TRUE(s.text.starts_with("<think>\n")) << s.text;
  }
  // A sample asked for alone (as a resumed run would) draws the same tokens.
  std::vector<GenerationRequest> only_last = {requests[1]};
  only_last[0].samples = {requests[1].samples[2]};
  const auto c = generate_all(narrow, only_last);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c.begin()->second.text, a.at({1, 2}).text);
  EXPECT_NE(wide.summary().find("generated tokens"), std::string::npos);
}

TEST(EngineGenerator, StopsEarlyWhenAsked) {
  const auto model = testing::tiny_model("engine_generator_stop");
  EngineGenerator generator(model, small_cache(1));
  std::atomic<bool> stop{false};
  int handed = 0;
  generator.generate(two_prompts(4), [&](GeneratedSample&&) {
    ++handed;
    stop = true;
  }, stop);
  EXPECT_EQ(handed, 1);
}

TEST(EngineGenerator, RefusesTwoSamplesWithOneSeed) {
  const auto model = testing::tiny_model("engine_generator_seed");
  EngineGenerator generator(model, small_cache());
  auto requests = two_prompts(1);
  requests[1].samples[0].seed = requests[0].samples[0].seed;
  std::atomic<bool> stop{false};
  EXPECT_THROW(generator.generate(requests, [](GeneratedSample&&) {}, stop), std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::harness::run
