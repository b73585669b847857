/*
 * exchange.c - move events to their owners with MPI_Alltoallv in rounds.
 *
 * Events sorted by pair are already grouped by destination (owners hold
 * contiguous pair ranges), so each destination's events are one segment of
 * the array. Each round packs at most `round` events of every segment into a
 * send buffer and exchanges them; `round` is capped at INT_MAX / nranks so
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

/* Segment [start[d], start[d] + len[d]) of ev holds the events for rank d. */
static void segments(const taq_event_t *ev, size_t n, const taq_routing_t *r, size_t *start,
                     size_t *len)
{
    memset(len, 0, (size_t)r->nranks * sizeof *len);
    for (int d = 0; d < r->nranks; d++)
        start[d] = n;
    for (size_t i = 0; i < n;) {
        int d = taq_routing_owner(r, ev[i].symbol, ev[i].exchange);
        size_t j = i + 1;
        while (j < n && memcmp(ev[j].symbol, ev[i].symbol, TAQ_SYMBOL_LEN) == 0 &&
               memcmp(ev[j].exchange, ev[i].exchange, TAQ_EXCHANGE_LEN) == 0)
            j++;
        if (len[d] == 0)
            start[d] = i;
        len[d] += j - i;
        i = j;
    }
}

typedef struct round_buf {
    int *sc, *sd, *rc, *rd;
    taq_event_t *send;
} round_buf_t;

/* Pack round k's share of every segment into b->send; fills counts and displacements. */
static void pack_round(const taq_event_t *ev, const size_t *start, const size_t *len, size_t k,
                       size_t round, int nranks, round_buf_t *b)
{
    size_t at = 0;
    for (int d = 0; d < nranks; d++) {
        size_t off = k * round;
        size_t m = len[d] > off ? len[d] - off : 0;
        m = m < round ? m : round;
        if (m)
            memcpy(b->send + at, ev + start[d] + off, m * sizeof *ev);
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

taq_rc taq_shuffle_exchange(taq_vec_t *events, const taq_routing_t *r, size_t round,
                            MPI_Comm comm, int64_t *rounds)
{
    const int p = r->nranks;
    round = round ? round : taq_shuffle_default_round(p);
    if (round > (size_t)INT_MAX / (size_t)p)
        round = (size_t)INT_MAX / (size_t)p;
    size_t *start = TAQ_MALLOC((size_t)p * sizeof *start), *len = TAQ_MALLOC((size_t)p * sizeof *len);
    const taq_event_t *ev = events->data;
    segments(ev, events->len, r, start, len);
    uint64_t mine = 0, nrounds = 0;
    for (int d = 0; d < p; d++)
        mine = (len[d] + round - 1) / round > mine ? (len[d] + round - 1) / round : mine;
    TAQ_MPI_CHECK(MPI_Allreduce(&mine, &nrounds, 1, MPI_UINT64_T, MPI_MAX, comm));
    MPI_Datatype type;
    TAQ_MPI_CHECK(MPI_Type_contiguous((int)sizeof(taq_event_t), MPI_BYTE, &type));
    TAQ_MPI_CHECK(MPI_Type_commit(&type));
    round_buf_t b = {TAQ_MALLOC((size_t)p * sizeof(int)), TAQ_MALLOC((size_t)p * sizeof(int)),
                     TAQ_MALLOC((size_t)p * sizeof(int)), TAQ_MALLOC((size_t)p * sizeof(int)),
                     TAQ_MALLOC((size_t)p * round * sizeof(taq_event_t))};
    taq_vec_t recv;
    taq_vec_init(&recv, sizeof(taq_event_t));
    for (uint64_t k = 0; k < nrounds; k++) {
        pack_round(ev, start, len, (size_t)k, round, p, &b);
        exchange_round(&b, p, type, &recv, comm);
    }
    MPI_Type_free(&type);
    free(b.sc);
    free(b.sd);
    free(b.rc);
    free(b.rd);
    free(b.send);
    free(start);
    free(len);
    taq_vec_free(events);
    *events = recv;
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
