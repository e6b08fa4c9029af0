// Which isolation layers this machine allows, found once by trying them.
#pragma once
#include <optional>
#include <string>

namespace r1eval::graders::code::sandbox {

struct Layers {
  bool user_namespace = false;
  bool pid_namespace = false;
  bool network_namespace = false;
  bool mount_namespace = false;
  bool ipc_namespace = false;
  bool seccomp = false;
  bool unprivileged_uid = false;  // the program runs as a uid with no rights on the judge's files
  // Root's faster variant: every run joins one empty network namespace made at probe time (creating a
  // network namespace per run costs milliseconds), and enters its user namespace after the mounts.
  bool shared_network = false;
};

struct Isolation {
  Layers layers;
  // Parent of per-run cgroup v2 groups (memory.max, pids.max, cpu.stat); when set, the v1 fields are unset.
  std::optional<std::string> cgroup_v2;
  std::optional<std::string> memory_cgroup;  // parent of per-run memory groups; nullopt: RLIMIT_AS
  std::optional<std::string> pids_cgroup;    // parent of per-run pids groups; nullopt: RLIMIT_NPROC only
  std::optional<std::string> cpuacct_cgroup; // parent of per-run CPU accounting groups; nullopt: rusage only
  std::string notes;                         // why a layer is missing, when one is
  int shared_network_fd = -1;                // the empty network namespace runs join (shared_network)

  // One line naming the active layers, e.g.
  // "namespaces user,pid,net,mount,ipc; uid 65534; seccomp; cgroup-v1 memory,pids; rlimits".
  std::string describe() const;
};

// Probes on first call (thread-safe): tries the full set of namespaces with a real run of a trivial
// program, then fewer, and keeps the first set that works; checks seccomp and the cgroups the same way:
// a delegated cgroup v2 hierarchy first (cgroup_v2.h), else the cgroup v1 controllers, else rlimits only. Later calls return the same answer.
const Isolation& isolation();

// The ids the program runs as: inside its user namespace when there is one, and the host uid/gid
// they map to (or are set to, as root without user namespaces).
constexpr unsigned kInsideId = 1000;
constexpr unsigned kNobodyId = 65534;

}  // namespace r1eval::graders::code::sandbox
