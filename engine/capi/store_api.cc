// The C API: opening and closing a store (include/seglog.h, "store").
#include "engine/capi/capi.h"

using seglog::Status;
using seglog::StatusCode;
using namespace seglog::capi;  // NOLINT: the room's own helpers

extern "C" {

void seglog_options_init(seglog_options* opt) {
  if (opt == nullptr) return;
  const seglog::LogOptions log;
  const seglog::StoreOptions store;
  *opt = seglog_options{};
  opt->struct_size = sizeof(seglog_options);
  opt->create_if_missing = store.create_if_missing ? 1 : 0;
  opt->read_only = store.read_only ? 1 : 0;
  opt->io_backend = SEGLOG_IO_AUTO;
  opt->durability = DurabilityToC(log.durability);
  opt->sync_interval_ms = log.sync_interval_ms;
  opt->segment_size = log.segment_size;
  opt->mapped_writes = store.mapped_writes ? 1 : 0;
}

int seglog_open(const char* dir, const seglog_options* opt, seglog_handle** db) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(dir, "dir"));
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    if (dir[0] == '\0') return Status::InvalidArgument("dir is empty");
    seglog_options o;
    seglog_options_init(&o);
    if (opt != nullptr) {
      SEGLOG_RETURN_IF_ERROR(ReadVersioned(opt, kOptionsSizes, "seglog_options", &o));
    }
    SEGLOG_RETURN_IF_ERROR(CheckBool(o.create_if_missing, "create_if_missing"));
    SEGLOG_RETURN_IF_ERROR(CheckBool(o.read_only, "read_only"));
    SEGLOG_RETURN_IF_ERROR(CheckBool(o.mapped_writes, "mapped_writes"));
    seglog::StoreOptions so;
    so.mapped_writes = o.mapped_writes != 0;
    so.create_if_missing = o.create_if_missing != 0;
    so.read_only = o.read_only != 0;
    SEGLOG_RETURN_IF_ERROR(BackendFromC(o.io_backend, &so.io_backend));
    auto h = std::make_unique<seglog_handle>();
    SEGLOG_RETURN_IF_ERROR(DurabilityFromC(o.durability, false, seglog::Durability::kAlways,
                                           &h->log_defaults.durability));
    h->log_defaults.sync_interval_ms = o.sync_interval_ms;
    h->log_defaults.segment_size = o.segment_size;
    SEGLOG_RETURN_IF_ERROR(h->log_defaults.Validate());
    SEGLOG_RETURN_IF_ERROR(seglog::Store::Open(dir, so, &h->store));
    h->streams = std::make_unique<seglog::Streams>(h->store.get());
    h->queues = std::make_unique<seglog::Queues>(h->store.get());
    // After the queues (its fan-out sends into them), destroyed before them (seglog_close).
    h->topics = std::make_unique<seglog::Topics>(h->store.get(), h->queues.get());
    *db = h.release();
    return Status::OK();
  });
}

void seglog_close(seglog_handle* db) {
  if (db == nullptr) return;
  (void)Guard(__func__, [&]() -> Status {
    {
      // End the iterators still open: the engine needs them gone before Streams.
      std::lock_guard<std::mutex> l(db->iters->mu);
      for (seglog_iter* it : db->iters->open) {
        std::lock_guard<std::mutex> il(it->mu);
        it->batch.clear();
        it->it.reset();
      }
      db->iters->open.clear();
    }
    // Topics first: it stops the fan-out into the queues (waiting for a callback in progress)
    // and writes the subscriptions' cursors.
    db->topics.reset();
    db->queues.reset();  // stops its maintenance task; received batches do not depend on it
    db->streams.reset();
    Status s = db->store->Close();
    delete db;
    return s;  // a failed final sync is reported through seglog_last_error()
  });
}

}  // extern "C"

extern "C" {

int seglog_sync(seglog_handle* db) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    return db->store->SyncAll();
  });
}

int seglog_interrupt(seglog_handle* db) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    db->queues->Interrupt();
    return Status::OK();
  });
}

}  // extern "C"
