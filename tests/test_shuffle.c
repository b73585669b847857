/* MPI tests of routing by (symbol, exchange) and the bounded-round shuffle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "taq/shuffle.h"

static int rank_, size_;

static void ranks(void)
{
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

static taq_event_t make(int sym, int exch, int64_t seq)
{
    taq_event_t e;
    memset(&e, 0, sizeof e);
    snprintf(e.symbol, sizeof e.symbol, "S%04d", sym % 10000);
    e.exchange[0] = 'X';
    e.exchange[1] = (char)('0' + exch % 10);
    e.event_seq_nb = seq;
    e.kind = TAQ_KIND_QUOTE;
    return e;
}

/*
 * Every rank contributes rows: pair (s, x) gets weight(s) rows in total,
 * spread over the ranks round-robin by seq. Pairs are interleaved (seq is
 * the outer loop), so nothing arrives grouped by pair or by destination.
 */
static void build(taq_vec_t *v, int nsym, int nexch, int (*weight)(int))
{
    taq_vec_init(v, sizeof(taq_event_t));
    int64_t most = 0;
    for (int s = 0; s < nsym; s++)
        most = weight(s) > most ? weight(s) : most;
    for (int64_t q = 0; q < most; q++)
        for (int s = 0; s < nsym; s++)
            for (int x = 0; x < nexch; x++)
                if (q < weight(s) && q % size_ == rank_)
                    *(taq_event_t *)taq_vec_push(v) = make(s, x, q);
}

/* Sort order for check_unique: pair, then seq. */
static int cmp_pair_seq(const void *a, const void *b)
{
    const taq_event_t *x = a, *y = b;
    int c = memcmp(x->symbol, y->symbol, TAQ_SYMBOL_LEN + TAQ_EXCHANGE_LEN);
    return c ? c : (x->event_seq_nb > y->event_seq_nb) - (x->event_seq_nb < y->event_seq_nb);
}

/* No event arrives twice (with the counts of check_owned: none is lost). */
static void check_unique(const taq_vec_t *v)
{
    taq_event_t *copy = malloc((v->len + 1) * sizeof *copy);
    memcpy(copy, v->data, v->len * sizeof *copy);
    qsort(copy, v->len, sizeof *copy, cmp_pair_seq);
    int64_t twice = 0;
    for (size_t i = 1; i < v->len; i++)
        twice += cmp_pair_seq(&copy[i - 1], &copy[i]) == 0;
    free(copy);
    CU_ASSERT_EQUAL(twice, 0);
}

/* After the exchange: every event is on its owner, none lost or doubled. */
static void check_owned(const taq_vec_t *v, const taq_routing_t *r, int64_t expect_total,
                        int64_t expect_sum)
{
    const taq_event_t *ev = v->data;
    int64_t n = (int64_t)v->len, sum = 0, wrong = 0;
    for (size_t i = 0; i < v->len; i++) {
        wrong += taq_routing_owner(r, ev[i].symbol, ev[i].exchange) != rank_;
        sum += ev[i].event_seq_nb + 1000 * atoi(ev[i].symbol + 1) + ev[i].exchange[1];
    }
    MPI_Allreduce(MPI_IN_PLACE, &n, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(n, expect_total);
    CU_ASSERT_EQUAL(sum, expect_sum);
}

static int flat(int s)
{
    (void)s;
    return 10;
}

static int64_t expected_sum(int nsym, int nexch, int (*weight)(int))
{
    int64_t sum = 0;
    for (int s = 0; s < nsym; s++)
        for (int x = 0; x < nexch; x++)
            for (int64_t q = 0; q < weight(s); q++)
                sum += q + 1000 * s + ('0' + x);
    return sum;
}

/* Shuffle v (built by the caller) and check that every event reached its owner once. */
static void shuffle_case(taq_vec_t *v, int nsym, int nexch, int (*weight)(int), size_t round,
                         taq_routing_t *r)
{
    memset(r, 0, sizeof *r);
    taq_pair_index_t pi;
    taq_pair_index_build(v->data, v->len, &pi);
    CU_ASSERT_EQUAL_FATAL(taq_shuffle_route(&pi, MPI_COMM_WORLD, 0, r), TAQ_OK);
    int32_t *dest = malloc((pi.n_runs + 1) * sizeof *dest);
    taq_routing_dests(r, &pi, dest);
    int64_t rounds = -1;
    CU_ASSERT_EQUAL_FATAL(
        taq_shuffle_exchange(v, pi.runs, dest, pi.n_runs, round, MPI_COMM_WORLD, &rounds), TAQ_OK);
    taq_pair_index_free(&pi);
    free(dest);
    check_unique(v);
    int64_t total = 0;
    for (int s = 0; s < nsym; s++)
        total += (int64_t)weight(s) * nexch;
    check_owned(v, r, total, expected_sum(nsym, nexch, weight));
    /* A rank's own events never travel: one rank needs no round at all. */
    if (round == 1 && total > 0)
        CU_ASSERT(size_ == 1 ? rounds == 0 : rounds >= total / size_ / size_);
}

/* Pairs interleaved event by event: every run is one event long. */
static void run_case(int nsym, int nexch, int (*weight)(int), size_t round, taq_routing_t *r)
{
    taq_vec_t v;
    build(&v, nsym, nexch, weight);
    shuffle_case(&v, nsym, nexch, weight, round, r);
    taq_vec_free(&v);
}

/*
 * Pairs in blocks, as in real files: rank k holds the events q % size == k
 * of every pair, one run per pair, the pairs in the order of `perm`, so a
 * rank's runs go to every rank and alternate between kept and sent.
 */
static void run_grouped(int nsym, int (*weight)(int), const int *perm, size_t round,
                        taq_routing_t *r)
{
    taq_vec_t v;
    taq_vec_init(&v, sizeof(taq_event_t));
    for (int i = 0; i < nsym; i++)
        for (int64_t q = rank_; q < weight(perm[i]); q += size_)
            *(taq_event_t *)taq_vec_push(&v) = make(perm[i], 0, q);
    shuffle_case(&v, nsym, 1, weight, round, r);
    taq_vec_free(&v);
}

static void test_flat_balanced(void)
{
    ranks();
    taq_routing_t r;
    run_case(12, 2, flat, 0, &r);
    /* 24 pairs of 10 rows: the busiest rank holds ceil(24 / ranks) pairs. */
    CU_ASSERT_EQUAL(r.total_rows, 240);
    CU_ASSERT_EQUAL(r.max_rows, 10 * ((24 + size_ - 1) / size_));
    taq_routing_free(&r);
}

static void test_tiny_rounds(void)
{
    ranks();
    taq_routing_t r;
    run_case(7, 3, flat, 1, &r);
    taq_routing_free(&r);
    run_case(7, 3, flat, 3, &r);
    taq_routing_free(&r);
}

static int uneven(int s)
{
    return 1 + (s * 7) % 13 * size_;
}

/*
 * Runs of many events, kept and sent in turn, split across rounds: pairs
 * ascending (each rank's sent runs before or after its kept ones), then
 * descending (the runs at the back of the array are sent, so the holes
 * are filled past them), then alternating from both ends.
 */
static void test_grouped_runs(void)
{
    ranks();
    enum { NSYM = 40 };
    int perm[3][NSYM];
    for (int i = 0; i < NSYM; i++) {
        perm[0][i] = i;
        perm[1][i] = NSYM - 1 - i;
        perm[2][i] = i % 2 ? NSYM - 1 - i / 2 : i / 2;
    }
    const size_t rounds[] = {0, 1, 4};
    for (int k = 0; k < 3; k++)
        for (size_t j = 0; j < sizeof rounds / sizeof rounds[0]; j++) {
            taq_routing_t r;
            run_grouped(NSYM, uneven, perm[k], rounds[j], &r);
            taq_routing_free(&r);
        }
}

static int hot(int s)
{
    return s == 3 ? 1000 : 10;
}

static void test_hot_symbol_gets_own_rank(void)
{
    ranks();
    taq_routing_t r;
    run_case(10, 1, hot, 0, &r);
    /* The hot pair cannot be split: the best cut gives it a rank of its own. */
    /* 1 rank: all 1090 rows; 2 ranks: best cut S0000..S0003 | S0004..; 3+: hot alone. */
    CU_ASSERT_EQUAL(r.max_rows, size_ == 1 ? 1090 : size_ == 2 ? 1030 : 1000);
    if (size_ >= 3) {
        taq_event_t h = make(3, 0, 0), other = make(4, 0, 0), before = make(2, 0, 0);
        int owner = taq_routing_owner(&r, h.symbol, h.exchange);
        CU_ASSERT_NOT_EQUAL(owner, taq_routing_owner(&r, other.symbol, other.exchange));
        CU_ASSERT_NOT_EQUAL(owner, taq_routing_owner(&r, before.symbol, before.exchange));
    }
    taq_routing_free(&r);
}

static int one(int s)
{
    (void)s;
    return 1;
}

static void test_fewer_pairs_than_ranks_and_empty(void)
{
    ranks();
    taq_routing_t r;
    run_case(1, 1, one, 0, &r); /* one symbol: one rank owns it, the others nothing */
    CU_ASSERT_EQUAL(r.max_rows, 1);
    taq_routing_free(&r);
    run_case(0, 0, one, 0, &r); /* nothing at all */
    CU_ASSERT_EQUAL(r.total_rows, 0);
    taq_routing_free(&r);
}

/*
 * Routing by holdings. Rank k holds (k + 1) x 3 symbols of 10 rows each,
 * its own contiguous block (rank 0 none on 2+ ranks): each rank must own
 * exactly the pairs it holds, so nothing moves.
 */
static void test_route_follows_holdings(void)
{
    ranks();
    int base = 0, cnt = 0;
    for (int k = 0; k <= rank_; k++) {
        base += cnt;
        cnt = k == 0 && size_ > 1 ? 0 : (k + 1) * 3;
    }
    taq_vec_t v;
    taq_vec_init(&v, sizeof(taq_event_t));
    for (int s = base; s < base + cnt; s++)
        for (int q = 0; q < 10; q++)
            *(taq_event_t *)taq_vec_push(&v) = make(s, 0, q);
    taq_pair_index_t pi;
    taq_pair_index_build(v.data, v.len, &pi);
    taq_routing_t r;
    CU_ASSERT_EQUAL_FATAL(taq_shuffle_route(&pi, MPI_COMM_WORLD, 1, &r), TAQ_OK);
    const taq_event_t *ev = v.data;
    int64_t away = 0;
    for (size_t i = 0; i < v.len; i++)
        away += taq_routing_owner(&r, ev[i].symbol, ev[i].exchange) != rank_;
    CU_ASSERT_EQUAL(away, 0);
    /* The busiest rank is the last: it holds size x 3 symbols (1 x 3 on one rank). */
    CU_ASSERT_EQUAL(r.max_rows, 10 * 3 * size_);
    taq_routing_free(&r);
    taq_pair_index_free(&pi);
    taq_vec_free(&v);
}

/*
 * Every rank holds rows of all 60 pairs, rank k (k + 1) rows of each: by
 * holdings rank k's range gets about (k + 1) / (1 + ... + size) of the
 * rows (within one pair's rows of it); by balance, about the same rows.
 */
static void test_route_in_proportion_to_holdings(void)
{
    ranks();
    const int npairs = 60, per_pair = size_ * (size_ + 1) / 2;
    taq_vec_t v;
    taq_vec_init(&v, sizeof(taq_event_t));
    for (int s = 0; s < npairs; s++)
        for (int q = 0; q <= rank_; q++)
            *(taq_event_t *)taq_vec_push(&v) = make(s, 0, q);
    taq_pair_index_t pi;
    taq_pair_index_build(v.data, v.len, &pi);
    for (int by = 0; by < 2; by++) {
        taq_routing_t r;
        CU_ASSERT_EQUAL_FATAL(taq_shuffle_route(&pi, MPI_COMM_WORLD, by, &r), TAQ_OK);
        int64_t *owned = calloc((size_t)size_, sizeof *owned);
        for (int s = 0; s < npairs; s++) {
            taq_event_t e = make(s, 0, 0);
            owned[taq_routing_owner(&r, e.symbol, e.exchange)] += per_pair;
        }
        const double total = (double)npairs * per_pair;
        for (int k = 0; k < size_; k++) {
            const double want = by ? total * (k + 1) / per_pair : total / size_;
            CU_ASSERT(owned[k] >= want - per_pair && owned[k] <= want + per_pair);
        }
        free(owned);
        taq_routing_free(&r);
    }
    taq_pair_index_free(&pi);
    taq_vec_free(&v);
}

static void test_closes_allgather(void)
{
    ranks();
    /* Rank k holds the close of pair "C<k>"; the table comes back sorted on every rank. */
    taq_closes_t mine = {0}, all = {0};
    mine.n = (size_t)(rank_ % 2 == 0);
    mine.items = calloc(1, sizeof(taq_close_t));
    snprintf(mine.items[0].symbol, TAQ_SYMBOL_LEN, "C%03d", rank_ % 1000);
    memcpy(mine.items[0].exchange, "EX", 2);
    mine.items[0].close_pr = 10.0 + rank_;
    CU_ASSERT_EQUAL_FATAL(taq_shuffle_allgather_closes(&mine, MPI_COMM_WORLD, &all), TAQ_OK);
    CU_ASSERT_EQUAL_FATAL(all.n, (size_t)(size_ + 1) / 2);
    for (int k = 0; k < size_; k += 2) {
        char sym[TAQ_SYMBOL_LEN] = {0}, ex[TAQ_EXCHANGE_LEN] = {0};
        snprintf(sym, sizeof sym, "C%03d", k % 1000);
        memcpy(ex, "EX", 2);
        CU_ASSERT_EQUAL(taq_closes_lookup(&all, sym, ex), 10.0 + k);
    }
    taq_closes_free(&mine);
    taq_closes_free(&all);
}

/*
 * Runs in global order, read by ranks that interleave (and some empty, some
 * on no rank's turn): item = its global index. Afterwards every rank holds
 * as many as before, and they are the next ones in global order.
 */
static void check_runs(size_t n_runs, const int *rank, const int64_t *count)
{
    taq_vec_t v;
    taq_vec_init(&v, sizeof(int64_t));
    int64_t g = 0, held = 0, before = 0;
    for (size_t i = 0; i < n_runs; i++) {
        for (int64_t k = 0; k < count[i]; k++, g++)
            if (rank[i] == rank_)
                *(int64_t *)taq_vec_push(&v) = g;
        if (rank[i] == rank_)
            held += count[i];
        else if (rank[i] < rank_)
            before += count[i];
    }
    CU_ASSERT_EQUAL_FATAL(taq_shuffle_runs(&v, rank, count, n_runs, MPI_COMM_WORLD), TAQ_OK);
    CU_ASSERT_EQUAL_FATAL((int64_t)v.len, held);
    for (size_t k = 0; k < v.len; k++)
        CU_ASSERT_EQUAL(((const int64_t *)v.data)[k], before + (int64_t)k);
    taq_vec_free(&v);
}

static void test_runs_back_in_order(void)
{
    ranks();
    enum { N = 40 };
    int rank[N];
    int64_t count[N];
    /* Striped: run i read by rank i % size, uneven counts with zeros. */
    for (int i = 0; i < N; i++) {
        rank[i] = i % size_;
        count[i] = (i * 7) % 5 == 0 ? 0 : 1 + (i * 13) % 9;
    }
    check_runs(N, rank, count);
    /* Already in rank order (the whole-folder plan): nothing moves, nothing breaks. */
    for (int i = 0; i < N; i++)
        rank[i] = i * size_ / N;
    check_runs(N, rank, count);
    /* Everything read by the last rank in one run, then nothing at all. */
    rank[0] = size_ - 1;
    count[0] = 25;
    check_runs(1, rank, count);
    count[0] = 0;
    check_runs(1, rank, count);
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_flat_balanced),
        TAQ_CASE(test_tiny_rounds),
        TAQ_CASE(test_grouped_runs),
        TAQ_CASE(test_hot_symbol_gets_own_rank),
        TAQ_CASE(test_fewer_pairs_than_ranks_and_empty),
        TAQ_CASE(test_route_follows_holdings),
        TAQ_CASE(test_route_in_proportion_to_holdings),
        TAQ_CASE(test_closes_allgather),
        TAQ_CASE(test_runs_back_in_order),
    };
    return taq_test_main(argc, argv, "shuffle", cases, (int)(sizeof cases / sizeof cases[0]), 1);
}
