// Cgroups left behind by judges that were killed (SIGKILL runs no destructor): each judge process keeps its
// run groups under `r1eval-judge-<pid>`; a new judge removes those of processes that no longer exist.
#pragma once
#include <string>
#include <string_view>

namespace r1eval::graders::code::sandbox {

// The `r1eval-judge-<pid>` folders directly under `parent` (a cgroup folder) whose pid is gone: their
// child groups, then themselves. A group that still holds a process cannot be removed and stays. Errors
// are ignored: this only tidies.
void remove_stale_judge_groups(const std::string& parent);

// True when `digits` is the pid of another process that no longer exists: what a judge's leftovers are
// named after (these groups; the work folders of scratch_folder.h).
bool names_a_gone_process(std::string_view digits);

}  // namespace r1eval::graders::code::sandbox
