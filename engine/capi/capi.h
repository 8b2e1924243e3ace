// engine/capi: the C binding (include/seglog.h) over the engine's rooms. It owns the handle,
// iterator and message-batch types the header declares and the translation of Status into
// return codes; it may use engine/streams, engine/queues, engine/log, io and format, and nothing
// in the engine uses it. One file per noun: capi.cc (errors, version, argument checks),
// store_api.cc, streams_api.cc, queues_api.cc, batches_api.cc (SQS batches answered entry by
// entry), messages_api.cc (the 0.2.0 message shapes), queues_v3_api.cc (0.3.0: tags, dead-letter
// sources, move tasks), and the 0.4.0 topics: topics_api.cc (topics and their tags),
// subscriptions_api.cc, publish_api.cc (publish, wait, certificate) and callbacks_api.cc;
// limits.cc checks at compile time that every limit the header publishes equals the engine's.
// This header is internal to the room.
//
//
// Every entry point runs its body inside Guard(), which catches every C++ exception, and turns
// its Status into a return code in one place (ReturnCode) and into the calling thread's
// seglog_last_error() message. Input is checked here (NULLs, names, enum values, struct sizes,
// hash-key text) before anything reaches the engine, which checks the rest (limits, ranges)
// before it writes anything: so bad input changes nothing.
//
// Lifetimes: a handle owns its Store, Streams, Queues and Topics (made after the Queues and
// destroyed before them: destroying Topics stops the fan-out into queues, waiting for a callback
// in progress). An iterator owns its StreamIterator
// and the RecordViews of its last batch (what seglog_iter_next handed out), and shares with
// its handle a registry of open iterators, so that seglog_close can end the iterators still
// open (the engine requires every StreamIterator gone before Streams is destroyed) and
// seglog_stream_delete can refuse while the stream is being read.
//
// A receive's batch (seglog_queue_messages) is one malloc'd block holding the message structs
// (both views: seglog_queue_message and seglog_queue_message_v2, sharing their strings),
// the attribute structs and a copy of every byte they point to: it depends on nothing else, so
// it outlives the queue, the handle, everything, until seglog_queue_messages_free.
#pragma once

// The C header names the store handle `seglog`, which in C++ would collide with namespace
// seglog. Only type names change under this macro; the functions keep their C names.
#define seglog seglog_handle
#include "seglog.h"
#undef seglog


#include <algorithm>
#include <cstdlib>
#include <cstddef>
#include <cstring>
#include <exception>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/log/options.h"
#include "engine/log/store.h"
#include "engine/queues/batch_entry.h"
#include "engine/queues/queue.h"
#include "engine/streams/hash_key.h"
#include "engine/streams/stream.h"
#include "engine/topics/topics.h"
#include "format/status.h"

namespace seglog::capi {

struct IterRegistry {
  std::mutex mu;
  std::set<seglog_iter*> open;  // guarded by mu
};

}  // namespace seglog::capi

struct seglog_handle {
  std::unique_ptr<seglog::Store> store;
  std::unique_ptr<seglog::Streams> streams;
  std::unique_ptr<seglog::Queues> queues;
  std::unique_ptr<seglog::Topics> topics;  // after queues: destroyed first
  // From seglog_options: durability, sync, segment size of new streams and queues.
  seglog::LogOptions log_defaults;
  std::shared_ptr<seglog::capi::IterRegistry> iters = std::make_shared<seglog::capi::IterRegistry>();
};

struct seglog_iter {
  std::shared_ptr<seglog::capi::IterRegistry> registry;
  std::string stream;
  size_t max_bytes = 0;
  std::mutex mu;  // seglog_iter_next against seglog_close
  std::unique_ptr<seglog::StreamIterator> it;  // null once seglog_close ended it
  std::vector<seglog::RecordView> batch;       // what the last seglog_iter_next returned
};

// The batch of one receive: this header, then `count` messages, then their attributes, then
// every byte they point to (each string and byte run followed by a NUL), in one malloc'd block
// (NewBatch), freed by one free().
struct seglog_queue_messages {
  size_t count;
  const seglog_queue_message* msgs;
  const seglog_queue_message_v2* msgs_v2;  // the same messages with SQS's fields (0.2.0)
};

namespace seglog::capi {

// ---- errors (capi.cc) ----

// The C return code of a Status code.
int ReturnCode(StatusCode c);
// Records "fn: msg" as the calling thread's seglog_last_error(); returns code.
int Fail(int code, const char* fn, std::string_view msg) noexcept;
// The return code of `s`, recording its message when it is an error.
int Finish(const char* fn, const Status& s) noexcept;

// Runs body() (returning Status) with every exception caught.
template <class Body>
int Guard(const char* fn, Body&& body) noexcept {
  try {
    return Finish(fn, body());
  } catch (const std::bad_alloc&) {
    return Fail(SEGLOG_EINTERNAL, fn, "out of memory");
  } catch (const std::exception& e) {
    return Fail(SEGLOG_EINTERNAL, fn, std::string("internal error: ") + e.what());
  } catch (...) {
    return Fail(SEGLOG_EINTERNAL, fn, "internal error: unknown C++ exception");
  }
}

// ---- argument checks (capi.cc) ----

Status NotNull(const void* p, const char* what);
Status CheckName(const char* name, const char* what);
Status CheckBool(int v, const char* field);
Status DurabilityFromC(int v, bool allow_default, seglog::Durability dflt,
                       seglog::Durability* out);
int DurabilityToC(seglog::Durability d);
Status BackendFromC(int v, seglog::io::Backend* out);
// SEGLOG_LIMITS_RELAXED / _AWS <-> seglog::Limits; any other value is InvalidArgument.
Status LimitsFromC(int v, seglog::Limits* out);
int LimitsToC(seglog::Limits l);

// "40, 48": the sizes a versioned struct has had.
template <size_t N>
std::string SizeList(const size_t (&sizes)[N]) {
  std::string out;
  for (size_t s : sizes) out += (out.empty() ? "" : ", ") + std::to_string(s);
  return out;
}

// Checks a versioned struct's struct_size (convention 6): it must be the size of one published
// version, or larger than this library's sizeof(T) with every byte past sizeof(T) zero (a
// program built against a newer seglog.h that left the fields this library does not know at
// their 0 default); a non-zero byte there is NotSupported naming its offset. `sizes` lists the
// published sizes, oldest first, the last being this library's sizeof(T); fields past the
// caller's struct_size keep their defaults. `init` names the struct's init function when it is
// not `type` + "_init".
template <class T, size_t N>
Status CheckStructSize(const T* p, const size_t (&sizes)[N], const char* type,
                       const char* init = nullptr) {
  static_assert(N > 0);
  const std::string init_fn = init != nullptr ? std::string(init) : type + std::string("_init");
  const std::string got = std::string(type) + ".struct_size is " + std::to_string(p->struct_size);
  if (p->struct_size < sizes[0]) {
    return Status::InvalidArgument(got + ", below any version's (" + std::to_string(sizes[0]) +
                                   "): call " + init_fn + " first");
  }
  if (p->struct_size > sizeof(T)) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(p);
    for (size_t off = sizeof(T); off < p->struct_size; ++off) {
      if (bytes[off] != 0) {
        return Status::NotSupported(
            got + ", larger than this library's " + std::to_string(sizeof(T)) +
            " (built against a newer seglog.h), and byte " + std::to_string(off) +
            " past the fields this library knows is not 0: a setting it cannot apply");
      }
    }
    return Status::OK();
  }
  if (std::find(std::begin(sizes), std::end(sizes), p->struct_size) == std::end(sizes)) {
    return Status::InvalidArgument(got + ", which is no version's size (" + SizeList(sizes) +
                                   "): call " + init_fn + " first");
  }
  return Status::OK();
}

// *out holds the defaults; copies in the caller's fields (those its struct_size covers, up to
// this library's sizeof(T)).
template <class T, size_t N>
Status ReadVersioned(const T* in, const size_t (&sizes)[N], const char* type, T* out) {
  SEGLOG_RETURN_IF_ERROR(CheckStructSize(in, sizes, type));
  std::memcpy(static_cast<void*>(out), in, std::min(in->struct_size, sizeof(T)));
  out->struct_size = sizeof(T);
  return Status::OK();
}

// What seglog_queue_send_entry and seglog_queue_send_entry_v2 share (`E` is either): checks
// the body's pointer, the attribute count and pointer and the delay, and fills *out's body,
// delay and ids. The caller converts the attributes. `which` prefixes messages ("message 3: ").
template <class E>
Status SendEntryCommonFromC(const E& c, const std::string& which, seglog::SendEntry* out) {
  if (c.body == nullptr && c.body_len > 0) {
    return Status::InvalidArgument(which + "body is NULL but its length is " +
                                   std::to_string(c.body_len));
  }
  if (c.n_attrs > seglog::kQueueMaxAttributes) {
    return Status::InvalidArgument(which + "has " + std::to_string(c.n_attrs) +
                                   " attributes; a message has at most 10");
  }
  if (c.attrs == nullptr && c.n_attrs > 0) {
    return Status::InvalidArgument(which + "attrs is NULL but n_attrs is " +
                                   std::to_string(c.n_attrs));
  }
  if (c.delay_s < -1) {
    return Status::InvalidArgument(which + "delay_s is " + std::to_string(c.delay_s) +
                                   " (expected -1 for the queue's, or 0 .. 900)");
  }
  out->body = c.body == nullptr ? ByteView() : ByteView(static_cast<const uint8_t*>(c.body),
                                                         c.body_len);
  out->delay_s = c.delay_s;
  out->group_id = c.group_id == nullptr ? std::string_view() : std::string_view(c.group_id);
  out->dedup_id = c.dedup_id == nullptr ? std::string_view() : std::string_view(c.dedup_id);
  return Status::OK();
}

// Writes `src` into the caller's *dst (already checked by CheckStructSize): the fields its
// struct_size covers, up to this library's sizeof(T); dst->struct_size and any newer tail are
// left as they are.
template <class T>
void WriteVersioned(T* dst, T src) {
  src.struct_size = dst->struct_size;
  std::memcpy(static_cast<void*>(dst), &src, std::min(dst->struct_size, sizeof(T)));
}

// The sizes each struct has had, oldest first; a new version appends its size. 0.1.0 published
// the first of each (seglog_options then ended before mapped_writes).
inline constexpr size_t kOptionsSizes[] = {offsetof(seglog_options, mapped_writes),
                                    sizeof(seglog_options)};
inline constexpr size_t kStreamConfigSizes[] = {offsetof(seglog_stream_config, segment_size),
                                                sizeof(seglog_stream_config)};
inline constexpr size_t kStreamInfoSizes[] = {offsetof(seglog_stream_info, limits),
                                              sizeof(seglog_stream_info)};
inline constexpr size_t kIterOptionsSizes[] = {sizeof(seglog_iter_options)};
// The size a struct had before the fields from `first_new` on were appended: where they
// start, rounded up to the struct's alignment (its old tail padding; the appended fields do
// not raise the alignment).
constexpr size_t SizeBefore(size_t first_new_offset, size_t align) {
  return (first_new_offset + align - 1) / align * align;
}
// First published with queues (issue 4); 0.2.0 and 0.3.0 appended fields to both.
inline constexpr size_t kQueueConfigSizes[] = {
    offsetof(seglog_queue_config, dedup_scope),
    SizeBefore(offsetof(seglog_queue_config, redrive_allow_sources), alignof(seglog_queue_config)),
    sizeof(seglog_queue_config)};
inline constexpr size_t kQueueInfoSizes[] = {
    offsetof(seglog_queue_info, created_ms),
    SizeBefore(offsetof(seglog_queue_info, dead_letter_queue_missing), alignof(seglog_queue_info)),
    sizeof(seglog_queue_info)};
inline constexpr size_t kQueueStatsSizes[] = {sizeof(seglog_queue_statistics)};
inline constexpr size_t kReceiveOptionsSizes[] = {
    offsetof(seglog_queue_receive_options, checksums),
    SizeBefore(offsetof(seglog_queue_receive_options, attempt_id),
               alignof(seglog_queue_receive_options)),
    sizeof(seglog_queue_receive_options)};
// 0.3.0's own structs.
inline constexpr size_t kMoveTaskOptionsSizes[] = {sizeof(seglog_move_task_options)};
inline constexpr size_t kMoveTaskInfoSizes[] = {sizeof(seglog_move_task_info)};
#if UINTPTR_MAX == 0xffffffffffffffffu
// The 0.2.0 sizes as that header compiled on LP64 systems: the 0.3.0 fields start past them
// (seglog_queue_config's new fields start with a pointer so that none falls in 0.2.0's tail
// padding, which a caller may have left uninitialised).
static_assert(kQueueConfigSizes[1] == 88 &&
              offsetof(seglog_queue_config, redrive_allow_sources) == 88);
static_assert(kQueueInfoSizes[1] == 376);
static_assert(kReceiveOptionsSizes[1] == 24 &&
              offsetof(seglog_queue_receive_options, attempt_id) == 24);
#endif

// seglog_queue_create's body with tags (queues_api.cc; seglog_queue_create_with_tags in
// queues_v3_api.cc): the config's checks, then Queues::Create.
Status CreateQueueFromC(seglog_handle* db, const char* name, const seglog_queue_config* cfg,
                        const seglog::QueueTags& tags);

// keys[i] -> values[i] for i < n (queues_v3_api.cc), every pointer checked; a key given twice
// is InvalidArgument. More than 50 is InvalidArgument naming `owner` ("a queue", "a topic");
// the engine checks the keys' and values' text.
Status TagsFromC(const char* const* keys, const char* const* values, size_t n,
                 const char* owner, std::map<std::string, std::string>* out);

// attrs[0 .. n) from C (messages_api.cc): every pointer and DataType checked (the engine checks
// the rest); the views go to *out, valid while attrs is. `which` prefixes messages
// ("entry 'a': "). Queue sends and topic publishes share the struct and these checks.
Status AttributesV2FromC(const seglog_queue_attr_v2* attrs, size_t n, const std::string& which,
                         std::vector<seglog::format::MessageAttribute>* out);

template <size_t N>
void CopyString(char (&dst)[N], std::string_view src) {
  const size_t n = src.size() < N - 1 ? src.size() : N - 1;
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

// One batch entry's outcome, as SQS's and SNS's BatchResultErrorEntry.
inline void OutcomeToC(const seglog::BatchEntryOutcome& o, seglog_batch_entry_result* r) {
  *r = seglog_batch_entry_result{};
  r->code = o.ok() ? SEGLOG_OK : ReturnCode(o.status.code());
  r->sender_fault = !o.ok() && o.sender_fault ? 1 : 0;
  CopyString(r->error_code, o.code);
  CopyString(r->message, o.ok() ? std::string() : o.status.message());
}

}  // namespace seglog::capi
