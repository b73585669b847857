/*
 * numbers.c - strict prices and integers over exactly `len` bytes.
 *
 * The input is a slice of a line: not NUL-terminated, and it may hold NUL
 * bytes, so the syntax is checked by hand first. Only then is a price handed
 * to strtod, on a NUL-terminated copy in a stack buffer, which keeps strtod's
 * lenient extras (leading blanks and '+', hex, inf, nan) out. Integers are
 * accumulated by hand with an exact int64 overflow check.
 *
 * strtod reads the decimal point of the LC_NUMERIC locale; taqmpi never calls
 * setlocale, so it is '.'. An underflow (1e-400) is finite and kept as
 * strtod rounds it. If it ever were not, strtod would stop early and
 * the end-pointer check turns that into bad_number instead of a wrong value.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse_internal.h"

/* Longest syntactically valid price handed to strtod (longer: bad_number). */
#define PRICE_MAX_CHARS 400

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Index just past a run of digits starting at i. */
static size_t skip_digits(const char *s, size_t len, size_t i)
{
    while (i < len && is_digit(s[i]))
        i++;
    return i;
}

/* 1 when s[0..len) is "-"? (d+ ["." d*] | "." d+) [(e|E) [+-] d+]. */
static int price_syntax_ok(const char *s, size_t len)
{
    size_t i = 0;
    if (i < len && s[i] == '-')
        i++;
    const size_t int_start = i;
    i = skip_digits(s, len, i);
    size_t ndigits = i - int_start;
    if (i < len && s[i] == '.') {
        const size_t frac_start = ++i;
        i = skip_digits(s, len, i);
        ndigits += i - frac_start;
    }
    if (ndigits == 0)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        const size_t exp_start = i;
        i = skip_digits(s, len, i);
        if (i == exp_start)
            return 0;
    }
    return i == len;
}

taq_reject_reason_t taq_parse_price(const char *s, size_t len, double *out)
{
    char buf[PRICE_MAX_CHARS + 1];
    if (!price_syntax_ok(s, len) || len > PRICE_MAX_CHARS)
        return TAQ_REJ_BAD_NUMBER;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end = NULL;
    double v = strtod(buf, &end);
    if (end != buf + len || !isfinite(v))
        return TAQ_REJ_BAD_NUMBER;
    if (v == 0.0)
        v = 0.0; /* "-0" and underflowed negatives are zero, not negative */
    *out = v;
    return v < 0.0 ? TAQ_REJ_NEGATIVE_VALUE : TAQ_REJ_NONE;
}

taq_reject_reason_t taq_parse_int64(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    const int neg = len > 0 && s[0] == '-';
    i += (size_t)neg;
    if (i == len)
        return TAQ_REJ_BAD_NUMBER;
    /* Accumulate the magnitude as unsigned so INT64_MIN itself fits. */
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    uint64_t mag = 0;
    for (; i < len; i++) {
        if (!is_digit(s[i]))
            return TAQ_REJ_BAD_NUMBER;
        const unsigned d = (unsigned)(s[i] - '0');
        if (mag > (limit - d) / 10u)
            return TAQ_REJ_BAD_NUMBER;
        mag = mag * 10u + d;
    }
    if (!neg || mag == 0) {
        *out = (int64_t)mag;
        return TAQ_REJ_NONE;
    }
    *out = mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag;
    return TAQ_REJ_NEGATIVE_VALUE;
}
