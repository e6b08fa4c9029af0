#include "graders/code/sandbox/cgroup_v2.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "graders/code/sandbox/stale_groups.h"

namespace r1eval::graders::code::sandbox {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool write_text(const std::string& path, const std::string& value) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  close(fd);
  return ok;
}

// Makes sure `dir`'s children get `controller`: already enabled, or enabled now.
bool delegate(const std::string& dir, const std::string& controller) {
  if (lists_controller(read_text(dir + "/cgroup.subtree_control"), controller)) return true;
  return write_text(dir + "/cgroup.subtree_control", "+" + controller);
}

struct Owned {
  CgroupV2Probe probe;
  ~Owned() {
    if (probe.root) rmdir(probe.root->c_str());  // empty by now: every run group removed itself
  }
};

CgroupV2Probe run_probe() {
  CgroupV2Probe out;
  const auto own = cgroup_v2_own_dir(read_text("/proc/self/mountinfo"), read_text("/proc/self/cgroup"));
  if (!own) {
    out.why_not = "no cgroup v2 mount showing this process's group";
    return out;
  }
  const std::string controllers = read_text(*own + "/cgroup.controllers");
  for (const char* needed : {"memory", "pids"}) {
    if (!lists_controller(controllers, needed)) {
      out.why_not = std::string("cgroup v2 group ") + *own + " has no " + needed + " controller";
      return out;
    }
  }
  if (!delegate(*own, "memory") || !delegate(*own, "pids")) {
    out.why_not = "cgroup v2 group " + *own + ": cannot enable memory and pids for child groups";
    return out;
  }
  remove_stale_judge_groups(*own);
  const std::string root = *own + "/r1eval-judge-" + std::to_string(getpid());
  if (mkdir(root.c_str(), 0755) != 0 && errno != EEXIST) {
    out.why_not = "cgroup v2: cannot create " + root;
    return out;
  }
  // A probe group proves that limits can be set below the root, not just that the folder exists.
  const std::string probe = root + "/probe";
  bool ok = delegate(root, "memory") && delegate(root, "pids") && (mkdir(probe.c_str(), 0755) == 0 || errno == EEXIST);
  ok = ok && write_text(probe + "/memory.max", "67108864") && write_text(probe + "/pids.max", "16");
  rmdir(probe.c_str());
  if (!ok) {
    rmdir(root.c_str());
    out.why_not = "cgroup v2: limits refused below " + root;
    return out;
  }
  out.root = root;
  return out;
}

}  // namespace

std::optional<std::string> cgroup_v2_own_dir(std::string_view mountinfo, std::string_view proc_self_cgroup) {
  std::optional<std::string> group;
  std::istringstream cgroups{std::string(proc_self_cgroup)};
  for (std::string line; std::getline(cgroups, line);)
    if (line.rfind("0::", 0) == 0) group = line.substr(3);
  if (!group || group->empty() || (*group)[0] != '/') return std::nullopt;

  std::istringstream mounts{std::string(mountinfo)};
  for (std::string line; std::getline(mounts, line);) {
    const std::size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    std::string fstype;
    tail >> fstype;
    if (fstype != "cgroup2") continue;
    std::istringstream head(line.substr(0, dash));
    std::string id, parent, devices, root, mount_point;
    head >> id >> parent >> devices >> root >> mount_point;
    // The mount shows the subtree `root`; our group must lie inside it.
    if (root == "/") return mount_point + (*group == "/" ? "" : *group);
    if (*group == root) return mount_point;
    if (group->rfind(root + "/", 0) == 0) return mount_point + group->substr(root.size());
  }
  return std::nullopt;
}

bool lists_controller(std::string_view controllers, std::string_view controller) {
  std::istringstream words{std::string(controllers)};
  for (std::string word; words >> word;)
    if (word == controller) return true;
  return false;
}

const CgroupV2Probe& cgroup_v2() {
  static const Owned owned{run_probe()};
  return owned.probe;
}

}  // namespace r1eval::graders::code::sandbox
