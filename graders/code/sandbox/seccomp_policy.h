// The system-call filter every sandboxed program runs under.
#pragma once
#include <linux/filter.h>

#include <vector>

namespace r1eval::graders::code::sandbox {

// A compiled BPF program (built once with libseccomp) that lets ordinary computation, files and
// processes through and fails with EPERM: sockets, ptrace and cross-process memory access, mount and
// namespace changes, leaving the process group or session, module/kexec/reboot/clock/swap
// administration, bpf, perf, io_uring, keyrings and userfaultfd. clone3 fails with ENOSYS so that libc
// falls back to clone, whose namespace flags are checked. Syscalls of other architectures kill the
// process. Throws std::runtime_error naming libseccomp's failure when the filter cannot be built.
const std::vector<sock_filter>& seccomp_program();

}  // namespace r1eval::graders::code::sandbox
