// The r1eval command line. Every user-facing failure is one line on stderr and exit code 2.
#pragma once

namespace r1eval::harness {

// Parses argv and runs the chosen subcommand; returns the process exit code.
int run_cli(int argc, char** argv);

}  // namespace r1eval::harness
