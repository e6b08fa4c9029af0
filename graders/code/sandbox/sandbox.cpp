#include "graders/code/sandbox/sandbox.h"

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "graders/code/sandbox/cgroup_v1.h"
#include "graders/code/sandbox/child.h"
#include "graders/code/sandbox/fd.h"
#include "graders/code/sandbox/isolation.h"
#include "graders/code/sandbox/run_monitor.h"
#include "graders/code/sandbox/stale_groups.h"
#include "graders/code/sandbox/seccomp_policy.h"

namespace r1eval::graders::code::sandbox {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kScratchPrefix = "r1eval-sandbox-";

// The scratch folders (kScratchPrefix<pid>-XXXXXX) of judges that were killed before their exit ran.
void remove_stale_scratch(const fs::path& parent) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(parent, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(kScratchPrefix)) continue;
    const std::size_t dash = name.find('-', kScratchPrefix.size());
    if (dash == std::string::npos || name.size() - dash != 7) continue;
    if (!names_a_gone_process(std::string_view(name).substr(kScratchPrefix.size(), dash - kScratchPrefix.size())))
      continue;
    // Only a real folder of this judge's own user: the temp folder is shared, and another user's folder of
    // that name (or a link) is not ours to remove.
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) continue;
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);
  }
}

// A per-process scratch folder: the empty mount point of every new root, and the host side of tmpfs
// mounts when there is no mount namespace. Removed at exit; the pid in its name lets a later judge remove
// what a killed one left.
struct Scratch {
  std::string path;
  Scratch() {
    remove_stale_scratch(fs::temp_directory_path());
    std::string base =
        fs::temp_directory_path().string() + "/" + std::string(kScratchPrefix) + std::to_string(getpid()) + "-XXXXXX";
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

bool write_text(const std::string& path, const std::string& text) {
  Fd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  return fd.get() >= 0 && write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

RunResult setup_failure(std::string what) {
  RunResult result;
  result.status = RunStatus::SetupFailed;
  result.error = std::move(what);
  return result;
}

std::vector<ResourceLimit> resource_limits(const RunLimits& limits, bool memory_by_cgroup) {
  // A whole second of slack over the limit: the verdict compares measured CPU time with the limit,
  // the rlimit only stops a program that would never end.
  rlim_t cpu = static_cast<rlim_t>(std::max(1.0, std::ceil(limits.cpu_seconds + 0.5)));
  // The stack's hard limit stays what the judge has (unlimited, usually) when that is above the memory
  // limit: Python's RLIMIT_STACK idiom raises the soft limit to it, and the memory limit bounds the stack
  // anyway. (Raising a hard limit would need a capability the program no longer has.)
  rlimit judge_stack{};
  getrlimit(RLIMIT_STACK, &judge_stack);
  const rlim_t stack_hard = judge_stack.rlim_max >= limits.memory_bytes ? judge_stack.rlim_max : limits.memory_bytes;
  std::vector<ResourceLimit> out = {
      {RLIMIT_CPU, cpu, cpu + 1},
      {RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes},
      {RLIMIT_NPROC, static_cast<rlim_t>(limits.processes), static_cast<rlim_t>(limits.processes)},
      {RLIMIT_NOFILE, static_cast<rlim_t>(limits.open_files), static_cast<rlim_t>(limits.open_files)},
      {RLIMIT_STACK, limits.memory_bytes, stack_hard},
      {RLIMIT_CORE, 0, 0},
      {RLIMIT_MEMLOCK, 0, 0},
      {RLIMIT_MSGQUEUE, 0, 0},
      // Queued signals count per user up to the host's root: a program queueing 100,000 made the host's
      // sigqueue and timer_create fail while it ran.
      {RLIMIT_SIGPENDING, 64, 64},
  };
  if (!memory_by_cgroup) out.push_back({RLIMIT_AS, limits.memory_bytes, limits.memory_bytes});
  return out;
}

Fd stdin_file(const std::string& data) {
  Fd input(memfd_create("stdin", MFD_CLOEXEC));
  if (input.get() < 0) throw std::runtime_error(std::string("memfd_create: ") + std::strerror(errno));
  for (std::size_t done = 0; done < data.size();) {
    ssize_t n = write(input.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("writing stdin: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  lseek(input.get(), 0, SEEK_SET);
  return input;
}

// The run's cgroups, taken from the pools with this run's limits written.
struct Groups {
  std::optional<RunCgroupPool::Lease> memory_lease, pids_lease, cpu_lease;
  RunCgroup* memory = nullptr;  // v2: the run's one group, doing memory, pids and CPU time
  RunCgroup* pids = nullptr;
  RunCgroup* cpu = nullptr;
  bool v2 = false;
  std::uint64_t oom_kills_before = 0;
  std::uint64_t limit_hits_before = 0;  // v2 memory.events "max": times usage reached memory.max
  std::uint64_t cpu_usec_before = 0;  // v2 groups are reused and cpu.stat cannot be reset
  std::uint64_t memory_limit = 0;

  Groups(const Isolation& iso, const RunLimits& limits) {
    if (iso.cgroup_v2) {
      v2 = true;
      memory_lease.emplace(pool_for(*iso.cgroup_v2).take());
      memory = &**memory_lease;
      memory_limit = limits.memory_bytes;
      if (!memory->set("memory.max", std::to_string(limits.memory_bytes)))
        throw std::runtime_error("cgroup v2: memory limit refused");
      memory->set("memory.swap.max", "0");  // absent without swap accounting: then there is nothing to limit
      if (!memory->set("pids.max", std::to_string(limits.processes + 1)))
        throw std::runtime_error("cgroup v2: pids limit refused");
      oom_kills_before = memory->read("memory.events", "oom_kill").value_or(0);
      limit_hits_before = memory->read("memory.events", "max").value_or(0);
      cpu_usec_before = memory->read("cpu.stat", "usage_usec").value_or(0);
      return;
    }
    if (iso.memory_cgroup) {
      memory_lease.emplace(pool_for(*iso.memory_cgroup).take());
      memory = &**memory_lease;
      std::string bytes = std::to_string(limits.memory_bytes);
      // memsw may never be below the plain limit, so it is written on both sides of it (it is absent
      // without swap accounting; then both writes fail harmlessly).
      memory->set("memory.memsw.limit_in_bytes", bytes);
      if (!memory->set("memory.limit_in_bytes", bytes)) throw std::runtime_error("cgroup: memory limit refused");
      memory->set("memory.memsw.limit_in_bytes", bytes);
      memory->set("memory.swappiness", "0");
      memory->write("memory.max_usage_in_bytes", "0");  // peak of this run only
      memory->write("memory.failcnt", "0");             // times this run reached the limit
      oom_kills_before = memory->read("memory.oom_control", "oom_kill").value_or(0);
    }
    if (iso.pids_cgroup) {
      pids_lease.emplace(pool_for(*iso.pids_cgroup).take());
      pids = &**pids_lease;
      if (!pids->set("pids.max", std::to_string(limits.processes + 1))) {
        throw std::runtime_error("cgroup: pids limit refused");
      }
    }
    if (iso.cpuacct_cgroup) {
      cpu_lease.emplace(pool_for(*iso.cpuacct_cgroup).take());
      cpu = &**cpu_lease;
      if (!cpu->write("cpuacct.usage", "0")) throw std::runtime_error("cgroup: resetting cpuacct.usage refused");
    }
  }
  // CPU seconds of every process of the run so far, killed or not; nullopt without a cpuacct group.
  std::optional<double> cpu_seconds() const {
    if (v2) {
      auto usec = memory->read("cpu.stat", "usage_usec");
      if (!usec) return std::nullopt;
      return static_cast<double>(*usec - std::min(*usec, cpu_usec_before)) / 1e6;
    }
    if (!cpu) return std::nullopt;
    auto nanoseconds = cpu->read("cpuacct.usage");
    if (!nanoseconds) return std::nullopt;
    return static_cast<double>(*nanoseconds) / 1e9;
  }
  // True when the run's usage reached its memory limit (the kernel then reclaims, stalls, or OOM-kills).
  bool memory_limit_reached() const {
    if (v2) return memory->read("memory.events", "max").value_or(0) > limit_hits_before;
    return memory && memory->read("memory.failcnt").value_or(0) > 0;
  }
  bool oom_killed() const {
    if (v2) return memory->read("memory.events", "oom_kill").value_or(0) > oom_kills_before;
    return memory && memory->read("memory.oom_control", "oom_kill").value_or(0) > oom_kills_before;
  }
  // The group's peak after an OOM kill; nullopt when unknown. v2's memory.peak cannot be reset on most
  // kernels and the group is reused, but an OOM kill means the run reached its memory.max.
  std::optional<std::uint64_t> peak_after_oom() const {
    if (v2) return memory_limit;
    return run_peak();
  }
  // The run's peak charge in a cgroup v1 memory group (reset when the run took the group); nullopt for v2
  // (memory.peak spans the group's earlier runs) or without a group.
  std::optional<std::uint64_t> run_peak() const {
    if (v2) return std::nullopt;
    return memory ? memory->read("memory.max_usage_in_bytes") : std::nullopt;
  }
};

// The child's plan and the storage its pointers refer to.
struct Plan {
  ChildPlan child;
  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  sock_fprog seccomp{};
};

void set_identity(ChildPlan& child, const Isolation& iso) {
  const Layers& layers = iso.layers;
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
}

void set_command(Plan& plan, const RunSpec& spec, const std::optional<HostPaths>& host) {
  auto path_for = [&](const std::string& inside) { return host ? host->translate(inside) : inside; };
  ChildPlan& child = plan.child;
  child.working_dir = path_for(spec.working_dir);
  child.executable = path_for(spec.argv[0]);
  plan.argv_storage = spec.argv;
  for (std::string& arg : plan.argv_storage) arg = path_for(arg);
  plan.env_storage = spec.env;
  for (std::string& a : plan.argv_storage) child.argv.push_back(a.data());
  child.argv.push_back(nullptr);
  for (std::string& e : plan.env_storage) child.envp.push_back(e.data());
  child.envp.push_back(nullptr);
}

unsigned long clone_flags(const Layers& layers) {
  unsigned long flags = SIGCHLD;
  if (layers.user_namespace && !layers.shared_network) flags |= CLONE_NEWUSER;
  if (layers.pid_namespace) flags |= CLONE_NEWPID;
  if (layers.network_namespace && !layers.shared_network) flags |= CLONE_NEWNET;
  if (layers.mount_namespace) flags |= CLONE_NEWNS;
  if (layers.ipc_namespace) flags |= CLONE_NEWIPC | CLONE_NEWUTS;
  return flags;
}

// Writes the id maps of `pid`'s user namespace; empty string or what failed.
std::string map_ids(pid_t pid) {
  const bool root = geteuid() == 0;
  std::string proc = "/proc/" + std::to_string(pid);
  std::string uid_line = std::to_string(kInsideId) + " " + std::to_string(root ? kNobodyId : geteuid()) + " 1";
  std::string gid_line = std::to_string(kInsideId) + " " + std::to_string(root ? kNobodyId : getegid()) + " 1";
  if (!root && !write_text(proc + "/setgroups", "deny")) return std::string("writing setgroups: ") + std::strerror(errno);
  if (!write_text(proc + "/uid_map", uid_line)) return std::string("writing uid_map: ") + std::strerror(errno);
  if (!write_text(proc + "/gid_map", gid_line)) return std::string("writing gid_map: ") + std::strerror(errno);
  return "";
}

// The parent's half of the start handshake (see ChildPlan); empty string or what failed.
std::string start_child(pid_t pid, const ChildPlan& child, const Layers& layers, const Groups& groups,
                        int sync_fd, int request_fd) {
  std::string problem;
  if (layers.user_namespace && !layers.shared_network) problem = map_ids(pid);
  if (problem.empty() && groups.memory && !groups.memory->attach(pid)) problem = "joining the memory cgroup";
  if (problem.empty() && groups.pids && !groups.pids->attach(pid)) problem = "joining the pids cgroup";
  if (problem.empty() && groups.cpu && !groups.cpu->attach(pid)) problem = "joining the cpuacct cgroup";
  char go = 1;
  if (problem.empty() && write(sync_fd, &go, 1) != 1) problem = "starting the child";
  if (problem.empty() && child.late_user_namespace) {
    // The child asks for its id map once it has entered its user namespace; EOF means it failed
    // before that and says why on the report pipe.
    pollfd wait_for{request_fd, POLLIN, 0};
    char asked = 0;
    if (poll(&wait_for, 1, 10000) == 1 && read(request_fd, &asked, 1) == 1) {
      problem = map_ids(pid);
      if (problem.empty() && write(sync_fd, &go, 1) != 1) problem = "starting the child";
    }
  }
  return problem;
}

// Where the kernel keeps this process's command-line strings (/proc/self/stat fields 48 and 49), read once;
// empty when unreadable.
struct CommandLine {
  char* begin = nullptr;
  std::size_t bytes = 0;
};
const CommandLine& command_line() {
  static const CommandLine found = [] {
    CommandLine line;
    std::ifstream stat("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const std::size_t name_end = text.rfind(')');
    if (name_end == std::string::npos) return line;
    std::istringstream fields(text.substr(name_end + 1));
    std::string field;
    std::uintptr_t start = 0, end = 0;
    for (int number = 3; fields >> field && number <= 49; ++number) {  // field 3 follows the name
      if (number == 48) start = std::strtoull(field.c_str(), nullptr, 10);
      if (number == 49) end = std::strtoull(field.c_str(), nullptr, 10);
    }
    if (start != 0 && end > start) {
      line.begin = reinterpret_cast<char*>(start);
      line.bytes = end - start;
    }
    return line;
  }();
  return found;
}

// The limit that ended the run wins over how the program died of it.
void classify(RunResult& result, const Collected& collected, bool oom_killed, bool memory_by_cgroup,
              const RunLimits& limits) {
  if (collected.out_overflow || result.signal == SIGXFSZ) {
    result.status = RunStatus::OutputLimit;
  } else if (oom_killed || (!memory_by_cgroup && result.peak_memory_bytes >= limits.memory_bytes)) {
    result.status = RunStatus::MemoryLimit;
  } else if (collected.cpu_exceeded || result.cpu_seconds > limits.cpu_seconds || result.signal == SIGXCPU) {
    result.status = RunStatus::CpuLimit;
  } else if (collected.wall_exceeded) {
    result.status = RunStatus::WallLimit;
  }
}

}  // namespace

RunResult run_sandboxed(const RunSpec& spec) { return run_sandboxed(spec, isolation()); }

RunResult run_sandboxed(const RunSpec& spec, const Isolation& iso) {
  const Layers& layers = iso.layers;
  const RunLimits& limits = spec.limits;
  if (spec.argv.empty()) return setup_failure("run: argv is empty");
  try {
    std::optional<HostPaths> host;
    if (!layers.mount_namespace) host.emplace(spec.mounts, scratch().path);
    Groups groups(iso, limits);
    Pipe sync = make_pipe(), report = make_pipe(), out = make_pipe(), err = make_pipe(), request = make_pipe();
    Fd input = stdin_file(spec.stdin_data);

    Plan plan;
    ChildPlan& child = plan.child;
    child.build_root = layers.mount_namespace;
    child.new_root = scratch().path + "/root";
    if (layers.mount_namespace) child.mounts = mount_steps(spec.mounts, child.new_root, layers.pid_namespace);
    set_identity(child, iso);
    set_command(plan, spec, host);
    const CommandLine& judge_arguments = command_line();
    child.arguments_begin = judge_arguments.begin;
    child.arguments_bytes = judge_arguments.bytes;
    child.limits = resource_limits(limits, groups.memory != nullptr);
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
    // A pipe's inode belongs to the judge with mode 0600, so the sandbox uid could not reopen its own
    // output through /proc/self/fd/1 (/dev/stdout, freopen). These pipes are this run's alone.
    ::fchmod(out.write.get(), 0622);
    ::fchmod(err.write.get(), 0622);

    const auto start = Clock::now();
    pid_t pid = static_cast<pid_t>(syscall(SYS_clone, clone_flags(layers), nullptr, nullptr, nullptr, nullptr));
    if (pid < 0) return setup_failure(std::string("clone: ") + std::strerror(errno));
    if (pid == 0) run_child(child);

    // From here on the child exists: every path ends with it killed and reaped.
    for (Fd* end : {&sync.read, &report.write, &out.write, &err.write, &input, &request.write}) end->reset();
    std::string setup_problem = start_child(pid, child, layers, groups, sync.write.get(), request.read.get());
    sync.write.reset();
    auto kill_everything = [&] {
      kill(pid, SIGKILL);
      kill(-pid, SIGKILL);  // the reaper leads the run's session and process group
      if (groups.memory) groups.memory->kill_all();
      else if (groups.pids) groups.pids->kill_all();
    };
    const auto deadline =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limits.wall_seconds));
    std::function<bool()> over_cpu;
    if (groups.cpu || groups.v2) over_cpu = [&] { return groups.cpu_seconds().value_or(0) > limits.cpu_seconds; };
    Collected collected = collect(setup_problem.empty() ? report.read.get() : -1, out.read.get(), err.read.get(),
                                  limits.stdout_bytes, limits.stderr_bytes, deadline, kill_everything, over_cpu);
    int reaper_status = 0;
    rusage usage{};
    while (wait4(pid, &reaper_status, __WALL, &usage) < 0 && errno == EINTR) {
    }

    RunResult result;
    result.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    // The group also counts processes killed before anyone reaped them (a run stopped by a limit).
    result.cpu_seconds = std::max(seconds(usage.ru_utime) + seconds(usage.ru_stime), groups.cpu_seconds().value_or(0));
    result.stdout_data = std::move(collected.out);
    result.stderr_data = std::move(collected.err);
    if (!setup_problem.empty()) return setup_failure("sandbox: " + setup_problem);
    Report reported = decode_report(collected.report);
    // The program's peak as its reaper saw it (the reaper's own, in `usage`, is the judge's copy). That
    // figure keeps the larger of the program's peak and that of its process before execve, a copy of the
    // reaper (whose peak the reaper sent; the copy touches a few pages more, hence the margin): it is the
    // program's own only when above the copy's.
    // Below, the program's pages were charged to the run's v1 memory group alone (the copy's shared pages
    // stay the judge's), or are not known (0).
    constexpr std::uint64_t kCopyMargin = 1u << 20;
    result.peak_memory_bytes = reported.peak_rss_bytes;
    if (reported.copy_peak_bytes && reported.peak_rss_bytes <= *reported.copy_peak_bytes + kCopyMargin)
      result.peak_memory_bytes = groups.run_peak().value_or(0);
    const bool oom_killed = groups.oom_killed();
    if (oom_killed) {
      // The group also counts page cache and kernel memory, so its peak only ever raises the RSS figure.
      if (auto peak = groups.peak_after_oom()) result.peak_memory_bytes = std::max(result.peak_memory_bytes, *peak);
    }
    if (!reported.child_error.empty()) return setup_failure("sandbox child: " + reported.child_error);
    if (reported.program_status) {
      if (WIFEXITED(*reported.program_status)) {
        result.status = RunStatus::Exited;
        result.exit_code = WEXITSTATUS(*reported.program_status);
      } else if (WIFSIGNALED(*reported.program_status)) {
        result.status = RunStatus::Signaled;
        result.signal = WTERMSIG(*reported.program_status);
      }
    } else if (!collected.wall_exceeded && !collected.out_overflow && !collected.cpu_exceeded && !oom_killed) {
      return setup_failure("sandbox: the reaper ended without reporting (status " + std::to_string(reaper_status) + ")");
    }
    result.memory_limit_reached = oom_killed || groups.memory_limit_reached();
    classify(result, collected, oom_killed, groups.memory != nullptr, limits);
    return result;
  } catch (const std::exception& e) {
    return setup_failure(e.what());
  }
}

}  // namespace r1eval::graders::code::sandbox
