/*
 * analytics.c - 30-minute moving average and as-of join, one pass per pair.
 *
 * Design. The EOD output is sorted by (symbol, exchange, event_tm, seq,
 * kind), so every (symbol, exchange) pair is a contiguous group and every
 * statistic is a linear scan of it: trades are copied out first (they are
 * already in (event_tm, seq) order), the window runs over them with two
 * pointers, then the quotes walk a third pointer over the same trades for
 * the as-of join. Output arrays are counted first and allocated exactly.
 *
 * Why a double-double window sum. A plain running sum with add/subtract
 * drifts: (a + b) - a is not b in double, so a trade left alone in its
 * window would not get its own price back, and the error grows over a day.
 * The sum is kept as an unevaluated pair hi + lo, updated with TwoSum for
 * every add and every subtract and renormalised with TwoSum. Each TwoSum is
 * exact, and the only rounding left (e + lo) is exact too while
 * count * max_price / min_price < 2^53 over the window - always true for
 * prices - so hi + lo IS the exact window sum: removing every trade but
 * one leaves exactly its price. The mean is then the dd sum divided by the
 * count with a remainder correction (fma gives the exact remainder), which
 * returns p exactly for k equal prices p, where fl(fl(k*p)/k) need not.
 * A window that drops to one trade is resynchronised to that price, so the
 * lone-trade guarantee holds even for absurd price ranges.
 * This relies on strict IEEE double evaluation: no -ffast-math, and no FP
 * contraction (ISO C mode, which the build uses, keeps GCC's off).
 */
#define _GNU_SOURCE /* madvise */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "taq/analytics.h"
#include "taq/util.h"

typedef struct dd {
    double hi, lo;
} dd_t;

/* Knuth's TwoSum: s + e == a + b exactly, s == fl(a + b). */
static inline void two_sum(double a, double b, double *s, double *e)
{
    const double sum = a + b;
    const double bb = sum - a;
    *e = (a - (sum - bb)) + (b - bb);
    *s = sum;
}

/* x += v, keeping x normalised (hi == fl(hi + lo)). */
static inline void dd_add(dd_t *x, double v)
{
    double s, e;
    two_sum(x->hi, v, &s, &e);
    two_sum(s, e + x->lo, &x->hi, &x->lo);
}

/* Correctly rounded (for an exact sum) mean of k values summing to x. */
static inline double dd_mean(dd_t x, size_t k)
{
    const double dk = (double)k;
    const double q = x.hi / dk;
    const double r = fma(-q, dk, x.hi) + x.lo; /* exact remainder of hi / k, plus lo */
    return q + r / dk;
}

static int same_pair(const taq_event_t *a, const taq_event_t *b)
{
    return memcmp(a->symbol, b->symbol, TAQ_SYMBOL_LEN) == 0 &&
           memcmp(a->exchange, b->exchange, TAQ_EXCHANGE_LEN) == 0;
}

static size_t group_end(const taq_event_t *ev, const uint32_t *order, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && same_pair(taq_event_at(ev, order, i), taq_event_at(ev, order, j)))
        j++;
    return j;
}

/*
 * mov_avg_pr of trades t[0..m) of one pair, in (event_tm, seq) order. Trades
 * sharing an event_tm enter the window together and share one average.
 */
static void fill_mov_avg(taq_trade_row_t *t, size_t m)
{
    dd_t sum = {0.0, 0.0};
    size_t lo = 0, i = 0;
    while (i < m) {
        const int64_t tm = t[i].event_tm;
        size_t j = i;
        for (; j < m && t[j].event_tm == tm; j++)
            dd_add(&sum, t[j].trade_pr);
        for (; tm - t[lo].event_tm > TAQ_MOVAVG_WINDOW_NS; lo++)
            dd_add(&sum, -t[lo].trade_pr);
        assert(lo <= i);
        if (j - lo == 1)
            sum = (dd_t){t[lo].trade_pr, 0.0};
        const double avg = dd_mean(sum, j - lo);
        for (; i < j; i++)
            t[i].mov_avg_pr = avg;
    }
}

static void trade_row(taq_trade_row_t *r, const taq_event_t *e)
{
    memcpy(r->symbol, e->symbol, TAQ_SYMBOL_LEN);
    memcpy(r->exchange, e->exchange, TAQ_EXCHANGE_LEN);
    r->event_tm = e->event_tm;
    r->event_seq_nb = e->event_seq_nb;
    r->arrival_tm = e->arrival_tm;
    r->trade_pr = e->price;
    r->trade_size = e->size;
    r->mov_avg_pr = NAN;
}

static void quote_row(taq_quote_row_t *r, const taq_event_t *e)
{
    memcpy(r->symbol, e->symbol, TAQ_SYMBOL_LEN);
    memcpy(r->exchange, e->exchange, TAQ_EXCHANGE_LEN);
    r->event_tm = e->event_tm;
    r->event_seq_nb = e->event_seq_nb;
    r->arrival_tm = e->arrival_tm;
    r->bid_pr = e->price;
    r->bid_size = e->size;
    r->ask_pr = e->ask_pr;
    r->ask_size = e->ask_size;
}

/* last: the as-of trade row, or NULL. close: previous close or NaN. */
static void final_row(taq_final_row_t *r, const taq_event_t *e, const taq_trade_row_t *last,
                      double close)
{
    memcpy(r->symbol, e->symbol, TAQ_SYMBOL_LEN);
    memcpy(r->exchange, e->exchange, TAQ_EXCHANGE_LEN);
    r->event_tm = e->event_tm;
    r->event_seq_nb = e->event_seq_nb;
    r->bid_pr = e->price;
    r->bid_size = e->size;
    r->ask_pr = e->ask_pr;
    r->ask_size = e->ask_size;
    r->last_trade_pr = last ? last->trade_pr : NAN;
    r->last_mov_avg_pr = last ? last->mov_avg_pr : NAN;
    r->bid_pr_mv = e->price - close;
    r->ask_pr_mv = e->ask_pr - close;
}

/* (t.event_tm, t.seq) <= (q.event_tm, q.seq): t may be q's as-of trade. */
static int trade_not_after(const taq_trade_row_t *t, const taq_event_t *q)
{
    return t->event_tm < q->event_tm ||
           (t->event_tm == q->event_tm && t->event_seq_nb <= q->event_seq_nb);
}

/* Appends the trade rows of the pair group [lo, hi) (EOD order), with their averages. */
static size_t emit_trades(const taq_event_t *ev, const uint32_t *order, size_t lo, size_t hi,
                          taq_trade_row_t *t)
{
    size_t m = 0;
    for (size_t i = lo; i < hi; i++) {
        const taq_event_t *e = taq_event_at(ev, order, i);
        if (e->kind == TAQ_KIND_TRADE)
            trade_row(&t[m++], e);
    }
    fill_mov_avg(t, m);
    return m;
}

void taq_analytics_trades(const taq_event_t *ev, const uint32_t *order, size_t n,
                          taq_tables_t *out)
{
    size_t trades = 0, quotes = 0;
    for (size_t i = 0; i < n; i++) { /* kinds are counted in any order */
        const taq_event_t *e = taq_event_at(ev, order, i);
        trades += e->kind == TAQ_KIND_TRADE;
        quotes += e->kind == TAQ_KIND_QUOTE;
    }
    *out = (taq_tables_t){0};
    out->trade = TAQ_MALLOC(trades * sizeof *out->trade);
    for (size_t i = 0, end; i < n; i = end) {
        end = group_end(ev, order, n, i);
        out->n_trade += emit_trades(ev, order, i, end, out->trade + out->n_trade);
    }
    assert(out->n_trade == trades);
    out->n_quote = out->n_final = quotes;
}

void taq_quote_stream_init(taq_quote_stream_t *s, const taq_event_t *ev, const uint32_t *order,
                           size_t n, const taq_trade_row_t *trade, const taq_closes_t *prev)
{
    *s = (taq_quote_stream_t){.ev = ev, .order = order, .n = n, .trade = trade, .prev = prev};
}

/* Enter the pair group starting at s->i: its trades follow the previous group's. */
static void start_group(taq_quote_stream_t *s)
{
    s->group_end = group_end(s->ev, s->order, s->n, s->i);
    size_t m = 0;
    for (size_t k = s->i; k < s->group_end; k++)
        m += taq_event_at(s->ev, s->order, k)->kind == TAQ_KIND_TRADE;
    s->t_lo = s->t_hi;
    s->t_hi = s->t_lo + m;
    s->j = s->t_lo;
    const taq_event_t *first = taq_event_at(s->ev, s->order, s->i);
    s->close = taq_closes_lookup(s->prev, first->symbol, first->exchange);
}

static const taq_event_t *next_quote(taq_quote_stream_t *s)
{
    for (;;) {
        if (s->i >= s->n)
            TAQ_ABORT("quote stream read past its %zu records", s->n);
        if (s->i == s->group_end)
            start_group(s);
        const taq_event_t *e = taq_event_at(s->ev, s->order, s->i++);
        if (e->kind == TAQ_KIND_QUOTE)
            return e;
    }
}

void taq_quote_stream_quotes(void *stream, void *rows, size_t count)
{
    taq_quote_row_t *q = rows;
    for (size_t c = 0; c < count; c++)
        quote_row(&q[c], next_quote(stream));
}

#define TAQ_RELEASE_BLOCK ((size_t)2 << 20)

/* Blocks every position before s->i was the last to read: nothing reads them again. */
static void release_passed(taq_quote_stream_t *s)
{
    for (; s->rel_next < s->rel_n && s->rel[s->rel_next].last < s->i; s->rel_next++)
        (void)madvise(s->rel_base + s->rel[s->rel_next].block * TAQ_RELEASE_BLOCK,
                      TAQ_RELEASE_BLOCK, MADV_DONTNEED); /* advice: failure only costs memory */
}

void taq_quote_stream_finals(void *stream, void *rows, size_t count)
{
    taq_quote_stream_t *s = stream;
    taq_final_row_t *f = rows;
    for (size_t c = 0; c < count; c++) {
        const taq_event_t *e = next_quote(s);
        while (s->j < s->t_hi && trade_not_after(&s->trade[s->j], e))
            s->j++;
        final_row(&f[c], e, s->j > s->t_lo ? &s->trade[s->j - 1] : NULL, s->close);
    }
    release_passed(s);
}

static int cmp_last(const void *a, const void *b)
{
    const struct taq_release_block *x = a, *y = b;
    return (x->last > y->last) - (x->last < y->last);
}

void taq_quote_stream_release(taq_quote_stream_t *s, size_t n_ev)
{
    const uintptr_t start = (uintptr_t)s->ev, end = start + n_ev * sizeof(taq_event_t);
    const uintptr_t lo = (start + TAQ_RELEASE_BLOCK - 1) & ~(uintptr_t)(TAQ_RELEASE_BLOCK - 1);
    const uintptr_t hi = end & ~(uintptr_t)(TAQ_RELEASE_BLOCK - 1);
    if (hi <= lo)
        return; /* no whole block */
    const size_t nb = (hi - lo) / TAQ_RELEASE_BLOCK;
    s->rel = TAQ_MALLOC(nb * sizeof *s->rel);
    for (size_t b = 0; b < nb; b++)
        s->rel[b] = (struct taq_release_block){0, b}; /* unread blocks go at once */
    for (size_t i = 0; i < s->n; i++) {               /* a record may straddle two blocks */
        const uintptr_t a = (uintptr_t)taq_event_at(s->ev, s->order, i);
        const uintptr_t ends[2] = {a, a + sizeof(taq_event_t) - 1};
        for (int k = 0; k < 2; k++)
            if (ends[k] >= lo && ends[k] < hi)
                s->rel[(ends[k] - lo) / TAQ_RELEASE_BLOCK].last = i;
    }
    qsort(s->rel, nb, sizeof *s->rel, cmp_last);
    s->rel_base = (char *)lo;
    s->rel_n = nb;
    s->rel_next = 0;
}

void taq_quote_stream_free(taq_quote_stream_t *s)
{
    free(s->rel);
    s->rel = NULL;
    s->rel_n = s->rel_next = 0;
}

void taq_analytics_run(const taq_event_t *ev, size_t n, const taq_closes_t *prev, taq_tables_t *out)
{
    taq_analytics_run_ordered(ev, NULL, n, prev, out);
}

void taq_analytics_run_ordered(const taq_event_t *ev, const uint32_t *order, size_t n,
                               const taq_closes_t *prev, taq_tables_t *out)
{
    taq_analytics_trades(ev, order, n, out);
    out->quote = TAQ_MALLOC(out->n_quote * sizeof *out->quote);
    out->final = TAQ_MALLOC(out->n_final * sizeof *out->final);
    taq_quote_stream_t s;
    taq_quote_stream_init(&s, ev, order, n, out->trade, prev);
    taq_quote_stream_quotes(&s, out->quote, out->n_quote);
    taq_quote_stream_init(&s, ev, order, n, out->trade, prev);
    taq_quote_stream_finals(&s, out->final, out->n_final);
}

void taq_tables_free(taq_tables_t *t)
{
    if (!t)
        return;
    free(t->trade);
    free(t->quote);
    free(t->final);
    *t = (taq_tables_t){0};
}
