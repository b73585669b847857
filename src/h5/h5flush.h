/*
 * h5flush.h - a background flush of the date file while the ranks write it.
 *
 * Only src/h5/ includes this header; see h5flush.c for why it exists.
 */
#ifndef TAQ_H5_FLUSH_H
#define TAQ_H5_FLUSH_H

typedef struct taq_h5_flusher taq_h5_flusher_t;

/*
 * Start flushing the file open as `fd` (the flusher then owns and closes
 * it) on a thread of its own. `fail_errno` nonzero makes every flush report
 * that errno (a test knob). Returns NULL, having closed fd, when no thread
 * can be started: the fsync before the rename then does all the work.
 */
taq_h5_flusher_t *taq_h5_flusher_start(int fd, int fail_errno);

/* More was written: flush again once the running flush is done. NULL: no-op. */
void taq_h5_flusher_poke(taq_h5_flusher_t *f);

/*
 * Finish the flushes asked for, stop the thread and free f (NULL: returns
 * 0). Returns 0, or the errno of the first flush that failed: the caller
 * must then fail the write, as a later fsync on another descriptor need not
 * report that error again. *flushes (may be NULL) gets the number of flushes.
 */
int taq_h5_flusher_stop(taq_h5_flusher_t *f, unsigned long *flushes);

#endif /* TAQ_H5_FLUSH_H */
