/*
 * exchange.c - move events to their owners with MPI_Alltoallv in rounds.
 *
 * Events come in runs of one pair (taq_pair_index_t), each run with its
 * destination; nothing is sorted, and no per-event array is made. A rank's
 * own events never travel. Once the last round is packed, the holes that
 * the events sent away leave are filled from the back of the array (with
 * the events that earlier rounds received behind it first, then the last
 * own runs), and the last round's events arrive behind the result. So an
 * exchange copies about as many events as it sends and receives, where
 * keeping the order would move every own event behind the first hole (on 2
 * ranks of the 10 M-event bench day, 2 % of a rank's events travel and the
 * rest would all move). Memory matters more than copies here: the first
 * touch of fresh pages is the expensive part of the exchange, not the MPI
 * transfer, so the events arrive in the event array itself, in one round
 * (the usual case) into the slots of the events that left.
 *
 * Each destination has a cursor (run, offset) into the runs, and each
 * round packs the next (at most) `round` events of every destination into
 * a send buffer and exchanges them. `round` is capped at INT_MAX / nranks
 * so every count and displacement of the round (in units of one event)
 * fits an int, whatever the size of the day.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "taq/shuffle.h"

size_t taq_shuffle_default_round(int nranks)
{
    size_t r = ((size_t)64 << 20) / sizeof(taq_event_t) / (size_t)nranks;
    return r ? r : 1;
}

typedef struct round_buf {
    int *sc, *sd, *rc, *rd;
    taq_event_t *send;
} round_buf_t;

/* Where a destination's next events are: run `run`, `off` events into it. */
typedef struct cursor {
    size_t run, off;
} cursor_t;

/*
 * Pack the next (at most) `round` events of every destination into b->send,
 * advancing cur[d] and left[d] (events for d not sent yet). Fills counts
 * and displacements.
 */
static void pack_round(const taq_event_t *ev, const taq_pair_run_t *runs, const int32_t *dest,
                       size_t n_runs, cursor_t *cur, size_t *left, size_t round, int nranks,
                       round_buf_t *b)
{
    size_t at = 0;
    for (int d = 0; d < nranks; d++) {
        const size_t m = left[d] < round ? left[d] : round;
        size_t got = 0;
        cursor_t c = cur[d];
        while (got < m && c.run < n_runs) {
            if (dest[c.run] != d) {
                c.run++;
                continue;
            }
            const size_t rest = runs[c.run + 1].start - runs[c.run].start - c.off;
            const size_t k = rest < m - got ? rest : m - got;
            memcpy(b->send + at + got, ev + runs[c.run].start + c.off, k * sizeof *ev);
            got += k;
            if (k == rest) {
                c.run++;
                c.off = 0;
            } else {
                c.off += k;
            }
        }
        cur[d] = c;
        left[d] -= m;
        b->sc[d] = (int)m;
        b->sd[d] = (int)at;
        at += m;
    }
}

/* One Alltoallv round; what arrives goes to ev[*got...], *got advanced. */
static void exchange_round(round_buf_t *b, int nranks, MPI_Datatype type, taq_event_t *ev,
                           size_t *got, MPI_Comm comm)
{
    TAQ_MPI_CHECK(MPI_Alltoall(b->sc, 1, MPI_INT, b->rc, 1, MPI_INT, comm));
    size_t total = 0;
    for (int s = 0; s < nranks; s++) {
        b->rd[s] = (int)total;
        total += (size_t)b->rc[s];
    }
    TAQ_MPI_CHECK(MPI_Alltoallv(b->send, b->sc, b->sd, type, ev + *got, b->rc, b->rd, type, comm));
    *got += total;
}

/*
 * Close the holes that the runs sent away left in ev[0, n), front to back,
 * with events from the back of ev[0, end) (end >= n: ev[n, end) arrived in
 * earlier rounds). Returns the number of events left.
 */
static size_t fill_holes(taq_event_t *ev, size_t n, size_t end, const taq_pair_run_t *runs,
                         const int32_t *dest, size_t n_runs, int me)
{
    size_t q = n_runs; /* the runs from q on start at or after end */
    for (size_t r = 0; r < n_runs; r++) {
        if (dest[r] == me)
            continue;
        size_t pos = runs[r].start;
        const size_t stop = runs[r + 1].start;
        if (pos >= end)
            break; /* this hole and all after it are cut off already */
        while (pos < stop) {
            if (end <= stop) { /* nothing kept behind the hole */
                end = pos;
                break;
            }
            size_t from = n; /* the kept block at the back: [from, end) */
            if (end <= n) {
                while (runs[q - 1].start >= end)
                    q--;
                from = runs[q - 1].start; /* run q - 1 holds event end - 1 */
                if (dest[q - 1] != me) {
                    end = from; /* a run sent away: drop it */
                    continue;
                }
            }
            const size_t k = stop - pos < end - from ? stop - pos : end - from;
            memcpy(ev + pos, ev + end - k, k * sizeof *ev); /* pos + k <= stop <= from <= end - k */
            pos += k;
            end -= k;
        }
    }
    return end;
}

taq_rc taq_shuffle_exchange(taq_vec_t *events, const taq_pair_run_t *runs, const int32_t *dest,
                            size_t n_runs, size_t round, MPI_Comm comm, int64_t *rounds)
{
    int p, me;
    MPI_Comm_size(comm, &p);
    MPI_Comm_rank(comm, &me);
    round = round ? round : taq_shuffle_default_round(p);
    if (round > (size_t)INT_MAX / (size_t)p)
        round = (size_t)INT_MAX / (size_t)p;
    const size_t n = events->len;
    if (runs[n_runs].start != n)
        TAQ_ABORT("runs cover %zu of %zu events", (size_t)runs[n_runs].start, n);
    cursor_t *cur = TAQ_CALLOC((size_t)p, sizeof *cur);
    size_t *left = TAQ_CALLOC((size_t)p, sizeof *left);
    for (size_t k = 0; k < n_runs; k++) {
        if (dest[k] < 0 || dest[k] >= p)
            TAQ_ABORT("run %zu routed to rank %d of %d", k, (int)dest[k], p);
        left[dest[k]] += runs[k + 1].start - runs[k].start;
    }
    left[me] = 0; /* own events stay where they are */
    uint64_t mine = 0, nrounds = 0;
    for (int d = 0; d < p; d++)
        mine = (left[d] + round - 1) / round > mine ? (left[d] + round - 1) / round : mine;
    TAQ_MPI_CHECK(MPI_Allreduce(&mine, &nrounds, 1, MPI_UINT64_T, MPI_MAX, comm));
    MPI_Datatype type;
    TAQ_MPI_CHECK(MPI_Type_contiguous((int)sizeof(taq_event_t), MPI_BYTE, &type));
    TAQ_MPI_CHECK(MPI_Type_commit(&type));
    size_t most = 0; /* the largest round this rank sends */
    for (int d = 0; d < p; d++)
        most += left[d] < round ? left[d] : round;
    round_buf_t b = {TAQ_MALLOC((size_t)p * sizeof(int)), TAQ_MALLOC((size_t)p * sizeof(int)),
                     TAQ_MALLOC((size_t)p * sizeof(int)), TAQ_MALLOC((size_t)p * sizeof(int)),
                     TAQ_MALLOC((most + 1) * sizeof(taq_event_t))};
    /* What arrives in total, so that the array grows (at most) once. */
    int64_t *to = TAQ_MALLOC((size_t)p * sizeof *to), *from = TAQ_MALLOC((size_t)p * sizeof *from);
    for (int d = 0; d < p; d++)
        to[d] = (int64_t)left[d];
    TAQ_MPI_CHECK(MPI_Alltoall(to, 1, MPI_INT64_T, from, 1, MPI_INT64_T, comm));
    size_t incoming = 0;
    for (int d = 0; d < p; d++)
        incoming += (size_t)from[d];
    free(to);
    free(from);
    taq_vec_reserve(events, n + incoming + 1);
    taq_event_t *ev = events->data;
    size_t end = n;
    for (uint64_t k = 0; k < nrounds; k++) {
        pack_round(ev, runs, dest, n_runs, cur, left, round, p, &b);
        /* All that leaves is packed: close its holes before the last arrivals land. */
        if (k + 1 == nrounds)
            end = fill_holes(ev, n, end, runs, dest, n_runs, me);
        exchange_round(&b, p, type, ev, &end, comm);
    }
    events->len = end;
    MPI_Type_free(&type);
    free(b.sc);
    free(b.sd);
    free(b.rc);
    free(b.rd);
    free(b.send);
    free(cur);
    free(left);
    if (rounds)
        *rounds = (int64_t)nrounds;
    return TAQ_OK;
}

taq_rc taq_shuffle_allgather_closes(const taq_closes_t *mine, MPI_Comm comm, taq_closes_t *all)
{
    int size;
    MPI_Comm_size(comm, &size);
    /* Sizes are agreed through the Allgather, so every rank takes the same path. */
    int bytes = mine->n > INT_MAX / sizeof(taq_close_t) ? INT_MAX : (int)(mine->n * sizeof(taq_close_t));
    int *counts = TAQ_MALLOC((size_t)size * sizeof(int)), *displs = TAQ_MALLOC((size_t)size * sizeof(int));
    TAQ_MPI_CHECK(MPI_Allgather(&bytes, 1, MPI_INT, counts, 1, MPI_INT, comm));
    int64_t total = 0;
    for (int i = 0; i < size; i++) {
        displs[i] = (int)total;
        total += counts[i];
    }
    taq_rc rc = TAQ_OK;
    if (total >= INT_MAX) {
        taq_err_set("closing prices of all ranks exceed 2 GiB");
        rc = TAQ_ERR_RANGE;
    } else {
        all->n = (size_t)total / sizeof(taq_close_t);
        all->items = TAQ_MALLOC((size_t)total + 1);
        /* Ranks own ascending pair ranges: rank order is sorted order. */
        TAQ_MPI_CHECK(MPI_Allgatherv(mine->items, bytes, MPI_BYTE, all->items, counts, displs,
                                     MPI_BYTE, comm));
    }
    free(counts);
    free(displs);
    return rc;
}
