/*
 * load.c - read and parse a date's files.
 *
 * Until the distribution work lands, rank 0 reads every file of the date and
 * the other ranks hold nothing; the answer does not depend on that, because
 * rank 0 then owns every symbol. Files are read in the date's sorted order so
 * rejects come out in (file, line) order.
 */
#include <string.h>

#include "pipeline_internal.h"
#include "taq/fileio.h"

/* Read and parse one file into b. */
static taq_rc load_file(const taq_input_date_t *d, size_t fi, taq_batch_t *b, stage_t *st)
{
    const taq_input_file_t *f = &d->files[fi];
    taq_filebuf_t buf;
    double t0 = taq_now();
    TAQ_TRY(taq_file_read_all(f->path, f->relpath, &buf));
    double t1 = taq_now();
    taq_line_ctx_t lctx = {.format = f->format, .folder_date = d->date, .file_idx = (uint32_t)fi};
    int64_t lines = taq_parse_buffer(&lctx, f->relpath, buf.data, buf.len, 1, b);
    double t2 = taq_now();
    st[ST_READ].secs += t1 - t0;
    st[ST_READ].bytes += (double)buf.raw_bytes;
    st[ST_READ].rows += 1;
    st[ST_PARSE].secs += t2 - t1;
    st[ST_PARSE].bytes += (double)buf.len;
    st[ST_PARSE].rows += lines;
    TAQ_LOG(TAQ_LOG_DEBUG, "%s: %lld lines, %.1f MB%s", f->relpath, (long long)lines,
            (double)buf.len / 1e6, buf.gzip ? " (gzip)" : "");
    taq_filebuf_free(&buf);
    return TAQ_OK;
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
