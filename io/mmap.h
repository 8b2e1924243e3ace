// Read-only shared memory mappings of segment files (zero-copy reads).
//
// A MappedFile maps [0, length) of a file PROT_READ, MAP_SHARED: bytes written later through
// the file (pwrite/io_uring) become visible through it, since both share the page cache.
// Lifetime: the mapping lives until the object is destroyed; hold it by shared_ptr while any
// pointer into it is in use. Mapping past the end of the file is allowed by the kernel but
// touching those pages raises SIGBUS, so callers only read what they know is written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "format/status.h"
#include "format/types.h"

namespace seglog::io {

class MappedFile {
 public:
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // Maps `length` bytes of `path` (0: the file's current size). An empty file maps to an empty
  // view. NotFound when the file is missing.
  static Status Open(const std::string& path, uint64_t length, std::shared_ptr<MappedFile>* out);

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  ByteView view() const { return ByteView(data_, size_); }
  ByteView view(uint64_t offset, uint64_t n) const { return ByteView(data_ + offset, n); }

  // Unmaps the pages of [offset, offset + n) from this mapping (MADV_DONTNEED; a later read
  // maps them again), so that the page cache may drop them (io::DropCache).
  void DropPages(uint64_t offset, uint64_t n) const;

 private:
  MappedFile(const uint8_t* d, size_t n) : data_(d), size_(n) {}
  const uint8_t* data_;
  size_t size_;
};

// A shared writable mapping of a file that the engine writes by memcpy instead of write(2)
// (WritableFile::MapForWrites). Stores into it land in the page cache, the very pages
// write(2) would have filled: they survive the process dying the moment the copy is done, and
// an fdatasync of the file makes them durable like any write. The mapping never extends the
// file: only bytes inside blocks the file already owns may be stored (see MapForWrites).
class WritableMapping {
 public:
  ~WritableMapping();
  WritableMapping(const WritableMapping&) = delete;
  WritableMapping& operator=(const WritableMapping&) = delete;

  // Maps [0, length) of the open descriptor `fd` (not taken over) read-write, MAP_SHARED.
  static Status Map(int fd, uint64_t length, const std::string& path,
                    std::unique_ptr<WritableMapping>* out);

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

  // Best effort: faults [offset, offset + n) in for writing ahead of the stores that will use
  // it (madvise MADV_POPULATE_WRITE, Linux 5.14+), so that the writer does not take one page
  // fault per 4 KiB on the way. Does nothing where the kernel lacks it.
  void Prefault(uint64_t offset, uint64_t n);

  // Unmaps the whole pages inside [offset, offset + n) from this mapping (their bytes stay in
  // the page cache, dirty until written back; touching them again would map them again).
  // For ranges no store will reach any more: writeback of a page still mapped writable has
  // to write-protect it first (one TLB flush per page), of an unmapped one not.
  void Release(uint64_t offset, uint64_t n);

 private:
  WritableMapping(uint8_t* d, size_t n) : data_(d), size_(n) {}
  uint8_t* const data_;
  const size_t size_;
  bool prefault_works_ = true;
};

}  // namespace seglog::io
