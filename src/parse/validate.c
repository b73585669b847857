/*
 * validate.c - the format-independent rules, applied in SPEC 1.2 order.
 *
 * Both front ends end here once they know the kind of a line and where its
 * fields are. The order is the reject precedence: bad_symbol, bad_timestamp,
 * bad_number, negative_value, bad_trade_dt, date_mismatch. Every number of a
 * line is checked for syntax before any sign is reported, so a line with a
 * negative size and an unreadable price is bad_number.
 */
#include <string.h>

#include "parse_internal.h"

/* 1..max bytes, each printable ASCII other than space (0x21..0x7E). */
static int ident_ok(taq_slice_t f, size_t max)
{
    if (f.n == 0 || f.n > max)
        return 0;
    for (size_t i = 0; i < f.n; i++) {
        const unsigned char c = (unsigned char)f.p[i];
        if (c < 0x21 || c > 0x7E)
            return 0;
    }
    return 1;
}

/* Worse of two number verdicts: any bad_number beats any negative_value. */
static taq_reject_reason_t worse(taq_reject_reason_t a, taq_reject_reason_t b)
{
    if (a == TAQ_REJ_BAD_NUMBER || b == TAQ_REJ_BAD_NUMBER)
        return TAQ_REJ_BAD_NUMBER;
    return a != TAQ_REJ_NONE ? a : b;
}

/* All numbers of the line into out; the worst verdict over all of them. */
static taq_reject_reason_t parse_numbers(const taq_raw_event_t *raw, taq_event_t *out)
{
    taq_reject_reason_t r =
        taq_parse_int64(raw->event_seq_nb.p, raw->event_seq_nb.n, &out->event_seq_nb);
    r = worse(r, taq_parse_price(raw->price.p, raw->price.n, &out->price));
    r = worse(r, taq_parse_int64(raw->size.p, raw->size.n, &out->size));
    if (raw->kind == TAQ_KIND_QUOTE) {
        r = worse(r, taq_parse_price(raw->ask_pr.p, raw->ask_pr.n, &out->ask_pr));
        r = worse(r, taq_parse_int64(raw->ask_size.p, raw->ask_size.n, &out->ask_size));
    }
    return r;
}

taq_reject_reason_t taq_parse_fields(const taq_line_ctx_t *ctx, const taq_raw_event_t *raw,
                                     taq_event_t *out)
{
    if (!ident_ok(raw->symbol, TAQ_SYMBOL_LEN) || !ident_ok(raw->exchange, TAQ_EXCHANGE_LEN))
        return TAQ_REJ_BAD_SYMBOL;
    if (taq_parse_timestamp(raw->arrival_tm.p, raw->arrival_tm.n, &out->arrival_tm) ||
        taq_parse_timestamp(raw->event_tm.p, raw->event_tm.n, &out->event_tm))
        return TAQ_REJ_BAD_TIMESTAMP;
    out->ask_pr = 0.0;
    out->ask_size = 0;
    const taq_reject_reason_t r = parse_numbers(raw, out);
    if (r != TAQ_REJ_NONE)
        return r;
    int32_t trade_dt;
    if (taq_parse_date(raw->trade_dt.p, raw->trade_dt.n, &trade_dt))
        return TAQ_REJ_BAD_TRADE_DT;
    if (trade_dt != ctx->folder_date)
        return TAQ_REJ_DATE_MISMATCH;
    memset(out->symbol, 0, sizeof out->symbol);
    memcpy(out->symbol, raw->symbol.p, raw->symbol.n);
    memset(out->exchange, 0, sizeof out->exchange);
    memcpy(out->exchange, raw->exchange.p, raw->exchange.n);
    out->kind = (unsigned char)raw->kind;
    out->file_idx = ctx->file_idx;
    return TAQ_REJ_NONE;
}
