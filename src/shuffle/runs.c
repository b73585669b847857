/*
 * runs.c - put items read in interleaved runs back into one global order.
 *
 * The plan hands each rank a slice of every folder, so the ranks' rejects
 * interleave in (file, line) order: run i (a piece) holds count[i] items and
 * was read by rank[i]. Everything about the runs is known on every rank, so
 * both sides of the exchange are computed, not negotiated: global item g
 * (runs concatenated in run order) goes to the rank whose target range holds
 * g, where rank r's target is the next own[r] items (own[r]: what it holds
 * now, so no rank's share grows). A rank's items are in increasing g, so its
 * destinations never decrease and it sends straight from its array; a
 * receiver walks every source's runs again to scatter what arrived into
 * place. When nothing would move (one rank, or runs already in rank order)
 * there is no communication at all.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "taq/shuffle.h"

/* The rank whose target range [start[r], start[r + 1]) holds global item g. */
static int target_of(const int64_t *start, int nranks, int64_t g)
{
    int lo = 0, hi = nranks - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (start[mid] <= g)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

taq_rc taq_shuffle_runs(taq_vec_t *items, const int *rank, const int64_t *count, size_t n_runs,
                        MPI_Comm comm)
{
    int p, me;
    MPI_Comm_size(comm, &p);
    MPI_Comm_rank(comm, &me);
    /* start[r]: first global item of rank r's target range; start[p]: all items. */
    int64_t *start = TAQ_CALLOC((size_t)p + 1, sizeof *start);
    for (size_t i = 0; i < n_runs; i++)
        start[rank[i] + 1] += count[i];
    for (int r = 0; r < p; r++)
        start[r + 1] += start[r];
    /* at[i]: global index of run i's first item; at[n_runs]: all items. */
    int64_t *at = TAQ_MALLOC((n_runs + 1) * sizeof *at), held = 0;
    at[0] = 0;
    for (size_t i = 0; i < n_runs; i++) {
        at[i + 1] = at[i] + count[i];
        held += rank[i] == me ? count[i] : 0;
    }
    if (held != (int64_t)items->len)
        TAQ_ABORT("rank %d holds %zu items, its runs say %lld", me, items->len, (long long)held);
    int moves = 0, too_big = 0;
    for (size_t i = 0; i < n_runs; i++)
        if (count[i] > 0 && (target_of(start, p, at[i]) != rank[i] ||
                             target_of(start, p, at[i + 1] - 1) != rank[i]))
            moves = 1;
    for (int r = 0; r < p; r++)
        too_big |= start[r + 1] - start[r] > INT_MAX;
    taq_rc rc = TAQ_OK;
    if (too_big) {
        taq_err_set("more than %d items (rejects) to hold on one rank", INT_MAX);
        rc = TAQ_ERR_RANGE;
    }
    if (!moves || rc != TAQ_OK) {
        free(at);
        free(start);
        return rc; /* the same decision on every rank: no collective is skipped by one alone */
    }
    int *sc = TAQ_CALLOC((size_t)p, sizeof *sc), *rcnt = TAQ_CALLOC((size_t)p, sizeof *rcnt);
    int *sd = TAQ_CALLOC((size_t)p, sizeof *sd), *rd = TAQ_CALLOC((size_t)p, sizeof *rd);
    const int64_t lo = start[me], hi = start[me + 1];
    for (size_t i = 0; i < n_runs; i++) {
        const int64_t a = at[i], b = at[i + 1];
        if (rank[i] == me) /* what of my run goes where */
            for (int64_t x = a; x < b;) {
                const int t = target_of(start, p, x);
                const int64_t y = start[t + 1] < b ? start[t + 1] : b;
                sc[t] += (int)(y - x);
                x = y;
            }
        if (a < hi && b > lo) /* what of this run comes to me */
            rcnt[rank[i]] += (int)((b < hi ? b : hi) - (a > lo ? a : lo));
    }
    for (int r = 1; r < p; r++) {
        sd[r] = sd[r - 1] + sc[r - 1];
        rd[r] = rd[r - 1] + rcnt[r - 1];
    }
    const size_t es = items->elem;
    MPI_Datatype type;
    TAQ_MPI_CHECK(MPI_Type_contiguous((int)es, MPI_BYTE, &type));
    TAQ_MPI_CHECK(MPI_Type_commit(&type));
    const size_t mine = (size_t)(hi - lo);
    char *got = TAQ_MALLOC(mine * es + 1);
    TAQ_MPI_CHECK(MPI_Alltoallv(items->data, sc, sd, type, got, rcnt, rd, type, comm));
    MPI_Type_free(&type);
    /* Scatter: each source's items arrived in its run order; place them by g. */
    taq_vec_t out;
    taq_vec_init(&out, es);
    taq_vec_reserve(&out, mine + 1);
    for (size_t i = 0; i < n_runs; i++) {
        const int64_t a = at[i], b = at[i + 1];
        if (!(a < hi && b > lo))
            continue;
        const int64_t x = a > lo ? a : lo, y = b < hi ? b : hi;
        memcpy((char *)out.data + (size_t)(x - lo) * es, got + (size_t)rd[rank[i]] * es,
               (size_t)(y - x) * es);
        rd[rank[i]] += (int)(y - x);
    }
    out.len = mine;
    free(got);
    taq_vec_free(items);
    *items = out;
    free(sc);
    free(rcnt);
    free(sd);
    free(rd);
    free(at);
    free(start);
    return TAQ_OK;
}
