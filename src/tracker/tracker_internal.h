/*
 * tracker_internal.h - the backend table behind taq_tracker_t.
 */
#ifndef TAQ_TRACKER_INTERNAL_H
#define TAQ_TRACKER_INTERNAL_H

#include "taq/tracker.h"

typedef struct tracker_ops {
    const char *name;
    taq_rc (*begin)(taq_tracker_t *t, const char *job, int32_t date, int force,
                    const taq_run_info_t *info, taq_claim_t *claim);
    taq_rc (*finish)(taq_tracker_t *t, const char *job, int32_t date, taq_job_status_t status,
                     const taq_counts_t *counts, const char *output, const char *error);
    taq_rc (*list)(taq_tracker_t *t, taq_job_row_t **rows, size_t *n);
    void (*close)(taq_tracker_t *t);
} tracker_ops_t;

struct taq_tracker {
    const tracker_ops_t *ops;
    void *impl;
};

/* Shared by the backends. */
void taq_tracker_job_id(const char *job, int32_t date, char out[TAQ_JOB_TEXT]);
/* Fill host, slurm_job_id, version, ranks, job, job_id, trade_dt of a new row. */
void taq_tracker_row_identity(taq_job_row_t *row, const char *job, int32_t date,
                              const taq_run_info_t *info);
double taq_tracker_clock(void);
/* 64-bit FNV-1a of job_id: names the date's lock (a lock file, an advisory lock key). */
uint64_t taq_tracker_lock_key(const char *job_id);
/* Bounded copy that always NUL-terminates. */
void taq_tracker_copy(char *dst, size_t cap, const char *src);

#endif /* TAQ_TRACKER_INTERNAL_H */
