/*
 * fuzz_rle.c - h5rle.c's deflate encoder against zlib's inflate.
 *
 * The input is compressed twice: as it is, and read as a recipe of runs
 * (pairs of value and length, lengths up to 16,800), which reaches runs
 * longer than 258, many length codes and several 64 KiB blocks from short
 * inputs. Each time the stream must fit the encoder's bound and inflate with
 * zlib to exactly the data (uncompress checks the Adler-32 too); compressing
 * into exactly its size must give the same bytes, and into one byte less
 * must fail without writing past the buffer (ASan watches).
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz_check.h"
#include "h5/h5rle.h"

#define RECIPE_MAX ((size_t)192 * 1024) /* bytes a recipe may expand to: 3 blocks */

static void check_roundtrip(const uint8_t *data, size_t n)
{
    const size_t cap = taq_h5_rle_bound(n);
    uint8_t *z = malloc(cap), *back = malloc(n + 1);
    FUZZ_REQUIRE(z != NULL && back != NULL);
    const size_t zn = taq_h5_rle_deflate(data, n, z, cap);
    FUZZ_REQUIRE(zn >= 8 && zn <= cap);
    uLongf bn = (uLongf)n + 1;
    FUZZ_REQUIRE(uncompress(back, &bn, z, (uLong)zn) == Z_OK);
    FUZZ_REQUIRE(bn == n && memcmp(back, data, n) == 0);

    uint8_t *exact = malloc(zn), *short_by_one = malloc(zn - 1);
    FUZZ_REQUIRE(exact != NULL && short_by_one != NULL);
    FUZZ_REQUIRE(taq_h5_rle_deflate(data, n, exact, zn) == zn && memcmp(exact, z, zn) == 0);
    FUZZ_REQUIRE(taq_h5_rle_deflate(data, n, short_by_one, zn - 1) == 0);
    free(short_by_one);
    free(exact);
    free(back);
    free(z);
}

/* Pair (v, c): c copies of v for c < 200, else (c - 199) * 300 copies. */
static void check_recipe(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(RECIPE_MAX);
    FUZZ_REQUIRE(buf != NULL);
    size_t n = 0;
    for (size_t i = 0; i + 1 < size; i += 2) {
        size_t reps = data[i + 1] < 200 ? data[i + 1] : (size_t)(data[i + 1] - 199) * 300;
        reps = reps < RECIPE_MAX - n ? reps : RECIPE_MAX - n;
        memset(buf + n, data[i], reps);
        n += reps;
    }
    check_roundtrip(buf, n);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_roundtrip(data, size);
    check_recipe(data, size);
    return 0;
}
