/*
 * json.c - one flat capstone JSON object per line, by a strict small scanner.
 *
 * No library and no allocation: a line is scanned once, left to right, by a
 * recursive-descent checker of RFC 8259 syntax (strings with all escapes and
 * surrogate pairs, UTF-8 validated; numbers without leading zeros, '+' or a
 * bare '.'; true/false/null). Values of the known keys are recorded as they
 * pass: a string is decoded into a small fixed buffer (STR_CAP bytes, enough
 * for any valid field; a longer one is kept only as "too long", which fails
 * every field rule), a number is kept as its token in the line. Values of
 * other keys, of any type, are checked and skipped; nesting deeper than
 * JSON_MAX_DEPTH containers (the line's object included) is bad_json.
 *
 * Precedence after syntax: a missing or null common key is missing_field,
 * then an event_type other than the string "T"/"Q" is unknown_type, then a
 * missing type-specific key is missing_field. A value of the wrong JSON type
 * reaches the shared checker as an empty field, which yields the reason of
 * that field (bad_symbol, bad_timestamp, bad_number, bad_trade_dt).
 * Keys are compared after unescaping ("\u0073ymbol" is symbol). A known key
 * given twice is bad_json (which value would count is ambiguous), also the
 * optional, unchecked execution_id; repeated unknown keys are allowed.
 */
#define _GNU_SOURCE /* memmem */
#include <stddef.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "parse_internal.h"

#define JSON_MAX_DEPTH 64
#define STR_CAP 32 /* >= the longest valid string field: a 29-byte timestamp */
#define KEY_CAP 16 /* >= the longest known key */

enum jtype { J_ABSENT = 0, J_NULL, J_STRING, J_NUMBER, J_OTHER };

enum jkey {
    K_TRADE_DT,
    K_FILE_TM,
    K_EVENT_TYPE,
    K_SYMBOL,
    K_EVENT_TM,
    K_EVENT_SEQ_NB,
    K_EXCHANGE,
    K_PRICE,
    K_SIZE,
    K_BID_PR,
    K_BID_SIZE,
    K_ASK_PR,
    K_ASK_SIZE,
    K_EXECUTION_ID,
    K_COUNT
};

/* Known keys, NUL-padded to KEY_CAP so a lookup needs no strlen. */
static const char key_names[K_COUNT][KEY_CAP] = {
    [K_TRADE_DT] = "trade_dt",
    [K_FILE_TM] = "file_tm",
    [K_EVENT_TYPE] = "event_type",
    [K_SYMBOL] = "symbol",
    [K_EVENT_TM] = "event_tm",
    [K_EVENT_SEQ_NB] = "event_seq_nb",
    [K_EXCHANGE] = "exchange",
    [K_PRICE] = "price",
    [K_SIZE] = "size",
    [K_BID_PR] = "bid_pr",
    [K_BID_SIZE] = "bid_size",
    [K_ASK_PR] = "ask_pr",
    [K_ASK_SIZE] = "ask_size",
    [K_EXECUTION_ID] = "execution_id",
};

static const enum jkey common_keys[] = {K_TRADE_DT, K_FILE_TM,      K_EVENT_TYPE, K_SYMBOL,
                                        K_EVENT_TM, K_EVENT_SEQ_NB, K_EXCHANGE};
static const enum jkey trade_keys[] = {K_PRICE, K_SIZE};
static const enum jkey quote_keys[] = {K_BID_PR, K_BID_SIZE, K_ASK_PR, K_ASK_SIZE};

/* The value of one known key as it was seen. */
typedef struct jvalue {
    enum jtype type;
    size_t len;        /* decoded string length (may exceed STR_CAP) or token length */
    const char *token; /* the value's bytes in the line (numbers) */
    char str[STR_CAP]; /* the first STR_CAP decoded bytes of a string */
} jvalue_t;

typedef struct jscan {
    const unsigned char *p;
    const unsigned char *end;
} jscan_t;

static int scan_object(jscan_t *js, int depth, jvalue_t *vals);
static int skip_value(jscan_t *js, int depth);

/* Next byte, or -1 at the end of the line. */
static int peek(const jscan_t *js)
{
    return js->p < js->end ? *js->p : -1;
}

static void skip_ws(jscan_t *js)
{
    while (js->p < js->end && (*js->p == ' ' || *js->p == '\t' || *js->p == '\n' || *js->p == '\r'))
        js->p++;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Append one decoded byte; bytes past cap are counted, not stored. */
static void put(char *dst, size_t cap, size_t *n, unsigned char c)
{
    if (*n < cap)
        dst[*n] = (char)c;
    (*n)++;
}

/* Append code point cp (<= 0x10FFFF, not a surrogate) as UTF-8. */
static void put_utf8(char *dst, size_t cap, size_t *n, unsigned cp)
{
    if (cp < 0x80) {
        put(dst, cap, n, (unsigned char)cp);
    } else if (cp < 0x800) {
        put(dst, cap, n, (unsigned char)(0xC0 | (cp >> 6)));
        put(dst, cap, n, (unsigned char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        put(dst, cap, n, (unsigned char)(0xE0 | (cp >> 12)));
        put(dst, cap, n, (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
        put(dst, cap, n, (unsigned char)(0x80 | (cp & 0x3F)));
    } else {
        put(dst, cap, n, (unsigned char)(0xF0 | (cp >> 18)));
        put(dst, cap, n, (unsigned char)(0x80 | ((cp >> 12) & 0x3F)));
        put(dst, cap, n, (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
        put(dst, cap, n, (unsigned char)(0x80 | (cp & 0x3F)));
    }
}

/* "\uXXXX" at p (6 bytes available checked by the caller) into *cp; -1 if not hex. */
static int hex4(const unsigned char *p, unsigned *cp)
{
    if (p[0] != '\\' || p[1] != 'u')
        return -1;
    unsigned v = 0;
    for (int i = 2; i < 6; i++) {
        const unsigned c = p[i];
        if (c >= '0' && c <= '9')
            v = v * 16 + (c - '0');
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            v = v * 16 + ((c | 0x20) - 'a' + 10);
        else
            return -1;
    }
    *cp = v;
    return 0;
}

/* A \u escape (one code unit or a surrogate pair) at js->p; -1 when invalid. */
static int scan_unicode(jscan_t *js, char *dst, size_t cap, size_t *n)
{
    unsigned hi, lo;
    if (js->end - js->p < 6 || hex4(js->p, &hi))
        return -1;
    js->p += 6;
    if (hi >= 0xDC00 && hi <= 0xDFFF)
        return -1; /* a low surrogate cannot come first */
    if (hi >= 0xD800 && hi <= 0xDBFF) {
        if (js->end - js->p < 6 || hex4(js->p, &lo) || lo < 0xDC00 || lo > 0xDFFF)
            return -1;
        js->p += 6;
        hi = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
    }
    put_utf8(dst, cap, n, hi);
    return 0;
}

/* One escape sequence starting at the backslash at js->p. */
static int scan_escape(jscan_t *js, char *dst, size_t cap, size_t *n)
{
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    if (js->end - js->p < 2)
        return -1;
    if (js->p[1] == 'u')
        return scan_unicode(js, dst, cap, n);
    const char *hit = js->p[1] ? strchr(from, js->p[1]) : NULL;
    if (hit == NULL)
        return -1;
    put(dst, cap, n, (unsigned char)to[hit - from]);
    js->p += 2;
    return 0;
}

/* Length of the valid UTF-8 multi-byte sequence at p, or 0 (RFC 3629). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t n;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        n = 2;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        n = 3;
        lo = p[0] == 0xE0 ? 0xA0 : lo; /* no overlong forms */
        hi = p[0] == 0xED ? 0x9F : hi; /* no UTF-16 surrogates */
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        n = 4;
        lo = p[0] == 0xF0 ? 0x90 : lo;
        hi = p[0] == 0xF4 ? 0x8F : hi; /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Printable ASCII other than '"' and '\\': copied as is, no check needed. */
static int is_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Append bytes [p, p + k) as put() would, in one copy. */
static void put_run(char *dst, size_t cap, size_t *n, const unsigned char *p, size_t k)
{
    if (*n < cap)
        memcpy(dst + *n, p, k < cap - *n ? k : cap - *n);
    *n += k;
}

/*
 * A string at js->p (its opening quote), decoded into dst[0..cap); *n = full
 * length. Runs of plain bytes are found in a tight loop and copied at once.
 */
static int scan_string(jscan_t *js, char *dst, size_t cap, size_t *n)
{
    *n = 0;
    js->p++;
    for (;;) {
        const unsigned char *run = js->p;
        while (js->p < js->end && is_plain(*js->p))
            js->p++;
        put_run(dst, cap, n, run, (size_t)(js->p - run));
        if (js->p == js->end)
            return -1;
        const unsigned char c = *js->p;
        if (c == '"') {
            js->p++;
            return 0;
        }
        if (c == '\\') {
            if (scan_escape(js, dst, cap, n))
                return -1;
            continue;
        }
        const size_t k = c < 0x20 ? 0 : utf8_len(js->p, js->end);
        if (k == 0)
            return -1;
        put_run(dst, cap, n, js->p, k);
        js->p += k;
    }
}

static void skip_digits(jscan_t *js)
{
    while (is_digit(peek(js)))
        js->p++;
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int scan_number(jscan_t *js)
{
    if (peek(js) == '-')
        js->p++;
    if (peek(js) == '0')
        js->p++;
    else if (is_digit(peek(js)))
        skip_digits(js);
    else
        return -1;
    if (peek(js) == '.') {
        js->p++;
        if (!is_digit(peek(js)))
            return -1;
        skip_digits(js);
    }
    if (peek(js) == 'e' || peek(js) == 'E') {
        js->p++;
        if (peek(js) == '+' || peek(js) == '-')
            js->p++;
        if (!is_digit(peek(js)))
            return -1;
        skip_digits(js);
    }
    return 0;
}

static int scan_literal(jscan_t *js, const char *lit, size_t n)
{
    if ((size_t)(js->end - js->p) < n || memcmp(js->p, lit, n) != 0)
        return -1;
    js->p += n;
    return 0;
}

/* [ value (, value)* ] at js->p; depth is this array's nesting level. */
static int scan_array(jscan_t *js, int depth)
{
    js->p++;
    skip_ws(js);
    if (peek(js) == ']') {
        js->p++;
        return 0;
    }
    for (;;) {
        if (skip_value(js, depth + 1))
            return -1;
        skip_ws(js);
        const int c = peek(js);
        if (c != ',' && c != ']')
            return -1;
        js->p++;
        if (c == ']')
            return 0;
        skip_ws(js);
    }
}

/* Any JSON value at js->p; depth is the level a container here would have. */
static int skip_value(jscan_t *js, int depth)
{
    size_t n;
    switch (peek(js)) {
    case '{':
        return depth > JSON_MAX_DEPTH ? -1 : scan_object(js, depth, NULL);
    case '[':
        return depth > JSON_MAX_DEPTH ? -1 : scan_array(js, depth);
    case '"':
        return scan_string(js, NULL, 0, &n);
    case 't':
        return scan_literal(js, "true", 4);
    case 'f':
        return scan_literal(js, "false", 5);
    case 'n':
        return scan_literal(js, "null", 4);
    default:
        return scan_number(js);
    }
}

/* The value of a known key: recorded by type, strings decoded. */
static int scan_known_value(jscan_t *js, int depth, jvalue_t *v)
{
    const int c = peek(js);
    const unsigned char *start = js->p;
    if (c == '"') {
        v->type = J_STRING;
        return scan_string(js, v->str, STR_CAP, &v->len);
    }
    if (skip_value(js, depth))
        return -1;
    v->type = c == 'n' ? J_NULL : (c == '-' || is_digit(c)) ? J_NUMBER : J_OTHER;
    v->token = (const char *)start;
    v->len = (size_t)(js->p - start);
    return 0;
}

/*
 * Index of a known key, or -1 (a key of KEY_CAP bytes or more is never
 * known). k holds n decoded bytes and is NUL-padded to KEY_CAP, so whole
 * fixed-size rows are compared (no call to memcmp per candidate).
 */
static int lookup_key(const char k[KEY_CAP], size_t n)
{
    if (n == 0 || n >= KEY_CAP)
        return -1;
    /* The name must end exactly at n: "trade_dt\u0000" is not "trade_dt". */
    for (int i = 0; i < K_COUNT; i++)
        if (key_names[i][n] == '\0' && key_names[i][n - 1] != '\0' &&
            memcmp(key_names[i], k, KEY_CAP) == 0)
            return i;
    return -1;
}

/* "key" : value, at js->p; known keys are recorded into vals when given. */
static int scan_member(jscan_t *js, int depth, jvalue_t *vals)
{
    char key[KEY_CAP] = {0};
    size_t klen;
    if (peek(js) != '"' || scan_string(js, vals ? key : NULL, vals ? KEY_CAP : 0, &klen))
        return -1;
    skip_ws(js);
    if (peek(js) != ':')
        return -1;
    js->p++;
    skip_ws(js);
    const int k = vals ? lookup_key(key, klen) : -1;
    if (k < 0)
        return skip_value(js, depth + 1);
    if (vals[k].type != J_ABSENT)
        return -1; /* a repeated known key is ambiguous */
    return scan_known_value(js, depth + 1, &vals[k]);
}

/* { member (, member)* } at js->p; depth is this object's nesting level. */
static int scan_object(jscan_t *js, int depth, jvalue_t *vals)
{
    js->p++;
    skip_ws(js);
    if (peek(js) == '}') {
        js->p++;
        return 0;
    }
    for (;;) {
        if (scan_member(js, depth, vals))
            return -1;
        skip_ws(js);
        const int c = peek(js);
        if (c != ',' && c != '}')
            return -1;
        js->p++;
        if (c == '}')
            return 0;
        skip_ws(js);
    }
}

/* The whole line is one object, with only whitespace around it. */
static int scan_line(const char *line, size_t len, jvalue_t *vals)
{
    jscan_t js = {(const unsigned char *)line, (const unsigned char *)line + len};
    skip_ws(&js);
    if (peek(&js) != '{' || scan_object(&js, 1, vals))
        return -1;
    skip_ws(&js);
    return js.p == js.end ? 0 : -1;
}

static int all_present(const jvalue_t *vals, const enum jkey *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (vals[keys[i]].type == J_ABSENT || vals[keys[i]].type == J_NULL)
            return 0;
    return 1;
}

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* missing_field / unknown_type in their order; *kind set when neither applies. */
static taq_reject_reason_t json_kind(const jvalue_t *vals, char *kind)
{
    if (!all_present(vals, common_keys, COUNT_OF(common_keys)))
        return TAQ_REJ_MISSING_FIELD;
    const jvalue_t *t = &vals[K_EVENT_TYPE];
    if (t->type != J_STRING || t->len != 1 ||
        (t->str[0] != TAQ_KIND_TRADE && t->str[0] != TAQ_KIND_QUOTE))
        return TAQ_REJ_UNKNOWN_TYPE;
    *kind = t->str[0];
    const int trade = *kind == TAQ_KIND_TRADE;
    if (!all_present(vals, trade ? trade_keys : quote_keys,
                     trade ? COUNT_OF(trade_keys) : COUNT_OF(quote_keys)))
        return TAQ_REJ_MISSING_FIELD;
    return TAQ_REJ_NONE;
}

/* A string field, or an empty slice when the value is not a (short) string. */
static taq_slice_t str_field(const jvalue_t *v)
{
    taq_slice_t s = {NULL, 0};
    if (v->type == J_STRING && v->len <= STR_CAP) {
        s.p = v->str;
        s.n = v->len;
    }
    return s;
}

/* A number field, or an empty slice when the value is not a JSON number. */
static taq_slice_t num_field(const jvalue_t *v)
{
    taq_slice_t s = {NULL, 0};
    if (v->type == J_NUMBER) {
        s.p = v->token;
        s.n = v->len;
    }
    return s;
}

static void fill_raw(const jvalue_t *vals, taq_raw_event_t *raw)
{
    const int trade = raw->kind == TAQ_KIND_TRADE;
    raw->trade_dt = str_field(&vals[K_TRADE_DT]);
    raw->arrival_tm = str_field(&vals[K_FILE_TM]);
    raw->symbol = str_field(&vals[K_SYMBOL]);
    raw->event_tm = str_field(&vals[K_EVENT_TM]);
    raw->event_seq_nb = num_field(&vals[K_EVENT_SEQ_NB]);
    raw->exchange = str_field(&vals[K_EXCHANGE]);
    raw->price = num_field(&vals[trade ? K_PRICE : K_BID_PR]);
    raw->size = num_field(&vals[trade ? K_SIZE : K_BID_SIZE]);
    if (!trade) {
        raw->ask_pr = num_field(&vals[K_ASK_PR]);
        raw->ask_size = num_field(&vals[K_ASK_SIZE]);
    }
}

taq_reject_reason_t taq_parse_json_line(const taq_line_ctx_t *ctx, const char *line, size_t len,
                                        taq_event_t *out)
{
    jvalue_t vals[K_COUNT];
    for (int i = 0; i < K_COUNT; i++)
        vals[i].type = J_ABSENT;
    if (scan_line(line, len, vals))
        return TAQ_REJ_BAD_JSON;
    taq_raw_event_t raw;
    memset(&raw, 0, sizeof raw);
    const taq_reject_reason_t r = json_kind(vals, &raw.kind);
    if (r != TAQ_REJ_NONE)
        return r;
    fill_raw(vals, &raw);
    return taq_parse_fields(ctx, &raw, out);
}

/*
 * Without a backslash no string can hold a '"', so the line's quote
 * characters are exactly the string delimiters and a key "event_type" can
 * only be spelled that way. If that text occurs exactly once and is followed
 * by :"Q", no parse of the line can yield a trade: either the top-level
 * event_type is "Q" or the line is a reject. Anything else is left to the
 * full parser (a 'no' here is never wrong either).
 */
/*
 * The first `"event_type"` in [s, end), or NULL. This runs on every quote
 * line of a previous date, so it is hand-vectorised where SSE2 exists (all
 * of x86-64): 16 start positions at a time are kept only if they hold '"',
 * 'e' and, 11 bytes on, the closing '"', and only those are compared in
 * full. glibc's memmem was most of the skip. Elsewhere memmem does it all.
 */
#define EVENT_TYPE_KEY "\"event_type\""
#define EVENT_TYPE_LEN (sizeof EVENT_TYPE_KEY - 1)

static const char *find_event_type(const char *s, const char *end)
{
    const size_t klen = EVENT_TYPE_LEN;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), e = _mm_set1_epi8('e');
    for (; end - s >= 16 + (ptrdiff_t)klen - 1; s += 16) {
        const __m128i a = _mm_loadu_si128((const __m128i *)s);
        const __m128i b = _mm_loadu_si128((const __m128i *)(s + 1));
        const __m128i c = _mm_loadu_si128((const __m128i *)(s + klen - 1));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(a, quote), _mm_cmpeq_epi8(b, e)),
                          _mm_cmpeq_epi8(c, quote)));
        for (; m; m &= m - 1) {
            const char *at = s + __builtin_ctz(m);
            if (memcmp(at, EVENT_TYPE_KEY, klen) == 0)
                return at;
        }
    }
#endif
    return end - s >= (ptrdiff_t)klen ? memmem(s, (size_t)(end - s), EVENT_TYPE_KEY, klen) : NULL;
}

int taq_json_is_quote(const char *line, size_t len)
{
    const size_t klen = EVENT_TYPE_LEN;
    if (memchr(line, '\\', len))
        return 0;
    const char *end = line + len;
    const char *found = find_event_type(line, end);
    if (!found || find_event_type(found + klen, end))
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
