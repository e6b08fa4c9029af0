// `r1eval generate --model DIR --prompt TEXT`: samples completions with the built-in engine (CPU backend)
// and prints them with their finish reason and speed.
#include <chrono>
#include <cmath>
#include <iostream>

#include <nlohmann/json.hpp>

#include "engine/backend/factory/backend_factory.h"
#include "engine/runtime/engine.h"
#include "engine/runtime/sequence.h"
#include "engine/tokenizer/chat_template.h"
#include "engine/tokenizer/tokenizer.h"
#include "harness/backend_flags.h"
#include "harness/commands/commands.h"
#include "harness/option_checks.h"

namespace r1eval::harness {

void add_generate_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string model, prompt, template_name = "auto", format = "text", template_kwargs;
    int n = 1, max_tokens = 32768, top_k = 0;
    double temperature = 0.6, top_p = 0.95, min_p = 0;
    BackendFlags backend;
    std::uint64_t seed = 0;
    bool no_think = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("generate", "Sample completions of one prompt with the built-in engine (CPU or CUDA backend)");
  cmd->add_option("--model", o->model, "Hugging Face model folder (config.json, safetensors, tokenizer.json)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--prompt", o->prompt, "The user message")->required();
  cmd->add_option("--n", o->n, "Samples")->check(number_between(1, 65536));
  cmd->add_option("--temperature", o->temperature, "0 = greedy (default 0.6, the R1 protocol)")->check(non_negative_number());
  cmd->add_option("--top-p", o->top_p, "Nucleus mass (default 0.95)")->check(nucleus_mass());
  cmd->add_option("--top-k", o->top_k, "Keep the k most probable tokens (0 = all)")->check(non_negative_number());
  cmd->add_option("--min-p", o->min_p, "Drop tokens below min-p x the top probability")->check(number_between(0.0, 1.0));
  cmd->add_option("--max-tokens", o->max_tokens, "Generated tokens per sample, at most")->check(positive_number());
  cmd->add_option("--seed", o->seed, "Seed of the sampler (same seed, same tokens, whatever the batch)")
      ->check(seed_number());
  cmd->add_option("--template", o->template_name,
                  "auto (the checkpoint's own, the R1 distill template rendered natively with <think> forced when it is "
                  "that one), model (the checkpoint's own, as transformers renders it), r1, plain (base models) or "
                  "none (raw text)")
      ->check(CLI::IsMember({"auto", "model", "r1", "plain", "none"}));
  cmd->add_option("--chat-template-kwargs", o->template_kwargs,
                  "Variables of the checkpoint's own template as a JSON object, e.g. '{\"reasoning_effort\": \"high\"}' "
                  "(gpt-oss) or '{\"enable_thinking\": false}' (Qwen3)");
  cmd->add_flag("--no-think", o->no_think, "With the R1 or plain template: do not force \"<think>\\n\" at the start of the answer");
  o->backend.add_to(*cmd);
  cmd->add_option("--format", o->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([o, &exit_code] {
    const auto tokenizer = engine::Tokenizer::from_folder(o->model);
    std::vector<std::uint32_t> ids;
    if (o->template_name == "none" && !o->template_kwargs.empty())
      throw std::invalid_argument("--chat-template-kwargs: --template none renders no template to give them to");
    if (o->template_name == "none") {
      ids = tokenizer.encode(o->prompt, true);
    } else {
      engine::ChatTemplateOptions chat;
      chat.force_think = !o->no_think;
      if (!o->template_kwargs.empty())
        chat.template_kwargs = engine::parse_template_kwargs(o->template_kwargs, "--chat-template-kwargs");
      ids = engine::encode_chat(tokenizer, engine::chat_template_for(o->template_name, tokenizer),
                                {{"user", o->prompt}}, chat);
    }
    const std::unique_ptr<engine::Backend> backend = engine::make_backend(o->model, o->backend.options());
    engine::EngineOptions engine_options;
    engine_options.scheduler = engine::scheduler_options_for(*backend, static_cast<std::size_t>(o->n));
    engine::Engine engine(*backend, engine_options);
    engine::Request request;
    request.prompt.assign(ids.begin(), ids.end());
    request.num_samples = static_cast<std::uint32_t>(o->n);
    request.params.temperature = o->temperature;
    request.params.top_p = o->top_p;
    request.params.top_k = o->top_k;
    request.params.min_p = o->min_p;
    request.params.max_tokens = o->max_tokens;
    request.params.seed = o->seed;
    const auto start = std::chrono::steady_clock::now();
    engine.add_request(request);
    const auto completions = engine.run_to_completion();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double tokens_per_second = engine.stats().generated_tokens / std::max(seconds, 1e-9);
    nlohmann::json all = nlohmann::json::array();
    for (const engine::Completion& c : completions) {
      const std::vector<std::uint32_t> tokens(c.tokens.begin(), c.tokens.end());
      const std::string text = tokenizer.decode(tokens, true);
      if (o->format == "json") {
        all.push_back({{"sample_index", c.sample_index}, {"text", text}, {"tokens", tokens},
                       {"finish_reason", engine::finish_reason_name(c.finish_reason)}});
      } else {
        std::cout << "--- sample " << c.sample_index << " (" << tokens.size() << " tokens, "
                  << engine::finish_reason_name(c.finish_reason) << ")\n"
                  << text << "\n";
      }
    }
    if (o->format == "json") {
      std::cout << nlohmann::json{{"prompt_tokens", ids.size()}, {"completions", all},
                                  {"generated_tokens", engine.stats().generated_tokens}, {"seconds", seconds},
                                  {"tokens_per_second", tokens_per_second}}
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                << '\n';
    } else {
      std::cout << "--- " << engine.stats().generated_tokens << " tokens in " << seconds << " s ("
                << tokens_per_second << " tokens/s)\n";
    }
    exit_code = 0;
  });
}

}  // namespace r1eval::harness
