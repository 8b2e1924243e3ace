// Helpers shared by the test suites: temporary directories, random bytes, store setup.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/status.h"
#include "format/types.h"
#include "io/file_system.h"

namespace seglog::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A child process killed with SIGKILL mid-flight, and what it reported before.
struct KilledChild {
  std::vector<std::vector<uint64_t>> messages;  // each `words` uint64s, in pipe order
  bool killed = false;                          // ended by the SIGKILL (not on its own)
  int exit_code = 0;                            // when it ended on its own
};

// Re-executes this test binary running only `gtest_filter`, with `env` set and the write end
// of a pipe in $SEGLOG_CHILD_FD; the child writes messages of `words` uint64s there. After
// `kill_after` messages the child is killed with SIGKILL; messages already in the pipe are
// read too (they were acknowledged before the kill).
KilledChild RunChildAndKill(const std::string& gtest_filter,
                            const std::vector<std::pair<std::string, std::string>>& env,
                            size_t words, size_t kill_after);

// The segment files of the log directory `dir`, in sequence order (full paths); empty when the
// directory is missing (a log nobody appended to has none).
std::vector<std::string> SegmentFilesIn(const std::string& dir);

// ---- segment files, read and damaged independently of the code under test ----
ByteBuffer ReadWhole(const std::string& path);
// pwrite of `bytes` at `off` (the file is created when missing).
void WriteAt(const std::string& path, uint64_t off, ByteView bytes);
// XORs the byte at `off` with 0x5a.
void FlipByte(const std::string& path, uint64_t off);

struct BatchPos {
  uint64_t offset;
  uint32_t length;
  uint32_t records;  // 0 for a durable mark
  uint64_t base_seq = 0;
  uint64_t last_seq = 0;
  bool data() const { return records > 0; }
};
// The batches of a segment file, walked by length until the first one ReadBatch refuses.
std::vector<BatchPos> Batches(const std::string& path);
// Only its data batches (no durable marks).
std::vector<BatchPos> DataBatches(const std::string& path);

// Runs a shell command; returns its exit status (-1 when it did not exit) and its stdout.
int RunCommand(const std::string& cmd, std::string* out);

// A file system of that backend, or nullptr when this machine lacks it (io_uring refused).
std::unique_ptr<io::FileSystem> MakeFs(io::Backend b);

// Deterministic pseudo-random bytes.
std::string RandomBytes(std::mt19937_64& rng, size_t n);
// A view of bytes that outlive the call: string literals and named strings. Views of
// temporaries would dangle, so that overload does not exist.
inline ByteView View(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline ByteView View(const char* s) { return View(std::string_view(s)); }
inline ByteView View(const std::string& s) { return View(std::string_view(s)); }
ByteView View(std::string&&) = delete;
inline std::string Str(ByteView v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size());
}

}  // namespace seglog::testing

// ASSERT_OK(expr) << "more context"; EXPECT_OK likewise. Print the Status on failure.
#define SEGLOG_TEST_STATUS_(expr, fail)                                   \
  GTEST_AMBIGUOUS_ELSE_BLOCKER_                                           \
  if (const ::seglog::Status _seglog_st = (expr); _seglog_st.ok()) {      \
  } else                                                                  \
    fail() << #expr << ": " << _seglog_st.ToString() << " "
#define ASSERT_OK(expr) SEGLOG_TEST_STATUS_(expr, GTEST_FAIL)
#define EXPECT_OK(expr) SEGLOG_TEST_STATUS_(expr, ADD_FAILURE)
