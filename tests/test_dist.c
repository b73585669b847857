/*
 * Distribution tests: the real binary at several rank counts must give
 * byte-identical datasets, whatever the cut of the input, the shuffle round
 * size, or how few symbols or files there are; a failure on one rank fails
 * the date on all ranks with one message and no file.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_util.h"
#include "harness.h"

#define LINE 100 /* every line of the crafted file is exactly this long, '\n' included */

/*
 * Line i of a crafted day with nsym symbols, exactly LINE bytes. Every 37th
 * line is a reject; every 41st line corrects the event of line i - 40 (same
 * key, later arrival, other price); the rest are events keyed by their index.
 */
static void make_line(char *out, int i, int nsym)
{
    memset(out, 'x', LINE - 1);
    out[LINE - 1] = '\n';
    if (i % 37 == 5)
        return;
    int e = i % 41 == 7 && i >= 40 ? i - 40 : i;
    int sym = (e * 7) % nsym, secs = 34200 + (e * 13) % 20000;
    const char *kind = e % 10 == 3 ? "T" : "Q";
    char head[128];
    int h = snprintf(head, sizeof head,
                     "2020-08-06,2020-08-06 %s,%s,S%02d,2020-08-06 %02d:%02d:%02d.%03d,%06d,EX%c,",
                     e != i ? "18:00:00" : "09:30:00", kind, sym, secs / 3600, secs / 60 % 60,
                     secs % 60, e % 1000, e + 1, 'A' + e % 2);
    /* Pad the price's fraction so the line is exactly LINE - 1 bytes. */
    int tail = *kind == 'T' ? 4 : 13; /* ",100" or ",100,20.5,100" */
    int frac = LINE - 1 - h - tail - 3;
    char line[LINE + 160];
    if (*kind == 'T')
        snprintf(line, sizeof line, "%s%d.%0*d,100", head, 10 + sym, frac, i);
    else
        snprintf(line, sizeof line, "%s%d.%0*d,100,%d.5,100", head, 10 + sym, frac, i, 20 + sym);
    CU_ASSERT_EQUAL_FATAL(strlen(line), LINE - 1);
    memcpy(out, line, LINE - 1);
}

/* A day in one plain file of n fixed-length lines, plus a previous day. */
static void write_day(const char *dir, int n, int nsym)
{
    char *buf = malloc((size_t)n * LINE);
    for (int i = 0; i < n; i++)
        make_line(buf + (size_t)i * LINE, i, nsym);
    taq_test_write_file(dir, "in/csv/2020-08-06/EXA/big.txt", buf, (size_t)n * LINE);
    free(buf);
    const char *prev = "2020-08-05,2020-08-05 09:30:00,T,S01,2020-08-05 15:00:00,1,EXA,50,1\n"
                       "2020-08-05,2020-08-05 09:30:00,T,S03,2020-08-05 15:00:00,1,EXB,70,1\n";
    taq_test_write_file(dir, "in/csv/2020-08-05/EXA/p.txt", prev, strlen(prev));
}

/* Run at each rank count into out<n>; every file must equal the 1-rank one. */
static void compare_runs(const char *dir, const int *nranks, int k, const char *extra)
{
    for (int i = 0; i < k; i++)
        CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "%s -n %d %s --input in --output out%d %s", TAQ_MPIEXEC,
                                      nranks[i], TAQMPI, nranks[i], extra),
                              0);
    const char *names[] = {"taq_20200805.h5", "taq_20200806.h5"};
    for (int f = 0; f < 2; f++) {
        char sub[16];
        snprintf(sub, sizeof sub, "out%d", nranks[0]);
        taq_h5_date_t ref = e2e_read(dir, sub, names[f]);
        for (int i = 1; i < k; i++) {
            snprintf(sub, sizeof sub, "out%d", nranks[i]);
            taq_h5_date_t d = e2e_read(dir, sub, names[f]);
            CU_ASSERT(e2e_same_day(&ref, &d));
            CU_ASSERT_EQUAL(d.attrs.ranks, nranks[i]);
            taq_h5_date_free(&d);
        }
        taq_h5_date_free(&ref);
    }
}

static void test_one_big_file_every_rank_count(void)
{
    char *dir = taq_test_tmpdir("dist");
    /* 400 lines of 100 bytes: for 2, 4 and 16 ranks every cut falls exactly on a
     * line start; for 3 ranks the cuts fall inside lines. */
    write_day(dir, 400, 20);
    const int n[] = {1, 2, 3, 4, 16};
    compare_runs(dir, n, 5, "");
    taq_h5_date_t d = e2e_read(dir, "out4", "taq_20200806.h5");
    CU_ASSERT_EQUAL(d.attrs.counts.lines, 400);
    CU_ASSERT_EQUAL(d.attrs.counts.rejects, 11); /* i % 37 == 5 for i < 400 */
    CU_ASSERT_EQUAL_FATAL(d.n_rejects, 11);
    for (size_t k = 0; k < d.n_rejects; k++) {
        CU_ASSERT_EQUAL(d.rejects[k].line, (int64_t)(5 + 37 * k + 1));
        CU_ASSERT_STRING_EQUAL(d.rejects[k].reason, "field_count");
    }
    CU_ASSERT_EQUAL(d.attrs.counts.trades + d.attrs.counts.quotes, 389);
    taq_h5_date_free(&d);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_tiny_shuffle_rounds(void)
{
    char *dir = taq_test_tmpdir("dist");
    write_day(dir, 400, 20);
    CU_ASSERT_EQUAL_FATAL(
        e2e_run(dir, "%s -n 1 %s --input in --output ref", TAQ_MPIEXEC, TAQMPI), 0);
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "%s -n 4 %s --input in --output tiny --shuffle-round 1 -vv",
                                  TAQ_MPIEXEC, TAQMPI),
                          0);
    char *log = e2e_log(dir);
    /* One record per destination per round: on the 400-line date a rank sends ~25
     * records to each of 4 ranks, so its exchange takes dozens of rounds, not one
     * (the 2-line date before it takes one or two). */
    long most = 0;
    for (const char *r = strstr(log, " round(s)"); r; r = strstr(r + 1, " round(s)")) {
        const char *d = r;
        while (d > log && d[-1] >= '0' && d[-1] <= '9')
            d--;
        most = atol(d) > most ? atol(d) : most;
    }
    CU_ASSERT(most >= 20);
    free(log);
    taq_h5_date_t a = e2e_read(dir, "ref", "taq_20200806.h5"),
                  b = e2e_read(dir, "tiny", "taq_20200806.h5");
    CU_ASSERT(e2e_same_day(&a, &b));
    taq_h5_date_free(&a);
    taq_h5_date_free(&b);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_one_symbol_day(void)
{
    char *dir = taq_test_tmpdir("dist");
    write_day(dir, 120, 1); /* a single symbol: most ranks own nothing */
    const int n[] = {1, 4};
    compare_runs(dir, n, 2, "");
    taq_test_rmtree(dir);
    free(dir);
}

static void test_more_ranks_than_files(void)
{
    char *dir = e2e_sample_dir();
    CU_ASSERT_EQUAL(e2e_run(dir, "mv data in"), 0);
    const int n[] = {1, 16};
    compare_runs(dir, n, 2, "");
    taq_test_rmtree(dir);
    free(dir);
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* A corrupt gzip file lands on rank 2 of 4: the date fails everywhere, once, with no file. */
static void test_failure_on_one_rank_fails_date(void)
{
    char *dir = taq_test_tmpdir("dist");
    write_day(dir, 400, 20);
    CU_ASSERT_EQUAL(e2e_run(dir, "cp in/csv/2020-08-06/EXA/big.txt in/csv/2020-08-06/EXA/c.txt"), 0);
    const char bad[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03not-deflate-data";
    taq_test_write_file(dir, "in/csv/2020-08-06/EXA/bz.txt.gz", bad, sizeof bad - 1);
    CU_ASSERT_EQUAL(e2e_run(dir, "%s -n 4 %s --input in", TAQ_MPIEXEC, TAQMPI), 1);
    char *log = e2e_log(dir);
    /* Whichever rank claimed the file (taq_claims) reports it: "rank N: " unless N is 0. */
    const char *at = strstr(log, "2020-08-06 failed: ");
    CU_ASSERT_PTR_NOT_NULL(at);
    if (at) {
        at += strlen("2020-08-06 failed: ");
        if (strncmp(at, "rank ", 5) == 0 && at[5] >= '1' && at[5] <= '3' && at[6] == ':')
            at += 8;
        CU_ASSERT_NSTRING_EQUAL(at, "csv/2020-08-06/EXA/bz.txt.gz: corrupt gzip", 42);
    }
    CU_ASSERT_EQUAL(count_of(log, "2020-08-06 failed:"), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "1 date(s) done, 0 skipped, 0 busy, 1 failed"));
    free(log);
    CU_ASSERT_FALSE(e2e_exists(dir, "out/taq_20200806.h5"));
    CU_ASSERT_FALSE(e2e_exists(dir, "out/taq_20200806.h5.tmp"));
    CU_ASSERT_TRUE(e2e_exists(dir, "out/taq_20200805.h5"));
    taq_test_rmtree(dir);
    free(dir);
}

/* A data file that cannot be opened fails its date with a message naming it. */
static void test_unreadable_file_fails_date(void)
{
    char *dir = taq_test_tmpdir("dist");
    write_day(dir, 400, 20);
    CU_ASSERT_EQUAL(e2e_run(dir, "ln -s /nonexistent/gone in/csv/2020-08-06/EXA/zz.txt"), 0);
    CU_ASSERT_EQUAL(e2e_run(dir, "%s -n 3 %s --input in", TAQ_MPIEXEC, TAQMPI), 1);
    char *log = e2e_log(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "cannot open csv/2020-08-06/EXA/zz.txt"));
    CU_ASSERT_EQUAL(count_of(log, "2020-08-06 failed:"), 1);
    free(log);
    CU_ASSERT_FALSE(e2e_exists(dir, "out/taq_20200806.h5"));
    taq_test_rmtree(dir);
    free(dir);
}

/* Value of `key` in a taqgen manifest (key=value lines); -1 when absent. */
static long long manifest(const char *dir, const char *name, const char *key)
{
    char *path = NULL, line[512];
    if (asprintf(&path, "%s/%s", dir, name) < 0)
        abort();
    FILE *f = fopen(path, "r");
    free(path);
    long long v = -1;
    size_t k = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, k) == 0 && line[k] == '=')
            v = atoll(line + k + 1);
    if (f)
        fclose(f);
    return v;
}

/* taqgen days in dir/in: 2020-08-05 gzipped, 2020-08-06 plain with `more` options. */
static void gen_days(const char *dir, int seed, const char *more)
{
    const char *gen = TAQ_BINARY_DIR "/bench/taqgen --quiet --out in --events 30000 --symbols 300"
                                     " --exchanges 4 --files-per-exchange 3";
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "%s --seed %d --date 2020-08-05 --gzip", gen, seed), 0);
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "%s --seed %d --date 2020-08-06 %s", gen, seed, more), 0);
}

/* Two generated days (the first gzip, so whole files move), at 1, 2, 4 and 16 ranks. */
static void test_taqgen_days_every_rank_count(void)
{
    char *dir = taq_test_tmpdir("dist");
    gen_days(dir, 7, "--crlf-share 0.01");
    const int n[] = {1, 2, 4, 16};
    compare_runs(dir, n, 4, "");
    const char *names[] = {"taq_20200805.h5", "taq_20200806.h5"};
    const char *mf[] = {"in/taqgen_20200805.manifest", "in/taqgen_20200806.manifest"};
    for (int i = 0; i < 2; i++) {
        taq_h5_date_t d = e2e_read(dir, "out4", names[i]);
        const taq_counts_t *c = &d.attrs.counts;
        CU_ASSERT_EQUAL(c->lines, manifest(dir, mf[i], "lines"));
        CU_ASSERT_EQUAL(c->trades, manifest(dir, mf[i], "trades"));
        CU_ASSERT_EQUAL(c->quotes, manifest(dir, mf[i], "quotes"));
        CU_ASSERT_EQUAL(c->rejects, manifest(dir, mf[i], "rejects"));
        CU_ASSERT_EQUAL(c->blank, manifest(dir, mf[i], "blank"));
        CU_ASSERT_EQUAL(c->superseded, manifest(dir, mf[i], "superseded"));
        CU_ASSERT_EQUAL((long long)d.n_trade, manifest(dir, mf[i], "final_trades"));
        CU_ASSERT_EQUAL((long long)d.n_quote, manifest(dir, mf[i], "final_quotes"));
        CU_ASSERT_EQUAL(d.n_final, d.n_quote);
        CU_ASSERT(d.n_rejects > 0);
        taq_h5_date_free(&d);
    }
    taq_test_rmtree(dir);
    free(dir);
}

/*
 * --parts 5: every rank's share is read part by part (stream by stream
 * within a part), not in file order, and ranks take over each other's
 * parts; on 1, 2 and 3 ranks the files must still equal a plain 1-rank
 * run's, /rejects order included (the gzip day's whole files stay whole).
 */
static void test_taqgen_days_in_parts(void)
{
    char *dir = taq_test_tmpdir("dist");
    gen_days(dir, 11, "");
    const int one[] = {1};
    compare_runs(dir, one, 1, "");
    const char *names[] = {"taq_20200805.h5", "taq_20200806.h5"};
    for (int r = 1; r <= 3; r++) {
        CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "%s -n %d %s --input in --output parts%d --parts 5 -vv",
                                      TAQ_MPIEXEC, r, TAQMPI, r),
                              0);
        char sub[16];
        snprintf(sub, sizeof sub, "parts%d", r);
        for (int f = 0; f < 2; f++) {
            taq_h5_date_t ref = e2e_read(dir, "out1", names[f]);
            taq_h5_date_t d = e2e_read(dir, sub, names[f]);
            CU_ASSERT(ref.n_rejects > 0);
            CU_ASSERT(e2e_same_day(&ref, &d));
            taq_h5_date_free(&ref);
            taq_h5_date_free(&d);
        }
        /* 4 exchange folders of 3 files, each stream in 5 parts on 1 rank: 28 pieces, not 12. */
        char *log = e2e_log(dir);
        CU_ASSERT_PTR_NOT_NULL(
            strstr(log, r == 1 ? "read 28 of 28 pieces" : "pieces on this rank"));
        free(log);
    }
    taq_test_rmtree(dir);
    free(dir);
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_one_big_file_every_rank_count),
        TAQ_CASE(test_taqgen_days_in_parts),
        TAQ_CASE(test_taqgen_days_every_rank_count),
        TAQ_CASE(test_tiny_shuffle_rounds),
        TAQ_CASE(test_one_symbol_day),
        TAQ_CASE(test_more_ranks_than_files),
        TAQ_CASE(test_failure_on_one_rank_fails_date),
        TAQ_CASE(test_unreadable_file_fails_date),
    };
    return taq_test_main(argc, argv, "dist", cases, (int)(sizeof cases / sizeof cases[0]), 0);
}
