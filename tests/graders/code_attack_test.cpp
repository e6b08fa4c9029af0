// Hostile programs against the sandbox. They run in a separate process (this test binary started
// again in worker mode) inside an outer safety net of its own, a memory and a pids cgroup plus hard
// rlimits, so that a sandbox bug can take down at most that process, never the machine.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "code_test_support.h"
#include "graders/code/sandbox/cgroup_v1.h"

namespace r1eval::graders::code {
namespace {

namespace fs = std::filesystem;

constexpr const char* kOutEnv = "R1EVAL_ATTACK_OUT";
constexpr const char* kPortEnv = "R1EVAL_ATTACK_PORT";

std::string marker_path() { return std::string(R1EVAL_TEST_TMP) + "/attack-marker"; }
std::string dataset_path() { return std::string(R1EVAL_SHARED_DATA) + "/codeforces/deepcoder/codeforces_test.json"; }

struct Attack {
  std::string name;
  Language language;
  std::string source;
  std::string expected_output;  // what a contained attack prints (when it runs to the end)
};

std::vector<Attack> attacks() {
  const std::string denied_if_all_fail = R"(
#include <cstdio>
int main() {
  const char* paths[] = {PATHS};
  for (const char* p : paths) {
    if (FILE* f = std::fopen(p, MODE)) { std::printf("OPENED %s\n", p); std::fclose(f); return 0; }
  }
  std::puts("denied");
}
)";
  auto with = [](const std::string& text, const std::string& key, const std::string& value) {
    std::size_t at = text.find(key);
    return text.substr(0, at) + value + text.substr(at + key.size());
  };
  std::string write_outside = with(with(denied_if_all_fail, "PATHS",
                                        "\"/usr/r1eval-attack\", \"/etc/r1eval-attack\", \"/prog/r1eval-attack\", "
                                        "\"/r1eval-attack\", \"" + marker_path() + "\""),
                                   "MODE", "\"w\"");
  std::string secret_paths = "\"";  // built by appending: GCC 12 warns falsely on "literal" + string here
  secret_paths.append(dataset_path()).append("\", \"/etc/shadow\"");
  std::string read_secrets = with(with(denied_if_all_fail, "PATHS", secret_paths), "MODE", "\"r\"");
  return {
      {"fork_bomb", Language::Cpp, "#include <unistd.h>\nint main() { for (;;) fork(); }\n", ""},
      {"memory_bomb", Language::Cpp, R"(#include <cstdlib>
#include <cstring>
#include <vector>
int main() {
  std::vector<char*> blocks;
  for (;;) { char* p = static_cast<char*>(std::malloc(1 << 20)); if (!p) return 1; std::memset(p, 1, 1 << 20); blocks.push_back(p); }
}
)", ""},
      {"infinite_loop", Language::Cpp, "int main() { volatile unsigned long x = 0; for (;;) ++x; }\n", ""},
      {"sleep_forever", Language::Cpp, "#include <unistd.h>\nint main() { for (;;) sleep(1000); }\n", ""},
      {"ten_gigabytes_to_stdout", Language::Cpp, R"(#include <cstdio>
#include <cstring>
static char block[1 << 16];
int main() {
  std::memset(block, 'x', sizeof block);
  for (long long i = 0; i < (10LL << 30) / static_cast<long long>(sizeof block); ++i) std::fwrite(block, 1, sizeof block, stdout);
}
)", ""},
      {"write_outside_its_folder", Language::Cpp, write_outside, "denied"},
      {"socket_to_localhost", Language::Cpp, R"(#include <arpa/inet.h>
#include <cstdio>
#include <netinet/in.h>
#include <sys/socket.h>
int main() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) { std::puts("denied"); return 0; }
  sockaddr_in a{}; a.sin_family = AF_INET; a.sin_port = htons(PORT); a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::puts(connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 ? "CONNECTED" : "denied");
}
)" , "denied"},
      {"socket_from_python", Language::Python, R"(import socket
try:
    socket.create_connection(("127.0.0.1", PORT), timeout=1)
    print("CONNECTED")
except OSError:
    print("denied")
)", "denied"},
      {"read_dataset_and_shadow", Language::Cpp, read_secrets, "denied"},
      {"read_dataset_from_python", Language::Python,
       "paths = ['" + dataset_path() + "', '/etc/shadow']\nopened = []\nfor p in paths:\n    try:\n"
       "        open(p).read(1)\n        opened.append(p)\n    except OSError:\n        pass\n"
       "print('OPENED ' + ' '.join(opened) if opened else 'denied')\n", "denied"},
      // Quotas the kernel counts per user (and up to the host's root): inotify instances, queued signals,
      // pipe buffer pages; and the machine's own: asynchronous I/O contexts, locks on host files. A program
      // exhausting or holding them would make the host's and other runs' calls fail.
      {"host_quotas", Language::Cpp, R"(#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>
int main() {
  bool contained = true;
  if (inotify_init1(0) >= 0) { std::puts("inotify allowed"); contained = false; }
  aio_context_t context = 0;
  if (syscall(SYS_io_setup, 128, &context) == 0) { std::puts("aio context allowed"); contained = false; }
  const int host_file = open("/etc/ld.so.cache", O_RDONLY);
  if (host_file >= 0 && flock(host_file, LOCK_SH | LOCK_NB) == 0) { std::puts("flock allowed"); contained = false; }
  struct flock lock{};
  lock.l_type = F_RDLCK;
  if (host_file >= 0 && fcntl(host_file, F_SETLK, &lock) == 0) { std::puts("record lock allowed"); contained = false; }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGRTMIN);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  int queued = 0;
  while (queued < 100000 && sigqueue(getpid(), SIGRTMIN, sigval{}) == 0) ++queued;
  if (queued > 1000) { std::printf("queued %d signals\n", queued); contained = false; }
  int p[2];
  if (pipe(p) == 0 && fcntl(p[1], F_SETPIPE_SZ, 1 << 20) >= 0) { std::puts("pipe resized"); contained = false; }
  if (contained) std::puts("contained");
}
)", "contained"},
      // Kernel surface no contest program needs: x86 segment tables, secret memory, pidfds, NUMA page moves.
      {"kernel_surface", Language::Cpp, R"(#include <cstdio>
#include <sys/syscall.h>
#include <unistd.h>
int main() {
  bool contained = true;
  char table[16] = {};
  if (syscall(SYS_modify_ldt, 0, table, sizeof table) >= 0) { std::puts("modify_ldt allowed"); contained = false; }
  if (syscall(SYS_pidfd_open, getpid(), 0) >= 0) { std::puts("pidfd_open allowed"); contained = false; }
  if (syscall(SYS_migrate_pages, 0, 8, nullptr, nullptr) >= 0) { std::puts("migrate_pages allowed"); contained = false; }
#ifdef SYS_memfd_secret
  if (syscall(SYS_memfd_secret, 0) >= 0) { std::puts("memfd_secret allowed"); contained = false; }
#endif
  if (contained) std::puts("contained");
}
)", "contained"},
      // Python's deep-recursion idiom raises the stack limit to unlimited: the program must not fail on it
      // (the memory limit bounds the stack anyway).
      {"python_stack_idiom", Language::Python, R"(import resource, sys
resource.setrlimit(resource.RLIMIT_STACK, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
sys.setrecursionlimit(10 ** 6)
print("ok")
)", "ok"},
      {"kill_parent_and_init", Language::Cpp, R"(#include <csignal>
#include <cstdio>
#include <unistd.h>
int main() { kill(getppid(), SIGKILL); kill(1, SIGKILL); kill(-1, SIGKILL); std::puts("alive"); }
)", "alive"},
      {"kill_own_process_group", Language::Cpp, R"(#include <csignal>
#include <cstdio>
#include <unistd.h>
int main() { kill(0, SIGKILL); sleep(5); std::puts("survived"); }
)", ""},
      {"child_outlives_parent", Language::Cpp, R"(#include <cstdio>
#include <sys/prctl.h>
#include <unistd.h>
int main() {
  if (fork() == 0) { prctl(PR_SET_NAME, "r1orphan"); setsid(); for (;;) pause(); }
  std::puts("ok");
}
)", "ok"},
      // The reaper (PID 1 of the run) shares the program's ids: a CPU limit of 0 set on it, and orphans for it to
      // reap, would kill it unreported and make the program's failure a judge failure (SE).
      {"limit_the_reaper", Language::Cpp, R"(#include <chrono>
#include <cstdio>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
int main() {
  const rlimit none{0, 0};
  const bool limited = prlimit(1, RLIMIT_CPU, &none, nullptr) == 0;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(400)) {
    const pid_t child = fork();
    if (child == 0) {
      if (fork() == 0) _exit(0);
      _exit(0);
    }
    if (child > 0) waitpid(child, nullptr, 0);
  }
  std::puts(limited ? "LIMITED" : "denied");
}
)", "denied"},
      // Huge pages are charged to no v1 memory group and come from the host's reserved pool.
      {"take_huge_pages", Language::Cpp, R"(#include <cerrno>
#include <cstdio>
#include <sys/mman.h>
int main() {
  void* p = mmap(nullptr, 2u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
  const bool mapped_refused = p == MAP_FAILED && errno == EPERM;
  const int fd = memfd_create("huge", MFD_HUGETLB);
  const bool memfd_refused = fd < 0 && errno == EPERM;
  std::puts(mapped_refused && memfd_refused ? "denied" : "HUGE PAGES");
}
)", "denied"},
      // Directory notifications would report every access any host process makes under /usr.
      {"watch_the_host", Language::Cpp, R"(#include <cerrno>
#include <cstdio>
#include <fcntl.h>
int main() {
  const int dir = open("/usr/lib", O_RDONLY | O_DIRECTORY);
  const bool refused = dir >= 0 && fcntl(dir, F_NOTIFY, DN_ACCESS | DN_MULTISHOT) < 0 && errno == EPERM;
  std::puts(refused ? "denied" : "WATCHING");
}
)", "denied"},
      {"forge_the_reapers_report", Language::Cpp, R"(#include <cstdio>
#include <fcntl.h>
#include <string>
#include <unistd.h>
int main() {
  // Any descriptor of the reaper it can reach gets a fake setup error; then it answers wrongly.
  for (int fd = 0; fd < 64; ++fd) {
    int w = open(("/proc/1/fd/" + std::to_string(fd)).c_str(), O_WRONLY);
    if (w >= 0) { (void)!write(w, "Eforged\n", 8); close(w); }
  }
  std::puts("wrong");
}
)", "right"},
      // The filter is an allowlist: calls outside it fail (ENOSYS; EPERM for the refused groups), whatever they are.
      {"calls_outside_the_allowlist", Language::Cpp, R"(#include <cerrno>
#include <cstdio>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
bool fails(long rc, int expected) { return rc == -1 && errno == expected; }
int main() {
  bool contained = true;
  if (!fails(syscall(SYS_acct, nullptr), ENOSYS)) { std::puts("acct reached"); contained = false; }
  if (!fails(syscall(SYS_swapon, "/box/x", 0), ENOSYS)) { std::puts("swapon reached"); contained = false; }
  if (!fails(syscall(SYS_mknod, "/box/dev", S_IFCHR | 0600, makedev(1, 3)), EPERM)) { std::puts("mknod reached"); contained = false; }
  if (!fails(syscall(SYS_mq_open, "/q", 0, 0, nullptr), ENOSYS)) { std::puts("mq_open reached"); contained = false; }
  if (!fails(syscall(999), ENOSYS)) { std::puts("999 reached"); contained = false; }
  if (!fails(ioctl(0, TIOCSTI, "x"), ENOSYS)) { std::puts("TIOCSTI reached"); contained = false; }
  if (!fails(syscall(SYS_sync), EPERM)) { std::puts("sync reached"); contained = false; }
  if (!fails(syscall(SYS_setuid, 0), EPERM)) { std::puts("setuid reached"); contained = false; }
  std::puts(contained ? "denied" : "REACHED");
}
)", "denied"},
      // A 32-bit system call (int 0x80) from a second thread kills the whole process, not just that thread.
      {"foreign_syscall_in_a_thread", Language::Cpp, R"(#include <cstdio>
#include <thread>
int main() {
  std::thread t([] {
#if defined(__x86_64__)
    long result;
    __asm__ volatile("int $0x80" : "=a"(result) : "a"(20) : "memory");  // i386 getpid
#else
    __builtin_trap();
#endif
  });
  t.join();
  std::puts("survived");
}
)", "survived"},
      // What ordinary solutions do must keep working under the allowlist.
      {"everyday_cpp", Language::Cpp, R"(#include <bits/stdc++.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
int main() {
  std::ios::sync_with_stdio(false);
  std::atomic<long> sum{0};
  std::mutex mutex;
  std::condition_variable ready;
  std::vector<std::thread> threads;
  for (int i = 1; i <= 4; ++i) threads.emplace_back([&, i] { sum += i; std::lock_guard<std::mutex> lock(mutex); ready.notify_all(); });
  for (auto& t : threads) t.join();
  sum += std::async(std::launch::async, [] { return 10L; }).get();
  std::random_device device;
  std::mt19937_64 rng(device());
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  rlimit stack{};
  getrlimit(RLIMIT_STACK, &stack);
  setrlimit(RLIMIT_STACK, &stack);
  FILE* f = std::fopen("scratch.txt", "w+");
  std::fputs("abc", f);
  std::fflush(f);
  void* map = mmap(nullptr, 3, PROT_READ, MAP_PRIVATE, fileno(f), 0);
  const bool mapped = map != MAP_FAILED && std::memcmp(map, "abc", 3) == 0;
  std::fclose(f);
  std::remove("scratch.txt");
  const bool fifo = mkfifo("pipe", 0600) == 0 && std::remove("pipe") == 0;
  sched_param batch{};
  const bool scheduled = sched_setscheduler(0, SCHED_BATCH, &batch) == 0;
  const pid_t child = fork();
  if (child == 0) _exit(3);
  int status = 0;
  waitpid(child, &status, 0);
  const bool ok = sum == 20 && mapped && fifo && scheduled && WEXITSTATUS(status) == 3 && std::thread::hardware_concurrency() > 0;
  std::cout << (ok ? "ok" : "broken") << std::endl;
}
)", "ok"},
      {"everyday_python", Language::Python, R"(import concurrent.futures, os, random, resource, select, shutil, signal, subprocess, sys, tempfile, threading, time
sys.setrecursionlimit(10 ** 6)
threading.stack_size(1 << 26)
results = []
worker = threading.Thread(target=lambda: results.append(sum(range(1000))))
worker.start()
worker.join()
with concurrent.futures.ThreadPoolExecutor(2) as pool:
    results.extend(pool.map(abs, [-1, -2]))
data = sys.stdin.buffer.read()
select.select([0], [], [], 0)
signal.signal(signal.SIGALRM, lambda *args: None)
signal.alarm(5)
signal.alarm(0)
resource.getrlimit(resource.RLIMIT_STACK)
with tempfile.TemporaryFile() as f:
    f.write(b'x')
    f.seek(0)
    results.append(f.read())
with open('a.txt', 'w') as f:
    f.write('copied')
try:
    os.setxattr('a.txt', 'user.origin', b'judge')
except OSError:
    pass
shutil.copy2('a.txt', 'b.txt')
with open('b.txt') as f:
    results.append(f.read())
time.sleep(0.001)
random.seed()
os.urandom(8)
results.append(os.cpu_count() > 0)
results.append(subprocess.run([sys.executable, '-c', 'print(7)'], capture_output=True, text=True).stdout.strip())
pid = os.fork()
if pid == 0:
    os._exit(3)
results.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
print('ok' if results == [499500, 1, 2, b'x', 'copied', True, '7', 3] else results)
)", "ok"},
      {"python_memory_bomb", Language::Python, "blocks = []\nwhile True:\n    blocks.append(b'x' * (1 << 20))\n", ""},
      {"include_dev_random", Language::Cpp, "#include </dev/random>\nint main() {}\n", ""},
      {"template_explosion", Language::Cpp, R"(template <int N, int M> struct Tree { static const int value = Tree<N - 1, 2 * M>::value + Tree<N - 1, 2 * M + 1>::value; };
template <int M> struct Tree<0, M> { static const int value = 1; };
int main() { return Tree<28, 0>::value; }
)", ""},
  };
}

std::string substitute_port(std::string source, const std::string& port) {
  for (std::size_t at; (at = source.find("PORT")) != std::string::npos;) source.replace(at, 4, port);
  return source;
}

// Processes named "r1orphan" still alive anywhere on the machine.
int orphans_alive() {
  int count = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    if (comm && std::getline(comm, name) && name == "r1orphan") ++count;
  }
  return count;
}

// Worker mode: judge every attack, write "name<TAB>outcome<TAB>detail" lines, exit before main runs.
bool run_worker_if_requested() {
  const char* out = std::getenv(kOutEnv);
  const char* port = std::getenv(kPortEnv);
  if (!out || !port) return false;
  JudgeConfig config;
  // The default work folder (under the system temp folder): the build folder may sit below a private one.
  // The judge's default compile limit: <bits/stdc++.h> alone takes 3.4-3.7 CPU seconds on a 2-core VM, so a tighter
  // one made the everyday program a compile error whenever the attacks running beside it slowed the compiler; the
  // compile bombs (2^28 template instances, an endless #include) pass any limit.
  config.compile_cpu_seconds = JudgeConfig{}.compile_cpu_seconds;
  config.output_limit_bytes = 16u << 20;
  Judge judge(config);
  std::vector<Attack> list = attacks();
  std::vector<JudgeRequest> requests;
  for (const Attack& a : list) {
    std::string tag = a.language == Language::Cpp ? "cpp" : "python";
    ProblemSpec spec = testing::problem({{"", a.expected_output}}, 500, 64);
    requests.push_back({testing::response_with(tag, substitute_port(a.source, port)), std::nullopt,
                        std::make_shared<const ProblemSpec>(spec)});
  }
  std::vector<JudgeResult> results = judge.judge_all(requests);
  std::ostringstream lines;
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string detail = results[i].detail.substr(0, results[i].detail.find('\n'));
    lines << list[i].name << '\t' << outcome_name(results[i].outcome) << '\t' << detail << '\n';
  }
  lines << "orphans_alive\t" << orphans_alive() << "\t\n";
  std::string temporary = std::string(out) + ".partial";
  std::ofstream(temporary) << lines.str();
  fs::rename(temporary, out);
  std::exit(0);
}

const bool worker_mode = run_worker_if_requested();

class CodeAttack : public ::testing::Test {
 protected:
  // One worker per build of this binary serves every CTest process of a run (each test is its own
  // process there): the first one runs it under a lock, the others read its results.
  static void SetUpTestSuite() {
    ASSERT_FALSE(worker_mode);
    const std::string out = std::string(R1EVAL_TEST_TMP) + "/attack-results.tsv";
    const std::string identity = binary_identity();
    int lock = open((out + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    ASSERT_GE(lock, 0);
    flock(lock, LOCK_EX);
    if (!load(out, identity)) {
      run_worker(out, identity);
      load(out, identity);
    }
    flock(lock, LOCK_UN);
    close(lock);
  }

  // The test binary's path, size and modification time: results of another build are never reused.
  static std::string binary_identity() {
    fs::path self = fs::read_symlink("/proc/self/exe");
    auto stamp = fs::last_write_time(self).time_since_epoch().count();
    return self.string() + ":" + std::to_string(fs::file_size(self)) + ":" + std::to_string(stamp);
  }

  static bool load(const std::string& path, const std::string& identity) {
    std::ifstream in(path);
    std::string header;
    if (!in || !std::getline(in, header) || header != "binary\t" + identity) return false;
    std::error_code ec;
    auto age = fs::file_time_type::clock::now() - fs::last_write_time(path, ec);
    if (ec || age > std::chrono::minutes(10)) return false;
    results_.clear();
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string name, outcome, detail;
      std::getline(fields, name, '\t');
      std::getline(fields, outcome, '\t');
      std::getline(fields, detail);
      results_[name] = {outcome, detail};
    }
    return true;
  }

  static void run_worker(const std::string& out, const std::string& identity) {
    fs::remove(marker_path());
    fs::remove(out);
    // A listener the attacks would reach if the network were not cut off.
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ASSERT_GE(listener, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(listen(listener, 8), 0);
    socklen_t length = sizeof address;
    getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
    std::string port = std::to_string(ntohs(address.sin_port));

    // The outer safety net.
    std::unique_ptr<sandbox::RunCgroup> memory_net, pids_net;
    if (auto root = sandbox::judge_cgroup_root("memory")) {
      memory_net = std::make_unique<sandbox::RunCgroup>(*root, "attack-net");
      memory_net->write("memory.limit_in_bytes", std::to_string(3ull << 30));
    }
    if (auto root = sandbox::judge_cgroup_root("pids")) {
      pids_net = std::make_unique<sandbox::RunCgroup>(*root, "attack-net");
      pids_net->write("pids.max", "400");
    }
    const std::string worker_out = out + ".worker";
    fs::remove(worker_out);
    // Everything the child needs is prepared before fork: it only makes system calls until execve.
    std::string self = fs::read_symlink("/proc/self/exe").string();
    std::string out_env = std::string(kOutEnv) + "=" + worker_out;
    std::string port_env = std::string(kPortEnv) + "=" + port;
    std::string path_env = std::string("PATH=") + (std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
    std::vector<std::string> procs;
    for (auto* net : {memory_net.get(), pids_net.get()}) {
      if (net) procs.push_back(net->path() + "/cgroup.procs");
    }
    std::string filter = "--gtest_filter=-*";
    char* argv[] = {self.data(), filter.data(), nullptr};
    char* envp[] = {out_env.data(), port_env.data(), path_env.data(), nullptr};
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (const std::string& file : procs) {
        int fd = open(file.c_str(), O_WRONLY);
        if (fd < 0 || write(fd, "0", 1) != 1) _exit(90);  // "0" = the writing process itself
        close(fd);
      }
      rlimit cpu{300, 300}, core{0, 0};
      setrlimit(RLIMIT_CPU, &cpu);
      setrlimit(RLIMIT_CORE, &core);
      execve(argv[0], argv, envp);
      _exit(91);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
    int status = 0;
    while (waitpid(child, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    int accepted = accept(listener, nullptr, nullptr);
    if (accepted >= 0) close(accepted);
    close(listener);
    std::ifstream worker_lines(worker_out);
    std::ostringstream all;
    all << "binary\t" << identity << '\n' << worker_lines.rdbuf();
    all << "worker_exit\t" << (WIFEXITED(status) ? std::to_string(WEXITSTATUS(status)) : "killed") << "\t\n";
    all << "connections\t" << (accepted >= 0 ? 1 : 0) << "\t\n";
    std::ofstream(out + ".partial") << all.str();
    fs::rename(out + ".partial", out);
  }

  static std::string outcome(const std::string& name) {
    auto it = results_.find(name);
    return it == results_.end() ? "missing" : it->second.first;
  }
  static std::string detail(const std::string& name) {
    auto it = results_.find(name);
    return it == results_.end() ? "" : it->second.second;
  }

  static inline std::map<std::string, std::pair<std::string, std::string>> results_;
};

TEST_F(CodeAttack, TheHarnessSurvivesEveryAttack) {
  EXPECT_EQ(outcome("worker_exit"), "0");
  EXPECT_EQ(results_.size(), attacks().size() + 3);  // + orphans_alive, worker_exit, connections
}

// A fork bomb ends at the pids limit (RE) or the time limit; the kernel memory of its processes may reach the
// memory limit first on a busy host (MLE). Never AC, never a judge failure.
TEST_F(CodeAttack, ForkBombIsRuntimeErrorOrTimeLimit) {
  std::set<std::string> allowed = {"RE", "TLE", "MLE"};
  EXPECT_TRUE(allowed.count(outcome("fork_bomb"))) << outcome("fork_bomb") << " " << detail("fork_bomb");
}

TEST_F(CodeAttack, MemoryBombsAreMemoryLimit) {
  EXPECT_EQ(outcome("memory_bomb"), "MLE") << detail("memory_bomb");
  EXPECT_EQ(outcome("python_memory_bomb"), "MLE") << detail("python_memory_bomb");
}

TEST_F(CodeAttack, LoopsAndSleepsAreTimeLimit) {
  EXPECT_EQ(outcome("infinite_loop"), "TLE") << detail("infinite_loop");
  EXPECT_EQ(outcome("sleep_forever"), "TLE") << detail("sleep_forever");
  EXPECT_NE(detail("sleep_forever").find("wall"), std::string::npos) << detail("sleep_forever");
}

TEST_F(CodeAttack, FloodingStdoutIsOutputLimit) {
  EXPECT_EQ(outcome("ten_gigabytes_to_stdout"), "OLE") << detail("ten_gigabytes_to_stdout");
}

TEST_F(CodeAttack, WritingOutsideItsFolderIsDenied) {
  EXPECT_EQ(outcome("write_outside_its_folder"), "AC") << detail("write_outside_its_folder");
  EXPECT_FALSE(fs::exists(marker_path()));
}

TEST_F(CodeAttack, SocketsAreDenied) {
  EXPECT_EQ(outcome("socket_to_localhost"), "AC") << detail("socket_to_localhost");
  EXPECT_EQ(outcome("socket_from_python"), "AC") << detail("socket_from_python");
  EXPECT_EQ(outcome("connections"), "0");
}

TEST_F(CodeAttack, DatasetAndShadowAreUnreadable) {
  EXPECT_EQ(outcome("read_dataset_and_shadow"), "AC") << detail("read_dataset_and_shadow");
  EXPECT_EQ(outcome("read_dataset_from_python"), "AC") << detail("read_dataset_from_python");
}

TEST_F(CodeAttack, PerUserKernelQuotasAreNotExhausted) {
  EXPECT_EQ(outcome("host_quotas"), "AC") << detail("host_quotas");
}

TEST_F(CodeAttack, PythonsStackIdiomIsAllowed) {
  EXPECT_EQ(outcome("python_stack_idiom"), "AC") << detail("python_stack_idiom");
}

TEST_F(CodeAttack, KillingParentOrGroupIsHarmless) {
  EXPECT_EQ(outcome("kill_parent_and_init"), "AC") << detail("kill_parent_and_init");
  EXPECT_EQ(outcome("kill_own_process_group"), "RE") << detail("kill_own_process_group");
}

TEST_F(CodeAttack, ChildrenOutlivingTheProgramAreKilled) {
  EXPECT_EQ(outcome("child_outlives_parent"), "AC") << detail("child_outlives_parent");
  EXPECT_EQ(outcome("orphans_alive"), "0");
}

TEST_F(CodeAttack, ForgedReportsDoNotMakeAJudgeFailure) {
  EXPECT_EQ(outcome("forge_the_reapers_report"), "WA") << detail("forge_the_reapers_report");
}

TEST_F(CodeAttack, TheReapersLimitsAreOutOfReach) {
  EXPECT_EQ(outcome("limit_the_reaper"), "AC") << detail("limit_the_reaper");
}

TEST_F(CodeAttack, HugePagesAndHostWatchesAreRefused) {
  EXPECT_EQ(outcome("take_huge_pages"), "AC") << detail("take_huge_pages");
  EXPECT_EQ(outcome("watch_the_host"), "AC") << detail("watch_the_host");
}

TEST_F(CodeAttack, CallsOutsideTheAllowlistFail) {
  EXPECT_EQ(outcome("calls_outside_the_allowlist"), "AC") << detail("calls_outside_the_allowlist");
}

TEST_F(CodeAttack, ForeignSystemCallsKillTheWholeProcess) {
  EXPECT_EQ(outcome("foreign_syscall_in_a_thread"), "RE") << detail("foreign_syscall_in_a_thread");
}

TEST_F(CodeAttack, EverydayProgramsRunUnderTheAllowlist) {
  EXPECT_EQ(outcome("everyday_cpp"), "AC") << detail("everyday_cpp");
  EXPECT_EQ(outcome("everyday_python"), "AC") << detail("everyday_python");
}

TEST_F(CodeAttack, CompileBombsAreCompileErrors) {
  EXPECT_EQ(outcome("include_dev_random"), "CE") << detail("include_dev_random");
  EXPECT_EQ(outcome("template_explosion"), "CE") << detail("template_explosion");
}

}  // namespace
}  // namespace r1eval::graders::code
