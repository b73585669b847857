/*
 * pipeline_internal.h - state shared by the run loop and the per-date stages.
 */
#ifndef TAQ_PIPELINE_INTERNAL_H
#define TAQ_PIPELINE_INTERNAL_H

#include "taq/analytics.h"
#include "taq/cli.h"
#include "taq/parse.h"
#include "taq/plan.h"

enum { ST_READ, ST_PARSE, ST_SHUFFLE, ST_EOD, ST_ANALYTICS, ST_WRITE, ST_N };

/* Time, rows and bytes of one stage (summed over ranks for the summary). */
typedef struct stage {
    double secs;
    int64_t rows;
    double bytes;
} stage_t;

typedef struct date_result {
    taq_counts_t counts;
    stage_t st[ST_N];
    char output[4096];
} date_result_t;

typedef struct run_ctx {
    const taq_config_t *cfg;
    MPI_Comm comm;
    int rank, size;
    taq_inventory_t inv;
    /* Closes of the last date this run loaded, carried to the next date. */
    int have_closes;
    int32_t closes_date;
    taq_closes_t closes;
} run_ctx_t;

/*
 * COLLECTIVE: read and parse this rank's pieces of date d's files into b
 * (initialised by the caller), then send every record to the rank owning
 * its (symbol, exchange): afterwards b->events holds exactly this rank's
 * pairs, b->rejects the rejects of the lines this rank read. Timings go to
 * st[ST_READ], st[ST_PARSE], st[ST_SHUFFLE]. A file that cannot be read
 * fails the date on every rank.
 */
taq_rc taq_pipeline_load(run_ctx_t *ctx, const taq_input_date_t *d, taq_batch_t *b,
                         stage_t *st);

/*
 * The same for a previous date read only for its closing prices: quotes are
 * dropped right after parsing (a close is the last trade), so they are
 * neither shuffled nor sorted.
 */
taq_rc taq_pipeline_load_trades(run_ctx_t *ctx, const taq_input_date_t *d, taq_batch_t *b,
                                stage_t *st);

/* COLLECTIVE: every stage of one date, from read to the renamed HDF5 file. */
taq_rc taq_pipeline_date(run_ctx_t *ctx, size_t di, date_result_t *res);

/* Human name of a stage ("read", ...). */
const char *taq_pipeline_stage_name(int st);

#endif /* TAQ_PIPELINE_INTERNAL_H */
