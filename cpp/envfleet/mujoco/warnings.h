// MuJoCo's warnings in a process that has loaded envfleet._mujoco: on stderr, in no log file.
//
// MuJoCo's default warning handler prints to stdout and appends each warning to MUJOCO_LOG.TXT in
// the working directory. InstallWarningHandler() replaces it, for the whole process (MuJoCo's
// handler is one global function pointer), by one that prints "MuJoCo warning: <text>" to stderr
// and writes no file; if another handler is installed already, it changes nothing. While a thread
// holds a QuietWarnings, the warnings MuJoCo raises on that thread are dropped: the caller
// collects them another way (mj_loadXML also writes its warning into its message buffer).
//
// Thread-safety: InstallWarningHandler() is called once, at module import, before any env exists;
// the handler itself may run on any thread at once. QuietWarnings affects its own thread only.
#ifndef ENVFLEET_MUJOCO_WARNINGS_H_
#define ENVFLEET_MUJOCO_WARNINGS_H_

namespace envfleet::mujoco {

// Routes MuJoCo's warnings to stderr, unless a handler is installed already.
void InstallWarningHandler();

// While alive, MuJoCo's warnings on this thread are not printed (nests).
class QuietWarnings {
 public:
  QuietWarnings();
  ~QuietWarnings();
  QuietWarnings(const QuietWarnings&) = delete;
  QuietWarnings& operator=(const QuietWarnings&) = delete;
};

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_WARNINGS_H_
