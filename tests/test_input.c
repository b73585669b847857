/* Unit tests of the input walk (plan/scan.c) and whole-file reads with gzip (util/fileio.c). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "harness.h"
#include "taq/fileio.h"
#include "taq/plan.h"
#include "taq/timeutil.h"

/* gzip-compress src into a malloc'd buffer (one member). */
static unsigned char *gz(const char *src, size_t n, size_t *outlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    CU_ASSERT_FATAL(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    size_t cap = deflateBound(&zs, n) + 64;
    unsigned char *out = malloc(cap);
    zs.next_in = (unsigned char *)(uintptr_t)src;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    CU_ASSERT_FATAL(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    *outlen = zs.total_out;
    deflateEnd(&zs);
    return out;
}

static char *path_in(const char *dir, const char *rel)
{
    char *p = malloc(strlen(dir) + strlen(rel) + 2);
    sprintf(p, "%s/%s", dir, rel);
    return p;
}

static void test_read_plain_and_gzip(void)
{
    char *dir = taq_test_tmpdir("fileio");
    const char *text = "line one\r\nline two\n";
    size_t zn;
    unsigned char *z = gz(text, strlen(text), &zn);
    taq_test_write_file(dir, "plain.txt", text, strlen(text));
    /* Named .txt but gzip inside: detected by magic bytes. */
    taq_test_write_file(dir, "sneaky.txt", z, zn);
    taq_filebuf_t b;
    char *p = path_in(dir, "plain.txt");
    CU_ASSERT_EQUAL_FATAL(taq_file_read_all(p, "plain.txt", &b), TAQ_OK);
    CU_ASSERT_EQUAL(b.len, strlen(text));
    CU_ASSERT_EQUAL(b.gzip, 0);
    CU_ASSERT_EQUAL(memcmp(b.data, text, b.len), 0);
    taq_filebuf_free(&b);
    free(p);
    p = path_in(dir, "sneaky.txt");
    CU_ASSERT_EQUAL_FATAL(taq_file_read_all(p, "sneaky.txt", &b), TAQ_OK);
    CU_ASSERT_EQUAL(b.gzip, 1);
    CU_ASSERT_EQUAL(b.raw_bytes, zn);
    CU_ASSERT_EQUAL(b.len, strlen(text));
    CU_ASSERT_EQUAL(memcmp(b.data, text, b.len), 0);
    taq_filebuf_free(&b);
    free(p);
    free(z);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_read_gzip_multimember_and_large(void)
{
    char *dir = taq_test_tmpdir("fileio");
    /* 3 MB of text, so the output buffer must grow several times. */
    size_t n = 3u << 20;
    char *big = malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = (i % 61 == 60) ? '\n' : (char)('a' + i % 26);
    size_t z1n, z2n;
    unsigned char *z1 = gz(big, n, &z1n), *z2 = gz("tail\n", 5, &z2n);
    unsigned char *both = malloc(z1n + z2n);
    memcpy(both, z1, z1n);
    memcpy(both + z1n, z2, z2n);
    taq_test_write_file(dir, "multi.txt.gz", both, z1n + z2n);
    char *p = path_in(dir, "multi.txt.gz");
    taq_filebuf_t b;
    CU_ASSERT_EQUAL_FATAL(taq_file_read_all(p, "multi.txt.gz", &b), TAQ_OK);
    CU_ASSERT_EQUAL(b.len, n + 5);
    CU_ASSERT_EQUAL(memcmp(b.data, big, n), 0);
    CU_ASSERT_EQUAL(memcmp(b.data + n, "tail\n", 5), 0);
    taq_filebuf_free(&b);
    free(p);
    free(big);
    free(z1);
    free(z2);
    free(both);
    taq_test_rmtree(dir);
    free(dir);
}

static void expect_corrupt(const char *dir, const char *name, const void *data, size_t n,
                           const char *needle)
{
    taq_test_write_file(dir, name, data, n);
    char *p = path_in(dir, name);
    taq_filebuf_t b;
    CU_ASSERT_EQUAL(taq_file_read_all(p, name, &b), TAQ_ERR_CORRUPT);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), name));
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), needle));
    CU_ASSERT_PTR_NULL(b.data);
    free(p);
}

static void test_read_gzip_corrupt(void)
{
    char *dir = taq_test_tmpdir("fileio");
    const char *text = "2020-08-05,x\n2020-08-05,y\n";
    size_t zn;
    unsigned char *z = gz(text, strlen(text), &zn);
    expect_corrupt(dir, "truncated.txt.gz", z, zn - 9, "truncated");
    unsigned char *bad = malloc(zn + 3);
    memcpy(bad, z, zn);
    memcpy(bad + zn, "xyz", 3);
    expect_corrupt(dir, "garbage.txt.gz", bad, zn + 3, "garbage");
    memcpy(bad, z, zn);
    bad[zn / 2] ^= 0xff; /* flip bits in the deflate data or CRC */
    bad[zn - 6] ^= 0xff;
    expect_corrupt(dir, "flipped.txt.gz", bad, zn, "corrupt");
    expect_corrupt(dir, "magic-only.txt.gz", "\x1f\x8b", 2, "gzip");
    free(bad);
    free(z);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_read_missing_and_unreadable(void)
{
    taq_filebuf_t b;
    CU_ASSERT_EQUAL(taq_file_read_all("/nonexistent/x.txt", "x.txt", &b), TAQ_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), "x.txt"));
    char *dir = taq_test_tmpdir("fileio");
    /* A folder where a file is expected is an I/O error, not a crash. */
    CU_ASSERT_EQUAL(taq_file_read_all(dir, "dir.txt", &b), TAQ_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), "dir.txt"));
    taq_test_write_file(dir, "empty.txt", "", 0);
    char *p = path_in(dir, "empty.txt");
    CU_ASSERT_EQUAL(taq_file_read_all(p, "empty.txt", &b), TAQ_OK);
    CU_ASSERT_EQUAL(b.len, 0);
    taq_filebuf_free(&b);
    free(p);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_scan_layout(void)
{
    char *dir = taq_test_tmpdir("scan");
    taq_test_write_file(dir, "csv/2020-08-06/NYSE/part-1.txt", "a\n", 2);
    taq_test_write_file(dir, "csv/2020-08-06/NYSE/part-0.txt.gz", "b\n", 2);
    taq_test_write_file(dir, "csv/2020-08-06/NYSE/_SUCCESS", "", 0);
    taq_test_write_file(dir, "csv/2020-08-06/NYSE/.part-0.txt.crc", "x", 1);
    taq_test_write_file(dir, "json/2020-08-06/NASDAQ/part-0.txt", "c\n", 2);
    taq_test_write_file(dir, "json/2020-08-05/NASDAQ/deep/er/p.txt", "d\n", 2);
    taq_test_write_file(dir, "csv/2020-08-07/NYSE/_SUCCESS", "", 0); /* no data file: no date */
    taq_test_write_file(dir, "csv/not-a-date/x.txt", "e\n", 2);
    taq_test_write_file(dir, "csv/2020-08-04/NYSE/notes.md", "f\n", 2);
    taq_inventory_t inv;
    CU_ASSERT_EQUAL_FATAL(taq_plan_scan(dir, &inv), TAQ_OK);
    CU_ASSERT_EQUAL_FATAL(inv.n_dates, 2);
    CU_ASSERT_EQUAL(inv.dates[0].date, taq_days_from_civil(2020, 8, 5));
    CU_ASSERT_EQUAL(inv.dates[0].n_files, 1);
    CU_ASSERT_STRING_EQUAL(inv.dates[0].files[0].relpath, "json/2020-08-05/NASDAQ/deep/er/p.txt");
    CU_ASSERT_EQUAL(inv.dates[0].files[0].format, TAQ_FORMAT_JSON);
    const taq_input_date_t *d = &inv.dates[1];
    CU_ASSERT_EQUAL(d->date, taq_days_from_civil(2020, 8, 6));
    CU_ASSERT_EQUAL_FATAL(d->n_files, 3);
    /* Sorted by relative path in byte order: csv before json, part-0 before part-1. */
    CU_ASSERT_STRING_EQUAL(d->files[0].relpath, "csv/2020-08-06/NYSE/part-0.txt.gz");
    CU_ASSERT_STRING_EQUAL(d->files[1].relpath, "csv/2020-08-06/NYSE/part-1.txt");
    CU_ASSERT_STRING_EQUAL(d->files[2].relpath, "json/2020-08-06/NASDAQ/part-0.txt");
    CU_ASSERT_EQUAL(d->files[1].format, TAQ_FORMAT_CSV);
    CU_ASSERT_EQUAL(d->files[1].size, 2);
    CU_ASSERT_EQUAL(inv.n_ignored, 5);
    CU_ASSERT_EQUAL(taq_inventory_prev(&inv, d->date), 0);
    CU_ASSERT_EQUAL(taq_inventory_prev(&inv, inv.dates[0].date), -1);
    CU_ASSERT_EQUAL(taq_inventory_prev(&inv, taq_days_from_civil(2021, 1, 1)), 1);
    taq_inventory_free(&inv);
    CU_ASSERT_PTR_NULL(inv.dates);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_scan_errors(void)
{
    taq_inventory_t inv;
    CU_ASSERT_EQUAL(taq_plan_scan("/nonexistent/taq-input", &inv), TAQ_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), "/nonexistent/taq-input"));
    char *dir = taq_test_tmpdir("scan");
    CU_ASSERT_EQUAL(taq_plan_scan(dir, &inv), TAQ_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), "neither csv/ nor json/"));
    taq_test_write_file(dir, "csv/2020-08-06/NYSE/_SUCCESS", "", 0);
    CU_ASSERT_EQUAL_FATAL(taq_plan_scan(dir, &inv), TAQ_OK);
    CU_ASSERT_EQUAL(inv.n_dates, 0);
    taq_inventory_free(&inv);
    taq_test_rmtree(dir);
    free(dir);
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_read_plain_and_gzip),
        TAQ_CASE(test_read_gzip_multimember_and_large),
        TAQ_CASE(test_read_gzip_corrupt),
        TAQ_CASE(test_read_missing_and_unreadable),
        TAQ_CASE(test_scan_layout),
        TAQ_CASE(test_scan_errors),
    };
    return taq_test_main(argc, argv, "input", cases, (int)(sizeof cases / sizeof cases[0]), 0);
}
