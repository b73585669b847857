/*
 * claims.c - who reads which piece: each rank its own share first, then
 * what is left of its neighbours' shares.
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
 *   then from the back of another's. The back of rank k's queue is the last
 *   part of its share of each stream, which borders rank k + 1's share, so
 *   what a neighbour takes over is near its own pairs. The last rank has no
 *   neighbour above: it reads its share from the back, and others take
 *   over its front, which borders the share below (on 2 ranks, rank 0
 *   taking over the back of rank 1's share sent about 5 % of the records
 *   each way in the shuffle, twice what stays put otherwise).
 *
 * Each rank's window holds its own share's counters (taken from the front,
 * taken from the back: two int64); a claim reads and moves them under an
 * exclusive lock. A rank's own claims thus stay on the rank, whatever the
 * network; only a rank that has run out touches another's counters, and
 * it tries its neighbours first (rank + 1, rank - 1, rank + 2, ...),
 * remembering which shares it found empty. Shares next to each other hold
 * neighbouring symbols, and the route follows the rows each rank read
 * (taq_shuffle_route), so what a neighbour takes over mostly stays with it.
 * On one rank there is no window.
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
    q->empty = TAQ_CALLOC((size_t)p, sizeof *q->empty);
    if (p == 1)
        return;
    int64_t *base = NULL, zero[2] = {0, 0};
    TAQ_MPI_CHECK(MPI_Win_allocate((MPI_Aint)sizeof zero, sizeof(int64_t), MPI_INFO_NULL, comm,
                                   &base, &q->win));
    TAQ_MPI_CHECK(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, q->rank, 0, q->win));
    TAQ_MPI_CHECK(MPI_Put(zero, 2, MPI_INT64_T, q->rank, 0, 2, MPI_INT64_T, q->win));
    TAQ_MPI_CHECK(MPI_Win_unlock(q->rank, q->win));
    TAQ_MPI_CHECK(MPI_Barrier(comm)); /* nobody claims before the counters are set */
}

/*
 * Take one piece of share r: from the front when it is this rank's own,
 * else from the back, except that the last rank's share is the other way
 * round. Returns 0, and marks the share empty, when none is left.
 */
static int take(taq_claims_t *q, int r, size_t *idx)
{
    const size_t len = q->at[r + 1] - q->at[r];
    /* The last share is read from its back: its front borders the share below. */
    const int front = (r == q->rank) != (r == q->nranks - 1 && q->nranks > 1);
    int64_t taken[2] = {0, 0}; /* from the front, from the back */
    if (q->nranks == 1) {
        taken[0] = q->taken_alone;
    } else {
        TAQ_MPI_CHECK(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, r, 0, q->win));
        TAQ_MPI_CHECK(MPI_Get(taken, 2, MPI_INT64_T, r, 0, 2, MPI_INT64_T, q->win));
        TAQ_MPI_CHECK(MPI_Win_flush(r, q->win));
    }
    const int got = taken[0] + taken[1] < (int64_t)len;
    if (got) {
        const int slot = front ? 0 : 1;
        *idx = front ? q->order[q->at[r] + (size_t)taken[0]]
                     : q->order[q->at[r + 1] - 1 - (size_t)taken[1]];
        taken[slot]++;
        if (q->nranks == 1)
            q->taken_alone = taken[0];
        else
            TAQ_MPI_CHECK(MPI_Put(&taken[slot], 1, MPI_INT64_T, r, slot, 1, MPI_INT64_T, q->win));
    } else {
        q->empty[r] = 1; /* counters only grow: an empty share stays empty */
    }
    if (q->nranks > 1)
        TAQ_MPI_CHECK(MPI_Win_unlock(r, q->win));
    return got;
}

int taq_claims_next(taq_claims_t *q, size_t *idx, int *from)
{
    /* This rank's own share, then its neighbours': rank + 1, rank - 1, rank + 2, ... */
    for (int d = 0; d < q->nranks; d++) {
        const int cand[2] = {q->rank + d, q->rank - d};
        for (int c = 0; c < (d ? 2 : 1); c++) {
            const int r = cand[c];
            if (r < 0 || r >= q->nranks || q->empty[r] || !take(q, r, idx))
                continue;
            if (from)
                *from = r;
            return 1;
        }
    }
    return 0;
}

void taq_claims_close(taq_claims_t *q)
{
    if (q->win != MPI_WIN_NULL)
        TAQ_MPI_CHECK(MPI_Win_free(&q->win));
    free(q->at);
    free(q->order);
    free(q->empty);
    memset(q, 0, sizeof *q);
    q->win = MPI_WIN_NULL;
}
