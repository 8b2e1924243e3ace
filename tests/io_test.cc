// Tests of the io/ layer: both write backends (parameterized), the read helpers, mmap, the
// store lock, and the fault-injecting file system.

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/fault_fs.h"
#include "tests/support/io_fixture.h"
#include "io/file_system.h"
#include "io/file_util.h"
#include "io/mmap.h"

namespace seglog::io {
namespace {

TEST_P(IoBackendTest, NameMatchesBackend) {
  EXPECT_EQ(fs_->name(), BackendName(GetParam()));
}

TEST_P(IoBackendTest, WriteAndReadBack) {
  auto f = Create("a");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->path(), dir_.Join("a"));
  const ByteBuffer one = Pattern(1000, 1), two = Pattern(500, 2);
  ASSERT_TRUE(f->Write(FileOffset(0), one).ok());
  ASSERT_TRUE(f->Write(FileOffset(1000), two).ok());
  ASSERT_TRUE(f->Write(FileOffset(10), Bytes("hello")).ok());  // overwrite in the middle
  uint64_t size = 0;
  ASSERT_TRUE(f->Size(&size).ok());
  EXPECT_EQ(size, 1500u);

  ByteBuffer got;
  ASSERT_TRUE(ReadAt(dir_.Join("a"), 1000, 500, &got).ok());
  EXPECT_EQ(got, two);
  ASSERT_TRUE(ReadAt(dir_.Join("a"), 10, 5, &got).ok());
  EXPECT_EQ(got, Bytes("hello"));
  ByteBuffer all = Slurp(dir_.Join("a"));
  ASSERT_EQ(all.size(), 1500u);
  EXPECT_TRUE(std::equal(one.begin(), one.begin() + 10, all.begin()));
  EXPECT_TRUE(std::equal(one.begin() + 15, one.end(), all.begin() + 15));

  // An empty write is a no-op.
  ASSERT_TRUE(f->Write(FileOffset(1500), ByteView()).ok());
  ASSERT_TRUE(f->WriteAndSync(FileOffset(1500), ByteView()).ok());
  EXPECT_EQ(SizeOf(dir_.Join("a")), 1500u);
}

// A negative offset (as off_t) is refused, and in particular UINT64_MAX, which io_uring would
// otherwise take as "the current file position" (0 here).
TEST_P(IoBackendTest, HugeOffsetIsRefused) {
  auto f = Create("h");
  ASSERT_TRUE(f->Write(FileOffset(0), Bytes("keep")).ok());
  for (uint64_t off : {UINT64_MAX, uint64_t{1} << 63}) {
    EXPECT_FALSE(f->Write(FileOffset(off), Bytes("XXXX")).ok()) << off;
    EXPECT_FALSE(f->WriteAndSync(FileOffset(off), Bytes("XXXX")).ok()) << off;
  }
  EXPECT_EQ(Slurp(dir_.Join("h")), Bytes("keep"));
}

TEST_P(IoBackendTest, OpenModes) {
  std::unique_ptr<WritableFile> f;
  Status s = fs_->OpenWritable(dir_.Join("missing"), OpenMode::kOpenExisting, &f);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find(dir_.Join("missing")), std::string::npos) << s.message();

  ASSERT_TRUE(fs_->OpenWritable(dir_.Join("x"), OpenMode::kCreateNew, &f).ok());
  ASSERT_TRUE(f->Write(FileOffset(0), Bytes("abc")).ok());
  f.reset();
  s = fs_->OpenWritable(dir_.Join("x"), OpenMode::kCreateNew, &f);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();

  ASSERT_TRUE(fs_->OpenWritable(dir_.Join("x"), OpenMode::kOpenExisting, &f).ok());
  uint64_t size = 0;
  ASSERT_TRUE(f->Size(&size).ok());
  EXPECT_EQ(size, 3u);  // opening does not truncate
  ASSERT_TRUE(f->Write(FileOffset(3), Bytes("def")).ok());
  EXPECT_EQ(Slurp(dir_.Join("x")), Bytes("abcdef"));

  struct stat st;
  ASSERT_EQ(::stat(dir_.Join("x").c_str(), &st), 0);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0644u & ~mask);
}

TEST_P(IoBackendTest, MmapSeesLaterWrites) {
  auto f = Create("m");
  ASSERT_TRUE(f->Allocate(8192).ok());
  std::shared_ptr<MappedFile> map;
  ASSERT_TRUE(MappedFile::Open(dir_.Join("m"), 0, &map).ok());
  ASSERT_EQ(map->size(), 8192u);
  EXPECT_EQ(map->data()[100], 0);
  const ByteBuffer data = Pattern(3000, 3);
  ASSERT_TRUE(f->Write(FileOffset(100), data).ok());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), map->view(100, 3000).begin()));
  ASSERT_TRUE(f->WriteAndSync(FileOffset(5000), data).ok());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), map->view(5000, 3000).begin()));
}

TEST_P(IoBackendTest, AllocateGrowsWithZerosAndNeverShrinks) {
  auto f = Create("alloc");
  ASSERT_TRUE(f->Write(FileOffset(0), Bytes("xyz")).ok());
  ASSERT_TRUE(f->Allocate(1 << 20).ok());
  uint64_t size = 0;
  ASSERT_TRUE(f->Size(&size).ok());
  EXPECT_EQ(size, 1u << 20);
  ByteBuffer all = Slurp(dir_.Join("alloc"));
  ASSERT_EQ(all.size(), 1u << 20);
  EXPECT_EQ(all[0], 'x');
  EXPECT_TRUE(std::all_of(all.begin() + 3, all.end(), [](uint8_t b) { return b == 0; }));
  ASSERT_TRUE(f->Allocate(4096).ok());
  ASSERT_TRUE(f->Allocate(0).ok());
  ASSERT_TRUE(f->Size(&size).ok());
  EXPECT_EQ(size, 1u << 20);
}

TEST_P(IoBackendTest, Truncate) {
  auto f = Create("t");
  const ByteBuffer data = Pattern(10000, 4);
  ASSERT_TRUE(f->Write(FileOffset(0), data).ok());
  ASSERT_TRUE(f->Truncate(100).ok());
  EXPECT_EQ(Slurp(dir_.Join("t")), ByteBuffer(data.begin(), data.begin() + 100));
  ASSERT_TRUE(f->Truncate(200).ok());
  ByteBuffer all = Slurp(dir_.Join("t"));
  ASSERT_EQ(all.size(), 200u);
  EXPECT_TRUE(std::all_of(all.begin() + 100, all.end(), [](uint8_t b) { return b == 0; }));
  ASSERT_TRUE(f->Truncate(0).ok());
  EXPECT_EQ(SizeOf(dir_.Join("t")), 0u);
}

TEST_P(IoBackendTest, WriteAndSyncAppends) {
  auto f = Create("ws");
  ByteBuffer expect;
  for (int i = 0; i < 50; ++i) {
    const ByteBuffer chunk = Pattern(static_cast<size_t>(100 + i * 37), static_cast<uint32_t>(i));
    ASSERT_TRUE(f->WriteAndSync(FileOffset(expect.size()), chunk).ok()) << i;
    expect.insert(expect.end(), chunk.begin(), chunk.end());
  }
  ASSERT_TRUE(f->Sync().ok());
  EXPECT_EQ(Slurp(dir_.Join("ws")), expect);
}

TEST_P(IoBackendTest, LargeWrite) {
  auto f = Create("big");
  const ByteBuffer data = Pattern(8 << 20, 5);
  ASSERT_TRUE(f->Write(FileOffset(4096), data).ok());
  ASSERT_TRUE(f->WriteAndSync(FileOffset(4096 + data.size()), data).ok());
  ByteBuffer all = Slurp(dir_.Join("big"));
  ASSERT_EQ(all.size(), 4096 + 2 * data.size());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), all.begin() + 4096));
  EXPECT_TRUE(std::equal(data.begin(), data.end(), all.begin() + 4096 + data.size()));
}

// RLIMIT_FSIZE makes the kernel cut a write short at the limit and fail the next one with
// EFBIG: the only portable way to get a real short write. For io_uring this exercises the
// linked fsync being cancelled and the error reported being the write's, not ECANCELED.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t limit) {
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &old_);
    struct rlimit r = old_;
    r.rlim_cur = limit;
    ok_ = ::setrlimit(RLIMIT_FSIZE, &r) == 0;
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    ::signal(SIGXFSZ, old_handler_);
  }
  bool ok() const { return ok_; }

 private:
  struct rlimit old_ {};
  sighandler_t old_handler_;
  bool ok_ = false;
};

TEST_P(IoBackendTest, ShortWriteAtFileSizeLimit) {
  auto f = Create("limit");
  const ByteBuffer data = Pattern(3000, 6);
  Status ws, w2, w3;
  {
    FileSizeLimit limit(5000);
    ASSERT_TRUE(limit.ok());
    ASSERT_TRUE(f->Write(FileOffset(0), Pattern(4000, 9)).ok());
    ws = f->WriteAndSync(FileOffset(4000), data);  // 1000 bytes fit, then EFBIG
    w2 = f->WriteAndSync(FileOffset(6000), data);  // nothing fits
    w3 = f->Write(FileOffset(5000), data);
  }
  EXPECT_EQ(ws.code(), StatusCode::kTooLarge) << ws.ToString();
  EXPECT_EQ(w2.code(), StatusCode::kTooLarge) << w2.ToString();
  EXPECT_EQ(w3.code(), StatusCode::kTooLarge) << w3.ToString();
  ByteBuffer all = Slurp(dir_.Join("limit"));
  ASSERT_EQ(all.size(), 5000u);
  EXPECT_TRUE(std::equal(data.begin(), data.begin() + 1000, all.begin() + 4000));
  // Without the limit the same call succeeds.
  ASSERT_TRUE(f->WriteAndSync(FileOffset(4000), data).ok());
  EXPECT_EQ(SizeOf(dir_.Join("limit")), 7000u);
}

TEST_P(IoBackendTest, WriteFileAtomicallyReplaces) {
  const std::string path = dir_.Join("CURRENT");
  ASSERT_TRUE(WriteFileAtomically(fs_.get(), path, Bytes("first")).ok());
  EXPECT_EQ(Slurp(path), Bytes("first"));
  PlainCreate(path + ".tmp", Bytes("stale leftover of a crash"));
  ASSERT_TRUE(WriteFileAtomically(fs_.get(), path, Bytes("2nd")).ok());
  EXPECT_EQ(Slurp(path), Bytes("2nd"));
  EXPECT_FALSE(PathExists(path + ".tmp"));
  std::vector<std::string> names;
  ASSERT_TRUE(ListDir(dir_.path(), &names).ok());
  EXPECT_EQ(names, std::vector<std::string>{"CURRENT"});
  ASSERT_TRUE(WriteFileAtomically(fs_.get(), path, ByteView()).ok());
  EXPECT_EQ(SizeOf(path), 0u);
}

TEST_P(IoBackendTest, DirectoryOps) {
  const std::string d = dir_.Join("d");
  ASSERT_TRUE(fs_->CreateDir(d).ok());
  EXPECT_TRUE(IsDirectory(d));
  EXPECT_TRUE(fs_->CreateDir(d).ok());  // exists: OK
  PlainCreate(dir_.Join("file"), Bytes("x"));
  Status s = fs_->CreateDir(dir_.Join("file"));
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  s = fs_->CreateDir(dir_.Join("no/such/parent"));
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();

  PlainCreate(d + "/a", Bytes("A"));
  ASSERT_TRUE(fs_->Rename(d + "/a", d + "/b").ok());
  EXPECT_FALSE(PathExists(d + "/a"));
  EXPECT_EQ(Slurp(d + "/b"), Bytes("A"));
  s = fs_->Rename(d + "/a", d + "/c");
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  ASSERT_TRUE(fs_->SyncDir(d).ok());

  s = fs_->RemoveDir(d);  // not empty
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(IsDirectory(d));
  ASSERT_TRUE(fs_->Remove(d + "/b").ok());
  s = fs_->Remove(d + "/b");
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  ASSERT_TRUE(fs_->RemoveDir(d).ok());
  EXPECT_FALSE(PathExists(d));
  s = fs_->SyncDir(d);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  s = fs_->RemoveDir(d);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
}

INSTANTIATE_TEST_SUITE_P(Backends, IoBackendTest,
                         ::testing::Values(Backend::kPwrite, Backend::kUring),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                           return std::string(BackendName(p.param));
                         });

TEST(IoFactoryTest, BackendsAndProbe) {
  std::unique_ptr<FileSystem> fs;
  ASSERT_TRUE(NewFileSystem(Backend::kPwrite, &fs).ok());
  EXPECT_EQ(fs->name(), "pwrite");
  ASSERT_TRUE(NewFileSystem(Backend::kAuto, &fs).ok());
  ASSERT_NE(fs, nullptr);
  std::unique_ptr<FileSystem> uring;
  Status s = NewUringFileSystem(&uring);
  if (s.ok()) {
    EXPECT_EQ(uring->name(), "io_uring");
    EXPECT_EQ(fs->name(), "io_uring");  // kAuto picks io_uring when the probe passes
  } else {
    EXPECT_EQ(s.code(), StatusCode::kNotSupported) << s.ToString();
    EXPECT_NE(s.message().find("io_uring unavailable"), std::string::npos);
    EXPECT_EQ(fs->name(), "pwrite");
  }
  EXPECT_EQ(BackendName(Backend::kAuto), "auto");
}

// ---------------------------------------------------------------------------------------------
// Read helpers, mmap, lock.

TEST(IoUtilTest, ListDirAndPaths) {
  TempDir dir;
  std::vector<std::string> names;
  ASSERT_TRUE(ListDir(dir.path(), &names).ok());
  EXPECT_TRUE(names.empty());
  PlainCreate(dir.Join("one"), Bytes("1"));
  PlainCreate(dir.Join("two"), Bytes("22"));
  ASSERT_EQ(::mkdir(dir.Join("sub").c_str(), 0755), 0);
  ASSERT_TRUE(ListDir(dir.path(), &names).ok());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"one", "sub", "two"}));
  Status s = ListDir(dir.Join("nope"), &names);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();

  EXPECT_TRUE(PathExists(dir.Join("one")));
  EXPECT_FALSE(PathExists(dir.Join("nope")));
  EXPECT_TRUE(IsDirectory(dir.Join("sub")));
  EXPECT_FALSE(IsDirectory(dir.Join("one")));
  EXPECT_FALSE(IsDirectory(dir.Join("nope")));
  uint64_t size = 0;
  ASSERT_TRUE(FileSize(dir.Join("two"), &size).ok());
  EXPECT_EQ(size, 2u);
  s = FileSize(dir.Join("nope"), &size);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
}

TEST(IoUtilTest, ReadFileAndReadAt) {
  TempDir dir;
  const ByteBuffer data = Pattern(200000, 7);
  PlainCreate(dir.Join("f"), data);
  EXPECT_EQ(Slurp(dir.Join("f")), data);
  ByteBuffer got;
  ASSERT_TRUE(ReadAt(dir.Join("f"), 123456, 1000, &got).ok());
  EXPECT_EQ(got, ByteBuffer(data.begin() + 123456, data.begin() + 124456));
  ASSERT_TRUE(ReadAt(dir.Join("f"), 200000, 0, &got).ok());
  EXPECT_TRUE(got.empty());
  Status s = ReadAt(dir.Join("f"), 199999, 2, &got);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("short read"), std::string::npos);
  s = ReadAt(dir.Join("f"), UINT64_MAX - 1, SIZE_MAX, &got);  // absurd sizes: no allocation
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  s = ReadAt(dir.Join("nope"), 0, 1, &got);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  s = ReadFile(dir.Join("nope"), &got);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  PlainCreate(dir.Join("empty"), ByteBuffer());
  EXPECT_TRUE(Slurp(dir.Join("empty")).empty());
}

TEST(IoUtilTest, CreateDirs) {
  TempDir dir;
  const std::string deep = dir.Join("a/b/c");
  ASSERT_TRUE(CreateDirs(deep).ok());
  EXPECT_TRUE(IsDirectory(deep));
  EXPECT_TRUE(CreateDirs(deep).ok());
  EXPECT_TRUE(CreateDirs(deep + "/").ok());
  EXPECT_TRUE(CreateDirs(dir.Join("a//b/d")).ok());
  EXPECT_TRUE(IsDirectory(dir.Join("a/b/d")));
  PlainCreate(dir.Join("file"), Bytes("x"));
  Status s = CreateDirs(dir.Join("file/sub"));
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(CreateDirs("").ok());
}

TEST(MmapTest, OpenVariants) {
  TempDir dir;
  std::shared_ptr<MappedFile> map;
  Status s = MappedFile::Open(dir.Join("missing"), 0, &map);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();

  PlainCreate(dir.Join("empty"), ByteBuffer());
  ASSERT_TRUE(MappedFile::Open(dir.Join("empty"), 0, &map).ok());
  EXPECT_EQ(map->size(), 0u);
  EXPECT_TRUE(map->view().empty());

  const ByteBuffer data = Pattern(10000, 8);
  PlainCreate(dir.Join("f"), data);
  ASSERT_TRUE(MappedFile::Open(dir.Join("f"), 0, &map).ok());
  ASSERT_EQ(map->size(), data.size());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), map->data()));
  ASSERT_TRUE(MappedFile::Open(dir.Join("f"), 4096, &map).ok());
  EXPECT_EQ(map->size(), 4096u);
  EXPECT_TRUE(std::equal(data.begin(), data.begin() + 4096, map->data()));
  // Mapping more than the file holds is allowed (only touching past the end is not).
  ASSERT_TRUE(MappedFile::Open(dir.Join("f"), 1 << 20, &map).ok());
  EXPECT_EQ(map->size(), 1u << 20);
  // The mapping outlives the file's name.
  ASSERT_EQ(::unlink(dir.Join("f").c_str()), 0);
  EXPECT_EQ(map->data()[9999], data[9999]);
}

TEST(FileLockTest, SecondAcquireIsLocked) {
  TempDir dir;
  const std::string path = dir.Join("LOCK");
  std::unique_ptr<FileLock> first, second;
  ASSERT_TRUE(FileLock::Acquire(path, &first).ok());
  EXPECT_TRUE(PathExists(path));
  // flock locks belong to the open file description: a second open in the same process
  // conflicts just as another process would.
  Status s = FileLock::Acquire(path, &second);
  EXPECT_EQ(s.code(), StatusCode::kLocked) << s.ToString();
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_EQ(second, nullptr);
  first.reset();
  ASSERT_TRUE(FileLock::Acquire(path, &second).ok());
  s = FileLock::Acquire(dir.Join("no/such/dir/LOCK"), &first);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
}

// ---------------------------------------------------------------------------------------------
// FaultFileSystem.

TEST_F(FaultFsTest, Name) { EXPECT_EQ(fs_->name(), "fault(pwrite)"); }

// For every operation: FailNth(op, 2) fails the second call, only it, with the injected
// errno, and that call has no effect.
TEST_F(FaultFsTest, FailNthEachOp) {
  const FsOp ops[] = {FsOp::kOpen,     FsOp::kWrite,  FsOp::kSync,      FsOp::kAllocate,
                      FsOp::kTruncate, FsOp::kRename, FsOp::kRemove,    FsOp::kCreateDir,
                      FsOp::kRemoveDir, FsOp::kSyncDir};
  static_assert(sizeof(ops) / sizeof(ops[0]) == kFsOpCount);
  for (FsOp op : ops) {
    SCOPED_TRACE(std::string(FsOpName(op)));
    TempDir dir;
    FaultFileSystem fs(NewPwriteFileSystem());
    std::unique_ptr<WritableFile> f;
    ASSERT_TRUE(fs.OpenWritable(dir.Join("file"), OpenMode::kCreateNew, &f).ok());
    for (int i = 0; i < 3; ++i) {
      PlainCreate(dir.Join("r" + std::to_string(i)), Bytes("r"));
      PlainCreate(dir.Join("rm" + std::to_string(i)), Bytes("rm"));
      ASSERT_EQ(::mkdir(dir.Join("rd" + std::to_string(i)).c_str(), 0755), 0);
    }
    const uint64_t before = fs.count(op);
    fs.FailNth(op, before + 2, EIO);
    for (int i = 0; i < 3; ++i) {
      const std::string n = std::to_string(i);
      std::unique_ptr<WritableFile> g;
      uint64_t size_before = 0;
      ASSERT_TRUE(f->Size(&size_before).ok());
      Status s;
      switch (op) {
        case FsOp::kOpen: s = fs.OpenWritable(dir.Join("o" + n), OpenMode::kCreateNew, &g); break;
        case FsOp::kWrite: s = f->Write(FileOffset(size_before), Bytes("w")); break;
        case FsOp::kSync: s = f->Sync(); break;
        case FsOp::kAllocate: s = f->Allocate(size_before + 4096); break;
        case FsOp::kTruncate: s = f->Truncate(size_before + 10); break;
        case FsOp::kRename: s = fs.Rename(dir.Join("r" + n), dir.Join("renamed" + n)); break;
        case FsOp::kRemove: s = fs.Remove(dir.Join("rm" + n)); break;
        case FsOp::kCreateDir: s = fs.CreateDir(dir.Join("cd" + n)); break;
        case FsOp::kRemoveDir: s = fs.RemoveDir(dir.Join("rd" + n)); break;
        case FsOp::kSyncDir: s = fs.SyncDir(dir.path()); break;
      }
      uint64_t size_after = 0;
      ASSERT_TRUE(f->Size(&size_after).ok());
      if (i != 1) {
        EXPECT_TRUE(s.ok()) << i << ": " << s.ToString();
        continue;
      }
      EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
      EXPECT_NE(s.message().find("injected"), std::string::npos) << s.message();
      // The failed call changed nothing.
      EXPECT_EQ(size_after, size_before);
      EXPECT_FALSE(PathExists(dir.Join("o1")));
      EXPECT_TRUE(PathExists(dir.Join("r1")));
      EXPECT_TRUE(PathExists(dir.Join("rm1")));
      EXPECT_FALSE(PathExists(dir.Join("cd1")));
      EXPECT_TRUE(PathExists(dir.Join("rd1")));
    }
    EXPECT_EQ(fs.count(op), before + 3);
    EXPECT_FALSE(fs.crashed());
  }
}

TEST_F(FaultFsTest, FailWriteWithNoSpaceWritesNothing) {
  auto f = Open("f", OpenMode::kCreateNew);
  fs_->FailNth(FsOp::kWrite, 1, ENOSPC);
  Status s = f->Write(FileOffset(0), Pattern(100, 1));
  EXPECT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
  EXPECT_EQ(SizeOf(dir_.Join("f")), 0u);
  s = f->WriteAndSync(FileOffset(0), Pattern(100, 1));
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(SizeOf(dir_.Join("f")), 100u);
  EXPECT_EQ(fs_->count(FsOp::kWrite), 2u);
  EXPECT_EQ(fs_->count(FsOp::kSync), 1u);
}

TEST_F(FaultFsTest, ShortWriteLeavesHalf) {
  auto f = Open("f", OpenMode::kCreateNew);
  fs_->ShortWriteNth(2);
  const ByteBuffer a = Pattern(1000, 1), b = Pattern(1001, 2);
  ASSERT_TRUE(f->Write(FileOffset(0), a).ok());
  Status s = f->WriteAndSync(FileOffset(1000), b);
  EXPECT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
  EXPECT_NE(s.message().find("injected short write"), std::string::npos) << s.message();
  ByteBuffer all = Slurp(dir_.Join("f"));
  ASSERT_EQ(all.size(), 1500u);
  EXPECT_TRUE(std::equal(b.begin(), b.begin() + 500, all.begin() + 1000));
  ASSERT_TRUE(f->Write(FileOffset(1500), b).ok());  // only the second one was short
  EXPECT_EQ(SizeOf(dir_.Join("f")), 2501u);
}

TEST_F(FaultFsTest, CrashAfterN) {
  auto f = Open("f", OpenMode::kCreateNew);  // 1 mutating call before arming
  fs_->CrashAfter(3);
  ASSERT_TRUE(f->Write(FileOffset(0), Bytes("abc")).ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(fs_->CreateDir(dir_.Join("d")).ok());
  EXPECT_FALSE(fs_->crashed());
  uint64_t size = 0;
  ASSERT_TRUE(f->Size(&size).ok());  // not mutating: does not count
  Status s = f->Write(FileOffset(3), Bytes("def"));
  EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
  EXPECT_NE(s.message().find("injected crash"), std::string::npos) << s.message();
  EXPECT_TRUE(fs_->crashed());
  EXPECT_EQ(SizeOf(dir_.Join("f")), 3u);
  EXPECT_FALSE(f->Sync().ok());
  EXPECT_FALSE(f->Size(&size).ok());
  EXPECT_FALSE(fs_->SyncDir(dir_.path()).ok());
  std::unique_ptr<WritableFile> g;
  EXPECT_FALSE(fs_->OpenWritable(dir_.Join("g"), OpenMode::kCreateNew, &g).ok());
  EXPECT_FALSE(PathExists(dir_.Join("g")));
}

TEST_F(FaultFsTest, CrashNow) {
  auto f = Open("f", OpenMode::kCreateNew);
  fs_->Crash();
  EXPECT_TRUE(fs_->crashed());
  EXPECT_FALSE(f->Write(FileOffset(0), Bytes("x")).ok());
  EXPECT_EQ(SizeOf(dir_.Join("f")), 0u);
}

TEST_F(FaultFsTest, PowerLossKeepsSyncedRevertsUnsynced) {
  auto f = CreateDurable("f");
  const ByteBuffer base = Pattern(8192, 1), a = Pattern(4096, 2), b = Pattern(4096, 3);
  ASSERT_TRUE(f->Write(FileOffset(0), base).ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Write(FileOffset(0), a).ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Write(FileOffset(4096), b).ok());       // overwrite, unsynced
  ASSERT_TRUE(f->Write(FileOffset(8192), b).ok());       // append, unsynced
  ASSERT_TRUE(f->Write(FileOffset(6000), Bytes("zz")).ok());  // overlapping, unsynced
  f.reset();
  ASSERT_TRUE(fs_->SimulatePowerLoss(/*tear=*/false).ok());
  ByteBuffer expect = a;
  expect.insert(expect.end(), base.begin() + 4096, base.end());
  EXPECT_EQ(Slurp(dir_.Join("f")), expect);
  EXPECT_TRUE(fs_->crashed());
}

TEST_F(FaultFsTest, PowerLossRestoresZerosOverwrittenInAllocatedSpace) {
  auto f = CreateDurable("f");
  ASSERT_TRUE(f->Allocate(1 << 20).ok());
  ASSERT_TRUE(f->Write(FileOffset(0), Bytes("head")).ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Write(FileOffset(4096), Pattern(10000, 4)).ok());
  ASSERT_TRUE(fs_->SimulatePowerLoss(false).ok());
  ByteBuffer all = Slurp(dir_.Join("f"));
  ASSERT_EQ(all.size(), 1u << 20);
  EXPECT_EQ(ByteBuffer(all.begin(), all.begin() + 4), Bytes("head"));
  EXPECT_TRUE(std::all_of(all.begin() + 4, all.end(), [](uint8_t x) { return x == 0; }));
}

TEST_F(FaultFsTest, PowerLossRevertsTruncateAndAllocate) {
  const ByteBuffer data = Pattern(10000, 5);
  auto f = CreateDurable("shrunk");
  ASSERT_TRUE(f->WriteAndSync(FileOffset(0), data).ok());
  ASSERT_TRUE(f->Truncate(100).ok());
  ASSERT_TRUE(f->Write(FileOffset(100), Bytes("new tail")).ok());
  ASSERT_TRUE(f->Truncate(50).ok());
  auto g = CreateDurable("grown");
  ASSERT_TRUE(g->WriteAndSync(FileOffset(0), ByteView(data).first(100)).ok());
  ASSERT_TRUE(g->Allocate(1 << 20).ok());
  ASSERT_TRUE(g->Truncate(1 << 21).ok());
  ASSERT_TRUE(fs_->SimulatePowerLoss(false).ok());
  EXPECT_EQ(Slurp(dir_.Join("shrunk")), data);
  EXPECT_EQ(Slurp(dir_.Join("grown")), ByteBuffer(data.begin(), data.begin() + 100));
}

TEST_F(FaultFsTest, PowerLossRemovesFilesWhoseDirectoryWasNotSynced) {
  auto kept = CreateDurable("kept");
  auto lost = Open("lost", OpenMode::kCreateNew);
  ASSERT_TRUE(kept->WriteAndSync(FileOffset(0), Bytes("k")).ok());
  ASSERT_TRUE(lost->WriteAndSync(FileOffset(0), Bytes("l")).ok());  // data synced, entry not
  ASSERT_TRUE(fs_->CreateDir(dir_.Join("sub")).ok());
  std::unique_ptr<WritableFile> other;
  ASSERT_TRUE(fs_->OpenWritable(dir_.Join("sub/x"), OpenMode::kCreateNew, &other).ok());
  ASSERT_TRUE(fs_->SyncDir(dir_.path() + "/").ok());  // syncs dir_, not dir_/sub
  PlainCreate(dir_.Join("untracked"), Bytes("u"));
  ASSERT_TRUE(fs_->SimulatePowerLoss(false).ok());
  EXPECT_EQ(Slurp(dir_.Join("kept")), Bytes("k"));
  EXPECT_TRUE(PathExists(dir_.Join("lost")));  // its directory was synced after all
  EXPECT_FALSE(PathExists(dir_.Join("sub/x")));
  EXPECT_TRUE(PathExists(dir_.Join("untracked")));
}

TEST_F(FaultFsTest, PowerLossRemovesCreatedFileBeforeDirSync) {
  auto kept = CreateDurable("kept");
  auto lost = Open("lost", OpenMode::kCreateNew);
  ASSERT_TRUE(lost->WriteAndSync(FileOffset(0), Bytes("l")).ok());
  ASSERT_TRUE(fs_->SimulatePowerLoss(false).ok());
  EXPECT_TRUE(PathExists(dir_.Join("kept")));
  EXPECT_FALSE(PathExists(dir_.Join("lost")));
}

TEST_F(FaultFsTest, FailedSyncLeavesDataUnsynced) {
  auto f = CreateDurable("f");
  ASSERT_TRUE(f->WriteAndSync(FileOffset(0), Bytes("synced")).ok());
  fs_->FailNth(FsOp::kSync, fs_->count(FsOp::kSync) + 1, EIO);
  ASSERT_TRUE(f->Write(FileOffset(6), Bytes(" lost")).ok());
  Status s = f->Sync();
  EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
  ASSERT_TRUE(fs_->SimulatePowerLoss(false).ok());
  EXPECT_EQ(Slurp(dir_.Join("f")), Bytes("synced"));
}

TEST_F(FaultFsTest, WriteAndSyncWithFailedSyncPartWritesButDoesNotSync) {
  auto f = CreateDurable("f");
  fs_->FailNth(FsOp::kSync, 1, EIO);
  Status s = f->WriteAndSync(FileOffset(0), Bytes("data"));
  EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
  EXPECT_EQ(fs_->count(FsOp::kWrite), 1u);
  EXPECT_EQ(fs_->count(FsOp::kSync), 1u);
  EXPECT_EQ(Slurp(dir_.Join("f")), Bytes("data"));  // in the page cache
  ASSERT_TRUE(fs_->SimulatePowerLoss(false).ok());
  EXPECT_EQ(SizeOf(dir_.Join("f")), 0u);  // but never synced
}

TEST_F(FaultFsTest, TornWriteKeepsSectorPrefix) {
  for (uint64_t seed = 0; seed < 8; ++seed) {
    SCOPED_TRACE(seed);
    TempDir dir;
    FaultFileSystem fs(NewPwriteFileSystem());
    std::unique_ptr<WritableFile> f;
    ASSERT_TRUE(fs.OpenWritable(dir.Join("f"), OpenMode::kCreateNew, &f).ok());
    ASSERT_TRUE(fs.SyncDir(dir.path()).ok());
    const ByteBuffer synced = Pattern(700, 1), last = Pattern(4096, 2);
    ASSERT_TRUE(f->WriteAndSync(FileOffset(0), synced).ok());
    ASSERT_TRUE(f->Write(FileOffset(700), last).ok());
    f.reset();
    ASSERT_TRUE(fs.SimulatePowerLoss(/*tear=*/true, seed).ok());
    ByteBuffer all = Slurp(dir.Join("f"));
    ASSERT_GE(all.size(), 700u + 512);
    const size_t kept = all.size() - 700;
    EXPECT_LT(kept, last.size());
    EXPECT_EQ(kept % 512, 0u);
    EXPECT_TRUE(std::equal(synced.begin(), synced.end(), all.begin()));
    EXPECT_TRUE(std::equal(all.begin() + 700, all.end(), last.begin()));
  }
}

TEST_F(FaultFsTest, TornWriteOnlyTearsTheLastWrite) {
  auto f = CreateDurable("f");
  const ByteBuffer first = Pattern(300, 1), last = Pattern(100, 2);
  ASSERT_TRUE(f->Write(FileOffset(0), first).ok());
  ASSERT_TRUE(f->Write(FileOffset(300), last).ok());
  auto g = CreateDurable("g");  // last change a truncate: nothing torn
  ASSERT_TRUE(g->Write(FileOffset(0), first).ok());
  ASSERT_TRUE(g->Truncate(10).ok());
  ASSERT_TRUE(fs_->SimulatePowerLoss(/*tear=*/true, 42).ok());
  ByteBuffer all = Slurp(dir_.Join("f"));
  // The earlier unsynced write is gone (zeros); 1..99 bytes of the last one survive.
  ASSERT_GT(all.size(), 300u);
  ASSERT_LT(all.size(), 400u);
  EXPECT_TRUE(std::all_of(all.begin(), all.begin() + 300, [](uint8_t x) { return x == 0; }));
  EXPECT_TRUE(std::equal(all.begin() + 300, all.end(), last.begin()));
  EXPECT_EQ(SizeOf(dir_.Join("g")), 0u);
}

TEST_F(FaultFsTest, SameSeedSameTear) {
  auto run = [](uint64_t seed) {
    TempDir dir;
    FaultFileSystem fs(NewPwriteFileSystem());
    std::unique_ptr<WritableFile> f;
    EXPECT_TRUE(fs.OpenWritable(dir.Join("f"), OpenMode::kCreateNew, &f).ok());
    EXPECT_TRUE(fs.SyncDir(dir.path()).ok());
    EXPECT_TRUE(f->Write(FileOffset(0), Pattern(1 << 16, 3)).ok());
    EXPECT_TRUE(fs.SimulatePowerLoss(true, seed).ok());
    return SizeOf(dir.Join("f"));
  };
  EXPECT_EQ(run(7), run(7));
  std::vector<uint64_t> sizes;
  for (uint64_t seed = 0; seed < 6; ++seed) sizes.push_back(run(seed));
  std::sort(sizes.begin(), sizes.end());
  EXPECT_GT(std::unique(sizes.begin(), sizes.end()) - sizes.begin(), 1);  // seeds matter
}

// kAnyPages: a preallocated file of 16 pages, synced as A; then unsynced writes B over pages
// 2..13 (unaligned ends) and an append of 2 pages C. After power loss every page is A's
// (or zeros past the synced size) or the current one, independently; untouched pages stay.
struct AnyPagesRun {
  ByteBuffer synced, now, after;
};
AnyPagesRun RunAnyPages(uint64_t seed) {
  constexpr size_t kPage = kPowerLossPage;
  AnyPagesRun r;
  TempDir dir;
  FaultFileSystem fs(NewPwriteFileSystem());
  std::unique_ptr<WritableFile> f;
  EXPECT_TRUE(fs.OpenWritable(dir.Join("f"), OpenMode::kCreateNew, &f).ok());
  EXPECT_TRUE(fs.SyncDir(dir.path()).ok());
  r.synced = Pattern(16 * kPage, 1);
  EXPECT_TRUE(f->WriteAndSync(FileOffset(0), r.synced).ok());
  const ByteBuffer b = Pattern(11 * kPage + 50, 2), c = Pattern(2 * kPage, 3);
  EXPECT_TRUE(f->Write(FileOffset(2 * kPage + 100), ByteView(b).first(5 * kPage)).ok());
  EXPECT_TRUE(f->Write(FileOffset(7 * kPage + 100), ByteView(b).subspan(5 * kPage)).ok());
  EXPECT_TRUE(f->Write(FileOffset(16 * kPage), c).ok());
  r.now = Slurp(dir.Join("f"));
  f.reset();
  EXPECT_TRUE(fs.SimulatePowerLoss(PowerLoss::kAnyPages, seed).ok());
  r.after = Slurp(dir.Join("f"));
  return r;
}

TEST_F(FaultFsTest, PowerLossKeepsAnySubsetOfUnsyncedPages) {
  constexpr size_t kPage = kPowerLossPage;
  bool saw_hole = false, saw_both_sizes[2] = {false, false};
  std::set<std::vector<bool>> patterns;
  for (uint64_t seed = 0; seed < 64; ++seed) {
    SCOPED_TRACE(seed);
    const AnyPagesRun r = RunAnyPages(seed);
    ASSERT_TRUE(r.after.size() == r.synced.size() || r.after.size() == r.now.size())
        << r.after.size();
    saw_both_sizes[r.after.size() == r.now.size() ? 1 : 0] = true;
    std::vector<bool> kept;
    for (size_t p = 0; p * kPage < r.after.size(); ++p) {
      const ByteView got = ByteView(r.after).subspan(p * kPage, kPage);
      const ByteView now = ByteView(r.now).subspan(p * kPage, kPage);
      ByteBuffer old(kPage, 0);
      if (p < 16) old.assign(r.synced.begin() + p * kPage, r.synced.begin() + (p + 1) * kPage);
      const bool is_now = std::equal(got.begin(), got.end(), now.begin());
      const bool is_old = std::equal(got.begin(), got.end(), old.begin());
      ASSERT_TRUE(is_now || is_old) << "page " << p << " is neither version";
      if (p < 2 || p == 14 || p == 15) {
        ASSERT_TRUE(is_old) << "untouched page " << p;
      }
      if (p >= 2 && p < 14) kept.push_back(is_now);
    }
    // A lost page before a kept one: not a prefix.
    for (size_t i = 1; i < kept.size(); ++i) saw_hole |= kept[i] && !kept[i - 1];
    patterns.insert(kept);
    EXPECT_EQ(RunAnyPages(seed).after, r.after);  // the seed decides
  }
  EXPECT_TRUE(saw_hole);
  EXPECT_TRUE(saw_both_sizes[0] && saw_both_sizes[1]);
  EXPECT_GT(patterns.size(), 32u);
}

TEST_F(FaultFsTest, PowerLossAnyPagesKeepsWhatSyncCovered) {
  auto f = CreateDurable("f");
  ASSERT_TRUE(f->Write(FileOffset(0), Pattern(3 * kPowerLossPage, 1)).ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Truncate(kPowerLossPage).ok());  // cut, unsynced: the cut pages may return
  auto g = CreateDurable("g");
  ASSERT_TRUE(g->Write(FileOffset(0), Pattern(5000, 2)).ok());  // never synced: no size to keep
  ASSERT_TRUE(g->Truncate(0).ok());
  ASSERT_TRUE(fs_->SimulatePowerLoss(PowerLoss::kAnyPages, 3).ok());
  // The synced first page stays; a cut page, when the old size survives, is back or zeros.
  const ByteBuffer all = Slurp(dir_.Join("f")), full = Pattern(3 * kPowerLossPage, 1);
  ASSERT_TRUE(all.size() == kPowerLossPage || all.size() == full.size()) << all.size();
  EXPECT_TRUE(std::equal(all.begin(), all.begin() + kPowerLossPage, full.begin()));
  for (size_t off = kPowerLossPage; off < all.size(); off += kPowerLossPage) {
    const auto page = all.begin() + static_cast<std::ptrdiff_t>(off);
    EXPECT_TRUE(std::equal(page, page + kPowerLossPage, full.begin() + off) ||
                std::all_of(page, page + kPowerLossPage, [](uint8_t x) { return x == 0; }))
        << off;
  }
  EXPECT_EQ(SizeOf(dir_.Join("g")), 0u);
}

TEST_F(FaultFsTest, RenameCarriesUnsyncedChanges) {
  auto f = CreateDurable("a");
  ASSERT_TRUE(f->WriteAndSync(FileOffset(0), Bytes("synced")).ok());
  ASSERT_TRUE(f->Write(FileOffset(6), Bytes("+unsynced")).ok());
  ASSERT_TRUE(fs_->Rename(dir_.Join("a"), dir_.Join("b")).ok());
  ASSERT_TRUE(f->Write(FileOffset(15), Bytes("+more")).ok());  // through the open file
  ASSERT_TRUE(fs_->SimulatePowerLoss(false).ok());
  EXPECT_FALSE(PathExists(dir_.Join("a")));  // renames are not undone
  EXPECT_EQ(Slurp(dir_.Join("b")), Bytes("synced"));
}

// WriteFileAtomically through the fault layer: a crash at any call leaves the old content or
// the new, never neither nor a mix.
TEST_F(FaultFsTest, WriteFileAtomicallyCrashAtEveryStep) {
  for (uint64_t n = 0; n < 8; ++n) {
    SCOPED_TRACE(n);
    TempDir dir;
    const std::string path = dir.Join("CURRENT");
    {
      FaultFileSystem fs(NewPwriteFileSystem());
      ASSERT_TRUE(WriteFileAtomically(&fs, path, Bytes("old contents")).ok());
      fs.CrashAfter(n);
      Status s = WriteFileAtomically(&fs, path, Bytes("new"));
      EXPECT_EQ(s.ok(), !fs.crashed());
      ASSERT_TRUE(fs.SimulatePowerLoss(n % 2 == 1, n).ok());
    }
    ByteBuffer got = Slurp(path);
    EXPECT_TRUE(got == Bytes("old contents") || got == Bytes("new")) << got.size();
  }
}

// The fault layer over io_uring: the linked write+fsync path counts as synced.
TEST_F(FaultFsTest, OverUringBackend) {
  std::unique_ptr<FileSystem> uring;
  Status s = NewUringFileSystem(&uring);
  if (!s.ok()) GTEST_SKIP() << s.ToString();
  FaultFileSystem fs(std::move(uring));
  EXPECT_EQ(fs.name(), "fault(io_uring)");
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(fs.OpenWritable(dir_.Join("f"), OpenMode::kCreateNew, &f).ok());
  ASSERT_TRUE(fs.SyncDir(dir_.path()).ok());
  ASSERT_TRUE(f->WriteAndSync(FileOffset(0), Bytes("durable")).ok());
  ASSERT_TRUE(f->Write(FileOffset(7), Bytes(" volatile")).ok());
  ASSERT_TRUE(fs.SimulatePowerLoss(false).ok());
  EXPECT_EQ(Slurp(dir_.Join("f")), Bytes("durable"));
}

}  // namespace
}  // namespace seglog::io
