#include "graders/code/sandbox/isolation.h"

#include <unistd.h>

#include <filesystem>
#include <vector>

#include "graders/code/sandbox/cgroup_v1.h"
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

Isolation probe() {
  Isolation iso;
  iso.memory_cgroup = judge_cgroup_root("memory");
  iso.pids_cgroup = judge_cgroup_root("pids");
  if (!iso.memory_cgroup) iso.notes += "no writable cgroup v1 memory controller (RLIMIT_AS instead); ";
  if (!iso.pids_cgroup) iso.notes += "no writable cgroup v1 pids controller; ";
  bool seccomp_ok = true;
  try {
    seccomp_program();
  } catch (const std::exception& e) {
    seccomp_ok = false;
    iso.notes += std::string(e.what()) + "; ";
  }
  const bool root = geteuid() == 0;
  std::vector<Layers> candidates;
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
  add(layers.network_namespace, "net");
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
  text += groups.empty() ? "; no cgroups (RLIMIT_AS)" : "; cgroup-v1 " + groups;
  text += "; rlimits";
  return text;
}

const Isolation& isolation() {
  static const Isolation probed = probe();
  return probed;
}

}  // namespace r1eval::graders::code::sandbox
