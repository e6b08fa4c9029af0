// Ctrl-C and SIGTERM as a flag the run loop polls, so an interrupted run still writes what it has done.
#pragma once
#include <atomic>

namespace r1eval::harness::run {

// While alive, SIGINT and SIGTERM set stop_requested() instead of killing the process; the previous
// handlers come back on destruction. A second signal ends the process as the default action would.
// One instance at a time.
class StopOnSignal {
 public:
  StopOnSignal();
  ~StopOnSignal();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;
  const std::atomic<bool>& flag() const;
  bool stop_requested() const { return flag().load(); }
  int signal_number() const;  // the signal that arrived, 0 if none
};

}  // namespace r1eval::harness::run
