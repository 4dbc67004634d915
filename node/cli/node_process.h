// Node processes of a local fleet: launching them detached, signalling them,
// and telling whether a recorded pid is still that node.
//
// `parley fleet up` must return while the nodes keep running, so each node
// runs in its own session with its output in its log file. Pids outlive the
// launcher in fleet.json and may be reused by the OS after a node dies, so
// "is it running" checks the process's command line for the node's data
// directory rather than trusting the pid alone.
#pragma once

#include <string>
#include <vector>

#include "storage/status.h"

namespace parley::cli {

// Starts `binary args...` in a new session (setsid), stdin from /dev/null,
// stdout and stderr appended to `log_file`. Returns the pid.
Result<int> SpawnDetached(const std::string& binary, const std::vector<std::string>& args,
                          const std::string& log_file);

// True when `pid` is alive, not a zombie, and was started with `data_dir`
// as one of its arguments.
bool IsNodeProcessRunning(int pid, const std::string& data_dir);

// Collects the exit status of `pid` if it is our own child that has exited,
// so a node we started and that died does not linger as a zombie. Returns
// true if the child has exited.
bool ReapIfExited(int pid);

// kill(pid, signal) with a Status naming the pid on failure.
Status SignalProcess(int pid, int signal);

// The absolute path of the running executable (/proc/self/exe), so a fleet
// runs the same parley build that launched it.
Result<std::string> CurrentExecutable();

}  // namespace parley::cli
