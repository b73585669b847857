/*
 * line.c - buffers -> lines -> events or rejects, with the line accounting.
 *
 * taq_parse_buffer is the hot loop of the parse stage (a real day is over a
 * billion lines): lines are found with memchr, nothing is allocated per line
 * except the amortised growth of the output vectors, and the reject file name
 * is prepared once per buffer. Every line lands in exactly one of trades,
 * quotes, rejects or blank, so lines == trades + quotes + rejects + blank
 * holds by construction.
 *
 * Line ends: only a '\r' right before a '\n' belongs to the line end; a '\r'
 * anywhere else (also at the very end of a buffer without '\n') is content.
 */
#include <assert.h>
#include <string.h>

#include "parse_internal.h"

static const char *const reason_names[TAQ_REJ_COUNT_] = {
    [TAQ_REJ_NONE] = "",
    [TAQ_REJ_LINE_TOO_LONG] = "line_too_long",
    [TAQ_REJ_FIELD_COUNT] = "field_count",
    [TAQ_REJ_BAD_JSON] = "bad_json",
    [TAQ_REJ_MISSING_FIELD] = "missing_field",
    [TAQ_REJ_UNKNOWN_TYPE] = "unknown_type",
    [TAQ_REJ_BAD_SYMBOL] = "bad_symbol",
    [TAQ_REJ_BAD_TIMESTAMP] = "bad_timestamp",
    [TAQ_REJ_BAD_NUMBER] = "bad_number",
    [TAQ_REJ_NEGATIVE_VALUE] = "negative_value",
    [TAQ_REJ_BAD_TRADE_DT] = "bad_trade_dt",
    [TAQ_REJ_DATE_MISMATCH] = "date_mismatch",
};

const char *taq_reject_reason_name(taq_reject_reason_t r)
{
    if ((int)r < 0 || r >= TAQ_REJ_COUNT_)
        return "";
    return reason_names[r];
}

taq_reject_reason_t taq_parse_line(const taq_line_ctx_t *ctx, const char *line, size_t len,
                                   taq_event_t *out)
{
    assert(ctx->format == TAQ_FORMAT_CSV || ctx->format == TAQ_FORMAT_JSON);
    if (len > TAQ_MAX_LINE)
        return TAQ_REJ_LINE_TOO_LONG;
    if (ctx->format == TAQ_FORMAT_JSON)
        return taq_parse_json_line(ctx, line, len, out);
    return taq_parse_csv_line(ctx, line, len, out);
}

void taq_batch_init(taq_batch_t *b)
{
    taq_vec_init(&b->events, sizeof(taq_event_t));
    taq_vec_init(&b->rejects, sizeof(taq_reject_t));
    memset(&b->counts, 0, sizeof b->counts);
}

void taq_batch_free(taq_batch_t *b)
{
    if (b == NULL)
        return;
    taq_vec_free(&b->events);
    taq_vec_free(&b->rejects);
    memset(&b->counts, 0, sizeof b->counts);
}

/*
 * relpath as stored in a reject row (NUL-padded). Too long for the field:
 * "..." and the path's last bytes, starting on a UTF-8 character boundary,
 * since the end of a path (folder date, exchange, file) says the most.
 */
static void reject_file_name(const char *relpath, char out[TAQ_REJECT_FILE_LEN])
{
    const size_t room = TAQ_REJECT_FILE_LEN - 1;
    const size_t n = relpath ? strlen(relpath) : 0;
    memset(out, 0, TAQ_REJECT_FILE_LEN);
    if (n <= room) {
        if (n > 0)
            memcpy(out, relpath, n);
        return;
    }
    const char *tail = relpath + n - (room - 3);
    while (((unsigned char)*tail & 0xC0) == 0x80)
        tail++;
    memcpy(out, "...", 3);
    memcpy(out + 3, tail, strlen(tail));
}

static void add_reject(taq_batch_t *b, const char file[TAQ_REJECT_FILE_LEN], int64_t lineno,
                       taq_reject_reason_t r, const char *line, size_t len)
{
    taq_reject_t *rj = taq_vec_push(&b->rejects); /* zeroed: every field NUL-padded */
    const char *name = taq_reject_reason_name(r);
    memcpy(rj->file, file, TAQ_REJECT_FILE_LEN);
    rj->line = lineno;
    memcpy(rj->reason, name, strlen(name));
    memcpy(rj->text, line, len < TAQ_REJECT_TEXT_LEN ? len : TAQ_REJECT_TEXT_LEN - 1);
    b->counts.rejects++;
}

/* One line (line end removed) into exactly one of the four counters. */
static void handle_line(const taq_line_ctx_t *ctx, const char file[TAQ_REJECT_FILE_LEN],
                        const char *line, size_t len, int64_t lineno, taq_batch_t *b)
{
    b->counts.lines++;
    if (len == 0) {
        b->counts.blank++;
        return;
    }
    if (ctx->trades_only && (ctx->format == TAQ_FORMAT_CSV ? taq_csv_is_quote(line, len)
                                                           : taq_json_is_quote(line, len))) {
        b->counts.quotes++;
        return;
    }
    taq_event_t ev;
    const taq_reject_reason_t r = taq_parse_line(ctx, line, len, &ev);
    if (r != TAQ_REJ_NONE) {
        add_reject(b, file, lineno, r, line, len);
        return;
    }
    ev.line = lineno;
    if (ev.kind == TAQ_KIND_TRADE)
        b->counts.trades++;
    else
        b->counts.quotes++;
    if (ev.kind == TAQ_KIND_TRADE || !ctx->trades_only)
        *(taq_event_t *)taq_vec_push(&b->events) = ev;
}

int64_t taq_parse_buffer(const taq_line_ctx_t *ctx, const char *relpath, const char *buf,
                         size_t len, int64_t first_line, taq_batch_t *b)
{
    char file[TAQ_REJECT_FILE_LEN];
    if (len == 0)
        return 0;
    reject_file_name(relpath, file);
    const char *p = buf;
    const char *const end = buf + len;
    int64_t n = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t llen = (size_t)((nl ? nl : end) - p);
        if (nl && llen > 0 && p[llen - 1] == '\r')
            llen--;
        handle_line(ctx, file, p, llen, first_line + n, b);
        n++;
        p = nl ? nl + 1 : end;
    }
    return n;
}
