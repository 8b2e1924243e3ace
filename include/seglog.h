/* seglog.h -- the public C API of seglog: durable, replayable streams on local disk, with
 * Amazon Kinesis Data Streams semantics (shards, partition keys, sequence numbers, iterators,
 * retention, checkpoints), durable queues with Amazon SQS semantics (standard and FIFO
 * queues, visibility timeouts, delays, long polling, dead-letter queues, message move tasks
 * and tags), and, since 0.4.0, topics with Amazon SNS semantics (durable fan-out to queues and
 * callbacks, filter policies, FIFO topics).
 *
 * Conventions
 * -----------
 *
 * (1) Handles. seglog (an open store), seglog_iter (a reader of one shard) and
 *     seglog_queue_messages (the messages of one receive) are opaque; they are made by
 *     seglog_open / seglog_iter_open / seglog_queue_receive and freed by seglog_close /
 *     seglog_iter_close / seglog_queue_messages_free. Closing or freeing NULL is a harmless
 *     no-op. Closing or freeing a handle twice, or using it after, is undefined behaviour, as
 *     free() twice is: seglog_close, seglog_iter_close and seglog_queue_messages_free each
 *     take a handle exactly once (set your pointer to NULL after, if it may be closed again).
 *
 * (2) Results. Every function that can fail returns an int: SEGLOG_OK (0) on success, a
 *     negative SEGLOG_E* code on failure. SEGLOG_NO_MORE (1, positive) is not an error: an
 *     iterator has caught up, and a later call sees later puts. seglog_strerror(code) names a
 *     code; seglog_last_error() gives the detailed message of the calling thread's last failure
 *     ("stream name 'a/b' has a character outside the allowed set ...").
 *
 * (3) Bad input changes nothing. A NULL where a pointer is required, a name outside
 *     [A-Za-z0-9_.-]{1,128} (and "." or ".."), an unknown enum value, a struct_size of no known
 *     version, an empty or oversize key or value, a shard index out of range: each returns an
 *     error code and a message, and leaves the store and every output untouched (except that
 *     seglog_iter_next sets *n = 0 and seglog_queue_receive sets *out = NULL on any failure,
 *     whenever n / out is not NULL). The calls that may partly succeed are the batch calls
 *     that report every entry's outcome in a results array, as SQS and Kinesis do
 *     (seglog_queue_delete_message_batch and the 0.2.0 batch calls; each says so).
 *
 * (4) Bytes are pointer + length pairs; they may hold any byte, NUL included. Names, paths and
 *     hash keys are NUL-terminated strings. Hash keys are unsigned 128-bit integers written in
 *     decimal, as Kinesis writes them ("0" .. "340282366920938463463374607431768211455").
 *
 * (5) Memory. The library never frees what the caller passed, and never keeps a caller's pointer
 *     past the call that received it. The caller never frees what the library returned, except
 *     the handles above with their own close or free function: every returned pointer lives as
 *     the section "Lifetimes" below says.
 *
 * (6) Versioned structs. Options and configs are structs whose first field is struct_size.
 *     Fill one with its *_init function, which writes the defaults and sizeof the struct, then
 *     change the fields you want. A later release only appends fields; a program compiled
 *     against an older seglog.h passes a smaller struct_size and gets the defaults for the
 *     fields it does not know. struct_size must be exactly the size of one published version
 *     of the struct: any other size below this library's (0: the struct was never initialised;
 *     one between two versions' sizes, as 47 between seglog_options' 40 and 48 bytes on a
 *     64-bit system) is SEGLOG_EINVAL. One larger than this library knows (a program built
 *     against a newer seglog.h, running on an older library) is accepted when every byte past
 *     the fields this library knows is 0 -- the newer fields left at their 0 default, which
 *     every field added since 0.2.0 means -- and is then read as this library's version; a
 *     non-zero byte there is SEGLOG_ENOTSUP, naming its offset, rather than silently ignoring
 *     a setting the caller asked for. A larger struct the library fills (an info or
 *     statistics struct) gets the fields this library knows; its tail is left as it was.
 *     Other structs (records, shard info, put entries, queue messages, send entries and
 *     attributes) have a frozen layout; a change would come as a new function with a _v2 suffix.
 *
 * (7) Threads. A seglog handle may be used from any number of threads at once, except that
 *     seglog_close must not race any other call on the handle or its iterators (a long-polling
 *     seglog_queue_receive included). A seglog_iter is used by one thread at a time (different
 *     iterators: any threads). A seglog_queue_messages may be read from any number of threads
 *     at once, and is freed once, by one of them, when none reads it any more.
 *     seglog_last_error is per thread. Topic callbacks (0.4.0) run on the store's own
 *     threads, under the rule written beside seglog_topic_callback.
 *
 * (8) Processes. One process at a time opens a store read-write, through one handle (a
 *     second read-write open, from another process or from this one, fails with
 *     SEGLOG_ELOCKED); read-only opens may run beside it. The store never creates a file outside
 *     its directory (it creates the directory itself, and missing parents, when asked to).
 *
 * (9) Exceptions never cross this API: every entry point catches them and returns
 *     SEGLOG_EINTERNAL with the exception's text in seglog_last_error().
 *
 * Lifetimes of returned pointers
 * ------------------------------
 *
 *   seglog_last_error()    until the calling thread's next seglog call other than
 *                          seglog_last_error, seglog_strerror, seglog_version, the *_init
 *                          functions and seglog_queue_messages_count, _get, _get_v2 and
 *                          _free.
 *   seglog_strerror()      forever (static strings).
 *   seglog_record's partition_key and data, filled by seglog_iter_next:
 *                          until the next seglog_iter_next or seglog_iter_close on that
 *                          iterator. Retention may remove a segment meanwhile; its memory stays
 *                          mapped until then. Closing the store (seglog_close) with the iterator
 *                          still open also ends them.
 *   a seglog_topic_delivery passed to a topic callback, and every pointer in it (0.4.0):
 *                          until the callback returns.
 *   seglog_open's *db, seglog_iter_open's *it:
 *                          until seglog_close / seglog_iter_close.
 *   seglog_queue_receive's *out, and every pointer reached from it (each seglog_queue_message
 *   from seglog_queue_messages_get, its receipt, body, attributes with their names and values,
 *   group id and dedup id; each seglog_queue_message_v2 from seglog_queue_messages_get_v2 and
 *   every string it points to):
 *                          until seglog_queue_messages_free(*out), and not one call shorter.
 *                          The batch is one self-contained copy: nothing else ends or changes
 *                          it -- not other receives, not deleting or changing the visibility
 *                          of its messages, not seglog_queue_purge or seglog_queue_delete of
 *                          the queue, not seglog_close of the store (free it before or after,
 *                          as you like). Every *out must be freed exactly once, the empty
 *                          batch of a receive that found nothing included.
 *
 * Durability
 * ----------
 *
 *   SEGLOG_DURABILITY_ALWAYS    a put returns after an fdatasync that covers it (puts from many
 *                               threads share syncs). Survives power loss.
 *   SEGLOG_DURABILITY_INTERVAL  a put returns once its bytes are in the kernel; a background
 *                               sync runs every sync_interval_ms. Power loss loses at most the
 *                               last interval.
 *   SEGLOG_DURABILITY_NONE      a put returns once its bytes are in the kernel. Survives a
 *                               process crash only.
 *
 * A put that returned SEGLOG_OK is never lost within these bounds, and no corrupt or phantom
 * record is ever returned by an iterator.
 *
 * Queues. A queue's durability mode (its config's, else the store options') covers both its
 * message log and its journal of deletes and receive counts, with the bounds above:
 *   - a send (seglog_queue_send, _send_batch) that returned SEGLOG_OK is never lost within
 *     them: under ALWAYS it survives power loss, under INTERVAL power loss loses at most the
 *     last interval's sends, under NONE only a process crash is survived;
 *   - a delete (seglog_queue_delete_message, _delete_message_batch, seglog_queue_purge) that
 *     returned SEGLOG_OK holds within the same bounds; one lost to power loss under INTERVAL or
 *     NONE brings its message back (delivered again: at least once, never lost);
 *   - a message moved to a dead-letter queue or redriven is never lost by a crash mid-move, but
 *     may then be in both queues (delivered twice).
 * In-flight (visibility) state is durable like deletes (since 0.3.0): each receive journals
 * its messages' receive count, receive time and visibility deadline, and each visibility
 * change its new deadline, before the call returns (as durably as the queue's mode says). So
 * after a reopen a received message stays hidden until its deadline, its receipt still works,
 * and max_receive_count and the dead-letter move hold; a receipt is stale once its message was
 * received again, across any number of restarts. A receive or change lost to power loss under
 * INTERVAL or NONE makes the message visible again (delivered again, never lost).
 */
#ifndef SEGLOG_H_
#define SEGLOG_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version ---------------------------------------------------------------------------- */

#define SEGLOG_VERSION_MAJOR 0
#define SEGLOG_VERSION_MINOR 4
#define SEGLOG_VERSION_PATCH 0
#define SEGLOG_VERSION_STRING "0.4.0"
/* MAJOR * 1000000 + MINOR * 1000 + PATCH, as SQLITE_VERSION_NUMBER. 0.4.0 only adds (topics:
 * new functions, structs and codes; no struct of 0.3.0 grew), so a program built against
 * 0.3.0's header runs on it unchanged (SONAME libseglog.so.1). */
#define SEGLOG_VERSION_NUMBER \
  (SEGLOG_VERSION_MAJOR * 1000000 + SEGLOG_VERSION_MINOR * 1000 + SEGLOG_VERSION_PATCH)

/* The library's SEGLOG_VERSION_NUMBER (compare with the header's to detect a mismatch). */
int seglog_version(void);

/* ---- Return codes ----------------------------------------------------------------------- */

#define SEGLOG_OK 0
#define SEGLOG_NO_MORE 1     /* not an error: the iterator has caught up, for now */
#define SEGLOG_EINVAL (-1)   /* invalid argument: NULL, bad name, unknown enum, out of range */
#define SEGLOG_ENOTFOUND (-2) /* no such store, stream or checkpoint */
#define SEGLOG_EEXIST (-3)   /* the stream already exists */
#define SEGLOG_ETOOLARGE (-4) /* a record or batch over its limit */
#define SEGLOG_EIO (-5)      /* an I/O error; the message names the call and the file */
#define SEGLOG_ECORRUPT (-6) /* a bad checksum or structure; the message names file and offset */
#define SEGLOG_ELOCKED (-7)  /* the store is open read-write already (by another process, or
                                by this one through another handle) */
#define SEGLOG_ENOSPC (-8)   /* the disk is full */
#define SEGLOG_ECLOSED (-9)  /* the store was closed under this iterator */
#define SEGLOG_ENOTSUP (-10) /* a newer format; a struct from a newer seglog.h setting a field
                                this library does not know (a write to a read-only store is
                                SEGLOG_EREADONLY since 0.2.0) */
#define SEGLOG_EINTERNAL (-11) /* a bug or out of memory: a C++ exception was caught */
#define SEGLOG_ESTALE (-12)  /* a queue receipt no longer holds its message: the message was
                                received again since, or is no longer in flight */
/* Added in 0.2.0: */
#define SEGLOG_ECANCELED (-13) /* seglog_interrupt was called on the handle (receives) */
#define SEGLOG_EBUSY (-14)     /* in use in this process: a stream with open iterators
                                  (seglog_stream_delete; SEGLOG_ELOCKED before 0.2.0); since
                                  0.3.0 also a queue purged under 60 s ago (seglog_queue_purge,
                                  SQS PurgeQueueInProgress; "aws" limits only) */
#define SEGLOG_EREADONLY (-15) /* a write to a store opened read-only (SEGLOG_ENOTSUP before
                                  0.2.0) */
#define SEGLOG_EDELETED_RECENTLY (-16) /* a queue name deleted under 60 s ago (SQS
                                          QueueDeletedRecently; "aws" limits only) */
/* Added in 0.4.0: */
#define SEGLOG_ETIMEDOUT (-17) /* seglog_topic_wait_delivered: the time ran out first */

/* "SEGLOG_EINVAL: invalid argument", ...; "unknown seglog return code" for any other value.
 * Never NULL. */
const char* seglog_strerror(int code);

/* The detailed message of the calling thread's last failed call (a return below 0); "" after
 * a call that returned SEGLOG_OK or SEGLOG_NO_MORE. Never NULL. */
const char* seglog_last_error(void);

/* ---- Limits ----------------------------------------------------------------------------- */

#define SEGLOG_NAME_MAX 128               /* stream, consumer and queue names, in bytes */
#define SEGLOG_HASH_KEY_MAX 40            /* a decimal 128-bit hash key and its NUL */
#define SEGLOG_MAX_SHARDS 1024
#define SEGLOG_MAX_PARTITION_KEY 256      /* bytes; at least 1 */
#define SEGLOG_MAX_RECORD_BYTES (10u << 20) /* the largest max_record_bytes a stream may have */
#define SEGLOG_MAX_BATCH_RECORDS 500      /* per seglog_stream_put_batch */
#define SEGLOG_MAX_BATCH_BYTES (5u << 20) /* per seglog_stream_put_batch, keys included */
#define SEGLOG_MAX_READ_RECORDS 10000     /* per seglog_iter_next */
#define SEGLOG_MAX_READ_BYTES (10u << 20) /* per seglog_iter_next */
/* Queues (Amazon SQS's limits): */
#define SEGLOG_QUEUE_MAX_BATCH 10              /* entries per send, receive, delete batch */
#define SEGLOG_QUEUE_MAX_ATTRS 10              /* attributes per message */
#define SEGLOG_QUEUE_MAX_ATTR_NAME 256         /* bytes of an attribute name */
#define SEGLOG_QUEUE_MAX_ID 128                /* bytes of a group or dedup id */
#define SEGLOG_QUEUE_MIN_MESSAGE_BYTES 1024    /* the least max_message_bytes */
#define SEGLOG_QUEUE_MAX_MESSAGE_BYTES (1u << 20) /* the most, and the default */
#define SEGLOG_QUEUE_MAX_VISIBILITY_S 43200    /* 12 hours */
#define SEGLOG_QUEUE_MAX_DELAY_S 900           /* 15 minutes */
#define SEGLOG_QUEUE_MAX_WAIT_S 20             /* long polling */
#define SEGLOG_QUEUE_MIN_RETENTION_S 60
#define SEGLOG_QUEUE_MAX_RETENTION_S 1209600   /* 14 days */
#define SEGLOG_QUEUE_MAX_RECEIVE_COUNT 1000    /* max_receive_count's bound */
/* Added in 0.2.0: */
#define SEGLOG_QUEUE_LIST_MAX_RESULTS 1000     /* per seglog_queue_list_v2 page */
#define SEGLOG_QUEUE_LIST_TOKEN_MAX 520        /* bytes of a list page token, its NUL included */
#define SEGLOG_QUEUE_MAX_IN_FLIGHT 120000      /* in-flight messages per queue: a receive past
                                                  it returns an empty batch (see
                                                  seglog_queue_receive) */
/* Added in 0.3.0: */
#define SEGLOG_QUEUE_MAX_TAGS 50               /* tags per queue */
#define SEGLOG_QUEUE_TAG_KEY_MAX 512           /* bytes of a tag key: 128 characters of UTF-8 */
#define SEGLOG_QUEUE_TAG_VALUE_MAX 1024        /* bytes of a tag value: 256 characters */
#define SEGLOG_QUEUE_MAX_REDRIVE_SOURCES 10    /* queues a byQueue redrive allow policy names */
#define SEGLOG_QUEUE_ATTEMPT_ID_MAX 128        /* bytes of a receive request attempt id */
#define SEGLOG_MOVE_TASK_HANDLE_MAX 256        /* bytes of a move task handle (its NUL apart) */
#define SEGLOG_MOVE_TASK_MAX_PER_SECOND 500    /* a move task's highest rate */
#define SEGLOG_MOVE_TASK_LIST_MAX 10           /* tasks seglog_queue_move_task_list returns */

/* ---- Enums (stored in int fields; any other value is SEGLOG_EINVAL) ---------------------- */

#define SEGLOG_DURABILITY_DEFAULT 0 /* stream and queue configs only: the store options' */
#define SEGLOG_DURABILITY_ALWAYS 1
#define SEGLOG_DURABILITY_INTERVAL 2
#define SEGLOG_DURABILITY_NONE 3

#define SEGLOG_IO_AUTO 0   /* io_uring when the kernel allows it, else pwrite */
#define SEGLOG_IO_URING 1  /* io_uring or fail */
#define SEGLOG_IO_PWRITE 2 /* pwrite + fdatasync */

#define SEGLOG_ITER_TRIM_HORIZON 0         /* the oldest retained record */
#define SEGLOG_ITER_LATEST 1               /* just after the newest record, at open */
#define SEGLOG_ITER_AT_SEQUENCE_NUMBER 2   /* the record with sequence number seq */
#define SEGLOG_ITER_AFTER_SEQUENCE_NUMBER 3 /* the record after seq */
#define SEGLOG_ITER_AT_TIMESTAMP 4         /* the first record at or after timestamp_ms */

#define SEGLOG_QUEUE_STANDARD 0 /* at-least-once, best-effort order */
#define SEGLOG_QUEUE_FIFO 1     /* exactly-once send (dedup), order within a message group */

#define SEGLOG_ATTR_STRING 1    /* a message attribute's type, as SQS's "String" */
#define SEGLOG_ATTR_NUMBER 2    /* "Number" (its value is the number's text) */
#define SEGLOG_ATTR_BINARY 3    /* "Binary" */

#define SEGLOG_LIMITS_RELAXED 0 /* limits: seglog's wider embedded-use limits (the default) */
#define SEGLOG_LIMITS_AWS 1     /* limits: exactly AWS's checks (what seglogd creates) */

/* A FIFO queue's dedup_scope and fifo_throughput_limit (SQS DeduplicationScope and
 * FifoThroughputLimit, "high throughput FIFO"); 0.2.0 stores and returns them, delivery does
 * not depend on them yet. Standard queues: 0 only. */
#define SEGLOG_DEDUP_SCOPE_QUEUE 0          /* SQS "queue" (the default) */
#define SEGLOG_DEDUP_SCOPE_MESSAGE_GROUP 1  /* SQS "messageGroup" */
#define SEGLOG_FIFO_THROUGHPUT_PER_QUEUE 0  /* SQS "perQueue" (the default) */
#define SEGLOG_FIFO_THROUGHPUT_PER_MESSAGE_GROUP_ID 1 /* SQS "perMessageGroupId": needs
                                                         SEGLOG_DEDUP_SCOPE_MESSAGE_GROUP */

/* Added in 0.3.0. A queue's redrive_allow (SQS RedriveAllowPolicy's redrivePermission): which
 * queues may name it as their dead-letter queue. */
#define SEGLOG_REDRIVE_ALLOW_ALL 0      /* "allowAll" (the default): any queue of its type */
#define SEGLOG_REDRIVE_ALLOW_DENY_ALL 1 /* "denyAll": none */
#define SEGLOG_REDRIVE_ALLOW_BY_QUEUE 2 /* "byQueue": the 1 .. 10 queues of
                                           redrive_allow_sources */

/* Added in 0.3.0. A message move task's status (SQS ListMessageMoveTasks' Status). */
#define SEGLOG_MOVE_TASK_RUNNING 0
#define SEGLOG_MOVE_TASK_COMPLETED 1
#define SEGLOG_MOVE_TASK_CANCELLING 2
#define SEGLOG_MOVE_TASK_CANCELLED 3
#define SEGLOG_MOVE_TASK_FAILED 4

/* ---- Opaque handles --------------------------------------------------------------------- */

typedef struct seglog seglog;
typedef struct seglog_iter seglog_iter;
typedef struct seglog_queue_messages seglog_queue_messages;

/* ---- Store ------------------------------------------------------------------------------ */

typedef struct seglog_options {
  size_t struct_size;        /* sizeof(seglog_options), set by seglog_options_init */
  int create_if_missing;     /* 1 (default): create the directory and store; 0: ENOTFOUND */
  int read_only;             /* 0 (default); 1: no lock, no writes (every write:
                                SEGLOG_EREADONLY) */
  int io_backend;            /* SEGLOG_IO_AUTO (default), _URING, _PWRITE */
  /* Defaults for streams and queues created through this handle (each keeps its own
   * thereafter): */
  int durability;            /* SEGLOG_DURABILITY_ALWAYS (default), _INTERVAL, _NONE */
  uint32_t sync_interval_ms; /* 200; 1 .. 3,600,000 whatever the durability (used by INTERVAL) */
  uint64_t segment_size;     /* 64 MiB; 4096 .. 2^40 bytes */
  /* Added after 0.1.0 (an older struct_size gets the default): */
  int mapped_writes;         /* 1 (default): under INTERVAL and NONE, appends of up to 4 KiB are
                              * copied into the active segment's shared mapping instead of one
                              * write(2) each - same guarantees (SPEC.md 13.1); 0: always write(2) */
} seglog_options;

void seglog_options_init(seglog_options* opt);

/* Opens the store in directory `dir`. opt may be NULL (the defaults).
 * SEGLOG_ENOTFOUND: no store there and create_if_missing is 0 (or read_only is 1).
 * SEGLOG_ELOCKED: another process has it open read-write ("another process" in the message),
 * or this one does, through a handle not yet closed ("this process already has it open").
 * On failure *db is left unchanged. */
int seglog_open(const char* dir, const seglog_options* opt, seglog** db);

/* Closes the store: syncs what is unsynced and frees the handle. NULL is a no-op; closing the
 * same handle twice is undefined (as free() twice). The handle is freed even if that final
 * sync fails; the failure is then left in seglog_last_error() (which is "" otherwise).
 * Close the iterators first: one still open is ended here (its records become invalid, its
 * seglog_iter_next returns SEGLOG_ECLOSED) and must still be freed with seglog_iter_close. */
void seglog_close(seglog* db);

/* Added in 0.2.0. Makes everything appended so far through this handle durable now: every
 * log the store has open (stream shards, queue messages and journals) is fdatasync'd, whatever
 * its durability -- for streams and queues under SEGLOG_DURABILITY_INTERVAL or _NONE, a way to
 * choose the moment (a put that returned before this call survives power loss once it
 * returns SEGLOG_OK). Puts and sends may run beside it (those that return after it started
 * are not necessarily covered). SEGLOG_OK on a read-only store (it wrote nothing).
 * SEGLOG_EIO: a sync failed (the message names the log); that log then refuses writes, as
 * after any failed sync. */
int seglog_sync(seglog* db);

/* Added in 0.2.0. Cancels receives: every seglog_queue_receive waiting now on this handle (a
 * long poll) returns SEGLOG_ECANCELED at once, and so does every one started later, until
 * seglog_close -- without receiving anything. Everything else (sends, deletes, visibility
 * changes, streams) keeps working, so a program can drain and close. Idempotent; callable
 * from any thread, concurrently with any call on the handle but seglog_close. Not
 * async-signal-safe (it takes locks to wake the waiters): from a signal handler, set a flag
 * or write to a pipe that a thread of yours watches, and call it from there. */
int seglog_interrupt(seglog* db);

/* ---- Streams ---------------------------------------------------------------------------- */

typedef struct seglog_stream_config {
  size_t struct_size;        /* sizeof(seglog_stream_config), set by the init function */
  uint32_t shard_count;      /* 1 (default) .. 1,024; fixed for the stream's life */
  uint32_t retention_hours;  /* 24 (default); 1 .. 8,760 */
  uint32_t max_record_bytes; /* 1 MiB (default); 1 KiB .. 10 MiB of data per record */
  int durability;            /* SEGLOG_DURABILITY_DEFAULT (the store options'), or one mode */
  /* Added in 0.2.0 (an older struct_size, or 0, gets the default): */
  uint64_t segment_size;     /* 0 (default): the store options'; else 4096 .. 2^40 bytes */
  uint32_t sync_interval_ms; /* 0 (default): the store options'; else 1 .. 3,600,000 */
  int limits;                /* SEGLOG_LIMITS_RELAXED (default), or SEGLOG_LIMITS_AWS:
                                Kinesis's checks (retention 24 .. 8,760 hours; partition keys
                                of 1 .. 256 characters of valid UTF-8, so up to 1,024 bytes);
                                kept for the stream's life (SPEC.md 16, "Limits profiles") */
} seglog_stream_config;

void seglog_stream_config_init(seglog_stream_config* cfg);

/* Creates a stream whose shards split the hash-key space evenly. cfg may be NULL.
 * SEGLOG_EEXIST: a stream of that name exists. SEGLOG_EINVAL: bad name or config. */
int seglog_stream_create(seglog* db, const char* name, const seglog_stream_config* cfg);

/* Deletes a stream, its records and its checkpoints.
 * SEGLOG_ENOTFOUND; SEGLOG_EBUSY while an iterator of the stream is open (SEGLOG_ELOCKED
 * before 0.2.0). */
int seglog_stream_delete(seglog* db, const char* name);

typedef struct seglog_name {
  char name[SEGLOG_NAME_MAX + 1];
} seglog_name;

/* The names of the streams, sorted. Writes min(cap, count) names and sets *n = count:
 * when *n > cap, call again with a larger array. names may be NULL when cap is 0. */
int seglog_stream_list(seglog* db, seglog_name* names, size_t cap, size_t* n);

typedef struct seglog_stream_info {
  size_t struct_size; /* sizeof(seglog_stream_info), set by seglog_stream_info_init */
  char name[SEGLOG_NAME_MAX + 1];
  uint32_t shard_count;
  uint32_t retention_hours;
  uint32_t max_record_bytes;
  int durability;            /* SEGLOG_DURABILITY_ALWAYS, _INTERVAL or _NONE */
  uint32_t sync_interval_ms;
  uint64_t segment_size;
  /* Added in 0.2.0: */
  int limits;                /* SEGLOG_LIMITS_RELAXED or SEGLOG_LIMITS_AWS */
} seglog_stream_info;

void seglog_stream_info_init(seglog_stream_info* info);

typedef struct seglog_shard_info { /* frozen layout */
  uint32_t shard;                                  /* 0 .. shard_count - 1 */
  char hash_key_start[SEGLOG_HASH_KEY_MAX];        /* decimal, inclusive */
  char hash_key_end[SEGLOG_HASH_KEY_MAX];          /* decimal, inclusive */
  uint64_t first_seq;  /* the oldest retained record's (== next_seq when empty) */
  uint64_t next_seq;   /* the sequence number the next record will get */
  uint64_t bytes;      /* bytes on disk */
  uint64_t segments;   /* segment files */
} seglog_shard_info;

/* Describes a stream into *info (after seglog_stream_info_init) and its shards into
 * shards[0 .. min(cap, shard_count)); sets *n = shard_count. shards may be NULL when cap is 0.
 * SEGLOG_ENOTFOUND. */
int seglog_stream_describe(seglog* db, const char* name, seglog_stream_info* info,
                           seglog_shard_info* shards, size_t cap, size_t* n);

/* Raises or lowers retention on a live stream (1 .. 8,760 hours; 24 .. 8,760 on a stream
 * created with SEGLOG_LIMITS_AWS). Expired records stop being returned at once; their
 * segments are removed in the background. SEGLOG_ENOTFOUND. */
int seglog_stream_set_retention(seglog* db, const char* name, uint32_t hours);

/* ---- Puts ------------------------------------------------------------------------------- */

/* Puts one record: to the shard whose hash-key range holds the MD5 of the partition key, or
 * explicit_hash_key when not NULL. pkey: 1 .. 256 bytes (a SEGLOG_LIMITS_AWS stream: 1 .. 256
 * characters of valid UTF-8, as Kinesis, so up to 1,024 bytes); data: 0 .. the stream's
 * max_record_bytes (data may be NULL when len is 0). shard_out and seq_out may be NULL.
 * SEGLOG_EINVAL: empty or oversize key, bad hash key. SEGLOG_ETOOLARGE: data over the limit. */
int seglog_stream_put(seglog* db, const char* stream, const void* pkey, size_t pkey_len,
                      const char* explicit_hash_key, const void* data, size_t len,
                      uint32_t* shard_out, uint64_t* seq_out);

typedef struct seglog_put_entry { /* frozen layout */
  const void* partition_key;     /* in: 1 .. 256 bytes */
  size_t partition_key_len;
  const char* explicit_hash_key; /* in: decimal, or NULL */
  const void* data;              /* in: 0 .. max_record_bytes */
  size_t data_len;
  uint32_t shard;                /* out */
  uint64_t seq;                  /* out */
} seglog_put_entry;

/* Puts 1 .. 500 records (5 MiB in all, keys included). The whole batch is checked before
 * anything is written; each shard's records are written as one atomic batch, in entry order.
 * On success each entry's shard and seq are filled in.
 * On a failed write (SEGLOG_EIO, SEGLOG_ENOSPC, ...) some records may have been written all
 * the same: the shards' batches are written in ascending shard index, so the records of the
 * shards below the failed one were written (and are read back like any others), those of the
 * failed shard were not, and those of the shards above it were not tried. No entry's shard
 * and seq are filled in then, so the caller cannot tell which: use seglog_stream_put_batch_v2,
 * which tries every shard and reports each record. */
int seglog_stream_put_batch(seglog* db, const char* stream, seglog_put_entry* entries, size_t n);

/* Added in 0.2.0: one record's outcome in seglog_stream_put_batch_v2 (Kinesis
 * PutRecordsResultEntry). */
typedef struct seglog_put_result { /* frozen layout */
  int code;            /* SEGLOG_OK, or the error of this record's shard's write (SEGLOG_EIO,
                          SEGLOG_ENOSPC, ...): the record was not written */
  uint32_t shard;      /* the shard the record was routed to (written or not) */
  uint64_t seq;        /* its sequence number when code is SEGLOG_OK; else 0 */
  char error_code[64]; /* Kinesis's ErrorCode: "InternalFailure" on failure; "" on success */
  char message[256];   /* the detail (names the shard's file), truncated to fit; "" on success */
} seglog_put_result;

/* Puts 1 .. 500 records as seglog_stream_put_batch does, and answers as Kinesis PutRecords:
 * record by record. entries' in-fields are read (their shard and seq are not written);
 * results (an array of n, the caller's) receives each record's outcome, and *failed (failed
 * may be NULL) the number of records that failed (Kinesis FailedRecordCount).
 * The whole request is checked first, as by seglog_stream_put_batch: any bad record, or the
 * batch over its limits, fails the call with nothing written and results and *failed
 * untouched. Then each shard's records are written as one atomic batch, in entry order; a
 * shard whose write fails does not stop the others. So every record ends either written, with
 * code SEGLOG_OK, its shard and seq (read back as any put), or not written at all, with its
 * shard's error (results[i].code) -- all the records of one shard share one outcome.
 * Returns SEGLOG_OK once the records were attempted, even when some or all failed: look at
 * *failed. SEGLOG_EINVAL: NULL db, stream, results (or entries with n > 0), n 0 or over 500,
 * a bad record (the message names its index); SEGLOG_ETOOLARGE: a record over
 * max_record_bytes, the batch over 5 MiB; SEGLOG_ENOTFOUND: no such stream;
 * SEGLOG_EREADONLY: the store is open read-only. */
int seglog_stream_put_batch_v2(seglog* db, const char* stream, const seglog_put_entry* entries,
                               size_t n, seglog_put_result* results, size_t* failed);

/* ---- Iterators -------------------------------------------------------------------------- */

typedef struct seglog_iter_options {
  size_t struct_size;   /* sizeof(seglog_iter_options), set by seglog_iter_options_init */
  int type;             /* SEGLOG_ITER_TRIM_HORIZON (default), ... */
  uint64_t seq;         /* AT_/AFTER_SEQUENCE_NUMBER: a record's (below the shard's next_seq) */
  int64_t timestamp_ms; /* AT_TIMESTAMP: milliseconds since the Unix epoch */
  size_t max_bytes;     /* per seglog_iter_next: 10 MiB (default); 1 .. 10 MiB */
} seglog_iter_options;

void seglog_iter_options_init(seglog_iter_options* opt);

/* Opens a reader of one shard. opt may be NULL (TRIM_HORIZON).
 * SEGLOG_EINVAL: shard out of range, a sequence number at or past next_seq. */
int seglog_iter_open(seglog* db, const char* stream, uint32_t shard,
                     const seglog_iter_options* opt, seglog_iter** it);

typedef struct seglog_record { /* frozen layout */
  uint64_t seq;
  int64_t timestamp_ms;      /* when it was put */
  const void* partition_key; /* valid until the next call on the iterator, or its close */
  size_t partition_key_len;
  const void* data;          /* likewise */
  size_t data_len;
} seglog_record;

/* Reads up to max_records records (at most 10,000) and about max_bytes bytes (at least one
 * record, however large) in sequence order, skipping expired ones. Returns SEGLOG_OK with
 * *n >= 1, or SEGLOG_NO_MORE with *n == 0 when caught up (a later call sees later puts).
 * SEGLOG_ECLOSED: the store was closed. On any failure *n == 0. */
int seglog_iter_next(seglog_iter* it, seglog_record* recs, size_t max_records, size_t* n);

/* Frees the iterator. NULL is a no-op; closing the same iterator twice is undefined (as
 * free() twice). */
void seglog_iter_close(seglog_iter* it);

/* ---- Checkpoints ------------------------------------------------------------------------ */

/* Durably records that `consumer` (a name, as a stream's) has processed shard `shard` up to
 * and including sequence number seq (which must be below the shard's next_seq). Resume with
 * SEGLOG_ITER_AFTER_SEQUENCE_NUMBER at the checkpoint. */
int seglog_checkpoint_set(seglog* db, const char* stream, const char* consumer, uint32_t shard,
                          uint64_t seq);

/* SEGLOG_ENOTFOUND when the consumer has no checkpoint on that shard (*seq unchanged). */
int seglog_checkpoint_get(seglog* db, const char* stream, const char* consumer, uint32_t shard,
                          uint64_t* seq);

/* ---- Queues ----------------------------------------------------------------------------- */

/* Amazon SQS semantics on the store. A message is sent, received (which hides it for the
 * visibility timeout and hands out a receipt), and deleted with that receipt; a message
 * received and not deleted in time becomes visible again. Queue names are stream names
 * ([A-Za-z0-9_.-]{1,128}, not "." or "..", their own namespace); a FIFO queue's name ends in
 * ".fifo" and only a FIFO queue's does. Every call on a queue that does not exist is
 * SEGLOG_ENOTFOUND; on a read-only store, every call that changes a queue (receives included,
 * even of an empty queue) is SEGLOG_EREADONLY (SEGLOG_ENOTSUP before 0.2.0). */

typedef struct seglog_queue_config {
  size_t struct_size;            /* sizeof(seglog_queue_config), set by the init function */
  int type;                      /* SEGLOG_QUEUE_STANDARD (default) or SEGLOG_QUEUE_FIFO */
  uint32_t visibility_timeout_s; /* 30 (default); 0 .. 43,200 */
  uint32_t delay_s;              /* 0 (default); 0 .. 900: new messages stay hidden this long */
  uint32_t retention_s;          /* 345,600 = 4 days (default); 60 .. 1,209,600 */
  uint32_t max_message_bytes;    /* 1 MiB (default); 1,024 .. 1,048,576, attributes counted */
  uint32_t receive_wait_s;       /* 0 (default); 0 .. 20: a receive's wait when it names none */
  int content_based_dedup;       /* 0 (default) or 1, FIFO only: no dedup id = SHA-256 of body */
  const char* dead_letter_queue; /* NULL or "" (default): none; else an existing queue of the
                                    same type, to which a message received max_receive_count
                                    times moves instead of being delivered again */
  uint32_t max_receive_count;    /* 0 (default) without a dead-letter queue; 1 .. 1,000 with */
  int durability;                /* SEGLOG_DURABILITY_DEFAULT (the store options'), or a mode */
  uint32_t sync_interval_ms;     /* 0 (default): the store options'; else 1 .. 3,600,000 */
  uint64_t segment_size;         /* 0 (default): the store options'; else 4096 .. 2^40 */
  /* Added in 0.2.0 (an older struct_size gets the defaults): */
  int dedup_scope;               /* SEGLOG_DEDUP_SCOPE_QUEUE (default) or _MESSAGE_GROUP (FIFO) */
  int fifo_throughput_limit;     /* SEGLOG_FIFO_THROUGHPUT_PER_QUEUE (default) or
                                    _PER_MESSAGE_GROUP_ID (FIFO, with the message group scope) */
  int limits;                    /* SEGLOG_LIMITS_RELAXED (default) or SEGLOG_LIMITS_AWS: which
                                    checks the queue's input gets; fixed at creation */
  /* Added in 0.3.0 (an older struct_size gets the defaults). SQS RedriveAllowPolicy: which
   * queues may make this one their dead-letter queue, checked when a queue's redrive policy
   * names it (create, set_attributes); a later change does not undo existing policies. (The
   * pointer comes first so that the new fields start past 0.2.0's struct, padding included.) */
  const char* const* redrive_allow_sources; /* SEGLOG_REDRIVE_ALLOW_BY_QUEUE: 1 .. 10 distinct
                                               queue names (not ARNs); NULL (default) else */
  size_t redrive_allow_source_count;        /* how many; 0 (default) unless _BY_QUEUE */
  int redrive_allow;             /* SEGLOG_REDRIVE_ALLOW_ALL (default), _DENY_ALL or _BY_QUEUE */
} seglog_queue_config;

void seglog_queue_config_init(seglog_queue_config* cfg);

/* Creates a queue (SQS CreateQueue). cfg may be NULL (a standard queue with the defaults).
 * When a queue of that name exists: SEGLOG_OK, changing nothing, if its settings equal cfg's
 * (every field, except that durability, sync_interval_ms and segment_size left at 0, "the
 * store options'", are not compared); else SEGLOG_EEXIST, the message naming the first field
 * that differs (SQS QueueAlreadyExists). Changed in 0.2.0: 0.1 returned SEGLOG_EEXIST whenever
 * the name existed. SEGLOG_EDELETED_RECENTLY: a queue of that name created with
 * SEGLOG_LIMITS_AWS was deleted less than 60 seconds ago (remembered by this handle only; a
 * reopened store has forgotten it). SEGLOG_EINVAL: bad name (including a FIFO name without
 * ".fifo" or a standard one with it), a setting out of range, content_based_dedup, dedup_scope
 * or fifo_throughput_limit on a standard queue, fifo_throughput_limit per message group id
 * with the queue dedup scope, a dead-letter queue that does not exist or is of the other type,
 * or a max_receive_count without one (or none with one); since 0.3.0 an unknown redrive_allow,
 * sources with a permission other than _BY_QUEUE (or none, or more than 10, with it), a NULL
 * or invalid source name, and a dead-letter queue whose redrive_allow does not allow this
 * queue. */
int seglog_queue_create(seglog* db, const char* name, const seglog_queue_config* cfg);

/* Added in 0.3.0. seglog_queue_create with n tags (SQS CreateQueue's tags): keys[i] gets
 * values[i]. The queue and its tags are one catalog write: after a crash the queue exists with
 * all of them or not at all. The tags are checked first, as seglog_queue_tag checks them (n
 * 0 .. 50; keys and values may be NULL when n is 0). When the queue exists already, the tags
 * are neither compared nor changed (as SQS): SEGLOG_OK or SEGLOG_EEXIST as seglog_queue_create
 * answers. Errors: those of seglog_queue_create and of seglog_queue_tag. */
int seglog_queue_create_with_tags(seglog* db, const char* name, const seglog_queue_config* cfg,
                                  const char* const* keys, const char* const* values, size_t n);

/* Which fields of a seglog_queue_config seglog_queue_set_attributes sets (0.2.0). */
#define SEGLOG_QUEUE_FIELD_VISIBILITY_TIMEOUT (1u << 0) /* visibility_timeout_s: later receives */
#define SEGLOG_QUEUE_FIELD_DELAY (1u << 1)        /* delay_s: later sends */
#define SEGLOG_QUEUE_FIELD_RETENTION (1u << 2)    /* retention_s: at once (messages older than
                                                     it are no longer delivered; they leave at
                                                     the next maintenance) */
#define SEGLOG_QUEUE_FIELD_MAX_MESSAGE_BYTES (1u << 3) /* max_message_bytes: later sends */
#define SEGLOG_QUEUE_FIELD_RECEIVE_WAIT (1u << 4) /* receive_wait_s: later receives */
#define SEGLOG_QUEUE_FIELD_REDRIVE_POLICY (1u << 5) /* dead_letter_queue and max_receive_count
                                                       together (SQS RedrivePolicy): NULL/"" and
                                                       0 remove it; later receives */
#define SEGLOG_QUEUE_FIELD_CONTENT_BASED_DEDUP (1u << 6) /* FIFO: later sends */
#define SEGLOG_QUEUE_FIELD_DEDUP_SCOPE (1u << 7)         /* FIFO */
#define SEGLOG_QUEUE_FIELD_FIFO_THROUGHPUT_LIMIT (1u << 8) /* FIFO */
/* Fixed at creation: accepted only with the queue's current value (else SEGLOG_EINVAL naming
 * the field), so that a full config read back from describe can be set again. */
#define SEGLOG_QUEUE_FIELD_TYPE (1u << 9)
#define SEGLOG_QUEUE_FIELD_LIMITS (1u << 10)
#define SEGLOG_QUEUE_FIELD_DURABILITY (1u << 11)  /* SEGLOG_DURABILITY_DEFAULT: the store's */
#define SEGLOG_QUEUE_FIELD_SYNC_INTERVAL (1u << 12) /* 0: the store options' */
#define SEGLOG_QUEUE_FIELD_SEGMENT_SIZE (1u << 13)  /* 0: the store options' */
/* 0.3.0: */
#define SEGLOG_QUEUE_FIELD_REDRIVE_ALLOW_POLICY (1u << 14) /* redrive_allow and its sources
                                                             (SQS RedriveAllowPolicy) */
#define SEGLOG_QUEUE_FIELDS_ALL ((1u << 15) - 1)

/* Changes a queue's settings (SQS SetQueueAttributes): those of cfg that `fields` names (a
 * union of SEGLOG_QUEUE_FIELD_* bits), checked as seglog_queue_create checks them (a
 * dead-letter queue must exist and be of the same type). cfg's other fields are not used, but
 * their enums, booleans and names must be valid (start from seglog_queue_config_init). The change is durable
 * (one catalog write, all of it or none after a crash) before it applies to the live queue and
 * before the call returns; operations already under way finish with the old settings. The
 * queue's last_modified_ms becomes now. SEGLOG_EINVAL, changing nothing: fields 0 or with
 * an unknown bit, a bad value, a fixed field changed. SEGLOG_ENOTFOUND. */
int seglog_queue_set_attributes(seglog* db, const char* name, const seglog_queue_config* cfg,
                                uint32_t fields);

/* Deletes a queue and its messages (SQS DeleteQueue), at once. Batches already received stay
 * valid (see Lifetimes); their receipts no longer delete anything (SEGLOG_ENOTFOUND, or
 * SEGLOG_EINVAL once a queue of that name is created again). SEGLOG_ENOTFOUND. */
int seglog_queue_delete(seglog* db, const char* name);

/* The names of the queues, sorted; as seglog_stream_list. */
int seglog_queue_list(seglog* db, seglog_name* names, size_t cap, size_t* n);

/* One page of the queue names starting with `prefix` (NULL or "": all), sorted (SQS
 * ListQueues, 0.2.0). next_token: NULL or "" for the first page, else the next_token_out of
 * the page before (with the same prefix). Writes up to max_results (1 .. 1,000) names to
 * names[0 .. *n) (cap >= max_results), and to next_token_out (next_token_cap >=
 * SEGLOG_QUEUE_LIST_TOKEN_MAX) "" when this is the last page, else the next page's token (an
 * opaque string). A page begins after the last name of the page before, so queues created or
 * deleted between pages neither repeat a name nor skip one that exists throughout.
 * SEGLOG_EINVAL: a prefix with a character outside a name's, or over 128 bytes; max_results
 * out of range; cap or next_token_cap too small; a malformed token, or one issued for another
 * prefix. */
int seglog_queue_list_v2(seglog* db, const char* prefix, uint32_t max_results,
                         const char* next_token, seglog_name* names, size_t cap, size_t* n,
                         char* next_token_out, size_t next_token_cap);

typedef struct seglog_queue_info {
  size_t struct_size; /* sizeof(seglog_queue_info), set by seglog_queue_info_init */
  char name[SEGLOG_NAME_MAX + 1];
  int type;           /* SEGLOG_QUEUE_STANDARD or SEGLOG_QUEUE_FIFO */
  uint32_t visibility_timeout_s;
  uint32_t delay_s;
  uint32_t retention_s;
  uint32_t max_message_bytes;
  uint32_t receive_wait_s;
  int content_based_dedup;
  char dead_letter_queue[SEGLOG_NAME_MAX + 1]; /* "" when none */
  uint32_t max_receive_count;
  int durability;     /* SEGLOG_DURABILITY_ALWAYS, _INTERVAL or _NONE */
  uint32_t sync_interval_ms;
  uint64_t segment_size;
  /* Added in 0.2.0 (an older struct_size gets only the fields above): */
  int64_t created_ms;        /* SQS CreatedTimestamp, ms since the epoch; 0: unknown (a queue
                                created before 0.2.0) */
  int64_t last_modified_ms;  /* SQS LastModifiedTimestamp: creation or the last
                                seglog_queue_set_attributes; 0: unknown (a queue created
                                before 0.2.0 and not changed since) */
  uint64_t visible;          /* as seglog_queue_statistics, at the moment of the call: SQS */
  uint64_t in_flight;        /* ApproximateNumberOfMessages, ...NotVisible, ...Delayed */
  uint64_t delayed;
  int limits;                /* SEGLOG_LIMITS_RELAXED or SEGLOG_LIMITS_AWS */
  int dedup_scope;           /* SEGLOG_DEDUP_SCOPE_* */
  int fifo_throughput_limit; /* SEGLOG_FIFO_THROUGHPUT_* */
  /* Added in 0.3.0 (an older struct_size gets only the fields above): */
  int dead_letter_queue_missing; /* 1: dead_letter_queue names a queue that no longer exists
                                    (deleted after the policy was set); messages past
                                    max_receive_count are then delivered as if there were no
                                    redrive policy, until a queue of that name exists again */
  int redrive_allow;             /* SEGLOG_REDRIVE_ALLOW_* */
  uint32_t redrive_allow_source_count; /* 0 unless SEGLOG_REDRIVE_ALLOW_BY_QUEUE */
  char redrive_allow_sources[SEGLOG_QUEUE_MAX_REDRIVE_SOURCES][SEGLOG_NAME_MAX + 1];
} seglog_queue_info;

void seglog_queue_info_init(seglog_queue_info* info);

/* A queue's settings, times and message counts (SQS GetQueueAttributes with All), into *info
 * after seglog_queue_info_init. SEGLOG_ENOTFOUND. */
int seglog_queue_describe(seglog* db, const char* name, seglog_queue_info* info);

/* (Not named seglog_queue_stats: in C that name is the function's.) */
typedef struct seglog_queue_statistics {
  size_t struct_size;     /* sizeof(seglog_queue_statistics), set by the init function */
  uint64_t visible;       /* neither in flight nor delayed (FIFO: including those held back
                             behind an in-flight message of their group); SQS
                             ApproximateNumberOfMessages */
  uint64_t in_flight;     /* received, not deleted, not yet visible again; ...NotVisible */
  uint64_t delayed;       /* sent with a delay that has not ended; ...Delayed */
  int64_t oldest_age_ms;  /* age of the oldest undeleted message; 0 when there is none */
  uint64_t deleted_ids;   /* deleted ids still kept in the delete bitmap (until compaction) */
  uint64_t bitmap_bytes;  /* that bitmap's serialized size */
  uint64_t log_bytes;     /* bytes of messages on disk */
  uint64_t log_segments;  /* segment files of the message log */
  uint64_t journal_bytes; /* bytes of the journal of deletes and receive counts */
  uint64_t groups;        /* FIFO: message groups with undeleted messages; 0 for standard */
} seglog_queue_statistics;

void seglog_queue_stats_init(seglog_queue_statistics* st);

/* A queue's counts, into *st after seglog_queue_stats_init. The counts are exact at the
 * moment of the call. SEGLOG_ENOTFOUND. */
int seglog_queue_stats(seglog* db, const char* name, seglog_queue_statistics* st);

/* Deletes every message sent before the call, in flight or not (SQS PurgeQueue; unlike SQS,
 * at once rather than within 60 seconds). SEGLOG_ENOTFOUND. SEGLOG_EBUSY (since 0.3.0; the
 * message starts "PurgeQueueInProgress"): a queue created with SEGLOG_LIMITS_AWS was purged
 * less than 60 seconds ago (remembered by this handle only); nothing is deleted. Queues with
 * the relaxed limits have no such limit. */
int seglog_queue_purge(seglog* db, const char* name);

/* ---- Batch entries (0.2.0) ------------------------------------------------------------- */

/* SQS batch calls (send, delete, change visibility) name each entry with a caller-chosen id:
 * 1 .. 80 characters of A-Z a-z 0-9 _ -, unique within the batch. A batch-level error (no
 * entries, more than 10, a malformed or repeated id, the batch's total size) fails the whole
 * call and attempts nothing; otherwise every entry succeeds or fails on its own, and its
 * outcome is written to the caller's seglog_batch_entry_result, as SQS's
 * BatchResultErrorEntry. */
#define SEGLOG_BATCH_ID_MAX 80

typedef struct seglog_batch_entry_result { /* frozen layout */
  int code;              /* SEGLOG_OK, or this entry's error (as the single call returns it) */
  int sender_fault;      /* 1: the caller's fault (SQS SenderFault); 0: seglog's (an I/O error) */
  char error_code[64];   /* SQS's error code ("InvalidParameterValue", "ReceiptHandleIsInvalid",
                            ...); "" on success */
  char message[256];     /* the detail, truncated to fit; "" on success */
} seglog_batch_entry_result;

/* ---- Queue messages: send --------------------------------------------------------------- */

/* A message attribute (SQS's rules): the name is 1 .. 256 bytes of A-Z a-z 0-9 _ - ., neither
 * starting nor ending with '.', without "..", not starting with "AWS." or "Amazon." (any
 * case), and unique within its message; the value is at least 1 byte: valid UTF-8 for
 * String, a decimal number of up to 38 digits (sign, fraction, exponent allowed) for Number,
 * any bytes, NUL included, for Binary. */
typedef struct seglog_queue_attr { /* frozen layout */
  const char* name;  /* NUL-terminated */
  int type;          /* SEGLOG_ATTR_STRING, _NUMBER or _BINARY */
  const void* value;
  size_t value_len;
} seglog_queue_attr;

typedef struct seglog_queue_send_entry { /* frozen layout */
  const void* body;               /* 1 byte .. max_message_bytes, any bytes */
  size_t body_len;
  const seglog_queue_attr* attrs; /* 0 .. 10 attributes (may be NULL when n_attrs is 0) */
  size_t n_attrs;
  int32_t delay_s;      /* -1: the queue's delay_s; else 0 .. 900 (standard queues only: a
                           FIFO queue has only its own delay_s, so -1 there) */
  const char* group_id; /* FIFO: required, 1 .. 128 bytes of ASCII 33 .. 126; standard: NULL
                           or "", or (0.3.0, SQS fair queues) such an id: stored and
                           returned, delivery order does not consider it */
  const char* dedup_id; /* FIFO: 1 .. 128 bytes of ASCII 33 .. 126, or NULL/"" when the queue
                           has content_based_dedup; standard: NULL or "" */
} seglog_queue_send_entry;

/* Initialises *e for a message of `len` bytes at `body`: no attributes, delay_s = -1, no
 * group or dedup id. */
void seglog_queue_send_entry_init(seglog_queue_send_entry* e, const void* body, size_t len);

/* Sends one message (SQS SendMessage) and returns once it is as durable as the queue's
 * durability says. Its size is body_len plus, for each attribute, the bytes of its name, of
 * its type's name ("String", "Number", "Binary") and of its value; it must not exceed the
 * queue's max_message_bytes. *id receives the message id (ids grow in send order); on a FIFO
 * queue, a message whose dedup id was already sent within the last 5 minutes is accepted but
 * not enqueued again: *id is then the first one's id and *duplicate 1 (else 0). id and
 * duplicate may be NULL.
 * SEGLOG_ETOOLARGE: the message's size is over max_message_bytes. SEGLOG_EINVAL: NULL
 * pointers (a body, attrs, attribute name or value that is NULL with a non-zero length), an
 * empty body, more than 10 attributes, a bad or repeated attribute name, an unknown type, a
 * bad value, a bad group or dedup id (missing, empty, longer than 128, a byte outside
 * 33 .. 126, or given on a standard queue), a delay out of range or given on a FIFO queue. */
int seglog_queue_send(seglog* db, const char* name, const seglog_queue_send_entry* e,
                      uint64_t* id, int* duplicate);

typedef struct seglog_queue_send_result { /* frozen layout */
  uint64_t id;   /* the message id (for a duplicate: the first one's) */
  int duplicate; /* 1: FIFO, suppressed as a repeat of `id` within 5 minutes; else 0 */
} seglog_queue_send_result;

/* Sends 1 .. 10 messages (SQS SendMessageBatch), each checked as by seglog_queue_send, all
 * checked before any is written and written as one batch: all are sent or none (unlike SQS,
 * which may fail entries one by one). The sizes of all the messages add up to at most 1 MiB.
 * results[i] (an array of n, the caller's) receives entry i's id and duplicate flag (a
 * repeat of an earlier entry's dedup id in the same batch is a duplicate of it); it is left
 * untouched on failure.
 * SEGLOG_EINVAL: n is 0 or over 10, entries or results is NULL, or any entry is bad (the
 * message names its index); SEGLOG_ETOOLARGE: an entry over max_message_bytes, or the batch
 * over 1 MiB. */
int seglog_queue_send_batch(seglog* db, const char* name, const seglog_queue_send_entry* entries,
                            size_t n, seglog_queue_send_result* results);

/* ---- Queue messages: receive ------------------------------------------------------------ */

typedef struct seglog_queue_receive_options {
  size_t struct_size;           /* sizeof(seglog_queue_receive_options), set by the init */
  uint32_t max_messages;        /* 1 (default) .. 10 */
  int32_t visibility_timeout_s; /* -1 (default): the queue's; else 0 .. 43,200 */
  int32_t wait_s;               /* -1 (default): the queue's receive_wait_s; else 0 .. 20 */
  /* Added in 0.2.0: */
  int checksums;                /* 0 (default): the v2 view's md5_of_* fields are "" (an MD5
                                   over every body costs about as much as the receive itself
                                   for 1 KiB messages); 1: computed, as SQS returns them
                                   (MD5OfBody, MD5OfMessageAttributes, ...SystemAttributes) */
  /* Added in 0.3.0: */
  const char* attempt_id;       /* SQS ReceiveRequestAttemptId, FIFO queues (ignored on standard
                                   ones, as SQS): NULL or "" (default) for none; else 1 .. 128
                                   characters of A-Z a-z 0-9 and !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~.
                                   A receive that repeats an attempt id within 5 minutes of the
                                   first returns the same messages with the same receipts (and
                                   restarts their visibility timeout) while none of them was
                                   deleted or had its visibility changed since; otherwise it is
                                   a new receive. Remembered in memory, by this handle. */
} seglog_queue_receive_options;

void seglog_queue_receive_options_init(seglog_queue_receive_options* opt);

typedef struct seglog_queue_message { /* frozen layout; every pointer lives as its batch */
  uint64_t id;
  const char* receipt;            /* NUL-terminated; a new one on every receive */
  const void* body;               /* body_len bytes, then a NUL not counted in body_len */
  size_t body_len;
  const seglog_queue_attr* attrs; /* n_attrs attributes, as sent, in the order sent; each
                                     name NUL-terminated, each value followed by a NUL not
                                     counted in value_len; NULL when n_attrs is 0 */
  size_t n_attrs;
  const char* group_id;           /* NUL-terminated; "" on a standard queue sent without one */
  const char* dedup_id;           /* NUL-terminated; "" on a standard queue (on FIFO, the
                                     SHA-256 in hex when content-based) */
  uint32_t receive_count;         /* including this receive (SQS ApproximateReceiveCount) */
  int64_t sent_ms;                /* when first sent, ms since the Unix epoch (kept through
                                     dead-letter moves and redrives) */
  int64_t enqueued_ms;            /* when it entered this queue */
} seglog_queue_message;

/* Receives up to max_messages visible messages (SQS ReceiveMessage), hiding each for the
 * visibility timeout, and sets *out to a new batch holding a copy of them (see Lifetimes: it
 * lives until seglog_queue_messages_free(*out), whatever else happens). When no message is
 * visible, waits up to wait_s seconds for one (long polling; a send wakes it), then returns
 * SEGLOG_OK with an empty batch (count 0) -- still to be freed. opt may be NULL (the
 * defaults). A standard queue delivers at least once, in about send order; a FIFO queue
 * delivers each message group in send order, and holds a group back while a message of it is
 * in flight. A message whose receive count would pass the queue's max_receive_count is moved
 * to the dead-letter queue instead. Each receive count is journaled before this returns.
 * On any failure *out is set to NULL (when out is not NULL), so that freeing *out after any
 * return is always right.
 * A queue holds at most SEGLOG_QUEUE_MAX_IN_FLIGHT (120,000) messages in flight (received,
 * neither deleted nor visible again): past it a receive gets nothing -- SEGLOG_OK with an
 * empty batch, after its wait, as on an empty queue -- until some are
 * deleted or become visible again. (SQS answers a short poll there with the error OverLimit
 * and a long poll with no messages.)
 * SEGLOG_EINVAL: max_messages 0 or over 10, a visibility timeout or wait out of range, a
 * malformed attempt_id (0.3.0).
 * SEGLOG_ECANCELED: seglog_interrupt was called on the handle (before or during the wait);
 * nothing was received. */
int seglog_queue_receive(seglog* db, const char* name, const seglog_queue_receive_options* opt,
                         seglog_queue_messages** out);

/* The number of messages in a batch (0 for NULL). */
size_t seglog_queue_messages_count(const seglog_queue_messages* batch);

/* Message i of a batch, 0 <= i < count, in delivery order; NULL when batch is NULL or i is
 * out of range. */
const seglog_queue_message* seglog_queue_messages_get(const seglog_queue_messages* batch,
                                                      size_t i);

/* Frees a batch and everything in it. NULL is a no-op; freeing the same batch twice is
 * undefined (as free() twice). */
void seglog_queue_messages_free(seglog_queue_messages* batch);

/* ---- Queue messages, 0.2.0 ------------------------------------------------------------- */

/* What SQS's SendMessage, SendMessageBatch and ReceiveMessage carry beyond 0.1's shapes
 * (SPEC.md 16.10): custom type labels on attributes, the SenderId and AWSTraceHeader, the
 * MessageId, FIFO's SequenceNumber and the MD5 digests SQS's SDKs check, and per-entry
 * outcomes for a send batch. Messages sent through the 0.1 calls have all of these too
 * (no label, the default sender, no trace header); messages sent through these calls are
 * received by seglog_queue_messages_get as well (without labels, sender or trace header). */

/* An attribute with its DataType as SQS writes it: "String", "Number" or "Binary", optionally
 * followed by "." and a custom label ("Number.int64", "Binary.png", "String.json"); the label
 * is 1 or more characters SQS allows in a body (Unicode #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD
 * #x10000-#x10FFFF, as UTF-8), the whole DataType at most 256 characters. The DataType's bytes
 * count toward the message's size (name + DataType + value). Name and value: as
 * seglog_queue_attr. */
typedef struct seglog_queue_attr_v2 { /* frozen layout */
  const char* name;      /* NUL-terminated */
  const char* data_type; /* NUL-terminated, as above */
  const void* value;
  size_t value_len;
} seglog_queue_attr_v2;

typedef struct seglog_queue_send_entry_v2 { /* frozen layout */
  const void* body;                  /* as seglog_queue_send_entry */
  size_t body_len;
  const seglog_queue_attr_v2* attrs; /* 0 .. 10 attributes (may be NULL when n_attrs is 0) */
  size_t n_attrs;
  int32_t delay_s;                   /* as seglog_queue_send_entry */
  const char* group_id;              /* as seglog_queue_send_entry */
  const char* dedup_id;              /* as seglog_queue_send_entry */
  const char* trace_header; /* SQS's AWSTraceHeader system attribute: NULL or "" for none, else
                               1 .. 1,024 bytes of ASCII 32 .. 126 (not parsed as X-Ray's
                               format); not counted in the message's size, as in SQS */
  const char* sender_id;    /* SQS SenderId: NULL or "" for the store's default
                               ("000000000000"), else 1 .. 256 bytes of ASCII 33 .. 126 (the
                               sender's account or principal); stored with the message only
                               when given */
} seglog_queue_send_entry_v2;

/* Initialises *e for a message of `len` bytes at `body`: no attributes, delay_s = -1, no group
 * or dedup id, no trace header, the default sender. */
void seglog_queue_send_entry_v2_init(seglog_queue_send_entry_v2* e, const void* body,
                                     size_t len);

typedef struct seglog_queue_send_result_v2 { /* frozen layout */
  uint64_t id;                      /* as seglog_queue_send_result */
  int duplicate;                    /* as seglog_queue_send_result */
  char message_id[37];              /* SQS MessageId: a UUID, 36 characters (for a duplicate:
                                       the original's) */
  char md5_of_body[33];             /* MD5OfMessageBody, 32 hex digits */
  char md5_of_attributes[33];       /* MD5OfMessageAttributes; "" without attributes */
  char md5_of_system_attributes[33];/* MD5OfMessageSystemAttributes; "" without a trace
                                       header */
  char sequence_number[21];         /* FIFO: 20 digits, growing with id (a duplicate's is the
                                       original's); "" on a standard queue */
} seglog_queue_send_result_v2;

/* Sends one message (SQS SendMessage) as seglog_queue_send does, with the 0.2.0 fields, and
 * fills *result (may be NULL). The MessageId is derived from the queue's incarnation and the
 * message's id: the same on every receive, different in every queue of the store (a queue
 * deleted and created again included). The digests are those SQS computes: MD5 of the body,
 * of the attributes in SQS's encoding (sorted by name; see SPEC.md 16.7), and of the trace
 * header as a String system attribute.
 * SEGLOG_EINVAL: as seglog_queue_send, and a NULL name or data_type, a data_type that is not
 * one of the forms above, a bad trace header or sender id. SEGLOG_ETOOLARGE: as
 * seglog_queue_send (labels count). */
int seglog_queue_send_v2(seglog* db, const char* queue, const seglog_queue_send_entry_v2* e,
                         seglog_queue_send_result_v2* result);

/* Sends 1 .. 10 messages as SQS's SendMessageBatch: entry i is named ids[i] (1 .. 80
 * characters of A-Z a-z 0-9 _ -, distinct). Batch-level failures return an error, write
 * nothing and leave results and outcomes untouched: SEGLOG_EINVAL for n 0 or over 10, a NULL
 * array, a malformed or repeated id (the message starts with SQS's code:
 * EmptyBatchRequest, TooManyEntriesInBatchRequest, InvalidBatchEntryId,
 * BatchEntryIdsNotDistinct), or an entry the C layer cannot read (a NULL pointer with a
 * length, more than 10 attributes, a NULL or unparsable data_type: the message names the
 * entry); SEGLOG_ETOOLARGE ("BatchRequestTooLong: ...") for messages over 1 MiB in all;
 * SEGLOG_ENOTFOUND for no such queue. Otherwise the call returns SEGLOG_OK and each entry
 * fares on its own: entries the single call would refuse are not sent, and outcomes[i]
 * holds that call's code with sender_fault 1 and SQS's error code (MissingParameter: an
 * empty body or, on a FIFO queue, no group id; InvalidMessageContents: characters outside
 * the allowed set; InvalidParameterValue: everything else, too large included); the others
 * are written as one append, in entry order, and get outcomes[i].code SEGLOG_OK and
 * results[i]. If that append fails, each of its entries gets the error (sender_fault 0,
 * "InternalError"). results and outcomes are the caller's arrays of n; results[i] is
 * meaningful only where outcomes[i].code is SEGLOG_OK. */
int seglog_queue_send_batch_v2(seglog* db, const char* queue, const char* const* ids,
                               const seglog_queue_send_entry_v2* entries, size_t n,
                               seglog_queue_send_result_v2* results,
                               seglog_batch_entry_result* outcomes);

/* A received message with SQS's fields; every pointer lives as its batch (see Lifetimes), and
 * every string is NUL-terminated, "" when absent. */
typedef struct seglog_queue_message_v2 { /* frozen layout */
  uint64_t id;
  const char* message_id;            /* SQS MessageId, as the send returned */
  const char* receipt;               /* as seglog_queue_message */
  const void* body;                  /* body_len bytes, then a NUL not counted */
  size_t body_len;
  const seglog_queue_attr_v2* attrs; /* n_attrs, as sent, in the order sent, with their
                                        DataType including the label; NULL when n_attrs is 0 */
  size_t n_attrs;
  const char* group_id;              /* "" on a standard queue sent without one */
  const char* dedup_id;              /* FIFO; "" on a standard queue */
  const char* sequence_number;       /* FIFO: as the send returned; "" on a standard queue */
  uint32_t receive_count;            /* SQS ApproximateReceiveCount */
  int64_t sent_ms;                   /* SQS SentTimestamp (kept through moves) */
  int64_t enqueued_ms;               /* when it entered this queue */
  int64_t first_receive_ms;          /* SQS ApproximateFirstReceiveTimestamp: the first
                                        receive (durable since 0.3.0; for a message first
                                        received by an older seglog, the first receive
                                        after the upgrade) */
  const char* sender_id;             /* SQS SenderId: as sent, else the store's default */
  const char* trace_header;          /* AWSTraceHeader; "" when none was sent */
  /* The digests: "" unless the receive asked for them (seglog_queue_receive_options's
   * checksums = 1): */
  const char* md5_of_body;           /* 32 hex digits */
  const char* md5_of_attributes;     /* "" without attributes */
  const char* md5_of_system_attributes; /* "" without a trace header */
} seglog_queue_message_v2;

/* Message i of a batch from seglog_queue_receive, with SQS's fields: the same message as
 * seglog_queue_messages_get(batch, i). NULL when batch is NULL or i is out of range. */
const seglog_queue_message_v2* seglog_queue_messages_get_v2(const seglog_queue_messages* batch,
                                                            size_t i);

/* ---- Queue messages: delete, visibility, redrive ---------------------------------------- */

/* Deletes the message a receipt was issued for (SQS DeleteMessage). Deleting a message that
 * is already deleted (or purged, or expired) is SEGLOG_OK, as in SQS. A receipt issued before
 * the store was reopened still deletes its message unless it was received again since (a
 * receipt issued by seglog before 0.3.0 is SEGLOG_ESTALE for a message not yet deleted).
 * SEGLOG_EINVAL: a receipt that is malformed or of another queue. SEGLOG_ESTALE: the message
 * was received again since this receipt was issued (only the newest receipt deletes; SQS
 * would accept it). */
int seglog_queue_delete_message(seglog* db, const char* name, const char* receipt);

/* Deletes up to 10 messages by receipt (SQS DeleteMessageBatch); the valid ones in one
 * journal write. Entries succeed or fail one by one: results[i] (an array of n, the
 * caller's) receives receipt i's code, as seglog_queue_delete_message would return it
 * (SEGLOG_OK, SEGLOG_EINVAL, SEGLOG_ESTALE; or, for every valid receipt, the error of a
 * failed journal write, such as SEGLOG_EIO). The call returns SEGLOG_OK once the batch was
 * attempted, even when some entries failed: look at results.
 * SEGLOG_EINVAL (nothing attempted, results untouched): n is 0 or over 10, receipts, results
 * or one receipt is NULL. SEGLOG_ENOTFOUND: no such queue. */
int seglog_queue_delete_message_batch(seglog* db, const char* name,
                                      const char* const* receipts, size_t n, int* results);

/* Makes an in-flight message visible again timeout_s seconds from now (0: at once), SQS
 * ChangeMessageVisibility. SEGLOG_EINVAL: a malformed receipt or one of another queue, or a
 * visibility that would end more than 12 hours after the message was received.
 * SEGLOG_ESTALE: the message is no longer in flight under this receipt (it became visible
 * again, was received again, or was deleted). */
int seglog_queue_change_visibility(seglog* db, const char* name, const char* receipt,
                                   uint32_t timeout_s);

/* Added in 0.2.0: the batch calls as SQS answers them, entry by entry. Both take n entries
 * (1 .. 10): ids[i] (the caller's entry id, see "Batch entries") with receipts[i] (and
 * timeouts_s[i]); results (an array of n, the caller's) receives entry i's outcome in
 * results[i]. The batch-level checks come first: n is 0 (SQS EmptyBatchRequest) or over 10
 * (TooManyEntriesInBatchRequest), an id malformed (InvalidBatchEntryId) or repeated
 * (BatchEntryIdsNotDistinct), a NULL array or entry: SEGLOG_EINVAL, the message starting with
 * SQS's code; SEGLOG_ENOTFOUND: no such queue. Then nothing was attempted and results is
 * untouched. Otherwise every entry succeeds or fails on its own, the call returns SEGLOG_OK,
 * and each results[i] says which: look at them (code, sender_fault, error_code, message). */

/* SQS DeleteMessageBatch. Each entry as seglog_queue_delete_message (the valid ones in one
 * journal write, as seglog_queue_delete_message_batch); a failed entry's error_code is SQS's:
 *   SEGLOG_EINVAL  "ReceiptHandleIsInvalid" a malformed receipt, or one of another queue
 *   SEGLOG_ESTALE  "InvalidParameterValue"  the message was received again since this receipt
 *                                            was issued (SQS would accept the old receipt on a
 *                                            standard queue, and might not delete; seglog
 *                                            refuses it, with the code SQS gives an expired
 *                                            receipt on a FIFO queue)
 *   SEGLOG_EIO, SEGLOG_ENOSPC, ...  "InternalError", sender_fault 0: the journal write failed
 *                                    (every valid entry of the batch shares it; nothing of it
 *                                    was deleted)
 * A message already deleted (or expired, or purged) is SEGLOG_OK, as in SQS, and so is a
 * later entry naming a message an earlier entry of the batch deletes. A batch-level failure
 * also: SEGLOG_EREADONLY, the store is open read-only. */
int seglog_queue_delete_message_batch_v2(seglog* db, const char* queue, const char* const* ids,
                                         const char* const* receipts, size_t n,
                                         seglog_batch_entry_result* results);

/* SQS ChangeMessageVisibilityBatch: each entry as seglog_queue_change_visibility with
 * timeouts_s[i], in entry order, all under one hold of the queue's lock (a receipt named twice:
 * the later entry's timeout wins). A failed entry's error_code is SQS's:
 *   SEGLOG_EINVAL  "InvalidParameterValue"  a timeout over 43,200, or one that would end more
 *                                            than 12 hours after the message was received
 *   SEGLOG_EINVAL  "ReceiptHandleIsInvalid" a malformed receipt, or one of another queue
 *   SEGLOG_ESTALE  "MessageNotInflight"     the message is no longer in flight under this
 *                                            receipt (visible again, received again, deleted)
 * Every failure here is the sender's (sender_fault 1): the change writes nothing. */
int seglog_queue_change_visibility_batch(seglog* db, const char* queue, const char* const* ids,
                                         const char* const* receipts, const uint32_t* timeouts_s,
                                         size_t n, seglog_batch_entry_result* results);

/* Deprecated in 0.3.0: use the move tasks (seglog_queue_move_task_start, below), SQS's
 * StartMessageMoveTask, which run in the background, can be listed and cancelled, and resume
 * after a restart. This call moves synchronously: up to max (0 = all) visible messages of
 * dead-letter queue `dlq` back to the queue each came from, or all to `target` when it is
 * neither NULL nor "". A message stays when it was sent to dlq directly or its source queue no
 * longer exists (and no target is given); in-flight messages stay too. A moved message gets a
 * new id, a new MessageId and a new enqueue time (as a move task's), keeps its body,
 * attributes, sent time, group and dedup ids, and starts again at receive count 0. A crash
 * mid-move may leave a message in both queues, never in neither. *moved (may be NULL)
 * receives how many moved. SEGLOG_ENOTFOUND: no queue dlq (or target). SEGLOG_EINVAL: a
 * target of the other type, or dlq itself. */
int seglog_queue_redrive(seglog* db, const char* dlq, const char* target, size_t max,
                         size_t* moved);

/* ---- Queue tags (0.3.0) ----------------------------------------------------------------- */

/* SQS's cost allocation tags (TagQueue, UntagQueue, ListQueueTags). A queue has at most 50;
 * a key is 1 .. 128 characters and a value 0 .. 256, as UTF-8 (SEGLOG_QUEUE_TAG_KEY_MAX and
 * _VALUE_MAX bytes at most), case-sensitive, of letters, digits, spaces and _ . : / = + - @
 * (seglog accepts every non-ASCII character but the C1 controls: it does not check Unicode's
 * letter and digit categories); a key does not start with "aws:" (any case: reserved). Tags
 * are stored with the queue in the store's catalog, and go with it when it is deleted. Each
 * change is one catalog write: after a crash all of it or none holds. Tags are read on a
 * read-only store; changes there are SEGLOG_EREADONLY. */

/* One tag, as seglog_queue_list_tags returns it. (Not named seglog_queue_tag: in C that name
 * is the function's.) */
typedef struct seglog_queue_tag_entry { /* frozen layout */
  char key[SEGLOG_QUEUE_TAG_KEY_MAX + 1];     /* NUL-terminated */
  char value[SEGLOG_QUEUE_TAG_VALUE_MAX + 1]; /* NUL-terminated; may be "" */
} seglog_queue_tag_entry;

/* Adds n (1 .. 50) tags to the queue: keys[i] gets values[i]; a key the queue has already
 * gets the new value. SEGLOG_EINVAL, changing nothing (the message names the offending key):
 * n 0 or over 50, keys or values or one of them NULL, a key given twice, a key or value
 * breaking the rules above, or a queue that would have more than 50 tags.
 * SEGLOG_ENOTFOUND. SEGLOG_EREADONLY. */
int seglog_queue_tag(seglog* db, const char* queue, const char* const* keys,
                     const char* const* values, size_t n);

/* Removes the tags of n (at least 1) keys; keys the queue does not have are ignored.
 * SEGLOG_EINVAL, changing nothing: n 0, keys or one of them NULL, a key breaking the rules
 * above. SEGLOG_ENOTFOUND. SEGLOG_EREADONLY. */
int seglog_queue_untag(seglog* db, const char* queue, const char* const* keys, size_t n);

/* The queue's tags, sorted by key (bytewise), into tags[0 .. min(cap, *n)); *n receives how
 * many the queue has (0 .. 50), as seglog_queue_list: cap may be 0 (tags NULL) to count them.
 * SEGLOG_EINVAL: n NULL, or tags NULL with cap > 0. SEGLOG_ENOTFOUND. */
int seglog_queue_list_tags(seglog* db, const char* queue, seglog_queue_tag_entry* tags,
                           size_t cap, size_t* n);

/* ---- Dead-letter sources and message move tasks (0.3.0) --------------------------------- */

/* SQS ListDeadLetterSourceQueues: the names of the queues whose redrive policy names `dlq`,
 * sorted, into names[0 .. min(cap, *n)); *n receives how many there are (as
 * seglog_queue_list). SEGLOG_ENOTFOUND: no queue dlq. */
int seglog_queue_list_dead_letter_sources(seglog* db, const char* dlq, seglog_name* names,
                                          size_t cap, size_t* n);

typedef struct seglog_move_task_options {
  size_t struct_size;       /* sizeof(seglog_move_task_options), set by the init function */
  const char* destination;  /* NULL or "" (default): each message back to the queue it came
                               from; else one queue of the source's type, not the source */
  uint32_t max_per_second;  /* 0 (default): as fast as it goes (SQS's system-optimized rate);
                               else 1 .. 500 messages a second */
} seglog_move_task_options;

void seglog_move_task_options_init(seglog_move_task_options* opt);

/* SQS StartMessageMoveTask: starts moving the messages dead-letter queue `source` holds now
 * to their source queues (or to opt->destination), in the background, at opt's rate; each
 * moved message gets a new id, a new MessageId and a new enqueue time, keeps its body,
 * attributes, sent time, group and dedup ids, and starts again at receive count 0. The task
 * resumes after the store is reopened; a crash mid-move may leave a message in both queues,
 * never in neither. opt may be NULL (the defaults). The task's handle (an opaque ASCII string
 * of at most SEGLOG_MOVE_TASK_HANDLE_MAX bytes) is written to handle, whose handle_cap must
 * be at least SEGLOG_MOVE_TASK_HANDLE_MAX + 1.
 * SEGLOG_EINVAL: source is no queue's dead-letter queue, a rate over 500, a destination of the
 * other type or the source itself, handle NULL or handle_cap too small. SEGLOG_ENOTFOUND: no
 * such source or destination. SEGLOG_EEXIST: a task of this source is running (one at a
 * time). SEGLOG_EREADONLY. */
int seglog_queue_move_task_start(seglog* db, const char* source,
                                 const seglog_move_task_options* opt, char* handle,
                                 size_t handle_cap);

/* SQS CancelMessageMoveTask: stops a running task; what it moved stays moved. *moved (may be
 * NULL) receives how many messages it moved. SEGLOG_ENOTFOUND: no running task has this
 * handle (malformed, unknown or finished: SQS ResourceNotFoundException). SEGLOG_EINVAL:
 * handle NULL. SEGLOG_EREADONLY. */
int seglog_queue_move_task_cancel(seglog* db, const char* handle, uint64_t* moved);

typedef struct seglog_move_task_info {
  size_t struct_size;  /* sizeof(seglog_move_task_info), set by seglog_move_task_info_init */
  char handle[SEGLOG_MOVE_TASK_HANDLE_MAX + 1];
  char source[SEGLOG_NAME_MAX + 1];      /* the dead-letter queue */
  char destination[SEGLOG_NAME_MAX + 1]; /* "": the messages' source queues */
  uint32_t max_per_second;               /* 0: as fast as it goes */
  int status;                            /* SEGLOG_MOVE_TASK_* */
  uint64_t moved;     /* SQS ApproximateNumberOfMessagesMoved */
  uint64_t to_move;   /* SQS ApproximateNumberOfMessagesToMove (counted at the start) */
  char failure_reason[256]; /* SEGLOG_MOVE_TASK_FAILED: why (truncated, NUL-terminated); else "" */
  int64_t started_ms; /* ms since the Unix epoch */
} seglog_move_task_info;

void seglog_move_task_info_init(seglog_move_task_info* info);

/* SQS ListMessageMoveTasks: the source queue's most recent tasks (at most
 * SEGLOG_MOVE_TASK_LIST_MAX, 10), newest first, into tasks[0 .. min(cap, *n)); *n receives how
 * many there are (0 .. 10). Each element of tasks must have been initialised with
 * seglog_move_task_info_init, all with the same struct_size (the array's stride is
 * struct_size, so that an array of a newer header's larger structs works too). cap may be 0
 * (tasks NULL) to count them. SEGLOG_EINVAL: n NULL, tasks NULL with cap > 0, a bad or
 * differing struct_size. SEGLOG_ENOTFOUND: no queue source. */
int seglog_queue_move_task_list(seglog* db, const char* source, seglog_move_task_info* tasks,
                                size_t cap, size_t* n);

/* ---- Topics (0.4.0) --------------------------------------------------------------------- */

/* Amazon SNS semantics on the store (SPEC.md Part VII): a producer publishes a message once to
 * a topic; every subscription of the topic whose filter policy matches it receives it -- a
 * queue of the same store (SEGLOG_TOPIC_PROTOCOL_SQS) or a C function the program registers
 * (SEGLOG_TOPIC_PROTOCOL_CALLBACK).
 *
 * Names. A topic's name is 1 .. 256 characters of A-Z a-z 0-9 _ -, and a FIFO topic's ends in
 * ".fifo" (only a FIFO topic's does); topics have their own namespace beside streams and
 * queues. A subscription is named by the id seglog_topic_subscribe returns (a UUID, 36
 * characters). Every call on a topic or subscription that does not exist is SEGLOG_ENOTFOUND;
 * on a read-only store every call that changes one (publishes included) is SEGLOG_EREADONLY.
 *
 * Durability. A publish returns once the message is in the topic's log, as durable as the
 * topic's durability mode says (the modes above); from then on it is never lost within those
 * bounds. Fan-out runs from that log on the store's own threads, in the background: each
 * subscription has a durable cursor, and a delivery into a queue is made exactly once across
 * crashes (neither lost nor duplicated). A callback delivery is at least once: retried on
 * SNS's schedule (3 immediate tries, 2 at 1 s, 10 backing off from 1 s to 20 s, then every
 * 20 s; 100,015 tries in all), then sent to the subscription's redrive queue, or dropped when
 * it has none. A new subscription starts at the topic's end: it gets only messages published
 * after it. Deleting a topic drops what was not fanned out yet.
 *
 * Deliveries. A queue subscription's queue receives SNS's JSON "Notification" envelope (Type,
 * MessageId, TopicArn, Subject, Message, Timestamp, SignatureVersion, Signature,
 * SigningCertURL, UnsubscribeURL, MessageAttributes as {"Type", "Value"}), signed with the
 * store's key (seglog_topic_signing_certificate); with raw_delivery, the message alone, with
 * its attributes as the queue message's attributes (a message with more than 10 attributes
 * cannot be delivered raw: it goes to the redrive queue, or is dropped). Into a FIFO queue
 * the message keeps its group id and the topic's order within the group.
 *
 * Filter policies: SNS's JSON grammar (exact strings and numbers, prefix, suffix,
 * equals-ignore-case, anything-but, numeric ranges, exists, cidr, $or, nested keys in
 * SEGLOG_FILTER_SCOPE_MESSAGE_BODY scope), with SNS's limits (5 keys, 150 combinations,
 * 256 KiB, 200 policies per topic); a bad policy is SEGLOG_EINVAL whose message names the key.
 *
 * Threads: every call may be made from any thread, and from a callback (but see "The callback
 * rule" below). seglog_close stops the fan-out first, waiting for a callback in progress. */

/* Limits (Amazon SNS's): */
#define SEGLOG_TOPIC_NAME_MAX 256            /* bytes of a topic name (".fifo" included) */
#define SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX 36  /* bytes of a subscription id (a UUID) */
#define SEGLOG_TOPIC_ENDPOINT_MAX 256        /* bytes of an endpoint: a queue name, or a callback
                                                name (1 .. 256 of A-Z a-z 0-9 _ . : -) */
#define SEGLOG_TOPIC_MAX_MESSAGE_BYTES 262144 /* message + attributes; also a whole batch */
#define SEGLOG_TOPIC_MAX_BATCH 10             /* entries per seglog_topic_publish_batch */
#define SEGLOG_TOPIC_MAX_SUBJECT 100          /* characters of a subject (printable ASCII) */
#define SEGLOG_TOPIC_DISPLAY_NAME_MAX 400     /* bytes of a display name: 100 characters of
                                                 UTF-8 */
#define SEGLOG_TOPIC_MAX_TAGS 50              /* tags per topic; keys and values as a queue's */
#define SEGLOG_TOPIC_MAX_FILTER_POLICIES 200  /* subscriptions with a filter policy, per topic */
#define SEGLOG_TOPIC_MAX_FILTER_POLICY_BYTES 262144 /* bytes of a filter policy's JSON text */
#define SEGLOG_TOPIC_MAX_RAW_ATTRS 10         /* attributes a raw delivery into a queue carries */
#define SEGLOG_TOPIC_MIN_RETENTION_S 60
#define SEGLOG_TOPIC_MAX_RETENTION_S 1209600  /* 14 days, the default */
#define SEGLOG_TOPIC_LIST_MAX_RESULTS 1000    /* per seglog_topic_list / _list_subscriptions page */
#define SEGLOG_TOPIC_LIST_TOKEN_MAX 1024      /* bytes of a list page token, its NUL included */
#define SEGLOG_TOPIC_MESSAGE_ID_MAX 36        /* bytes of a MessageId (a UUID) */
#define SEGLOG_TOPIC_SEQUENCE_NUMBER_MAX 20   /* bytes of a FIFO topic's sequence number */

/* Enums (int fields; any other value is SEGLOG_EINVAL): */
#define SEGLOG_TOPIC_STANDARD 0            /* best-effort order, at least once into callbacks */
#define SEGLOG_TOPIC_FIFO 1                /* dedup (5 minutes) and order per message group */
#define SEGLOG_TOPIC_PROTOCOL_SQS 0        /* endpoint: a queue of the store */
#define SEGLOG_TOPIC_PROTOCOL_CALLBACK 1   /* endpoint: a callback name (standard topics only) */
#define SEGLOG_FILTER_SCOPE_MESSAGE_ATTRIBUTES 0 /* SNS FilterPolicyScope "MessageAttributes" */
#define SEGLOG_FILTER_SCOPE_MESSAGE_BODY 1       /* "MessageBody": the message as JSON */

typedef struct seglog_topic_config {
  size_t struct_size;        /* sizeof(seglog_topic_config), set by seglog_topic_config_init */
  int type;                  /* SEGLOG_TOPIC_STANDARD (default) or SEGLOG_TOPIC_FIFO */
  const char* display_name;  /* SNS DisplayName: NULL or "" (default), else up to 100
                                characters of UTF-8 */
  int content_based_dedup;   /* 0 (default) or 1, FIFO only: no dedup id = SHA-256 of the
                                message */
  uint32_t signature_version; /* 1 (default, SHA1withRSA) or 2 (SHA256withRSA) */
  uint32_t retention_s;      /* 1,209,600 (default); 60 .. 1,209,600: how long the topic's log
                                keeps a message some subscription has not taken yet (one that
                                falls further behind skips it: its `expired` count) */
  int durability;            /* SEGLOG_DURABILITY_DEFAULT (the store options'), or a mode */
  uint32_t sync_interval_ms; /* 0 (default): the store options'; else 1 .. 3,600,000 */
  uint64_t segment_size;     /* 0 (default): the store options'; else 4096 .. 2^40 */
  int limits;                /* SEGLOG_LIMITS_RELAXED (default) or SEGLOG_LIMITS_AWS (SNS's
                                exact checks); fixed at creation */
} seglog_topic_config;

void seglog_topic_config_init(seglog_topic_config* cfg);

/* Creates a topic (SNS CreateTopic) with n tags (keys[i] gets values[i]; n 0 .. 50, keys and
 * values may be NULL when n is 0; the rules of seglog_queue_tag), in one catalog write. cfg
 * may be NULL (a standard topic with the defaults). When a topic of that name exists:
 * SEGLOG_OK, changing nothing (its tags neither compared nor changed), if its settings equal
 * cfg's (durability, sync_interval_ms and segment_size left at 0 are not compared); else
 * SEGLOG_EEXIST naming the first field that differs. SEGLOG_EINVAL: a bad name (a FIFO name
 * without ".fifo" or a standard one with it), a setting out of range, content_based_dedup on a
 * standard topic, a bad tag. SEGLOG_EREADONLY. */
int seglog_topic_create(seglog* db, const char* name, const seglog_topic_config* cfg,
                        const char* const* keys, const char* const* values, size_t n);

/* Deletes a topic and its subscriptions (SNS DeleteTopic); messages not yet fanned out are
 * dropped; the subscribed queues and what they hold stay. SEGLOG_ENOTFOUND. */
int seglog_topic_delete(seglog* db, const char* name);

/* One page of the topic names, sorted (SNS ListTopics), as seglog_queue_list_v2 (without a
 * prefix): next_token NULL or "" for the first page, else the page before's next_token_out;
 * up to max_results (1 .. 1,000) names into names[0 .. *n) (cap >= max_results); "" into
 * next_token_out (next_token_cap >= SEGLOG_TOPIC_LIST_TOKEN_MAX) on the last page.
 * SEGLOG_EINVAL: max_results out of range, cap or next_token_cap too small, a malformed
 * token. */
typedef struct seglog_topic_name { /* frozen layout */
  char name[SEGLOG_TOPIC_NAME_MAX + 1];
} seglog_topic_name;

int seglog_topic_list(seglog* db, uint32_t max_results, const char* next_token,
                      seglog_topic_name* names, size_t cap, size_t* n, char* next_token_out,
                      size_t next_token_cap);

typedef struct seglog_topic_info {
  size_t struct_size;        /* sizeof(seglog_topic_info), set by seglog_topic_info_init */
  char name[SEGLOG_TOPIC_NAME_MAX + 1];
  int type;                  /* SEGLOG_TOPIC_STANDARD or SEGLOG_TOPIC_FIFO */
  char display_name[SEGLOG_TOPIC_DISPLAY_NAME_MAX + 1];
  int content_based_dedup;
  uint32_t signature_version;
  uint32_t retention_s;
  int durability;            /* SEGLOG_DURABILITY_ALWAYS, _INTERVAL or _NONE */
  uint32_t sync_interval_ms;
  uint64_t segment_size;
  int limits;
  uint64_t subscriptions;    /* SNS SubscriptionsConfirmed (none is ever pending) */
  uint64_t messages;         /* messages in the topic's log */
  uint64_t log_bytes;
  int64_t created_ms;        /* ms since the Unix epoch */
} seglog_topic_info;

void seglog_topic_info_init(seglog_topic_info* info);

/* A topic's settings and counts (SNS GetTopicAttributes), into *info after
 * seglog_topic_info_init. SEGLOG_ENOTFOUND. */
int seglog_topic_describe(seglog* db, const char* name, seglog_topic_info* info);

/* Which fields of a seglog_topic_config seglog_topic_set_attributes sets: */
#define SEGLOG_TOPIC_FIELD_DISPLAY_NAME (1u << 0)
#define SEGLOG_TOPIC_FIELD_CONTENT_BASED_DEDUP (1u << 1) /* FIFO: later publishes */
#define SEGLOG_TOPIC_FIELD_SIGNATURE_VERSION (1u << 2)   /* later deliveries */
#define SEGLOG_TOPIC_FIELD_RETENTION (1u << 3)
/* Fixed at creation: accepted only with the topic's current value (else SEGLOG_EINVAL naming
 * the field), so that a config read back from describe can be set again. */
#define SEGLOG_TOPIC_FIELD_TYPE (1u << 4)
#define SEGLOG_TOPIC_FIELD_LIMITS (1u << 5)
#define SEGLOG_TOPIC_FIELD_DURABILITY (1u << 6)
#define SEGLOG_TOPIC_FIELD_SYNC_INTERVAL (1u << 7)
#define SEGLOG_TOPIC_FIELD_SEGMENT_SIZE (1u << 8)
#define SEGLOG_TOPIC_FIELDS_ALL ((1u << 9) - 1)

/* Changes a topic's settings (SNS SetTopicAttributes): those of cfg that `fields` names,
 * checked as seglog_topic_create checks them, in one catalog write, durable before the call
 * returns. cfg's other fields must still be valid (start from seglog_topic_config_init).
 * SEGLOG_EINVAL, changing nothing: fields 0 or with an unknown bit, a bad value, a fixed field
 * changed. SEGLOG_ENOTFOUND. */
int seglog_topic_set_attributes(seglog* db, const char* name, const seglog_topic_config* cfg,
                                uint32_t fields);

/* SNS TagResource / UntagResource / ListTagsForResource on a topic: as seglog_queue_tag,
 * seglog_queue_untag and seglog_queue_list_tags (the same rules, limits, codes and
 * seglog_queue_tag_entry). */
int seglog_topic_tag(seglog* db, const char* topic, const char* const* keys,
                     const char* const* values, size_t n);
int seglog_topic_untag(seglog* db, const char* topic, const char* const* keys, size_t n);
int seglog_topic_list_tags(seglog* db, const char* topic, seglog_queue_tag_entry* tags,
                           size_t cap, size_t* n);

/* ---- Topic subscriptions (0.4.0) -------------------------------------------------------- */

typedef struct seglog_topic_subscription_config {
  size_t struct_size;        /* sizeof(...), set by seglog_topic_subscription_config_init */
  int protocol;              /* SEGLOG_TOPIC_PROTOCOL_SQS (default) or _CALLBACK */
  const char* endpoint;      /* SQS: an existing queue's name (a FIFO topic: FIFO or standard
                                queues; a standard topic: standard queues); CALLBACK: a name
                                of 1 .. 256 of A-Z a-z 0-9 _ . : -, registered or not (yet) */
  int raw_delivery;          /* 0 (default): the JSON envelope; 1: SNS RawMessageDelivery */
  const char* filter_policy; /* NULL or "" (default): every message; else SNS's JSON text */
  int filter_scope;          /* SEGLOG_FILTER_SCOPE_MESSAGE_ATTRIBUTES (default) or _BODY */
  const char* redrive_queue; /* NULL or "" (default): none; else a queue's name (SNS
                                RedrivePolicy): what cannot be delivered goes there */
} seglog_topic_subscription_config;

void seglog_topic_subscription_config_init(seglog_topic_subscription_config* cfg);

/* Subscribes (SNS Subscribe): the subscription's id (NUL-terminated) into id, whose id_cap
 * must be at least SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX + 1. It starts at the topic's end. The
 * same protocol and endpoint on the same topic again: SEGLOG_OK with the existing id when the
 * other settings are equal, else SEGLOG_EEXIST. SEGLOG_EINVAL: cfg NULL, a bad endpoint,
 * policy (the message names the key) or enum, a callback on a FIFO topic, a standard topic to
 * a FIFO queue, 200 filter policies on the topic already, id NULL or id_cap too small.
 * SEGLOG_ENOTFOUND: no such topic, or queue. */
int seglog_topic_subscribe(seglog* db, const char* topic,
                           const seglog_topic_subscription_config* cfg, char* id,
                           size_t id_cap);

/* Removes a subscription (SNS Unsubscribe); its queue and what it holds stay.
 * SEGLOG_ENOTFOUND. */
int seglog_topic_unsubscribe(seglog* db, const char* subscription_id);

/* One subscription as the lists return it (SNS ListSubscriptions' entries). */
typedef struct seglog_topic_subscription_entry { /* frozen layout */
  char id[SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX + 1];
  char topic[SEGLOG_TOPIC_NAME_MAX + 1];
  int protocol;                                /* SEGLOG_TOPIC_PROTOCOL_* */
  char endpoint[SEGLOG_TOPIC_ENDPOINT_MAX + 1];
} seglog_topic_subscription_entry;

/* One page of the subscriptions of `topic` (SNS ListSubscriptionsByTopic), or of every topic
 * when topic is NULL or "" (SNS ListSubscriptions), sorted by topic then id; pages as
 * seglog_topic_list's (a token is good only for the same topic argument). SEGLOG_ENOTFOUND: no
 * such topic. */
int seglog_topic_list_subscriptions(seglog* db, const char* topic, uint32_t max_results,
                                    const char* next_token,
                                    seglog_topic_subscription_entry* entries, size_t cap,
                                    size_t* n, char* next_token_out, size_t next_token_cap);

typedef struct seglog_topic_subscription_info {
  size_t struct_size;  /* sizeof(...), set by seglog_topic_subscription_info_init */
  char id[SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX + 1];
  char topic[SEGLOG_TOPIC_NAME_MAX + 1];
  int protocol;
  char endpoint[SEGLOG_TOPIC_ENDPOINT_MAX + 1];
  int raw_delivery;
  int filter_scope;
  size_t filter_policy_len;                /* bytes of its filter policy; 0: none (the text:
                                              seglog_topic_get_subscription's policy) */
  char redrive_queue[SEGLOG_NAME_MAX + 1]; /* "" when none */
  int64_t created_ms;
  uint64_t cursor;     /* the next topic sequence number it takes */
  uint64_t backlog;    /* messages published and not taken yet */
  /* Since the store was opened (not durable): */
  uint64_t delivered;  /* delivered */
  uint64_t filtered;   /* not matching its filter policy */
  uint64_t redriven;   /* undeliverable, sent to its redrive queue */
  uint64_t dropped;    /* undeliverable, and no redrive queue */
  uint64_t expired;    /* removed by the topic's retention before it took them */
  int waiting;         /* 1: a callback subscription whose callback is not registered (its
                          cursor holds until it is) */
} seglog_topic_subscription_info;

void seglog_topic_subscription_info_init(seglog_topic_subscription_info* info);

/* A subscription's settings, cursor and counts (SNS GetSubscriptionAttributes) into *info
 * (after its init function), and its filter policy's JSON text, NUL-terminated, into
 * policy[0 .. info->filter_policy_len] when policy_cap > filter_policy_len (else policy, when
 * policy_cap > 0, gets ""; call again with a larger buffer). policy may be NULL when
 * policy_cap is 0. SEGLOG_ENOTFOUND. */
int seglog_topic_get_subscription(seglog* db, const char* subscription_id,
                                  seglog_topic_subscription_info* info, char* policy,
                                  size_t policy_cap);

#define SEGLOG_SUBSCRIPTION_FIELD_RAW_DELIVERY (1u << 0)
#define SEGLOG_SUBSCRIPTION_FIELD_FILTER_POLICY (1u << 1) /* NULL or "": remove it */
#define SEGLOG_SUBSCRIPTION_FIELD_FILTER_SCOPE (1u << 2)
#define SEGLOG_SUBSCRIPTION_FIELD_REDRIVE_POLICY (1u << 3) /* redrive_queue; NULL or "": none */
#define SEGLOG_SUBSCRIPTION_FIELDS_ALL ((1u << 4) - 1)

/* Changes a subscription's settings (SNS SetSubscriptionAttributes): those of cfg that
 * `fields` names (protocol and endpoint never change; cfg's are not used). Applies to the
 * messages the subscription takes next. SEGLOG_EINVAL, changing nothing: fields 0 or with an
 * unknown bit, a bad policy or enum. SEGLOG_ENOTFOUND. */
int seglog_topic_set_subscription_attributes(seglog* db, const char* subscription_id,
                                             const seglog_topic_subscription_config* cfg,
                                             uint32_t fields);

/* ---- Publishing (0.4.0) ----------------------------------------------------------------- */

/* One message to publish. Attributes are the queue API's seglog_queue_attr_v2, with SNS's
 * DataTypes: "String", "String.Array" (a JSON array of strings, numbers, booleans and nulls,
 * as text), "Number", "Binary" (and their custom labels, as SQS's). */
typedef struct seglog_topic_publish_entry { /* frozen layout */
  const char* message;    /* UTF-8 text, not empty; message + attributes <= 256 KiB */
  size_t message_len;
  const char* subject;    /* NULL or "": none; else 1 .. 100 printable ASCII characters, not
                             starting with a space */
  const seglog_queue_attr_v2* attrs; /* may be NULL when n_attrs is 0 */
  size_t n_attrs;
  int json_structure;     /* 1: SNS MessageStructure=json: message is a JSON object of strings
                             with a "default" key, and optional "sqs" and "callback" keys
                             (what those subscriptions get instead) */
  const char* group_id;   /* FIFO: required, 1 .. 128 of ASCII 33 .. 126; standard: NULL or ""
                             or such an id, passed on to the queues */
  const char* dedup_id;   /* FIFO: as a queue's, or NULL/"" with content_based_dedup;
                             standard: NULL or "" */
} seglog_topic_publish_entry;

/* Initialises *e for a message of `len` bytes at `message`: no subject, no attributes, no
 * json structure, no group or dedup id. */
void seglog_topic_publish_entry_init(seglog_topic_publish_entry* e, const char* message,
                                     size_t len);

typedef struct seglog_topic_publish_result { /* frozen layout */
  uint64_t seq;          /* its sequence number in the topic's log */
  int duplicate;         /* 1: FIFO, suppressed as a repeat within 5 minutes (seq, message_id
                            and sequence_number are the original's); else 0 */
  char message_id[SEGLOG_TOPIC_MESSAGE_ID_MAX + 1];  /* SNS MessageId */
  char sequence_number[SEGLOG_TOPIC_SEQUENCE_NUMBER_MAX + 1]; /* FIFO: 20 digits; else "" */
} seglog_topic_publish_result;

/* Publishes one message (SNS Publish) and returns once it is in the topic's log (as durable
 * as the topic's durability mode says); result may be NULL. SEGLOG_EINVAL: e NULL, a NULL
 * pointer with a length, an empty message, a bad subject, attribute, json structure, group or
 * dedup id. SEGLOG_ETOOLARGE: over 256 KiB. SEGLOG_ENOTFOUND. SEGLOG_EREADONLY. */
int seglog_topic_publish(seglog* db, const char* topic, const seglog_topic_publish_entry* e,
                         seglog_topic_publish_result* result);

/* Publishes 1 .. 10 messages (SNS PublishBatch), entry i named ids[i] (as a queue batch's).
 * Batch-level failures write nothing and leave results and outcomes untouched:
 * SEGLOG_EINVAL for n 0 or over 10, a NULL array, a malformed or repeated id (the message
 * starts with SNS's code: EmptyBatchRequest, TooManyEntriesInBatchRequest,
 * InvalidBatchEntryId, BatchEntryIdsNotDistinct), an entry the C layer cannot read (a NULL
 * pointer with a length; the message names the entry), the entries together over 256 KiB
 * ("BatchRequestTooLong"); SEGLOG_ENOTFOUND. Otherwise the call returns SEGLOG_OK and each
 * entry fares on its own: outcomes[i] holds its code with SNS's error code
 * (InvalidParameter, ...) when it was refused; the valid entries are written as one append,
 * in entry order, with outcomes[i].code SEGLOG_OK and results[i] filled (a refused entry's
 * results[i] is zeroed). If that append fails, each of its entries gets the error
 * (sender_fault 0). results and outcomes are the caller's arrays of n. */
int seglog_topic_publish_batch(seglog* db, const char* topic, const char* const* ids,
                               const seglog_topic_publish_entry* entries, size_t n,
                               seglog_topic_publish_result* results,
                               seglog_batch_entry_result* outcomes);

/* Waits until every subscription of `topic` has taken (delivered, filtered out, redriven or
 * dropped) every message published before the call, or timeout_ms (0 .. 3,600,000) passes
 * (SEGLOG_ETIMEDOUT). A callback subscription waiting for a retry, or for its callback to be
 * registered, is not done. For tests and orderly shutdowns; delivery never needs it.
 * SEGLOG_ENOTFOUND. */
int seglog_topic_wait_delivered(seglog* db, const char* topic, int64_t timeout_ms);

/* The PEM certificate (X.509, self-signed, RSA 2048) whose key signs the envelopes, made on
 * first use (the first envelope, or this call) and kept in the store's directory
 * (topics/signing.key, mode 0600; topics/signing.crt), NUL-terminated, into pem[0 .. *len] when pem_cap > *len (else pem,
 * when pem_cap > 0, gets ""; call again with a larger buffer); *len receives its length.
 * pem may be NULL when pem_cap is 0. SEGLOG_ENOTFOUND: a read-only store that has none. SNS
 * validators that insist on an amazonaws.com certificate URL reject seglog's envelopes. */
int seglog_topic_signing_certificate(seglog* db, char* pem, size_t pem_cap, size_t* len);

/* ---- Topic callbacks (0.4.0) ------------------------------------------------------------ */

/* One delivery to a callback subscription. Every pointer in it, and the struct itself, is
 * valid only during the call: copy what you keep. Strings are NUL-terminated. */
typedef struct seglog_topic_delivery { /* frozen layout */
  const char* topic;
  const char* subscription_id;
  const char* message_id;     /* SNS MessageId: the same on every attempt */
  const char* body;           /* the JSON envelope, or with raw_delivery the message alone */
  size_t body_len;            /* (a NUL follows, not counted) */
  const char* subject;        /* "" when none */
  const seglog_queue_attr_v2* attrs; /* the message's attributes; NULL when n_attrs is 0 */
  size_t n_attrs;
  int64_t published_ms;       /* when it was published, ms since the Unix epoch */
  uint32_t attempt;           /* 1 on the first try */
} seglog_topic_delivery;

/* The callback rule -- one rule for every callback seglog calls:
 *   - it runs on one of the store's fan-out threads (never the thread that published), with no
 *     seglog lock held;
 *   - it may call any seglog function on this store (send to queues, publish, ...) except
 *     seglog_topic_unregister_callback of its own name and seglog_close;
 *   - while it runs, the other subscriptions the same fan-out thread serves wait: keep it
 *     short;
 *   - it returns 0 when it took the message (done: never offered again), nonzero to have it
 *     retried later on SNS's schedule (see "Durability"), up to the last try, after which the
 *     message goes to the subscription's redrive queue, or is dropped;
 *   - a delivery may come more than once (after a nonzero return, or a crash before the
 *     callback's 0 was recorded): make it idempotent by message_id;
 *   - d and everything it points to are valid only during the call. */
typedef int (*seglog_topic_callback)(const seglog_topic_delivery* d, void* user);

/* Registers fn under `name` (1 .. 256 of A-Z a-z 0-9 _ . : -), replacing one registered
 * before; every subscription whose endpoint is `name` calls fn(d, user). Registrations live
 * in this handle (not in the store): after a reopen, register again; a callback subscription
 * whose callback is not registered waits (its cursor holds, its messages stay in the topic's
 * log), it does not fail toward its redrive queue. user is passed as given, never freed.
 * SEGLOG_EINVAL: a bad name, fn NULL. */
int seglog_topic_register_callback(seglog* db, const char* name, seglog_topic_callback fn,
                                   void* user);

/* Unregisters it, waiting for a call of it in progress to return (so that after this returns,
 * fn is not running and will not be called with user again); its subscriptions wait until it
 * is registered again. Never call it from that callback itself. SEGLOG_ENOTFOUND: not
 * registered. */
int seglog_topic_unregister_callback(seglog* db, const char* name);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SEGLOG_H_ */
