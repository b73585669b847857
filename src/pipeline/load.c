/*
 * load.c - read, parse and distribute a date's files on every rank.
 *
 * Every rank computes the same byte-range plan from the broadcast inventory
 * (taq_plan_pieces) and reads its own pieces; lines are streamed in blocks,
 * so memory holds parsed records, not raw text. A piece numbers its lines
 * from 1; once every rank knows how many lines each piece had, the numbers
 * are shifted to the file's physical line numbers (they matter for /rejects
 * and for ties in the EOD load). Ranks read interleaved slices of every
 * folder (taq_plan_pieces), so the rejects are then moved until the ranks
 * in rank order hold them in (file, line) order; records move to the rank
 * that owns their (symbol, exchange).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline_internal.h"
#include "taq/fault.h"
#include "taq/linereader.h"
#include "taq/shuffle.h"

typedef struct piece_parse {
    taq_line_ctx_t lctx;
    const char *relpath;
    taq_batch_t *batch;
    int64_t next_line; /* next line number, counted from 1 within the piece */
    double parse_secs;
} piece_parse_t;

/* Where a piece's records landed in the batch, to shift their line numbers. */
typedef struct piece_span {
    size_t ev0, ev1, rj0, rj1;
} piece_span_t;

static taq_rc parse_block(const char *buf, size_t len, void *arg)
{
    piece_parse_t *pp = arg;
    double t0 = taq_now();
    pp->next_line += taq_parse_buffer(&pp->lctx, pp->relpath, buf, len, pp->next_line, pp->batch);
    pp->parse_secs += taq_now() - t0;
    return TAQ_OK;
}

/* Read and parse one piece into b; *lines gets its line count. */
static taq_rc load_piece(const taq_input_date_t *d, const taq_piece_t *p, int trades_only,
                         taq_batch_t *b, stage_t *st, int64_t *lines)
{
    const taq_input_file_t *f = &d->files[p->file_idx];
    piece_parse_t pp = {
        .lctx = {.format = f->format, .folder_date = d->date, .file_idx = p->file_idx,
                 .trades_only = trades_only},
        .relpath = f->relpath,
        .batch = b,
        .next_line = 1,
    };
    taq_read_stats_t rs;
    double t0 = taq_now();
    taq_rc rc = taq_file_read_lines(f->path, f->relpath, p->start, p->end, 0, parse_block, &pp, &rs);
    /* The reader calls the parser between blocks: split the time between them. */
    st[ST_READ].secs += taq_now() - t0 - pp.parse_secs;
    st[ST_READ].bytes += (double)rs.raw_bytes;
    st[ST_READ].rows += 1;
    st[ST_PARSE].secs += pp.parse_secs;
    st[ST_PARSE].bytes += (double)rs.text_bytes;
    st[ST_PARSE].rows += pp.next_line - 1;
    *lines = pp.next_line - 1;
    return rc;
}

/*
 * COLLECTIVE: shift each piece's line numbers by the lines of the earlier
 * pieces of its file. Every rank sees the same counts, so a file too long
 * for the record's line field fails the date on every rank alike.
 */
static taq_rc renumber(const taq_input_date_t *d, const taq_piece_t *pieces, size_t n,
                       int64_t *lines, const piece_span_t *span, taq_batch_t *b, MPI_Comm comm)
{
    TAQ_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, lines, (int)n, MPI_INT64_T, MPI_SUM, comm));
    taq_event_t *ev = b->events.data;
    taq_reject_t *rj = b->rejects.data;
    int64_t before = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && pieces[i].file_idx != pieces[i - 1].file_idx)
            before = 0;
        if (before + lines[i] > TAQ_MAX_EVENT_LINE) {
            taq_err_set("%s: more than %lld lines; a record numbers its line in %d bits",
                        d->files[pieces[i].file_idx].relpath, (long long)TAQ_MAX_EVENT_LINE,
                        TAQ_EVENT_LINE_BITS);
            return TAQ_ERR_RANGE;
        }
        for (size_t k = span[i].ev0; k < span[i].ev1; k++)
            ev[k].line += before;
        for (size_t k = span[i].rj0; k < span[i].rj1; k++)
            rj[k].line += before;
        before += lines[i];
    }
    return TAQ_OK;
}

/*
 * COLLECTIVE: ranks read interleaved slices of the files, so their rejects
 * interleave too; move them so that the ranks in rank order hold /rejects
 * in (file, line) order (SPEC 1.2).
 */
static taq_rc order_rejects(const taq_piece_t *pieces, size_t n, const piece_span_t *span,
                            taq_batch_t *b, MPI_Comm comm)
{
    int64_t *count = TAQ_CALLOC(n + 1, sizeof *count);
    int *rank = TAQ_MALLOC((n + 1) * sizeof *rank);
    for (size_t i = 0; i < n; i++) {
        count[i] = (int64_t)(span[i].rj1 - span[i].rj0); /* 0 for the other ranks' pieces */
        rank[i] = pieces[i].rank;
    }
    TAQ_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, count, (int)n, MPI_INT64_T, MPI_SUM, comm));
    taq_rc rc = taq_shuffle_runs(&b->rejects, rank, count, n, comm);
    free(count);
    free(rank);
    return rc;
}

/*
 * Room for the records this rank will read, reserved once: growing a
 * gigabyte array by doubling copies it again and again. A valid record line
 * is at least ~60 bytes, so bytes / TAQ_MIN_RECORD_BYTES bounds the records;
 * untouched reserved pages cost address space, not memory. A rank may take
 * over pieces of other shares (taq_claims), so it reserves for twice its
 * share (at most the whole date), capped at a quarter of physical memory
 * (the array still grows past it).
 */
#define TAQ_MIN_RECORD_BYTES 60

static void reserve_events(const taq_input_date_t *d, const taq_piece_t *pieces, size_t n,
                           int rank, taq_batch_t *b)
{
    uint64_t mine = 0, all = 0;
    for (size_t i = 0; i < n; i++) {
        const taq_input_file_t *f = &d->files[pieces[i].file_idx];
        const uint64_t end = pieces[i].end < f->size ? pieces[i].end : f->size;
        const uint64_t len = end > pieces[i].start ? end - pieces[i].start : 0;
        const uint64_t bytes = f->gzip ? len * TAQ_GZIP_WEIGHT : len;
        all += bytes;
        mine += pieces[i].rank == rank ? bytes : 0;
    }
    const uint64_t bytes = 2 * mine < all ? 2 * mine : all;
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t cap = bytes / TAQ_MIN_RECORD_BYTES + 1;
    if (pages > 0 && page > 0) {
        const uint64_t limit = (uint64_t)pages * (uint64_t)page / 4 / sizeof(taq_event_t);
        if (cap > limit)
            cap = limit;
    }
    taq_vec_reserve(&b->events, b->events.len + (size_t)cap);
}

/*
 * This rank's rejects in plan order: it read its pieces in claim order
 * (parts first, then taken-over pieces), and taq_shuffle_runs needs every
 * rank's rejects in the order of the pieces. span[i] is updated.
 */
static void rejects_in_plan_order(const taq_piece_t *pieces, size_t n, int rank, piece_span_t *span,
                                  taq_batch_t *b)
{
    int sorted = 1;
    size_t last = 0;
    for (size_t i = 0; i < n && sorted; i++) {
        if (pieces[i].rank != rank || span[i].rj1 == span[i].rj0)
            continue;
        sorted = span[i].rj0 >= last;
        last = span[i].rj1;
    }
    if (sorted)
        return;
    taq_vec_t v;
    taq_vec_init(&v, b->rejects.elem);
    taq_vec_reserve(&v, b->rejects.len);
    for (size_t i = 0; i < n; i++) {
        if (pieces[i].rank != rank)
            continue;
        const size_t k = span[i].rj1 - span[i].rj0;
        memcpy((char *)v.data + v.len * v.elem, (char *)b->rejects.data + span[i].rj0 * v.elem,
               k * v.elem);
        span[i].rj0 = v.len;
        span[i].rj1 = v.len += k;
    }
    taq_vec_free(&b->rejects);
    b->rejects = v;
}

/*
 * COLLECTIVE: read pieces of d into b, with physical line numbers. The
 * ranks claim the pieces as they go (taq_claims), then share who read which.
 */
static taq_rc read_pieces(run_ctx_t *ctx, const taq_input_date_t *d, int trades_only,
                          taq_batch_t *b, stage_t *st)
{
    taq_piece_t *pieces;
    size_t n;
    const int parts = ctx->cfg->parts ? (int)ctx->cfg->parts : taq_plan_parts(d, ctx->size);
    taq_plan_pieces(d, ctx->size, parts, &pieces, &n);
    TAQ_MPI_CHECK(n > INT32_MAX ? MPI_ERR_COUNT : MPI_SUCCESS);
    int64_t *lines = TAQ_CALLOC(n, sizeof *lines);
    piece_span_t *span = TAQ_CALLOC(n, sizeof *span);
    int *reader = TAQ_MALLOC((n ? n : 1) * sizeof *reader);
    for (size_t i = 0; i < n; i++)
        reader[i] = -1;
    taq_rc rc = TAQ_OK;
    taq_fault_point("read", ctx->rank); /* test hook */
    reserve_events(d, pieces, n, ctx->rank, b);
    taq_claims_t q;
    taq_claims_open(pieces, n, ctx->comm, &q);
    size_t i, read = 0, taken_over = 0;
    int from;
    while (rc == TAQ_OK && taq_claims_next(&q, &i, &from)) {
        reader[i] = ctx->rank;
        read++;
        taken_over += from != ctx->rank;
        span[i].ev0 = b->events.len;
        span[i].rj0 = b->rejects.len;
        rc = load_piece(d, &pieces[i], trades_only, b, st, &lines[i]);
        span[i].ev1 = b->events.len;
        span[i].rj1 = b->rejects.len;
    }
    taq_claims_close(&q);
    TAQ_LOG(TAQ_LOG_DEBUG,
            "read %zu of %zu pieces on this rank, %zu of them from other ranks' shares", read, n,
            taken_over);
    /* Unclaimed pieces (a rank failed) stay -1: the date fails below. */
    TAQ_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, reader, (int)n, MPI_INT, MPI_MAX, ctx->comm));
    for (i = 0; i < n; i++)
        pieces[i].rank = reader[i];
    rc = taq_mpi_agree(rc, ctx->comm);
    if (rc == TAQ_OK)
        rc = renumber(d, pieces, n, lines, span, b, ctx->comm);
    if (rc == TAQ_OK && !trades_only) { /* a previous date's rejects are not kept */
        rejects_in_plan_order(pieces, n, ctx->rank, span, b);
        rc = order_rejects(pieces, n, span, b, ctx->comm);
    }
    free(pieces);
    free(lines);
    free(span);
    free(reader);
    return rc;
}

/* COLLECTIVE: move every record to the rank that owns its (symbol, exchange). */
static taq_rc distribute(run_ctx_t *ctx, taq_batch_t *b, stage_t *st)
{
    if (ctx->size == 1)
        return TAQ_OK; /* one rank owns every pair: nothing to move */
    taq_fault_point("shuffle", ctx->rank); /* test hook */
    double t0 = taq_now();
    const size_t n = b->events.len;
    taq_pair_index_t pi;
    taq_pair_index_build(b->events.data, n, &pi);
    const double t1 = taq_now();
    taq_routing_t routing;
    memset(&routing, 0, sizeof routing);
    taq_rc rc = taq_shuffle_route(&pi, ctx->comm, 1, &routing);
    const double t2 = taq_now();
    int32_t *dest = NULL;
    int64_t sent = (int64_t)n, rounds = 0, moved = 0;
    if (rc == TAQ_OK) {
        dest = TAQ_MALLOC(pi.n_runs * sizeof *dest);
        taq_routing_dests(&routing, &pi, dest);
        for (size_t k = 0; k < pi.n_runs; k++)
            if (dest[k] != ctx->rank)
                moved += pi.runs[k + 1].start - pi.runs[k].start;
    }
    const double t3 = taq_now();
    if (rc == TAQ_OK)
        rc = taq_shuffle_exchange(&b->events, pi.runs, dest, pi.n_runs, ctx->cfg->shuffle_round,
                                  ctx->comm, &rounds);
    free(dest);
    if (rc == TAQ_OK && ctx->rank == 0 && ctx->size > 1)
        TAQ_LOG(TAQ_LOG_DEBUG, "shuffle: %lld rows, busiest rank %lld, %lld round(s)",
                (long long)routing.total_rows, (long long)routing.max_rows, (long long)rounds);
    TAQ_LOG(TAQ_LOG_DEBUG,
            "shuffle on this rank: %lld of %zu records sent away; pair index %.3f s (%zu runs), "
            "routes %.3f s, destinations %.3f s, exchange %.3f s",
            (long long)moved, n, t1 - t0, pi.n_runs, t2 - t1, t3 - t2, taq_now() - t3);
    taq_pair_index_free(&pi);
    taq_routing_free(&routing);
    st[ST_SHUFFLE].secs += taq_now() - t0;
    st[ST_SHUFFLE].rows += sent;
    st[ST_SHUFFLE].bytes += (double)sent * (double)sizeof(taq_event_t);
    return rc;
}

taq_rc taq_pipeline_load(run_ctx_t *ctx, const taq_input_date_t *d, taq_batch_t *b,
                         stage_t *st)
{
    TAQ_TRY(read_pieces(ctx, d, 0, b, st));
    return distribute(ctx, b, st);
}

taq_rc taq_pipeline_load_trades(run_ctx_t *ctx, const taq_input_date_t *d, taq_batch_t *b,
                                stage_t *st)
{
    TAQ_TRY(read_pieces(ctx, d, 1, b, st));
    return distribute(ctx, b, st);
}
