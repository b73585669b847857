/*
 * Fault tests: the real taqmpi binary under mpiexec, made to fail the way a
 * nightly job can (a rank killed, the output disk full, the tracker's server
 * stopped, hostile lines), and checked for what must hold afterwards: no
 * output file that looks finished, a tracker row that never says `success`
 * wrongly, clear errors, and a next run that recovers with identical output.
 *
 * The crashes come from the TAQ_FAULT test hook (include/taq/fault.h). Every
 * mpiexec runs under `timeout 120`, so a hang fails the case (status 124)
 * instead of stalling ctest.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e_util.h"
#include "harness.h"
#include "taq/h5.h"

#define TIMEOUT "timeout 120 "
#define DAY6 "--date-range 2020-08-06,2020-08-06"
#define FAULT_PG_PORT 54420 /* first port tried for this suite's own server */

/* The tracker row of job_id in `taqmpi status` output: its status and attempt. 0 if absent. */
static int status_row(const char *log, const char *job_id, char status[16], int *attempt)
{
    size_t n = strlen(job_id);
    for (const char *l = log; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, job_id, n) == 0 && l[n] == ' ')
            return sscanf(l + n, " %15s %d", status, attempt) == 2;
    }
    return 0;
}

/* Run `taqmpi status EXTRA` in dir and return the row of job_id. */
static void check_row(const char *dir, const char *extra, const char *job_id,
                      const char *want_status, int want_attempt)
{
    CU_ASSERT_EQUAL(e2e_run(dir, "%s status %s", TAQMPI, extra), 0);
    char *log = e2e_log(dir), st[16] = "";
    int attempt = -1;
    if (!status_row(log, job_id, st, &attempt)) {
        CU_FAIL("no tracker row in `taqmpi status`");
        fprintf(stderr, "no row %s in:\n%s\n", job_id, log);
        free(log);
        return;
    }
    CU_ASSERT_STRING_EQUAL(st, want_status);
    CU_ASSERT_EQUAL(attempt, want_attempt);
    if (strcmp(st, want_status) != 0 || attempt != want_attempt)
        fprintf(stderr, "status of %s: want %s/%d, got:\n%s\n", job_id, want_status,
                want_attempt, log);
    free(log);
}

static int log_has(const char *dir, const char *what)
{
    char *log = e2e_log(dir);
    int ok = strstr(log, what) != NULL;
    if (!ok)
        fprintf(stderr, "log of %s lacks \"%s\":\n%s\n", dir, what, log);
    free(log);
    return ok;
}

/* Names in dir/sub starting with "taq_" and containing ".h5" (final or .tmp). */
static int count_h5(const char *dir, const char *sub)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", dir, sub) < 0)
        abort();
    DIR *d = opendir(p);
    free(p);
    int n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strncmp(e->d_name, "taq_", 4) == 0 && strstr(e->d_name, ".h5") != NULL;
    closedir(d);
    return n;
}

/* out/taq_20200806.h5 equals a clean run's of the same ranks (into dir/clean). */
static void check_same_as_clean(const char *dir, int ranks, const char *extra)
{
    if (e2e_run(dir, TIMEOUT "%s -n %d %s %s --output clean --job clean %s", TAQ_MPIEXEC, ranks,
                TAQMPI, DAY6, extra) != 0) {
        CU_FAIL("the clean run failed");
        return;
    }
    taq_h5_date_t a = e2e_read(dir, "out", "taq_20200806.h5");
    taq_h5_date_t b = e2e_read(dir, "clean", "taq_20200806.h5");
    CU_ASSERT_EQUAL(a.n_final, 540);
    CU_ASSERT(e2e_same_day(&a, &b));
    taq_h5_date_free(&a);
    taq_h5_date_free(&b);
}

/*
 * Rank 1 of `ranks` SIGKILLs itself at `point` while 2020-08-06 is processed
 * (journal tracker). Then: mpiexec fails promptly, nothing looks finished,
 * the row stays `running`; the next run takes it over and writes the same
 * file as a clean run.
 */
static void kill_case(const char *point, int ranks)
{
    char *dir = e2e_sample_dir();
    int rc = e2e_run(dir, "TAQ_FAULT=kill:%s:1 " TIMEOUT "%s -n %d %s %s", point, TAQ_MPIEXEC,
                     ranks, TAQMPI, DAY6);
    CU_ASSERT_NOT_EQUAL(rc, 0);
    CU_ASSERT_NOT_EQUAL(rc, 124); /* not a hang */
    char want[64];
    snprintf(want, sizeof want, "fault: rank 1 killing itself at %s", point);
    CU_ASSERT(log_has(dir, want));
    /* A leftover out/taq_20200806.h5.tmp is allowed; the final name is not. */
    CU_ASSERT_FALSE(e2e_exists(dir, "out/taq_20200806.h5"));
    check_row(dir, "", "taq_2020-08-06", "running", 1);

    CU_ASSERT_EQUAL(e2e_run(dir, TIMEOUT "%s -n %d %s %s", TAQ_MPIEXEC, ranks, TAQMPI, DAY6), 0);
    CU_ASSERT(log_has(dir, "taking over a 'running' row"));
    CU_ASSERT(log_has(dir, "1 date(s) done"));
    CU_ASSERT_TRUE(e2e_exists(dir, "out/taq_20200806.h5"));
    CU_ASSERT_FALSE(e2e_exists(dir, "out/taq_20200806.h5.tmp"));
    check_row(dir, "", "taq_2020-08-06", "success", 2);
    check_same_as_clean(dir, ranks, "");
    taq_test_rmtree(dir);
    free(dir);
}

static void test_kill_write_np2(void) { kill_case("write", 2); }
static void test_kill_write_np3(void) { kill_case("write", 3); }
static void test_kill_read_np2(void) { kill_case("read", 2); }
static void test_kill_shuffle_np3(void) { kill_case("shuffle", 3); }

/*
 * --output on a 200 KiB tmpfs and a ~3 MB day: the write fails with a
 * message naming the file, nothing named taq_*.h5* is left, the date is
 * `failed` (the journal's own rows are small and fit).
 */
static void test_output_full(void)
{
    char *dir = taq_test_tmpdir("faults");
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "%s/bench/taqgen --out in --date 2020-08-10 --events 20000 "
                                       "--quiet", TAQ_BINARY_DIR), 0);
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "mkdir full"), 0);
    if (e2e_run(dir, "mount -t tmpfs -o size=200k tmpfs full") != 0) {
        char *log = e2e_log(dir);
        fprintf(stderr, "test_output_full: cannot mount a tmpfs (needs root): %s\n", log);
        free(log);
        CU_FAIL_FATAL("cannot mount a small tmpfs for the disk-full test");
    }
    int rc = e2e_run(dir, TIMEOUT "%s -n 2 %s --input in --output full", TAQ_MPIEXEC, TAQMPI);
    char *log = e2e_log(dir);
    int n_h5 = count_h5(dir, "full");
    int has_name = strstr(log, "full/taq_20200810.h5.tmp") != NULL;
    int has_failed = strstr(log, "2020-08-10 failed: cannot write") != NULL &&
                     strstr(log, "full: no space left on device") != NULL;
    /* status before unmounting: the journal lives on the tmpfs */
    int src = e2e_run(dir, "%s status --output full", TAQMPI);
    char *slog = e2e_log(dir), st[16] = "";
    int attempt = 0, found = status_row(slog, "taq_2020-08-10", st, &attempt);
    int um = e2e_run(dir, "umount full || umount -l full");
    CU_ASSERT_EQUAL(um, 0);
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_EQUAL(n_h5, 0);
    CU_ASSERT(has_name);
    CU_ASSERT(has_failed);
    if (!has_name || !has_failed)
        fprintf(stderr, "run log:\n%s\n", log);
    CU_ASSERT_EQUAL(src, 0);
    CU_ASSERT(found);
    CU_ASSERT_STRING_EQUAL(st, "failed");
    CU_ASSERT_EQUAL(attempt, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(slog, "error: cannot write"));
    free(slog);
    free(log);
    if (um == 0)
        taq_test_rmtree(dir);
    free(dir);
}

/*
 * --output on a read-only tmpfs: the journal cannot be opened there, so the
 * run stops before any date with a configuration error naming the folder.
 */
static void test_output_read_only(void)
{
    char *dir = e2e_sample_dir();
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "mkdir ro"), 0);
    if (e2e_run(dir, "mount -t tmpfs -o size=200k,ro tmpfs ro") != 0)
        CU_FAIL_FATAL("cannot mount a read-only tmpfs for the unwritable-output test");
    int rc = e2e_run(dir, TIMEOUT "%s -n 2 %s --output ro", TAQ_MPIEXEC, TAQMPI);
    char *log = e2e_log(dir);
    int n_h5 = count_h5(dir, "ro");
    int um = e2e_run(dir, "umount ro || umount -l ro");
    CU_ASSERT_EQUAL(um, 0);
    CU_ASSERT_EQUAL(rc, 2);
    CU_ASSERT_EQUAL(n_h5, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "ro/"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "Read-only file system"));
    if (rc != 2 || !strstr(log, "Read-only file system"))
        fprintf(stderr, "run log:\n%s\n", log);
    free(log);
    if (um == 0)
        taq_test_rmtree(dir);
    free(dir);
}

/* ---- PostgreSQL stopped in the middle of a run -------------------------------- */

static char *read_text(const char *dir, const char *rel)
{
    char *p = NULL, *text = NULL;
    if (asprintf(&p, "%s/%s", dir, rel) < 0)
        abort();
    FILE *f = fopen(p, "r");
    free(p);
    if (!f)
        return NULL;
    size_t cap = 0;
    if (getdelim(&text, &cap, '\0', f) < 0) {
        free(text);
        text = strdup("");
    }
    fclose(f);
    return text;
}

/* Wait up to secs for dir/rel to exist and contain `what` (NULL: anything). */
static int wait_for(const char *dir, const char *rel, const char *what, int secs)
{
    for (int i = 0; i < secs * 10; i++) {
        char *t = read_text(dir, rel);
        int ok = t && (!what || strstr(t, what)) && (what || *t);
        free(t);
        if (ok)
            return 1;
        usleep(100000);
    }
    return 0;
}

/*
 * A dedicated server (this case halts it, so it cannot share the test_pg
 * fixture's). Rank 0 pauses after the HDF5 data is written, the server is
 * stopped meanwhile: the file is renamed into place, but recording the
 * success fails, so the run must exit 1, count the date failed and leave
 * the row `running` (never `success` without the row). With the server back,
 * the next run takes the row over and writes the same file as a clean run.
 */
static void test_pg_stopped_mid_run(void)
{
#ifndef TAQ_WITH_TRACKER
    CU_FAIL("built without the PostgreSQL tracker");
#else
    char *dir = e2e_sample_dir();
    const char *script = TAQ_SOURCE_DIR "/tests/pg_server.sh";
    if (e2e_run(dir, "sh '%s' start '%s/pg.state' %d", script, dir, FAULT_PG_PORT) != 0) {
        char *log = e2e_log(dir);
        fprintf(stderr, "cannot start a PostgreSQL server:\n%s\n", log);
        free(log);
        CU_FAIL("cannot start this case's PostgreSQL server");
        e2e_run(dir, "sh '%s' stop '%s/pg.state'", script, dir);
        free(dir);
        return;
    }
    char *state = read_text(dir, "pg.state");
    char sock[1024] = "";
    int port = 0;
    CU_ASSERT(state && sscanf(state, "%1023s %d", sock, &port) == 2);
    free(state);
    char ci[1200];
    snprintf(ci, sizeof ci, "host=%s port=%d dbname=postgres user=postgres", sock, port);
    char tr[1300];
    snprintf(tr, sizeof tr, "--tracker '%s'", ci);

    CU_ASSERT_EQUAL(e2e_run(dir, "(TAQ_FAULT=pause:write:0:8 " TIMEOUT "%s -n 2 %s %s %s "
                                 "> run.log 2>&1; echo $? > run.rc) &",
                            TAQ_MPIEXEC, TAQMPI, tr, DAY6), 0);
    int paused = wait_for(dir, "run.log", "fault: pausing at write", 60);
    CU_ASSERT(paused);
    CU_ASSERT_EQUAL(e2e_run(dir, "sh '%s' halt '%s/pg.state'", script, dir), 0);
    int ended = wait_for(dir, "run.rc", NULL, 150);
    CU_ASSERT(ended);
    char *rcs = read_text(dir, "run.rc"), *log = read_text(dir, "run.log");
    CU_ASSERT(rcs && atoi(rcs) == 1);
    CU_ASSERT(log && strstr(log, "could not record its success"));
    CU_ASSERT(log && strstr(log, "0 date(s) done, 0 skipped, 0 busy, 1 failed"));
    CU_ASSERT(log && !strstr(log, "1 date(s) done"));
    if (!rcs || atoi(rcs) != 1 || !log || !strstr(log, "could not record its success"))
        fprintf(stderr, "rc %s, run log:\n%s\n", rcs ? rcs : "?", log ? log : "");
    free(rcs);
    free(log);
    /* The file was renamed before the tracker failed: it exists, the row is not success. */
    CU_ASSERT_TRUE(e2e_exists(dir, "out/taq_20200806.h5"));

    CU_ASSERT_EQUAL(e2e_run(dir, "sh '%s' resume '%s/pg.state'", script, dir), 0);
    check_row(dir, tr, "taq_2020-08-06", "running", 1);
    CU_ASSERT_EQUAL(e2e_run(dir, TIMEOUT "%s -n 2 %s %s %s", TAQ_MPIEXEC, TAQMPI, tr, DAY6), 0);
    CU_ASSERT(log_has(dir, "taking over a 'running' row"));
    CU_ASSERT_FALSE(e2e_exists(dir, "out/taq_20200806.h5.tmp"));
    check_row(dir, tr, "taq_2020-08-06", "success", 2);
    check_same_as_clean(dir, 2, "");
    CU_ASSERT_EQUAL(e2e_run(dir, "sh '%s' stop '%s/pg.state'", script, dir), 0);
    taq_test_rmtree(dir);
    free(dir);
#endif
}

/* ---- hostile lines through the binary ------------------------------------------ */

#define BIG_LINE ((size_t)10 << 20)

/* Append `line` and a '\n' to the buffer; len counts bytes (the line may hold NULs). */
static void put_line(char **buf, size_t *len, const char *line, size_t n)
{
    *buf = realloc(*buf, *len + n + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*buf);
    memcpy(*buf + *len, line, n);
    (*buf)[*len + n] = '\n';
    *len += n + 1;
}
#define PUT(b, l, s) put_line(b, l, s, sizeof(s) - 1)

/* One 10 MB line: `prefix` then 'x' up to BIG_LINE bytes. */
static void put_big(char **buf, size_t *len, const char *prefix)
{
    char *big = malloc(BIG_LINE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 'x', BIG_LINE);
    memcpy(big, prefix, strlen(prefix));
    put_line(buf, len, big, BIG_LINE);
    free(big);
}

static const struct {
    const char *file;
    int64_t line;
    const char *reason;
} want_rejects[] = {
    {"csv/2020-08-10/NYSE/a.txt", 2, "line_too_long"},
    {"csv/2020-08-10/NYSE/a.txt", 3, "bad_symbol"},   /* NUL in the symbol */
    {"csv/2020-08-10/NYSE/a.txt", 4, "bad_symbol"},   /* invalid UTF-8 in the symbol */
    {"csv/2020-08-10/NYSE/a.txt", 5, "bad_number"},   /* size 2^63 */
    {"csv/2020-08-10/NYSE/a.txt", 6, "bad_number"},   /* price 1e309 */
    {"json/2020-08-10/NASDAQ/b.txt", 2, "line_too_long"},
    {"json/2020-08-10/NASDAQ/b.txt", 3, "bad_json"},  /* raw NUL inside a JSON string */
    {"json/2020-08-10/NASDAQ/b.txt", 4, "bad_json"},  /* invalid UTF-8: not JSON text (RFC 8259) */
    {"json/2020-08-10/NASDAQ/b.txt", 5, "bad_number"},
    {"json/2020-08-10/NASDAQ/b.txt", 6, "bad_number"},
};

static void test_hostile_lines(void)
{
    char *dir = taq_test_tmpdir("faults");
    char *csv = NULL, *js = NULL;
    size_t nc = 0, nj = 0;
    PUT(&csv, &nc, "2020-08-10,2020-08-10 09:30:00.0,T,SYMA,2020-08-10 10:00:00.000,1,NYSE,10.5,100");
    put_big(&csv, &nc, "2020-08-10,2020-08-10 09:30:00.0,T,SYMA,2020-08-10 10:00:00.000,2,NYSE,");
    PUT(&csv, &nc, "2020-08-10,2020-08-10 09:30:00.0,T,SY\0A,2020-08-10 10:00:00.000,3,NYSE,10.5,100");
    PUT(&csv, &nc, "2020-08-10,2020-08-10 09:30:00.0,T,SY\xff\xfe" "A,2020-08-10 10:00:00.000,4,NYSE,10.5,100");
    PUT(&csv, &nc, "2020-08-10,2020-08-10 09:30:00.0,T,SYMA,2020-08-10 10:00:00.000,5,NYSE,10.5,9223372036854775808");
    PUT(&csv, &nc, "2020-08-10,2020-08-10 09:30:00.0,T,SYMA,2020-08-10 10:00:00.000,6,NYSE,1e309,100");
    PUT(&csv, &nc, "");
    PUT(&csv, &nc, "2020-08-10,2020-08-10 09:30:00.0,Q,SYMA,2020-08-10 10:00:01.000,7,NYSE,10.4,100,10.6,200");
#define JT(sym, seq, pr, sz)                                                                      \
    "{\"trade_dt\":\"2020-08-10\",\"file_tm\":\"2020-08-10 09:30:00.000\",\"event_type\":\"T\","   \
    "\"symbol\":\"" sym "\",\"event_tm\":\"2020-08-10 10:00:00.000\",\"event_seq_nb\":" seq         \
    ",\"exchange\":\"NASDAQ\",\"price\":" pr ",\"size\":" sz "}"
    PUT(&js, &nj, JT("SYMA", "1", "10.5", "100"));
    put_big(&js, &nj, "{\"trade_dt\":\"2020-08-10\",\"pad\":\"");
    PUT(&js, &nj, JT("SY\0A", "3", "10.5", "100"));
    PUT(&js, &nj, JT("SY\xff\xfe" "A", "4", "10.5", "100"));
    PUT(&js, &nj, JT("SYMA", "5", "10.5", "9223372036854775808"));
    PUT(&js, &nj, JT("SYMA", "6", "1e309", "100"));
    PUT(&js, &nj, "");
    PUT(&js, &nj, "{\"trade_dt\":\"2020-08-10\",\"file_tm\":\"2020-08-10 09:30:00.000\",\"event_type\":\"Q\","
                  "\"symbol\":\"SYMA\",\"event_tm\":\"2020-08-10 10:00:01.000\",\"event_seq_nb\":7,"
                  "\"exchange\":\"NASDAQ\",\"bid_pr\":10.4,\"bid_size\":100,\"ask_pr\":10.6,\"ask_size\":200}");
    taq_test_write_file(dir, "in/csv/2020-08-10/NYSE/a.txt", csv, nc);
    taq_test_write_file(dir, "in/json/2020-08-10/NASDAQ/b.txt", js, nj);
    free(csv);
    free(js);

    for (int ranks = 1; ranks <= 3; ranks += 2) {
        char out[16];
        snprintf(out, sizeof out, "out%d", ranks);
        int rc = e2e_run(dir, TIMEOUT "%s -n %d %s --input in --output %s", TAQ_MPIEXEC, ranks,
                         TAQMPI, out);
        CU_ASSERT_EQUAL(rc, 0);
        if (rc != 0) {
            char *log = e2e_log(dir);
            fprintf(stderr, "run log:\n%s\n", log);
            free(log);
            continue;
        }
        CU_ASSERT(log_has(dir, "lines 16 = trades 2 + quotes 2 + rejects 10 + blank 2"));
        taq_h5_date_t d = e2e_read(dir, out, "taq_20200810.h5");
        const taq_counts_t *c = &d.attrs.counts;
        CU_ASSERT_EQUAL(c->lines, 16);
        CU_ASSERT_EQUAL(c->lines, c->trades + c->quotes + c->rejects + c->blank);
        CU_ASSERT_EQUAL(d.n_trade, 2);
        CU_ASSERT_EQUAL(d.n_quote, 2);
        CU_ASSERT_EQUAL_FATAL(d.n_rejects, sizeof want_rejects / sizeof *want_rejects);
        for (size_t i = 0; i < d.n_rejects; i++) {
            const taq_reject_t *r = &d.rejects[i];
            CU_ASSERT_STRING_EQUAL(r->file, want_rejects[i].file);
            CU_ASSERT_EQUAL(r->line, want_rejects[i].line);
            CU_ASSERT_STRING_EQUAL(r->reason, want_rejects[i].reason);
            if (strcmp(r->reason, want_rejects[i].reason) != 0 || r->line != want_rejects[i].line)
                fprintf(stderr, "reject %zu: %s:%lld %s\n", i, r->file, (long long)r->line,
                        r->reason);
            if (strcmp(r->reason, "line_too_long") == 0)
                CU_ASSERT_EQUAL(strnlen(r->text, TAQ_REJECT_TEXT_LEN), 1023);
        }
        taq_h5_date_free(&d);
    }
    taq_test_rmtree(dir);
    free(dir);
}

/* One good trade line of date d ("2020-08-0X") for symbol S at exchange EXA. */
static void good_file(const char *dir, const char *rel, const char *d)
{
    char text[512];
    int n = snprintf(text, sizeof text,
                     "%s,%s 09:30:00,T,S,%s 10:00:00,1,EXA,10.5,100\n"
                     "%s,%s 09:30:00,Q,S,%s 10:00:01,2,EXA,10.4,100,10.6,100\n",
                     d, d, d, d, d, d);
    taq_test_write_file(dir, rel, text, (size_t)n);
}

/*
 * A truncated .gz, an unreadable file, an empty file and a file of bad lines
 * only, in one run over five dates: exactly the dates they break fail (and a
 * date whose previous date cannot be read fails too: its close is unknown),
 * every message names its file, and every line of a good date is counted.
 */
static void test_bad_files_fail_only_their_dates(void)
{
    char *dir = taq_test_tmpdir("faults");
    good_file(dir, "in/csv/2020-08-03/EXA/good.txt", "2020-08-03");
    taq_test_write_file(dir, "in/csv/2020-08-03/EXA/empty.txt", "", 0);
    const char *bad = "not,a,record\n\n2020-08-03,x\n{\"json\":1}\n";
    taq_test_write_file(dir, "in/csv/2020-08-03/EXA/only-bad.txt", bad, strlen(bad));
    good_file(dir, "in/csv/2020-08-04/EXA/good.txt", "2020-08-04");
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "gzip -c in/csv/2020-08-04/EXA/good.txt | head -c 30 "
                                       "> in/csv/2020-08-04/EXA/cut.txt.gz"),
                          0);
    good_file(dir, "in/csv/2020-08-05/EXA/good.txt", "2020-08-05");
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "ln -s /nonexistent/gone in/csv/2020-08-05/EXA/gone.txt"), 0);
    good_file(dir, "in/csv/2020-08-06/EXA/good.txt", "2020-08-06");
    good_file(dir, "in/json/2020-08-07/EXA/good.txt", "2020-08-07"); /* CSV text: all rejects */
    good_file(dir, "in/csv/2020-08-07/EXA/good.txt", "2020-08-07");
    CU_ASSERT_EQUAL(e2e_run(dir, TIMEOUT "%s -n 3 %s --input in", TAQ_MPIEXEC, TAQMPI), 1);
    CU_ASSERT(log_has(dir, "2020-08-04 failed:"));
    CU_ASSERT(log_has(dir, "csv/2020-08-04/EXA/cut.txt.gz: truncated gzip"));
    CU_ASSERT(log_has(dir, "2020-08-05 failed:"));
    CU_ASSERT(log_has(dir, "cannot open csv/2020-08-05/EXA/gone.txt"));
    CU_ASSERT(log_has(dir, "2020-08-06 failed:"));
    CU_ASSERT(log_has(dir, "previous date 2020-08-05 (needed for closing prices)"));
    CU_ASSERT(log_has(dir, "2 date(s) done, 0 skipped, 0 busy, 3 failed"));
    const char *ok[] = {"out/taq_20200803.h5", "out/taq_20200807.h5"};
    const char *failed[] = {"out/taq_20200804.h5", "out/taq_20200805.h5", "out/taq_20200806.h5"};
    for (int i = 0; i < 2; i++)
        CU_ASSERT_TRUE(e2e_exists(dir, ok[i]));
    for (int i = 0; i < 3; i++)
        CU_ASSERT_FALSE(e2e_exists(dir, failed[i]));
    taq_h5_date_t d3 = e2e_read(dir, "out", "taq_20200803.h5");
    CU_ASSERT_EQUAL(d3.attrs.counts.lines, 6);
    CU_ASSERT_EQUAL(d3.attrs.counts.trades, 1);
    CU_ASSERT_EQUAL(d3.attrs.counts.quotes, 1);
    CU_ASSERT_EQUAL(d3.attrs.counts.rejects, 3);
    CU_ASSERT_EQUAL(d3.attrs.counts.blank, 1);
    CU_ASSERT_EQUAL_FATAL(d3.n_rejects, 3);
    for (size_t k = 0; k < 3; k++)
        CU_ASSERT_STRING_EQUAL(d3.rejects[k].file, "csv/2020-08-03/EXA/only-bad.txt");
    CU_ASSERT_EQUAL(d3.rejects[2].line, 4);
    taq_h5_date_free(&d3);
    taq_h5_date_t d7 = e2e_read(dir, "out", "taq_20200807.h5");
    CU_ASSERT_EQUAL(d7.attrs.counts.lines, 4);
    CU_ASSERT_EQUAL(d7.attrs.counts.rejects, 2); /* the CSV lines in the json/ folder */
    CU_ASSERT_EQUAL(d7.attrs.counts.trades + d7.attrs.counts.quotes, 2);
    /* Its close comes from 2020-08-06, read from the input: 10.5. */
    CU_ASSERT_EQUAL_FATAL(d7.n_final, 1);
    CU_ASSERT(e2e_same_double(d7.final[0].bid_pr_mv, 10.4 - 10.5));
    taq_h5_date_free(&d7);
    check_row(dir, "--output out", "taq_2020-08-04", "failed", 1);
    check_row(dir, "--output out", "taq_2020-08-06", "failed", 1);
    check_row(dir, "--output out", "taq_2020-08-07", "success", 1);
    taq_test_rmtree(dir);
    free(dir);
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_kill_write_np2),
        TAQ_CASE(test_kill_write_np3),
        TAQ_CASE(test_kill_read_np2),
        TAQ_CASE(test_kill_shuffle_np3),
        TAQ_CASE(test_output_full),
        TAQ_CASE(test_output_read_only),
        TAQ_CASE(test_pg_stopped_mid_run),
        TAQ_CASE(test_hostile_lines),
        TAQ_CASE(test_bad_files_fail_only_their_dates),
    };
    return taq_test_main(argc, argv, "faults", cases, (int)(sizeof cases / sizeof cases[0]), 0);
}
