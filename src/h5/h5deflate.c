/*
 * h5deflate.c - HDF5's deflate filter (id 1) computed by libdeflate and h5rle.c.
 *
 * Design. Deflate was three quarters of the write stage, and libdeflate's
 * compressor is several times faster than zlib's at the same level while
 * producing a standard zlib stream. So the files keep the predefined deflate
 * filter (id 1, "deflate", one parameter: the level) and any HDF5 reader
 * decompresses them with zlib; only the code behind the filter changes.
 *
 * Level 1, the level taqmpi writes (TAQ_H5_DEFLATE_LEVEL), goes further:
 * h5rle.c's encoder sends only literals and runs (distance-1 matches) with
 * per-block Huffman codes, still a plain zlib stream. On shuffled rows it is
 * about six times as fast as libdeflate level 1 for about the same size (2 %
 * larger on /quote, 4 % smaller on /quote_final; numbers in h5rle.c).
 * On the 10 M-event benchmark day (2 ranks) the write stage went from
 * 5.5-6.9 s to 1.6-2.3 s and the file from 479 to 469 MB; only /rejects,
 * text that repeats at long distances, grew (0.38 to 0.64 MB). Other
 * levels stay libdeflate's, and so does all decompression.
 *
 * HDF5 1.10's public H5Zregister refuses ids below 256 ("unable to modify
 * predefined filters"), but the library's own H5Z_register, which H5Zregister
 * wraps and which registers the predefined filters at start-up, replaces the
 * class of an id already in the table. libhdf5 exports it, and it is
 * declared weak here: if a build of HDF5 lacks it, or it fails, HDF5 keeps
 * its zlib deflate and the files are the same format, only slower to write.
 *
 * Decompression also goes through this filter once it is registered (any
 * zlib stream, from any writer). HDF5 does not tell a filter how large the
 * decompressed chunk is, so the output buffer grows until the stream fits.
 * The same way, h5shuffle.c's faster shuffle (id 2, same bytes) replaces
 * HDF5's, which the deflate filter follows in every dataset's pipeline.
 * libdeflate's compressors are cached per level for the life of the process
 * (freed at exit); the HDF5 library is not thread-safe here, and neither is
 * this.
 */
#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>

#include "h5/h5_internal.h"
#include "h5/h5_testing.h"
#include "h5/h5rle.h"

/* HDF5-private (H5Zprivate.h), exported by libhdf5; see the design note. */
extern herr_t H5Z_register(const H5Z_class2_t *cls) __attribute__((weak));

#define MAX_LEVEL 9         /* zlib's range, as H5Pset_deflate checks */
#define DEFAULT_LEVEL 6     /* zlib's Z_DEFAULT_COMPRESSION */
#define MIN_OUT (64 * 1024) /* first guess of a decompressed chunk, at least */
#define RLE_LEVEL 1         /* zlib's "fastest", TAQ_H5_DEFLATE_LEVEL: see the design note */

static struct libdeflate_compressor *compressors[MAX_LEVEL + 1];
static struct libdeflate_decompressor *decompressor;
static int active = -1; /* -1 not tried, 0 HDF5's zlib filter, 1 this one */

_Static_assert(TAQ_H5_FILTER_REVERSE == H5Z_FLAG_REVERSE, "h5_testing.h flag");

/* At exit; HDF5 may still flush a chunk after this, which then allocates afresh. */
static void free_codecs(void)
{
    for (int i = 0; i <= MAX_LEVEL; i++) {
        libdeflate_free_compressor(compressors[i]);
        compressors[i] = NULL;
    }
    libdeflate_free_decompressor(decompressor);
    decompressor = NULL;
}

/* Same output room as HDF5's zlib filter: a hair over the input. */
static size_t out_bound(size_t n)
{
    return n + n / 1000 + 13;
}

/* Level RLE_LEVEL: h5rle.c's runs-only encoder; the other levels: libdeflate's. */
static size_t compress_chunk(unsigned level, size_t nbytes, size_t *buf_size, void **buf)
{
    if (level > MAX_LEVEL)
        return 0;
    const int rle = level == RLE_LEVEL;
    if (!rle && !compressors[level])
        compressors[level] = libdeflate_alloc_compressor((int)level);
    if (!rle && !compressors[level])
        return 0;
    const size_t cap = out_bound(nbytes);
    void *out = malloc(cap);
    if (!out)
        return 0;
    const size_t n = rle ? taq_h5_rle_deflate(*buf, nbytes, out, cap)
                         : libdeflate_zlib_compress(compressors[level], *buf, nbytes, out, cap);
    if (n == 0) { /* did not fit: HDF5 stores the chunk unfiltered */
        free(out);
        return 0;
    }
    free(*buf);
    *buf = out;
    *buf_size = cap;
    return n;
}

/* Inflate into a buffer that doubles until the whole stream fits. */
static size_t decompress_chunk(size_t nbytes, size_t *buf_size, void **buf)
{
    if (!decompressor)
        decompressor = libdeflate_alloc_decompressor();
    if (!decompressor)
        return 0;
    size_t cap = nbytes > SIZE_MAX / 8 ? SIZE_MAX : nbytes * 8;
    if (cap < MIN_OUT)
        cap = MIN_OUT;
    for (;;) {
        void *out = malloc(cap);
        if (!out)
            return 0;
        size_t in_used = 0, n = 0;
        enum libdeflate_result r =
            libdeflate_zlib_decompress_ex(decompressor, *buf, nbytes, out, cap, &in_used, &n);
        if (r == LIBDEFLATE_SUCCESS) {
            free(*buf);
            *buf = out;
            *buf_size = cap;
            return n;
        }
        free(out);
        if (r != LIBDEFLATE_INSUFFICIENT_SPACE || cap > SIZE_MAX / 2)
            return 0; /* corrupt stream, or absurd size */
        cap *= 2;
    }
}

size_t taq_h5_deflate_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[],
                             size_t nbytes, size_t *buf_size, void **buf)
{
    if (flags & H5Z_FLAG_REVERSE)
        return decompress_chunk(nbytes, buf_size, buf);
    return compress_chunk(cd_nelmts > 0 ? cd_values[0] : DEFAULT_LEVEL, nbytes, buf_size, buf);
}

static const H5Z_class2_t deflate_class = {
    .version = H5Z_CLASS_T_VERS,
    .id = H5Z_FILTER_DEFLATE,
    .encoder_present = 1,
    .decoder_present = 1,
    .name = "deflate", /* HDF5's own name: version-1 pipeline messages store it */
    .can_apply = NULL,
    .set_local = NULL,
    .filter = taq_h5_deflate_filter,
};

int taq_h5_filters_init(void)
{
    if (active >= 0)
        return active;
    active = 0;
    /* Make sure HDF5 has registered its own filters first, or they would replace ours. */
    if (!H5Z_register || H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0)
        return active;
    if (H5Z_register(&deflate_class) < 0) {
        TAQ_LOG(TAQ_LOG_DEBUG, "HDF5 kept its zlib deflate filter (H5Z_register failed)");
        return active;
    }
    atexit(free_codecs);
    active = 1;
    if (H5Z_register(&taq_h5_shuffle_class) < 0)
        TAQ_LOG(TAQ_LOG_DEBUG, "HDF5 kept its shuffle filter (H5Z_register failed)");
    return active;
}

int taq_h5_filters_active(void)
{
    return active == 1;
}
