/*
 * parse.h - capstone CSV and JSON lines -> taq_event_t, or a counted reject.
 *
 * The rules are SPEC.md 1.2 and 1.4. Kernels here are pure (no I/O, no MPI)
 * so they can be unit-tested and fuzzed line by line.
 */
#ifndef TAQ_PARSE_H
#define TAQ_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "taq/record.h"
#include "taq/util.h"

typedef enum taq_format {
    TAQ_FORMAT_CSV = 0,
    TAQ_FORMAT_JSON = 1,
} taq_format_t;

/* Reject reasons in SPEC order: when several apply, the first one is reported. */
typedef enum taq_reject_reason {
    TAQ_REJ_NONE = 0,
    TAQ_REJ_LINE_TOO_LONG,
    TAQ_REJ_FIELD_COUNT,
    TAQ_REJ_BAD_JSON,
    TAQ_REJ_MISSING_FIELD,
    TAQ_REJ_UNKNOWN_TYPE,
    TAQ_REJ_BAD_SYMBOL,
    TAQ_REJ_BAD_TIMESTAMP,
    TAQ_REJ_BAD_NUMBER,
    TAQ_REJ_NEGATIVE_VALUE,
    TAQ_REJ_BAD_TRADE_DT,
    TAQ_REJ_DATE_MISMATCH,
    TAQ_REJ_COUNT_
} taq_reject_reason_t;

/* "line_too_long", ... ; "" for TAQ_REJ_NONE. Never NULL. */
const char *taq_reject_reason_name(taq_reject_reason_t r);

/* "YYYY-MM-DD HH:MM:SS" or with 'T', optional '.' + 1..9 digits, exactly len bytes. */
int taq_parse_timestamp(const char *s, size_t len, int64_t *ns);

/*
 * A finite decimal price ("-"? digits ["." digits] [e|E ["+"|"-"] digits]; also
 * ".5" and "5."), exactly len bytes. Returns TAQ_REJ_NONE, TAQ_REJ_BAD_NUMBER
 * (syntax, empty, overflow to inf) or TAQ_REJ_NEGATIVE_VALUE (value < 0).
 */
taq_reject_reason_t taq_parse_price(const char *s, size_t len, double *out);

/* An integer that fits int64 ("-"? digits), exactly len bytes; same returns as price. */
taq_reject_reason_t taq_parse_int64(const char *s, size_t len, int64_t *out);

/* Where a line comes from: the date folder it sits in and its file's index. */
typedef struct taq_line_ctx {
    taq_format_t format;
    int32_t folder_date; /* days since 1970-01-01 of the <YYYY-MM-DD> folder */
    uint32_t file_idx;
    /*
     * Set when only the date's trades matter (a previous date read for its
     * closing prices): taq_parse_buffer keeps no quote, and a line that is
     * plainly a quote (CSV: the type field is "Q"; JSON: no backslash and a
     * single "event_type" key whose value is "Q") is counted as a quote
     * without being parsed at all, even if it would be a reject. A line that
     * parses as a trade is never skipped. The counts are then not the date's.
     */
    int trades_only;
} taq_line_ctx_t;

/*
 * Parse one line (no line end; a trailing '\r' already removed; not
 * NUL-terminated; may contain NUL bytes). On TAQ_REJ_NONE *out is filled
 * (out->line is left for the caller); otherwise *out is unspecified.
 * A blank line is the caller's business (it is not a reject).
 */
taq_reject_reason_t taq_parse_line(const taq_line_ctx_t *ctx, const char *line, size_t len,
                                   taq_event_t *out);

/* Output of parsing one or more buffers: valid events, rejects, accounting. */
typedef struct taq_batch {
    taq_vec_t events;  /* of taq_event_t */
    taq_vec_t rejects; /* of taq_reject_t, in (file, line) order of parsing */
    taq_counts_t counts;
} taq_batch_t;

void taq_batch_init(taq_batch_t *b);
void taq_batch_free(taq_batch_t *b);

/*
 * Split buf (len bytes, any content) into lines on '\n' (a '\r' before it is
 * dropped; a last line without '\n' still counts; a buffer ending in '\n' has
 * no extra empty line), number them from first_line, and parse each: blank
 * lines are counted, valid records appended to b->events, others appended to
 * b->rejects with `relpath` (the path shown in /rejects, truncated to fit).
 * Updates b->counts (lines, trades, quotes, rejects, blank). Never fails.
 * Returns the number of lines seen.
 */
int64_t taq_parse_buffer(const taq_line_ctx_t *ctx, const char *relpath, const char *buf,
                         size_t len, int64_t first_line, taq_batch_t *b);

#endif /* TAQ_PARSE_H */
