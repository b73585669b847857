/*
 * h5_testing.h - test-only knobs of the HDF5 writer.
 *
 * Nothing in the command line reaches these: they exist so tests/test_h5.c
 * can exercise paths that real inputs only hit at scale (a slice split into
 * several collective writes) or by bad luck (one rank failing after the
 * datasets are written, a flush to disk failing). Deliberately free of
 * hdf5.h so tests can include it.
 */
#ifndef TAQ_H5_TESTING_H
#define TAQ_H5_TESTING_H

#include <stddef.h>

#include "taq/util.h"

typedef struct taq_h5_testing {
    size_t piece_bytes; /* most bytes one H5Dwrite carries; 0 = the default (1 GiB) */
    int inject_failure; /* nonzero: rank fail_rank fails after writing the datasets */
    int fail_rank;
    int flush_errno; /* nonzero: rank 0's background flushes fail with this errno */
} taq_h5_testing_t;

/* Set the knobs for later taq_h5_write_date calls (process-wide). NULL restores defaults. */
void taq_h5_testing_set(const taq_h5_testing_t *t);

/* Background flushes (h5flush.c) of the last taq_h5_write_date on this rank: 0 but on rank 0. */
unsigned long taq_h5_testing_flushes(void);

/* One chunk as stored in the file, before any filter is undone. */
typedef struct taq_h5_raw_chunk {
    void *bytes;          /* malloc'd; the caller frees */
    size_t n;             /* stored bytes */
    size_t rows;          /* rows per chunk of the dataset (the last one may hold fewer) */
    unsigned filter_mask; /* bit k set: filter k of the pipeline was skipped */
} taq_h5_raw_chunk_t;

/* Serial: read chunk `index` of dataset `name` in `path` raw (H5Dread_chunk). */
taq_rc taq_h5_testing_read_chunk(const char *path, const char *name, size_t index,
                                 taq_h5_raw_chunk_t *out);

/* H5Z_FLAG_REVERSE: the filter call decompresses. */
#define TAQ_H5_FILTER_REVERSE 0x0100u

/*
 * The function behind HDF5's deflate filter (id 1) once taq_h5_write_date
 * has run (h5deflate.c), with HDF5's filter contract: *buf (malloc'd, of
 * *buf_size bytes) holds nbytes of input; on success it is replaced by a new
 * malloc'd buffer and the output size is returned; 0 means failure and
 * leaves *buf alone. cd_values[0] is the compression level.
 */
size_t taq_h5_deflate_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[],
                             size_t nbytes, size_t *buf_size, void **buf);

/* 1 if HDF5's deflate and shuffle filters now run h5deflate.c and h5shuffle.c. */
int taq_h5_filters_active(void);

#endif /* TAQ_H5_TESTING_H */
