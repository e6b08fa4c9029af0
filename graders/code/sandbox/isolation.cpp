#include "graders/code/sandbox/isolation.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "graders/code/sandbox/cgroup_v1.h"
#include "graders/code/sandbox/cgroup_v2.h"
#include "graders/code/sandbox/sandbox.h"
#include "graders/code/sandbox/seccomp_policy.h"

namespace r1eval::graders::code::sandbox {
namespace {

// A trivial program that exists on any system the judge can compile on.
std::string probe_program() {
  for (const char* path : {"/usr/bin/true", "/bin/true"}) {
    if (std::filesystem::exists(path)) return path;
  }
  return "/usr/bin/true";
}

bool works(const Isolation& candidate, std::string& why) {
  RunSpec spec;
  spec.argv = {probe_program()};
  spec.mounts = system_view();
  spec.mounts.push_back({MountSpec::Kind::Tmpfs, "/box", "", 1 << 20});
  spec.working_dir = "/box";
  spec.limits.cpu_seconds = 2;
  spec.limits.wall_seconds = 10;
  RunResult result = run_sandboxed(spec, candidate);
  if (result.status == RunStatus::Exited && result.exit_code == 0) return true;
  why = result.status == RunStatus::SetupFailed ? result.error : "probe program did not exit cleanly";
  return false;
}

// An empty network namespace (only a downed loopback) that outlives its creator through an open
// descriptor; -1 when the kernel refuses.
int make_empty_network_namespace() {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return -1;
  pid_t holder = static_cast<pid_t>(syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
  if (holder == 0) {
    close(pipe_fds[1]);
    char byte;
    if (read(pipe_fds[0], &byte, 1) < 0) _exit(1);  // wait until the parent holds the namespace
    _exit(0);
  }
  int fd = -1;
  if (holder > 0) {
    fd = open(("/proc/" + std::to_string(holder) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
    close(pipe_fds[1]);
    waitpid(holder, nullptr, 0);
  } else {
    close(pipe_fds[1]);
  }
  close(pipe_fds[0]);
  return fd;
}

Isolation probe() {
  Isolation iso;
  const CgroupV2Probe& v2 = cgroup_v2();
  if (v2.root) {
    iso.cgroup_v2 = v2.root;
  } else {
    iso.notes += v2.why_not + "; ";
    iso.memory_cgroup = judge_cgroup_root("memory");
    iso.pids_cgroup = judge_cgroup_root("pids");
    iso.cpuacct_cgroup = judge_cgroup_root("cpuacct");
    if (!iso.memory_cgroup) iso.notes += "no writable cgroup v1 memory controller (RLIMIT_AS instead); ";
    if (!iso.pids_cgroup) iso.notes += "no writable cgroup v1 pids controller; ";
  }
  bool seccomp_ok = true;
  try {
    seccomp_program();
  } catch (const std::exception& e) {
    seccomp_ok = false;
    iso.notes += std::string(e.what()) + "; ";
  }
  const bool root = geteuid() == 0;
  std::vector<Layers> candidates;
  int network_fd = root ? make_empty_network_namespace() : -1;
  if (network_fd >= 0) {
    iso.shared_network_fd = network_fd;
    candidates.push_back({true, true, true, true, true, seccomp_ok, true, true});
  }
  candidates.push_back({true, true, true, true, true, seccomp_ok, true});
  if (root) candidates.push_back({false, true, true, true, true, seccomp_ok, true});
  candidates.push_back({false, false, false, false, false, seccomp_ok, root});
  if (seccomp_ok) candidates.push_back({false, false, false, false, false, false, root});
  for (const Layers& layers : candidates) {
    Isolation candidate = iso;
    candidate.layers = layers;
    std::string why;
    if (works(candidate, why)) {
      if (seccomp_ok && !layers.seccomp) iso.notes += "seccomp filter refused by the kernel; ";
      candidate.notes = iso.notes;
      return candidate;
    }
    iso.notes += "layer set failed (" + why + "); ";
  }
  iso.layers = {};
  iso.notes += "no working sandbox";
  if (network_fd >= 0) close(network_fd);
  iso.shared_network_fd = -1;
  return iso;
}

}  // namespace

std::string Isolation::describe() const {
  std::string ns;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!ns.empty()) ns += ",";
    ns += name;
  };
  add(layers.user_namespace, "user");
  add(layers.pid_namespace, "pid");
  add(layers.network_namespace, layers.shared_network ? "net(shared, empty)" : "net");
  add(layers.mount_namespace, "mount");
  add(layers.ipc_namespace, "ipc");
  std::string text = "namespaces " + (ns.empty() ? std::string("none") : ns);
  if (layers.unprivileged_uid || layers.user_namespace) {
    text += "; uid " + std::to_string(geteuid() == 0 ? kNobodyId : geteuid());
  } else {
    text += "; uid unchanged";
  }
  text += layers.seccomp ? "; seccomp" : "; no seccomp";
  std::string groups;
  if (memory_cgroup) groups = "memory";
  if (pids_cgroup) groups += groups.empty() ? "pids" : ",pids";
  if (cpuacct_cgroup) groups += groups.empty() ? "cpuacct" : ",cpuacct";
  if (cgroup_v2) text += "; cgroup-v2 memory,pids,cpu";
  else text += groups.empty() ? "; no cgroups (RLIMIT_AS)" : "; cgroup-v1 " + groups;
  text += "; rlimits";
  return text;
}

const Isolation& isolation() {
  static const Isolation probed = probe();
  return probed;
}

}  // namespace r1eval::graders::code::sandbox
