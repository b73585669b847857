/*
 * plan.h - what to read: the input inventory by date, and the dates to run.
 *
 * Rank 0 walks --input once (<input>/{csv,json}/<YYYY-MM-DD>/<...>/<name>.txt[.gz]),
 * and broadcasts the inventory; every rank then derives the same work list.
 * Within a date, files are sorted by their path relative to --input in byte
 * order: that order is the "input order" that breaks ties in the EOD load.
 */
#ifndef TAQ_PLAN_H
#define TAQ_PLAN_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "taq/parse.h"
#include "taq/util.h"

typedef struct taq_input_file {
    char *path;    /* as opened: <input>/<relpath> (owned) */
    char *relpath; /* relative to --input, shown in messages and /rejects (owned) */
    taq_format_t format;
    uint64_t size; /* bytes on disk */
    int gzip;      /* 1 when the file starts with the gzip magic bytes */
    uint32_t line_bytes; /* mean line length at its start (taq_file_sample); 0 unknown */
} taq_input_file_t;

typedef struct taq_input_date {
    int32_t date; /* days since 1970-01-01 */
    taq_input_file_t *files; /* sorted by relpath (owned) */
    size_t n_files;
} taq_input_date_t;

/* Every date present in the input, oldest first. */
typedef struct taq_inventory {
    taq_input_date_t *dates; /* owned */
    size_t n_dates;
    size_t n_ignored; /* non-data files and folders skipped during the walk */
} taq_inventory_t;

/*
 * Walk `input`. A date exists when its folder holds at least one data file
 * (a regular file named *.txt or *.txt.gz); other files are ignored, and a
 * folder under csv/ or json/ that is not a valid YYYY-MM-DD is skipped with
 * a warning. Errors: TAQ_ERR_IO when `input` or a folder cannot be read, or
 * when neither csv/ nor json/ exists. OUT *inv: release with taq_inventory_free.
 */
taq_rc taq_plan_scan(const char *input, taq_inventory_t *inv);
void taq_inventory_free(taq_inventory_t *inv);

/* COLLECTIVE: rank 0's inventory (and rc) replaces every other rank's. */
taq_rc taq_inventory_bcast(taq_rc rc, taq_inventory_t *inv, MPI_Comm comm);

/* Index of the latest date strictly before `date`, or -1. */
long taq_inventory_prev(const taq_inventory_t *inv, int32_t date);

/*
 * A piece of a date's input read by one rank: a line-aligned byte range of a
 * plain file (lines that start in [start, end)), or a whole gzip file.
 */
typedef struct taq_piece {
    uint32_t file_idx; /* into the date's files */
    int rank;          /* whose share it is: the rank that reads it unless another takes it over */
    int part;          /* which part of that share (0 .. parts - 1), in reading order */
    uint64_t start;
    uint64_t end;      /* UINT64_MAX: to the end of the file */
} taq_piece_t;

/* A gzip file weighs this many times its size when balancing (it inflates). */
#define TAQ_GZIP_WEIGHT 4
/*
 * Each line weighs this many bytes on top of its text: parsing cost about
 * 1.9 ms per MB of text plus 0.17 s per million lines (10 M-line day, 2
 * ranks), so a line's fixed cost is that of ~90 bytes of text.
 */
#define TAQ_LINE_WEIGHT 90
/* Mean line length assumed when the scan could not sample one (gzip). */
#define TAQ_LINE_BYTES_GUESS 160

/* A rank's share is cut into at most this many parts... */
#define TAQ_PLAN_PARTS 8
/* ...of at least this much weight each (fewer parts on a small date). */
#define TAQ_PLAN_PART_MIN ((uint64_t)16 << 20)

/*
 * How many parts to cut each rank's share of date d into: 1 on one rank,
 * else as many as TAQ_PLAN_PART_MIN allows, at most TAQ_PLAN_PARTS.
 */
int taq_plan_parts(const taq_input_date_t *d, int nranks);

/*
 * Cut date d's files into pieces balanced by estimated load cost across
 * nranks. The files of one folder form a stream; each stream is cut into
 * nranks x parts spans of equal weight (bytes, a gzip file TAQ_GZIP_WEIGHT
 * x its size, plus TAQ_LINE_WEIGHT per estimated line), and span j is part
 * j % parts of rank j / parts's share (rank k's share is the k-th of nranks
 * equal shares of every stream). A plain file is cut where a span boundary
 * falls (at the same fraction of its bytes). Gzip files are not cut: they
 * are balanced whole on one axis of their own, across streams. Pieces come
 * out in (file, offset) order; their ranks interleave. Deterministic: every
 * rank computes the same plan from the same inventory. OUT *pieces (owned,
 * free()), *n. Every file gets at least one piece, even when empty.
 */
void taq_plan_pieces(const taq_input_date_t *d, int nranks, int parts, taq_piece_t **pieces,
                     size_t *n);

/*
 * Pieces handed out as ranks need them (claims.c): rank k takes its own
 * share's pieces in (part, file) order, then, when it has none left, the
 * last piece of a neighbour's share (rank k + 1, k - 1, k + 2, ...); the
 * last rank's share runs the other way. Every piece is claimed exactly
 * once over all ranks.
 */
typedef struct taq_claims {
    MPI_Comm comm;
    MPI_Win win; /* each rank's two counters; MPI_WIN_NULL on one rank */
    int rank, nranks;
    size_t *order;        /* piece indices grouped by share, each share in queue order */
    size_t *at;           /* share r is order[at[r] .. at[r + 1]) */
    unsigned char *empty; /* shares this rank found empty */
    int64_t taken_alone;  /* one rank: pieces taken so far */
} taq_claims_t;

/*
 * COLLECTIVE: a queue over pieces[0..n), the same plan on every rank.
 * Release with taq_claims_close.
 */
void taq_claims_open(const taq_piece_t *pieces, size_t n, MPI_Comm comm, taq_claims_t *q);

/*
 * The next piece for this rank: 1 with *idx set (and *from, if not NULL,
 * to the share it came from), or 0 when every piece has been claimed. Not
 * collective; ranks call it at their own pace.
 */
int taq_claims_next(taq_claims_t *q, size_t *idx, int *from);

/* COLLECTIVE: release the queue. */
void taq_claims_close(taq_claims_t *q);

#endif /* TAQ_PLAN_H */
