/*
 * pieces.c - cut a date's files into byte ranges balanced across ranks.
 *
 * Streams. The files of one folder (consecutive in the sorted file list)
 * form a stream: an exchange's submission cut into part files, in symbol
 * order in the canonical layout. Every stream is cut into nranks spans of
 * equal weight and rank k reads span k of every stream. With streams in
 * symbol order, each rank then reads about the same range of symbols from
 * every exchange, which is the range of (symbol, exchange) pairs the route
 * gives it, so the shuffle moves almost nothing. On the 10 M-event bench
 * day (three exchange folders) a rank on 2 sent half of its records away
 * (shuffle 1.0-1.1 s) when ranks read whole folders, and 2.4 % (0.16-0.21
 * s) this way; the run went from 7.6-8.4 s to 6.2-6.5 s. Input in any
 * other order is no worse off than with whole folders per rank. Each rank
 * also gets the same mix of formats, so the balance does not rest on the
 * cost model of CSV against JSON.
 *
 * Parts. A rank's share of a stream is cut further into `parts` spans, so
 * that a rank that finishes early can take over the end of a slower rank's
 * share (taq_claims): every stream is cut into nranks x parts spans, and
 * span j is part j % parts of rank j / parts's share. The end of rank k's
 * share borders rank k + 1's symbols, so what rank k + 1 takes over is
 * mostly its own pairs' records.
 *
 * Weight. The weight of a file is its text bytes (gzip bytes counted
 * TAQ_GZIP_WEIGHT times since they inflate) plus TAQ_LINE_WEIGHT per line,
 * lines estimated from the mean line length the scan sampled.
 *
 * Cuts. Within a stream, a plain file is cut where a span boundary falls
 * inside it (at the same fraction of its bytes; the line reader then aligns
 * each cut to a line). A gzip file cannot be cut, and a stream of a few
 * gzip files would send every one of them to the same middle span, so gzip
 * files are balanced on one axis of their own, across streams: each goes
 * whole to the span holding its middle. Pieces come out in (file, offset)
 * order; ranks interleave, so /rejects is put back in (file, line) order
 * after the parse (taq_shuffle_runs).
 */
#include <stdlib.h>
#include <string.h>

#include "taq/plan.h"

static uint64_t weight(const taq_input_file_t *f)
{
    const uint64_t text = f->gzip ? f->size * TAQ_GZIP_WEIGHT : f->size;
    const uint64_t line = f->line_bytes ? f->line_bytes : TAQ_LINE_BYTES_GUESS;
    return text + (uint64_t)((unsigned __int128)text * TAQ_LINE_WEIGHT / line);
}

/* The span that holds axis position pos (total > 0). */
static int span_of(unsigned __int128 pos, uint64_t total, int nspans)
{
    unsigned __int128 r = pos * (unsigned)nspans / total;
    return r >= (unsigned)nspans ? nspans - 1 : (int)r;
}

/* First axis position of span k: ceil(k * total / nspans). */
static uint64_t span_start(int k, uint64_t total, int nspans)
{
    unsigned __int128 num = (unsigned __int128)k * total;
    return (uint64_t)((num + (unsigned)nspans - 1) / (unsigned)nspans);
}

/* A piece of span j: span j is part j % parts of rank j / parts's share. */
static taq_piece_t *push(taq_vec_t *v, uint32_t fi, int j, int parts, uint64_t start, uint64_t end)
{
    taq_piece_t *p = taq_vec_push(v);
    *p = (taq_piece_t){
        .file_idx = fi, .rank = j / parts, .part = j % parts, .start = start, .end = end};
    return p;
}

/*
 * Pieces of plain file fi of `size` bytes, which occupies [at, at + w) on
 * the axis; an axis position inside it maps to a byte offset in proportion.
 */
static void cut_plain(taq_vec_t *v, uint32_t fi, uint64_t size, uint64_t at, uint64_t w,
                      uint64_t total, int nspans, int parts)
{
    int k = span_of(at, total, nspans);
    uint64_t start = 0;
    for (;;) {
        uint64_t next = k + 1 < nspans ? span_start(k + 1, total, nspans) : UINT64_MAX;
        if (next >= at + w) {
            push(v, fi, k, parts, start, UINT64_MAX); /* the last piece reads to EOF */
            return;
        }
        uint64_t cut = (uint64_t)((unsigned __int128)(next - at) * size / w);
        if (cut > start)
            push(v, fi, k, parts, start, cut);
        start = cut > start ? cut : start;
        k++;
    }
}

/* One past the last file of the stream that starts at file s: same folder. */
static size_t stream_end(const taq_input_date_t *d, size_t s)
{
    const char *a = d->files[s].relpath, *slash = strrchr(a, '/');
    const size_t dir = slash ? (size_t)(slash - a) + 1 : 0;
    size_t e = s + 1;
    while (e < d->n_files) {
        const char *b = d->files[e].relpath;
        if (strncmp(a, b, dir) != 0 || strchr(b + dir, '/') != NULL)
            break;
        e++;
    }
    return e;
}

int taq_plan_parts(const taq_input_date_t *d, int nranks)
{
    if (nranks <= 1)
        return 1; /* nobody to share with */
    uint64_t total = 0;
    for (size_t i = 0; i < d->n_files; i++)
        total += weight(&d->files[i]);
    const uint64_t parts = total / ((uint64_t)nranks * TAQ_PLAN_PART_MIN);
    return parts < 1 ? 1 : parts > TAQ_PLAN_PARTS ? TAQ_PLAN_PARTS : (int)parts;
}

void taq_plan_pieces(const taq_input_date_t *d, int nranks, int parts, taq_piece_t **pieces,
                     size_t *n)
{
    if (parts < 1)
        parts = 1;
    const int nspans = nranks * parts;
    uint64_t gz_total = 0, gz_at = 0;
    for (size_t i = 0; i < d->n_files; i++)
        if (d->files[i].gzip)
            gz_total += weight(&d->files[i]);
    taq_vec_t v;
    taq_vec_init(&v, sizeof(taq_piece_t));
    for (size_t s = 0, e; s < d->n_files; s = e) {
        e = stream_end(d, s);
        uint64_t total = 0, at = 0;
        for (size_t i = s; i < e; i++)
            if (!d->files[i].gzip)
                total += weight(&d->files[i]);
        for (size_t i = s; i < e; i++) {
            const taq_input_file_t *f = &d->files[i];
            const uint64_t w = weight(f);
            if (f->gzip) {
                const int k =
                    gz_total ? span_of((unsigned __int128)gz_at + w / 2, gz_total, nspans) : 0;
                push(&v, (uint32_t)i, k, parts, 0, UINT64_MAX);
                gz_at += w;
                continue;
            }
            if (w == 0) /* empty: read (and counted) by the rank of its place */
                push(&v, (uint32_t)i, total ? span_of(at, total, nspans) : 0, parts, 0, UINT64_MAX);
            else
                cut_plain(&v, (uint32_t)i, f->size, at, w, total, nspans, parts);
            at += w;
        }
    }
    *pieces = v.data;
    *n = v.len;
}
