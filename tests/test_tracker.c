/* Tests of the file-journal tracker backend (the shared scenarios fork real processes for locks). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "taq/timeutil.h"
#include "taq/tracker.h"
#include "tracker_scenarios.h"


static int32_t day(int d)
{
    return taq_days_from_civil(2020, 8, d);
}

/* Each shared scenario in a fresh output folder. */
static void in_journal(void (*scenario)(const tracker_backend_t *))
{
    char *dir = taq_test_tmpdir("tracker");
    const tracker_backend_t b = {taq_tracker_open_journal, dir};
    scenario(&b);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_run_skip_force(void)
{
    in_journal(scenario_run_skip_force);
}

static void test_concurrent_claim_is_busy(void)
{
    in_journal(scenario_concurrent_claim_is_busy);
}

static void test_stale_running_taken_over(void)
{
    in_journal(scenario_stale_running_taken_over);
}

static void test_hostile_job_name_and_listing(void)
{
    char *dir = taq_test_tmpdir("tracker");
    const char *evil = "x'); DROP TABLE job_tracker; --\t\"quoted\"\\n\nnewline";
    taq_tracker_t *t = NULL;
    CU_ASSERT_EQUAL_FATAL(taq_tracker_open_journal(dir, &t), TAQ_OK);
    taq_claim_t c;
    CU_ASSERT_EQUAL(taq_tracker_begin(t, evil, day(5), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, evil, day(5), TAQ_JOB_FAILED, NULL, "", "bad\tthing\n"),
                    TAQ_OK);
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "plain", day(5), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "plain", day(5), TAQ_JOB_SUCCESS, NULL, "o", ""),
                    TAQ_OK);
    taq_job_row_t r = scenario_row_of(t, evil, day(5));
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
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(5), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_STRING_EQUAL(scenario_row_of(t, "job", day(5)).slurm_job_id, "");
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(5), TAQ_JOB_SUCCESS, NULL, "", ""), TAQ_OK);
    setenv("SLURM_JOB_ID", "4242", 1);
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(6), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_STRING_EQUAL(scenario_row_of(t, "job", day(6)).slurm_job_id, "4242");
    CU_ASSERT_EQUAL(taq_tracker_finish(t, "job", day(6), TAQ_JOB_SUCCESS, NULL, "", ""), TAQ_OK);
    /* Array task 3 of array job 4240 runs as job 4243. */
    setenv("SLURM_JOB_ID", "4243", 1);
    setenv("SLURM_ARRAY_JOB_ID", "4240", 1);
    setenv("SLURM_ARRAY_TASK_ID", "3", 1);
    CU_ASSERT_EQUAL(taq_tracker_begin(t, "job", day(7), 0, &scenario_info, &c), TAQ_OK);
    CU_ASSERT_STRING_EQUAL(scenario_row_of(t, "job", day(7)).slurm_job_id, "4240_3");
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
