/* The tracker scenarios shared by test_tracker (journal) and test_pg (PostgreSQL). */
#define _DEFAULT_SOURCE /* usleep */
#include "tracker_scenarios.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "taq/timeutil.h"

const taq_run_info_t scenario_info = {.ranks = 2};

static int32_t day(int d)
{
    return taq_days_from_civil(2020, 8, d);
}

taq_job_row_t scenario_row_of(taq_tracker_t *t, const char *job, int32_t date)
{
    taq_job_row_t *rows = NULL, r;
    size_t n = 0;
    CU_ASSERT_EQUAL(taq_tracker_list(t, job, 1, date, date, &rows, &n), TAQ_OK);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    r = rows[0];
    free(rows);
    return r;
}

taq_claim_t scenario_claim_when_free(taq_tracker_t *t, const char *job, int32_t date, int force)
{
    taq_claim_t c = TAQ_CLAIM_BUSY;
    for (int i = 0; i < 100 && c == TAQ_CLAIM_BUSY; i++) {
        if (i)
            usleep(50000);
        CU_ASSERT_EQUAL_FATAL(taq_tracker_begin(t, job, date, force, &scenario_info, &c), TAQ_OK);
    }
    return c;
}

/* The first claim and the success that ends it. */
static void first_run(taq_tracker_t *t)
{
    taq_claim_t c;
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(5), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_RUN);
    taq_job_row_t r = scenario_row_of(t, "job", day(5));
    CU_ASSERT_EQUAL(r.status, TAQ_JOB_RUNNING);
    CU_ASSERT_STRING_EQUAL(r.job_id, "job_2020-08-05");
    CU_ASSERT_STRING_EQUAL(r.job, "job");
    CU_ASSERT_EQUAL(r.trade_dt, day(5));
    CU_ASSERT_EQUAL(r.attempt, 1);
    CU_ASSERT_EQUAL(r.ranks, 2);
    CU_ASSERT_STRING_EQUAL(r.version, TAQ_VERSION);
    CU_ASSERT(r.host[0] != '\0');
    CU_ASSERT(r.started > 0 && r.finished == 0);
    taq_counts_t counts = {600, 60, 540, 1, 2, 3};
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(5), TAQ_JOB_SUCCESS, &counts, "out/x.h5", ""),
                    TAQ_OK);
    r = scenario_row_of(t, "job", day(5));
    CU_ASSERT_EQUAL(r.status, TAQ_JOB_SUCCESS);
    CU_ASSERT_EQUAL(r.counts.lines, 600);
    CU_ASSERT_EQUAL(r.counts.trades, 60);
    CU_ASSERT_EQUAL(r.counts.quotes, 540);
    CU_ASSERT_EQUAL(r.counts.rejects, 1);
    CU_ASSERT_EQUAL(r.counts.blank, 2);
    CU_ASSERT_EQUAL(r.counts.superseded, 3);
    CU_ASSERT_STRING_EQUAL(r.output, "out/x.h5");
    CU_ASSERT(r.finished >= r.started && r.started > 0 && r.updated == r.finished);
}

void scenario_run_skip_force(const tracker_backend_t *b)
{
    taq_tracker_t *t = NULL;
    CU_ASSERT_EQUAL_FATAL(b->open(b->where, &t), TAQ_OK);
    first_run(t);
    /* Rerun: already success, skipped. */
    taq_claim_t c;
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(5), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_DONE);
    /* --force: runs again, attempt 2, counts reset. */
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(5), 1, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_RUN);
    taq_job_row_t r = scenario_row_of(t, "job", day(5));
    CU_ASSERT_EQUAL(r.attempt, 2);
    CU_ASSERT_EQUAL(r.status, TAQ_JOB_RUNNING);
    CU_ASSERT_EQUAL(r.counts.lines, 0);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(5), TAQ_JOB_FAILED, NULL, "", "disk full"),
                    TAQ_OK);
    r = scenario_row_of(t, "job", day(5));
    CU_ASSERT_EQUAL(r.status, TAQ_JOB_FAILED);
    CU_ASSERT_STRING_EQUAL(r.error, "disk full");
    /* A failed date runs again without --force. */
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(5), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_RUN);
    CU_ASSERT_EQUAL(scenario_row_of(t, "job", day(5)).attempt, 3);
    CU_ASSERT_STRING_EQUAL(scenario_row_of(t, "job", day(5)).error, "");
    /* Finishing a date that is not claimed is refused; claiming a second one too. */
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(6), TAQ_JOB_SUCCESS, NULL, "o", ""),
                    TAQ_ERR_TRACKER);
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(6), 0, &scenario_info, &c), TAQ_ERR_TRACKER);
    taq_counts_t counts = {600, 60, 540, 1, 2, 3};
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(5), TAQ_JOB_SUCCESS, &counts, "o", ""),
                    TAQ_OK);
    taq_tracker_close(&t);
    CU_ASSERT_PTR_NULL(t);
    /* Reopening reads the same state back. */
    CU_ASSERT_EQUAL_FATAL(b->open(b->where, &t), TAQ_OK);
    r = scenario_row_of(t, "job", day(5));
    CU_ASSERT_EQUAL(r.status, TAQ_JOB_SUCCESS);
    CU_ASSERT_EQUAL(r.attempt, 3);
    CU_ASSERT_STRING_EQUAL(r.error, "");
    CU_ASSERT_EQUAL(r.counts.superseded, 3);
    taq_tracker_close(&t);
}

/* In a child process: claim the date, then either hold it until told or die. */
static pid_t child_claims(const tracker_backend_t *b, int32_t date, int die, int ready[2],
                          int go[2])
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    taq_tracker_t *t = NULL;
    taq_claim_t c = TAQ_CLAIM_BUSY;
    if (b->open(b->where, &t) != TAQ_OK ||
        taq_tracker_begin(t, "job", date, 0, &scenario_info, &c) != TAQ_OK || c != TAQ_CLAIM_RUN)
        _exit(3);
    char x = 1;
    if (write(ready[1], &x, 1) != 1)
        _exit(4);
    if (die)
        _exit(0); /* no finish: the row stays `running`, and our lock goes with us */
    if (read(go[0], &x, 1) != 1)
        _exit(5);
    taq_counts_t counts = {7, 0, 7, 0, 0, 0};
    taq_rc rc = taq_tracker_finish(t, "job", date, TAQ_JOB_SUCCESS, &counts, "o", "");
    taq_tracker_close(&t);
    _exit(rc == TAQ_OK ? 0 : 6);
}

static void close_pipes(int ready[2], int go[2])
{
    for (int i = 0; i < 2; i++) {
        close(ready[i]);
        close(go[i]);
    }
}

void scenario_concurrent_claim_is_busy(const tracker_backend_t *b)
{
    taq_tracker_t *t = NULL;
    /* Set the store up first, then close: a forked child must not share a connection. */
    CU_ASSERT_EQUAL_FATAL(b->open(b->where, &t), TAQ_OK);
    taq_tracker_close(&t);
    int ready[2], go[2];
    CU_ASSERT_FATAL(pipe(ready) == 0 && pipe(go) == 0);
    pid_t pid = child_claims(b, day(6), 0, ready, go);
    char x;
    CU_ASSERT_EQUAL_FATAL(read(ready[0], &x, 1), 1);
    CU_ASSERT_EQUAL_FATAL(b->open(b->where, &t), TAQ_OK);
    taq_claim_t c;
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(6), 1, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_BUSY);
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(6), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_BUSY);
    CU_ASSERT_EQUAL(scenario_row_of(t, "job", day(6)).status, TAQ_JOB_RUNNING);
    /* Another date is free meanwhile, and BUSY left no claim behind here. */
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(7), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_RUN);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(7), TAQ_JOB_SUCCESS, NULL, "o", ""), TAQ_OK);
    CU_ASSERT_EQUAL(write(go[1], "x", 1), 1);
    int st;
    CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    taq_job_row_t r = scenario_row_of(t, "job", day(6));
    CU_ASSERT_EQUAL(r.status, TAQ_JOB_SUCCESS);
    CU_ASSERT_EQUAL(r.attempt, 1);
    CU_ASSERT_EQUAL(r.counts.lines, 7);
    /* The child finished cleanly: its lock is free and the date is done. */
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(6), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_DONE);
    taq_tracker_close(&t);
    close_pipes(ready, go);
}

void scenario_stale_running_taken_over(const tracker_backend_t *b)
{
    int ready[2], go[2];
    CU_ASSERT_FATAL(pipe(ready) == 0 && pipe(go) == 0);
    pid_t pid = child_claims(b, day(6), 1, ready, go);
    int st;
    CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    taq_tracker_t *t = NULL;
    CU_ASSERT_EQUAL_FATAL(b->open(b->where, &t), TAQ_OK);
    CU_ASSERT_EQUAL(scenario_row_of(t, "job", day(6)).status, TAQ_JOB_RUNNING);
    CU_ASSERT_EQUAL(scenario_claim_when_free(t, "job", day(6), 0), TAQ_CLAIM_RUN);
    taq_job_row_t r = scenario_row_of(t, "job", day(6));
    CU_ASSERT_EQUAL(r.attempt, 2);
    CU_ASSERT_EQUAL(r.status, TAQ_JOB_RUNNING);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(6), TAQ_JOB_SUCCESS, NULL, "o", ""), TAQ_OK);
    CU_ASSERT_EQUAL(scenario_row_of(t, "job", day(6)).status, TAQ_JOB_SUCCESS);
    taq_tracker_close(&t);
    close_pipes(ready, go);
}
