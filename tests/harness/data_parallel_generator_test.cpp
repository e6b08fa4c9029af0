// DataParallelGenerator over real engine replicas on the tiny model: the split, the Generator contract
// (every sample once, on the calling thread), samples equal to one engine's, errors and stop.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <thread>

#include "harness/run/data_parallel_generator.h"
#include "harness/run/engine_generator.h"
#include "harness/seeds.h"
#include "test_support.h"

namespace r1eval::harness::run {
namespace {

EngineGeneratorOptions small_cache() {
  EngineGeneratorOptions options;
  options.backend.kv_cache_bytes = 16ull << 20;
  return options;
}

// `prompts` prompts with `samples[i]` samples each.
std::vector<GenerationRequest> requests_with(const std::vector<int>& samples) {
  std::vector<GenerationRequest> requests;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    std::string id = "p";
    id += std::to_string(i);
    GenerationRequest r{std::string("Compute ") + id + " and box it.", {0.6, 0.95, 8}, {}};
    for (int k = 0; k < samples[i]; ++k) r.samples.push_back({"t", id, k, sample_seed(2, "t", id, k)});
    requests.push_back(std::move(r));
  }
  return requests;
}

std::map<std::pair<std::size_t, std::size_t>, std::string> generate_all(Generator& generator,
                                                                        const std::vector<GenerationRequest>& requests) {
  std::map<std::pair<std::size_t, std::size_t>, std::string> out;
  std::atomic<bool> stop{false};
  const auto caller = std::this_thread::get_id();
  generator.generate(requests, [&](GeneratedSample&& s) {
    EXPECT_EQ(std::this_thread::get_id(), caller) << "completions reach the sink on the calling thread";
    EXPECT_TRUE(out.emplace(std::pair(s.request, s.sample), s.text).second) << "sample handed over twice";
  }, stop);
  return out;
}

TEST(DataParallelGenerator, DealsWholeRequestsToTheLeastLoadedReplica) {
  const auto requests = requests_with({4, 1, 1, 1, 2, 3});
  EXPECT_EQ(assign_replicas(requests, 1), (std::vector<std::size_t>{0, 0, 0, 0, 0, 0}));
  // Loads after each: [4,0] [4,1] [4,2] [4,3] [4,5] [7,5].
  EXPECT_EQ(assign_replicas(requests, 2), (std::vector<std::size_t>{0, 1, 1, 1, 1, 0}));
  EXPECT_EQ(assign_replicas(requests, 3), (std::vector<std::size_t>{0, 1, 2, 1, 2, 1}));
  EXPECT_EQ(assign_replicas(requests, 8).size(), requests.size());
}

TEST(DataParallelGenerator, ReplicasGiveEverySampleOnceWithOneEnginesTokens) {
  const auto model = testing::tiny_model("data_parallel");
  const auto requests = requests_with({3, 1, 2, 2, 1});
  EngineGenerator single(model, small_cache());
  const auto expected = generate_all(single, requests);
  std::vector<std::size_t> made;
  DataParallelGenerator dp(3, [&](std::size_t i) {
    made.push_back(i);
    return std::make_unique<EngineGenerator>(model, small_cache());
  });
  EXPECT_EQ(made, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(generate_all(dp, requests), expected);
  EXPECT_GT(dp.tokens_generated(), 0);
  EXPECT_THAT(dp.summary(), ::testing::StartsWith("dp 3: engine (cpu backend): "));
  // More replicas than requests: the idle ones are simply not started.
  DataParallelGenerator wide(8, [&](std::size_t) { return std::make_unique<EngineGenerator>(model, small_cache()); });
  EXPECT_EQ(generate_all(wide, requests_with({2})), generate_all(single, requests_with({2})));
}

// The shared queue hands every request out once, whatever the threads.
TEST(RequestQueue, HandsEveryIndexOutOnce) {
  RequestQueue queue(1000);
  std::vector<std::vector<std::size_t>> claimed(4);
  {
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        while (const auto i = queue.claim()) claimed[t].push_back(*i);
      });
    for (auto& thread : threads) thread.join();
  }
  std::vector<std::size_t> all;
  for (const auto& c : claimed) all.insert(all.end(), c.begin(), c.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), 1000u);
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], i);
  EXPECT_FALSE(queue.claim().has_value());
}

// An engine replica claims a prompt only when it has room for it: stopped after its first sample with room for
// one sample at a time, it has taken nothing more from the queue.
TEST(DataParallelGenerator, AnEngineClaimsPromptsOnlyWhenItHasRoom) {
  const auto model = testing::tiny_model("data_parallel_claims");
  EngineGeneratorOptions options = small_cache();
  options.max_in_flight = 1;
  EngineGenerator engine(model, options);
  const auto requests = requests_with({1, 1, 1, 1});
  RequestQueue queue(requests.size());
  std::atomic<bool> stop{false};
  std::vector<std::size_t> served;
  engine.generate_from(requests, queue, [&](GeneratedSample&& s) {
    served.push_back(s.request);
    stop.store(true);
  }, stop);
  EXPECT_EQ(served, (std::vector<std::size_t>{0}));
  EXPECT_EQ(queue.claim(), std::optional<std::size_t>(1));
}

TEST(DataParallelGenerator, AReplicasErrorReachesTheCallerAndStopEndsEarly) {
  const auto model = testing::tiny_model("data_parallel_errors");
  DataParallelGenerator dp(2, [&](std::size_t) { return std::make_unique<EngineGenerator>(model, small_cache()); });
  // Two samples with one seed: the replica serving them refuses the request.
  auto requests = requests_with({2, 2});
  requests[1].samples[1].seed = requests[1].samples[0].seed;
  std::atomic<bool> stop{false};
  EXPECT_THROW(dp.generate(requests, [](GeneratedSample&&) {}, stop), std::invalid_argument);
  // A stop set before the start produces nothing.
  stop.store(true);
  std::size_t handed = 0;
  dp.generate(requests_with({4, 4}), [&](GeneratedSample&&) { ++handed; }, stop);
  EXPECT_EQ(handed, 0u);
  EXPECT_THROW(DataParallelGenerator(0, [&](std::size_t) { return std::make_unique<EngineGenerator>(model, small_cache()); }),
               std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::harness::run
