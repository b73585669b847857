/*
 * parse_internal.h - what the CSV and JSON front ends share with the checker.
 *
 * Each front end only finds the raw text of every field (a slice into the
 * line, or into a small decode buffer for JSON strings) and decides the
 * format-specific reasons (field_count, bad_json, missing_field,
 * unknown_type). One shared back end, taq_parse_fields, then applies the
 * common rules in SPEC order, so CSV and JSON cannot drift apart.
 *
 * A field whose JSON value has the wrong type (a number for a symbol, a
 * string for a size) is handed over as an empty slice: every check fails on
 * an empty field with exactly the reason the wrong type must give.
 */
#ifndef TAQ_PARSE_INTERNAL_H
#define TAQ_PARSE_INTERNAL_H

#include <stddef.h>

#include "taq/parse.h"

/* Bytes [p, p + n); p may be NULL when n == 0. Not NUL-terminated. */
typedef struct taq_slice {
    const char *p;
    size_t n;
} taq_slice_t;

/* The raw fields of one line, after its kind is known. */
typedef struct taq_raw_event {
    char kind; /* TAQ_KIND_TRADE or TAQ_KIND_QUOTE */
    taq_slice_t trade_dt;
    taq_slice_t arrival_tm;
    taq_slice_t symbol;
    taq_slice_t event_tm;
    taq_slice_t event_seq_nb;
    taq_slice_t exchange;
    taq_slice_t price;  /* trade_pr or bid_pr */
    taq_slice_t size;   /* trade_size or bid_size */
    taq_slice_t ask_pr; /* quotes only */
    taq_slice_t ask_size;
} taq_raw_event_t;

/*
 * Check raw fields (bad_symbol .. date_mismatch, in SPEC order) and fill *out
 * on success (out->line is left alone). The slices are only read.
 */
taq_reject_reason_t taq_parse_fields(const taq_line_ctx_t *ctx, const taq_raw_event_t *raw,
                                     taq_event_t *out);

/*
 * taq_date_parse ("YYYY-MM-DD", a real date, exactly len bytes) with a
 * one-entry cache of the last valid date text: same results, 0 or -1.
 */
int taq_parse_date(const char *s, size_t len, int32_t *days);

/* One CSV line (len <= TAQ_MAX_LINE, no line end). */
/* 1 when the third comma-separated field of the line is exactly "Q". */
int taq_csv_is_quote(const char *line, size_t len);

/*
 * One JSON line: 1 when the line cannot be a valid trade and its event_type
 * is "Q" if it is valid at all (no backslash, one "event_type" key followed
 * by :"Q"). 0 means "parse it".
 */
int taq_json_is_quote(const char *line, size_t len);

taq_reject_reason_t taq_parse_csv_line(const taq_line_ctx_t *ctx, const char *line, size_t len,
                                       taq_event_t *out);

/* One JSON line (len <= TAQ_MAX_LINE, no line end). */
taq_reject_reason_t taq_parse_json_line(const taq_line_ctx_t *ctx, const char *line, size_t len,
                                        taq_event_t *out);

#endif /* TAQ_PARSE_INTERNAL_H */
