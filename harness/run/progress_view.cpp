#include "harness/run/progress_view.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace r1eval::harness::run {
namespace {

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

// ETA of `left` samples at the pace of the `generated` ones so far.
std::string eta(std::size_t left, std::size_t generated, double elapsed) {
  if (left == 0) return "done";
  if (generated == 0 || elapsed <= 0) return "ETA ?";
  return "ETA " + duration_text(elapsed / static_cast<double>(generated) * static_cast<double>(left));
}

std::string bar(std::size_t done, std::size_t total, std::size_t cells) {
  const std::size_t filled = total ? std::min(cells, done * cells / total) : cells;
  std::string out = "[";
  out.append(filled, '#');
  out.append(cells - filled, '.');
  out += ']';
  return out;
}

std::string fit(std::string line, std::size_t width) {
  if (line.size() > width) line.resize(width);
  return line;
}

}  // namespace

std::string duration_text(double seconds) {
  const long s = std::lround(std::max(seconds, 0.0));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  return buf;
}

std::vector<std::string> render_progress(const ProgressSnapshot& p, std::size_t width) {
  std::vector<std::string> lines;
  char buf[256];
  std::snprintf(buf, sizeof buf, "r1eval: %zu/%zu samples, %.0f tokens/s, ", p.done, p.total,
                ratio(static_cast<double>(p.tokens), p.elapsed_seconds));
  lines.push_back(fit(buf + eta(p.total - p.done, p.generated, p.elapsed_seconds), width));

  std::size_t name_width = 0;
  for (const TaskProgress& t : p.tasks) name_width = std::max(name_width, t.name.size());
  // The text right of each bar; the widest decides how long the bars can be. Room for typical values is
  // reserved up front, so the bars keep their length from one redraw to the next.
  std::vector<std::string> stats;
  std::size_t stats_width = 0;
  for (const TaskProgress& t : p.tasks) {
    const std::size_t total_digits = std::to_string(t.total).size();
    stats_width = std::max(stats_width, 2 * total_digits + std::string("/  00000 tok/s  ETA 00h00m  pass@1 0.000").size());
  }
  for (const TaskProgress& t : p.tasks) {
    std::string pass = "pass@1 -";
    if (t.done > 0) {
      std::snprintf(buf, sizeof buf, "pass@1 %.3f", ratio(static_cast<double>(t.correct), static_cast<double>(t.done)));
      pass = buf;
    }
    std::snprintf(buf, sizeof buf, "%zu/%zu  %.0f tok/s  ", t.done, t.total,
                  ratio(static_cast<double>(t.tokens), p.elapsed_seconds));
    stats.push_back(buf + eta(t.total - t.done, t.generated, p.elapsed_seconds) + "  " + pass);
    stats_width = std::max(stats_width, stats.back().size());
  }
  const std::size_t fixed = 2 + name_width + 1 + 2 + 1 + stats_width;  // indent, name, space, [], space
  const std::size_t cells = width > fixed + 10 ? std::min<std::size_t>(width - fixed, 40) : 10;
  for (std::size_t i = 0; i < p.tasks.size(); ++i) {
    const TaskProgress& t = p.tasks[i];
    std::string line = "  " + t.name;
    line.append(name_width - t.name.size() + 1, ' ');
    line += bar(t.done, t.total, cells);
    line += ' ';
    line += stats[i];
    lines.push_back(fit(std::move(line), width));
  }
  return lines;
}

std::string redraw_sequence(std::size_t previous_lines, const std::vector<std::string>& lines) {
  std::string out;
  if (previous_lines > 0) out += "\x1b[" + std::to_string(previous_lines) + "A";
  for (const std::string& line : lines) out += "\r\x1b[2K" + line + "\n";
  // A shorter block leaves old lines below it: clear them (the cursor stays below the new block).
  if (previous_lines > lines.size()) out += "\x1b[J";
  return out;
}

bool stderr_is_live_terminal() {
  if (!::isatty(STDERR_FILENO)) return false;
  const char* term = std::getenv("TERM");
  return term && *term && std::strcmp(term, "dumb") != 0;
}

std::size_t terminal_width() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

}  // namespace r1eval::harness::run
