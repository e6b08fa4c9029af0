#include "graders/code/sandbox/seccomp_policy.h"

#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace r1eval::graders::code::sandbox {
namespace {

constexpr const char* kDenied[] = {
    // network
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
    // other processes' memory and tracing
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    // file systems and namespaces
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "fsopen", "fsmount", "fsconfig",
    "fspick", "move_mount", "open_tree", "mount_setattr", "open_by_handle_at", "name_to_handle_at",
    "mknod", "mknodat", "quotactl", "quotactl_fd", "acct", "fanotify_init",
    // escaping the process group the judge kills
    "setsid", "setpgid",
    // machine administration
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon",
    "swapoff", "syslog", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "iopl", "ioperm",
    "sethostname", "setdomainname", "vhangup", "lookup_dcookie",
    // kernel attack surface a contest program never needs
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "modify_ldt", "memfd_secret", "vmsplice", "listmount", "statmount",
    // other processes by pidfd, and page placement across the host's NUMA nodes
    "pidfd_open", "pidfd_send_signal", "process_madvise", "process_mrelease", "mbind", "set_mempolicy",
    "set_mempolicy_home_node", "migrate_pages", "move_pages",
    // per-user kernel quotas charged up to the host's root (instances here; queued signals are bounded by
    // RLIMIT_SIGPENDING, pipe buffers by the F_SETPIPE_SZ rule below)
    "inotify_init", "inotify_init1",
    // the host's asynchronous I/O contexts (fs.aio-max-nr is one pool for the whole machine)
    "io_setup",
    // locks on files of the read-only view, which the host's own processes also lock (/usr, ld.so.cache)
    "flock",
};

constexpr unsigned long long kNamespaceFlags[] = {
    CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP,
};

struct ContextDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};

void check(int rc, const std::string& what) {
  if (rc < 0) throw std::runtime_error("seccomp: " + what + " failed: " + std::strerror(-rc));
}

std::vector<sock_filter> build() {
  std::unique_ptr<void, ContextDeleter> ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) throw std::runtime_error("seccomp: seccomp_init failed");
  for (const char* name : kDenied) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture or libseccomp version
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), nr, 0), std::string("deny ") + name);
  }
  for (unsigned long long flag : kNamespaceFlags) {
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)),
          "clone namespace rule");
  }
  // Growing a pipe's buffer draws on the pipe pages every sandbox shares (one host user runs them all).
  check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, F_SETPIPE_SZ)),
        "fcntl F_SETPIPE_SZ rule");
  // Record locks, too: a shared lock on a host file opened for reading blocks the host's writers.
  for (const scmp_datum_t command : {F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW}) {
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, command)),
          "fcntl lock rule");
  }
  // Another process's limits: the reaper (PID 1 of the run) shares the program's ids, and a CPU limit of 0 set
  // on it would kill it unreported, turning the program's own failure into a judge failure (SE). Reading them,
  // and setting the program's own (pid 0), stay allowed.
  check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(prlimit64), 2, SCMP_A0(SCMP_CMP_NE, 0),
                         SCMP_A2(SCMP_CMP_NE, 0)),
        "prlimit64 rule");
  // Directory notifications fire on any process's access under the read-only view (/usr): a side channel
  // onto other runs, compilers and checkers.
  check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fcntl), 1, SCMP_A1(SCMP_CMP_EQ, F_NOTIFY)),
        "fcntl F_NOTIFY rule");
  // Huge pages are charged to no memory group of cgroup v1 and come from the host's own reserved pool:
  // memory past the run's limit, taken from the host.
  check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mmap), 1,
                         SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_HUGETLB, MAP_HUGETLB)),
        "mmap MAP_HUGETLB rule");
  check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(memfd_create), 1,
                         SCMP_A1(SCMP_CMP_MASKED_EQ, MFD_HUGETLB, MFD_HUGETLB)),
        "memfd_create MFD_HUGETLB rule");
  check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(shmget), 1,
                         SCMP_A2(SCMP_CMP_MASKED_EQ, SHM_HUGETLB, SHM_HUGETLB)),
        "shmget SHM_HUGETLB rule");
  int clone3 = seccomp_syscall_resolve_name("clone3");
  if (clone3 != __NR_SCMP_ERROR) {
    check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(ENOSYS), clone3, 0), "clone3 rule");
  }
  // The filter is exported through a memory file because libseccomp 2.5 has no in-memory export.
  int fd = memfd_create("r1eval-seccomp", MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("seccomp: memfd_create failed: ") + std::strerror(errno));
  std::unique_ptr<int, void (*)(int*)> guard(&fd, [](int* f) { close(*f); });
  check(seccomp_export_bpf(ctx.get(), fd), "seccomp_export_bpf");
  off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0) {
    throw std::runtime_error("seccomp: exported filter has an unexpected size " + std::to_string(size));
  }
  std::vector<sock_filter> program(static_cast<std::size_t>(size) / sizeof(sock_filter));
  if (pread(fd, program.data(), static_cast<std::size_t>(size), 0) != size) {
    throw std::runtime_error("seccomp: reading the exported filter failed");
  }
  return program;
}

}  // namespace

const std::vector<sock_filter>& seccomp_program() {
  static const std::vector<sock_filter> program = build();
  return program;
}

}  // namespace r1eval::graders::code::sandbox
