// io_uring probing: when a seccomp policy refuses io_uring, the store falls back to pwrite on
// its own (kAuto), and forcing io_uring says why it cannot.
#include <gtest/gtest.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

#include "engine/log/store.h"
#include "io/file_system.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

// Makes io_uring_setup fail with EPERM in this process from now on, as container runtimes'
// default seccomp profiles do.
bool DenyIoUring() {
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])),
                            filter};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

TEST(ProbeTest, FallsBackToPwriteWhenSeccompRefusesIoUring) {
  std::unique_ptr<io::FileSystem> fs;
  if (!io::NewFileSystem(io::Backend::kUring, &fs).ok()) GTEST_SKIP() << "no io_uring here";
  testing::TempDir dir;
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: exit codes say which check failed.
    if (!DenyIoUring()) _exit(10);
    std::unique_ptr<io::FileSystem> f;
    Status forced = io::NewFileSystem(io::Backend::kUring, &f);
    if (forced.code() != StatusCode::kNotSupported) _exit(11);
    if (forced.message().find("io_uring") == std::string::npos) _exit(12);
    if (!io::NewFileSystem(io::Backend::kAuto, &f).ok() || f->name() != "pwrite") _exit(13);
    std::unique_ptr<Store> store;
    if (!Store::Open(dir.path(), StoreOptions{}, &store).ok()) _exit(14);
    if (store->file_system()->name() != "pwrite") _exit(15);
    Log* log = nullptr;
    if (!store->CreateLog("l", LogOptions{}, &log).ok()) _exit(16);
    Log::Record r{testing::View("k"), testing::View("v"), {}};
    if (!log->Append(std::span<const Log::Record>(&r, 1)).ok()) _exit(17);
    StoreOptions forced_opt;
    forced_opt.io_backend = io::Backend::kUring;
    std::unique_ptr<Store> s2;
    if (Store::Open(dir.path() + "/other", forced_opt, &s2).code() != StatusCode::kNotSupported) {
      _exit(18);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "child check " << WEXITSTATUS(status) << " failed";
  // The parent, without the policy, still gets io_uring.
  ASSERT_OK(io::NewFileSystem(io::Backend::kAuto, &fs));
  EXPECT_EQ(fs->name(), "io_uring");
}

}  // namespace
}  // namespace seglog
