/*
 * h5types.c - the row layouts of the four datasets and their HDF5 types.
 *
 * The field tables below are the single description of SPEC 3's columns.
 * Memory types mirror the C structs of record.h (native int64/double at the
 * struct offsets); file types use the same fields with explicit
 * little-endian types and are packed, so a file written on any host has the
 * same layout and no padding bytes. Strings are fixed-length and NUL-padded
 * in both, so a 16-byte symbol with no terminating NUL survives intact.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "h5/h5_internal.h"
#include "taq/record.h"

/* clang-format off */
#define STR(type, f) {#f, offsetof(type, f), sizeof(((type *)0)->f), TAQ_H5_STR}
#define I64(type, f) {#f, offsetof(type, f), sizeof(int64_t), TAQ_H5_I64}
#define F64(type, f) {#f, offsetof(type, f), sizeof(double), TAQ_H5_F64}
#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))
/* clang-format on */

static const taq_h5_field_t trade_fields[] = {
    STR(taq_trade_row_t, symbol),     STR(taq_trade_row_t, exchange),
    I64(taq_trade_row_t, event_tm),   I64(taq_trade_row_t, event_seq_nb),
    I64(taq_trade_row_t, arrival_tm), F64(taq_trade_row_t, trade_pr),
    I64(taq_trade_row_t, trade_size), F64(taq_trade_row_t, mov_avg_pr),
};

static const taq_h5_field_t quote_fields[] = {
    STR(taq_quote_row_t, symbol),     STR(taq_quote_row_t, exchange),
    I64(taq_quote_row_t, event_tm),   I64(taq_quote_row_t, event_seq_nb),
    I64(taq_quote_row_t, arrival_tm), F64(taq_quote_row_t, bid_pr),
    I64(taq_quote_row_t, bid_size),   F64(taq_quote_row_t, ask_pr),
    I64(taq_quote_row_t, ask_size),
};

static const taq_h5_field_t final_fields[] = {
    STR(taq_final_row_t, symbol),        STR(taq_final_row_t, exchange),
    I64(taq_final_row_t, event_tm),      I64(taq_final_row_t, event_seq_nb),
    F64(taq_final_row_t, bid_pr),        I64(taq_final_row_t, bid_size),
    F64(taq_final_row_t, ask_pr),        I64(taq_final_row_t, ask_size),
    F64(taq_final_row_t, last_trade_pr), F64(taq_final_row_t, last_mov_avg_pr),
    F64(taq_final_row_t, bid_pr_mv),     F64(taq_final_row_t, ask_pr_mv),
};

static const taq_h5_field_t reject_fields[] = {
    STR(taq_reject_t, file),
    I64(taq_reject_t, line),
    STR(taq_reject_t, reason),
    STR(taq_reject_t, text),
};

const taq_h5_table_t taq_h5_tables[TAQ_H5_NTABLES] = {
    [TAQ_H5_TRADE] = {"trade", sizeof(taq_trade_row_t), trade_fields, NFIELDS(trade_fields)},
    [TAQ_H5_QUOTE] = {"quote", sizeof(taq_quote_row_t), quote_fields, NFIELDS(quote_fields)},
    [TAQ_H5_FINAL] = {"quote_final", sizeof(taq_final_row_t), final_fields, NFIELDS(final_fields)},
    [TAQ_H5_REJECTS] = {"rejects", sizeof(taq_reject_t), reject_fields, NFIELDS(reject_fields)},
};

hid_t taq_h5_str_type(size_t size)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return H5I_INVALID_HID;
    if (H5Tset_size(t, size) < 0 || H5Tset_strpad(t, H5T_STR_NULLPAD) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

/* Insert one field; string types are created here and closed after insertion. */
static herr_t insert_field(hid_t ct, const taq_h5_field_t *f, int file)
{
    switch (f->kind) {
    case TAQ_H5_I64:
        return H5Tinsert(ct, f->name, f->offset, file ? H5T_STD_I64LE : H5T_NATIVE_INT64);
    case TAQ_H5_F64:
        return H5Tinsert(ct, f->name, f->offset, file ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE);
    case TAQ_H5_STR: {
        hid_t st = taq_h5_str_type(f->size);
        if (st < 0)
            return -1;
        herr_t e = H5Tinsert(ct, f->name, f->offset, st);
        H5Tclose(st);
        return e;
    }
    }
    return -1;
}

hid_t taq_h5_type_create(const taq_h5_table_t *t, int file)
{
    hid_t ct = H5Tcreate(H5T_COMPOUND, t->row_size);
    if (ct < 0)
        return H5I_INVALID_HID;
    for (size_t i = 0; i < t->nfields; i++) {
        if (insert_field(ct, &t->fields[i], file) < 0)
            goto fail;
    }
    /* The file type drops any alignment padding of the struct. */
    if (file && H5Tpack(ct) < 0)
        goto fail;
    return ct;
fail:
    H5Tclose(ct);
    return H5I_INVALID_HID;
}

void taq_h5_quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

typedef struct errbuf {
    char *buf;
    size_t n;
} errbuf_t;

/* Walking upward starts at the innermost frame, where the cause is named. */
static herr_t innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    const errbuf_t *eb = data;
    if (n == 0)
        snprintf(eb->buf, eb->n, "%s (%s)", e->desc ? e->desc : "?",
                 e->func_name ? e->func_name : "?");
    return 0;
}

void taq_h5_errtext(char *buf, size_t n)
{
    if (n == 0)
        return;
    snprintf(buf, n, "unknown HDF5 error");
    errbuf_t eb = {buf, n};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, &eb);
}

taq_rc taq_h5_fail(const char *fmt, ...)
{
    char what[1024], why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    taq_h5_errtext(why, sizeof why);
    taq_err_set("%s: %s", what, why);
    TAQ_LOG(TAQ_LOG_DEBUG, "%s", taq_errmsg());
    return TAQ_ERR_HDF5;
}
