/*
 * fileio.c - whole-file reads, with zlib for gzip members.
 *
 * The raw file is read with read(2) in one buffer sized by fstat; a gzip
 * file is then inflated member after member into a buffer that doubles as
 * it fills. Anything after a member's end that is not another member is
 * corruption, as is a stream that stops before its end: both fail the file.
 */
#include "taq/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

int taq_is_gzip(const unsigned char *p, size_t len)
{
    return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

static taq_rc read_raw(const char *path, const char *shown, char **data, size_t *len)
{
    taq_rc rc = TAQ_OK;
    char *buf = NULL;
    int fd = open(path, O_RDONLY);
    TAQ_FAIL_IF(fd < 0, TAQ_ERR_IO, "cannot open %s: %s", shown, strerror(errno));
    struct stat st;
    TAQ_GOTO_IF(fstat(fd, &st) != 0, TAQ_ERR_IO, "cannot stat %s: %s", shown, strerror(errno));
    TAQ_GOTO_IF(!S_ISREG(st.st_mode), TAQ_ERR_IO, "%s is not a regular file", shown);
    size_t size = (size_t)st.st_size, got = 0;
    buf = TAQ_MALLOC(size + 1);
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        TAQ_GOTO_IF(r < 0, TAQ_ERR_IO, "cannot read %s: %s", shown, strerror(errno));
        TAQ_GOTO_IF(r == 0, TAQ_ERR_IO, "%s shrank while being read (%zu of %zu bytes)", shown,
                    got, size);
        got += (size_t)r;
    }
    *data = buf;
    *len = size;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return rc;
}

static void grow(char **out, size_t *cap, size_t need)
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap : 1 << 16;
    while (c < need)
        c *= 2;
    *out = TAQ_REALLOC(*out, c);
    *cap = c;
}

/* Inflate every gzip member of raw[0..n) into *out. */
static taq_rc gunzip(const char *shown, const unsigned char *raw, size_t n, char **out,
                     size_t *outlen)
{
    taq_rc rc = TAQ_OK;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    TAQ_FAIL_IF(inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK, TAQ_ERR_CORRUPT,
                "cannot start gunzip of %s", shown);
    size_t cap = 0, len = 0, pos = 0;
    char *buf = NULL;
    grow(&buf, &cap, n * 4 + 1);
    for (;;) {
        size_t chunk = n - pos > (1u << 30) ? (1u << 30) : n - pos;
        zs.next_in = (unsigned char *)(uintptr_t)(raw + pos);
        zs.avail_in = (uInt)chunk;
        if (len == cap)
            grow(&buf, &cap, cap + 1);
        size_t room = cap - len > (1u << 30) ? (1u << 30) : cap - len;
        zs.next_out = (unsigned char *)buf + len;
        zs.avail_out = (uInt)room;
        int z = inflate(&zs, Z_NO_FLUSH);
        pos += chunk - zs.avail_in;
        len += room - zs.avail_out;
        if (z == Z_STREAM_END) {
            if (pos == n)
                break;
            /* Another member must follow; anything else is trailing garbage. */
            TAQ_GOTO_IF(!taq_is_gzip(raw + pos, n - pos), TAQ_ERR_CORRUPT,
                        "%s: corrupt gzip (garbage after member at byte %zu)", shown, pos);
            inflateReset(&zs);
            continue;
        }
        TAQ_GOTO_IF(z != Z_OK && z != Z_BUF_ERROR, TAQ_ERR_CORRUPT, "%s: corrupt gzip (%s)",
                    shown, zs.msg ? zs.msg : "inflate error");
        TAQ_GOTO_IF(z == Z_BUF_ERROR && pos == n && zs.avail_out > 0, TAQ_ERR_CORRUPT,
                    "%s: truncated gzip (stream ends before its trailer)", shown);
        if (zs.avail_out == 0)
            grow(&buf, &cap, cap * 2);
    }
    *out = buf;
    *outlen = len;
    buf = NULL;
out:
    inflateEnd(&zs);
    free(buf);
    return rc;
}

taq_rc taq_file_read_all(const char *path, const char *shown, taq_filebuf_t *out)
{
    memset(out, 0, sizeof *out);
    char *raw = NULL;
    size_t n = 0;
    TAQ_TRY(read_raw(path, shown, &raw, &n));
    out->raw_bytes = n;
    if (!taq_is_gzip((const unsigned char *)raw, n)) {
        out->data = raw;
        out->len = n;
        return TAQ_OK;
    }
    out->gzip = 1;
    taq_rc rc = gunzip(shown, (const unsigned char *)raw, n, &out->data, &out->len);
    free(raw);
    return rc;
}

void taq_filebuf_free(taq_filebuf_t *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}
