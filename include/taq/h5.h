/*
 * h5.h - one HDF5 file per trading date (SPEC.md 3), written with parallel HDF5.
 *
 * This module is the only place that includes hdf5.h. Each rank holds a
 * contiguous slice of every dataset (ranks own contiguous symbol ranges, so
 * rank order is the global sort order); the writer places each slice at the
 * offset given by an exclusive prefix sum of the row counts.
 */
#ifndef TAQ_H5_H
#define TAQ_H5_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "taq/record.h"
#include "taq/util.h"

/* Root attributes of a date's file. */
typedef struct taq_h5_attrs {
    char trade_dt[11]; /* "YYYY-MM-DD" */
    const char *job;
    const char *version;
    int64_t ranks;
    taq_counts_t counts; /* global counts of the date (same on every rank) */
} taq_h5_attrs_t;

/* This rank's slice of each dataset (borrowed). */
/* Fills buf with the next `count` rows of a table: calls come in row order. */
typedef void (*taq_h5_fill_fn)(void *arg, void *buf, size_t count);

typedef struct taq_h5_slices {
    const taq_trade_row_t *trade;
    size_t n_trade;
    const taq_quote_row_t *quote;
    size_t n_quote;
    const taq_final_row_t *final;
    size_t n_final;
    const taq_reject_t *rejects;
    size_t n_rejects;
    /*
     * Optional: /quote and /quote_final rows made on demand instead of read
     * from the arrays (then NULL; n_quote and n_final still count them), so
     * the biggest tables never exist whole in memory. The writer asks for
     * them in pieces of TAQ_H5_STREAM_BYTES.
     */
    taq_h5_fill_fn fill_quote, fill_final;
    void *quote_arg, *final_arg;
} taq_h5_slices_t;

/*
 * Rows made by a fill function per collective write: about this many bytes.
 * Small pieces win on several ranks: the ranks' file writes queue on one
 * inode lock, and a short piece lets one rank compress while another
 * writes; the buffer also stays below malloc's mmap threshold (mem.c), so
 * it is reused, not faulted in afresh. Write stage on 2 ranks, 10 M-event
 * day: 16 MiB 1.3-1.6 s, 64 MiB 1.9-2.0 s, 256 MiB 4.3-4.8 s; 4 and 8 MiB
 * fall in between (more collective calls). 1 rank is the same either way.
 */
#define TAQ_H5_STREAM_BYTES ((size_t)16 << 20)

/*
 * COLLECTIVE: write `path` (e.g. out/taq_20200806.h5). All ranks create
 * "<path>.tmp" with the MPI-IO driver, write /trade, /quote, /quote_final and
 * /rejects (chunked, deflate) with collective writes of at most 1 GiB per
 * rank each (every rank makes the same number of calls; ranks without rows
 * select none), set the root attributes, close, agree, and then
 * rank 0 renames the file into place. On any failure on any rank every rank
 * returns an error, the temporary file is removed, and `path` is untouched
 * (an older file of that name stays as it was). Rank 0's taq_errmsg() says why.
 */
taq_rc taq_h5_write_date(MPI_Comm comm, const char *path, const taq_h5_attrs_t *attrs,
                         const taq_h5_slices_t *mine);

/* A whole date's file read back (tests, tools). Release with taq_h5_date_free. */
typedef struct taq_h5_date {
    taq_h5_attrs_t attrs; /* job and version point into the owned strings below */
    char *job;
    char *version;
    taq_trade_row_t *trade;
    size_t n_trade;
    taq_quote_row_t *quote;
    size_t n_quote;
    taq_final_row_t *final;
    size_t n_final;
    taq_reject_t *rejects;
    size_t n_rejects;
} taq_h5_date_t;

/* Serial read (one process, no MPI communication) of a file written above. */
taq_rc taq_h5_read_date(const char *path, taq_h5_date_t *out);
void taq_h5_date_free(taq_h5_date_t *d);

#endif /* TAQ_H5_H */
