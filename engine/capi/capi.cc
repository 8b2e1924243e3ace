// engine/capi/capi.cc: return codes, the thread's last error, argument checks shared by the
// store, streams and queues entry points, and the version.
#include "engine/capi/capi.h"

#if defined(SEGLOG_CMAKE_VERSION_MAJOR)
static_assert(SEGLOG_VERSION_MAJOR == SEGLOG_CMAKE_VERSION_MAJOR &&
                  SEGLOG_VERSION_MINOR == SEGLOG_CMAKE_VERSION_MINOR &&
                  SEGLOG_VERSION_PATCH == SEGLOG_CMAKE_VERSION_PATCH,
              "seglog.h's SEGLOG_VERSION_* must match project(seglog VERSION ...) in CMakeLists.txt");
#endif

using seglog::Status;
using seglog::StatusCode;

namespace seglog::capi {

namespace {

thread_local std::string t_error;
thread_local const char* t_error_fallback = nullptr;  // when t_error could not be built

void ClearError() noexcept {
  t_error.clear();
  t_error_fallback = nullptr;
}

}  // namespace

int ReturnCode(StatusCode c) {
  switch (c) {
    case StatusCode::kOk: return SEGLOG_OK;
    case StatusCode::kNoMore: return SEGLOG_NO_MORE;
    case StatusCode::kInvalidArgument: return SEGLOG_EINVAL;
    case StatusCode::kNotFound: return SEGLOG_ENOTFOUND;
    case StatusCode::kAlreadyExists: return SEGLOG_EEXIST;
    case StatusCode::kTooLarge: return SEGLOG_ETOOLARGE;
    case StatusCode::kIOError: return SEGLOG_EIO;
    case StatusCode::kCorruption: return SEGLOG_ECORRUPT;
    case StatusCode::kLocked: return SEGLOG_ELOCKED;
    case StatusCode::kNoSpace: return SEGLOG_ENOSPC;
    case StatusCode::kClosed: return SEGLOG_ECLOSED;
    case StatusCode::kNotSupported: return SEGLOG_ENOTSUP;
    case StatusCode::kStale: return SEGLOG_ESTALE;
    case StatusCode::kCanceled: return SEGLOG_ECANCELED;
    case StatusCode::kBusy: return SEGLOG_EBUSY;
    case StatusCode::kReadOnly: return SEGLOG_EREADONLY;
    case StatusCode::kDeletedRecently: return SEGLOG_EDELETED_RECENTLY;
  }
  return SEGLOG_EINTERNAL;  // a code from memory corruption
}

int Fail(int code, const char* fn, std::string_view msg) noexcept {
  try {
    t_error.assign(fn);
    t_error.append(": ");
    t_error.append(msg);
    t_error_fallback = nullptr;
  } catch (...) {
    t_error_fallback = "out of memory while recording an error";
  }
  return code;
}

int Finish(const char* fn, const Status& s) noexcept {
  const int code = ReturnCode(s.code());
  if (code >= 0) {
    ClearError();
    return code;
  }
  return Fail(code, fn, s.message());
}

Status NotNull(const void* p, const char* what) {
  if (p == nullptr) return Status::InvalidArgument(std::string(what) + " is NULL");
  return Status::OK();
}

Status CheckName(const char* name, const char* what) {
  SEGLOG_RETURN_IF_ERROR(NotNull(name, what));
  return seglog::ValidateName(what, name);
}

Status CheckBool(int v, const char* field) {
  if (v != 0 && v != 1) {
    return Status::InvalidArgument(std::string(field) + " must be 0 or 1, got " +
                                   std::to_string(v));
  }
  return Status::OK();
}

Status DurabilityFromC(int v, bool allow_default, seglog::Durability dflt,
                       seglog::Durability* out) {
  switch (v) {
    case SEGLOG_DURABILITY_ALWAYS: *out = seglog::Durability::kAlways; return Status::OK();
    case SEGLOG_DURABILITY_INTERVAL: *out = seglog::Durability::kInterval; return Status::OK();
    case SEGLOG_DURABILITY_NONE: *out = seglog::Durability::kNone; return Status::OK();
    case SEGLOG_DURABILITY_DEFAULT:
      if (allow_default) {
        *out = dflt;
        return Status::OK();
      }
      return Status::InvalidArgument(
          "durability SEGLOG_DURABILITY_DEFAULT is for stream configs; store options need "
          "SEGLOG_DURABILITY_ALWAYS, _INTERVAL or _NONE");
  }
  return Status::InvalidArgument("unknown durability " + std::to_string(v) +
                                 " (expected SEGLOG_DURABILITY_ALWAYS, _INTERVAL or _NONE)");
}

int DurabilityToC(seglog::Durability d) {
  switch (d) {
    case seglog::Durability::kAlways: return SEGLOG_DURABILITY_ALWAYS;
    case seglog::Durability::kInterval: return SEGLOG_DURABILITY_INTERVAL;
    case seglog::Durability::kNone: return SEGLOG_DURABILITY_NONE;
  }
  return SEGLOG_DURABILITY_DEFAULT;
}

Status BackendFromC(int v, seglog::io::Backend* out) {
  switch (v) {
    case SEGLOG_IO_AUTO: *out = seglog::io::Backend::kAuto; return Status::OK();
    case SEGLOG_IO_URING: *out = seglog::io::Backend::kUring; return Status::OK();
    case SEGLOG_IO_PWRITE: *out = seglog::io::Backend::kPwrite; return Status::OK();
  }
  return Status::InvalidArgument("unknown io_backend " + std::to_string(v) +
                                 " (expected SEGLOG_IO_AUTO, _URING or _PWRITE)");
}

Status LimitsFromC(int v, seglog::Limits* out) {
  switch (v) {
    case SEGLOG_LIMITS_RELAXED: *out = seglog::Limits::kRelaxed; return Status::OK();
    case SEGLOG_LIMITS_AWS: *out = seglog::Limits::kAws; return Status::OK();
  }
  return Status::InvalidArgument("unknown limits " + std::to_string(v) +
                                 " (expected SEGLOG_LIMITS_RELAXED or SEGLOG_LIMITS_AWS)");
}

int LimitsToC(seglog::Limits l) {
  switch (l) {
    case seglog::Limits::kRelaxed: return SEGLOG_LIMITS_RELAXED;
    case seglog::Limits::kAws: return SEGLOG_LIMITS_AWS;
  }
  return SEGLOG_LIMITS_RELAXED;
}

}  // namespace seglog::capi

using namespace seglog::capi;  // NOLINT: the room's own helpers

extern "C" {

int seglog_version(void) { return SEGLOG_VERSION_NUMBER; }

const char* seglog_strerror(int code) {
  switch (code) {
    case SEGLOG_OK: return "success";
    case SEGLOG_NO_MORE: return "no more records for now";
    case SEGLOG_EINVAL: return "invalid argument";
    case SEGLOG_ENOTFOUND: return "not found";
    case SEGLOG_EEXIST: return "already exists";
    case SEGLOG_ETOOLARGE: return "too large";
    case SEGLOG_EIO: return "I/O error";
    case SEGLOG_ECORRUPT: return "corruption";
    case SEGLOG_ELOCKED: return "locked";
    case SEGLOG_ENOSPC: return "no space left on device";
    case SEGLOG_ECLOSED: return "closed";
    case SEGLOG_ENOTSUP: return "not supported";
    case SEGLOG_EINTERNAL: return "internal error";
    case SEGLOG_ESTALE: return "stale receipt";
    case SEGLOG_ECANCELED: return "canceled";
    case SEGLOG_EBUSY: return "in use";
    case SEGLOG_EREADONLY: return "read-only store";
    case SEGLOG_EDELETED_RECENTLY: return "queue deleted recently";
    case SEGLOG_ETIMEDOUT: return "timed out";
    default: return "unknown seglog return code";
  }
}

const char* seglog_last_error(void) {
  return t_error_fallback != nullptr ? t_error_fallback : t_error.c_str();
}

}  // extern "C"
