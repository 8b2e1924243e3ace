#include "tests/test_util.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <algorithm>
#include <stdexcept>

#include "engine/segment.h"
#include "io/file_util.h"

namespace seglog::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                     "/seglog-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

KilledChild RunChildAndKill(const std::string& gtest_filter,
                            const std::vector<std::pair<std::string, std::string>>& env,
                            size_t words, size_t kill_after) {
  KilledChild out;
  int p[2];
  if (pipe(p) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(p[0]);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    setenv("SEGLOG_CHILD_FD", std::to_string(p[1]).c_str(), 1);
    const std::string filter = "--gtest_filter=" + gtest_filter;
    execl("/proc/self/exe", "seglog_tests", filter.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(p[1]);
  std::vector<uint64_t> msg(words);
  const auto bytes = static_cast<ssize_t>(words * sizeof(uint64_t));
  while (out.messages.size() < kill_after && read(p[0], msg.data(), bytes) == bytes) {
    out.messages.push_back(msg);
  }
  kill(pid, SIGKILL);
  while (read(p[0], msg.data(), bytes) == bytes) out.messages.push_back(msg);
  close(p[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  out.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(rng() & 0xff);
  return s;
}

std::vector<std::string> SegmentFilesIn(const std::string& dir) {
  std::vector<std::string> names, segs;
  if (!io::ListDir(dir, &names).ok()) return segs;
  for (const std::string& n : names) {
    SeqNo b;
    if (ParseSegmentFileName(n, &b)) segs.push_back(dir + "/" + n);
  }
  std::sort(segs.begin(), segs.end());
  return segs;
}

std::unique_ptr<io::FileSystem> MakeFs(io::Backend b) {
  std::unique_ptr<io::FileSystem> fs;
  return io::NewFileSystem(b, &fs).ok() ? std::move(fs) : nullptr;
}

}  // namespace seglog::testing
