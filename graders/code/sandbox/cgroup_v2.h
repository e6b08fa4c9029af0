// Per-run limits through a delegated cgroup v2 hierarchy: where the judge's process sits in a writable
// cgroup v2 tree whose memory and pids controllers it may enable, runs get their own group with
// memory.max, memory.swap.max and pids.max (and cpu.stat for CPU time). Run groups are the same
// RunCgroup objects as for v1 (cgroup_v1.h): the files differ, the directory handling does not.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace r1eval::graders::code::sandbox {

// The host directory of this process's cgroup v2 group, from the text of /proc/self/mountinfo and
// /proc/self/cgroup; nullopt when there is no cgroup2 mount or no "0::" line, or the mount does not
// show the group (a mount of another subtree).
std::optional<std::string> cgroup_v2_own_dir(std::string_view mountinfo, std::string_view proc_self_cgroup);

// Whether a cgroup.controllers / cgroup.subtree_control text lists `controller`.
bool lists_controller(std::string_view controllers, std::string_view controller);

struct CgroupV2Probe {
  std::optional<std::string> root;  // parent of the per-run groups, memory and pids enabled for its children
  std::string why_not;              // when root is nullopt: the first requirement that failed
};

// Probed once per process (thread-safe): creates <own group>/r1eval-judge-<pid> with memory and pids
// delegated to its children, proves a child can take a memory.max and a pids.max, and removes the folder
// at exit. Needs the own group to list memory and pids in cgroup.controllers and to have them enabled in
// (or be able to enable them in) its cgroup.subtree_control, which the kernel allows only for a group
// without processes of its own or a namespace root: e.g. a systemd unit with Delegate=yes whose
// processes sit in a leaf, or a container's root with cgroupns.
const CgroupV2Probe& cgroup_v2();

}  // namespace r1eval::graders::code::sandbox
