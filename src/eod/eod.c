/*
 * eod.c - end-of-day load: resolve corrections, the latest arrival wins.
 *
 * Design. Sort, then one linear compaction. The order is the dedupe key
 * (symbol, exchange, event_tm, event_seq_nb, kind; trade_dt is the same for
 * every record of a batch, see record.h) followed by the
 * tie-breakers (arrival_tm, file_idx, line), so the winner of every key is
 * the LAST element of its run and compaction only compares neighbours. The
 * leading order (symbol, exchange, event_tm, seq) is also the output order
 * the analytics and the HDF5 tables need, so nothing sorts twice.
 *
 * Speed. Records are 88 bytes; moving them through a comparison sort
 * dominated the stage. Instead each record gets a 16-byte sort key (pair
 * id from the pair index - ids are numbered in pair order -, event_tm,
 * record index) and only the keys are sorted, in place, with a buffer for
 * the shorter run of each merge: at most 24 bytes a record, the memory this
 * stage faults in. The result is an order: the indices of the winners in
 * output order, written over the keys. The records never
 * move (on a 10 M record rank, gathering them into a sorted copy took
 * longer than sorting, and a gigabyte more memory); the analytics read
 * them through the order, which visits them almost sequentially. The keys
 * are sorted by a natural merge sort: input files are mostly ordered by
 * (symbol, time), so a rank's records are a few long ascending runs and
 * the sort costs a few linear merge passes; arbitrary input still sorts in
 * O(n log n). Only keys that tie on (pair, event_tm) - events in the same
 * nanosecond, corrections - look at the records (seq first).
 *
 * Determinism. (file_idx, line) is unique per date, so the order is total
 * on real input and the result does not depend on the input order. For the
 * degenerate case of two events from the same line (tests, synthetic data)
 * the payload bytes break the tie.
 */
#include "taq/eod.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "taq/pairs.h"
#include "taq/util.h"

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

/* Order of the dedupe key (symbol, exchange, event_tm, seq, kind). */
static inline int cmp_key(const taq_event_t *a, const taq_event_t *b)
{
    int c = cmp_pair(a, b);
    int t = CMP3(a->event_tm, b->event_tm);
    int s = CMP3(a->event_seq_nb, b->event_seq_nb);
    int k = CMP3(a->kind, b->kind);
    c = c ? c : t;
    c = c ? c : s;
    return c ? c : k;
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
    const size_t len = offsetof(taq_event_t, ask_size) + sizeof a->ask_size - off;
    return memcmp((const char *)a + off, (const char *)b + off, len);
}

static int cmp_event(const void *pa, const void *pb)
{
    const taq_event_t *a = pa, *b = pb;
    int c = cmp_key(a, b);
    return c ? c : cmp_arrival(a, b);
}

/* 16 bytes: event_seq_nb and the rest come from the records on a (pair, tm) tie. */
typedef struct sort_key {
    int64_t tm;
    uint32_t pair;
    uint32_t idx;
} sort_key_t;

/* Total order of the records behind two keys (the cheap fields first). */
static inline int cmp_keys(const sort_key_t *a, const sort_key_t *b, const taq_event_t *ev)
{
    if (a->pair != b->pair)
        return a->pair < b->pair ? -1 : 1;
    if (a->tm != b->tm)
        return a->tm < b->tm ? -1 : 1;
    const taq_event_t *x = &ev[a->idx], *y = &ev[b->idx];
    if (x->event_seq_nb != y->event_seq_nb)
        return x->event_seq_nb < y->event_seq_nb ? -1 : 1;
    return cmp_event(x, y);
}

/* Runs shorter than this are extended by insertion sort before merging. */
#define MIN_RUN 32

/* Insertion sort of k[lo..hi) where k[lo..mid) is already sorted. */
static void insertion_sort(sort_key_t *k, size_t lo, size_t mid, size_t hi, const taq_event_t *ev)
{
    for (size_t i = mid; i < hi; i++) {
        const sort_key_t x = k[i];
        size_t j = i;
        while (j > lo && cmp_keys(&x, &k[j - 1], ev) < 0) {
            k[j] = k[j - 1];
            j--;
        }
        k[j] = x;
    }
}

/* Boundaries of ascending runs of k (each at least MIN_RUN long but the last); ends with n. */
static size_t find_runs(sort_key_t *k, size_t n, const taq_event_t *ev, taq_vec_t *bounds)
{
    *(size_t *)taq_vec_push(bounds) = 0;
    for (size_t lo = 0; lo < n;) {
        size_t hi = lo + 1;
        while (hi < n && cmp_keys(&k[hi - 1], &k[hi], ev) <= 0)
            hi++;
        if (hi - lo < MIN_RUN) {
            const size_t stop = lo + MIN_RUN < n ? lo + MIN_RUN : n;
            insertion_sort(k, lo, hi, stop, ev);
            hi = stop;
        }
        *(size_t *)taq_vec_push(bounds) = hi;
        lo = hi;
    }
    return bounds->len - 1;
}

/*
 * Merge the adjacent sorted runs k[lo, mid) and k[mid, hi) in place, with
 * buf (room for the shorter run) holding the shorter one: the left run is
 * merged front to back, the right one back to front, so the writes never
 * overtake the unread part of the run that stayed in k. Equal keys keep
 * left before right.
 */
static void merge_runs(sort_key_t *k, size_t lo, size_t mid, size_t hi, sort_key_t *buf,
                       const taq_event_t *ev)
{
    const size_t na = mid - lo, nb = hi - mid;
    if (na == 0 || nb == 0 || cmp_keys(&k[mid - 1], &k[mid], ev) <= 0)
        return; /* already in order: the common case for runs of sorted files */
    if (na <= nb) {
        memcpy(buf, k + lo, na * sizeof *buf);
        size_t i = 0, j = mid, o = lo;
        while (i < na && j < hi)
            k[o++] = cmp_keys(&k[j], &buf[i], ev) < 0 ? k[j++] : buf[i++];
        while (i < na)
            k[o++] = buf[i++];
    } else {
        memcpy(buf, k + mid, nb * sizeof *buf);
        size_t i = mid, j = nb, o = hi; /* i, j, o: one past the next to take or write */
        while (i > lo && j > 0)
            k[--o] = cmp_keys(&buf[j - 1], &k[i - 1], ev) < 0 ? k[--i] : buf[--j];
        while (j > 0)
            k[--o] = buf[--j];
    }
}

/* Sorts k[0..n) in place; needs room for n / 2 keys more at most. */
static void sort_keys(sort_key_t *k, size_t n, const taq_event_t *ev)
{
    taq_vec_t bounds;
    taq_vec_init(&bounds, sizeof(size_t));
    size_t runs = find_runs(k, n, ev, &bounds);
    size_t *b = bounds.data;
    /*
     * The shorter of two runs is at most n / 2 keys. Pages of buf are only
     * faulted in as far as a merge writes, so runs already in order cost
     * nothing here.
     */
    sort_key_t *buf = runs > 1 ? TAQ_MALLOC((n / 2 + 1) * sizeof *buf) : NULL;
    while (runs > 1) {
        /* Merge runs 2i and 2i+1; b[] is rewritten in place (w < r). */
        size_t w = 0;
        for (size_t r = 0; r < runs; r += 2) {
            const size_t lo = b[r];
            const size_t mid = b[r + 1];
            const size_t hi = r + 2 <= runs ? b[r + 2] : mid;
            merge_runs(k, lo, mid, hi, buf, ev);
            b[++w] = hi;
        }
        runs = w;
    }
    free(buf);
    taq_vec_free(&bounds);
}

/* Same dedupe key: (pair, event_tm) from the keys, seq and kind from the records. */
static inline int same_key(const sort_key_t *a, const sort_key_t *b, const taq_event_t *ev)
{
    if (a->pair != b->pair || a->tm != b->tm)
        return 0;
    const taq_event_t *x = &ev[a->idx], *y = &ev[b->idx];
    return x->event_seq_nb == y->event_seq_nb && x->kind == y->kind;
}

int64_t taq_eod_order(const taq_event_t *ev, size_t n, uint32_t **order, size_t *kept)
{
    if (n > UINT32_MAX)
        TAQ_ABORT("%zu records on one rank: the EOD order is 32-bit", n);
    const double t0 = taq_now();
    taq_pair_index_t pi;
    taq_pair_index_build(ev, n, &pi);
    sort_key_t *k = TAQ_MALLOC(n * sizeof *k);
    for (size_t r = 0; r < pi.n_runs; r++) {
        const uint32_t pair = pi.runs[r].pair;
        for (size_t i = pi.runs[r].start; i < pi.runs[r + 1].start; i++)
            k[i] = (sort_key_t){ev[i].event_tm, pair, (uint32_t)i};
    }
    taq_pair_index_free(&pi); /* before the merge buffer: never both at once */
    const double t1 = taq_now();
    sort_keys(k, n, ev);
    const double t2 = taq_now();
    /*
     * The winner of a key is the last of its run. The order is written over
     * the keys already read (4 bytes per 16, so it never reaches key i
     * before key i is read) and the block is then shrunk to it.
     */
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (!(i + 1 < n && same_key(&k[i], &k[i + 1], ev))) {
            const uint32_t idx = k[i].idx;
            memcpy((char *)k + w * sizeof idx, &idx, sizeof idx);
            w++;
        }
    uint32_t *o = TAQ_REALLOC(k, (w ? w : 1) * sizeof *o);
    TAQ_LOG(TAQ_LOG_DEBUG, "eod: %zu records, keys %.3f s, sort %.3f s, winners %.3f s", n,
            t1 - t0, t2 - t1, taq_now() - t2);
    *order = o;
    *kept = w;
    return (int64_t)(n - w);
}

int64_t taq_eod_dedupe(taq_event_t *ev, size_t *n)
{
    assert(n != NULL);
    if (*n < 2)
        return 0;
    assert(ev != NULL);
    uint32_t *order;
    size_t kept;
    const int64_t superseded = taq_eod_order(ev, *n, &order, &kept);
    taq_event_t *out = TAQ_MALLOC(kept * sizeof *out);
    for (size_t i = 0; i < kept; i++)
        out[i] = ev[order[i]];
    memcpy(ev, out, kept * sizeof *ev);
    free(out);
    free(order);
    *n = kept;
    return superseded;
}
