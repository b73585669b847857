/*
 * scan.c - walk --input and list each date's data files.
 *
 * The layout is <input>/<format>/<YYYY-MM-DD>/<anything below>/<name>.txt[.gz];
 * below the date folder the walk goes to any depth (exchanges are folders,
 * but nothing depends on their names: the exchange is read from each record).
 * Marker files (_SUCCESS, .crc) are counted as ignored, never read.
 */
#include "taq/plan.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "taq/linereader.h"
#include "taq/timeutil.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static int is_data_name(const char *name)
{
    return name[0] != '.' && (ends_with(name, ".txt") || ends_with(name, ".txt.gz"));
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = TAQ_MALLOC(n);
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

typedef struct walk {
    const char *input;
    taq_format_t format;
    taq_vec_t *files; /* of taq_input_file_t */
    size_t ignored;
} walk_t;

/* Recursively collect the data files under <input>/<rel>. */
static taq_rc walk_dir(walk_t *w, const char *rel, int depth)
{
    taq_rc rc = TAQ_OK;
    char *abs = join(w->input, rel);
    DIR *d = opendir(abs);
    TAQ_GOTO_IF(!d, TAQ_ERR_IO, "cannot read folder %s: %s", abs, strerror(errno));
    TAQ_GOTO_IF(depth > 32, TAQ_ERR_IO, "folder %s is nested too deeply (a link loop?)", abs);
    struct dirent *e;
    while (rc == TAQ_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *crel = join(rel, e->d_name), *cabs = join(w->input, crel);
        struct stat st;
        int ok = stat(cabs, &st) == 0;
        /* A data file we cannot even stat (dangling link, I/O error) is kept,
         * so that reading it fails its date with a message naming it. */
        int lost = !ok && is_data_name(e->d_name);
        if (lost)
            memset(&st, 0, sizeof st);
        if (!ok && !lost) {
            w->ignored++;
        } else if (!lost && S_ISDIR(st.st_mode)) {
            rc = walk_dir(w, crel, depth + 1);
        } else if ((lost || S_ISREG(st.st_mode)) && is_data_name(e->d_name)) {
            taq_input_file_t *f = taq_vec_push(w->files);
            f->path = cabs;
            f->relpath = crel;
            f->format = w->format;
            f->size = (uint64_t)st.st_size;
            /* Unreadable now: read as plain later, where it fails its date with a message. */
            taq_file_sample_t fs;
            if (taq_file_sample(cabs, crel, &fs) == 0) {
                f->gzip = fs.gzip;
                f->line_bytes = fs.line_bytes;
            }
            continue; /* ownership of both strings moved into f */
        } else {
            w->ignored++;
        }
        free(crel);
        free(cabs);
    }
out:
    if (d)
        closedir(d);
    free(abs);
    return rc;
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const taq_input_file_t *)a)->relpath, ((const taq_input_file_t *)b)->relpath);
}

static int cmp_date(const void *a, const void *b)
{
    int32_t x = ((const taq_input_date_t *)a)->date, y = ((const taq_input_date_t *)b)->date;
    return (x > y) - (x < y);
}

static taq_input_date_t *find_or_add_date(taq_vec_t *dates, int32_t day)
{
    taq_input_date_t *all = dates->data;
    for (size_t i = 0; i < dates->len; i++)
        if (all[i].date == day)
            return &all[i];
    taq_input_date_t *d = taq_vec_push(dates);
    d->date = day;
    return d;
}

/* Append the files of <input>/<fmt>/<datename> to the date's list. */
static taq_rc scan_date(const char *input, const char *fmtdir, taq_format_t format,
                        const char *datename, int32_t day, taq_vec_t *dates, size_t *ignored)
{
    taq_vec_t files;
    taq_vec_init(&files, sizeof(taq_input_file_t));
    walk_t w = {.input = input, .format = format, .files = &files};
    char *rel = join(fmtdir, datename);
    taq_rc rc = walk_dir(&w, rel, 0);
    free(rel);
    *ignored += w.ignored;
    if (rc == TAQ_OK && files.len > 0) {
        taq_input_date_t *d = find_or_add_date(dates, day);
        d->files = TAQ_REALLOC(d->files, (d->n_files + files.len) * sizeof *d->files);
        memcpy(d->files + d->n_files, files.data, files.len * sizeof *d->files);
        d->n_files += files.len;
        files.len = 0;
        if (d->n_files > TAQ_MAX_DATE_FILES) {
            taq_err_set("%s/%s: date has %zu data files; a record numbers its file in %d bits, "
                        "so at most %u files per date",
                        input, datename, d->n_files, TAQ_EVENT_FILE_BITS, TAQ_MAX_DATE_FILES);
            rc = TAQ_ERR_RANGE;
        }
    }
    taq_input_file_t *left = files.data;
    for (size_t i = 0; i < files.len; i++) {
        free(left[i].path);
        free(left[i].relpath);
    }
    taq_vec_free(&files);
    return rc;
}

static taq_rc scan_format(const char *input, const char *fmtdir, taq_format_t format,
                          taq_vec_t *dates, size_t *ignored, int *found)
{
    taq_rc rc = TAQ_OK;
    char *abs = join(input, fmtdir);
    DIR *d = opendir(abs);
    if (!d && errno == ENOENT) {
        free(abs);
        return TAQ_OK;
    }
    TAQ_GOTO_IF(!d, TAQ_ERR_IO, "cannot read folder %s: %s", abs, strerror(errno));
    *found = 1;
    struct dirent *e;
    while (rc == TAQ_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        int32_t day;
        if (taq_date_parse(e->d_name, strlen(e->d_name), &day) != 0) {
            TAQ_LOG(TAQ_LOG_WARN, "skipping %s/%s: not a YYYY-MM-DD date folder", abs, e->d_name);
            (*ignored)++;
            continue;
        }
        rc = scan_date(input, fmtdir, format, e->d_name, day, dates, ignored);
    }
out:
    if (d)
        closedir(d);
    free(abs);
    return rc;
}

taq_rc taq_plan_scan(const char *input, taq_inventory_t *inv)
{
    memset(inv, 0, sizeof *inv);
    struct stat st;
    TAQ_FAIL_IF(stat(input, &st) != 0, TAQ_ERR_IO, "input folder %s: %s", input, strerror(errno));
    TAQ_FAIL_IF(!S_ISDIR(st.st_mode), TAQ_ERR_IO, "input %s is not a folder", input);
    taq_vec_t dates;
    taq_vec_init(&dates, sizeof(taq_input_date_t));
    int found = 0;
    taq_rc rc = scan_format(input, "csv", TAQ_FORMAT_CSV, &dates, &inv->n_ignored, &found);
    if (rc == TAQ_OK)
        rc = scan_format(input, "json", TAQ_FORMAT_JSON, &dates, &inv->n_ignored, &found);
    inv->dates = dates.data;
    inv->n_dates = dates.len;
    if (rc == TAQ_OK && !found) {
        taq_err_set("input folder %s has neither csv/ nor json/ inside", input);
        rc = TAQ_ERR_IO;
    }
    if (rc != TAQ_OK) {
        taq_inventory_free(inv);
        return rc;
    }
    if (inv->n_dates > 1)
        qsort(inv->dates, inv->n_dates, sizeof *inv->dates, cmp_date);
    for (size_t i = 0; i < inv->n_dates; i++)
        qsort(inv->dates[i].files, inv->dates[i].n_files, sizeof(taq_input_file_t), cmp_file);
    return TAQ_OK;
}

void taq_inventory_free(taq_inventory_t *inv)
{
    for (size_t i = 0; i < inv->n_dates; i++) {
        for (size_t j = 0; j < inv->dates[i].n_files; j++) {
            free(inv->dates[i].files[j].path);
            free(inv->dates[i].files[j].relpath);
        }
        free(inv->dates[i].files);
    }
    free(inv->dates);
    memset(inv, 0, sizeof *inv);
}

long taq_inventory_prev(const taq_inventory_t *inv, int32_t date)
{
    long best = -1;
    for (size_t i = 0; i < inv->n_dates; i++)
        if (inv->dates[i].date < date)
            best = (long)i;
    return best;
}
