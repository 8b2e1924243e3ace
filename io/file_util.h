// Read-side file helpers (never fault-injected: reads don't change what is on disk) and the
// store's LOCK. Safe for read-only tools running beside a live writer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "format/status.h"
#include "format/types.h"

namespace seglog::io {

// Names in `dir` (not "." or ".."), unsorted. NotFound when the directory is missing.
Status ListDir(const std::string& dir, std::vector<std::string>* names);
bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);
Status FileSize(const std::string& path, uint64_t* size);
// The file's data regions [begin, end), in order (lseek SEEK_DATA/SEEK_HOLE): every byte
// outside them reads as zero (a hole, or space fallocated and never written or read). One
// region covering the whole file where the file system cannot tell. A bound only: a region may
// hold zeros too (pages read or written with zeros).
Status DataRegions(const std::string& path, std::vector<std::pair<uint64_t, uint64_t>>* out);
// Asks the kernel to drop the clean, unmapped cached pages of [offset, offset + n) of the file
// (posix_fadvise DONTNEED). Best effort. Reading never-written preallocated space caches zero
// pages, which SEEK_DATA then reports as data; dropping them keeps DataRegions tight.
void DropCache(const std::string& path, uint64_t offset, uint64_t n);
// Reads the whole file.
Status ReadFile(const std::string& path, ByteBuffer* out);
// Reads exactly n bytes at offset; Corruption ("short read") when the file ends first.
Status ReadAt(const std::string& path, uint64_t offset, size_t n, ByteBuffer* out);
// Creates a directory and its missing parents (like mkdir -p); OK when it exists.
Status CreateDirs(const std::string& path);

// An exclusive advisory lock (flock LOCK_EX|LOCK_NB) held until destroyed.
class FileLock {
 public:
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  // Locked, naming the path, when another open holds it. Creates the file when missing.
  static Status Acquire(const std::string& path, std::unique_ptr<FileLock>* out);

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace seglog::io
