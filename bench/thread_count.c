/* seglog-threads DIR: the threads of a process holding a 1,024-shard INTERVAL stream with every
 * shard written (BENCHMARKS.md, issue 11). Until issue 11 each INTERVAL log ran a sync thread of
 * its own; a store now runs two background threads however many logs it holds. DIR must not
 * exist; it takes 1,024 segment files of the store's default size (fallocated). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "seglog.h"
static int threads(void) {
  int n = 0; DIR* d = opendir("/proc/self/task"); struct dirent* e;
  while ((e = readdir(d)) != NULL) n += e->d_name[0] != '.';
  closedir(d); return n;
}
int main(int argc, char** argv) {
  seglog_options o; seglog_options_init(&o);
  o.create_if_missing = 1; o.durability = SEGLOG_DURABILITY_INTERVAL;
  seglog* db; if (seglog_open(argv[1], &o, &db)) { fprintf(stderr, "%s\n", seglog_last_error()); return 1; }
  int before = threads();
  seglog_stream_config c; seglog_stream_config_init(&c); c.shard_count = 1024;
  if (seglog_stream_create(db, "wide", &c)) { fprintf(stderr, "%s\n", seglog_last_error()); return 1; }
  seglog_shard_info* sh = calloc(1024, sizeof *sh); seglog_stream_info info; seglog_stream_info_init(&info);
  size_t n; seglog_stream_describe(db, "wide", &info, sh, 1024, &n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t s; uint64_t seq;
    if (seglog_stream_put(db, "wide", "k", 1, sh[i].hash_key_start, "x", 1, &s, &seq)) { fprintf(stderr, "%s\n", seglog_last_error()); return 1; }
  }
  printf("threads: after open %d, with a 1,024-shard INTERVAL stream written on every shard %d\n", before, threads());
  seglog_close(db); return 0;
}
