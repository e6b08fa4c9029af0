// Per-run cgroup v1 groups (memory, pids) under a parent group the judge owns.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace r1eval::graders::code::sandbox {

// A writable cgroup v1 directory for `controller` ("memory", "pids", "cpuacct") nested in this process's own group,
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
  // The same, skipped when this object already wrote exactly `value` there (limits of a reused group).
  bool set(const std::string& file, const std::string& value);
  // A numeric control file, or a "key value" line of a stat-like file when `key` is given; nullopt if absent.
  std::optional<std::uint64_t> read(const std::string& file, const std::string& key = "") const;
  // Moves process `pid` into the group; false when refused.
  bool attach(pid_t pid) const;
  // SIGKILLs every process still in the group and waits briefly for the group to empty; true if it did.
  bool kill_all() const;
  // For a memory group (v1 or v2): reclaims what an ended run left charged (dentries of the paths it looked
  // up, page cache) and tells whether the group is now all but empty. True for a group of another controller.
  bool memory_released() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::map<std::string, std::string> written_;
};

// Run groups under one root, reused from run to run: making and removing a memory cgroup costs about a
// millisecond, reusing one costs a few writes. A group comes back only once it is empty, of processes and of
// memory charges (which would count against the next run's limit, time and peak); else it is removed.
class RunCgroupPool {
 public:
  explicit RunCgroupPool(std::string root) : root_(std::move(root)) {}

  // A lease on an empty group; it returns to the pool (after killing anything left) when destroyed.
  class Lease {
   public:
    Lease(RunCgroupPool* pool, std::unique_ptr<RunCgroup> group) : pool_(pool), group_(std::move(group)) {}
    Lease(Lease&&) = default;
    ~Lease();
    RunCgroup& operator*() const { return *group_; }
    RunCgroup* operator->() const { return group_.get(); }

   private:
    RunCgroupPool* pool_;
    std::unique_ptr<RunCgroup> group_;
  };

  // Throws std::runtime_error naming the path when a new group cannot be made.
  Lease take();

 private:
  std::string root_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<RunCgroup>> free_;
  std::uint64_t made_ = 0;
};

// The process-wide pool for groups under `root`.
RunCgroupPool& pool_for(const std::string& root);

}  // namespace r1eval::graders::code::sandbox
