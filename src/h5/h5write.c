/*
 * h5write.c - COLLECTIVE writer of one trading date's file (SPEC 3).
 *
 * Design. Every rank holds a contiguous, already sorted slice of each
 * dataset; an exclusive prefix sum of the int64 row counts gives each slice
 * its offset, an allreduce the dataset length. All ranks open "<path>.tmp"
 * with the MPI-IO driver and write their slices into 1-D chunked, deflated
 * compound datasets. HDF5 1.10 only writes filtered datasets collectively, so
 * every rank makes the same sequence of H5Dwrite calls: a slice larger than
 * TAQ_H5_PIECE_BYTES is split into pieces (MPI-IO counts bytes in int), the
 * ranks agree on the largest number of pieces, and a rank with nothing left
 * selects none. Root attributes are written by all ranks with equal values.
 *
 * Failure handling. A rank that fails must not leave the others in a
 * collective, so the ranks agree (taq_mpi_agree) after each step that can
 * fail and stop together. Before the collective H5Fcreate, rank 0 creates
 * the tmp file with open(2): a missing or unwritable folder (the usual
 * failure) is then caught with a precise errno before any rank enters
 * MPI-IO, which keeps the remaining hazard (H5Fcreate succeeding on some
 * ranks only, whose collective close would then hang) to exotic cases such
 * as a folder visible on one node but not another. Whatever happens, every
 * rank closes what it opened, and rank 0 then either fsyncs and rename(2)s
 * the tmp file onto `path` (atomic: readers see the old file or the new
 * one) or unlinks it, and a last agreement gives every rank the outcome.
 * While the ranks write, a thread of rank 0 flushes what is written so far
 * (h5flush.c), so that the fsync before the rename has little left to do;
 * a failed flush fails the write. Before the close every rank syncs what
 * it wrote (MPI_File_sync, through H5Fflush), for file systems shared by
 * several nodes, where rank 0's fsync covers only its own node's writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "h5/h5_internal.h"
#include "h5/h5_testing.h"
#include "h5/h5flush.h"
#include "taq/fault.h"
#include "taq/h5.h"

#define TAQ_H5_DEFLATE_LEVEL 1 /* fast (h5rle.c); the data is mostly prices and times */
/*
 * /rejects is text that repeats at long distances (file names, line
 * prefixes), which runs alone do not catch (h5rle.c made it 70 % larger);
 * it is small, so it gets libdeflate at zlib's default level.
 */
#define TAQ_H5_TEXT_LEVEL 6
/*
 * ~1 MiB of rows per chunk. Measured on a 2 M-event day: 4 and 8 MiB chunks
 * made the file 2.5-3.3 % smaller but the write slower (the shuffle and
 * deflate buffers leave the cache); 256-512 KiB made it 2.5-5 % larger.
 */
#define TAQ_H5_CHUNK_BYTES ((size_t)1 << 20)
#define TAQ_H5_PIECE_BYTES ((size_t)1 << 30) /* per H5Dwrite: well below 2^31 */

static taq_h5_testing_t testing;
static unsigned long last_flushes; /* background flushes of the last write on this rank */

void taq_h5_testing_set(const taq_h5_testing_t *t)
{
    static const taq_h5_testing_t none = {0};
    testing = t ? *t : none;
}

unsigned long taq_h5_testing_flushes(void)
{
    return last_flushes;
}

/* Where this rank's slice of one dataset goes. */
typedef struct slot {
    const void *rows; /* borrowed; NULL when n == 0 or fill is set */
    taq_h5_fill_fn fill; /* makes the rows instead, piece by piece */
    void *fill_arg;
    int64_t n;        /* rows on this rank */
    int64_t offset;   /* rows on lower ranks */
    int64_t total;    /* rows on all ranks */
} slot_t;

/* COLLECTIVE: offsets (exclusive prefix sums) and totals of the four datasets. */
static void plan_slots(MPI_Comm comm, const taq_h5_slices_t *m, slot_t s[TAQ_H5_NTABLES])
{
    const void *rows[TAQ_H5_NTABLES] = {m->trade, m->quote, m->final, m->rejects};
    int64_t n[TAQ_H5_NTABLES] = {(int64_t)m->n_trade, (int64_t)m->n_quote, (int64_t)m->n_final,
                                 (int64_t)m->n_rejects};
    int64_t off[TAQ_H5_NTABLES] = {0}, tot[TAQ_H5_NTABLES] = {0};
    int rank;
    MPI_Comm_rank(comm, &rank);
    TAQ_MPI_CHECK(MPI_Exscan(n, off, TAQ_H5_NTABLES, MPI_INT64_T, MPI_SUM, comm));
    TAQ_MPI_CHECK(MPI_Allreduce(n, tot, TAQ_H5_NTABLES, MPI_INT64_T, MPI_SUM, comm));
    for (int i = 0; i < TAQ_H5_NTABLES; i++) {
        /* MPI_Exscan leaves rank 0's output undefined. */
        s[i] = (slot_t){rows[i], NULL, NULL, n[i], rank == 0 ? 0 : off[i], tot[i]};
    }
    s[1].fill = m->fill_quote;
    s[1].fill_arg = m->quote_arg;
    s[2].fill = m->fill_final;
    s[2].fill_arg = m->final_arg;
}

/* Rank 0 only: create the tmp file with plain POSIX to get a precise errno. */
static taq_rc preflight(const char *tmp)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    TAQ_FAIL_IF(fd < 0, TAQ_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
    close(fd);
    return TAQ_OK;
}

/* COLLECTIVE: create tmp with the MPI-IO driver. *fid stays invalid on failure. */
static taq_rc create_file(MPI_Comm comm, const char *tmp, hid_t *fid)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL) >= 0)
        *fid = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (*fid < 0)
        return taq_h5_fail("cannot create %s", tmp);
    return TAQ_OK;
}

/* Rows in a chunk: about TAQ_H5_CHUNK_BYTES, at least 1, at most the whole table. */
static int64_t chunk_rows(size_t row_size, int64_t total)
{
    int64_t chunk = (int64_t)(TAQ_H5_CHUNK_BYTES / row_size);
    if (chunk < 1)
        chunk = 1;
    if (total > 0 && chunk > total)
        chunk = total;
    return chunk;
}

/* Chunked (chunk_rows), shuffled and deflated at `level`. */
static hid_t make_dcpl(size_t row_size, int64_t total, unsigned level)
{
    const hsize_t chunk = (hsize_t)chunk_rows(row_size, total);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (dcpl < 0)
        return H5I_INVALID_HID;
    if (H5Pset_chunk(dcpl, 1, &chunk) < 0 || H5Pset_shuffle(dcpl) < 0 ||
        H5Pset_deflate(dcpl, level) < 0 || H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) < 0) {
        H5Pclose(dcpl);
        return H5I_INVALID_HID;
    }
    return dcpl;
}

static int64_t rows_per_piece(size_t row_size, int streamed)
{
    size_t bytes = testing.piece_bytes ? testing.piece_bytes
                   : streamed          ? TAQ_H5_STREAM_BYTES
                                       : TAQ_H5_PIECE_BYTES;
    size_t rows = bytes / row_size;
    return rows ? (int64_t)rows : 1;
}

/*
 * COLLECTIVE: one H5Dwrite of rows [start, start + cnt) of this rank's slice.
 * With cnt == 0 both selections are empty, but the rank still joins the write.
 */
static taq_rc write_piece(hid_t dset, hid_t mtype, hid_t dxpl, const slot_t *s, size_t row_size,
                          int64_t start, int64_t cnt, void *made)
{
    static const char nothing[1];
    hsize_t off = (hsize_t)(s->offset + start), c = (hsize_t)cnt, one = 1;
    const void *buf = !cnt ? nothing : made ? made : (const char *)s->rows + (size_t)start * row_size;
    if (cnt && made)
        s->fill(s->fill_arg, made, (size_t)cnt);
    hid_t fspace = H5Dget_space(dset);
    hid_t mspace = H5Screate_simple(1, cnt ? &c : &one, NULL);
    herr_t e = fspace < 0 || mspace < 0 ? -1 : 0;
    if (e == 0 && cnt)
        e = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &off, NULL, &c, NULL);
    if (e == 0 && !cnt)
        e = H5Sselect_none(fspace) < 0 || H5Sselect_none(mspace) < 0 ? -1 : 0;
    if (e == 0)
        e = H5Dwrite(dset, mtype, mspace, fspace, dxpl, buf);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    return e < 0 ? TAQ_ERR_HDF5 : TAQ_OK;
}

/*
 * Where piece j of `pieces` of this rank's slice ends (rows from the slice
 * start): the j-th pieces-th of the slice, moved to the nearest chunk
 * boundary of the dataset so that no chunk is written half in one call and
 * half in the next (HDF5 would read, inflate and deflate it again).
 */
static int64_t piece_end(const slot_t *s, int64_t chunk, int64_t j, int64_t pieces)
{
    if (j >= pieces)
        return s->n;
    const int64_t at = s->offset + (int64_t)((__int128)s->n * j / pieces);
    int64_t end = (at + chunk / 2) / chunk * chunk - s->offset;
    return end < 0 ? 0 : end > s->n ? s->n : end;
}

/*
 * COLLECTIVE: write this rank's slice in as many pieces as the largest
 * slice needs. Each H5Dwrite is collective, so every rank cuts its slice
 * into that same number of pieces: with slices sized to the ranks' speeds
 * (taq_shuffle_route), every rank then needs about as long for each call,
 * where fixed-size pieces would leave the ranks with smaller slices idle
 * in the calls they join with nothing.
 */
static taq_rc write_slice(hid_t dset, hid_t mtype, const slot_t *s, const taq_h5_table_t *t,
                          int64_t chunk, MPI_Comm comm, const char *tmp, taq_h5_flusher_t *fl)
{
    taq_rc rc = TAQ_OK;
    /* Every rank must take the same piece size: stream whenever any rank streams. */
    int streamed = s->fill != NULL;
    TAQ_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &streamed, 1, MPI_INT, MPI_MAX, comm));
    const int64_t per = rows_per_piece(t->row_size, streamed);
    int64_t mine = (s->n + per - 1) / per, pieces = 0;
    TAQ_MPI_CHECK(MPI_Allreduce(&mine, &pieces, 1, MPI_INT64_T, MPI_MAX, comm));
    /* A piece is ceil(n / pieces) <= per rows, each end moved by at most ceil(chunk / 2). */
    const int64_t biggest = s->n < per + chunk + 1 ? s->n : per + chunk + 1;
    void *made = s->fill && biggest ? TAQ_MALLOC((size_t)biggest * t->row_size) : NULL;
    /*
     * One collective write per piece, all chunks linked into one MPI-IO
     * call: HDF5's own choice here, but left to it, it first sums the
     * ranks' chunk counts with an MPI_Allreduce in every H5Dwrite. Each
     * collective is a point where the ranks wait for the slowest, and a
     * rank sharing its core with another process pays a time slice at each.
     */
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (dxpl < 0 || H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) < 0 ||
        H5Pset_dxpl_mpio_chunk_opt(dxpl, H5FD_MPIO_CHUNK_ONE_IO) < 0)
        rc = taq_h5_fail("cannot set up collective writes of /%s in %s", t->name, tmp);
    rc = taq_mpi_agree(rc, comm);
    for (int64_t k = 0, start = 0; k < pieces && rc == TAQ_OK; k++) {
        const int64_t end = piece_end(s, chunk, k + 1, pieces), cnt = end - start;
        if (cnt > biggest)
            TAQ_ABORT("piece of %lld rows of /%s exceeds its buffer of %lld", (long long)cnt,
                      t->name, (long long)biggest);
        rc = write_piece(dset, mtype, dxpl, s, t->row_size, start, cnt, made);
        if (rc != TAQ_OK)
            taq_h5_fail("cannot write rows %lld..%lld of /%s in %s", (long long)(s->offset + start),
                        (long long)(s->offset + end - 1), t->name, tmp);
        rc = taq_mpi_agree(rc, comm);
        taq_h5_flusher_poke(fl);
        start = end;
    }
    if (dxpl >= 0)
        H5Pclose(dxpl);
    free(made);
    return rc;
}

/* COLLECTIVE: create one dataset and write every rank's slice into it. */
static taq_rc write_dataset(hid_t fid, const taq_h5_table_t *t, const slot_t *s, MPI_Comm comm,
                            const char *tmp, taq_h5_flusher_t *fl)
{
    taq_rc rc = TAQ_OK;
    hsize_t dims = (hsize_t)s->total, maxdims = H5S_UNLIMITED;
    hid_t ftype = taq_h5_type_create(t, 1), mtype = taq_h5_type_create(t, 0);
    const unsigned level =
        t == &taq_h5_tables[TAQ_H5_REJECTS] ? TAQ_H5_TEXT_LEVEL : TAQ_H5_DEFLATE_LEVEL;
    hid_t dcpl = make_dcpl(t->row_size, s->total, level), space = H5I_INVALID_HID;
    hid_t dset = H5I_INVALID_HID;
    if (ftype >= 0 && mtype >= 0 && dcpl >= 0)
        space = H5Screate_simple(1, &dims, &maxdims);
    if (space >= 0)
        dset = H5Dcreate2(fid, t->name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dset < 0)
        rc = taq_h5_fail("cannot create /%s in %s", t->name, tmp);
    rc = taq_mpi_agree(rc, comm);
    if (rc != TAQ_OK)
        goto out;
    rc = write_slice(dset, mtype, s, t, chunk_rows(t->row_size, s->total), comm, tmp, fl);
out:
    if (dset >= 0)
        H5Dclose(dset);
    if (space >= 0)
        H5Sclose(space);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (mtype >= 0)
        H5Tclose(mtype);
    if (ftype >= 0)
        H5Tclose(ftype);
    return rc;
}

/* Scalar fixed-length string attribute of max(len, 1) bytes, NUL-padded. */
static herr_t str_attr(hid_t fid, const char *name, const char *s, size_t len)
{
    static const char empty[1];
    hid_t type = taq_h5_str_type(len ? len : 1), space = H5Screate(H5S_SCALAR);
    hid_t attr = H5I_INVALID_HID;
    herr_t e = -1;
    if (type >= 0 && space >= 0)
        attr = H5Acreate2(fid, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attr >= 0)
        e = H5Awrite(attr, type, len ? s : empty);
    if (attr >= 0)
        H5Aclose(attr);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    return e;
}

/* Scalar int64 attribute, little-endian in the file. */
static herr_t i64_attr(hid_t fid, const char *name, int64_t v)
{
    hid_t space = H5Screate(H5S_SCALAR), attr = H5I_INVALID_HID;
    herr_t e = -1;
    if (space >= 0)
        attr = H5Acreate2(fid, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attr >= 0)
        e = H5Awrite(attr, H5T_NATIVE_INT64, &v);
    if (attr >= 0)
        H5Aclose(attr);
    if (space >= 0)
        H5Sclose(space);
    return e;
}

/* COLLECTIVE (same values on every rank): the root attributes of SPEC 3. */
static taq_rc write_attrs(hid_t fid, const taq_h5_attrs_t *a, const char *tmp)
{
    const char *job = a->job ? a->job : "", *version = a->version ? a->version : "";
    const struct {
        const char *name;
        int64_t v;
    } ints[] = {
        {"ranks", a->ranks},
        {"lines", a->counts.lines},
        {"trades", a->counts.trades},
        {"quotes", a->counts.quotes},
        {"rejects", a->counts.rejects},
        {"blank", a->counts.blank},
        {"superseded", a->counts.superseded},
    };
    char dt[10] = {0};
    memcpy(dt, a->trade_dt, strnlen(a->trade_dt, sizeof dt));
    if (str_attr(fid, "trade_dt", dt, sizeof dt) < 0)
        return taq_h5_fail("cannot write attribute trade_dt in %s", tmp);
    if (str_attr(fid, "job", job, strlen(job)) < 0)
        return taq_h5_fail("cannot write attribute job in %s", tmp);
    if (str_attr(fid, "version", version, strlen(version)) < 0)
        return taq_h5_fail("cannot write attribute version in %s", tmp);
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        if (i64_attr(fid, ints[i].name, ints[i].v) < 0)
            return taq_h5_fail("cannot write attribute %s in %s", ints[i].name, tmp);
    }
    return TAQ_OK;
}

/* COLLECTIVE: the four datasets, then the attributes. Returns an agreed rc. */
static taq_rc write_contents(hid_t fid, MPI_Comm comm, const char *tmp, const taq_h5_attrs_t *a,
                             const slot_t s[TAQ_H5_NTABLES], taq_h5_flusher_t *fl)
{
    for (int i = 0; i < TAQ_H5_NTABLES; i++)
        TAQ_TRY(write_dataset(fid, &taq_h5_tables[i], &s[i], comm, tmp, fl));
    TAQ_TRY(taq_mpi_agree(write_attrs(fid, a, tmp), comm));
    taq_rc rc = TAQ_OK;
    int rank;
    MPI_Comm_rank(comm, &rank);
    if (testing.inject_failure && rank == testing.fail_rank) {
        taq_err_set("injected failure after writing %s", tmp);
        rc = TAQ_ERR_IO;
    }
    return taq_mpi_agree(rc, comm);
}

/* Best effort: make the rename itself durable. */
static void fsync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return;
    int fd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Rank 0 only: flush the finished tmp file and move it onto path. */
static taq_rc commit(const char *tmp, const char *path)
{
    int fd = open(tmp, O_RDONLY);
    TAQ_FAIL_IF(fd < 0, TAQ_ERR_IO, "cannot reopen %s: %s", tmp, strerror(errno));
    int bad = fsync(fd) != 0 && errno != EINVAL && errno != EROFS;
    int err = errno;
    close(fd);
    TAQ_FAIL_IF(bad, TAQ_ERR_IO, "cannot fsync %s: %s", tmp, strerror(err));
    TAQ_FAIL_IF(rename(tmp, path) != 0, TAQ_ERR_IO, "cannot rename %s to %s: %s", tmp, path,
                strerror(errno));
    fsync_parent(path);
    return TAQ_OK;
}

/*
 * Rank 0, on failure, before the tmp file is removed: HDF5's MPI-IO errors
 * often lose errno, so say so when the output folder has no space left.
 */
static void note_full(const char *tmp)
{
    const char *slash = strrchr(tmp, '/');
    char *dir = slash ? strndup(tmp, (size_t)(slash - tmp)) : strdup(".");
    struct statvfs vfs;
    if (dir && statvfs(*dir ? dir : "/", &vfs) == 0 && vfs.f_bavail == 0) {
        char msg[2048];
        snprintf(msg, sizeof msg, "%s", taq_errmsg());
        taq_err_set("%s (%s: no space left on device)", msg, *dir ? dir : "/");
    }
    free(dir);
}

taq_rc taq_h5_write_date(MPI_Comm comm, const char *path, const taq_h5_attrs_t *attrs,
                         const taq_h5_slices_t *mine)
{
    taq_rc rc = TAQ_OK;
    hid_t fid = H5I_INVALID_HID;
    taq_h5_flusher_t *fl = NULL;
    slot_t slots[TAQ_H5_NTABLES];
    int rank;
    MPI_Comm_rank(comm, &rank);
    taq_h5_quiet();
    taq_h5_filters_init();
    char *tmp = TAQ_MALLOC(strlen(path) + sizeof ".tmp");
    sprintf(tmp, "%s.tmp", path);
    plan_slots(comm, mine, slots);
    const double t0 = taq_now();
    double ts = t0;

    rc = taq_mpi_agree(rank == 0 ? preflight(tmp) : TAQ_OK, comm);
    if (rc != TAQ_OK)
        goto out;
    rc = taq_mpi_agree(create_file(comm, tmp, &fid), comm);
    if (rc != TAQ_OK)
        goto out;
    int threads = MPI_THREAD_SINGLE;
    MPI_Query_thread(&threads);
    if (rank == 0 && threads >= MPI_THREAD_FUNNELED) /* else the fsync does it all */
        fl = taq_h5_flusher_start(open(tmp, O_RDONLY | O_CLOEXEC), testing.flush_errno);
    rc = write_contents(fid, comm, tmp, attrs, slots, fl);
    ts = taq_now();
    /*
     * Every rank syncs what it wrote (HDF5 calls MPI_File_sync): on a file
     * system shared by several nodes, rank 0's fsync before the rename only
     * covers what its own node wrote.
     */
    if (rc == TAQ_OK && H5Fflush(fid, H5F_SCOPE_GLOBAL) < 0)
        rc = taq_h5_fail("cannot sync %s", tmp);
    rc = taq_mpi_agree(rc, comm);
out:;
    const double t1 = taq_now();
    /* Collective close on every rank that opened, whatever happened before. */
    if (fid >= 0 && H5Fclose(fid) < 0 && rc == TAQ_OK)
        rc = taq_h5_fail("cannot close %s", tmp);
    const int flush_err = taq_h5_flusher_stop(fl, &last_flushes);
    if (flush_err && rc == TAQ_OK) {
        taq_err_set("cannot flush %s to disk: %s", tmp, strerror(flush_err));
        rc = TAQ_ERR_IO;
    }
    if (rc == TAQ_OK)
        taq_fault_point("write", rank); /* test hook: data written, not yet renamed */
    rc = taq_mpi_agree(rc, comm);
    const double t2 = taq_now();
    if (rank == 0 && rc == TAQ_OK)
        rc = commit(tmp, path);
    TAQ_LOG(TAQ_LOG_DEBUG,
            "write: create and datasets %.3f s, sync %.3f s, close %.3f s (%lu flushes while "
            "writing), fsync+rename %.3f s",
            ts - t0, t1 - ts, t2 - t1, last_flushes, taq_now() - t2);
    if (rank == 0 && rc != TAQ_OK) {
        note_full(tmp);
        unlink(tmp); /* may not exist, or be someone's folder: both are fine */
    }
    rc = taq_mpi_agree(rc, comm);
    free(tmp);
    return rc;
}
