/*
 * fuzz_linereader.c - taq_file_read_lines over random files, cuts and blocks.
 *
 * Input: byte 0 = mode, byte 1 = block/variant bits, byte 2 = number of cut
 * points (0..7), then 2 bytes per cut, then the file content. The file lives
 * in a memfd (opened again through /proc/self/fd), so nothing touches disk.
 *
 * Mode 0, plain: the ranges [0,c1), [c1,c2), ... [ck,END) (END is the file
 * size or UINT64_MAX) are read with a small block size. A line belongs to
 * the range holding its first byte, so range [a,b) must hand over exactly
 * content[L(a), L(b)) where L(x) is the first line start at or after x:
 * the union of the ranges is the file, every line exactly once. A range that
 * starts past the end of the file reads nothing, and a callback that fails
 * stops the read with its own rc.
 * Mode 1, gzip: the content is compressed into one or two members; intact
 * it must read back exactly, truncated or followed by garbage it must be
 * TAQ_ERR_CORRUPT, and a byte range of it is TAQ_ERR_USAGE.
 * Mode 2, raw gzip: the gzip magic followed by arbitrary bytes must give OK
 * or TAQ_ERR_CORRUPT, never anything else.
 * In every mode each callback gets whole lines: only the very last piece of
 * the file may lack its '\n', and text_bytes counts what was handed over.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz_check.h"
#include "taq/linereader.h"

#define MAX_CUTS 7

typedef struct collect {
    char *data;
    size_t len;
    int calls, stop_at; /* stop_at > 0: return TAQ_ERR_RANGE on that call */
    int open_end;       /* the previous piece did not end in '\n' */
} collect_t;

static taq_rc collect_fn(const char *buf, size_t len, void *arg)
{
    collect_t *c = arg;
    FUZZ_REQUIRE(len > 0 && !c->open_end);
    FUZZ_REQUIRE(c->stop_at == 0 || c->calls < c->stop_at);
    c->data = realloc(c->data, c->len + len);
    FUZZ_REQUIRE(c->data != NULL);
    memcpy(c->data + c->len, buf, len);
    c->len += len;
    c->open_end = buf[len - 1] != '\n';
    return ++c->calls == c->stop_at ? TAQ_ERR_RANGE : TAQ_OK;
}

typedef struct file {
    int fd;
    char path[64];
} file_t;

static void file_make(file_t *f, const void *data, size_t len)
{
    f->fd = memfd_create("fuzz_linereader", MFD_CLOEXEC);
    FUZZ_REQUIRE(f->fd >= 0);
    FUZZ_REQUIRE(len == 0 || write(f->fd, data, len) == (ssize_t)len);
    snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

/* Read [start, end) of f into c; returns the rc. */
static taq_rc read_range(const file_t *f, uint64_t start, uint64_t end, size_t block, int stop_at,
                         collect_t *c, taq_read_stats_t *st)
{
    memset(c, 0, sizeof *c);
    c->stop_at = stop_at;
    const taq_rc rc = taq_file_read_lines(f->path, "fuzz", start, end, block, collect_fn, c, st);
    FUZZ_REQUIRE(st->text_bytes == c->len);
    return rc;
}

/* First line start at or after x (a line starts at 0 or after a '\n'); len if none. */
static size_t line_start(const char *s, size_t len, uint64_t x)
{
    if (x == 0)
        return 0;
    for (size_t i = (size_t)x - 1; i < len; i++)
        if (s[i] == '\n')
            return i + 1;
    return len;
}

static int cmp_u64(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void plain_mode(const char *s, size_t len, uint8_t bits, uint64_t *cuts, int ncut)
{
    const size_t block = 1 + len / 64 + (bits >> 2) % 64; /* at most ~64 blocks per line */
    const uint64_t end = bits & 1 ? UINT64_MAX : len;
    file_t f;
    file_make(&f, s, len);
    for (int i = 0; i < ncut; i++)
        cuts[i] %= len + 1;
    qsort(cuts, (size_t)ncut, sizeof cuts[0], cmp_u64);
    collect_t c;
    taq_read_stats_t st;
    uint64_t a = 0;
    for (int i = 0; i <= ncut; i++) {
        const uint64_t b = i < ncut ? cuts[i] : end;
        FUZZ_REQUIRE(read_range(&f, a, b, block, 0, &c, &st) == TAQ_OK);
        const size_t from = line_start(s, len, a), to = line_start(s, len, b);
        FUZZ_REQUIRE(c.len == to - from && (c.len == 0 || memcmp(c.data, s + from, c.len) == 0));
        FUZZ_REQUIRE(!c.open_end || to == len);
        FUZZ_REQUIRE(!st.gzip && st.raw_bytes <= len);
        free(c.data);
        a = b;
    }
    FUZZ_REQUIRE(read_range(&f, (uint64_t)len + 1 + bits, UINT64_MAX, block, 0, &c, &st) == TAQ_OK);
    FUZZ_REQUIRE(c.len == 0);
    free(c.data);
    if (bits & 2) { /* a failing callback stops the read with its rc */
        FUZZ_REQUIRE(read_range(&f, 0, end, block, 1, &c, &st) == (len ? TAQ_ERR_RANGE : TAQ_OK));
        FUZZ_REQUIRE(c.calls == (len ? 1 : 0));
        free(c.data);
    }
    close(f.fd);
}

/* Append one gzip member of s[0..len) to out (cap bytes); returns the new length. */
static size_t gzip_member(const char *s, size_t len, int level, unsigned char *out, size_t at,
                          size_t cap)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    FUZZ_REQUIRE(deflateInit2(&zs, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    zs.next_in = (unsigned char *)(uintptr_t)s;
    zs.avail_in = (uInt)len;
    zs.next_out = out + at;
    zs.avail_out = (uInt)(cap - at);
    FUZZ_REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    at += zs.total_out;
    deflateEnd(&zs);
    return at;
}

static void gzip_mode(const char *s, size_t len, uint8_t bits, const uint64_t *cuts, int ncut)
{
    const size_t split = ncut > 0 ? (size_t)(cuts[0] % (len + 1)) : len;
    const size_t cap = 2 * len + 256;
    unsigned char *gz = malloc(cap + 2);
    FUZZ_REQUIRE(gz != NULL);
    const int variant = bits % 3; /* 0 intact, 1 truncated, 2 trailing garbage */
    size_t glen = gzip_member(s, split, bits % 10, gz, 0, cap);
    /* A second member, but not when truncating: a cut between members is a valid file. */
    if (variant != 1 && split < len)
        glen = gzip_member(s + split, len - split, bits % 10, gz, glen, cap);
    if (variant == 1)
        glen = 2 + (size_t)(ncut > 1 ? cuts[1] : bits) % (glen - 2);
    if (variant == 2) {
        memcpy(gz + glen, "x\x8b", 2);
        glen += 1 + (bits >> 7);
    }
    file_t f;
    file_make(&f, gz, glen);
    free(gz);
    collect_t c;
    taq_read_stats_t st;
    const size_t block = 1 + len / 64 + (bits >> 2) % 64;
    const taq_rc rc = read_range(&f, 0, UINT64_MAX, block, 0, &c, &st);
    FUZZ_REQUIRE(st.gzip);
    if (variant == 0) {
        FUZZ_REQUIRE(rc == TAQ_OK);
        FUZZ_REQUIRE(c.len == len && (len == 0 || memcmp(c.data, s, len) == 0));
    } else {
        FUZZ_REQUIRE(rc == TAQ_ERR_CORRUPT);
    }
    free(c.data);
    FUZZ_REQUIRE(read_range(&f, 1, UINT64_MAX, block, 0, &c, &st) == TAQ_ERR_USAGE);
    FUZZ_REQUIRE(c.len == 0);
    free(c.data);
    close(f.fd);
}

static void raw_gzip_mode(const char *s, size_t len, uint8_t bits)
{
    char *raw = malloc(len + 2);
    FUZZ_REQUIRE(raw != NULL);
    memcpy(raw, "\x1f\x8b", 2);
    memcpy(raw + 2, s, len);
    file_t f;
    file_make(&f, raw, len + 2);
    free(raw);
    collect_t c;
    taq_read_stats_t st;
    const taq_rc rc = read_range(&f, 0, UINT64_MAX, 1 + (size_t)bits * 64, 0, &c, &st);
    FUZZ_REQUIRE(rc == TAQ_OK || rc == TAQ_ERR_CORRUPT);
    FUZZ_REQUIRE(st.gzip);
    free(c.data);
    close(f.fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    const uint8_t mode = data[0] % 3, bits = data[1];
    const int ncut = data[2] % (MAX_CUTS + 1);
    size_t pos = 3;
    uint64_t cuts[MAX_CUTS];
    for (int i = 0; i < ncut; i++, pos += 2)
        cuts[i] = pos + 1 < size ? (uint64_t)data[pos] | (uint64_t)data[pos + 1] << 8 : 0;
    pos = pos < size ? pos : size;
    const char *s = (const char *)data + pos;
    const size_t len = size - pos;
    if (mode == 0 && !(len >= 2 && s[0] == '\x1f' && s[1] == '\x8b'))
        plain_mode(s, len, bits, cuts, ncut);
    else if (mode == 1)
        gzip_mode(s, len, bits, cuts, ncut);
    else if (mode == 2)
        raw_gzip_mode(s, len, bits);
    return 0;
}
