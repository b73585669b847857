/* MPI tests of the plan: rank 0's inventory reaches every rank intact. */
#include <stdlib.h>
#include <string.h>

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

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_inventory_bcast),
        TAQ_CASE(test_inventory_bcast_error),
    };
    return taq_test_main(argc, argv, "plan_mpi", cases, (int)(sizeof cases / sizeof cases[0]), 1);
}
