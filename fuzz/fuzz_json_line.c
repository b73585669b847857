/*
 * fuzz_json_line.c - taq_parse_line on one arbitrary JSON line.
 *
 * The input is the line itself (any bytes, no line end). Properties:
 *  - the reason is from the vocabulary and JSON-only (never field_count);
 *    line_too_long exactly when the line is longer than 65,536 bytes;
 *  - only a line that starts (after JSON whitespace) with '{' can get past
 *    bad_json;
 *  - an unknown member inserted first into the object changes nothing:
 *    same reason and, when valid, the same event (unknown keys of any type
 *    are ignored, and the object stays valid iff it was);
 *  - a valid line gives an event that obeys every SPEC rule and survives a
 *    round trip through both formats.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

static const char UNKNOWN_MEMBER[] = "\"zz_fuzz\":[0,{\"a\":null}],";

static int json_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Index just after the object's '{' when the line starts with ws* '{'; 0 otherwise. */
static size_t open_brace(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && json_ws(s[i]))
        i++;
    return i < len && s[i] == '{' ? i + 1 : 0;
}

/* 1 when s[at..len) is ws* '}' ...: the object is empty and a leading member would be bad. */
static int empty_object(const char *s, size_t len, size_t at)
{
    while (at < len && json_ws(s[at]))
        at++;
    return at < len && s[at] == '}';
}

static void check_insert_unknown(const char *line, size_t len, size_t at, taq_reject_reason_t r,
                                 const taq_event_t *ev)
{
    const size_t k = sizeof UNKNOWN_MEMBER - 1;
    if (len + k > TAQ_MAX_LINE || empty_object(line, len, at))
        return;
    char *buf = malloc(len + k);
    FUZZ_REQUIRE(buf != NULL);
    memcpy(buf, line, at);
    memcpy(buf + at, UNKNOWN_MEMBER, k);
    memcpy(buf + at + k, line + at, len - at);
    const taq_line_ctx_t ctx = fuzz_ctx(TAQ_FORMAT_JSON);
    taq_event_t ev2;
    memset(&ev2, 0, sizeof ev2);
    const taq_reject_reason_t r2 = taq_parse_line(&ctx, buf, len + k, &ev2);
    free(buf);
    FUZZ_REQUIRE(r2 == r);
    if (r == TAQ_REJ_NONE)
        FUZZ_REQUIRE(memcmp(ev, &ev2, sizeof ev2) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    const taq_line_ctx_t ctx = fuzz_ctx(TAQ_FORMAT_JSON);
    taq_event_t ev;
    memset(&ev, 0, sizeof ev);
    const taq_reject_reason_t r = taq_parse_line(&ctx, line, size, &ev);
    fuzz_check_reason(r);
    FUZZ_REQUIRE((r == TAQ_REJ_LINE_TOO_LONG) == (size > TAQ_MAX_LINE));
    FUZZ_REQUIRE(r != TAQ_REJ_FIELD_COUNT);
    if (r == TAQ_REJ_LINE_TOO_LONG)
        return 0;
    const size_t at = open_brace(line, size);
    if (at == 0) {
        FUZZ_REQUIRE(r == TAQ_REJ_BAD_JSON);
        return 0;
    }
    check_insert_unknown(line, size, at, r, &ev);
    if (r == TAQ_REJ_NONE) {
        fuzz_check_event(&ev, &ctx);
        fuzz_check_roundtrip(&ev, &ctx);
    }
    return 0;
}
