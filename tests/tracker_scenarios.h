/*
 * tracker_scenarios.h - the tracker's contract, run against either backend.
 *
 * The file journal (test_tracker) and PostgreSQL (test_pg) promise the same
 * lifecycle: claim, finish, skip, --force, retry after failure, one run per
 * (job, date), take-over of a dead owner's row. Each scenario opens its
 * trackers through the backend's `open` with `where` (journal: the output
 * folder; PostgreSQL: a connection string of a fresh database), and leaves
 * the state behind for the caller to inspect or drop.
 */
#ifndef TAQ_TEST_TRACKER_SCENARIOS_H
#define TAQ_TEST_TRACKER_SCENARIOS_H

#include "taq/tracker.h"

typedef struct tracker_backend {
    taq_rc (*open)(const char *where, taq_tracker_t **out);
    const char *where;
} tracker_backend_t;

/* The run info every scenario claims with (2 ranks). */
extern const taq_run_info_t scenario_info;

/* The current row of (job, date), via list; asserts that it exists. */
taq_job_row_t scenario_row_of(taq_tracker_t *t, const char *job, int32_t date);

/*
 * Claim, retrying for up to 5 s while the date is busy (a dead owner's lock
 * may take a moment to go: PostgreSQL drops the session asynchronously).
 */
taq_claim_t scenario_claim_when_free(taq_tracker_t *t, const char *job, int32_t date,
                                     int force);

/* Claim 2020-08-05, finish, skip, --force, fail, retry, reopen: every field checked. */
void scenario_run_skip_force(const tracker_backend_t *b);

/* A live owner in another process makes the date busy, not other dates. */
void scenario_concurrent_claim_is_busy(const tracker_backend_t *b);

/* A `running` row whose owner died is taken over, as attempt 2. */
void scenario_stale_running_taken_over(const tracker_backend_t *b);

#endif /* TAQ_TEST_TRACKER_SCENARIOS_H */
