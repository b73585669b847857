/*
 * exchange.c - move events to their owners with MPI_Alltoallv in rounds.
 *
 * Every event carries its destination (dest[i]); nothing is sorted. A rank's
 * own events never travel: they are compacted in place, and what the other
 * ranks send is appended behind them. Each other destination has a cursor
 * into the array, and each round packs the next (at most) `round` events of
 * every destination into a send buffer and exchanges them, so every
 * destination receives a rank's events in that rank's order. Keeping the own
 * share in place matters: on 2 ranks it is half the data, and the memory a
 * receiving array would need is the expensive part of the exchange (first
 * touch of fresh pages), not the MPI transfer. `round` is capped at
 * INT_MAX / nranks so
 * every count and displacement of the round (in units of one event) fits an
 * int, whatever the size of the day. Memory for a round is bounded by
 * nranks x round events on each side.
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

/*
 * Pack the next (at most) `round` events of every destination into b->send,
 * advancing cursor[d] (the next index that may hold an event for d) and
 * left[d] (events for d not sent yet). Fills counts and displacements.
 */
static void pack_round(const taq_event_t *ev, const int32_t *dest, size_t n, size_t *cursor,
                       size_t *left, size_t round, int nranks, round_buf_t *b)
{
    size_t at = 0;
    for (int d = 0; d < nranks; d++) {
        const size_t m = left[d] < round ? left[d] : round;
        size_t i = cursor[d], got = 0;
        while (got < m && i < n) {
            if (dest[i] == d) {
                /* copy the whole run of consecutive events for d at once */
                size_t j = i + 1;
                while (j < n && got + (j - i) < m && dest[j] == d)
                    j++;
                memcpy(b->send + at + got, ev + i, (j - i) * sizeof *ev);
                got += j - i;
                i = j;
            } else {
                i++;
            }
        }
        cursor[d] = i;
        left[d] -= m;
        b->sc[d] = (int)m;
        b->sd[d] = (int)at;
        at += m;
    }
}

/* One Alltoallv round; appends what arrives to recv. */
static void exchange_round(round_buf_t *b, int nranks, MPI_Datatype type, taq_vec_t *recv,
                           MPI_Comm comm)
{
    TAQ_MPI_CHECK(MPI_Alltoall(b->sc, 1, MPI_INT, b->rc, 1, MPI_INT, comm));
    size_t total = 0;
    for (int s = 0; s < nranks; s++) {
        b->rd[s] = (int)total;
        total += (size_t)b->rc[s];
    }
    taq_vec_reserve(recv, recv->len + total + 1);
    taq_event_t *dst = (taq_event_t *)recv->data + recv->len;
    TAQ_MPI_CHECK(MPI_Alltoallv(b->send, b->sc, b->sd, type, dst, b->rc, b->rd, type, comm));
    recv->len += total;
}

taq_rc taq_shuffle_exchange(taq_vec_t *events, const int32_t *dest, size_t round, MPI_Comm comm,
                            int64_t *rounds)
{
    int p, me;
    MPI_Comm_size(comm, &p);
    MPI_Comm_rank(comm, &me);
    round = round ? round : taq_shuffle_default_round(p);
    if (round > (size_t)INT_MAX / (size_t)p)
        round = (size_t)INT_MAX / (size_t)p;
    taq_event_t *ev = events->data;
    const size_t n = events->len;
    size_t *cursor = TAQ_CALLOC((size_t)p, sizeof *cursor);
    size_t *left = TAQ_CALLOC((size_t)p, sizeof *left);
    for (size_t i = 0; i < n; i++) {
        if (dest[i] < 0 || dest[i] >= p)
            TAQ_ABORT("event %zu routed to rank %d of %d", i, (int)dest[i], p);
        left[dest[i]]++;
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
    /* What arrives in total, so the receiving array is allocated once. */
    int64_t *to = TAQ_MALLOC((size_t)p * sizeof *to), *from = TAQ_MALLOC((size_t)p * sizeof *from);
    for (int d = 0; d < p; d++)
        to[d] = (int64_t)left[d];
    TAQ_MPI_CHECK(MPI_Alltoall(to, 1, MPI_INT64_T, from, 1, MPI_INT64_T, comm));
    size_t incoming = 0;
    for (int d = 0; d < p; d++)
        incoming += (size_t)from[d];
    free(to);
    free(from);
    taq_vec_t recv;
    taq_vec_init(&recv, sizeof(taq_event_t));
    taq_vec_reserve(&recv, incoming + 1);
    for (uint64_t k = 0; k < nrounds; k++) {
        pack_round(ev, dest, n, cursor, left, round, p, &b);
        exchange_round(&b, p, type, &recv, comm);
    }
    /* Own events to the front (order kept), then what arrived. */
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (dest[i] == me) {
            if (w != i)
                ev[w] = ev[i];
            w++;
        }
    events->len = w;
    taq_vec_reserve(events, w + recv.len + 1);
    if (recv.len)
        memcpy((taq_event_t *)events->data + w, recv.data, recv.len * sizeof(taq_event_t));
    events->len += recv.len;
    taq_vec_free(&recv);
    MPI_Type_free(&type);
    free(b.sc);
    free(b.sd);
    free(b.rc);
    free(b.rd);
    free(b.send);
    free(cursor);
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
