/*
 * taqgen.c - synthetic exchange submission days (the capstone layout) for
 * taqmpi tests and benchmarks.
 *
 *   taqgen --out DIR --date YYYY-MM-DD [--events N] [--symbols S] ...
 *
 * writes DIR/{csv,json}/<date>/<EXCHANGE>/part-NNNNN.txt[.gz] plus an empty
 * _SUCCESS per exchange folder, and DIR/taqgen_<YYYYMMDD>.manifest with the
 * exact counts taqmpi must report for that date (SPEC sections 1 and 2).
 *
 * Design notes.
 * - "--events N" counts distinct events (unique EOD keys). Correction, bad and
 *   blank lines come on top of them, so after dedupe taqmpi holds exactly N
 *   trade + quote rows. Every share is turned into an exact count
 *   (round(share * N)) and placed with selection sampling (Knuth's algorithm
 *   S) over the N events in output order: O(1) memory, exact totals.
 * - Activity: symbol k (1 = busiest) weighs 1/k^zipf; counts per symbol and
 *   then per exchange use largest-remainder rounding, so totals are exact.
 *   Ticker names are random (1-5 letters, a few class shares like "ABC.B"),
 *   so busy symbols are spread over the alphabet and across part files.
 * - An exchange's stream is its symbols in byte order, each symbol's events in
 *   time order (seq 1, 2, ... per symbol and exchange), cut into F part files
 *   of equal event counts (a symbol may straddle two files, as in Spark
 *   output). Times: jittered strata over 09:30-16:00, warped to a U-shaped
 *   intraday profile, with ~3 % repeats of the previous timestamp.
 * - Corrections repeat a key with a later arrival_tm and another price: 40 %
 *   right after the original, 20 % right before it (so input order cannot be
 *   used instead of arrival_tm), 40 % at the end of the exchange's last file.
 * - Bad lines are valid lines with exactly one defect, so their SPEC 1.2
 *   reason is certain; the manifest counts them per reason.
 * - Byte-identical output for the same options on any machine: own PRNG
 *   (splitmix64), no libm transcendental calls (exp/log are computed here with
 *   + - * / only; CMake adds -ffp-contract=off), "%.17g" in the C locale, and
 *   a gzip header with fixed mtime and OS. The compressed bytes are still the
 *   zlib build's; the decompressed text never changes.
 * - Seeds: the symbol universe (names, base prices, venue preferences) comes
 *   from --seed alone, so two dates share tickers and close prices stay near;
 *   the day's events come from --seed mixed with the date.
 * The date helpers come from src/util/timeutil.c, compiled in directly: the
 * tool needs neither MPI nor the rest of libtaq.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "taq/timeutil.h"

#define TAQGEN_VERSION "1"
#define MAX_EXCHANGES 16
#define MAX_SYMBOLS 1000000u
#define MAX_FILES 10000u
#define PATH_LEN 4096
#define MAX_LINE 1024          /* longest valid line we format, with margin */
#define LONG_PAD 65600         /* filler that makes a line_too_long reject */
#define SINK_CHUNK (4u << 20)  /* text buffered before each write / deflate */
#define ZOUT_CHUNK (1u << 20)
#define OPEN_MS INT64_C(34200000)   /* 09:30:00.000 */
#define SPAN_MS INT64_C(23400000)   /* 6.5 hours */
#define DAY_MS INT64_C(86400000)
#define PROGRESS_EVERY 65536u
#define PROGRESS_SECONDS 3.0

static const char *const EXCHANGE_NAMES[MAX_EXCHANGES] = {
    "NYSE", "NASDAQ", "ARCA", "BATS", "IEX",  "EDGX", "EDGA", "BYX",
    "AMEX", "PHLX",   "CHX",  "MEMX", "PSX",  "BX",   "LTSE", "MIAX"};

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* Usage errors exit 2, I/O errors 1; output written so far has no manifest. */
static void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("taqgen: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (code == 2)
        fputs("taqgen: try 'taqgen --help'\n", stderr);
    exit(code);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die(1, "out of memory (%zu bytes)", n);
    return p;
}

static void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        die(1, "out of memory (%zu x %zu bytes)", count, size);
    return p;
}

static void make_path(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* out (PATH_LEN bytes) = the formatted path; a longer path is a usage error. */
static void make_path(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(out, PATH_LEN, fmt, ap);
    va_end(ap);
    if (n < 0 || n >= PATH_LEN)
        die(2, "path too long (over %d bytes) under --out", PATH_LEN - 1);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ------------------------------------------------------------------------ */
/* Deterministic randomness and math                                         */

/* splitmix64: one 64-bit state, full period, passes BigCrush; seeds cheaply. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in [0, 1), 53 random bits. */
static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n) for n < 2^32 (multiply-shift, exact in integers). */
static uint32_t rng_below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(((rng_next(s) >> 32) * n) >> 32);
}

/* Roughly standard normal (Irwin-Hall of three uniforms): only + and *. */
static double rng_normalish(uint64_t *s)
{
    return (rng_unit(s) + rng_unit(s) + rng_unit(s) - 1.5) * 2.0;
}

/* Independent stream seed for (a, b). */
static uint64_t seed_mix(uint64_t a, uint64_t b)
{
    uint64_t s = a ^ (b * UINT64_C(0xd1b54a32d192ed03));
    rng_next(&s);
    return rng_next(&s);
}

static const double LN2 = 0.69314718055994530942;

/* ln(x) for x > 0 by atanh series: same bits everywhere, unlike libm's log. */
static double det_log(double x)
{
    int e;
    double m = frexp(x, &e); /* exact: x = m * 2^e, m in [0.5, 1) */
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        e--;
    }
    const double t = (m - 1.0) / (m + 1.0), t2 = t * t;
    double term = t, sum = 0.0;
    for (int k = 1; k <= 41; k += 2) {
        sum += term / k;
        term *= t2;
    }
    return 2.0 * sum + e * LN2;
}

/* e^y by range reduction and a Taylor series: deterministic like det_log. */
static double det_exp(double y)
{
    const double n = floor(y / LN2 + 0.5);
    const double r = y - n * LN2;
    double term = 1.0, sum = 1.0;
    for (int k = 1; k <= 24; k++) {
        term *= r / k;
        sum += term;
    }
    return ldexp(sum, (int)n);
}

/* ------------------------------------------------------------------------ */
/* Options: one table drives getopt_long and --help                          */

typedef enum fmt_mode { FMT_CSV, FMT_JSON, FMT_MIXED } fmt_mode_t;

typedef struct gen_opts {
    const char *out;
    char date[11];
    int32_t day;
    uint64_t events;
    uint32_t symbols, exchanges, files;
    fmt_mode_t format;
    int gzip, gzip_level, force, quiet;
    double trade_share, corr_share, bad_share, blank_share, zipf, crlf_share;
    uint64_t seed;
} gen_opts_t;

enum {
    O_HELP = 'h',
    O_OUT = 256, O_DATE, O_EVENTS, O_SYMBOLS, O_EXCHANGES, O_FILES, O_FORMAT, O_GZIP,
    O_GZIP_LEVEL, O_TRADE, O_CORR, O_BAD, O_BLANK, O_ZIPF, O_SEED, O_CRLF, O_FORCE, O_QUIET
};

typedef struct opt_def {
    const char *name;
    int has_arg;
    int key;
    const char *arg;
    const char *help;
} opt_def_t;

static const opt_def_t OPTS[] = {
    {"out", 1, O_OUT, "DIR", "output root (required); files go to DIR/{csv,json}/<date>/<EXCH>/"},
    {"date", 1, O_DATE, "YYYY-MM-DD", "trading date to write (required)"},
    {"events", 1, O_EVENTS, "N", "distinct trade+quote events of the day (default 1000000)"},
    {"symbols", 1, O_SYMBOLS, "S", "symbols in the universe, 1..1000000 (default 2000)"},
    {"exchanges", 1, O_EXCHANGES, "E", "exchanges, 1..16: NYSE,NASDAQ,ARCA,BATS,... (default 3)"},
    {"files-per-exchange", 1, O_FILES, "F", "part files per exchange (default 4)"},
    {"format", 1, O_FORMAT, "csv|json|mixed",
     "line format; mixed: even exchanges CSV, odd JSON (default mixed)"},
    {"gzip", 0, O_GZIP, NULL, "gzip the part files (.txt.gz)"},
    {"gzip-level", 1, O_GZIP_LEVEL, "L", "deflate level 1..9 (default 1)"},
    {"trade-share", 1, O_TRADE, "X", "share of events that are trades (default 0.10)"},
    {"correction-share", 1, O_CORR, "X",
     "share of events re-sent later with a new price (default 0.001)"},
    {"bad-share", 1, O_BAD, "X", "bad lines per event (default 0.0005)"},
    {"blank-share", 1, O_BLANK, "X", "blank lines per event (default 0.0001)"},
    {"zipf", 1, O_ZIPF, "s", "symbol k gets weight 1/k^s, 0..10 (default 1.1)"},
    {"seed", 1, O_SEED, "N", "random seed; the date is mixed in (default 42)"},
    {"crlf-share", 1, O_CRLF, "X", "share of lines ending in CR LF (default 0)"},
    {"force", 0, O_FORCE, NULL, "replace this date's existing part files under DIR"},
    {"quiet", 0, O_QUIET, NULL, "no progress lines, only the final summary"},
    {"help", 0, O_HELP, NULL, "show this help and exit"},
};
#define N_OPTS (sizeof OPTS / sizeof OPTS[0])

static void print_help(FILE *f)
{
    fputs("usage: taqgen --out DIR --date YYYY-MM-DD [options]\n"
          "Writes a synthetic trading day of exchange submission files (capstone layout)\n"
          "and DIR/taqgen_<YYYYMMDD>.manifest with the exact counts to expect.\n\n",
          f);
    for (size_t i = 0; i < N_OPTS; i++) {
        char lhs[64];
        snprintf(lhs, sizeof lhs, "--%s%s%s", OPTS[i].name, OPTS[i].arg ? " " : "",
                 OPTS[i].arg ? OPTS[i].arg : "");
        fprintf(f, "  %-30s %s\n", lhs, OPTS[i].help);
    }
    fputs("\nThe same options give byte-identical text on any machine. Exit: 0 ok,\n"
          "1 I/O error, 2 usage error.\n",
          f);
}

static uint64_t parse_u64(const char *name, const char *s, uint64_t lo, uint64_t hi)
{
    char *end;
    errno = 0;
    const unsigned long long v = strtoull(s, &end, 10);
    if (*s == '\0' || *s == '-' || *end != '\0' || errno || v < lo || v > hi)
        die(2, "--%s: '%s' is not an integer in %llu..%llu", name, s, (unsigned long long)lo,
            (unsigned long long)hi);
    return v;
}

static double parse_f64(const char *name, const char *s, double lo, double hi)
{
    char *end;
    errno = 0;
    const double v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || errno || !(v >= lo && v <= hi))
        die(2, "--%s: '%s' is not a number in %g..%g", name, s, lo, hi);
    return v;
}

static void parse_date(const char *s, gen_opts_t *o)
{
    if (taq_date_parse(s, strlen(s), &o->day) != 0 || strcmp(s, "1000-01-01") < 0)
        die(2, "--date: '%s' is not a real date YYYY-MM-DD (1000..9999)", s);
    taq_date_format(o->day, o->date);
}

static fmt_mode_t parse_format(const char *s)
{
    if (strcmp(s, "csv") == 0)
        return FMT_CSV;
    if (strcmp(s, "json") == 0)
        return FMT_JSON;
    if (strcmp(s, "mixed") == 0)
        return FMT_MIXED;
    die(2, "--format: '%s' is not csv, json or mixed", s);
}

static void set_option(gen_opts_t *o, int key, const char *name, const char *v)
{
    switch (key) {
    case O_OUT: o->out = v; break;
    case O_DATE: parse_date(v, o); break;
    case O_EVENTS: o->events = parse_u64(name, v, 0, UINT64_C(100000000000)); break;
    case O_SYMBOLS: o->symbols = (uint32_t)parse_u64(name, v, 1, MAX_SYMBOLS); break;
    case O_EXCHANGES: o->exchanges = (uint32_t)parse_u64(name, v, 1, MAX_EXCHANGES); break;
    case O_FILES: o->files = (uint32_t)parse_u64(name, v, 1, MAX_FILES); break;
    case O_FORMAT: o->format = parse_format(v); break;
    case O_GZIP: o->gzip = 1; break;
    case O_GZIP_LEVEL: o->gzip_level = (int)parse_u64(name, v, 1, 9); break;
    case O_TRADE: o->trade_share = parse_f64(name, v, 0, 1); break;
    case O_CORR: o->corr_share = parse_f64(name, v, 0, 1); break;
    case O_BAD: o->bad_share = parse_f64(name, v, 0, 1); break;
    case O_BLANK: o->blank_share = parse_f64(name, v, 0, 1); break;
    case O_ZIPF: o->zipf = parse_f64(name, v, 0, 10); break;
    case O_SEED: o->seed = parse_u64(name, v, 0, UINT64_MAX); break;
    case O_CRLF: o->crlf_share = parse_f64(name, v, 0, 1); break;
    case O_FORCE: o->force = 1; break;
    case O_QUIET: o->quiet = 1; break;
    default: die(2, "internal: unhandled option %d", key);
    }
}

static void parse_args(int argc, char **argv, gen_opts_t *o)
{
    *o = (gen_opts_t){.events = 1000000, .symbols = 2000, .exchanges = 3, .files = 4,
                      .format = FMT_MIXED, .gzip_level = 1, .trade_share = 0.10,
                      .corr_share = 0.001, .bad_share = 0.0005, .blank_share = 0.0001,
                      .zipf = 1.1, .seed = 42, .day = -1};
    struct option lo[N_OPTS + 1];
    for (size_t i = 0; i < N_OPTS; i++)
        lo[i] = (struct option){OPTS[i].name, OPTS[i].has_arg, NULL, OPTS[i].key};
    lo[N_OPTS] = (struct option){NULL, 0, NULL, 0};
    int key, idx;
    opterr = 0;
    while ((key = getopt_long(argc, argv, ":h", lo, &idx)) != -1) {
        if (key == O_HELP) {
            print_help(stdout);
            exit(0);
        }
        if (key == '?')
            die(2, "unknown option '%s'", argv[optind - 1]);
        if (key == ':')
            die(2, "option '%s' needs a value", argv[optind - 1]);
        set_option(o, key, lo[idx].name, optarg);
    }
    if (optind < argc)
        die(2, "unexpected argument '%s'", argv[optind]);
    if (!o->out || !*o->out)
        die(2, "--out DIR is required");
    if (o->day < 0)
        die(2, "--date YYYY-MM-DD is required");
}

/* Exact count for a share of n events. */
static uint64_t share_count(double share, uint64_t n)
{
    const double x = share * (double)n + 0.5;
    const uint64_t c = (uint64_t)x;
    return c > n ? n : c;
}

/* ------------------------------------------------------------------------ */
/* Largest-remainder apportionment: integers proportional to weights, exact */

typedef struct rem_ent {
    double rem;
    size_t i;
} rem_ent_t;

static int rem_cmp(const void *pa, const void *pb)
{
    const rem_ent_t *a = pa, *b = pb;
    if (a->rem != b->rem)
        return a->rem > b->rem ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* out[i] = total * w[i] / sum(w), rounded so that sum(out) == total exactly. */
static void apportion(const double *w, size_t n, uint64_t total, uint64_t *out, rem_ent_t *tmp)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += w[i];
    uint64_t assigned = 0;
    for (size_t i = 0; i < n; i++) {
        const double x = (double)total * (w[i] / sum);
        const double f = floor(x);
        out[i] = (uint64_t)f;
        assigned += out[i];
        tmp[i] = (rem_ent_t){x - f, i};
    }
    qsort(tmp, n, sizeof *tmp, rem_cmp); /* the comparator is a total order */
    for (size_t j = 0; assigned < total; j = (j + 1) % n, assigned++)
        out[tmp[j].i]++;
    for (size_t j = n; assigned > total;) { /* float rounding overshoot, if ever */
        j = (j ? j : n) - 1;
        if (out[tmp[j].i] > 0) {
            out[tmp[j].i]--;
            assigned--;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* The symbol universe and the day's allocation                              */

typedef struct symbol {
    char name[16];
    size_t len;
    double base_pr;             /* from --seed only: shared by every date */
    double venue[MAX_EXCHANGES]; /* relative preference per exchange */
} symbol_t;

typedef struct universe {
    uint32_t n_sym, n_exch;
    symbol_t *sym;        /* by activity rank, 0 = busiest */
    uint32_t *by_name;    /* ranks in byte order of the name */
    uint64_t *count;      /* [rank * n_exch + e]: events of the symbol on e */
    uint64_t exch_total[MAX_EXCHANGES];
    uint32_t active;      /* symbols with at least one event */
} universe_t;

/* A ticker: 1-5 letters (mostly 3-4), 2 % with a class suffix ".A"/".B". */
static size_t make_ticker(uint64_t *rng, char *out, size_t min_len)
{
    const double u = rng_unit(rng);
    size_t n = u < 0.01 ? 1 : u < 0.10 ? 2 : u < 0.50 ? 3 : u < 0.90 ? 4 : 5;
    if (n < min_len)
        n = min_len;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)('A' + rng_below(rng, 26));
    if (rng_unit(rng) < 0.02) {
        out[n++] = '.';
        out[n++] = (char)('A' + rng_below(rng, 2));
    }
    out[n] = '\0';
    return n;
}

static uint64_t ticker_key(const char *name, size_t len)
{
    uint64_t k = 0;
    memcpy(&k, name, len); /* len <= 8; the key only has to be unique per name */
    return k;
}

/* Inserts key into the open-addressing set; 0 if it was already there. */
static int set_insert(uint64_t *set, uint64_t mask, uint64_t key)
{
    for (uint64_t h = (key * UINT64_C(0x9e3779b97f4a7c15)) >> 20;; h++) {
        if (set[h & mask] == key)
            return 0;
        if (set[h & mask] == 0) {
            set[h & mask] = key;
            return 1;
        }
    }
}

static void make_names(universe_t *u, uint64_t seed)
{
    uint64_t cap = 1;
    while (cap < 4 * (uint64_t)u->n_sym)
        cap <<= 1;
    uint64_t *set = xcalloc(cap, sizeof *set);
    uint64_t rng = seed_mix(seed, 0x6e616d6573); /* "names" */
    for (uint32_t k = 0; k < u->n_sym; k++) {
        symbol_t *s = &u->sym[k];
        for (unsigned tries = 0;; tries++) {
            const size_t min_len = tries / 32 > 3 ? 6 : 1 + (tries / 32) * 2;
            s->len = make_ticker(&rng, s->name, min_len);
            if (set_insert(set, cap - 1, ticker_key(s->name, s->len)))
                break;
        }
    }
    free(set);
}

static void make_symbol_traits(universe_t *u, uint64_t seed)
{
    for (uint32_t k = 0; k < u->n_sym; k++) {
        symbol_t *s = &u->sym[k];
        uint64_t rng = seed_mix(seed ^ UINT64_C(0x7472616974), k); /* "trait" */
        s->base_pr = 5.0 * det_exp(rng_unit(&rng) * det_log(100.0)); /* 5..500 */
        for (uint32_t e = 0; e < u->n_exch; e++)
            s->venue[e] = (0.5 + rng_unit(&rng)) / (1.0 + 0.35 * e);
    }
}

static const universe_t *g_sort_universe; /* qsort has no context argument in C11 */

static int by_name_cmp(const void *pa, const void *pb)
{
    const symbol_t *a = &g_sort_universe->sym[*(const uint32_t *)pa];
    const symbol_t *b = &g_sort_universe->sym[*(const uint32_t *)pb];
    return strcmp(a->name, b->name);
}

static void sort_names(universe_t *u)
{
    u->by_name = xmalloc(u->n_sym * sizeof *u->by_name);
    for (uint32_t k = 0; k < u->n_sym; k++)
        u->by_name[k] = k;
    g_sort_universe = u;
    qsort(u->by_name, u->n_sym, sizeof *u->by_name, by_name_cmp); /* names are unique */
}

/* Events per symbol (Zipf, exact total), then per exchange (venue weights). */
static void allocate_events(universe_t *u, uint64_t events, double zipf)
{
    const uint32_t n = u->n_sym;
    double *w = xmalloc(n * sizeof *w);
    uint64_t *per_sym = xmalloc(n * sizeof *per_sym);
    rem_ent_t *tmp = xmalloc((n > MAX_EXCHANGES ? n : MAX_EXCHANGES) * sizeof *tmp);
    for (uint32_t k = 0; k < n; k++)
        w[k] = det_exp(-zipf * det_log((double)(k + 1)));
    apportion(w, n, events, per_sym, tmp);
    u->count = xcalloc((size_t)n * u->n_exch, sizeof *u->count);
    for (uint32_t k = 0; k < n; k++) {
        uint64_t *row = &u->count[(size_t)k * u->n_exch];
        apportion(u->sym[k].venue, u->n_exch, per_sym[k], row, tmp);
        for (uint32_t e = 0; e < u->n_exch; e++)
            u->exch_total[e] += row[e];
        u->active += per_sym[k] > 0;
    }
    free(tmp);
    free(per_sym);
    free(w);
}

static void universe_build(universe_t *u, const gen_opts_t *o)
{
    *u = (universe_t){.n_sym = o->symbols, .n_exch = o->exchanges};
    u->sym = xcalloc(u->n_sym, sizeof *u->sym);
    make_names(u, o->seed);
    make_symbol_traits(u, o->seed);
    sort_names(u);
    allocate_events(u, o->events, o->zipf);
}

static void universe_free(universe_t *u)
{
    free(u->count);
    free(u->by_name);
    free(u->sym);
}

/* ------------------------------------------------------------------------ */
/* Output: growable text buffers and plain or gzip file sinks                */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf_t;

/* Room for n more bytes at b->p + b->len. */
static char *buf_reserve(buf_t *b, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + n)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            die(1, "out of memory (%zu bytes)", cap);
        b->p = p;
        b->cap = cap;
    }
    return b->p + b->len;
}

typedef struct sink {
    FILE *fp;
    char path[PATH_LEN];
    int gz;
    z_stream z;
    gz_header gzh; /* must outlive the first deflate() call */
    unsigned char *zout;
    buf_t text;
    uint64_t disk_bytes;
} sink_t;

static void sink_put(sink_t *s, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, s->fp) != n)
        die(1, "cannot write %s: %s", s->path, strerror(errno));
    s->disk_bytes += n;
}

static void sink_deflate(sink_t *s, int flush)
{
    s->z.next_in = (unsigned char *)s->text.p;
    s->z.avail_in = (uInt)s->text.len;
    for (;;) {
        s->z.next_out = s->zout;
        s->z.avail_out = ZOUT_CHUNK;
        const int zrc = deflate(&s->z, flush);
        if (zrc == Z_STREAM_ERROR)
            die(1, "deflate failed on %s", s->path);
        sink_put(s, s->zout, ZOUT_CHUNK - s->z.avail_out);
        if (flush == Z_FINISH ? zrc == Z_STREAM_END : s->z.avail_out != 0)
            break;
    }
}

static void sink_flush(sink_t *s, int finish)
{
    if (s->gz)
        sink_deflate(s, finish ? Z_FINISH : Z_NO_FLUSH);
    else
        sink_put(s, s->text.p, s->text.len);
    s->text.len = 0;
}

static void sink_open(sink_t *s, const char *path, int gz, int level)
{
    make_path(s->path, "%s", path);
    s->fp = fopen(path, "wb");
    if (!s->fp)
        die(1, "cannot create %s: %s", path, strerror(errno));
    s->gz = gz;
    s->disk_bytes = 0;
    s->text.len = 0;
    buf_reserve(&s->text, SINK_CHUNK + 2 * (size_t)LONG_PAD);
    if (!gz)
        return;
    memset(&s->z, 0, sizeof s->z);
    if (deflateInit2(&s->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        die(1, "deflateInit2 failed for %s", path);
    memset(&s->gzh, 0, sizeof s->gzh);
    s->gzh.os = 3; /* Unix, whatever the build machine: same header everywhere */
    deflateSetHeader(&s->z, &s->gzh);
    if (!s->zout)
        s->zout = xmalloc(ZOUT_CHUNK);
}

/* Room for n bytes of text; flushes full chunks to the file. */
static char *sink_reserve(sink_t *s, size_t n)
{
    if (s->text.len + n > SINK_CHUNK && s->text.len > 0)
        sink_flush(s, 0);
    return buf_reserve(&s->text, n);
}

static void sink_close(sink_t *s)
{
    sink_flush(s, 1);
    if (s->gz)
        deflateEnd(&s->z);
    if (fclose(s->fp) != 0)
        die(1, "cannot close %s: %s", s->path, strerror(errno));
    s->fp = NULL;
}

static void sink_free(sink_t *s)
{
    free(s->text.p);
    free(s->zout);
}

/* ------------------------------------------------------------------------ */
/* Folders                                                                   */

static void mkdir_p(const char *path)
{
    char tmp[PATH_LEN];
    make_path(tmp, "%s", path);
    for (char *p = tmp + 1;; p++) {
        const int end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            struct stat st;
            if (mkdir(tmp, 0777) != 0 && (errno != EEXIST || stat(tmp, &st) != 0 ||
                                          !S_ISDIR(st.st_mode)))
                die(1, "cannot create folder %s: %s", tmp, strerror(errno));
            if (end)
                return;
            *p = '/';
        }
    }
}

static int ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Files taqgen writes (and Spark's siblings); anything else is left alone. */
static int is_generated_name(const char *name)
{
    return strcmp(name, "_SUCCESS") == 0 || ends_with(name, ".txt") ||
           ends_with(name, ".txt.gz") || ends_with(name, ".crc");
}

/* Count (and with `remove`, delete) generated files in DIR/<sub>/ folders. */
static unsigned clear_date_folder(const char *dir, int remove)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    unsigned found = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (de->d_name[0] == '.')
            continue;
        char sub[PATH_LEN];
        make_path(sub, "%s/%s", dir, de->d_name);
        DIR *ds = opendir(sub);
        for (struct dirent *f; ds && (f = readdir(ds)) != NULL;) {
            if (!is_generated_name(f->d_name))
                continue;
            char path[PATH_LEN];
            make_path(path, "%s/%s", sub, f->d_name);
            found++;
            if (remove && unlink(path) != 0)
                die(1, "cannot remove %s: %s", path, strerror(errno));
        }
        if (ds)
            closedir(ds);
        if (remove)
            rmdir(sub); /* only succeeds when nothing else is left in it */
    }
    closedir(d);
    return found;
}

/* A second run over an existing date would leave stale part files behind. */
static void prepare_output(const gen_opts_t *o)
{
    static const char *const kinds[2] = {"csv", "json"};
    for (int i = 0; i < 2; i++) {
        char dir[PATH_LEN];
        make_path(dir, "%s/%s/%s", o->out, kinds[i], o->date);
        if (clear_date_folder(dir, 0) == 0)
            continue;
        if (!o->force)
            die(2, "%s already holds files for %s; use --force to replace them", dir, o->date);
        clear_date_folder(dir, 1);
    }
    mkdir_p(o->out);
}

/* ------------------------------------------------------------------------ */
/* Events and their text                                                     */

typedef enum reason {
    R_LINE_TOO_LONG, R_FIELD_COUNT, R_BAD_JSON, R_MISSING_FIELD, R_UNKNOWN_TYPE,
    R_BAD_SYMBOL, R_BAD_TIMESTAMP, R_BAD_NUMBER, R_NEGATIVE_VALUE, R_BAD_TRADE_DT,
    R_DATE_MISMATCH, N_REASONS
} reason_t;

static const char *const REASON_NAMES[N_REASONS] = {
    "line_too_long", "field_count", "bad_json", "missing_field", "unknown_type", "bad_symbol",
    "bad_timestamp", "bad_number", "negative_value", "bad_trade_dt", "date_mismatch"};

/* One cycle of bad-line kinds per format; line_too_long (64 KiB) is rare. */
#define BAD_CYCLE 16
static const reason_t BAD_CSV[BAD_CYCLE] = {
    R_FIELD_COUNT, R_UNKNOWN_TYPE, R_BAD_SYMBOL, R_BAD_TIMESTAMP, R_BAD_NUMBER, R_NEGATIVE_VALUE,
    R_BAD_TRADE_DT, R_DATE_MISMATCH, R_FIELD_COUNT, R_BAD_TIMESTAMP, R_BAD_NUMBER,
    R_NEGATIVE_VALUE, R_BAD_SYMBOL, R_BAD_TRADE_DT, R_DATE_MISMATCH, R_LINE_TOO_LONG};
static const reason_t BAD_JSON[BAD_CYCLE] = {
    R_BAD_JSON, R_MISSING_FIELD, R_UNKNOWN_TYPE, R_BAD_SYMBOL, R_BAD_TIMESTAMP, R_BAD_NUMBER,
    R_NEGATIVE_VALUE, R_BAD_TRADE_DT, R_DATE_MISMATCH, R_BAD_JSON, R_MISSING_FIELD,
    R_BAD_TIMESTAMP, R_BAD_NUMBER, R_NEGATIVE_VALUE, R_DATE_MISMATCH, R_LINE_TOO_LONG};

typedef struct event {
    const symbol_t *sym;
    uint64_t seq;
    int64_t tm_ms;  /* event time, ms of the day */
    int64_t arr_ms; /* arrival time, ms of the day; < 0: the file's time */
    char type;      /* 'T' or 'Q' */
    double p1, p2;  /* T: trade_pr; Q: bid_pr, ask_pr */
    int64_t s1, s2; /* T: trade_size; Q: bid_size, ask_size */
} event_t;

/* What every line of one exchange shares. */
typedef struct line_ctx {
    const char *date, *exch;
    size_t exch_len;
    int json, variant; /* variant: 0 sample key order, 1 json.dumps style */
} line_ctx_t;

#define PUT_LIT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) += sizeof(lit) - 1)

static char *put_mem(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/* "YYYY-MM-DD HH:MM:SS.mmm" */
static char *put_time(char *p, const char *date, int64_t ms)
{
    p = put_mem(p, date, 10);
    *p++ = ' ';
    p = put_2(p, (int)(ms / 3600000));
    *p++ = ':';
    p = put_2(p, (int)(ms / 60000 % 60));
    *p++ = ':';
    p = put_2(p, (int)(ms / 1000 % 60));
    *p++ = '.';
    const int f = (int)(ms % 1000);
    *p++ = (char)('0' + f / 100);
    return put_2(p, f % 100);
}

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 u128_t;

/*
 * The bytes of snprintf("%.17g", v) for v in [1, 1e5), where nearly every
 * price falls, from exact integer arithmetic: glibc's printf is over half of
 * the run time otherwise. Returns 0 outside that range (the caller falls back).
 * v = m * 2^e exactly; the 17 digits are m * 5^k * 2^(e + k) rounded half to
 * even, k = 16 - floor(log10 v); m * 5^16 < 2^91 fits in 128 bits.
 */
static size_t put_f64_fast(char *out, double v)
{
    static const uint64_t pow5[17] = {
        1, 5, 25, 125, 625, 3125, 15625, 78125, 390625, 1953125, 9765625, 48828125,
        244140625, 1220703125, 6103515625, 30517578125, 152587890625};
    if (!(v >= 1.0 && v < 1e5))
        return 0;
    int exp2;
    const uint64_t m = (uint64_t)ldexp(frexp(v, &exp2), 53); /* exact */
    int x = v >= 1e4 ? 4 : v >= 1e3 ? 3 : v >= 1e2 ? 2 : v >= 1e1 ? 1 : 0;
    const int k = 16 - x, shift = 53 - exp2 - k; /* 20..40 */
    const u128_t prod = (u128_t)m * pow5[k], half = (u128_t)1 << (shift - 1);
    uint64_t q = (uint64_t)(prod >> shift);
    const u128_t rest = prod & (((u128_t)1 << shift) - 1);
    if (rest > half || (rest == half && (q & 1)))
        q++;
    if (q == UINT64_C(100000000000000000)) { /* rounded up to the next power of 10 */
        q /= 10;
        x++;
    }
    char d[17];
    for (int i = 16; i >= 0; i--, q /= 10)
        d[i] = (char)('0' + q % 10);
    const int whole = x + 1;
    int end = 17;
    while (end > whole && d[end - 1] == '0')
        end--;
    memcpy(out, d, (size_t)whole);
    if (end == whole)
        return (size_t)whole;
    out[whole] = '.';
    memcpy(out + whole + 1, d + whole, (size_t)(end - whole));
    return (size_t)end + 1;
}
#else
static size_t put_f64_fast(char *out, double v)
{
    (void)out;
    (void)v;
    return 0;
}
#endif

/* Full precision: %.17g round-trips every double (C locale: '.' decimal point). */
static char *put_f64(char *p, double v)
{
    const size_t n = put_f64_fast(p, v);
    return p + (n ? n : (size_t)snprintf(p, 32, "%.17g", v));
}

static char *put_arrival(char *p, const line_ctx_t *c, const event_t *ev)
{
    if (ev->arr_ms >= 0)
        return put_time(p, c->date, ev->arr_ms);
    p = put_mem(p, c->date, 10);
    if (c->json)
        PUT_LIT(p, " 09:30:00.000");
    else
        PUT_LIT(p, " 09:30:00.0"); /* as the capstone CSV files have it */
    return p;
}

static size_t format_csv(const line_ctx_t *c, const event_t *ev, char *out)
{
    char *p = put_mem(out, c->date, 10);
    *p++ = ',';
    p = put_arrival(p, c, ev);
    *p++ = ',';
    *p++ = ev->type;
    *p++ = ',';
    p = put_mem(p, ev->sym->name, ev->sym->len);
    *p++ = ',';
    p = put_time(p, c->date, ev->tm_ms);
    *p++ = ',';
    p = put_u64(p, ev->seq);
    *p++ = ',';
    p = put_mem(p, c->exch, c->exch_len);
    *p++ = ',';
    p = put_f64(p, ev->p1);
    *p++ = ',';
    p = put_u64(p, (uint64_t)ev->s1);
    if (ev->type == 'Q') {
        *p++ = ',';
        p = put_f64(p, ev->p2);
        *p++ = ',';
        p = put_u64(p, (uint64_t)ev->s2);
    }
    return (size_t)(p - out);
}

static char *put_json_prices(char *p, const event_t *ev, int spaced)
{
    if (ev->type == 'T') {
        p = spaced ? (PUT_LIT(p, "\"price\": "), p) : (PUT_LIT(p, "\"price\":"), p);
        p = put_f64(p, ev->p1);
        p = spaced ? (PUT_LIT(p, ", \"size\": "), p) : (PUT_LIT(p, ",\"size\":"), p);
        return put_u64(p, (uint64_t)ev->s1);
    }
    p = spaced ? (PUT_LIT(p, "\"bid_pr\": "), p) : (PUT_LIT(p, "\"bid_pr\":"), p);
    p = put_f64(p, ev->p1);
    p = spaced ? (PUT_LIT(p, ", \"bid_size\": "), p) : (PUT_LIT(p, ",\"bid_size\":"), p);
    p = put_u64(p, (uint64_t)ev->s1);
    p = spaced ? (PUT_LIT(p, ", \"ask_pr\": "), p) : (PUT_LIT(p, ",\"ask_pr\":"), p);
    p = put_f64(p, ev->p2);
    p = spaced ? (PUT_LIT(p, ", \"ask_size\": "), p) : (PUT_LIT(p, ",\"ask_size\":"), p);
    return put_u64(p, (uint64_t)ev->s2);
}

/* The capstone sample's key order; execution_id on 3 trades in 4. */
static size_t format_json_sample(const line_ctx_t *c, const event_t *ev, char *out)
{
    char *p = out;
    PUT_LIT(p, "{\"trade_dt\":\"");
    p = put_mem(p, c->date, 10);
    PUT_LIT(p, "\",\"file_tm\":\"");
    p = put_arrival(p, c, ev);
    PUT_LIT(p, "\",\"event_type\":\"");
    *p++ = ev->type;
    PUT_LIT(p, "\",\"symbol\":\"");
    p = put_mem(p, ev->sym->name, ev->sym->len);
    if (ev->type == 'T' && ev->seq % 4 != 0) {
        PUT_LIT(p, "\",\"execution_id\":\"EX-");
        p = put_u64(p, ev->seq);
    }
    PUT_LIT(p, "\",\"event_tm\":\"");
    p = put_time(p, c->date, ev->tm_ms);
    PUT_LIT(p, "\",\"event_seq_nb\":");
    p = put_u64(p, ev->seq);
    PUT_LIT(p, ",\"exchange\":\"");
    p = put_mem(p, c->exch, c->exch_len);
    PUT_LIT(p, "\",");
    p = put_json_prices(p, ev, 0);
    *p++ = '}';
    return (size_t)(p - out);
}

/* Python json.dumps spacing, another key order and an unknown key. */
static size_t format_json_dumps(const line_ctx_t *c, const event_t *ev, char *out)
{
    char *p = out;
    PUT_LIT(p, "{\"symbol\": \"");
    p = put_mem(p, ev->sym->name, ev->sym->len);
    PUT_LIT(p, "\", \"exchange\": \"");
    p = put_mem(p, c->exch, c->exch_len);
    PUT_LIT(p, "\", \"event_type\": \"");
    *p++ = ev->type;
    PUT_LIT(p, "\", \"event_seq_nb\": ");
    p = put_u64(p, ev->seq);
    PUT_LIT(p, ", \"event_tm\": \"");
    p = put_time(p, c->date, ev->tm_ms);
    PUT_LIT(p, "\", ");
    p = put_json_prices(p, ev, 1);
    PUT_LIT(p, ", \"trade_dt\": \"");
    p = put_mem(p, c->date, 10);
    PUT_LIT(p, "\", \"file_tm\": \"");
    p = put_arrival(p, c, ev);
    PUT_LIT(p, "\", \"source\": \"taqgen\"}");
    return (size_t)(p - out);
}

/* A valid line, without its line end; at most MAX_LINE bytes. */
static size_t format_event(const line_ctx_t *c, const event_t *ev, char *out)
{
    if (!c->json)
        return format_csv(c, ev, out);
    return c->variant ? format_json_dumps(c, ev, out) : format_json_sample(c, ev, out);
}

/* ------------------------------------------------------------------------ */
/* Bad lines: a valid line with exactly one defect                           */

typedef enum field {
    F_TRADE_DT, F_ARRIVAL, F_TYPE, F_SYMBOL, F_EVENT_TM, F_SEQ, F_EXCH, F_P1, F_S1, F_P2, F_S2
} field_t;

static const char *const JSON_KEYS_T[] = {"trade_dt", "file_tm", "event_type", "symbol",
                                          "event_tm", "event_seq_nb", "exchange", "price",
                                          "size"};
static const char *const JSON_KEYS_Q[] = {"trade_dt", "file_tm", "event_type", "symbol",
                                          "event_tm", "event_seq_nb", "exchange", "bid_pr",
                                          "bid_size", "ask_pr", "ask_size"};

/* [*a, *b): the text of CSV field f (0-based). */
static void csv_span(const char *line, field_t f, size_t *a, size_t *b)
{
    const char *p = line;
    for (int i = 0; i < (int)f; i++)
        p = strchr(p, ',') + 1;
    const char *q = strchr(p, ',');
    *a = (size_t)(p - line);
    *b = q ? (size_t)(q - line) : strlen(line);
}

/* [*a, *b): the value of "key" (inside the quotes for strings); *k: the key's quote. */
static void json_span(const char *line, const char *key, size_t *k, size_t *a, size_t *b)
{
    char pat[32];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(line, pat);
    *k = (size_t)(p - line);
    p += strlen(pat);
    while (*p == ' ' || *p == ':')
        p++;
    const char *q = *p == '"' ? strchr(++p, '"') : p + strcspn(p, ",} ");
    *a = (size_t)(p - line);
    *b = (size_t)(q - line);
}

static void field_span(const line_ctx_t *c, const event_t *ev, const char *line, field_t f,
                       size_t *a, size_t *b)
{
    size_t k;
    if (!c->json)
        csv_span(line, f, a, b);
    else
        json_span(line, (ev->type == 'T' ? JSON_KEYS_T : JSON_KEYS_Q)[f], &k, a, b);
}

/* out = line with [a, b) replaced by repl. */
static size_t splice(char *out, const char *line, size_t a, size_t b, const char *repl)
{
    const size_t n = strlen(line), r = strlen(repl);
    memcpy(out, line, a);
    memcpy(out + a, repl, r);
    memcpy(out + a + r, line + b, n - b);
    return a + r + n - b;
}

static size_t replace_field(const line_ctx_t *c, const event_t *ev, const char *line,
                            field_t f, const char *repl, char *out)
{
    size_t a, b;
    field_span(c, ev, line, f, &a, &b);
    return splice(out, line, a, b, repl);
}

/* Prefix or suffix a field's current text (e.g. "-" + price, size + ".5"). */
static size_t wrap_field(const line_ctx_t *c, const event_t *ev, const char *line, field_t f,
                         const char *pre, const char *post, char *out)
{
    size_t a, b;
    field_span(c, ev, line, f, &a, &b);
    char repl[96];
    snprintf(repl, sizeof repl, "%s%.*s%s", pre, (int)(b - a), line + a, post);
    return splice(out, line, a, b, repl);
}

static size_t bad_too_long(const line_ctx_t *c, const char *line, char *out)
{
    const size_t n = strlen(line);
    if (!c->json) {
        memcpy(out, line, n);
        out[n] = ',';
        memset(out + n + 1, 'x', LONG_PAD);
        return n + 1 + LONG_PAD;
    }
    char *p = out;
    PUT_LIT(p, "{\"pad\":\"");
    memset(p, 'x', LONG_PAD);
    p += LONG_PAD;
    PUT_LIT(p, "\",");
    p = put_mem(p, line + 1, n - 1);
    return (size_t)(p - out);
}

static size_t bad_field_count(const event_t *ev, const char *line, char *out)
{
    const size_t n = strlen(line);
    memcpy(out, line, n);
    if (ev->type == 'T') { /* 10 fields: neither a trade (9) nor a quote (11) */
        memcpy(out + n, ",1", 2);
        return n + 2;
    }
    return (size_t)(strrchr(line, ',') - line); /* a quote cut to 10 fields */
}

static size_t bad_json(const line_ctx_t *c, const event_t *ev, const char *line, unsigned v,
                       char *out)
{
    if (v % 2 == 0) { /* cut in the middle: no closing brace */
        const size_t n = strlen(line) / 2;
        memcpy(out, line, n);
        return n;
    }
    const line_ctx_t csv = {c->date, c->exch, c->exch_len, 0, 0};
    return format_csv(&csv, ev, out); /* a CSV line in a JSON file */
}

static size_t bad_missing(const event_t *ev, const char *line, unsigned v, char *out)
{
    const char *key = v % 2 == 0 ? "symbol" : "event_seq_nb";
    size_t k, a, b;
    json_span(line, key, &k, &a, &b);
    if (line[b] == '"')
        b++;
    if (line[b] == ',')
        b++;
    if (line[b] == ' ')
        b++;
    (void)ev;
    const size_t n = strlen(line);
    memcpy(out, line, k);
    memcpy(out + k, line + b, n - b);
    return k + n - b;
}

static size_t bad_timestamp(const line_ctx_t *c, const event_t *ev, const char *line,
                            unsigned v, char *out)
{
    static const char *const tails[] = {" 24:00:00.000", " 10:00:00.", " 10:61:00.000",
                                        " 10:00:00.1234567890", "T10:00"};
    char ts[40];
    snprintf(ts, sizeof ts, "%s%s", c->date, tails[v % 5]);
    return replace_field(c, ev, line, F_EVENT_TM, ts, out);
}

static size_t bad_trade_dt(const line_ctx_t *c, const event_t *ev, const char *line,
                           unsigned v, char *out)
{
    char dt[16];
    if (v % 3 == 0)
        snprintf(dt, sizeof dt, "%.4s-02-30", c->date);
    else if (v % 3 == 1)
        snprintf(dt, sizeof dt, "%.4s-13-01", c->date);
    else
        snprintf(dt, sizeof dt, "%.4s%.2s%.2s", c->date, c->date + 5, c->date + 8);
    return replace_field(c, ev, line, F_TRADE_DT, dt, out);
}

/* A coherent line of the previous day, sitting in this day's folder. */
static size_t bad_date_mismatch(const char *line, const char *date, const char *prev, char *out)
{
    const size_t n = strlen(line);
    memcpy(out, line, n + 1);
    for (char *p = out; (p = strstr(p, date)) != NULL; p += 10)
        memcpy(p, prev, 10);
    return n;
}

static size_t bad_symbol(const line_ctx_t *c, const event_t *ev, const char *line, unsigned v,
                         char *out)
{
    char sym[32];
    if (v % 2 == 0) /* 17 bytes, one more than allowed */
        snprintf(sym, sizeof sym, "%.*sZZZZZZZZZZZZZZZZZ", (int)ev->sym->len, ev->sym->name);
    else
        snprintf(sym, sizeof sym, "%.*s Z", (int)ev->sym->len, ev->sym->name);
    if (v % 2 == 0)
        sym[17] = '\0';
    return replace_field(c, ev, line, F_SYMBOL, sym, out);
}

/*
 * A line whose first SPEC 1.2 reject reason is `why`, built from the valid
 * line of ev. out must hold MAX_LINE + LONG_PAD bytes. Returns its length.
 */
static size_t format_bad(const line_ctx_t *c, const event_t *ev, reason_t why, unsigned v,
                         const char *prev, char *out)
{
    char line[MAX_LINE];
    line[format_event(c, ev, line)] = '\0';
    switch (why) {
    case R_LINE_TOO_LONG: return bad_too_long(c, line, out);
    case R_FIELD_COUNT: return bad_field_count(ev, line, out);
    case R_BAD_JSON: return bad_json(c, ev, line, v, out);
    case R_MISSING_FIELD: return bad_missing(ev, line, v, out);
    case R_UNKNOWN_TYPE: return replace_field(c, ev, line, F_TYPE, v % 2 ? "B" : "X", out);
    case R_BAD_SYMBOL: return bad_symbol(c, ev, line, v, out);
    case R_BAD_TIMESTAMP: return bad_timestamp(c, ev, line, v, out);
    case R_BAD_NUMBER:
        if (v % 2)
            return replace_field(c, ev, line, F_SEQ, "99999999999999999999", out);
        return wrap_field(c, ev, line, F_S1, "", ".5", out);
    case R_NEGATIVE_VALUE: return wrap_field(c, ev, line, v % 2 ? F_S1 : F_P1, "-", "", out);
    case R_BAD_TRADE_DT: return bad_trade_dt(c, ev, line, v, out);
    case R_DATE_MISMATCH: return bad_date_mismatch(line, c->date, prev, out);
    case N_REASONS: break;
    }
    die(1, "internal: bad reason %d", (int)why);
}

/* ------------------------------------------------------------------------ */
/* Selection sampling (Knuth's algorithm S): exactly `need` hits in order    */

typedef struct picker {
    uint64_t rng, need, left;
} picker_t;

static picker_t picker_make(uint64_t seed, uint64_t need, uint64_t total)
{
    return (picker_t){seed, need, total};
}

static int picker_next(picker_t *p)
{
    int hit;
    if (p->need == 0)
        hit = 0;
    else if (p->need >= p->left) /* also guards u * left rounding up to left */
        hit = 1;
    else
        hit = rng_unit(&p->rng) * (double)p->left < (double)p->need;
    p->left--;
    p->need -= (uint64_t)hit;
    return hit;
}

/* ------------------------------------------------------------------------ */
/* One (symbol, exchange) stream: times, sequence numbers, prices            */

typedef struct counts {
    uint64_t lines, trades, quotes, rejects, blank, corr_trades, corr_quotes, crlf;
    uint64_t reason[N_REASONS];
    uint64_t files, disk_bytes, text_bytes;
} counts_t;

typedef struct gen {
    const gen_opts_t *o;
    universe_t u;
    char prev[11]; /* the day before --date: the date_mismatch lines' date */
    uint64_t day_seed;
    picker_t trade, corr, bad, blank;
    uint64_t crlf_rng;
    counts_t c;
    uint64_t done; /* events emitted so far, for progress */
    double t0, t_last;
} gen_t;

typedef struct stream {
    uint64_t rng, n, i;
    int64_t last_ms;
    double price, sigma;
} stream_t;

static void stream_init(stream_t *st, const gen_t *g, uint32_t rank, uint32_t e, uint64_t n)
{
    /* the day's open is per symbol, so every exchange starts near one price */
    uint64_t open_rng = seed_mix(g->day_seed ^ UINT64_C(0x6f70656e), rank);
    const double open = g->u.sym[rank].base_pr * (1.0 + 0.02 * rng_normalish(&open_rng));
    st->rng = seed_mix(seed_mix(g->day_seed, rank), e + 1);
    st->n = n;
    st->i = 0;
    st->last_ms = OPEN_MS;
    st->price = open * (1.0 + 0.001 * rng_normalish(&st->rng));
    st->sigma = 0.02 / sqrt((double)n + 1.0); /* ~2 % over the day, busy or not */
}

/*
 * Next event: jittered stratum i of n over [0, 1), warped so that the rate is
 * twice the mean at the open and close; 3 % repeat the previous timestamp.
 */
static int64_t stream_time(stream_t *st)
{
    const double x = ((double)st->i + rng_unit(&st->rng)) / (double)st->n;
    const double w = 0.5 * x + 0.5 * x * x * (3.0 - 2.0 * x);
    int64_t ms = OPEN_MS + (int64_t)(w * (double)SPAN_MS);
    if (ms >= OPEN_MS + SPAN_MS)
        ms = OPEN_MS + SPAN_MS - 1;
    const int repeat = rng_unit(&st->rng) < 0.03;
    if (ms < st->last_ms || (repeat && st->i > 0))
        ms = st->last_ms;
    return st->last_ms = ms;
}

static void stream_next(stream_t *st, const symbol_t *sym, int trade, event_t *ev)
{
    uint64_t *rng = &st->rng;
    const int64_t ms = stream_time(st);
    st->price *= 1.0 + st->sigma * rng_normalish(rng);
    if (st->price < 0.01)
        st->price = 0.01;
    const double half = st->price * (0.0001 + 0.001 * rng_unit(rng)); /* half spread */
    *ev = (event_t){.sym = sym, .seq = ++st->i, .tm_ms = ms, .arr_ms = -1,
                    .type = trade ? 'T' : 'Q'};
    if (trade) {
        ev->p1 = st->price + half * (2.0 * rng_unit(rng) - 1.0);
        ev->s1 = rng_unit(rng) < 0.6 ? 100 * (1 + (int64_t)rng_below(rng, 5))
                                     : 1 + (int64_t)rng_below(rng, 999);
    } else {
        ev->p1 = st->price - half;
        ev->p2 = st->price + half;
        ev->s1 = 100 * (1 + (int64_t)rng_below(rng, 10));
        ev->s2 = 100 * (1 + (int64_t)rng_below(rng, 10));
    }
}

/* ------------------------------------------------------------------------ */
/* One exchange: its part files and the lines that go into them              */

typedef struct exch_run {
    gen_t *g;
    uint32_t e;
    line_ctx_t lc;
    char dir[PATH_LEN];
    sink_t sink;
    buf_t late;   /* corrections bound for the exchange's last part file */
    uint64_t aux; /* corrections and bad lines draw here: valid lines never do */
    uint64_t bad_index;
    uint32_t file; /* part file open now */
    uint64_t emitted, file_end;
} exch_run_t;

/* Appends the line end to the n content bytes at b->p + b->len and counts it. */
static void commit_line(exch_run_t *r, buf_t *b, size_t n)
{
    gen_t *g = r->g;
    char *p = b->p + b->len + n;
    if (g->o->crlf_share > 0 && rng_unit(&g->crlf_rng) < g->o->crlf_share) {
        *p++ = '\r';
        g->c.crlf++;
    }
    *p++ = '\n';
    n = (size_t)(p - (b->p + b->len));
    b->len += n;
    g->c.lines++;
    g->c.text_bytes += n;
}

static void emit_event(exch_run_t *r, const event_t *ev, int late)
{
    buf_t *b = late ? &r->late : &r->sink.text;
    char *p = late ? buf_reserve(b, MAX_LINE + 2) : sink_reserve(&r->sink, MAX_LINE + 2);
    commit_line(r, b, format_event(&r->lc, ev, p));
    if (ev->type == 'T')
        r->g->c.trades++;
    else
        r->g->c.quotes++;
}

static void emit_bad(exch_run_t *r, const event_t *ev)
{
    const reason_t why = (r->lc.json ? BAD_JSON : BAD_CSV)[r->bad_index % BAD_CYCLE];
    const unsigned variant = (unsigned)(r->bad_index / BAD_CYCLE);
    r->bad_index++;
    char *p = sink_reserve(&r->sink, MAX_LINE + LONG_PAD + 2);
    commit_line(r, &r->sink.text, format_bad(&r->lc, ev, why, variant, r->g->prev, p));
    r->g->c.rejects++;
    r->g->c.reason[why]++;
}

static void emit_blank(exch_run_t *r)
{
    sink_reserve(&r->sink, 2);
    commit_line(r, &r->sink.text, 0);
    r->g->c.blank++;
}

/* Same key, arrival after the event (hence after the file's 09:30), new price. */
static void make_correction(uint64_t *aux, const event_t *ev, event_t *fix)
{
    *fix = *ev;
    fix->arr_ms = ev->tm_ms + 1 + rng_below(aux, 30 * 60 * 1000);
    double f = 0.0005 + 0.002 * rng_unit(aux);
    if (rng_next(aux) & 1)
        f = -f;
    const double d = ev->p1 * f; /* same shift on bid and ask keeps ask > bid */
    fix->p1 = ev->p1 + d;
    if (ev->type == 'Q')
        fix->p2 = ev->p2 + d;
}

/* 20 % before the original, 40 % right after it, 40 % in the last part file. */
static void emit_with_correction(exch_run_t *r, const event_t *ev, int corrected)
{
    if (!corrected) {
        emit_event(r, ev, 0);
        return;
    }
    event_t fix;
    make_correction(&r->aux, ev, &fix);
    const double where = rng_unit(&r->aux);
    if (where < 0.2) {
        emit_event(r, &fix, 0);
        emit_event(r, ev, 0);
    } else {
        emit_event(r, ev, 0);
        emit_event(r, &fix, where >= 0.6);
    }
    if (ev->type == 'T')
        r->g->c.corr_trades++;
    else
        r->g->c.corr_quotes++;
}

static void progress(gen_t *g)
{
    const double t = now_seconds();
    if (g->o->quiet || t - g->t_last < PROGRESS_SECONDS)
        return;
    g->t_last = t;
    fprintf(stderr, "taqgen: %s: %5.1f%% (%llu of %llu events), %.0f MB of text, %.1f s\n",
            g->o->date, 100.0 * (double)g->done / (double)g->o->events,
            (unsigned long long)g->done, (unsigned long long)g->o->events,
            (double)g->c.text_bytes / 1e6, t - g->t0);
}

static void open_part(exch_run_t *r)
{
    const gen_opts_t *o = r->g->o;
    char path[PATH_LEN];
    make_path(path, "%s/part-%05u.txt%s", r->dir, r->file, o->gzip ? ".gz" : "");
    sink_open(&r->sink, path, o->gzip, o->gzip_level);
    r->file_end = r->g->u.exch_total[r->e] * (r->file + 1) / o->files;
}

static void close_part(exch_run_t *r)
{
    if (r->file + 1 == r->g->o->files) {
        for (size_t off = 0; off < r->late.len; off += SINK_CHUNK) {
            const size_t n = r->late.len - off < SINK_CHUNK ? r->late.len - off : SINK_CHUNK;
            memcpy(sink_reserve(&r->sink, n), r->late.p + off, n);
            r->sink.text.len += n;
        }
        r->late.len = 0;
    }
    sink_close(&r->sink);
    r->g->c.files++;
    r->g->c.disk_bytes += r->sink.disk_bytes;
}

/* Part files hold equal shares of the exchange's events, in stream order. */
static void next_part_if_full(exch_run_t *r)
{
    while (r->emitted >= r->file_end && r->file + 1 < r->g->o->files) {
        close_part(r);
        r->file++;
        open_part(r);
    }
}

static void run_stream(exch_run_t *r, uint32_t rank, uint64_t n)
{
    gen_t *g = r->g;
    stream_t st;
    stream_init(&st, g, rank, r->e, n);
    for (uint64_t i = 0; i < n; i++) {
        next_part_if_full(r);
        event_t ev;
        stream_next(&st, &g->u.sym[rank], picker_next(&g->trade), &ev);
        emit_with_correction(r, &ev, picker_next(&g->corr));
        if (picker_next(&g->bad))
            emit_bad(r, &ev);
        if (picker_next(&g->blank))
            emit_blank(r);
        r->emitted++;
        if (++g->done % PROGRESS_EVERY == 0)
            progress(g);
    }
}

static void touch(const char *dir, const char *name)
{
    char path[PATH_LEN];
    make_path(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fclose(f) != 0)
        die(1, "cannot create %s: %s", path, strerror(errno));
}

static void run_exchange(gen_t *g, uint32_t e, int json, int variant)
{
    const gen_opts_t *o = g->o;
    exch_run_t r = {.g = g, .e = e, .aux = seed_mix(g->day_seed ^ UINT64_C(0x617578), e)};
    r.lc = (line_ctx_t){o->date, EXCHANGE_NAMES[e], strlen(EXCHANGE_NAMES[e]), json, variant};
    make_path(r.dir, "%s/%s/%s/%s", o->out, json ? "json" : "csv", o->date,
             EXCHANGE_NAMES[e]);
    mkdir_p(r.dir);
    open_part(&r);
    for (uint32_t j = 0; j < g->u.n_sym; j++) {
        const uint32_t rank = g->u.by_name[j];
        const uint64_t n = g->u.count[(size_t)rank * g->u.n_exch + e];
        if (n)
            run_stream(&r, rank, n);
    }
    r.emitted = UINT64_MAX; /* create the remaining (empty) part files */
    next_part_if_full(&r);
    close_part(&r);
    touch(r.dir, "_SUCCESS");
    sink_free(&r.sink);
    free(r.late.p);
}

/* ------------------------------------------------------------------------ */
/* Manifest and main                                                         */

static void gen_init(gen_t *g, const gen_opts_t *o)
{
    const uint64_t n = o->events;
    *g = (gen_t){.o = o};
    universe_build(&g->u, o);
    taq_date_format(o->day - 1, g->prev);
    g->day_seed = seed_mix(o->seed ^ UINT64_C(0x646179), (uint64_t)(uint32_t)o->day);
    g->trade = picker_make(seed_mix(g->day_seed, 1), share_count(o->trade_share, n), n);
    g->corr = picker_make(seed_mix(g->day_seed, 2), share_count(o->corr_share, n), n);
    g->bad = picker_make(seed_mix(g->day_seed, 3), share_count(o->bad_share, n), n);
    g->blank = picker_make(seed_mix(g->day_seed, 4), share_count(o->blank_share, n), n);
    g->crlf_rng = seed_mix(g->day_seed, 5);
    g->t0 = g->t_last = now_seconds();
}

static int exchange_is_json(const gen_opts_t *o, uint32_t e)
{
    return o->format == FMT_JSON || (o->format == FMT_MIXED && e % 2 == 1);
}

static void manifest_counts(FILE *f, const gen_t *g)
{
    const counts_t *c = &g->c;
    const uint64_t superseded = c->corr_trades + c->corr_quotes;
    fprintf(f, "trade_dt=%s\n", g->o->date);
    fprintf(f, "lines=%llu\n", (unsigned long long)c->lines);
    fprintf(f, "trades=%llu\n", (unsigned long long)c->trades);
    fprintf(f, "quotes=%llu\n", (unsigned long long)c->quotes);
    fprintf(f, "rejects=%llu\n", (unsigned long long)c->rejects);
    fprintf(f, "blank=%llu\n", (unsigned long long)c->blank);
    fprintf(f, "superseded=%llu\n", (unsigned long long)superseded);
    fprintf(f, "events=%llu\n", (unsigned long long)g->o->events);
    fprintf(f, "final_trades=%llu\n", (unsigned long long)(c->trades - c->corr_trades));
    fprintf(f, "final_quotes=%llu\n", (unsigned long long)(c->quotes - c->corr_quotes));
    fprintf(f, "corrected_trades=%llu\n", (unsigned long long)c->corr_trades);
    fprintf(f, "corrected_quotes=%llu\n", (unsigned long long)c->corr_quotes);
    fprintf(f, "crlf_lines=%llu\n", (unsigned long long)c->crlf);
    fprintf(f, "files=%llu\n", (unsigned long long)c->files);
    fprintf(f, "bytes=%llu\n", (unsigned long long)c->disk_bytes);
    fprintf(f, "text_bytes=%llu\n", (unsigned long long)c->text_bytes);
    fprintf(f, "symbols_active=%u\n", g->u.active);
    for (int i = 0; i < N_REASONS; i++)
        fprintf(f, "reject.%s=%llu\n", REASON_NAMES[i], (unsigned long long)c->reason[i]);
}

static void manifest_options(FILE *f, const gen_opts_t *o)
{
    static const char *const fmt_names[] = {"csv", "json", "mixed"};
    fprintf(f, "option.events=%llu\noption.symbols=%u\noption.exchanges=%u\n",
            (unsigned long long)o->events, o->symbols, o->exchanges);
    fprintf(f, "option.files_per_exchange=%u\noption.format=%s\noption.gzip=%d\n", o->files,
            fmt_names[o->format], o->gzip);
    fprintf(f, "option.gzip_level=%d\noption.trade_share=%.15g\noption.correction_share=%.15g\n",
            o->gzip_level, o->trade_share, o->corr_share);
    fprintf(f, "option.bad_share=%.15g\noption.blank_share=%.15g\noption.zipf=%.15g\n",
            o->bad_share, o->blank_share, o->zipf);
    fprintf(f, "option.seed=%llu\noption.crlf_share=%.15g\n", (unsigned long long)o->seed,
            o->crlf_share);
    fputs("exchanges=", f);
    for (uint32_t e = 0; e < o->exchanges; e++)
        fprintf(f, "%s%s:%s", e ? "," : "", EXCHANGE_NAMES[e],
                exchange_is_json(o, e) ? "json" : "csv");
    fputc('\n', f);
}

/* DIR/taqgen_<YYYYMMDD>.manifest, written under a temporary name, then renamed. */
static void write_manifest(const gen_t *g)
{
    char compact[9], path[PATH_LEN], tmp[PATH_LEN];
    taq_date_format_compact(g->o->day, compact);
    make_path(path, "%s/taqgen_%s.manifest", g->o->out, compact);
    make_path(tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        die(1, "cannot create %s: %s", tmp, strerror(errno));
    fprintf(f, "# taqgen %s manifest: exact counts for one date (SPEC 1.2 and 2).\n"
               "# lines = trades + quotes + rejects + blank; trades and quotes include\n"
               "# the correction lines; superseded = correction lines; events = distinct\n"
               "# keys = final_trades + final_quotes; bytes are on disk (gzip if set).\n",
            TAQGEN_VERSION);
    manifest_counts(f, g);
    manifest_options(f, g->o);
    const int write_failed = ferror(f);
    if (fclose(f) != 0 || write_failed || rename(tmp, path) != 0)
        die(1, "cannot write %s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
    gen_opts_t o;
    parse_args(argc, argv, &o);
    prepare_output(&o);
    gen_t g;
    gen_init(&g, &o);
    int json_seen = 0;
    for (uint32_t e = 0; e < o.exchanges; e++) {
        const int json = exchange_is_json(&o, e);
        run_exchange(&g, e, json, json ? json_seen++ % 2 : 0);
    }
    write_manifest(&g);
    const double secs = now_seconds() - g.t0;
    fprintf(stderr,
            "taqgen: %s: %llu files, %llu bytes (%llu of text), %llu lines, %llu events, "
            "%.2f s\n",
            o.date, (unsigned long long)g.c.files, (unsigned long long)g.c.disk_bytes,
            (unsigned long long)g.c.text_bytes, (unsigned long long)g.c.lines,
            (unsigned long long)o.events, secs);
    universe_free(&g.u);
    return 0;
}
