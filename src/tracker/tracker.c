/*
 * tracker.c - the facade over the tracker backends, and what they share:
 * job ids, the identity of a run (host, Slurm job, version), the filter and
 * sort of `taqmpi status`, and its table printer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "taq/timeutil.h"
#include "tracker_internal.h"

const char *taq_job_status_name(taq_job_status_t s)
{
    switch (s) {
    case TAQ_JOB_RUNNING: return "running";
    case TAQ_JOB_SUCCESS: return "success";
    case TAQ_JOB_FAILED: return "failed";
    }
    return "?";
}

void taq_tracker_copy(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strnlen(src, cap - 1) : 0;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

void taq_tracker_job_id(const char *job, int32_t date, char out[TAQ_JOB_TEXT])
{
    char d[11];
    taq_date_format(date, d);
    size_t n = strnlen(job, TAQ_JOB_TEXT - 12);
    memcpy(out, job, n);
    out[n] = '_';
    memcpy(out + n + 1, d, 11);
}

uint64_t taq_tracker_lock_key(const char *job_id)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (const char *s = job_id; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

double taq_tracker_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/*
 * The Slurm job a row belongs to: SLURM_JOB_ID, except in a job array, where
 * every task has its own SLURM_JOB_ID that says nothing about the array;
 * there it is "<array job>_<task>", the name squeue, scontrol and sacct use.
 */
static void slurm_job_id(char *out, size_t cap)
{
    const char *array = getenv("SLURM_ARRAY_JOB_ID"), *task = getenv("SLURM_ARRAY_TASK_ID");
    if (array && *array && task && *task) {
        snprintf(out, cap, "%s_%s", array, task);
        return;
    }
    taq_tracker_copy(out, cap, getenv("SLURM_JOB_ID"));
}

void taq_tracker_row_identity(taq_job_row_t *row, const char *job, int32_t date,
                              const taq_run_info_t *info)
{
    taq_tracker_job_id(job, date, row->job_id);
    taq_tracker_copy(row->job, sizeof row->job, job);
    row->trade_dt = date;
    if (gethostname(row->host, sizeof row->host) != 0)
        row->host[0] = '\0';
    row->host[sizeof row->host - 1] = '\0';
    slurm_job_id(row->slurm_job_id, sizeof row->slurm_job_id);
    taq_tracker_copy(row->version, sizeof row->version, TAQ_VERSION);
    row->ranks = info ? info->ranks : 0;
}

taq_rc taq_tracker_begin(taq_tracker_t *t, const char *job, int32_t date, int force,
                         const taq_run_info_t *info, taq_claim_t *claim)
{
    return t->ops->begin(t, job, date, force, info, claim);
}

taq_rc taq_tracker_finish(taq_tracker_t *t, const char *job, int32_t date,
                          taq_job_status_t status, const taq_counts_t *counts,
                          const char *output, const char *error)
{
    return t->ops->finish(t, job, date, status, counts, output, error);
}

static int cmp_row(const void *a, const void *b)
{
    const taq_job_row_t *x = a, *y = b;
    int c = strcmp(x->job, y->job);
    return c ? c : (x->trade_dt > y->trade_dt) - (x->trade_dt < y->trade_dt);
}

taq_rc taq_tracker_list(taq_tracker_t *t, const char *job, int has_range, int32_t first,
                        int32_t last, taq_job_row_t **rows, size_t *n)
{
    TAQ_TRY(t->ops->list(t, rows, n));
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        const taq_job_row_t *r = &(*rows)[i];
        if (job && strcmp(r->job, job) != 0)
            continue;
        if (has_range && (r->trade_dt < first || r->trade_dt > last))
            continue;
        (*rows)[kept++] = *r;
    }
    *n = kept;
    if (*n > 1)
        qsort(*rows, *n, sizeof **rows, cmp_row);
    return TAQ_OK;
}

#ifndef TAQ_WITH_TRACKER
taq_rc taq_tracker_open_pg(const char *conninfo, taq_tracker_t **out)
{
    (void)conninfo;
    *out = NULL;
    TAQ_FAIL_IF(1, TAQ_ERR_TRACKER, "tracker: this taqmpi was built without PostgreSQL support"
                                    " (TAQ_WITH_TRACKER=OFF)");
}
#endif

void taq_tracker_close(taq_tracker_t **t)
{
    if (!t || !*t)
        return;
    (*t)->ops->close(*t);
    free(*t);
    *t = NULL;
}
