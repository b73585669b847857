/*
 * Slurm tests: slurm/taq.sh and slurm/backfill.sh submitted with the real
 * sbatch to a real one-node cluster (tests/slurm_cluster.sh, started by a
 * ctest fixture; TAQ_TEST_SLURMSTATE names its state file).
 *
 * Every case copies the bundled sample, makes a reference with a direct
 * `mpiexec -n 2 taqmpi`, submits, waits for the job with a bound by polling
 * `scontrol show job -o` (no sacct without slurmdbd), and checks the job's
 * state and exit code, its output file, that its HDF5 files are identical to
 * the reference, and the slurm_job column of `taqmpi status`. A job still
 * running at the bound is cancelled, so nothing outlives the case.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2e_util.h"
#include "harness.h"

#define TAQ_SH TAQ_SOURCE_DIR "/slurm/taq.sh"
#define BACKFILL_SH TAQ_SOURCE_DIR "/slurm/backfill.sh"
enum { JOB_WAIT_S = 120 };
/* Shell: $PATH without empty entries and folders that hold a taqmpi. */
#define PATH_WITHOUT_TAQMPI                                                                        \
    "echo \"$PATH\" | tr : '\\n' | while read -r p; do "                                           \
    "[ -n \"$p\" ] && [ ! -x \"$p/taqmpi\" ] && echo \"$p\"; done | paste -sd: -"

/* stdout of a shell command (caller frees); NULL if it could not run. */
static char *capture(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *capture(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    char *text = NULL;
    size_t cap = 0;
    if (getdelim(&text, &cap, '\0', p) < 0) {
        free(text);
        text = strdup("");
    }
    pclose(p);
    return text;
}

/* The value of "Key=" in one line of `scontrol show job -o` (caller frees). */
static char *field(const char *line, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, " %s=", key);
    const char *v = strstr(line, pat);
    if (!v)
        return strdup("");
    v += strlen(pat);
    return strndup(v, strcspn(v, " \n"));
}

static int terminal(const char *state)
{
    static const char *const done[] = {"COMPLETED",     "FAILED",    "CANCELLED",
                                       "TIMEOUT",       "NODE_FAIL", "PREEMPTED",
                                       "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE"};
    for (size_t i = 0; i < sizeof done / sizeof *done; i++)
        if (strcmp(state, done[i]) == 0)
            return 1;
    return 0;
}

/*
 * Wait up to JOB_WAIT_S for job (or array task "A_K") to end; cancel it if it
 * does not. Returns "STATE EXIT" such as "COMPLETED 0:0" (caller frees).
 */
static char *wait_job(const char *id)
{
    time_t end = time(NULL) + JOB_WAIT_S;
    char *state = NULL, *code = NULL;
    for (;;) {
        char *line = capture("scontrol show job -o '%s' 2>&1", id);
        free(state);
        free(code);
        state = field(line ? line : "", "JobState");
        code = field(line ? line : "", "ExitCode");
        free(line);
        if (terminal(state) || time(NULL) >= end)
            break;
        usleep(300000);
    }
    if (!terminal(state)) {
        fprintf(stderr, "job %s still %s after %d s: cancelling\n", id, state, JOB_WAIT_S);
        free(capture("scancel '%s' 2>&1", id));
    }
    char *out = NULL;
    if (asprintf(&out, "%s %s", state, code) < 0)
        abort();
    free(state);
    free(code);
    return out;
}

static void assert_job(const char *id, const char *expect)
{
    char *got = wait_job(id);
    if (strcmp(got, expect) != 0)
        fprintf(stderr, "job %s: expected %s, got %s\n", id, expect, got);
    CU_ASSERT_STRING_EQUAL(got, expect);
    free(got);
}

/* The slurm_job cell of job_id's row in `taqmpi status --output dir/sub` (caller frees). */
static char *status_slurm_job(const char *dir, const char *sub, const char *job_id)
{
    char *table = capture("'%s' status --output '%s/%s' 2>&1", TAQMPI, dir, sub);
    char *cell = NULL;
    const char *col = table ? strstr(table, "slurm_job") : NULL;
    if (col) {
        size_t off = (size_t)(col - table); /* the table's columns line up */
        for (const char *l = table; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
            if (strncmp(l, job_id, strlen(job_id)) == 0 && l[strlen(job_id)] == ' ') {
                cell = strndup(l + off, strcspn(l + off, " \n"));
                break;
            }
    }
    if (!cell)
        fprintf(stderr, "no %s row in:\n%s\n", job_id, table ? table : "(no output)");
    free(table);
    return cell ? cell : strdup("");
}

static void assert_slurm_job(const char *dir, const char *sub, const char *job_id,
                             const char *expect)
{
    char *got = status_slurm_job(dir, sub, job_id);
    CU_ASSERT_STRING_EQUAL(got, expect);
    free(got);
}

/* dir/a/name and dir/b/name exist and hold the same day. */
static void assert_same_file(const char *dir, const char *a, const char *b, const char *name)
{
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/%s", a, name);
    snprintf(pb, sizeof pb, "%s/%s", b, name);
    CU_ASSERT_FATAL(e2e_exists(dir, pa) && e2e_exists(dir, pb));
    taq_h5_date_t x = e2e_read(dir, a, name), y = e2e_read(dir, b, name);
    CU_ASSERT(e2e_same_day(&x, &y));
    taq_h5_date_free(&x);
    taq_h5_date_free(&y);
}

/* 1 if file dir/rel contains text. */
static int file_has(const char *dir, const char *rel, const char *text)
{
    char *body = capture("cat '%s/%s' 2>&1", dir, rel);
    int ok = body && strstr(body, text) != NULL;
    if (!ok)
        fprintf(stderr, "%s/%s lacks \"%s\":\n%s\n", dir, rel, text, body ? body : "");
    free(body);
    return ok;
}

/*
 * A copy of the sample in a fresh dir, with the direct run's files in ref/.
 * A bad line in each date puts a row in /rejects too, so the comparison
 * covers every dataset.
 */
static char *sample_with_reference(void)
{
    char *dir = e2e_sample_dir();
    const char *bad = "not,a,line\n";
    taq_test_write_file(dir, "data/csv/2020-08-05/NYSE/part-99.txt", bad, strlen(bad));
    taq_test_write_file(dir, "data/csv/2020-08-06/NYSE/part-99.txt", bad, strlen(bad));
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "%s -n 2 %s --output ref", TAQ_MPIEXEC, TAQMPI), 0);
    return dir;
}

/* sbatch's job id from `sbatch --parsable` output in dir/log ("ID" or "ID;cluster"). */
static char *job_id_from_log(const char *dir)
{
    char *log = e2e_log(dir);
    char *id = strndup(log, strspn(log, "0123456789"));
    if (!*id)
        fprintf(stderr, "no job id in sbatch output:\n%s\n", log);
    free(log);
    CU_ASSERT_FATAL(*id != '\0');
    return id;
}

/*
 * A plain job over the whole sample, from a checkout-like folder and without
 * TAQ_BIN: taq.sh must find build/src/taqmpi from the submit folder (sbatch
 * runs a spool copy of the script). PATH loses every folder holding a
 * taqmpi so the checkout's is the one found.
 */
static void test_single_job(void)
{
    char *dir = sample_with_reference();
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir,
                                  "mkdir -p co/slurm co/build/src && cp '%s' co/slurm/ && "
                                  "ln -s '%s' co/build/src/taqmpi",
                                  TAQ_SH, TAQMPI),
                          0);
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir,
                                  "cd co && PATH=$(%s) TAQ_INPUT=../data TAQ_OUTPUT=../slurm "
                                  "sbatch --parsable slurm/taq.sh",
                                  PATH_WITHOUT_TAQMPI),
                          0);
    char *id = job_id_from_log(dir);
    assert_job(id, "COMPLETED 0:0");
    char out[64], banner[128];
    snprintf(out, sizeof out, "co/taqmpi-%s.out", id);
    snprintf(banner, sizeof banner, "taq.sh: job %s on localhost, 4 task(s), every date", id);
    CU_ASSERT(file_has(dir, out, banner));
    CU_ASSERT(file_has(dir, out, "srun --mpi=pmix"));
    CU_ASSERT(file_has(dir, out, "/co/build/src/taqmpi --input ../data --output ../slurm"));
    CU_ASSERT(file_has(dir, out, "2 date(s) done, 0 skipped"));
    assert_same_file(dir, "ref", "slurm", "taq_20200805.h5");
    assert_same_file(dir, "ref", "slurm", "taq_20200806.h5");
    assert_slurm_job(dir, "slurm", "taq_2020-08-05", id);
    assert_slurm_job(dir, "slurm", "taq_2020-08-06", id);
    free(id);
    taq_test_rmtree(dir);
    free(dir);
}

/*
 * backfill.sh over August 2020: the sample has two dates, so an array of
 * two tasks, one at a time, each processing its own date with 2 ranks.
 */
static void test_backfill_array(void)
{
    char *dir = sample_with_reference();
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir,
                                  "TAQ_BIN='%s' TAQ_OUTPUT=slurm TAQ_JOB=backfill '%s' -t 1 "
                                  "2020-08-01,2020-08-31 --ntasks=2 2>backfill.err",
                                  TAQMPI, BACKFILL_SH),
                          0);
    CU_ASSERT(file_has(dir, "backfill.err", "2 date(s) in data from 2020-08-01 to 2020-08-31"));
    char *id = job_id_from_log(dir);
    const char *dates[] = {"2020-08-05", "2020-08-06"};
    for (int k = 0; k < 2; k++) {
        char task[64], out[96], banner[160], row[64];
        snprintf(task, sizeof task, "%s_%d", id, k);
        assert_job(task, "COMPLETED 0:0");
        snprintf(out, sizeof out, "taqmpi-%s.out", task);
        snprintf(banner, sizeof banner, "2 task(s), array task %s, date %s", task, dates[k]);
        CU_ASSERT(file_has(dir, out, banner));
        snprintf(row, sizeof row, "backfill_%s", dates[k]);
        assert_slurm_job(dir, "slurm", row, task);
    }
    assert_same_file(dir, "ref", "slurm", "taq_20200805.h5");
    assert_same_file(dir, "ref", "slurm", "taq_20200806.h5");
    free(id);
    taq_test_rmtree(dir);
    free(dir);
}

/*
 * Plain `sbatch --array` without backfill.sh: task K is FIRST + K calendar
 * days. 2020-08-04 is not in the input, so task 0 succeeds doing nothing;
 * task 3 is past LAST and succeeds at once. Launched with mpirun inside
 * the allocation.
 */
static void test_calendar_array_mpirun(void)
{
    char *dir = sample_with_reference();
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir,
                                  "TAQ_BIN='%s' TAQ_OUTPUT=slurm TAQ_LAUNCHER=mpirun "
                                  "TAQ_DATES=2020-08-04,2020-08-06 sbatch --parsable "
                                  "--array=0-3%%2 --ntasks=2 --output=taqmpi-%%A_%%a.out '%s'",
                                  TAQMPI, TAQ_SH),
                          0);
    char *id = job_id_from_log(dir);
    for (int k = 0; k < 4; k++) {
        char task[64];
        snprintf(task, sizeof task, "%s_%d", id, k);
        assert_job(task, "COMPLETED 0:0");
    }
    char out[96];
    snprintf(out, sizeof out, "taqmpi-%s_0.out", id);
    CU_ASSERT(file_has(dir, out, "mpirun -n 2 "));
    CU_ASSERT(file_has(dir, out, "0 selected"));
    snprintf(out, sizeof out, "taqmpi-%s_3.out", id);
    CU_ASSERT(file_has(dir, out, "is day 2020-08-07, after 2020-08-06: nothing to do"));
    CU_ASSERT_FALSE(e2e_exists(dir, "slurm/taq_20200804.h5"));
    assert_same_file(dir, "ref", "slurm", "taq_20200805.h5");
    assert_same_file(dir, "ref", "slurm", "taq_20200806.h5");
    char task[64];
    snprintf(task, sizeof task, "%s_1", id);
    assert_slurm_job(dir, "slurm", "taq_2020-08-05", task);
    snprintf(task, sizeof task, "%s_2", id);
    assert_slurm_job(dir, "slurm", "taq_2020-08-06", task);
    free(id);
    taq_test_rmtree(dir);
    free(dir);
}

/* TAQ_BIN naming nothing: the job fails with exit 2 and says why. */
static void test_missing_binary_fails(void)
{
    char *dir = e2e_sample_dir();
    CU_ASSERT_EQUAL_FATAL(
        e2e_run(dir, "TAQ_BIN=\"$PWD/no-such-taqmpi\" sbatch --parsable '%s'", TAQ_SH), 0);
    char *id = job_id_from_log(dir);
    assert_job(id, "FAILED 2:0");
    char out[64];
    snprintf(out, sizeof out, "taqmpi-%s.out", id);
    CU_ASSERT(file_has(dir, out, "/no-such-taqmpi is not an executable file"));
    CU_ASSERT_FALSE(e2e_exists(dir, "out"));
    free(id);
    taq_test_rmtree(dir);
    free(dir);
}

/* Point every client at the test cluster; drop settings a caller's shell or job could leak. */
static int use_test_cluster(void)
{
    const char *state = getenv("TAQ_TEST_SLURMSTATE");
    char dir[4096] = "";
    FILE *f = state ? fopen(state, "r") : NULL;
    if (!f || !fgets(dir, sizeof dir, f)) {
        fprintf(stderr, "no Slurm test cluster: TAQ_TEST_SLURMSTATE=%s\n", state ? state : "");
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    dir[strcspn(dir, "\n")] = '\0';
    /* Collect the names first: unsetenv changes environ under our feet. */
    char *names[256];
    int n = 0;
    for (char **e = environ; *e && n < 256; e++)
        if ((strncmp(*e, "SLURM_", 6) == 0 || strncmp(*e, "TAQ_", 4) == 0) &&
            strncmp(*e, "TAQ_TEST_", 9) != 0)
            names[n++] = strndup(*e, strcspn(*e, "="));
    for (int i = 0; i < n; i++) {
        unsetenv(names[i]);
        free(names[i]);
    }
    char conf[4200];
    snprintf(conf, sizeof conf, "%s/slurm.conf", dir);
    setenv("SLURM_CONF", conf, 1);
    return 0;
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_single_job),
        TAQ_CASE(test_backfill_array),
        TAQ_CASE(test_calendar_array_mpirun),
        TAQ_CASE(test_missing_binary_fails),
    };
    if (use_test_cluster() != 0)
        return 1;
    return taq_test_main(argc, argv, "slurm", cases, (int)(sizeof cases / sizeof cases[0]), 0);
}
