/*
 * eod.c - end-of-day load: resolve corrections, the latest arrival wins.
 *
 * Design. One sort, one linear compaction. The sort key is the dedupe key
 * (symbol, exchange, event_tm, event_seq_nb, kind, trade_dt) followed by the
 * tie-breakers (arrival_tm, file_idx, line), so the winner of every key is
 * the LAST element of its run and compaction only has to compare neighbours.
 * The leading order (symbol, exchange, event_tm, seq) is also the output
 * order the analytics and the HDF5 tables need, so nothing sorts twice.
 *
 * Determinism. (file_idx, line) is unique per date, so the key is a total
 * order on real input and the result does not depend on the input order
 * even though qsort is not stable. For the degenerate case of two events
 * from the same line (tests, synthetic data) the payload bytes break the tie.
 *
 * Speed. symbol (16 bytes) and exchange (8 bytes) are compared as three
 * big-endian 64-bit words instead of two memcmp calls, and every field
 * comparison is a branch-free (a > b) - (a < b); the chain picks the first
 * non-zero result with conditional moves. qsort still pays an indirect call
 * per comparison and moves 112-byte records. What would be faster on
 * hundreds of millions of events: sort (key, index) pairs instead of records
 * - map each (symbol, exchange) to a dense pair id through a rank-local
 * dictionary so the key packs into two 64-bit words (pair id | event_tm,
 * seq | kind | arrival rank) - with an LSD radix sort (8 or 11-bit digits,
 * skipping digits that are constant over the input), then apply the
 * permutation once. That is O(n) with sequential memory traffic and would
 * also parallelise per rank trivially.
 */
#include "taq/eod.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Big-endian load: the integer order equals memcmp order of the 8 bytes. */
static inline uint64_t load_be64(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return ((uint64_t)u[0] << 56) | ((uint64_t)u[1] << 48) | ((uint64_t)u[2] << 40) |
           ((uint64_t)u[3] << 32) | ((uint64_t)u[4] << 24) | ((uint64_t)u[5] << 16) |
           ((uint64_t)u[6] << 8) | (uint64_t)u[7];
}

#define CMP3(a, b) (((a) > (b)) - ((a) < (b)))

/* -1, 0, 1 as memcmp over symbol then exchange (24 bytes, 3 words). */
static inline int cmp_pair(const taq_event_t *a, const taq_event_t *b)
{
    int c = CMP3(load_be64(a->symbol), load_be64(b->symbol));
    int d = CMP3(load_be64(a->symbol + 8), load_be64(b->symbol + 8));
    int e = CMP3(load_be64(a->exchange), load_be64(b->exchange));
    c = c ? c : d;
    return c ? c : e;
}

/* Order of the dedupe key (symbol, exchange, event_tm, seq, kind, trade_dt). */
static inline int cmp_key(const taq_event_t *a, const taq_event_t *b)
{
    int c = cmp_pair(a, b);
    int t = CMP3(a->event_tm, b->event_tm);
    int s = CMP3(a->event_seq_nb, b->event_seq_nb);
    int k = CMP3(a->kind, b->kind);
    int d = CMP3(a->trade_dt, b->trade_dt);
    c = c ? c : t;
    c = c ? c : s;
    c = c ? c : k;
    return c ? c : d;
}

/* Within one key: (arrival_tm, file_idx, line), then payload bytes. */
static inline int cmp_arrival(const taq_event_t *a, const taq_event_t *b)
{
    int c = CMP3(a->arrival_tm, b->arrival_tm);
    int f = CMP3(a->file_idx, b->file_idx);
    int l = CMP3(a->line, b->line);
    c = c ? c : f;
    c = c ? c : l;
    if (c)
        return c;
    /* Same key and same input line: only synthetic input gets here. */
    const size_t off = offsetof(taq_event_t, price);
    const size_t len = offsetof(taq_event_t, line) - off;
    return memcmp((const char *)a + off, (const char *)b + off, len);
}

static int cmp_event(const void *pa, const void *pb)
{
    const taq_event_t *a = pa, *b = pb;
    int c = cmp_key(a, b);
    return c ? c : cmp_arrival(a, b);
}

/* Keeps the last element of every run of equal keys; returns the new count. */
static size_t keep_last_per_key(taq_event_t *ev, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && cmp_key(&ev[i], &ev[i + 1]) == 0)
            continue;
        if (w != i)
            ev[w] = ev[i];
        w++;
    }
    return w;
}

int64_t taq_eod_dedupe(taq_event_t *ev, size_t *n)
{
    assert(n != NULL);
    if (*n < 2)
        return 0;
    assert(ev != NULL);
    qsort(ev, *n, sizeof *ev, cmp_event);
    const size_t kept = keep_last_per_key(ev, *n);
    const int64_t superseded = (int64_t)(*n - kept);
    *n = kept;
    return superseded;
}
