// The system-call filter every sandboxed program runs under.
#pragma once
#include <linux/filter.h>

#include <vector>

namespace r1eval::graders::code::sandbox {

// A compiled BPF program (built once with libseccomp) that is an allowlist: memory, files and descriptors,
// polling, processes and signals, threads, clocks, scheduling queries, identity and limits go through;
// anything else fails with ENOSYS, as on a kernel without it (libc falls back: clone3 -> clone).
// Refused with EPERM: sockets, ptrace and cross-process memory, mount and namespace calls (also clone with
// namespace flags), setsid/setpgid, id changes, bpf, perf, io_uring, keyrings, userfaultfd, inotify, aio
// contexts, sync, flock and fcntl record locks, F_SETPIPE_SZ, F_NOTIFY, huge pages, device nodes (mknod
// makes FIFOs only). Only listed fcntl and ioctl commands pass; prlimit64 only on the caller or without a
// new value. Syscalls of other architectures (and x32 numbers) kill the whole process. Throws std::runtime_error naming libseccomp's failure
// when the filter cannot be built.
const std::vector<sock_filter>& seccomp_program();

}  // namespace r1eval::graders::code::sandbox
