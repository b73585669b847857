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
 */
#include <errno.h>
#include <math.h>
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char *z = malloc(size + 1); /* the NUL-terminated copy the oracles read */
    FUZZ_REQUIRE(z != NULL);
    memcpy(z, s, size);
    z[size] = '\0';
    check_price(s, size, z);
    check_int64(s, size, z);
    free(z);
    return 0;
}
