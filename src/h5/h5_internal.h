/*
 * h5_internal.h - what the HDF5 writer and reader share: the row layouts.
 *
 * Each dataset is described once, as a table of fields (name, offset in the
 * row struct, kind, size). Both the in-memory compound type (native, with the
 * struct's offsets and size) and the on-disk type (little-endian, packed so
 * files carry no padding) are built from that one table, so the writer and
 * the reader cannot drift apart. Only src/h5/ may include this header
 * (it pulls in hdf5.h).
 */
#ifndef TAQ_H5_INTERNAL_H
#define TAQ_H5_INTERNAL_H

#include <hdf5.h>
#include <stddef.h>

#include "taq/util.h"

typedef enum taq_h5_kind {
    TAQ_H5_STR, /* fixed-length NUL-padded ASCII of `size` bytes */
    TAQ_H5_I64, /* int64 */
    TAQ_H5_F64, /* double */
} taq_h5_kind_t;

typedef struct taq_h5_field {
    const char *name;
    size_t offset; /* HOFFSET in the row struct */
    size_t size;   /* bytes (strings) */
    taq_h5_kind_t kind;
} taq_h5_field_t;

typedef struct taq_h5_table {
    const char *name; /* dataset name at the file root */
    size_t row_size;  /* sizeof the row struct */
    const taq_h5_field_t *fields;
    size_t nfields;
} taq_h5_table_t;

/* The four datasets, in the order of taq_h5_slices_t / taq_h5_date_t. */
enum { TAQ_H5_TRADE, TAQ_H5_QUOTE, TAQ_H5_FINAL, TAQ_H5_REJECTS, TAQ_H5_NTABLES };
extern const taq_h5_table_t taq_h5_tables[TAQ_H5_NTABLES];

/*
 * Compound type of one row: file != 0 gives the packed little-endian file
 * type, file == 0 the native memory type matching the struct. Returns a type
 * id the caller must H5Tclose, or H5I_INVALID_HID on failure.
 */
hid_t taq_h5_type_create(const taq_h5_table_t *t, int file);

/* Fixed-length NUL-padded C string type of `size` bytes (caller H5Tcloses). */
hid_t taq_h5_str_type(size_t size);

/*
 * Once per process, before the first write: put libdeflate behind HDF5's
 * deflate filter and a faster shuffle behind its shuffle filter (h5deflate.c,
 * h5shuffle.c). Returns 1 if it did, 0 if HDF5 keeps its own (the files are
 * the same format either way).
 */
int taq_h5_filters_init(void);

/* HDF5's shuffle filter (id 2), byte for byte, with a blocked transpose (h5shuffle.c). */
extern const H5Z_class2_t taq_h5_shuffle_class;

/* Stop HDF5 from printing its error stack; failures are reported by rc. */
void taq_h5_quiet(void);

/* Copy the most specific message of HDF5's current error stack into buf. */
void taq_h5_errtext(char *buf, size_t n);

/* Record "<fmt...>: <innermost HDF5 message>" as this rank's error; returns TAQ_ERR_HDF5. */
taq_rc taq_h5_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* TAQ_H5_INTERNAL_H */
