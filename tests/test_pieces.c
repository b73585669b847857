/* Unit tests of the byte-range plan (plan/pieces.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "taq/plan.h"

static taq_input_file_t files[8];
static char paths[8][64];

/* Files 0..n-1, in folder EX/ unless folders[i] says which of A/, B/, ... */
static taq_input_date_t date_in(const uint64_t *sizes, const int *gz, const int *folders, size_t n)
{
    memset(files, 0, sizeof files);
    for (size_t i = 0; i < n; i++) {
        files[i].size = sizes[i];
        files[i].gzip = gz ? gz[i] : 0;
        if (folders)
            snprintf(paths[i], sizeof paths[i], "csv/2020-08-05/%c/p%zu.txt", 'A' + folders[i], i);
        else
            snprintf(paths[i], sizeof paths[i], "csv/2020-08-05/EX/p%zu.txt", i);
        files[i].relpath = paths[i];
    }
    return (taq_input_date_t){.date = 0, .files = files, .n_files = n};
}

static taq_input_date_t date_of(const uint64_t *sizes, const int *gz, size_t n)
{
    return date_in(sizes, gz, NULL, n);
}

/*
 * Pieces cover every file exactly, in order, ranks and parts in range;
 * within one folder the plain files' pieces never go back to a lower
 * (rank, part).
 */
static void check_cover_parts(const taq_input_date_t *d, const taq_piece_t *p, size_t n, int nranks,
                              int parts)
{
    size_t k = 0;
    int last_rank = 0, last_part = 0;
    for (uint32_t f = 0; f < d->n_files; f++) {
        uint64_t at = 0;
        const char *slash = strrchr(d->files[f].relpath, '/');
        if (f == 0 || strncmp(d->files[f].relpath, d->files[f - 1].relpath,
                              (size_t)(slash - d->files[f].relpath) + 1) != 0)
            last_rank = last_part = 0; /* a new folder starts again at rank 0 */
        CU_ASSERT_FATAL(k < n);
        do {
            CU_ASSERT_EQUAL(p[k].file_idx, f);
            CU_ASSERT_EQUAL(p[k].start, at);
            CU_ASSERT(p[k].rank >= 0 && p[k].rank < nranks);
            CU_ASSERT(p[k].part >= 0 && p[k].part < parts);
            if (!d->files[f].gzip) {
                CU_ASSERT(p[k].rank > last_rank ||
                          (p[k].rank == last_rank && p[k].part >= last_part));
                last_rank = p[k].rank;
                last_part = p[k].part;
            }
            at = p[k].end;
            k++;
        } while (at != UINT64_MAX && k < n);
        CU_ASSERT_EQUAL(at, UINT64_MAX);
    }
    CU_ASSERT_EQUAL(k, n);
}

static void check_cover(const taq_input_date_t *d, const taq_piece_t *p, size_t n, int nranks)
{
    check_cover_parts(d, p, n, nranks, 1);
}

static void test_one_file_split_evenly(void)
{
    uint64_t sizes[] = {100};
    taq_input_date_t d = date_of(sizes, NULL, 1);
    taq_piece_t *p;
    size_t n;
    taq_plan_pieces(&d, 4, 1, &p, &n);
    CU_ASSERT_EQUAL_FATAL(n, 4);
    const uint64_t starts[] = {0, 25, 50, 75};
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(p[i].rank, i);
        CU_ASSERT_EQUAL(p[i].start, starts[i]);
        CU_ASSERT_EQUAL(p[i].end, i < 3 ? starts[i + 1] : UINT64_MAX);
    }
    check_cover(&d, p, n, 4);
    free(p);
}

static void test_gzip_whole_and_weighted(void)
{
    /*
     * Plain 100, gzip 50, plain 100, gzip 25 in one folder: the plain files
     * are cut into 4 spans of 50 bytes; the gzip files (4 x their bytes,
     * plus lines: 312 and 156) lie on an axis of their own and go whole to
     * the span of their middle: 156 of 468 -> span 1, 390 -> span 3.
     */
    uint64_t sizes[] = {100, 50, 100, 25};
    int gz[] = {0, 1, 0, 1};
    taq_input_date_t d = date_of(sizes, gz, 4);
    taq_piece_t *p;
    size_t n;
    taq_plan_pieces(&d, 4, 1, &p, &n);
    CU_ASSERT_EQUAL_FATAL(n, 6);
    const int want_rank[] = {0, 1, 1, 2, 3, 3};
    const uint32_t want_file[] = {0, 0, 1, 2, 2, 3};
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(p[i].rank, want_rank[i]);
        CU_ASSERT_EQUAL(p[i].file_idx, want_file[i]);
    }
    CU_ASSERT_EQUAL(p[1].start, 50);
    CU_ASSERT_EQUAL(p[2].end, UINT64_MAX);
    CU_ASSERT_EQUAL(p[5].end, UINT64_MAX);
    check_cover(&d, p, n, 4);
    free(p);
}

/*
 * Every folder is cut on its own, so each rank reads the same share of
 * every folder: A = 100 + 300 bytes, B = 200 bytes, 2 ranks. Rank 0 reads
 * A's first 200 bytes (all of p0, 100 bytes of p1) and B's first 100.
 */
static void test_folders_striped(void)
{
    uint64_t sizes[] = {100, 300, 200};
    int folders[] = {0, 0, 1};
    taq_input_date_t d = date_in(sizes, NULL, folders, 3);
    taq_piece_t *p;
    size_t n;
    taq_plan_pieces(&d, 2, 1, &p, &n);
    CU_ASSERT_EQUAL_FATAL(n, 5);
    const int want_rank[] = {0, 0, 1, 0, 1};
    const uint64_t want_start[] = {0, 0, 100, 0, 100};
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(p[i].rank, want_rank[i]);
        CU_ASSERT_EQUAL(p[i].start, want_start[i]);
    }
    check_cover(&d, p, n, 2);
    free(p);
}

static void test_more_ranks_than_bytes_and_empty_files(void)
{
    uint64_t sizes[] = {3, 0, 2};
    taq_input_date_t d = date_of(sizes, NULL, 3);
    taq_piece_t *p;
    size_t n;
    taq_plan_pieces(&d, 16, 1, &p, &n);
    check_cover(&d, p, n, 16);
    free(p);
    uint64_t zero[] = {0, 0};
    d = date_of(zero, NULL, 2);
    taq_plan_pieces(&d, 3, 1, &p, &n);
    CU_ASSERT_EQUAL(n, 2); /* empty files still get a piece: an unreadable one must fail */
    check_cover(&d, p, n, 3);
    free(p);
}

static void test_many_shapes_cover(void)
{
    uint64_t seed = 7;
    for (int trial = 0; trial < 500; trial++) {
        uint64_t sizes[8];
        int gz[8], folders[8];
        size_t nf = 1 + trial % 8;
        for (size_t i = 0; i < nf; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            sizes[i] = (seed >> 33) % 1000;
            gz[i] = (seed >> 20) % 4 == 0;
            folders[i] = (i ? folders[i - 1] : 0) + ((seed >> 10) % 3 == 0);
        }
        taq_input_date_t d = date_in(sizes, gz, folders, nf);
        int nranks = 1 + trial % 17, parts = 1 + trial % 5;
        taq_piece_t *p;
        size_t n;
        taq_plan_pieces(&d, nranks, parts, &p, &n);
        check_cover_parts(&d, p, n, nranks, parts);
        free(p);
    }
}

/*
 * Lines weigh TAQ_LINE_WEIGHT bytes each: 1000 bytes of 100-byte lines weigh
 * 1900, 1000 bytes of 250-byte lines 1360. The halfway point 1630 falls at
 * 1630 / 1900 of the first file's bytes, not at its end as bytes alone would.
 */
static void test_lines_weigh(void)
{
    uint64_t sizes[] = {1000, 1000};
    taq_input_date_t d = date_of(sizes, NULL, 2);
    files[0].line_bytes = 100;
    files[1].line_bytes = 250;
    taq_piece_t *p;
    size_t n;
    taq_plan_pieces(&d, 2, 1, &p, &n);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_EQUAL(p[0].rank, 0);
    CU_ASSERT_EQUAL(p[0].end, 1630 * 1000 / 1900);
    CU_ASSERT_EQUAL(p[1].rank, 1);
    CU_ASSERT_EQUAL(p[1].start, 1630 * 1000 / 1900);
    CU_ASSERT_EQUAL(p[2].rank, 1);
    check_cover(&d, p, n, 2);
    free(p);
}

/*
 * Parts: every folder is cut into nranks x parts spans, span j being part
 * j % parts of rank j / parts. A = 800 bytes, B = 400 bytes, 2 ranks, 4
 * parts: A in pieces of 100 bytes, B of 50, ranks 0 0 0 0 1 1 1 1 and
 * parts 0 1 2 3 0 1 2 3 in each.
 */
static void test_parts_split_shares(void)
{
    uint64_t sizes[] = {800, 400};
    int folders[] = {0, 1};
    taq_input_date_t d = date_in(sizes, NULL, folders, 2);
    taq_piece_t *p;
    size_t n;
    taq_plan_pieces(&d, 2, 4, &p, &n);
    CU_ASSERT_EQUAL_FATAL(n, 16);
    for (size_t i = 0; i < n; i++) {
        const uint64_t step = i < 8 ? 100 : 50, k = i % 8;
        CU_ASSERT_EQUAL(p[i].file_idx, i / 8);
        CU_ASSERT_EQUAL(p[i].rank, (int)(k / 4));
        CU_ASSERT_EQUAL(p[i].part, (int)(k % 4));
        CU_ASSERT_EQUAL(p[i].start, k * step);
        CU_ASSERT_EQUAL(p[i].end, k == 7 ? UINT64_MAX : (k + 1) * step);
    }
    check_cover_parts(&d, p, n, 2, 4);
    free(p);
}

/* One part per share on one rank or a small date, more as the date grows, at most TAQ_PLAN_PARTS.
 */
static void test_plan_parts(void)
{
    uint64_t sizes[] = {1000, 1000};
    taq_input_date_t d = date_of(sizes, NULL, 2);
    CU_ASSERT_EQUAL(taq_plan_parts(&d, 1), 1);
    CU_ASSERT_EQUAL(taq_plan_parts(&d, 2), 1);
    files[0].line_bytes = files[1].line_bytes = 1000000; /* lines weigh next to nothing */
    files[0].size = files[1].size = 3 * TAQ_PLAN_PART_MIN;
    CU_ASSERT_EQUAL(taq_plan_parts(&d, 2), 3);
    CU_ASSERT_EQUAL(taq_plan_parts(&d, 1), 1);
    files[0].size = files[1].size = 100 * TAQ_PLAN_PART_MIN;
    CU_ASSERT_EQUAL(taq_plan_parts(&d, 2), TAQ_PLAN_PARTS);
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_one_file_split_evenly), TAQ_CASE(test_gzip_whole_and_weighted),
        TAQ_CASE(test_folders_striped),       TAQ_CASE(test_more_ranks_than_bytes_and_empty_files),
        TAQ_CASE(test_many_shapes_cover),     TAQ_CASE(test_lines_weigh),
        TAQ_CASE(test_parts_split_shares),    TAQ_CASE(test_plan_parts),
    };
    return taq_test_main(argc, argv, "pieces", cases, (int)(sizeof cases / sizeof cases[0]), 0);
}
