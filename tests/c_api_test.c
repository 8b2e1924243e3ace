/* c_api_test.c -- the whole C API (include/seglog.h), from plain C99, as leveldb's db/c_test.c.
 *
 * Every function is called; every bad input is checked to return its documented code, to leave
 * a message in seglog_last_error() that names the problem, and to change nothing (for queues:
 * their stats stay the same). The stores live in a fresh temporary directory, which must hold
 * nothing else at the end.
 *
 *   ./build/c_api_test [parent-dir]
 */
#define _POSIX_C_SOURCE 200809L

#include <seglog.h>

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- a tiny harness ------------------------------------------------------------------- */

static const char* g_phase = "";
static int g_checks = 0;

#define CHECK(cond)                                                                       \
  do {                                                                                    \
    ++g_checks;                                                                           \
    if (!(cond)) {                                                                        \
      fprintf(stderr, "%s:%d: [%s] CHECK failed: %s\n  seglog_last_error: %s\n", __FILE__, \
              __LINE__, g_phase, #cond, seglog_last_error());                             \
      exit(1);                                                                            \
    }                                                                                     \
  } while (0)

/* `call` must return `want`. */
#define CHECK_RC(call, want)                                                                \
  do {                                                                                      \
    int rc_ = (call);                                                                       \
    ++g_checks;                                                                             \
    if (rc_ != (want)) {                                                                    \
      fprintf(stderr, "%s:%d: [%s] %s\n  returned %d (%s), expected %d (%s)\n"             \
              "  seglog_last_error: %s\n", __FILE__, __LINE__, g_phase, #call, rc_,         \
              seglog_strerror(rc_), (want), seglog_strerror(want), seglog_last_error());    \
      exit(1);                                                                              \
    }                                                                                       \
  } while (0)

#define CHECK_OK(call)                                                         \
  do {                                                                         \
    CHECK_RC(call, SEGLOG_OK);                                                 \
    CHECK(seglog_last_error()[0] == '\0'); /* cleared by a successful call */  \
  } while (0)

/* `call` must fail with `want`, and seglog_last_error() must name the function and hold
 * `needle`. */
#define CHECK_ERR(call, want, fn, needle)                                                   \
  do {                                                                                      \
    CHECK_RC(call, want);                                                                   \
    ++g_checks;                                                                             \
    if (strncmp(seglog_last_error(), fn ": ", strlen(fn) + 2) != 0 ||                       \
        strstr(seglog_last_error(), needle) == NULL) {                                      \
      fprintf(stderr, "%s:%d: [%s] %s\n  message '%s' lacks '%s: ' or '%s'\n", __FILE__,    \
              __LINE__, g_phase, #call, seglog_last_error(), fn, needle);                   \
      exit(1);                                                                              \
    }                                                                                       \
  } while (0)

/* ---- helpers ---------------------------------------------------------------------------- */

static char g_parent[256];

static void path_in_parent(char* out, size_t cap, const char* name) {
  snprintf(out, cap, "%s/%s", g_parent, name);
}

/* The entries of `dir` (not . and ..), as one sorted, comma-separated string. */
static int cmp_str(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}
static void list_dir(const char* dir, char* out, size_t cap) {
  char* names[64];
  size_t n = 0, i;
  DIR* d = opendir(dir);
  struct dirent* e;
  CHECK(d != NULL);
  while ((e = readdir(d)) != NULL && n < 64) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    names[n] = malloc(strlen(e->d_name) + 1);
    CHECK(names[n] != NULL);
    strcpy(names[n++], e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof names[0], cmp_str);
  out[0] = '\0';
  for (i = 0; i < n; ++i) {
    if (i > 0) strncat(out, ",", cap - strlen(out) - 1);
    strncat(out, names[i], cap - strlen(out) - 1);
    free(names[i]);
  }
}

static int exists(const char* path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* The total of next_seq over a stream's shards: any write changes it. */
static uint64_t total_next_seq(seglog* db, const char* stream) {
  seglog_stream_info info;
  seglog_shard_info shards[16];
  size_t n = 0, i;
  uint64_t total = 0;
  seglog_stream_info_init(&info);
  CHECK_OK(seglog_stream_describe(db, stream, &info, shards, 16, &n));
  CHECK(n <= 16);
  for (i = 0; i < n; ++i) total += shards[i].next_seq;
  return total;
}

static int bytes_equal(const void* p, size_t n, const char* s) {
  return n == strlen(s) && memcmp(p, s, n) == 0;
}

static seglog* open_store(const char* name) {
  char dir[512];
  seglog* db = NULL;
  path_in_parent(dir, sizeof dir, name);
  CHECK_OK(seglog_open(dir, NULL, &db));
  CHECK(db != NULL);
  return db;
}

static void create_stream(seglog* db, const char* name, uint32_t shards) {
  seglog_stream_config cfg;
  seglog_stream_config_init(&cfg);
  cfg.shard_count = shards;
  CHECK_OK(seglog_stream_create(db, name, &cfg));
}

/* ---- version, codes, messages ------------------------------------------------------------ */

static void test_version_and_codes(void) {
  static const int codes[] = {SEGLOG_OK,      SEGLOG_NO_MORE,  SEGLOG_EINVAL,  SEGLOG_ENOTFOUND,
                              SEGLOG_EEXIST,  SEGLOG_ETOOLARGE, SEGLOG_EIO,    SEGLOG_ECORRUPT,
                              SEGLOG_ELOCKED, SEGLOG_ENOSPC,   SEGLOG_ECLOSED, SEGLOG_ENOTSUP,
                              SEGLOG_EINTERNAL, SEGLOG_ESTALE, SEGLOG_ECANCELED, SEGLOG_EBUSY,
                              SEGLOG_EREADONLY, SEGLOG_EDELETED_RECENTLY, SEGLOG_ETIMEDOUT};
  size_t i, j, n = sizeof codes / sizeof codes[0];
  g_phase = "version";
  CHECK(seglog_version() == SEGLOG_VERSION_NUMBER);
  CHECK(SEGLOG_VERSION_NUMBER == 4000);  /* 0.4.0 */
  CHECK(strcmp(SEGLOG_VERSION_STRING, "0.4.0") == 0);
  CHECK(SEGLOG_OK == 0 && SEGLOG_NO_MORE > 0);
  for (i = 0; i < n; ++i) {
    const char* s = seglog_strerror(codes[i]);
    CHECK(s != NULL && s[0] != '\0');
    CHECK(strcmp(s, seglog_strerror(12345)) != 0);
    if (codes[i] > SEGLOG_NO_MORE || codes[i] < SEGLOG_OK) CHECK(codes[i] < 0);
    for (j = 0; j < i; ++j) {
      CHECK(codes[i] != codes[j]);
      CHECK(strcmp(s, seglog_strerror(codes[j])) != 0);
    }
  }
  CHECK(strcmp(seglog_strerror(-999), "unknown seglog return code") == 0);
  CHECK(seglog_last_error() != NULL && seglog_last_error()[0] == '\0');
  /* Closing NULL is a no-op; so are the init functions on NULL. */
  seglog_close(NULL);
  seglog_iter_close(NULL);
  seglog_options_init(NULL);
  seglog_stream_config_init(NULL);
  seglog_stream_info_init(NULL);
  seglog_iter_options_init(NULL);
  seglog_queue_config_init(NULL);
  seglog_queue_info_init(NULL);
  seglog_queue_stats_init(NULL);
  seglog_queue_receive_options_init(NULL);
  seglog_queue_send_entry_init(NULL, "x", 1);
  seglog_queue_messages_free(NULL);
  seglog_topic_config_init(NULL); /* 0.4.0 */
  seglog_topic_info_init(NULL);
  seglog_topic_subscription_config_init(NULL);
  seglog_topic_subscription_info_init(NULL);
  seglog_topic_publish_entry_init(NULL, "x", 1);
  CHECK_ERR(seglog_sync(NULL), SEGLOG_EINVAL, "seglog_sync", "db is NULL");
  CHECK_ERR(seglog_interrupt(NULL), SEGLOG_EINVAL, "seglog_interrupt", "db is NULL");
  CHECK(SEGLOG_ESTALE == -12); /* codes never change number */
  CHECK(SEGLOG_ECANCELED == -13 && SEGLOG_EBUSY == -14 && SEGLOG_EREADONLY == -15);
  CHECK(SEGLOG_EDELETED_RECENTLY == -16 && SEGLOG_ETIMEDOUT == -17);
}

/* ---- open -------------------------------------------------------------------------------- */

static void test_open(void) {
  char dir[512], missing[512], file[512], below_file[512], before[1024], after[1024];
  seglog_options opt;
  seglog* const sentinel = (seglog*)&opt; /* never dereferenced: "unchanged" marker */
  seglog* db = sentinel;
  struct {
    seglog_options o;
    char newer_fields[16];
  } big;
  FILE* f;
  g_phase = "open";
  path_in_parent(dir, sizeof dir, "open");
  path_in_parent(missing, sizeof missing, "missing");
  list_dir(g_parent, before, sizeof before);

  seglog_options_init(&opt);
  CHECK(opt.struct_size == sizeof(seglog_options));
  CHECK(opt.create_if_missing == 1 && opt.read_only == 0);
  CHECK(opt.io_backend == SEGLOG_IO_AUTO && opt.durability == SEGLOG_DURABILITY_ALWAYS);
  CHECK(opt.sync_interval_ms == 200 && opt.segment_size == (64u << 20));
  CHECK(opt.mapped_writes == 1);

  CHECK_ERR(seglog_open(NULL, &opt, &db), SEGLOG_EINVAL, "seglog_open", "dir is NULL");
  CHECK_ERR(seglog_open("", &opt, &db), SEGLOG_EINVAL, "seglog_open", "dir is empty");
  CHECK_ERR(seglog_open(dir, &opt, NULL), SEGLOG_EINVAL, "seglog_open", "db is NULL");

  opt.struct_size = 0;
  CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "seglog_options_init");
  seglog_options_init(&big.o);
  big.o.struct_size = sizeof big.o + sizeof big.newer_fields;
  memset(big.newer_fields, 0xA5, sizeof big.newer_fields); /* a zero tail would be accepted */
  CHECK_ERR(seglog_open(dir, &big.o, &db), SEGLOG_ENOTSUP, "seglog_open", "newer seglog.h");
  /* Only the size of a published version: 0.1.0's (up to mapped_writes) or this one's. */
  {
    size_t size;
    for (size = offsetof(seglog_options, mapped_writes) + 1; size < sizeof opt; ++size) {
      seglog_options_init(&opt);
      opt.struct_size = size;
      CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "no version's size");
    }
  }

  seglog_options_init(&opt);
  opt.durability = 99;
  CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "unknown durability 99");
  opt.durability = SEGLOG_DURABILITY_DEFAULT;
  CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "DEFAULT");
  opt.durability = -1;
  CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "unknown durability -1");

  seglog_options_init(&opt);
  opt.io_backend = 3;
  CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "unknown io_backend 3");
  seglog_options_init(&opt);
  opt.create_if_missing = 2;
  CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "create_if_missing");
  seglog_options_init(&opt);
  opt.read_only = -1;
  CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "read_only");
  seglog_options_init(&opt);
  opt.mapped_writes = 2;
  CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "mapped_writes");
  seglog_options_init(&opt);
  opt.segment_size = 100;
  CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "segment_size");
  seglog_options_init(&opt);
  opt.durability = SEGLOG_DURABILITY_INTERVAL;
  opt.sync_interval_ms = 0;
  CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "sync_interval_ms");
  /* Checked whatever the durability: streams and queues inherit it. */
  {
    static const int modes[] = {SEGLOG_DURABILITY_ALWAYS, SEGLOG_DURABILITY_INTERVAL,
                                SEGLOG_DURABILITY_NONE};
    static const uint32_t bad[] = {0, 3600001, 0xFFFFFFFFu};
    size_t m, b;
    for (m = 0; m < 3; ++m) {
      for (b = 0; b < 3; ++b) {
        seglog_options_init(&opt);
        opt.durability = modes[m];
        opt.sync_interval_ms = bad[b];
        CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "sync_interval_ms");
      }
    }
  }

  seglog_options_init(&opt);
  opt.create_if_missing = 0;
  CHECK_ERR(seglog_open(missing, &opt, &db), SEGLOG_ENOTFOUND, "seglog_open", "no store");
  seglog_options_init(&opt);
  opt.read_only = 1;
  CHECK_ERR(seglog_open(missing, &opt, &db), SEGLOG_ENOTFOUND, "seglog_open", missing);

  /* A regular file where a directory is needed. */
  path_in_parent(file, sizeof file, "a-file");
  path_in_parent(below_file, sizeof below_file, "a-file/store");
  f = fopen(file, "w");
  CHECK(f != NULL);
  fclose(f);
  CHECK_ERR(seglog_open(below_file, NULL, &db), SEGLOG_EIO, "seglog_open", "a-file");
  CHECK(unlink(file) == 0);

  /* Every failure above changed nothing: no directory was made, *db untouched. */
  CHECK(db == sentinel);
  list_dir(g_parent, after, sizeof after);
  CHECK(strcmp(before, after) == 0);
  CHECK(!exists(dir) && !exists(missing));

  /* Each I/O backend opens the store (io_uring may be refused by the kernel or seccomp). */
  seglog_options_init(&opt);
  opt.io_backend = SEGLOG_IO_PWRITE;
  CHECK_OK(seglog_open(dir, &opt, &db));
  CHECK(db != sentinel && db != NULL);
  seglog_close(db);
  opt.io_backend = SEGLOG_IO_URING;
  db = NULL;
  {
    int rc = seglog_open(dir, &opt, &db);
    CHECK(rc == SEGLOG_OK || rc == SEGLOG_ENOTSUP || rc == SEGLOG_EIO);
    if (rc == SEGLOG_OK) seglog_close(db);
  }
  CHECK(exists(dir));

  /* A caller built against 0.1.0's seglog.h passes the shorter struct: the fields after it
   * (mapped_writes) are not read, whatever lies there, and take their defaults. Both write
   * paths give the same store. */
  {
    int mapped;
    for (mapped = 0; mapped <= 2; ++mapped) {
      uint64_t seq = 0;
      seglog_options_init(&opt);
      opt.durability = SEGLOG_DURABILITY_NONE;
      if (mapped == 2) {
        opt.struct_size = offsetof(seglog_options, mapped_writes);
        opt.mapped_writes = 7;
      } else {
        opt.mapped_writes = mapped;
      }
      CHECK_OK(seglog_open(dir, &opt, &db));
      if (mapped == 0) create_stream(db, "paths", 1);
      CHECK_OK(seglog_stream_put(db, "paths", "k", 1, NULL, "v", 1, NULL, &seq));
      CHECK(seq == (uint64_t)mapped);
      seglog_close(db);
    }
  }
}

/* A child process holds the store open read-write: this process is told "another process".
 * REQUIRES: this process has no store open (the child must start with no handle of ours). */
static void test_lock_held_by_child(const char* dir) {
  int to_child[2], to_parent[2], status = 0;
  char c = 0;
  pid_t pid;
  seglog* db = NULL;
  CHECK(pipe(to_child) == 0 && pipe(to_parent) == 0);
  pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) { /* child: open, say so, wait for the word, close */
    seglog* mine = NULL;
    char r = seglog_open(dir, NULL, &mine) == SEGLOG_OK ? 'y' : 'n';
    if (write(to_parent[1], &r, 1) != 1 || read(to_child[0], &r, 1) != 1) _exit(2);
    seglog_close(mine);
    _exit(0);
  }
  CHECK(read(to_parent[0], &c, 1) == 1 && c == 'y');
  CHECK_ERR(seglog_open(dir, NULL, &db), SEGLOG_ELOCKED, "seglog_open", "another process");
  CHECK(strstr(seglog_last_error(), "this process") == NULL && db == NULL);
  CHECK(write(to_child[1], &c, 1) == 1);
  CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(to_child[0]);
  close(to_child[1]);
  close(to_parent[0]);
  close(to_parent[1]);
  CHECK_OK(seglog_open(dir, NULL, &db)); /* released with the child's handle */
  seglog_close(db);
}

static void test_lock_and_read_only(void) {
  char dir[512];
  seglog *rw = NULL, *rw2 = NULL, *ro = NULL;
  seglog_options opt;
  seglog_stream_info info;
  size_t n = 0;
  uint64_t seq = 0;
  g_phase = "lock";
  path_in_parent(dir, sizeof dir, "lock");
  rw = open_store("lock");
  create_stream(rw, "s", 1);
  CHECK_OK(seglog_stream_put(rw, "s", "k", 1, NULL, "v", 1, NULL, &seq));
  /* This process holds it: the message says so (not "another process"). */
  CHECK_ERR(seglog_open(dir, NULL, &rw2), SEGLOG_ELOCKED, "seglog_open",
            "this process already has it open");
  CHECK(strstr(seglog_last_error(), "another process") == NULL);
  CHECK(rw2 == NULL);

  /* Read-only opens take no lock and write nothing. */
  seglog_options_init(&opt);
  opt.read_only = 1;
  CHECK_OK(seglog_open(dir, &opt, &ro));
  seglog_stream_info_init(&info);
  CHECK_OK(seglog_stream_describe(ro, "s", &info, NULL, 0, &n));
  CHECK(n == 1 && info.shard_count == 1);
  CHECK_RC(seglog_stream_create(ro, "t", NULL), SEGLOG_EREADONLY);
  CHECK(seglog_last_error()[0] != '\0');
  CHECK_RC(seglog_stream_put(ro, "s", "k", 1, NULL, "v", 1, NULL, NULL), SEGLOG_EREADONLY);
  CHECK_RC(seglog_checkpoint_set(ro, "s", "c", 0, 0), SEGLOG_EREADONLY);
  seglog_close(ro);

  seglog_close(rw);
  CHECK_OK(seglog_open(dir, NULL, &rw2));
  seglog_close(rw2);
  test_lock_held_by_child(dir);
}

static void test_corrupt_store(void) {
  char dir[512], catalog[600];
  seglog* db;
  FILE* f;
  long size;
  int c;
  g_phase = "corrupt";
  db = open_store("corrupt");
  create_stream(db, "s", 2);
  seglog_close(db);
  /* Flip a byte in the middle of the catalog: its checksum no longer matches. */
  path_in_parent(dir, sizeof dir, "corrupt");
  snprintf(catalog, sizeof catalog, "%s/CATALOG", dir);
  f = fopen(catalog, "r+b");
  CHECK(f != NULL);
  CHECK(fseek(f, 0, SEEK_END) == 0);
  size = ftell(f);
  CHECK(size > 8);
  CHECK(fseek(f, size / 2, SEEK_SET) == 0);
  c = fgetc(f);
  CHECK(c != EOF);
  CHECK(fseek(f, size / 2, SEEK_SET) == 0);
  CHECK(fputc(c ^ 0x40, f) != EOF);
  fclose(f);
  db = NULL;
  CHECK_ERR(seglog_open(dir, NULL, &db), SEGLOG_ECORRUPT, "seglog_open", "CATALOG");
  CHECK(db == NULL);
}

/* ---- streams ----------------------------------------------------------------------------- */

static void test_stream_admin(void) {
  static const char* bad_names[] = {"", ".", "..", "a/b", "../escape", "/abs", "a b", "tab\t",
                                    "caf\xc3\xa9", "semi;colon", "star*"};
  char long_ok[SEGLOG_NAME_MAX + 1], too_long[SEGLOG_NAME_MAX + 2], before[1024], after[1024];
  seglog* db;
  seglog_stream_config cfg;
  seglog_stream_info info;
  seglog_shard_info shards[8];
  seglog_name names[4];
  size_t i, n = 99;
  struct {
    seglog_stream_config c;
    char newer_fields[8];
  } big;
  g_phase = "streams";
  db = open_store("streams");
  memset(long_ok, 'x', SEGLOG_NAME_MAX);
  long_ok[SEGLOG_NAME_MAX] = '\0';
  memset(too_long, 'y', SEGLOG_NAME_MAX + 1);
  too_long[SEGLOG_NAME_MAX + 1] = '\0';

  seglog_stream_config_init(&cfg);
  CHECK(cfg.struct_size == sizeof cfg && cfg.shard_count == 1 && cfg.retention_hours == 24);
  CHECK(cfg.max_record_bytes == (1u << 20) && cfg.durability == SEGLOG_DURABILITY_DEFAULT);

  /* Names: NULL, and everything outside [A-Za-z0-9_.-]{1,128}, ".", "..". */
  list_dir(g_parent, before, sizeof before);
  CHECK_ERR(seglog_stream_create(NULL, "s", NULL), SEGLOG_EINVAL, "seglog_stream_create",
            "db is NULL");
  CHECK_ERR(seglog_stream_create(db, NULL, NULL), SEGLOG_EINVAL, "seglog_stream_create",
            "stream is NULL");
  for (i = 0; i < sizeof bad_names / sizeof bad_names[0]; ++i) {
    CHECK_ERR(seglog_stream_create(db, bad_names[i], NULL), SEGLOG_EINVAL,
              "seglog_stream_create", "stream name");
  }
  CHECK_ERR(seglog_stream_create(db, too_long, NULL), SEGLOG_EINVAL, "seglog_stream_create",
            "longer than 128");
  CHECK_ERR(seglog_stream_create(db, "..", NULL), SEGLOG_EINVAL, "seglog_stream_create",
            "reserved");
  CHECK_ERR(seglog_stream_create(db, "a/b", NULL), SEGLOG_EINVAL, "seglog_stream_create",
            "outside the allowed set");
  CHECK_ERR(seglog_stream_create(db, "", NULL), SEGLOG_EINVAL, "seglog_stream_create",
            "is empty");

  /* Configs. */
  cfg.struct_size = 0;
  CHECK_ERR(seglog_stream_create(db, "s", &cfg), SEGLOG_EINVAL, "seglog_stream_create",
            "struct_size");
  seglog_stream_config_init(&big.c);
  big.c.struct_size = sizeof big;
  memset(big.newer_fields, 0xA5, sizeof big.newer_fields);
  CHECK_ERR(seglog_stream_create(db, "s", &big.c), SEGLOG_ENOTSUP, "seglog_stream_create",
            "struct_size");
  seglog_stream_config_init(&cfg);
  cfg.shard_count = 0;
  CHECK_ERR(seglog_stream_create(db, "s", &cfg), SEGLOG_EINVAL, "seglog_stream_create",
            "shard count");
  cfg.shard_count = SEGLOG_MAX_SHARDS + 1;
  CHECK_ERR(seglog_stream_create(db, "s", &cfg), SEGLOG_EINVAL, "seglog_stream_create", "1025");
  seglog_stream_config_init(&cfg);
  cfg.retention_hours = 0;
  CHECK_ERR(seglog_stream_create(db, "s", &cfg), SEGLOG_EINVAL, "seglog_stream_create",
            "retention");
  cfg.retention_hours = 8761;
  CHECK_ERR(seglog_stream_create(db, "s", &cfg), SEGLOG_EINVAL, "seglog_stream_create", "8761");
  seglog_stream_config_init(&cfg);
  cfg.max_record_bytes = 100;
  CHECK_ERR(seglog_stream_create(db, "s", &cfg), SEGLOG_EINVAL, "seglog_stream_create",
            "max record size");
  cfg.max_record_bytes = SEGLOG_MAX_RECORD_BYTES + 1;
  CHECK_ERR(seglog_stream_create(db, "s", &cfg), SEGLOG_EINVAL, "seglog_stream_create",
            "max record size");
  seglog_stream_config_init(&cfg);
  cfg.durability = 4;
  CHECK_ERR(seglog_stream_create(db, "s", &cfg), SEGLOG_EINVAL, "seglog_stream_create",
            "unknown durability 4");

  /* None of that created a stream or a file outside the store. */
  CHECK_OK(seglog_stream_list(db, NULL, 0, &n));
  CHECK(n == 0);
  list_dir(g_parent, after, sizeof after);
  CHECK(strcmp(before, after) == 0);

  /* Create, with and without a config; the 128-character name is allowed. */
  seglog_stream_config_init(&cfg);
  cfg.shard_count = 3;
  cfg.retention_hours = 72;
  cfg.max_record_bytes = 4096;
  cfg.durability = SEGLOG_DURABILITY_NONE;
  CHECK_OK(seglog_stream_create(db, "orders.v1-eu_west", &cfg));
  CHECK_OK(seglog_stream_create(db, long_ok, NULL));
  CHECK_ERR(seglog_stream_create(db, "orders.v1-eu_west", NULL), SEGLOG_EEXIST,
            "seglog_stream_create", "already exists");

  /* List: the count always, names up to cap, sorted. */
  CHECK_ERR(seglog_stream_list(NULL, names, 4, &n), SEGLOG_EINVAL, "seglog_stream_list", "db");
  CHECK_ERR(seglog_stream_list(db, NULL, 4, &n), SEGLOG_EINVAL, "seglog_stream_list",
            "names is NULL");
  CHECK_ERR(seglog_stream_list(db, names, 4, NULL), SEGLOG_EINVAL, "seglog_stream_list",
            "n is NULL");
  n = 0;
  CHECK_OK(seglog_stream_list(db, names, 1, &n));
  CHECK(n == 2 && strcmp(names[0].name, "orders.v1-eu_west") == 0);
  CHECK_OK(seglog_stream_list(db, names, 4, &n));
  CHECK(n == 2 && strcmp(names[1].name, long_ok) == 0);

  /* Describe. */
  seglog_stream_info_init(&info);
  CHECK(info.struct_size == sizeof info);
  CHECK_ERR(seglog_stream_describe(db, "orders.v1-eu_west", NULL, shards, 8, &n), SEGLOG_EINVAL,
            "seglog_stream_describe", "info is NULL");
  CHECK_ERR(seglog_stream_describe(db, "orders.v1-eu_west", &info, NULL, 8, &n), SEGLOG_EINVAL,
            "seglog_stream_describe", "shards is NULL");
  CHECK_ERR(seglog_stream_describe(db, "orders.v1-eu_west", &info, shards, 8, NULL),
            SEGLOG_EINVAL, "seglog_stream_describe", "n is NULL");
  CHECK_ERR(seglog_stream_describe(db, "no-such", &info, shards, 8, &n), SEGLOG_ENOTFOUND,
            "seglog_stream_describe", "no-such");
  CHECK_ERR(seglog_stream_describe(db, "a/b", &info, shards, 8, &n), SEGLOG_EINVAL,
            "seglog_stream_describe", "stream name");
  info.struct_size = 3;
  CHECK_ERR(seglog_stream_describe(db, "orders.v1-eu_west", &info, shards, 8, &n),
            SEGLOG_EINVAL, "seglog_stream_describe", "seglog_stream_info_init");
  seglog_stream_info_init(&info);
  memset(shards, 0xAB, sizeof shards);
  CHECK_OK(seglog_stream_describe(db, "orders.v1-eu_west", &info, shards, 2, &n));
  CHECK(n == 3); /* only 2 written */
  CHECK(shards[2].shard == 0xABABABABu);
  CHECK(strcmp(info.name, "orders.v1-eu_west") == 0 && info.shard_count == 3);
  CHECK(info.retention_hours == 72 && info.max_record_bytes == 4096);
  CHECK(info.durability == SEGLOG_DURABILITY_NONE);
  CHECK(info.segment_size == (64u << 20) && info.sync_interval_ms == 200);
  CHECK_OK(seglog_stream_describe(db, "orders.v1-eu_west", &info, shards, 8, &n));
  CHECK(n == 3);
  /* Three shards split [0, 2^128) evenly: shard i starts at floor(i * 2^128 / 3). */
  CHECK(strcmp(shards[0].hash_key_start, "0") == 0);
  CHECK(strcmp(shards[0].hash_key_end, "113427455640312821154458202477256070484") == 0);
  CHECK(strcmp(shards[1].hash_key_start, "113427455640312821154458202477256070485") == 0);
  CHECK(strcmp(shards[2].hash_key_end, "340282366920938463463374607431768211455") == 0);
  for (i = 0; i < 3; ++i) {
    CHECK(shards[i].shard == i && shards[i].first_seq == 0 && shards[i].next_seq == 0);
  }
  CHECK_OK(seglog_stream_describe(db, long_ok, &info, NULL, 0, &n));
  CHECK(n == 1 && info.durability == SEGLOG_DURABILITY_ALWAYS); /* the store's default */

  /* Retention. */
  CHECK_ERR(seglog_stream_set_retention(db, "orders.v1-eu_west", 0), SEGLOG_EINVAL,
            "seglog_stream_set_retention", "retention");
  CHECK_ERR(seglog_stream_set_retention(db, "orders.v1-eu_west", 8761), SEGLOG_EINVAL,
            "seglog_stream_set_retention", "8761");
  CHECK_ERR(seglog_stream_set_retention(db, "no-such", 10), SEGLOG_ENOTFOUND,
            "seglog_stream_set_retention", "no-such");
  CHECK_ERR(seglog_stream_set_retention(db, NULL, 10), SEGLOG_EINVAL,
            "seglog_stream_set_retention", "stream is NULL");
  CHECK_ERR(seglog_stream_set_retention(NULL, "x", 10), SEGLOG_EINVAL,
            "seglog_stream_set_retention", "db is NULL");
  CHECK_OK(seglog_stream_describe(db, "orders.v1-eu_west", &info, NULL, 0, &n));
  CHECK(info.retention_hours == 72);
  CHECK_OK(seglog_stream_set_retention(db, "orders.v1-eu_west", 8760));
  CHECK_OK(seglog_stream_describe(db, "orders.v1-eu_west", &info, NULL, 0, &n));
  CHECK(info.retention_hours == 8760);

  /* Delete. */
  CHECK_ERR(seglog_stream_delete(db, "no-such"), SEGLOG_ENOTFOUND, "seglog_stream_delete",
            "no-such");
  CHECK_ERR(seglog_stream_delete(db, ".."), SEGLOG_EINVAL, "seglog_stream_delete", "reserved");
  CHECK_ERR(seglog_stream_delete(NULL, "x"), SEGLOG_EINVAL, "seglog_stream_delete", "db");
  CHECK_ERR(seglog_stream_delete(db, NULL), SEGLOG_EINVAL, "seglog_stream_delete", "stream");
  CHECK_OK(seglog_stream_delete(db, long_ok));
  CHECK_OK(seglog_stream_list(db, names, 4, &n));
  CHECK(n == 1 && strcmp(names[0].name, "orders.v1-eu_west") == 0);
  CHECK_RC(seglog_stream_describe(db, long_ok, &info, NULL, 0, &n), SEGLOG_ENOTFOUND);
  /* The settings survive a reopen. */
  seglog_close(db);
  db = open_store("streams");
  CHECK_OK(seglog_stream_describe(db, "orders.v1-eu_west", &info, NULL, 0, &n));
  CHECK(n == 3 && info.retention_hours == 8760 && info.durability == SEGLOG_DURABILITY_NONE);
  seglog_close(db);
}

/* ---- puts -------------------------------------------------------------------------------- */

static void test_puts(void) {
  static char big_key[SEGLOG_MAX_PARTITION_KEY + 1];
  static char data[8192];
  static seglog_put_entry entries[SEGLOG_MAX_BATCH_RECORDS + 1];
  static const char* bad_hash_keys[] = {"", "abc", "-1", "1.5", " 1", "0x10",
                                        "340282366920938463463374607431768211456"};
  seglog* db;
  seglog_stream_config cfg;
  uint32_t shard = 77, shard2 = 0;
  uint64_t seq = 77, seq2 = 0, before;
  size_t i;
  void* big_data;
  g_phase = "puts";
  db = open_store("puts");
  seglog_stream_config_init(&cfg);
  cfg.shard_count = 4;
  cfg.max_record_bytes = 4096;
  CHECK_OK(seglog_stream_create(db, "p", &cfg));
  memset(big_key, 'k', sizeof big_key);
  memset(data, 'd', sizeof data);

  /* Bad input: each a distinct message, nothing written, outputs untouched. */
  before = total_next_seq(db, "p");
  CHECK_ERR(seglog_stream_put(NULL, "p", "k", 1, NULL, "v", 1, &shard, &seq), SEGLOG_EINVAL,
            "seglog_stream_put", "db is NULL");
  CHECK_ERR(seglog_stream_put(db, NULL, "k", 1, NULL, "v", 1, &shard, &seq), SEGLOG_EINVAL,
            "seglog_stream_put", "stream is NULL");
  CHECK_ERR(seglog_stream_put(db, "p/q", "k", 1, NULL, "v", 1, &shard, &seq), SEGLOG_EINVAL,
            "seglog_stream_put", "stream name");
  CHECK_ERR(seglog_stream_put(db, "nope", "k", 1, NULL, "v", 1, &shard, &seq), SEGLOG_ENOTFOUND,
            "seglog_stream_put", "nope");
  CHECK_ERR(seglog_stream_put(db, "p", NULL, 1, NULL, "v", 1, &shard, &seq), SEGLOG_EINVAL,
            "seglog_stream_put", "partition key is NULL");
  CHECK_ERR(seglog_stream_put(db, "p", "k", 0, NULL, "v", 1, &shard, &seq), SEGLOG_EINVAL,
            "seglog_stream_put", "partition key must be 1 to 256 bytes, got 0");
  CHECK_ERR(seglog_stream_put(db, "p", big_key, sizeof big_key, NULL, "v", 1, &shard, &seq),
            SEGLOG_EINVAL, "seglog_stream_put", "got 257");
  CHECK_ERR(seglog_stream_put(db, "p", "k", 1, NULL, NULL, 5, &shard, &seq), SEGLOG_EINVAL,
            "seglog_stream_put", "data is NULL");
  CHECK_ERR(seglog_stream_put(db, "p", "k", 1, NULL, data, 4097, &shard, &seq),
            SEGLOG_ETOOLARGE, "seglog_stream_put", "4097");
  for (i = 0; i < sizeof bad_hash_keys / sizeof bad_hash_keys[0]; ++i) {
    CHECK_ERR(seglog_stream_put(db, "p", "k", 1, bad_hash_keys[i], "v", 1, &shard, &seq),
              SEGLOG_EINVAL, "seglog_stream_put", "explicit hash key");
  }
  CHECK(shard == 77 && seq == 77);
  CHECK(total_next_seq(db, "p") == before);

  /* Good puts: the limits themselves are allowed; outputs are optional. */
  CHECK_OK(seglog_stream_put(db, "p", big_key, SEGLOG_MAX_PARTITION_KEY, NULL, data, 4096,
                             &shard, &seq));
  CHECK(shard < 4 && seq == 0);
  CHECK_OK(seglog_stream_put(db, "p", big_key, SEGLOG_MAX_PARTITION_KEY, NULL, NULL, 0, &shard2,
                             &seq2));
  CHECK(shard2 == shard && seq2 == 1); /* same key, same shard, next number */
  CHECK_OK(seglog_stream_put(db, "p", "k", 1, NULL, "v", 1, NULL, NULL));
  CHECK_OK(seglog_stream_put(db, "p", "k", 1, "0", "v", 1, &shard, NULL));
  CHECK(shard == 0);
  CHECK_OK(seglog_stream_put(db, "p", "k", 1, "340282366920938463463374607431768211455", "v", 1,
                             &shard, NULL));
  CHECK(shard == 3);
  CHECK_OK(seglog_stream_put(db, "p", "k", 1, "170141183460469231731687303715884105728", "v", 1,
                             &shard, NULL));
  CHECK(shard == 2); /* 2^127: the first key of shard 2 of 4 */
  CHECK(total_next_seq(db, "p") == before + 6);

  /* Batches: bad input anywhere rejects the whole batch. */
  before = total_next_seq(db, "p");
  for (i = 0; i < SEGLOG_MAX_BATCH_RECORDS + 1; ++i) {
    entries[i].partition_key = "key";
    entries[i].partition_key_len = 3;
    entries[i].explicit_hash_key = NULL;
    entries[i].data = data;
    entries[i].data_len = 10;
    entries[i].shard = 99;
    entries[i].seq = 99;
  }
  CHECK_ERR(seglog_stream_put_batch(NULL, "p", entries, 1), SEGLOG_EINVAL,
            "seglog_stream_put_batch", "db is NULL");
  CHECK_ERR(seglog_stream_put_batch(db, NULL, entries, 1), SEGLOG_EINVAL,
            "seglog_stream_put_batch", "stream is NULL");
  CHECK_ERR(seglog_stream_put_batch(db, "p", NULL, 1), SEGLOG_EINVAL, "seglog_stream_put_batch",
            "entries is NULL");
  CHECK_ERR(seglog_stream_put_batch(db, "p", entries, 0), SEGLOG_EINVAL,
            "seglog_stream_put_batch", "no records");
  CHECK_ERR(seglog_stream_put_batch(db, "p", entries, SEGLOG_MAX_BATCH_RECORDS + 1),
            SEGLOG_EINVAL, "seglog_stream_put_batch", "at most 500 records, got 501");
  CHECK_ERR(seglog_stream_put_batch(db, "nope", entries, 3), SEGLOG_ENOTFOUND,
            "seglog_stream_put_batch", "nope");
  entries[3].partition_key_len = 0;
  CHECK_ERR(seglog_stream_put_batch(db, "p", entries, 10), SEGLOG_EINVAL,
            "seglog_stream_put_batch", "record 3: partition key");
  entries[3].partition_key_len = 3;
  entries[4].partition_key = NULL;
  CHECK_ERR(seglog_stream_put_batch(db, "p", entries, 10), SEGLOG_EINVAL,
            "seglog_stream_put_batch", "record 4: partition key is NULL");
  entries[4].partition_key = "key";
  entries[5].data = NULL;
  CHECK_ERR(seglog_stream_put_batch(db, "p", entries, 10), SEGLOG_EINVAL,
            "seglog_stream_put_batch", "record 5: data is NULL");
  entries[5].data = data;
  entries[6].data_len = 5000;
  CHECK_ERR(seglog_stream_put_batch(db, "p", entries, 10), SEGLOG_ETOOLARGE,
            "seglog_stream_put_batch", "record 6");
  entries[6].data_len = 10;
  entries[7].explicit_hash_key = "twelve";
  CHECK_ERR(seglog_stream_put_batch(db, "p", entries, 10), SEGLOG_EINVAL,
            "seglog_stream_put_batch", "record 7: explicit hash key");
  entries[7].explicit_hash_key = NULL;
  entries[8].partition_key = big_key;
  entries[8].partition_key_len = sizeof big_key;
  CHECK_ERR(seglog_stream_put_batch(db, "p", entries, 10), SEGLOG_EINVAL,
            "seglog_stream_put_batch", "record 8");
  entries[8].partition_key = "key";
  entries[8].partition_key_len = 3;
  CHECK(total_next_seq(db, "p") == before);
  for (i = 0; i < 10; ++i) CHECK(entries[i].shard == 99 && entries[i].seq == 99);

  /* A good batch of 500, routed as single puts are; shard and seq written back. */
  for (i = 0; i < SEGLOG_MAX_BATCH_RECORDS; ++i) {
    entries[i].explicit_hash_key = (i % 50 == 0) ? "0" : NULL;
  }
  CHECK_OK(seglog_stream_put_batch(db, "p", entries, SEGLOG_MAX_BATCH_RECORDS));
  CHECK(total_next_seq(db, "p") == before + SEGLOG_MAX_BATCH_RECORDS);
  CHECK_OK(seglog_stream_put(db, "p", "key", 3, NULL, "v", 1, &shard, &seq));
  for (i = 0; i < SEGLOG_MAX_BATCH_RECORDS; ++i) {
    CHECK(entries[i].shard == (i % 50 == 0 ? 0u : shard));
    if (i > 0 && entries[i].shard == entries[i - 1].shard) {
      CHECK(entries[i].seq > entries[i - 1].seq); /* in entry order within a shard */
    }
  }
  seglog_close(db);

  /* A batch over 5 MiB in all is too large, though each record is within its limit. */
  db = open_store("puts-big");
  seglog_stream_config_init(&cfg);
  cfg.max_record_bytes = SEGLOG_MAX_RECORD_BYTES;
  CHECK_OK(seglog_stream_create(db, "big", &cfg));
  big_data = calloc(1, SEGLOG_MAX_RECORD_BYTES + 1);
  CHECK(big_data != NULL);
  for (i = 0; i < 6; ++i) {
    entries[i].data = big_data;
    entries[i].data_len = 1u << 20;
  }
  CHECK_ERR(seglog_stream_put_batch(db, "big", entries, 6), SEGLOG_ETOOLARGE,
            "seglog_stream_put_batch", "5 MiB");
  CHECK_ERR(seglog_stream_put(db, "big", "k", 1, NULL, big_data, SEGLOG_MAX_RECORD_BYTES + 1,
                              NULL, NULL), SEGLOG_ETOOLARGE, "seglog_stream_put", "exceeds");
  CHECK(total_next_seq(db, "big") == 0);
  /* A single put may carry a record up to the stream's limit (here 10 MiB), beyond the
     batch's 5 MiB. */
  CHECK_OK(seglog_stream_put(db, "big", "k", 1, NULL, big_data, SEGLOG_MAX_RECORD_BYTES, NULL, NULL));
  free(big_data);
  seglog_close(db);
}

/* ---- iterators --------------------------------------------------------------------------- */

static void test_iterators(void) {
  seglog* db;
  seglog_iter *it = NULL, *it2 = NULL;
  seglog_iter* const sentinel = (seglog_iter*)&db;
  seglog_iter_options opt;
  seglog_record recs[64];
  size_t n = 99, i;
  char key[16], data[32];
  uint64_t seq = 0;
  int64_t ts_of_10 = 0;
  struct {
    seglog_iter_options o;
    char newer_fields[8];
  } big;
  g_phase = "iterators";
  db = open_store("iters");
  create_stream(db, "s", 2);

  seglog_iter_options_init(&opt);
  CHECK(opt.struct_size == sizeof opt && opt.type == SEGLOG_ITER_TRIM_HORIZON);
  CHECK(opt.max_bytes == SEGLOG_MAX_READ_BYTES);

  /* Bad input to seglog_iter_open. */
  it = sentinel;
  CHECK_ERR(seglog_iter_open(NULL, "s", 0, NULL, &it), SEGLOG_EINVAL, "seglog_iter_open",
            "db is NULL");
  CHECK_ERR(seglog_iter_open(db, NULL, 0, NULL, &it), SEGLOG_EINVAL, "seglog_iter_open",
            "stream is NULL");
  CHECK_ERR(seglog_iter_open(db, "s", 0, NULL, NULL), SEGLOG_EINVAL, "seglog_iter_open",
            "it is NULL");
  CHECK_ERR(seglog_iter_open(db, "../s", 0, NULL, &it), SEGLOG_EINVAL, "seglog_iter_open",
            "stream name");
  CHECK_ERR(seglog_iter_open(db, "nope", 0, NULL, &it), SEGLOG_ENOTFOUND, "seglog_iter_open",
            "nope");
  CHECK_ERR(seglog_iter_open(db, "s", 2, NULL, &it), SEGLOG_EINVAL, "seglog_iter_open",
            "shard 2 is out of range");
  CHECK_ERR(seglog_iter_open(db, "s", UINT32_MAX, NULL, &it), SEGLOG_EINVAL, "seglog_iter_open",
            "out of range");
  opt.type = 5;
  CHECK_ERR(seglog_iter_open(db, "s", 0, &opt, &it), SEGLOG_EINVAL, "seglog_iter_open",
            "unknown iterator type 5");
  opt.type = -1;
  CHECK_ERR(seglog_iter_open(db, "s", 0, &opt, &it), SEGLOG_EINVAL, "seglog_iter_open",
            "unknown iterator type -1");
  seglog_iter_options_init(&opt);
  opt.max_bytes = 0;
  CHECK_ERR(seglog_iter_open(db, "s", 0, &opt, &it), SEGLOG_EINVAL, "seglog_iter_open",
            "max_bytes");
  opt.max_bytes = SEGLOG_MAX_READ_BYTES + 1;
  CHECK_ERR(seglog_iter_open(db, "s", 0, &opt, &it), SEGLOG_EINVAL, "seglog_iter_open",
            "max_bytes");
  seglog_iter_options_init(&opt);
  opt.struct_size = 0;
  CHECK_ERR(seglog_iter_open(db, "s", 0, &opt, &it), SEGLOG_EINVAL, "seglog_iter_open",
            "struct_size");
  seglog_iter_options_init(&big.o);
  big.o.struct_size = sizeof big;
  memset(big.newer_fields, 0xA5, sizeof big.newer_fields);
  CHECK_ERR(seglog_iter_open(db, "s", 0, &big.o, &it), SEGLOG_ENOTSUP, "seglog_iter_open",
            "struct_size");
  seglog_iter_options_init(&opt);
  opt.type = SEGLOG_ITER_AT_SEQUENCE_NUMBER;
  opt.seq = 0; /* the shard is empty: no record 0 yet */
  CHECK_ERR(seglog_iter_open(db, "s", 0, &opt, &it), SEGLOG_EINVAL, "seglog_iter_open",
            "sequence number 0");
  CHECK(it == sentinel);

  /* An empty shard: NO_MORE, then the record once it is put. */
  CHECK_OK(seglog_iter_open(db, "s", 0, NULL, &it));
  CHECK(it != NULL && it != sentinel);
  CHECK_ERR(seglog_iter_next(NULL, recs, 64, &n), SEGLOG_EINVAL, "seglog_iter_next",
            "it is NULL");
  CHECK_ERR(seglog_iter_next(it, NULL, 64, &n), SEGLOG_EINVAL, "seglog_iter_next",
            "recs is NULL");
  CHECK_ERR(seglog_iter_next(it, recs, 64, NULL), SEGLOG_EINVAL, "seglog_iter_next",
            "n is NULL");
  n = 99;
  CHECK_ERR(seglog_iter_next(it, recs, 0, &n), SEGLOG_EINVAL, "seglog_iter_next",
            "max_records is 0");
  CHECK(n == 0);
  n = 99;
  CHECK_RC(seglog_iter_next(it, recs, 64, &n), SEGLOG_NO_MORE);
  CHECK(n == 0 && seglog_last_error()[0] == '\0');

  /* Deleting a stream that is being read is refused. */
  CHECK_ERR(seglog_stream_delete(db, "s"), SEGLOG_EBUSY, "seglog_stream_delete",
            "open iterator");

  /* 100 records with explicit hash key 0, so all on shard 0. */
  for (i = 0; i < 100; ++i) {
    snprintf(key, sizeof key, "key-%u", (unsigned)i);
    snprintf(data, sizeof data, "record %u", (unsigned)i);
    CHECK_OK(seglog_stream_put(db, "s", key, strlen(key), "0", data, strlen(data), NULL, &seq));
    CHECK(seq == i);
  }
  CHECK_OK(seglog_iter_next(it, recs, 64, &n));
  CHECK(n == 64);
  for (i = 0; i < n; ++i) {
    snprintf(key, sizeof key, "key-%u", (unsigned)i);
    snprintf(data, sizeof data, "record %u", (unsigned)i);
    CHECK(recs[i].seq == i);
    CHECK(bytes_equal(recs[i].partition_key, recs[i].partition_key_len, key));
    CHECK(bytes_equal(recs[i].data, recs[i].data_len, data));
    CHECK(recs[i].timestamp_ms > 1600000000000LL);
    CHECK(i == 0 || recs[i].timestamp_ms >= recs[i - 1].timestamp_ms);
  }
  ts_of_10 = recs[10].timestamp_ms;
  CHECK_OK(seglog_iter_next(it, recs, 64, &n));
  CHECK(n == 36 && recs[0].seq == 64 && recs[35].seq == 99);
  CHECK_RC(seglog_iter_next(it, recs, 64, &n), SEGLOG_NO_MORE);
  CHECK(n == 0);
  seglog_iter_close(it);
  CHECK_OK(seglog_iter_open(db, "s", 1, NULL, &it));
  CHECK_RC(seglog_iter_next(it, recs, 64, &n), SEGLOG_NO_MORE); /* shard 1 got nothing */
  seglog_iter_close(it);

  /* Each iterator type. */
  seglog_iter_options_init(&opt);
  opt.type = SEGLOG_ITER_AT_SEQUENCE_NUMBER;
  opt.seq = 42;
  CHECK_OK(seglog_iter_open(db, "s", 0, &opt, &it));
  CHECK_OK(seglog_iter_next(it, recs, 1, &n));
  CHECK(n == 1 && recs[0].seq == 42 && bytes_equal(recs[0].data, recs[0].data_len, "record 42"));
  seglog_iter_close(it);
  opt.type = SEGLOG_ITER_AFTER_SEQUENCE_NUMBER;
  CHECK_OK(seglog_iter_open(db, "s", 0, &opt, &it));
  CHECK_OK(seglog_iter_next(it, recs, 1, &n));
  CHECK(n == 1 && recs[0].seq == 43);
  seglog_iter_close(it);
  opt.seq = 99; /* after the last record: caught up at once */
  CHECK_OK(seglog_iter_open(db, "s", 0, &opt, &it));
  CHECK_RC(seglog_iter_next(it, recs, 1, &n), SEGLOG_NO_MORE);
  seglog_iter_close(it);
  opt.seq = 100;
  CHECK_ERR(seglog_iter_open(db, "s", 0, &opt, &it), SEGLOG_EINVAL, "seglog_iter_open",
            "sequence number 100");
  opt.type = SEGLOG_ITER_AT_TIMESTAMP;
  opt.timestamp_ms = ts_of_10;
  CHECK_OK(seglog_iter_open(db, "s", 0, &opt, &it));
  CHECK_OK(seglog_iter_next(it, recs, 64, &n));
  CHECK(recs[0].seq <= 10 && recs[0].timestamp_ms >= ts_of_10);
  seglog_iter_close(it);
  opt.timestamp_ms = 0; /* before everything: the oldest record */
  CHECK_OK(seglog_iter_open(db, "s", 0, &opt, &it));
  CHECK_OK(seglog_iter_next(it, recs, 1, &n));
  CHECK(recs[0].seq == 0);
  seglog_iter_close(it);
  opt.timestamp_ms = INT64_MAX; /* after everything */
  CHECK_OK(seglog_iter_open(db, "s", 0, &opt, &it));
  CHECK_RC(seglog_iter_next(it, recs, 1, &n), SEGLOG_NO_MORE);
  seglog_iter_close(it);
  opt.type = SEGLOG_ITER_LATEST;
  CHECK_OK(seglog_iter_open(db, "s", 0, &opt, &it));
  CHECK_RC(seglog_iter_next(it, recs, 64, &n), SEGLOG_NO_MORE);
  CHECK_OK(seglog_stream_put(db, "s", "late", 4, "0", "late data", 9, NULL, &seq));
  CHECK_OK(seglog_iter_next(it, recs, 64, &n));
  CHECK(n == 1 && recs[0].seq == 100 && bytes_equal(recs[0].data, recs[0].data_len, "late data"));
  seglog_iter_close(it);

  /* max_bytes bounds a batch, but a batch has at least one record. */
  seglog_iter_options_init(&opt);
  opt.max_bytes = 1;
  CHECK_OK(seglog_iter_open(db, "s", 0, &opt, &it));
  CHECK_OK(seglog_iter_next(it, recs, 64, &n));
  CHECK(n == 1 && recs[0].seq == 0);
  CHECK_OK(seglog_iter_next(it, recs, 64, &n));
  CHECK(n == 1 && recs[0].seq == 1);
  seglog_iter_close(it);
  opt.max_bytes = 3 * (5 + 8); /* "key-N" + "record N": 13 bytes each for N < 10 */
  CHECK_OK(seglog_iter_open(db, "s", 0, &opt, &it));
  CHECK_OK(seglog_iter_next(it, recs, 64, &n));
  CHECK(n == 3);
  seglog_iter_close(it);

  /* Two iterators on one shard are independent; records of one stay valid while the other
   * reads. */
  CHECK_OK(seglog_iter_open(db, "s", 0, NULL, &it));
  CHECK_OK(seglog_iter_open(db, "s", 0, NULL, &it2));
  CHECK_OK(seglog_iter_next(it, recs, 2, &n));
  CHECK(n == 2);
  {
    seglog_record other[8];
    size_t m = 0;
    CHECK_OK(seglog_iter_next(it2, other, 8, &m));
    CHECK(m == 8 && other[7].seq == 7);
  }
  CHECK(bytes_equal(recs[1].data, recs[1].data_len, "record 1"));
  seglog_iter_close(it);
  CHECK_ERR(seglog_stream_delete(db, "s"), SEGLOG_EBUSY, "seglog_stream_delete", "1 open");
  seglog_iter_close(it2);
  CHECK_OK(seglog_stream_delete(db, "s"));

  /* Closing the store ends the iterators still open: ECLOSED, then they can be closed. */
  create_stream(db, "s", 1);
  CHECK_OK(seglog_stream_put(db, "s", "k", 1, NULL, "v", 1, NULL, NULL));
  CHECK_OK(seglog_iter_open(db, "s", 0, NULL, &it));
  seglog_close(db);
  n = 99;
  CHECK_ERR(seglog_iter_next(it, recs, 64, &n), SEGLOG_ECLOSED, "seglog_iter_next", "closed");
  CHECK(n == 0);
  seglog_iter_close(it);
}

/* One seglog_iter_next may return records from many segments: all of them stay valid until
 * the next call. */
static void test_views_across_segments(void) {
  char dir[512], data[64];
  seglog* db = NULL;
  seglog_options opt;
  seglog_iter* it = NULL;
  seglog_stream_info info;
  seglog_shard_info shard;
  static seglog_record recs[400];
  size_t n = 0, i;
  g_phase = "segments";
  path_in_parent(dir, sizeof dir, "segments");
  seglog_options_init(&opt);
  opt.segment_size = 4096;
  opt.durability = SEGLOG_DURABILITY_NONE;
  CHECK_OK(seglog_open(dir, &opt, &db));
  create_stream(db, "s", 1);
  for (i = 0; i < 300; ++i) {
    snprintf(data, sizeof data, "record %03u ................................................",
             (unsigned)i);
    CHECK_OK(seglog_stream_put(db, "s", "k", 1, NULL, data, strlen(data), NULL, NULL));
  }
  seglog_stream_info_init(&info);
  CHECK_OK(seglog_stream_describe(db, "s", &info, &shard, 1, &n));
  CHECK(shard.segments >= 5 && shard.next_seq == 300);
  CHECK_OK(seglog_iter_open(db, "s", 0, NULL, &it));
  CHECK_OK(seglog_iter_next(it, recs, 400, &n));
  CHECK(n == 300);
  for (i = 0; i < n; ++i) {
    snprintf(data, sizeof data, "record %03u ................................................",
             (unsigned)i);
    CHECK(recs[i].seq == i && bytes_equal(recs[i].data, recs[i].data_len, data));
  }
  CHECK_RC(seglog_iter_next(it, recs, 400, &n), SEGLOG_NO_MORE);
  seglog_iter_close(it);
  seglog_close(db);
}

/* ---- checkpoints ------------------------------------------------------------------------- */

static void test_checkpoints(void) {
  seglog* db;
  seglog_iter* it = NULL;
  seglog_iter_options opt;
  seglog_record recs[16];
  size_t n = 0;
  uint64_t seq = 12345;
  int i;
  g_phase = "checkpoints";
  db = open_store("ckpt");
  create_stream(db, "s", 2);
  for (i = 0; i < 10; ++i) {
    CHECK_OK(seglog_stream_put(db, "s", "k", 1, "0", "v", 1, NULL, NULL));
  }

  CHECK_ERR(seglog_checkpoint_get(db, "s", "reader", 0, &seq), SEGLOG_ENOTFOUND,
            "seglog_checkpoint_get", "no checkpoint");
  CHECK(seq == 12345);
  CHECK_ERR(seglog_checkpoint_set(NULL, "s", "reader", 0, 1), SEGLOG_EINVAL,
            "seglog_checkpoint_set", "db is NULL");
  CHECK_ERR(seglog_checkpoint_set(db, NULL, "reader", 0, 1), SEGLOG_EINVAL,
            "seglog_checkpoint_set", "stream is NULL");
  CHECK_ERR(seglog_checkpoint_set(db, "s", NULL, 0, 1), SEGLOG_EINVAL, "seglog_checkpoint_set",
            "consumer is NULL");
  CHECK_ERR(seglog_checkpoint_set(db, "s", "../reader", 0, 1), SEGLOG_EINVAL,
            "seglog_checkpoint_set", "consumer name");
  CHECK_ERR(seglog_checkpoint_set(db, "s", "", 0, 1), SEGLOG_EINVAL, "seglog_checkpoint_set",
            "consumer name");
  CHECK_ERR(seglog_checkpoint_set(db, "s", "..", 0, 1), SEGLOG_EINVAL, "seglog_checkpoint_set",
            "reserved");
  CHECK_ERR(seglog_checkpoint_set(db, "nope", "reader", 0, 1), SEGLOG_ENOTFOUND,
            "seglog_checkpoint_set", "nope");
  CHECK_ERR(seglog_checkpoint_set(db, "s", "reader", 2, 1), SEGLOG_EINVAL,
            "seglog_checkpoint_set", "shard 2 is out of range");
  CHECK_ERR(seglog_checkpoint_set(db, "s", "reader", 0, 10), SEGLOG_EINVAL,
            "seglog_checkpoint_set", "10");
  CHECK_ERR(seglog_checkpoint_set(db, "s", "reader", 1, 0), SEGLOG_EINVAL,
            "seglog_checkpoint_set", "shard 1"); /* shard 1 is empty */
  CHECK_ERR(seglog_checkpoint_get(db, "s", "reader", 0, NULL), SEGLOG_EINVAL,
            "seglog_checkpoint_get", "seq is NULL");
  CHECK_ERR(seglog_checkpoint_get(db, "s", "a/b", 0, &seq), SEGLOG_EINVAL,
            "seglog_checkpoint_get", "consumer name");
  CHECK_ERR(seglog_checkpoint_get(db, "s", "reader", 9, &seq), SEGLOG_EINVAL,
            "seglog_checkpoint_get", "out of range");
  CHECK_ERR(seglog_checkpoint_get(db, "nope", "reader", 0, &seq), SEGLOG_ENOTFOUND,
            "seglog_checkpoint_get", "nope");
  CHECK_ERR(seglog_checkpoint_get(NULL, "s", "reader", 0, &seq), SEGLOG_EINVAL,
            "seglog_checkpoint_get", "db is NULL");
  CHECK_RC(seglog_checkpoint_get(db, "s", "reader", 0, &seq), SEGLOG_ENOTFOUND);
  CHECK(seq == 12345);

  CHECK_OK(seglog_checkpoint_set(db, "s", "reader", 0, 3));
  CHECK_OK(seglog_checkpoint_set(db, "s", "auditor", 0, 8));
  CHECK_OK(seglog_checkpoint_get(db, "s", "reader", 0, &seq));
  CHECK(seq == 3);
  CHECK_OK(seglog_checkpoint_set(db, "s", "reader", 0, 6)); /* moves */
  CHECK_RC(seglog_checkpoint_get(db, "s", "reader", 1, &seq), SEGLOG_ENOTFOUND);

  /* Durable across close and reopen; resume after it. */
  seglog_close(db);
  db = open_store("ckpt");
  CHECK_OK(seglog_checkpoint_get(db, "s", "reader", 0, &seq));
  CHECK(seq == 6);
  CHECK_OK(seglog_checkpoint_get(db, "s", "auditor", 0, &seq));
  CHECK(seq == 8);
  seglog_iter_options_init(&opt);
  opt.type = SEGLOG_ITER_AFTER_SEQUENCE_NUMBER;
  opt.seq = 6;
  CHECK_OK(seglog_iter_open(db, "s", 0, &opt, &it));
  CHECK_OK(seglog_iter_next(it, recs, 16, &n));
  CHECK(n == 3 && recs[0].seq == 7 && recs[2].seq == 9);
  seglog_iter_close(it);

  /* Deleting the stream deletes its checkpoints. */
  CHECK_OK(seglog_stream_delete(db, "s"));
  create_stream(db, "s", 2);
  CHECK_OK(seglog_stream_put(db, "s", "k", 1, "0", "v", 1, NULL, NULL));
  CHECK_RC(seglog_checkpoint_get(db, "s", "reader", 0, &seq), SEGLOG_ENOTFOUND);
  seglog_close(db);
}

/* ---- durability options ------------------------------------------------------------------ */

static void test_durability_modes(void) {
  static const int modes[] = {SEGLOG_DURABILITY_ALWAYS, SEGLOG_DURABILITY_INTERVAL,
                              SEGLOG_DURABILITY_NONE};
  char dir[512];
  seglog* db = NULL;
  seglog_options opt;
  seglog_stream_config cfg;
  seglog_stream_info info;
  size_t i, n;
  g_phase = "durability";
  path_in_parent(dir, sizeof dir, "durability");
  seglog_options_init(&opt);
  opt.durability = SEGLOG_DURABILITY_INTERVAL;
  opt.sync_interval_ms = 50;
  opt.segment_size = 1 << 16;
  CHECK_OK(seglog_open(dir, &opt, &db));
  seglog_stream_info_init(&info);
  create_stream(db, "inherits", 1);
  CHECK_OK(seglog_stream_describe(db, "inherits", &info, NULL, 0, &n));
  CHECK(info.durability == SEGLOG_DURABILITY_INTERVAL && info.sync_interval_ms == 50);
  CHECK(info.segment_size == (1 << 16));
  for (i = 0; i < 3; ++i) {
    char name[16];
    snprintf(name, sizeof name, "mode%d", modes[i]);
    seglog_stream_config_init(&cfg);
    cfg.durability = modes[i];
    CHECK_OK(seglog_stream_create(db, name, &cfg));
    CHECK_OK(seglog_stream_put(db, name, "k", 1, NULL, "v", 1, NULL, NULL));
    CHECK_OK(seglog_stream_describe(db, name, &info, NULL, 0, &n));
    CHECK(info.durability == modes[i]);
  }
  CHECK_OK(seglog_sync(db)); /* every mode's puts durable now (tests/store_sync_test.cc) */
  seglog_close(db);
}

/* ---- queues ------------------------------------------------------------------------------ */

/* What any write to a queue changes (oldest_age_ms aside, which moves with the clock). */
static void queue_stats(seglog* db, const char* queue, seglog_queue_statistics* st) {
  seglog_queue_stats_init(st);
  CHECK_OK(seglog_queue_stats(db, queue, st));
}
static int same_queue_state(const seglog_queue_statistics* a, const seglog_queue_statistics* b) {
  return a->visible == b->visible && a->in_flight == b->in_flight &&
         a->delayed == b->delayed && a->deleted_ids == b->deleted_ids &&
         a->log_bytes == b->log_bytes && a->journal_bytes == b->journal_bytes &&
         a->groups == b->groups;
}
#define CHECK_QUEUE_UNCHANGED(db, queue, before)                 \
  do {                                                           \
    seglog_queue_statistics now_;                                \
    queue_stats((db), (queue), &now_);                           \
    CHECK(same_queue_state(&now_, (before)));                    \
  } while (0)

static void create_queue(seglog* db, const char* name, int type) {
  seglog_queue_config cfg;
  seglog_queue_config_init(&cfg);
  cfg.type = type;
  CHECK_OK(seglog_queue_create(db, name, &cfg));
}

static void send_text(seglog* db, const char* queue, const char* body, const char* group,
                      const char* dedup, uint64_t* id) {
  seglog_queue_send_entry e;
  seglog_queue_send_entry_init(&e, body, strlen(body));
  e.group_id = group;
  e.dedup_id = dedup;
  CHECK_OK(seglog_queue_send(db, queue, &e, id, NULL));
}

/* Receives with wait 0 and the given visibility timeout (-1: the queue's). */
static seglog_queue_messages* receive(seglog* db, const char* queue, uint32_t max,
                                      int32_t visibility) {
  seglog_queue_receive_options ro;
  seglog_queue_messages* batch = NULL;
  seglog_queue_receive_options_init(&ro);
  ro.max_messages = max;
  ro.visibility_timeout_s = visibility;
  ro.wait_s = 0;
  CHECK_OK(seglog_queue_receive(db, queue, &ro, &batch));
  CHECK(batch != NULL);
  return batch;
}

/* Receives exactly one message: copies its receipt into `receipt` (SEGLOG_NAME_MAX bytes is
 * ample for a receipt here) and returns its id. */
static uint64_t receive_one(seglog* db, const char* queue, int32_t visibility, char* receipt,
                            size_t cap, const char* want_body) {
  seglog_queue_messages* batch = receive(db, queue, 1, visibility);
  const seglog_queue_message* m = seglog_queue_messages_get(batch, 0);
  uint64_t id;
  CHECK(seglog_queue_messages_count(batch) == 1 && m != NULL);
  CHECK(strlen(m->receipt) < cap);
  strcpy(receipt, m->receipt);
  if (want_body != NULL) CHECK(bytes_equal(m->body, m->body_len, want_body));
  id = m->id;
  seglog_queue_messages_free(batch);
  return id;
}

static void test_queue_admin(void) {
  static const char* bad_names[] = {"", ".", "..", "a/b", "../escape", "a b", "caf\xc3\xa9",
                                    "star*"};
  char long_ok[SEGLOG_NAME_MAX + 1], too_long[SEGLOG_NAME_MAX + 2], long_fifo[SEGLOG_NAME_MAX + 1];
  char before[1024], after[1024], dir[512];
  seglog* db;
  seglog_queue_config cfg;
  seglog_queue_info info;
  seglog_queue_statistics st;
  seglog_name names[4];
  size_t i, n = 99;
  struct {
    seglog_queue_config c;
    char newer_fields[8];
  } big;
  struct {
    seglog_queue_info i;
    char newer_fields[8];
  } big_info;
  struct {
    seglog_queue_statistics s;
    char newer_fields[8];
  } big_st;
  g_phase = "queue-admin";
  db = open_store("queues");
  path_in_parent(dir, sizeof dir, "queues");
  memset(long_ok, 'q', SEGLOG_NAME_MAX);
  long_ok[SEGLOG_NAME_MAX] = '\0';
  memset(too_long, 'y', SEGLOG_NAME_MAX + 1);
  too_long[SEGLOG_NAME_MAX + 1] = '\0';
  memset(long_fifo, 'f', SEGLOG_NAME_MAX);
  memcpy(long_fifo + SEGLOG_NAME_MAX - 5, ".fifo", 6);

  seglog_queue_config_init(&cfg);
  CHECK(cfg.struct_size == sizeof cfg && cfg.type == SEGLOG_QUEUE_STANDARD);
  CHECK(cfg.visibility_timeout_s == 30 && cfg.delay_s == 0 && cfg.retention_s == 345600);
  CHECK(cfg.max_message_bytes == SEGLOG_QUEUE_MAX_MESSAGE_BYTES && cfg.receive_wait_s == 0);
  CHECK(cfg.content_based_dedup == 0 && cfg.dead_letter_queue == NULL);
  CHECK(cfg.max_receive_count == 0 && cfg.durability == SEGLOG_DURABILITY_DEFAULT);
  CHECK(cfg.sync_interval_ms == 0 && cfg.segment_size == 0);

  /* Names. */
  list_dir(dir, before, sizeof before);
  CHECK_ERR(seglog_queue_create(NULL, "q", NULL), SEGLOG_EINVAL, "seglog_queue_create",
            "db is NULL");
  CHECK_ERR(seglog_queue_create(db, NULL, NULL), SEGLOG_EINVAL, "seglog_queue_create",
            "queue is NULL");
  for (i = 0; i < sizeof bad_names / sizeof bad_names[0]; ++i) {
    CHECK_ERR(seglog_queue_create(db, bad_names[i], NULL), SEGLOG_EINVAL,
              "seglog_queue_create", "queue name");
  }
  CHECK_ERR(seglog_queue_create(db, too_long, NULL), SEGLOG_EINVAL, "seglog_queue_create",
            "longer than 128");
  CHECK_ERR(seglog_queue_create(db, "..", NULL), SEGLOG_EINVAL, "seglog_queue_create",
            "reserved");
  CHECK_ERR(seglog_queue_create(db, "std.fifo", NULL), SEGLOG_EINVAL, "seglog_queue_create",
            ".fifo");
  seglog_queue_config_init(&cfg);
  cfg.type = SEGLOG_QUEUE_FIFO;
  CHECK_ERR(seglog_queue_create(db, "orders", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            ".fifo");
  CHECK_ERR(seglog_queue_create(db, ".fifo.x", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            ".fifo");

  /* Configs: struct sizes, enums, every range. */
  seglog_queue_config_init(&cfg);
  cfg.struct_size = 0;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "seglog_queue_config_init");
  seglog_queue_config_init(&big.c);
  big.c.struct_size = sizeof big;
  memset(big.newer_fields, 0xA5, sizeof big.newer_fields);
  CHECK_ERR(seglog_queue_create(db, "q", &big.c), SEGLOG_ENOTSUP, "seglog_queue_create",
            "newer seglog.h");
  seglog_queue_config_init(&cfg);
  cfg.type = 2;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "unknown queue type 2");
  cfg.type = -1;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "unknown queue type -1");
  seglog_queue_config_init(&cfg);
  cfg.durability = 4;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "unknown durability 4");
  seglog_queue_config_init(&cfg);
  cfg.content_based_dedup = 2;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "content_based_dedup");
  cfg.content_based_dedup = 1; /* standard queue */
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "content_based_dedup");
  seglog_queue_config_init(&cfg);
  cfg.visibility_timeout_s = SEGLOG_QUEUE_MAX_VISIBILITY_S + 1;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "visibility_timeout_s");
  seglog_queue_config_init(&cfg);
  cfg.delay_s = SEGLOG_QUEUE_MAX_DELAY_S + 1;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "delay_s");
  seglog_queue_config_init(&cfg);
  cfg.retention_s = SEGLOG_QUEUE_MIN_RETENTION_S - 1;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "retention_s");
  cfg.retention_s = SEGLOG_QUEUE_MAX_RETENTION_S + 1;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "1209601");
  seglog_queue_config_init(&cfg);
  cfg.max_message_bytes = SEGLOG_QUEUE_MIN_MESSAGE_BYTES - 1;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "max_message_bytes");
  cfg.max_message_bytes = SEGLOG_QUEUE_MAX_MESSAGE_BYTES + 1;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "max_message_bytes");
  seglog_queue_config_init(&cfg);
  cfg.receive_wait_s = SEGLOG_QUEUE_MAX_WAIT_S + 1;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "receive_wait_s");
  seglog_queue_config_init(&cfg);
  cfg.max_receive_count = 3; /* without a dead-letter queue */
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "max_receive_count");
  cfg.dead_letter_queue = "no-such-dlq";
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "no-such-dlq");
  cfg.dead_letter_queue = "a/b";
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "dead-letter queue name");
  cfg.dead_letter_queue = "q"; /* itself */
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "its own dead-letter queue");
  seglog_queue_config_init(&cfg);
  cfg.segment_size = 100;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "segment_size");
  seglog_queue_config_init(&cfg);
  cfg.durability = SEGLOG_DURABILITY_INTERVAL;
  cfg.sync_interval_ms = 3600001;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "sync_interval_ms");
  cfg.durability = SEGLOG_DURABILITY_ALWAYS; /* unused by ALWAYS, still never stored wrong */
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "sync_interval_ms");
  cfg.durability = SEGLOG_DURABILITY_NONE;
  cfg.sync_interval_ms = 0xFFFFFFFFu;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "sync_interval_ms");

  /* None of that created a queue or a file. */
  CHECK_OK(seglog_queue_list(db, NULL, 0, &n));
  CHECK(n == 0);
  list_dir(dir, after, sizeof after);
  CHECK(strcmp(before, after) == 0);

  /* Create: each type, every setting, the longest names. */
  seglog_queue_config_init(&cfg);
  cfg.visibility_timeout_s = 0;
  cfg.delay_s = SEGLOG_QUEUE_MAX_DELAY_S;
  cfg.retention_s = SEGLOG_QUEUE_MIN_RETENTION_S;
  cfg.max_message_bytes = SEGLOG_QUEUE_MIN_MESSAGE_BYTES;
  cfg.receive_wait_s = SEGLOG_QUEUE_MAX_WAIT_S;
  cfg.durability = SEGLOG_DURABILITY_INTERVAL;
  cfg.sync_interval_ms = 75;
  cfg.segment_size = 1 << 16;
  CHECK_OK(seglog_queue_create(db, "jobs", &cfg));
  CHECK_OK(seglog_queue_create(db, long_ok, NULL));
  seglog_queue_config_init(&cfg);
  cfg.type = SEGLOG_QUEUE_FIFO;
  CHECK_OK(seglog_queue_create(db, "dead.fifo", &cfg));
  cfg.content_based_dedup = 1;
  cfg.visibility_timeout_s = SEGLOG_QUEUE_MAX_VISIBILITY_S;
  cfg.retention_s = SEGLOG_QUEUE_MAX_RETENTION_S;
  cfg.dead_letter_queue = "dead.fifo";
  cfg.max_receive_count = SEGLOG_QUEUE_MAX_RECEIVE_COUNT;
  CHECK_OK(seglog_queue_create(db, long_fifo, &cfg));
  CHECK_ERR(seglog_queue_create(db, "jobs", NULL), SEGLOG_EEXIST, "seglog_queue_create",
            "already exists");
  /* A FIFO queue's dead-letter queue is FIFO, a standard queue's standard. */
  seglog_queue_config_init(&cfg);
  cfg.dead_letter_queue = "dead.fifo";
  cfg.max_receive_count = 1;
  CHECK_ERR(seglog_queue_create(db, "q", &cfg), SEGLOG_EINVAL, "seglog_queue_create", "FIFO");
  /* Queues and streams have their own names. */
  create_stream(db, "jobs", 1);

  /* List. */
  CHECK_ERR(seglog_queue_list(NULL, names, 4, &n), SEGLOG_EINVAL, "seglog_queue_list", "db");
  CHECK_ERR(seglog_queue_list(db, NULL, 4, &n), SEGLOG_EINVAL, "seglog_queue_list",
            "names is NULL");
  CHECK_ERR(seglog_queue_list(db, names, 4, NULL), SEGLOG_EINVAL, "seglog_queue_list",
            "n is NULL");
  n = 0;
  CHECK_OK(seglog_queue_list(db, names, 1, &n));
  CHECK(n == 4 && strcmp(names[0].name, "dead.fifo") == 0);
  CHECK_OK(seglog_queue_list(db, names, 4, &n));
  CHECK(n == 4 && strcmp(names[1].name, long_fifo) == 0 && strcmp(names[2].name, "jobs") == 0);
  CHECK(strcmp(names[3].name, long_ok) == 0);

  /* Describe. */
  seglog_queue_info_init(&info);
  CHECK(info.struct_size == sizeof info);
  CHECK_ERR(seglog_queue_describe(NULL, "jobs", &info), SEGLOG_EINVAL, "seglog_queue_describe",
            "db is NULL");
  CHECK_ERR(seglog_queue_describe(db, NULL, &info), SEGLOG_EINVAL, "seglog_queue_describe",
            "queue is NULL");
  CHECK_ERR(seglog_queue_describe(db, "jobs", NULL), SEGLOG_EINVAL, "seglog_queue_describe",
            "info is NULL");
  CHECK_ERR(seglog_queue_describe(db, "a/b", &info), SEGLOG_EINVAL, "seglog_queue_describe",
            "queue name");
  CHECK_ERR(seglog_queue_describe(db, "no-such", &info), SEGLOG_ENOTFOUND,
            "seglog_queue_describe", "no-such");
  info.struct_size = 0;
  CHECK_ERR(seglog_queue_describe(db, "jobs", &info), SEGLOG_EINVAL, "seglog_queue_describe",
            "seglog_queue_info_init");
  seglog_queue_info_init(&big_info.i);
  big_info.i.struct_size = sizeof big_info;
  memset(big_info.newer_fields, 0xA5, sizeof big_info.newer_fields);
  CHECK_ERR(seglog_queue_describe(db, "jobs", &big_info.i), SEGLOG_ENOTSUP,
            "seglog_queue_describe", "newer seglog.h");
  seglog_queue_info_init(&info);
  CHECK_OK(seglog_queue_describe(db, "jobs", &info));
  CHECK(strcmp(info.name, "jobs") == 0 && info.type == SEGLOG_QUEUE_STANDARD);
  CHECK(info.visibility_timeout_s == 0 && info.delay_s == SEGLOG_QUEUE_MAX_DELAY_S);
  CHECK(info.retention_s == SEGLOG_QUEUE_MIN_RETENTION_S);
  CHECK(info.max_message_bytes == SEGLOG_QUEUE_MIN_MESSAGE_BYTES);
  CHECK(info.receive_wait_s == SEGLOG_QUEUE_MAX_WAIT_S && info.content_based_dedup == 0);
  CHECK(info.dead_letter_queue[0] == '\0' && info.max_receive_count == 0);
  CHECK(info.durability == SEGLOG_DURABILITY_INTERVAL && info.sync_interval_ms == 75);
  CHECK(info.segment_size == (1 << 16));
  CHECK_OK(seglog_queue_describe(db, long_fifo, &info));
  CHECK(strcmp(info.name, long_fifo) == 0 && info.type == SEGLOG_QUEUE_FIFO);
  CHECK(info.content_based_dedup == 1 && strcmp(info.dead_letter_queue, "dead.fifo") == 0);
  CHECK(info.max_receive_count == SEGLOG_QUEUE_MAX_RECEIVE_COUNT);
  CHECK(info.visibility_timeout_s == SEGLOG_QUEUE_MAX_VISIBILITY_S);
  /* The store's defaults. */
  CHECK(info.durability == SEGLOG_DURABILITY_ALWAYS && info.sync_interval_ms == 200);
  CHECK(info.segment_size == (64u << 20));

  /* Stats. */
  seglog_queue_stats_init(&st);
  CHECK(st.struct_size == sizeof st);
  CHECK_ERR(seglog_queue_stats(NULL, "jobs", &st), SEGLOG_EINVAL, "seglog_queue_stats",
            "db is NULL");
  CHECK_ERR(seglog_queue_stats(db, NULL, &st), SEGLOG_EINVAL, "seglog_queue_stats",
            "queue is NULL");
  CHECK_ERR(seglog_queue_stats(db, "jobs", NULL), SEGLOG_EINVAL, "seglog_queue_stats",
            "st is NULL");
  CHECK_ERR(seglog_queue_stats(db, "no-such", &st), SEGLOG_ENOTFOUND, "seglog_queue_stats",
            "no-such");
  st.struct_size = 0;
  CHECK_ERR(seglog_queue_stats(db, "jobs", &st), SEGLOG_EINVAL, "seglog_queue_stats",
            "seglog_queue_stats_init");
  seglog_queue_stats_init(&big_st.s);
  big_st.s.struct_size = sizeof big_st;
  memset(big_st.newer_fields, 0xA5, sizeof big_st.newer_fields);
  CHECK_ERR(seglog_queue_stats(db, "jobs", &big_st.s), SEGLOG_ENOTSUP, "seglog_queue_stats",
            "newer seglog.h");
  queue_stats(db, "jobs", &st);
  CHECK(st.visible == 0 && st.in_flight == 0 && st.delayed == 0 && st.oldest_age_ms == 0);
  CHECK(st.deleted_ids == 0 && st.groups == 0);

  /* Purge. */
  CHECK_ERR(seglog_queue_purge(db, "no-such"), SEGLOG_ENOTFOUND, "seglog_queue_purge",
            "no-such");
  CHECK_ERR(seglog_queue_purge(NULL, "jobs"), SEGLOG_EINVAL, "seglog_queue_purge", "db");
  CHECK_ERR(seglog_queue_purge(db, NULL), SEGLOG_EINVAL, "seglog_queue_purge", "queue");
  CHECK_ERR(seglog_queue_purge(db, "a/b"), SEGLOG_EINVAL, "seglog_queue_purge", "queue name");
  CHECK_OK(seglog_queue_purge(db, "jobs")); /* empty: a no-op */

  /* Delete. */
  CHECK_ERR(seglog_queue_delete(db, "no-such"), SEGLOG_ENOTFOUND, "seglog_queue_delete",
            "no-such");
  CHECK_ERR(seglog_queue_delete(db, ".."), SEGLOG_EINVAL, "seglog_queue_delete", "reserved");
  CHECK_ERR(seglog_queue_delete(NULL, "jobs"), SEGLOG_EINVAL, "seglog_queue_delete", "db");
  CHECK_ERR(seglog_queue_delete(db, NULL), SEGLOG_EINVAL, "seglog_queue_delete", "queue");
  CHECK_OK(seglog_queue_delete(db, long_ok));
  CHECK_OK(seglog_queue_list(db, names, 4, &n));
  CHECK(n == 3);
  CHECK_RC(seglog_queue_describe(db, long_ok, &info), SEGLOG_ENOTFOUND);

  /* The settings survive a reopen; the stream of the same name is untouched. */
  seglog_close(db);
  db = open_store("queues");
  seglog_queue_info_init(&info);
  CHECK_OK(seglog_queue_describe(db, "jobs", &info));
  CHECK(info.delay_s == SEGLOG_QUEUE_MAX_DELAY_S && info.sync_interval_ms == 75);
  CHECK_OK(seglog_queue_describe(db, long_fifo, &info));
  CHECK(info.type == SEGLOG_QUEUE_FIFO && strcmp(info.dead_letter_queue, "dead.fifo") == 0);
  CHECK_OK(seglog_stream_list(db, names, 4, &n));
  CHECK(n == 1 && strcmp(names[0].name, "jobs") == 0);
  seglog_close(db);
}

/* Bad sends: each a distinct message; nothing sent, outputs untouched. */
static void test_queue_send_errors(void) {
  static char body[SEGLOG_QUEUE_MIN_MESSAGE_BYTES + 1];
  static const char* bad_ids[] = {"", "a b", "caf\xc3\xa9", "tab\there", "del\x7f"};
  static char attr_names[SEGLOG_QUEUE_MAX_ATTRS + 1][8];
  char id129[SEGLOG_QUEUE_MAX_ID + 2];
  seglog* db;
  seglog_queue_config cfg;
  seglog_queue_send_entry e, batch[SEGLOG_QUEUE_MAX_BATCH + 1];
  seglog_queue_send_result results[SEGLOG_QUEUE_MAX_BATCH + 1];
  seglog_queue_attr attrs[SEGLOG_QUEUE_MAX_ATTRS + 1];
  seglog_queue_statistics q0, f0;
  uint64_t id = 777;
  int dup = 777;
  size_t i;
  g_phase = "queue-send-errors";
  db = open_store("queue-send");
  seglog_queue_config_init(&cfg);
  cfg.max_message_bytes = SEGLOG_QUEUE_MIN_MESSAGE_BYTES;
  CHECK_OK(seglog_queue_create(db, "q", &cfg));
  cfg.type = SEGLOG_QUEUE_FIFO;
  CHECK_OK(seglog_queue_create(db, "f.fifo", &cfg));
  memset(body, 'b', sizeof body);
  memset(id129, 'i', sizeof id129 - 1);
  id129[sizeof id129 - 1] = '\0';
  for (i = 0; i < SEGLOG_QUEUE_MAX_ATTRS + 1; ++i) {
    snprintf(attr_names[i], sizeof attr_names[i], "a%u", (unsigned)i);
    attrs[i].name = attr_names[i];
    attrs[i].type = SEGLOG_ATTR_STRING;
    attrs[i].value = "v";
    attrs[i].value_len = 1;
  }
  queue_stats(db, "q", &q0);
  queue_stats(db, "f.fifo", &f0);

  seglog_queue_send_entry_init(&e, "hello", 5);
  CHECK(e.body_len == 5 && e.attrs == NULL && e.n_attrs == 0 && e.delay_s == -1);
  CHECK(e.group_id == NULL && e.dedup_id == NULL);
  CHECK_ERR(seglog_queue_send(NULL, "q", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "db is NULL");
  CHECK_ERR(seglog_queue_send(db, NULL, &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "queue is NULL");
  CHECK_ERR(seglog_queue_send(db, "q", NULL, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "e is NULL");
  CHECK_ERR(seglog_queue_send(db, "a/b", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "queue name");
  CHECK_ERR(seglog_queue_send(db, "no-such", &e, &id, &dup), SEGLOG_ENOTFOUND,
            "seglog_queue_send", "no-such");

  /* Bodies: NULL with a length, empty, one byte over the limit, attributes counted. */
  seglog_queue_send_entry_init(&e, NULL, 5);
  CHECK_ERR(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "body is NULL");
  seglog_queue_send_entry_init(&e, "", 0);
  CHECK_RC(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL);
  seglog_queue_send_entry_init(&e, body, SEGLOG_QUEUE_MIN_MESSAGE_BYTES + 1);
  CHECK_RC(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_ETOOLARGE);
  CHECK(seglog_last_error()[0] != '\0');
  /* 1,020 bytes of body + "a0" + "String" + "v" = 1,029 > 1,024. */
  seglog_queue_send_entry_init(&e, body, SEGLOG_QUEUE_MIN_MESSAGE_BYTES - 4);
  e.attrs = attrs;
  e.n_attrs = 1;
  CHECK_RC(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_ETOOLARGE);

  /* Attributes. */
  seglog_queue_send_entry_init(&e, "x", 1);
  e.attrs = attrs;
  e.n_attrs = SEGLOG_QUEUE_MAX_ATTRS + 1;
  CHECK_ERR(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "11 attributes");
  e.attrs = NULL;
  e.n_attrs = 1;
  CHECK_ERR(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "attrs is NULL");
  e.attrs = attrs;
  e.n_attrs = 3;
  attrs[1].name = NULL;
  CHECK_ERR(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "attribute 1: name is NULL");
  attrs[1].name = "a1";
  attrs[2].type = 4;
  CHECK_ERR(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "attribute 2: unknown type 4");
  attrs[2].type = 0;
  CHECK_ERR(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "unknown type 0");
  attrs[2].type = SEGLOG_ATTR_BINARY;
  attrs[2].value = NULL;
  attrs[2].value_len = 3;
  CHECK_ERR(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "value is NULL");
  attrs[2].value = "v";
  attrs[2].value_len = 1;
  attrs[0].name = "bad name";
  CHECK_ERR(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "bad name");
  attrs[0].name = "AWS.reserved";
  CHECK_ERR(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "reserved");
  attrs[0].name = "a2";
  CHECK_ERR(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "twice");
  attrs[0].name = "a0";
  attrs[0].type = SEGLOG_ATTR_NUMBER;
  attrs[0].value = "twelve";
  attrs[0].value_len = 6;
  CHECK_RC(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL);
  attrs[0].type = SEGLOG_ATTR_STRING;
  attrs[0].value = "v";
  attrs[0].value_len = 1;

  /* Delays. */
  seglog_queue_send_entry_init(&e, "x", 1);
  e.delay_s = -2;
  CHECK_ERR(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "delay_s");
  e.delay_s = SEGLOG_QUEUE_MAX_DELAY_S + 1;
  CHECK_ERR(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "delay");

  /* Group and dedup ids: a standard queue takes a well-formed group id (SQS fair queues, 0.3.0)
     and no dedup id; FIFO requires both well-formed. */
  seglog_queue_send_entry_init(&e, "x", 1);
  e.group_id = "a b";
  CHECK_RC(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL);
  seglog_queue_send_entry_init(&e, "x", 1);
  e.dedup_id = "d";
  CHECK_RC(seglog_queue_send(db, "q", &e, &id, &dup), SEGLOG_EINVAL);
  seglog_queue_send_entry_init(&e, "x", 1);
  e.dedup_id = "d";
  CHECK_RC(seglog_queue_send(db, "f.fifo", &e, &id, &dup), SEGLOG_EINVAL); /* no group */
  for (i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; ++i) {
    e.group_id = bad_ids[i];
    CHECK_RC(seglog_queue_send(db, "f.fifo", &e, &id, &dup), SEGLOG_EINVAL);
    CHECK(seglog_last_error()[0] != '\0');
  }
  e.group_id = id129;
  CHECK_ERR(seglog_queue_send(db, "f.fifo", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "129");
  e.group_id = "g";
  e.dedup_id = NULL; /* the queue has no content-based dedup */
  CHECK_RC(seglog_queue_send(db, "f.fifo", &e, &id, &dup), SEGLOG_EINVAL);
  for (i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; ++i) {
    if (bad_ids[i][0] == '\0') continue; /* "" is "none", as NULL */
    e.dedup_id = bad_ids[i];
    CHECK_RC(seglog_queue_send(db, "f.fifo", &e, &id, &dup), SEGLOG_EINVAL);
  }
  e.dedup_id = id129;
  CHECK_ERR(seglog_queue_send(db, "f.fifo", &e, &id, &dup), SEGLOG_EINVAL, "seglog_queue_send",
            "129");
  e.dedup_id = "d";
  e.delay_s = 5; /* FIFO: only the queue's delay */
  CHECK_RC(seglog_queue_send(db, "f.fifo", &e, &id, &dup), SEGLOG_EINVAL);

  /* Batches: counts, NULLs, one bad entry (its index named); nothing sent. */
  for (i = 0; i < SEGLOG_QUEUE_MAX_BATCH + 1; ++i) {
    seglog_queue_send_entry_init(&batch[i], "m", 1);
    results[i].id = 777;
    results[i].duplicate = 777;
  }
  CHECK_ERR(seglog_queue_send_batch(NULL, "q", batch, 2, results), SEGLOG_EINVAL,
            "seglog_queue_send_batch", "db is NULL");
  CHECK_ERR(seglog_queue_send_batch(db, NULL, batch, 2, results), SEGLOG_EINVAL,
            "seglog_queue_send_batch", "queue is NULL");
  CHECK_ERR(seglog_queue_send_batch(db, "q", NULL, 2, results), SEGLOG_EINVAL,
            "seglog_queue_send_batch", "entries is NULL");
  CHECK_ERR(seglog_queue_send_batch(db, "q", batch, 2, NULL), SEGLOG_EINVAL,
            "seglog_queue_send_batch", "results is NULL");
  CHECK_ERR(seglog_queue_send_batch(db, "q", batch, 0, results), SEGLOG_EINVAL,
            "seglog_queue_send_batch", "got 0");
  CHECK_ERR(seglog_queue_send_batch(db, "q", batch, SEGLOG_QUEUE_MAX_BATCH + 1, results),
            SEGLOG_EINVAL, "seglog_queue_send_batch", "got 11");
  CHECK_ERR(seglog_queue_send_batch(db, "no-such", batch, 2, results), SEGLOG_ENOTFOUND,
            "seglog_queue_send_batch", "no-such");
  batch[3].body = NULL;
  CHECK_ERR(seglog_queue_send_batch(db, "q", batch, 5, results), SEGLOG_EINVAL,
            "seglog_queue_send_batch", "message 3: body is NULL");
  seglog_queue_send_entry_init(&batch[3], body, SEGLOG_QUEUE_MIN_MESSAGE_BYTES + 1);
  CHECK_RC(seglog_queue_send_batch(db, "q", batch, 5, results), SEGLOG_ETOOLARGE);
  seglog_queue_send_entry_init(&batch[3], "m", 1);
  batch[4].n_attrs = SEGLOG_QUEUE_MAX_ATTRS + 1;
  batch[4].attrs = attrs;
  CHECK_ERR(seglog_queue_send_batch(db, "q", batch, 5, results), SEGLOG_EINVAL,
            "seglog_queue_send_batch", "message 4");
  batch[4].n_attrs = 0;
  batch[1].dedup_id = "d"; /* dedup ids are FIFO's only */
  CHECK_RC(seglog_queue_send_batch(db, "q", batch, 5, results), SEGLOG_EINVAL);
  batch[1].dedup_id = NULL;
  CHECK_RC(seglog_queue_send_batch(db, "f.fifo", batch, 2, results), SEGLOG_EINVAL);
  /* Each message within its limit, but the batch over 1 MiB. */
  {
    seglog_queue_send_entry halves[2];
    seglog_queue_statistics b0;
    char* half = malloc(SEGLOG_QUEUE_MAX_MESSAGE_BYTES / 2 + 1);
    CHECK(half != NULL);
    memset(half, 'h', SEGLOG_QUEUE_MAX_MESSAGE_BYTES / 2 + 1);
    create_queue(db, "big", SEGLOG_QUEUE_STANDARD);
    queue_stats(db, "big", &b0);
    seglog_queue_send_entry_init(&halves[0], half, SEGLOG_QUEUE_MAX_MESSAGE_BYTES / 2 + 1);
    halves[1] = halves[0];
    CHECK_ERR(seglog_queue_send_batch(db, "big", halves, 2, results), SEGLOG_ETOOLARGE,
              "seglog_queue_send_batch", "1 MiB");
    CHECK_QUEUE_UNCHANGED(db, "big", &b0);
    halves[1].body_len = SEGLOG_QUEUE_MAX_MESSAGE_BYTES / 2 - 1;
    CHECK_OK(seglog_queue_send_batch(db, "big", halves, 2, results));
    CHECK_OK(seglog_queue_delete(db, "big"));
    free(half);
    for (i = 0; i < SEGLOG_QUEUE_MAX_BATCH + 1; ++i) results[i].id = results[i].duplicate = 777;
  }

  /* Nothing was sent; no output was written. */
  CHECK(id == 777 && dup == 777);
  for (i = 0; i < SEGLOG_QUEUE_MAX_BATCH + 1; ++i) {
    CHECK(results[i].id == 777 && results[i].duplicate == 777);
  }
  CHECK_QUEUE_UNCHANGED(db, "q", &q0);
  CHECK_QUEUE_UNCHANGED(db, "f.fifo", &f0);

  /* The limits themselves are allowed: max_message_bytes exactly, 10 attributes, 128-byte ids,
   * a batch of 10. */
  seglog_queue_send_entry_init(&e, body, SEGLOG_QUEUE_MIN_MESSAGE_BYTES);
  CHECK_OK(seglog_queue_send(db, "q", &e, &id, &dup));
  CHECK(id == 0 && dup == 0);
  seglog_queue_send_entry_init(&e, "x", 1);
  e.attrs = attrs;
  e.n_attrs = SEGLOG_QUEUE_MAX_ATTRS;
  e.delay_s = 0;
  CHECK_OK(seglog_queue_send(db, "q", &e, &id, NULL));
  CHECK(id == 1);
  id129[SEGLOG_QUEUE_MAX_ID] = '\0';
  seglog_queue_send_entry_init(&e, "x", 1);
  e.group_id = id129;
  e.dedup_id = id129;
  CHECK_OK(seglog_queue_send(db, "f.fifo", &e, NULL, NULL));
  CHECK_OK(seglog_queue_send_batch(db, "q", batch, SEGLOG_QUEUE_MAX_BATCH, results));
  for (i = 0; i < SEGLOG_QUEUE_MAX_BATCH; ++i) {
    CHECK(results[i].id == 2 + i && results[i].duplicate == 0);
  }
  CHECK(results[SEGLOG_QUEUE_MAX_BATCH].id == 777); /* only n written */
  queue_stats(db, "q", &q0);
  CHECK(q0.visible == 12);
  seglog_close(db);
}

/* Send, receive, delete; every receive, delete and visibility error. */
static void test_queue_roundtrip(void) {
  static const char body[] = "bo\0dy\xff";          /* 6 bytes, NULs inside */
  static const char bin[] = {'\0', '\x01', '\xff', '\0'}; /* a Binary value */
  seglog_queue_attr attrs[3];
  seglog* db;
  seglog_queue_send_entry e;
  seglog_queue_receive_options ro;
  struct {
    seglog_queue_receive_options o;
    char newer_fields[8];
  } big;
  seglog_queue_messages* batch = NULL;
  seglog_queue_messages* const sentinel = (seglog_queue_messages*)&ro;
  const seglog_queue_message* m;
  seglog_queue_statistics st, st0;
  char r1[128], r2[128], other[128];
  const char* receipts[SEGLOG_QUEUE_MAX_BATCH + 1];
  int results[SEGLOG_QUEUE_MAX_BATCH + 1];
  uint64_t id = 0, id2;
  int dup = 5;
  size_t i;
  g_phase = "queue-roundtrip";
  db = open_store("queue-roundtrip");
  create_queue(db, "q", SEGLOG_QUEUE_STANDARD);
  create_queue(db, "other", SEGLOG_QUEUE_STANDARD);

  attrs[0].name = "text";
  attrs[0].type = SEGLOG_ATTR_STRING;
  attrs[0].value = "h\xc3\xa9llo";
  attrs[0].value_len = 6;
  attrs[1].name = "count";
  attrs[1].type = SEGLOG_ATTR_NUMBER;
  attrs[1].value = "-12.5e3";
  attrs[1].value_len = 7;
  attrs[2].name = "blob";
  attrs[2].type = SEGLOG_ATTR_BINARY;
  attrs[2].value = bin;
  attrs[2].value_len = sizeof bin;
  seglog_queue_send_entry_init(&e, body, sizeof body - 1);
  e.attrs = attrs;
  e.n_attrs = 3;
  CHECK_OK(seglog_queue_send(db, "q", &e, &id, &dup));
  CHECK(id == 0 && dup == 0);
  queue_stats(db, "q", &st);
  CHECK(st.visible == 1 && st.in_flight == 0 && st.delayed == 0 && st.log_bytes > 0);

  /* Receive options and pointers. */
  seglog_queue_receive_options_init(&ro);
  CHECK(ro.struct_size == sizeof ro && ro.max_messages == 1);
  CHECK(ro.visibility_timeout_s == -1 && ro.wait_s == -1);
  CHECK_ERR(seglog_queue_receive(db, "q", &ro, NULL), SEGLOG_EINVAL, "seglog_queue_receive",
            "out is NULL");
  batch = sentinel;
  CHECK_ERR(seglog_queue_receive(NULL, "q", &ro, &batch), SEGLOG_EINVAL,
            "seglog_queue_receive", "db is NULL");
  CHECK(batch == NULL); /* set to NULL on every failure */
  batch = sentinel;
  CHECK_ERR(seglog_queue_receive(db, NULL, &ro, &batch), SEGLOG_EINVAL, "seglog_queue_receive",
            "queue is NULL");
  CHECK(batch == NULL);
  CHECK_ERR(seglog_queue_receive(db, "a/b", &ro, &batch), SEGLOG_EINVAL, "seglog_queue_receive",
            "queue name");
  batch = sentinel;
  CHECK_ERR(seglog_queue_receive(db, "no-such", &ro, &batch), SEGLOG_ENOTFOUND,
            "seglog_queue_receive", "no-such");
  CHECK(batch == NULL);
  ro.max_messages = 0;
  CHECK_ERR(seglog_queue_receive(db, "q", &ro, &batch), SEGLOG_EINVAL, "seglog_queue_receive",
            "max_messages");
  ro.max_messages = SEGLOG_QUEUE_MAX_BATCH + 1;
  CHECK_ERR(seglog_queue_receive(db, "q", &ro, &batch), SEGLOG_EINVAL, "seglog_queue_receive",
            "got 11");
  seglog_queue_receive_options_init(&ro);
  ro.visibility_timeout_s = -2;
  CHECK_ERR(seglog_queue_receive(db, "q", &ro, &batch), SEGLOG_EINVAL, "seglog_queue_receive",
            "visibility_timeout_s");
  ro.visibility_timeout_s = SEGLOG_QUEUE_MAX_VISIBILITY_S + 1;
  CHECK_ERR(seglog_queue_receive(db, "q", &ro, &batch), SEGLOG_EINVAL, "seglog_queue_receive",
            "43201");
  seglog_queue_receive_options_init(&ro);
  ro.wait_s = SEGLOG_QUEUE_MAX_WAIT_S + 1;
  CHECK_ERR(seglog_queue_receive(db, "q", &ro, &batch), SEGLOG_EINVAL, "seglog_queue_receive",
            "wait_s");
  ro.wait_s = -2;
  CHECK_ERR(seglog_queue_receive(db, "q", &ro, &batch), SEGLOG_EINVAL, "seglog_queue_receive",
            "wait_s");
  seglog_queue_receive_options_init(&ro);
  ro.struct_size = 0;
  CHECK_ERR(seglog_queue_receive(db, "q", &ro, &batch), SEGLOG_EINVAL, "seglog_queue_receive",
            "seglog_queue_receive_options_init");
  seglog_queue_receive_options_init(&big.o);
  big.o.struct_size = sizeof big;
  memset(big.newer_fields, 0xA5, sizeof big.newer_fields);
  CHECK_ERR(seglog_queue_receive(db, "q", &big.o, &batch), SEGLOG_ENOTSUP,
            "seglog_queue_receive", "newer seglog.h");
  CHECK(batch == NULL);
  CHECK_QUEUE_UNCHANGED(db, "q", &st); /* nothing was received */
  CHECK(seglog_queue_messages_count(NULL) == 0 && seglog_queue_messages_get(NULL, 0) == NULL);
  seglog_queue_messages_free(NULL);

  /* Receive (opt NULL: one message, the queue's visibility timeout, its wait of 0). */
  CHECK_OK(seglog_queue_receive(db, "q", NULL, &batch));
  CHECK(seglog_queue_messages_count(batch) == 1);
  CHECK(seglog_queue_messages_get(batch, 1) == NULL);
  m = seglog_queue_messages_get(batch, 0);
  CHECK(m != NULL && m->id == 0 && m->receive_count == 1);
  CHECK(m->body_len == sizeof body - 1 && memcmp(m->body, body, sizeof body - 1) == 0);
  CHECK(((const char*)m->body)[m->body_len] == '\0');
  CHECK(m->n_attrs == 3 && m->attrs != NULL);
  for (i = 0; i < 3; ++i) {
    CHECK(strcmp(m->attrs[i].name, attrs[i].name) == 0 && m->attrs[i].type == attrs[i].type);
    CHECK(m->attrs[i].value_len == attrs[i].value_len);
    CHECK(memcmp(m->attrs[i].value, attrs[i].value, attrs[i].value_len) == 0);
    CHECK(((const char*)m->attrs[i].value)[m->attrs[i].value_len] == '\0');
  }
  CHECK(strcmp(m->group_id, "") == 0 && strcmp(m->dedup_id, "") == 0);
  CHECK(m->sent_ms > 1600000000000LL && m->enqueued_ms >= m->sent_ms);
  CHECK(m->receipt != NULL && strlen(m->receipt) > 0 && strlen(m->receipt) < sizeof r1);
  strcpy(r1, m->receipt);
  seglog_queue_messages_free(batch);
  queue_stats(db, "q", &st);
  CHECK(st.visible == 0 && st.in_flight == 1);

  /* In flight: a second receive finds nothing, and still returns a batch to free. */
  batch = sentinel;
  CHECK_OK(seglog_queue_receive(db, "q", NULL, &batch));
  CHECK(batch != NULL && batch != sentinel && seglog_queue_messages_count(batch) == 0);
  CHECK(seglog_queue_messages_get(batch, 0) == NULL);
  seglog_queue_messages_free(batch);

  /* Delete errors, each changing nothing. */
  queue_stats(db, "q", &st0);
  CHECK_ERR(seglog_queue_delete_message(NULL, "q", r1), SEGLOG_EINVAL,
            "seglog_queue_delete_message", "db is NULL");
  CHECK_ERR(seglog_queue_delete_message(db, NULL, r1), SEGLOG_EINVAL,
            "seglog_queue_delete_message", "queue is NULL");
  CHECK_ERR(seglog_queue_delete_message(db, "q", NULL), SEGLOG_EINVAL,
            "seglog_queue_delete_message", "receipt is NULL");
  CHECK_ERR(seglog_queue_delete_message(db, "no-such", r1), SEGLOG_ENOTFOUND,
            "seglog_queue_delete_message", "no-such");
  CHECK_ERR(seglog_queue_delete_message(db, "q", "garbage"), SEGLOG_EINVAL,
            "seglog_queue_delete_message", "receipt");
  CHECK_ERR(seglog_queue_delete_message(db, "q", ""), SEGLOG_EINVAL,
            "seglog_queue_delete_message", "receipt");
  strcpy(other, r1);
  other[0] = other[0] == '0' ? '1' : '0'; /* one character changed */
  CHECK_ERR(seglog_queue_delete_message(db, "q", other), SEGLOG_EINVAL,
            "seglog_queue_delete_message", "receipt");
  CHECK_ERR(seglog_queue_delete_message(db, "other", r1), SEGLOG_EINVAL,
            "seglog_queue_delete_message", "receipt"); /* of another queue */
  CHECK_ERR(seglog_queue_change_visibility(db, "q", "garbage", 0), SEGLOG_EINVAL,
            "seglog_queue_change_visibility", "receipt");
  CHECK_ERR(seglog_queue_change_visibility(NULL, "q", r1, 0), SEGLOG_EINVAL,
            "seglog_queue_change_visibility", "db is NULL");
  CHECK_ERR(seglog_queue_change_visibility(db, NULL, r1, 0), SEGLOG_EINVAL,
            "seglog_queue_change_visibility", "queue is NULL");
  CHECK_ERR(seglog_queue_change_visibility(db, "q", NULL, 0), SEGLOG_EINVAL,
            "seglog_queue_change_visibility", "receipt is NULL");
  CHECK_ERR(seglog_queue_change_visibility(db, "no-such", r1, 0), SEGLOG_ENOTFOUND,
            "seglog_queue_change_visibility", "no-such");
  CHECK_RC(seglog_queue_change_visibility(db, "q", r1, SEGLOG_QUEUE_MAX_VISIBILITY_S + 1),
           SEGLOG_EINVAL);
  CHECK_QUEUE_UNCHANGED(db, "q", &st0);

  /* Change the visibility to 0: visible again at once; received again with a new receipt,
   * which makes the first one stale. */
  CHECK_OK(seglog_queue_change_visibility(db, "q", r1, 0));
  queue_stats(db, "q", &st);
  CHECK(st.visible == 1 && st.in_flight == 0);
  CHECK_ERR(seglog_queue_change_visibility(db, "q", r1, 10), SEGLOG_ESTALE,
            "seglog_queue_change_visibility", "");
  id2 = receive_one(db, "q", 0, r2, sizeof r2, NULL); /* visibility 0: visible at once */
  CHECK(id2 == id && strcmp(r1, r2) != 0);
  queue_stats(db, "q", &st0);
  CHECK_ERR(seglog_queue_delete_message(db, "q", r1), SEGLOG_ESTALE,
            "seglog_queue_delete_message", "");
  CHECK(strcmp(seglog_strerror(SEGLOG_ESTALE), "stale receipt") == 0);
  CHECK_QUEUE_UNCHANGED(db, "q", &st0);
  id2 = receive_one(db, "q", 30, r2, sizeof r2, NULL);
  CHECK(id2 == id);
  batch = receive(db, "q", 1, 30); /* in flight again */
  CHECK(seglog_queue_messages_count(batch) == 0);
  seglog_queue_messages_free(batch);
  CHECK_OK(seglog_queue_change_visibility(db, "q", r2, 60)); /* extend */
  CHECK_OK(seglog_queue_delete_message(db, "q", r2));
  queue_stats(db, "q", &st);
  CHECK(st.visible == 0 && st.in_flight == 0 && st.delayed == 0 && st.oldest_age_ms == 0);
  CHECK_OK(seglog_queue_delete_message(db, "q", r2)); /* already deleted: OK, as SQS */
  CHECK_RC(seglog_queue_change_visibility(db, "q", r2, 0), SEGLOG_ESTALE);

  /* Delete batches. */
  for (i = 0; i < 4; ++i) {
    char text[16];
    snprintf(text, sizeof text, "batch %u", (unsigned)i);
    send_text(db, "q", text, NULL, NULL, NULL);
  }
  batch = receive(db, "q", SEGLOG_QUEUE_MAX_BATCH, 30);
  CHECK(seglog_queue_messages_count(batch) == 4);
  for (i = 0; i < SEGLOG_QUEUE_MAX_BATCH + 1; ++i) {
    receipts[i] = seglog_queue_messages_get(batch, i % 4)->receipt;
    results[i] = 777;
  }
  queue_stats(db, "q", &st0);
  CHECK(st0.in_flight == 4);
  CHECK_ERR(seglog_queue_delete_message_batch(NULL, "q", receipts, 2, results), SEGLOG_EINVAL,
            "seglog_queue_delete_message_batch", "db is NULL");
  CHECK_ERR(seglog_queue_delete_message_batch(db, NULL, receipts, 2, results), SEGLOG_EINVAL,
            "seglog_queue_delete_message_batch", "queue is NULL");
  CHECK_ERR(seglog_queue_delete_message_batch(db, "q", NULL, 2, results), SEGLOG_EINVAL,
            "seglog_queue_delete_message_batch", "receipts is NULL");
  CHECK_ERR(seglog_queue_delete_message_batch(db, "q", receipts, 2, NULL), SEGLOG_EINVAL,
            "seglog_queue_delete_message_batch", "results is NULL");
  CHECK_ERR(seglog_queue_delete_message_batch(db, "q", receipts, 0, results), SEGLOG_EINVAL,
            "seglog_queue_delete_message_batch", "got 0");
  CHECK_ERR(seglog_queue_delete_message_batch(db, "q", receipts, SEGLOG_QUEUE_MAX_BATCH + 1,
                                              results),
            SEGLOG_EINVAL, "seglog_queue_delete_message_batch", "got 11");
  CHECK_ERR(seglog_queue_delete_message_batch(db, "no-such", receipts, 2, results),
            SEGLOG_ENOTFOUND, "seglog_queue_delete_message_batch", "no-such");
  receipts[1] = NULL;
  CHECK_ERR(seglog_queue_delete_message_batch(db, "q", receipts, 3, results), SEGLOG_EINVAL,
            "seglog_queue_delete_message_batch", "receipt 1 is NULL");
  for (i = 0; i < SEGLOG_QUEUE_MAX_BATCH + 1; ++i) CHECK(results[i] == 777);
  CHECK_QUEUE_UNCHANGED(db, "q", &st0);
  /* Entries fail one by one: 0 and 2 deleted, 1 malformed, 3 already deleted (OK). */
  receipts[1] = "garbage";
  receipts[3] = receipts[0];
  CHECK_OK(seglog_queue_delete_message_batch(db, "q", receipts, 4, results));
  CHECK(results[0] == SEGLOG_OK && results[1] == SEGLOG_EINVAL && results[2] == SEGLOG_OK);
  CHECK(results[3] == SEGLOG_OK && results[4] == 777);
  queue_stats(db, "q", &st);
  CHECK(st.in_flight == 2 && st.visible == 0);
  receipts[0] = seglog_queue_messages_get(batch, 1)->receipt;
  receipts[1] = seglog_queue_messages_get(batch, 3)->receipt;
  CHECK_OK(seglog_queue_delete_message_batch(db, "q", receipts, 2, results));
  CHECK(results[0] == SEGLOG_OK && results[1] == SEGLOG_OK);
  seglog_queue_messages_free(batch);
  queue_stats(db, "q", &st);
  CHECK(st.in_flight == 0 && st.visible == 0);

  /* Purge: every message, in flight or not; receipts of purged messages delete as OK. */
  for (i = 0; i < 5; ++i) send_text(db, "q", "to purge", NULL, NULL, NULL);
  (void)receive_one(db, "q", 30, r1, sizeof r1, "to purge");
  queue_stats(db, "q", &st);
  CHECK(st.visible == 4 && st.in_flight == 1 && st.oldest_age_ms >= 0);
  CHECK_OK(seglog_queue_purge(db, "q"));
  queue_stats(db, "q", &st);
  CHECK(st.visible == 0 && st.in_flight == 0 && st.delayed == 0);
  batch = receive(db, "q", SEGLOG_QUEUE_MAX_BATCH, 30);
  CHECK(seglog_queue_messages_count(batch) == 0);
  seglog_queue_messages_free(batch);
  CHECK_OK(seglog_queue_delete_message(db, "q", r1));

  /* A delayed message is not received before its delay ends. */
  seglog_queue_send_entry_init(&e, "later", 5);
  e.delay_s = 60;
  CHECK_OK(seglog_queue_send(db, "q", &e, NULL, NULL));
  queue_stats(db, "q", &st);
  CHECK(st.delayed == 1 && st.visible == 0);
  batch = receive(db, "q", 1, 30);
  CHECK(seglog_queue_messages_count(batch) == 0);
  seglog_queue_messages_free(batch);
  CHECK_OK(seglog_queue_purge(db, "q"));
  seglog_close(db);
}

/* A batch is a copy: it outlives more receives, deletes, purges, the queue and the store. */
static void test_queue_batch_lifetime(void) {
  seglog* db;
  seglog_queue_send_entry entries[SEGLOG_QUEUE_MAX_BATCH];
  seglog_queue_send_result results[SEGLOG_QUEUE_MAX_BATCH];
  seglog_queue_attr attrs[SEGLOG_QUEUE_MAX_BATCH];
  char bodies[SEGLOG_QUEUE_MAX_BATCH][32];
  seglog_queue_messages *first, *second, *empty;
  const void* body_ptrs[SEGLOG_QUEUE_MAX_BATCH];
  const char* receipt_ptrs[SEGLOG_QUEUE_MAX_BATCH];
  char receipts[SEGLOG_QUEUE_MAX_BATCH][128];
  size_t i, n;
  g_phase = "queue-lifetime";
  db = open_store("queue-lifetime");
  create_queue(db, "q", SEGLOG_QUEUE_STANDARD);
  for (i = 0; i < SEGLOG_QUEUE_MAX_BATCH; ++i) {
    snprintf(bodies[i], sizeof bodies[i], "message %u", (unsigned)i);
    seglog_queue_send_entry_init(&entries[i], bodies[i], strlen(bodies[i]));
    attrs[i].name = "n";
    attrs[i].type = SEGLOG_ATTR_NUMBER;
    attrs[i].value = bodies[i] + 8;
    attrs[i].value_len = 1;
    entries[i].attrs = &attrs[i];
    entries[i].n_attrs = 1;
  }
  CHECK_OK(seglog_queue_send_batch(db, "q", entries, SEGLOG_QUEUE_MAX_BATCH, results));
  for (i = 0; i < SEGLOG_QUEUE_MAX_BATCH; ++i) {
    CHECK(results[i].id == i && results[i].duplicate == 0);
  }

  /* Visibility 0: the same messages again in the second batch. */
  first = receive(db, "q", SEGLOG_QUEUE_MAX_BATCH, 0);
  n = seglog_queue_messages_count(first);
  CHECK(n == SEGLOG_QUEUE_MAX_BATCH);
  for (i = 0; i < n; ++i) {
    const seglog_queue_message* m = seglog_queue_messages_get(first, i);
    CHECK(m->id == i && bytes_equal(m->body, m->body_len, bodies[i]));
    body_ptrs[i] = m->body;
    receipt_ptrs[i] = m->receipt;
    strcpy(receipts[i], m->receipt);
  }
  second = receive(db, "q", SEGLOG_QUEUE_MAX_BATCH, 300);
  CHECK(seglog_queue_messages_count(second) == SEGLOG_QUEUE_MAX_BATCH);
  for (i = 0; i < SEGLOG_QUEUE_MAX_BATCH; ++i) {
    const seglog_queue_message* m = seglog_queue_messages_get(second, i);
    CHECK(m->id == i && m->receive_count == 2 && strcmp(m->receipt, receipts[i]) != 0);
  }
  /* Deleting the messages, purging and deleting the queue, closing the store: none touches
   * either batch. */
  CHECK_RC(seglog_queue_delete_message(db, "q", receipts[0]), SEGLOG_ESTALE);
  CHECK_OK(seglog_queue_delete_message(db, "q", seglog_queue_messages_get(second, 0)->receipt));
  empty = receive(db, "q", SEGLOG_QUEUE_MAX_BATCH, 30);
  CHECK(seglog_queue_messages_count(empty) == 0);
  CHECK_OK(seglog_queue_purge(db, "q"));
  CHECK_OK(seglog_queue_delete(db, "q"));
  CHECK_RC(seglog_queue_delete_message(db, "q", receipts[1]), SEGLOG_ENOTFOUND);
  create_queue(db, "q", SEGLOG_QUEUE_STANDARD); /* a new queue of the same name */
  send_text(db, "q", "XXXXXXXXX", NULL, NULL, NULL);
  CHECK_RC(seglog_queue_delete_message(db, "q", receipts[1]), SEGLOG_EINVAL);
  seglog_close(db);
  for (i = 0; i < SEGLOG_QUEUE_MAX_BATCH; ++i) {
    const seglog_queue_message* a = seglog_queue_messages_get(first, i);
    const seglog_queue_message* b = seglog_queue_messages_get(second, i);
    CHECK(a->body == body_ptrs[i] && a->receipt == receipt_ptrs[i]);
    CHECK(bytes_equal(a->body, a->body_len, bodies[i]));
    CHECK(bytes_equal(b->body, b->body_len, bodies[i]));
    CHECK(strcmp(a->receipt, receipts[i]) == 0 && a->receive_count == 1);
    CHECK(a->n_attrs == 1 && strcmp(a->attrs[0].name, "n") == 0);
    CHECK(a->attrs[0].type == SEGLOG_ATTR_NUMBER && bytes_equal(a->attrs[0].value,
                                                                a->attrs[0].value_len,
                                                                bodies[i] + 8));
    CHECK(b->n_attrs == 1 && bytes_equal(b->attrs[0].value, b->attrs[0].value_len,
                                         bodies[i] + 8));
  }
  seglog_queue_messages_free(empty);
  seglog_queue_messages_free(second);
  seglog_queue_messages_free(first);
}

/* FIFO: order within a group, one message of a group in flight at a time, deduplication. */
static void test_queue_fifo(void) {
  seglog* db;
  seglog_queue_config cfg;
  seglog_queue_messages* batch;
  const seglog_queue_message* m;
  seglog_queue_statistics st;
  seglog_queue_send_entry e;
  char r_a1[128], r_b1[128], r[128];
  uint64_t id_a1 = 0, id_a2 = 0, id_a3 = 0, id_b1 = 0, id_b2 = 0, id = 0;
  int dup = 5;
  size_t i;
  g_phase = "queue-fifo";
  db = open_store("queue-fifo");
  create_queue(db, "o.fifo", SEGLOG_QUEUE_FIFO);
  send_text(db, "o.fifo", "a1", "group-a", "d-a1", &id_a1);
  send_text(db, "o.fifo", "b1", "group-b", "d-b1", &id_b1);
  send_text(db, "o.fifo", "a2", "group-a", "d-a2", &id_a2);
  send_text(db, "o.fifo", "b2", "group-b", "d-b2", &id_b2);
  send_text(db, "o.fifo", "a3", "group-a", "d-a3", &id_a3);
  CHECK(id_a1 < id_b1 && id_b1 < id_a2 && id_a2 < id_b2 && id_b2 < id_a3);
  queue_stats(db, "o.fifo", &st);
  CHECK(st.visible == 5 && st.groups == 2);

  /* A repeated dedup id within 5 minutes: accepted, not enqueued, the first one's id. */
  seglog_queue_send_entry_init(&e, "a2 again", 8);
  e.group_id = "group-a";
  e.dedup_id = "d-a2";
  CHECK_OK(seglog_queue_send(db, "o.fifo", &e, &id, &dup));
  CHECK(id == id_a2 && dup == 1);
  queue_stats(db, "o.fifo", &st);
  CHECK(st.visible == 5);

  /* One at a time: each group's head, then nothing while both groups have one in flight. */
  CHECK(receive_one(db, "o.fifo", 30, r_a1, sizeof r_a1, "a1") == id_a1);
  CHECK(receive_one(db, "o.fifo", 30, r_b1, sizeof r_b1, "b1") == id_b1);
  batch = receive(db, "o.fifo", SEGLOG_QUEUE_MAX_BATCH, 30);
  CHECK(seglog_queue_messages_count(batch) == 0);
  seglog_queue_messages_free(batch);
  /* Deleting a1 releases group a: a2 next, not a3. */
  CHECK_OK(seglog_queue_delete_message(db, "o.fifo", r_a1));
  batch = receive(db, "o.fifo", 1, 30);
  m = seglog_queue_messages_get(batch, 0);
  CHECK(m != NULL && m->id == id_a2 && bytes_equal(m->body, m->body_len, "a2"));
  CHECK(strcmp(m->group_id, "group-a") == 0 && strcmp(m->dedup_id, "d-a2") == 0);
  strcpy(r, m->receipt);
  seglog_queue_messages_free(batch);
  /* b1 made visible again: group b starts over at b1, receive count 2. */
  CHECK_OK(seglog_queue_change_visibility(db, "o.fifo", r_b1, 0));
  batch = receive(db, "o.fifo", SEGLOG_QUEUE_MAX_BATCH, 30);
  CHECK(seglog_queue_messages_count(batch) == 2);
  m = seglog_queue_messages_get(batch, 0);
  CHECK(m->id == id_b1 && m->receive_count == 2 && strcmp(m->group_id, "group-b") == 0);
  m = seglog_queue_messages_get(batch, 1);
  CHECK(m->id == id_b2 && m->receive_count == 1);
  for (i = 0; i < 2; ++i) {
    CHECK_OK(seglog_queue_delete_message(db, "o.fifo",
                                         seglog_queue_messages_get(batch, i)->receipt));
  }
  seglog_queue_messages_free(batch);
  CHECK_OK(seglog_queue_delete_message(db, "o.fifo", r));
  CHECK(receive_one(db, "o.fifo", 30, r, sizeof r, "a3") == id_a3);
  CHECK_OK(seglog_queue_delete_message(db, "o.fifo", r));
  queue_stats(db, "o.fifo", &st);
  CHECK(st.visible == 0 && st.in_flight == 0 && st.groups == 0);

  /* Within one batch, a repeated dedup id is a duplicate of the first entry. */
  {
    seglog_queue_send_entry two[2];
    seglog_queue_send_result res[2];
    seglog_queue_send_entry_init(&two[0], "x", 1);
    two[0].group_id = "group-c";
    two[0].dedup_id = "same";
    two[1] = two[0];
    CHECK_OK(seglog_queue_send_batch(db, "o.fifo", two, 2, res));
    CHECK(res[0].duplicate == 0 && res[1].duplicate == 1 && res[1].id == res[0].id);
    CHECK(receive_one(db, "o.fifo", 30, r, sizeof r, "x") == res[0].id);
    CHECK_OK(seglog_queue_delete_message(db, "o.fifo", r));
  }

  /* Content-based deduplication: the same body, no dedup id, is a duplicate. */
  seglog_queue_config_init(&cfg);
  cfg.type = SEGLOG_QUEUE_FIFO;
  cfg.content_based_dedup = 1;
  CHECK_OK(seglog_queue_create(db, "c.fifo", &cfg));
  send_text(db, "c.fifo", "same body", "g", NULL, &id);
  seglog_queue_send_entry_init(&e, "same body", 9);
  e.group_id = "g";
  dup = 5;
  CHECK_OK(seglog_queue_send(db, "c.fifo", &e, &id_a1, &dup));
  CHECK(id_a1 == id && dup == 1);
  batch = receive(db, "c.fifo", SEGLOG_QUEUE_MAX_BATCH, 30);
  CHECK(seglog_queue_messages_count(batch) == 1);
  m = seglog_queue_messages_get(batch, 0);
  CHECK(strlen(m->dedup_id) > 0 && strcmp(m->group_id, "g") == 0);
  seglog_queue_messages_free(batch);
  seglog_close(db);
}

/* Dead-letter queues: the move after max_receive_count receives, and redrive back. */
static void test_queue_dead_letters(void) {
  seglog* db;
  seglog_queue_config cfg;
  seglog_queue_messages* batch;
  const seglog_queue_message* m;
  seglog_queue_statistics st, dl0;
  char r[128];
  uint64_t id = 0;
  int64_t sent_ms;
  size_t moved = 777;
  g_phase = "queue-dlq";
  db = open_store("queue-dlq");
  create_queue(db, "dlq", SEGLOG_QUEUE_STANDARD);
  create_queue(db, "elsewhere", SEGLOG_QUEUE_STANDARD);
  seglog_queue_config_init(&cfg);
  cfg.dead_letter_queue = "dlq";
  cfg.max_receive_count = 2;
  CHECK_OK(seglog_queue_create(db, "work", &cfg));
  send_text(db, "work", "poison", NULL, NULL, &id);

  /* Received twice, never deleted (visibility 0: visible again at once). */
  batch = receive(db, "work", 1, 0);
  m = seglog_queue_messages_get(batch, 0);
  CHECK(m != NULL && m->receive_count == 1);
  sent_ms = m->sent_ms;
  seglog_queue_messages_free(batch);
  batch = receive(db, "work", 1, 0);
  m = seglog_queue_messages_get(batch, 0);
  CHECK(m != NULL && m->receive_count == 2);
  seglog_queue_messages_free(batch);
  /* The third receive moves it to the dead-letter queue instead. */
  batch = receive(db, "work", 1, 0);
  CHECK(seglog_queue_messages_count(batch) == 0);
  seglog_queue_messages_free(batch);
  queue_stats(db, "work", &st);
  CHECK(st.visible == 0 && st.in_flight == 0);
  queue_stats(db, "dlq", &st);
  CHECK(st.visible == 1);
  batch = receive(db, "dlq", 1, 0);
  m = seglog_queue_messages_get(batch, 0);
  CHECK(m != NULL && bytes_equal(m->body, m->body_len, "poison") && m->sent_ms >= sent_ms);
  /* a redrive gives a new enqueue time (SPEC.md 16.14) */
  seglog_queue_messages_free(batch);

  /* Redrive errors change nothing. */
  queue_stats(db, "dlq", &dl0);
  CHECK_ERR(seglog_queue_redrive(NULL, "dlq", NULL, 0, &moved), SEGLOG_EINVAL,
            "seglog_queue_redrive", "db is NULL");
  CHECK_ERR(seglog_queue_redrive(db, NULL, NULL, 0, &moved), SEGLOG_EINVAL,
            "seglog_queue_redrive", "dead-letter queue is NULL");
  CHECK_ERR(seglog_queue_redrive(db, "a/b", NULL, 0, &moved), SEGLOG_EINVAL,
            "seglog_queue_redrive", "dead-letter queue name");
  CHECK_ERR(seglog_queue_redrive(db, "dlq", "a/b", 0, &moved), SEGLOG_EINVAL,
            "seglog_queue_redrive", "target queue name");
  CHECK_ERR(seglog_queue_redrive(db, "no-such", NULL, 0, &moved), SEGLOG_ENOTFOUND,
            "seglog_queue_redrive", "no-such");
  CHECK_ERR(seglog_queue_redrive(db, "dlq", "no-such", 0, &moved), SEGLOG_ENOTFOUND,
            "seglog_queue_redrive", "no-such");
  create_queue(db, "other.fifo", SEGLOG_QUEUE_FIFO);
  CHECK_ERR(seglog_queue_redrive(db, "dlq", "other.fifo", 0, &moved), SEGLOG_EINVAL,
            "seglog_queue_redrive", "other type");
  CHECK_ERR(seglog_queue_redrive(db, "dlq", "dlq", 0, &moved), SEGLOG_EINVAL,
            "seglog_queue_redrive", "itself");
  CHECK(moved == 777);
  CHECK_QUEUE_UNCHANGED(db, "dlq", &dl0);

  /* Back to its source ("" as NULL). */
  CHECK_OK(seglog_queue_redrive(db, "dlq", "", 0, &moved));
  CHECK(moved == 1);
  queue_stats(db, "dlq", &st);
  CHECK(st.visible == 0);
  batch = receive(db, "work", 1, 30);
  m = seglog_queue_messages_get(batch, 0);
  CHECK(m != NULL && bytes_equal(m->body, m->body_len, "poison") && m->sent_ms >= sent_ms);
  /* a redrive gives a new enqueue time (SPEC.md 16.14) */
  CHECK(m->id != id); /* a new message of "work" */
  strcpy(r, m->receipt);
  seglog_queue_messages_free(batch);
  CHECK_OK(seglog_queue_delete_message(db, "work", r));

  /* To an explicit target, at most `max` at a time; moved may be NULL. */
  send_text(db, "dlq", "one", NULL, NULL, NULL);
  send_text(db, "dlq", "two", NULL, NULL, NULL);
  CHECK_OK(seglog_queue_redrive(db, "dlq", "elsewhere", 1, &moved));
  CHECK(moved == 1);
  CHECK_OK(seglog_queue_redrive(db, "dlq", "elsewhere", 0, NULL));
  queue_stats(db, "elsewhere", &st);
  CHECK(st.visible == 2);
  queue_stats(db, "dlq", &st);
  CHECK(st.visible == 0);
  seglog_close(db);
}

/* A reopen keeps the undeleted messages (all visible again) and their receive counts, and
 * forgets the deleted ones. Read-only stores refuse writes. */
static void test_queue_reopen(void) {
  char dir[512], r[128], r_std[128];
  seglog* db;
  seglog_options opt;
  seglog_queue_messages* batch;
  seglog_queue_statistics st;
  seglog_queue_send_entry e;
  seglog_queue_send_result res;
  size_t i, n;
  int rc;
  g_phase = "queue-reopen";
  path_in_parent(dir, sizeof dir, "queue-reopen");
  db = open_store("queue-reopen");
  create_queue(db, "r", SEGLOG_QUEUE_STANDARD);
  create_queue(db, "r.fifo", SEGLOG_QUEUE_FIFO);
  for (i = 0; i < 5; ++i) {
    char text[16], dedup[16];
    snprintf(text, sizeof text, "m%u", (unsigned)i);
    snprintf(dedup, sizeof dedup, "d%u", (unsigned)i);
    send_text(db, "r", text, NULL, NULL, NULL);
    send_text(db, "r.fifo", text, "g", dedup, NULL);
  }
  /* m0 deleted; m1 received and left in flight for an hour. */
  CHECK(receive_one(db, "r", 3600, r, sizeof r, "m0") == 0);
  CHECK_OK(seglog_queue_delete_message(db, "r", r));
  CHECK(receive_one(db, "r", 3600, r_std, sizeof r_std, "m1") == 1);
  CHECK(receive_one(db, "r.fifo", 3600, r, sizeof r, "m0") == 0);
  CHECK_OK(seglog_queue_delete_message(db, "r.fifo", r));
  CHECK(receive_one(db, "r.fifo", 3600, r, sizeof r, "m1") == 1);
  queue_stats(db, "r", &st);
  CHECK(st.visible == 3 && st.in_flight == 1);
  seglog_close(db);

  db = open_store("queue-reopen");
  /* In-flight state is durable (0.3.0): m1 stays hidden for its hour, and its receipt still
     works: a visibility change to 0 shows it again. */
  queue_stats(db, "r", &st);
  CHECK(st.visible == 3 && st.in_flight == 1);
  batch = receive(db, "r.fifo", SEGLOG_QUEUE_MAX_BATCH, 30);
  CHECK(seglog_queue_messages_count(batch) == 0); /* group g held by m1 */
  seglog_queue_messages_free(batch);
  CHECK_OK(seglog_queue_change_visibility(db, "r", r_std, 0));
  CHECK_OK(seglog_queue_change_visibility(db, "r.fifo", r, 0));
  batch = receive(db, "r", SEGLOG_QUEUE_MAX_BATCH, 30);
  n = seglog_queue_messages_count(batch);
  CHECK(n == 4);
  for (i = 0; i < n; ++i) {
    const seglog_queue_message* m = seglog_queue_messages_get(batch, i);
    char text[16];
    snprintf(text, sizeof text, "m%u", (unsigned)(i + 1));
    CHECK(m->id == i + 1 && bytes_equal(m->body, m->body_len, text));
    CHECK(m->receive_count == (i == 0 ? 2u : 1u)); /* m1's first receive was journaled */
  }
  seglog_queue_messages_free(batch);
  /* FIFO: the group starts again at m1; a dedup id within 5 minutes is still a duplicate. */
  batch = receive(db, "r.fifo", SEGLOG_QUEUE_MAX_BATCH, 30);
  n = seglog_queue_messages_count(batch);
  CHECK(n == 4);
  for (i = 0; i < n; ++i) {
    const seglog_queue_message* m = seglog_queue_messages_get(batch, i);
    CHECK(m->id == i + 1 && m->receive_count == (i == 0 ? 2u : 1u));
  }
  seglog_queue_messages_free(batch);
  seglog_queue_send_entry_init(&e, "m4", 2);
  e.group_id = "g";
  e.dedup_id = "d4";
  CHECK_OK(seglog_queue_send_batch(db, "r.fifo", &e, 1, &res));
  CHECK(res.id == 4 && res.duplicate == 1);
  seglog_close(db);

  /* Read-only: reads work, writes are refused. */
  seglog_options_init(&opt);
  opt.read_only = 1;
  CHECK_OK(seglog_open(dir, &opt, &db));
  queue_stats(db, "r", &st);
  CHECK(st.visible == 0 && st.in_flight == 4); /* received for 30 s just before */
  CHECK_RC(seglog_queue_create(db, "new", NULL), SEGLOG_EREADONLY);
  seglog_queue_send_entry_init(&e, "x", 1);
  CHECK_RC(seglog_queue_send(db, "r", &e, NULL, NULL), SEGLOG_EREADONLY);
  CHECK_RC(seglog_queue_purge(db, "r"), SEGLOG_EREADONLY);
  CHECK_RC(seglog_queue_delete(db, "r"), SEGLOG_EREADONLY);
  rc = seglog_queue_receive(db, "r", NULL, &batch);
  CHECK(rc == SEGLOG_EREADONLY && batch == NULL);
  CHECK_QUEUE_UNCHANGED(db, "r", &st);
  seglog_close(db);
}

/* Long polling: an empty receive waits wait_s seconds, then returns an empty batch. */
static void test_queue_long_poll(void) {
  seglog* db;
  seglog_queue_receive_options ro;
  seglog_queue_messages* batch = NULL;
  struct timespec t0, t1;
  double elapsed;
  g_phase = "queue-wait";
  db = open_store("queue-wait");
  create_queue(db, "w", SEGLOG_QUEUE_STANDARD);
  seglog_queue_receive_options_init(&ro);
  ro.wait_s = 1;
  CHECK(clock_gettime(CLOCK_MONOTONIC, &t0) == 0);
  CHECK_OK(seglog_queue_receive(db, "w", &ro, &batch));
  CHECK(clock_gettime(CLOCK_MONOTONIC, &t1) == 0);
  elapsed = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  CHECK(seglog_queue_messages_count(batch) == 0 && elapsed >= 0.9 && elapsed < 10);
  seglog_queue_messages_free(batch);
  /* A message already there is returned at once. */
  send_text(db, "w", "here", NULL, NULL, NULL);
  ro.wait_s = SEGLOG_QUEUE_MAX_WAIT_S;
  CHECK(clock_gettime(CLOCK_MONOTONIC, &t0) == 0);
  CHECK_OK(seglog_queue_receive(db, "w", &ro, &batch));
  CHECK(clock_gettime(CLOCK_MONOTONIC, &t1) == 0);
  elapsed = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  CHECK(seglog_queue_messages_count(batch) == 1 && elapsed < 5);
  seglog_queue_messages_free(batch);
  seglog_close(db);
}

/* 0.2.0's queue attributes: the new config and info fields, create as SQS (idempotent),
 * seglog_queue_set_attributes (live, durable, bad input changes nothing) and
 * seglog_queue_list_v2's pages. */
static void list_page(seglog* db, const char* prefix, uint32_t max, const char* token,
                      seglog_name* names, size_t* n, char* next) {
  CHECK_OK(seglog_queue_list_v2(db, prefix, max, token, names, max, n, next,
                                SEGLOG_QUEUE_LIST_TOKEN_MAX));
}

static void test_queue_attributes(void) {
  seglog* db;
  seglog_queue_config cfg;
  seglog_queue_info info, before;
  seglog_name names[10];
  char token[SEGLOG_QUEUE_LIST_TOKEN_MAX], name[16];
  size_t n = 0, i;
  uint64_t id;
  struct {
    seglog_queue_info i;
    char sentinel[16];
  } old_info;
  g_phase = "queue-attributes";
  db = open_store("queue-attrs");

  seglog_queue_config_init(&cfg);
  CHECK(cfg.dedup_scope == SEGLOG_DEDUP_SCOPE_QUEUE && cfg.limits == SEGLOG_LIMITS_RELAXED);
  CHECK(cfg.fifo_throughput_limit == SEGLOG_FIFO_THROUGHPUT_PER_QUEUE);

  /* Create: the same settings again is the same queue; other settings are EEXIST. */
  cfg.visibility_timeout_s = 45;
  CHECK_OK(seglog_queue_create(db, "a", &cfg));
  CHECK_OK(seglog_queue_create(db, "a", &cfg));
  cfg.visibility_timeout_s = 46;
  CHECK_ERR(seglog_queue_create(db, "a", &cfg), SEGLOG_EEXIST, "seglog_queue_create",
            "visibility_timeout_s 45, not 46");
  cfg.visibility_timeout_s = 45;
  cfg.durability = SEGLOG_DURABILITY_ALWAYS; /* the store's default, which "a" took */
  CHECK_OK(seglog_queue_create(db, "a", &cfg));
  cfg.durability = SEGLOG_DURABILITY_NONE;
  CHECK_ERR(seglog_queue_create(db, "a", &cfg), SEGLOG_EEXIST, "seglog_queue_create",
            "durability");
  /* A 0.1 program's config (no 0.2.0 fields) is still accepted, and compares the same. */
  seglog_queue_config_init(&cfg);
  cfg.visibility_timeout_s = 45;
  cfg.struct_size = offsetof(seglog_queue_config, dedup_scope);
  cfg.dedup_scope = 99; /* past its struct_size: never read */
  CHECK_OK(seglog_queue_create(db, "a", &cfg));

  /* The new fields, at creation and in describe. */
  seglog_queue_config_init(&cfg);
  cfg.type = SEGLOG_QUEUE_FIFO;
  cfg.dedup_scope = SEGLOG_DEDUP_SCOPE_MESSAGE_GROUP;
  cfg.fifo_throughput_limit = SEGLOG_FIFO_THROUGHPUT_PER_MESSAGE_GROUP_ID;
  CHECK_OK(seglog_queue_create(db, "f.fifo", &cfg));
  seglog_queue_info_init(&info);
  CHECK_OK(seglog_queue_describe(db, "f.fifo", &info));
  CHECK(info.dedup_scope == SEGLOG_DEDUP_SCOPE_MESSAGE_GROUP);
  CHECK(info.fifo_throughput_limit == SEGLOG_FIFO_THROUGHPUT_PER_MESSAGE_GROUP_ID);
  CHECK(info.limits == SEGLOG_LIMITS_RELAXED);
  CHECK(info.created_ms > 0 && info.last_modified_ms == info.created_ms);
  cfg.dedup_scope = SEGLOG_DEDUP_SCOPE_QUEUE;
  CHECK_ERR(seglog_queue_create(db, "g.fifo", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "messageGroup");
  cfg.dedup_scope = 7;
  CHECK_ERR(seglog_queue_create(db, "g.fifo", &cfg), SEGLOG_EINVAL, "seglog_queue_create",
            "dedup_scope");
  seglog_queue_config_init(&cfg);
  cfg.fifo_throughput_limit = SEGLOG_FIFO_THROUGHPUT_PER_MESSAGE_GROUP_ID;
  cfg.dedup_scope = SEGLOG_DEDUP_SCOPE_MESSAGE_GROUP;
  CHECK_ERR(seglog_queue_create(db, "s", &cfg), SEGLOG_EINVAL, "seglog_queue_create", "FIFO");
  seglog_queue_config_init(&cfg);
  cfg.limits = 2;
  CHECK_ERR(seglog_queue_create(db, "s", &cfg), SEGLOG_EINVAL, "seglog_queue_create", "limits");
  /* An old info struct gets the old fields only. */
  memset(&old_info, 0x5a, sizeof old_info);
  old_info.i.struct_size = offsetof(seglog_queue_info, created_ms);
  CHECK_OK(seglog_queue_describe(db, "a", &old_info.i));
  CHECK(old_info.i.visibility_timeout_s == 45);
  CHECK(((const unsigned char*)&old_info)[offsetof(seglog_queue_info, created_ms)] == 0x5a);

  /* Set attributes: bad input changes nothing. */
  seglog_queue_info_init(&before);
  CHECK_OK(seglog_queue_describe(db, "a", &before));
  seglog_queue_config_init(&cfg);
  cfg.visibility_timeout_s = 60;
  CHECK_ERR(seglog_queue_set_attributes(NULL, "a", &cfg, SEGLOG_QUEUE_FIELD_DELAY),
            SEGLOG_EINVAL, "seglog_queue_set_attributes", "db");
  CHECK_ERR(seglog_queue_set_attributes(db, "a", NULL, SEGLOG_QUEUE_FIELD_DELAY), SEGLOG_EINVAL,
            "seglog_queue_set_attributes", "cfg is NULL");
  CHECK_ERR(seglog_queue_set_attributes(db, "a", &cfg, 0), SEGLOG_EINVAL,
            "seglog_queue_set_attributes", "SEGLOG_QUEUE_FIELD_");
  CHECK_ERR(seglog_queue_set_attributes(db, "a", &cfg, 1u << 20), SEGLOG_EINVAL,
            "seglog_queue_set_attributes", "SEGLOG_QUEUE_FIELD_");
  CHECK_ERR(seglog_queue_set_attributes(db, "no-such", &cfg, SEGLOG_QUEUE_FIELD_DELAY),
            SEGLOG_ENOTFOUND, "seglog_queue_set_attributes", "no-such");
  cfg.type = SEGLOG_QUEUE_FIFO;
  CHECK_ERR(seglog_queue_set_attributes(db, "a", &cfg, SEGLOG_QUEUE_FIELD_TYPE), SEGLOG_EINVAL,
            "seglog_queue_set_attributes", "type cannot be changed");
  seglog_queue_config_init(&cfg);
  cfg.limits = SEGLOG_LIMITS_AWS;
  CHECK_ERR(seglog_queue_set_attributes(db, "a", &cfg, SEGLOG_QUEUE_FIELD_LIMITS),
            SEGLOG_EINVAL, "seglog_queue_set_attributes", "limits cannot be changed");
  seglog_queue_config_init(&cfg);
  cfg.delay_s = 5;
  cfg.visibility_timeout_s = SEGLOG_QUEUE_MAX_VISIBILITY_S + 1;
  CHECK_ERR(seglog_queue_set_attributes(db, "a", &cfg,
                                        SEGLOG_QUEUE_FIELD_DELAY |
                                            SEGLOG_QUEUE_FIELD_VISIBILITY_TIMEOUT),
            SEGLOG_EINVAL, "seglog_queue_set_attributes", "visibility_timeout_s");
  cfg.visibility_timeout_s = 30;
  cfg.dead_letter_queue = "f.fifo";
  cfg.max_receive_count = 2;
  CHECK_ERR(seglog_queue_set_attributes(db, "a", &cfg, SEGLOG_QUEUE_FIELD_REDRIVE_POLICY),
            SEGLOG_EINVAL, "seglog_queue_set_attributes", "FIFO");
  seglog_queue_info_init(&info);
  CHECK_OK(seglog_queue_describe(db, "a", &info));
  CHECK(memcmp(&info, &before, sizeof info) == 0);

  /* Set attributes, live: a delay for later sends; the counts in describe. */
  seglog_queue_config_init(&cfg);
  cfg.delay_s = 600;
  cfg.receive_wait_s = 2;
  CHECK_OK(seglog_queue_set_attributes(db, "a", &cfg,
                                       SEGLOG_QUEUE_FIELD_DELAY | SEGLOG_QUEUE_FIELD_RECEIVE_WAIT));
  {
    seglog_queue_send_entry e;
    seglog_queue_send_entry_init(&e, "m", 1);
    CHECK_OK(seglog_queue_send(db, "a", &e, &id, NULL));
    e.delay_s = 0;
    CHECK_OK(seglog_queue_send(db, "a", &e, &id, NULL));
  }
  seglog_queue_info_init(&info);
  CHECK_OK(seglog_queue_describe(db, "a", &info));
  CHECK(info.delay_s == 600 && info.receive_wait_s == 2 && info.visibility_timeout_s == 45);
  CHECK(info.delayed == 1 && info.visible == 1 && info.in_flight == 0);
  CHECK(info.created_ms == before.created_ms && info.last_modified_ms >= before.created_ms);
  /* The fixed fields are accepted unchanged: a whole describe can be set back. */
  seglog_queue_config_init(&cfg);
  cfg.delay_s = 0;
  cfg.visibility_timeout_s = 45;
  CHECK_OK(seglog_queue_set_attributes(db, "a", &cfg,
                                       SEGLOG_QUEUE_FIELD_TYPE | SEGLOG_QUEUE_FIELD_LIMITS |
                                           SEGLOG_QUEUE_FIELD_DELAY |
                                           SEGLOG_QUEUE_FIELD_DURABILITY));

  /* List pages: 25 queues, 10 a page, creates and deletes between pages. */
  for (i = 0; i < 25; ++i) {
    snprintf(name, sizeof name, "p%02u", (unsigned)i);
    CHECK_OK(seglog_queue_create(db, name, NULL));
  }
  list_page(db, "p", 10, NULL, names, &n, token);
  CHECK(n == 10 && strcmp(names[0].name, "p00") == 0 && strcmp(names[9].name, "p09") == 0);
  CHECK(token[0] != '\0');
  CHECK_OK(seglog_queue_delete(db, "p12"));
  CHECK_OK(seglog_queue_create(db, "p01x", NULL)); /* behind the page: not listed */
  list_page(db, "p", 10, token, names, &n, token);
  CHECK(n == 10 && strcmp(names[0].name, "p10") == 0 && strcmp(names[2].name, "p13") == 0);
  CHECK(strcmp(names[9].name, "p20") == 0 && token[0] != '\0');
  list_page(db, "p", 10, token, names, &n, token);
  CHECK(n == 4 && strcmp(names[3].name, "p24") == 0 && token[0] == '\0');
  list_page(db, "", 2, "", names, &n, token);
  CHECK(n == 2 && strcmp(names[0].name, "a") == 0 && strcmp(names[1].name, "f.fifo") == 0);
  CHECK(token[0] != '\0');
  n = 99;
  CHECK_ERR(seglog_queue_list_v2(db, "p", 10, "bogus", names, 10, &n, token, sizeof token),
            SEGLOG_EINVAL, "seglog_queue_list_v2", "next token");
  CHECK_ERR(seglog_queue_list_v2(db, "p", 11, NULL, names, 10, &n, token, sizeof token),
            SEGLOG_EINVAL, "seglog_queue_list_v2", "cap");
  CHECK_ERR(seglog_queue_list_v2(db, "p", 0, NULL, names, 10, &n, token, sizeof token),
            SEGLOG_EINVAL, "seglog_queue_list_v2", "max_results");
  CHECK_ERR(seglog_queue_list_v2(db, "p", 1, NULL, names, 10, &n, token, 8), SEGLOG_EINVAL,
            "seglog_queue_list_v2", "SEGLOG_QUEUE_LIST_TOKEN_MAX");
  CHECK_ERR(seglog_queue_list_v2(db, "p*", 1, NULL, names, 10, &n, token, sizeof token),
            SEGLOG_EINVAL, "seglog_queue_list_v2", "prefix");
  CHECK(n == 99);

  /* Durable: the changes survive a reopen. */
  seglog_close(db);
  db = open_store("queue-attrs");
  seglog_queue_info_init(&info);
  CHECK_OK(seglog_queue_describe(db, "a", &info));
  CHECK(info.delay_s == 0 && info.receive_wait_s == 2 && info.visibility_timeout_s == 45);
  CHECK(info.created_ms == before.created_ms);
  CHECK_OK(seglog_queue_describe(db, "f.fifo", &info));
  CHECK(info.fifo_throughput_limit == SEGLOG_FIFO_THROUGHPUT_PER_MESSAGE_GROUP_ID);
  seglog_close(db);
}

/* 0.2.0 batches, entry by entry: seglog_queue_delete_message_batch_v2 and
 * seglog_queue_change_visibility_batch (batch-level errors change nothing and leave results
 * untouched; entries fail one by one with SQS's codes), and seglog_stream_put_batch_v2.
 * They reuse the stores of test_queue_roundtrip and test_puts (new queue and stream names). */
static int results_untouched(const seglog_batch_entry_result* r, size_t n) {
  const unsigned char* p = (const unsigned char*)r;
  size_t i;
  for (i = 0; i < n * sizeof *r; ++i) {
    if (p[i] != 0xab) return 0;
  }
  return 1;
}

static void test_queue_batches_v2(void) {
  seglog* db;
  seglog_queue_messages* batch;
  seglog_queue_statistics st, st0;
  seglog_batch_entry_result res[SEGLOG_QUEUE_MAX_BATCH + 1];
  const char* ids[SEGLOG_QUEUE_MAX_BATCH + 1] = {"a", "b", "c", "d", "e", "f", "g", "h", "i",
                                                 "j", "k"};
  const char* receipts[SEGLOG_QUEUE_MAX_BATCH + 1];
  uint32_t timeouts[SEGLOG_QUEUE_MAX_BATCH + 1];
  char stale[128];
  size_t i;
  g_phase = "queue-batches-v2";
  db = open_store("queue-roundtrip");
  create_queue(db, "b2", SEGLOG_QUEUE_STANDARD);
  send_text(db, "b2", "m0", NULL, NULL, NULL);
  (void)receive_one(db, "b2", 0, stale, sizeof stale, "m0"); /* visible again at once */
  send_text(db, "b2", "m1", NULL, NULL, NULL);
  send_text(db, "b2", "m2", NULL, NULL, NULL);
  send_text(db, "b2", "m3", NULL, NULL, NULL);
  batch = receive(db, "b2", SEGLOG_QUEUE_MAX_BATCH, 30); /* m0 (again), m1, m2, m3 */
  CHECK(seglog_queue_messages_count(batch) == 4);
  for (i = 0; i < SEGLOG_QUEUE_MAX_BATCH + 1; ++i) {
    receipts[i] = seglog_queue_messages_get(batch, i % 4)->receipt;
    timeouts[i] = 0;
  }
  memset(res, 0xab, sizeof res);
  queue_stats(db, "b2", &st0);

  /* Batch-level errors: nothing attempted, results untouched. */
  CHECK_ERR(seglog_queue_delete_message_batch_v2(NULL, "b2", ids, receipts, 2, res),
            SEGLOG_EINVAL, "seglog_queue_delete_message_batch_v2", "db is NULL");
  CHECK_ERR(seglog_queue_delete_message_batch_v2(db, "b2", NULL, receipts, 2, res),
            SEGLOG_EINVAL, "seglog_queue_delete_message_batch_v2", "ids is NULL");
  CHECK_ERR(seglog_queue_delete_message_batch_v2(db, "b2", ids, receipts, 2, NULL),
            SEGLOG_EINVAL, "seglog_queue_delete_message_batch_v2", "results is NULL");
  CHECK_ERR(seglog_queue_delete_message_batch_v2(db, "b2", ids, receipts, 0, res),
            SEGLOG_EINVAL, "seglog_queue_delete_message_batch_v2", "EmptyBatchRequest");
  CHECK_ERR(seglog_queue_delete_message_batch_v2(db, "b2", ids, receipts, 11, res),
            SEGLOG_EINVAL, "seglog_queue_delete_message_batch_v2",
            "TooManyEntriesInBatchRequest");
  ids[1] = "a";
  CHECK_ERR(seglog_queue_delete_message_batch_v2(db, "b2", ids, receipts, 2, res),
            SEGLOG_EINVAL, "seglog_queue_delete_message_batch_v2", "BatchEntryIdsNotDistinct");
  CHECK_ERR(seglog_queue_change_visibility_batch(db, "b2", ids, receipts, timeouts, 2, res),
            SEGLOG_EINVAL, "seglog_queue_change_visibility_batch", "BatchEntryIdsNotDistinct");
  ids[1] = "no spaces";
  CHECK_ERR(seglog_queue_delete_message_batch_v2(db, "b2", ids, receipts, 2, res),
            SEGLOG_EINVAL, "seglog_queue_delete_message_batch_v2", "InvalidBatchEntryId");
  ids[1] = "b";
  CHECK_ERR(seglog_queue_change_visibility_batch(db, "b2", ids, receipts, NULL, 2, res),
            SEGLOG_EINVAL, "seglog_queue_change_visibility_batch", "timeouts_s is NULL");
  receipts[1] = NULL;
  CHECK_ERR(seglog_queue_change_visibility_batch(db, "b2", ids, receipts, timeouts, 2, res),
            SEGLOG_EINVAL, "seglog_queue_change_visibility_batch", "receipt 1 is NULL");
  CHECK_ERR(seglog_queue_delete_message_batch_v2(db, "nope", ids, receipts, 1, res),
            SEGLOG_ENOTFOUND, "seglog_queue_delete_message_batch_v2", "nope");
  CHECK(results_untouched(res, SEGLOG_QUEUE_MAX_BATCH + 1));
  CHECK_QUEUE_UNCHANGED(db, "b2", &st0);

  /* Visibility, entry by entry: m1 visible at once, a bad timeout on m2, a malformed receipt. */
  receipts[0] = seglog_queue_messages_get(batch, 1)->receipt;
  receipts[1] = seglog_queue_messages_get(batch, 2)->receipt;
  receipts[2] = "garbage";
  timeouts[1] = SEGLOG_QUEUE_MAX_VISIBILITY_S + 1;
  CHECK_OK(seglog_queue_change_visibility_batch(db, "b2", ids, receipts, timeouts, 3, res));
  CHECK(res[0].code == SEGLOG_OK && res[0].sender_fault == 0 && res[0].error_code[0] == '\0' &&
        res[0].message[0] == '\0');
  CHECK(res[1].code == SEGLOG_EINVAL && res[1].sender_fault == 1);
  CHECK(strcmp(res[1].error_code, "InvalidParameterValue") == 0 && strlen(res[1].message) > 0);
  CHECK(res[2].code == SEGLOG_EINVAL && strcmp(res[2].error_code, "ReceiptHandleIsInvalid") == 0);
  CHECK(results_untouched(res + 3, SEGLOG_QUEUE_MAX_BATCH + 1 - 3));
  queue_stats(db, "b2", &st);
  CHECK(st.visible == 1 && st.in_flight == 3);

  /* Deletes, entry by entry: m0 and m3 deleted, a stale receipt, a malformed one. */
  receipts[0] = stale; /* m0's first receipt: stale (m0's newest, entry 1, still deletes it) */
  receipts[1] = seglog_queue_messages_get(batch, 0)->receipt;
  receipts[2] = "garbage";
  receipts[3] = seglog_queue_messages_get(batch, 3)->receipt;
  CHECK_OK(seglog_queue_delete_message_batch_v2(db, "b2", ids, receipts, 4, res));
  CHECK(res[1].code == SEGLOG_OK && res[3].code == SEGLOG_OK);
  CHECK(res[0].code == SEGLOG_ESTALE && res[0].sender_fault == 1);
  CHECK(strcmp(res[0].error_code, "InvalidParameterValue") == 0);
  CHECK(res[2].code == SEGLOG_EINVAL && strcmp(res[2].error_code, "ReceiptHandleIsInvalid") == 0);
  queue_stats(db, "b2", &st);
  CHECK(st.visible == 1 && st.in_flight == 1);
  seglog_queue_messages_free(batch);
  CHECK_OK(seglog_queue_delete(db, "b2"));
  seglog_close(db);
}

static void test_put_batch_v2(void) {
  static const char* keys[] = {"0", "85070591730234615865843651857942052864",
                               "170141183460469231731687303715884105728",
                               "255211775190703847597530955573826158592"};
  seglog* db;
  seglog_put_entry es[8];
  seglog_put_result res[8];
  uint64_t before;
  size_t i, failed = 99;
  g_phase = "put-batch-v2";
  db = open_store("puts");
  create_stream(db, "p2", 4);
  for (i = 0; i < 8; ++i) {
    es[i].partition_key = "k";
    es[i].partition_key_len = 1;
    es[i].explicit_hash_key = keys[i % 4];
    es[i].data = "data";
    es[i].data_len = 4;
    es[i].shard = 77;
    es[i].seq = 77;
  }
  memset(res, 0xab, sizeof res);
  before = total_next_seq(db, "p2");
  es[5].partition_key_len = 0;
  CHECK_ERR(seglog_stream_put_batch_v2(db, "p2", es, 8, res, &failed), SEGLOG_EINVAL,
            "seglog_stream_put_batch_v2", "record 5");
  es[5].partition_key_len = 1;
  CHECK_ERR(seglog_stream_put_batch_v2(db, "p2", es, 8, NULL, &failed), SEGLOG_EINVAL,
            "seglog_stream_put_batch_v2", "results is NULL");
  CHECK_ERR(seglog_stream_put_batch_v2(db, "p2", NULL, 8, res, &failed), SEGLOG_EINVAL,
            "seglog_stream_put_batch_v2", "entries is NULL");
  CHECK_ERR(seglog_stream_put_batch_v2(db, "p2", es, 0, res, &failed), SEGLOG_EINVAL,
            "seglog_stream_put_batch_v2", "no records");
  CHECK_ERR(seglog_stream_put_batch_v2(db, "p2", es, SEGLOG_MAX_BATCH_RECORDS + 1, res,
                                       &failed),
            SEGLOG_EINVAL, "seglog_stream_put_batch_v2", "at most 500");
  CHECK(failed == 99 && total_next_seq(db, "p2") == before);
  for (i = 0; i < sizeof res; ++i) CHECK(((const unsigned char*)res)[i] == 0xab);

  CHECK_OK(seglog_stream_put_batch_v2(db, "p2", es, 8, res, &failed));
  CHECK(failed == 0 && total_next_seq(db, "p2") == before + 8);
  for (i = 0; i < 8; ++i) {
    CHECK(res[i].code == SEGLOG_OK && res[i].shard == i % 4 && res[i].seq == i / 4);
    CHECK(res[i].error_code[0] == '\0' && res[i].message[0] == '\0');
    CHECK(es[i].shard == 77 && es[i].seq == 77); /* entries are only read */
  }
  CHECK_OK(seglog_stream_put_batch_v2(db, "p2", es, 1, res, NULL)); /* failed may be NULL */
  CHECK(res[0].seq == 2);
  CHECK_OK(seglog_stream_delete(db, "p2"));
  seglog_close(db);
}

/* 0.2.0 message shapes from plain C: a send with a labelled attribute, a sender id and a trace
 * header; a per-entry batch with one bad entry; the v2 view of the received batch. */
static void test_queue_messages_v2(void) {
  seglog* db;
  seglog_queue_attr_v2 attr;
  seglog_queue_send_entry_v2 e, es[3];
  seglog_queue_send_result_v2 r, rs[3];
  seglog_batch_entry_result os[3];
  seglog_queue_messages* batch = NULL;
  seglog_queue_receive_options ro;
  const seglog_queue_message_v2* m;
  const char* ids[3] = {"first", "second", "third"};
  size_t i;
  g_phase = "queue-v2";
  db = open_store("queue-v2");
  create_queue(db, "v", SEGLOG_QUEUE_STANDARD);
  attr.name = "kind";
  attr.data_type = "String.json";
  attr.value = "{}";
  attr.value_len = 2;
  seglog_queue_send_entry_v2_init(&e, "hello", 5);
  e.attrs = &attr;
  e.n_attrs = 1;
  e.trace_header = "Root=1-5759e988-bd862e3fe1be46a994272793";
  e.sender_id = "AIDAEXAMPLE";
  CHECK_OK(seglog_queue_send_v2(db, "v", &e, &r));
  CHECK(strlen(r.message_id) == 36);
  CHECK(strcmp(r.md5_of_body, "5d41402abc4b2a76b9719d911017c592") == 0); /* MD5("hello") */
  CHECK(strlen(r.md5_of_attributes) == 32 && strlen(r.md5_of_system_attributes) == 32);
  CHECK(r.sequence_number[0] == '\0');
  attr.data_type = "Text"; /* not a DataType: refused, nothing sent */
  CHECK_RC(seglog_queue_send_v2(db, "v", &e, &r), SEGLOG_EINVAL);
  attr.data_type = "String.json";

  for (i = 0; i < 3; ++i) seglog_queue_send_entry_v2_init(&es[i], "b", 1);
  es[1].delay_s = 901; /* out of range: this entry only */
  CHECK_OK(seglog_queue_send_batch_v2(db, "v", ids, es, 3, rs, os));
  CHECK(os[0].code == SEGLOG_OK && os[2].code == SEGLOG_OK);
  CHECK(os[1].code == SEGLOG_EINVAL && os[1].sender_fault == 1);
  CHECK(strcmp(os[1].error_code, "InvalidParameterValue") == 0 && os[1].message[0] != '\0');
  CHECK(rs[0].id + 1 == rs[2].id);

  seglog_queue_receive_options_init(&ro);
  CHECK(ro.checksums == 0);
  ro.checksums = 2; /* 0 or 1 */
  CHECK_RC(seglog_queue_receive(db, "v", &ro, &batch), SEGLOG_EINVAL);
  ro.checksums = 1; /* the digests too, as SQS returns them */
  ro.max_messages = 10;
  ro.wait_s = 0;
  CHECK_OK(seglog_queue_receive(db, "v", &ro, &batch));
  CHECK(seglog_queue_messages_count(batch) == 3);
  m = seglog_queue_messages_get_v2(batch, 0);
  CHECK(m != NULL && m->id == r.id && strcmp(m->message_id, r.message_id) == 0);
  CHECK(m->n_attrs == 1 && strcmp(m->attrs[0].data_type, "String.json") == 0);
  CHECK(strcmp(m->sender_id, "AIDAEXAMPLE") == 0);
  CHECK(strcmp(m->trace_header, e.trace_header) == 0);
  CHECK(strcmp(m->md5_of_attributes, r.md5_of_attributes) == 0);
  CHECK(m->first_receive_ms >= m->sent_ms);
  CHECK(seglog_queue_messages_get(batch, 0)->attrs[0].type == SEGLOG_ATTR_STRING);
  m = seglog_queue_messages_get_v2(batch, 2);
  CHECK(m != NULL && strcmp(m->message_id, rs[2].message_id) == 0);
  CHECK(strcmp(m->sender_id, "000000000000") == 0 && m->trace_header[0] == '\0');
  CHECK(seglog_queue_messages_get_v2(batch, 3) == NULL);
  CHECK(seglog_queue_messages_get_v2(NULL, 0) == NULL);
  seglog_queue_messages_free(batch);
  seglog_close(db);
}

/* 0.3.0: tags, the redrive allow policy, dead-letter sources, the move task structs and the
 * receive attempt id, compiled as C. */
static void test_queue_v3(void) {
  seglog* db;
  seglog_queue_config cfg;
  seglog_queue_info info;
  seglog_queue_tag_entry tags[4];
  seglog_name names[4];
  seglog_move_task_options mo;
  seglog_move_task_info mi[2];
  seglog_queue_receive_options ro;
  seglog_queue_messages* batch = NULL;
  char handle[SEGLOG_MOVE_TASK_HANDLE_MAX + 1];
  const char* keys[2] = {"team", "env"};
  const char* values[2] = {"core", "prod"};
  const char* more_keys[1] = {"env"};
  const char* more_values[1] = {"test"};
  const char* bad_keys[1] = {"aws:reserved"};
  size_t n = 0;
  g_phase = "queue-v3";
  db = open_store("queue-v3");

  /* Tags: created with the queue, replaced, removed, listed sorted by key. */
  CHECK_OK(seglog_queue_create_with_tags(db, "tagged", NULL, keys, values, 2));
  CHECK_OK(seglog_queue_list_tags(db, "tagged", tags, 4, &n));
  CHECK(n == 2);
  CHECK(strcmp(tags[0].key, "env") == 0 && strcmp(tags[0].value, "prod") == 0);
  CHECK(strcmp(tags[1].key, "team") == 0 && strcmp(tags[1].value, "core") == 0);
  CHECK_OK(seglog_queue_tag(db, "tagged", more_keys, more_values, 1));
  CHECK_OK(seglog_queue_untag(db, "tagged", keys, 1)); /* "team" */
  CHECK_OK(seglog_queue_list_tags(db, "tagged", tags, 4, &n));
  CHECK(n == 1 && strcmp(tags[0].key, "env") == 0 && strcmp(tags[0].value, "test") == 0);
  CHECK_RC(seglog_queue_tag(db, "tagged", bad_keys, more_values, 1), SEGLOG_EINVAL);
  CHECK(strstr(seglog_last_error(), "aws:reserved") != NULL);
  CHECK_RC(seglog_queue_list_tags(db, "missing", tags, 4, &n), SEGLOG_ENOTFOUND);

  /* The redrive allow policy in the config and in describe. */
  create_queue(db, "dlq", SEGLOG_QUEUE_STANDARD);
  seglog_queue_config_init(&cfg);
  CHECK(cfg.redrive_allow == SEGLOG_REDRIVE_ALLOW_ALL && cfg.redrive_allow_sources == NULL &&
        cfg.redrive_allow_source_count == 0);
  cfg.redrive_allow = SEGLOG_REDRIVE_ALLOW_DENY_ALL;
  CHECK_OK(seglog_queue_set_attributes(db, "dlq", &cfg, SEGLOG_QUEUE_FIELD_REDRIVE_ALLOW_POLICY));
  seglog_queue_info_init(&info);
  CHECK_OK(seglog_queue_describe(db, "dlq", &info));
  CHECK(info.redrive_allow == SEGLOG_REDRIVE_ALLOW_DENY_ALL);
  CHECK(info.redrive_allow_source_count == 0 && info.dead_letter_queue_missing == 0);
  cfg.redrive_allow = 7;
  CHECK_RC(seglog_queue_set_attributes(db, "dlq", &cfg, SEGLOG_QUEUE_FIELD_REDRIVE_ALLOW_POLICY),
           SEGLOG_EINVAL);

  /* Dead-letter sources: none names "dlq" yet. */
  CHECK_OK(seglog_queue_list_dead_letter_sources(db, "dlq", names, 4, &n));
  CHECK(n == 0);
  CHECK_RC(seglog_queue_list_dead_letter_sources(db, "dlq", names, 4, NULL), SEGLOG_EINVAL);

  /* Move task structs. */
  seglog_move_task_options_init(&mo);
  CHECK(mo.struct_size == sizeof mo && mo.destination == NULL && mo.max_per_second == 0);
  seglog_move_task_info_init(&mi[0]);
  seglog_move_task_info_init(&mi[1]);
  CHECK(mi[0].struct_size == sizeof mi[0] && mi[0].handle[0] == '\0' && mi[0].moved == 0);
  CHECK_RC(seglog_queue_move_task_start(db, "dlq", &mo, handle, sizeof handle - 1),
           SEGLOG_EINVAL);
  mo.max_per_second = SEGLOG_MOVE_TASK_MAX_PER_SECOND + 1;
  CHECK_RC(seglog_queue_move_task_start(db, "dlq", &mo, handle, sizeof handle), SEGLOG_EINVAL);
  CHECK_RC(seglog_queue_move_task_list(db, "dlq", mi, 2, NULL), SEGLOG_EINVAL);
  CHECK_RC(seglog_queue_move_task_cancel(db, NULL, NULL), SEGLOG_EINVAL);

  /* The receive attempt id: ignored on a standard queue, as in SQS. */
  seglog_queue_receive_options_init(&ro);
  CHECK(ro.attempt_id == NULL);
  ro.attempt_id = "attempt-1";
  ro.wait_s = 0;
  CHECK_OK(seglog_queue_receive(db, "tagged", &ro, &batch));
  CHECK(seglog_queue_messages_count(batch) == 0);
  seglog_queue_messages_free(batch);
  seglog_close(db);
}

/* ---- topics (0.4.0) --------------------------------------------------------------------- */

/* Receives and deletes every visible message of `queue`; returns how many, and how many of
 * them have `needle` in their body. */
static size_t drain_queue(seglog* db, const char* queue, const char* needle, size_t* matching) {
  size_t total = 0, i, n;
  *matching = 0;
  do {
    seglog_queue_messages* batch = receive(db, queue, SEGLOG_QUEUE_MAX_BATCH, 30);
    n = seglog_queue_messages_count(batch);
    for (i = 0; i < n; ++i) {
      const seglog_queue_message* m = seglog_queue_messages_get(batch, i);
      char body[4096];
      size_t len = m->body_len < sizeof body - 1 ? m->body_len : sizeof body - 1;
      memcpy(body, m->body, len);
      body[len] = '\0';
      if (strstr(body, needle) != NULL) ++*matching;
      CHECK_OK(seglog_queue_delete_message(db, queue, m->receipt));
    }
    seglog_queue_messages_free(batch);
    total += n;
  } while (n > 0);
  return total;
}

static void publish_order(seglog* db, const char* topic, const char* text, const char* size) {
  seglog_topic_publish_entry e;
  seglog_queue_attr_v2 attr;
  seglog_topic_publish_result r;
  attr.name = "size";
  attr.data_type = "String";
  attr.value = size;
  attr.value_len = strlen(size);
  seglog_topic_publish_entry_init(&e, text, strlen(text));
  e.attrs = &attr;
  e.n_attrs = 1;
  CHECK_OK(seglog_topic_publish(db, topic, &e, &r));
  CHECK(strlen(r.message_id) == SEGLOG_TOPIC_MESSAGE_ID_MAX && r.duplicate == 0);
}

static int g_callback_calls = 0;

static int count_callback(const seglog_topic_delivery* d, void* user) {
  CHECK(user == &g_callback_calls && d->attempt >= 1 && d->body_len > 0);
  ++g_callback_calls;
  return 0;
}

/* A topic fanning out to two queues, one with a filter policy: 2 messages published, both
 * reach "all", one reaches "large" (raw); then a reopen keeps the topic and subscriptions. */
static void test_topics(void) {
  seglog* db;
  seglog_topic_config cfg;
  seglog_topic_info info;
  seglog_topic_subscription_config sc;
  seglog_topic_subscription_info si;
  seglog_topic_subscription_entry subs[4];
  seglog_topic_name names[4];
  char id_all[SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX + 1], id_large[SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX + 1];
  char id_cb[SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX + 1];
  char token[SEGLOG_TOPIC_LIST_TOKEN_MAX], policy[64];
  size_t n, matching;
  g_phase = "topics";
  db = open_store("topics");
  create_queue(db, "all", SEGLOG_QUEUE_STANDARD);
  create_queue(db, "large", SEGLOG_QUEUE_STANDARD);
  seglog_topic_config_init(&cfg);
  CHECK(cfg.struct_size == sizeof cfg && cfg.type == SEGLOG_TOPIC_STANDARD);
  cfg.display_name = "Orders";
  CHECK_OK(seglog_topic_create(db, "orders", &cfg, NULL, NULL, 0));
  CHECK_ERR(seglog_topic_create(db, NULL, &cfg, NULL, NULL, 0), SEGLOG_EINVAL,
            "seglog_topic_create", "topic is NULL");
  cfg.struct_size = 3;
  CHECK_ERR(seglog_topic_create(db, "x", &cfg, NULL, NULL, 0), SEGLOG_EINVAL,
            "seglog_topic_create", "seglog_topic_config_init");

  seglog_topic_subscription_config_init(&sc);
  sc.endpoint = "all";
  CHECK_OK(seglog_topic_subscribe(db, "orders", &sc, id_all, sizeof id_all));
  sc.endpoint = "large";
  sc.raw_delivery = 1;
  sc.filter_policy = "{\"size\": [\"large\"]}";
  CHECK_OK(seglog_topic_subscribe(db, "orders", &sc, id_large, sizeof id_large));
  CHECK(strlen(id_all) == SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX && strcmp(id_all, id_large) != 0);
  sc.filter_policy = "{\"size\": [{\"bogus-operator\": 1}]}";
  CHECK_ERR(seglog_topic_subscribe(db, "orders", &sc, id_cb, sizeof id_cb), SEGLOG_EINVAL,
            "seglog_topic_subscribe", "size");

  publish_order(db, "orders", "order 1: 2 apples", "small");
  publish_order(db, "orders", "order 2: 90 melons", "large");
  CHECK_OK(seglog_topic_wait_delivered(db, "orders", 10000));
  CHECK(drain_queue(db, "all", "\"Type\"", &matching) == 2 && matching == 2); /* envelopes */
  CHECK(drain_queue(db, "large", "order 2: 90 melons", &matching) == 1 && matching == 1);

  seglog_topic_info_init(&info);
  CHECK_OK(seglog_topic_describe(db, "orders", &info));
  CHECK(strcmp(info.name, "orders") == 0 && strcmp(info.display_name, "Orders") == 0);
  CHECK(info.subscriptions == 2 && info.messages >= 2);
  CHECK_OK(seglog_topic_list(db, 4, NULL, names, 4, &n, token, sizeof token));
  CHECK(n == 1 && strcmp(names[0].name, "orders") == 0 && token[0] == '\0');

  /* A callback subscription: called with the user pointer. */
  CHECK_OK(seglog_topic_register_callback(db, "counter", count_callback, &g_callback_calls));
  seglog_topic_subscription_config_init(&sc);
  sc.protocol = SEGLOG_TOPIC_PROTOCOL_CALLBACK;
  sc.endpoint = "counter";
  CHECK_OK(seglog_topic_subscribe(db, "orders", &sc, id_cb, sizeof id_cb));
  publish_order(db, "orders", "order 3: 1 kiwi", "small");
  CHECK_OK(seglog_topic_wait_delivered(db, "orders", 10000));
  CHECK(g_callback_calls == 1);
  CHECK_OK(seglog_topic_unregister_callback(db, "counter"));
  CHECK(drain_queue(db, "all", "order 3", &matching) == 1 && matching == 1);
  CHECK(drain_queue(db, "large", "", &matching) == 0);
  seglog_close(db);

  /* Reopen: the topic and its three subscriptions are there; the callback's waits until it is
   * registered in this handle. */
  db = open_store("topics");
  CHECK_OK(seglog_topic_list_subscriptions(db, "orders", 4, NULL, subs, 4, &n, token,
                                           sizeof token));
  CHECK(n == 3);
  seglog_topic_subscription_info_init(&si);
  CHECK_OK(seglog_topic_get_subscription(db, id_large, &si, policy, sizeof policy));
  CHECK(strcmp(policy, "{\"size\": [\"large\"]}") == 0 && si.raw_delivery == 1);
  CHECK(strcmp(si.endpoint, "large") == 0 && si.backlog == 0);
  publish_order(db, "orders", "order 4: 50 pears", "large");
  publish_order(db, "orders", "order 5: 3 figs", "small");
  CHECK_RC(seglog_topic_wait_delivered(db, "orders", 0), SEGLOG_ETIMEDOUT);
  CHECK_OK(seglog_topic_get_subscription(db, id_cb, &si, NULL, 0));
  CHECK(si.waiting == 1 && si.backlog == 2);
  CHECK_OK(seglog_topic_register_callback(db, "counter", count_callback, &g_callback_calls));
  CHECK_OK(seglog_topic_wait_delivered(db, "orders", 10000));
  CHECK(g_callback_calls == 3);
  CHECK(drain_queue(db, "all", "\"Message\"", &matching) == 2 && matching == 2);
  CHECK(drain_queue(db, "large", "order 4: 50 pears", &matching) == 1 && matching == 1);
  CHECK_OK(seglog_topic_unsubscribe(db, id_cb));
  seglog_close(db);

  /* Read-only: topics are read, every change (publishes included) is refused. */
  {
    char dir[512];
    seglog_options opt;
    seglog_topic_publish_entry e;
    path_in_parent(dir, sizeof dir, "topics");
    seglog_options_init(&opt);
    opt.read_only = 1;
    CHECK_OK(seglog_open(dir, &opt, &db));
    seglog_topic_info_init(&info);
    CHECK_OK(seglog_topic_describe(db, "orders", &info));
    CHECK(info.subscriptions == 2);
    seglog_topic_publish_entry_init(&e, "x", 1);
    CHECK_RC(seglog_topic_publish(db, "orders", &e, NULL), SEGLOG_EREADONLY);
    CHECK_RC(seglog_topic_create(db, "other", NULL, NULL, NULL, 0), SEGLOG_EREADONLY);
    CHECK_RC(seglog_topic_delete(db, "orders"), SEGLOG_EREADONLY);
    CHECK_RC(seglog_topic_unsubscribe(db, id_all), SEGLOG_EREADONLY);
    seglog_close(db);
  }
  db = open_store("topics");
  CHECK_OK(seglog_topic_delete(db, "orders"));
  CHECK_RC(seglog_topic_describe(db, "orders", &info), SEGLOG_ENOTFOUND);
  seglog_close(db);
}

int main(int argc, char** argv) {
  char listing[1024];
  const char* base = argc > 1 ? argv[1] : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  snprintf(g_parent, sizeof g_parent, "%s/seglog-c-api-XXXXXX", base);
  if (mkdtemp(g_parent) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  test_version_and_codes();
  test_open();
  test_lock_and_read_only();
  test_corrupt_store();
  test_stream_admin();
  test_puts();
  test_iterators();
  test_views_across_segments();
  test_checkpoints();
  test_durability_modes();
  test_queue_admin();
  test_queue_send_errors();
  test_queue_roundtrip();
  test_queue_batch_lifetime();
  test_queue_fifo();
  test_queue_dead_letters();
  test_queue_reopen();
  test_queue_long_poll();
  test_queue_attributes();
  test_queue_batches_v2();
  test_put_batch_v2();
  test_queue_messages_v2();
  test_queue_v3();
  test_topics();

  /* Every store stayed inside its own directory: the parent holds the stores and no more. */
  g_phase = "layout";
  list_dir(g_parent, listing, sizeof listing);
  CHECK(strcmp(listing, "ckpt,corrupt,durability,iters,lock,open,puts,puts-big,queue-attrs,"
                        "queue-dlq,"
                        "queue-fifo,queue-lifetime,queue-reopen,queue-roundtrip,queue-send,"
                        "queue-v2,queue-v3,queue-wait,queues,segments,streams,topics") == 0);
  printf("c_api_test: %d checks passed in %s\n", g_checks, g_parent);
  {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_parent);
    if (system(cmd) != 0) return 1;
  }
  return 0;
}
