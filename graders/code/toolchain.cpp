#include "graders/code/toolchain.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "graders/code/scratch_folder.h"

namespace r1eval::graders::code {
namespace {

namespace fs = std::filesystem;
using sandbox::MountSpec;

std::string find_executable(const std::string& name) {
  std::error_code ec;
  if (name.find('/') != std::string::npos) {
    return fs::exists(name, ec) ? fs::canonical(name, ec).string() : "";
  }
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    fs::path candidate = fs::path(dir) / name;
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) {
      std::string real = fs::canonical(candidate, ec).string();
      if (!ec) return real;
    }
  }
  return "";
}

// The installation prefix of a tool outside /usr (…/bin/tool -> …), which the sandbox must show.
std::string prefix_of(const std::string& tool) {
  fs::path p(tool);
  return p.parent_path().parent_path().string();
}

std::vector<std::string> first_lines(const std::string& text, std::size_t count, bool from_end) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  if (lines.size() > count) {
    if (from_end) {
      lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(count));
    } else {
      lines.resize(count);
    }
  }
  return lines;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

sandbox::RunSpec build_spec(const Toolchain& tools, const JudgeConfig& config, const std::string& box) {
  sandbox::RunSpec spec;
  spec.env = tools.run_env;
  spec.env.push_back("TMPDIR=/tmp");
  spec.mounts = tools.view;
  spec.mounts.push_back({MountSpec::Kind::Writable, "/box", box, 0});
  spec.mounts.push_back({MountSpec::Kind::Tmpfs, "/tmp", "", 256u << 20});
  spec.working_dir = "/box";
  spec.limits.cpu_seconds = config.compile_cpu_seconds;
  spec.limits.wall_seconds = 2 * config.compile_cpu_seconds + 1;
  spec.limits.memory_bytes = config.compile_memory_mb << 20;
  spec.limits.stdout_bytes = 64u << 10;
  spec.limits.stderr_bytes = 64u << 10;
  spec.limits.file_bytes = 256u << 20;
  spec.limits.processes = 32;
  spec.limits.open_files = 256;
  return spec;
}

BuildResult interpret(const sandbox::RunResult& run, const JudgeConfig& config, bool tail) {
  using sandbox::RunStatus;
  switch (run.status) {
    case RunStatus::SetupFailed:
      return {Outcome::SE, run.error};
    case RunStatus::CpuLimit:
    case RunStatus::WallLimit:
      return {Outcome::CE, "compilation exceeded " + std::to_string(static_cast<int>(config.compile_cpu_seconds)) +
                               " s"};
    case RunStatus::MemoryLimit:
      return {Outcome::CE, "compilation exceeded " + std::to_string(config.compile_memory_mb) + " MB"};
    case RunStatus::OutputLimit:
      return {Outcome::CE, "compilation produced a file over the size limit"};
    case RunStatus::Signaled:
      return {Outcome::CE, "compiler killed by signal " + std::to_string(run.signal)};
    case RunStatus::Exited:
      break;
  }
  if (run.exit_code == 0) return {Outcome::AC, ""};
  std::string text = run.stderr_data.empty() ? run.stdout_data : run.stderr_data;
  std::string detail = join(first_lines(text, 10, tail));
  if (detail.empty()) detail = "compiler exited with code " + std::to_string(run.exit_code);
  return {Outcome::CE, detail};
}

bool static_linking_works(Toolchain tools, const JudgeConfig& config) {
  try {
    ScratchFolder folder(config.work_dir.empty() ? fs::temp_directory_path().string() + "/r1eval-judge"
                                                 : config.work_dir,
                         "static-probe");
    folder.write("probe.cpp", "#include <cstdio>\nint main() { std::puts(\"ok\"); }\n");
    tools.cxx_flags.push_back("-static");
    return compile_cpp(tools, config, folder.box(), "probe.cpp", "probe").outcome == Outcome::AC;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

Toolchain resolve_toolchain(const JudgeConfig& config) {
  Toolchain tools;
  tools.cxx = find_executable(config.cxx);
  tools.cxx_flags = config.cxx_flags;
  tools.c_flags = config.c_flags;
  bool plain_python = config.python == "python3" || config.python == "python";
  if (plain_python && fs::exists("/usr/bin/python3")) {
    tools.python = "/usr/bin/python3";  // the distribution's: readable by the sandbox uid, unlike ~/.pyenv
  } else {
    tools.python = find_executable(config.python);
  }
  std::vector<std::string> extra = config.extra_readonly_paths;
  for (const std::string& tool : {tools.cxx, tools.python}) {
    if (!tool.empty() && !tool.starts_with("/usr/")) extra.push_back(prefix_of(tool));
  }
  tools.view = sandbox::system_view(extra);
  tools.run_env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/box", "LANG=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1"};
  if (config.cxx_static && !tools.cxx.empty() && static_linking_works(tools, config)) {
    tools.cxx_flags.push_back("-static");
    tools.c_flags.push_back("-static");
  }
  return tools;
}

BuildResult compile_cpp(const Toolchain& tools, const JudgeConfig& config, const std::string& box,
                        const std::string& source_name, const std::string& binary_name,
                        const std::vector<std::string>& include_dirs) {
  if (tools.cxx.empty()) return {Outcome::SE, "C++ compiler '" + config.cxx + "' not found"};
  sandbox::RunSpec spec = build_spec(tools, config, box);
  spec.argv = {tools.cxx};
  spec.argv.insert(spec.argv.end(), tools.cxx_flags.begin(), tools.cxx_flags.end());
  for (const std::string& dir : include_dirs) {
    spec.mounts.push_back({MountSpec::Kind::ReadOnly, dir, dir, 0});
    spec.argv.push_back("-I" + dir);
  }
  spec.argv.insert(spec.argv.end(), {"-o", "/box/" + binary_name, "/box/" + source_name});
  return interpret(sandbox::run_sandboxed(spec), config, false);
}

BuildResult compile_cpp20(const Toolchain& tools, const JudgeConfig& config, const std::string& box,
                          const std::string& source_name, const std::string& binary_name) {
  Toolchain tools20 = tools;
  for (std::string& flag : tools20.cxx_flags)
    if (flag.starts_with("-std=")) flag = "-std=c++20";
  return compile_cpp(tools20, config, box, source_name, binary_name);
}

BuildResult compile_c(const Toolchain& tools, const JudgeConfig& config, const std::string& box,
                      const std::string& source_name, const std::string& binary_name) {
  // "-x c" makes the C++ driver compile the source as C; it still links libm (and libstdc++, unused).
  Toolchain c_tools = tools;
  c_tools.cxx_flags = tools.c_flags;
  return compile_cpp(c_tools, config, box, source_name, binary_name);
}

BuildResult check_python(const Toolchain& tools, const JudgeConfig& config, const std::string& box,
                         const std::string& source_name) {
  if (tools.python.empty()) return {Outcome::SE, "Python interpreter '" + config.python + "' not found"};
  sandbox::RunSpec spec = build_spec(tools, config, box);
  spec.argv = {tools.python, "-c",
               "import sys\nwith open(sys.argv[1], 'rb') as f: compile(f.read(), sys.argv[1], 'exec')",
               "/box/" + source_name};
  return interpret(sandbox::run_sandboxed(spec), config, true);
}

}  // namespace r1eval::graders::code
