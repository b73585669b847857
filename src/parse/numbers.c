/*
 * numbers.c - strict prices and integers over exactly `len` bytes.
 *
 * The input is a slice of a line: not NUL-terminated, and it may hold NUL
 * bytes, so the syntax is checked by hand first. Integers are accumulated by
 * hand with an exact int64 overflow check.
 *
 * A price with at most 19 significant digits and a decimal exponent within
 * +-27 (feed prices such as 79.19488165597565) is converted here, exactly: it is
 * w * 10^e with w < 2^64, and
 *  - w <= 2^53 and |e| <= 22 (Clinger's fast path): w and 10^|e| are both
 *    exact doubles, so the one IEEE multiplication or division rounds the
 *    exact value once, to nearest, as strtod does;
 *  - otherwise 10^e = 5^e * 2^e with 5^|e| < 2^63: w * 5^e, or w * 2^s / 5^|e|
 *    with its remainder, is computed in 128-bit integers and rounded to 53
 *    bits by hand (ties to even), and the double is assembled from its bits.
 * Both give the correctly rounded double, so the result is bit for bit what
 * strtod returns; test_parse's test_price_vs_strtod checks millions of cases.
 * This relies on round-to-nearest (taqmpi never calls fesetround) and on
 * double arithmetic without extended precision (FLT_EVAL_METHOD == 0: SSE2
 * on x86-64, any AArch64); elsewhere, or without a 128-bit integer type,
 * every price goes to strtod. No fused multiply-add can arise: the fast path
 * holds a single floating-point operation. The build must not enable
 * -ffast-math: its -freciprocal-math would turn the division into an
 * inexact multiplication by 10^-k.
 *
 * Everything else (more digits, far exponents, overflow, underflow) goes to
 * strtod, on a NUL-terminated copy in a stack buffer, which keeps strtod's
 * lenient extras (leading blanks and '+', hex, inf, nan) out. strtod reads
 * the decimal point of the LC_NUMERIC locale; taqmpi never calls setlocale,
 * so it is '.'. An underflow (1e-400) is finite and kept as strtod rounds it.
 * If it ever were not, strtod would stop early and the end-pointer check
 * turns that into bad_number instead of a wrong value.
 */
#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse_internal.h"

/* Longest syntactically valid price handed to strtod (longer: bad_number). */
#define PRICE_MAX_CHARS 400

#if defined(__SIZEOF_INT128__) && defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define EXACT_PRICE 1
#else
#define EXACT_PRICE 0
#endif

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

/* The strtod path: a syntactically valid price of at most PRICE_MAX_CHARS; finite only. */
static int price_strtod(const char *s, size_t len, double *v)
{
    char buf[PRICE_MAX_CHARS + 1];
    assert(len <= PRICE_MAX_CHARS);
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end = NULL;
    *v = strtod(buf, &end);
    return end == buf + len && isfinite(*v) ? 0 : -1;
}

#if EXACT_PRICE

#define FAST_MAX_DIGITS 19 /* 10^19 - 1 < 2^64 */
#define FAST_MAX_EXP 27    /* 5^27 < 2^63 */
#define CLINGER_MAX_EXP 22 /* 10^22 = 5^22 * 2^22 with 5^22 < 2^53: an exact double */
#define TWO_POW_53 ((uint64_t)1 << 53)

__extension__ typedef unsigned __int128 u128;

static const double exact_pow10[CLINGER_MAX_EXP + 1] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static const uint64_t pow5[FAST_MAX_EXP + 1] = {
    1u,
    5u,
    25u,
    125u,
    625u,
    3125u,
    15625u,
    78125u,
    390625u,
    1953125u,
    9765625u,
    48828125u,
    244140625u,
    1220703125u,
    6103515625u,
    30517578125u,
    152587890625u,
    762939453125u,
    3814697265625u,
    19073486328125u,
    95367431640625u,
    476837158203125u,
    2384185791015625u,
    11920928955078125u,
    59604644775390625u,
    298023223876953125u,
    1490116119384765625u,
    7450580596923828125u,
};

/*
 * A syntax-checked price as w * 10^e: 1 when it has at most FAST_MAX_DIGITS
 * significant digits (leading zeros do not count) and w == 0 or
 * |e| <= FAST_MAX_EXP; 0 sends it to strtod. One tight loop per digit run.
 */
static int price_decimal(const char *s, size_t len, uint64_t *w, int *e)
{
    size_t i = s[0] == '-';
    while (i < len && s[i] == '0')
        i++;
    size_t sig = i; /* the first significant digit, if any */
    uint64_t m = 0; /* wraps past 19 digits; then unused */
    for (; i < len && is_digit(s[i]); i++)
        m = m * 10u + (uint64_t)(s[i] - '0');
    size_t nsig = i - sig;
    int nfrac = 0;
    if (i < len && s[i] == '.') {
        const size_t frac = ++i;
        if (nsig == 0) /* "0.000123": zeros before the first significant digit */
            while (i < len && s[i] == '0')
                i++;
        sig = i;
        for (; i < len && is_digit(s[i]); i++)
            m = m * 10u + (uint64_t)(s[i] - '0');
        nsig += i - sig;
        nfrac = (int)(i - frac);
    }
    if (nsig > FAST_MAX_DIGITS)
        return 0;
    int x = 0;
    if (i < len) { /* 'e' or 'E' */
        const int neg = s[++i] == '-';
        i += s[i] == '-' || s[i] == '+';
        for (; i < len; i++)
            if (x < 100000) /* saturate: far beyond FAST_MAX_EXP + PRICE_MAX_CHARS */
                x = x * 10 + (s[i] - '0');
        x = neg ? -x : x;
    }
    *w = m;
    *e = x - nfrac;
    return m == 0 || (*e >= -FAST_MAX_EXP && *e <= FAST_MAX_EXP);
}

static int bit_length(u128 n)
{
    const uint64_t hi = (uint64_t)(n >> 64), lo = (uint64_t)n;
    return hi ? 128 - __builtin_clzll(hi) : lo ? 64 - __builtin_clzll(lo) : 0;
}

/*
 * n * 2^exp2 rounded to the nearest double, ties to even, where sticky says
 * the true value lies strictly between n and n + 1 (only possible when n has
 * more than 53 bits). The result must be a normal double (asserted).
 */
static double round_to_double(u128 n, int sticky, int exp2)
{
    const int b = bit_length(n);
    assert(b > 0 && (b > 53 || !sticky));
    if (b < 53) {
        n <<= 53 - b;
        exp2 -= 53 - b;
    }
    const int shift = b > 53 ? b - 53 : 0;
    uint64_t m = (uint64_t)(n >> shift);
    if (shift > 0) {
        const u128 low = n & (((u128)1 << shift) - 1);
        const u128 half = (u128)1 << (shift - 1);
        m += low > half || (low == half && (sticky || (m & 1u)));
    }
    exp2 += shift;
    if (m == TWO_POW_53) { /* rounded up to the next binade */
        m >>= 1;
        exp2++;
    }
    const int biased = exp2 + 52 + 1023; /* m is in [2^52, 2^53) */
    assert(biased >= 1 && biased <= 2046);
    const uint64_t bits = (uint64_t)biased << 52 | (m & (TWO_POW_53 / 2 - 1));
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* w * 10^e, correctly rounded, for 0 < w < 2^64 and |e| <= FAST_MAX_EXP. */
static double scale_pow10(uint64_t w, int e)
{
    if (w <= TWO_POW_53 && e >= -CLINGER_MAX_EXP && e <= CLINGER_MAX_EXP)
        return e >= 0 ? (double)w * exact_pow10[e] : (double)w / exact_pow10[-e];
    if (e >= 0)
        return round_to_double((u128)w * pow5[e], 0, e);
    /* w / 5^k / 2^k: scale w so the quotient has at least 55 bits (53 + round
     * bit + one more), then the remainder is the sticky bit. */
    const int k = -e;
    const uint64_t d = pow5[k];
    int s = 55 + bit_length(d) - bit_length(w);
    s = s > 0 ? s : 0;
    const u128 num = (u128)w << s;
    const u128 q = num / d;
    return round_to_double(q, num - q * d != 0, -s - k);
}

/* 1 and *v when the exact path applies; 0 sends the price to strtod. */
static int price_exact(const char *s, size_t len, double *v)
{
    uint64_t w;
    int e;
    if (!price_decimal(s, len, &w, &e))
        return 0;
    const double mag = w == 0 ? 0.0 : scale_pow10(w, e);
    *v = s[0] == '-' ? -mag : mag;
    return 1;
}

#else

static int price_exact(const char *s, size_t len, double *v)
{
    (void)s;
    (void)len;
    (void)v;
    return 0;
}

#endif /* EXACT_PRICE */

taq_reject_reason_t taq_parse_price(const char *s, size_t len, double *out)
{
    double v;
    if (!price_syntax_ok(s, len) || len > PRICE_MAX_CHARS)
        return TAQ_REJ_BAD_NUMBER;
    if (!price_exact(s, len, &v) && price_strtod(s, len, &v))
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
