/*
 * linereader.h - stream the whole lines of a byte range of a file, in blocks.
 *
 * A plain file can be cut into byte ranges that different ranks read: a line
 * belongs to the range that holds its first byte, so every line is read by
 * exactly one range whatever the cut. A gzip file (detected by its magic
 * bytes) cannot be cut and is always read whole by one rank. Memory stays
 * bounded by the block size (plus the longest line): a 20 GB file is never
 * held in memory at once.
 */
#ifndef TAQ_LINEREADER_H
#define TAQ_LINEREADER_H

#include <stddef.h>
#include <stdint.h>

#include "taq/util.h"

#define TAQ_READ_BLOCK_DEFAULT ((size_t)16 << 20)

/*
 * Called with buf[0..len): one or more whole lines, each ending in '\n'
 * except possibly the very last line of the file. Lines arrive in file order.
 * Return TAQ_OK to go on; any other rc stops the read and is returned.
 */
typedef taq_rc (*taq_lines_fn)(const char *buf, size_t len, void *arg);

typedef struct taq_read_stats {
    uint64_t raw_bytes;  /* bytes read from disk */
    uint64_t text_bytes; /* bytes of lines handed to the callback */
    int gzip;
} taq_read_stats_t;

/* Bytes read from the start of a file to estimate its line length. */
#define TAQ_SAMPLE_BYTES (64 * 1024)

/*
 * What the first TAQ_SAMPLE_BYTES of a file say: whether it is gzip, and
 * for a plain file the mean line length over the lines that end in the
 * sample (all of its bytes when no line ends there, 0 for an empty file).
 * Returns 0, or -1 (and taq_errmsg) if it cannot be read.
 */
typedef struct taq_file_sample {
    int gzip;
    uint32_t line_bytes; /* 0: unknown (gzip, empty) */
} taq_file_sample_t;
int taq_file_sample(const char *path, const char *shown, taq_file_sample_t *out);

/*
 * Stream the lines of `path` that start in [start, end) (end may be
 * UINT64_MAX: to the end of the file). A gzip file must be read with
 * start 0 and end UINT64_MAX; it is inflated member after member, and a
 * truncated or corrupt stream is TAQ_ERR_CORRUPT. `shown` names the file in
 * messages. `block` is the read size (0: TAQ_READ_BLOCK_DEFAULT).
 * OUT *stats (may be NULL).
 */
taq_rc taq_file_read_lines(const char *path, const char *shown, uint64_t start, uint64_t end,
                           size_t block, taq_lines_fn fn, void *arg, taq_read_stats_t *stats);

#endif /* TAQ_LINEREADER_H */
