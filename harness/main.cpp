// r1eval command line: see harness/cli.h.
#include "harness/cli.h"

int main(int argc, char** argv) { return r1eval::harness::run_cli(argc, argv); }
