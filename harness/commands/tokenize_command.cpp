// `r1eval tokenize --model DIR`: text on stdin -> token ids as a JSON array on stdout; with --chat, the text is a
// user message and the ids (and, with --show-text, the text) are those of the prompt a run would send.
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/tokenizer/chat_template.h"
#include "engine/tokenizer/tokenizer.h"
#include "harness/commands/commands.h"

namespace r1eval::harness {

void add_tokenize_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string model, chat;
    bool no_special = false, show_text = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Print the token ids of the text on stdin as a JSON array");
  cmd->add_option("--model", options->model, "Model folder holding tokenizer.json (and tokenizer_config.json)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_flag("--no-special", options->no_special, "Do not add the tokenizer's BOS / special prefix");
  cmd->add_option("--chat", options->chat,
                  "Read stdin as one user message and tokenize the prompt `run` would build with this chat template: "
                  "auto, model, r1 or plain")
      ->check(CLI::IsMember({"auto", "model", "r1", "plain"}));
  cmd->add_flag("--show-text", options->show_text, "With --chat: print {\"text\": prompt, \"ids\": [...]} instead of the ids");
  cmd->callback([options, &exit_code] {
    const auto tokenizer = engine::Tokenizer::from_folder(options->model);
    const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    if (options->chat.empty()) {
      std::cout << nlohmann::json(tokenizer.encode(text, !options->no_special)).dump() << '\n';
    } else {
      const engine::ChatTemplateKind kind = engine::chat_template_for(options->chat, tokenizer);
      const std::vector<engine::ChatMessage> messages = {{"user", text}};
      engine::ChatTemplateOptions forced;  // as `run`: the R1 and plain templates open the answer with <think>
      forced.force_think = true;
      const std::vector<std::uint32_t> ids = engine::encode_chat(tokenizer, kind, messages, forced);
      if (options->show_text) {
        const std::string prompt = kind == engine::ChatTemplateKind::kCheckpoint
                                       ? engine::render_checkpoint_chat(tokenizer, messages)
                                       : tokenizer.decode(ids);
        std::cout << nlohmann::json{{"text", prompt}, {"ids", ids}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  << '\n';
      } else {
        std::cout << nlohmann::json(ids).dump() << '\n';
      }
    }
    exit_code = 0;
  });
}

}  // namespace r1eval::harness
