/*
 * Unit tests of analytics/: 30-minute window, as-of join, previous close.
 * Expected values are written out by hand (or by brute force in long double
 * for the long random day), never taken from the code under test.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_util.h"
#include "harness.h"
#include "taq/analytics.h"
#include "taq/eod.h"

static taq_event_t mk(const char *sym, const char *exch, char kind, int64_t tm, int64_t seq,
                      double price, double ask)
{
    static int64_t line;
    taq_event_t e;
    memset(&e, 0, sizeof e);
    set_field(e.symbol, sym, TAQ_SYMBOL_LEN);
    set_field(e.exchange, exch, TAQ_EXCHANGE_LEN);
    e.kind = kind;
    e.event_tm = tm;
    e.event_seq_nb = seq;
    e.arrival_tm = at(9, 0, 0, 0);
    e.line = ++line;
    e.price = price;
    e.size = 100;
    e.ask_pr = ask;
    e.ask_size = kind == TAQ_KIND_QUOTE ? 200 : 0;
    return e;
}

static taq_event_t trade(const char *sym, const char *exch, int64_t tm, int64_t seq, double pr)
{
    return mk(sym, exch, TAQ_KIND_TRADE, tm, seq, pr, 0.0);
}

static taq_event_t quote(const char *sym, const char *exch, int64_t tm, int64_t seq, double bid,
                         double ask)
{
    return mk(sym, exch, TAQ_KIND_QUOTE, tm, seq, bid, ask);
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* 1 when a and b are within `ulps` units in the last place (both positive). */
static int near_ulps(double a, double b, int64_t ulps)
{
    int64_t ia, ib;
    memcpy(&ia, &a, 8);
    memcpy(&ib, &b, 8);
    return a > 0 && b > 0 && llabs(ia - ib) <= ulps;
}

static void test_same_timestamp_trades_share_average(void)
{
    const taq_event_t ev[] = {
        trade("S", "X", at(9, 40, 0, 0), 1, 10.0),     trade("S", "X", at(10, 0, 0, 0), 3, 1.0),
        quote("S", "X", at(10, 0, 0, 0), 4, 1.5, 2.5), trade("S", "X", at(10, 0, 0, 0), 5, 2.0),
        trade("S", "X", at(10, 0, 0, 0), 9, 4.0),      trade("S", "X", at(10, 10, 0, 0), 1, 8.0),
    };
    taq_tables_t t;
    taq_analytics_run(ev, N_OF(ev), NULL, &t);
    CU_ASSERT_EQUAL_FATAL(t.n_trade, 5);
    const double want[5] = {10.0, 4.25, 4.25, 4.25, 5.0}; /* 10:10 keeps 09:40 (exactly 30 min) */
    for (size_t i = 0; i < 5; i++)
        TAQ_ASSERT_DOUBLE_EXACT(t.trade[i].mov_avg_pr, want[i]);
    CU_ASSERT_EQUAL_FATAL(t.n_final, 1);
    /* As-of trade is seq 3, but its average includes seq 5 and 9 (same event_tm). */
    TAQ_ASSERT_DOUBLE_EXACT(t.final[0].last_trade_pr, 1.0);
    TAQ_ASSERT_DOUBLE_EXACT(t.final[0].last_mov_avg_pr, 4.25);
    taq_tables_free(&t);
}

static void test_window_boundary_inclusive(void)
{
    const taq_event_t ev[] = {
        trade("A", "X", at(9, 30, 0, 0), 1, 100.0),
        trade("A", "X", at(10, 0, 0, 0), 2, 200.0),
        trade("B", "X", at(9, 30, 0, 0), 1, 100.0),
        trade("B", "X", at(10, 0, 0, 1), 2, 200.0),
    };
    taq_tables_t t;
    taq_analytics_run(ev, N_OF(ev), NULL, &t);
    CU_ASSERT_EQUAL_FATAL(t.n_trade, 4);
    TAQ_ASSERT_DOUBLE_EXACT(t.trade[0].mov_avg_pr, 100.0);
    TAQ_ASSERT_DOUBLE_EXACT(t.trade[1].mov_avg_pr, 150.0); /* exactly 30:00.000000000 back: in */
    TAQ_ASSERT_DOUBLE_EXACT(t.trade[2].mov_avg_pr, 100.0);
    TAQ_ASSERT_DOUBLE_EXACT(t.trade[3].mov_avg_pr, 200.0); /* 1 ns more: out */
    taq_tables_free(&t);
}

static void test_lone_trade_average_is_its_price(void)
{
    /* Prices whose sums round: after the window slides, each must come back exactly. */
    const double p[] = {0.1, 79.19488165597565, 0.7, 1e6 + 0.3, 33.956288411627945, 1.0 / 3};
    taq_event_t ev[3 * N_OF(p)];
    size_t n = 0;
    for (size_t i = 0; i < N_OF(p); i++) {
        const int h = 9 + 2 * (int)i; /* 2 h apart: groups never share a window */
        ev[n++] = trade("S", "X", at(h, 0, 0, 0), 1, 77.78611024375384);
        ev[n++] = trade("S", "X", at(h, 1, 0, 0), 1, 0.3);
        ev[n++] = trade("S", "X", at(h, 31, 0, 1), 1, p[i]); /* alone: 1 ns past 30 min */
    }
    taq_tables_t t;
    taq_analytics_run(ev, n, NULL, &t);
    CU_ASSERT_EQUAL_FATAL(t.n_trade, n);
    for (size_t i = 0; i < N_OF(p); i++) {
        TAQ_ASSERT_DOUBLE_EXACT(t.trade[3 * i + 2].mov_avg_pr, p[i]);
        TAQ_ASSERT_DOUBLE_EXACT(t.trade[3 * i].mov_avg_pr, 77.78611024375384);
    }
    taq_tables_free(&t);
}

/* k equal prices average to that price; naive (0.1+0.1+0.1)/3 is 0.10000000000000002. */
static void test_equal_prices_average_exactly(void)
{
    const double p[] = {0.1, 0.7, 1.0 / 3, 77.78611024375384, 79.19488165597565};
    for (size_t ip = 0; ip < N_OF(p); ip++) {
        taq_event_t ev[60];
        for (int k = 0; k < 60; k++)
            ev[k] = trade("S", "X", at(9, 30, k / 2, 0), k, p[ip]); /* pairs share a time */
        taq_tables_t t;
        taq_analytics_run(ev, 60, NULL, &t);
        for (size_t k = 0; k < t.n_trade; k++)
            TAQ_ASSERT_DOUBLE_EXACT(t.trade[k].mov_avg_pr, p[ip]);
        taq_tables_free(&t);
    }
}

/* Equal prices left after bigger, different prices slid out of the window. */
static void test_equal_prices_after_slide(void)
{
    const taq_event_t ev[] = {
        trade("S", "X", at(9, 0, 0, 0), 1, 1e6 + 0.3), trade("S", "X", at(9, 10, 0, 0), 1, 3.7),
        trade("S", "X", at(9, 31, 0, 0), 1, 0.1),      trade("S", "X", at(9, 35, 0, 0), 1, 0.1),
        trade("S", "X", at(9, 40, 0, 1), 1, 0.1),
    };
    taq_tables_t t;
    taq_analytics_run(ev, N_OF(ev), NULL, &t);
    CU_ASSERT_EQUAL_FATAL(t.n_trade, 5);
    /* {3.7, 0.1}: the exact sum halves exactly, so fl(3.7 + 0.1) / 2 is the true mean. */
    TAQ_ASSERT_DOUBLE_EXACT(t.trade[2].mov_avg_pr, (3.7 + 0.1) / 2);
    TAQ_ASSERT_DOUBLE_EXACT(t.trade[4].mov_avg_pr, 0.1);
    taq_tables_free(&t);
}

/*
 * Reference mean by brute force, exactly: every price in [32, 256) is a
 * multiple of 2^-47, so sums are exact in int64 after scaling by 2^47, and
 * the correctly rounded mean is the neighbour of an estimate whose scaled
 * value times k is nearest to the sum (ties to even). No long double: it
 * is only 64-bit under valgrind. *k gets the window count.
 */
static int64_t scaled(double p)
{
    CU_ASSERT_FATAL(p >= 32.0 && p < 256.0);
    return (int64_t)ldexp(p, 47);
}

static double direct_mean(const taq_event_t *ev, size_t n, int64_t tm, size_t *k)
{
    int64_t sum = 0;
    *k = 0;
    for (size_t j = 0; j < n; j++)
        if (ev[j].event_tm <= tm && tm - ev[j].event_tm <= TAQ_MOVAVG_WINDOW_NS) {
            sum += scaled(ev[j].price);
            ++*k;
        }
    CU_ASSERT_FATAL(*k >= 1 && *k < 128);
    const int64_t kk = (int64_t)*k;
    const double est = ldexp((double)sum / (double)kk, -47);
    const double cand[3] = {nextafter(est, 0.0), est, nextafter(est, 1e9)};
    double best = est;
    int64_t best_err = INT64_MAX;
    for (int c = 0; c < 3; c++) {
        const int64_t err = llabs(scaled(cand[c]) * kk - sum);
        uint64_t bits;
        memcpy(&bits, &cand[c], 8);
        if (err < best_err || (err == best_err && (bits & 1) == 0)) {
            best = cand[c];
            best_err = err;
        }
    }
    return best;
}

static void test_long_day_matches_direct_mean(void)
{
    enum { N = 3000 };
    taq_event_t *ev = calloc(N, sizeof *ev);
    uint64_t s = 12345;
    int64_t tm = at(4, 0, 0, 0);
    for (size_t i = 0; i < N; i++) {
        s = s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        const uint64_t r = s >> 20;
        if (r % 4 != 0) /* one in four shares the previous timestamp */
            tm += (r % 20 == 1) ? INT64_C(40) * 60 * NS : (int64_t)(r % 240000) * 1000000;
        ev[i] = trade("S", "X", tm, (int64_t)i, 50.0 + (double)(r % 100000000) / 1e6);
    }
    taq_tables_t t;
    taq_analytics_run(ev, N, NULL, &t);
    CU_ASSERT_EQUAL_FATAL(t.n_trade, N);
    int bad = 0, lone = 0, exact = 0;
    for (size_t i = 0; i < N; i++) {
        size_t k;
        const double ref = direct_mean(ev, N, ev[i].event_tm, &k);
        const double got = t.trade[i].mov_avg_pr;
        bad += !near_ulps(got, ref, 1);
        exact += got == ref;
        if (k == 1) {
            lone++;
            TAQ_ASSERT_DOUBLE_EXACT(got, ev[i].price);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(lone > 10);
    CU_ASSERT(exact >= N - N / 100); /* correctly rounded but for rare near-ties */
    if (exact != N)
        fprintf(stderr, "long day: %d of %d averages correctly rounded\n", exact, N);
    taq_tables_free(&t);
    free(ev);
}

static void test_asof_seq_decides_at_one_timestamp(void)
{
    const int64_t t10 = at(10, 0, 0, 0);
    const taq_event_t ev[] = {
        quote("S", "X", t10, 4, 50, 51),     quote("S", "X", t10, 5, 52, 53),
        trade("S", "X", t10, 5, 10.0),       quote("S", "X", t10, 6, 54, 55),
        trade("S", "X", t10, 7, 20.0),       quote("S", "X", t10, 7, 56, 57),
        quote("S", "X", t10 + 1, 0, 58, 59),
    };
    taq_tables_t t;
    taq_analytics_run(ev, N_OF(ev), NULL, &t);
    CU_ASSERT_EQUAL_FATAL(t.n_final, 5);
    CU_ASSERT(isnan(t.final[0].last_trade_pr)); /* trade seq 5 > quote seq 4 */
    CU_ASSERT(isnan(t.final[0].last_mov_avg_pr));
    const int64_t seq[5] = {4, 5, 6, 7, 0};
    const double last[5] = {NAN, 10.0, 10.0, 20.0, 20.0}; /* seq 5 == 5 counts */
    for (size_t i = 1; i < 5; i++) {
        CU_ASSERT_EQUAL(t.final[i].event_seq_nb, seq[i]);
        TAQ_ASSERT_DOUBLE_EXACT(t.final[i].last_trade_pr, last[i]);
        TAQ_ASSERT_DOUBLE_EXACT(t.final[i].last_mov_avg_pr, 15.0);
    }
    taq_tables_free(&t);
}

static void test_quotes_before_first_trade_are_nan(void)
{
    const taq_event_t ev[] = {
        quote("S", "X", at(9, 0, 0, 0), 1, 9.5, 10.5),
        quote("S", "X", at(9, 29, 59, 999999999), 99, 9.75, 10.25),
        trade("S", "X", at(9, 30, 0, 0), 1, 10.0),
        quote("S", "X", at(9, 30, 0, 0), 2, 9.9, 10.1),
    };
    taq_tables_t t;
    taq_analytics_run(ev, N_OF(ev), NULL, &t);
    CU_ASSERT_EQUAL_FATAL(t.n_final, 3);
    for (size_t i = 0; i < 2; i++) {
        CU_ASSERT(isnan(t.final[i].last_trade_pr));
        CU_ASSERT(isnan(t.final[i].last_mov_avg_pr));
    }
    TAQ_ASSERT_DOUBLE_EXACT(t.final[2].last_trade_pr, 10.0);
    TAQ_ASSERT_DOUBLE_EXACT(t.final[2].last_mov_avg_pr, 10.0);
    taq_tables_free(&t);
}

static void test_pair_without_trades(void)
{
    const taq_event_t ev[] = {
        quote("S", "X", at(9, 0, 0, 0), 1, 9.5, 10.5),
        quote("S", "X", at(15, 0, 0, 0), 2, 9.75, 10.25),
    };
    taq_tables_t t;
    taq_analytics_run(ev, N_OF(ev), NULL, &t);
    CU_ASSERT_EQUAL(t.n_trade, 0);
    CU_ASSERT_EQUAL(t.n_quote, 2);
    CU_ASSERT_EQUAL_FATAL(t.n_final, 2);
    for (size_t i = 0; i < 2; i++) {
        CU_ASSERT(isnan(t.final[i].last_trade_pr) && isnan(t.final[i].last_mov_avg_pr));
        CU_ASSERT(isnan(t.final[i].bid_pr_mv) && isnan(t.final[i].ask_pr_mv));
    }
    TAQ_ASSERT_DOUBLE_EXACT(t.quote[1].bid_pr, 9.75);
    taq_tables_free(&t);
}

/* Yesterday's trades, with a correction of the last one, give today's close. */
static void test_previous_close_moves_prices(void)
{
    taq_event_t y[3] = {
        trade("SYMA", "NYSE", at(15, 59, 0, 0) - 86400 * NS, 7, 10.0),
        trade("SYMA", "NYSE", at(15, 0, 0, 0) - 86400 * NS, 9, 9.0),
        trade("SYMA", "NYSE", at(15, 59, 0, 0) - 86400 * NS, 7, 11.0),
    };
    y[2].arrival_tm += NS;
    size_t ny = 3;
    CU_ASSERT_EQUAL(taq_eod_dedupe(y, &ny), 1);
    taq_closes_t prev;
    taq_closes_from_events(y, ny, &prev);
    CU_ASSERT_EQUAL_FATAL(prev.n, 1);
    const taq_event_t ev[] = {
        quote("SYMA", "NYSE", at(9, 34, 51, 505000000), 1, 75.30254839137037, 75.35916738004924),
        quote("SYMB", "NYSE", at(9, 34, 51, 505000000), 1, 33.9, 34.0),
    };
    taq_tables_t t;
    taq_analytics_run(ev, N_OF(ev), &prev, &t);
    CU_ASSERT_EQUAL_FATAL(t.n_final, 2);
    TAQ_ASSERT_DOUBLE_EXACT(t.final[0].bid_pr_mv, 75.30254839137037 - 11.0);
    TAQ_ASSERT_DOUBLE_EXACT(t.final[0].ask_pr_mv, 75.35916738004924 - 11.0);
    CU_ASSERT(isnan(t.final[1].bid_pr_mv) && isnan(t.final[1].ask_pr_mv)); /* pair absent */
    taq_tables_free(&t);
    taq_analytics_run(ev, N_OF(ev), NULL, &t); /* no previous date at all */
    CU_ASSERT(isnan(t.final[0].bid_pr_mv) && isnan(t.final[0].ask_pr_mv));
    taq_tables_free(&t);
    taq_closes_t empty = {0};
    taq_analytics_run(ev, N_OF(ev), &empty, &t);
    CU_ASSERT(isnan(t.final[0].bid_pr_mv));
    taq_tables_free(&t);
    taq_closes_free(&prev);
}

static void test_closes_pick_greatest_time_not_last_input(void)
{
    const taq_event_t ev[] = {
        trade("A", "X", at(10, 0, 0, 0), 10, 2.0), trade("A", "X", at(10, 0, 0, 0), 9, 1.0),
        trade("A", "X", at(9, 0, 0, 0), 99, 3.0),  quote("A", "X", at(16, 0, 0, 0), 1, 5, 6),
        quote("B", "X", at(10, 0, 0, 0), 1, 5, 6), trade("C", "X", at(11, 0, 0, 0), 1, 4.0),
    };
    taq_closes_t c;
    taq_closes_from_events(ev, N_OF(ev), &c);
    CU_ASSERT_EQUAL_FATAL(c.n, 2);
    CU_ASSERT_STRING_EQUAL(c.items[0].symbol, "A");
    TAQ_ASSERT_DOUBLE_EXACT(c.items[0].close_pr, 2.0);
    CU_ASSERT_STRING_EQUAL(c.items[1].symbol, "C");
    TAQ_ASSERT_DOUBLE_EXACT(taq_closes_lookup(&c, "A", "X"), 2.0);
    TAQ_ASSERT_DOUBLE_EXACT(taq_closes_lookup(&c, "C", "X"), 4.0);
    CU_ASSERT(isnan(taq_closes_lookup(&c, "B", "X")));
    CU_ASSERT(isnan(taq_closes_lookup(&c, "A", "Y")));
    CU_ASSERT(isnan(taq_closes_lookup(NULL, "A", "X")));
    taq_closes_free(&c);
    taq_closes_from_events(NULL, 0, &c);
    CU_ASSERT_EQUAL(c.n, 0);
    CU_ASSERT(isnan(taq_closes_lookup(&c, "A", "X")));
    taq_closes_free(&c);
}

static void test_closes_merge_keeps_order(void)
{
    const taq_event_t ea[] = {trade("AAA", "NYSE", 1, 1, 1.0), trade("CCC", "NYSE", 1, 1, 3.0)};
    const taq_event_t eb[] = {trade("BBB", "NASDAQ", 1, 1, 2.0), trade("DDD", "X", 1, 1, 4.0)};
    taq_closes_t a, b, none = {0}, dst = {0};
    taq_closes_from_events(ea, 2, &a);
    taq_closes_from_events(eb, 2, &b);
    taq_closes_merge(&dst, &b); /* into empty */
    taq_closes_merge(&dst, &none);
    taq_closes_merge(&dst, NULL);
    taq_closes_merge(&dst, &a);
    CU_ASSERT_EQUAL_FATAL(dst.n, 4);
    const char *order[4] = {"AAA", "BBB", "CCC", "DDD"};
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT_STRING_EQUAL(dst.items[i].symbol, order[i]);
        TAQ_ASSERT_DOUBLE_EXACT(dst.items[i].close_pr, (double)(i + 1));
    }
    TAQ_ASSERT_DOUBLE_EXACT(taq_closes_lookup(&dst, "BBB", "NASDAQ"), 2.0);
    TAQ_ASSERT_DOUBLE_EXACT(taq_closes_lookup(&dst, "DDD", "X"), 4.0);
    CU_ASSERT(isnan(taq_closes_lookup(&dst, "BBB", "NYSE")));
    taq_closes_free(&dst);
    CU_ASSERT_PTR_NULL(dst.items);
    CU_ASSERT_EQUAL(dst.n, 0);
    taq_closes_free(&dst);
    taq_closes_free(NULL);
    taq_closes_free(&a);
    taq_closes_free(&b);
}

/* Input interleaved in time across symbols; EOD order groups them. */
static void test_two_groups_interleaved(void)
{
    taq_event_t ev[] = {
        trade("A", "X", at(9, 30, 0, 0), 1, 10.0),
        quote("B", "X", at(9, 35, 0, 0), 1, 1, 2),
        quote("A", "X", at(9, 40, 0, 0), 2, 11, 12),
        trade("A", "X", at(9, 50, 0, 0), 3, 20.0),
        trade("B", "X", at(9, 50, 0, 0), 2, 30.0),
        quote("A", "X", at(10, 0, 0, 0), 4, 13, 14),
        quote("B", "X", at(10, 0, 0, 0), 3, 29.0, 31.0),
    };
    size_t n = N_OF(ev);
    CU_ASSERT_EQUAL(taq_eod_dedupe(ev, &n), 0);
    const taq_event_t ey[] = {trade("A", "X", at(9, 0, 0, 0), 1, 5.0)};
    taq_closes_t prev;
    taq_closes_from_events(ey, 1, &prev);
    taq_tables_t t;
    taq_analytics_run(ev, n, &prev, &t);
    CU_ASSERT_EQUAL_FATAL(t.n_trade, 3);
    CU_ASSERT_EQUAL_FATAL(t.n_final, 4);
    const double avg[3] = {10.0, 15.0, 30.0};
    for (size_t i = 0; i < 3; i++)
        TAQ_ASSERT_DOUBLE_EXACT(t.trade[i].mov_avg_pr, avg[i]);
    CU_ASSERT_STRING_EQUAL(t.trade[2].symbol, "B");
    const char *sym[4] = {"A", "A", "B", "B"};
    const double last[4] = {10.0, 20.0, NAN, 30.0}, lavg[4] = {10.0, 15.0, NAN, 30.0};
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT_STRING_EQUAL(t.final[i].symbol, sym[i]);
        CU_ASSERT_STRING_EQUAL(t.quote[i].symbol, sym[i]);
        CU_ASSERT(i == 2 ? isnan(t.final[i].last_trade_pr) : t.final[i].last_trade_pr == last[i]);
        CU_ASSERT(i == 2 ? isnan(t.final[i].last_mov_avg_pr)
                         : t.final[i].last_mov_avg_pr == lavg[i]);
    }
    TAQ_ASSERT_DOUBLE_EXACT(t.final[1].bid_pr_mv, 13.0 - 5.0);
    TAQ_ASSERT_DOUBLE_EXACT(t.final[1].ask_pr_mv, 14.0 - 5.0);
    CU_ASSERT(isnan(t.final[3].bid_pr_mv));
    taq_tables_free(&t);
    taq_closes_free(&prev);
}

/*
 * Reading the records through taq_eod_order gives the same tables and
 * closes, byte for byte, as sorting them with taq_eod_dedupe first.
 */
/* 1 when the 2 MiB block at p reads as zeros. */
static int block_is_zero(const char *p)
{
    for (size_t k = 0; k < ((size_t)2 << 20); k++)
        if (p[k])
            return 0;
    return 1;
}

/*
 * taq_quote_stream_release: 300,000 records (26 MB, starting 40 bytes past
 * a 2 MiB boundary) laid out pair by pair as input files are, with every
 * tenth key repeated (corrections). The /quote_final rows made while the
 * stream gives blocks back (the first half row by row, so that every
 * position ends a piece once) must equal those made from an untouched copy;
 * halfway, the blocks before the halfway point must already read as zeros
 * and the last ones not; at the end every whole block reads as zeros.
 */
static void test_release_gives_back_passed_blocks(void)
{
    enum { N = 300000, PAIRS = 60 };
    const size_t block = (size_t)2 << 20;
    char *mem = aligned_alloc(block, (N * sizeof(taq_event_t) / block + 2) * block);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
    taq_event_t *ev = (taq_event_t *)(mem + 40), *copy = malloc(N * sizeof *copy);
    char sym[8];
    for (size_t i = 0; i < N; i++) {
        const size_t p = i * PAIRS / N, k = i - (p * N + PAIRS - 1) / PAIRS;
        snprintf(sym, sizeof sym, "S%02zu", p / 2);
        const int64_t tm = at(9, 30, 0, 0) + (int64_t)(k / 10 * 10) * 1000000;
        ev[i] = k % 7
                    ? quote(sym, p % 2 ? "N" : "Q", tm, (int64_t)(k % 10 ? k % 10 : 1),
                            10.0 + (double)(i % 97), 11.0)
                    : trade(sym, p % 2 ? "N" : "Q", tm, (int64_t)(k % 10), 10.0 + (double)(i % 89));
    }
    memcpy(copy, ev, N * sizeof *ev);
    uint32_t *order;
    size_t no;
    CU_ASSERT(taq_eod_order(ev, N, &order, &no) > 0); /* the repeated keys */
    taq_tables_t ref, t;
    taq_analytics_run_ordered(copy, order, no, NULL, &ref);
    taq_analytics_trades(ev, order, no, &t);
    CU_ASSERT_EQUAL_FATAL(t.n_final, ref.n_final);
    taq_quote_stream_t s;
    taq_quote_stream_init(&s, ev, order, no, t.trade, NULL);
    taq_quote_stream_release(&s, N);
    const char *first = mem + block, *last = mem + (40 + N * sizeof *ev) / block * block - block;
    const size_t nb = (size_t)(last - first) / block + 1;
    CU_ASSERT_EQUAL(s.rel_n, nb);
    taq_final_row_t *rows = malloc(ref.n_final * sizeof *rows);
    const size_t half = ref.n_final / 2;
    for (size_t c = 0; c < half; c++) /* row by row: every position ends a piece */
        taq_quote_stream_finals(&s, rows + c, 1);
    /* Pairs are laid out in output order: the blocks of the first half are back, the last not. */
    CU_ASSERT_TRUE(block_is_zero(first));
    CU_ASSERT_TRUE(block_is_zero(first + (nb / 2 - 2) * block));
    CU_ASSERT_FALSE(block_is_zero(last));
    taq_quote_stream_finals(&s, rows + half, ref.n_final - half);
    CU_ASSERT_EQUAL(memcmp(rows, ref.final, ref.n_final * sizeof *rows), 0);
    for (size_t b = 0; b < nb; b++)
        CU_ASSERT_TRUE(block_is_zero(first + b * block));
    taq_quote_stream_free(&s);
    free(rows);
    free(order);
    taq_tables_free(&ref);
    taq_tables_free(&t);
    free(copy);
    free(mem);
}

static void test_ordered_equals_sorted(void)
{
    enum { N = 6000 };
    static const char *syms[4] = {"AA", "B", "BRK.B", "Z"};
    taq_event_t *ev = calloc(N, sizeof *ev), *sorted = calloc(N, sizeof *sorted);
    uint64_t s = 3;
    for (size_t i = 0; i < N; i++) {
        s = s * UINT64_C(6364136223846793005) + 1442695040888963407u;
        const int64_t tm = at(9, 30, 0, 0) + (int64_t)((s >> 20) % 20000) * 1000000000;
        const char *sym = syms[(s >> 40) % 4], *ex = (s >> 50) % 2 ? "N" : "Q";
        const int64_t seq = (int64_t)((s >> 33) % 3);
        ev[i] = (s >> 60) % 5 ? quote(sym, ex, tm, seq, 10.0 + (double)(i % 97), 11.0)
                              : trade(sym, ex, tm, seq, 10.0 + (double)(i % 89));
        ev[i].arrival_tm += (int64_t)((s >> 8) % 3); /* some keys repeat: corrections */
    }
    memcpy(sorted, ev, N * sizeof *ev);
    size_t ns = N;
    const int64_t sup = taq_eod_dedupe(sorted, &ns);
    uint32_t *order;
    size_t no;
    CU_ASSERT_EQUAL(taq_eod_order(ev, N, &order, &no), sup);
    CU_ASSERT_EQUAL_FATAL(no, ns);
    CU_ASSERT(sup > 0);
    size_t moved = 0;
    for (size_t i = 0; i < no; i++) {
        CU_ASSERT_EQUAL(memcmp(&ev[order[i]], &sorted[i], sizeof *ev), 0);
        moved += order[i] != i;
    }
    CU_ASSERT(moved > no / 2); /* the input really was out of order */
    const taq_event_t ey[] = {trade("B", "N", at(9, 0, 0, 0), 1, 5.0)};
    taq_closes_t prev;
    taq_closes_from_events(ey, 1, &prev);
    taq_tables_t a, b;
    taq_analytics_run(sorted, ns, &prev, &a);
    taq_analytics_run_ordered(ev, order, no, &prev, &b);
    CU_ASSERT_EQUAL_FATAL(a.n_trade, b.n_trade);
    CU_ASSERT_EQUAL_FATAL(a.n_quote, b.n_quote);
    CU_ASSERT_EQUAL_FATAL(a.n_final, b.n_final);
    CU_ASSERT(a.n_trade > 0 && a.n_final > 0);
    CU_ASSERT_EQUAL(memcmp(a.trade, b.trade, a.n_trade * sizeof *a.trade), 0);
    CU_ASSERT_EQUAL(memcmp(a.quote, b.quote, a.n_quote * sizeof *a.quote), 0);
    CU_ASSERT_EQUAL(memcmp(a.final, b.final, a.n_final * sizeof *a.final), 0);
    taq_closes_t ca, cb;
    taq_closes_from_events(sorted, ns, &ca);
    taq_closes_from_events_ordered(ev, order, no, &cb);
    CU_ASSERT_EQUAL_FATAL(ca.n, cb.n);
    CU_ASSERT_EQUAL(ca.n, 8);
    CU_ASSERT_EQUAL(memcmp(ca.items, cb.items, ca.n * sizeof *ca.items), 0);
    taq_closes_free(&ca);
    taq_closes_free(&cb);
    taq_tables_free(&a);
    taq_tables_free(&b);
    taq_closes_free(&prev);
    free(order);
    free(ev);
    free(sorted);
}

static void test_full_width_symbol_and_exchange(void)
{
    const char *p16 = "ABCDEFGHIJKLMNOP", *o15 = "ABCDEFGHIJKLMNO";
    const taq_event_t y[] = {trade(o15, "EXCHANGE", 1, 1, 3.0), trade(p16, "EXCHANGE", 1, 1, 7.0)};
    taq_closes_t prev;
    taq_closes_from_events(y, 2, &prev);
    CU_ASSERT_EQUAL_FATAL(prev.n, 2);
    TAQ_ASSERT_DOUBLE_EXACT(taq_closes_lookup(&prev, p16, "EXCHANGE"), 7.0);
    TAQ_ASSERT_DOUBLE_EXACT(taq_closes_lookup(&prev, y[1].symbol, y[1].exchange), 7.0);
    TAQ_ASSERT_DOUBLE_EXACT(taq_closes_lookup(&prev, o15, "EXCHANGE"), 3.0);
    CU_ASSERT(isnan(taq_closes_lookup(&prev, p16, "EXCHANG")));
    const taq_event_t ev[] = {
        trade(o15, "EXCHANGE", at(10, 0, 0, 0), 1, 100.0),
        quote(o15, "EXCHANGE", at(10, 1, 0, 0), 2, 99.0, 101.0),
        trade(p16, "EXCHANGE", at(10, 0, 0, 0), 1, 200.0),
        quote(p16, "EXCHANGE", at(10, 1, 0, 0), 2, 199.0, 201.0),
    };
    taq_tables_t t;
    taq_analytics_run(ev, N_OF(ev), &prev, &t);
    CU_ASSERT_EQUAL_FATAL(t.n_trade, 2);
    CU_ASSERT_EQUAL_FATAL(t.n_final, 2);
    TAQ_ASSERT_DOUBLE_EXACT(t.trade[0].mov_avg_pr, 100.0);
    TAQ_ASSERT_DOUBLE_EXACT(t.trade[1].mov_avg_pr, 200.0);
    CU_ASSERT_EQUAL(memcmp(t.trade[1].symbol, p16, TAQ_SYMBOL_LEN), 0);
    CU_ASSERT_EQUAL(memcmp(t.final[1].exchange, "EXCHANGE", TAQ_EXCHANGE_LEN), 0);
    TAQ_ASSERT_DOUBLE_EXACT(t.final[0].bid_pr_mv, 99.0 - 3.0);
    TAQ_ASSERT_DOUBLE_EXACT(t.final[1].bid_pr_mv, 199.0 - 7.0);
    TAQ_ASSERT_DOUBLE_EXACT(t.final[1].last_trade_pr, 200.0);
    taq_tables_free(&t);
    taq_closes_free(&prev);
}

static void test_row_fields_and_empty_input(void)
{
    taq_event_t ev[2] = {
        trade("S", "X", at(10, 0, 0, 0), 1, 10.0),
        quote("S", "X", at(10, 0, 0, 5), 2, 9.0, 11.0),
    };
    ev[0].size = 912;
    ev[0].arrival_tm = 17;
    ev[1].arrival_tm = 23;
    taq_tables_t t;
    taq_analytics_run(ev, 2, NULL, &t);
    CU_ASSERT_EQUAL_FATAL(t.n_trade, 1);
    CU_ASSERT_EQUAL(t.trade[0].trade_size, 912);
    CU_ASSERT_EQUAL(t.trade[0].arrival_tm, 17);
    CU_ASSERT_EQUAL(t.trade[0].event_tm, at(10, 0, 0, 0));
    CU_ASSERT_EQUAL_FATAL(t.n_quote, 1);
    CU_ASSERT_EQUAL(t.quote[0].arrival_tm, 23);
    CU_ASSERT_EQUAL(t.quote[0].ask_size, 200);
    TAQ_ASSERT_DOUBLE_EXACT(t.quote[0].ask_pr, 11.0);
    CU_ASSERT_EQUAL(t.final[0].event_tm, at(10, 0, 0, 5));
    CU_ASSERT_EQUAL(t.final[0].bid_size, 100);
    taq_tables_free(&t);
    CU_ASSERT_PTR_NULL(t.trade);
    CU_ASSERT_EQUAL(t.n_final, 0);
    taq_tables_free(&t);
    taq_tables_free(NULL);
    taq_analytics_run(NULL, 0, NULL, &t);
    CU_ASSERT(t.n_trade == 0 && t.n_quote == 0 && t.n_final == 0);
    taq_tables_free(&t);
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_same_timestamp_trades_share_average),
        TAQ_CASE(test_window_boundary_inclusive),
        TAQ_CASE(test_lone_trade_average_is_its_price),
        TAQ_CASE(test_equal_prices_average_exactly),
        TAQ_CASE(test_equal_prices_after_slide),
        TAQ_CASE(test_long_day_matches_direct_mean),
        TAQ_CASE(test_asof_seq_decides_at_one_timestamp),
        TAQ_CASE(test_quotes_before_first_trade_are_nan),
        TAQ_CASE(test_pair_without_trades),
        TAQ_CASE(test_previous_close_moves_prices),
        TAQ_CASE(test_closes_pick_greatest_time_not_last_input),
        TAQ_CASE(test_closes_merge_keeps_order),
        TAQ_CASE(test_two_groups_interleaved),
        TAQ_CASE(test_full_width_symbol_and_exchange),
        TAQ_CASE(test_row_fields_and_empty_input),
        TAQ_CASE(test_ordered_equals_sorted),
        TAQ_CASE(test_release_gives_back_passed_blocks),
    };
    return taq_test_main(argc, argv, "analytics", cases, (int)(sizeof cases / sizeof cases[0]), 0);
}
