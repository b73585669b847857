/*
 * pairs.h - dense ids for the (symbol, exchange) pairs of an event array.
 *
 * Sorting and routing work on pairs, and comparing 24-byte pairs again and
 * again is the expensive part of both. A pair index cuts the events into
 * runs of consecutive events of one pair and gives every run the id of its
 * pair, with ids numbered in pair sort order (memcmp of symbol, then
 * exchange), so comparing two ids is comparing the pairs. Input files hold
 * long runs of one pair (3,500-3,800 runs for a rank's 5 M events on 2
 * ranks of the bench day), so a run list is a small fraction of a
 * per-event id array; input in no order gets a run per event.
 */
#ifndef TAQ_PAIRS_H
#define TAQ_PAIRS_H

#include <stddef.h>
#include <stdint.h>

#include "taq/record.h"

/* Events [start, next run's start) all have pair `pair`. */
typedef struct taq_pair_run {
    uint32_t start;
    uint32_t pair; /* position in taq_pair_index_t.pairs */
} taq_pair_run_t;

typedef struct taq_pair_index {
    taq_pair_run_t *runs; /* n_runs + 1 entries: the last one's start is the event count */
    size_t n_runs;
    taq_pair_t *pairs; /* the distinct pairs, sorted */
    int64_t *rows;     /* events per pair */
    size_t n_pairs;
} taq_pair_index_t;

/* OUT *pi for ev[0..n) (n < 2^32): release with taq_pair_index_free. */
void taq_pair_index_build(const taq_event_t *ev, size_t n, taq_pair_index_t *pi);
void taq_pair_index_free(taq_pair_index_t *pi);

#endif /* TAQ_PAIRS_H */
