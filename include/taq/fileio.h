/*
 * fileio.h - read a whole input file into memory, gunzipping when it is gzip.
 *
 * gzip is detected by the magic bytes 1f 8b, whatever the name; multi-member
 * gzip files are read whole. A truncated or corrupt stream, or any I/O error,
 * is an error that names the file: a date never gets a partial file.
 */
#ifndef TAQ_FILEIO_H
#define TAQ_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "taq/util.h"

/* A file's bytes. `data` is owned; release with taq_filebuf_free. */
typedef struct taq_filebuf {
    char *data;
    size_t len;         /* bytes after decompression */
    uint64_t raw_bytes; /* bytes read from disk */
    int gzip;           /* 1 if the file was gzip */
} taq_filebuf_t;

/*
 * Read `path` whole. `shown` is the name used in error messages (e.g. the
 * path relative to --input). OUT *out on TAQ_OK. Errors: TAQ_ERR_IO (open or
 * read failed), TAQ_ERR_CORRUPT (bad or truncated gzip); taq_errmsg() names
 * the file and the cause.
 */
taq_rc taq_file_read_all(const char *path, const char *shown, taq_filebuf_t *out);
void taq_filebuf_free(taq_filebuf_t *b);

/* 1 if the first bytes are the gzip magic. */
int taq_is_gzip(const unsigned char *p, size_t len);

#endif /* TAQ_FILEIO_H */
