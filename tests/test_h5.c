/*
 * test_h5.c - the HDF5 writer and reader on real files under real mpiexec.
 *
 * Every rank builds a deterministic slice whose rows derive from (rank, i)
 * and whose length comes from a per-case count function; rank 0 regenerates
 * the expected rows of all ranks in rank order and compares every field of
 * every row read back (doubles bit for bit, so NaN counts). The failure
 * cases use real failures (a missing folder, a folder squatting on the tmp
 * name) plus one injected through the test-only knobs of h5_testing.h.
 * The deflate cases check that the chunks written through h5rle.c's
 * encoder are plain zlib streams (zlib's uncompress and h5py read them) and
 * that the filter's decompression takes any zlib stream; the rle cases
 * round-trip that encoder alone through zlib and libdeflate.
 * Collectives come first in each case; rank 0's checks come after them, so
 * a failed assertion cannot leave a rank waiting.
 */
#include <errno.h>
#include <libdeflate.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../src/h5/h5_testing.h"
#include "../src/h5/h5rle.h"
#include "harness.h"
#include "taq/h5.h"

enum { T_TRADE, T_QUOTE, T_FINAL, T_REJECTS, T_N };

/* Rows of `table` on `rank` for one case. */
typedef size_t (*count_fn)(int table, int rank);

typedef struct fixture {
    taq_trade_row_t *trade;
    taq_quote_row_t *quote;
    taq_final_row_t *final;
    taq_reject_t *rejects;
    taq_h5_slices_t slices;
} fixture_t;

static int my_rank(void)
{
    int r;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

static int n_ranks(void)
{
    int n;
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

/* ---- deterministic rows ------------------------------------------------ */

/* Every third symbol fills all 16 bytes (no NUL); every other exchange all 8. */
static void gen_key(int r, int64_t i, char *symbol, char *exchange)
{
    if (i % 3 == 0) {
        memcpy(symbol, "ABCDEFGHIJKLMNO", 15);
        symbol[15] = (char)('A' + r % 26);
    } else {
        /* Bounded operands: "S" + up to 4 + "I" + up to 9 digits fits 16 bytes. */
        char tmp[32];
        snprintf(tmp, sizeof tmp, "S%dI%lld", r % 10000, (long long)(i % 1000000000));
        memcpy(symbol, tmp, strnlen(tmp, TAQ_SYMBOL_LEN));
    }
    if (i % 2)
        memcpy(exchange, "EXCHANGE", TAQ_EXCHANGE_LEN);
    else
        memcpy(exchange, "NYSE", 4);
}

static int64_t gen_tm(int r, int64_t i)
{
    return INT64_C(1596672000000000000) + r * INT64_C(1000000007) + i * 1001;
}

static void gen_trade(int r, int64_t i, taq_trade_row_t *t)
{
    memset(t, 0, sizeof *t);
    gen_key(r, i, t->symbol, t->exchange);
    t->event_tm = gen_tm(r, i);
    t->event_seq_nb = r * 100000 + i;
    t->arrival_tm = t->event_tm - 17;
    t->trade_pr = 100.0 + r + (double)i / 8.0;
    t->trade_size = -(r * 1000 + i); /* sign survives */
    t->mov_avg_pr = i % 2 ? t->trade_pr * 1.5 : NAN;
}

static void gen_quote(int r, int64_t i, taq_quote_row_t *q)
{
    memset(q, 0, sizeof *q);
    gen_key(r, i + 1, q->symbol, q->exchange);
    q->event_tm = gen_tm(r, i) + 3;
    q->event_seq_nb = r * 100000 + i + 7;
    q->arrival_tm = INT64_MAX - r - i;
    q->bid_pr = 0.1 * (double)(r + 1) + (double)i;
    q->bid_size = 100 + i;
    q->ask_pr = q->bid_pr + 0.03;
    q->ask_size = INT64_MIN + r + i;
}

static void gen_final(int r, int64_t i, taq_final_row_t *f)
{
    memset(f, 0, sizeof *f);
    gen_key(r, i + 2, f->symbol, f->exchange);
    f->event_tm = gen_tm(r, i) + 5;
    f->event_seq_nb = r * 100000 + i + 9;
    f->bid_pr = 50.25 + r;
    f->bid_size = 200 + i;
    f->ask_pr = 50.5 + (double)i;
    f->ask_size = 300 + r;
    f->last_trade_pr = i % 2 ? NAN : 49.75 + (double)i;
    f->last_mov_avg_pr = i % 2 ? NAN : 1e300;
    f->bid_pr_mv = i % 3 ? -0.0 : NAN;
    f->ask_pr_mv = -1.0 / 3.0 * (double)(r + i);
}

/* Text lengths cycle through 1023 (the parser's longest), 1024 (no NUL) and short. */
static void gen_reject(int r, int64_t i, taq_reject_t *j)
{
    memset(j, 0, sizeof *j);
    snprintf(j->file, sizeof j->file, "csv/2020-08-06/NYSE/part-%05d-%lld.txt", r, (long long)i);
    if (i == 1)
        memset(j->file, 'f', sizeof j->file); /* full width, no NUL */
    j->line = r * 1000 + i + 1;
    memcpy(j->reason, i % 2 ? "date_mismatch" : "negative_value", i % 2 ? 13 : 14);
    size_t len = i % 3 == 0 ? 1023 : i % 3 == 1 ? 1024 : 20;
    for (size_t k = 0; k < len; k++)
        j->text[k] = (char)(' ' + (k + (size_t)r + (size_t)i) % 95);
}

static void fixture_build(fixture_t *f, count_fn count, int r)
{
    memset(f, 0, sizeof *f);
    size_t n[T_N];
    for (int t = 0; t < T_N; t++)
        n[t] = count(t, r);
    f->trade = calloc(n[T_TRADE] + 1, sizeof *f->trade);
    f->quote = calloc(n[T_QUOTE] + 1, sizeof *f->quote);
    f->final = calloc(n[T_FINAL] + 1, sizeof *f->final);
    f->rejects = calloc(n[T_REJECTS] + 1, sizeof *f->rejects);
    for (size_t i = 0; i < n[T_TRADE]; i++)
        gen_trade(r, (int64_t)i, &f->trade[i]);
    for (size_t i = 0; i < n[T_QUOTE]; i++)
        gen_quote(r, (int64_t)i, &f->quote[i]);
    for (size_t i = 0; i < n[T_FINAL]; i++)
        gen_final(r, (int64_t)i, &f->final[i]);
    for (size_t i = 0; i < n[T_REJECTS]; i++)
        gen_reject(r, (int64_t)i, &f->rejects[i]);
    /* Empty slices pass NULL, as a caller with nothing to write may. */
    f->slices = (taq_h5_slices_t){
        .trade = n[T_TRADE] ? f->trade : NULL,
        .n_trade = n[T_TRADE],
        .quote = n[T_QUOTE] ? f->quote : NULL,
        .n_quote = n[T_QUOTE],
        .final = n[T_FINAL] ? f->final : NULL,
        .n_final = n[T_FINAL],
        .rejects = n[T_REJECTS] ? f->rejects : NULL,
        .n_rejects = n[T_REJECTS],
    };
}

static void fixture_free(fixture_t *f)
{
    free(f->trade);
    free(f->quote);
    free(f->final);
    free(f->rejects);
    memset(f, 0, sizeof *f);
}

static taq_h5_attrs_t make_attrs(const char *job, int64_t salt)
{
    taq_h5_attrs_t a = {.trade_dt = "2020-08-06", .job = job, .version = TAQ_VERSION};
    a.ranks = n_ranks();
    a.counts = (taq_counts_t){1000 + salt, 400 + salt, 500, 90, 10, 7 + salt};
    return a;
}

/* ---- shared scratch folder and file helpers ----------------------------- */

/* COLLECTIVE: a fresh folder made by rank 0, its path on every rank (free it). */
static char *shared_dir(const char *tag)
{
    char buf[4096] = {0};
    if (my_rank() == 0) {
        char *d = taq_test_tmpdir(tag);
        snprintf(buf, sizeof buf, "%s", d);
        free(d);
    }
    MPI_Bcast(buf, (int)sizeof buf, MPI_CHAR, 0, MPI_COMM_WORLD);
    return strdup(buf);
}

/* COLLECTIVE: remove the folder once every rank is done with it. */
static void shared_dir_free(char *dir)
{
    MPI_Barrier(MPI_COMM_WORLD);
    if (my_rank() == 0)
        taq_test_rmtree(dir);
    free(dir);
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int tmp_exists(const char *path)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    return exists(tmp);
}

/* Whole file in memory (caller frees); NULL if unreadable. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

/* COLLECTIVE: write this case's slices; returns the rc and whether all ranks agree on it. */
/* A fill function's source: the fixture's rows, handed out in order. */
typedef struct row_feed {
    const char *rows;
    size_t row_size, next, n;
} row_feed_t;

static void feed(void *arg, void *buf, size_t count)
{
    row_feed_t *f = arg;
    CU_ASSERT_FATAL(f->next + count <= f->n);
    memcpy(buf, f->rows + f->next * f->row_size, count * f->row_size);
    f->next += count;
}

/* streamed: /quote and /quote_final come from fill functions, not arrays. */
static taq_rc write_case_as(const char *path, count_fn count, const taq_h5_attrs_t *a,
                            int *all_same, int streamed)
{
    fixture_t f;
    fixture_build(&f, count, my_rank());
    row_feed_t q = {(const char *)f.quote, sizeof *f.quote, 0, f.slices.n_quote};
    row_feed_t fi = {(const char *)f.final, sizeof *f.final, 0, f.slices.n_final};
    if (streamed) {
        f.slices.quote = NULL;
        f.slices.final = NULL;
        f.slices.fill_quote = feed;
        f.slices.quote_arg = &q;
        f.slices.fill_final = feed;
        f.slices.final_arg = &fi;
    }
    taq_rc rc = taq_h5_write_date(MPI_COMM_WORLD, path, a, &f.slices);
    if (streamed && rc == TAQ_OK) { /* every row asked for, once */
        CU_ASSERT_EQUAL(q.next, q.n);
        CU_ASSERT_EQUAL(fi.next, fi.n);
    }
    fixture_free(&f);
    int ok = rc == TAQ_OK, lo = 0, hi = 0;
    MPI_Allreduce(&ok, &lo, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&ok, &hi, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    *all_same = lo == hi;
    return rc;
}

static taq_rc write_case(const char *path, count_fn count, const taq_h5_attrs_t *a, int *all_same)
{
    return write_case_as(path, count, a, all_same, 0);
}

/* ---- checks (rank 0) ----------------------------------------------------- */

#define EQ_STR(a, b, f) CU_ASSERT_EQUAL(memcmp((a)->f, (b)->f, sizeof(a)->f), 0)
#define EQ_I64(a, b, f) CU_ASSERT_EQUAL((a)->f, (b)->f)
#define EQ_F64(a, b, f) TAQ_ASSERT_DOUBLE_EXACT((a)->f, (b)->f)

static void check_trade(const taq_trade_row_t *got, const taq_trade_row_t *w)
{
    EQ_STR(got, w, symbol);
    EQ_STR(got, w, exchange);
    EQ_I64(got, w, event_tm);
    EQ_I64(got, w, event_seq_nb);
    EQ_I64(got, w, arrival_tm);
    EQ_F64(got, w, trade_pr);
    EQ_I64(got, w, trade_size);
    EQ_F64(got, w, mov_avg_pr);
}

static void check_quote(const taq_quote_row_t *got, const taq_quote_row_t *w)
{
    EQ_STR(got, w, symbol);
    EQ_STR(got, w, exchange);
    EQ_I64(got, w, event_tm);
    EQ_I64(got, w, event_seq_nb);
    EQ_I64(got, w, arrival_tm);
    EQ_F64(got, w, bid_pr);
    EQ_I64(got, w, bid_size);
    EQ_F64(got, w, ask_pr);
    EQ_I64(got, w, ask_size);
}

static void check_final(const taq_final_row_t *got, const taq_final_row_t *w)
{
    EQ_STR(got, w, symbol);
    EQ_STR(got, w, exchange);
    EQ_I64(got, w, event_tm);
    EQ_I64(got, w, event_seq_nb);
    EQ_F64(got, w, bid_pr);
    EQ_I64(got, w, bid_size);
    EQ_F64(got, w, ask_pr);
    EQ_I64(got, w, ask_size);
    EQ_F64(got, w, last_trade_pr);
    EQ_F64(got, w, last_mov_avg_pr);
    EQ_F64(got, w, bid_pr_mv);
    EQ_F64(got, w, ask_pr_mv);
}

static void check_reject(const taq_reject_t *got, const taq_reject_t *w)
{
    EQ_STR(got, w, file);
    EQ_I64(got, w, line);
    EQ_STR(got, w, reason);
    EQ_STR(got, w, text);
}

static size_t total_rows(count_fn count, int table)
{
    size_t n = 0;
    for (int r = 0; r < n_ranks(); r++)
        n += count(table, r);
    return n;
}

/* Rows must come back in rank order, each rank's slice in its own order. */
static void check_rows(const taq_h5_date_t *d, count_fn count)
{
    size_t k[T_N] = {0};
    for (int r = 0; r < n_ranks(); r++) {
        for (int64_t i = 0; i < (int64_t)count(T_TRADE, r); i++) {
            taq_trade_row_t w;
            gen_trade(r, i, &w);
            check_trade(&d->trade[k[T_TRADE]++], &w);
        }
        for (int64_t i = 0; i < (int64_t)count(T_QUOTE, r); i++) {
            taq_quote_row_t w;
            gen_quote(r, i, &w);
            check_quote(&d->quote[k[T_QUOTE]++], &w);
        }
        for (int64_t i = 0; i < (int64_t)count(T_FINAL, r); i++) {
            taq_final_row_t w;
            gen_final(r, i, &w);
            check_final(&d->final[k[T_FINAL]++], &w);
        }
        for (int64_t i = 0; i < (int64_t)count(T_REJECTS, r); i++) {
            taq_reject_t w;
            gen_reject(r, i, &w);
            check_reject(&d->rejects[k[T_REJECTS]++], &w);
        }
    }
}

static void check_attrs(const taq_h5_attrs_t *got, const taq_h5_attrs_t *w)
{
    CU_ASSERT_STRING_EQUAL(got->trade_dt, w->trade_dt);
    CU_ASSERT_STRING_EQUAL(got->job, w->job);
    CU_ASSERT_STRING_EQUAL(got->version, w->version);
    CU_ASSERT_EQUAL(got->ranks, w->ranks);
    CU_ASSERT_EQUAL(memcmp(&got->counts, &w->counts, sizeof got->counts), 0);
}

/* Rank 0: read path back and compare everything with what the ranks wrote. */
static void check_file(const char *path, count_fn count, const taq_h5_attrs_t *want)
{
    taq_h5_date_t d;
    taq_rc rc = taq_h5_read_date(path, &d);
    CU_ASSERT_EQUAL(rc, TAQ_OK);
    if (rc != TAQ_OK) {
        fprintf(stderr, "read %s: %s\n", path, taq_errmsg());
        return;
    }
    CU_ASSERT_PTR_EQUAL(d.attrs.job, d.job);
    CU_ASSERT_PTR_EQUAL(d.attrs.version, d.version);
    check_attrs(&d.attrs, want);
    size_t n[T_N] = {d.n_trade, d.n_quote, d.n_final, d.n_rejects};
    int sizes_ok = 1;
    for (int t = 0; t < T_N; t++) {
        CU_ASSERT_EQUAL(n[t], total_rows(count, t));
        sizes_ok &= n[t] == total_rows(count, t);
    }
    if (sizes_ok)
        check_rows(&d, count);
    taq_h5_date_free(&d);
    CU_ASSERT_PTR_NULL(d.trade);
    CU_ASSERT_PTR_NULL(d.job);
}

/* ---- count functions ------------------------------------------------------ */

static size_t count_full(int table, int r)
{
    return (size_t)(r + 1 + (table == T_QUOTE));
}

static size_t count_some_empty(int table, int r)
{
    switch (table) {
    case T_TRADE:
        return r % 2 ? (size_t)r + 1 : 0; /* rank 0 empty */
    case T_QUOTE:
        return r % 2 ? 0 : (size_t)r + 2; /* odd ranks empty */
    case T_FINAL:
        return r == n_ranks() - 1 ? 3 : 0; /* last rank only */
    default:
        return r == 0 ? 2 : 0; /* rank 0 only */
    }
}

static size_t count_none(int table, int r)
{
    (void)table, (void)r;
    return 0;
}

/* Slices of several pieces each once the piece size is cut to two rejects. */
static size_t count_many(int table, int r)
{
    static const size_t base[T_N] = {50, 37, 3, 3};
    return base[table] * (size_t)(r + 1) + (size_t)r;
}

/* Thousands of rows: several chunks per dataset, rank boundaries inside chunks. */
static size_t count_chunks(int table, int r)
{
    static const size_t base[T_N] = {20000, 9000, 30011, 1000};
    return base[table] + (size_t)r * (base[table] / 3 + 7);
}

/* ---- cases ---------------------------------------------------------------- */

/* COLLECTIVE: write a case into a fresh folder, check it on rank 0. */
static void roundtrip_as(const char *tag, count_fn count, int streamed)
{
    char *dir = shared_dir(tag), *path = join(dir, "taq_20200806.h5");
    taq_h5_attrs_t a = make_attrs("roundtrip_job", 0);
    int same = 0;
    taq_rc rc = write_case_as(path, count, &a, &same, streamed);
    CU_ASSERT_EQUAL(rc, TAQ_OK);
    CU_ASSERT(same);
    if (rc != TAQ_OK)
        fprintf(stderr, "write %s: %s\n", path, taq_errmsg());
    if (my_rank() == 0 && rc == TAQ_OK) {
        CU_ASSERT_FALSE(tmp_exists(path));
        check_file(path, count, &a);
    }
    free(path);
    shared_dir_free(dir);
}

static void roundtrip(const char *tag, count_fn count)
{
    roundtrip_as(tag, count, 0);
}

static void test_roundtrip(void)
{
    roundtrip("h5_roundtrip", count_full);
}

static void test_some_ranks_empty(void)
{
    roundtrip("h5_some_empty", count_some_empty);
}

static void test_all_empty(void)
{
    roundtrip("h5_all_empty", count_none);
}

static void test_split_writes(void)
{
    taq_h5_testing_t knobs = {.piece_bytes = 2 * sizeof(taq_reject_t)};
    taq_h5_testing_set(&knobs);
    roundtrip("h5_split", count_many);
    taq_h5_testing_set(NULL);
}

static void test_multi_chunk(void)
{
    roundtrip("h5_chunks", count_chunks);
}

/*
 * Quote rows made by fill functions, in pieces much smaller than a slice
 * (and than a chunk: chunks are completed across collective writes), on
 * ranks with and without rows: the same file as from arrays.
 */
static void test_streamed_rows(void)
{
    taq_h5_testing_t knobs = {.piece_bytes = 1000 * sizeof(taq_final_row_t) + 13};
    taq_h5_testing_set(&knobs);
    roundtrip_as("h5_streamed", count_chunks, 1);
    roundtrip_as("h5_streamed_split", count_many, 1);
    taq_h5_testing_set(NULL);
    roundtrip_as("h5_streamed_empty", count_some_empty, 1);
}

/* COLLECTIVE: a write to `path` must fail on every rank and leave nothing behind. */
static void expect_failure(const char *path, const char *named, const char *mention)
{
    taq_h5_attrs_t a = make_attrs("failing_job", 3);
    int same = 0;
    taq_rc rc = write_case(path, count_full, &a, &same);
    CU_ASSERT_NOT_EQUAL(rc, TAQ_OK);
    CU_ASSERT(same);
    if (my_rank() == 0) {
        fprintf(stderr, "expected failure: %s\n", taq_errmsg());
        CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), named));
        if (mention)
            CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), mention));
    }
}

static void test_missing_dir_fails(void)
{
    char *dir = shared_dir("h5_missing");
    char *path = join(dir, "no/such/dir/taq_20200806.h5");
    expect_failure(path, path, "No such file or directory");
    if (my_rank() == 0)
        CU_ASSERT(!exists(path) && !tmp_exists(path));
    free(path);

    /* A regular file where a folder should be. */
    if (my_rank() == 0)
        taq_test_write_file(dir, "plainfile", "x", 1);
    MPI_Barrier(MPI_COMM_WORLD);
    path = join(dir, "plainfile/taq_20200806.h5");
    expect_failure(path, path, "Not a directory");
    if (my_rank() == 0)
        CU_ASSERT(!exists(path) && !tmp_exists(path));
    free(path);

    /* A read-only folder; root writes anyway, so only check it as a user. */
    int as_user = geteuid() != 0;
    char *ro = join(dir, "readonly");
    path = join(ro, "taq_20200806.h5");
    if (my_rank() == 0)
        CU_ASSERT_EQUAL(mkdir(ro, 0555), 0);
    MPI_Barrier(MPI_COMM_WORLD);
    if (as_user) {
        expect_failure(path, path, "Permission denied");
        if (my_rank() == 0)
            CU_ASSERT(!exists(path) && !tmp_exists(path));
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (my_rank() == 0)
        chmod(ro, 0755);
    free(path);
    free(ro);
    shared_dir_free(dir);
}

/* COLLECTIVE: everything is written, then the final rename fails (path is a folder). */
static void test_rename_fails(void)
{
    char *dir = shared_dir("h5_rename"), *path = join(dir, "taq_20200806.h5");
    if (my_rank() == 0) {
        CU_ASSERT_EQUAL(mkdir(path, 0777), 0);
        taq_test_write_file(path, "keep", "k", 1); /* non-empty: rename(2) must refuse */
    }
    MPI_Barrier(MPI_COMM_WORLD);
    expect_failure(path, "cannot rename", path);
    if (my_rank() == 0) {
        struct stat st;
        CU_ASSERT(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
        CU_ASSERT_FALSE(tmp_exists(path));
    }
    free(path);
    shared_dir_free(dir);
}

/* COLLECTIVE: a successful write replaces an older file; failed ones leave it. */
static void test_replace_existing(void)
{
    char *dir = shared_dir("h5_replace"), *path = join(dir, "taq_20200806.h5");
    char *tmp = join(dir, "taq_20200806.h5.tmp");
    taq_h5_attrs_t old = make_attrs("old_job", 1), cur = make_attrs("new_job", 2);
    int same = 0;
    CU_ASSERT_EQUAL(write_case(path, count_some_empty, &old, &same), TAQ_OK);
    CU_ASSERT_EQUAL(write_case(path, count_full, &cur, &same), TAQ_OK);
    if (my_rank() == 0) {
        check_file(path, count_full, &cur);
        CU_ASSERT_FALSE(tmp_exists(path));
    }

    size_t len0 = 0, len1 = 0;
    char *before = my_rank() == 0 ? slurp(path, &len0) : NULL;
    if (my_rank() == 0)
        CU_ASSERT_EQUAL(mkdir(tmp, 0777), 0); /* squats on the tmp name */
    MPI_Barrier(MPI_COMM_WORLD);
    expect_failure(path, tmp, NULL);
    if (my_rank() == 0) {
        struct stat st;
        CU_ASSERT(stat(tmp, &st) == 0 && S_ISDIR(st.st_mode)); /* not ours to remove */
        CU_ASSERT_EQUAL(rmdir(tmp), 0);
        char *after = slurp(path, &len1);
        CU_ASSERT(after && len0 == len1 && memcmp(before, after, len0) == 0);
        free(after);
        check_file(path, count_full, &cur);
    }
    free(before);
    free(tmp);
    free(path);
    shared_dir_free(dir);
}

/*
 * COLLECTIVE: write an older file, then a write with `knobs` must fail on
 * every rank naming `named` and `mention` (and `also`, when not NULL), leave
 * no tmp file, and leave the older file byte for byte as it was.
 */
static void fails_over_old_file(const char *tag, const taq_h5_testing_t *knobs, const char *named,
                                const char *mention, const char *also)
{
    char *dir = shared_dir(tag), *path = join(dir, "taq_20200806.h5");
    taq_h5_attrs_t old = make_attrs("old_job", 1);
    int same = 0;
    CU_ASSERT_EQUAL(write_case(path, count_some_empty, &old, &same), TAQ_OK);
    size_t len0 = 0, len1 = 0;
    char *before = my_rank() == 0 ? slurp(path, &len0) : NULL;

    taq_h5_testing_set(knobs);
    expect_failure(path, named ? named : path, mention);
    taq_h5_testing_set(NULL);
    if (my_rank() == 0) {
        if (also)
            CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), also));
        CU_ASSERT_FALSE(tmp_exists(path));
        char *after = slurp(path, &len1);
        CU_ASSERT(after && len0 == len1 && memcmp(before, after, len0) == 0);
        free(after);
        check_file(path, count_some_empty, &old);
    }
    free(before);
    free(path);
    shared_dir_free(dir);
}

/* COLLECTIVE: one rank fails after the data is written; nobody commits. */
static void test_one_rank_fails_late(void)
{
    const int last = n_ranks() - 1;
    taq_h5_testing_t knobs = {.inject_failure = 1, .fail_rank = last};
    char who[32];
    snprintf(who, sizeof who, "rank %d", last);
    fails_over_old_file("h5_late", &knobs, NULL, "injected", last != 0 ? who : NULL);
}

/*
 * COLLECTIVE: rank 0 flushes the file while it is written (h5flush.c): at
 * least once in a write of many pieces, and only rank 0; the file is whole.
 */
static void test_flushed_while_writing(void)
{
    taq_h5_testing_t knobs = {.piece_bytes = 1000 * sizeof(taq_final_row_t) + 13};
    taq_h5_testing_set(&knobs);
    roundtrip_as("h5_flushed", count_many, 1);
    taq_h5_testing_set(NULL);
    if (my_rank() == 0) {
        CU_ASSERT(taq_h5_testing_flushes() >= 1);
    } else {
        CU_ASSERT_EQUAL(taq_h5_testing_flushes(), 0);
    }
}

/*
 * COLLECTIVE: a background flush fails (as a disk error would: EIO). Every
 * rank fails, the message says so, and the older file stays as it was.
 */
static void test_flush_failure_fails_write(void)
{
    taq_h5_testing_t knobs = {.flush_errno = EIO};
    fails_over_old_file("h5_flushfail", &knobs, "cannot flush", strerror(EIO), NULL);
}

/* Run a shell command on rank 0 and capture its first `n` bytes of stdout. */
static int capture(const char *cmd, char *out, size_t n)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t got = fread(out, 1, n - 1, p);
    out[got] = '\0';
    return pclose(p);
}

static void test_python_reads(void)
{
    char *dir = shared_dir("h5_python"), *path = join(dir, "taq_20200806.h5");
    taq_h5_attrs_t a = make_attrs("python_job", 0);
    int same = 0;
    CU_ASSERT_EQUAL(write_case(path, count_full, &a, &same), TAQ_OK);
    if (my_rank() == 0) {
        char cmd[8192], out[4096], want[1024];
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/python3 -c \"import sys,h5py,pandas\n"
                 "f=h5py.File(sys.argv[1],'r')\n"
                 "df=pandas.DataFrame(f['quote_final'][:])\n"
                 "print(len(df), len(f['trade']), len(f['rejects']))\n"
                 "print(','.join(df.columns))\n"
                 "print(f.attrs['trade_dt'].decode(), int(f.attrs['ranks']))\" '%s'",
                 path);
        CU_ASSERT_EQUAL(capture(cmd, out, sizeof out), 0);
        snprintf(want, sizeof want,
                 "%zu %zu %zu\nsymbol,exchange,event_tm,event_seq_nb,bid_pr,bid_size,ask_pr,"
                 "ask_size,last_trade_pr,last_mov_avg_pr,bid_pr_mv,ask_pr_mv\n2020-08-06 %d\n",
                 total_rows(count_full, T_FINAL), total_rows(count_full, T_TRADE),
                 total_rows(count_full, T_REJECTS), n_ranks());
        CU_ASSERT_STRING_EQUAL(out, want);
    }
    free(path);
    shared_dir_free(dir);
}

static int count_hits(const char *s, const char *word)
{
    int n = 0;
    for (const char *p = strstr(s, word); p; p = strstr(p + 1, word))
        n++;
    return n;
}

static void test_layout_chunked_deflate(void)
{
    char *dir = shared_dir("h5_layout"), *path = join(dir, "taq_20200806.h5");
    taq_h5_attrs_t a = make_attrs("layout_job", 0);
    int same = 0;
    CU_ASSERT_EQUAL(write_case(path, count_some_empty, &a, &same), TAQ_OK);
    if (my_rank() == 0) {
        char cmd[4200];
        static char out[1 << 16];
        snprintf(cmd, sizeof cmd, "h5dump -p -H '%s'", path);
        CU_ASSERT_EQUAL(capture(cmd, out, sizeof out), 0);
        CU_ASSERT_EQUAL(count_hits(out, "DATASET \""), 4);
        CU_ASSERT_EQUAL(count_hits(out, "CHUNKED"), 4);
        /* the numeric tables at level 1 (h5rle.c), /rejects text at level 6 */
        CU_ASSERT_EQUAL(count_hits(out, "COMPRESSION DEFLATE { LEVEL 1 }"), 3);
        CU_ASSERT_EQUAL(count_hits(out, "COMPRESSION DEFLATE { LEVEL 6 }"), 1);
        CU_ASSERT_EQUAL(count_hits(out, "H5S_UNLIMITED"), 4);
        CU_ASSERT_EQUAL(count_hits(out, "STRSIZE 16;"), 4); /* 3 symbols + reason */
        CU_ASSERT_EQUAL(count_hits(out, "STRSIZE 1024;"), 1);
        CU_ASSERT_EQUAL(count_hits(out, "H5T_STR_NULLPAD"), 12); /* 9 fields + 3 attrs */
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "H5T_STD_I64LE \"event_tm\""));
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "H5T_IEEE_F64LE \"trade_pr\""));
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "ATTRIBUTE \"superseded\""));
        if (CU_get_number_of_failures() > 0)
            fputs(out, stderr); /* show what h5dump said */
    }
    free(path);
    shared_dir_free(dir);
}

/* Reading needs no communication: rank 0 alone tries broken inputs. */
static void test_read_errors(void)
{
    char *dir = shared_dir("h5_read_errors");
    if (my_rank() == 0) {
        taq_h5_date_t d;
        char *missing = join(dir, "absent.h5"), *text = join(dir, "text.h5");
        CU_ASSERT_NOT_EQUAL(taq_h5_read_date(missing, &d), TAQ_OK);
        CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), missing));
        CU_ASSERT_PTR_NULL(d.trade);
        taq_test_write_file(dir, "text.h5", "not hdf5\n", 9);
        CU_ASSERT_NOT_EQUAL(taq_h5_read_date(text, &d), TAQ_OK);
        CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), text));
        fprintf(stderr, "expected failure: %s\n", taq_errmsg());
        CU_ASSERT_PTR_NULL(d.job);
        taq_h5_date_free(&d);
        taq_h5_date_free(NULL);
        free(missing);
        free(text);
    }
    shared_dir_free(dir);
}

/* ---- deflate: h5rle.c writes, zlib reads ------------------------------------ */

static const char *const table_names[T_N] = {"trade", "quote", "quote_final", "rejects"};
static const size_t row_sizes[T_N] = {sizeof(taq_trade_row_t), sizeof(taq_quote_row_t),
                                      sizeof(taq_final_row_t), sizeof(taq_reject_t)};

/* Rows [first, first + n) of `table` in file order (rank by rank); caller frees. */
static unsigned char *expected_rows(int table, count_fn count, size_t first, size_t n)
{
    unsigned char *buf = calloc(n ? n : 1, row_sizes[table]);
    int r = 0;
    size_t i = first;
    for (size_t k = 0; k < n; k++, i++) {
        while (i >= count(table, r))
            i -= count(table, r++);
        void *row = buf + k * row_sizes[table];
        if (table == T_TRADE)
            gen_trade(r, (int64_t)i, row);
        else if (table == T_QUOTE)
            gen_quote(r, (int64_t)i, row);
        else if (table == T_FINAL)
            gen_final(r, (int64_t)i, row);
        else
            gen_reject(r, (int64_t)i, row);
    }
    return buf;
}

/* HDF5's shuffle filter: byte b of element i goes to b * n + i. */
static void shuffle_bytes(const unsigned char *src, unsigned char *dst, size_t n, size_t esz)
{
    for (size_t i = 0; i < n; i++)
        for (size_t b = 0; b < esz; b++)
            dst[b * n + i] = src[i * esz + b];
}

/*
 * Rank 0: chunk k of `table` as stored must inflate with zlib to the shuffled
 * rows, and a full chunk must be exactly the stream of this filter (so the
 * writer really went through it, not HDF5's zlib one): h5rle.c's for the
 * numeric tables (level 1), libdeflate's level 6 for /rejects.
 */
static void check_chunk(const char *path, int table, count_fn count, size_t k)
{
    taq_h5_raw_chunk_t c;
    taq_rc rc = taq_h5_testing_read_chunk(path, table_names[table], k, &c);
    CU_ASSERT_EQUAL(rc, TAQ_OK);
    if (rc != TAQ_OK)
        return;
    const size_t esz = row_sizes[table], total = total_rows(count, table);
    const size_t first = k * c.rows, n = total - first < c.rows ? total - first : c.rows;
    CU_ASSERT_EQUAL(c.filter_mask, 0); /* both shuffle and deflate were applied */
    uLongf zn = (uLongf)(c.rows * esz);
    unsigned char *plain = malloc(zn), *want = expected_rows(table, count, first, n);
    CU_ASSERT_EQUAL(uncompress(plain, &zn, c.bytes, (uLong)c.n), Z_OK);
    CU_ASSERT_EQUAL(zn, c.rows * esz); /* HDF5 filters the last chunk whole too */
    size_t bad = 0;
    for (size_t j = 0; j < n && zn == c.rows * esz; j++)
        for (size_t b = 0; b < esz; b++)
            bad += plain[b * c.rows + j] != want[j * esz + b];
    CU_ASSERT_EQUAL(bad, 0);
    if (n == c.rows) {
        size_t cap = taq_h5_rle_bound(zn), mn = 0;
        unsigned char *mine = malloc(cap);
        shuffle_bytes(want, plain, n, esz);
        if (table == T_REJECTS) {
            struct libdeflate_compressor *lc = libdeflate_alloc_compressor(6);
            mn = libdeflate_zlib_compress(lc, plain, zn, mine, cap);
            libdeflate_free_compressor(lc);
        } else {
            mn = taq_h5_rle_deflate(plain, zn, mine, cap);
        }
        CU_ASSERT(mn == c.n && memcmp(mine, c.bytes, mn) == 0);
        free(mine);
    }
    free(want);
    free(plain);
    free(c.bytes);
}

/* zlib.crc32 of every row of `table`, in file order. */
static unsigned long crc_rows(int table, count_fn count)
{
    size_t n = total_rows(count, table);
    unsigned char *rows = expected_rows(table, count, 0, n);
    unsigned long crc = crc32(crc32(0L, Z_NULL, 0), rows, (uInt)(n * row_sizes[table]));
    free(rows);
    return crc;
}

static void test_deflate_is_zlib(void)
{
    char *dir = shared_dir("h5_zlib"), *path = join(dir, "taq_20200806.h5");
    taq_h5_attrs_t a = make_attrs("zlib_job", 0);
    int same = 0;
    CU_ASSERT_EQUAL(write_case(path, count_chunks, &a, &same), TAQ_OK);
    CU_ASSERT(taq_h5_filters_active());
    if (my_rank() == 0) {
        int multi = 0; /* tables of several chunks */
        for (int t = 0; t < T_N; t++) {
            size_t chunks = 0;
            taq_h5_raw_chunk_t c;
            if (taq_h5_testing_read_chunk(path, table_names[t], 0, &c) == TAQ_OK) {
                chunks = (total_rows(count_chunks, t) + c.rows - 1) / c.rows;
                free(c.bytes);
            }
            CU_ASSERT(chunks >= 1);
            multi += chunks >= 2;
            for (size_t k = 0; k < chunks; k++)
                check_chunk(path, t, count_chunks, k);
        }
        CU_ASSERT(multi >= 2);
        /* h5py inflates with the system zlib: every value must match. */
        char cmd[8192], out[1024], want[1024];
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/python3 -c \"import sys,zlib,h5py\n"
                 "f=h5py.File(sys.argv[1],'r')\n"
                 "print(*[zlib.crc32(f[n][:].tobytes()) for n in sys.argv[2:]])\" '%s' %s %s %s %s",
                 path, table_names[0], table_names[1], table_names[2], table_names[3]);
        CU_ASSERT_EQUAL(capture(cmd, out, sizeof out), 0);
        snprintf(want, sizeof want, "%lu %lu %lu %lu\n", crc_rows(T_TRADE, count_chunks),
                 crc_rows(T_QUOTE, count_chunks), crc_rows(T_FINAL, count_chunks),
                 crc_rows(T_REJECTS, count_chunks));
        CU_ASSERT_STRING_EQUAL(out, want);
    }
    free(path);
    shared_dir_free(dir);
}

/* Run the filter in one direction on a malloc'd copy of src; returns the output size. */
static size_t run_filter(unsigned flags, unsigned level, const void *src, size_t n, void **out)
{
    size_t buf_size = n ? n : 1;
    void *buf = malloc(buf_size);
    memcpy(buf, src, n);
    size_t got = taq_h5_deflate_filter(flags, 1, &level, n, &buf_size, &buf);
    *out = buf;
    return got;
}

/* Inflate a zlib stream of `plain` made by zlib at `level`; must give plain back. */
static void check_inflate(const unsigned char *plain, size_t n, int level)
{
    uLongf zn = compressBound((uLong)n);
    unsigned char *z = malloc(zn);
    CU_ASSERT_EQUAL_FATAL(compress2(z, &zn, plain, (uLong)n, level), Z_OK);
    void *out = NULL;
    size_t got = run_filter(TAQ_H5_FILTER_REVERSE, 0, z, zn, &out);
    CU_ASSERT(got == n && memcmp(out, plain, n) == 0);
    free(out);

    /* A damaged stream (its checksum) fails and leaves the buffer as it was. */
    z[zn - 1] ^= 0x5a;
    got = run_filter(TAQ_H5_FILTER_REVERSE, 0, z, zn, &out);
    CU_ASSERT(got == 0 && memcmp(out, z, zn) == 0);
    free(out);
    got = run_filter(TAQ_H5_FILTER_REVERSE, 0, z, zn / 2, &out); /* truncated */
    CU_ASSERT_EQUAL(got, 0);
    free(out);
    free(z);
}

/* Rank-local: the filter's two directions against zlib, on any data. */
static void test_deflate_filter(void)
{
    const size_t n = (size_t)3 << 20;
    unsigned char *zeros = calloc(n, 1), *noise = malloc(n), *text = malloc(n);
    uint64_t x = 88172645463325252u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        noise[i] = (unsigned char)x;
        text[i] = (unsigned char)("the quick brown fox "[i % 20] + (x % 7 == 0));
    }
    for (int level = 0; level <= 9; level += 3) {
        check_inflate(zeros, n, level); /* ~1000:1, far past any first guess of the size */
        check_inflate(noise, n, level);
        check_inflate(text, n, level);
        check_inflate(text, 10, level);
    }
    check_inflate(zeros, 0, 6);

    /*
     * Compressing: zlib reads it back; incompressible input and a bad level
     * fail cleanly. Level 1 (h5rle.c) sees no 20-byte repeats in the text,
     * only its letters: a bit over half the size, where level 6 halves it.
     */
    const unsigned char *inputs[] = {zeros, text};
    const size_t most[2][2] = {{n / 2, n * 3 / 5}, {n / 2, n / 2}};
    for (int k = 0; k < 4; k++) {
        void *out = NULL;
        const unsigned level = k < 2 ? 1 : 6;
        size_t got = run_filter(0, level, inputs[k % 2], n, &out);
        unsigned char *back = malloc(n);
        uLongf bn = (uLongf)n;
        CU_ASSERT(got > 0 && got < most[k / 2][k % 2]);
        CU_ASSERT(uncompress(back, &bn, out, (uLong)got) == Z_OK && bn == n);
        CU_ASSERT_EQUAL(memcmp(back, inputs[k % 2], n), 0);
        free(back);
        free(out);
    }
    void *out = NULL;
    CU_ASSERT_EQUAL(run_filter(0, 10, text, n, &out), 0);
    CU_ASSERT_EQUAL(memcmp(out, text, n), 0);
    free(out);
    size_t got = run_filter(0, 1, noise, n, &out); /* stored blocks: just over n */
    CU_ASSERT(got == 0 || got > n);
    free(out);
    free(zeros);
    free(noise);
    free(text);
}

/* Level 1 is h5rle.c's stream, byte for byte; other levels are libdeflate's. */
static void test_deflate_levels(void)
{
    const size_t n = (size_t)1 << 20;
    unsigned char *text = malloc(n);
    for (size_t i = 0; i < n; i++)
        text[i] = (unsigned char)("aaaa bbbbbbb fox "[i % 17] + (i % 1009 == 0));
    const size_t cap = taq_h5_rle_bound(n);
    unsigned char *want = malloc(cap);
    void *out = NULL;

    size_t wn = taq_h5_rle_deflate(text, n, want, cap);
    size_t got = run_filter(0, 1, text, n, &out);
    CU_ASSERT(wn > 0 && got == wn && memcmp(out, want, wn) == 0);
    free(out);

    struct libdeflate_compressor *lc = libdeflate_alloc_compressor(6);
    wn = libdeflate_zlib_compress(lc, text, n, want, cap);
    got = run_filter(0, 6, text, n, &out);
    CU_ASSERT(wn > 0 && got == wn && memcmp(out, want, wn) == 0);
    libdeflate_free_compressor(lc);
    free(out);
    free(want);
    free(text);
}

/* ---- h5rle.c alone: zlib and libdeflate inflate it to the input ----------- */

/*
 * Compress src[0, n) with h5rle.c into a buffer of its bound; zlib and
 * libdeflate must inflate exactly src, exactly n bytes. The stream's own
 * size must be room enough and one byte less not (ASan watches both
 * buffers). Returns the stream size.
 */
static size_t rle_roundtrip(const unsigned char *src, size_t n)
{
    const size_t cap = taq_h5_rle_bound(n);
    unsigned char *z = malloc(cap), *back = malloc(n + 1);
    const size_t zn = taq_h5_rle_deflate(src, n, z, cap);
    CU_ASSERT_FATAL(zn >= 8 && zn <= cap); /* header, one block, Adler-32 */

    uLongf bn = (uLongf)n + 1; /* one byte spare: more output than n shows */
    CU_ASSERT_EQUAL(uncompress(back, &bn, z, (uLong)zn), Z_OK);
    CU_ASSERT(bn == n && memcmp(back, src, n) == 0);

    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t dn = 0;
    CU_ASSERT_EQUAL(libdeflate_zlib_decompress(d, z, zn, back, n + 1, &dn), LIBDEFLATE_SUCCESS);
    CU_ASSERT(dn == n && memcmp(back, src, n) == 0);
    libdeflate_free_decompressor(d);

    unsigned char *exact = malloc(zn), *short_by_one = malloc(zn - 1);
    CU_ASSERT(taq_h5_rle_deflate(src, n, exact, zn) == zn && memcmp(exact, z, zn) == 0);
    CU_ASSERT_EQUAL(taq_h5_rle_deflate(src, n, short_by_one, zn - 1), 0);
    free(short_by_one);
    free(exact);
    free(back);
    free(z);
    return zn;
}

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return *x;
}

/* Runs of every length 1..max in turn, alternating two values: every length code and cut. */
static size_t every_run_length(unsigned char *buf, size_t max)
{
    size_t n = 0;
    for (size_t len = 1; len <= max; len++)
        for (size_t k = 0; k < len; k++)
            buf[n++] = len % 2 ? 'a' : 'b';
    return n;
}

static void test_rle_edges(void)
{
    const size_t big = (size_t)3 << 20;
    unsigned char *buf = calloc(big, 1);
    uint64_t x = 88172645463325252u;

    CU_ASSERT_EQUAL(rle_roundtrip(buf, 0), 8); /* one empty fixed block */
    buf[0] = 0x5a;
    CU_ASSERT(rle_roundtrip(buf, 1) <= 2 + 5 + 1 + 4); /* stored */

    /* One value: runs longer than 258 are cut without a piece below 3. */
    memset(buf, 7, big);
    static const size_t same[] = {2,   3,   4,   5,   257, 258, 259, 260,
                                  261, 262, 516, 517, 518, 519, 520};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        rle_roundtrip(buf, same[i]);
    CU_ASSERT(rle_roundtrip(buf, big) < big / 200);

    /* Run boundaries: every length from 1 (a literal) to 600 (3 pieces). */
    rle_roundtrip(buf, every_run_length(buf, 600));

    /* Random bytes: stored blocks, within HDF5's room for a filtered chunk. */
    for (size_t i = 0; i < big; i++)
        buf[i] = (unsigned char)xorshift(&x);
    size_t zn = rle_roundtrip(buf, big);
    CU_ASSERT(zn > big && zn <= big + big / 1000 + 13);

    /* Sizes around the 4 KiB segments, the 64 KiB blocks and stored pieces. */
    for (size_t i = 0; i < big; i++)
        buf[i] = xorshift(&x) % 3 ? buf[i ? i - 1 : 0] : (unsigned char)(x >> 20) % 16;
    static const size_t sizes[] = {4095,  4096,  4097,   8191,   65535, 65536,
                                   65537, 69632, 131071, 196625, 200003};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        rle_roundtrip(buf, sizes[i]);
    free(buf);
}

/*
 * A chunk's pattern: 1 MiB of each table's rows, shuffled as HDF5 stores
 * them, then the same with the last row cut (not a whole number of rows).
 * The test rows repeat with short periods that only LZ77 sees (libdeflate
 * shrinks them up to 20 times more), so the size asked for is only "compressed".
 */
static void test_rle_shuffled_rows(void)
{
    for (int t = 0; t < T_N; t++) {
        const size_t esz = row_sizes[t], rows = ((size_t)1 << 20) / esz, n = rows * esz;
        unsigned char *plain = expected_rows(t, count_chunks, 0, rows);
        unsigned char *shuffled = malloc(n);
        shuffle_bytes(plain, shuffled, rows, esz);
        CU_ASSERT(rle_roundtrip(shuffled, n) < n * 3 / 5); /* /rejects: 0.53, others under 0.2 */
        rle_roundtrip(shuffled, n - esz);
        free(shuffled);
        free(plain);
    }
}

/* Random stretches: noise over small and full alphabets, short and long runs, repeats. */
static void random_input(unsigned char *buf, size_t n, uint64_t *x)
{
    size_t i = 0;
    while (i < n) {
        const uint64_t r = xorshift(x);
        size_t len = 1 + (r >> 8) % (r % 4 == 3 ? 3000 : 40);
        const unsigned alphabet = 1 + (unsigned)(r >> 40) % 256;
        len = len < n - i ? len : n - i;
        for (size_t k = 0; k < len; k++, i++) {
            switch (r % 4) {
            case 0: /* noise */
                buf[i] = (unsigned char)(xorshift(x) % alphabet);
                break;
            case 1: /* noise with short runs */
                buf[i] = i > 0 && xorshift(x) % 3 ? buf[i - 1] : (unsigned char)(*x >> 30);
                break;
            default: /* one run */
                buf[i] = (unsigned char)(r >> 48);
            }
        }
    }
}

/* Many random lengths and run structures (fixed seed): inflate(deflate(x)) == x. */
static void test_rle_random(void)
{
    const size_t max = 300000;
    unsigned char *buf = malloc(max);
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int it = 0; it < 300; it++) {
        const uint64_t r = xorshift(&x);
        const size_t n = r % 8 == 0  ? (r >> 8) % max
                         : r % 8 < 4 ? (r >> 8) % 70000
                                     : (r >> 8) % 600;
        random_input(buf, n, &x);
        rle_roundtrip(buf, n);
    }
    free(buf);
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_roundtrip),
        TAQ_CASE(test_some_ranks_empty),
        TAQ_CASE(test_all_empty),
        TAQ_CASE(test_split_writes),
        TAQ_CASE(test_multi_chunk),
        TAQ_CASE(test_streamed_rows),
        TAQ_CASE(test_missing_dir_fails),
        TAQ_CASE(test_replace_existing),
        TAQ_CASE(test_rename_fails),
        TAQ_CASE(test_one_rank_fails_late),
        TAQ_CASE(test_flushed_while_writing),
        TAQ_CASE(test_flush_failure_fails_write),
        TAQ_CASE(test_python_reads),
        TAQ_CASE(test_layout_chunked_deflate),
        TAQ_CASE(test_read_errors),
        TAQ_CASE(test_deflate_is_zlib),
        TAQ_CASE(test_deflate_filter),
        TAQ_CASE(test_deflate_levels),
        TAQ_CASE(test_rle_edges),
        TAQ_CASE(test_rle_shuffled_rows),
        TAQ_CASE(test_rle_random),
    };
    return taq_test_main(argc, argv, "h5", cases, (int)(sizeof cases / sizeof cases[0]), 1);
}
