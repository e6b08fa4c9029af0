#include "graders/code/sandbox/sandbox.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "graders/code/sandbox/cgroup_v1.h"
#include "graders/code/sandbox/child.h"
#include "graders/code/sandbox/isolation.h"
#include "graders/code/sandbox/seccomp_policy.h"

namespace r1eval::graders::code::sandbox {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read, write;
};

Pipe make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  return {Fd(fds[0]), Fd(fds[1])};
}

// A per-process scratch folder: the empty mount point of every new root, and the host side of tmpfs
// mounts when there is no mount namespace. Removed at exit.
struct Scratch {
  std::string path;
  Scratch() {
    std::string base = fs::temp_directory_path().string() + "/r1eval-sandbox-XXXXXX";
    std::vector<char> buffer(base.begin(), base.end());
    buffer.push_back('\0');
    if (!mkdtemp(buffer.data())) throw std::runtime_error("sandbox scratch " + base + ": " + std::strerror(errno));
    path = buffer.data();
    // Search-only for others: the sandbox's unprivileged uid must reach the mount point inside.
    fs::permissions(path, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    fs::create_directory(path + "/root");
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

const Scratch& scratch() {
  static Scratch instance;
  return instance;
}

std::atomic<std::uint64_t> run_counter{0};

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

bool write_text(const std::string& path, const std::string& text) {
  Fd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  return fd.get() >= 0 && write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

rlim_t to_rlim(double seconds) { return static_cast<rlim_t>(std::max(1.0, std::ceil(seconds))); }

// Where things live on the host when the program shares the judge's file system view.
class HostPaths {
 public:
  HostPaths(const RunSpec& spec, std::uint64_t run_id)
      : run_dir_(scratch().path + "/run-" + std::to_string(run_id)) {
    for (const MountSpec& m : spec.mounts) {
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
  ~HostPaths() {
    std::error_code ignored;
    fs::remove_all(run_dir_, ignored);
  }
  std::string translate(const std::string& inside) const {
    for (const auto& [from, to] : map_) {
      if (inside == from) return to;
      if (inside.starts_with(from + "/")) return to + inside.substr(from.size());
    }
    return inside;
  }

 private:
  std::string run_dir_;
  std::vector<std::pair<std::string, std::string>> map_;
};

struct Plan {
  ChildPlan child;
  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  sock_fprog seccomp{};
};

void add_mounts(ChildPlan& child, const RunSpec& spec, const Layers& layers) {
  const std::string& root = child.new_root;
  for (const MountSpec& m : spec.mounts) {
    MountStep step;
    step.target = root + m.inside_path;
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
    child.mounts.push_back(std::move(step));
  }
  for (const char* device : {"/dev/null", "/dev/zero", "/dev/random", "/dev/urandom"}) {
    MountStep step;
    step.kind = MountKind::BindWritable;
    step.source = device;
    step.target = root + device;
    step.directory = false;
    step.keep_flags = locked_flags(device) & ~static_cast<unsigned long>(MS_NODEV);
    step.optional = true;
    child.mounts.push_back(std::move(step));
  }
  if (layers.pid_namespace) {
    MountStep proc;
    proc.kind = MountKind::Proc;
    proc.target = root + "/proc";
    proc.optional = true;  // some container runtimes forbid a fresh proc; programs rarely need it
    child.mounts.push_back(std::move(proc));
  }
}

std::vector<ResourceLimit> resource_limits(const RunLimits& limits, bool memory_by_cgroup) {
  rlim_t cpu = to_rlim(limits.cpu_seconds + 0.5);
  std::vector<ResourceLimit> out = {
      {RLIMIT_CPU, cpu, cpu + 1},
      {RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes},
      {RLIMIT_NPROC, static_cast<rlim_t>(limits.processes), static_cast<rlim_t>(limits.processes)},
      {RLIMIT_NOFILE, static_cast<rlim_t>(limits.open_files), static_cast<rlim_t>(limits.open_files)},
      {RLIMIT_STACK, limits.memory_bytes, limits.memory_bytes},
      {RLIMIT_CORE, 0, 0},
      {RLIMIT_MEMLOCK, 0, 0},
      {RLIMIT_MSGQUEUE, 0, 0},
  };
  if (!memory_by_cgroup) out.push_back({RLIMIT_AS, limits.memory_bytes, limits.memory_bytes});
  return out;
}

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

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

RunResult setup_failure(std::string what) {
  RunResult result;
  result.status = RunStatus::SetupFailed;
  result.error = std::move(what);
  return result;
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

RunResult run_sandboxed(const RunSpec& spec) { return run_sandboxed(spec, isolation()); }

RunResult run_sandboxed(const RunSpec& spec, const Isolation& iso) {
  const Layers& layers = iso.layers;
  if (spec.argv.empty()) return setup_failure("run: argv is empty");
  const std::uint64_t run_id = run_counter.fetch_add(1);
  const RunLimits& limits = spec.limits;
  try {
    std::optional<HostPaths> host;
    if (!layers.mount_namespace) host.emplace(spec, run_id);
    auto path_for = [&](const std::string& inside) { return host ? host->translate(inside) : inside; };

    // Per-run cgroups (reused from a pool, empty), limits set before the program exists.
    std::optional<RunCgroupPool::Lease> memory_lease, pids_lease;
    RunCgroup* memory_group = nullptr;
    RunCgroup* pids_group = nullptr;
    std::uint64_t oom_kills_before = 0;
    if (iso.memory_cgroup) {
      memory_lease.emplace(pool_for(*iso.memory_cgroup).take());
      memory_group = &**memory_lease;
      std::string bytes = std::to_string(limits.memory_bytes);
      // memsw must never be below the plain limit, so its order depends on the direction of the change.
      memory_group->write("memory.memsw.limit_in_bytes", bytes);  // absent without swap accounting
      if (!memory_group->write("memory.limit_in_bytes", bytes)) return setup_failure("cgroup: memory limit refused");
      memory_group->write("memory.memsw.limit_in_bytes", bytes);
      memory_group->write("memory.swappiness", "0");
      memory_group->write("memory.max_usage_in_bytes", "0");  // peak of this run only
      oom_kills_before = memory_group->read("memory.oom_control", "oom_kill").value_or(0);
    }
    if (iso.pids_cgroup) {
      pids_lease.emplace(pool_for(*iso.pids_cgroup).take());
      pids_group = &**pids_lease;
      if (!pids_group->write("pids.max", std::to_string(limits.processes + 1))) {
        return setup_failure("cgroup: pids limit refused");
      }
    }

    Pipe sync = make_pipe(), report = make_pipe(), out = make_pipe(), err = make_pipe(), request = make_pipe();
    Fd input(memfd_create("stdin", MFD_CLOEXEC));
    if (input.get() < 0) return setup_failure(std::string("memfd_create: ") + std::strerror(errno));
    for (std::size_t done = 0; done < spec.stdin_data.size();) {
      ssize_t n = write(input.get(), spec.stdin_data.data() + done, spec.stdin_data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return setup_failure(std::string("writing stdin: ") + std::strerror(errno));
      done += static_cast<std::size_t>(n);
    }
    lseek(input.get(), 0, SEEK_SET);

    Plan plan;
    ChildPlan& child = plan.child;
    child.build_root = layers.mount_namespace;
    child.new_root = scratch().path + "/root";
    if (layers.mount_namespace) add_mounts(child, spec, layers);
    child.working_dir = path_for(spec.working_dir);
    const bool root = geteuid() == 0;
    if (layers.user_namespace && layers.shared_network) {
      child.change_ids = true;
      child.late_user_namespace = true;
      child.clear_groups = true;
      child.uid = kInsideId;
      child.gid = kInsideId;
      child.network_fd = iso.shared_network_fd;
    } else if (layers.user_namespace) {
      child.change_ids = true;
      child.change_ids_first = true;
      child.clear_groups = root;  // setgroups stays allowed only when the parent can map ids freely
      child.uid = kInsideId;
      child.gid = kInsideId;
    } else if (root && layers.unprivileged_uid) {
      child.change_ids = true;
      child.clear_groups = true;
      child.uid = kNobodyId;
      child.gid = kNobodyId;
    }
    child.limits = resource_limits(limits, memory_group != nullptr);
    if (layers.seccomp) {
      const auto& program = seccomp_program();
      plan.seccomp.len = static_cast<unsigned short>(program.size());
      plan.seccomp.filter = const_cast<sock_filter*>(program.data());
      child.seccomp = &plan.seccomp;
    }
    child.sync_fd = sync.read.get();
    child.request_fd = request.write.get();
    child.report_fd = report.write.get();
    child.stdin_fd = input.get();
    child.stdout_fd = out.write.get();
    child.stderr_fd = err.write.get();
    child.executable = path_for(spec.argv[0]);
    plan.argv_storage = spec.argv;
    plan.argv_storage[0] = child.executable;
    for (std::size_t i = 1; i < plan.argv_storage.size(); ++i) plan.argv_storage[i] = path_for(spec.argv[i]);
    plan.env_storage = spec.env;
    for (std::string& a : plan.argv_storage) child.argv.push_back(a.data());
    child.argv.push_back(nullptr);
    for (std::string& e : plan.env_storage) child.envp.push_back(e.data());
    child.envp.push_back(nullptr);

    unsigned long flags = SIGCHLD;
    if (layers.user_namespace && !layers.shared_network) flags |= CLONE_NEWUSER;
    if (layers.pid_namespace) flags |= CLONE_NEWPID;
    if (layers.network_namespace && !layers.shared_network) flags |= CLONE_NEWNET;
    if (layers.mount_namespace) flags |= CLONE_NEWNS;
    if (layers.ipc_namespace) flags |= CLONE_NEWIPC | CLONE_NEWUTS;

    const auto start = Clock::now();
    pid_t pid = static_cast<pid_t>(syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr));
    if (pid < 0) return setup_failure(std::string("clone: ") + std::strerror(errno));
    if (pid == 0) run_child(child);

    // From here on the child exists: every path ends with it killed and reaped.
    sync.read.reset();
    report.write.reset();
    out.write.reset();
    err.write.reset();
    input.reset();
    request.write.reset();
    std::string setup_problem;
    auto map_ids = [&] {
      std::string proc = "/proc/" + std::to_string(pid);
      std::string uid_line = std::to_string(kInsideId) + " " + std::to_string(root ? kNobodyId : geteuid()) + " 1";
      std::string gid_line = std::to_string(kInsideId) + " " + std::to_string(root ? kNobodyId : getegid()) + " 1";
      if (!root && !write_text(proc + "/setgroups", "deny")) setup_problem = "writing setgroups";
      if (setup_problem.empty() && !write_text(proc + "/uid_map", uid_line)) setup_problem = "writing uid_map";
      if (setup_problem.empty() && !write_text(proc + "/gid_map", gid_line)) setup_problem = "writing gid_map";
    };
    if (layers.user_namespace && !layers.shared_network) map_ids();
    if (setup_problem.empty() && memory_group && !memory_group->attach(pid)) setup_problem = "joining memory cgroup";
    if (setup_problem.empty() && pids_group && !pids_group->attach(pid)) setup_problem = "joining pids cgroup";
    char go = 1;
    if (setup_problem.empty() && write(sync.write.get(), &go, 1) != 1) setup_problem = "starting the child";
    if (setup_problem.empty() && child.late_user_namespace) {
      // The child asks for its id map once it has entered its user namespace; EOF means it failed
      // before that and reported why on the report pipe.
      pollfd wait_for{request.read.get(), POLLIN, 0};
      char asked = 0;
      if (poll(&wait_for, 1, 10000) == 1 && read(request.read.get(), &asked, 1) == 1) {
        map_ids();
        if (setup_problem.empty() && write(sync.write.get(), &go, 1) != 1) setup_problem = "starting the child";
      }
    }
    sync.write.reset();

    RunResult result;
    std::string report_bytes;
    bool out_overflow = false, err_overflow = false, report_overflow = false;
    bool wall_exceeded = false;
    const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(limits.wall_seconds));
    bool out_open = true, err_open = true, report_open = setup_problem.empty();
    auto kill_everything = [&] {
      kill(pid, SIGKILL);
      kill(-pid, SIGKILL);  // the reaper leads the run's session and process group
      if (memory_group) memory_group->kill_all();
      else if (pids_group) pids_group->kill_all();
    };
    if (!setup_problem.empty()) kill_everything();
    // Phase 1: until the reaper reports (its end closes the report pipe) or a limit is hit.
    while (report_open) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        wall_exceeded = true;
        break;
      }
      pollfd fds[3] = {{report.read.get(), POLLIN, 0}, {out_open ? out.read.get() : -1, POLLIN, 0},
                       {err_open ? err.read.get() : -1, POLLIN, 0}};
      int ready = poll(fds, 3, static_cast<int>(std::min<long long>(left, 1000)) + 1);
      if (ready < 0 && errno != EINTR) break;
      if (ready <= 0) continue;
      if (fds[0].revents) report_open = drain(report.read.get(), report_bytes, 4096, report_overflow);
      if (fds[1].revents) out_open = drain(out.read.get(), result.stdout_data, limits.stdout_bytes, out_overflow);
      if (fds[2].revents) err_open = drain(err.read.get(), result.stderr_data, limits.stderr_bytes, err_overflow);
      if (out_overflow) break;
    }
    kill_everything();
    // Phase 2: what is left in the pipes; every writer is dead now, so EOF comes promptly.
    const auto drain_deadline = Clock::now() + std::chrono::milliseconds(200);
    while ((out_open || err_open) && !out_overflow && Clock::now() < drain_deadline) {
      pollfd fds[2] = {{out_open ? out.read.get() : -1, POLLIN, 0}, {err_open ? err.read.get() : -1, POLLIN, 0}};
      if (poll(fds, 2, 50) <= 0) continue;
      if (fds[0].revents) out_open = drain(out.read.get(), result.stdout_data, limits.stdout_bytes, out_overflow);
      if (fds[1].revents) err_open = drain(err.read.get(), result.stderr_data, limits.stderr_bytes, err_overflow);
    }
    int reaper_status = 0;
    rusage usage{};
    while (wait4(pid, &reaper_status, __WALL, &usage) < 0 && errno == EINTR) {
    }
    result.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    result.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    result.peak_memory_bytes = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;

    bool oom_killed = false;
    if (memory_group) {
      oom_killed = memory_group->read("memory.oom_control", "oom_kill").value_or(0) > oom_kills_before;
      auto peak = memory_group->read("memory.max_usage_in_bytes");
      // Page cache and kernel memory count in the group, so the group peak only ever raises RSS.
      if (oom_killed && peak) result.peak_memory_bytes = std::max(result.peak_memory_bytes, *peak);
    }

    // Decode the report: setup errors first, then the program's wait status.
    std::optional<int> program_status;
    std::string child_error;
    for (std::size_t i = 0; i < report_bytes.size();) {
      if (report_bytes[i] == 'E') {
        std::size_t nl = report_bytes.find('\n', i);
        if (nl == std::string::npos) nl = report_bytes.size();
        if (child_error.empty()) child_error = report_bytes.substr(i + 1, nl - i - 1);
        i = nl + 1;
      } else if (report_bytes[i] == 'S' && i + 1 + sizeof(int) <= report_bytes.size()) {
        int status = 0;
        std::memcpy(&status, report_bytes.data() + i + 1, sizeof status);
        program_status = status;
        i += 1 + sizeof(int);
      } else {
        break;
      }
    }
    if (!setup_problem.empty()) return setup_failure("sandbox: " + setup_problem + ": " + std::strerror(errno));
    if (!child_error.empty()) return setup_failure("sandbox child: " + child_error);

    if (program_status) {
      if (WIFEXITED(*program_status)) {
        result.status = RunStatus::Exited;
        result.exit_code = WEXITSTATUS(*program_status);
      } else if (WIFSIGNALED(*program_status)) {
        result.status = RunStatus::Signaled;
        result.signal = WTERMSIG(*program_status);
      }
    } else if (!wall_exceeded && !out_overflow && !oom_killed) {
      return setup_failure("sandbox: the reaper ended without reporting (status " + std::to_string(reaper_status) + ")");
    }
    // The limit that ended the run wins over how the program died of it.
    if (out_overflow || result.signal == SIGXFSZ) {
      result.status = RunStatus::OutputLimit;
    } else if (oom_killed || (!memory_group && result.peak_memory_bytes >= limits.memory_bytes)) {
      result.status = RunStatus::MemoryLimit;
    } else if (result.cpu_seconds > limits.cpu_seconds || result.signal == SIGXCPU) {
      result.status = RunStatus::CpuLimit;
    } else if (wall_exceeded) {
      result.status = RunStatus::WallLimit;
    }
    return result;
  } catch (const std::exception& e) {
    return setup_failure(e.what());
  }
}

}  // namespace r1eval::graders::code::sandbox
