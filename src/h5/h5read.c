/*
 * h5read.c - serial reader of a date's file (tests and tools).
 *
 * Opens with the default (sec2) driver, so it needs no communicator: it works
 * in a plain process, and in one rank of an MPI job while the others do
 * something else. Datasets are read whole with the native memory compound
 * types built from the same field tables as the writer (h5types.c); HDF5
 * converts the little-endian packed file layout to the struct layout.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "h5/h5_internal.h"
#include "h5/h5_testing.h"
#include "taq/h5.h"

/* Read a whole 1-D dataset into a new array (NULL when it has no rows). */
static taq_rc read_dataset(hid_t fid, const taq_h5_table_t *t, const char *path, void **rows,
                           size_t *n)
{
    taq_rc rc = TAQ_OK;
    hsize_t dims = 0;
    void *buf = NULL;
    hid_t mtype = H5I_INVALID_HID, space = H5I_INVALID_HID;
    hid_t dset = H5Dopen2(fid, t->name, H5P_DEFAULT);
    if (dset >= 0)
        space = H5Dget_space(dset);
    if (space < 0 || H5Sget_simple_extent_ndims(space) != 1 ||
        H5Sget_simple_extent_dims(space, &dims, NULL) < 0) {
        rc = taq_h5_fail("cannot open 1-D dataset /%s in %s", t->name, path);
        goto out;
    }
    TAQ_GOTO_IF(dims > SIZE_MAX / t->row_size, TAQ_ERR_RANGE, "/%s in %s has too many rows",
                t->name, path);
    mtype = taq_h5_type_create(t, 0);
    if (dims > 0)
        buf = TAQ_CALLOC((size_t)dims, t->row_size);
    if (mtype < 0 || (dims > 0 && H5Dread(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)) {
        rc = taq_h5_fail("cannot read /%s in %s", t->name, path);
        goto out;
    }
    *rows = buf;
    *n = (size_t)dims;
    buf = NULL;
out:
    free(buf);
    if (mtype >= 0)
        H5Tclose(mtype);
    if (space >= 0)
        H5Sclose(space);
    if (dset >= 0)
        H5Dclose(dset);
    return rc;
}

/* Read a fixed-length string attribute into a new NUL-terminated string. */
static taq_rc read_str_attr(hid_t fid, const char *name, const char *path, char **out)
{
    taq_rc rc = TAQ_OK;
    char *buf = NULL;
    hid_t mtype = H5I_INVALID_HID, ftype = H5I_INVALID_HID;
    hid_t attr = H5Aopen(fid, name, H5P_DEFAULT);
    if (attr >= 0)
        ftype = H5Aget_type(attr);
    if (ftype < 0 || H5Tget_class(ftype) != H5T_STRING || H5Tis_variable_str(ftype) != 0) {
        rc = taq_h5_fail("cannot read fixed-length string attribute %s in %s", name, path);
        goto out;
    }
    size_t size = H5Tget_size(ftype);
    mtype = taq_h5_str_type(size);
    buf = TAQ_CALLOC(size + 1, 1);
    if (mtype < 0 || H5Aread(attr, mtype, buf) < 0) {
        rc = taq_h5_fail("cannot read attribute %s in %s", name, path);
        goto out;
    }
    *out = buf;
    buf = NULL;
out:
    free(buf);
    if (mtype >= 0)
        H5Tclose(mtype);
    if (ftype >= 0)
        H5Tclose(ftype);
    if (attr >= 0)
        H5Aclose(attr);
    return rc;
}

static taq_rc read_i64_attr(hid_t fid, const char *name, const char *path, int64_t *v)
{
    hid_t attr = H5Aopen(fid, name, H5P_DEFAULT);
    herr_t e = attr < 0 ? -1 : H5Aread(attr, H5T_NATIVE_INT64, v);
    if (attr >= 0)
        H5Aclose(attr);
    return e < 0 ? taq_h5_fail("cannot read attribute %s in %s", name, path) : TAQ_OK;
}

static taq_rc read_attrs(hid_t fid, const char *path, taq_h5_date_t *d)
{
    char *dt = NULL;
    TAQ_TRY(read_str_attr(fid, "trade_dt", path, &dt));
    strncpy(d->attrs.trade_dt, dt, sizeof d->attrs.trade_dt - 1);
    free(dt);
    TAQ_TRY(read_str_attr(fid, "job", path, &d->job));
    TAQ_TRY(read_str_attr(fid, "version", path, &d->version));
    d->attrs.job = d->job;
    d->attrs.version = d->version;
    taq_counts_t *c = &d->attrs.counts;
    const struct {
        const char *name;
        int64_t *v;
    } ints[] = {
        {"ranks", &d->attrs.ranks},     {"lines", &c->lines},     {"trades", &c->trades},
        {"quotes", &c->quotes},         {"rejects", &c->rejects}, {"blank", &c->blank},
        {"superseded", &c->superseded},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        TAQ_TRY(read_i64_attr(fid, ints[i].name, path, ints[i].v));
    return TAQ_OK;
}

static taq_rc read_datasets(hid_t fid, const char *path, taq_h5_date_t *d)
{
    void *rows[TAQ_H5_NTABLES] = {NULL};
    size_t n[TAQ_H5_NTABLES] = {0};
    taq_rc rc = TAQ_OK;
    for (int i = 0; i < TAQ_H5_NTABLES && rc == TAQ_OK; i++)
        rc = read_dataset(fid, &taq_h5_tables[i], path, &rows[i], &n[i]);
    /* Hand over what was read even on failure: taq_h5_date_free releases it. */
    d->trade = rows[TAQ_H5_TRADE];
    d->n_trade = n[TAQ_H5_TRADE];
    d->quote = rows[TAQ_H5_QUOTE];
    d->n_quote = n[TAQ_H5_QUOTE];
    d->final = rows[TAQ_H5_FINAL];
    d->n_final = n[TAQ_H5_FINAL];
    d->rejects = rows[TAQ_H5_REJECTS];
    d->n_rejects = n[TAQ_H5_REJECTS];
    return rc;
}

taq_rc taq_h5_read_date(const char *path, taq_h5_date_t *out)
{
    taq_rc rc = TAQ_OK;
    hid_t fid = H5I_INVALID_HID;
    memset(out, 0, sizeof *out);
    taq_h5_quiet();
    /* H5Fopen's own message for a missing file is vague; errno is not. */
    TAQ_FAIL_IF(access(path, R_OK) != 0, TAQ_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (fid < 0) {
        rc = taq_h5_fail("cannot open %s as HDF5", path);
        goto out;
    }
    rc = read_datasets(fid, path, out);
    if (rc == TAQ_OK)
        rc = read_attrs(fid, path, out);
out:
    if (fid >= 0)
        H5Fclose(fid);
    if (rc != TAQ_OK)
        taq_h5_date_free(out);
    return rc;
}

void taq_h5_date_free(taq_h5_date_t *d)
{
    if (!d)
        return;
    free(d->job);
    free(d->version);
    free(d->trade);
    free(d->quote);
    free(d->final);
    free(d->rejects);
    memset(d, 0, sizeof *d);
}

/* The stored bytes of chunk `index` of an open 1-D dataset, as h5_testing.h says. */
static taq_rc read_raw_chunk(hid_t dset, size_t index, taq_h5_raw_chunk_t *c)
{
    hsize_t rows = 0, off = 0, bytes = 0;
    uint32_t mask = 0;
    hid_t dcpl = H5Dget_create_plist(dset);
    int ok = dcpl >= 0 && H5Pget_chunk(dcpl, 1, &rows) == 1;
    if (dcpl >= 0)
        H5Pclose(dcpl);
    off = rows * (hsize_t)index;
    if (!ok || H5Dget_chunk_storage_size(dset, &off, &bytes) < 0 || bytes == 0)
        return taq_h5_fail("no chunk %zu", index);
    c->bytes = TAQ_MALLOC((size_t)bytes);
    c->n = (size_t)bytes;
    c->rows = (size_t)rows;
    if (H5Dread_chunk(dset, H5P_DEFAULT, &off, &mask, c->bytes) < 0)
        return taq_h5_fail("cannot read chunk %zu", index);
    c->filter_mask = mask;
    return TAQ_OK;
}

taq_rc taq_h5_testing_read_chunk(const char *path, const char *name, size_t index,
                                 taq_h5_raw_chunk_t *out)
{
    taq_rc rc = TAQ_OK;
    hid_t dset = H5I_INVALID_HID;
    memset(out, 0, sizeof *out);
    taq_h5_quiet();
    hid_t fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (fid >= 0)
        dset = H5Dopen2(fid, name, H5P_DEFAULT);
    if (dset < 0)
        rc = taq_h5_fail("cannot open /%s in %s", name, path);
    if (rc == TAQ_OK)
        rc = read_raw_chunk(dset, index, out);
    if (dset >= 0)
        H5Dclose(dset);
    if (fid >= 0)
        H5Fclose(fid);
    if (rc != TAQ_OK) {
        free(out->bytes);
        memset(out, 0, sizeof *out);
    }
    return rc;
}
