/*
 * date.c - one trading date through every stage, on every rank.
 *
 * Each stage ends in taq_mpi_agree so that a failure anywhere fails the date
 * everywhere, with rank 0 holding the message. The previous date's closes
 * are carried from the date processed just before when it is the previous
 * date in the input; otherwise that date is read again (it may lie outside
 * --date-range), and if it cannot be read the current date fails: a close
 * is never guessed.
 */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "pipeline_internal.h"
#include "taq/eod.h"
#include "taq/h5.h"
#include "taq/shuffle.h"
#include "taq/timeutil.h"

const char *taq_pipeline_stage_name(int st)
{
    static const char *const names[ST_N] = {"read", "parse", "shuffle", "eod", "analytics",
                                            "write"};
    return st >= 0 && st < ST_N ? names[st] : "?";
}

/* COLLECTIVE: keep every pair's close of `date` (this rank's: *mine, freed) on every rank. */
static taq_rc cache_closes(run_ctx_t *ctx, int32_t date, taq_closes_t *mine)
{
    taq_closes_free(&ctx->closes);
    ctx->have_closes = 0;
    taq_rc rc = taq_shuffle_allgather_closes(mine, ctx->comm, &ctx->closes);
    taq_closes_free(mine);
    if (rc == TAQ_OK) {
        ctx->closes_date = date;
        ctx->have_closes = 1;
    }
    return rc;
}

/* COLLECTIVE: make ctx->closes hold the closes of input date index pi. */
static taq_rc load_closes(run_ctx_t *ctx, size_t pi)
{
    const taq_input_date_t *pd = &ctx->inv.dates[pi];
    if (ctx->have_closes && ctx->closes_date == pd->date)
        return TAQ_OK;
    ctx->have_closes = 0;
    char ds[11];
    taq_date_format(pd->date, ds);
    if (ctx->rank == 0)
        TAQ_LOG(TAQ_LOG_INFO, "reading previous date %s for closing prices", ds);
    taq_batch_t b;
    taq_batch_init(&b);
    stage_t st[ST_N];
    memset(st, 0, sizeof st);
    taq_rc rc = taq_pipeline_load_trades(ctx, pd, &b, st);
    TAQ_LOG(TAQ_LOG_DEBUG,
            "previous date %s on this rank: read %.3f s, parse %.3f s, shuffle %.3f s", ds,
            st[ST_READ].secs, st[ST_PARSE].secs, st[ST_SHUFFLE].secs);
    if (rc == TAQ_OK) {
        uint32_t *order;
        size_t n;
        taq_eod_order(b.events.data, b.events.len, &order, &n);
        taq_closes_t mine = {0};
        taq_closes_from_events_ordered(b.events.data, order, n, &mine);
        free(order);
        rc = cache_closes(ctx, pd->date, &mine);
    }
    if (rc != TAQ_OK && ctx->rank == 0) {
        char msg[2048];
        snprintf(msg, sizeof msg, "%s", taq_errmsg());
        taq_err_set("previous date %s (needed for closing prices): %s", ds, msg);
    }
    taq_batch_free(&b);
    return rc;
}

static void sum_counts(taq_counts_t *c, MPI_Comm comm)
{
    int64_t v[6] = {c->lines, c->trades, c->quotes, c->rejects, c->blank, c->superseded};
    TAQ_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, v, 6, MPI_INT64_T, MPI_SUM, comm));
    *c = (taq_counts_t){v[0], v[1], v[2], v[3], v[4], v[5]};
}

/*
 * COLLECTIVE: write the date's file from this rank's /trade table, its
 * quotes (made piece by piece from the records as the writer asks) and its
 * rejects.
 */
static taq_rc write_date(run_ctx_t *ctx, int32_t date, const taq_tables_t *t,
                         const taq_batch_t *b, const uint32_t *order, size_t n,
                         const taq_closes_t *prev, date_result_t *res)
{
    char compact[9];
    taq_date_format_compact(date, compact);
    snprintf(res->output, sizeof res->output, "%s/taq_%s.h5", ctx->cfg->output, compact);
    taq_h5_attrs_t attrs = {.job = ctx->cfg->job, .version = TAQ_VERSION,
                            .ranks = ctx->size, .counts = res->counts};
    taq_date_format(date, attrs.trade_dt);
    taq_quote_stream_t quotes, finals;
    taq_quote_stream_init(&quotes, b->events.data, order, n, t->trade, prev);
    taq_quote_stream_init(&finals, b->events.data, order, n, t->trade, prev);
    /* /quote_final is written last: its stream gives back the records it has passed. */
    taq_quote_stream_release(&finals, b->events.len);
    taq_h5_slices_t mine = {.trade = t->trade, .n_trade = t->n_trade,
                            .n_quote = t->n_quote, .n_final = t->n_final,
                            .rejects = b->rejects.data, .n_rejects = b->rejects.len,
                            .fill_quote = taq_quote_stream_quotes, .quote_arg = &quotes,
                            .fill_final = taq_quote_stream_finals, .final_arg = &finals};
    double t0 = taq_now();
    taq_rc rc = taq_h5_write_date(ctx->comm, res->output, &attrs, &mine);
    taq_quote_stream_free(&finals);
    res->st[ST_WRITE].secs = taq_now() - t0;
    res->st[ST_WRITE].rows = (int64_t)(t->n_trade + t->n_quote + t->n_final + b->rejects.len);
    res->st[ST_WRITE].bytes =
        (double)(t->n_trade * sizeof *t->trade + t->n_quote * sizeof(taq_quote_row_t) +
                 t->n_final * sizeof(taq_final_row_t) + b->rejects.len * sizeof(taq_reject_t));
    return rc;
}

/* COLLECTIVE: dedupe, analytics against `prev`, write; updates the closes cache. */
static taq_rc compute_and_write(run_ctx_t *ctx, int32_t date, taq_batch_t *b,
                                const taq_closes_t *prev, date_result_t *res)
{
    double t0 = taq_now();
    uint32_t *order;
    size_t n;
    b->counts.superseded = taq_eod_order(b->events.data, b->events.len, &order, &n);
    double t1 = taq_now();
    taq_tables_t tables; /* /trade only: the writer makes the quote rows */
    taq_analytics_trades(b->events.data, order, n, &tables);
    double t2 = taq_now();
    res->st[ST_EOD] = (stage_t){t1 - t0, (int64_t)b->events.len, 0};
    res->st[ST_ANALYTICS] = (stage_t){t2 - t1, (int64_t)n, 0};
    res->counts = b->counts;
    sum_counts(&res->counts, ctx->comm);
    /* The write gives the records' memory back: take this date's closes first. */
    taq_closes_t mine = {0};
    taq_closes_from_events_ordered(b->events.data, order, n, &mine);
    taq_rc rc = write_date(ctx, date, &tables, b, order, n, prev, res);
    /* The prev pointer may be ctx->closes: replace it only after the write. */
    if (rc == TAQ_OK)
        rc = cache_closes(ctx, date, &mine);
    taq_closes_free(&mine);
    free(order);
    taq_tables_free(&tables);
    return rc;
}

taq_rc taq_pipeline_date(run_ctx_t *ctx, size_t di, date_result_t *res)
{
    const taq_input_date_t *d = &ctx->inv.dates[di];
    memset(res, 0, sizeof *res);
    long pi = taq_inventory_prev(&ctx->inv, d->date);
    if (pi >= 0)
        TAQ_TRY(load_closes(ctx, (size_t)pi));
    taq_closes_t prev = {0};
    if (pi >= 0)
        prev = ctx->closes; /* borrowed */
    taq_batch_t b;
    taq_batch_init(&b);
    taq_rc rc = taq_pipeline_load(ctx, d, &b, res->st);
    if (rc == TAQ_OK)
        rc = compute_and_write(ctx, d->date, &b, &prev, res);
    if (rc != TAQ_OK)
        ctx->have_closes = 0;
    taq_batch_free(&b);
    return rc;
}
