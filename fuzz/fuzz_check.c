/*
 * fuzz_check.c - shared properties of the fuzz harnesses (see fuzz_check.h).
 *
 * The event rules are written from SPEC 1.2 directly, not by calling the
 * parser's own checks, so a harness catches a parser that lets something
 * through. The canonical writers print prices with %.17g (exact for a
 * double) and timestamps with all 9 fraction digits, so a round trip must
 * reproduce every bit of the event.
 */
#include "fuzz_check.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "taq/timeutil.h"

static const char *const reason_words[] = {
    "line_too_long",  "field_count",  "bad_json",      "missing_field",
    "unknown_type",   "bad_symbol",   "bad_timestamp", "bad_number",
    "negative_value", "bad_trade_dt", "date_mismatch",
};

_Noreturn void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "FUZZ PROPERTY VIOLATED at %s:%d: %s\n", file, line, what);
    fflush(stderr);
    abort();
}

taq_line_ctx_t fuzz_ctx(taq_format_t format)
{
    const taq_line_ctx_t c = {.format = format, .folder_date = FUZZ_FOLDER_DATE, .file_idx = FUZZ_FILE_IDX};
    return c;
}

int fuzz_reason_known(const char *name)
{
    for (size_t i = 0; i < sizeof reason_words / sizeof reason_words[0]; i++)
        if (strcmp(name, reason_words[i]) == 0)
            return 1;
    return 0;
}

void fuzz_check_reason(taq_reject_reason_t r)
{
    FUZZ_REQUIRE((int)r >= TAQ_REJ_NONE && r < TAQ_REJ_COUNT_);
    const char *name = taq_reject_reason_name(r);
    FUZZ_REQUIRE(r == TAQ_REJ_NONE ? name[0] == '\0' : fuzz_reason_known(name));
}

/* A NUL-padded identifier field: 1..cap bytes of 0x21..0x7E, then only NULs. */
static void check_ident(const char *f, size_t cap)
{
    size_t n = 0;
    while (n < cap && f[n] != '\0')
        n++;
    FUZZ_REQUIRE(n >= 1);
    for (size_t i = 0; i < n; i++)
        FUZZ_REQUIRE((unsigned char)f[i] >= 0x21 && (unsigned char)f[i] <= 0x7E);
    for (size_t i = n; i < cap; i++)
        FUZZ_REQUIRE(f[i] == '\0');
}

static void check_price(double p)
{
    FUZZ_REQUIRE(isfinite(p) && p >= 0.0 && !signbit(p));
}

void fuzz_check_event(const taq_event_t *ev, const taq_line_ctx_t *ctx)
{
    FUZZ_REQUIRE(ev->kind == TAQ_KIND_TRADE || ev->kind == TAQ_KIND_QUOTE);
    check_ident(ev->symbol, TAQ_SYMBOL_LEN);
    check_ident(ev->exchange, TAQ_EXCHANGE_LEN);
    FUZZ_REQUIRE(ev->event_seq_nb >= 0 && ev->size >= 0);
    check_price(ev->price);
    if (ev->kind == TAQ_KIND_QUOTE) {
        check_price(ev->ask_pr);
        FUZZ_REQUIRE(ev->ask_size >= 0);
    } else {
        FUZZ_REQUIRE(ev->ask_pr == 0.0 && !signbit(ev->ask_pr) && ev->ask_size == 0);
    }
    FUZZ_REQUIRE(ev->file_idx == ctx->file_idx); /* trade_dt is not stored: see record.h */
}

void fuzz_format_ts(int64_t ns, char out[30])
{
    int64_t days = ns / TAQ_NS_PER_DAY;
    int64_t tod = ns % TAQ_NS_PER_DAY;
    if (tod < 0) {
        tod += TAQ_NS_PER_DAY;
        days--;
    }
    char date[11];
    taq_date_format((int32_t)days, date);
    const int64_t secs = tod / TAQ_NS_PER_SEC;
    snprintf(out, 30, "%s %02d:%02d:%02d.%09d", date, (int)(secs / 3600), (int)(secs / 60 % 60),
             (int)(secs % 60), (int)(tod % TAQ_NS_PER_SEC));
}

/* An identifier as a JSON string body: '"' and '\\' escaped, the rest is printable ASCII. */
static void json_ident(const char *f, size_t cap, char *out)
{
    for (size_t i = 0; i < cap && f[i] != '\0'; i++) {
        if (f[i] == '"' || f[i] == '\\')
            *out++ = '\\';
        *out++ = f[i];
    }
    *out = '\0';
}

static size_t format_json(const taq_event_t *ev, const char *dt, const char *arr, const char *evt,
                          char *out, size_t cap)
{
    char sym[2 * TAQ_SYMBOL_LEN + 1], exch[2 * TAQ_EXCHANGE_LEN + 1];
    json_ident(ev->symbol, TAQ_SYMBOL_LEN, sym);
    json_ident(ev->exchange, TAQ_EXCHANGE_LEN, exch);
    int n = snprintf(out, cap,
                     "{\"trade_dt\":\"%s\",\"file_tm\":\"%s\",\"event_type\":\"%c\","
                     "\"symbol\":\"%s\",\"event_tm\":\"%s\",\"event_seq_nb\":%" PRId64
                     ",\"exchange\":\"%s\",",
                     dt, arr, (char)ev->kind, sym, evt, ev->event_seq_nb, exch);
    if (ev->kind == TAQ_KIND_TRADE)
        n += snprintf(out + n, cap - (size_t)n, "\"price\":%.17g,\"size\":%" PRId64 "}", ev->price,
                      ev->size);
    else
        n += snprintf(out + n, cap - (size_t)n,
                      "\"bid_pr\":%.17g,\"bid_size\":%" PRId64 ",\"ask_pr\":%.17g,"
                      "\"ask_size\":%" PRId64 "}",
                      ev->price, ev->size, ev->ask_pr, ev->ask_size);
    return (size_t)n;
}

static size_t format_csv(const taq_event_t *ev, const char *dt, const char *arr, const char *evt,
                         char *out, size_t cap)
{
    if (memchr(ev->symbol, ',', TAQ_SYMBOL_LEN) || memchr(ev->exchange, ',', TAQ_EXCHANGE_LEN))
        return 0;
    int n = snprintf(out, cap, "%s,%s,%c,%.*s,%s,%" PRId64 ",%.*s,%.17g,%" PRId64, dt, arr,
                     (char)ev->kind, TAQ_SYMBOL_LEN, ev->symbol, evt, ev->event_seq_nb,
                     TAQ_EXCHANGE_LEN, ev->exchange, ev->price, ev->size);
    if (ev->kind == TAQ_KIND_QUOTE)
        n += snprintf(out + n, cap - (size_t)n, ",%.17g,%" PRId64, ev->ask_pr, ev->ask_size);
    return (size_t)n;
}

size_t fuzz_format_line(const taq_event_t *ev, int32_t trade_dt, taq_format_t format, char *out,
                        size_t cap)
{
    char dt[11], arr[30], evt[30];
    taq_date_format(trade_dt, dt);
    fuzz_format_ts(ev->arrival_tm, arr);
    fuzz_format_ts(ev->event_tm, evt);
    const size_t n = format == TAQ_FORMAT_JSON ? format_json(ev, dt, arr, evt, out, cap)
                                               : format_csv(ev, dt, arr, evt, out, cap);
    FUZZ_REQUIRE(n < cap);
    return n;
}

void fuzz_check_roundtrip(const taq_event_t *ev, const taq_line_ctx_t *ctx)
{
    taq_event_t want = *ev;
    want.line = 0;
    for (int f = TAQ_FORMAT_CSV; f <= TAQ_FORMAT_JSON; f++) {
        char line[1024];
        const size_t n = fuzz_format_line(ev, ctx->folder_date, (taq_format_t)f, line, sizeof line);
        if (n == 0)
            continue; /* a ',' in an identifier cannot be written as CSV */
        const taq_line_ctx_t c = {.format = (taq_format_t)f, .folder_date = ctx->folder_date,
                                  .file_idx = ctx->file_idx};
        taq_event_t got;
        memset(&got, 0, sizeof got);
        FUZZ_REQUIRE(taq_parse_line(&c, line, n, &got) == TAQ_REJ_NONE);
        FUZZ_REQUIRE(memcmp(&got, &want, sizeof got) == 0);
    }
}
