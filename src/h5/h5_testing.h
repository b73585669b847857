/*
 * h5_testing.h - test-only knobs of the HDF5 writer.
 *
 * Nothing in the command line reaches these: they exist so tests/test_h5.c
 * can exercise paths that real inputs only hit at scale (a slice split into
 * several collective writes) or by bad luck (one rank failing after the
 * datasets are written). Deliberately free of hdf5.h so tests can include it.
 */
#ifndef TAQ_H5_TESTING_H
#define TAQ_H5_TESTING_H

#include <stddef.h>

typedef struct taq_h5_testing {
    size_t piece_bytes; /* most bytes one H5Dwrite carries; 0 = the default (1 GiB) */
    int inject_failure; /* nonzero: rank fail_rank fails after writing the datasets */
    int fail_rank;
} taq_h5_testing_t;

/* Set the knobs for later taq_h5_write_date calls (process-wide). NULL restores defaults. */
void taq_h5_testing_set(const taq_h5_testing_t *t);

#endif /* TAQ_H5_TESTING_H */
