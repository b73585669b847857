/*
 * tracker.h - one row per (job, date) that tells an operator what happened.
 *
 * Backends sit behind one small table of functions (tracker_internal.h):
 * PostgreSQL (pg.c, when a connection is configured) and the file journal
 * (a workstation needs no server), with the same rows and semantics.
 * Only rank 0 talks to the tracker. A claimed (job, date) stays locked until
 * taq_tracker_finish (or the process dies, which releases the lock: that is
 * how a stale `running` row is recognised and taken over).
 */
#ifndef TAQ_TRACKER_H
#define TAQ_TRACKER_H

#include <stdint.h>
#include <stdio.h>

#include "taq/record.h"
#include "taq/util.h"

typedef enum taq_job_status {
    TAQ_JOB_RUNNING = 0,
    TAQ_JOB_SUCCESS = 1,
    TAQ_JOB_FAILED = 2,
} taq_job_status_t;

/* "running", "success", "failed". */
const char *taq_job_status_name(taq_job_status_t s);

#define TAQ_JOB_TEXT 512

/* One tracker row (seed columns job_id, job_status, updated_time, plus the rest). */
typedef struct taq_job_row {
    char job_id[TAQ_JOB_TEXT]; /* "<job>_<YYYY-MM-DD>" */
    char job[TAQ_JOB_TEXT];
    int32_t trade_dt;          /* days since 1970-01-01 */
    taq_job_status_t status;
    int64_t attempt;           /* 1 for the first run of the date, +1 per rerun or takeover */
    double started;            /* Unix seconds; 0 when unknown */
    double finished;           /* Unix seconds; 0 while running */
    double updated;            /* Unix seconds of the last change */
    char host[256];
    int64_t ranks;
    char slurm_job_id[64];     /* "" outside Slurm; "<array job>_<task>" in a job array */
    char version[32];
    taq_counts_t counts;
    char output[TAQ_JOB_TEXT];
    char error[TAQ_JOB_TEXT];
} taq_job_row_t;

typedef struct taq_tracker taq_tracker_t;

/* What a run says about itself when it claims a date. */
typedef struct taq_run_info {
    int64_t ranks;
} taq_run_info_t;

/*
 * Open the journal backend in folder `output` (created if missing).
 * OUT *out: release with taq_tracker_close. TAQ_ERR_TRACKER/IO on failure.
 */
taq_rc taq_tracker_open_journal(const char *output, taq_tracker_t **out);

/*
 * Open the PostgreSQL backend. conninfo: a libpq "key=value ..." string or a
 * postgresql:// URI; NULL or "" means libpq's defaults (PG* environment
 * variables, ~/.pgpass). Creates job_tracker and taq_schema_version when
 * missing and upgrades an older schema in place (never drops it). Errors
 * (taq_errmsg) name host and port and never contain a password.
 * OUT *out: release with taq_tracker_close. TAQ_ERR_TRACKER on failure, also
 * when built without TAQ_WITH_TRACKER.
 */
taq_rc taq_tracker_open_pg(const char *conninfo, taq_tracker_t **out);

/* Outcome of a claim. */
typedef enum taq_claim {
    TAQ_CLAIM_RUN = 0,  /* the row is now `running` under this run; process the date */
    TAQ_CLAIM_DONE = 1, /* the date is already `success` (and no --force): skip */
    TAQ_CLAIM_BUSY = 2, /* another live run holds the date: skip, it is not ours */
} taq_claim_t;

/*
 * Claim (job, date). A `running` row whose owner is gone is taken over
 * (logged, attempt + 1). OUT *claim. On TAQ_CLAIM_RUN the lock is held
 * until taq_tracker_finish for the same date.
 */
taq_rc taq_tracker_begin(taq_tracker_t *t, const char *job, int32_t date, int force,
                         const taq_run_info_t *info, taq_claim_t *claim);

/*
 * Record the end of a claimed date: `success` with counts and output path,
 * or `failed` with the error text. Releases the date's lock.
 */
taq_rc taq_tracker_finish(taq_tracker_t *t, const char *job, int32_t date,
                          taq_job_status_t status, const taq_counts_t *counts,
                          const char *output, const char *error);

/*
 * Rows matching job (NULL: any) and dates [first, last] (has_range 0: any),
 * sorted by job then date. OUT *rows (owned by the caller, free()), *n.
 */
taq_rc taq_tracker_list(taq_tracker_t *t, const char *job, int has_range, int32_t first,
                        int32_t last, taq_job_row_t **rows, size_t *n);

/* Print rows as an aligned table. */
void taq_tracker_print(FILE *out, const taq_job_row_t *rows, size_t n);

/* Accepts NULL; releases any lock still held and sets *t = NULL. */
void taq_tracker_close(taq_tracker_t **t);

#endif /* TAQ_TRACKER_H */
