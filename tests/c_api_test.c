/* c_api_test.c -- the whole C API (include/seglog.h), from plain C99, as leveldb's db/c_test.c.
 *
 * Every function is called; every bad input is checked to return its documented code, to leave
 * a message in seglog_last_error() that names the problem, and to change nothing. The stores
 * live in a fresh temporary directory, which must hold nothing else at the end.
 *
 *   ./build/c_api_test [parent-dir]
 */
#define _POSIX_C_SOURCE 200809L

#include <seglog.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
                              SEGLOG_EINTERNAL};
  size_t i, j, n = sizeof codes / sizeof codes[0];
  g_phase = "version";
  CHECK(seglog_version() == SEGLOG_VERSION_NUMBER);
  CHECK(SEGLOG_VERSION_NUMBER == 1000);  /* 0.1.0 */
  CHECK(strcmp(SEGLOG_VERSION_STRING, "0.1.0") == 0);
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

  CHECK_ERR(seglog_open(NULL, &opt, &db), SEGLOG_EINVAL, "seglog_open", "dir is NULL");
  CHECK_ERR(seglog_open("", &opt, &db), SEGLOG_EINVAL, "seglog_open", "dir is empty");
  CHECK_ERR(seglog_open(dir, &opt, NULL), SEGLOG_EINVAL, "seglog_open", "db is NULL");

  opt.struct_size = 0;
  CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "seglog_options_init");
  seglog_options_init(&big.o);
  big.o.struct_size = sizeof big.o + sizeof big.newer_fields;
  CHECK_ERR(seglog_open(dir, &big.o, &db), SEGLOG_ENOTSUP, "seglog_open", "newer seglog.h");

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
  opt.segment_size = 100;
  CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "segment_size");
  seglog_options_init(&opt);
  opt.durability = SEGLOG_DURABILITY_INTERVAL;
  opt.sync_interval_ms = 0;
  CHECK_ERR(seglog_open(dir, &opt, &db), SEGLOG_EINVAL, "seglog_open", "sync_interval_ms");

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
  CHECK_ERR(seglog_open(dir, NULL, &rw2), SEGLOG_ELOCKED, "seglog_open", "locked");
  CHECK(rw2 == NULL);

  /* Read-only opens take no lock and write nothing. */
  seglog_options_init(&opt);
  opt.read_only = 1;
  CHECK_OK(seglog_open(dir, &opt, &ro));
  seglog_stream_info_init(&info);
  CHECK_OK(seglog_stream_describe(ro, "s", &info, NULL, 0, &n));
  CHECK(n == 1 && info.shard_count == 1);
  CHECK_RC(seglog_stream_create(ro, "t", NULL), SEGLOG_ENOTSUP);
  CHECK(seglog_last_error()[0] != '\0');
  CHECK_RC(seglog_stream_put(ro, "s", "k", 1, NULL, "v", 1, NULL, NULL), SEGLOG_ENOTSUP);
  CHECK_RC(seglog_checkpoint_set(ro, "s", "c", 0, 0), SEGLOG_ENOTSUP);
  seglog_close(ro);

  seglog_close(rw);
  CHECK_OK(seglog_open(dir, NULL, &rw2));
  seglog_close(rw2);
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
  CHECK_ERR(seglog_stream_delete(db, "s"), SEGLOG_ELOCKED, "seglog_stream_delete",
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
  CHECK_ERR(seglog_stream_delete(db, "s"), SEGLOG_ELOCKED, "seglog_stream_delete", "1 open");
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

  /* Every store stayed inside its own directory: the parent holds the stores and no more. */
  g_phase = "layout";
  list_dir(g_parent, listing, sizeof listing);
  CHECK(strcmp(listing, "ckpt,corrupt,durability,iters,lock,open,puts,puts-big,segments,streams") == 0);
  printf("c_api_test: %d checks passed in %s\n", g_checks, g_parent);
  {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_parent);
    if (system(cmd) != 0) return 1;
  }
  return 0;
}
