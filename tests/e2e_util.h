/*
 * e2e_util.h - helpers for tests that run the real taqmpi binary.
 */
#ifndef TAQ_TEST_E2E_UTIL_H
#define TAQ_TEST_E2E_UTIL_H

#include "taq/h5.h"

#define TAQMPI TAQ_BINARY_DIR "/src/taqmpi"

/* Run a shell command in dir; stdout+stderr go to dir/log. Returns the exit status or -1. */
int e2e_run(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The log of the last e2e_run in dir (caller frees). */
char *e2e_log(const char *dir);
/* 1 if dir/rel exists. */
int e2e_exists(const char *dir, const char *rel);
/* A fresh scratch dir holding a copy of the bundled sample as data/ (caller frees). */
char *e2e_sample_dir(void);
/* Read dir/<sub>/<name>; asserts success. */
taq_h5_date_t e2e_read(const char *dir, const char *sub, const char *name);
/* NaN equals NaN; otherwise bit-identical. */
int e2e_same_double(double a, double b);
/* Every dataset and the counts of two files are identical. */
int e2e_same_day(const taq_h5_date_t *a, const taq_h5_date_t *b);

#endif /* TAQ_TEST_E2E_UTIL_H */
