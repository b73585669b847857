/*
 * Unit tests of parse/: number and timestamp kernels, CSV and JSON lines,
 * every reject reason and their precedence, and the line accounting of
 * taq_parse_buffer (line ends, blank lines, reject rows, hostile bytes).
 *
 * Lines are built from the SPEC samples with one field swapped, so each case
 * shows exactly which change causes which reason.
 */
#define _GNU_SOURCE /* memmem */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/parse/parse_internal.h"
#include "harness.h"
#include "taq/parse.h"
#include "taq/timeutil.h"

#define FOLDER_DATE 18479 /* 2020-08-05 */
#define FILE_IDX 7u
#define LINE_CAP 4096

static const char CSV_T[] = "2020-08-05,2020-08-05 09:30:00.0,T,SYMA,2020-08-05 10:37:21.581,10,"
                            "NYSE,79.19488165597565,912";
static const char CSV_Q[] = "2020-08-05,2020-08-05 09:30:00.0,Q,SYMA,2020-08-05 09:34:51.505,1,"
                            "NYSE,75.30254839137037,100,75.35916738004924,100";
static const char JSON_T[] =
    "{\"trade_dt\":\"2020-08-05\",\"file_tm\":\"2020-08-05 09:30:00.000\",\"event_type\":\"T\","
    "\"symbol\":\"SYMA\",\"execution_id\":\"EX-10\",\"event_tm\":\"2020-08-05 10:38:50.046\","
    "\"event_seq_nb\":10,\"exchange\":\"NASDAQ\",\"price\":77.77570455205036,\"size\":509}";
/*
 * A valid trade whose only literal "event_type" text (an unknown key that
 * starts with an escaped quote) is followed by :"Q"; the real key is escaped.
 */
static const char JSON_T_DECOY[] =
    "{\"\\\"event_type\":\"Q\",\"trade_dt\":\"2020-08-05\",\"file_tm\":\"2020-08-05 09:30:00.000\","
    "\"\\u0065vent_type\":\"T\",\"symbol\":\"SYMA\",\"event_tm\":\"2020-08-05 10:38:50.046\","
    "\"event_seq_nb\":10,\"exchange\":\"NASDAQ\",\"price\":77.77570455205036,\"size\":509}";
/* JSON_Q with its event_type key spelled with an escape. */
static const char JSON_Q_ESCAPED_KEY[] =
    "{\"trade_dt\":\"2020-08-05\",\"file_tm\":\"2020-08-05 09:30:00.000\",\"\\u0065vent_type\":\"Q\","
    "\"symbol\":\"SYMA\",\"event_tm\":\"2020-08-05 09:36:55.284\",\"event_seq_nb\":1,"
    "\"exchange\":\"NASDAQ\",\"bid_pr\":76.10016521142818,\"bid_size\":100,"
    "\"ask_pr\":77.9647975908747,\"ask_size\":100}";
static const char JSON_Q[] =
    "{\"trade_dt\":\"2020-08-05\",\"file_tm\":\"2020-08-05 09:30:00.000\",\"event_type\":\"Q\","
    "\"symbol\":\"SYMA\",\"event_tm\":\"2020-08-05 09:36:55.284\",\"event_seq_nb\":1,"
    "\"exchange\":\"NASDAQ\",\"bid_pr\":76.10016521142818,\"bid_size\":100,"
    "\"ask_pr\":77.9647975908747,\"ask_size\":100}";

enum { F_DT, F_ARR, F_TYPE, F_SYM, F_EVT, F_SEQ, F_EXCH, F_PR, F_SIZE, F_ASK_PR, F_ASK_SIZE };

static taq_line_ctx_t mkctx(taq_format_t f)
{
    const taq_line_ctx_t c = {.format = f, .folder_date = FOLDER_DATE, .file_idx = FILE_IDX};
    return c;
}

static taq_reject_reason_t parse_n(taq_format_t f, const char *s, size_t n, taq_event_t *ev)
{
    const taq_line_ctx_t c = mkctx(f);
    return taq_parse_line(&c, s, n, ev);
}

static taq_reject_reason_t csv(const char *s)
{
    taq_event_t ev;
    return parse_n(TAQ_FORMAT_CSV, s, strlen(s), &ev);
}

static taq_reject_reason_t json(const char *s)
{
    taq_event_t ev;
    return parse_n(TAQ_FORMAT_JSON, s, strlen(s), &ev);
}

/* Replace CSV field `field` of line (a LINE_CAP buffer) by v, in place. */
static char *csv_set(char *line, int field, const char *v)
{
    char *start = line;
    for (int i = 0; i < field; i++)
        start = strchr(start, ',') + 1;
    char *end = start + strcspn(start, ",");
    const size_t vl = strlen(v);
    CU_ASSERT_FATAL(strlen(line) - (size_t)(end - start) + vl < LINE_CAP);
    memmove(start + vl, end, strlen(end) + 1);
    memcpy(start, v, vl);
    return line;
}

/* Reason for `base` with one CSV field replaced. */
static taq_reject_reason_t csv_one(const char *base, int field, const char *v)
{
    char l[LINE_CAP];
    strcpy(l, base);
    return csv(csv_set(l, field, v));
}

/* Replace the raw JSON value of key in line (a LINE_CAP buffer); NULL removes the member. */
static char *json_set(char *line, const char *key, const char *raw)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    char *k = strstr(line, pat);
    CU_ASSERT_PTR_NOT_NULL_FATAL(k);
    char *v = k + strlen(pat);
    char *end = v + strcspn(v, ",}");
    if (raw == NULL) {
        if (*end == ',')
            end++;
        else if (k[-1] == ',')
            k--;
        memmove(k, end, strlen(end) + 1);
        return line;
    }
    const size_t rl = strlen(raw);
    CU_ASSERT_FATAL(strlen(line) - (size_t)(end - v) + rl < LINE_CAP);
    memmove(v + rl, end, strlen(end) + 1);
    memcpy(v, raw, rl);
    return line;
}

static taq_reject_reason_t json_one(const char *base, const char *key, const char *raw)
{
    char l[LINE_CAP];
    strcpy(l, base);
    return json(json_set(l, key, raw));
}

/* Expected ns of a wall-clock time, computed independently of the parser. */
static int64_t ns_of(int y, int mo, int d, int h, int mi, int s, int64_t frac_ns)
{
    return (int64_t)taq_days_from_civil(y, mo, d) * TAQ_NS_PER_DAY +
           ((int64_t)h * 3600 + mi * 60 + s) * TAQ_NS_PER_SEC + frac_ns;
}

/* xorshift64 with a fixed seed: random cases are the same every run. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---- numbers ---------------------------------------------------------- */

static taq_reject_reason_t price(const char *s, double *v)
{
    return taq_parse_price(s, strlen(s), v);
}

static taq_reject_reason_t int64(const char *s, int64_t *v)
{
    return taq_parse_int64(s, strlen(s), v);
}

static void test_price_valid(void)
{
    double v = -1;
    CU_ASSERT_EQUAL(price("79.19488165597565", &v), TAQ_REJ_NONE);
    TAQ_ASSERT_DOUBLE_EXACT(v, 79.19488165597565);
    CU_ASSERT_EQUAL(price(".5", &v), TAQ_REJ_NONE);
    TAQ_ASSERT_DOUBLE_EXACT(v, 0.5);
    CU_ASSERT_EQUAL(price("5.", &v), TAQ_REJ_NONE);
    TAQ_ASSERT_DOUBLE_EXACT(v, 5.0);
    CU_ASSERT_EQUAL(price("1e3", &v), TAQ_REJ_NONE);
    TAQ_ASSERT_DOUBLE_EXACT(v, 1000.0);
    CU_ASSERT_EQUAL(price("2.5E+2", &v), TAQ_REJ_NONE);
    TAQ_ASSERT_DOUBLE_EXACT(v, 250.0);
    CU_ASSERT_EQUAL(price("25e-1", &v), TAQ_REJ_NONE);
    TAQ_ASSERT_DOUBLE_EXACT(v, 2.5);
    CU_ASSERT_EQUAL(price("007", &v), TAQ_REJ_NONE);
    TAQ_ASSERT_DOUBLE_EXACT(v, 7.0);
    CU_ASSERT_EQUAL(price("-0", &v), TAQ_REJ_NONE);
    TAQ_ASSERT_DOUBLE_EXACT(v, 0.0); /* +0.0, not -0.0 */
    CU_ASSERT_EQUAL(price("-0.0", &v), TAQ_REJ_NONE);
    TAQ_ASSERT_DOUBLE_EXACT(v, 0.0);
    CU_ASSERT_EQUAL(price("1e-400", &v), TAQ_REJ_NONE); /* underflow is finite */
    TAQ_ASSERT_DOUBLE_EXACT(v, 0.0);
    CU_ASSERT_EQUAL(taq_parse_price("12345", 3, &v), TAQ_REJ_NONE); /* exactly len bytes */
    TAQ_ASSERT_DOUBLE_EXACT(v, 123.0);
    char big[402];
    memset(big, '1', sizeof big);
    big[3] = '.'; /* "111.111..." : valid at any length, finite */
    CU_ASSERT_EQUAL(taq_parse_price(big, 400, &v), TAQ_REJ_NONE);
    CU_ASSERT(fabs(v - 111.11111111111111) < 1e-12);
    CU_ASSERT_EQUAL(taq_parse_price(big, 401, &v), TAQ_REJ_BAD_NUMBER); /* over the copy limit */
}

static void test_price_invalid(void)
{
    static const char *const bad[] = {
        "",    ".",     "-",      "-.",    "+1",  " 1",  "1 ",       "0x10",  "0X1A",
        "nan", "NaN",   "inf",    "-inf",  "1e",  "1e+", "1.2.3",    "--1",   "1,5",
        "e5",  "1e309", "-1e309", "1e5.5", "12a", ".e1", "Infinity", "1_000", "1e+-1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 0;
        CU_ASSERT_EQUAL(price(bad[i], &v), TAQ_REJ_BAD_NUMBER);
    }
    double v = 0;
    CU_ASSERT_EQUAL(taq_parse_price("1\0002", 3, &v), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(taq_parse_price("12\0", 3, &v), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(price("-1.5", &v), TAQ_REJ_NEGATIVE_VALUE);
    CU_ASSERT_EQUAL(price("-1e-3", &v), TAQ_REJ_NEGATIVE_VALUE);
}

static void test_int64_values(void)
{
    int64_t v = -1;
    CU_ASSERT_EQUAL(int64("912", &v), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(v, 912);
    CU_ASSERT_EQUAL(int64("0", &v), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(int64("-0", &v), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(int64("007", &v), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(v, 7);
    CU_ASSERT_EQUAL(int64("9223372036854775807", &v), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(v, INT64_MAX);
    CU_ASSERT_EQUAL(int64("0009223372036854775807", &v), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(v, INT64_MAX);
    CU_ASSERT_EQUAL(taq_parse_int64("12345", 2, &v), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(v, 12);
    CU_ASSERT_EQUAL(int64("-5", &v), TAQ_REJ_NEGATIVE_VALUE);
    CU_ASSERT_EQUAL(int64("-9223372036854775808", &v), TAQ_REJ_NEGATIVE_VALUE);
    CU_ASSERT_EQUAL(v, INT64_MIN);
    static const char *const bad[] = {
        "",
        "-",
        "+1",
        " 1",
        "1 ",
        "912.5",
        "1e3",
        "0x10",
        "nan",
        "inf",
        "1,000",
        "--1",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "99999999999999999999999999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_EQUAL(int64(bad[i], &v), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(taq_parse_int64("1\0", 2, &v), TAQ_REJ_BAD_NUMBER);
}

/* ---- timestamps ------------------------------------------------------- */

static int ts(const char *s, int64_t *ns)
{
    return taq_parse_timestamp(s, strlen(s), ns);
}

static void test_timestamp_valid(void)
{
    int64_t ns = 0;
    CU_ASSERT_EQUAL(ts("2020-08-05 10:37:21.581", &ns), 0);
    CU_ASSERT_EQUAL(ns, INT64_C(1596623841581000000));
    CU_ASSERT_EQUAL(ns, ns_of(2020, 8, 5, 10, 37, 21, 581000000));
    CU_ASSERT_EQUAL(ts("2020-08-05T10:37:21.581", &ns), 0);
    CU_ASSERT_EQUAL(ns, INT64_C(1596623841581000000));
    CU_ASSERT_EQUAL(ts("2020-08-05 09:30:00", &ns), 0); /* 0 fractional digits */
    CU_ASSERT_EQUAL(ns, INT64_C(1596619800000000000));
    CU_ASSERT_EQUAL(ts("2020-08-05 09:30:00.123456789", &ns), 0); /* 9 digits */
    CU_ASSERT_EQUAL(ns, INT64_C(1596619800123456789));
    CU_ASSERT_EQUAL(ts("2020-08-05 09:30:00.5", &ns), 0);
    CU_ASSERT_EQUAL(ns, INT64_C(1596619800500000000));
    CU_ASSERT_EQUAL(ts("2020-08-05 09:30:00.000000001", &ns), 0);
    CU_ASSERT_EQUAL(ns, INT64_C(1596619800000000001));
    CU_ASSERT_EQUAL(ts("1970-01-01 00:00:00", &ns), 0);
    CU_ASSERT_EQUAL(ns, 0);
    CU_ASSERT_EQUAL(ts("1969-12-31 23:59:59.999999999", &ns), 0);
    CU_ASSERT_EQUAL(ns, -1);
    CU_ASSERT_EQUAL(ts("2020-02-29 23:59:59", &ns), 0);
    CU_ASSERT_EQUAL(ns, ns_of(2020, 2, 29, 23, 59, 59, 0));
    CU_ASSERT_EQUAL(ts("2262-04-11 23:47:16.854775807", &ns), 0); /* last int64 ns */
    CU_ASSERT_EQUAL(ns, INT64_MAX);
    CU_ASSERT_EQUAL(ts("1677-09-22 00:00:00", &ns), 0);
    CU_ASSERT_EQUAL(ns, ns_of(1677, 9, 22, 0, 0, 0, 0));
    CU_ASSERT_EQUAL(taq_parse_timestamp("2020-08-05 09:30:00.5xyz", 21, &ns), 0);
    CU_ASSERT_EQUAL(ns, INT64_C(1596619800500000000));
}

static void test_timestamp_invalid(void)
{
    static const char *const bad[] = {
        "2020-08-05 09:30:00.",           /* bare '.' */
        "2020-08-05 09:30:00.1234567890", /* 10 fractional digits */
        "2020-08-05 24:00:00",
        "2020-08-05 23:60:00",
        "2020-08-05 23:59:60",
        "2021-02-29 10:00:00",
        "2020-13-01 10:00:00",
        "2020-04-31 10:00:00",
        "2020-08-05t10:00:00",
        "2020-08-05  10:00:00",
        "2020-08-05 10:00:00 ",
        " 2020-08-05 10:00:00",
        "2020-08-05 10:00",
        "2020-08-05",
        "2020-08-05 10:00:0",
        "2020-08-05 1:00:00.0",
        "2020-08-05 10:00:00.58a",
        "2020-08-05 10:00:00,5",
        "2020/08/05 10:00:00",
        "2020-08-05 10-00-00",
        "2020-08-05 -1:00:00",
        "0000-01-01 00:00:00",
        "2262-04-11 23:47:16.854775808", /* one ns past int64 */
        "2262-04-12 00:00:00",
        "9999-12-31 23:59:59",
        "1000-01-01 00:00:00",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ns = 42;
        CU_ASSERT_EQUAL(ts(bad[i], &ns), -1);
        CU_ASSERT_EQUAL(ns, 42);
    }
    int64_t ns = 0;
    CU_ASSERT_EQUAL(taq_parse_timestamp("2020-08-05 10:00:00\0", 20, &ns), -1);
    CU_ASSERT_EQUAL(taq_parse_timestamp("2020-08-05\00010:00:00", 19, &ns), -1);
}

/* ---- sample lines ----------------------------------------------------- */

static void assert_padded(const char *field, size_t cap, const char *want)
{
    char expect[32] = {0};
    memcpy(expect, want, strlen(want));
    CU_ASSERT_EQUAL(memcmp(field, expect, cap), 0);
}

static void test_csv_trade_sample(void)
{
    taq_event_t ev;
    memset(&ev, 0xAB, sizeof ev);
    CU_ASSERT_EQUAL_FATAL(parse_n(TAQ_FORMAT_CSV, CSV_T, strlen(CSV_T), &ev), TAQ_REJ_NONE);
    assert_padded(ev.symbol, TAQ_SYMBOL_LEN, "SYMA");
    assert_padded(ev.exchange, TAQ_EXCHANGE_LEN, "NYSE");
    CU_ASSERT_EQUAL(ev.kind, TAQ_KIND_TRADE);
    CU_ASSERT_EQUAL(ev.arrival_tm, INT64_C(1596619800000000000));
    CU_ASSERT_EQUAL(ev.event_tm, INT64_C(1596623841581000000));
    CU_ASSERT_EQUAL(ev.event_seq_nb, 10);
    TAQ_ASSERT_DOUBLE_EXACT(ev.price, 79.19488165597565);
    CU_ASSERT_EQUAL(ev.size, 912);
    TAQ_ASSERT_DOUBLE_EXACT(ev.ask_pr, 0.0);
    CU_ASSERT_EQUAL(ev.ask_size, 0);
    CU_ASSERT_EQUAL(ev.file_idx, FILE_IDX);
}

static void test_csv_quote_sample(void)
{
    taq_event_t ev;
    memset(&ev, 0xAB, sizeof ev);
    CU_ASSERT_EQUAL_FATAL(parse_n(TAQ_FORMAT_CSV, CSV_Q, strlen(CSV_Q), &ev), TAQ_REJ_NONE);
    assert_padded(ev.symbol, TAQ_SYMBOL_LEN, "SYMA");
    assert_padded(ev.exchange, TAQ_EXCHANGE_LEN, "NYSE");
    CU_ASSERT_EQUAL(ev.kind, TAQ_KIND_QUOTE);
    CU_ASSERT_EQUAL(ev.arrival_tm, INT64_C(1596619800000000000));
    CU_ASSERT_EQUAL(ev.event_tm, INT64_C(1596620091505000000));
    CU_ASSERT_EQUAL(ev.event_seq_nb, 1);
    TAQ_ASSERT_DOUBLE_EXACT(ev.price, 75.30254839137037);
    CU_ASSERT_EQUAL(ev.size, 100);
    TAQ_ASSERT_DOUBLE_EXACT(ev.ask_pr, 75.35916738004924);
    CU_ASSERT_EQUAL(ev.ask_size, 100);
    CU_ASSERT_EQUAL(ev.file_idx, FILE_IDX);
}

static void test_json_trade_sample(void)
{
    taq_event_t ev;
    memset(&ev, 0xAB, sizeof ev);
    CU_ASSERT_EQUAL_FATAL(parse_n(TAQ_FORMAT_JSON, JSON_T, strlen(JSON_T), &ev), TAQ_REJ_NONE);
    assert_padded(ev.symbol, TAQ_SYMBOL_LEN, "SYMA");
    assert_padded(ev.exchange, TAQ_EXCHANGE_LEN, "NASDAQ");
    CU_ASSERT_EQUAL(ev.kind, TAQ_KIND_TRADE);
    CU_ASSERT_EQUAL(ev.arrival_tm, INT64_C(1596619800000000000));
    CU_ASSERT_EQUAL(ev.event_tm, INT64_C(1596623930046000000));
    CU_ASSERT_EQUAL(ev.event_seq_nb, 10);
    TAQ_ASSERT_DOUBLE_EXACT(ev.price, 77.77570455205036);
    CU_ASSERT_EQUAL(ev.size, 509);
    TAQ_ASSERT_DOUBLE_EXACT(ev.ask_pr, 0.0);
    CU_ASSERT_EQUAL(ev.ask_size, 0);
    CU_ASSERT_EQUAL(ev.file_idx, FILE_IDX);
}

static void test_json_quote_sample(void)
{
    taq_event_t ev;
    memset(&ev, 0xAB, sizeof ev);
    CU_ASSERT_EQUAL_FATAL(parse_n(TAQ_FORMAT_JSON, JSON_Q, strlen(JSON_Q), &ev), TAQ_REJ_NONE);
    assert_padded(ev.symbol, TAQ_SYMBOL_LEN, "SYMA");
    assert_padded(ev.exchange, TAQ_EXCHANGE_LEN, "NASDAQ");
    CU_ASSERT_EQUAL(ev.kind, TAQ_KIND_QUOTE);
    CU_ASSERT_EQUAL(ev.arrival_tm, INT64_C(1596619800000000000));
    CU_ASSERT_EQUAL(ev.event_tm, INT64_C(1596620215284000000));
    CU_ASSERT_EQUAL(ev.event_seq_nb, 1);
    TAQ_ASSERT_DOUBLE_EXACT(ev.price, 76.10016521142818);
    CU_ASSERT_EQUAL(ev.size, 100);
    TAQ_ASSERT_DOUBLE_EXACT(ev.ask_pr, 77.9647975908747);
    CU_ASSERT_EQUAL(ev.ask_size, 100);
}

/* A whole sample file of the bundled data/ through taq_parse_buffer. */
static void parse_sample_file(taq_format_t f, const char *rel, int64_t trades, int64_t quotes)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/data/%s", TAQ_SOURCE_DIR, rel);
    FILE *fp = fopen(path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    static char buf[1 << 20];
    const size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    taq_batch_t b;
    taq_batch_init(&b);
    const taq_line_ctx_t c = mkctx(f);
    CU_ASSERT_EQUAL(taq_parse_buffer(&c, rel, buf, n, 1, &b), trades + quotes);
    CU_ASSERT_EQUAL(b.counts.lines, trades + quotes);
    CU_ASSERT_EQUAL(b.counts.trades, trades);
    CU_ASSERT_EQUAL(b.counts.quotes, quotes);
    CU_ASSERT_EQUAL(b.counts.rejects, 0);
    CU_ASSERT_EQUAL(b.events.len, (size_t)(trades + quotes));
    const taq_event_t *ev = b.events.data;
    for (size_t i = 0; i < b.events.len; i++) {
        CU_ASSERT_EQUAL(ev[i].line, (int64_t)i + 1);
        CU_ASSERT(ev[i].arrival_tm < ev[i].event_tm);
    }
    taq_batch_free(&b);
}

static void test_sample_files(void)
{
    parse_sample_file(
        TAQ_FORMAT_CSV,
        "csv/2020-08-05/NYSE/part-00000-5e4ced0a-66e2-442a-b020-347d0df4df8f-c000.txt", 30, 270);
    parse_sample_file(
        TAQ_FORMAT_JSON,
        "json/2020-08-05/NASDAQ/part-00000-c6c48831-3d45-4887-ba5f-82060885fc6c-c000.txt", 30, 270);
}

/* ---- line_too_long and field_count ------------------------------------ */

/* A valid line of exactly `total` bytes (padding: leading zeros of event_seq_nb in CSV, an
 * unknown key in JSON). Caller frees. */
static char *padded_line(taq_format_t f, size_t total)
{
    const char *head = f == TAQ_FORMAT_CSV
                           ? "2020-08-05,2020-08-05 09:30:00.0,T,SYMA,2020-08-05 10:37:21.581,"
                           : "{\"pad\":\"";
    const char *tail = f == TAQ_FORMAT_CSV ? "10,NYSE,79.19488165597565,912" : NULL;
    char jtail[LINE_CAP];
    if (tail == NULL) {
        snprintf(jtail, sizeof jtail, "\",%s", JSON_T + 1);
        tail = jtail;
    }
    const size_t hl = strlen(head), tl = strlen(tail);
    CU_ASSERT_FATAL(total > hl + tl);
    char *l = malloc(total + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    memcpy(l, head, hl);
    memset(l + hl, f == TAQ_FORMAT_CSV ? '0' : 'x', total - hl - tl);
    memcpy(l + total - tl, tail, tl);
    l[total] = '\0';
    return l;
}

static void test_line_too_long(void)
{
    for (int f = TAQ_FORMAT_CSV; f <= TAQ_FORMAT_JSON; f++) {
        taq_event_t ev;
        char *ok = padded_line((taq_format_t)f, TAQ_MAX_LINE);
        CU_ASSERT_EQUAL(parse_n((taq_format_t)f, ok, TAQ_MAX_LINE, &ev), TAQ_REJ_NONE);
        CU_ASSERT_EQUAL(ev.event_seq_nb, 10);
        char *over = padded_line((taq_format_t)f, TAQ_MAX_LINE + 1);
        CU_ASSERT_EQUAL(parse_n((taq_format_t)f, over, TAQ_MAX_LINE + 1, &ev),
                        TAQ_REJ_LINE_TOO_LONG);
        free(ok);
        free(over);
    }
    /* Too long beats every other problem, even an unparsable line. */
    char *junk = malloc(TAQ_MAX_LINE + 1);
    memset(junk, '{', TAQ_MAX_LINE + 1);
    taq_event_t ev;
    CU_ASSERT_EQUAL(parse_n(TAQ_FORMAT_JSON, junk, TAQ_MAX_LINE + 1, &ev), TAQ_REJ_LINE_TOO_LONG);
    CU_ASSERT_EQUAL(parse_n(TAQ_FORMAT_CSV, junk, TAQ_MAX_LINE + 1, &ev), TAQ_REJ_LINE_TOO_LONG);
    CU_ASSERT_EQUAL(parse_n(TAQ_FORMAT_JSON, junk, TAQ_MAX_LINE, &ev), TAQ_REJ_BAD_JSON);
    free(junk);
}

static void test_csv_field_count(void)
{
    char l[LINE_CAP];
    CU_ASSERT_EQUAL(csv(""), TAQ_REJ_FIELD_COUNT);
    CU_ASSERT_EQUAL(csv("x"), TAQ_REJ_FIELD_COUNT);
    CU_ASSERT_EQUAL(csv("a,b,T"), TAQ_REJ_FIELD_COUNT);
    CU_ASSERT_EQUAL(csv("2020-08-05,2020-08-05 09:30:00.0,T,SYMA,2020-08-05 10:37:21.581,10,NYSE,"
                        "79.19"),
                    TAQ_REJ_FIELD_COUNT); /* 8 fields */
    snprintf(l, sizeof l, "%s,", CSV_T);  /* 10 fields, the last empty */
    CU_ASSERT_EQUAL(csv(l), TAQ_REJ_FIELD_COUNT);
    snprintf(l, sizeof l, "%s,1", CSV_Q); /* 12 fields */
    CU_ASSERT_EQUAL(csv(l), TAQ_REJ_FIELD_COUNT);
    snprintf(l, sizeof l, "%s,,,,,,,,,,", CSV_Q);
    CU_ASSERT_EQUAL(csv(l), TAQ_REJ_FIELD_COUNT);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_TYPE, "Q"), TAQ_REJ_FIELD_COUNT); /* Q with 9 */
    CU_ASSERT_EQUAL(csv_one(CSV_Q, F_TYPE, "T"), TAQ_REJ_FIELD_COUNT); /* T with 11 */
    CU_ASSERT_EQUAL(csv(",,,,,,,,"), TAQ_REJ_UNKNOWN_TYPE);            /* 9 empty fields */
}

/*
 * Commas are found several bytes at a time: every field must come out right
 * wherever its commas fall, and bytes near ',' (0x2B, 0x2D, 0xAC = ',' with
 * the high bit, NUL) must never count as one.
 */
static void test_csv_split_alignment(void)
{
    static const char filler[] = {'\x2b', '\x2d', '\xac', '\0', 'a', '\x6c'};
    for (size_t ns = 1; ns <= TAQ_SYMBOL_LEN; ns++) {
        for (size_t nx = 1; nx <= TAQ_EXCHANGE_LEN; nx++) {
            char sym[TAQ_SYMBOL_LEN + 1], exch[TAQ_EXCHANGE_LEN + 1], l[LINE_CAP];
            memset(sym, 'S', ns);
            sym[ns] = '\0';
            memset(exch, 'X', nx);
            exch[nx] = '\0';
            strcpy(l, CSV_Q);
            csv_set(csv_set(l, F_SYM, sym), F_EXCH, exch);
            taq_event_t ev;
            CU_ASSERT_EQUAL_FATAL(parse_n(TAQ_FORMAT_CSV, l, strlen(l), &ev), TAQ_REJ_NONE);
            CU_ASSERT_EQUAL(memcmp(ev.symbol, sym, ns), 0);
            CU_ASSERT_EQUAL(memcmp(ev.exchange, exch, nx), 0);
            TAQ_ASSERT_DOUBLE_EXACT(ev.ask_pr, 75.35916738004924);
            CU_ASSERT_EQUAL(ev.ask_size, 100);
        }
    }
    for (size_t k = 0; k < 40; k++) {
        char l[LINE_CAP];
        size_t n = (size_t)snprintf(l, sizeof l, "%s", CSV_Q);
        for (size_t i = 0; i < k; i++)
            l[n++] = filler[(i + k) % sizeof filler];
        taq_event_t ev;
        /* the filler joins the last field: a bad number, never an extra field */
        CU_ASSERT_EQUAL(parse_n(TAQ_FORMAT_CSV, l, n, &ev),
                        k == 0 ? TAQ_REJ_NONE : TAQ_REJ_BAD_NUMBER);
        l[n++] = ',';
        CU_ASSERT_EQUAL(parse_n(TAQ_FORMAT_CSV, l, n, &ev), TAQ_REJ_FIELD_COUNT);
    }
}

static void test_csv_unknown_type(void)
{
    static const char *const types[] = {"X", "t", "q", "TT", "", " T", "T ", "\"T\"", "TQ"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        CU_ASSERT_EQUAL(csv_one(CSV_T, F_TYPE, types[i]), TAQ_REJ_UNKNOWN_TYPE);
        CU_ASSERT_EQUAL(csv_one(CSV_Q, F_TYPE, types[i]), TAQ_REJ_UNKNOWN_TYPE);
    }
    char l[LINE_CAP];
    strcpy(l, CSV_T); /* type "T" -> a NUL byte: unknown, and no crash */
    char *t = strstr(l, ",T,") + 1;
    *t = '\0';
    taq_event_t ev;
    CU_ASSERT_EQUAL(parse_n(TAQ_FORMAT_CSV, l, strlen(CSV_T), &ev), TAQ_REJ_UNKNOWN_TYPE);
}

/* ---- JSON syntax ------------------------------------------------------ */

/* JSON_T with `member` ("key":value text) inserted first. */
static taq_reject_reason_t json_with_member(const char *member)
{
    char l[LINE_CAP * 2];
    snprintf(l, sizeof l, "{%s,%s", member, JSON_T + 1);
    return json(l);
}

/* JSON_T with an unknown key whose value is `depth` nested arrays. */
static taq_reject_reason_t json_nested(int depth, char open, char close)
{
    char l[LINE_CAP];
    size_t n = 0;
    n += (size_t)snprintf(l, sizeof l, "{\"deep\":");
    for (int i = 0; i < depth; i++) {
        l[n++] = open;
        if (open == '{')
            n += (size_t)snprintf(l + n, sizeof l - n, "\"k\":");
    }
    if (open == '{')
        n += (size_t)snprintf(l + n, sizeof l - n, "1");
    for (int i = 0; i < depth; i++)
        l[n++] = close;
    snprintf(l + n, sizeof l - n, ",%s", JSON_T + 1);
    return json(l);
}

static void test_json_bad_syntax(void)
{
    char l[LINE_CAP];
    CU_ASSERT_EQUAL(json(""), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json(" "), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json("{"), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json("[]"), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json("\"x\""), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json("null"), TAQ_REJ_BAD_JSON);
    /* truncated object: every proper prefix of a valid line is bad_json */
    taq_event_t ev;
    for (size_t n = 0; n < strlen(JSON_Q); n++)
        CU_ASSERT_EQUAL(parse_n(TAQ_FORMAT_JSON, JSON_Q, n, &ev), TAQ_REJ_BAD_JSON);
    snprintf(l, sizeof l, "%sx", JSON_T); /* trailing garbage */
    CU_ASSERT_EQUAL(json(l), TAQ_REJ_BAD_JSON);
    snprintf(l, sizeof l, "%s{}", JSON_T); /* two objects */
    CU_ASSERT_EQUAL(json(l), TAQ_REJ_BAD_JSON);
    snprintf(l, sizeof l, "%s,", JSON_T);
    CU_ASSERT_EQUAL(json(l), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_with_member("\"symbol\":\"SYMB\""), TAQ_REJ_BAD_JSON); /* duplicate */
    CU_ASSERT_EQUAL(json_with_member("\"symbol\":null"), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_with_member("\"execution_id\":\"EX-11\""), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_with_member("\"\\u0073ymbol\":\"SYMA\""), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_with_member("\"x\" 1"), TAQ_REJ_BAD_JSON);    /* no colon */
    CU_ASSERT_EQUAL(json_with_member("\"x\":"), TAQ_REJ_BAD_JSON);     /* no value */
    CU_ASSERT_EQUAL(json_with_member("'x':1"), TAQ_REJ_BAD_JSON);      /* single quotes */
    CU_ASSERT_EQUAL(json_with_member("x:1"), TAQ_REJ_BAD_JSON);        /* bare key */
    CU_ASSERT_EQUAL(json_with_member("\"x\":[1,]"), TAQ_REJ_BAD_JSON); /* trailing comma */
    CU_ASSERT_EQUAL(json_with_member("\"x\":{\"a\":1,}"), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_with_member("\"x\":[1 2]"), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_with_member("\"x\":{\"a\"}"), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_with_member("\"x\":tru"), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_with_member("\"x\":True"), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_with_member("\"x\":NaN"), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"a\tb\""), TAQ_REJ_BAD_JSON);  /* raw control */
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"\\x41\""), TAQ_REJ_BAD_JSON); /* bad escape */
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"\\u12\""), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"\\u12G4\""), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"\\ud83d\""), TAQ_REJ_BAD_JSON); /* lone high */
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"\\ude00\""), TAQ_REJ_BAD_JSON); /* lone low */
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"\\ud83d\\u0041\""), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"\xff\""), TAQ_REJ_BAD_JSON);         /* not UTF-8 */
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"\xc3\""), TAQ_REJ_BAD_JSON);         /* cut */
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"\xc0\xaf\""), TAQ_REJ_BAD_JSON);     /* overlong */
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"\xe0\x80\xaf\""), TAQ_REJ_BAD_JSON); /* overlong */
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"\xf0\x80\x80\xaf\""), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"\xed\xa0\x80\""), TAQ_REJ_BAD_JSON); /* surrogate */
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"\xf4\x90\x80\x80\""), TAQ_REJ_BAD_JSON);
    /* RFC 8259 numbers: malformed tokens are syntax errors, whatever the key */
    static const char *const nums[] = {"012",  "+1",       ".5",  "1.",   "-",   "1e", "1e+",
                                       "0x10", "Infinity", "-.5", "1.e3", "--1", "00"};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        CU_ASSERT_EQUAL(json_one(JSON_T, "size", nums[i]), TAQ_REJ_BAD_JSON);
        CU_ASSERT_EQUAL(json_one(JSON_Q, "ask_pr", nums[i]), TAQ_REJ_BAD_JSON);
        char m[64];
        snprintf(m, sizeof m, "\"x\":%s", nums[i]);
        CU_ASSERT_EQUAL(json_with_member(m), TAQ_REJ_BAD_JSON);
    }
    taq_event_t e2;
    CU_ASSERT_EQUAL(parse_n(TAQ_FORMAT_JSON, "{\"a\":1}\0", 8, &e2), TAQ_REJ_BAD_JSON);
}

static void test_json_nesting_limit(void)
{
    CU_ASSERT_EQUAL(json_nested(63, '[', ']'), TAQ_REJ_NONE); /* 64 levels with the line's */
    CU_ASSERT_EQUAL(json_nested(64, '[', ']'), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_nested(63, '{', '}'), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(json_nested(64, '{', '}'), TAQ_REJ_BAD_JSON);
    CU_ASSERT_EQUAL(json_nested(1000, '[', ']'), TAQ_REJ_BAD_JSON);
    /* a known key holding a deep value: still the depth rule first */
    char l[LINE_CAP];
    strcpy(l, JSON_T);
    char deep[200] = {0};
    memset(deep, '[', 70);
    memset(deep + 70, ']', 70);
    CU_ASSERT_EQUAL(json(json_set(l, "symbol", deep)), TAQ_REJ_BAD_JSON);
}

static void test_json_valid_variants(void)
{
    taq_event_t ev;
    const char *spaced =
        " \t{ \"event_type\" : \"T\" ,\r\"size\":\t509 , \"price\" :77.77570455205036,"
        "\"exchange\":\"NASDAQ\",\"event_seq_nb\":10,\"event_tm\":\"2020-08-05T10:38:50.046\","
        "\"symbol\":\"SY\\u004dA\",\"file_tm\":\"2020-08-05 09:30:00\",\"trade_dt\":\"2020-08-05\"}"
        " \r ";
    CU_ASSERT_EQUAL_FATAL(parse_n(TAQ_FORMAT_JSON, spaced, strlen(spaced), &ev), TAQ_REJ_NONE);
    assert_padded(ev.symbol, TAQ_SYMBOL_LEN, "SYMA");
    CU_ASSERT_EQUAL(ev.event_tm, INT64_C(1596623930046000000));
    CU_ASSERT_EQUAL(ev.arrival_tm, INT64_C(1596619800000000000));
    CU_ASSERT_EQUAL(ev.size, 509);
    /* unknown keys may hold any value; execution_id is optional */
    CU_ASSERT_EQUAL(json_with_member("\"x\":{\"a\":[1,2.5e-3,{\"b\":null}],\"c\":true}"),
                    TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(json_with_member("\"x\":[]"), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(json_with_member("\"x\":{}"), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(json_with_member("\"x\":false"), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(json_with_member("\"x\":-0.0E-0"), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\""),
                    TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(json_with_member("\"x\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\""), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(json_with_member("\"x\":1,\"x\":2"), TAQ_REJ_NONE); /* unknown repeats */
    CU_ASSERT_EQUAL(json_with_member("\"\":1"), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(json_one(JSON_T, "execution_id", NULL), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(json_one(JSON_T, "execution_id", "{\"a\":[1]}"), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(json_one(JSON_T, "size", "-0"), TAQ_REJ_NONE);
    /* a quote ignores trade keys and vice versa, whatever their value */
    CU_ASSERT_EQUAL(json_one(JSON_T, "execution_id", "1,\"bid_pr\":\"x\""), TAQ_REJ_NONE);
    /* an escaped key is that key; a key with a NUL is not */
    char l[LINE_CAP];
    strcpy(l, JSON_T);
    char *k = strstr(l, "\"symbol\"");
    memmove(k + 7, k + 2, strlen(k + 2) + 1);
    memcpy(k + 1, "\\u0073", 6); /* "\u0073ymbol" */
    CU_ASSERT_EQUAL_FATAL(parse_n(TAQ_FORMAT_JSON, l, strlen(l), &ev), TAQ_REJ_NONE);
    assert_padded(ev.symbol, TAQ_SYMBOL_LEN, "SYMA");
    strcpy(l, JSON_T);
    k = strstr(l, "\"trade_dt\"") + 9;
    memmove(k + 6, k, strlen(k) + 1);
    memcpy(k, "\\u0000", 6); /* "trade_dt\u0000" is an unknown key */
    CU_ASSERT_EQUAL(json(l), TAQ_REJ_MISSING_FIELD);
}

/* ---- missing_field and unknown_type ----------------------------------- */

static void test_json_missing_field(void)
{
    static const char *const common[] = {"trade_dt", "file_tm",      "event_type", "symbol",
                                         "event_tm", "event_seq_nb", "exchange"};
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
        CU_ASSERT_EQUAL(json_one(JSON_T, common[i], NULL), TAQ_REJ_MISSING_FIELD);
        CU_ASSERT_EQUAL(json_one(JSON_Q, common[i], NULL), TAQ_REJ_MISSING_FIELD);
        CU_ASSERT_EQUAL(json_one(JSON_T, common[i], "null"), TAQ_REJ_MISSING_FIELD);
        CU_ASSERT_EQUAL(json_one(JSON_Q, common[i], " null "), TAQ_REJ_MISSING_FIELD);
    }
    CU_ASSERT_EQUAL(json_one(JSON_T, "price", NULL), TAQ_REJ_MISSING_FIELD);
    CU_ASSERT_EQUAL(json_one(JSON_T, "size", "null"), TAQ_REJ_MISSING_FIELD);
    static const char *const quote[] = {"bid_pr", "bid_size", "ask_pr", "ask_size"};
    for (size_t i = 0; i < sizeof quote / sizeof quote[0]; i++) {
        CU_ASSERT_EQUAL(json_one(JSON_Q, quote[i], NULL), TAQ_REJ_MISSING_FIELD);
        CU_ASSERT_EQUAL(json_one(JSON_Q, quote[i], "null"), TAQ_REJ_MISSING_FIELD);
    }
    CU_ASSERT_EQUAL(json("{}"), TAQ_REJ_MISSING_FIELD);
    /* a trade's keys do not make a quote: event_type decides which keys are required */
    CU_ASSERT_EQUAL(json_one(JSON_T, "event_type", "\"Q\""), TAQ_REJ_MISSING_FIELD);
    CU_ASSERT_EQUAL(json_one(JSON_Q, "event_type", "\"T\""), TAQ_REJ_MISSING_FIELD);
}

static void test_json_unknown_type(void)
{
    static const char *const types[] = {"\"X\"", "\"t\"", "\"TQ\"",  "\"\"",      "\" T\"",
                                        "1",     "true",  "[\"T\"]", "{\"T\":1}", "\"\\u0000\""};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        CU_ASSERT_EQUAL(json_one(JSON_T, "event_type", types[i]), TAQ_REJ_UNKNOWN_TYPE);
        CU_ASSERT_EQUAL(json_one(JSON_Q, "event_type", types[i]), TAQ_REJ_UNKNOWN_TYPE);
    }
    CU_ASSERT_EQUAL(json_one(JSON_T, "event_type", "\"\\u0054\""), TAQ_REJ_NONE); /* "T" */
}

/* ---- bad_symbol ------------------------------------------------------- */

static void test_bad_symbol(void)
{
    static const char *const bad_sym[] = {
        "",       "SY MA",  " SYMA",      "SYMA ",
        "SY\tMA", "SY\x7f", "SY\xc3\xa9", "ABCDEFGHIJKLMNOPQ" /* 17 */};
    char q[64];
    for (size_t i = 0; i < sizeof bad_sym / sizeof bad_sym[0]; i++) {
        CU_ASSERT_EQUAL(csv_one(CSV_T, F_SYM, bad_sym[i]), TAQ_REJ_BAD_SYMBOL);
        CU_ASSERT_EQUAL(csv_one(CSV_Q, F_EXCH, bad_sym[i]), TAQ_REJ_BAD_SYMBOL);
        snprintf(q, sizeof q, "\"%s\"", bad_sym[i]);
        if (strchr(bad_sym[i], '\t') == NULL) { /* a raw tab is a JSON syntax error */
            CU_ASSERT_EQUAL(json_one(JSON_T, "symbol", q), TAQ_REJ_BAD_SYMBOL);
            CU_ASSERT_EQUAL(json_one(JSON_Q, "exchange", q), TAQ_REJ_BAD_SYMBOL);
        }
    }
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_EXCH, "NASDAQXYZ"), TAQ_REJ_BAD_SYMBOL); /* 9 bytes */
    CU_ASSERT_EQUAL(json_one(JSON_T, "exchange", "\"NASDAQXYZ\""), TAQ_REJ_BAD_SYMBOL);
    CU_ASSERT_EQUAL(json_one(JSON_T, "symbol", "\"SY\\tMA\""), TAQ_REJ_BAD_SYMBOL);
    CU_ASSERT_EQUAL(json_one(JSON_T, "symbol", "\"SY\\u0000\""), TAQ_REJ_BAD_SYMBOL);
    CU_ASSERT_EQUAL(json_one(JSON_T, "symbol", "\"\\ud83d\\ude00\""), TAQ_REJ_BAD_SYMBOL);
    CU_ASSERT_EQUAL(
        json_one(JSON_T, "symbol", "\"A_VERY_LONG_SYMBOL_THAT_DOES_NOT_FIT_ANY_BUFFER_AT_ALL\""),
        TAQ_REJ_BAD_SYMBOL);
    /* wrong JSON type for a string field */
    CU_ASSERT_EQUAL(json_one(JSON_T, "symbol", "123"), TAQ_REJ_BAD_SYMBOL);
    CU_ASSERT_EQUAL(json_one(JSON_T, "symbol", "true"), TAQ_REJ_BAD_SYMBOL);
    CU_ASSERT_EQUAL(json_one(JSON_T, "exchange", "[\"NYSE\"]"), TAQ_REJ_BAD_SYMBOL);
    /* a NUL byte inside a CSV symbol */
    char l[LINE_CAP];
    strcpy(l, CSV_T);
    strstr(l, "SYMA")[2] = '\0';
    taq_event_t ev;
    CU_ASSERT_EQUAL(parse_n(TAQ_FORMAT_CSV, l, strlen(CSV_T), &ev), TAQ_REJ_BAD_SYMBOL);
    /* the limits themselves are fine and fill the field without a terminator */
    strcpy(l, CSV_T);
    csv_set(csv_set(l, F_SYM, "!~ABCDEFGHIJKLM~"), F_EXCH, "12345678");
    CU_ASSERT_EQUAL_FATAL(parse_n(TAQ_FORMAT_CSV, l, strlen(l), &ev), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(memcmp(ev.symbol, "!~ABCDEFGHIJKLM~", TAQ_SYMBOL_LEN), 0);
    CU_ASSERT_EQUAL(memcmp(ev.exchange, "12345678", TAQ_EXCHANGE_LEN), 0);
    CU_ASSERT_EQUAL(json_one(JSON_Q, "symbol", "\"ABCDEFGHIJKLMNOP\""), TAQ_REJ_NONE);
}

/* ---- bad_timestamp ---------------------------------------------------- */

static void test_bad_timestamp(void)
{
    static const char *const bad[] = {
        "2020-08-05 09:30:00.", "2020-08-05 09:30:00.1234567890",
        "2020-08-05 24:00:00",  "2021-02-29 09:30:00",
        "2020-08-05 9:30:00",   "",
        "2020-08-05",           "2020-08-05 09:30:00Z",
    };
    char q[64];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(csv_one(CSV_T, F_ARR, bad[i]), TAQ_REJ_BAD_TIMESTAMP);
        CU_ASSERT_EQUAL(csv_one(CSV_Q, F_EVT, bad[i]), TAQ_REJ_BAD_TIMESTAMP);
        snprintf(q, sizeof q, "\"%s\"", bad[i]);
        CU_ASSERT_EQUAL(json_one(JSON_T, "file_tm", q), TAQ_REJ_BAD_TIMESTAMP);
        CU_ASSERT_EQUAL(json_one(JSON_Q, "event_tm", q), TAQ_REJ_BAD_TIMESTAMP);
    }
    CU_ASSERT_EQUAL(json_one(JSON_T, "event_tm", "1596623930046"), TAQ_REJ_BAD_TIMESTAMP);
    CU_ASSERT_EQUAL(json_one(JSON_T, "file_tm", "{}"), TAQ_REJ_BAD_TIMESTAMP);
    CU_ASSERT_EQUAL(json_one(JSON_T, "event_tm",
                             "\"2020-08-05 10:38:50.046                  "
                             "                                          \""),
                    TAQ_REJ_BAD_TIMESTAMP);
    /* accepted forms, with exact values */
    char l[LINE_CAP];
    taq_event_t ev;
    strcpy(l, CSV_T);
    csv_set(csv_set(l, F_ARR, "2020-08-05T09:30:00"), F_EVT, "2020-08-05 10:37:21.000000001");
    CU_ASSERT_EQUAL_FATAL(parse_n(TAQ_FORMAT_CSV, l, strlen(l), &ev), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(ev.arrival_tm, ns_of(2020, 8, 5, 9, 30, 0, 0));
    CU_ASSERT_EQUAL(ev.event_tm, ns_of(2020, 8, 5, 10, 37, 21, 1));
    strcpy(l, JSON_Q);
    json_set(l, "event_tm", "\"2020-08-05T23:59:59.999999999\"");
    CU_ASSERT_EQUAL_FATAL(parse_n(TAQ_FORMAT_JSON, l, strlen(l), &ev), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(ev.event_tm, ns_of(2020, 8, 5, 23, 59, 59, 999999999));
}

/* ---- bad_number and negative_value ------------------------------------ */

static void test_bad_number_csv(void)
{
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_SIZE, "912.5"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_SIZE, ""), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_SIZE, "9223372036854775808"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_SIZE, "1e3"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_PR, ""), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_PR, "1e309"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_PR, "0x1A"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_PR, "nan"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_PR, "inf"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_PR, " 79.1"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_PR, "+79.1"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_SEQ, "abc"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_SEQ, ""), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_Q, F_ASK_PR, "75.3.1"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_Q, F_ASK_SIZE, "100\r"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(csv_one(CSV_Q, F_SIZE, "1,0"), TAQ_REJ_FIELD_COUNT); /* a comma splits */
}

static void test_bad_number_json(void)
{
    CU_ASSERT_EQUAL(json_one(JSON_T, "size", "912.5"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(json_one(JSON_T, "size", "1e3"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(json_one(JSON_T, "size", "9223372036854775808"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(json_one(JSON_T, "size", "\"912\""), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(json_one(JSON_T, "size", "\"\""), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(json_one(JSON_T, "price", "\"77.7\""), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(json_one(JSON_T, "price", "1e309"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(json_one(JSON_T, "price", "-1e309"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(json_one(JSON_T, "price", "true"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(json_one(JSON_T, "price", "[77.7]"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(json_one(JSON_T, "event_seq_nb", "10.0"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(json_one(JSON_Q, "ask_size", "{}"), TAQ_REJ_BAD_NUMBER);
    CU_ASSERT_EQUAL(json_one(JSON_Q, "bid_pr", "\"nan\""), TAQ_REJ_BAD_NUMBER);
    taq_event_t ev;
    char l[LINE_CAP];
    strcpy(l, JSON_T);
    json_set(l, "price", "7.5e1");
    CU_ASSERT_EQUAL_FATAL(parse_n(TAQ_FORMAT_JSON, l, strlen(l), &ev), TAQ_REJ_NONE);
    TAQ_ASSERT_DOUBLE_EXACT(ev.price, 75.0);
}

static void test_negative_value(void)
{
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_SIZE, "-1"), TAQ_REJ_NEGATIVE_VALUE);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_PR, "-79.19"), TAQ_REJ_NEGATIVE_VALUE);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_SEQ, "-3"), TAQ_REJ_NEGATIVE_VALUE);
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_SIZE, "-9223372036854775808"), TAQ_REJ_NEGATIVE_VALUE);
    CU_ASSERT_EQUAL(csv_one(CSV_Q, F_ASK_PR, "-0.01"), TAQ_REJ_NEGATIVE_VALUE);
    CU_ASSERT_EQUAL(csv_one(CSV_Q, F_ASK_SIZE, "-100"), TAQ_REJ_NEGATIVE_VALUE);
    CU_ASSERT_EQUAL(json_one(JSON_T, "size", "-1"), TAQ_REJ_NEGATIVE_VALUE);
    CU_ASSERT_EQUAL(json_one(JSON_Q, "bid_pr", "-1.5e2"), TAQ_REJ_NEGATIVE_VALUE);
    /* zero and negative zero are fine */
    taq_event_t ev;
    char l[LINE_CAP];
    strcpy(l, CSV_Q);
    csv_set(csv_set(csv_set(l, F_PR, "-0.0"), F_SIZE, "-0"), F_ASK_PR, "0");
    CU_ASSERT_EQUAL_FATAL(parse_n(TAQ_FORMAT_CSV, l, strlen(l), &ev), TAQ_REJ_NONE);
    TAQ_ASSERT_DOUBLE_EXACT(ev.price, 0.0);
    CU_ASSERT_EQUAL(ev.size, 0);
    TAQ_ASSERT_DOUBLE_EXACT(ev.ask_pr, 0.0);
}

/* ---- bad_trade_dt and date_mismatch ----------------------------------- */

static void test_bad_trade_dt(void)
{
    static const char *const bad[] = {"2020-8-05",           "20200805",    "2021-02-29",
                                      "2020-08-05 ",         "2020-08-05T", "",
                                      "2020-08-05 09:30:00", "2020-00-05"};
    char q[64];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(csv_one(CSV_T, F_DT, bad[i]), TAQ_REJ_BAD_TRADE_DT);
        snprintf(q, sizeof q, "\"%s\"", bad[i]);
        CU_ASSERT_EQUAL(json_one(JSON_Q, "trade_dt", q), TAQ_REJ_BAD_TRADE_DT);
    }
    CU_ASSERT_EQUAL(json_one(JSON_T, "trade_dt", "20200805"), TAQ_REJ_BAD_TRADE_DT);
    CU_ASSERT_EQUAL(json_one(JSON_T, "trade_dt", "false"), TAQ_REJ_BAD_TRADE_DT);
}

static void test_date_mismatch(void)
{
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_DT, "2020-08-06"), TAQ_REJ_DATE_MISMATCH);
    CU_ASSERT_EQUAL(csv_one(CSV_Q, F_DT, "2020-08-04"), TAQ_REJ_DATE_MISMATCH);
    CU_ASSERT_EQUAL(json_one(JSON_T, "trade_dt", "\"2020-08-06\""), TAQ_REJ_DATE_MISMATCH);
    /* the same line is valid in its own folder */
    const taq_line_ctx_t c = {
        .format = TAQ_FORMAT_JSON, .folder_date = FOLDER_DATE + 1, .file_idx = 3};
    char l[LINE_CAP];
    strcpy(l, JSON_T);
    json_set(l, "trade_dt", "\"2020-08-06\"");
    taq_event_t ev;
    CU_ASSERT_EQUAL_FATAL(taq_parse_line(&c, l, strlen(l), &ev), TAQ_REJ_NONE);
    CU_ASSERT_EQUAL(ev.file_idx, 3u);
    /* event times on another day are allowed: only trade_dt is tied to the folder */
    CU_ASSERT_EQUAL(csv_one(CSV_T, F_EVT, "2020-08-06 00:00:01"), TAQ_REJ_NONE);
}

/*
 * The parser keeps the last valid date text to skip the calendar check:
 * dates that differ from a cached one in any byte, invalid dates right
 * after valid ones and back must all give what taq_date_parse gives, as
 * timestamps and as trade_dt (bad_trade_dt, date_mismatch or valid).
 */
static void test_date_cache(void)
{
    static const char *const dates[] = {
        "2020-08-05", "2020-08-06", "2020-08-0x", "2020-02-29", "2021-02-29", "2020-02-30",
        "2020-08-5 ", "2020/08/05", "2020-08-05", "1970-01-01", "0000-01-01", "2020-13-05",
        "2020-08-00", "2020-08-15", "2020-08-55", "2020-18-05", "2200-08-05", "2021-08-05",
    };
    const size_t ndates = sizeof dates / sizeof dates[0];
    rng_state = 0xD1B54A32D192ED03u;
    for (int step = 0; step < 20000; step++) {
        const char *d = dates[rng() % ndates];
        int32_t days = 0;
        const int valid = taq_date_parse(d, 10, &days) == 0;
        char t[32];
        snprintf(t, sizeof t, "%.10s%c12:34:56.789", d, rng() % 2 ? ' ' : 'T');
        int64_t ns = 0;
        const int64_t want_ns =
            (int64_t)days * TAQ_NS_PER_DAY + ns_of(1970, 1, 1, 12, 34, 56, 789000000);
        CU_ASSERT_EQUAL(ts(t, &ns), valid ? 0 : -1);
        if (valid)
            CU_ASSERT_EQUAL(ns, want_ns);
        const taq_reject_reason_t want = !valid                ? TAQ_REJ_BAD_TRADE_DT
                                         : days != FOLDER_DATE ? TAQ_REJ_DATE_MISMATCH
                                                               : TAQ_REJ_NONE;
        CU_ASSERT_EQUAL(csv_one(rng() % 2 ? CSV_T : CSV_Q, F_DT, d), want);
    }
}

/* ---- precedence: two problems on one line give the earlier reason ----- */

static void test_precedence_csv(void)
{
    char l[LINE_CAP];
    /* field_count beats everything after it */
    snprintf(l, sizeof l, "%s,", CSV_T);
    CU_ASSERT_EQUAL(csv(csv_set(l, F_SYM, "")), TAQ_REJ_FIELD_COUNT);
    /* unknown_type > bad_symbol */
    strcpy(l, CSV_T);
    CU_ASSERT_EQUAL(csv(csv_set(csv_set(l, F_TYPE, "X"), F_SYM, "")), TAQ_REJ_UNKNOWN_TYPE);
    /* bad_symbol > bad_timestamp */
    strcpy(l, CSV_T);
    CU_ASSERT_EQUAL(csv(csv_set(csv_set(l, F_EVT, "x"), F_EXCH, "")), TAQ_REJ_BAD_SYMBOL);
    /* bad_timestamp > bad_number */
    strcpy(l, CSV_T);
    CU_ASSERT_EQUAL(csv(csv_set(csv_set(l, F_PR, "x"), F_ARR, "x")), TAQ_REJ_BAD_TIMESTAMP);
    /* bad_number > negative_value, in either field order */
    strcpy(l, CSV_T);
    CU_ASSERT_EQUAL(csv(csv_set(csv_set(l, F_SIZE, "-1"), F_PR, "abc")), TAQ_REJ_BAD_NUMBER);
    strcpy(l, CSV_T);
    CU_ASSERT_EQUAL(csv(csv_set(csv_set(l, F_SEQ, "-1"), F_SIZE, "1.5")), TAQ_REJ_BAD_NUMBER);
    strcpy(l, CSV_Q);
    CU_ASSERT_EQUAL(csv(csv_set(csv_set(l, F_PR, "-1"), F_ASK_SIZE, "")), TAQ_REJ_BAD_NUMBER);
    /* negative_value > bad_trade_dt */
    strcpy(l, CSV_T);
    CU_ASSERT_EQUAL(csv(csv_set(csv_set(l, F_DT, "x"), F_SIZE, "-1")), TAQ_REJ_NEGATIVE_VALUE);
    /* bad_trade_dt is checked, date_mismatch only for a valid trade_dt */
    strcpy(l, CSV_T);
    CU_ASSERT_EQUAL(csv(csv_set(l, F_DT, "2020-08-32")), TAQ_REJ_BAD_TRADE_DT);
    /* negative_value > date_mismatch */
    strcpy(l, CSV_T);
    CU_ASSERT_EQUAL(csv(csv_set(csv_set(l, F_DT, "2020-08-06"), F_PR, "-1")),
                    TAQ_REJ_NEGATIVE_VALUE);
}

static void test_precedence_json(void)
{
    char l[LINE_CAP];
    /* bad_json > missing_field: a truncated object lacking keys */
    CU_ASSERT_EQUAL(json("{\"trade_dt\":\"2020-08-05\""), TAQ_REJ_BAD_JSON);
    /* bad_json (a malformed number) > missing_field */
    strcpy(l, JSON_T);
    CU_ASSERT_EQUAL(json(json_set(json_set(l, "symbol", NULL), "size", "012")), TAQ_REJ_BAD_JSON);
    /* missing common key > unknown type */
    strcpy(l, JSON_T);
    CU_ASSERT_EQUAL(json(json_set(json_set(l, "event_type", "\"X\""), "symbol", NULL)),
                    TAQ_REJ_MISSING_FIELD);
    /* unknown type > missing type-specific key */
    strcpy(l, JSON_T);
    CU_ASSERT_EQUAL(json(json_set(json_set(l, "event_type", "\"X\""), "price", NULL)),
                    TAQ_REJ_UNKNOWN_TYPE);
    /* missing type-specific key > bad_symbol */
    strcpy(l, JSON_Q);
    CU_ASSERT_EQUAL(json(json_set(json_set(l, "symbol", "1"), "ask_pr", NULL)),
                    TAQ_REJ_MISSING_FIELD);
    /* unknown_type > bad_symbol */
    strcpy(l, JSON_T);
    CU_ASSERT_EQUAL(json(json_set(json_set(l, "event_type", "2"), "symbol", "1")),
                    TAQ_REJ_UNKNOWN_TYPE);
    /* bad_symbol > bad_timestamp > bad_number */
    strcpy(l, JSON_T);
    CU_ASSERT_EQUAL(json(json_set(json_set(l, "event_tm", "1"), "exchange", "1")),
                    TAQ_REJ_BAD_SYMBOL);
    strcpy(l, JSON_T);
    CU_ASSERT_EQUAL(json(json_set(json_set(l, "size", "\"1\""), "file_tm", "1")),
                    TAQ_REJ_BAD_TIMESTAMP);
    /* bad_number > negative_value > bad_trade_dt > date_mismatch */
    strcpy(l, JSON_Q);
    CU_ASSERT_EQUAL(json(json_set(json_set(l, "bid_size", "-1"), "ask_pr", "\"1\"")),
                    TAQ_REJ_BAD_NUMBER);
    strcpy(l, JSON_Q);
    CU_ASSERT_EQUAL(json(json_set(json_set(l, "trade_dt", "1"), "ask_size", "-1")),
                    TAQ_REJ_NEGATIVE_VALUE);
}

/* ---- trades only (a previous date read for its closes) ------------------ */

/* Quotes are counted and dropped, CSV quote lines unparsed; trades are parsed as usual. */
static void test_trades_only(void)
{
    char buf[4 * LINE_CAP];
    taq_line_ctx_t c = mkctx(TAQ_FORMAT_CSV);
    c.trades_only = 1;
    /* trade, quote, broken quote (skipped unparsed), "QQ" type (parsed: reject), bad trade,
     * blank */
    snprintf(buf, sizeof buf, "%s\n%s\n2020-08-05,x,Q,!!\n1,2,QQ,4,5,6,7,8,9\n%.40s\n\n", CSV_T,
             CSV_Q, CSV_T);
    taq_batch_t b;
    taq_batch_init(&b);
    CU_ASSERT_EQUAL(taq_parse_buffer(&c, "csv/f.txt", buf, strlen(buf), 1, &b), 6);
    CU_ASSERT_EQUAL(b.counts.lines, 6);
    CU_ASSERT_EQUAL(b.counts.trades, 1);
    CU_ASSERT_EQUAL(b.counts.quotes, 2);
    CU_ASSERT_EQUAL(b.counts.rejects, 2);
    CU_ASSERT_EQUAL(b.counts.blank, 1);
    CU_ASSERT_EQUAL_FATAL(b.events.len, 1);
    CU_ASSERT_EQUAL(((const taq_event_t *)b.events.data)->kind, TAQ_KIND_TRADE);
    CU_ASSERT_EQUAL(((const taq_event_t *)b.events.data)->line, 1);
    CU_ASSERT_STRING_EQUAL(((const taq_reject_t *)b.rejects.data)[0].reason, "unknown_type");
    taq_batch_free(&b);
    /*
     * JSON: a plain quote line (one "event_type" key, value "Q", no
     * backslash) is counted unparsed, even when broken; everything else is
     * parsed, so no trade is ever skipped: a trade that mentions
     * "event_type":"Q" in an escaped string value, a trade whose string
     * value is "event_type" (two occurrences), a quote whose key is written
     * with an escape (parsed, counted, not kept) and JSON_T_DECOY.
     */
    c.format = TAQ_FORMAT_JSON;
    snprintf(buf, sizeof buf,
             "%s\n%s\n{\"event_type\" :\t\"Q\",!!\n"
             "{\"note\":\"\\\"event_type\\\":\\\"Q\\\"\",%s\n"
             "{\"note\":\"event_type\",%s\n%s\n{\"event_type\":\"Q\"}\n%s\n",
             JSON_Q, JSON_T, JSON_T + 1, JSON_T + 1, JSON_Q_ESCAPED_KEY, JSON_T_DECOY);
    taq_batch_init(&b);
    CU_ASSERT_EQUAL(taq_parse_buffer(&c, "json/f.txt", buf, strlen(buf), 1, &b), 8);
    CU_ASSERT_EQUAL(b.counts.trades, 4);
    CU_ASSERT_EQUAL(b.counts.quotes, 4);
    CU_ASSERT_EQUAL(b.counts.rejects, 0);
    CU_ASSERT_EQUAL_FATAL(b.events.len, 4);
    const int64_t trade_lines[4] = {2, 4, 5, 8};
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(((const taq_event_t *)b.events.data)[i].kind, TAQ_KIND_TRADE);
        CU_ASSERT_EQUAL(((const taq_event_t *)b.events.data)[i].line, trade_lines[i]);
    }
    taq_batch_free(&b);
    /* Without the flag the broken quote is a reject. */
    c.trades_only = 0;
    snprintf(buf, sizeof buf, "{\"event_type\":\"Q\"}\n%s\n", JSON_Q_ESCAPED_KEY);
    taq_batch_init(&b);
    taq_parse_buffer(&c, "json/f.txt", buf, strlen(buf), 1, &b);
    CU_ASSERT_EQUAL(b.counts.rejects, 1);
    CU_ASSERT_EQUAL(b.events.len, 1);
    taq_batch_free(&b);
    /* Without the flag the same CSV keeps the quote and rejects the broken one. */
    c.format = TAQ_FORMAT_CSV;
    snprintf(buf, sizeof buf, "%s\n2020-08-05,x,Q,!!\n", CSV_Q);
    taq_batch_init(&b);
    taq_parse_buffer(&c, "csv/f.txt", buf, strlen(buf), 1, &b);
    CU_ASSERT_EQUAL(b.events.len, 1);
    CU_ASSERT_EQUAL(b.counts.rejects, 1);
    taq_batch_free(&b);
}

/* The skip rule of taq_json_is_quote, written the plain way (memmem). */
static int json_is_quote_ref(const char *line, size_t len)
{
    static const char key[] = "\"event_type\"";
    const size_t klen = sizeof key - 1;
    if (memchr(line, '\\', len))
        return 0;
    const char *end = line + len;
    const char *found = memmem(line, len, key, klen);
    if (!found || memmem(found + klen, (size_t)(end - found - klen), key, klen))
        return 0;
    const char *q = found + klen;
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\r'))
        q++;
    if (q == end || *q++ != ':')
        return 0;
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\r'))
        q++;
    return end - q >= 3 && q[0] == '"' && q[1] == 'Q' && q[2] == '"';
}

/*
 * The vectorised key search agrees with memmem on random lines made of the
 * key's own characters, with 0-3 keys (some cut short) at every offset, so
 * matches straddle the 16-byte blocks and the line's end. Each line sits in
 * a block of its own size, so a read past its end shows under ASan.
 */
static void test_json_quote_skip_random(void)
{
    static const char alphabet[] = "\"evnt_ype:Q a";
    static const char key[] = "\"event_type\":\"Q\"";
    char line[128];
    int skipped = 0;
    for (int round = 0; round < 50000; round++) {
        const size_t len = rng() % sizeof line;
        for (size_t i = 0; i < len; i++)
            line[i] = rng() % 256 == 0 ? '\\' : alphabet[rng() % (sizeof alphabet - 1)];
        for (unsigned k = rng() % 4; k > 0 && len > 0; k--) {
            const size_t at = rng() % len, cut = 1 + rng() % (sizeof key - 1);
            const size_t n = at + cut <= len ? cut : len - at;
            memcpy(line + at, key, n);
        }
        const int want = json_is_quote_ref(line, len);
        skipped += want;
        char *exact = TAQ_MALLOC(len ? len : 1); /* exact size: ASan sees a read past it */
        memcpy(exact, line, len);
        const int got = taq_json_is_quote(exact, len);
        free(exact);
        if (got != want) {
            CU_FAIL("taq_json_is_quote differs from the memmem rule");
            fprintf(stderr, "line: %.*s\n", (int)len, line);
            return;
        }
    }
    CU_ASSERT(skipped > 1000); /* the generator does reach the skip */
}

/* ---- taq_parse_buffer ------------------------------------------------- */

static int64_t run_buffer(taq_format_t f, const char *rel, const char *buf, size_t len,
                          int64_t first, taq_batch_t *b)
{
    const taq_line_ctx_t c = mkctx(f);
    const int64_t n = taq_parse_buffer(&c, rel, buf, len, first, b);
    const taq_counts_t *k = &b->counts;
    CU_ASSERT_EQUAL(k->lines, k->trades + k->quotes + k->rejects + k->blank);
    CU_ASSERT_EQUAL((size_t)(k->trades + k->quotes), b->events.len);
    CU_ASSERT_EQUAL((size_t)k->rejects, b->rejects.len);
    return n;
}

static const taq_event_t *event_at(const taq_batch_t *b, size_t i)
{
    CU_ASSERT_FATAL(i < b->events.len);
    return (const taq_event_t *)b->events.data + i;
}

static const taq_reject_t *reject_at(const taq_batch_t *b, size_t i)
{
    CU_ASSERT_FATAL(i < b->rejects.len);
    return (const taq_reject_t *)b->rejects.data + i;
}

/* A reject row: reason, line, and text equal to want[0..wlen) with NUL padding after it. */
static void assert_reject(const taq_reject_t *r, const char *reason, int64_t line, const char *want,
                          size_t wlen)
{
    char pad[TAQ_REJECT_TEXT_LEN] = {0};
    CU_ASSERT_STRING_EQUAL(r->reason, reason);
    CU_ASSERT_EQUAL(r->line, line);
    CU_ASSERT_FATAL(wlen < TAQ_REJECT_TEXT_LEN);
    CU_ASSERT_EQUAL(memcmp(r->text, want, wlen), 0);
    CU_ASSERT_EQUAL(memcmp(r->text + wlen, pad, TAQ_REJECT_TEXT_LEN - wlen), 0);
}

static void test_buffer_line_endings(void)
{
    char buf[LINE_CAP * 2];
    /* 1 CRLF trade, 2 LF quote, 3 blank CRLF, 4 blank LF, 5 "x" reject, 6 trade without EOL */
    const int len = snprintf(buf, sizeof buf, "%s\r\n%s\n\r\n\nx\r\n%s", CSV_T, CSV_Q, CSV_T);
    taq_batch_t b;
    taq_batch_init(&b);
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_CSV, "f.txt", buf, (size_t)len, 1, &b), 6);
    CU_ASSERT_EQUAL(b.counts.lines, 6);
    CU_ASSERT_EQUAL(b.counts.trades, 2);
    CU_ASSERT_EQUAL(b.counts.quotes, 1);
    CU_ASSERT_EQUAL(b.counts.blank, 2);
    CU_ASSERT_EQUAL(b.counts.rejects, 1);
    CU_ASSERT_EQUAL(event_at(&b, 0)->line, 1);
    CU_ASSERT_EQUAL(event_at(&b, 0)->size, 912); /* the '\r' is not part of the size */
    CU_ASSERT_EQUAL(event_at(&b, 1)->line, 2);
    CU_ASSERT_EQUAL(event_at(&b, 1)->kind, TAQ_KIND_QUOTE);
    CU_ASSERT_EQUAL(event_at(&b, 2)->line, 6);
    CU_ASSERT_EQUAL(event_at(&b, 2)->file_idx, FILE_IDX);
    assert_reject(reject_at(&b, 0), "field_count", 5, "x", 1);
    CU_ASSERT_STRING_EQUAL(reject_at(&b, 0)->file, "f.txt");
    taq_batch_free(&b);
    CU_ASSERT_PTR_NULL(b.events.data);
    CU_ASSERT_EQUAL(b.counts.lines, 0);
}

static void test_buffer_edges(void)
{
    taq_batch_t b;
    taq_batch_init(&b);
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_CSV, "f", "", 0, 1, &b), 0);
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_CSV, "f", NULL, 0, 1, &b), 0);
    CU_ASSERT_EQUAL(b.counts.lines, 0);
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_CSV, "f", "\n", 1, 1, &b), 1); /* no phantom line */
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_CSV, "f", "\r\n", 2, 2, &b), 1);
    CU_ASSERT_EQUAL(b.counts.blank, 2);
    /* a lone '\r' is content: "\r" alone, and a '\r' at the very end without '\n' */
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_CSV, "f", "\r", 1, 3, &b), 1);
    assert_reject(reject_at(&b, 0), "field_count", 3, "\r", 1);
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_JSON, "f", "a\rb\r\r\n", 6, 4, &b), 1);
    assert_reject(reject_at(&b, 1), "bad_json", 4, "a\rb\r", 4);
    char l[LINE_CAP];
    const int n = snprintf(l, sizeof l, "%s\r", CSV_T);
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_CSV, "f", l, (size_t)n, 5, &b), 1);
    assert_reject(reject_at(&b, 2), "bad_number", 5, l, (size_t)n);
    CU_ASSERT_EQUAL(b.counts.lines, 5);
    CU_ASSERT_EQUAL(b.counts.rejects, 3);
    CU_ASSERT_EQUAL(b.counts.blank, 2);
    /* a whitespace-only line is not blank: it is a reject */
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_JSON, "f", " \n", 2, 6, &b), 1);
    CU_ASSERT_EQUAL(b.counts.rejects, 4);
    taq_batch_free(&b);
}

static void test_buffer_accumulates(void)
{
    char buf[LINE_CAP * 4];
    const int len = snprintf(buf, sizeof buf, "%s\n\n%s\n{\n", JSON_Q, JSON_T);
    taq_batch_t b;
    taq_batch_init(&b);
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_JSON, "a.txt", buf, (size_t)len, 1, &b), 4);
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_JSON, "a.txt", buf, (size_t)len, 101, &b), 4);
    CU_ASSERT_EQUAL(b.counts.lines, 8);
    CU_ASSERT_EQUAL(b.counts.trades, 2);
    CU_ASSERT_EQUAL(b.counts.quotes, 2);
    CU_ASSERT_EQUAL(b.counts.blank, 2);
    CU_ASSERT_EQUAL(b.counts.rejects, 2);
    CU_ASSERT_EQUAL(event_at(&b, 0)->line, 1);
    CU_ASSERT_EQUAL(event_at(&b, 1)->line, 3);
    CU_ASSERT_EQUAL(event_at(&b, 2)->line, 101);
    CU_ASSERT_EQUAL(event_at(&b, 3)->line, 103);
    CU_ASSERT_EQUAL(event_at(&b, 3)->kind, TAQ_KIND_TRADE);
    assert_reject(reject_at(&b, 0), "bad_json", 4, "{", 1);
    assert_reject(reject_at(&b, 1), "bad_json", 104, "{", 1);
    taq_batch_free(&b);
}

static void test_buffer_hostile_bytes(void)
{
    char buf[LINE_CAP];
    size_t n = 0;
    memcpy(buf, CSV_T, sizeof CSV_T - 1);
    n += sizeof CSV_T - 1;
    buf[20] = '\0'; /* a NUL byte inside line 1 (in arrival_tm) */
    buf[n++] = '\n';
    memcpy(buf + n, "\xff\xfe\xc3(,\x80\n", 7); /* line 2: invalid UTF-8 */
    n += 7;
    memcpy(buf + n, CSV_Q, sizeof CSV_Q - 1); /* line 3: valid */
    n += sizeof CSV_Q - 1;
    taq_batch_t b;
    taq_batch_init(&b);
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_CSV, "f", buf, n, 1, &b), 3);
    CU_ASSERT_EQUAL(b.counts.quotes, 1);
    CU_ASSERT_EQUAL(event_at(&b, 0)->line, 3);
    assert_reject(reject_at(&b, 0), "bad_timestamp", 1, buf, sizeof CSV_T - 1);
    assert_reject(reject_at(&b, 1), "field_count", 2, "\xff\xfe\xc3(,\x80", 6);
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_JSON, "f", buf, n, 1, &b), 3);
    CU_ASSERT_EQUAL(b.counts.rejects, 5);
    CU_ASSERT_STRING_EQUAL(reject_at(&b, 4)->reason, "bad_json");
    taq_batch_free(&b);
}

static void test_buffer_long_lines(void)
{
    /* a 10 MB line between two valid ones: one line_too_long, text cut to 1023 bytes */
    const size_t big = 10u << 20;
    char *buf = malloc(big + 2 * LINE_CAP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    size_t n = (size_t)sprintf(buf, "%s\r\n", CSV_T);
    for (size_t i = 0; i < big; i++)
        buf[n + i] = (char)('a' + i % 26);
    const char *long_line = buf + n;
    n += big;
    n += (size_t)sprintf(buf + n, "\r\n%s\r\n", CSV_Q);
    taq_batch_t b;
    taq_batch_init(&b);
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_CSV, "f", buf, n, 1, &b), 3);
    CU_ASSERT_EQUAL(b.counts.trades, 1);
    CU_ASSERT_EQUAL(b.counts.quotes, 1);
    assert_reject(reject_at(&b, 0), "line_too_long", 2, long_line, TAQ_REJECT_TEXT_LEN - 1);
    /* a 2000-byte line that is otherwise a normal reject: text cut, '\r' removed */
    n = 0;
    memset(buf, 'z', 2000);
    n = 2000;
    memcpy(buf + n, "\r\n", 2);
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_JSON, "f", buf, n + 2, 10, &b), 1);
    assert_reject(reject_at(&b, 1), "bad_json", 10, buf, TAQ_REJECT_TEXT_LEN - 1);
    /* exactly 1023 bytes: kept whole; 1022 + '\r': the '\r' is gone */
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_JSON, "f", buf, 1023, 11, &b), 1);
    assert_reject(reject_at(&b, 2), "bad_json", 11, buf, 1023);
    memcpy(buf + 1022, "\r\n", 2);
    CU_ASSERT_EQUAL(run_buffer(TAQ_FORMAT_JSON, "f", buf, 1024, 12, &b), 1);
    assert_reject(reject_at(&b, 3), "bad_json", 12, buf, 1022);
    free(buf);
    taq_batch_free(&b);
}

static void test_reject_file_name(void)
{
    char path[600];
    for (size_t i = 0; i < sizeof path - 1; i++)
        path[i] = (char)('A' + i % 26);
    path[sizeof path - 1] = '\0';
    taq_batch_t b;
    taq_batch_init(&b);
    path[255] = '\0'; /* 255 bytes: kept whole */
    run_buffer(TAQ_FORMAT_CSV, path, "x", 1, 1, &b);
    CU_ASSERT_EQUAL(memcmp(reject_at(&b, 0)->file, path, 256), 0);
    path[255] = (char)('A' + 255 % 26); /* 599 bytes: "..." + the last 252 */
    run_buffer(TAQ_FORMAT_CSV, path, "x", 1, 1, &b);
    const char *f = reject_at(&b, 1)->file;
    CU_ASSERT_EQUAL(strlen(f), TAQ_REJECT_FILE_LEN - 1);
    CU_ASSERT_EQUAL(memcmp(f, "...", 3), 0);
    CU_ASSERT_STRING_EQUAL(f + 3, path + strlen(path) - 252);
    run_buffer(TAQ_FORMAT_CSV, NULL, "x", 1, 1, &b);
    CU_ASSERT_STRING_EQUAL(reject_at(&b, 2)->file, "");
    /* the cut never splits a UTF-8 character: 150 x "\u00e9" + "x" keeps 251 bytes */
    for (int i = 0; i < 150; i++)
        memcpy(path + 2 * i, "\xc3\xa9", 2);
    strcpy(path + 300, "x");
    run_buffer(TAQ_FORMAT_CSV, path, "x", 1, 1, &b);
    f = reject_at(&b, 3)->file;
    CU_ASSERT_EQUAL(strlen(f), TAQ_REJECT_FILE_LEN - 2);
    CU_ASSERT_EQUAL((unsigned char)f[3], 0xC3);
    CU_ASSERT_STRING_EQUAL(f + 3, path + 50);
    taq_batch_free(&b);
}

static void test_reason_names(void)
{
    static const char *const names[] = {"",
                                        "line_too_long",
                                        "field_count",
                                        "bad_json",
                                        "missing_field",
                                        "unknown_type",
                                        "bad_symbol",
                                        "bad_timestamp",
                                        "bad_number",
                                        "negative_value",
                                        "bad_trade_dt",
                                        "date_mismatch"};
    CU_ASSERT_EQUAL(sizeof names / sizeof names[0], TAQ_REJ_COUNT_);
    for (int r = 0; r < TAQ_REJ_COUNT_; r++) {
        CU_ASSERT_STRING_EQUAL(taq_reject_reason_name((taq_reject_reason_t)r), names[r]);
        CU_ASSERT(strlen(names[r]) < TAQ_REJECT_REASON_LEN);
    }
    CU_ASSERT_STRING_EQUAL(taq_reject_reason_name(TAQ_REJ_COUNT_), "");
    CU_ASSERT_STRING_EQUAL(taq_reject_reason_name((taq_reject_reason_t)-1), "");
}

/* ---- robustness: mutated and random lines never crash, always account -- */

/* One mutated copy of src into dst: byte flips, deletions, insertions, or random bytes. */
static size_t mutate(const char *src, size_t n, char *dst)
{
    static const char alphabet[] = "{}[]\":,.-+eE0123456789TQ \\u\r\n\t\x00\x80\xff";
    memcpy(dst, src, n);
    const int edits = 1 + (int)(rng() % 4);
    for (int e = 0; e < edits && n > 0; e++) {
        const size_t at = (size_t)(rng() % n);
        const char c = alphabet[rng() % (sizeof alphabet - 1)];
        switch (rng() % 3) {
        case 0:
            dst[at] = c;
            break;
        case 1:
            memmove(dst + at, dst + at + 1, n - at - 1);
            n--;
            break;
        default:
            memmove(dst + at + 1, dst + at, n - at);
            dst[at] = c;
            n++;
        }
    }
    return n;
}

static void test_fuzz_accounting(void)
{
    static const char *const seeds[] = {CSV_T, CSV_Q, JSON_T, JSON_Q};
    static char buf[1 << 16];
    for (int round = 0; round < 400; round++) {
        size_t n = 0;
        for (int i = 0; i < 40; i++) {
            const char *s = seeds[rng() % 4];
            n += mutate(s, strlen(s), buf + n);
            buf[n++] = '\n';
        }
        for (int f = TAQ_FORMAT_CSV; f <= TAQ_FORMAT_JSON; f++) {
            taq_batch_t b;
            taq_batch_init(&b);
            const int64_t lines = run_buffer((taq_format_t)f, "fz", buf, n, 1, &b);
            CU_ASSERT_EQUAL(lines, b.counts.lines);
            for (size_t i = 0; i < b.events.len; i++) {
                const taq_event_t *ev = event_at(&b, i);
                CU_ASSERT(ev->kind == TAQ_KIND_TRADE || ev->kind == TAQ_KIND_QUOTE);
                CU_ASSERT(ev->symbol[0] > 0x20 && ev->price >= 0 && ev->size >= 0);
            }
            for (size_t i = 0; i < b.rejects.len; i++)
                CU_ASSERT(reject_at(&b, i)->reason[0] != '\0');
            taq_batch_free(&b);
        }
    }
}

/* ---- prices: the exact conversion against strtod, bit for bit --------- */

/*
 * numbers.c converts most prices without strtod; the value must be exactly
 * strtod's (correctly rounded, ties to even) for every shape, whichever
 * path takes it. Returns 1 when taq_parse_price agrees with the strtod
 * oracle on the syntactically valid price s[0..n).
 */
static int price_agrees(const char *s, size_t n)
{
    char z[512];
    if (n >= sizeof z)
        return 0;
    memcpy(z, s, n);
    z[n] = '\0';
    char *end = NULL;
    double want = strtod(z, &end);
    if (end != z + n)
        return 0; /* the generators only make valid prices */
    double got = -1.0;
    const taq_reject_reason_t r = taq_parse_price(s, n, &got);
    if (!isfinite(want))
        return r == TAQ_REJ_BAD_NUMBER;
    if (want == 0.0)
        want = 0.0; /* "-0" is +0.0 */
    const taq_reject_reason_t rwant = want < 0.0 ? TAQ_REJ_NEGATIVE_VALUE : TAQ_REJ_NONE;
    return r == rwant && memcmp(&got, &want, sizeof got) == 0;
}

/* Counts disagreements over the first n prices of gen; prints the first few. */
static long price_mismatches(size_t (*gen)(char *), long n)
{
    char buf[256];
    long bad = 0;
    for (long i = 0; i < n; i++) {
        const size_t len = gen(buf);
        if (!price_agrees(buf, len) && ++bad <= 5)
            fprintf(stderr, "price mismatch with strtod: \"%.*s\"\n", (int)len, buf);
    }
    return bad;
}

/* digits: nonzero first digit, then random digits; sometimes trailing zeros. */
static size_t random_digits(char *out, size_t ndigits)
{
    for (size_t i = 0; i < ndigits; i++)
        out[i] = (char)('0' + (i == 0 ? 1 + rng() % 9 : rng() % 10));
    if (rng() % 8 == 0)
        for (size_t i = ndigits - rng() % ndigits; i < ndigits; i++)
            out[i] = '0';
    return ndigits;
}

/* An exponent part: 'e' or 'E', optional sign, mostly near zero, sometimes far. */
static size_t random_exponent(char *out)
{
    static const char *const signs[] = {"", "+", "-", "-"};
    const int range = rng() % 8 == 0 ? 400 : 40;
    const int x = (int)(rng() % (uint64_t)range);
    const char *zeros = rng() % 16 == 0 ? "000" : "";
    return (size_t)sprintf(out, "%c%s%s%d", rng() % 2 ? 'e' : 'E', signs[rng() % 4], zeros, x);
}

/*
 * A random valid price: optional '-', optional leading zeros, 1..24
 * significant digits (mostly 15..20, as feeds write them, around the 19-digit
 * limit of the fast path), a '.' anywhere ("5.", ".5" included) or none, and
 * an optional exponent.
 */
static size_t random_price(char *out)
{
    char digits[64];
    size_t nd = 0;
    const size_t lead = rng() % 8 == 0 ? 1 + rng() % 5 : 0;
    for (size_t i = 0; i < lead; i++)
        digits[nd++] = '0';
    const size_t sig = rng() % 2 ? 15 + rng() % 6 : 1 + rng() % 24;
    nd += random_digits(digits + nd, sig);
    size_t n = 0;
    if (rng() % 4 == 0)
        out[n++] = '-';
    const size_t dot = rng() % 6 == 0 ? nd + 1 : rng() % (nd + 1); /* nd + 1: no dot */
    for (size_t i = 0; i <= nd; i++) {
        if (i == dot)
            out[n++] = '.';
        if (i < nd)
            out[n++] = digits[i];
    }
    if (rng() % 3 == 0)
        n += random_exponent(out + n);
    return n;
}

/* Integers around 2^53 (where doubles stop holding every integer), scaled by 10^-3..10^3. */
static size_t price_near_2_53(char *out)
{
    const uint64_t v = ((uint64_t)1 << 53) - 2000u + rng() % 4000u;
    return (size_t)sprintf(out, "%llue%d", (unsigned long long)v, (int)(rng() % 7) - 3);
}

/*
 * Exact halfway points between two neighbouring doubles (and their
 * neighbours +-1 in the last digit): (2m + 1) * 2^(k-1) for a 53-bit m, so
 * ties to even decide. Written as an integer (k >= 1) or as
 * (2m + 1) * 5^t followed by "e-t" (a binary exponent of -t).
 */
static size_t price_tie(char *out)
{
    const uint64_t m = ((uint64_t)1 << 52) | (rng() & (((uint64_t)1 << 52) - 1));
    const int nudge = (int)(rng() % 3) - 1;
    if (rng() % 2) {
        const int k = 1 + (int)(rng() % 11); /* (2m + 1) << (k - 1) < 2^64 */
        const uint64_t v = ((2 * m + 1) << (k - 1)) + (uint64_t)nudge;
        return (size_t)sprintf(out, "%llu", (unsigned long long)v);
    }
    const int t = 1 + (int)(rng() % 3); /* (2m + 1) * 5^3 < 2^64 */
    uint64_t v = 2 * m + 1;
    for (int i = 0; i < t; i++)
        v *= 5u;
    return (size_t)sprintf(out, "%llue-%d", (unsigned long long)(v + (uint64_t)nudge), t);
}

static void test_price_vs_strtod(void)
{
    rng_state = 0x2545F4914F6CDD1Du; /* fixed: the same cases every run */
    CU_ASSERT_EQUAL(price_mismatches(random_price, 3000000), 0);
    CU_ASSERT_EQUAL(price_mismatches(price_near_2_53, 200000), 0);
    CU_ASSERT_EQUAL(price_mismatches(price_tie, 1000000), 0);
}

static void test_price_edges(void)
{
    static const char *const edges[] = {
        /* shapes of the feeds: 16 and 17 significant digits */
        "79.19488165597565", "30.524058483002754", "17.057605983628349", "0.1", "0.2", "0.3",
        /* around 2^53 = 9007199254740992 and 2^64 */
        "9007199254740991", "9007199254740992", "9007199254740993", "9007199254740994",
        "9007199254740995", "9007199254740993.0", "900719925474099.3e1", "18014398509481985",
        "18014398509481986", "18446744073709551615", "18446744073709551616", "9999999999999999999",
        "99999999999999999999", "10000000000000000000", "1000000000000000000",
        "1234567890123456789", "12345678901234567890",
        /* ties to even written in few digits: 2^53 + 1 and its relatives */
        "9007199254740993e0", "90071992547409930e-1", "4503599627370496.5", "4503599627370497.5",
        "2251799813685248.25", "2251799813685248.75", "1125899906842624.125",
        /* edges of the exact exponent ranges (22 for Clinger, 27 for 5^k) */
        "1e22", "1e23", "1e27", "1e28", "1e-22", "1e-23", "1e-27", "1e-28", "9.999999999999999e22",
        "123456789012345678e-27", "123456789012345678e27", "1234567890123456789e-27",
        "1234567890123456789e27", "9007199254740993e-22", "9007199254740993e22",
        /* overflow, subnormals, underflow */
        "8.98846567431158e307", "1.7976931348623157e308", "2.2250738585072014e-308",
        "2.2250738585072011e-308", "4.9406564584124654e-324", "2.4703282292062327e-324",
        "2.4703282292062328e-324", "1e-400", "-1e-400",
        /* leading and trailing zeros, dots at the ends, zero with far exponents */
        "5.", ".5", "-.5", "0000000000000000000000001.5", "0.0000000000000000000000000000001",
        "1.00000000000000000000000", "100000000000000000000000000", "0e999999999999999999",
        "-0e-999999999999999999", "0.000e5", "-0", "-0.0", "00", "1e-0000000000000000022",
        "1E+0022", "1e0000000000000000000000000000000000000000000000000000000000000000000000001",
        /* negatives */
        "-79.19488165597565", "-9007199254740993", "-1e-27", "-123456789012345678e-27"};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        const int ok = price_agrees(edges[i], strlen(edges[i]));
        if (!ok)
            fprintf(stderr, "price mismatch with strtod: \"%s\"\n", edges[i]);
        CU_ASSERT(ok);
    }
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_price_valid),          TAQ_CASE(test_price_invalid),
        TAQ_CASE(test_int64_values),         TAQ_CASE(test_timestamp_valid),
        TAQ_CASE(test_timestamp_invalid),    TAQ_CASE(test_csv_trade_sample),
        TAQ_CASE(test_csv_quote_sample),     TAQ_CASE(test_json_trade_sample),
        TAQ_CASE(test_json_quote_sample),    TAQ_CASE(test_sample_files),
        TAQ_CASE(test_line_too_long),        TAQ_CASE(test_csv_field_count),
        TAQ_CASE(test_csv_unknown_type),     TAQ_CASE(test_json_bad_syntax),
        TAQ_CASE(test_json_nesting_limit),   TAQ_CASE(test_json_valid_variants),
        TAQ_CASE(test_json_missing_field),   TAQ_CASE(test_json_unknown_type),
        TAQ_CASE(test_bad_symbol),           TAQ_CASE(test_bad_timestamp),
        TAQ_CASE(test_bad_number_csv),       TAQ_CASE(test_bad_number_json),
        TAQ_CASE(test_negative_value),       TAQ_CASE(test_bad_trade_dt),
        TAQ_CASE(test_date_mismatch),        TAQ_CASE(test_precedence_csv),
        TAQ_CASE(test_precedence_json),      TAQ_CASE(test_buffer_line_endings),
        TAQ_CASE(test_buffer_edges),         TAQ_CASE(test_buffer_accumulates),
        TAQ_CASE(test_buffer_hostile_bytes), TAQ_CASE(test_buffer_long_lines),
        TAQ_CASE(test_trades_only),          TAQ_CASE(test_json_quote_skip_random),
        TAQ_CASE(test_reject_file_name),     TAQ_CASE(test_reason_names),
        TAQ_CASE(test_fuzz_accounting),      TAQ_CASE(test_price_vs_strtod),
        TAQ_CASE(test_price_edges),          TAQ_CASE(test_date_cache),
        TAQ_CASE(test_csv_split_alignment),
    };
    return taq_test_main(argc, argv, "parse", cases, (int)(sizeof cases / sizeof cases[0]), 0);
}
