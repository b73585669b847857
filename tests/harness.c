/*
 * harness.c - CUnit runner shared by every suite (see harness.h).
 */
#define _GNU_SOURCE
#include "harness.h"

#include <CUnit/Basic.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int taq_test_main(int argc, char **argv, const char *suite, const taq_case_t *cases, int ncases,
                  int mpi)
{
    int provided;
    if (mpi)
        MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    const char *only = argc > 1 ? argv[1] : NULL;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);
    int added = 0;
    for (int i = 0; i < ncases; i++) {
        if (only && strcmp(only, cases[i].name) != 0)
            continue;
        CU_add_test(s, cases[i].name, cases[i].fn);
        added++;
    }
    if (added == 0) {
        fprintf(stderr, "%s: no case named '%s'\n", suite, only ? only : "");
        CU_cleanup_registry();
        if (mpi)
            MPI_Finalize();
        return 2;
    }
    int rank = 0;
    if (mpi)
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    CU_basic_set_mode(rank == 0 ? CU_BRM_VERBOSE : CU_BRM_SILENT);
    CU_basic_run_tests();
    /* CU_basic_run_tests returns 0 even when assertions fail. */
    int failed = (int)CU_get_number_of_failures() + (int)CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    if (mpi) {
        int any = 0;
        MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        failed = any;
        MPI_Finalize();
    }
    return failed ? 1 : 0;
}

char *taq_test_tmpdir(const char *tag)
{
    static int serial;
    char *path = NULL;
    int rank = 0, init = 0;
    MPI_Initialized(&init);
    if (init)
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (asprintf(&path, "%s/%s.%ld.%d.%d", TAQ_TEST_SCRATCH_DIR, tag, (long)getpid(), rank,
                 serial++) < 0)
        abort();
    taq_test_rmtree(path);
    mkdir(TAQ_TEST_SCRATCH_DIR, 0777);
    if (mkdir(path, 0777) != 0) {
        perror(path);
        abort();
    }
    return path;
}

void taq_test_write_file(const char *dir, const char *relpath, const void *data, size_t len)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, relpath) < 0)
        abort();
    for (char *p = path + strlen(dir) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0777);
            *p = '/';
        }
    }
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
    CU_ASSERT_EQUAL(fclose(f), 0);
    free(path);
}

void taq_test_rmtree(const char *dir)
{
    char *cmd = NULL;
    if (asprintf(&cmd, "rm -rf '%s'", dir) < 0)
        abort();
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
    free(cmd);
}
