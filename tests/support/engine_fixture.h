// Opening and closing a store with the streams and queues rooms over it, as the suites do: one
// copy for every fixture (golden, full-disk, queue tests).
#pragma once

#include <memory>
#include <string>

#include "engine/log/store.h"
#include "engine/queues/queue.h"
#include "engine/streams/stream.h"
#include "format/status.h"

namespace seglog::testing {

// Opens the store in `dir` and, where `streams` / `queues` is not null, those rooms over it with
// their background tasks off (the tests run retention and maintenance when they say).
Status OpenEngine(const std::string& dir, const StoreOptions& so, std::unique_ptr<Store>* store,
                  std::unique_ptr<Streams>* streams, std::unique_ptr<Queues>* queues);

// Destroys the queues, then the streams (either may be null), then closes the store (a failed
// Close is a test failure) and destroys it. Idempotent.
void CloseEngine(std::unique_ptr<Store>* store, std::unique_ptr<Streams>* streams,
                 std::unique_ptr<Queues>* queues);

}  // namespace seglog::testing
