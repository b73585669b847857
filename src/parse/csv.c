/*
 * csv.c - positional capstone CSV: no header, no quoting, field 3 is the type.
 *
 *   T: trade_dt,arrival_tm,T,symbol,event_tm,event_seq_nb,exchange,trade_pr,trade_size
 *   Q: trade_dt,arrival_tm,Q,symbol,event_tm,event_seq_nb,exchange,bid_pr,bid_size,
 *      ask_pr,ask_size
 *
 * Commas are searched in exactly len bytes (the line may hold NUL bytes);
 * every comma is counted even past the 11th field so "too many fields" is
 * field_count.
 * The type decides the expected count: "T" needs 9 fields, "Q" 11; a known
 * type with the other count is field_count, any other type is unknown_type.
 * Quotes are plain content: a quoted symbol fails the symbol rule later.
 */
#include <string.h>

#include "parse_internal.h"

#define CSV_TRADE_FIELDS 9
#define CSV_QUOTE_FIELDS 11

/* Record field number `count` as [start, stop) when it is among the first max. */
static void add_field(const char *line, size_t start, size_t stop, size_t count, taq_slice_t *f,
                      size_t max)
{
    if (count < max) {
        f[count].p = line + start;
        f[count].n = stop - start;
    }
}

#define ONES UINT64_C(0x0101010101010101)
#define LOW7 UINT64_C(0x7F7F7F7F7F7F7F7F)

/*
 * Bit 8k+7 set exactly where byte k of the 8-byte word x is ',' (no false
 * positives: the low 7 bits are added without carries between bytes).
 */
static uint64_t comma_bits(uint64_t x)
{
    const uint64_t t = x ^ (ONES * ',');
    return ~(((t & LOW7) + LOW7) | t | LOW7);
}

/*
 * Split into at most `max` slices; returns the true field count (may exceed
 * max). A line has about ten commas in 130 bytes: on little-endian machines
 * the commas are found eight bytes at a time (the lowest set bit is the
 * first comma), the tail byte by byte.
 */
static size_t split_fields(const char *line, size_t len, taq_slice_t *f, size_t max)
{
    size_t count = 0, start = 0, i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, line + i, sizeof x);
        for (uint64_t m = comma_bits(x); m != 0; m &= m - 1) {
            const size_t at = i + (size_t)__builtin_ctzll(m) / 8;
            add_field(line, start, at, count++, f, max);
            start = at + 1;
        }
    }
#endif
    for (; i < len; i++) {
        if (line[i] == ',') {
            add_field(line, start, i, count++, f, max);
            start = i + 1;
        }
    }
    add_field(line, start, len, count++, f, max);
    return count;
}

/* Kind from the type field and the field count, or the reason it has none. */
static taq_reject_reason_t csv_kind(const taq_slice_t *f, size_t nfields, char *kind)
{
    if (nfields != CSV_TRADE_FIELDS && nfields != CSV_QUOTE_FIELDS)
        return TAQ_REJ_FIELD_COUNT;
    const taq_slice_t type = f[2];
    if (type.n != 1 || (type.p[0] != TAQ_KIND_TRADE && type.p[0] != TAQ_KIND_QUOTE))
        return TAQ_REJ_UNKNOWN_TYPE;
    *kind = type.p[0];
    const size_t want = *kind == TAQ_KIND_TRADE ? CSV_TRADE_FIELDS : CSV_QUOTE_FIELDS;
    return nfields == want ? TAQ_REJ_NONE : TAQ_REJ_FIELD_COUNT;
}

taq_reject_reason_t taq_parse_csv_line(const taq_line_ctx_t *ctx, const char *line, size_t len,
                                       taq_event_t *out)
{
    taq_slice_t f[CSV_QUOTE_FIELDS];
    const size_t nfields = split_fields(line, len, f, CSV_QUOTE_FIELDS);
    taq_raw_event_t raw;
    memset(&raw, 0, sizeof raw);
    const taq_reject_reason_t r = csv_kind(f, nfields, &raw.kind);
    if (r != TAQ_REJ_NONE)
        return r;
    raw.trade_dt = f[0];
    raw.arrival_tm = f[1];
    raw.symbol = f[3];
    raw.event_tm = f[4];
    raw.event_seq_nb = f[5];
    raw.exchange = f[6];
    raw.price = f[7];
    raw.size = f[8];
    if (raw.kind == TAQ_KIND_QUOTE) {
        raw.ask_pr = f[9];
        raw.ask_size = f[10];
    }
    return taq_parse_fields(ctx, &raw, out);
}

int taq_csv_is_quote(const char *line, size_t len)
{
    const char *c1 = memchr(line, ',', len);
    if (!c1)
        return 0;
    const char *end = line + len;
    const char *c2 = memchr(c1 + 1, ',', (size_t)(end - c1 - 1));
    /* ",Q," or ",Q" at the very end */
    return c2 && c2 + 1 < end && c2[1] == 'Q' && (c2 + 2 == end || c2[2] == ',');
}
