/*
 * route.c - decide which rank owns which (symbol, exchange) pairs.
 *
 * Every rank's pair index holds its rows per pair; rank 0 gathers those
 * counts, merges them into one sorted list and cuts it into nranks ranges with
 * the smallest possible largest range (binary search on that maximum, greedy
 * fill). A pair is the unit because the moving average and the as-of join
 * need every row of a pair on one rank. The cut goes to every rank as the
 * first pair of each range; ranges past the last pair are empty, marked by a
 * sentinel of 0xFF bytes that sorts after every valid pair.
 */
#include <stdlib.h>
#include <string.h>

#include "taq/shuffle.h"

typedef struct pair_count {
    taq_pair_t pair;
    int64_t rows;
} pair_count_t;

static int cmp_pair(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(taq_pair_t));
}

/* Sort and combine counts of equal pairs (rank 0, after the gather). */
static size_t merge_counts(pair_count_t *pc, size_t n)
{
    if (n > 1)
        qsort(pc, n, sizeof *pc, cmp_pair);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && cmp_pair(&pc[k - 1].pair, &pc[i].pair) == 0)
            pc[k - 1].rows += pc[i].rows;
        else
            pc[k++] = pc[i];
    }
    return k;
}

/* Parts needed when no part may exceed `limit` rows. */
static int parts_needed(const pair_count_t *pc, size_t n, int64_t limit)
{
    int parts = 1;
    int64_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        if (acc + pc[i].rows > limit) {
            parts++;
            acc = 0;
        }
        acc += pc[i].rows;
    }
    return parts;
}

/* Rank 0: fill r->first from the merged counts. */
static void cut(const pair_count_t *pc, size_t n, taq_routing_t *r)
{
    int64_t lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        lo = pc[i].rows > lo ? pc[i].rows : lo;
        hi += pc[i].rows;
    }
    r->total_rows = hi;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (parts_needed(pc, n, mid) <= r->nranks)
            hi = mid;
        else
            lo = mid + 1;
    }
    r->max_rows = lo;
    memset(r->first, 0xff, (size_t)(r->nranks + 1) * sizeof *r->first);
    memset(&r->first[0], 0, sizeof r->first[0]); /* rank 0 starts at the smallest pair */
    int k = 0;
    int64_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        if (acc + pc[i].rows > lo && acc > 0) {
            r->first[++k] = pc[i].pair;
            acc = 0;
        }
        acc += pc[i].rows;
    }
}

/*
 * Rank 0: the ranks take the pairs in order, rank k at most L * share[k]
 * rows (greedily: a rank too small for the next pair gets none). Returns 1
 * when every pair found a rank; with r, also records where each rank's
 * range starts and the busiest range's rows.
 */
static int fill_shares(const pair_count_t *pc, size_t n, const double *share, int p, double L,
                       taq_routing_t *r)
{
    int k = 0;
    double acc = 0;
    for (size_t i = 0; i < n; i++) {
        while (k < p && acc + (double)pc[i].rows > L * share[k]) {
            if (++k < p && r)
                r->first[k] = pc[i].pair; /* rank k starts here (empty if it fills at once) */
            acc = 0;
        }
        if (k == p)
            return 0;
        acc += (double)pc[i].rows;
        if (r && (int64_t)acc > r->max_rows)
            r->max_rows = (int64_t)acc;
    }
    return 1;
}

/*
 * Rank 0: fill r->first so that rank k's range holds rows in proportion to
 * held[k], the rows it holds now: the smallest scale L (binary search) at
 * which fill_shares places every pair.
 */
static void cut_by_holdings(const pair_count_t *pc, size_t n, const int64_t *held, taq_routing_t *r)
{
    const int p = r->nranks;
    double *share = TAQ_MALLOC((size_t)p * sizeof *share), big = 0;
    int64_t total = 0; /* the merged counts' rows: every rank's holdings together */
    for (size_t i = 0; i < n; i++)
        total += pc[i].rows;
    for (int k = 0; k < p; k++) {
        share[k] = (double)held[k] / (double)total;
        big = share[k] > big ? share[k] : big;
    }
    /* All rows fit in the rank with the largest share, whatever comes before it. */
    double lo = (double)total, hi = (double)total / big * 1.000001 + 1;
    for (int it = 0; it < 64 && hi - lo > 0.5; it++) {
        const double mid = lo + (hi - lo) / 2;
        if (fill_shares(pc, n, share, p, mid, NULL))
            hi = mid;
        else
            lo = mid;
    }
    memset(r->first, 0xff, (size_t)(p + 1) * sizeof *r->first);
    memset(&r->first[0], 0, sizeof r->first[0]); /* rank 0 starts at the smallest pair */
    r->total_rows = total;
    r->max_rows = 0;
    (void)fill_shares(pc, n, share, p, hi, r); /* hi always fits */
    free(share);
}

/* Gather every rank's pair counts on rank 0 (byte counts checked against int). */
static taq_rc gather_counts(const taq_vec_t *mine, MPI_Comm comm, taq_vec_t *all, int64_t *held)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    /* Every rank reaches the collectives below, even with too many pairs. */
    taq_rc rc = TAQ_OK;
    int bytes = (int)(mine->len * sizeof(pair_count_t));
    if (mine->len > INT32_MAX / sizeof(pair_count_t)) {
        taq_err_set("too many (symbol, exchange) pairs on one rank: %zu", mine->len);
        rc = TAQ_ERR_RANGE;
        bytes = 0;
    }
    int *counts = rank == 0 ? TAQ_CALLOC((size_t)size, sizeof(int)) : NULL;
    int *displs = rank == 0 ? TAQ_CALLOC((size_t)size, sizeof(int)) : NULL;
    TAQ_MPI_CHECK(MPI_Gather(&bytes, 1, MPI_INT, counts, 1, MPI_INT, 0, comm));
    if (rank == 0) {
        int64_t total = 0;
        for (int i = 0; i < size; i++)
            total += counts[i];
        if (total > INT32_MAX) {
            taq_err_set("pair counts of all ranks exceed 2 GiB (%lld bytes)", (long long)total);
            rc = TAQ_ERR_RANGE;
            memset(counts, 0, (size_t)size * sizeof(int));
            total = 0;
        }
        for (int i = 0, at = 0; i < size; at += counts[i], i++)
            displs[i] = at;
        taq_vec_reserve(all, (size_t)total / sizeof(pair_count_t) + 1);
        all->len = (size_t)total / sizeof(pair_count_t);
    }
    TAQ_MPI_CHECK(MPI_Gatherv(mine->data, rc == TAQ_OK ? bytes : 0, MPI_BYTE, all->data, counts,
                              displs, MPI_BYTE, 0, comm));
    for (int i = 0; rank == 0 && i < size; i++) {
        const pair_count_t *pc = (const pair_count_t *)((const char *)all->data + displs[i]);
        held[i] = 0;
        for (size_t k = 0; k < (size_t)counts[i] / sizeof *pc; k++)
            held[i] += pc[k].rows;
    }
    free(counts);
    free(displs);
    return rc;
}

taq_rc taq_shuffle_route(const taq_pair_index_t *pi, MPI_Comm comm, int by_holdings,
                         taq_routing_t *r)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &r->nranks);
    r->first = TAQ_CALLOC((size_t)r->nranks + 1, sizeof *r->first);
    taq_vec_t mine, all;
    taq_vec_init(&mine, sizeof(pair_count_t));
    taq_vec_init(&all, sizeof(pair_count_t));
    for (size_t i = 0; i < pi->n_pairs; i++)
        *(pair_count_t *)taq_vec_push(&mine) = (pair_count_t){pi->pairs[i], pi->rows[i]};
    int64_t *held = TAQ_CALLOC((size_t)r->nranks, sizeof *held);
    taq_rc rc = gather_counts(&mine, comm, &all, held);
    if (rank == 0) {
        int64_t any = 0;
        for (int k = 0; k < r->nranks; k++)
            any += held[k];
        const size_t n = merge_counts(all.data, all.len);
        if (by_holdings && any > 0)
            cut_by_holdings(all.data, n, held, r);
        else
            cut(all.data, n, r);
    }
    free(held);
    taq_vec_free(&mine);
    taq_vec_free(&all);
    rc = taq_mpi_agree(rc, comm);
    TAQ_MPI_CHECK(MPI_Bcast(r->first, (r->nranks + 1) * (int)sizeof *r->first, MPI_BYTE, 0, comm));
    int64_t stats[2] = {r->max_rows, r->total_rows};
    TAQ_MPI_CHECK(MPI_Bcast(stats, 2, MPI_INT64_T, 0, comm));
    r->max_rows = stats[0];
    r->total_rows = stats[1];
    return rc;
}

void taq_routing_free(taq_routing_t *r)
{
    free(r->first);
    memset(r, 0, sizeof *r);
}

int taq_routing_owner(const taq_routing_t *r, const char *symbol, const char *exchange)
{
    taq_pair_t p;
    memcpy(p.symbol, symbol, TAQ_SYMBOL_LEN);
    memcpy(p.exchange, exchange, TAQ_EXCHANGE_LEN);
    return taq_routing_owner_of(r, &p);
}

int taq_routing_owner_of(const taq_routing_t *r, const taq_pair_t *p)
{
    /* The last k with first[k] <= p (first[0] is the smallest possible pair). */
    int lo = 0, hi = r->nranks - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (cmp_pair(&r->first[mid], p) <= 0)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

void taq_routing_dests(const taq_routing_t *r, const taq_pair_index_t *pi, int32_t *dest)
{
    int32_t *owner = TAQ_MALLOC(pi->n_pairs * sizeof *owner);
    for (size_t p = 0; p < pi->n_pairs; p++)
        owner[p] = taq_routing_owner_of(r, &pi->pairs[p]);
    for (size_t k = 0; k < pi->n_runs; k++)
        dest[k] = owner[pi->runs[k].pair];
    free(owner);
}
