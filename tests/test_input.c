/* Unit tests of the input walk (plan/scan.c) and block-wise line reads (util/linereader.c). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "harness.h"
#include "taq/linereader.h"
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

/* Collects every callback's bytes; checks each piece is whole lines. */
typedef struct collect {
    char *data;
    size_t len;
    int calls, torn;
} collect_t;

static taq_rc collect_fn(const char *buf, size_t len, void *arg)
{
    collect_t *c = arg;
    c->data = realloc(c->data, c->len + len + 1);
    memcpy(c->data + c->len, buf, len);
    c->len += len;
    c->calls++;
    return TAQ_OK;
}

static taq_rc read_to(const char *dir, const char *name, uint64_t start, uint64_t end,
                      size_t block, collect_t *c, taq_read_stats_t *st)
{
    memset(c, 0, sizeof *c);
    char *p = path_in(dir, name);
    taq_rc rc = taq_file_read_lines(p, name, start, end, block, collect_fn, c, st);
    free(p);
    return rc;
}

static void test_read_plain_and_gzip(void)
{
    char *dir = taq_test_tmpdir("lines");
    const char *text = "line one\r\nline two\nlast without newline";
    size_t zn;
    unsigned char *z = gz(text, strlen(text), &zn);
    taq_test_write_file(dir, "plain.txt", text, strlen(text));
    /* Named .txt but gzip inside: detected by magic bytes. */
    taq_test_write_file(dir, "sneaky.txt", z, zn);
    collect_t c;
    taq_read_stats_t st;
    CU_ASSERT_EQUAL_FATAL(read_to(dir, "plain.txt", 0, UINT64_MAX, 4, &c, &st), TAQ_OK);
    CU_ASSERT_EQUAL(c.len, strlen(text));
    CU_ASSERT_EQUAL(memcmp(c.data, text, c.len), 0);
    CU_ASSERT_EQUAL(st.gzip, 0);
    CU_ASSERT_EQUAL(st.raw_bytes, strlen(text));
    free(c.data);
    CU_ASSERT_EQUAL_FATAL(read_to(dir, "sneaky.txt", 0, UINT64_MAX, 5, &c, &st), TAQ_OK);
    CU_ASSERT_EQUAL(st.gzip, 1);
    CU_ASSERT_EQUAL(st.raw_bytes, zn);
    CU_ASSERT_EQUAL(st.text_bytes, strlen(text));
    CU_ASSERT_EQUAL_FATAL(c.len, strlen(text));
    CU_ASSERT_EQUAL(memcmp(c.data, text, c.len), 0);
    free(c.data);
    taq_file_sample_t fs = {1, 1};
    CU_ASSERT_EQUAL(taq_file_sample("/nonexistent/f.txt", "f.txt", &fs), -1);
    CU_ASSERT_EQUAL(fs.gzip, 0);
    char *p = path_in(dir, "sneaky.txt");
    CU_ASSERT_EQUAL(taq_file_sample(p, "sneaky.txt", &fs), 0);
    CU_ASSERT_EQUAL(fs.gzip, 1);
    CU_ASSERT_EQUAL(fs.line_bytes, 0);
    free(p);
    /* A gzip file cannot be split by byte range. */
    CU_ASSERT_EQUAL(read_to(dir, "sneaky.txt", 0, 10, 0, &c, NULL), TAQ_ERR_USAGE);
    free(c.data);
    free(z);
    taq_test_rmtree(dir);
    free(dir);
}

/* The sampled mean line length: over whole lines in the first TAQ_SAMPLE_BYTES. */
static void test_file_sample_lines(void)
{
    char *dir = taq_test_tmpdir("sample");
    /* 3 lines of 10 bytes and a torn tail that does not count */
    taq_test_write_file(dir, "a.txt", "123456789\n123456789\n123456789\ntail", 34);
    taq_test_write_file(dir, "empty.txt", "", 0);
    taq_test_write_file(dir, "one.txt", "no line end", 11);
    /* lines of 100 bytes running past the sample */
    size_t big = 2 * TAQ_SAMPLE_BYTES;
    char *text = malloc(big);
    memset(text, 'x', big);
    for (size_t i = 99; i < big; i += 100)
        text[i] = '\n';
    taq_test_write_file(dir, "big.txt", text, big);
    free(text);
    const struct {
        const char *name;
        uint32_t line_bytes;
    } want[] = {{"a.txt", 10}, {"empty.txt", 0}, {"one.txt", 11}, {"big.txt", 100}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *p = path_in(dir, want[i].name);
        taq_file_sample_t fs;
        CU_ASSERT_EQUAL(taq_file_sample(p, want[i].name, &fs), 0);
        CU_ASSERT_EQUAL(fs.gzip, 0);
        CU_ASSERT_EQUAL(fs.line_bytes, want[i].line_bytes);
        free(p);
    }
    taq_test_rmtree(dir);
    free(dir);
}

/* Every way of cutting a file into three ranges yields each line exactly once. */
static void test_ranges_split_lines_exactly(void)
{
    char *dir = taq_test_tmpdir("lines");
    const char *text = "a\nbb\n\nccc\r\ndddd\ne\nlast";
    size_t n = strlen(text);
    taq_test_write_file(dir, "f.txt", text, n);
    int bad = 0;
    for (size_t a = 0; a <= n; a++) {
        for (size_t b = a; b <= n + 1; b++) {
            uint64_t cuts[4] = {0, a, b, UINT64_MAX};
            char joined[64];
            size_t jl = 0;
            for (int r = 0; r < 3; r++) {
                collect_t c;
                CU_ASSERT_EQUAL(read_to(dir, "f.txt", cuts[r], cuts[r + 1], 2, &c, NULL), TAQ_OK);
                /* A piece is whole lines: it starts at a line start, ends at a line end. */
                if (c.len && ((jl > 0 && text[jl - 1] != '\n') ||
                              (jl + c.len < n && c.data[c.len - 1] != '\n')))
                    bad++;
                if (c.len)
                    memcpy(joined + jl, c.data, c.len);
                jl += c.len;
                free(c.data);
            }
            bad += jl != n || memcmp(joined, text, n) != 0;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* A range starting exactly at a line start owns that line. */
    collect_t c;
    CU_ASSERT_EQUAL(read_to(dir, "f.txt", 5, 6, 64, &c, NULL), TAQ_OK);
    CU_ASSERT_EQUAL(c.len, 1);
    CU_ASSERT_EQUAL(memcmp(c.data, "\n", 1), 0);
    free(c.data);
    CU_ASSERT_EQUAL(read_to(dir, "f.txt", 1, 3, 64, &c, NULL), TAQ_OK);
    CU_ASSERT_EQUAL(c.len, 3); /* "bb\n" starts at 2 */
    free(c.data);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_read_gzip_multimember_and_large(void)
{
    char *dir = taq_test_tmpdir("lines");
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
    collect_t c;
    CU_ASSERT_EQUAL_FATAL(read_to(dir, "multi.txt.gz", 0, UINT64_MAX, 1 << 16, &c, NULL), TAQ_OK);
    CU_ASSERT_EQUAL(c.len, n + 5);
    CU_ASSERT_EQUAL(memcmp(c.data, big, n), 0);
    CU_ASSERT_EQUAL(memcmp(c.data + n, "tail\n", 5), 0);
    CU_ASSERT(c.calls > 10); /* streamed, not one buffer */
    free(c.data);
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
    collect_t c;
    CU_ASSERT_EQUAL(read_to(dir, name, 0, UINT64_MAX, 0, &c, NULL), TAQ_ERR_CORRUPT);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), name));
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), needle));
    free(c.data);
}

static void test_read_gzip_corrupt(void)
{
    char *dir = taq_test_tmpdir("lines");
    const char *text = "2020-08-05,x\n2020-08-05,y\n";
    size_t zn;
    unsigned char *z = gz(text, strlen(text), &zn);
    expect_corrupt(dir, "truncated.txt.gz", z, zn - 9, "truncated");
    unsigned char *bad = malloc(zn + 3);
    memcpy(bad, z, zn);
    memcpy(bad + zn, "xyz", 3);
    expect_corrupt(dir, "garbage.txt.gz", bad, zn + 3, "garbage");
    memcpy(bad, z, zn);
    bad[zn - 6] ^= 0xff; /* flip the CRC */
    expect_corrupt(dir, "flipped.txt.gz", bad, zn, "corrupt");
    expect_corrupt(dir, "magic-only.txt.gz", "\x1f\x8b", 2, "truncated");
    free(bad);
    free(z);
    taq_test_rmtree(dir);
    free(dir);
}

static void test_read_missing_and_unreadable(void)
{
    collect_t c;
    CU_ASSERT_EQUAL(read_to("/nonexistent", "x.txt", 0, UINT64_MAX, 0, &c, NULL), TAQ_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), "x.txt"));
    char *dir = taq_test_tmpdir("lines");
    /* A folder where a file is expected is an I/O error, not a crash. */
    char *sub = path_in(dir, "dir.txt");
    mkdir(sub, 0777);
    free(sub);
    CU_ASSERT_EQUAL(read_to(dir, "dir.txt", 0, UINT64_MAX, 0, &c, NULL), TAQ_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), "dir.txt"));
    taq_test_write_file(dir, "empty.txt", "", 0);
    CU_ASSERT_EQUAL(read_to(dir, "empty.txt", 0, UINT64_MAX, 0, &c, NULL), TAQ_OK);
    CU_ASSERT_EQUAL(c.len, 0);
    CU_ASSERT_EQUAL(c.calls, 0);
    free(c.data);
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
        TAQ_CASE(test_file_sample_lines),
        TAQ_CASE(test_ranges_split_lines_exactly),
        TAQ_CASE(test_read_gzip_multimember_and_large),
        TAQ_CASE(test_read_gzip_corrupt),
        TAQ_CASE(test_read_missing_and_unreadable),
        TAQ_CASE(test_scan_layout),
        TAQ_CASE(test_scan_errors),
    };
    return taq_test_main(argc, argv, "input", cases, (int)(sizeof cases / sizeof cases[0]), 0);
}
