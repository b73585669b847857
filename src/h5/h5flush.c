/*
 * h5flush.c - rank 0 flushes the date file to the disk while it is written.
 *
 * Why. The rename that publishes a date file follows an fsync of it, and
 * every rank waits for that fsync. Starting the writeback early
 * (sync_file_range) is not enough: an fsync also flushes the disk's write
 * cache, and on a virtual disk that costs about as long as the bytes
 * written since the last flush. Measured on the bench VM, with the
 * writeback started after every 16 MiB: the fsync of a 448 MiB file still
 * took 0.21-0.31 s although less than 9 MB was dirty by then.
 *
 * Design. A thread of rank 0 calls fdatasync whenever something was written
 * since its last flush began (the writer pokes it after every collective
 * write), so the disk takes in each piece while the ranks compress the next
 * ones, and the fsync before the rename finds almost nothing left (0.00 s in
 * the same test, with the writes no slower). Pokes coalesce into the next
 * flush; the thread only ever calls fdatasync, never MPI or HDF5. The first
 * failure is kept and returned by taq_h5_flusher_stop, since after it the
 * final fsync, on another descriptor, need not see the error again.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "h5/h5flush.h"
#include "taq/util.h"

struct taq_h5_flusher {
    int fd;
    int fail_errno; /* test knob: every flush fails with it */
    pthread_t thread;
    pthread_mutex_t mu; /* guards the fields below */
    pthread_cond_t wake;
    unsigned long asked;   /* pokes so far */
    unsigned long covered; /* pokes whose writes a started flush covers */
    unsigned long flushes; /* flushes done */
    int stop;
    int err; /* errno of the first failed flush, 0 if none */
};

/* fdatasync, with "this file cannot be synced" (EINVAL, EROFS) as success. */
static int flush_once(const taq_h5_flusher_t *f)
{
    if (fdatasync(f->fd) != 0 && errno != EINVAL && errno != EROFS)
        return errno ? errno : EIO;
    return f->fail_errno;
}

static void *flusher_main(void *arg)
{
    taq_h5_flusher_t *f = arg;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        if (f->covered == f->asked) {
            if (f->stop)
                break;
            pthread_cond_wait(&f->wake, &f->mu);
            continue;
        }
        f->covered = f->asked;
        pthread_mutex_unlock(&f->mu);
        const int err = flush_once(f);
        pthread_mutex_lock(&f->mu);
        f->flushes++;
        if (err && !f->err)
            f->err = err;
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

taq_h5_flusher_t *taq_h5_flusher_start(int fd, int fail_errno)
{
    if (fd < 0)
        return NULL;
    taq_h5_flusher_t *f = TAQ_CALLOC(1, sizeof *f);
    f->fd = fd;
    f->fail_errno = fail_errno;
    const int mu = pthread_mutex_init(&f->mu, NULL) == 0;
    const int cv = mu && pthread_cond_init(&f->wake, NULL) == 0;
    if (cv && pthread_create(&f->thread, NULL, flusher_main, f) == 0)
        return f;
    if (cv)
        pthread_cond_destroy(&f->wake);
    if (mu)
        pthread_mutex_destroy(&f->mu);
    free(f);
    close(fd);
    return NULL;
}

void taq_h5_flusher_poke(taq_h5_flusher_t *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    f->asked++;
    pthread_cond_signal(&f->wake);
    pthread_mutex_unlock(&f->mu);
}

int taq_h5_flusher_stop(taq_h5_flusher_t *f, unsigned long *flushes)
{
    if (flushes)
        *flushes = 0;
    if (!f)
        return 0;
    pthread_mutex_lock(&f->mu);
    f->stop = 1;
    pthread_cond_signal(&f->wake);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    const int err = f->err;
    if (flushes)
        *flushes = f->flushes;
    pthread_cond_destroy(&f->wake);
    pthread_mutex_destroy(&f->mu);
    close(f->fd);
    free(f);
    return err;
}
