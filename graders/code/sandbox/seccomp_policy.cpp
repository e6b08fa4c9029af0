#include "graders/code/sandbox/seccomp_policy.h"

#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <asm/termbits.h>  // struct termios2, for TCGETS2
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

namespace r1eval::graders::code::sandbox {
namespace {

// What compilers, interpreters and contest programs call. Everything else fails with ENOSYS, as on a kernel
// that lacks the call, so that libc falls back where it can (faccessat2, fchmodat2, rseq; clone3 in
// particular, for clone, whose namespace flags are checked: clone3 passes its flags in memory, out of reach).
constexpr const char* kAllowed[] = {
    // memory (mmap and memfd_create under the huge-page rules below)
    "brk", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync", "mlock", "mlock2", "munlock",
    "mlockall", "munlockall", "membarrier", "get_mempolicy", "pkey_alloc", "pkey_free", "pkey_mprotect",
    // System V IPC inside the run's own IPC namespace (shmget under the huge-page rule below)
    "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semctl", "msgget", "msgsnd", "msgrcv", "msgctl",
    // descriptors and files (the view is read-only outside /box and /tmp)
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2", "lseek",
    "open", "openat", "openat2", "creat", "close", "close_range", "dup", "dup2", "dup3", "pipe", "pipe2", "stat",
    "fstat", "lstat", "newfstatat", "statx", "statfs", "fstatfs", "access", "faccessat", "faccessat2", "readlink",
    "readlinkat", "getdents", "getdents64", "getcwd", "chdir", "fchdir", "mkdir", "mkdirat", "rmdir", "unlink",
    "unlinkat", "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat", "chmod", "fchmod",
    "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat", "truncate", "ftruncate", "fallocate",
    "fsync", "fdatasync", "sync_file_range", "fadvise64", "readahead", "sendfile", "copy_file_range", "splice",
    "tee", "utime", "utimes", "utimensat", "futimesat", "umask", "getxattr", "lgetxattr", "fgetxattr", "listxattr",
    "llistxattr", "flistxattr", "getxattrat", "listxattrat",
    // extended attributes: shutil.copy2 copies them and takes EPERM / ENOTSUP, not ENOSYS; only user.* on the
    // writable tmpfs can succeed (security.* and trusted.* need capabilities, the view is read-only)
    "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr", "setxattrat", "removexattrat",
    // waiting on descriptors, timers and signals as descriptors
    "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
    "epoll_pwait2", "eventfd", "eventfd2", "timerfd_create", "timerfd_settime", "timerfd_gettime", "signalfd",
    "signalfd4",
    // processes and signals within the run's PID namespace (clone under the namespace rule below)
    "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "kill", "tkill", "tgkill",
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "rt_sigpending", "rt_sigtimedwait",
    "rt_sigqueueinfo", "rt_tgsigqueueinfo", "sigaltstack", "pause", "restart_syscall", "prctl", "seccomp",
    // threads (and what newer libcs call: futex2, CET shadow stacks, sealed mappings)
    "futex", "futex_waitv", "futex_wake", "futex_wait", "futex_requeue", "map_shadow_stack", "mseal",
    "set_robust_list", "get_robust_list", "set_tid_address", "rseq", "arch_prctl", "gettid",
    // clocks and timers
    "alarm", "getitimer", "setitimer", "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres",
    "gettimeofday", "time", "times", "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun",
    "timer_delete",
    // scheduling (CPU placement stays inside the run's cgroup; real-time policies and raised priorities need a
    // capability: SCHED_BATCH, SCHED_IDLE and explicit-scheduling pthread attributes work)
    "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam", "sched_setparam", "sched_getscheduler",
    "sched_setscheduler", "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval", "sched_getattr",
    "sched_setattr", "getpriority", "setpriority", "getcpu", "ioprio_get", "ioprio_set", "personality",
    // identity, limits and the machine's description (prlimit64 under the rule below)
    "getpid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getgroups", "getresuid", "getresgid", "getpgid",
    "getpgrp", "getsid", "capget", "uname", "sysinfo", "getrandom", "getrlimit", "setrlimit", "getrusage",
};

// Refused with EPERM rather than left to ENOSYS: what a program may well try and should see refused.
constexpr const char* kRefused[] = {
    // network
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4", "sendto", "recvfrom", "sendmsg",
    "recvmsg", "sendmmsg", "recvmmsg", "shutdown", "getsockname", "getpeername", "setsockopt", "getsockopt",
    // other processes' memory and tracing
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_open", "pidfd_getfd", "pidfd_send_signal",
    // file systems and namespaces
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    // escaping the process group the judge kills
    "setsid", "setpgid",
    // identity changes
    "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups", "setfsuid", "setfsgid",
    "capset",
    // kernel attack surface
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "modify_ldt", "vmsplice",
    // per-user and machine-wide pools: inotify instances, asynchronous I/O contexts, write-back of every file system
    "inotify_init", "inotify_init1", "io_setup", "sync", "syncfs",
    // locks on files of the read-only view, which the host's own processes also lock (/usr, ld.so.cache)
    "flock",
};

// fcntl: descriptor flags, duplication, status flags, lock queries and seals.
constexpr scmp_datum_t kFcntlAllowed[] = {
    F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETLK, F_OFD_GETLK, F_GETOWN, F_GETSIG,
    F_GETPIPE_SZ, F_ADD_SEALS, F_GET_SEALS, F_GETLEASE,
};
// Growing a pipe draws on the pipe pages every sandbox shares (one host user runs them all); a lock on a host
// file opened for reading blocks the host's writers; directory notifications fire on any process's access
// under the read-only view (a side channel onto other runs, compilers and checkers).
constexpr scmp_datum_t kFcntlRefused[] = {
    F_SETPIPE_SZ, F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW, F_NOTIFY, F_SETLEASE,
};
// ioctl: what libc and interpreters ask of a descriptor (isatty, window size, bytes ready, close-on-exec,
// non-blocking). Terminal control beyond that (TIOCSTI) is out: the run has no terminal to talk to.
constexpr scmp_datum_t kIoctlAllowed[] = {
    TCGETS, TCGETS2, TIOCGWINSZ, TIOCGPGRP, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX,
};

constexpr scmp_datum_t kNamespaceFlags[] = {
    CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP,
};

struct ContextDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};

void check(int rc, const std::string& what) {
  if (rc < 0) throw std::runtime_error("seccomp: " + what + " failed: " + std::strerror(-rc));
}

// A name this architecture or libseccomp version does not know is skipped (0 rules), not an error.
void add_by_name(scmp_filter_ctx ctx, std::uint32_t action, const char* name) {
  const int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return;
  check(seccomp_rule_add(ctx, action, nr, 0), std::string("rule for ") + name);
}

// Allowed when none of the flags is set; refused with EPERM when any is.
void add_flag_rules(scmp_filter_ctx ctx, int nr, unsigned argument, std::span<const scmp_datum_t> flags,
                    const char* what) {
  scmp_datum_t all = 0;
  for (const scmp_datum_t flag : flags) all |= flag;
  check(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_CMP(argument, SCMP_CMP_MASKED_EQ, all, 0)), what);
  for (const scmp_datum_t flag : flags) {
    check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1, SCMP_CMP(argument, SCMP_CMP_MASKED_EQ, flag, flag)),
          what);
  }
}

// One rule per value of the second argument (a command), each with the same action.
void add_command_rules(scmp_filter_ctx ctx, std::uint32_t action, int nr, std::span<const scmp_datum_t> commands,
                       const char* what) {
  for (const scmp_datum_t command : commands) {
    check(seccomp_rule_add(ctx, action, nr, 1, SCMP_A1(SCMP_CMP_EQ, command)), what);
  }
}

std::vector<sock_filter> build() {
  std::unique_ptr<void, ContextDeleter> ctx(seccomp_init(SCMP_ACT_ERRNO(ENOSYS)));
  if (!ctx) throw std::runtime_error("seccomp: seccomp_init failed");
  scmp_filter_ctx filter = ctx.get();
  // Another architecture's or x32's call kills the whole process, not only the calling thread.
  check(seccomp_attr_set(filter, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS), "bad-architecture action");
  // A binary search over the syscall numbers instead of one comparison after another.
  check(seccomp_attr_set(filter, SCMP_FLTATR_CTL_OPTIMIZE, 2), "binary-tree optimization");
  for (const char* name : kAllowed) add_by_name(filter, SCMP_ACT_ALLOW, name);
  for (const char* name : kRefused) add_by_name(filter, SCMP_ACT_ERRNO(EPERM), name);
  add_command_rules(filter, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), kFcntlAllowed, "fcntl rule");
  add_command_rules(filter, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fcntl), kFcntlRefused, "fcntl rule");
  add_command_rules(filter, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), kIoctlAllowed, "ioctl rule");
  add_flag_rules(filter, SCMP_SYS(clone), 0, kNamespaceFlags, "clone namespace rule");
  // mkfifo passes; device nodes are refused (regular files and sockets by mknod: ENOSYS).
  for (const auto& [name, mode_argument] : {std::pair<const char*, unsigned>{"mknod", 1}, {"mknodat", 2}}) {
    const int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;
    check(seccomp_rule_add(filter, SCMP_ACT_ALLOW, nr, 1, SCMP_CMP(mode_argument, SCMP_CMP_MASKED_EQ, S_IFMT, S_IFIFO)),
          "mknod rule");
    for (const scmp_datum_t device : {S_IFCHR, S_IFBLK}) {
      check(seccomp_rule_add(filter, SCMP_ACT_ERRNO(EPERM), nr, 1, SCMP_CMP(mode_argument, SCMP_CMP_MASKED_EQ, S_IFMT, device)),
            "mknod rule");
    }
  }
  // Huge pages are charged to no memory group of cgroup v1 and come from the host's own reserved pool:
  // memory past the run's limit, taken from the host.
  const scmp_datum_t map_hugetlb[] = {MAP_HUGETLB};
  const scmp_datum_t mfd_hugetlb[] = {MFD_HUGETLB};
  const scmp_datum_t shm_hugetlb[] = {SHM_HUGETLB};
  add_flag_rules(filter, SCMP_SYS(mmap), 3, map_hugetlb, "mmap MAP_HUGETLB rule");
  add_flag_rules(filter, SCMP_SYS(memfd_create), 1, mfd_hugetlb, "memfd_create MFD_HUGETLB rule");
  add_flag_rules(filter, SCMP_SYS(shmget), 2, shm_hugetlb, "shmget SHM_HUGETLB rule");
  // Another process's limits: the reaper (PID 1 of the run) shares the program's ids, and a CPU limit of 0 set
  // on it would kill it unreported, turning the program's own failure into a judge failure (SE). Reading any
  // process's limits (no new value), and setting the program's own (pid 0), stay allowed; the rest is ENOSYS.
  check(seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1, SCMP_A0(SCMP_CMP_EQ, 0)), "prlimit64 rule");
  check(seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1, SCMP_A2(SCMP_CMP_EQ, 0)), "prlimit64 rule");
  // The filter is exported through a memory file because libseccomp 2.5 has no in-memory export.
  int fd = memfd_create("r1eval-seccomp", MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("seccomp: memfd_create failed: ") + std::strerror(errno));
  std::unique_ptr<int, void (*)(int*)> guard(&fd, [](int* f) { close(*f); });
  check(seccomp_export_bpf(filter, fd), "seccomp_export_bpf");
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
