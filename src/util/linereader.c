/*
 * linereader.c - block-wise line streaming over a byte range or a gzip file.
 *
 * Ownership rule for ranges: the line holding byte `start` belongs to the
 * previous range unless byte start-1 is '\n' (or start is 0); the last line
 * of a range is the one holding byte end-1. So ranges [a,b) and [b,c) split
 * the lines of [a,c) exactly, and a line exactly at a boundary is read once.
 * Whole lines are handed to the callback as soon as a block ends; the
 * partial line at the end of a block is carried to the next one.
 */
#include "taq/linereader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

typedef struct lbuf {
    char *data;
    size_t len, cap;
} lbuf_t;

typedef struct sink {
    taq_lines_fn fn;
    void *arg;
    taq_read_stats_t *st;
} sink_t;

static void reserve(lbuf_t *b, size_t need)
{
    if (need <= b->cap)
        return;
    /* First use: room for a block plus the partial line carried over, at once. */
    size_t c = b->cap ? b->cap : need + ((size_t)1 << 17);
    while (c < need)
        c *= 2;
    b->data = TAQ_REALLOC(b->data, c);
    b->cap = c;
}

/* Hand b[0..n) to the callback and keep the rest at the front. */
static taq_rc emit(lbuf_t *b, size_t n, const sink_t *s)
{
    if (n == 0)
        return TAQ_OK;
    s->st->text_bytes += n;
    taq_rc rc = s->fn(b->data, n, s->arg);
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    return rc;
}

/* Length of the prefix of b that ends in its last '\n' (0 if none). */
static size_t whole_prefix(const lbuf_t *b)
{
    for (size_t i = b->len; i > 0; i--)
        if (b->data[i - 1] == '\n')
            return i;
    return 0;
}

static taq_rc pread_full(int fd, const char *shown, char *dst, size_t n, uint64_t off, size_t *got)
{
    for (;;) {
        ssize_t r = pread(fd, dst, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        TAQ_FAIL_IF(r < 0, TAQ_ERR_IO, "cannot read %s at byte %llu: %s", shown,
                    (unsigned long long)off, strerror(errno));
        *got = (size_t)r;
        return TAQ_OK;
    }
}

/* 1 when the range's first line starts at `start`, 0 when it starts after the next '\n'. */
static taq_rc starts_clean(int fd, const char *shown, uint64_t start, int *clean)
{
    *clean = 1;
    if (start == 0)
        return TAQ_OK;
    char c = 0;
    size_t got = 0;
    TAQ_TRY(pread_full(fd, shown, &c, 1, start - 1, &got));
    *clean = got == 1 && c == '\n';
    return TAQ_OK;
}

/* Drop the partial line at the front of b (it belongs to the previous range). */
static int skip_partial(lbuf_t *b, uint64_t *buf_off)
{
    char *nl = memchr(b->data, '\n', b->len);
    size_t n = nl ? (size_t)(nl - b->data) + 1 : b->len;
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    *buf_off += n;
    return nl != NULL;
}

/*
 * After a block arrived: emit what is ours. *done is set once the line
 * holding byte end-1 has been emitted.
 */
static taq_rc emit_range(lbuf_t *b, uint64_t *buf_off, uint64_t end, const sink_t *s, int *done)
{
    if (*buf_off >= end) {
        *done = 1;
        return TAQ_OK;
    }
    size_t n = whole_prefix(b);
    if (end - 1 < *buf_off + b->len) {
        char *nl = memchr(b->data + (end - 1 - *buf_off), '\n', b->len - (end - 1 - *buf_off));
        if (nl) {
            n = (size_t)(nl - b->data) + 1;
            *done = 1;
        }
    }
    *buf_off += n;
    return emit(b, n, s);
}

static taq_rc read_plain(int fd, const char *shown, uint64_t start, uint64_t end, size_t block,
                         const sink_t *s)
{
    int clean, done = 0;
    TAQ_TRY(starts_clean(fd, shown, start, &clean));
    lbuf_t b = {0};
    uint64_t pos = start, buf_off = start;
    taq_rc rc = TAQ_OK;
    while (rc == TAQ_OK && !done) {
        /* Past `end` only the rest of the last line is needed: read little there. */
        size_t want = block;
        if (end != UINT64_MAX && pos + block > end)
            want = (size_t)(pos < end ? end - pos : 0) + ((size_t)1 << 16);
        want = want < block ? want : block;
        reserve(&b, b.len + want);
        size_t got;
        rc = pread_full(fd, shown, b.data + b.len, want, pos, &got);
        if (rc != TAQ_OK || got == 0)
            break;
        pos += got;
        b.len += got;
        s->st->raw_bytes += got;
        if (!clean && !(clean = skip_partial(&b, &buf_off)))
            continue;
        rc = emit_range(&b, &buf_off, end, s, &done);
    }
    /* End of file: a last line without '\n' is still a line. */
    if (rc == TAQ_OK && !done && clean && b.len > 0 && buf_off < end)
        rc = emit(&b, b.len, s);
    free(b.data);
    return rc;
}

typedef struct gz {
    z_stream zs;
    unsigned char *in;
    size_t in_cap;
    int ended; /* the last member ended and no input followed yet */
} gz_t;

/* Refill the input when it is empty. *eof when the file has no more bytes. */
static taq_rc gz_refill(int fd, const char *shown, gz_t *g, uint64_t *pos, int *eof,
                        taq_read_stats_t *st)
{
    *eof = 0;
    if (g->zs.avail_in > 0)
        return TAQ_OK;
    size_t got;
    TAQ_TRY(pread_full(fd, shown, (char *)g->in, g->in_cap, *pos, &got));
    *pos += got;
    st->raw_bytes += got;
    g->zs.next_in = g->in;
    g->zs.avail_in = (uInt)got;
    *eof = got == 0;
    return TAQ_OK;
}

/* One inflate step into b; handles member boundaries. */
static taq_rc gz_step(const char *shown, gz_t *g, lbuf_t *b, size_t block)
{
    if (g->ended) {
        /* More input after a member's end: it must be another member. */
        TAQ_FAIL_IF(g->zs.avail_in >= 2 && (g->zs.next_in[0] != 0x1f || g->zs.next_in[1] != 0x8b),
                    TAQ_ERR_CORRUPT, "%s: corrupt gzip (garbage after the end of a member)", shown);
        inflateReset(&g->zs);
        g->ended = 0;
    }
    reserve(b, b->len + block);
    size_t room = b->cap - b->len > (1u << 30) ? (1u << 30) : b->cap - b->len;
    g->zs.next_out = (unsigned char *)b->data + b->len;
    g->zs.avail_out = (uInt)room;
    int z = inflate(&g->zs, Z_NO_FLUSH);
    b->len += room - g->zs.avail_out;
    if (z == Z_STREAM_END)
        g->ended = 1;
    else
        TAQ_FAIL_IF(z != Z_OK && z != Z_BUF_ERROR, TAQ_ERR_CORRUPT, "%s: corrupt gzip (%s)", shown,
                    g->zs.msg ? g->zs.msg : "inflate failed");
    return TAQ_OK;
}

static taq_rc read_gzip(int fd, const char *shown, size_t block, const sink_t *s)
{
    gz_t g;
    memset(&g, 0, sizeof g);
    TAQ_FAIL_IF(inflateInit2(&g.zs, 16 + MAX_WBITS) != Z_OK, TAQ_ERR_CORRUPT,
                "%s: cannot start gunzip", shown);
    g.in_cap = (size_t)1 << 20;
    g.in = TAQ_MALLOC(g.in_cap);
    lbuf_t b = {0};
    uint64_t pos = 0;
    taq_rc rc = TAQ_OK;
    for (;;) {
        int eof;
        rc = gz_refill(fd, shown, &g, &pos, &eof, s->st);
        if (rc != TAQ_OK || eof)
            break;
        rc = gz_step(shown, &g, &b, block);
        if (rc == TAQ_OK && b.len >= block)
            rc = emit(&b, whole_prefix(&b), s);
        if (rc != TAQ_OK)
            break;
    }
    if (rc == TAQ_OK && !g.ended) {
        taq_err_set("%s: truncated gzip (the stream ends before its trailer)", shown);
        rc = TAQ_ERR_CORRUPT;
    }
    if (rc == TAQ_OK)
        rc = emit(&b, b.len, s);
    inflateEnd(&g.zs);
    free(g.in);
    free(b.data);
    return rc;
}

int taq_file_sample(const char *path, const char *shown, taq_file_sample_t *out)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        taq_err_set("cannot open %s: %s", shown, strerror(errno));
        return -1;
    }
    char *buf = TAQ_MALLOC(TAQ_SAMPLE_BYTES);
    size_t got = 0;
    taq_rc rc = pread_full(fd, shown, buf, TAQ_SAMPLE_BYTES, 0, &got);
    close(fd);
    if (rc == TAQ_OK) {
        const unsigned char *u = (const unsigned char *)buf;
        out->gzip = got >= 2 && u[0] == 0x1f && u[1] == 0x8b;
        size_t lines = 0, last = 0;
        for (const char *p = buf; (p = memchr(p, '\n', got - (size_t)(p - buf))) != NULL; p++) {
            lines++;
            last = (size_t)(p - buf) + 1;
        }
        if (!out->gzip)
            out->line_bytes = (uint32_t)(lines ? last / lines : got);
    }
    free(buf);
    return rc == TAQ_OK ? 0 : -1;
}

taq_rc taq_file_read_lines(const char *path, const char *shown, uint64_t start, uint64_t end,
                           size_t block, taq_lines_fn fn, void *arg, taq_read_stats_t *stats)
{
    taq_read_stats_t local;
    memset(&local, 0, sizeof local);
    sink_t s = {fn, arg, &local};
    block = block ? block : TAQ_READ_BLOCK_DEFAULT;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    TAQ_FAIL_IF(fd < 0, TAQ_ERR_IO, "cannot open %s: %s", shown, strerror(errno));
    unsigned char m[2] = {0, 0};
    size_t got = 0;
    taq_rc rc = pread_full(fd, shown, (char *)m, 2, 0, &got);
    local.gzip = got == 2 && m[0] == 0x1f && m[1] == 0x8b;
    if (rc == TAQ_OK && local.gzip) {
        if (start != 0 || end != UINT64_MAX) {
            taq_err_set("%s is gzip and cannot be read by byte range", shown);
            rc = TAQ_ERR_USAGE;
        } else {
            rc = read_gzip(fd, shown, block, &s);
        }
    } else if (rc == TAQ_OK) {
        rc = read_plain(fd, shown, start, end, block, &s);
    }
    close(fd);
    if (stats)
        *stats = local;
    return rc;
}
