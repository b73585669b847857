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

#endif /* TAQ_ANALYTICS_H */
