/*
 * h5rle.h - the deflate encoder behind HDF5's deflate filter at level 1.
 *
 * Kept apart from h5_internal.h because it needs neither HDF5 nor MPI: the
 * tests (which may not include hdf5.h) and the libFuzzer harness (which
 * links no HDF5) call it directly. See h5rle.c for the format choices.
 */
#ifndef TAQ_H5_RLE_H
#define TAQ_H5_RLE_H

#include <stddef.h>

/*
 * Compress n bytes at in into a zlib stream (RFC 1950: 2-byte header,
 * deflate blocks, Adler-32) at out, of at most cap bytes. The stream uses
 * only distance-1 matches (runs of the previous byte) and literals, with
 * per-block dynamic Huffman codes or stored blocks; zlib and libdeflate
 * inflate it. Returns the stream size, or 0 if it does not fit in cap (or
 * the scratch memory could not be allocated). in and out must not overlap.
 */
size_t taq_h5_rle_deflate(const void *in, size_t n, void *out, size_t cap);

/* A cap that always fits: stored blocks of all n bytes plus the zlib wrapper. */
size_t taq_h5_rle_bound(size_t n);

#endif /* TAQ_H5_RLE_H */
