/*
 * fuzz_numbers.c - taq_parse_price and taq_parse_int64 against libc oracles.
 *
 * The input is one field (any bytes). The oracles restrict the alphabet to
 * what SPEC 1.2 allows (digits, '.', 'e', 'E', signs; no leading '+', no
 * blanks, hex, inf or nan) and let strtod / strtoll decide the rest on a
 * NUL-terminated copy: the field is a number iff libc reads all of it and
 * the value is finite (price) or fits int64 (integer). The verdicts must
 * agree, values must be identical, and the sign rule must hold: a negative
 * value is negative_value, while "-0" (and negatives that round to zero)
 * are a plain zero.
 *
 * Raw bytes rarely form long valid decimals, so the input is also read as a
 * recipe for one (sign, digits, dot position, exponent): that keeps the
 * exact conversion of numbers.c (up to 19 digits, exponents within +-27,
 * without strtod) and its hand-off to strtod under constant comparison.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

#define PRICE_MAX_CHARS 400 /* numbers.c: longer prices are bad_number */

static int only(const char *s, size_t n, const char *alphabet)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\0' || strchr(alphabet, s[i]) == NULL)
            return 0;
    return 1;
}

static void check_price(const char *s, size_t n, const char *z)
{
    double got = 0.0;
    const taq_reject_reason_t r = taq_parse_price(s, n, &got);
    FUZZ_REQUIRE(r == TAQ_REJ_NONE || r == TAQ_REJ_BAD_NUMBER || r == TAQ_REJ_NEGATIVE_VALUE);
    char *end = NULL;
    const int shape = n > 0 && n <= PRICE_MAX_CHARS && s[0] != '+' && only(s, n, "0123456789.eE+-");
    const double want = shape ? strtod(z, &end) : 0.0;
    const int valid = shape && end == z + n && isfinite(want);
    FUZZ_REQUIRE((r != TAQ_REJ_BAD_NUMBER) == valid);
    if (!valid)
        return;
    FUZZ_REQUIRE(isfinite(got));
    FUZZ_REQUIRE(got == want);
    FUZZ_REQUIRE((r == TAQ_REJ_NEGATIVE_VALUE) == (want < 0.0));
    FUZZ_REQUIRE(r == TAQ_REJ_NEGATIVE_VALUE || !signbit(got));
}

static void check_int64(const char *s, size_t n, const char *z)
{
    int64_t got = 0;
    const taq_reject_reason_t r = taq_parse_int64(s, n, &got);
    FUZZ_REQUIRE(r == TAQ_REJ_NONE || r == TAQ_REJ_BAD_NUMBER || r == TAQ_REJ_NEGATIVE_VALUE);
    const size_t lead = n > 0 && s[0] == '-';
    const int shape = n > lead && only(s + lead, n - lead, "0123456789");
    char *end = NULL;
    errno = 0;
    const long long want = shape ? strtoll(z, &end, 10) : 0;
    const int valid = shape && end == z + n && errno == 0;
    FUZZ_REQUIRE((r != TAQ_REJ_BAD_NUMBER) == valid);
    if (!valid)
        return;
    FUZZ_REQUIRE(got == (int64_t)want);
    FUZZ_REQUIRE((r == TAQ_REJ_NEGATIVE_VALUE) == (want < 0));
}

/*
 * A valid decimal built from the input: byte 0 picks the sign, the exponent
 * form and its sign, byte 1 the dot position, byte 2 the exponent value
 * (small or far), the rest give the digits (at most 40).
 */
static void check_price_recipe(const uint8_t *data, size_t size)
{
    char z[64];
    if (size < 3)
        return;
    const unsigned flags = data[0], dot_at = data[1], x = data[2];
    size_t ndig = size - 3 < 40 ? size - 3 : 40, n = 0;
    if (ndig == 0)
        return;
    if (flags & 1u)
        z[n++] = '-';
    for (size_t i = 0; i <= ndig; i++) {
        if (i == dot_at % (ndig + 2)) /* 0: ".5", ndig: "5.", ndig + 1: no dot */
            z[n++] = '.';
        if (i < ndig)
            z[n++] = (char)('0' + data[3 + i] % 10);
    }
    if (flags & 2u) {
        const int e = flags & 8u ? x : x % 40;
        n += (size_t)snprintf(z + n, sizeof z - n, "%s%s%d", flags & 16u ? "E" : "e",
                              flags & 4u ? "-" : (flags & 32u ? "+" : ""), e);
    }
    z[n] = '\0';
    check_price(z, n, z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char *z = malloc(size + 1); /* the NUL-terminated copy the oracles read */
    FUZZ_REQUIRE(z != NULL);
    memcpy(z, s, size);
    z[size] = '\0';
    check_price(s, size, z);
    check_int64(s, size, z);
    check_price_recipe(data, size);
    free(z);
    return 0;
}
