/*
 * pairs.h - dense ids for the (symbol, exchange) pairs of an event array.
 *
 * Sorting and routing work on pairs, and comparing 24-byte pairs again and
 * again is the expensive part of both. A pair index gives every event the
 * id of its pair, with ids numbered in pair sort order (memcmp of symbol,
 * then exchange), so comparing two ids is comparing the pairs.
 */
#ifndef TAQ_PAIRS_H
#define TAQ_PAIRS_H

#include <stddef.h>
#include <stdint.h>

#include "taq/record.h"

typedef struct taq_pair_index {
    uint32_t *id;      /* one per event: its pair's position in `pairs` */
    taq_pair_t *pairs; /* the distinct pairs, sorted */
    int64_t *rows;     /* events per pair */
    size_t n_pairs;
} taq_pair_index_t;

/* OUT *pi for ev[0..n) (n < 2^32): release with taq_pair_index_free. */
void taq_pair_index_build(const taq_event_t *ev, size_t n, taq_pair_index_t *pi);
void taq_pair_index_free(taq_pair_index_t *pi);

#endif /* TAQ_PAIRS_H */
