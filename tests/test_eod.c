/* Unit tests of eod/: corrections resolved by latest arrival, then input position. */
#include <stdlib.h>
#include <string.h>

#include "event_util.h"
#include "harness.h"
#include "taq/eod.h"
#include "taq/pairs.h"

static taq_event_t mk(const char *sym, const char *exch, char kind, int64_t tm, int64_t seq,
                      int64_t arrival, uint32_t file_idx, int64_t line, double price)
{
    taq_event_t e;
    memset(&e, 0, sizeof e);
    set_field(e.symbol, sym, TAQ_SYMBOL_LEN);
    set_field(e.exchange, exch, TAQ_EXCHANGE_LEN);
    e.kind = kind;
    e.event_tm = tm;
    e.event_seq_nb = seq;
    e.arrival_tm = arrival;
    e.file_idx = file_idx;
    e.line = line;
    e.price = price;
    e.size = 100;
    if (kind == TAQ_KIND_QUOTE) {
        e.ask_pr = price + 1;
        e.ask_size = 200;
    }
    return e;
}

static void test_latest_arrival_wins(void)
{
    const int64_t tm = at(10, 0, 0, 0);
    taq_event_t ev[3] = {
        mk("SYMA", "NYSE", 'T', tm, 7, at(9, 0, 0, 0), 0, 1, 1.0),
        mk("SYMA", "NYSE", 'T', tm, 7, at(12, 0, 0, 0), 0, 2, 3.0),
        mk("SYMA", "NYSE", 'T', tm, 7, at(11, 0, 0, 0), 0, 3, 2.0),
    };
    size_t n = 3;
    CU_ASSERT_EQUAL(taq_eod_dedupe(ev, &n), 2);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    TAQ_ASSERT_DOUBLE_EXACT(ev[0].price, 3.0);
    CU_ASSERT_EQUAL(ev[0].arrival_tm, at(12, 0, 0, 0));
    CU_ASSERT_EQUAL(ev[0].line, 2);
}

static void test_equal_arrival_file_then_line(void)
{
    const int64_t tm = at(10, 0, 0, 0), arr = at(9, 0, 0, 0);
    /* Later file wins over a later line in an earlier file. */
    taq_event_t a[2] = {
        mk("SYMA", "NYSE", 'Q', tm, 1, arr, 2, 1, 20.0),
        mk("SYMA", "NYSE", 'Q', tm, 1, arr, 1, 900, 10.0),
    };
    size_t n = 2;
    CU_ASSERT_EQUAL(taq_eod_dedupe(a, &n), 1);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    TAQ_ASSERT_DOUBLE_EXACT(a[0].price, 20.0);
    /* Same file: the later line wins. */
    taq_event_t b[3] = {
        mk("SYMA", "NYSE", 'Q', tm, 1, arr, 4, 9, 90.0),
        mk("SYMA", "NYSE", 'Q', tm, 1, arr, 4, 10, 100.0),
        mk("SYMA", "NYSE", 'Q', tm, 1, arr, 4, 2, 20.0),
    };
    n = 3;
    CU_ASSERT_EQUAL(taq_eod_dedupe(b, &n), 2);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    TAQ_ASSERT_DOUBLE_EXACT(b[0].price, 100.0);
    CU_ASSERT_EQUAL(b[0].line, 10);
    /* A later arrival beats a later position. */
    taq_event_t c[2] = {
        mk("SYMA", "NYSE", 'T', tm, 1, arr + 1, 0, 1, 1.0),
        mk("SYMA", "NYSE", 'T', tm, 1, arr, 9, 9, 9.0),
    };
    n = 2;
    CU_ASSERT_EQUAL(taq_eod_dedupe(c, &n), 1);
    TAQ_ASSERT_DOUBLE_EXACT(c[0].price, 1.0);
}

static void test_trade_and_quote_same_key_kept(void)
{
    const int64_t tm = at(10, 0, 0, 0);
    taq_event_t ev[2] = {
        mk("SYMA", "NYSE", 'T', tm, 3, 0, 0, 1, 5.0),
        mk("SYMA", "NYSE", 'Q', tm, 3, 0, 0, 2, 4.0),
    };
    size_t n = 2;
    CU_ASSERT_EQUAL(taq_eod_dedupe(ev, &n), 0);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    /* Same (symbol, exchange, tm, seq): kind orders, 'Q' < 'T'. */
    CU_ASSERT_EQUAL(ev[0].kind, 'Q');
    CU_ASSERT_EQUAL(ev[1].kind, 'T');
}

static void test_other_fields_of_key_not_merged(void)
{
    const int64_t tm = at(10, 0, 0, 0);
    taq_event_t ev[7] = {
        mk("SYMA", "NYSE", 'T', tm, 1, 0, 0, 1, 1.0),
        mk("SYMA", "NASDAQ", 'T', tm, 1, 0, 0, 2, 2.0),
        mk("SYMB", "NYSE", 'T', tm, 1, 0, 0, 3, 3.0),
        mk("SYM", "NYSE", 'T', tm, 1, 0, 0, 4, 4.0),
        mk("SYMA", "NYSE", 'T', tm + 1, 1, 0, 0, 5, 5.0),
        mk("SYMA", "NYSE", 'T', tm, 2, 0, 0, 6, 6.0),
        mk("SYMA", "NYSE", 'Q', tm, 1, 0, 0, 7, 7.0), /* another kind is another key */
    };
    size_t n = 7;
    CU_ASSERT_EQUAL(taq_eod_dedupe(ev, &n), 0);
    CU_ASSERT_EQUAL_FATAL(n, 7);
    /* "SYM" < "SYMA" < "SYMB"; "NASDAQ" < "NYSE"; then tm, seq, kind ('Q' < 'T'). */
    const double order[7] = {4.0, 2.0, 7.0, 1.0, 6.0, 5.0, 3.0};
    for (size_t i = 0; i < n; i++)
        TAQ_ASSERT_DOUBLE_EXACT(ev[i].price, order[i]);
}

static void test_superseded_count_and_order(void)
{
    const int64_t t0 = at(9, 30, 0, 0);
    taq_event_t ev[8] = {
        mk("B", "X", 'T', t0, 1, 5, 0, 1, 1.0), mk("A", "X", 'Q', t0, 2, 5, 0, 2, 2.0),
        mk("B", "X", 'T', t0, 1, 6, 0, 3, 3.0), mk("A", "X", 'Q', t0, 2, 4, 0, 4, 4.0),
        mk("A", "X", 'Q', t0, 1, 4, 0, 5, 5.0), mk("B", "X", 'T', t0, 1, 6, 0, 8, 6.0),
        mk("A", "X", 'T', t0, 2, 1, 0, 9, 7.0), mk("A", "X", 'Q', t0 - 1, 9, 1, 0, 10, 8.0),
    };
    size_t n = 8;
    /* B/T/1: three versions, line 8 wins; A/Q/2: two versions, arrival 5 wins. */
    CU_ASSERT_EQUAL(taq_eod_dedupe(ev, &n), 3);
    CU_ASSERT_EQUAL_FATAL(n, 5);
    const double want[5] = {8.0, 5.0, 2.0, 7.0, 6.0};
    for (size_t i = 0; i < n; i++)
        TAQ_ASSERT_DOUBLE_EXACT(ev[i].price, want[i]);
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return *s >> 33;
}

static void shuffle(taq_event_t *ev, size_t n, uint64_t seed)
{
    for (size_t i = n; i > 1; i--) {
        const size_t j = (size_t)(lcg(&seed) % i);
        const taq_event_t t = ev[i - 1];
        ev[i - 1] = ev[j];
        ev[j] = t;
    }
}

/* Many collisions: 3 symbols x 2 exchanges x 4 times x 2 seqs x 2 kinds, 3 versions each. */
static size_t make_collisions(taq_event_t *ev)
{
    static const char *syms[3] = {"AA", "AAB", "B"}, *exs[2] = {"N", "NY"};
    size_t n = 0;
    uint64_t s = 42;
    for (int i = 0; i < 3 * 2 * 4 * 2 * 2 * 3; i++) {
        const char kind = (i / 3) % 2 ? 'T' : 'Q';
        const int64_t tm = at(10, (i / 12) % 4, 0, 0), seq = (i / 6) % 2;
        ev[n] = mk(syms[(i / 96) % 3], exs[(i / 48) % 2], kind, tm, seq, (int64_t)(lcg(&s) % 3),
                   (uint32_t)(lcg(&s) % 2), i, (double)i);
        n++;
    }
    return n;
}

static void test_output_independent_of_input_order(void)
{
    enum { N = 288 };
    taq_event_t *ref = calloc(N, sizeof *ref), *ev = calloc(N, sizeof *ev);
    size_t n_ref = make_collisions(ref);
    CU_ASSERT_EQUAL_FATAL(n_ref, N);
    const int64_t sup = taq_eod_dedupe(ref, &n_ref);
    CU_ASSERT_EQUAL(sup, N - 96); /* 96 distinct keys */
    CU_ASSERT_EQUAL(n_ref, 96);
    for (uint64_t seed = 1; seed <= 6; seed++) {
        size_t n = make_collisions(ev);
        shuffle(ev, n, seed * 7919);
        CU_ASSERT_EQUAL(taq_eod_dedupe(ev, &n), sup);
        CU_ASSERT_EQUAL_FATAL(n, n_ref);
        CU_ASSERT_EQUAL(memcmp(ev, ref, n * sizeof *ev), 0);
    }
    free(ref);
    free(ev);
}

static void test_empty_and_single_input(void)
{
    size_t n = 0;
    CU_ASSERT_EQUAL(taq_eod_dedupe(NULL, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
    taq_event_t one = mk("A", "X", 'T', 1, 1, 1, 0, 1, 1.0);
    n = 1;
    CU_ASSERT_EQUAL(taq_eod_dedupe(&one, &n), 0);
    CU_ASSERT_EQUAL(n, 1);
}

/* A 16-byte symbol and an 8-byte exchange fill their fields with no NUL. */
static void test_full_width_symbol_and_exchange(void)
{
    const int64_t tm = at(10, 0, 0, 0);
    taq_event_t ev[5] = {
        mk("ABCDEFGHIJKLMNOP", "EXCHANGE", 'T', tm, 1, 0, 0, 1, 1.0),
        mk("ABCDEFGHIJKLMNO", "EXCHANGE", 'T', tm, 1, 0, 0, 2, 2.0),
        mk("ABCDEFGHIJKLMNOP", "EXCHANG", 'T', tm, 1, 0, 0, 3, 3.0),
        mk("ABCDEFGHIJKLMNOP", "EXCHANGE", 'T', tm, 1, 1, 0, 4, 4.0),
        mk("ABCDEFGHIJKLMNOQ", "EXCHANGE", 'T', tm, 1, 0, 0, 5, 5.0),
    };
    CU_ASSERT_EQUAL(memchr(ev[0].symbol, 0, TAQ_SYMBOL_LEN), NULL);
    size_t n = 5;
    CU_ASSERT_EQUAL(taq_eod_dedupe(ev, &n), 1);
    CU_ASSERT_EQUAL_FATAL(n, 4);
    const double want[4] = {2.0, 3.0, 4.0, 5.0};
    for (size_t i = 0; i < n; i++)
        TAQ_ASSERT_DOUBLE_EXACT(ev[i].price, want[i]);
}

/* Reference order, written plainly: the whole key, then arrival, file, line. */
static int ref_cmp(const void *pa, const void *pb)
{
    const taq_event_t *a = pa, *b = pb;
    int c = memcmp(a->symbol, b->symbol, TAQ_SYMBOL_LEN);
    if (!c)
        c = memcmp(a->exchange, b->exchange, TAQ_EXCHANGE_LEN);
    const int64_t x[6] = {a->event_tm,   a->event_seq_nb, a->kind,
                          a->arrival_tm, a->file_idx,     a->line};
    const int64_t y[6] = {b->event_tm,   b->event_seq_nb, b->kind,
                          b->arrival_tm, b->file_idx,     b->line};
    for (int i = 0; i < 6 && !c; i++)
        c = (x[i] > y[i]) - (x[i] < y[i]);
    return c;
}

static int ref_same_key(const taq_event_t *a, const taq_event_t *b)
{
    return memcmp(a->symbol, b->symbol, TAQ_SYMBOL_LEN) == 0 &&
           memcmp(a->exchange, b->exchange, TAQ_EXCHANGE_LEN) == 0 && a->event_tm == b->event_tm &&
           a->event_seq_nb == b->event_seq_nb && a->kind == b->kind;
}

/*
 * 30000 events in the shapes real input takes: files sorted by (symbol,
 * time) - long ascending runs, one exchange per file - then corrections
 * files, then the same events in random order. Both must give the plain
 * reference result exactly.
 */
static void test_matches_reference_on_runs_and_random(void)
{
    enum { FILES = 7, PER_FILE = 4000, CORR = 2000, N = FILES * PER_FILE + CORR };
    static const char *syms[6] = {"A", "AA", "AB", "B", "BRK.A", "ZZZZZZZZZZZZZZZZ"};
    static const char *exs[3] = {"ARCA", "NYSE", "Q"};
    taq_event_t *ev = calloc(N, sizeof *ev), *ref = calloc(N, sizeof *ref);
    uint64_t s = 99;
    size_t n = 0;
    for (uint32_t f = 0; f < FILES; f++) {
        int64_t tm = 0;
        int sym = 0;
        for (int64_t line = 1; line <= PER_FILE; line++) {
            if (lcg(&s) % 700 == 0 && sym < 5) {
                sym++;
                tm = 0;
            }
            tm += (int64_t)(lcg(&s) % 3); /* repeated times: seq decides */
            const char kind = lcg(&s) % 10 ? 'Q' : 'T';
            ev[n] = mk(syms[sym], exs[f % 3], kind, at(9, 30, 0, 0) + tm, (int64_t)(lcg(&s) % 4),
                       (int64_t)(lcg(&s) % 2), f, line, (double)n);
            n++;
        }
    }
    for (int64_t line = 1; line <= CORR; line++) { /* corrections of random earlier events */
        taq_event_t c = ev[lcg(&s) % (FILES * PER_FILE)];
        c.arrival_tm += (int64_t)(lcg(&s) % 3) - 1;
        c.file_idx = FILES;
        c.line = line;
        c.price = -(double)line;
        ev[n++] = c;
    }
    memcpy(ref, ev, N * sizeof *ev);
    qsort(ref, N, sizeof *ref, ref_cmp);
    size_t n_ref = 0;
    for (size_t i = 0; i < N; i++)
        if (!(i + 1 < N && ref_same_key(&ref[i], &ref[i + 1])))
            ref[n_ref++] = ref[i];
    for (int pass = 0; pass < 2; pass++) {
        taq_event_t *copy = calloc(N, sizeof *copy);
        memcpy(copy, ev, N * sizeof *ev);
        if (pass == 1)
            shuffle(copy, N, 12345);
        size_t m = N;
        CU_ASSERT_EQUAL(taq_eod_dedupe(copy, &m), (int64_t)(N - n_ref));
        CU_ASSERT_EQUAL_FATAL(m, n_ref);
        CU_ASSERT_EQUAL(memcmp(copy, ref, m * sizeof *copy), 0);
        free(copy);
    }
    CU_ASSERT(n_ref < N - CORR / 2); /* the corrections did supersede */
    free(ev);
    free(ref);
}

/* Pair ids follow memcmp order of (symbol, exchange); runs cover every event; rows count each
 * pair's events. */
static void test_pair_index_ids_in_pair_order(void)
{
    enum { N = 3000 };
    taq_event_t *ev = calloc(N, sizeof *ev);
    uint64_t s = 5;
    for (size_t i = 0; i < N; i++) {
        ev[i] = mk("", "", 'Q', 0, 0, 0, 0, (int64_t)i, 0.0);
        const size_t len = 1 + lcg(&s) % TAQ_SYMBOL_LEN; /* up to a full 16-byte symbol */
        for (size_t b = 0; b < len; b++)
            ev[i].symbol[b] = (char)(0x7E + lcg(&s) % 3); /* 0x7E..0x80: signed-char trap */
        ev[i].exchange[0] = (char)('A' + lcg(&s) % 2);
        if (i % 7 == 0 && i > 0)
            ev[i] = ev[i - 1]; /* runs of one pair, as in real files */
    }
    taq_pair_index_t pi;
    taq_pair_index_build(ev, N, &pi);
    CU_ASSERT_FATAL(pi.n_pairs > 10);
    int64_t total = 0;
    for (size_t p = 0; p < pi.n_pairs; p++) {
        total += pi.rows[p];
        CU_ASSERT(pi.rows[p] > 0);
        if (p > 0)
            CU_ASSERT(memcmp(&pi.pairs[p - 1], &pi.pairs[p], sizeof(taq_pair_t)) < 0);
    }
    CU_ASSERT_EQUAL(total, N);
    /* The runs tile [0, N) in order, each maximal: a run's pair differs from the one before. */
    CU_ASSERT_EQUAL_FATAL(pi.runs[0].start, 0);
    CU_ASSERT_EQUAL_FATAL(pi.runs[pi.n_runs].start, N);
    CU_ASSERT(pi.n_runs < N - N / 7 + 1); /* every 7th event repeats its predecessor */
    int64_t wrong = 0, *rows = calloc(pi.n_pairs, sizeof *rows);
    for (size_t r = 0; r < pi.n_runs; r++) {
        const taq_pair_run_t *run = &pi.runs[r];
        CU_ASSERT_FATAL(run->start < run[1].start && run->pair < pi.n_pairs);
        if (r > 0)
            CU_ASSERT(run[-1].pair != run->pair);
        for (size_t i = run->start; i < run[1].start; i++) {
            wrong += memcmp(pi.pairs[run->pair].symbol, ev[i].symbol, TAQ_SYMBOL_LEN) != 0 ||
                     memcmp(pi.pairs[run->pair].exchange, ev[i].exchange, TAQ_EXCHANGE_LEN) != 0;
            rows[run->pair]++;
        }
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(memcmp(rows, pi.rows, pi.n_pairs * sizeof *rows), 0);
    free(rows);
    taq_pair_index_free(&pi);
    taq_pair_index_build(ev, 0, &pi); /* no events: no pairs, no runs */
    CU_ASSERT_EQUAL(pi.n_pairs, 0);
    CU_ASSERT_EQUAL(pi.n_runs, 0);
    CU_ASSERT_EQUAL(pi.runs[0].start, 0);
    taq_pair_index_free(&pi);
    free(ev);
}

/* The word-wise comparison must agree with memcmp, bytes >= 0x80 included. */
static void test_pair_order_is_memcmp_order(void)
{
    enum { N = 500 };
    taq_event_t *ev = calloc(N, sizeof *ev);
    uint64_t s = 7;
    for (size_t i = 0; i < N; i++) {
        ev[i] = mk("", "", 'T', 0, 0, 0, 0, (int64_t)i, 0.0);
        for (size_t b = 0; b < TAQ_SYMBOL_LEN; b++) /* few distinct bytes: long common prefixes */
            ev[i].symbol[b] = (char)(0x7E + lcg(&s) % 4);
        for (size_t b = 0; b < TAQ_EXCHANGE_LEN; b++)
            ev[i].exchange[b] = (char)(0x7F + lcg(&s) % 2);
    }
    size_t n = N;
    taq_eod_dedupe(ev, &n);
    for (size_t i = 1; i < n; i++) {
        int c = memcmp(ev[i - 1].symbol, ev[i].symbol, TAQ_SYMBOL_LEN);
        c = c ? c : memcmp(ev[i - 1].exchange, ev[i].exchange, TAQ_EXCHANGE_LEN);
        CU_ASSERT(c < 0);
    }
    free(ev);
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_latest_arrival_wins),
        TAQ_CASE(test_equal_arrival_file_then_line),
        TAQ_CASE(test_trade_and_quote_same_key_kept),
        TAQ_CASE(test_other_fields_of_key_not_merged),
        TAQ_CASE(test_superseded_count_and_order),
        TAQ_CASE(test_output_independent_of_input_order),
        TAQ_CASE(test_empty_and_single_input),
        TAQ_CASE(test_full_width_symbol_and_exchange),
        TAQ_CASE(test_pair_order_is_memcmp_order),
        TAQ_CASE(test_matches_reference_on_runs_and_random),
        TAQ_CASE(test_pair_index_ids_in_pair_order),
    };
    return taq_test_main(argc, argv, "eod", cases, (int)(sizeof cases / sizeof cases[0]), 0);
}
