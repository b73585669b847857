/*
 * harness.h - one CUnit executable per module, every case its own ctest.
 *
 * A suite file lists its cases in a table with TAQ_CASE(fn); CMake reads the
 * TAQ_CASE names from the source to register one ctest per case, run as
 * `<exe> <case>`. With no argument the executable runs every case.
 * MPI suites call MPI_Init/Finalize in taq_test_main (mpi != 0).
 */
#ifndef TAQ_TEST_HARNESS_H
#define TAQ_TEST_HARNESS_H

#include <CUnit/CUnit.h>

typedef struct taq_case {
    const char *name;
    void (*fn)(void);
} taq_case_t;

#define TAQ_CASE(fn) {#fn, fn}

/* Runs the named case (argv[1]) or all; returns the process exit code. */
int taq_test_main(int argc, char **argv, const char *suite, const taq_case_t *cases, int ncases,
                  int mpi);

/* A fresh empty directory under the build tree, unique per process; caller frees. */
char *taq_test_tmpdir(const char *tag);
/* Write `len` bytes to dir/relpath, creating parent folders. Asserts success. */
void taq_test_write_file(const char *dir, const char *relpath, const void *data, size_t len);
/* rm -rf dir (tests only). */
void taq_test_rmtree(const char *dir);

#define TAQ_ASSERT_DOUBLE_EXACT(a, b) CU_ASSERT_EQUAL(memcmp(&(double){a}, &(double){b}, 8), 0)

#endif /* TAQ_TEST_HARNESS_H */
