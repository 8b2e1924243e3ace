// Status: the one result type of seglog's C++ code (after leveldb's Status).
//
// A Status is either OK or carries a code and a human-readable message that names what failed
// (a file, an offset, a limit). Status is [[nodiscard]]: every result is looked at.
// kNoMore is not an error: "nothing more for now" (an iterator that has caught up).
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace seglog {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kTooLarge,
  kIOError,
  kCorruption,
  kLocked,
  kNoSpace,
  kClosed,
  kNotSupported,  // a newer format version, type or flag than this build understands
  kNoMore,        // not an error: nothing more for now
  kStale,         // a handle that no longer holds its object: a queue receipt whose message was
                  // received again since, or is no longer in flight
  kCanceled,      // the call was interrupted (a receive after the handle's Interrupt)
  kBusy,          // the object is in use in this process (a stream with open iterators)
  kReadOnly,      // a write to a store opened read-only
  kDeletedRecently,  // a queue name deleted less than 60 s ago (SQS QueueDeletedRecently)
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // OK. User-provided, so that `Status()` / Status::OK() does not first zero the whole object
  // (value-initialization), which GCC may emit as `rep stos` on hot paths.
  Status() noexcept {}
  Status(StatusCode code, std::string msg) : code_(code), msg_(std::move(msg)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status TooLarge(std::string m) { return {StatusCode::kTooLarge, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Locked(std::string m) { return {StatusCode::kLocked, std::move(m)}; }
  static Status NoSpace(std::string m) { return {StatusCode::kNoSpace, std::move(m)}; }
  static Status Closed(std::string m) { return {StatusCode::kClosed, std::move(m)}; }
  static Status NotSupported(std::string m) { return {StatusCode::kNotSupported, std::move(m)}; }
  static Status Stale(std::string m) { return {StatusCode::kStale, std::move(m)}; }
  static Status Canceled(std::string m) { return {StatusCode::kCanceled, std::move(m)}; }
  static Status Busy(std::string m) { return {StatusCode::kBusy, std::move(m)}; }
  static Status ReadOnly(std::string m) { return {StatusCode::kReadOnly, std::move(m)}; }
  static Status DeletedRecently(std::string m) {
    return {StatusCode::kDeletedRecently, std::move(m)};
  }
  static Status NoMore() { return {StatusCode::kNoMore, "no more records for now"}; }

  // Maps an errno from a failed system call to a Status; the one place errno is interpreted.
  // `context` names the call and the file, e.g. "pwrite /store/logs/1/000...0.seg".
  static Status FromErrno(int err, std::string_view context);

  bool ok() const { return code_ == StatusCode::kOk; }
  bool IsNoMore() const { return code_ == StatusCode::kNoMore; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return msg_; }

  // "Corruption: bad checksum in ... at offset 4096" or "OK".
  std::string ToString() const;

  // Returns a copy with "prefix: " put before the message (same code).
  Status WithContext(std::string_view prefix) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string msg_;
};

}  // namespace seglog

// Returns early from the enclosing function when `expr` is not OK.
#define SEGLOG_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::seglog::Status _seglog_s = (expr);      \
    if (!_seglog_s.ok()) return _seglog_s;    \
  } while (0)
