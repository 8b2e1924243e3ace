/* quickstart.c -- a tour of seglog's C API.
 *
 * Opens a store, creates a stream of 4 shards, puts 100,000 records with partition keys, reads
 * them back with each kind of iterator, lets a consumer process half of them and checkpoint,
 * closes the store, reopens it and resumes the consumer from its checkpoints. Then a work
 * queue with a dead-letter queue, and a topic fanning out to two queues, one filtered.
 *
 *   ./build/quickstart /tmp/seglog-quickstart
 *
 * Against an installed seglog:  cc quickstart.c $(pkg-config --cflags --libs seglog)
 */
#include <seglog.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STREAM "clicks"
#define CONSUMER "billing"
#define SHARDS 4
#define RECORDS 100000
#define SINGLE_PUTS 10   /* the first records are put one at a time ... */
#define BATCH 500        /* ... the rest in batches of up to 500 */

/* Every call returns SEGLOG_OK (0) or a negative error code; seglog_last_error() says what
 * went wrong, naming the argument, limit or file involved. This demo stops at the first. */
static void check(int rc, const char* what) {
  if (rc < 0) {
    fprintf(stderr, "%s: %s: %s\n", what, seglog_strerror(rc), seglog_last_error());
    exit(1);
  }
}

static void expect(int ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "unexpected: %s\n", what);
    exit(1);
  }
}

/* Record i has partition key "user-<i mod 1000>" and data "click <i> by user-<i mod 1000>". */
static size_t make_key(char* buf, size_t cap, int i) {
  return (size_t)snprintf(buf, cap, "user-%d", i % 1000);
}
static size_t make_data(char* buf, size_t cap, int i) {
  return (size_t)snprintf(buf, cap, "click %d by user-%d", i, i % 1000);
}

/* The data of a record names its partition key: check that they belong together. */
static int key_matches_data(const seglog_record* r) {
  const char* by = memchr(r->data, 'b', r->data_len);
  if (by == NULL) return 0;
  by += 3; /* skip "by " */
  return (size_t)((const char*)r->data + r->data_len - by) == r->partition_key_len &&
         memcmp(by, r->partition_key, r->partition_key_len) == 0;
}

static seglog_record recs[1000];

/* Reads from `it` until it has caught up, or until `limit` records; returns how many, and the
 * last one's sequence number in *last. */
static uint64_t drain(seglog_iter* it, uint64_t limit, uint64_t* last) {
  uint64_t count = 0;
  while (count < limit) {
    size_t want = limit - count < 1000 ? (size_t)(limit - count) : 1000;
    size_t n = 0;
    int rc = seglog_iter_next(it, recs, want, &n);
    if (rc == SEGLOG_NO_MORE) break; /* caught up: a later call would see later puts */
    check(rc, "seglog_iter_next");
    for (size_t i = 0; i < n; ++i) {
      expect(count == 0 || recs[i].seq > *last, "sequence numbers increase within a shard");
      expect(key_matches_data(&recs[i]), "each record keeps its partition key");
      *last = recs[i].seq;
      ++count;
    }
  }
  return count;
}

/* Opens an iterator and returns its first record (copied into data/cap), or 0 if none. */
static int first_record(seglog* db, uint32_t shard, const seglog_iter_options* opt,
                        seglog_record* out, char* data, size_t cap) {
  seglog_iter* it = NULL;
  size_t n = 0;
  check(seglog_iter_open(db, STREAM, shard, opt, &it), "seglog_iter_open");
  int rc = seglog_iter_next(it, out, 1, &n);
  check(rc, "seglog_iter_next");
  if (rc == SEGLOG_OK) {
    /* out->data is valid until the next call on `it`: copy what we keep. */
    size_t len = out->data_len < cap - 1 ? out->data_len : cap - 1;
    memcpy(data, out->data, len);
    data[len] = '\0';
  }
  seglog_iter_close(it);
  return rc == SEGLOG_OK;
}

/* 9. Queues (SQS semantics): a work queue with a dead-letter queue. 100 jobs are sent in
 *    batches of 10, received in batches of 10 and deleted once done; one "poison" job is never
 *    deleted: after 3 receives it moves to the dead-letter queue, from where a redrive sends it
 *    back. A received batch is one self-contained copy, valid until seglog_queue_messages_free. */
static void queue_tour(seglog* db) {
  int rc;
  size_t i, done = 0, poison_receives = 0;
  for (i = 0; i < 2; ++i) {
    rc = seglog_queue_delete(db, i == 0 ? "jobs" : "jobs-dlq");
    if (rc != SEGLOG_ENOTFOUND) check(rc, "seglog_queue_delete");
  }
  seglog_queue_config qc;
  seglog_queue_config_init(&qc); /* standard queue, visibility 30 s, retention 4 days */
  check(seglog_queue_create(db, "jobs-dlq", &qc), "seglog_queue_create");
  qc.dead_letter_queue = "jobs-dlq";
  qc.max_receive_count = 3;
  check(seglog_queue_create(db, "jobs", &qc), "seglog_queue_create");

  char bodies[10][32];
  seglog_queue_send_entry batch[10];
  seglog_queue_send_result results[10];
  int sent = 0;
  while (sent < 100) {
    for (i = 0; i < 10; ++i, ++sent) {
      size_t len = (size_t)snprintf(bodies[i], sizeof bodies[i], sent == 42 ? "poison" : "job %d",
                                    sent);
      seglog_queue_send_entry_init(&batch[i], bodies[i], len);
    }
    check(seglog_queue_send_batch(db, "jobs", batch, 10, results), "seglog_queue_send_batch");
  }

  seglog_queue_receive_options ro;
  seglog_queue_receive_options_init(&ro);
  ro.max_messages = 10;
  ro.visibility_timeout_s = 0; /* a job not deleted is visible again at once (a crash) */
  for (;;) {
    seglog_queue_messages* got = NULL;
    check(seglog_queue_receive(db, "jobs", &ro, &got), "seglog_queue_receive");
    size_t n = seglog_queue_messages_count(got);
    for (i = 0; i < n; ++i) {
      const seglog_queue_message* m = seglog_queue_messages_get(got, i);
      if (m->body_len == 6 && memcmp(m->body, "poison", 6) == 0) {
        ++poison_receives; /* the consumer "crashes" on it: no delete */
        continue;
      }
      check(seglog_queue_delete_message(db, "jobs", m->receipt), "seglog_queue_delete_message");
      ++done;
    }
    seglog_queue_messages_free(got);
    if (n == 0) break;
  }
  seglog_queue_statistics st;
  seglog_queue_stats_init(&st);
  check(seglog_queue_stats(db, "jobs-dlq", &st), "seglog_queue_stats");
  printf("queue 'jobs': %zu of 100 jobs done; 'poison' received %zu times, then moved to "
         "'jobs-dlq' (%llu visible there)\n",
         done, poison_receives, (unsigned long long)st.visible);
  expect(done == 99 && poison_receives == 3 && st.visible == 1, "the poison job is dead-lettered");
  size_t moved = 0;
  check(seglog_queue_redrive(db, "jobs-dlq", NULL, 0, &moved), "seglog_queue_redrive");
  printf("redrive: %zu message back in 'jobs'\n", moved);
  expect(moved == 1, "redrive moved it back");
}

/* 10. Topics (SNS semantics): a topic fans each published message out to its subscriptions.
 *     "all-orders" gets every order, wrapped in SNS's signed JSON envelope; "big-orders"
 *     subscribes with a filter policy on the message attribute "size" and raw delivery, so it
 *     gets only the large orders, as published. Publish returns once the order is in the
 *     topic's log; the fan-out into the queues runs in the background. */
static size_t print_received(seglog* db, const char* queue, int envelope) {
  seglog_queue_receive_options ro;
  seglog_queue_receive_options_init(&ro);
  ro.max_messages = 10;
  seglog_queue_messages* got = NULL;
  check(seglog_queue_receive(db, queue, &ro, &got), "seglog_queue_receive");
  size_t i, n = seglog_queue_messages_count(got);
  printf("  '%s' got %zu:", queue, n);
  for (i = 0; i < n; ++i) {
    const seglog_queue_message* m = seglog_queue_messages_get(got, i);
    const char* text = m->body; /* NUL-terminated (a receive adds a NUL after each body) */
    const char* msg = envelope ? strstr(text, "\"Message\"") : NULL;
    if (msg != NULL) { /* the envelope's "Message" : "..." (these orders need no unescaping) */
      msg = strchr(strchr(msg + 9, ':') + 1, '"') + 1;
      printf("%s '%.*s'", i ? "," : "", (int)(strchr(msg, '"') - msg), msg);
    } else {
      printf("%s '%s'", i ? "," : "", text);
    }
    check(seglog_queue_delete_message(db, queue, m->receipt), "seglog_queue_delete_message");
  }
  printf("%s\n", envelope ? " (each in a JSON envelope)" : " (raw)");
  seglog_queue_messages_free(got);
  return n;
}

static void topic_tour(seglog* db) {
  static const char* const orders[][2] = {{"order 1: 2 apples", "small"},
                                          {"order 2: 40 melons", "large"},
                                          {"order 3: 1 kiwi", "small"},
                                          {"order 4: 90 pears", "large"}};
  int rc = seglog_topic_delete(db, "orders"); /* left by an earlier run? */
  if (rc != SEGLOG_ENOTFOUND) check(rc, "seglog_topic_delete");
  check(seglog_topic_create(db, "orders", NULL, NULL, NULL, 0), "seglog_topic_create");
  seglog_topic_subscription_config sc;
  char id[SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX + 1];
  size_t i;
  for (i = 0; i < 2; ++i) {
    const char* queue = i == 0 ? "all-orders" : "big-orders";
    rc = seglog_queue_delete(db, queue);
    if (rc != SEGLOG_ENOTFOUND) check(rc, "seglog_queue_delete");
    check(seglog_queue_create(db, queue, NULL), "seglog_queue_create");
    seglog_topic_subscription_config_init(&sc); /* an SQS subscription, JSON envelopes */
    sc.endpoint = queue;
    if (i == 1) {
      sc.filter_policy = "{\"size\": [\"large\"]}";
      sc.raw_delivery = 1;
    }
    check(seglog_topic_subscribe(db, "orders", &sc, id, sizeof id), "seglog_topic_subscribe");
  }
  for (i = 0; i < 4; ++i) {
    seglog_queue_attr_v2 size = {"size", "String", orders[i][1], strlen(orders[i][1])};
    seglog_topic_publish_entry e;
    seglog_topic_publish_entry_init(&e, orders[i][0], strlen(orders[i][0]));
    e.attrs = &size;
    e.n_attrs = 1;
    check(seglog_topic_publish(db, "orders", &e, NULL), "seglog_topic_publish");
  }
  check(seglog_topic_wait_delivered(db, "orders", 10000), "seglog_topic_wait_delivered");
  printf("topic 'orders': published 4 orders, each with a 'size' attribute\n");
  expect(print_received(db, "all-orders", 1) == 4, "every order reaches all-orders");
  expect(print_received(db, "big-orders", 0) == 2, "only the large orders pass the filter");
}

int main(int argc, char** argv) {
  const char* dir = argc > 1 ? argv[1] : "/tmp/seglog-quickstart";
  int i;
  uint32_t s;

  /* 1. Open (or create) the store. Options come from an init function that fills in the
   *    defaults: durability ALWAYS (a put returns once fdatasynced), io_uring if available;
   *    the durability, sync interval and segment size are defaults for new streams. */
  seglog_options opt;
  seglog_options_init(&opt);
  opt.segment_size = 256 << 10; /* small segments (default 64 MiB), so that `seglog inspect`
                                   shows each shard's records across several of them */
  seglog* db = NULL;
  check(seglog_open(dir, &opt, &db), "seglog_open");
  printf("opened %s with seglog %s\n", dir, SEGLOG_VERSION_STRING);

  /* 2. Create a stream of 4 shards; they split the 128-bit hash-key space evenly. A stream
   *    left by an earlier run is deleted first (SEGLOG_ENOTFOUND when there is none). */
  int rc = seglog_stream_delete(db, STREAM);
  if (rc != SEGLOG_ENOTFOUND) check(rc, "seglog_stream_delete");
  seglog_stream_config cfg;
  seglog_stream_config_init(&cfg);
  cfg.shard_count = SHARDS;
  cfg.retention_hours = 48;
  check(seglog_stream_create(db, STREAM, &cfg), "seglog_stream_create");

  /* 3. Put 100,000 records. The MD5 of the partition key picks the shard, so all of one
   *    user's clicks land on one shard, in order. */
  char key[32], data[64];
  for (i = 0; i < SINGLE_PUTS; ++i) {
    size_t klen = make_key(key, sizeof key, i), dlen = make_data(data, sizeof data, i);
    uint32_t shard;
    uint64_t seq;
    check(seglog_stream_put(db, STREAM, key, klen, NULL, data, dlen, &shard, &seq),
          "seglog_stream_put");
    if (i == 0) printf("put '%s' to shard %u as sequence number %llu\n", data, shard,
                       (unsigned long long)seq);
  }
  static char keys[BATCH][32], datas[BATCH][64];
  static seglog_put_entry entries[BATCH];
  for (i = SINGLE_PUTS; i < RECORDS;) {
    size_t n = 0;
    for (; n < BATCH && i < RECORDS; ++n, ++i) {
      entries[n].partition_key = keys[n];
      entries[n].partition_key_len = make_key(keys[n], sizeof keys[n], i);
      entries[n].explicit_hash_key = NULL;
      entries[n].data = datas[n];
      entries[n].data_len = make_data(datas[n], sizeof datas[n], i);
    }
    /* One atomic write (and one fdatasync) per shard; entries[k].shard/.seq come back. */
    check(seglog_stream_put_batch(db, STREAM, entries, n), "seglog_stream_put_batch");
  }
  printf("put %d records: %d one at a time, the rest in batches of %d\n", RECORDS, SINGLE_PUTS,
         BATCH);

  /* 4. Describe the stream: each shard's hash-key range and sequence numbers. */
  seglog_stream_info info;
  seglog_stream_info_init(&info);
  seglog_shard_info shards[SHARDS];
  size_t nshards = 0;
  check(seglog_stream_describe(db, STREAM, &info, shards, SHARDS, &nshards),
        "seglog_stream_describe");
  expect(nshards == SHARDS, "4 shards");
  uint64_t stored = 0;
  for (s = 0; s < nshards; ++s) {
    printf("  shard %u: %llu records, hash keys %s .. %s\n", shards[s].shard,
           (unsigned long long)(shards[s].next_seq - shards[s].first_seq),
           shards[s].hash_key_start, shards[s].hash_key_end);
    stored += shards[s].next_seq - shards[s].first_seq;
  }
  expect(stored == RECORDS, "describe counts every record");

  /* 5. Read everything back: a TRIM_HORIZON iterator per shard starts at its oldest record.
   *    Record pointers stay valid until the next call on the iterator. */
  uint64_t total = 0, last = 0;
  for (s = 0; s < SHARDS; ++s) {
    seglog_iter* it = NULL;
    check(seglog_iter_open(db, STREAM, s, NULL /* TRIM_HORIZON */, &it), "seglog_iter_open");
    total += drain(it, UINT64_MAX, &last);
    seglog_iter_close(it);
  }
  expect(total == RECORDS, "TRIM_HORIZON reads every record");
  printf("TRIM_HORIZON: read all %llu records back, each with its partition key\n",
         (unsigned long long)total);

  /* 6. The other iterator types, on shard 1. */
  seglog_iter_options io;
  seglog_record r, at;
  char text[64], at_text[64];
  seglog_iter_options_init(&io);
  io.type = SEGLOG_ITER_AT_SEQUENCE_NUMBER;
  io.seq = 1000;
  expect(first_record(db, 1, &io, &at, at_text, sizeof at_text), "a record at seq 1000");
  expect(at.seq == 1000, "AT_SEQUENCE_NUMBER starts at that record");
  printf("AT_SEQUENCE_NUMBER 1000:    '%s'\n", at_text);

  io.type = SEGLOG_ITER_AFTER_SEQUENCE_NUMBER; /* io.seq is still 1000 */
  expect(first_record(db, 1, &io, &r, text, sizeof text), "a record after seq 1000");
  expect(r.seq == 1001, "AFTER_SEQUENCE_NUMBER starts at the next record");
  printf("AFTER_SEQUENCE_NUMBER 1000: '%s' (seq %llu)\n", text, (unsigned long long)r.seq);

  io.type = SEGLOG_ITER_AT_TIMESTAMP;
  io.timestamp_ms = at.timestamp_ms;
  expect(first_record(db, 1, &io, &r, text, sizeof text), "a record at that time");
  expect(r.timestamp_ms >= at.timestamp_ms && r.seq <= at.seq,
         "AT_TIMESTAMP starts at the first record of that millisecond");
  printf("AT_TIMESTAMP %lld: '%s' (seq %llu)\n", (long long)at.timestamp_ms, text,
         (unsigned long long)r.seq);

  /* LATEST starts after the newest record: it sees only what is put from now on. An explicit
   * hash key of 0 routes the record to shard 0, whatever its partition key. */
  seglog_iter* latest = NULL;
  size_t n = 0;
  io.type = SEGLOG_ITER_LATEST;
  check(seglog_iter_open(db, STREAM, 0, &io, &latest), "seglog_iter_open");
  expect(seglog_iter_next(latest, recs, 1000, &n) == SEGLOG_NO_MORE && n == 0,
         "LATEST has nothing before the next put");
  check(seglog_stream_put(db, STREAM, "user-7", 6, "0", "click late by user-7", 20, NULL, NULL),
        "seglog_stream_put");
  check(seglog_iter_next(latest, recs, 1000, &n), "seglog_iter_next");
  expect(n == 1, "LATEST sees the new record");
  printf("LATEST on shard 0: nothing, then after one more put '%.*s'\n", (int)recs[0].data_len,
         (const char*)recs[0].data);
  seglog_iter_close(latest);
  total += 1;

  /* 7. A consumer processes about half of each shard and checkpoints where it stopped. */
  uint64_t processed = 0;
  for (s = 0; s < SHARDS; ++s) {
    seglog_iter* it = NULL;
    check(seglog_iter_open(db, STREAM, s, NULL, &it), "seglog_iter_open");
    processed += drain(it, (shards[s].next_seq - shards[s].first_seq) / 2, &last);
    seglog_iter_close(it);
    check(seglog_checkpoint_set(db, STREAM, CONSUMER, s, last), "seglog_checkpoint_set");
  }
  printf("consumer '%s' processed %llu records and checkpointed each shard\n", CONSUMER,
         (unsigned long long)processed);

  /* 8. Close (NULL would be a no-op too), reopen, and resume after each checkpoint. */
  seglog_close(db);
  db = NULL;
  check(seglog_open(dir, &opt, &db), "seglog_open");
  uint64_t resumed = 0;
  for (s = 0; s < SHARDS; ++s) {
    uint64_t ckpt = 0;
    seglog_iter* it = NULL;
    check(seglog_checkpoint_get(db, STREAM, CONSUMER, s, &ckpt), "seglog_checkpoint_get");
    seglog_iter_options_init(&io);
    io.type = SEGLOG_ITER_AFTER_SEQUENCE_NUMBER;
    io.seq = ckpt;
    check(seglog_iter_open(db, STREAM, s, &io, &it), "seglog_iter_open");
    resumed += drain(it, UINT64_MAX, &last);
    seglog_iter_close(it);
  }
  printf("reopened: consumer '%s' resumed after its checkpoints and processed the other %llu\n",
         CONSUMER, (unsigned long long)resumed);
  expect(processed + resumed == total, "the consumer saw every record exactly once");

  printf("done: %llu records, each read once by the consumer across a restart\n",
         (unsigned long long)total);

  queue_tour(db);
  topic_tour(db);
  seglog_close(db);
  return 0;
}
