#include "io/file_system.h"

#include <algorithm>

#include "io/file_util.h"

namespace seglog::io {

std::string_view BackendName(Backend b) {
  switch (b) {
    case Backend::kAuto: return "auto";
    case Backend::kUring: return "io_uring";
    case Backend::kPwrite: return "pwrite";
  }
  return "unknown";
}

Status NewFileSystem(Backend backend, std::unique_ptr<FileSystem>* out) {
  switch (backend) {
    case Backend::kAuto:
      if (NewUringFileSystem(out).ok()) return Status::OK();
      *out = NewPwriteFileSystem();
      return Status::OK();
    case Backend::kUring:
      return NewUringFileSystem(out);
    case Backend::kPwrite:
      *out = NewPwriteFileSystem();
      return Status::OK();
  }
  return Status::InvalidArgument("unknown I/O backend");
}

namespace {

// The directory holding `path`: "." for a bare name, "/" for a file in the root.
std::string ParentDir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

// A stale `path`.tmp (left by a crash or a failed earlier call) is removed first. On failure
// the tmp file may be left behind; the next call removes it. Nothing else cleans up, so that
// a failing (or fault-injected) file system sees no extra calls.
Status WriteFileAtomically(FileSystem* fs, const std::string& path, ByteView data) {
  return ReplaceFile(fs, path, data, /*durable=*/true);
}

Status ReplaceFile(FileSystem* fs, const std::string& path, ByteView data, bool durable) {
  const std::string tmp = path + ".tmp";
  if (PathExists(tmp)) {
    Status s = fs->Remove(tmp);
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  }
  {
    std::unique_ptr<WritableFile> f;
    SEGLOG_RETURN_IF_ERROR(fs->OpenWritable(tmp, OpenMode::kCreateNew, &f));
    SEGLOG_RETURN_IF_ERROR(durable ? f->WriteAndSync(FileOffset(0), data)
                                   : f->Write(FileOffset(0), data));
  }
  SEGLOG_RETURN_IF_ERROR(fs->Rename(tmp, path));
  return durable ? fs->SyncDir(ParentDir(path)) : Status::OK();
}

Status WritableFile::ZeroRange(uint64_t offset, uint64_t n) {
  constexpr uint64_t kChunk = 1 << 20;
  const ByteBuffer zeros(static_cast<size_t>(std::min(n, kChunk)), 0);
  while (n > 0) {
    const uint64_t k = std::min(n, kChunk);
    SEGLOG_RETURN_IF_ERROR(Write(FileOffset(offset), ByteView(zeros.data(), k)));
    offset += k;
    n -= k;
  }
  return Status::OK();
}

}  // namespace seglog::io
