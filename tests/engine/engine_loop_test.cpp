// The generation loop on the CPU backend and the tiny fixtures: greedy output equal to transformers'
// through scheduling, chunked prefill, forked samples and preemption; sampled tokens independent of
// the batch they ran in.
#include "engine/runtime/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "engine/backend/cpu/cpu_backend.h"
#include "engine/model/json_fields.h"
#include "engine_test_support.h"
#include "token_limited_device.h"

namespace r1eval::engine {
namespace {

using testing::fixture_dir;
using testing::TokenLimitedDevice;

struct Greedy {
  std::vector<std::int32_t> prompt;
  std::vector<std::int32_t> continuation;
};

Greedy load_greedy(const std::string& model) {
  const nlohmann::json json = nlohmann::json::parse(read_config_text((fixture_dir(model) / "reference.json").string()));
  return {json.at("greedy_prompt").get<std::vector<std::int32_t>>(),
          json.at("greedy_continuation").get<std::vector<std::int32_t>>()};
}

CpuBackendOptions cache_of(std::uint64_t bytes) {
  CpuBackendOptions options;
  options.kv_cache_bytes = bytes;
  return options;
}

Request greedy_request(std::uint64_t id, const Greedy& greedy, std::uint32_t samples = 1) {
  Request request{id, greedy.prompt, {}, samples, {}};
  request.params.temperature = 0.0;
  request.params.max_tokens = static_cast<std::int32_t>(greedy.continuation.size());
  request.params.ignore_eos = true;
  return request;
}

// A prompt of `length` tokens derived from `salt`.
std::vector<std::int32_t> some_prompt(int salt, int length) {
  std::vector<std::int32_t> prompt;
  for (int i = 0; i < length; ++i) prompt.push_back((salt * 37 + i * 11 + 5) % 256);
  return prompt;
}

Request sampled_request(std::uint64_t id, std::vector<std::int32_t> prompt, std::uint32_t samples) {
  Request request{id, std::move(prompt), {}, samples, {}};
  request.params.temperature = 0.8;
  request.params.top_p = 0.95;
  request.params.max_tokens = 40;
  request.params.seed = 1234;
  request.params.ignore_eos = true;
  return request;
}

// Every request through a fresh engine on `backend`; returns the completions, the engine's stats in `stats`.
std::vector<Completion> run_requests(Backend& backend, const std::vector<Request>& requests, EngineStats& stats) {
  Engine engine(backend, EngineOptions{});
  for (const Request& r : requests) engine.add_request(r);
  std::vector<Completion> done = engine.run_to_completion();
  stats = engine.stats();
  return done;
}

// `count` requests of `samples` sampled samples each, prompts of `prompt_len` tokens.
std::vector<Request> sampled_requests(int count, int prompt_len, std::uint32_t samples) {
  std::vector<Request> requests;
  for (int i = 0; i < count; ++i) requests.push_back(sampled_request(static_cast<std::uint64_t>(i), some_prompt(i, prompt_len), samples));
  return requests;
}

// The samples of `requests` on the llama fixture with room to spare (8 MiB of cache): the reference.
std::vector<Completion> run_with_room(const std::vector<Request>& requests, EngineStats& stats) {
  CpuBackend roomy(fixture_dir("llama_fp32_sharded").string(), cache_of(8u << 20));
  return run_requests(roomy, requests, stats);
}

void expect_same_samples(const std::vector<Completion>& done, const std::vector<Completion>& expected) {
  ASSERT_EQ(done.size(), expected.size());
  for (std::size_t i = 0; i < done.size(); ++i) {
    EXPECT_EQ(done[i].tokens, expected[i].tokens) << "request " << done[i].request_id << " sample " << done[i].sample_index;
    EXPECT_EQ(done[i].finish_reason, expected[i].finish_reason) << "request " << done[i].request_id;
  }
}

class EngineFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(EngineFixture, GreedySamplesMatchTransformers) {
  const Greedy greedy = load_greedy(GetParam());
  // One rank, and four ranks (two of them holding replicas of each key/value head).
  for (const int ranks : {1, 4}) {
    CpuBackendOptions backend_options = cache_of(4u << 20);
    backend_options.tensor_parallel = ranks;
    CpuBackend backend(fixture_dir(GetParam()).string(), backend_options);
    EngineOptions options;
    options.scheduler.max_batched_tokens = 5;  // the prompt arrives in chunks
    Engine engine(backend, options);
    engine.add_request(greedy_request(7, greedy, 4));  // four samples share the prompt's blocks
    const std::vector<Completion> done = engine.run_to_completion();
    ASSERT_EQ(done.size(), 4u);
    for (std::uint32_t k = 0; k < 4; ++k) {
      EXPECT_EQ(done[k].sample_index, k);
      EXPECT_EQ(done[k].request_id, 7u);
      EXPECT_EQ(done[k].finish_reason, FinishReason::kLength);
      EXPECT_EQ(done[k].tokens, greedy.continuation) << "sample " << k << ", " << ranks << " ranks";
    }
    EXPECT_EQ(engine.stats().prompt_tokens, static_cast<std::int64_t>(greedy.prompt.size()));  // prefilled once
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, EngineFixture, ::testing::Values("qwen2_fp32", "qwen2_bf16", "llama_fp32_sharded", "llama_bias_fp16"));

// A sample's tokens are the same alone or in a batch of 37 other requests it joins midway.
TEST(Engine, SamplingIsBatchInvariant) {
  CpuBackend backend(fixture_dir("qwen2_fp32").string(), cache_of(8u << 20));
  const Request probe = sampled_request(100, some_prompt(1, 13), 3);
  Engine alone(backend, EngineOptions{});
  alone.add_request(probe);
  const std::vector<Completion> expected = alone.run_to_completion();
  ASSERT_EQ(expected.size(), 3u);
  EXPECT_NE(expected[0].tokens, expected[1].tokens);  // samples draw different numbers

  CpuBackend shared(fixture_dir("qwen2_fp32").string(), cache_of(8u << 20));
  Engine crowded(shared, EngineOptions{});
  for (int i = 0; i < 37; ++i) crowded.add_request(sampled_request(static_cast<std::uint64_t>(i), some_prompt(i + 2, 5 + i % 17), 1));
  // The probe joins while the others are already decoding (continuous batching).
  std::vector<Completion> early;
  for (int i = 0; i < 5; ++i) {
    std::vector<Completion> done = crowded.step();
    early.insert(early.end(), done.begin(), done.end());
  }
  crowded.add_request(probe);
  std::vector<Completion> all = crowded.run_to_completion();
  all.insert(all.end(), early.begin(), early.end());
  std::sort(all.begin(), all.end(), [](const Completion& a, const Completion& b) {
    return a.request_id != b.request_id ? a.request_id < b.request_id : a.sample_index < b.sample_index;
  });
  ASSERT_EQ(all.size(), 40u);
  for (std::uint32_t k = 0; k < 3; ++k) EXPECT_EQ(all[static_cast<std::size_t>(37 + k)].tokens, expected[k].tokens) << k;
}

// Samples grouped into one request with the streams they would have alone draw the same tokens as when
// each is its own request, while the prompt is run once.
TEST(Engine, GroupedSamplesWithStreamsMatchSeparateRequests) {
  const std::vector<std::int32_t> prompt = some_prompt(3, 21);
  const std::vector<std::uint64_t> ids = {901, 17, 5550};
  CpuBackend backend(fixture_dir("qwen2_bf16").string(), cache_of(8u << 20));

  Engine separate(backend, EngineOptions{});
  for (const std::uint64_t id : ids) {
    Request alone = sampled_request(id, prompt, 1);
    alone.params.seed = id * 3;
    separate.add_request(alone);
  }
  const std::vector<Completion> expected = separate.run_to_completion();

  EngineOptions chunked;
  chunked.scheduler.max_batched_tokens = 8;  // the shared prompt arrives in chunks
  Engine grouped(backend, chunked);
  Request group = sampled_request(ids[1], prompt, 3);
  for (const std::uint64_t id : ids) group.streams.push_back(SampleStream{id * 3, id, 0});
  grouped.add_request(group);
  const std::vector<Completion> done = grouped.run_to_completion();
  ASSERT_EQ(done.size(), 3u);
  for (std::uint32_t k = 0; k < 3; ++k) {
    const auto alone = std::find_if(expected.begin(), expected.end(),
                                    [&](const Completion& c) { return c.request_id == ids[k]; });
    ASSERT_NE(alone, expected.end());
    EXPECT_EQ(done[k].sample_index, k);
    EXPECT_EQ(done[k].tokens, alone->tokens) << "sample " << k;
  }
  EXPECT_EQ(grouped.stats().prompt_tokens, static_cast<std::int64_t>(prompt.size()));
  EXPECT_EQ(separate.stats().prompt_tokens, static_cast<std::int64_t>(3 * prompt.size()));

  Request wrong = sampled_request(77, prompt, 2);
  wrong.streams.push_back(SampleStream{1, 2, 0});
  EXPECT_THROW(grouped.add_request(wrong), std::invalid_argument);
}

// The tokens each step reports, gathered per sample, are its completion (plus the eos that ended it), even
// through preemption: what `r1eval serve` streams.
TEST(Engine, LastStepTokensAddUpToTheCompletions) {
  CpuBackend backend(fixture_dir("qwen2_fp32").string(), cache_of(64u << 10));
  Engine engine(backend, EngineOptions{});
  engine.add_request(sampled_request(7, some_prompt(3, 9), 3));
  Request with_eos = sampled_request(8, some_prompt(4, 6), 2);
  with_eos.params.ignore_eos = false;
  engine.add_request(with_eos);
  std::map<std::pair<std::uint64_t, std::uint32_t>, std::vector<std::int32_t>> streamed;
  std::vector<Completion> done;
  while (engine.has_unfinished()) {
    for (Completion& c : engine.step()) done.push_back(std::move(c));
    for (const SampledToken& t : engine.last_step_tokens()) streamed[{t.request_id, t.sample_index}].push_back(t.token);
  }
  EXPECT_GT(engine.stats().preemptions, 0) << "the cache was meant to force preemption";
  ASSERT_EQ(done.size(), 5u);
  for (const Completion& c : done) {
    std::vector<std::int32_t> expected = c.tokens;
    if (c.stop_token >= 0) expected.push_back(c.stop_token);
    EXPECT_EQ(streamed.at({c.request_id, c.sample_index}), expected) << c.request_id << "#" << c.sample_index;
  }
}

// An aborted request leaves at once, forks it had yet to make included, and the others draw exactly the
// tokens they draw alone (what `r1eval serve` does when a streaming client goes away).
TEST(Engine, AnAbortedRequestLeavesWithoutDisturbingTheOthers) {
  CpuBackend backend(fixture_dir("qwen2_fp32").string(), cache_of(1u << 20));
  Engine alone(backend, EngineOptions{});
  alone.add_request(sampled_request(7, some_prompt(3, 9), 2));
  const std::vector<Completion> expected = alone.run_to_completion();

  Engine engine(backend, EngineOptions{});
  engine.add_request(sampled_request(7, some_prompt(3, 9), 2));
  engine.add_request(sampled_request(8, some_prompt(4, 12), 3));
  engine.add_request(sampled_request(9, some_prompt(5, 7), 3));
  engine.abort(9);  // before its prompt ran: its forks are never made
  std::vector<Completion> done = engine.step();
  engine.abort(8);  // after its prompt ran and its samples forked
  engine.abort(8);  // twice, and an unknown id: nothing happens
  engine.abort(12345);
  while (engine.has_unfinished())
    for (Completion& c : engine.step()) done.push_back(std::move(c));
  ASSERT_EQ(done.size(), expected.size());
  std::sort(done.begin(), done.end(), [](const Completion& a, const Completion& b) { return a.sample_index < b.sample_index; });
  for (std::size_t i = 0; i < done.size(); ++i) {
    EXPECT_EQ(done[i].request_id, 7u);
    EXPECT_EQ(done[i].tokens, expected[i].tokens) << "sample " << i;
  }
}

// A cache too small for all samples at once forces preemption and recomputation: same tokens.
TEST(Engine, PreemptionDoesNotChangeTokens) {
  const std::vector<Request> requests = sampled_requests(4, 20, 2);
  EngineStats roomy_stats, tight_stats;
  const std::vector<Completion> expected = run_with_room(requests, roomy_stats);
  EXPECT_EQ(roomy_stats.preemptions, 0);

  // 2 layers x 2 kv heads x 16 dims x 16 slots x 4 bytes x (K, V) = 8 KiB a block; 10 blocks.
  CpuBackend tight(fixture_dir("llama_fp32_sharded").string(), cache_of(10 * 8192));
  ASSERT_EQ(tight.num_kv_blocks(), 10);
  expect_same_samples(run_requests(tight, requests, tight_stats), expected);
  EXPECT_GT(tight_stats.preemptions, 0);
}

// Running out of device memory inside a step shrinks the step instead of failing the run: every sample
// comes out as it would on a device with room, prefill chunks and decode batches included.
TEST(Engine, OutOfMemoryInAStepRetriesSmallerWithTheSameTokens) {
  const std::vector<Request> requests = sampled_requests(5, 30, 3);
  EngineStats roomy_stats, limited_stats;
  const std::vector<Completion> expected = run_with_room(requests, roomy_stats);
  EXPECT_EQ(roomy_stats.out_of_memory_retries, 0);

  // Five 30-token prompts, then 15 sequences decoding: neither fits in one step.
  TokenLimitedDevice device(std::make_unique<CpuBackend>(fixture_dir("llama_fp32_sharded").string(), cache_of(8u << 20)), 12);
  expect_same_samples(run_requests(device, requests, limited_stats), expected);
  EXPECT_GT(limited_stats.out_of_memory_retries, 0);
  EXPECT_EQ(limited_stats.out_of_memory_retries, device.refused);
  EXPECT_LE(device.largest_step_run, 12);
  EXPECT_GT(device.largest_step_run, 6) << "the step shrank further than it had to";
}

// When not even one token fits, the error reaches the caller as one line saying so.
TEST(Engine, OutOfMemoryForASingleTokenIsReported) {
  TokenLimitedDevice device(std::make_unique<CpuBackend>(fixture_dir("llama_fp32_sharded").string(), cache_of(8u << 20)), 0);
  Engine engine(device, EngineOptions{});
  engine.add_request(sampled_request(1, some_prompt(1, 9), 2));
  try {
    (void)engine.step();
    FAIL() << "expected DeviceOutOfMemory";
  } catch (const DeviceOutOfMemory& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_NE(message.find("activation workspace for 1 tokens does not fit"), std::string::npos) << message;
    EXPECT_NE(message.find("single token"), std::string::npos) << message;
  }
  EXPECT_EQ(engine.stats().out_of_memory_retries, 4);  // 9 -> 5 -> 3 -> 2 -> 1 tokens
  EXPECT_EQ(engine.stats().steps, 0);
}

TEST(Engine, StopsOnStopTokensAndEos) {
  const Greedy greedy = load_greedy("qwen2_fp32");
  CpuBackend backend(fixture_dir("qwen2_fp32").string(), cache_of(4u << 20));
  Engine engine(backend, EngineOptions{});
  Request stop = greedy_request(1, greedy);
  stop.params.stop_token_ids = {greedy.continuation[4]};
  engine.add_request(stop);
  Request shorter = greedy_request(2, greedy);
  shorter.params.max_tokens = 3;
  engine.add_request(shorter);
  const std::vector<Completion> done = engine.run_to_completion();
  ASSERT_EQ(done.size(), 2u);
  const auto first_stop = std::find(greedy.continuation.begin(), greedy.continuation.end(), greedy.continuation[4]);
  EXPECT_EQ(done[0].finish_reason, FinishReason::kStop);
  EXPECT_EQ(done[0].stop_token, greedy.continuation[4]);
  EXPECT_EQ(done[0].tokens, std::vector<std::int32_t>(greedy.continuation.begin(), first_stop));
  EXPECT_EQ(done[1].finish_reason, FinishReason::kLength);
  EXPECT_EQ(done[1].tokens, std::vector<std::int32_t>(greedy.continuation.begin(), greedy.continuation.begin() + 3));
}

// Stop strings match the generated bytes, also across token boundaries.
TEST(Engine, StopsOnStopStrings) {
  const Greedy greedy = load_greedy("qwen2_fp32");
  CpuBackend backend(fixture_dir("qwen2_fp32").string(), cache_of(4u << 20));
  EngineOptions options;
  for (int id = 0; id < 256; ++id) {
    std::string bytes(1, '<');
    bytes += std::to_string(id);
    bytes += '>';
    options.token_bytes.push_back(bytes);
  }
  Engine engine(backend, options);
  const auto text_of = [&](std::size_t count) {
    std::string text;
    for (std::size_t i = 0; i < count; ++i) text += options.token_bytes[static_cast<std::size_t>(greedy.continuation[i])];
    return text;
  };
  // The tail of token 6's bytes and the head of token 7's.
  const std::string straddling = text_of(8).substr(text_of(6).size() + 1, text_of(7).size() - text_of(6).size() + 1);
  std::size_t expected = 1;
  while (text_of(expected).find(straddling) == std::string::npos) ++expected;
  Request request = greedy_request(1, greedy);
  request.params.stop_strings = {"never", straddling};
  engine.add_request(request);
  const std::vector<Completion> done = engine.run_to_completion();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].finish_reason, FinishReason::kStop);
  EXPECT_EQ(done[0].stop_string, straddling);
  EXPECT_EQ(done[0].stop_token, -1);
  EXPECT_EQ(done[0].tokens, std::vector<std::int32_t>(greedy.continuation.begin(),
                                                      greedy.continuation.begin() + static_cast<std::ptrdiff_t>(expected)));
  EXPECT_LE(expected, 8u);

  Engine without_bytes(backend, EngineOptions{});
  EXPECT_THROW(without_bytes.add_request(request), std::invalid_argument);
}

TEST(Engine, RejectsRequestsItCannotServe) {
  CpuBackend backend(fixture_dir("qwen2_fp32").string(), cache_of(4 * 8192));
  Engine engine(backend, EngineOptions{});
  Request request = sampled_request(3, some_prompt(0, 10), 1);
  request.prompt = {};
  EXPECT_THROW(engine.add_request(request), std::invalid_argument);
  request.prompt = {1, 300};
  EXPECT_THROW(engine.add_request(request), std::invalid_argument);
  request.prompt = {1, 2};
  request.params.top_p = 0;
  EXPECT_THROW(engine.add_request(request), std::invalid_argument);
  request.params.top_p = 1;
  request.params.max_tokens = 100;  // 102 tokens need 7 blocks of 16; the cache has 4
  try {
    engine.add_request(request);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "request 3: a sample of 102 tokens needs 7 KV cache blocks, the cache has 4");
  }
  EXPECT_FALSE(engine.has_unfinished());
}

}  // namespace
}  // namespace r1eval::engine
