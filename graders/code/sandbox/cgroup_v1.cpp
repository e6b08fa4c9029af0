#include "graders/code/sandbox/cgroup_v1.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <map>

#include "graders/code/sandbox/stale_groups.h"

namespace r1eval::graders::code::sandbox {
namespace {

bool write_file(const std::string& path, const std::string& value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  close(fd);
  return ok;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Where the v1 hierarchy of `controller` is mounted, from /proc/self/mountinfo.
std::optional<std::string> mount_point(const std::string& controller) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    std::string fstype, source, options;
    tail >> fstype >> source >> options;
    if (fstype != "cgroup") continue;
    std::istringstream opts(options);
    std::string opt;
    bool match = false;
    while (std::getline(opts, opt, ',')) match = match || opt == controller;
    if (!match) continue;
    std::istringstream head(line.substr(0, dash));
    std::string id, parent, devices, root, mount;
    head >> id >> parent >> devices >> root >> mount;
    if (root != "/") continue;  // only a mount of the whole hierarchy shows our own group's path
    return mount;
  }
  return std::nullopt;
}

// This process's group in the v1 hierarchy of `controller`, from /proc/self/cgroup.
std::optional<std::string> own_group(const std::string& controller) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    std::size_t first = line.find(':');
    std::size_t second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::istringstream names(line.substr(first + 1, second - first - 1));
    std::string name;
    while (std::getline(names, name, ',')) {
      if (name == controller) return line.substr(second + 1);
    }
  }
  return std::nullopt;
}

// Removes the per-process parent groups at exit; they are empty by then because every run removed its own.
struct RootRegistry {
  std::mutex mutex;
  std::map<std::string, std::optional<std::string>> roots;
  ~RootRegistry() {
    for (auto& [controller, root] : roots) {
      if (root) rmdir(root->c_str());
    }
  }
};

RootRegistry& registry() {
  static RootRegistry instance;
  return instance;
}

std::optional<std::string> create_root(const std::string& controller) {
  auto mount = mount_point(controller);
  auto group = own_group(controller);
  if (!mount || !group) return std::nullopt;
  std::string base = *mount + (*group == "/" ? "" : *group);
  remove_stale_judge_groups(base);
  std::string root = base + "/r1eval-judge-" + std::to_string(getpid());
  if (mkdir(root.c_str(), 0755) != 0 && errno != EEXIST) return std::nullopt;
  // A probe group proves that limits can be set below the root, not just that the directory exists.
  std::string probe = root + "/probe";
  bool ok = mkdir(probe.c_str(), 0755) == 0 || errno == EEXIST;
  if (ok) {
    if (controller == "memory") {
      ok = write_file(probe + "/memory.limit_in_bytes", "67108864");
    } else if (controller == "pids") {
      ok = write_file(probe + "/pids.max", "16");
    } else {
      ok = write_file(probe + "/cpuacct.usage", "0");
    }
    rmdir(probe.c_str());
  }
  if (!ok) {
    rmdir(root.c_str());
    return std::nullopt;
  }
  return root;
}

}  // namespace

std::optional<std::string> judge_cgroup_root(const std::string& controller) {
  RootRegistry& reg = registry();
  std::lock_guard lock(reg.mutex);
  auto it = reg.roots.find(controller);
  if (it == reg.roots.end()) it = reg.roots.emplace(controller, create_root(controller)).first;
  return it->second;
}

RunCgroup::RunCgroup(const std::string& root, const std::string& name) : path_(root + "/" + name) {
  if (mkdir(path_.c_str(), 0755) != 0) {
    throw std::runtime_error("cgroup " + path_ + ": mkdir failed: " + std::strerror(errno));
  }
}

RunCgroup::~RunCgroup() {
  kill_all();
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (rmdir(path_.c_str()) == 0 || errno == ENOENT) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

bool RunCgroup::write(const std::string& file, const std::string& value) const {
  return write_file(path_ + "/" + file, value);
}

std::optional<std::uint64_t> RunCgroup::read(const std::string& file, const std::string& key) const {
  std::istringstream in(read_file(path_ + "/" + file));
  if (key.empty()) {
    std::uint64_t value = 0;
    if (in >> value) return value;
    return std::nullopt;
  }
  std::string name;
  std::uint64_t value = 0;
  while (in >> name >> value) {
    if (name == key) return value;
  }
  return std::nullopt;
}

bool RunCgroup::set(const std::string& file, const std::string& value) {
  auto it = written_.find(file);
  if (it != written_.end() && it->second == value) return true;
  if (!write(file, value)) {
    written_.erase(file);
    return false;
  }
  written_[file] = value;
  return true;
}

bool RunCgroup::attach(pid_t pid) const { return write("cgroup.procs", std::to_string(pid)); }

bool RunCgroup::kill_all() const {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::istringstream procs(read_file(path_ + "/cgroup.procs"));
    pid_t pid = 0;
    bool any = false;
    while (procs >> pid) {
      any = true;
      ::kill(pid, SIGKILL);
    }
    if (!any) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

bool RunCgroup::memory_released() const {
  // A run's own pages go when its processes do; what stays is kernel objects and cache it caused. Past a
  // few pages, reclaim them (v1 force_empty; v2 memory.reclaim, which may answer that it fell short).
  constexpr std::uint64_t kLeftoverBytes = 1u << 20;
  const bool v1 = read("memory.usage_in_bytes").has_value();
  const char* usage_file = v1 ? "memory.usage_in_bytes" : "memory.current";
  const auto usage = read(usage_file);
  if (!usage) return true;  // not a memory group
  if (*usage <= kLeftoverBytes) return true;
  if (v1) {
    write("memory.force_empty", "0");
  } else {
    write("memory.reclaim", std::to_string(*usage));
  }
  return read(usage_file).value_or(0) <= kLeftoverBytes;
}

RunCgroupPool::Lease::~Lease() {
  if (!group_ || !group_->kill_all()) return;  // still not empty: the group's destructor tries to remove it
  if (!group_->memory_released()) return;     // charges it cannot shed: a fresh group serves the next run
  std::lock_guard lock(pool_->mutex_);
  pool_->free_.push_back(std::move(group_));
}

RunCgroupPool::Lease RunCgroupPool::take() {
  std::unique_ptr<RunCgroup> group;
  std::string name;
  {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      group = std::move(free_.back());
      free_.pop_back();
    } else {
      name = "run-" + std::to_string(made_++);
    }
  }
  if (!group) group = std::make_unique<RunCgroup>(root_, name);
  return Lease(this, std::move(group));
}

RunCgroupPool& pool_for(const std::string& root) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<RunCgroupPool>> pools;
  std::lock_guard lock(mutex);
  auto& pool = pools[root];
  if (!pool) pool = std::make_unique<RunCgroupPool>(root);
  return *pool;
}

}  // namespace r1eval::graders::code::sandbox
