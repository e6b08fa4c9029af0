// The sandboxed side of a run: what the freshly cloned process does before it becomes the program.
// Everything here runs between clone and execve in a copy of a possibly multi-threaded judge, so it
// only makes system calls and reads memory prepared by the parent (no allocation, no locks).
#pragma once
#include <linux/filter.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace r1eval::graders::code::sandbox {

enum class MountKind { BindReadOnly, BindWritable, Tmpfs, Proc, Symlink };

struct MountStep {
  MountKind kind = MountKind::BindReadOnly;
  std::string source;        // host path (binds), link target (symlink), mount options (tmpfs)
  std::string target;        // absolute path of the mount point, under the new root
  bool directory = true;     // binds: the source is a directory (else a file mount point is made)
  unsigned long keep_flags = 0;  // flags of the source mount a read-only remount must keep (nodev, ...)
  bool optional = false;     // a failure skips this step instead of failing the run
};

struct ResourceLimit {
  int resource;
  rlim_t soft;
  rlim_t hard;
};

struct ChildPlan {
  // File system: with a mount namespace the process sees only `mounts`, assembled on a tmpfs at
  // `new_root`, which then becomes "/" (read-only).
  bool build_root = false;
  std::string new_root;
  std::vector<MountStep> mounts;
  std::string working_dir;
  // Identity: set uid/gid (after mounts) and drop supplementary groups when allowed.
  bool change_ids = false;
  // In a user namespace the ids change before the mounts: the reaper keeps its namespace capabilities
  // (its own host uid is unmapped) and files it creates get an owner the namespace can represent.
  bool change_ids_first = false;
  // Root's variant: join this network namespace, mount as real root, then unshare a user namespace and
  // wait (request_fd, then a second byte on sync_fd) for the parent to map its ids.
  int network_fd = -1;
  bool late_user_namespace = false;
  int request_fd = -1;
  bool clear_groups = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<ResourceLimit> limits;
  const sock_fprog* seccomp = nullptr;  // nullptr: no filter
  // Descriptors: the child reads one byte from sync_fd before it starts (the parent maps ids and
  // attaches cgroups first); report_fd carries setup errors ('E' text '\n') and the program's wait
  // status and peak resident set ('S' + 4 bytes + 8 bytes of KiB) back; before the program's process is
  // made, the reaper sends its own peak ('B' + 8 bytes of KiB: the copy of the judge that process starts as).
  int sync_fd = -1;
  int report_fd = -1;
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  // The judge's command-line strings (/proc/self/stat's arg_start..arg_end), zeroed in the reaper's copy of
  // the memory; null when unknown.
  char* arguments_begin = nullptr;
  std::size_t arguments_bytes = 0;
  std::string executable;
  std::vector<char*> argv;  // null-terminated, pointing into strings the parent keeps alive
  std::vector<char*> envp;  // null-terminated
};

// Sets the process up as `plan` says (in a new session, so its process group holds only this run), forks the program (the caller becomes its reaper, PID 1 when a
// PID namespace is in use) and exits once the program has ended. Never returns.
[[noreturn]] void run_child(const ChildPlan& plan);

}  // namespace r1eval::graders::code::sandbox
