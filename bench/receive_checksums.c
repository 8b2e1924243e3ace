/* seglog-receive-checksums DIR [SIZE]: the C API's queue cycle (send_batch of 10, receive 10,
 * delete_message_batch of 10) with seglog_queue_receive_options.checksums 0 and 1, interleaved
 * five times each, on one INTERVAL queue (BENCHMARKS.md, issue 12): what the SQS digests cost a
 * receive. DIR must not exist. Prints messages/s per round and the median ratio. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "seglog.h"

#define ROUNDS 5
#define MESSAGES 200000

static void die(const char* what) {
  fprintf(stderr, "%s: %s\n", what, seglog_last_error());
  exit(1);
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* MESSAGES messages through one cycle; returns messages/s. */
static double cycle(seglog* db, const char* body, size_t size, int checksums) {
  seglog_queue_send_entry es[10];
  seglog_queue_send_result rs[10];
  seglog_queue_receive_options ro;
  const char* receipts[10];
  int results[10];
  size_t i, done = 0;
  double t0 = now_s();
  for (i = 0; i < 10; ++i) seglog_queue_send_entry_init(&es[i], body, size);
  seglog_queue_receive_options_init(&ro);
  ro.max_messages = 10;
  ro.wait_s = 0;
  ro.checksums = checksums;
  while (done < MESSAGES) {
    seglog_queue_messages* b = NULL;
    size_t n, k;
    if (seglog_queue_send_batch(db, "q", es, 10, rs)) die("send");
    if (seglog_queue_receive(db, "q", &ro, &b)) die("receive");
    n = seglog_queue_messages_count(b);
    for (k = 0; k < n; ++k) {
      const seglog_queue_message_v2* m = seglog_queue_messages_get_v2(b, k);
      if (checksums && m->md5_of_body[0] == '\0') die("no digest");
      receipts[k] = m->receipt;
    }
    if (n > 0 && seglog_queue_delete_message_batch(db, "q", receipts, n, results)) die("delete");
    seglog_queue_messages_free(b);
    done += n;
  }
  return (double)done / (now_s() - t0);
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  seglog_options o;
  seglog_queue_config qc;
  seglog* db;
  size_t size = argc > 2 ? (size_t)atol(argv[2]) : 1024;
  char* body;
  double off[ROUNDS], on[ROUNDS];
  int r;
  if (argc < 2 || size < 1 || size > 262144) {
    fprintf(stderr, "usage: seglog-receive-checksums DIR [SIZE 1..262144]\n");
    return 2;
  }
  body = malloc(size);
  memset(body, 'a', size);
  seglog_options_init(&o);
  o.durability = SEGLOG_DURABILITY_INTERVAL;
  if (seglog_open(argv[1], &o, &db)) die("open");
  seglog_queue_config_init(&qc);
  if (seglog_queue_create(db, "q", &qc)) die("create");
  for (r = 0; r < ROUNDS; ++r) {
    off[r] = cycle(db, body, size, 0);
    on[r] = cycle(db, body, size, 1);
    printf("round %d: checksums 0 %.0f msg/s, checksums 1 %.0f msg/s\n", r + 1, off[r], on[r]);
  }
  qsort(off, ROUNDS, sizeof off[0], cmp);
  qsort(on, ROUNDS, sizeof on[0], cmp);
  printf("%zu-byte bodies, medians: checksums 0 %.0f, checksums 1 %.0f msg/s (ratio %.3f)\n",
         size, off[ROUNDS / 2], on[ROUNDS / 2], on[ROUNDS / 2] / off[ROUNDS / 2]);
  seglog_close(db);
  free(body);
  return 0;
}
