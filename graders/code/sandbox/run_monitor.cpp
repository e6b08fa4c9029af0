#include "graders/code/sandbox/run_monitor.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace r1eval::graders::code::sandbox {
namespace {

using Clock = std::chrono::steady_clock;

// Reads what is available on `fd` into `sink` (up to `cap` bytes kept); false at EOF.
bool drain(int fd, std::string& sink, std::uint64_t cap, bool& overflow) {
  char buffer[65536];
  ssize_t n = read(fd, buffer, sizeof buffer);
  if (n == 0) return false;
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  std::uint64_t room = cap > sink.size() ? cap - sink.size() : 0;
  sink.append(buffer, static_cast<std::size_t>(std::min<std::uint64_t>(room, static_cast<std::uint64_t>(n))));
  if (static_cast<std::uint64_t>(n) > room) overflow = true;
  return true;
}

}  // namespace

Collected collect(int report_fd, int out_fd, int err_fd, std::uint64_t out_cap, std::uint64_t err_cap,
                  Clock::time_point deadline, const std::function<void()>& kill_all,
                  const std::function<bool()>& over_cpu) {
  const long long tick_ms = over_cpu ? 20 : 1000;
  Collected c;
  bool err_overflow = false, report_overflow = false;
  bool out_open = true, err_open = true, report_open = report_fd >= 0;
  while (report_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      c.wall_exceeded = true;
      break;
    }
    pollfd fds[3] = {{report_fd, POLLIN, 0}, {out_open ? out_fd : -1, POLLIN, 0}, {err_open ? err_fd : -1, POLLIN, 0}};
    int ready = poll(fds, 3, static_cast<int>(std::min<long long>(left, tick_ms)) + 1);
    if (ready < 0 && errno != EINTR) break;
    if (over_cpu && over_cpu()) {
      c.cpu_exceeded = true;
      break;
    }
    if (ready <= 0) continue;
    if (fds[0].revents) report_open = drain(report_fd, c.report, 4096, report_overflow);
    if (fds[1].revents) out_open = drain(out_fd, c.out, out_cap, c.out_overflow);
    if (fds[2].revents) err_open = drain(err_fd, c.err, err_cap, err_overflow);
    if (c.out_overflow) break;
  }
  kill_all();
  // Every writer is dead now, so EOF comes promptly; the bound only guards against a kernel surprise.
  const auto drain_deadline = Clock::now() + std::chrono::milliseconds(200);
  while ((out_open || err_open) && !c.out_overflow && Clock::now() < drain_deadline) {
    pollfd fds[2] = {{out_open ? out_fd : -1, POLLIN, 0}, {err_open ? err_fd : -1, POLLIN, 0}};
    if (poll(fds, 2, 50) <= 0) continue;
    if (fds[0].revents) out_open = drain(out_fd, c.out, out_cap, c.out_overflow);
    if (fds[1].revents) err_open = drain(err_fd, c.err, err_cap, err_overflow);
  }
  return c;
}

Report decode_report(const std::string& bytes) {
  Report report;
  for (std::size_t i = 0; i < bytes.size();) {
    if (bytes[i] == 'E') {
      std::size_t nl = bytes.find('\n', i);
      if (nl == std::string::npos) nl = bytes.size();
      if (report.child_error.empty()) report.child_error = bytes.substr(i + 1, nl - i - 1);
      i = nl + 1;
    } else if (bytes[i] == 'B' && i + 1 + sizeof(std::uint64_t) <= bytes.size()) {
      std::uint64_t peak_kib = 0;
      std::memcpy(&peak_kib, bytes.data() + i + 1, sizeof peak_kib);
      report.copy_peak_bytes = peak_kib * 1024;
      i += 1 + sizeof peak_kib;
    } else if (bytes[i] == 'S' && i + 1 + sizeof(int) + sizeof(std::uint64_t) <= bytes.size()) {
      int status = 0;
      std::uint64_t peak_kib = 0;
      std::memcpy(&status, bytes.data() + i + 1, sizeof status);
      std::memcpy(&peak_kib, bytes.data() + i + 1 + sizeof status, sizeof peak_kib);
      report.program_status = status;
      report.peak_rss_bytes = peak_kib * 1024;
      i += 1 + sizeof status + sizeof peak_kib;
    } else {
      break;
    }
  }
  return report;
}

}  // namespace r1eval::graders::code::sandbox
