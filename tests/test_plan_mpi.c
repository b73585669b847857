/*
 * MPI tests of the plan: rank 0's inventory reaches every rank intact, and
 * claimed pieces go to exactly one rank each, a slow rank's to the others.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "taq/plan.h"

static void test_inventory_bcast(void)
{
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    taq_inventory_t inv;
    memset(&inv, 0, sizeof inv);
    taq_rc rc = TAQ_OK;
    if (rank == 0)
        rc = taq_plan_scan(TAQ_SOURCE_DIR "/data", &inv);
    rc = taq_inventory_bcast(rc, &inv, MPI_COMM_WORLD);
    CU_ASSERT_EQUAL_FATAL(rc, TAQ_OK);
    CU_ASSERT_EQUAL_FATAL(inv.n_dates, 2);
    CU_ASSERT_EQUAL(inv.n_ignored, 4); /* the four _SUCCESS markers */
    for (size_t i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL_FATAL(inv.dates[i].n_files, 2);
        CU_ASSERT_EQUAL(inv.dates[i].files[0].format, TAQ_FORMAT_CSV);
        CU_ASSERT_EQUAL(inv.dates[i].files[1].format, TAQ_FORMAT_JSON);
        CU_ASSERT_PTR_NOT_NULL(strstr(inv.dates[i].files[1].path, inv.dates[i].files[1].relpath));
        CU_ASSERT(inv.dates[i].files[0].size > 0);
        /* Sampled line lengths travel too: 114-byte CSV lines, ~250-byte JSON lines. */
        CU_ASSERT_EQUAL(inv.dates[i].files[0].line_bytes, 114);
        CU_ASSERT(inv.dates[i].files[1].line_bytes > 200 && inv.dates[i].files[1].line_bytes < 300);
    }
    CU_ASSERT_EQUAL(inv.dates[1].date - inv.dates[0].date, 1);
    CU_ASSERT_STRING_EQUAL(inv.dates[1].files[0].relpath,
                           "csv/2020-08-06/NYSE/part-00000-214fff0a-f408-466c-bb15-095cd8b648dc-c000.txt");
    taq_inventory_free(&inv);
}

static void test_inventory_bcast_error(void)
{
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    taq_inventory_t inv;
    memset(&inv, 0, sizeof inv);
    taq_rc rc = TAQ_OK;
    if (rank == 0)
        rc = taq_plan_scan("/nonexistent/input", &inv);
    rc = taq_inventory_bcast(rc, &inv, MPI_COMM_WORLD);
    CU_ASSERT_EQUAL(rc, TAQ_ERR_IO);
    CU_ASSERT_EQUAL(inv.n_dates, 0);
    taq_inventory_free(&inv);
}

/*
 * A plan of `parts` pieces per share, given out while rank `slow` sleeps
 * `ms` after every piece it claims. Every piece must be claimed exactly
 * once; each rank's own pieces come in queue order, (part, plan position),
 * and pieces taken from another share come from its back (the last
 * rank's share: the other way round). *who gets the
 * claiming rank of every piece (the same on every rank). Returns how many
 * pieces this rank claimed.
 */
static int claim_all(int parts, int slow, long ms, int **who)
{
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    /* Two "streams", each cut into size x parts spans, as taq_plan_pieces does. */
    const size_t n = 2 * (size_t)size * (size_t)parts;
    taq_piece_t *p = calloc(n, sizeof *p);
    for (size_t i = 0; i < n; i++) {
        const size_t j = i % ((size_t)size * (size_t)parts);
        p[i] = (taq_piece_t){.file_idx = (uint32_t)(i / ((size_t)size * (size_t)parts)),
                             .rank = (int)(j / (size_t)parts),
                             .part = (int)(j % (size_t)parts),
                             .start = j,
                             .end = j + 1};
    }
    int *mine = malloc(n * sizeof *mine), got = 0;
    for (size_t i = 0; i < n; i++)
        mine[i] = -1;
    taq_claims_t q;
    taq_claims_open(p, n, MPI_COMM_WORLD, &q);
    /* Queue order is (part, plan position); the last rank's share runs the other way. */
    size_t idx, *last = malloc((size_t)size * sizeof *last);
    int from, own = 1, in_order = 1, *seen = calloc((size_t)size, sizeof *seen);
    while (taq_claims_next(&q, &idx, &from)) {
        CU_ASSERT_FATAL(idx < n);
        CU_ASSERT_EQUAL(p[idx].rank, from);
        mine[idx] = rank;
        /* Own pieces first (then nothing of its own again), in queue order; another
         * share's from its far end: the key goes up exactly when it is read forwards. */
        const int reversed = from == size - 1 && size > 1, forwards = (from == rank) != reversed;
        const size_t key = (size_t)p[idx].part * n + idx;
        if (from == rank)
            in_order &= own;
        else
            own = 0;
        if (seen[from])
            in_order &= forwards ? key > last[from] : key < last[from];
        seen[from] = 1;
        last[from] = key;
        got++;
        if (rank == slow) {
            struct timespec t = {0, ms * 1000000L};
            nanosleep(&t, NULL);
        }
    }
    taq_claims_close(&q);
    free(last);
    free(seen);
    CU_ASSERT_TRUE(in_order);
    /* Every piece claimed by exactly one rank. */
    int *sum = calloc(n, sizeof *sum), *claimed = malloc(n * sizeof *claimed);
    for (size_t i = 0; i < n; i++)
        claimed[i] = mine[i] >= 0;
    MPI_Allreduce(claimed, sum, (int)n, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL(sum[i], 1);
    MPI_Allreduce(MPI_IN_PLACE, mine, (int)n, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    *who = mine;
    free(sum);
    free(claimed);
    free(p);
    return got;
}

/*
 * Nobody sleeps. A rank that starts late may find its share taken (ranks
 * outnumber cores here), so only the totals are fixed.
 */
static void test_claims_each_piece_once(void)
{
    int *who, size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const int got = claim_all(3, -1, 0, &who);
    int total = 0;
    MPI_Allreduce(&got, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    CU_ASSERT_EQUAL(total, 2 * size * 3);
    free(who);
}

/*
 * Rank 0 sleeps 100 ms after each piece: the others empty their own queues
 * long before and take rank 0's from the back, so the last piece of its
 * share is read by another rank (on one rank, by rank 0 itself). Rank 0
 * usually reads its first piece, but a rank can start late when ranks
 * outnumber cores, so that is not asserted.
 */
static void test_claims_slow_rank_is_relieved(void)
{
    int *who, size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const int parts = 4;
    claim_all(parts, 0, 100, &who);
    const size_t last =
        (size_t)size * (size_t)parts + (size_t)parts - 1; /* stream 2, part 3 of share 0 */
    if (size == 1) {
        CU_ASSERT_EQUAL(who[last], 0);
    } else {
        CU_ASSERT_NOT_EQUAL(who[last], 0);
    }
    free(who);
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_inventory_bcast),
        TAQ_CASE(test_inventory_bcast_error),
        TAQ_CASE(test_claims_each_piece_once),
        TAQ_CASE(test_claims_slow_rank_is_relieved),
    };
    return taq_test_main(argc, argv, "plan_mpi", cases, (int)(sizeof cases / sizeof cases[0]), 1);
}
