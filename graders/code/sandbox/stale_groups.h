// Cgroups left behind by judges that were killed (SIGKILL runs no destructor): each judge process keeps its
// run groups under `r1eval-judge-<pid>`; a new judge removes those of processes that no longer exist.
#pragma once
#include <string>

namespace r1eval::graders::code::sandbox {

// The `r1eval-judge-<pid>` folders directly under `parent` (a cgroup folder) whose pid is gone: their
// child groups, then themselves. A group that still holds a process cannot be removed and stays. Errors
// are ignored: this only tidies.
void remove_stale_judge_groups(const std::string& parent);

}  // namespace r1eval::graders::code::sandbox
