/*
 * fuzz_csv_line.c - taq_parse_line on one arbitrary CSV line.
 *
 * The input is the line itself (any bytes, NULs included, no line end).
 * A small reference model, written from SPEC 1.2 on top of the number and
 * timestamp kernels (which fuzz_numbers and fuzz_timestamp check against
 * their own oracles), predicts the exact reject reason, precedence
 * included; the parser must agree. A valid line must give an event that
 * obeys every SPEC rule, holds exactly the bytes and values of its fields,
 * and survives a round trip through both formats.
 */
#include <string.h>

#include "fuzz_check.h"
#include "taq/timeutil.h"

#define MAX_FIELDS 11

typedef struct field {
    const char *p;
    size_t n;
} field_t;

/* Split on every ',' (no quoting); returns the true count, storing at most MAX_FIELDS. */
static size_t split(const char *s, size_t len, field_t *f)
{
    size_t count = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != ',')
            continue;
        if (count < MAX_FIELDS)
            f[count] = (field_t){s + start, i - start};
        count++;
        start = i + 1;
    }
    return count;
}

static int ident_ok(field_t f, size_t max)
{
    if (f.n < 1 || f.n > max)
        return 0;
    for (size_t i = 0; i < f.n; i++)
        if ((unsigned char)f.p[i] < 0x21 || (unsigned char)f.p[i] > 0x7E)
            return 0;
    return 1;
}

/* bad_number if any number is unreadable, else negative_value if any is < 0. */
static taq_reject_reason_t numbers_verdict(const field_t *f, int quote)
{
    static const int price_field[] = {0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0};
    const size_t last = quote ? 10 : 8;
    int bad = 0, neg = 0;
    for (size_t i = 5; i <= last; i++) {
        if (i == 6)
            continue; /* exchange */
        double d;
        int64_t v;
        const taq_reject_reason_t r = price_field[i] ? taq_parse_price(f[i].p, f[i].n, &d)
                                                     : taq_parse_int64(f[i].p, f[i].n, &v);
        bad |= r == TAQ_REJ_BAD_NUMBER;
        neg |= r == TAQ_REJ_NEGATIVE_VALUE;
    }
    return bad ? TAQ_REJ_BAD_NUMBER : neg ? TAQ_REJ_NEGATIVE_VALUE : TAQ_REJ_NONE;
}

/* The reason SPEC 1.2 gives this line (first that applies). */
static taq_reject_reason_t expected(size_t len, const field_t *f, size_t nf)
{
    int64_t ns;
    int32_t days;
    if (len > TAQ_MAX_LINE)
        return TAQ_REJ_LINE_TOO_LONG;
    if (nf != 9 && nf != 11)
        return TAQ_REJ_FIELD_COUNT;
    if (f[2].n != 1 || (f[2].p[0] != 'T' && f[2].p[0] != 'Q'))
        return TAQ_REJ_UNKNOWN_TYPE;
    const int quote = f[2].p[0] == 'Q';
    if (nf != (quote ? 11u : 9u))
        return TAQ_REJ_FIELD_COUNT;
    if (!ident_ok(f[3], TAQ_SYMBOL_LEN) || !ident_ok(f[6], TAQ_EXCHANGE_LEN))
        return TAQ_REJ_BAD_SYMBOL;
    if (taq_parse_timestamp(f[1].p, f[1].n, &ns) || taq_parse_timestamp(f[4].p, f[4].n, &ns))
        return TAQ_REJ_BAD_TIMESTAMP;
    const taq_reject_reason_t r = numbers_verdict(f, quote);
    if (r != TAQ_REJ_NONE)
        return r;
    if (taq_date_parse(f[0].p, f[0].n, &days))
        return TAQ_REJ_BAD_TRADE_DT;
    return days == FUZZ_FOLDER_DATE ? TAQ_REJ_NONE : TAQ_REJ_DATE_MISMATCH;
}

/* The event holds exactly the values of its fields. */
static void check_fields(const taq_event_t *ev, const field_t *f)
{
    int64_t ns, v;
    double d;
    FUZZ_REQUIRE(ev->kind == f[2].p[0]);
    FUZZ_REQUIRE(memcmp(ev->symbol, f[3].p, f[3].n) == 0);
    FUZZ_REQUIRE(memcmp(ev->exchange, f[6].p, f[6].n) == 0);
    FUZZ_REQUIRE(taq_parse_timestamp(f[1].p, f[1].n, &ns) == 0 && ns == ev->arrival_tm);
    FUZZ_REQUIRE(taq_parse_timestamp(f[4].p, f[4].n, &ns) == 0 && ns == ev->event_tm);
    FUZZ_REQUIRE(taq_parse_int64(f[5].p, f[5].n, &v) == TAQ_REJ_NONE && v == ev->event_seq_nb);
    FUZZ_REQUIRE(taq_parse_price(f[7].p, f[7].n, &d) == TAQ_REJ_NONE && d == ev->price);
    FUZZ_REQUIRE(taq_parse_int64(f[8].p, f[8].n, &v) == TAQ_REJ_NONE && v == ev->size);
    if (ev->kind == TAQ_KIND_QUOTE) {
        FUZZ_REQUIRE(taq_parse_price(f[9].p, f[9].n, &d) == TAQ_REJ_NONE && d == ev->ask_pr);
        FUZZ_REQUIRE(taq_parse_int64(f[10].p, f[10].n, &v) == TAQ_REJ_NONE && v == ev->ask_size);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    const taq_line_ctx_t ctx = fuzz_ctx(TAQ_FORMAT_CSV);
    field_t f[MAX_FIELDS];
    const size_t nf = split(line, size, f);
    taq_event_t ev;
    memset(&ev, 0, sizeof ev);
    const taq_reject_reason_t r = taq_parse_line(&ctx, line, size, &ev);
    fuzz_check_reason(r);
    FUZZ_REQUIRE(r == expected(size, f, nf));
    if (r == TAQ_REJ_NONE) {
        fuzz_check_event(&ev, &ctx);
        check_fields(&ev, f);
        fuzz_check_roundtrip(&ev, &ctx);
    }
    return 0;
}
