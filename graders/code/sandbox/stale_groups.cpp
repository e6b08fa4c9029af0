#include "graders/code/sandbox/stale_groups.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace r1eval::graders::code::sandbox {

bool names_a_gone_process(std::string_view digits) {
  pid_t pid = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (error != std::errc() || end != digits.data() + digits.size() || pid <= 0 || pid == getpid()) return false;
  return kill(pid, 0) != 0 && errno == ESRCH;  // alive, or not ours to signal: not gone
}

void remove_stale_judge_groups(const std::string& parent) {
  namespace fs = std::filesystem;
  constexpr std::string_view kPrefix = "r1eval-judge-";
  std::error_code ec;
  for (auto it = fs::directory_iterator(parent, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    const std::string name = entry.path().filename().string();
    if (name.rfind(kPrefix, 0) != 0) continue;
    if (!names_a_gone_process(std::string_view(name).substr(kPrefix.size()))) continue;
    std::error_code inner;
    for (auto group = fs::directory_iterator(entry.path(), inner); !inner && group != fs::directory_iterator();
         group.increment(inner))
      if (group->is_directory(inner)) ::rmdir(group->path().c_str());  // cgroup files cannot be unlinked
    ::rmdir(entry.path().c_str());
  }
}

}  // namespace r1eval::graders::code::sandbox
