/*
 * analytics.h - 30-minute moving average, previous close, as-of join.
 *
 * Input is the EOD output (taq_eod_dedupe order). Every (symbol, exchange)
 * pair is handled in one linear pass, so a rank can compute any set of
 * whole pairs on its own.
 */
#ifndef TAQ_ANALYTICS_H
#define TAQ_ANALYTICS_H

#include <stddef.h>
#include <stdint.h>

#include "taq/record.h"

#define TAQ_MOVAVG_WINDOW_NS (INT64_C(30) * 60 * INT64_C(1000000000))

/* Close price per (symbol, exchange): sorted by (symbol, exchange). */
typedef struct taq_close {
    char symbol[TAQ_SYMBOL_LEN];
    char exchange[TAQ_EXCHANGE_LEN];
    double close_pr;
} taq_close_t;

typedef struct taq_closes {
    taq_close_t *items; /* owned */
    size_t n;
} taq_closes_t;

/*
 * Closes of one date: for each pair with trades, the trade_pr of its last
 * trade (greatest (event_tm, event_seq_nb)). ev, n: EOD output of that date.
 * OUT *out: owned by the caller, release with taq_closes_free.
 */
void taq_closes_from_events(const taq_event_t *ev, size_t n, taq_closes_t *out);

/* The i-th record in EOD order: ev[order[i]], or ev[i] without an order. */
static inline const taq_event_t *taq_event_at(const taq_event_t *ev, const uint32_t *order,
                                              size_t i)
{
    return order ? &ev[order[i]] : &ev[i];
}

/* The same over ev[order[0..n)] (order NULL: ev[0..n)). */
void taq_closes_from_events_ordered(const taq_event_t *ev, const uint32_t *order, size_t n,
                                    taq_closes_t *out);
/* NaN when the pair is absent (or closes is NULL). */
double taq_closes_lookup(const taq_closes_t *closes, const char *symbol, const char *exchange);
/* Append src's items into dst and keep dst sorted (pairs are disjoint across ranks). */
void taq_closes_merge(taq_closes_t *dst, const taq_closes_t *src);
void taq_closes_free(taq_closes_t *c);

/* The three result tables of one date on one rank. Release with taq_tables_free. */
typedef struct taq_tables {
    taq_trade_row_t *trade;
    size_t n_trade;
    taq_quote_row_t *quote;
    size_t n_quote;
    taq_final_row_t *final;
    size_t n_final;
} taq_tables_t;

/*
 * Build /trade (with mov_avg_pr), /quote and /quote_final rows from the EOD
 * output ev[0..n) of date D and the closes of the date before D (NULL or
 * empty: every close is NaN). Rows come out in (symbol, exchange, event_tm,
 * event_seq_nb) order. OUT *out: owned by the caller.
 */
void taq_analytics_run(const taq_event_t *ev, size_t n, const taq_closes_t *prev,
                       taq_tables_t *out);

/*
 * The same over ev[order[0]], ..., ev[order[n-1]] (taq_eod_order's output):
 * the EOD order without moving the records. order NULL: ev[0..n) itself.
 */
void taq_analytics_run_ordered(const taq_event_t *ev, const uint32_t *order, size_t n,
                               const taq_closes_t *prev, taq_tables_t *out);
void taq_tables_free(taq_tables_t *t);

/*
 * Only /trade (with mov_avg_pr); out->n_quote and out->n_final get the
 * quote count, out->quote and out->final stay NULL: the quote rows are then
 * made piece by piece by a taq_quote_stream_t, so the two biggest tables
 * never exist whole (the HDF5 writer asks for them as it writes).
 */
void taq_analytics_trades(const taq_event_t *ev, const uint32_t *order, size_t n,
                          taq_tables_t *out);

/* Walks the quotes of ev (through order) in output order, a piece at a time. */
typedef struct taq_quote_stream {
    const taq_event_t *ev;
    const uint32_t *order;
    size_t n;
    const taq_trade_row_t *trade; /* taq_analytics_trades' /trade rows of the same records */
    const taq_closes_t *prev;
    size_t i;          /* next position in EOD order */
    size_t group_end;  /* end of the current pair group */
    size_t t_lo, t_hi; /* the group's rows in trade[] */
    size_t j;          /* as-of cursor: trade[t_lo..j) are not after the current quote */
    double close;      /* the group's previous close */
    /* taq_quote_stream_release: blocks of the records given back once passed */
    char *rel_base; /* first whole block inside the records */
    struct taq_release_block {
        size_t last;  /* the last EOD position that reads the block (0: none does) */
        size_t block; /* its number from rel_base */
    } * rel;          /* by last position */
    size_t rel_n, rel_next;
} taq_quote_stream_t;

void taq_quote_stream_init(taq_quote_stream_t *s, const taq_event_t *ev, const uint32_t *order,
                           size_t n, const taq_trade_row_t *trade, const taq_closes_t *prev);
/* The next `count` /quote rows (taq_quote_row_t) or /quote_final rows (taq_final_row_t). */
void taq_quote_stream_quotes(void *stream, void *rows, size_t count);
void taq_quote_stream_finals(void *stream, void *rows, size_t count);

/*
 * Let the stream give the records' memory back as it goes: every whole
 * 2 MiB block of ev[0..n_ev) whose records the stream has passed for good
 * (by EOD position) is released with madvise(MADV_DONTNEED) and reads as
 * zeros afterwards. Only for the last reader of the records: nothing may
 * read them after this stream has passed them. Writing the output copies
 * it into the page cache, whose new pages cost a fault in the host on a
 * virtual machine; pages a process has just released are reused cheaply
 * (480 MB written: 0.94-1.20 s into fresh pages, 0.08-0.34 s right after
 * the same amount was released). Release with taq_quote_stream_free.
 */
void taq_quote_stream_release(taq_quote_stream_t *s, size_t n_ev);
void taq_quote_stream_free(taq_quote_stream_t *s);

#endif /* TAQ_ANALYTICS_H */
