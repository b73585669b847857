/*
 * util.h - return codes, logging, checked allocation and MPI agreement.
 *
 * Every fallible call returns taq_rc (TAQ_OK == 0, errors < 0). The text of
 * the most recent failure on this rank is kept in one buffer (taq_errmsg)
 * so a message naming a file can travel up to rank 0 and into the tracker.
 * Kernels never print results: logs go to stderr, results to HDF5.
 */
#ifndef TAQ_UTIL_H
#define TAQ_UTIL_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

typedef enum taq_rc {
    TAQ_OK = 0,
    TAQ_ERR_USAGE = -1,  /* bad command line or configuration */
    TAQ_ERR_IO = -2,     /* file could not be read, written or renamed */
    TAQ_ERR_CORRUPT = -3, /* a file's content is not what it claims (bad gzip) */
    TAQ_ERR_HDF5 = -4,   /* the HDF5 library refused an operation */
    TAQ_ERR_MPI = -5,    /* an MPI call failed */
    TAQ_ERR_TRACKER = -6, /* the job tracker failed */
    TAQ_ERR_RANGE = -7,  /* a size or count does not fit its type */
    TAQ_ERR_PEER = -8,   /* another rank failed; its message is on rank 0 */
    TAQ_ERR_BUSY = -9,   /* another run holds the lock on this (job, date) */
} taq_rc;

/* Short fixed text for an rc ("I/O error", ...). Never NULL. */
const char *taq_strerror(taq_rc rc);

/* Last failure text recorded on this rank by TAQ_FAIL_IF / taq_err_set. */
const char *taq_errmsg(void);
void taq_err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void taq_err_clear(void);

typedef enum taq_log_level {
    TAQ_LOG_ERROR = 0,
    TAQ_LOG_WARN = 1,
    TAQ_LOG_INFO = 2,
    TAQ_LOG_DEBUG = 3,
} taq_log_level_t;

extern int taq_log_level_current;
/* The rank printed in log lines; set once after MPI_Init. */
void taq_log_set_rank(int rank);
void taq_log_write(taq_log_level_t level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Level is checked before the arguments are formatted. */
#define TAQ_LOG(level, ...)                                                                        \
    do {                                                                                           \
        if ((level) <= taq_log_level_current)                                                      \
            taq_log_write((level), __FILE__, __LINE__, __VA_ARGS__);                               \
    } while (0)

/* Evaluate a taq_rc expression; on error return it (for functions that own nothing). */
#define TAQ_TRY(expr)                                                                              \
    do {                                                                                           \
        taq_rc taq_try_rc_ = (expr);                                                               \
        if (taq_try_rc_ != TAQ_OK)                                                                 \
            return taq_try_rc_;                                                                    \
    } while (0)

/* If cond holds: record the message (also logged at debug with file:line), return rc. */
#define TAQ_FAIL_IF(cond, rc, ...)                                                                 \
    do {                                                                                           \
        if (cond) {                                                                                \
            taq_err_set(__VA_ARGS__);                                                              \
            TAQ_LOG(TAQ_LOG_DEBUG, "%s", taq_errmsg());                                            \
            return (rc);                                                                           \
        }                                                                                          \
    } while (0)

/* Same, for functions with a cleanup path: set the local `rc` and goto out. */
#define TAQ_GOTO_IF(cond, rcval, ...)                                                              \
    do {                                                                                           \
        if (cond) {                                                                                \
            taq_err_set(__VA_ARGS__);                                                              \
            TAQ_LOG(TAQ_LOG_DEBUG, "%s", taq_errmsg());                                            \
            rc = (rcval);                                                                          \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

/* Unrecoverable: log, then MPI_Abort (or abort() before MPI_Init). */
_Noreturn void taq_abort(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define TAQ_ABORT(...) taq_abort(__FILE__, __LINE__, __VA_ARGS__)

/* Checked allocation: never returns NULL (aborts on out-of-memory). */
void *taq_malloc(size_t n, const char *file, int line);
void *taq_calloc(size_t count, size_t size, const char *file, int line);
void *taq_realloc(void *p, size_t n, const char *file, int line);
char *taq_strdup(const char *s, const char *file, int line);
#define TAQ_MALLOC(n) taq_malloc((n), __FILE__, __LINE__)
#define TAQ_CALLOC(c, s) taq_calloc((c), (s), __FILE__, __LINE__)
#define TAQ_REALLOC(p, n) taq_realloc((p), (n), __FILE__, __LINE__)
#define TAQ_STRDUP(s) taq_strdup((s), __FILE__, __LINE__)

/*
 * Memory settings for a process that holds gigabytes of records (mem.c):
 * taq_mem_tune once at start-up, before MPI_Init; taq_mem_advise marks a
 * block for transparent huge pages (no-op for small blocks). The checked
 * allocators above call taq_mem_advise themselves.
 */
void taq_mem_tune(void);
void taq_mem_advise(void *p, size_t n);

/* An MPI call that fails is a broken invariant (MPI_ERRORS_ARE_FATAL is the default). */
#define TAQ_MPI_CHECK(call)                                                                        \
    do {                                                                                           \
        int taq_mpi_rc_ = (call);                                                                  \
        if (taq_mpi_rc_ != MPI_SUCCESS)                                                            \
            TAQ_ABORT("MPI call failed (%d): %s", taq_mpi_rc_, #call);                             \
    } while (0)

/* COLLECTIVE: 1 on every rank if `ok` is true on every rank, else 0 on every rank. */
int taq_mpi_alltrue(int ok, MPI_Comm comm);

/*
 * COLLECTIVE: agree on a stage's outcome. Returns TAQ_OK everywhere when every
 * rank passed TAQ_OK. Otherwise every rank returns an error: the failing
 * ranks their own rc, the others TAQ_ERR_PEER; and on rank 0 taq_errmsg()
 * holds the message of the lowest failing rank, so rank 0 can report it.
 */
taq_rc taq_mpi_agree(taq_rc rc, MPI_Comm comm);

/* Growable array of fixed-size elements. Zero-initialise, then push. */
typedef struct taq_vec {
    void *data;
    size_t len;  /* elements in use */
    size_t cap;  /* elements allocated */
    size_t elem; /* bytes per element */
} taq_vec_t;

void taq_vec_init(taq_vec_t *v, size_t elem);
/* Returns a pointer to a new zeroed element at the end (valid until the next push). */
void *taq_vec_push(taq_vec_t *v);
void taq_vec_reserve(taq_vec_t *v, size_t cap);
void taq_vec_free(taq_vec_t *v);

/* Monotonic seconds, for stage timings. */
double taq_now(void);

#endif /* TAQ_UTIL_H */
