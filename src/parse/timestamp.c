/*
 * timestamp.c - "YYYY-MM-DD HH:MM:SS[.fffffffff]" -> ns since 1970-01-01.
 *
 * The date part reuses taq_date_parse (strict, real calendar date); the
 * clock part is fixed-position digits; the fraction is 1 to 9 digits scaled
 * to nanoseconds. No zone: the wall clock is stored as written.
 *
 * The three dates of a line (trade_dt and both timestamps) are nearly always
 * the same text as the line before, so taq_parse_date keeps the last valid
 * date text and its day number and runs the calendar check only when the text
 * changes. Only a date that passed taq_date_parse is ever kept, and a hit needs
 * all 10 bytes equal, so a bad date can never be answered from the cache. The
 * cache is per thread (taqmpi parses on one thread per rank).
 *
 * int64 nanoseconds reach only 1677-09-21 .. 2262-04-11; a timestamp whose
 * value would not fit is bad (never wrapped). Days from -106751 (1677-09-22)
 * upward are accepted, up to the last representable nanosecond in 2262.
 */
#include <string.h>

#include "parse_internal.h"
#include "taq/timeutil.h"

#define TS_BASE_LEN 19 /* "YYYY-MM-DD HH:MM:SS" */
#define TS_MAX_FRAC 9
#define MIN_DAYS (-106751)
#define MAX_DAYS 106751
#define DATE_LEN 10 /* "YYYY-MM-DD" */

/* The last date text taq_date_parse accepted, and its day number. */
static _Thread_local struct {
    int valid;
    char text[DATE_LEN];
    int32_t days;
} last_date;

int taq_parse_date(const char *s, size_t len, int32_t *days)
{
    if (len == DATE_LEN && last_date.valid && memcmp(s, last_date.text, DATE_LEN) == 0) {
        *days = last_date.days;
        return 0;
    }
    if (taq_date_parse(s, len, days))
        return -1;
    memcpy(last_date.text, s, DATE_LEN);
    last_date.days = *days;
    last_date.valid = 1;
    return 0;
}

/* Two digits at s into *v; -1 if either is not a digit. */
static int two_digits(const char *s, int *v)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    return 0;
}

/* "HH:MM:SS" at s into seconds of the day; -1 when malformed or out of range. */
static int parse_clock(const char *s, int64_t *secs)
{
    int h, m, sec;
    if (s[2] != ':' || s[5] != ':')
        return -1;
    if (two_digits(s, &h) || two_digits(s + 3, &m) || two_digits(s + 6, &sec))
        return -1;
    if (h > 23 || m > 59 || sec > 59)
        return -1;
    *secs = (int64_t)h * 3600 + m * 60 + sec;
    return 0;
}

/* "." + 1..9 digits (exactly n bytes) into nanoseconds; n == 0 is no fraction. */
static int parse_fraction(const char *s, size_t n, int64_t *ns)
{
    *ns = 0;
    if (n == 0)
        return 0;
    if (s[0] != '.' || n < 2 || n > TS_MAX_FRAC + 1)
        return -1;
    int64_t v = 0;
    for (size_t i = 1; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    for (size_t i = n - 1; i < TS_MAX_FRAC; i++)
        v *= 10;
    *ns = v;
    return 0;
}

int taq_parse_timestamp(const char *s, size_t len, int64_t *ns)
{
    int32_t days;
    int64_t secs, frac;
    if (len < TS_BASE_LEN || (s[DATE_LEN] != ' ' && s[DATE_LEN] != 'T'))
        return -1;
    if (taq_parse_date(s, DATE_LEN, &days) || parse_clock(s + 11, &secs) ||
        parse_fraction(s + TS_BASE_LEN, len - TS_BASE_LEN, &frac))
        return -1;
    const int64_t tod = secs * TAQ_NS_PER_SEC + frac;
    if (days < MIN_DAYS || days > MAX_DAYS ||
        (days == MAX_DAYS && tod > INT64_MAX - MAX_DAYS * TAQ_NS_PER_DAY))
        return -1;
    *ns = (int64_t)days * TAQ_NS_PER_DAY + tod;
    return 0;
}
