/*
 * h5shuffle.c - HDF5's shuffle filter (id 2) with a blocked byte transpose.
 *
 * Design. The shuffle stores byte b of element i at b * n + i, which groups
 * the like bytes of the rows (the high bytes of times and sizes) for
 * deflate. HDF5's own loop reads one byte per element per pass, a stride of
 * a whole row, and was about a fifth of the write stage once deflate got
 * faster. Here the chunk is cut into 16 x 16 byte tiles (16 elements, 16
 * bytes each), each transposed in SSE2 registers; a row size that is not a
 * multiple of 16 ends with a tile overlapping the previous one (it writes
 * the same bytes again), and the last n % 16 elements go byte by byte. The
 * result is byte for byte HDF5's, in both directions, so readers see the
 * standard filter; h5deflate.c registers the class in place of HDF5's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "h5/h5_internal.h"

#define TILE 16

#ifdef __SSE2__
/* Row k (16 bytes at src + k * ss) becomes column k of the 16 rows at dst + j * ds. */
static void transpose_tile(const unsigned char *src, size_t ss, unsigned char *dst, size_t ds)
{
    /* After four rounds of interleaving, register r holds column bit-reverse(r). */
    static const unsigned char col[TILE] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
    __m128i x[TILE], y[TILE];
    for (int k = 0; k < TILE; k++)
        x[k] = _mm_loadu_si128((const void *)(src + (size_t)k * ss));
    for (int k = 0; k < TILE / 2; k++) {
        y[k] = _mm_unpacklo_epi8(x[2 * k], x[2 * k + 1]);
        y[k + 8] = _mm_unpackhi_epi8(x[2 * k], x[2 * k + 1]);
    }
    for (int k = 0; k < TILE / 2; k++) {
        x[k] = _mm_unpacklo_epi16(y[2 * k], y[2 * k + 1]);
        x[k + 8] = _mm_unpackhi_epi16(y[2 * k], y[2 * k + 1]);
    }
    for (int k = 0; k < TILE / 2; k++) {
        y[k] = _mm_unpacklo_epi32(x[2 * k], x[2 * k + 1]);
        y[k + 8] = _mm_unpackhi_epi32(x[2 * k], x[2 * k + 1]);
    }
    for (int k = 0; k < TILE / 2; k++) {
        x[k] = _mm_unpacklo_epi64(y[2 * k], y[2 * k + 1]);
        x[k + 8] = _mm_unpackhi_epi64(y[2 * k], y[2 * k + 1]);
    }
    for (int r = 0; r < TILE; r++)
        _mm_storeu_si128((void *)(dst + col[r] * ds), x[r]);
}

/* The tiles of elements [0, n - n % 16); returns how many elements they cover. */
static size_t tiles(const unsigned char *src, unsigned char *dst, size_t n, size_t esz, int back)
{
    if (esz < TILE)
        return 0;
    size_t i = 0;
    for (; i + TILE <= n; i += TILE) {
        for (size_t b = 0;; b += TILE) {
            if (b + TILE > esz)
                b = esz - TILE; /* overlaps the previous tile */
            if (back)
                transpose_tile(src + b * n + i, n, dst + i * esz + b, esz);
            else
                transpose_tile(src + i * esz + b, esz, dst + b * n + i, n);
            if (b + TILE == esz)
                break;
        }
    }
    return i;
}
#else
static size_t tiles(const unsigned char *src, unsigned char *dst, size_t n, size_t esz, int back)
{
    (void)src, (void)dst, (void)n, (void)esz, (void)back;
    return 0;
}
#endif

/* Shuffle (back == 0) or unshuffle n elements of esz bytes from src to dst. */
static void shuffle(const unsigned char *src, unsigned char *dst, size_t n, size_t esz, int back)
{
    for (size_t i = tiles(src, dst, n, esz, back); i < n; i++) {
        for (size_t b = 0; b < esz; b++) {
            if (back)
                dst[i * esz + b] = src[b * n + i];
            else
                dst[b * n + i] = src[i * esz + b];
        }
    }
}

/* H5Z_func_t: HDF5's contract and results (bytes past the last whole element stay last). */
static size_t shuffle_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[],
                             size_t nbytes, size_t *buf_size, void **buf)
{
    if (cd_nelmts != 1 || cd_values[0] == 0)
        return 0;
    const size_t esz = cd_values[0], n = nbytes / esz;
    if (esz == 1 || n <= 1)
        return nbytes;
    unsigned char *out = malloc(nbytes);
    if (!out)
        return 0;
    shuffle(*buf, out, n, esz, (flags & H5Z_FLAG_REVERSE) != 0);
    memcpy(out + n * esz, (const unsigned char *)*buf + n * esz, nbytes - n * esz);
    free(*buf);
    *buf = out;
    *buf_size = nbytes;
    return nbytes;
}

/* As HDF5's own: record the dataset's element size as the filter's one parameter. */
static herr_t shuffle_set_local(hid_t dcpl, hid_t type, hid_t space)
{
    (void)space;
    unsigned flags = 0, cd[1] = {0};
    size_t n = 0; /* H5Pset_shuffle gives no parameters */
    size_t esz = H5Tget_size(type);
    if (H5Pget_filter_by_id2(dcpl, H5Z_FILTER_SHUFFLE, &flags, &n, cd, 0, NULL, NULL) < 0 ||
        esz == 0 || esz > UINT32_MAX)
        return -1;
    cd[0] = (unsigned)esz;
    return H5Pmodify_filter(dcpl, H5Z_FILTER_SHUFFLE, flags, 1, cd);
}

const H5Z_class2_t taq_h5_shuffle_class = {
    .version = H5Z_CLASS_T_VERS,
    .id = H5Z_FILTER_SHUFFLE,
    .encoder_present = 1,
    .decoder_present = 1,
    .name = "shuffle", /* HDF5's own name: version-1 pipeline messages store it */
    .can_apply = NULL,
    .set_local = shuffle_set_local,
    .filter = shuffle_filter,
};
