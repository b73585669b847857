/*
 * e2e_util.c - run the real binary, read its files back, compare them.
 */
#define _GNU_SOURCE
#include "e2e_util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness.h"

int e2e_run(const char *dir, const char *fmt, ...)
{
    char cmd[8192], *full = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (asprintf(&full, "cd '%s' && (%s) > log 2>&1", dir, cmd) < 0)
        abort();
    int st = system(full);
    free(full);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

char *e2e_log(const char *dir)
{
    char *p = NULL, *text = NULL;
    if (asprintf(&p, "%s/log", dir) < 0)
        abort();
    FILE *f = fopen(p, "r");
    free(p);
    if (!f)
        return strdup("");
    size_t cap = 0;
    ssize_t n = getdelim(&text, &cap, '\0', f);
    fclose(f);
    if (n < 0) {
        free(text);
        return strdup("");
    }
    return text;
}

int e2e_exists(const char *dir, const char *rel)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", dir, rel) < 0)
        abort();
    struct stat st;
    int ok = stat(p, &st) == 0;
    free(p);
    return ok;
}

char *e2e_sample_dir(void)
{
    char *dir = taq_test_tmpdir("e2e");
    CU_ASSERT_EQUAL_FATAL(e2e_run(dir, "cp -r '%s/data' data", TAQ_SOURCE_DIR), 0);
    return dir;
}

taq_h5_date_t e2e_read(const char *dir, const char *sub, const char *name)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s/%s", dir, sub, name) < 0)
        abort();
    taq_h5_date_t d;
    memset(&d, 0, sizeof d);
    CU_ASSERT_EQUAL(taq_h5_read_date(p, &d), TAQ_OK);
    free(p);
    return d;
}

int e2e_same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

/* memcmp that accepts NULL for empty arrays (memcmp(NULL, NULL, 0) is undefined). */
static int same_bytes(const void *a, const void *b, size_t n)
{
    return n == 0 || memcmp(a, b, n) == 0;
}

int e2e_same_day(const taq_h5_date_t *a, const taq_h5_date_t *b)
{
    return a->n_trade == b->n_trade && a->n_quote == b->n_quote && a->n_final == b->n_final &&
           a->n_rejects == b->n_rejects &&
           same_bytes(a->trade, b->trade, a->n_trade * sizeof *a->trade) &&
           same_bytes(a->quote, b->quote, a->n_quote * sizeof *a->quote) &&
           same_bytes(a->final, b->final, a->n_final * sizeof *a->final) &&
           same_bytes(a->rejects, b->rejects, a->n_rejects * sizeof *a->rejects) &&
           memcmp(&a->attrs.counts, &b->attrs.counts, sizeof a->attrs.counts) == 0 &&
           strcmp(a->attrs.trade_dt, b->attrs.trade_dt) == 0;
}
