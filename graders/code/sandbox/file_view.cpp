#include "graders/code/sandbox/file_view.h"

#include <sys/mount.h>
#include <sys/statvfs.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace r1eval::graders::code::sandbox {
namespace {

namespace fs = std::filesystem;

// Flags of the mount holding `host_path` that a read-only bind remount must keep: inside a user
// namespace the kernel refuses to clear them.
unsigned long locked_flags(const std::string& host_path) {
  struct statvfs info {};
  if (statvfs(host_path.c_str(), &info) != 0) return 0;
  unsigned long flags = 0;
  if (info.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (info.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (info.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (info.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (info.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

}  // namespace

std::vector<MountSpec> system_view(const std::vector<std::string>& extra_paths) {
  std::vector<MountSpec> view;
  auto add = [&](const std::string& path) {
    std::error_code ec;
    auto status = fs::symlink_status(path, ec);
    if (ec || !fs::exists(status)) return;
    if (fs::is_symlink(status)) {
      view.push_back({MountSpec::Kind::Symlink, path, fs::read_symlink(path).string(), 0});
    } else {
      view.push_back({MountSpec::Kind::ReadOnly, path, path, 0});
    }
  };
  for (const char* path : {"/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin", "/etc/ld.so.cache"}) {
    add(path);
  }
  for (const std::string& path : extra_paths) {
    bool covered = false;
    for (const MountSpec& m : view) {
      covered = covered || path == m.inside_path || path.starts_with(m.inside_path + "/");
    }
    if (!covered) add(path);
  }
  return view;
}

std::vector<MountStep> mount_steps(const std::vector<MountSpec>& view, const std::string& new_root, bool fresh_proc) {
  std::vector<MountStep> steps;
  for (const MountSpec& m : view) {
    MountStep step;
    step.target = new_root + m.inside_path;
    switch (m.kind) {
      case MountSpec::Kind::ReadOnly:
      case MountSpec::Kind::Writable:
        step.kind = m.kind == MountSpec::Kind::ReadOnly ? MountKind::BindReadOnly : MountKind::BindWritable;
        step.source = m.host_path;
        step.directory = fs::is_directory(m.host_path);
        step.keep_flags = locked_flags(m.host_path);
        break;
      case MountSpec::Kind::Tmpfs:
        step.kind = MountKind::Tmpfs;
        step.source = "size=" + std::to_string(std::max<std::uint64_t>(m.tmpfs_bytes, 4096)) + ",mode=0777";
        break;
      case MountSpec::Kind::Symlink:
        step.kind = MountKind::Symlink;
        step.source = m.host_path;
        break;
    }
    steps.push_back(std::move(step));
  }
  for (const char* device : {"/dev/null", "/dev/zero", "/dev/random", "/dev/urandom"}) {
    MountStep step;
    step.kind = MountKind::BindWritable;
    step.source = device;
    step.target = new_root + device;
    step.directory = false;
    step.keep_flags = locked_flags(device) & ~static_cast<unsigned long>(MS_NODEV);
    step.optional = true;
    steps.push_back(std::move(step));
  }
  // POSIX shared memory and named semaphores (shm_open, sem_open: Python's multiprocessing locks and pools) live
  // in /dev/shm. A run's own small tmpfs, its pages charged to the run's memory like any other.
  MountStep shm;
  shm.kind = MountKind::Tmpfs;
  shm.target = new_root + "/dev/shm";
  shm.source = "size=" + std::to_string(kDevShmBytes) + ",mode=1777";
  shm.optional = true;
  steps.push_back(std::move(shm));
  if (fresh_proc) {
    MountStep proc;
    proc.kind = MountKind::Proc;
    proc.target = new_root + "/proc";
    proc.optional = true;  // some container runtimes forbid a fresh proc; programs rarely need it
    steps.push_back(std::move(proc));
    // The standard stream names programs open ("open('/dev/stdin')", freopen("/dev/stdout")), through the
    // program's own /proc/self/fd as on any Linux host.
    for (const auto& [name, target] : {std::pair{"/dev/stdin", "/proc/self/fd/0"}, std::pair{"/dev/stdout", "/proc/self/fd/1"},
                                       std::pair{"/dev/stderr", "/proc/self/fd/2"}, std::pair{"/dev/fd", "/proc/self/fd"}}) {
      MountStep link;
      link.kind = MountKind::Symlink;
      link.source = target;
      link.target = new_root + name;
      link.optional = true;
      steps.push_back(std::move(link));
    }
  }
  return steps;
}

HostPaths::HostPaths(const std::vector<MountSpec>& view, const std::string& scratch) {
  std::string pattern = scratch + "/run-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) throw std::runtime_error("sandbox run folder " + pattern + ": " + std::strerror(errno));
  run_dir_ = buffer.data();
  fs::permissions(run_dir_, fs::perms::all);
  for (const MountSpec& m : view) {
    if (m.kind == MountSpec::Kind::Tmpfs) {
      std::string dir = run_dir_ + m.inside_path;
      fs::create_directories(dir);
      fs::permissions(dir, fs::perms::all);
      map_.emplace_back(m.inside_path, dir);
    } else if (m.kind != MountSpec::Kind::Symlink) {
      map_.emplace_back(m.inside_path, m.host_path);
    }
  }
}

HostPaths::~HostPaths() {
  std::error_code ignored;
  fs::remove_all(run_dir_, ignored);
}

std::string HostPaths::translate(const std::string& inside) const {
  for (const auto& [from, to] : map_) {
    if (inside == from) return to;
    if (inside.starts_with(from + "/")) return to + inside.substr(from.size());
  }
  return inside;
}

}  // namespace r1eval::graders::code::sandbox
