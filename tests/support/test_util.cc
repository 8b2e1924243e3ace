#include "tests/support/test_util.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <algorithm>
#include <stdexcept>

#include "engine/log/segment.h"
#include "format/segment_format.h"
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

int RunCommand(const std::string& cmd, std::string* out) {
  out->clear();
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
  const int st = ::pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

ByteBuffer ReadWhole(const std::string& path) {
  ByteBuffer b;
  EXPECT_OK(io::ReadFile(path, &b));
  return b;
}

void WriteAt(const std::string& path, uint64_t off, ByteView bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(off)),
            static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

void FlipByte(const std::string& path, uint64_t off) {
  ByteBuffer b = ReadWhole(path);
  ASSERT_LT(off, b.size());
  const uint8_t x = static_cast<uint8_t>(b[off] ^ 0x5a);
  WriteAt(path, off, ByteView(&x, 1));
}

std::vector<BatchPos> Batches(const std::string& path) {
  const ByteBuffer b = ReadWhole(path);
  std::vector<BatchPos> out;
  uint64_t off = format::kSegmentHeaderSize;
  while (off < b.size()) {
    format::BatchHeader h;
    if (!format::ReadBatch(ByteView(b).subspan(off), &h).ok()) break;
    const bool data = h.type == format::kBatchTypeData;
    out.push_back({off, h.length, data ? h.record_count : 0, h.base_seq.value(),
                   h.last_seq().value()});
    off += h.length;
  }
  return out;
}

std::vector<BatchPos> DataBatches(const std::string& path) {
  std::vector<BatchPos> out;
  for (const BatchPos& b : Batches(path)) {
    if (b.data()) out.push_back(b);
  }
  return out;
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
