/*
 * End-to-end tests: the real taqmpi binary under real mpiexec, on the
 * bundled sample and on small crafted inputs; outputs are read back from
 * the HDF5 files and checked against values computed outside this project.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "e2e_util.h"
#include "taq/h5.h"

static const taq_final_row_t *find_final(const taq_h5_date_t *d, const char *sym,
                                         const char *exch, int64_t seq)
{
    for (size_t i = 0; i < d->n_final; i++)
        if (strncmp(d->final[i].symbol, sym, TAQ_SYMBOL_LEN) == 0 &&
            strncmp(d->final[i].exchange, exch, TAQ_EXCHANGE_LEN) == 0 &&
            d->final[i].event_seq_nb == seq)
            return &d->final[i];
    return NULL;
}

/* Reference closes (last trade of 2020-08-05), computed outside this project. */
static const struct {
    const char *sym, *exch;
    double close;
} ref_close[] = {
    {"SYMA", "NYSE", 77.78611024375384},   {"SYMA", "NASDAQ", 77.24675705545206},
    {"SYMB", "NYSE", 33.956288411627945},  {"SYMB", "NASDAQ", 35.53726086490686},
    {"SYMC", "NYSE", 160.61949262766208},  {"SYMC", "NASDAQ", 158.0203228348867},
};

static void check_0806(const taq_h5_date_t *d)
{
    CU_ASSERT_STRING_EQUAL(d->attrs.trade_dt, "2020-08-06");
    CU_ASSERT_EQUAL(d->attrs.counts.lines, 600);
    CU_ASSERT_EQUAL(d->attrs.counts.trades, 60);
    CU_ASSERT_EQUAL(d->attrs.counts.quotes, 540);
    CU_ASSERT_EQUAL(d->attrs.counts.rejects, 0);
    CU_ASSERT_EQUAL(d->attrs.counts.blank, 0);
    CU_ASSERT_EQUAL(d->attrs.counts.superseded, 0);
    CU_ASSERT_EQUAL(d->n_trade, 60);
    CU_ASSERT_EQUAL(d->n_quote, 540);
    CU_ASSERT_EQUAL(d->n_rejects, 0);
    CU_ASSERT_EQUAL_FATAL(d->n_final, 540);
    int nyse = 0, nasdaq = 0, nan_trade = 0, bad_equal = 0, bad_close = 0;
    for (size_t i = 0; i < d->n_final; i++) {
        const taq_final_row_t *r = &d->final[i];
        nyse += strcmp(r->exchange, "NYSE") == 0;
        nasdaq += strcmp(r->exchange, "NASDAQ") == 0;
        if (isnan(r->last_trade_pr)) {
            nan_trade++;
            bad_equal += !isnan(r->last_mov_avg_pr);
        } else {
            bad_equal += !e2e_same_double(r->last_mov_avg_pr, r->last_trade_pr);
        }
        for (size_t k = 0; k < sizeof ref_close / sizeof *ref_close; k++)
            if (strcmp(r->symbol, ref_close[k].sym) == 0 &&
                strcmp(r->exchange, ref_close[k].exch) == 0)
                bad_close += !e2e_same_double(r->bid_pr_mv, r->bid_pr - ref_close[k].close) ||
                             !e2e_same_double(r->ask_pr_mv, r->ask_pr - ref_close[k].close);
        if (i > 0) { /* (symbol, exchange, event_tm, seq) order */
            const taq_final_row_t *p = &d->final[i - 1];
            int c = strcmp(p->symbol, r->symbol);
            c = c ? c : strcmp(p->exchange, r->exchange);
            CU_ASSERT(c < 0 || (c == 0 && (p->event_tm < r->event_tm ||
                                           (p->event_tm == r->event_tm &&
                                            p->event_seq_nb < r->event_seq_nb))));
        }
    }
    CU_ASSERT_EQUAL(nyse, 270);
    CU_ASSERT_EQUAL(nasdaq, 270);
    CU_ASSERT_EQUAL(nan_trade, 54);
    CU_ASSERT_EQUAL(bad_equal, 0);
    CU_ASSERT_EQUAL(bad_close, 0);
    const taq_final_row_t *r = find_final(d, "SYMA", "NASDAQ", 11);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    /* 2020-08-06 10:50:52.665 as ns since 1970-01-01 */
    CU_ASSERT_EQUAL(r->event_tm, (int64_t)18480 * 86400000000000 + 39052665000000);
    CU_ASSERT(e2e_same_double(r->last_trade_pr, 78.93245610745132));
    CU_ASSERT(fabs(r->bid_pr_mv - 0.71530613948585) < 1e-12);
}

static void check_0805(const taq_h5_date_t *d)
{
    CU_ASSERT_STRING_EQUAL(d->attrs.trade_dt, "2020-08-05");
    CU_ASSERT_EQUAL(d->attrs.counts.lines, 600);
    CU_ASSERT_EQUAL(d->n_final, 540);
    int not_nan = 0;
    for (size_t i = 0; i < d->n_final; i++)
        not_nan += !isnan(d->final[i].bid_pr_mv) || !isnan(d->final[i].ask_pr_mv);
    CU_ASSERT_EQUAL(not_nan, 0);
}

static void test_sample_default_run(void)
{
    char *dir = e2e_sample_dir();
    /* No options at all: data/ -> out/ in the current folder. */
    CU_ASSERT_EQUAL(e2e_run(dir, "%s -n 2 %s", TAQ_MPIEXEC, TAQMPI), 0);
    char *log = e2e_log(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "lines 600 = trades 60 + quotes 540 + rejects 0 + blank 0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "2 date(s) done, 0 skipped"));
    free(log);
    CU_ASSERT_FALSE(e2e_exists(dir, "out/taq_20200806.h5.tmp"));
    taq_h5_date_t d5 = e2e_read(dir, "out", "taq_20200805.h5"), d6 = e2e_read(dir, "out", "taq_20200806.h5");
    check_0805(&d5);
    check_0806(&d6);
    CU_ASSERT_STRING_EQUAL(d6.attrs.job, "taq");
    CU_ASSERT_EQUAL(d6.attrs.ranks, 2);
    taq_h5_date_free(&d5);
    taq_h5_date_free(&d6);
    /* The tracker journal says both dates succeeded. */
    CU_ASSERT_EQUAL(e2e_run(dir, "%s status", TAQMPI), 0);
    log = e2e_log(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "taq_2020-08-05"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "taq_2020-08-06"));
    CU_ASSERT_PTR_NULL(strstr(log, "failed"));
    free(log);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_readme_python_snippet(void)
{
    char *dir = e2e_sample_dir();
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "%s -n 1 %s", TAQ_MPIEXEC, TAQMPI), 0);
    /* The three lines README.md shows for reading the output from Python. */
    CU_ASSERT_EQUAL(e2e_run(dir, "/usr/bin/python3 -c \"import h5py, pandas; "
                             "f = h5py.File('out/taq_20200806.h5', 'r'); "
                             "df = pandas.DataFrame(f['quote_final'][:]); "
                             "assert len(df) == 540, len(df); "
                             "assert df['last_trade_pr'].isna().sum() == 54; "
                             "assert f.attrs['lines'] == 600; print(df.head())\""),
                    0);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_rerun_skips_force_reruns(void)
{
    char *dir = e2e_sample_dir();
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "%s -n 1 %s", TAQ_MPIEXEC, TAQMPI), 0);
    CU_ASSERT_EQUAL(e2e_run(dir, "%s -n 2 %s", TAQ_MPIEXEC, TAQMPI), 0);
    char *log = e2e_log(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "0 date(s) done, 2 skipped"));
    free(log);
    CU_ASSERT_EQUAL(e2e_run(dir, "%s -n 2 %s --force --date-range 2020-08-06", TAQ_MPIEXEC, TAQMPI),
                    0);
    log = e2e_log(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "1 date(s) done, 0 skipped"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "reading previous date 2020-08-05"));
    free(log);
    taq_h5_date_t d6 = e2e_read(dir, "out", "taq_20200806.h5");
    check_0806(&d6);
    taq_h5_date_free(&d6);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_rank_count_does_not_change_answer(void)
{
    char *dir = e2e_sample_dir();
    /* A reject and a correction make the comparison cover every dataset. */
    const char *extra = "2020-08-06,2020-08-06 17:00:00.0,T,SYMA,2020-08-06 10:49:37.345,10,"
                        "NYSE,1.5,100\nnot,a,line\n";
    taq_test_write_file(dir, "data/csv/2020-08-06/NYSE/part-99.txt", extra, strlen(extra));
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "%s -n 1 %s --output out1", TAQ_MPIEXEC, TAQMPI), 0);
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "%s -n 2 %s --output out2", TAQ_MPIEXEC, TAQMPI), 0);
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "%s -n 3 %s --output out3", TAQ_MPIEXEC, TAQMPI), 0);
    const char *names[] = {"taq_20200805.h5", "taq_20200806.h5"};
    for (int i = 0; i < 2; i++) {
        taq_h5_date_t d[3];
        for (int k = 0; k < 3; k++) {
            char *p = NULL;
            if (asprintf(&p, "%s/out%d/%s", dir, k + 1, names[i]) < 0)
                abort();
            CU_ASSERT_EQUAL_FATAL(taq_h5_read_date(p, &d[k]), TAQ_OK);
            free(p);
        }
        CU_ASSERT(e2e_same_day(&d[0], &d[1]));
        CU_ASSERT(e2e_same_day(&d[0], &d[2]));
        CU_ASSERT_EQUAL(d[2].attrs.ranks, 3);
        if (i == 1) {
            CU_ASSERT_EQUAL(d[0].n_rejects, 1);
            CU_ASSERT_EQUAL(d[0].attrs.counts.superseded, 1);
        }
        for (int k = 0; k < 3; k++)
            taq_h5_date_free(&d[k]);
    }
    taq_test_rmtree(dir);
    free(dir);
}

static void test_corrupt_gz_fails_only_its_date(void)
{
    char *dir = e2e_sample_dir();
    /* A gzip header followed by garbage: corrupt. */
    const char bad[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-not-deflate";
    taq_test_write_file(dir, "data/json/2020-08-06/NASDAQ/part-bad.txt.gz", bad, sizeof bad - 1);
    CU_ASSERT_EQUAL(e2e_run(dir, "%s -n 2 %s", TAQ_MPIEXEC, TAQMPI), 1);
    char *log = e2e_log(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "json/2020-08-06/NASDAQ/part-bad.txt.gz"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "1 date(s) done, 0 skipped, 0 busy, 1 failed"));
    free(log);
    CU_ASSERT_TRUE(e2e_exists(dir, "out/taq_20200805.h5"));
    CU_ASSERT_FALSE(e2e_exists(dir, "out/taq_20200806.h5"));
    CU_ASSERT_FALSE(e2e_exists(dir, "out/taq_20200806.h5.tmp"));
    CU_ASSERT_EQUAL(e2e_run(dir, "%s status --date-range 2020-08-06", TAQMPI), 0);
    log = e2e_log(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "failed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "part-bad.txt.gz"));
    free(log);
    /* Fix the input: the failed date runs again without --force, the good one is skipped. */
    CU_ASSERT_EQUAL(e2e_run(dir, "rm data/json/2020-08-06/NASDAQ/part-bad.txt.gz"), 0);
    CU_ASSERT_EQUAL(e2e_run(dir, "%s -n 2 %s", TAQ_MPIEXEC, TAQMPI), 0);
    log = e2e_log(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "1 date(s) done, 1 skipped"));
    free(log);
    taq_h5_date_t d6 = e2e_read(dir, "out", "taq_20200806.h5");
    check_0806(&d6);
    taq_h5_date_free(&d6);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_corrupt_previous_date_fails_current(void)
{
    char *dir = e2e_sample_dir();
    const char bad[] = "\x1f\x8b\x08\x00\x00\x00";
    taq_test_write_file(dir, "data/csv/2020-08-05/NYSE/part-z.txt.gz", bad, sizeof bad - 1);
    CU_ASSERT_EQUAL(e2e_run(dir, "%s -n 2 %s --date-range 2020-08-06,2020-08-06", TAQ_MPIEXEC, TAQMPI),
                    1);
    char *log = e2e_log(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "previous date 2020-08-05"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "csv/2020-08-05/NYSE/part-z.txt.gz"));
    free(log);
    CU_ASSERT_FALSE(e2e_exists(dir, "out/taq_20200806.h5"));
    CU_ASSERT_FALSE(e2e_exists(dir, "out/taq_20200805.h5"));
    taq_test_rmtree(dir);
    free(dir);
}

static void test_usage_and_config_errors(void)
{
    char *dir = taq_test_tmpdir("e2e");
    CU_ASSERT_EQUAL(e2e_run(dir, "%s -n 2 %s --no-such-option", TAQ_MPIEXEC, TAQMPI), 2);
    char *log = e2e_log(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "--no-such-option"));
    free(log);
    CU_ASSERT_EQUAL(e2e_run(dir, "%s -n 2 %s --input missing-folder", TAQ_MPIEXEC, TAQMPI), 2);
    log = e2e_log(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "missing-folder"));
    free(log);
    CU_ASSERT_EQUAL(e2e_run(dir, "%s --help", TAQMPI), 0);
    log = e2e_log(dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "--date-range FIRST,LAST"));
    free(log);
    taq_test_rmtree(dir);
    free(dir);
}

/*
 * A crafted input exercising the semantics end to end: corrections (latest
 * arrival wins; equal arrival: later line, then later file path), a trade
 * fixed by a gzip file, trades sharing a timestamp, the inclusive 30-minute
 * window, seq deciding between a trade and a quote at one time, a quote
 * before any trade, rejects, a blank line, CRLF, and a gap in dates (the
 * previous close comes from 2020-08-03, outside --date-range).
 */
static void test_crafted_semantics(void)
{
    char *dir = taq_test_tmpdir("e2e");
    const char *prev =
        "2020-08-03,2020-08-03 09:00:00,T,SYMX,2020-08-03 15:59:00.000,7,EXA,10.0,1\n"
        "2020-08-03,2020-08-03 09:00:00,T,SYMX,2020-08-03 15:00:00.000,9,EXA,9.0,1\n"
        "2020-08-03,2020-08-03 18:00:00,T,SYMX,2020-08-03 15:59:00.000,7,EXA,11.0,1\n";
    const char *a =
        "2020-08-06,2020-08-06 09:00:00,T,SYMX,2020-08-06 09:30:00,1,EXA,100,10\r\n"
        "\r\n"
        "2020-08-06,2020-08-06 09:00:00,T,SYMX,2020-08-06 09:45:00.000000000,2,EXA,110,10\r\n"
        "2020-08-06,2020-08-06 09:00:00,T,SYMX,2020-08-06 10:00:00.0,3,EXA,120,10\n"
        "2020-08-06,2020-08-06 09:00:00,T,SYMX,2020-08-06 10:00:00,4,EXA,130,10\n"
        "2020-08-06,2020-08-06 09:00:00,Q,SYMX,2020-08-06 09:29:59.999,0,EXA,99,5,100,5\n"
        "2020-08-06,2020-08-06 09:00:00,Q,SYMX,2020-08-06 09:45:00,1,EXA,105,5,106,5\n"
        "2020-08-06,2020-08-06 09:00:00,Q,SYMX,2020-08-06 10:00:00,3,EXA,118,5,119,5\n"
        "2020-08-06,2020-08-06 09:00:00,Q,SYMX,2020-08-06 10:00:00,4,EXA,1,5,2,5\n"
        "2020-08-06,2020-08-06 09:00:00,Q,SYMX,2020-08-06 10:00:00,4,EXA,128,5,129,5\n"
        "2020-08-06,2020-08-06 09:00:00,Q,SYMX,2020-08-06 10:31:00,5,EXA,7,5,8,5\n"
        "2020-08-06,2020-08-06 09:00:00,X,SYMX,2020-08-06 10:00:00,4,EXA,1,5\n"
        "2020-08-05,2020-08-05 09:00:00,T,SYMX,2020-08-05 10:00:00,4,EXA,1,5";
    const char *b = "{\"trade_dt\":\"2020-08-06\",\"file_tm\":\"2020-08-06 09:00:00\","
                    "\"event_type\":\"Q\",\"symbol\":\"SYMX\",\"event_tm\":\"2020-08-06 10:31:00\","
                    "\"event_seq_nb\":5,\"exchange\":\"EXA\",\"bid_pr\":131,\"bid_size\":5,"
                    "\"ask_pr\":132,\"ask_size\":5}\n";
    const char *c = "2020-08-06,2020-08-06 12:00:00,T,SYMX,2020-08-06 09:45:00,2,EXA,140,10\n";
    taq_test_write_file(dir, "in/csv/2020-08-03/EXA/p.txt", prev, strlen(prev));
    taq_test_write_file(dir, "in/csv/2020-08-06/EXA/a.txt", a, strlen(a));
    taq_test_write_file(dir, "in/json/2020-08-06/EXA/b.txt", b, strlen(b));
    taq_test_write_file(dir, "c.txt", c, strlen(c));
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "gzip -c c.txt > in/csv/2020-08-06/EXA/c.txt.gz"), 0);
    CU_ASSERT_EQUAL_FATAL(
        e2e_run(dir, "%s -n 2 %s --input in --date-range 2020-08-06,2020-08-06", TAQ_MPIEXEC, TAQMPI),
        0);
    CU_ASSERT_FALSE(e2e_exists(dir, "out/taq_20200803.h5"));
    taq_h5_date_t d = e2e_read(dir, "out", "taq_20200806.h5");
    const taq_counts_t *k = &d.attrs.counts;
    CU_ASSERT_EQUAL(k->lines, 15);
    CU_ASSERT_EQUAL(k->trades, 5);
    CU_ASSERT_EQUAL(k->quotes, 7);
    CU_ASSERT_EQUAL(k->rejects, 2);
    CU_ASSERT_EQUAL(k->blank, 1);
    CU_ASSERT_EQUAL(k->superseded, 3);
    CU_ASSERT_EQUAL_FATAL(d.n_trade, 4);
    const double tp[4] = {100, 140, 120, 130}, ta[4] = {100, 120, 122.5, 122.5};
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(d.trade[i].event_seq_nb, i + 1);
        CU_ASSERT(e2e_same_double(d.trade[i].trade_pr, tp[i]));
        CU_ASSERT(e2e_same_double(d.trade[i].mov_avg_pr, ta[i]));
    }
    CU_ASSERT_EQUAL(d.trade[1].arrival_tm, (int64_t)18480 * 86400000000000 + 43200000000000);
    CU_ASSERT_EQUAL_FATAL(d.n_final, 5);
    CU_ASSERT_EQUAL_FATAL(d.n_quote, 5);
    const int64_t qs[5] = {0, 1, 3, 4, 5};
    const double bid[5] = {99, 105, 118, 128, 131}, last[5] = {NAN, 100, 120, 130, 130},
                 avg[5] = {NAN, 100, 122.5, 122.5, 122.5};
    for (int i = 0; i < 5; i++) {
        const taq_final_row_t *r = &d.final[i];
        CU_ASSERT_EQUAL(r->event_seq_nb, qs[i]);
        CU_ASSERT(e2e_same_double(r->bid_pr, bid[i]));
        CU_ASSERT(e2e_same_double(d.quote[i].bid_pr, bid[i]));
        CU_ASSERT(e2e_same_double(r->last_trade_pr, last[i]));
        CU_ASSERT(e2e_same_double(r->last_mov_avg_pr, avg[i]));
        CU_ASSERT(e2e_same_double(r->bid_pr_mv, bid[i] - 11.0));
        CU_ASSERT(e2e_same_double(r->ask_pr_mv, bid[i] + 1 - 11.0));
    }
    CU_ASSERT_EQUAL_FATAL(d.n_rejects, 2);
    CU_ASSERT_STRING_EQUAL(d.rejects[0].file, "csv/2020-08-06/EXA/a.txt");
    CU_ASSERT_EQUAL(d.rejects[0].line, 12);
    CU_ASSERT_STRING_EQUAL(d.rejects[0].reason, "unknown_type");
    CU_ASSERT_EQUAL(d.rejects[1].line, 13);
    CU_ASSERT_STRING_EQUAL(d.rejects[1].reason, "date_mismatch");
    CU_ASSERT_EQUAL(strncmp(d.rejects[1].text, "2020-08-05,2020-08-05 09:00:00,T", 32), 0);
    taq_h5_date_free(&d);
    taq_test_rmtree(dir);
    free(dir);
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_sample_default_run),
        TAQ_CASE(test_readme_python_snippet),
        TAQ_CASE(test_rerun_skips_force_reruns),
        TAQ_CASE(test_rank_count_does_not_change_answer),
        TAQ_CASE(test_corrupt_gz_fails_only_its_date),
        TAQ_CASE(test_corrupt_previous_date_fails_current),
        TAQ_CASE(test_usage_and_config_errors),
        TAQ_CASE(test_crafted_semantics),
    };
    return taq_test_main(argc, argv, "e2e", cases, (int)(sizeof cases / sizeof cases[0]), 0);
}
