// Node processes: fork/setsid/exec, liveness via /proc, signals.
#include "node/cli/node_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>

namespace parley::cli {

Result<int> SpawnDetached(const std::string& binary, const std::vector<std::string>& args,
                          const std::string& log_file) {
  // Build argv and open files before fork: the child may only make
  // async-signal-safe calls until exec.
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  int log_fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Status::IoError("cannot open " + log_file + ": " + std::strerror(errno));
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) {
    ::close(log_fd);
    return Status::IoError(std::string("cannot open /dev/null: ") + std::strerror(errno));
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    ::close(null_fd);
    return Status::IoError(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::setsid();  // own session: no SIGHUP/SIGINT from the launcher's terminal
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    // dup2 clears O_CLOEXEC on 0-2; everything else (the launcher's sockets)
    // is closed by exec thanks to O_CLOEXEC or here.
    for (int fd = 3; fd < 1024; ++fd) ::close(fd);
    ::execv(binary.c_str(), argv.data());
    const char message[] = "parley fleet: exec of the parley binary failed\n";
    ssize_t ignored = ::write(STDERR_FILENO, message, sizeof(message) - 1);
    (void)ignored;
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  return static_cast<int>(pid);
}

bool IsNodeProcessRunning(int pid, const std::string& data_dir) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::string proc = "/proc/" + std::to_string(pid);
  std::ifstream stat(proc + "/stat");
  std::string stat_line;
  std::getline(stat, stat_line);
  // Format: "pid (comm) S ...": the state follows the last ')'.
  size_t paren = stat_line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat_line.size()) return false;
  char state = stat_line[paren + 2];
  if (state == 'Z' || state == 'X') return false;
  std::ifstream cmdline_file(proc + "/cmdline");
  std::stringstream cmdline;
  cmdline << cmdline_file.rdbuf();
  std::string args = cmdline.str();
  size_t start = 0;
  while (start < args.size()) {
    size_t end = args.find('\0', start);
    if (end == std::string::npos) end = args.size();
    if (args.compare(start, end - start, data_dir) == 0) return true;
    start = end + 1;
  }
  return false;
}

bool ReapIfExited(int pid) {
  int status = 0;
  pid_t reaped = ::waitpid(pid, &status, WNOHANG);
  return reaped == pid;
}

Status SignalProcess(int pid, int signal) {
  if (::kill(pid, signal) != 0) {
    return Status::IoError("cannot signal pid " + std::to_string(pid) + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Result<std::string> CurrentExecutable() {
  char path[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return Status::IoError(std::string("cannot read /proc/self/exe: ") + std::strerror(errno));
  return std::string(path, static_cast<size_t>(n));
}

}  // namespace parley::cli
