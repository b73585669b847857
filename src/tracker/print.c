/*
 * print.c - `taqmpi status`: tracker rows as an aligned text table.
 *
 * Cells are formatted first, then every column is padded to its widest cell
 * so the table lines up whatever the job names or counts are. Control
 * characters in names and errors are shown as '?' so a row stays one line.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "taq/timeutil.h"
#include "taq/tracker.h"

enum { N_COLS = 14, CELL = 160 };

static const char *const headers[N_COLS] = {
    "job_id", "job_status", "attempt", "updated_time", "started", "finished", "host",
    "ranks", "slurm_job", "lines", "trades", "quotes", "rejects", "superseded"};

static void fmt_time(char *out, double t)
{
    if (t <= 0) {
        strcpy(out, "-");
        return;
    }
    time_t s = (time_t)t;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, CELL, "%Y-%m-%d %H:%M:%SZ", &tm);
}

static void sanitize(char *out, const char *in)
{
    size_t i = 0;
    for (; in[i] && i < CELL - 1; i++)
        out[i] = (in[i] >= 0x20 && in[i] != 0x7f) ? in[i] : '?';
    out[i] = '\0';
}

static void fill_cells(const taq_job_row_t *r, char cells[N_COLS][CELL])
{
    sanitize(cells[0], r->job_id);
    strcpy(cells[1], taq_job_status_name(r->status));
    snprintf(cells[2], CELL, "%" PRId64, r->attempt);
    fmt_time(cells[3], r->updated);
    fmt_time(cells[4], r->started);
    fmt_time(cells[5], r->finished);
    sanitize(cells[6], r->host);
    snprintf(cells[7], CELL, "%" PRId64, r->ranks);
    sanitize(cells[8], r->slurm_job_id[0] ? r->slurm_job_id : "-");
    snprintf(cells[9], CELL, "%" PRId64, r->counts.lines);
    snprintf(cells[10], CELL, "%" PRId64, r->counts.trades);
    snprintf(cells[11], CELL, "%" PRId64, r->counts.quotes);
    snprintf(cells[12], CELL, "%" PRId64, r->counts.rejects);
    snprintf(cells[13], CELL, "%" PRId64, r->counts.superseded);
}

void taq_tracker_print(FILE *out, const taq_job_row_t *rows, size_t n)
{
    if (n == 0) {
        fprintf(out, "no tracker rows\n");
        return;
    }
    char(*cells)[N_COLS][CELL] = TAQ_MALLOC(n * sizeof *cells);
    int width[N_COLS];
    for (int c = 0; c < N_COLS; c++)
        width[c] = (int)strlen(headers[c]);
    for (size_t i = 0; i < n; i++) {
        fill_cells(&rows[i], cells[i]);
        for (int c = 0; c < N_COLS; c++)
            if ((int)strlen(cells[i][c]) > width[c])
                width[c] = (int)strlen(cells[i][c]);
    }
    for (int c = 0; c < N_COLS; c++)
        fprintf(out, "%-*s%s", width[c], headers[c], c + 1 < N_COLS ? "  " : "\n");
    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < N_COLS; c++) {
            int numeric = c == 2 || c == 7 || c >= 9;
            fprintf(out, numeric ? "%*s%s" : "%-*s%s", width[c], cells[i][c],
                    c + 1 < N_COLS ? "  " : "\n");
        }
        if (rows[i].error[0]) {
            char e[CELL];
            sanitize(e, rows[i].error);
            fprintf(out, "    error: %s\n", e);
        }
        if (rows[i].output[0] && rows[i].status == TAQ_JOB_SUCCESS) {
            char o[CELL];
            sanitize(o, rows[i].output);
            fprintf(out, "    output: %s\n", o);
        }
    }
    free(cells);
}
