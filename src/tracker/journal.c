/*
 * journal.c - the file-journal tracker backend (no server needed).
 *
 * <output>/taq_tracker.journal is append-only text: one tab-separated row
 * per state change, the latest line of a job_id is its current row. Writers
 * hold flock(LOCK_EX) on the journal while they read and append, so two runs
 * never interleave. A claimed date is also locked by flock on
 * <output>/.taq_locks/<hash of job_id>.lock for as long as the date runs: the
 * kernel drops that lock when the process dies, so a `running` row whose lock
 * can be taken belongs to a run that is gone and may be taken over.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "taq/timeutil.h"
#include "tracker_internal.h"

#define JOURNAL_NAME "taq_tracker.journal"
#define JOURNAL_HEADER "# taqmpi tracker journal v1\n"
#define N_FIELDS 20

typedef struct journal {
    char *path;     /* the journal file */
    char *lockdir;  /* folder of per-date lock files */
    int date_fd;    /* lock of the date being processed, or -1 */
    char date_job_id[TAQ_JOB_TEXT];
} journal_t;

/* ---- row <-> text ---------------------------------------------------- */

static void put_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\t': fputs("\\t", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\\': fputs("\\\\", f); break;
        default: fputc(*s, f);
        }
    }
}

/* Decode s in place (the inverse of put_escaped). */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r == '\\' && r[1]) {
            r++;
            *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

static void write_row(FILE *f, const taq_job_row_t *r)
{
    char d[11];
    taq_date_format(r->trade_dt, d);
    const char *texts[] = {r->job_id, r->job};
    for (int i = 0; i < 2; i++) {
        put_escaped(f, texts[i]);
        fputc('\t', f);
    }
    fprintf(f, "%s\t%s\t%" PRId64 "\t%.6f\t%.6f\t%.6f\t", d, taq_job_status_name(r->status),
            r->attempt, r->started, r->finished, r->updated);
    put_escaped(f, r->host);
    fprintf(f, "\t%" PRId64 "\t", r->ranks);
    put_escaped(f, r->slurm_job_id);
    fputc('\t', f);
    put_escaped(f, r->version);
    const taq_counts_t *c = &r->counts;
    fprintf(f, "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t",
            c->lines, c->trades, c->quotes, c->rejects, c->blank, c->superseded);
    put_escaped(f, r->output);
    fputc('\t', f);
    put_escaped(f, r->error);
    fputc('\n', f);
}

static int status_from(const char *s, taq_job_status_t *st)
{
    for (int i = TAQ_JOB_RUNNING; i <= TAQ_JOB_FAILED; i++)
        if (strcmp(s, taq_job_status_name((taq_job_status_t)i)) == 0) {
            *st = (taq_job_status_t)i;
            return 0;
        }
    return -1;
}

static int64_t num(const char *s)
{
    return strtoll(s, NULL, 10);
}

/* Parse one journal line (modified in place). 0 ok, -1 malformed. */
static int parse_row(char *line, taq_job_row_t *r)
{
    char *f[N_FIELDS];
    int n = 0;
    for (char *p = line; n < N_FIELDS; n++) {
        f[n] = p;
        char *tab = strchr(p, '\t');
        if (!tab) {
            n++;
            break;
        }
        *tab = '\0';
        p = tab + 1;
    }
    if (n != N_FIELDS)
        return -1;
    for (int i = 0; i < N_FIELDS; i++)
        unescape(f[i]);
    memset(r, 0, sizeof *r);
    if (taq_date_parse(f[2], strlen(f[2]), &r->trade_dt) != 0 || status_from(f[3], &r->status))
        return -1;
    taq_tracker_copy(r->job_id, sizeof r->job_id, f[0]);
    taq_tracker_copy(r->job, sizeof r->job, f[1]);
    r->attempt = num(f[4]);
    r->started = strtod(f[5], NULL);
    r->finished = strtod(f[6], NULL);
    r->updated = strtod(f[7], NULL);
    taq_tracker_copy(r->host, sizeof r->host, f[8]);
    r->ranks = num(f[9]);
    taq_tracker_copy(r->slurm_job_id, sizeof r->slurm_job_id, f[10]);
    taq_tracker_copy(r->version, sizeof r->version, f[11]);
    int64_t *c[] = {&r->counts.lines, &r->counts.trades, &r->counts.quotes,
                    &r->counts.rejects, &r->counts.blank, &r->counts.superseded};
    for (int i = 0; i < 6; i++)
        *c[i] = num(f[12 + i]);
    taq_tracker_copy(r->output, sizeof r->output, f[18]);
    taq_tracker_copy(r->error, sizeof r->error, f[19]);
    return 0;
}

/* ---- the journal file ------------------------------------------------ */

/* Open and lock the journal; *f reads from the start and appends at the end. */
static taq_rc journal_lock(const journal_t *j, FILE **f)
{
    int fd = open(j->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    TAQ_FAIL_IF(fd < 0, TAQ_ERR_TRACKER, "cannot open tracker journal %s: %s", j->path,
                strerror(errno));
    if (flock(fd, LOCK_EX) != 0) {
        taq_err_set("cannot lock tracker journal %s: %s", j->path, strerror(errno));
        close(fd);
        return TAQ_ERR_TRACKER;
    }
    *f = fdopen(fd, "a+");
    if (!*f) {
        close(fd);
        TAQ_FAIL_IF(1, TAQ_ERR_TRACKER, "cannot open tracker journal %s", j->path);
    }
    return TAQ_OK;
}

/* Flush, sync and unlock (closing the descriptor releases the flock). */
static taq_rc journal_unlock(const journal_t *j, FILE *f)
{
    int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    TAQ_FAIL_IF(bad, TAQ_ERR_TRACKER, "cannot write tracker journal %s: %s", j->path,
                strerror(errno));
    return TAQ_OK;
}

/* Every well-formed row of the journal, in file order (later = newer). */
static taq_rc read_rows(const journal_t *j, FILE *f, taq_vec_t *rows, int *ends_in_newline)
{
    rewind(f);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    *ends_in_newline = 1;
    while ((len = getline(&line, &cap, f)) > 0) {
        lineno++;
        *ends_in_newline = line[len - 1] == '\n';
        if (line[len - 1] == '\n')
            line[len - 1] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        taq_job_row_t *r = taq_vec_push(rows);
        if (parse_row(line, r) != 0) {
            TAQ_LOG(TAQ_LOG_WARN, "%s line %ld is malformed; ignored", j->path, lineno);
            rows->len--;
        }
    }
    free(line);
    TAQ_FAIL_IF(ferror(f), TAQ_ERR_TRACKER, "cannot read tracker journal %s", j->path);
    clearerr(f);
    return TAQ_OK;
}

static taq_rc append_row(FILE *f, int ends_in_newline, int empty, const taq_job_row_t *r)
{
    if (empty)
        fputs(JOURNAL_HEADER, f);
    else if (!ends_in_newline)
        fputc('\n', f); /* a torn line from a crash must not swallow this row */
    write_row(f, r);
    return TAQ_OK;
}

/* The newest row of job_id, if any. */
static const taq_job_row_t *latest(const taq_vec_t *rows, const char *job_id)
{
    const taq_job_row_t *all = rows->data;
    for (size_t i = rows->len; i-- > 0;)
        if (strcmp(all[i].job_id, job_id) == 0)
            return &all[i];
    return NULL;
}

/* Read the journal, let `change` derive the new row, append it; all under the lock. */
typedef int (*change_fn)(const taq_job_row_t *old, taq_job_row_t *row, void *arg);

static taq_rc journal_update(journal_t *j, const char *job_id, change_fn change, void *arg)
{
    FILE *f;
    TAQ_TRY(journal_lock(j, &f));
    taq_vec_t rows;
    taq_vec_init(&rows, sizeof(taq_job_row_t));
    int nl = 1;
    taq_rc rc = read_rows(j, f, &rows, &nl);
    if (rc == TAQ_OK) {
        taq_job_row_t row;
        memset(&row, 0, sizeof row);
        if (change(latest(&rows, job_id), &row, arg))
            rc = append_row(f, nl, ftell(f) == 0 && rows.len == 0, &row);
    }
    taq_vec_free(&rows);
    taq_rc rc2 = journal_unlock(j, f);
    return rc != TAQ_OK ? rc : rc2;
}

/* ---- per-date locks ---------------------------------------------------- */

/* Take the date's lock without waiting. *busy = 1 when another process holds it. */
static taq_rc lock_date(journal_t *j, const char *job_id, int *busy)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%016" PRIx64 ".lock", j->lockdir, taq_tracker_lock_key(job_id));
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    TAQ_FAIL_IF(fd < 0, TAQ_ERR_TRACKER, "cannot open lock file %s: %s", path, strerror(errno));
    *busy = 0;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK) {
            *busy = 1;
            return TAQ_OK;
        }
        TAQ_FAIL_IF(1, TAQ_ERR_TRACKER, "cannot lock %s: %s", path, strerror(e));
    }
    j->date_fd = fd;
    taq_tracker_copy(j->date_job_id, sizeof j->date_job_id, job_id);
    return TAQ_OK;
}

static void unlock_date(journal_t *j)
{
    if (j->date_fd >= 0)
        close(j->date_fd);
    j->date_fd = -1;
    j->date_job_id[0] = '\0';
}

/* ---- backend operations ------------------------------------------------ */

typedef struct begin_arg {
    const char *job;
    int32_t date;
    int force;
    const taq_run_info_t *info;
    taq_claim_t claim;
} begin_arg_t;

static int begin_change(const taq_job_row_t *old, taq_job_row_t *row, void *argp)
{
    begin_arg_t *a = argp;
    if (old && old->status == TAQ_JOB_SUCCESS && !a->force) {
        a->claim = TAQ_CLAIM_DONE;
        return 0;
    }
    if (old && old->status == TAQ_JOB_RUNNING)
        TAQ_LOG(TAQ_LOG_WARN, "%s: taking over a 'running' row left by a run that is gone "
                              "(attempt %" PRId64 " on host %s)",
                old->job_id, old->attempt, old->host);
    taq_tracker_row_identity(row, a->job, a->date, a->info);
    row->status = TAQ_JOB_RUNNING;
    row->attempt = old ? old->attempt + 1 : 1;
    row->started = row->updated = taq_tracker_clock();
    a->claim = TAQ_CLAIM_RUN;
    return 1;
}

static taq_rc journal_begin(taq_tracker_t *t, const char *job, int32_t date, int force,
                            const taq_run_info_t *info, taq_claim_t *claim)
{
    journal_t *j = t->impl;
    char job_id[TAQ_JOB_TEXT];
    taq_tracker_job_id(job, date, job_id);
    TAQ_FAIL_IF(j->date_fd >= 0, TAQ_ERR_TRACKER, "tracker: %s claimed while %s is still open",
                job_id, j->date_job_id);
    int busy;
    TAQ_TRY(lock_date(j, job_id, &busy));
    if (busy) {
        *claim = TAQ_CLAIM_BUSY;
        return TAQ_OK;
    }
    begin_arg_t a = {.job = job, .date = date, .force = force, .info = info};
    taq_rc rc = journal_update(j, job_id, begin_change, &a);
    if (rc != TAQ_OK || a.claim != TAQ_CLAIM_RUN)
        unlock_date(j);
    *claim = a.claim;
    return rc;
}

typedef struct finish_arg {
    const char *job;
    int32_t date;
    taq_job_status_t status;
    const taq_counts_t *counts;
    const char *output, *error;
} finish_arg_t;

static int finish_change(const taq_job_row_t *old, taq_job_row_t *row, void *argp)
{
    const finish_arg_t *a = argp;
    if (old)
        *row = *old;
    else
        taq_tracker_row_identity(row, a->job, a->date, NULL);
    row->status = a->status;
    row->finished = row->updated = taq_tracker_clock();
    if (a->counts)
        row->counts = *a->counts;
    taq_tracker_copy(row->output, sizeof row->output, a->output);
    taq_tracker_copy(row->error, sizeof row->error, a->error);
    return 1;
}

static taq_rc journal_finish(taq_tracker_t *t, const char *job, int32_t date,
                             taq_job_status_t status, const taq_counts_t *counts,
                             const char *output, const char *error)
{
    journal_t *j = t->impl;
    char job_id[TAQ_JOB_TEXT];
    taq_tracker_job_id(job, date, job_id);
    TAQ_FAIL_IF(j->date_fd < 0 || strcmp(job_id, j->date_job_id) != 0, TAQ_ERR_TRACKER,
                "tracker: %s finished without being claimed", job_id);
    finish_arg_t a = {job, date, status, counts, output, error};
    taq_rc rc = journal_update(j, job_id, finish_change, &a);
    unlock_date(j);
    return rc;
}

/* A row's place in the journal: later lines are newer. */
typedef struct row_ref {
    const char *job_id;
    size_t at;
} row_ref_t;

static int cmp_ref(const void *a, const void *b)
{
    const row_ref_t *x = a, *y = b;
    int c = strcmp(x->job_id, y->job_id);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* The newest row of each job_id, sorted by job_id (one sort, not a scan per row). */
static taq_job_row_t *newest_rows(const taq_job_row_t *all, size_t n, size_t *kept)
{
    row_ref_t *ref = TAQ_MALLOC(n * sizeof *ref);
    for (size_t i = 0; i < n; i++)
        ref[i] = (row_ref_t){all[i].job_id, i};
    if (n > 1)
        qsort(ref, n, sizeof *ref, cmp_ref);
    taq_job_row_t *out = TAQ_MALLOC(n * sizeof *out);
    *kept = 0;
    for (size_t i = 0; i < n; i++)
        if (i + 1 == n || strcmp(ref[i].job_id, ref[i + 1].job_id) != 0)
            out[(*kept)++] = all[ref[i].at];
    free(ref);
    return out;
}

static taq_rc journal_list(taq_tracker_t *t, taq_job_row_t **out, size_t *n)
{
    journal_t *j = t->impl;
    FILE *f;
    TAQ_TRY(journal_lock(j, &f));
    taq_vec_t rows;
    taq_vec_init(&rows, sizeof(taq_job_row_t));
    int nl;
    taq_rc rc = read_rows(j, f, &rows, &nl);
    taq_rc rc2 = journal_unlock(j, f);
    *out = newest_rows(rows.data, rc == TAQ_OK ? rows.len : 0, n);
    taq_vec_free(&rows);
    return rc != TAQ_OK ? rc : rc2;
}

static void journal_close(taq_tracker_t *t)
{
    journal_t *j = t->impl;
    unlock_date(j);
    free(j->path);
    free(j->lockdir);
    free(j);
}

static const tracker_ops_t journal_ops = {
    "journal", journal_begin, journal_finish, journal_list, journal_close,
};

taq_rc taq_tracker_open_journal(const char *output, taq_tracker_t **out)
{
    *out = NULL;
    TAQ_FAIL_IF(mkdir(output, 0777) != 0 && errno != EEXIST, TAQ_ERR_IO,
                "cannot create output folder %s: %s", output, strerror(errno));
    journal_t *j = TAQ_CALLOC(1, sizeof *j);
    j->date_fd = -1;
    if (asprintf(&j->path, "%s/%s", output, JOURNAL_NAME) < 0 ||
        asprintf(&j->lockdir, "%s/.taq_locks", output) < 0)
        TAQ_ABORT("out of memory");
    if (mkdir(j->lockdir, 0777) != 0 && errno != EEXIST) {
        taq_err_set("cannot create lock folder %s: %s", j->lockdir, strerror(errno));
        free(j->path);
        free(j->lockdir);
        free(j);
        return TAQ_ERR_IO;
    }
    taq_tracker_t *t = TAQ_CALLOC(1, sizeof *t);
    t->ops = &journal_ops;
    t->impl = j;
    *out = t;
    return TAQ_OK;
}
