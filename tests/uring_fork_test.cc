// A forked child (without exec) that writes through io_uring must not use the parent's rings:
// both processes would then consume each other's completions.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "io/file_system.h"
#include "io/file_util.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

TEST(UringFork, ChildGetsItsOwnRings) {
  std::unique_ptr<io::FileSystem> fs;
  Status s = io::NewFileSystem(io::Backend::kUring, &fs);
  if (s.code() == StatusCode::kNotSupported) GTEST_SKIP() << "no io_uring here";
  ASSERT_OK(s);
  testing::TempDir dir;
  const std::string payload(4096, 'p');
  auto write_file = [&](const std::string& name, int rounds) {
    std::unique_ptr<io::WritableFile> f;
    Status st = fs->OpenWritable(dir.path() + "/" + name, io::OpenMode::kCreateNew, &f);
    for (int i = 0; st.ok() && i < rounds; ++i) {
      st = f->WriteAndSync(FileOffset(static_cast<uint64_t>(i) * payload.size()), testing::View(payload));
    }
    return st;
  };
  ASSERT_OK(write_file("parent-before", 8));  // this thread now owns a ring
  for (int child = 0; child < 3; ++child) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) _exit(write_file("child" + std::to_string(child), 32).ok() ? 0 : 1);
    // The parent keeps writing through its ring while the child uses its own.
    ASSERT_OK(write_file("parent" + std::to_string(child), 32));
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "child crashed";
    EXPECT_EQ(WEXITSTATUS(status), 0) << "child write failed";
  }
  ByteBuffer b;
  ASSERT_OK(io::ReadFile(dir.path() + "/child2", &b));
  EXPECT_EQ(b.size(), 32 * payload.size());
}

}  // namespace
}  // namespace seglog
