// A C API handle (include/seglog.h's `seglog`) over a store opened with any StoreOptions - a
// fault-injecting file system, a fake clock - which seglog_open cannot take: for C++ tests of
// the C binding's answers to I/O failures. Plain-C tests of the API are tests/c_api_test.c.
#pragma once

#include <memory>
#include <string>

#include "engine/capi/capi.h"
#include "tests/support/engine_fixture.h"

namespace seglog::testing {

// Opens the store in `dir` with `so` and both rooms over it (their background tasks off) as a
// handle for the C functions. Close it with CloseCHandle (the store's final close status).
inline Status OpenCHandle(const std::string& dir, const StoreOptions& so, seglog_handle** out) {
  auto h = std::make_unique<seglog_handle>();
  SEGLOG_RETURN_IF_ERROR(OpenEngine(dir, so, &h->store, &h->streams, &h->queues));
  *out = h.release();
  return Status::OK();
}

// Frees the handle as seglog_close does, returning the store's Close status (which a test that
// injected a write failure expects to be that sticky failure).
inline Status CloseCHandle(seglog_handle* h) {
  std::unique_ptr<seglog_handle> owned(h);
  owned->queues.reset();
  owned->streams.reset();
  return owned->store->Close();
}

}  // namespace seglog::testing
