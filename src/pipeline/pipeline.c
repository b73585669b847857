/*
 * pipeline.c - the run: plan, then every selected date in order, then a summary.
 *
 * Rank 0 alone walks the input, talks to the tracker and prints; every
 * decision it takes (the inventory, whether a date runs) is broadcast before
 * the ranks act on it, so all ranks walk the same dates in lock step.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pipeline_internal.h"
#include "taq/pipeline.h"
#include "taq/timeutil.h"
#include "taq/tracker.h"

typedef struct tally {
    int ok, skipped, busy, failed;
    taq_counts_t counts;
    stage_t st[ST_N];
} tally_t;

static int selected(const taq_config_t *cfg, int32_t date)
{
    return !cfg->has_range || (date >= cfg->first && date <= cfg->last);
}

/*
 * The PostgreSQL connection to use, or NULL for the journal: --tracker, else
 * "" (libpq's defaults) when the environment configures libpq.
 */
static const char *tracker_conninfo(const taq_config_t *cfg)
{
    static const char *const vars[] = {"PGHOST", "PGDATABASE", "PGSERVICE", "PGPORT", "PGUSER"};
    if (cfg->tracker)
        return cfg->tracker;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]))
            return "";
    return NULL;
}

/* Rank 0: open the tracker tracker_conninfo() selects. */
static taq_rc open_tracker(const taq_config_t *cfg, taq_tracker_t **out)
{
    const char *conninfo = tracker_conninfo(cfg);
    if (conninfo)
        return taq_tracker_open_pg(conninfo, out);
    return taq_tracker_open_journal(cfg->output, out);
}

/* The journal backend creates the output folder; with PostgreSQL nothing else would. */
static taq_rc make_output(const char *output)
{
    TAQ_FAIL_IF(mkdir(output, 0777) != 0 && errno != EEXIST, TAQ_ERR_IO,
                "cannot create output folder %s: %s", output, strerror(errno));
    return TAQ_OK;
}

/* COLLECTIVE: inventory on every rank; rank 0 opens the tracker. */
static taq_rc setup(run_ctx_t *ctx, taq_tracker_t **tracker)
{
    taq_rc rc = TAQ_OK;
    if (ctx->rank == 0) {
        rc = taq_plan_scan(ctx->cfg->input, &ctx->inv);
        if (rc == TAQ_OK)
            rc = open_tracker(ctx->cfg, tracker);
        if (rc == TAQ_OK)
            rc = make_output(ctx->cfg->output);
    }
    rc = taq_inventory_bcast(rc, &ctx->inv, ctx->comm);
    return rc;
}

static void add_stages(stage_t *to, const stage_t *from)
{
    for (int s = 0; s < ST_N; s++) {
        to[s].secs += from[s].secs;
        to[s].rows += from[s].rows;
        to[s].bytes += from[s].bytes;
    }
}

/* The slowest rank's time and the sum of rows and bytes, per stage. */
static void reduce_stages(stage_t *st, MPI_Comm comm)
{
    /* Each rank's own seconds (-v): a gap between ranks is imbalance or waiting. */
    TAQ_LOG(TAQ_LOG_DEBUG,
            "stage seconds on this rank: read %.3f parse %.3f shuffle %.3f eod %.3f "
            "analytics %.3f write %.3f; parsed %lld lines, %.0f MB of text",
            st[ST_READ].secs, st[ST_PARSE].secs, st[ST_SHUFFLE].secs, st[ST_EOD].secs,
            st[ST_ANALYTICS].secs, st[ST_WRITE].secs, (long long)st[ST_PARSE].rows,
            st[ST_PARSE].bytes / 1e6);
    for (int s = 0; s < ST_N; s++) {
        TAQ_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &st[s].secs, 1, MPI_DOUBLE, MPI_MAX, comm));
        TAQ_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &st[s].rows, 1, MPI_INT64_T, MPI_SUM, comm));
        TAQ_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &st[s].bytes, 1, MPI_DOUBLE, MPI_SUM, comm));
    }
}

static void print_stages(const char *what, const stage_t *st)
{
    for (int s = 0; s < ST_N; s++) {
        double mb = st[s].bytes / 1e6;
        char rate[48] = "";
        if (mb > 0 && st[s].secs > 0)
            snprintf(rate, sizeof rate, ", %.1f MB/s", mb / st[s].secs);
        TAQ_LOG(TAQ_LOG_INFO, "  %s %-9s %12" PRId64 " %s  %8.3f s  %9.2f MB%s", what,
                taq_pipeline_stage_name(s), st[s].rows, s == ST_READ ? "pieces" : "rows  ",
                st[s].secs, mb, rate);
    }
}

static void print_counts(const char *ds, const taq_counts_t *c)
{
    TAQ_LOG(TAQ_LOG_INFO,
            "%s: lines %" PRId64 " = trades %" PRId64 " + quotes %" PRId64 " + rejects %" PRId64
            " + blank %" PRId64 "; superseded %" PRId64,
            ds, c->lines, c->trades, c->quotes, c->rejects, c->blank, c->superseded);
}

/* Rank 0: claim the date in the tracker. Broadcast the claim (or a tracker failure). */
static taq_rc claim_date(run_ctx_t *ctx, taq_tracker_t *tracker, int32_t date, taq_claim_t *claim)
{
    int32_t v[2] = {TAQ_OK, TAQ_CLAIM_RUN};
    if (ctx->rank == 0) {
        taq_run_info_t info = {.ranks = ctx->size};
        taq_claim_t c = TAQ_CLAIM_RUN;
        v[0] = taq_tracker_begin(tracker, ctx->cfg->job, date, ctx->cfg->force, &info, &c);
        v[1] = (int32_t)c;
    }
    TAQ_MPI_CHECK(MPI_Bcast(v, 2, MPI_INT32_T, 0, ctx->comm));
    *claim = (taq_claim_t)v[1];
    return (taq_rc)v[0];
}

/* Rank 0: report a processed date and record it in the tracker. */
static taq_rc finish_date(run_ctx_t *ctx, taq_tracker_t *tracker, int32_t date, taq_rc rc,
                          const date_result_t *res, tally_t *tally)
{
    char ds[11];
    taq_date_format(date, ds);
    if (rc == TAQ_OK) {
        /* Record first: a date the tracker does not say `success` of is not done. */
        taq_rc trc = taq_tracker_finish(tracker, ctx->cfg->job, date, TAQ_JOB_SUCCESS,
                                        &res->counts, res->output, "");
        if (trc != TAQ_OK) {
            TAQ_LOG(TAQ_LOG_ERROR, "%s: wrote %s but could not record its success: %s", ds,
                    res->output, taq_errmsg());
            tally->failed++;
            return trc;
        }
        print_counts(ds, &res->counts);
        print_stages(ds, res->st);
        TAQ_LOG(TAQ_LOG_INFO, "%s: wrote %s", ds, res->output);
        tally->ok++;
        tally->counts.lines += res->counts.lines;
        tally->counts.trades += res->counts.trades;
        tally->counts.quotes += res->counts.quotes;
        tally->counts.rejects += res->counts.rejects;
        tally->counts.blank += res->counts.blank;
        tally->counts.superseded += res->counts.superseded;
        add_stages(tally->st, res->st);
        return TAQ_OK;
    }
    char msg[2048];
    snprintf(msg, sizeof msg, "%s", taq_errmsg()[0] ? taq_errmsg() : taq_strerror(rc));
    TAQ_LOG(TAQ_LOG_ERROR, "%s failed: %s", ds, msg);
    tally->failed++;
    return taq_tracker_finish(tracker, ctx->cfg->job, date, TAQ_JOB_FAILED, &res->counts, "",
                              msg);
}

/* COLLECTIVE: claim, process and record one date. A tracker failure stops the run. */
static taq_rc run_date(run_ctx_t *ctx, taq_tracker_t *tracker, size_t di, tally_t *tally)
{
    int32_t date = ctx->inv.dates[di].date;
    char ds[11];
    taq_date_format(date, ds);
    taq_claim_t claim;
    taq_rc rc = claim_date(ctx, tracker, date, &claim);
    if (rc != TAQ_OK)
        return rc;
    if (claim != TAQ_CLAIM_RUN) {
        if (ctx->rank == 0)
            TAQ_LOG(TAQ_LOG_INFO, "%s: %s", ds,
                    claim == TAQ_CLAIM_DONE ? "already done (tracker says success); skipped, "
                                              "--force reprocesses it"
                                            : "another run is processing it; skipped");
        *(claim == TAQ_CLAIM_DONE ? &tally->skipped : &tally->busy) += 1;
        return TAQ_OK;
    }
    if (ctx->rank == 0)
        TAQ_LOG(TAQ_LOG_INFO, "%s: %zu file(s)", ds, ctx->inv.dates[di].n_files);
    date_result_t res;
    taq_err_clear();
    taq_rc drc = taq_pipeline_date(ctx, di, &res);
    reduce_stages(res.st, ctx->comm);
    if (ctx->rank == 0)
        rc = finish_date(ctx, tracker, date, drc, &res, tally);
    if (drc != TAQ_OK && ctx->rank != 0)
        tally->failed++; /* rank 0 counted it in finish_date; every rank must exit 1 */
    int32_t v = rc;
    TAQ_MPI_CHECK(MPI_Bcast(&v, 1, MPI_INT32_T, 0, ctx->comm));
    return (taq_rc)v;
}

static void print_summary(const tally_t *t, double secs)
{
    TAQ_LOG(TAQ_LOG_INFO, "summary: %d date(s) done, %d skipped, %d busy, %d failed in %.2f s",
            t->ok, t->skipped, t->busy, t->failed, secs);
    if (t->ok) {
        print_counts("all dates", &t->counts);
        print_stages("total", t->st);
    }
}

int taq_pipeline_run(const taq_config_t *cfg, MPI_Comm comm)
{
    double start = taq_now();
    run_ctx_t ctx = {.cfg = cfg, .comm = comm};
    MPI_Comm_rank(comm, &ctx.rank);
    MPI_Comm_size(comm, &ctx.size);
    taq_tracker_t *tracker = NULL;
    tally_t tally;
    memset(&tally, 0, sizeof tally);
    int status = 0;
    taq_rc rc = setup(&ctx, &tracker);
    if (rc != TAQ_OK) {
        if (ctx.rank == 0)
            TAQ_LOG(TAQ_LOG_ERROR, "%s", taq_errmsg());
        status = 2;
        goto out;
    }
    size_t n_sel = 0;
    for (size_t i = 0; i < ctx.inv.n_dates; i++)
        n_sel += selected(cfg, ctx.inv.dates[i].date);
    if (ctx.rank == 0)
        TAQ_LOG(TAQ_LOG_INFO, "%s: %zu date(s) in the input, %zu selected, %d rank(s)",
                cfg->input, ctx.inv.n_dates, n_sel, ctx.size);
    if (ctx.rank == 0 && n_sel == 0)
        TAQ_LOG(TAQ_LOG_WARN, "no date of %s is selected: nothing to do", cfg->input);
    for (size_t i = 0; i < ctx.inv.n_dates && rc == TAQ_OK; i++)
        if (selected(cfg, ctx.inv.dates[i].date))
            rc = run_date(&ctx, tracker, i, &tally);
    if (rc != TAQ_OK && ctx.rank == 0)
        TAQ_LOG(TAQ_LOG_ERROR, "stopping: %s", taq_errmsg());
    status = (rc != TAQ_OK || tally.failed) ? 1 : 0;
    if (ctx.rank == 0)
        print_summary(&tally, taq_now() - start);
out:
    taq_tracker_close(&tracker);
    taq_closes_free(&ctx.closes);
    taq_inventory_free(&ctx.inv);
    return status;
}

int taq_pipeline_status(const taq_config_t *cfg)
{
    struct stat st;
    if (!tracker_conninfo(cfg) && stat(cfg->output, &st) != 0) {
        fprintf(stderr, "taqmpi status: output folder %s: %s\n", cfg->output, strerror(errno));
        return 2;
    }
    taq_tracker_t *t = NULL;
    taq_job_row_t *rows = NULL;
    size_t n = 0;
    taq_rc rc = open_tracker(cfg, &t);
    if (rc == TAQ_OK)
        rc = taq_tracker_list(t, cfg->job_given ? cfg->job : NULL,
                              cfg->has_range, cfg->first, cfg->last, &rows, &n);
    if (rc == TAQ_OK)
        taq_tracker_print(stdout, rows, n);
    else
        fprintf(stderr, "taqmpi status: %s\n", taq_errmsg());
    free(rows);
    taq_tracker_close(&t);
    return rc == TAQ_OK ? 0 : 2;
}
