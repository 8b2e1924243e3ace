#include "format/status.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace seglog {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "Invalid argument";
    case StatusCode::kNotFound: return "Not found";
    case StatusCode::kAlreadyExists: return "Already exists";
    case StatusCode::kTooLarge: return "Too large";
    case StatusCode::kIOError: return "I/O error";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kLocked: return "Locked";
    case StatusCode::kNoSpace: return "No space";
    case StatusCode::kClosed: return "Closed";
    case StatusCode::kNotSupported: return "Not supported";
    case StatusCode::kNoMore: return "No more";
    case StatusCode::kStale: return "Stale";
    case StatusCode::kCanceled: return "Canceled";
    case StatusCode::kBusy: return "Busy";
    case StatusCode::kReadOnly: return "Read-only";
    case StatusCode::kDeletedRecently: return "Deleted recently";
  }
  return "Unknown";
}

Status Status::FromErrno(int err, std::string_view context) {
  std::string msg(context);
  msg += ": ";
  msg += std::strerror(err);
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return NoSpace(std::move(msg));
    case ENOENT:
      return NotFound(std::move(msg));
    case EEXIST:
      return AlreadyExists(std::move(msg));
    case EWOULDBLOCK:
      return Locked(std::move(msg));
    case EFBIG:
      return TooLarge(std::move(msg));
    case ENOSYS:
    case EOPNOTSUPP:
      return NotSupported(std::move(msg));
    default:
      return IOError(std::move(msg));
  }
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s(StatusCodeName(code_));
  if (!msg_.empty()) {
    s += ": ";
    s += msg_;
  }
  return s;
}

Status Status::WithContext(std::string_view prefix) const {
  if (ok()) return *this;
  std::string m(prefix);
  m += ": ";
  m += msg_;
  return Status(code_, std::move(m));
}

}  // namespace seglog
