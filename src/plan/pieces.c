/*
 * pieces.c - cut a date's files into byte ranges balanced across ranks.
 *
 * Files are laid end to end (in their sorted order) on one axis of "weight",
 * the estimated cost of loading them, and the axis is cut into nranks equal
 * spans. The weight of a file is its text bytes (gzip bytes counted
 * TAQ_GZIP_WEIGHT times since they inflate) plus TAQ_LINE_WEIGHT per line,
 * lines estimated from the mean line length the scan sampled. Balancing
 * bytes alone gave the rank that read the CSV files (120-byte lines) twice
 * the records of the rank that read JSON (257-byte lines) on the same
 * bytes, 30 % more parse time, and the larger share of the records to move
 * and hold.
 *
 * Rank k reads what starts in span k: a plain file is cut where a span
 * boundary falls inside it (at the same fraction of its bytes; the line
 * reader then aligns each cut to a line), a gzip file goes whole to the span
 * holding its middle. Ranks therefore read contiguous stretches of the input
 * in file order, which keeps /rejects in (file, line) order when ranks are
 * concatenated.
 */
#include <stdlib.h>

#include "taq/plan.h"

static uint64_t weight(const taq_input_file_t *f)
{
    const uint64_t text = f->gzip ? f->size * TAQ_GZIP_WEIGHT : f->size;
    const uint64_t line = f->line_bytes ? f->line_bytes : TAQ_LINE_BYTES_GUESS;
    return text + (uint64_t)((unsigned __int128)text * TAQ_LINE_WEIGHT / line);
}

/* The rank whose span holds axis position pos (total > 0). */
static int span_of(unsigned __int128 pos, uint64_t total, int nranks)
{
    unsigned __int128 r = pos * (unsigned)nranks / total;
    return r >= (unsigned)nranks ? nranks - 1 : (int)r;
}

/* First axis position of span k: ceil(k * total / nranks). */
static uint64_t span_start(int k, uint64_t total, int nranks)
{
    unsigned __int128 num = (unsigned __int128)k * total;
    return (uint64_t)((num + (unsigned)nranks - 1) / (unsigned)nranks);
}

static taq_piece_t *push(taq_vec_t *v, uint32_t fi, int rank, uint64_t start, uint64_t end)
{
    taq_piece_t *p = taq_vec_push(v);
    *p = (taq_piece_t){.file_idx = fi, .rank = rank, .start = start, .end = end};
    return p;
}

/*
 * Pieces of plain file fi of `size` bytes, which occupies [at, at + w) on
 * the axis; an axis position inside it maps to a byte offset in proportion.
 */
static void cut_plain(taq_vec_t *v, uint32_t fi, uint64_t size, uint64_t at, uint64_t w,
                      uint64_t total, int nranks)
{
    int k = span_of(at, total, nranks);
    uint64_t start = 0;
    for (;;) {
        uint64_t next = k + 1 < nranks ? span_start(k + 1, total, nranks) : UINT64_MAX;
        if (next >= at + w) {
            push(v, fi, k, start, UINT64_MAX); /* the last piece reads to EOF */
            return;
        }
        uint64_t cut = (uint64_t)((unsigned __int128)(next - at) * size / w);
        if (cut > start)
            push(v, fi, k, start, cut);
        start = cut > start ? cut : start;
        k++;
    }
}

void taq_plan_pieces(const taq_input_date_t *d, int nranks, taq_piece_t **pieces, size_t *n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < d->n_files; i++)
        total += weight(&d->files[i]);
    taq_vec_t v;
    taq_vec_init(&v, sizeof(taq_piece_t));
    uint64_t at = 0;
    for (size_t i = 0; i < d->n_files; i++) {
        const taq_input_file_t *f = &d->files[i];
        uint64_t w = weight(f);
        if (total == 0)
            push(&v, (uint32_t)i, 0, 0, UINT64_MAX);
        else if (f->gzip || w == 0)
            push(&v, (uint32_t)i, span_of((unsigned __int128)at + w / 2, total, nranks), 0,
                 UINT64_MAX);
        else
            cut_plain(&v, (uint32_t)i, f->size, at, w, total, nranks);
        at += w;
    }
    *pieces = v.data;
    *n = v.len;
}
