// What a sandboxed program sees of the file system, and how that becomes mount steps.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "graders/code/sandbox/child.h"

namespace r1eval::graders::code::sandbox {

// One entry of the view (with a mount namespace, nothing else is visible).
struct MountSpec {
  enum class Kind { ReadOnly, Writable, Tmpfs, Symlink };
  Kind kind = Kind::ReadOnly;
  std::string inside_path;     // absolute path seen by the program
  std::string host_path;       // ReadOnly/Writable: the host path shown there; Symlink: the link target
  std::uint64_t tmpfs_bytes = 0;  // Tmpfs: its size
};

// The read-only system view a compiler or interpreter needs: /usr, the /lib* and /bin, /sbin links or
// directories, the dynamic loader cache, plus each of `extra_paths` (e.g. an interpreter's prefix),
// as they exist on this machine. Nothing from /home, /root, /work, /etc (besides ld.so.cache) or /tmp.
std::vector<MountSpec> system_view(const std::vector<std::string>& extra_paths = {});

// The size of the run's own /dev/shm.
inline constexpr std::uint64_t kDevShmBytes = 64ull << 20;

// The steps that build `view` under `new_root`, followed by /dev/{null,zero,random,urandom}, an empty tmpfs
// /dev/shm of kDevShmBytes and, with `fresh_proc`, a /proc of the run's PID namespace (all optional: skipped
// if the kernel refuses).
std::vector<MountStep> mount_steps(const std::vector<MountSpec>& view, const std::string& new_root, bool fresh_proc);

// Without a mount namespace the program sees the host: view paths are translated to host paths, and
// each tmpfs becomes a fresh host folder under `scratch`, removed with this object.
class HostPaths {
 public:
  HostPaths(const std::vector<MountSpec>& view, const std::string& scratch);
  ~HostPaths();
  HostPaths(const HostPaths&) = delete;
  HostPaths& operator=(const HostPaths&) = delete;
  std::string translate(const std::string& inside) const;

 private:
  std::string run_dir_;
  std::vector<std::pair<std::string, std::string>> map_;
};

}  // namespace r1eval::graders::code::sandbox
