/*
 * closes.c - previous close per (symbol, exchange).
 *
 * Design. A date's closes are a small array sorted by (symbol, exchange)
 * in memcmp order of the NUL-padded fields - the same order as the EOD
 * output - so building them is one pass over the EOD output, merging the
 * slices of several ranks is a linear merge, and a lookup is a binary
 * search. Keys are normalised on the way in (bytes after the first NUL are
 * zeroed) so callers may pass either a record field, which may fill its 16
 * or 8 bytes without a NUL, or a shorter C string.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "taq/analytics.h"
#include "taq/util.h"

/* Copies a field or C string of at most len bytes into a NUL-padded key. */
static void pad_key(char *dst, const char *src, size_t len)
{
    const size_t k = strnlen(src, len);
    memcpy(dst, src, k);
    memset(dst + k, 0, len - k);
}

static int cmp_close(const taq_close_t *a, const taq_close_t *b)
{
    const int c = memcmp(a->symbol, b->symbol, TAQ_SYMBOL_LEN);
    return c ? c : memcmp(a->exchange, b->exchange, TAQ_EXCHANGE_LEN);
}

static int same_pair(const taq_event_t *a, const taq_event_t *b)
{
    return memcmp(a->symbol, b->symbol, TAQ_SYMBOL_LEN) == 0 &&
           memcmp(a->exchange, b->exchange, TAQ_EXCHANGE_LEN) == 0;
}

/* (event_tm, event_seq_nb) of a strictly after b's. */
static int later_trade(const taq_event_t *a, const taq_event_t *b)
{
    return a->event_tm > b->event_tm ||
           (a->event_tm == b->event_tm && a->event_seq_nb > b->event_seq_nb);
}

/*
 * The last trade of the pair group starting at ev[i] (NULL when it has no
 * trade); *end gets the index past the group. Compares times rather than
 * trusting positions, so the choice is right even if the group is unsorted.
 */
static const taq_event_t *group_last_trade(const taq_event_t *ev, const uint32_t *order, size_t n,
                                           size_t i, size_t *end)
{
    const taq_event_t *best = NULL;
    const taq_event_t *first = taq_event_at(ev, order, i);
    size_t j = i;
    for (; j < n; j++) {
        const taq_event_t *e = taq_event_at(ev, order, j);
        if (!same_pair(first, e))
            break;
        if (e->kind != TAQ_KIND_TRADE)
            continue;
        if (!best || !later_trade(best, e))
            best = e;
    }
    *end = j;
    return best;
}

void taq_closes_from_events(const taq_event_t *ev, size_t n, taq_closes_t *out)
{
    taq_closes_from_events_ordered(ev, NULL, n, out);
}

void taq_closes_from_events_ordered(const taq_event_t *ev, const uint32_t *order, size_t n,
                                    taq_closes_t *out)
{
    size_t count = 0, end = 0;
    for (size_t i = 0; i < n; i = end)
        count += group_last_trade(ev, order, n, i, &end) != NULL;
    out->items = TAQ_MALLOC(count * sizeof *out->items);
    out->n = 0;
    for (size_t i = 0; i < n; i = end) {
        const taq_event_t *t = group_last_trade(ev, order, n, i, &end);
        if (!t)
            continue;
        taq_close_t *c = &out->items[out->n++];
        pad_key(c->symbol, t->symbol, TAQ_SYMBOL_LEN);
        pad_key(c->exchange, t->exchange, TAQ_EXCHANGE_LEN);
        c->close_pr = t->price;
    }
    assert(out->n == count);
}

double taq_closes_lookup(const taq_closes_t *closes, const char *symbol, const char *exchange)
{
    if (!closes || closes->n == 0)
        return NAN;
    taq_close_t key;
    pad_key(key.symbol, symbol, TAQ_SYMBOL_LEN);
    pad_key(key.exchange, exchange, TAQ_EXCHANGE_LEN);
    size_t lo = 0, hi = closes->n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const int c = cmp_close(&closes->items[mid], &key);
        if (c == 0)
            return closes->items[mid].close_pr;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NAN;
}

/*
 * Linear merge of two sorted arrays. Pairs are disjoint across ranks; if a
 * pair is in both anyway, src's close replaces dst's (one entry is kept).
 */
void taq_closes_merge(taq_closes_t *dst, const taq_closes_t *src)
{
    if (!src || src->n == 0)
        return;
    taq_close_t *m = TAQ_MALLOC((dst->n + src->n) * sizeof *m);
    size_t i = 0, j = 0, k = 0;
    while (i < dst->n && j < src->n) {
        const int c = cmp_close(&dst->items[i], &src->items[j]);
        if (c < 0)
            m[k++] = dst->items[i++];
        else if (c > 0)
            m[k++] = src->items[j++];
        else
            i++; /* duplicate pair: src's entry is taken next round */
    }
    while (i < dst->n)
        m[k++] = dst->items[i++];
    while (j < src->n)
        m[k++] = src->items[j++];
    free(dst->items);
    dst->items = m;
    dst->n = k;
}

void taq_closes_free(taq_closes_t *c)
{
    if (!c)
        return;
    free(c->items);
    c->items = NULL;
    c->n = 0;
}
