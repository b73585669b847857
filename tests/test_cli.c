/* Unit tests of the command line (cli/cli.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "taq/cli.h"
#include "taq/timeutil.h"

static taq_rc parse(taq_config_t *cfg, int argc, const char **argv)
{
    return taq_cli_parse(argc, (char **)argv, cfg);
}

static void test_defaults(void)
{
    taq_config_t cfg;
    const char *argv[] = {"taqmpi"};
    CU_ASSERT_EQUAL_FATAL(parse(&cfg, 1, argv), TAQ_OK);
    CU_ASSERT_EQUAL(cfg.command, TAQ_CMD_RUN);
    CU_ASSERT_STRING_EQUAL(cfg.input, "data");
    CU_ASSERT_STRING_EQUAL(cfg.output, "out");
    CU_ASSERT_STRING_EQUAL(cfg.job, "taq");
    CU_ASSERT_EQUAL(cfg.has_range, 0);
    CU_ASSERT_EQUAL(cfg.force, 0);
}

static void test_all_options(void)
{
    taq_config_t cfg;
    const char *argv[] = {
        "taqmpi", "--input", "in",      "--output=o", "--date-range", "2020-08-05,2020-08-06",
        "--job",  "nightly", "--force", "-v",         "-v",           "--shuffle-round",
        "1000",   "--parts", "5"};
    CU_ASSERT_EQUAL_FATAL(parse(&cfg, 15, argv), TAQ_OK);
    CU_ASSERT_EQUAL(cfg.shuffle_round, 1000);
    CU_ASSERT_EQUAL(cfg.parts, 5);
    CU_ASSERT_STRING_EQUAL(cfg.input, "in");
    CU_ASSERT_STRING_EQUAL(cfg.output, "o");
    CU_ASSERT_STRING_EQUAL(cfg.job, "nightly");
    CU_ASSERT_EQUAL(cfg.job_given, 1);
    CU_ASSERT_EQUAL(cfg.has_range, 1);
    CU_ASSERT_EQUAL(cfg.first, taq_days_from_civil(2020, 8, 5));
    CU_ASSERT_EQUAL(cfg.last, taq_days_from_civil(2020, 8, 6));
    CU_ASSERT_EQUAL(cfg.force, 1);
    CU_ASSERT_EQUAL(cfg.log_level, 3);
}

static void test_single_date_and_status(void)
{
    taq_config_t cfg;
    const char *argv[] = {"taqmpi", "status", "--date-range", "2020-08-06", "--job", "x"};
    CU_ASSERT_EQUAL_FATAL(parse(&cfg, 6, argv), TAQ_OK);
    CU_ASSERT_EQUAL(cfg.command, TAQ_CMD_STATUS);
    CU_ASSERT_EQUAL(cfg.first, cfg.last);
    CU_ASSERT_EQUAL(cfg.first, taq_days_from_civil(2020, 8, 6));
}

static void expect_usage(int argc, const char **argv, const char *needle)
{
    taq_config_t cfg;
    CU_ASSERT_EQUAL(parse(&cfg, argc, argv), TAQ_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(taq_errmsg(), needle));
}

static void test_usage_errors(void)
{
    const char *a1[] = {"taqmpi", "--bogus"};
    expect_usage(2, a1, "--bogus");
    const char *a2[] = {"taqmpi", "--input"};
    expect_usage(2, a2, "needs a value");
    const char *a3[] = {"taqmpi", "--date-range", "2020-08-07,2020-08-05"};
    expect_usage(3, a3, "ends before it starts");
    const char *a4[] = {"taqmpi", "--date-range", "2020-02-30"};
    expect_usage(3, a4, "2020-02-30");
    const char *a5[] = {"taqmpi", "stray"};
    expect_usage(2, a5, "stray");
    const char *a6[] = {"taqmpi", "--job", ""};
    expect_usage(3, a6, "empty");
    const char *a7[] = {"taqmpi", "--date-range", "2020-08-05,"};
    expect_usage(3, a7, "not a YYYY-MM-DD");
    const char *a8[] = {"taqmpi", "--parts", "0"};
    expect_usage(3, a8, "--parts: '0' is not a positive whole number");
    const char *a9[] = {"taqmpi", "--parts", "4097"};
    expect_usage(3, a9, "--parts: at most 4096");
}

static void test_help_lists_every_option(void)
{
    taq_config_t cfg;
    const char *argv[] = {"taqmpi", "--help"};
    CU_ASSERT_EQUAL_FATAL(parse(&cfg, 2, argv), TAQ_OK);
    CU_ASSERT_EQUAL(cfg.command, TAQ_CMD_HELP);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    taq_cli_usage(f);
    fclose(f);
    const char *expect[] = {"--input DIR", "--output DIR", "--date-range FIRST,LAST",
                            "--job NAME",  "--force",      "--shuffle-round N",
                            "--parts N",   "--help",       "--version",
                            "exit status"};
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++)
        CU_ASSERT_PTR_NOT_NULL(strstr(text, expect[i]));
    free(text);
    const char *v[] = {"taqmpi", "-V"};
    CU_ASSERT_EQUAL(parse(&cfg, 2, v), TAQ_OK);
    CU_ASSERT_EQUAL(cfg.command, TAQ_CMD_VERSION);
}

int main(int argc, char **argv)
{
    static const taq_case_t cases[] = {
        TAQ_CASE(test_defaults),
        TAQ_CASE(test_all_options),
        TAQ_CASE(test_single_date_and_status),
        TAQ_CASE(test_usage_errors),
        TAQ_CASE(test_help_lists_every_option),
    };
    return taq_test_main(argc, argv, "cli", cases, (int)(sizeof cases / sizeof cases[0]), 0);
}
