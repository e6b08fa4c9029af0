// `r1eval tokenize --model DIR`: text on stdin -> token ids as a JSON array on stdout; with --chat, the text is a
// user message and the ids (and, with --show-text, the text) are those of the prompt a run would send; with
// --decode, a JSON array of ids on stdin -> their text.
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/tokenizer/chat_template.h"
#include "engine/tokenizer/tokenizer.h"
#include "harness/commands/commands.h"

namespace r1eval::harness {
namespace {

std::vector<std::uint32_t> ids_from_json(const std::string& text) {
  const auto ids = nlohmann::json::parse(text, nullptr, false);
  const char* expected = "tokenize --decode: stdin: expected a JSON array of token ids (non-negative integers)";
  if (!ids.is_array()) throw std::invalid_argument(expected);
  std::vector<std::uint32_t> out;
  for (const auto& id : ids) {
    if (!id.is_number_unsigned() || id.get<std::uint64_t>() > 0xFFFFFFFFu) throw std::invalid_argument(expected);
    out.push_back(static_cast<std::uint32_t>(id.get<std::uint64_t>()));
  }
  return out;
}

}  // namespace

void add_tokenize_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string model, chat, template_kwargs;
    bool no_special = false, show_text = false, decode = false;
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
  cmd->add_option("--chat-template-kwargs", options->template_kwargs,
                  "With --chat: variables of the checkpoint's own template as a JSON object, as `run` takes them");
  cmd->add_flag("--show-text", options->show_text, "With --chat: print {\"text\": prompt, \"ids\": [...]} instead of the ids");
  cmd->add_flag("--decode", options->decode,
                "The other way round: read a JSON array of token ids on stdin and print their text as the tokenizer "
                "decodes it (with --no-special, special tokens are skipped)");
  cmd->callback([options, &exit_code] {
    const auto tokenizer = engine::Tokenizer::from_folder(options->model);
    const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    if (!options->template_kwargs.empty() && options->chat.empty())
      throw std::invalid_argument("tokenize: --chat-template-kwargs needs --chat");
    if (options->decode) {
      if (!options->chat.empty()) throw std::invalid_argument("tokenize: --decode and --chat do not go together");
      std::cout << tokenizer.decode(ids_from_json(text), options->no_special);
    } else if (options->chat.empty()) {
      std::cout << nlohmann::json(tokenizer.encode(text, !options->no_special)).dump() << '\n';
    } else {
      const engine::ChatTemplateKind kind = engine::chat_template_for(options->chat, tokenizer);
      const std::vector<engine::ChatMessage> messages = {{"user", text}};
      engine::ChatTemplateOptions forced;  // as `run`: the R1 and plain templates open the answer with <think>
      forced.force_think = true;
      if (!options->template_kwargs.empty())
        forced.template_kwargs = engine::parse_template_kwargs(options->template_kwargs, "--chat-template-kwargs");
      const std::vector<std::uint32_t> ids = engine::encode_chat(tokenizer, kind, messages, forced);
      if (options->show_text) {
        const std::string prompt = kind == engine::ChatTemplateKind::kCheckpoint
                                       ? engine::render_checkpoint_chat(tokenizer, messages, true, forced.template_kwargs)
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
