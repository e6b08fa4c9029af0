// The built-in engine as a Generator: CPU or CUDA backend (engine::make_backend); prompts rendered with the R1 distill
// chat template with "<think>\n" forced, or the checkpoint's own template (engine/tokenizer/chat_template.h).
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "engine/backend/factory/backend_factory.h"
#include "engine/tokenizer/chat_template.h"
#include "harness/run/generator.h"

namespace r1eval::harness::run {

struct EngineGeneratorOptions {
  // Backend, ranks, KV cache size and GPUs (--dp replica i: cuda_device i * tensor_parallel).
  engine::BackendOptions backend;
  // Samples held by the engine at once (also the largest group sharing one prefill); more wait outside it.
  // Bounds memory and makes per-sample seconds mean time in the engine, not time in the queue.
  std::size_t max_in_flight = 256;
  // The chat template of the prompts; nullopt: the checkpoint's choice (engine::automatic_chat_template).
  std::optional<engine::ChatTemplateKind> chat_template;
  // Variables of the checkpoint's own template (engine::ChatTemplateOptions::template_kwargs).
  nlohmann::ordered_json template_kwargs = nlohmann::ordered_json::object();
};

class EngineGenerator final : public PullingGenerator {
 public:
  // Loads the tokenizer and the weights of `model_dir`. Throws (one line naming the folder or file) for a
  // bad model folder.
  EngineGenerator(const std::filesystem::path& model_dir, const EngineGeneratorOptions& options);
  ~EngineGenerator() override;
  // The samples of a request enter the engine as one request (so the prompt is prefilled once and its cache
  // blocks shared), each drawing from a random stream keyed by its identity seed alone, so its tokens do not
  // depend on its group, on what else is in the batch, on preemption, or on which samples a resumed run still
  // needs. Throws std::invalid_argument when two samples share a seed.
  void generate_from(const std::vector<GenerationRequest>& requests, RequestQueue& queue, const CompletionSink& sink,
                     const std::atomic<bool>& stop) override;
  std::string summary() const override;
  std::int64_t tokens_generated() const override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace r1eval::harness::run
