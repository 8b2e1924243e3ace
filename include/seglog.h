/* seglog.h -- the public C API of seglog: durable, replayable streams on local disk, with
 * Amazon Kinesis Data Streams semantics (shards, partition keys, sequence numbers, iterators,
 * retention, checkpoints).
 *
 * Conventions
 * -----------
 *
 * (1) Handles. seglog (an open store) and seglog_iter (a reader of one shard) are opaque; they
 *     are made by seglog_open / seglog_iter_open and freed by seglog_close / seglog_iter_close.
 *     Closing NULL is a harmless no-op.
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
 *     seglog_iter_next sets *n = 0 whenever n is not NULL).
 *
 * (4) Bytes are pointer + length pairs; they may hold any byte, NUL included. Names, paths and
 *     hash keys are NUL-terminated strings. Hash keys are unsigned 128-bit integers written in
 *     decimal, as Kinesis writes them ("0" .. "340282366920938463463374607431768211455").
 *
 * (5) Memory. The library never frees what the caller passed, and never keeps a caller's pointer
 *     past the call that received it. The caller never frees what the library returned: every
 *     returned pointer lives as the section "Lifetimes" below says.
 *
 * (6) Versioned structs. Options and configs are structs whose first field is struct_size.
 *     Fill one with its *_init function, which writes the defaults and sizeof the struct, then
 *     change the fields you want. A later release only appends fields; a program compiled
 *     against an older seglog.h passes a smaller struct_size and gets the defaults for the
 *     fields it does not know. A struct_size below the first version's size (0: the struct was
 *     never initialised) is SEGLOG_EINVAL; one larger than this library knows (a program built
 *     against a newer seglog.h, running on an older library) is SEGLOG_ENOTSUP rather than
 *     silently ignoring settings the caller asked for.
 *     Other structs (records, shard info, put entries) have a frozen layout; a change would come
 *     as a new function with a _v2 suffix.
 *
 * (7) Threads. A seglog handle may be used from any number of threads at once, except that
 *     seglog_close must not race any other call on the handle or its iterators. A seglog_iter
 *     is used by one thread at a time (different iterators: any threads). seglog_last_error is
 *     per thread.
 *
 * (8) Processes. One process at a time opens a store read-write (a second open fails with
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
 *                          seglog_last_error, seglog_strerror, seglog_version and the *_init
 *                          functions.
 *   seglog_strerror()      forever (static strings).
 *   seglog_record's partition_key and data, filled by seglog_iter_next:
 *                          until the next seglog_iter_next or seglog_iter_close on that
 *                          iterator. Retention may remove a segment meanwhile; its memory stays
 *                          mapped until then. Closing the store (seglog_close) with the iterator
 *                          still open also ends them.
 *   seglog_open's *db, seglog_iter_open's *it:
 *                          until seglog_close / seglog_iter_close.
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
#define SEGLOG_VERSION_MINOR 1
#define SEGLOG_VERSION_PATCH 0
#define SEGLOG_VERSION_STRING "0.1.0"
/* MAJOR * 1000000 + MINOR * 1000 + PATCH, as SQLITE_VERSION_NUMBER. */
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
#define SEGLOG_ELOCKED (-7)  /* another process holds the store; or the stream has open
                                iterators (seglog_stream_delete) */
#define SEGLOG_ENOSPC (-8)   /* the disk is full */
#define SEGLOG_ECLOSED (-9)  /* the store was closed under this iterator */
#define SEGLOG_ENOTSUP (-10) /* read-only store; newer format; struct from a newer seglog.h */
#define SEGLOG_EINTERNAL (-11) /* a bug or out of memory: a C++ exception was caught */

/* "SEGLOG_EINVAL: invalid argument", ...; "unknown seglog return code" for any other value.
 * Never NULL. */
const char* seglog_strerror(int code);

/* The detailed message of the calling thread's last failed call (a return below 0); "" after
 * a call that returned SEGLOG_OK or SEGLOG_NO_MORE. Never NULL. */
const char* seglog_last_error(void);

/* ---- Limits ----------------------------------------------------------------------------- */

#define SEGLOG_NAME_MAX 128               /* stream and consumer names, in bytes */
#define SEGLOG_HASH_KEY_MAX 40            /* a decimal 128-bit hash key and its NUL */
#define SEGLOG_MAX_SHARDS 1024
#define SEGLOG_MAX_PARTITION_KEY 256      /* bytes; at least 1 */
#define SEGLOG_MAX_RECORD_BYTES (10u << 20) /* the largest max_record_bytes a stream may have */
#define SEGLOG_MAX_BATCH_RECORDS 500      /* per seglog_stream_put_batch */
#define SEGLOG_MAX_BATCH_BYTES (5u << 20) /* per seglog_stream_put_batch, keys included */
#define SEGLOG_MAX_READ_RECORDS 10000     /* per seglog_iter_next */
#define SEGLOG_MAX_READ_BYTES (10u << 20) /* per seglog_iter_next */

/* ---- Enums (stored in int fields; any other value is SEGLOG_EINVAL) ---------------------- */

#define SEGLOG_DURABILITY_DEFAULT 0 /* stream config only: the store options' durability */
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

/* ---- Opaque handles --------------------------------------------------------------------- */

typedef struct seglog seglog;
typedef struct seglog_iter seglog_iter;

/* ---- Store ------------------------------------------------------------------------------ */

typedef struct seglog_options {
  size_t struct_size;        /* sizeof(seglog_options), set by seglog_options_init */
  int create_if_missing;     /* 1 (default): create the directory and store; 0: ENOTFOUND */
  int read_only;             /* 0 (default); 1: no lock, no writes (puts: SEGLOG_ENOTSUP) */
  int io_backend;            /* SEGLOG_IO_AUTO (default), _URING, _PWRITE */
  /* Defaults for streams created through this handle (a stream keeps its own thereafter): */
  int durability;            /* SEGLOG_DURABILITY_ALWAYS (default), _INTERVAL, _NONE */
  uint32_t sync_interval_ms; /* 200; INTERVAL only; 1 .. 3,600,000 */
  uint64_t segment_size;     /* 64 MiB; 4096 .. 2^40 bytes */
} seglog_options;

void seglog_options_init(seglog_options* opt);

/* Opens the store in directory `dir`. opt may be NULL (the defaults).
 * SEGLOG_ENOTFOUND: no store there and create_if_missing is 0 (or read_only is 1).
 * SEGLOG_ELOCKED: another process has it open read-write. On failure *db is left unchanged. */
int seglog_open(const char* dir, const seglog_options* opt, seglog** db);

/* Closes the store: syncs what is unsynced and frees the handle. NULL is a no-op. The handle
 * is freed even if that final sync fails; the failure is then left in seglog_last_error()
 * (which is "" otherwise). Close the iterators first: one still open is ended here (its
 * records become invalid, its seglog_iter_next returns SEGLOG_ECLOSED) and must still be freed
 * with seglog_iter_close. */
void seglog_close(seglog* db);

/* ---- Streams ---------------------------------------------------------------------------- */

typedef struct seglog_stream_config {
  size_t struct_size;        /* sizeof(seglog_stream_config), set by the init function */
  uint32_t shard_count;      /* 1 (default) .. 1,024; fixed for the stream's life */
  uint32_t retention_hours;  /* 24 (default); 1 .. 8,760 */
  uint32_t max_record_bytes; /* 1 MiB (default); 1 KiB .. 10 MiB of data per record */
  int durability;            /* SEGLOG_DURABILITY_DEFAULT (the store options'), or one mode */
} seglog_stream_config;

void seglog_stream_config_init(seglog_stream_config* cfg);

/* Creates a stream whose shards split the hash-key space evenly. cfg may be NULL.
 * SEGLOG_EEXIST: a stream of that name exists. SEGLOG_EINVAL: bad name or config. */
int seglog_stream_create(seglog* db, const char* name, const seglog_stream_config* cfg);

/* Deletes a stream, its records and its checkpoints.
 * SEGLOG_ENOTFOUND; SEGLOG_ELOCKED while an iterator of the stream is open. */
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

/* Raises or lowers retention on a live stream (1 .. 8,760 hours). Expired records stop being
 * returned at once; their segments are removed in the background. SEGLOG_ENOTFOUND. */
int seglog_stream_set_retention(seglog* db, const char* name, uint32_t hours);

/* ---- Puts ------------------------------------------------------------------------------- */

/* Puts one record: to the shard whose hash-key range holds the MD5 of the partition key, or
 * explicit_hash_key when not NULL. pkey: 1 .. 256 bytes; data: 0 .. the stream's
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
 * On success each entry's shard and seq are filled in. */
int seglog_stream_put_batch(seglog* db, const char* stream, seglog_put_entry* entries, size_t n);

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

/* Frees the iterator. NULL is a no-op. */
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

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SEGLOG_H_ */
