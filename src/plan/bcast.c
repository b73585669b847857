/*
 * bcast.c - ship rank 0's inventory to every rank.
 *
 * Packed as a flat byte buffer: rc, counts, then per date its day number and
 * files (format, size, relpath, path as NUL-terminated strings). One size
 * broadcast, one data broadcast in pieces that keep every count an int.
 */
#include <stdlib.h>
#include <string.h>

#include "taq/plan.h"

typedef struct pack {
    char *buf;
    size_t len, cap, pos;
} pack_t;

static void put(pack_t *p, const void *src, size_t n)
{
    if (p->len + n > p->cap) {
        p->cap = (p->len + n) * 2;
        p->buf = TAQ_REALLOC(p->buf, p->cap);
    }
    memcpy(p->buf + p->len, src, n);
    p->len += n;
}

static void put_str(pack_t *p, const char *s)
{
    put(p, s, strlen(s) + 1);
}

static void get(pack_t *p, void *dst, size_t n)
{
    if (p->pos + n > p->len)
        TAQ_ABORT("inventory message truncated (%zu + %zu > %zu)", p->pos, n, p->len);
    memcpy(dst, p->buf + p->pos, n);
    p->pos += n;
}

static char *get_str(pack_t *p)
{
    size_t n = strnlen(p->buf + p->pos, p->len - p->pos);
    if (p->pos + n >= p->len)
        TAQ_ABORT("inventory message truncated in a string");
    char *s = TAQ_STRDUP(p->buf + p->pos);
    p->pos += n + 1;
    return s;
}

static void pack_inventory(pack_t *p, int32_t rc, const taq_inventory_t *inv)
{
    uint64_t nd = inv->n_dates, ni = inv->n_ignored;
    put(p, &rc, sizeof rc);
    put(p, &nd, sizeof nd);
    put(p, &ni, sizeof ni);
    for (size_t i = 0; i < inv->n_dates; i++) {
        const taq_input_date_t *d = &inv->dates[i];
        uint64_t nf = d->n_files;
        put(p, &d->date, sizeof d->date);
        put(p, &nf, sizeof nf);
        for (size_t j = 0; j < d->n_files; j++) {
            int32_t fmt = (int32_t)d->files[j].format, gz = d->files[j].gzip;
            put(p, &fmt, sizeof fmt);
            put(p, &gz, sizeof gz);
            put(p, &d->files[j].size, sizeof d->files[j].size);
            put(p, &d->files[j].line_bytes, sizeof d->files[j].line_bytes);
            put_str(p, d->files[j].relpath);
            put_str(p, d->files[j].path);
        }
    }
}

static int32_t unpack_inventory(pack_t *p, taq_inventory_t *inv)
{
    int32_t rc;
    uint64_t nd, ni;
    get(p, &rc, sizeof rc);
    get(p, &nd, sizeof nd);
    get(p, &ni, sizeof ni);
    inv->n_dates = nd;
    inv->n_ignored = ni;
    inv->dates = TAQ_CALLOC(nd, sizeof *inv->dates);
    for (size_t i = 0; i < nd; i++) {
        taq_input_date_t *d = &inv->dates[i];
        uint64_t nf;
        get(p, &d->date, sizeof d->date);
        get(p, &nf, sizeof nf);
        d->n_files = nf;
        d->files = TAQ_CALLOC(nf, sizeof *d->files);
        for (size_t j = 0; j < nf; j++) {
            int32_t fmt, gz;
            get(p, &fmt, sizeof fmt);
            get(p, &gz, sizeof gz);
            d->files[j].format = (taq_format_t)fmt;
            d->files[j].gzip = gz;
            get(p, &d->files[j].size, sizeof d->files[j].size);
            get(p, &d->files[j].line_bytes, sizeof d->files[j].line_bytes);
            d->files[j].relpath = get_str(p);
            d->files[j].path = get_str(p);
        }
    }
    return rc;
}

taq_rc taq_inventory_bcast(taq_rc rc, taq_inventory_t *inv, MPI_Comm comm)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    pack_t p = {0};
    if (rank == 0)
        pack_inventory(&p, (int32_t)rc, inv);
    uint64_t len = p.len;
    TAQ_MPI_CHECK(MPI_Bcast(&len, 1, MPI_UINT64_T, 0, comm));
    if (rank != 0) {
        p.buf = TAQ_MALLOC(len);
        p.len = p.cap = len;
    }
    const size_t piece = (size_t)1 << 30;
    for (size_t off = 0; off < len; off += piece) {
        size_t n = len - off < piece ? len - off : piece;
        TAQ_MPI_CHECK(MPI_Bcast(p.buf + off, (int)n, MPI_BYTE, 0, comm));
    }
    if (rank != 0) {
        taq_inventory_free(inv);
        rc = (taq_rc)unpack_inventory(&p, inv);
    }
    free(p.buf);
    return rc;
}
