/*
 * util.c - errors, logging, checked allocation, growable arrays, clock.
 *
 * The error buffer is per process (ranks are processes; taqmpi has no
 * threads). Log lines carry wall time and rank so interleaved stderr from
 * several ranks stays readable.
 */
#include "taq/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int taq_log_level_current = TAQ_LOG_INFO;
static int log_rank = -1;
static char errbuf[2048];

const char *taq_strerror(taq_rc rc)
{
    switch (rc) {
    case TAQ_OK: return "success";
    case TAQ_ERR_USAGE: return "usage error";
    case TAQ_ERR_IO: return "I/O error";
    case TAQ_ERR_CORRUPT: return "corrupt input";
    case TAQ_ERR_HDF5: return "HDF5 error";
    case TAQ_ERR_MPI: return "MPI error";
    case TAQ_ERR_TRACKER: return "tracker error";
    case TAQ_ERR_RANGE: return "value out of range";
    case TAQ_ERR_PEER: return "failed on another rank";
    case TAQ_ERR_BUSY: return "locked by another run";
    }
    return "unknown error";
}

const char *taq_errmsg(void)
{
    return errbuf;
}

void taq_err_set(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, sizeof errbuf, fmt, ap);
    va_end(ap);
}

void taq_err_clear(void)
{
    errbuf[0] = '\0';
}

void taq_log_set_rank(int rank)
{
    log_rank = rank;
}

static const char *level_name(taq_log_level_t level)
{
    static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    return (level >= TAQ_LOG_ERROR && level <= TAQ_LOG_DEBUG) ? names[level] : "?";
}

void taq_log_write(taq_log_level_t level, const char *file, int line, const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof when, "%H:%M:%S", &tm);

    /* One fprintf per line so lines from one rank are not torn apart. */
    if (level <= TAQ_LOG_WARN || level == TAQ_LOG_DEBUG)
        fprintf(stderr, "%s.%03ld [%d] %s %s (%s:%d)\n", when, ts.tv_nsec / 1000000, log_rank,
                level_name(level), msg, file, line);
    else
        fprintf(stderr, "%s.%03ld [%d] %s\n", when, ts.tv_nsec / 1000000, log_rank, msg);
}

_Noreturn void taq_abort(const char *file, int line, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "[%d] FATAL %s (%s:%d)\n", log_rank, msg, file, line);
    fflush(stderr);
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (initialized && !finalized)
        MPI_Abort(MPI_COMM_WORLD, 3);
    abort();
}

void *taq_malloc(size_t n, const char *file, int line)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        taq_abort(file, line, "out of memory allocating %zu bytes", n);
    taq_mem_advise(p, n);
    return p;
}

void *taq_calloc(size_t count, size_t size, const char *file, int line)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        taq_abort(file, line, "out of memory allocating %zu x %zu bytes", count, size);
    taq_mem_advise(p, count * size);
    return p;
}

void *taq_realloc(void *p, size_t n, const char *file, int line)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        taq_abort(file, line, "out of memory reallocating %zu bytes", n);
    taq_mem_advise(q, n);
    return q;
}

char *taq_strdup(const char *s, const char *file, int line)
{
    size_t n = strlen(s) + 1;
    char *p = taq_malloc(n, file, line);
    memcpy(p, s, n);
    return p;
}

void taq_vec_init(taq_vec_t *v, size_t elem)
{
    v->data = NULL;
    v->len = 0;
    v->cap = 0;
    v->elem = elem;
}

void taq_vec_reserve(taq_vec_t *v, size_t cap)
{
    if (cap <= v->cap)
        return;
    if (cap > SIZE_MAX / v->elem)
        TAQ_ABORT("array of %zu elements of %zu bytes overflows size_t", cap, v->elem);
    v->data = TAQ_REALLOC(v->data, cap * v->elem);
    v->cap = cap;
}

void *taq_vec_push(taq_vec_t *v)
{
    if (v->len == v->cap)
        taq_vec_reserve(v, v->cap ? v->cap * 2 : 64);
    char *slot = (char *)v->data + v->len * v->elem;
    memset(slot, 0, v->elem);
    v->len++;
    return slot;
}

void taq_vec_free(taq_vec_t *v)
{
    free(v->data);
    v->data = NULL;
    v->len = v->cap = 0;
}

double taq_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
