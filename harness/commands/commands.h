// The subcommands of r1eval. Each add_* registers one subcommand on `app`; its callback runs the command
// and stores the process exit code in `exit_code`. Commands throw on bad input; run_cli turns that into one
// line on stderr and exit code 2.
#pragma once
#include <CLI/CLI.hpp>

namespace r1eval::harness {

void add_tasks_command(CLI::App& app, int& exit_code);
void add_prompts_command(CLI::App& app, int& exit_code);
void add_grade_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_judge_command(CLI::App& app, int& exit_code);
void add_generate_command(CLI::App& app, int& exit_code);
void add_tokenize_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_merge_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_demo_command(CLI::App& app, int& exit_code);

}  // namespace r1eval::harness
