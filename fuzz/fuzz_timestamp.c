/*
 * fuzz_timestamp.c - taq_parse_timestamp and taq_date_parse against an oracle.
 *
 * The oracle is written from SPEC 1.2 without the parser's arithmetic: it
 * matches the fixed pattern "dddd-dd-dd{ |T}dd:dd:dd[.d{1,9}]", checks the
 * calendar with its own month table, and decides the int64 range by
 * comparing the canonical text "YYYY-MM-DD HH:MM:SS.fffffffff" with the
 * first and last accepted instants (fixed-width text sorts like time).
 * Accept/reject must agree exactly, and an accepted value, written back as
 * canonical text, must give the same text: the value is the one written.
 */
#include <string.h>

#include "fuzz_check.h"
#include "taq/timeutil.h"

/* The range documented in timestamp.c: whole days from 1677-09-22 to the last int64 ns. */
static const char TS_FIRST[] = "1677-09-22 00:00:00.000000000";
static const char TS_LAST[] = "2262-04-11 23:47:16.854775807";

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* "dddd-dd-dd" naming a real Gregorian date in years 1..9999. */
static int date_ok(const char *s)
{
    static const int mdays[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
        return 0;
    const int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    const int leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m] + (m == 2 && leap);
}

/* The oracle: 1 and the canonical text in canon when s is a valid, in-range timestamp. */
static int ts_ok(const char *s, size_t len, char canon[30])
{
    if (len < 19 || len == 20 || len > 29 || !date_ok(s) || (s[10] != ' ' && s[10] != 'T'))
        return 0;
    if (!digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' ||
        !digits(s + 17, 2))
        return 0;
    if (num(s + 11, 2) > 23 || num(s + 14, 2) > 59 || num(s + 17, 2) > 59)
        return 0;
    if (len > 19 && (s[19] != '.' || !digits(s + 20, len - 20)))
        return 0;
    memcpy(canon, "0000-00-00 00:00:00.000000000", 30);
    memcpy(canon, s, len);
    canon[10] = ' ';
    canon[19] = '.';
    return memcmp(canon, TS_FIRST, 29) >= 0 && memcmp(canon, TS_LAST, 29) <= 0;
}

static void check_timestamp(const char *s, size_t len)
{
    char canon[30], back[30];
    int64_t ns = 0;
    const int ok = taq_parse_timestamp(s, len, &ns) == 0;
    FUZZ_REQUIRE(ok == ts_ok(s, len, canon));
    if (!ok)
        return;
    fuzz_format_ts(ns, back);
    FUZZ_REQUIRE(memcmp(back, canon, 29) == 0);
}

static void check_date(const char *s, size_t len)
{
    int32_t days = 0;
    const int ok = taq_date_parse(s, len, &days) == 0;
    FUZZ_REQUIRE(ok == (len == 10 && date_ok(s)));
    if (!ok)
        return;
    char back[11];
    taq_date_format(days, back);
    FUZZ_REQUIRE(memcmp(back, s, 10) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    check_timestamp(s, size);
    check_date(s, size);
    if (size >= 10)
        check_date(s, 10);
    return 0;
}
