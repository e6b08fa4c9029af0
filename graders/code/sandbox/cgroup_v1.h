// Per-run cgroup v1 groups (memory, pids) under a parent group the judge owns.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace r1eval::graders::code::sandbox {

// A writable cgroup v1 directory for `controller` ("memory", "pids") nested in this process's own group,
// created once per process (and removed at exit when empty); nullopt when the controller is not mounted
// as v1 or the directory or its limit file cannot be written.
std::optional<std::string> judge_cgroup_root(const std::string& controller);

// One run's group. The directory is created by the constructor and removed (after killing whatever is
// left inside) by the destructor. Throws std::runtime_error naming the path when it cannot be created.
class RunCgroup {
 public:
  RunCgroup(const std::string& root, const std::string& name);
  ~RunCgroup();
  RunCgroup(const RunCgroup&) = delete;
  RunCgroup& operator=(const RunCgroup&) = delete;

  // Writes `value` to the control file `file` of this group; false when the kernel refused it.
  bool write(const std::string& file, const std::string& value) const;
  // A numeric control file, or a "key value" line of a stat-like file when `key` is given; nullopt if absent.
  std::optional<std::uint64_t> read(const std::string& file, const std::string& key = "") const;
  // Moves process `pid` into the group; false when refused.
  bool attach(pid_t pid) const;
  // SIGKILLs every process still in the group and waits briefly for the group to empty.
  void kill_all() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace r1eval::graders::code::sandbox
