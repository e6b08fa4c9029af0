#include "graders/code/sandbox/child.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <linux/close_range.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace r1eval::graders::code::sandbox {
namespace {

// Async-signal-safe reporting: "E<what>: <errno text>\n" to the report pipe, then exit.
[[noreturn]] void fail(const ChildPlan& plan, const char* what, const char* detail = nullptr) {
  int err = errno;
  char buffer[512];
  std::size_t n = 0;
  auto put = [&](const char* s) {
    while (s && *s && n + 2 < sizeof buffer) buffer[n++] = *s++;
  };
  put("E");
  put(what);
  if (detail) {
    put(" ");
    put(detail);
  }
  put(": ");
  put(strerrorname_np(err) ? strerrorname_np(err) : "unknown error");
  buffer[n++] = '\n';
  if (write(plan.report_fd, buffer, n) < 0) {
    // Nothing else can be done from here; the parent sees the run as a setup failure anyway.
  }
  _exit(127);
}

void close_all_except(std::array<int, 8> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned int next = 0;
  for (int fd : keep) {
    if (fd < 0) continue;
    if (static_cast<unsigned int>(fd) > next) syscall(SYS_close_range, next, static_cast<unsigned int>(fd) - 1, 0);
    next = static_cast<unsigned int>(fd) + 1;
  }
  syscall(SYS_close_range, next, ~0U, 0);
}

// mkdir -p for a path under the new root (which the process alone sees).
bool make_dirs(const char* path) {
  char buffer[4096];
  std::size_t len = strlen(path);
  if (len >= sizeof buffer) return false;
  memcpy(buffer, path, len + 1);
  for (std::size_t i = 1; i <= len; ++i) {
    if (buffer[i] == '/' || buffer[i] == '\0') {
      char saved = buffer[i];
      buffer[i] = '\0';
      if (mkdir(buffer, 0755) != 0 && errno != EEXIST) return false;
      buffer[i] = saved;
    }
  }
  return true;
}

bool make_parent_dirs(const char* path) {
  char buffer[4096];
  std::size_t len = strlen(path);
  if (len >= sizeof buffer) return false;
  memcpy(buffer, path, len + 1);
  char* slash = strrchr(buffer, '/');
  if (!slash || slash == buffer) return true;
  *slash = '\0';
  return make_dirs(buffer);
}

bool apply_mount(const MountStep& step) {
  switch (step.kind) {
    case MountKind::Symlink:
      return make_parent_dirs(step.target.c_str()) && symlink(step.source.c_str(), step.target.c_str()) == 0;
    case MountKind::Tmpfs:
      return make_dirs(step.target.c_str()) &&
             mount("tmpfs", step.target.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, step.source.c_str()) == 0;
    case MountKind::Proc:
      return make_dirs(step.target.c_str()) &&
             mount("proc", step.target.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0;
    case MountKind::BindReadOnly:
    case MountKind::BindWritable: {
      if (step.directory) {
        if (!make_dirs(step.target.c_str())) return false;
      } else {
        if (!make_parent_dirs(step.target.c_str())) return false;
        int fd = open(step.target.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0) return false;
        close(fd);
      }
      if (mount(step.source.c_str(), step.target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) return false;
      unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | step.keep_flags;
      if (step.kind == MountKind::BindReadOnly) flags |= MS_RDONLY;
      return mount(nullptr, step.target.c_str(), nullptr, flags, nullptr) == 0;
    }
  }
  return false;
}

void build_root(const ChildPlan& plan) {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail(plan, "make / private");
  if (mount("tmpfs", plan.new_root.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755") != 0) {
    fail(plan, "mount new root", plan.new_root.c_str());
  }
  for (const MountStep& step : plan.mounts) {
    if (!apply_mount(step) && !step.optional) fail(plan, "mount", step.target.c_str());
  }
  if (mount(nullptr, plan.new_root.c_str(), nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0) {
    fail(plan, "remount new root read-only");
  }
  if (chdir(plan.new_root.c_str()) != 0) fail(plan, "chdir new root");
  // pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the new view.
  if (syscall(SYS_pivot_root, ".", ".") != 0) fail(plan, "pivot_root");
  if (umount2(".", MNT_DETACH) != 0) fail(plan, "detach old root");
  if (chdir("/") != 0) fail(plan, "chdir /");
}

// Raw system calls on purpose: libc's wrappers broadcast id changes to every thread it believes
// exists, and after a raw clone of a multi-threaded judge those threads do not, so the wrappers hang.
void change_ids(const ChildPlan& plan) {
  if (plan.clear_groups && syscall(SYS_setgroups, 0, nullptr) != 0) fail(plan, "setgroups");
  if (syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) != 0) fail(plan, "setresgid");
  if (syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) != 0) fail(plan, "setresuid");
}

// 'B' + this reaper's peak resident set in KiB (VmHWM, read through `status_fd`, its /proc/<pid>/status
// opened before the new root hid the host's /proc) to the report pipe. The program's process starts as a
// copy of this reaper and the kernel keeps that copy's peak in the program's ru_maxrss: the parent tells
// the two apart with it.
void report_copy_peak(const ChildPlan& plan, int status_fd) {
  if (status_fd < 0) return;
  char text[8192];
  const ssize_t n = pread(status_fd, text, sizeof text - 1, 0);
  close(status_fd);
  if (n <= 0) return;
  text[n] = '\0';
  const char* at = strstr(text, "VmHWM:");
  if (at == nullptr) return;
  at += 6;
  while (*at == ' ' || *at == '\t') ++at;
  std::uint64_t kib = 0;
  while (*at >= '0' && *at <= '9') kib = kib * 10 + static_cast<std::uint64_t>(*at++ - '0');
  char message[1 + sizeof kib];
  message[0] = 'B';
  memcpy(message + 1, &kib, sizeof kib);
  if (write(plan.report_fd, message, sizeof message) < 0) {
    // Without it the parent takes the reported peak as the program's.
  }
}

[[noreturn]] void become_program(const ChildPlan& plan, pid_t reaper) {
  if (dup2(plan.stdin_fd, 0) < 0 || dup2(plan.stdout_fd, 1) < 0 || dup2(plan.stderr_fd, 2) < 0) {
    fail(plan, "dup2");
  }
  // The judge thread's blocked signals would otherwise carry over into the program.
  sigset_t none;
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, nullptr) != 0) fail(plan, "sigprocmask");
  // Only the report pipe stays open until execve succeeds.
  syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  // Under memory pressure in the run's cgroup the kernel should pick the program, not its reaper.
  int oom = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (oom >= 0) {
    if (write(oom, "1000", 4) < 0) {
      // Best effort: without /proc the reaper may be chosen, which the parent also reads as MLE.
    }
    close(oom);
  }
  if (!plan.working_dir.empty() && chdir(plan.working_dir.c_str()) != 0) fail(plan, "chdir", plan.working_dir.c_str());
  for (const ResourceLimit& limit : plan.limits) {
    rlimit value{limit.soft, limit.hard};
    if (setrlimit(limit.resource, &value) != 0) fail(plan, "setrlimit");
  }
  if (plan.change_ids && !plan.change_ids_first) change_ids(plan);
  // Without a PID namespace the program would outlive a killed reaper; set after the id change, which
  // clears it, and checked against a reaper already gone (the program would have a new parent).
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail(plan, "parent-death signal");
  if (getppid() != reaper) _exit(127);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(plan, "no_new_privs");
  if (plan.seccomp && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, plan.seccomp) != 0) fail(plan, "seccomp");
  execve(plan.executable.c_str(), plan.argv.data(), plan.envp.data());
  fail(plan, "execve", plan.executable.c_str());
}

}  // namespace

void run_child(const ChildPlan& plan) {
  // Opened while the host's /proc is still in view (the new root may have none): read just before the
  // program's process is made (report_copy_peak).
  const int status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  close_all_except({plan.sync_fd, plan.report_fd, plan.stdin_fd, plan.stdout_fd, plan.stderr_fd, plan.network_fd,
                    plan.request_fd, status_fd});
  char go = 0;
  if (read(plan.sync_fd, &go, 1) != 1) _exit(127);  // the parent gave up on this run
  // A session of its own even inside a PID namespace: kill(0, ...) and kill(-pgid, ...) reach every
  // member of the caller's process group whatever namespace it is in, so sharing the judge's group would
  // let one program kill the sandboxes running beside it.
  if (setsid() < 0) fail(plan, "setsid");
  // Without a PID namespace, orphans of the program still come back to this reaper.
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  if (plan.network_fd >= 0) {
    if (setns(plan.network_fd, CLONE_NEWNET) != 0) fail(plan, "join the empty network namespace");
    close(plan.network_fd);
  }
  if (plan.change_ids && plan.change_ids_first) change_ids(plan);
  if (plan.build_root) build_root(plan);
  if (plan.late_user_namespace) {
    if (unshare(CLONE_NEWUSER) != 0) fail(plan, "unshare user namespace");
    if (write(plan.request_fd, &go, 1) != 1) _exit(127);
    if (read(plan.sync_fd, &go, 1) != 1) _exit(127);  // the parent could not map the ids
    close(plan.request_fd);
    change_ids(plan);
  }
  close(plan.sync_fd);
  // The program runs as the same uid as this reaper: without this it could open /proc/1/fd/<report>
  // and write a forged report (a fake setup error would turn its own failure into SE).
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) fail(plan, "set non-dumpable");
  // /proc/1/cmdline stays readable to the program, and this copy of the judge still holds the judge's
  // command line (endpoints, paths): blank it.
  if (plan.arguments_begin != nullptr) memset(plan.arguments_begin, 0, plan.arguments_bytes);
  // A judge killed mid-run takes its runs with it (the thread that cloned this reaper waits for it, so
  // only the judge's death fires this). Set after the last id change, which clears it; a judge already
  // gone is seen as the report pipe's reader missing.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail(plan, "parent-death signal");
  pollfd judge{plan.report_fd, 0, 0};
  if (poll(&judge, 1, 0) != 0 && (judge.revents & POLLERR) != 0) _exit(127);
  report_copy_peak(plan, status_fd);
  const pid_t reaper = getpid();
  pid_t program = static_cast<pid_t>(syscall(SYS_clone, SIGCHLD, nullptr, nullptr, nullptr, nullptr));
  if (program < 0) fail(plan, "fork program");
  if (program == 0) become_program(plan, reaper);
  close(plan.stdin_fd);
  close(plan.stdout_fd);
  close(plan.stderr_fd);
  int status = 0;
  // The program's peak resident set, not this reaper's: a copy of the judge, it holds the judge's pages.
  // The program's own usage covers the children it reaped; orphans reaped here are counted too.
  std::uint64_t peak_kib = 0;
  for (;;) {
    int child_status = 0;
    rusage usage{};
    pid_t done = wait4(-1, &child_status, __WALL, &usage);
    if (done > 0) peak_kib = std::max(peak_kib, static_cast<std::uint64_t>(std::max(usage.ru_maxrss, 0L)));
    if (done == program) {
      status = child_status;
      break;
    }
    if (done < 0 && errno != EINTR) break;
  }
  char message[1 + sizeof status + sizeof peak_kib];
  message[0] = 'S';
  memcpy(message + 1, &status, sizeof status);
  memcpy(message + 1 + sizeof status, &peak_kib, sizeof peak_kib);
  if (write(plan.report_fd, message, sizeof message) < 0) _exit(126);
  _exit(0);
}

}  // namespace r1eval::graders::code::sandbox
