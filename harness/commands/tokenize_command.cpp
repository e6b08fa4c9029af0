// `r1eval tokenize --model DIR`: text on stdin -> token ids as a JSON array on stdout.
#include <iostream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/tokenizer/tokenizer.h"
#include "harness/commands/commands.h"

namespace r1eval::harness {

void add_tokenize_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string model;
    bool no_special = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Print the token ids of the text on stdin as a JSON array");
  cmd->add_option("--model", options->model, "Model folder holding tokenizer.json (and tokenizer_config.json)")
      ->required();
  cmd->add_flag("--no-special", options->no_special, "Do not add the tokenizer's BOS / special prefix");
  cmd->callback([options, &exit_code] {
    const auto tokenizer = engine::Tokenizer::from_folder(options->model);
    const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    std::cout << nlohmann::json(tokenizer.encode(text, !options->no_special)).dump() << '\n';
    exit_code = 0;
  });
}

}  // namespace r1eval::harness
