// cgroup v2 probe: locating this process's group from /proc texts (pure), and what the probe concluded
// on the machine running the tests (which may or may not delegate a v2 memory controller).
#include <gtest/gtest.h>

#include "graders/code/sandbox/cgroup_v2.h"
#include "graders/code/sandbox/isolation.h"

namespace r1eval::graders::code::sandbox {
namespace {

const char* kHybridMountinfo =
    "30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
    "35 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "40 30 0:36 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

TEST(CgroupV2, OwnDirJoinsMountPointAndGroup) {
  EXPECT_EQ(cgroup_v2_own_dir(kHybridMountinfo, "4:memory:/x\n0::/user.slice/judge.service\n"),
            "/sys/fs/cgroup/unified/user.slice/judge.service");
  EXPECT_EQ(cgroup_v2_own_dir(kHybridMountinfo, "0::/\n"), "/sys/fs/cgroup/unified");
}

TEST(CgroupV2, OwnDirOfASubtreeMount) {
  // A container that sees only its own subtree mounted at /sys/fs/cgroup.
  const char* mountinfo = "50 40 0:40 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
  EXPECT_EQ(cgroup_v2_own_dir(mountinfo, "0::/docker/abc\n"), "/sys/fs/cgroup");
  EXPECT_EQ(cgroup_v2_own_dir(mountinfo, "0::/docker/abc/worker\n"), "/sys/fs/cgroup/worker");
  EXPECT_EQ(cgroup_v2_own_dir(mountinfo, "0::/elsewhere\n"), std::nullopt);
}

TEST(CgroupV2, NoV2MountOrLineMeansNone) {
  EXPECT_EQ(cgroup_v2_own_dir("35 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", "0::/\n"),
            std::nullopt);
  EXPECT_EQ(cgroup_v2_own_dir(kHybridMountinfo, "4:memory:/x\n"), std::nullopt);
}

TEST(CgroupV2, ControllerListsAreWords) {
  EXPECT_TRUE(lists_controller("cpuset cpu io memory pids\n", "memory"));
  EXPECT_FALSE(lists_controller("cpuset cpu io hugetlb\n", "memory"));
  EXPECT_FALSE(lists_controller("memory_recursiveprot\n", "memory"));
  EXPECT_FALSE(lists_controller("", "pids"));
}

TEST(CgroupV2, ProbeIsOneAnswerAndTheSummaryNamesIt) {
  const CgroupV2Probe& probe = cgroup_v2();
  EXPECT_EQ(&probe, &cgroup_v2());
  const Isolation& iso = isolation();
  if (probe.root) {
    EXPECT_EQ(iso.cgroup_v2, probe.root);
    EXPECT_FALSE(iso.memory_cgroup.has_value());
    EXPECT_NE(iso.describe().find("cgroup-v2 memory,pids,cpu"), std::string::npos) << iso.describe();
  } else {
    EXPECT_FALSE(probe.why_not.empty());
    EXPECT_FALSE(iso.cgroup_v2.has_value());
    EXPECT_EQ(iso.describe().find("cgroup-v2"), std::string::npos) << iso.describe();
  }
}

}  // namespace
}  // namespace r1eval::graders::code::sandbox
