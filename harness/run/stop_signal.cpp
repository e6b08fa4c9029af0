#include "harness/run/stop_signal.h"

#include <csignal>

namespace r1eval::harness::run {
namespace {

// A lock-free atomic is what a signal handler may touch.
std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
struct sigaction g_old_int, g_old_term;

// The first signal asks the run to stop cleanly; a second one (the user insists) ends the process at once.
void on_signal(int sig) {
  if (g_stop.load()) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_signal.store(sig);
  g_stop.store(true);
}

}  // namespace

StopOnSignal::StopOnSignal() {
  static_assert(std::atomic<bool>::is_always_lock_free);
  g_stop.store(false);
  g_signal.store(0);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_old_int);
  sigaction(SIGTERM, &action, &g_old_term);
}

StopOnSignal::~StopOnSignal() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

const std::atomic<bool>& StopOnSignal::flag() const { return g_stop; }
int StopOnSignal::signal_number() const { return g_signal.load(); }

}  // namespace r1eval::harness::run
