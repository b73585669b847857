/*
 * load.c - read and parse a date's files.
 *
 * Until the distribution work lands, rank 0 reads every file of the date and
 * the other ranks hold nothing; the answer does not depend on that, because
 * rank 0 then owns every symbol. Files are read in the date's sorted order so
 * rejects come out in (file, line) order. Lines are streamed in blocks, so
 * memory holds parsed records, not the raw text of a whole file.
 */
#include <string.h>

#include "pipeline_internal.h"
#include "taq/linereader.h"

typedef struct file_parse {
    taq_line_ctx_t lctx;
    const char *relpath;
    taq_batch_t *batch;
    int64_t next_line; /* physical number of the next line */
    double parse_secs;
} file_parse_t;

static taq_rc parse_block(const char *buf, size_t len, void *arg)
{
    file_parse_t *fp = arg;
    double t0 = taq_now();
    fp->next_line += taq_parse_buffer(&fp->lctx, fp->relpath, buf, len, fp->next_line, fp->batch);
    fp->parse_secs += taq_now() - t0;
    return TAQ_OK;
}

/* Read and parse one whole file into b. */
static taq_rc load_file(const taq_input_date_t *d, size_t fi, taq_batch_t *b, stage_t *st)
{
    const taq_input_file_t *f = &d->files[fi];
    file_parse_t fp = {
        .lctx = {.format = f->format, .folder_date = d->date, .file_idx = (uint32_t)fi},
        .relpath = f->relpath,
        .batch = b,
        .next_line = 1,
    };
    taq_read_stats_t rs;
    double t0 = taq_now();
    taq_rc rc = taq_file_read_lines(f->path, f->relpath, 0, UINT64_MAX, 0, parse_block, &fp, &rs);
    /* The reader calls the parser between blocks: split the time between them. */
    st[ST_READ].secs += taq_now() - t0 - fp.parse_secs;
    st[ST_PARSE].secs += fp.parse_secs;
    st[ST_READ].bytes += (double)rs.raw_bytes;
    st[ST_READ].rows += 1;
    st[ST_PARSE].bytes += (double)rs.text_bytes;
    st[ST_PARSE].rows += fp.next_line - 1;
    TAQ_LOG(TAQ_LOG_DEBUG, "%s: %lld lines, %.1f MB%s", f->relpath, (long long)(fp.next_line - 1),
            (double)rs.text_bytes / 1e6, rs.gzip ? " (gzip)" : "");
    return rc;
}

taq_rc taq_pipeline_load(run_ctx_t *ctx, const taq_input_date_t *d, taq_batch_t *b,
                         stage_t *st)
{
    taq_rc rc = TAQ_OK;
    if (ctx->rank == 0)
        for (size_t fi = 0; fi < d->n_files && rc == TAQ_OK; fi++)
            rc = load_file(d, fi, b, st);
    return taq_mpi_agree(rc, ctx->comm);
}
