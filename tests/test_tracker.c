/* Tests of the file-journal tracker backend, with real processes for locks. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "taq/timeutil.h"
#include "taq/tracker.h"

static const taq_run_info_t info = {.ranks = 2};

static int32_t day(int d)
{
    return taq_days_from_civil(2020, 8, d);
}

/* The current row of (job, date), via list; asserts it exists. */
static taq_job_row_t row_of(taq_tracker_t *t, const char *job, int32_t date)
{
    taq_job_row_t *rows = NULL, r;
    size_t n = 0;
    CU_ASSERT_EQUAL(taq_tracker_list(t, job, 1, date, date, &rows, &n), TAQ_OK);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    r = rows[0];
    free(rows);
    return r;
}

static void test_run_skip_force(void)
{
    char *dir = taq_test_tmpdir("tracker");
    taq_tracker_t *t = NULL;
    CU_ASSERT_EQUAL_FATAL(taq_tracker_open_journal(dir, &t), TAQ_OK);
    taq_claim_t c;
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(5), 0, &info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_RUN);
    taq_job_row_t r = row_of(t, "job", day(5));
    CU_ASSERT_EQUAL(r.status, TAQ_JOB_RUNNING);
    CU_ASSERT_STRING_EQUAL(r.job_id, "job_2020-08-05");
    CU_ASSERT_EQUAL(r.attempt, 1);
    CU_ASSERT_EQUAL(r.ranks, 2);
    taq_counts_t counts = {600, 60, 540, 0, 0, 0};
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(5), TAQ_JOB_SUCCESS, &counts, "out/x.h5", ""),
                    TAQ_OK);
    r = row_of(t, "job", day(5));
    CU_ASSERT_EQUAL(r.status, TAQ_JOB_SUCCESS);
    CU_ASSERT_EQUAL(r.counts.lines, 600);
    CU_ASSERT_EQUAL(r.counts.quotes, 540);
    CU_ASSERT_STRING_EQUAL(r.output, "out/x.h5");
    CU_ASSERT(r.finished >= r.started && r.started > 0);
    /* Rerun: already success, skipped. */
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(5), 0, &info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_DONE);
    /* --force: runs again, attempt 2. */
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(5), 1, &info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_RUN);
    CU_ASSERT_EQUAL(row_of(t, "job", day(5)).attempt, 2);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(5), TAQ_JOB_FAILED, NULL, "", "disk full"),
                    TAQ_OK);
    r = row_of(t, "job", day(5));
    CU_ASSERT_EQUAL(r.status, TAQ_JOB_FAILED);
    CU_ASSERT_STRING_EQUAL(r.error, "disk full");
    /* A failed date runs again without --force. */
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(5), 0, &info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_RUN);
    CU_ASSERT_EQUAL(row_of(t, "job", day(5)).attempt, 3);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(5), TAQ_JOB_SUCCESS, &counts, "o", ""),
                    TAQ_OK);
    taq_tracker_close(&t);
    CU_ASSERT_PTR_NULL(t);
    /* Reopening reads the same state back from the file. */
    CU_ASSERT_EQUAL_FATAL(taq_tracker_open_journal(dir, &t), TAQ_OK);
    r = row_of(t, "job", day(5));
    CU_ASSERT_EQUAL(r.status, TAQ_JOB_SUCCESS);
    CU_ASSERT_EQUAL(r.attempt, 3);
    CU_ASSERT_STRING_EQUAL(r.error, "");
    taq_tracker_close(&t);
    taq_test_rmtree(dir);
    free(dir);
}

/* In a child process: claim the date, then either hold it until told or die. */
static pid_t child_claims(const char *dir, int32_t date, int die, int ready[2], int go[2])
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    taq_tracker_t *t = NULL;
    taq_claim_t c = TAQ_CLAIM_BUSY;
    if (taq_tracker_open_journal(dir, &t) != TAQ_OK ||
        taq_tracker_begin(t, "job", date, 0, &info, &c) != TAQ_OK || c != TAQ_CLAIM_RUN)
        _exit(3);
    char b = 1;
    if (write(ready[1], &b, 1) != 1)
        _exit(4);
    if (die)
        _exit(0); /* no finish: the row stays `running`, the lock dies with us */
    if (read(go[0], &b, 1) != 1)
        _exit(5);
    taq_counts_t counts = {0};
    _exit(taq_tracker_finish(t, "job", date, TAQ_JOB_SUCCESS, &counts, "o", "") == TAQ_OK ? 0
                                                                                          : 6);
}

static void test_concurrent_claim_is_busy(void)
{
    char *dir = taq_test_tmpdir("tracker");
    int ready[2], go[2];
    CU_ASSERT_FATAL(pipe(ready) == 0 && pipe(go) == 0);
    pid_t pid = child_claims(dir, day(6), 0, ready, go);
    char b;
    CU_ASSERT_EQUAL_FATAL(read(ready[0], &b, 1), 1);
    taq_tracker_t *t = NULL;
    CU_ASSERT_EQUAL_FATAL(taq_tracker_open_journal(dir, &t), TAQ_OK);
    taq_claim_t c;
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(6), 1, &info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_BUSY);
    CU_ASSERT_EQUAL(row_of(t, "job", day(6)).status, TAQ_JOB_RUNNING);
    /* Another date is free meanwhile. */
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(7), 0, &info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_RUN);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(7), TAQ_JOB_SUCCESS, NULL, "o", ""), TAQ_OK);
    CU_ASSERT_EQUAL(write(go[1], "x", 1), 1);
    int st;
    CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    taq_job_row_t r = row_of(t, "job", day(6));
    CU_ASSERT_EQUAL(r.status, TAQ_JOB_SUCCESS);
    CU_ASSERT_EQUAL(r.attempt, 1);
    taq_tracker_close(&t);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_stale_running_taken_over(void)
{
    char *dir = taq_test_tmpdir("tracker");
    int ready[2], go[2];
    CU_ASSERT_FATAL(pipe(ready) == 0 && pipe(go) == 0);
    pid_t pid = child_claims(dir, day(6), 1, ready, go);
    int st;
    CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    taq_tracker_t *t = NULL;
    CU_ASSERT_EQUAL_FATAL(taq_tracker_open_journal(dir, &t), TAQ_OK);
    CU_ASSERT_EQUAL(row_of(t, "job", day(6)).status, TAQ_JOB_RUNNING);
    taq_claim_t c;
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(6), 0, &info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(c, TAQ_CLAIM_RUN);
    CU_ASSERT_EQUAL(row_of(t, "job", day(6)).attempt, 2);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(6), TAQ_JOB_SUCCESS, NULL, "o", ""), TAQ_OK);
    taq_tracker_close(&t);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_hostile_job_name_and_listing(void)
{
    char *dir = taq_test_tmpdir("tracker");
    const char *evil = "x'); DROP TABLE job_tracker; --\t\"quoted\"\\n\nnewline";
    taq_tracker_t *t = NULL;
    CU_ASSERT_EQUAL_FATAL(taq_tracker_open_journal(dir, &t), TAQ_OK);
    taq_claim_t c;
    CU_ASSERT_EQUAL(taq_tracker_begin(t, evil, day(5), 0, &info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, evil, day(5), TAQ_JOB_FAILED, NULL, "", "bad\tthing\n"),
                    TAQ_OK);
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "plain", day(5), 0, &info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "plain", day(5), TAQ_JOB_SUCCESS, NULL, "o", ""),
                    TAQ_OK);
    taq_job_row_t r = row_of(t, evil, day(5));
    CU_ASSERT_STRING_EQUAL(r.job, evil);
    CU_ASSERT_STRING_EQUAL(r.error, "bad\tthing\n");
    taq_job_row_t *rows = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL(taq_tracker_list(t, NULL, 0, 0, 0, &rows, &n), TAQ_OK);
    CU_ASSERT_EQUAL(n, 2);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    taq_tracker_print(f, rows, n);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "job_status"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "plain_2020-08-05"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "failed"));
    /* 1 header + 2 rows + 1 error line + 1 output line: control characters never split a row. */
    int lines = 0;
    for (char *p = text; *p; p++)
        lines += *p == '\n';
    CU_ASSERT_EQUAL(lines, 5);
    free(text);
    free(rows);
    taq_tracker_close(&t);
    taq_test_rmtree(dir);
    free(dir);
}

/* The row records the Slurm job; an array task as "<array job>_<task>". */
static void test_slurm_job_id_recorded(void)
{
    char *dir = taq_test_tmpdir("tracker");
    taq_tracker_t *t = NULL;
    taq_claim_t c;
    CU_ASSERT_EQUAL_FATAL(taq_tracker_open_journal(dir, &t), TAQ_OK);
    /* This case may itself run inside a Slurm job: start from a clean slate. */
    unsetenv("SLURM_JOB_ID");
    unsetenv("SLURM_ARRAY_JOB_ID");
    unsetenv("SLURM_ARRAY_TASK_ID");
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(5), 0, &info, &c), TAQ_OK);
    CU_ASSERT_STRING_EQUAL(row_of(t, "job", day(5)).slurm_job_id, "");
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(5), TAQ_JOB_SUCCESS, NULL, "", ""), TAQ_OK);
    setenv("SLURM_JOB_ID", "4242", 1);
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(6), 0, &info, &c), TAQ_OK);
    CU_ASSERT_STRING_EQUAL(row_of(t, "job", day(6)).slurm_job_id, "4242");
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(6), TAQ_JOB_SUCCESS, NULL, "", ""), TAQ_OK);
    /* Array task 3 of array job 4240 runs as job 4243. */
    setenv("SLURM_JOB_ID", "4243", 1);
    setenv("SLURM_ARRAY_JOB_ID", "4240", 1);
    setenv("SLURM_ARRAY_TASK_ID", "3", 1);
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(7), 0, &info, &c), TAQ_OK);
    CU_ASSERT_STRING_EQUAL(row_of(t, "job", day(7)).slurm_job_id, "4240_3");
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(7), TAQ_JOB_SUCCESS, NULL, "", ""), TAQ_OK);
    taq_tracker_close(&t);
    taq_test_rmtree(dir);
    free(dir);
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_run_skip_force),
        TAQ_CASE(test_concurrent_claim_is_busy),
        TAQ_CASE(test_stale_running_taken_over),
        TAQ_CASE(test_hostile_job_name_and_listing),
        TAQ_CASE(test_slurm_job_id_recorded),
    };
    return taq_test_main(argc, argv, "tracker", cases, (int)(sizeof cases / sizeof cases[0]), 0);
}
