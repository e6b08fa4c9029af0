// The judge's side of a running sandbox: collecting its output under the limits, and decoding what
// the reaper reported.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace r1eval::graders::code::sandbox {

struct Collected {
  std::string report;           // raw bytes of the report pipe
  std::string out;              // stdout, at most the cap
  std::string err;              // stderr, at most the cap
  bool out_overflow = false;    // stdout went past its cap
  bool wall_exceeded = false;   // the deadline came first
  bool cpu_exceeded = false;    // `over_cpu` said so first
};

// Reads the report, stdout and stderr pipes until the report pipe closes (the reaper is gone), stdout
// passes `out_cap`, `deadline` comes, or `over_cpu` (asked every 20 ms when given) returns true; then
// calls `kill_all` and reads what is left in the pipes.
Collected collect(int report_fd, int out_fd, int err_fd, std::uint64_t out_cap, std::uint64_t err_cap,
                  std::chrono::steady_clock::time_point deadline, const std::function<void()>& kill_all,
                  const std::function<bool()>& over_cpu = nullptr);

struct Report {
  std::optional<int> program_status;  // the program's wait status, when the reaper saw it end
  std::uint64_t peak_rss_bytes = 0;   // the largest resident set of the program and the processes it made
  std::optional<std::uint64_t> copy_peak_bytes;  // the reaper's, which the program's process starts as a copy of
  std::string child_error;            // the first setup error, empty when none
};

// Parses the report protocol of child.h ('E' text '\n', 'B' + 8-byte peak RSS of the reaper in KiB,
// 'S' + 4-byte status + 8-byte peak RSS in KiB).
Report decode_report(const std::string& bytes);

}  // namespace r1eval::graders::code::sandbox
