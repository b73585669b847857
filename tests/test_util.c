/* Unit tests of util/: dates, vectors, error text. */
#include <string.h>

#include "harness.h"
#include "taq/timeutil.h"
#include "taq/util.h"

static void test_date_roundtrip(void)
{
    CU_ASSERT_EQUAL(taq_days_from_civil(1970, 1, 1), 0);
    CU_ASSERT_EQUAL(taq_days_from_civil(2020, 8, 5), 18479);
    for (int32_t d = -800000; d < 3000000; d += 997) {
        int y, m, dd;
        taq_civil_from_days(d, &y, &m, &dd);
        CU_ASSERT_EQUAL(taq_days_from_civil(y, m, dd), d);
    }
    char buf[11];
    taq_date_format(18479, buf);
    CU_ASSERT_STRING_EQUAL(buf, "2020-08-05");
    char c[9];
    taq_date_format_compact(18480, c);
    CU_ASSERT_STRING_EQUAL(c, "20200806");
}

static void test_date_parse_strict(void)
{
    int32_t d = 0;
    CU_ASSERT_EQUAL(taq_date_parse("2020-02-29", 10, &d), 0);
    CU_ASSERT_EQUAL(d, taq_days_from_civil(2020, 2, 29));
    CU_ASSERT_EQUAL(taq_date_parse("2021-02-29", 10, &d), -1);
    CU_ASSERT_EQUAL(taq_date_parse("1900-02-29", 10, &d), -1);
    CU_ASSERT_EQUAL(taq_date_parse("2000-02-29", 10, &d), 0);
    CU_ASSERT_EQUAL(taq_date_parse("2020-13-01", 10, &d), -1);
    CU_ASSERT_EQUAL(taq_date_parse("2020-04-31", 10, &d), -1);
    CU_ASSERT_EQUAL(taq_date_parse("2020-8-05", 9, &d), -1);
    CU_ASSERT_EQUAL(taq_date_parse("2020/08/05", 10, &d), -1);
    CU_ASSERT_EQUAL(taq_date_parse("2020-08-05 ", 11, &d), -1);
    CU_ASSERT_EQUAL(taq_date_parse("0000-01-01", 10, &d), -1);
}

static void test_vec_grows(void)
{
    taq_vec_t v;
    taq_vec_init(&v, sizeof(int64_t));
    for (int64_t i = 0; i < 1000; i++)
        *(int64_t *)taq_vec_push(&v) = i * 3;
    CU_ASSERT_EQUAL(v.len, 1000);
    CU_ASSERT_EQUAL(((int64_t *)v.data)[999], 2997);
    taq_vec_free(&v);
    CU_ASSERT_PTR_NULL(v.data);
    CU_ASSERT_EQUAL(v.len, 0);
}

static void test_errmsg(void)
{
    taq_err_set("file %s is corrupt", "a.gz");
    CU_ASSERT_STRING_EQUAL(taq_errmsg(), "file a.gz is corrupt");
    taq_err_clear();
    CU_ASSERT_STRING_EQUAL(taq_errmsg(), "");
    CU_ASSERT_STRING_EQUAL(taq_strerror(TAQ_ERR_IO), "I/O error");
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_date_roundtrip),
        TAQ_CASE(test_date_parse_strict),
        TAQ_CASE(test_vec_grows),
        TAQ_CASE(test_errmsg),
    };
    return taq_test_main(argc, argv, "util", cases, (int)(sizeof cases / sizeof cases[0]), 0);
}
