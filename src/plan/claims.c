/*
 * claims.c - who reads which piece: each rank its own share first, then
 * whatever is left of the slowest share.
 *
 * A fixed plan makes every rank wait for the slowest one, and ranks are not
 * equally fast: a node with other work, a virtual CPU whose host core is
 * busy, a slower socket. On the 2-core bench machine the two CPUs differ by
 * up to 1.4x, and which one is slower changes by the hour. So the pieces
 * are handed out as they are needed:
 *
 * - Rank k's queue is its share (pieces with rank k) in (part, file) order:
 *   the first part of every stream, then the second, and so on.
 * - A rank takes from the front of its own queue while it has any left,
 *   then from the back of the queue with the most pieces left (nearest rank
 *   on a tie). The back of rank k's queue is the last part of its share of
 *   each stream, which borders rank k + 1's share, so what a neighbour takes
 *   over is near its own pairs.
 *
 * The fronts and backs (2 x nranks int64) live in an MPI window on rank 0;
 * a claim reads them all and moves one, under an exclusive lock. A rank
 * claims once per piece (tens of pieces a date), so the lock is never busy
 * for long; on one node Open MPI serves it from shared memory. On one rank
 * there is no window.
 *
 * Which rank read which piece is not known in advance any more: the caller
 * records it and shares it after the parse (the line numbers and /rejects
 * need it). The results do not depend on it.
 */
#include <stdlib.h>
#include <string.h>

#include "taq/plan.h"

/* Stable order of a rank's queue: part, then position in the plan. */
typedef struct queue_key {
    int part;
    size_t idx;
} queue_key_t;

static int cmp_queue(const void *a, const void *b)
{
    const queue_key_t *x = a, *y = b;
    if (x->part != y->part)
        return x->part < y->part ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

void taq_claims_open(const taq_piece_t *pieces, size_t n, MPI_Comm comm, taq_claims_t *q)
{
    memset(q, 0, sizeof *q);
    q->comm = comm;
    q->win = MPI_WIN_NULL;
    MPI_Comm_rank(comm, &q->rank);
    MPI_Comm_size(comm, &q->nranks);
    const int p = q->nranks;
    q->at = TAQ_CALLOC((size_t)p + 1, sizeof *q->at);
    q->order = TAQ_MALLOC((n ? n : 1) * sizeof *q->order);
    for (size_t i = 0; i < n; i++) {
        if (pieces[i].rank < 0 || pieces[i].rank >= p)
            TAQ_ABORT("piece %zu belongs to rank %d of %d", i, pieces[i].rank, p);
        q->at[pieces[i].rank + 1]++;
    }
    for (int r = 0; r < p; r++)
        q->at[r + 1] += q->at[r];
    queue_key_t *keys = TAQ_MALLOC((n ? n : 1) * sizeof *keys);
    size_t *fill = TAQ_MALLOC((size_t)p * sizeof *fill);
    memcpy(fill, q->at, (size_t)p * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        keys[fill[pieces[i].rank]++] = (queue_key_t){pieces[i].part, i};
    for (int r = 0; r < p; r++)
        qsort(keys + q->at[r], q->at[r + 1] - q->at[r], sizeof *keys, cmp_queue);
    for (size_t i = 0; i < n; i++)
        q->order[i] = keys[i].idx;
    free(keys);
    free(fill);
    q->taken = TAQ_CALLOC(2 * (size_t)p, sizeof *q->taken);
    if (p == 1)
        return;
    /* Rank 0 holds the counters; the others expose nothing. */
    int64_t *base = NULL;
    const MPI_Aint bytes = q->rank == 0 ? (MPI_Aint)(2 * (size_t)p * sizeof(int64_t)) : 0;
    TAQ_MPI_CHECK(MPI_Win_allocate(bytes, sizeof(int64_t), MPI_INFO_NULL, comm, &base, &q->win));
    if (q->rank == 0) {
        TAQ_MPI_CHECK(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, q->win));
        TAQ_MPI_CHECK(MPI_Put(q->taken, 2 * p, MPI_INT64_T, 0, 0, 2 * p, MPI_INT64_T, q->win));
        TAQ_MPI_CHECK(MPI_Win_unlock(0, q->win));
    }
    TAQ_MPI_CHECK(MPI_Barrier(comm)); /* nobody claims before the counters are set */
}

/* Pieces left in rank r's queue; taken[r] from the front, taken[p + r] from the back. */
static int64_t left(const taq_claims_t *q, int r)
{
    return (int64_t)(q->at[r + 1] - q->at[r]) - q->taken[r] - q->taken[q->nranks + r];
}

/* The queue to take from: this rank's own, else the one with most left (nearest on a tie). */
static int pick(const taq_claims_t *q)
{
    if (left(q, q->rank) > 0)
        return q->rank;
    int best = -1;
    for (int d = 1; d < q->nranks; d++) {
        const int cand[2] = {q->rank + d, q->rank - d};
        for (int c = 0; c < 2; c++) {
            const int r = cand[c];
            if (r >= 0 && r < q->nranks && left(q, r) > 0 &&
                (best < 0 || left(q, r) > left(q, best)))
                best = r;
        }
    }
    return best;
}

int taq_claims_next(taq_claims_t *q, size_t *idx, int *from)
{
    const int p = q->nranks;
    if (q->win != MPI_WIN_NULL) {
        TAQ_MPI_CHECK(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, q->win));
        TAQ_MPI_CHECK(MPI_Get(q->taken, 2 * p, MPI_INT64_T, 0, 0, 2 * p, MPI_INT64_T, q->win));
        TAQ_MPI_CHECK(MPI_Win_flush(0, q->win));
    }
    const int r = pick(q);
    int got = 0;
    if (r >= 0) {
        /* Own queue from the front, another's from the back. */
        const int slot = r == q->rank ? r : p + r;
        *idx = r == q->rank ? q->order[q->at[r] + (size_t)q->taken[slot]]
                            : q->order[q->at[r + 1] - 1 - (size_t)q->taken[slot]];
        q->taken[slot]++;
        if (from)
            *from = r;
        got = 1;
        if (q->win != MPI_WIN_NULL)
            TAQ_MPI_CHECK(
                MPI_Put(&q->taken[slot], 1, MPI_INT64_T, 0, slot, 1, MPI_INT64_T, q->win));
    }
    if (q->win != MPI_WIN_NULL)
        TAQ_MPI_CHECK(MPI_Win_unlock(0, q->win));
    return got;
}

void taq_claims_close(taq_claims_t *q)
{
    if (q->win != MPI_WIN_NULL)
        TAQ_MPI_CHECK(MPI_Win_free(&q->win));
    free(q->at);
    free(q->order);
    free(q->taken);
    memset(q, 0, sizeof *q);
    q->win = MPI_WIN_NULL;
}
