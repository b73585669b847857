/*
 * shuffle.h - route every record to the rank that owns its (symbol, exchange).
 *
 * Ownership is by contiguous ranges of (symbol, exchange) pairs in sort
 * order, so concatenating the ranks' outputs in rank order is the global
 * sort order, whatever the number of ranks. Rank 0 cuts the ranges from the
 * per-pair row counts of all ranks, balanced by rows.
 */
#ifndef TAQ_SHUFFLE_H
#define TAQ_SHUFFLE_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "taq/analytics.h"
#include "taq/pairs.h"
#include "taq/record.h"
#include "taq/util.h"


/* Which rank owns which pairs: rank k owns [first[k], first[k+1]) (first[nranks] = +inf). */
typedef struct taq_routing {
    taq_pair_t *first; /* nranks + 1 entries; owned */
    int nranks;
    int64_t max_rows;  /* rows of the busiest rank (for the log) */
    int64_t total_rows;
} taq_routing_t;

/*
 * COLLECTIVE: from each rank's pair index (rows per pair), gather the counts
 * on rank 0, cut the sorted pair list into nranks contiguous ranges and
 * broadcast. A pair is never split (its analytics need all its rows), so
 * one pair with more rows than a fair share gets a rank of its own while
 * the other pairs spread over the rest. The ranges are sized
 * - by_holdings == 0: to minimise the largest range's rows;
 * - by_holdings != 0: in proportion to the rows each rank holds now, which
 *   is how fast it parsed when the ranks claimed their pieces (taq_claims):
 *   a faster rank gets more pairs, and keeps the records it read.
 * OUT *r: release with taq_routing_free.
 */
taq_rc taq_shuffle_route(const taq_pair_index_t *pi, MPI_Comm comm, int by_holdings,
                         taq_routing_t *r);
void taq_routing_free(taq_routing_t *r);

/* The rank owning (symbol, exchange). */
int taq_routing_owner(const taq_routing_t *r, const char *symbol, const char *exchange);
int taq_routing_owner_of(const taq_routing_t *r, const taq_pair_t *p);

/* OUT dest[k] (pi->n_runs entries): the rank owning the pair of run k of pi. */
void taq_routing_dests(const taq_routing_t *r, const taq_pair_index_t *pi, int32_t *dest);

/* Default events per destination per round: about 64 MiB sent per rank per round. */
size_t taq_shuffle_default_round(int nranks);

/*
 * COLLECTIVE: send every event of run k of *events (runs[0..n_runs], as in
 * taq_pair_index_t: runs[n_runs].start == events->len) to rank dest[k], and
 * replace *events by the events this rank kept and received. The order of
 * the events is not kept: the EOD load sorts them. Data moves in rounds of
 * at most `round` events per destination (capped so that no MPI count or
 * displacement exceeds INT_MAX), so the day size never overflows an int.
 * OUT *rounds (may be NULL): how many rounds ran.
 */
taq_rc taq_shuffle_exchange(taq_vec_t *events, const taq_pair_run_t *runs, const int32_t *dest,
                            size_t n_runs, size_t round, MPI_Comm comm, int64_t *rounds);

/*
 * COLLECTIVE: items read in runs back in global order. Run i (of n_runs, in
 * global order, the same list on every rank) holds count[i] items read by
 * rank[i]; *items holds this rank's runs' items in run order. After the
 * call rank r holds the next items of the runs concatenated in order, as
 * many as it held before: concatenating the ranks is the global order.
 * Nothing moves, and no message is sent, when that is already so.
 * IN/OUT *items. Used for /rejects, which SPEC orders by (file, line).
 */
taq_rc taq_shuffle_runs(taq_vec_t *items, const int *rank, const int64_t *count, size_t n_runs,
                        MPI_Comm comm);

/*
 * COLLECTIVE: every rank's closes (disjoint pair ranges, in rank order)
 * joined into one sorted table on every rank. OUT *all: owned by the caller.
 */
taq_rc taq_shuffle_allgather_closes(const taq_closes_t *mine, MPI_Comm comm, taq_closes_t *all);

#endif /* TAQ_SHUFFLE_H */
