/*
 * cli.c - the option table drives both getopt_long and --help.
 *
 * getopt_long keeps global state (optind) and prints its own complaints
 * unless opterr is 0; both are reset here so parsing can run more than
 * once in one process (tests) and stays silent on every rank.
 *
 * --tracker may carry a password: its value is copied and the argv string
 * blanked in place, so /proc/<pid>/cmdline (ps) no longer shows it once the
 * ranks have parsed. mpirun's own command line still does: PGPASSWORD or
 * ~/.pgpass are the safer places for a password.
 */
#define _GNU_SOURCE
#include "taq/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "taq/timeutil.h"

typedef struct opt {
    const char *name;
    int has_arg;
    int key;
    const char *arg;
    const char *help;
} opt_t;

enum {
    OPT_INPUT = 1000,
    OPT_OUTPUT,
    OPT_RANGE,
    OPT_JOB,
    OPT_FORCE,
    OPT_TRACKER,
    OPT_ROUND,
    OPT_PARTS
};

static const opt_t options[] = {
    {"input", 1, OPT_INPUT, "DIR",
     "input folder laid out as csv|json/YYYY-MM-DD/EXCHANGE/*.txt[.gz] (default: data)"},
    {"output", 1, OPT_OUTPUT, "DIR",
     "folder for taq_YYYYMMDD.h5 files and the tracker journal (default: out)"},
    {"date-range", 1, OPT_RANGE, "FIRST,LAST",
     "process only dates FIRST..LAST (YYYY-MM-DD, inclusive; one date: D or D,D);"
     " default: every date in the input"},
    {"job", 1, OPT_JOB, "NAME", "job name recorded in the tracker and the files (default: taq)"},
    {"force", 0, OPT_FORCE, NULL, "reprocess dates the tracker already marks success"},
    {"tracker", 1, OPT_TRACKER, "CONNINFO",
     "PostgreSQL tracker, libpq key=value or URI (default: libpq's PG* settings when PGHOST,"
     " PGPORT, PGDATABASE, PGUSER or PGSERVICE is set, else a journal in the output folder)"},
    {"shuffle-round", 1, OPT_ROUND, "N",
     "records sent to each rank per shuffle round (default: about 64 MiB per rank per round)"},
    {"parts", 1, OPT_PARTS, "N",
     "cut each rank's share of a date's input into N pieces, which faster ranks take over from"
     " slower ones (default: up to 8, at least 16 MiB each)"},
    {"verbose", 0, 'v', NULL, "more log output (repeat for debug)"},
    {"quiet", 0, 'q', NULL, "errors only"},
    {"help", 0, 'h', NULL, "show this help and exit"},
    {"version", 0, 'V', NULL, "show the version and exit"},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

void taq_cli_usage(FILE *out)
{
    fprintf(out, "taqmpi %s - TAQ trade and quote files -> analytical quote tables (HDF5)\n\n"
                 "usage: mpirun -n N taqmpi [options]\n"
                 "       taqmpi status [--output DIR | --tracker CONNINFO] [--job NAME]\n"
                 "                     [--date-range FIRST,LAST]\n\n"
                 "options:\n",
            TAQ_VERSION);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        char left[64];
        int short_opt = options[i].key < 256;
        snprintf(left, sizeof left, "%s%c%s--%s%s%s", short_opt ? "-" : "",
                 short_opt ? options[i].key : ' ', short_opt ? ", " : "  ", options[i].name,
                 options[i].arg ? " " : "", options[i].arg ? options[i].arg : "");
        fprintf(out, "  %-30s %s\n", left + (short_opt ? 0 : 2), options[i].help);
    }
    fprintf(out, "\nexit status: 0 every date succeeded or was skipped, 1 a date failed,\n"
                 "             2 usage or configuration error\n");
}

static taq_rc parse_range(const char *s, taq_config_t *cfg)
{
    const char *comma = strchr(s, ',');
    size_t n1 = comma ? (size_t)(comma - s) : strlen(s);
    TAQ_FAIL_IF(taq_date_parse(s, n1, &cfg->first) != 0, TAQ_ERR_USAGE,
                "--date-range: '%.*s' is not a YYYY-MM-DD date", (int)n1, s);
    cfg->last = cfg->first;
    if (comma)
        TAQ_FAIL_IF(taq_date_parse(comma + 1, strlen(comma + 1), &cfg->last) != 0, TAQ_ERR_USAGE,
                    "--date-range: '%s' is not a YYYY-MM-DD date", comma + 1);
    TAQ_FAIL_IF(cfg->last < cfg->first, TAQ_ERR_USAGE,
                "--date-range: %s ends before it starts", s);
    cfg->has_range = 1;
    return TAQ_OK;
}

static taq_rc parse_count(const char *opt, const char *s, size_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    TAQ_FAIL_IF(s[0] < '0' || s[0] > '9' || *end != '\0' || errno == ERANGE || v == 0,
                TAQ_ERR_USAGE, "%s: '%s' is not a positive whole number", opt, s);
    *out = (size_t)v;
    return TAQ_OK;
}

static void defaults(taq_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->command = TAQ_CMD_RUN;
    cfg->input = "data";
    cfg->output = "out";
    cfg->job = "taq";
    cfg->log_level = TAQ_LOG_INFO;
}

/* The last --tracker value; argv's copy is blanked (see the top of the file). */
static char *tracker_copy;

static void take_tracker(char *arg, taq_config_t *cfg)
{
    free(tracker_copy);
    tracker_copy = TAQ_STRDUP(arg);
    memset(arg, '*', strlen(arg));
    cfg->tracker = tracker_copy;
}

static taq_rc apply(int key, char *arg, taq_config_t *cfg)
{
    switch (key) {
    case OPT_INPUT: cfg->input = arg; break;
    case OPT_OUTPUT: cfg->output = arg; break;
    case OPT_RANGE: return parse_range(arg, cfg);
    case OPT_JOB:
        TAQ_FAIL_IF(arg[0] == '\0', TAQ_ERR_USAGE, "--job: the name must not be empty");
        cfg->job = arg;
        cfg->job_given = 1;
        break;
    case OPT_FORCE: cfg->force = 1; break;
    case OPT_TRACKER: take_tracker(arg, cfg); break;
    case OPT_ROUND: return parse_count("--shuffle-round", arg, &cfg->shuffle_round);
    case OPT_PARTS:
        TAQ_TRY(parse_count("--parts", arg, &cfg->parts));
        TAQ_FAIL_IF(cfg->parts > 4096, TAQ_ERR_USAGE, "--parts: at most 4096, not %s", arg);
        break;
    case 'v': cfg->log_level = cfg->log_level < TAQ_LOG_DEBUG ? cfg->log_level + 1 : TAQ_LOG_DEBUG; break;
    case 'q': cfg->log_level = TAQ_LOG_ERROR; break;
    case 'h': cfg->command = TAQ_CMD_HELP; break;
    case 'V': cfg->command = TAQ_CMD_VERSION; break;
    default: return TAQ_ERR_USAGE;
    }
    return TAQ_OK;
}

/* An argument as an error echoes it: nothing after its first '=' or ':' (a password?). */
static const char *shown(const char *arg, char *buf, size_t cap)
{
    size_t n = strcspn(arg, "=:");
    if (arg[n] == '\0')
        return arg;
    snprintf(buf, cap, "%.*s%c***", (int)(n < 64 ? n : 64), arg, arg[n]);
    return buf;
}

taq_rc taq_cli_parse(int argc, char **argv, taq_config_t *cfg)
{
    defaults(cfg);
    struct option longopts[N_OPTIONS + 1];
    char shortopts[2 * N_OPTIONS + 2] = ":";
    for (size_t i = 0; i < N_OPTIONS; i++) {
        longopts[i] = (struct option){options[i].name, options[i].has_arg, NULL, options[i].key};
        if (options[i].key < 256) {
            char s[3] = {(char)options[i].key, options[i].has_arg ? ':' : '\0', '\0'};
            strcat(shortopts, s);
        }
    }
    memset(&longopts[N_OPTIONS], 0, sizeof longopts[N_OPTIONS]);
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "status") == 0) {
        cfg->command = TAQ_CMD_STATUS;
        first = 2;
    }
    optind = first;
    opterr = 0;
    int c;
    char buf[80];
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        TAQ_FAIL_IF(c == '?', TAQ_ERR_USAGE, "unknown option '%s' (see --help)",
                    shown(argv[optind - 1], buf, sizeof buf));
        TAQ_FAIL_IF(c == ':', TAQ_ERR_USAGE, "option '%s' needs a value (see --help)",
                    shown(argv[optind - 1], buf, sizeof buf));
        TAQ_TRY(apply(c, optarg, cfg));
        if (cfg->command == TAQ_CMD_HELP || cfg->command == TAQ_CMD_VERSION)
            return TAQ_OK;
    }
    TAQ_FAIL_IF(optind < argc, TAQ_ERR_USAGE, "unexpected argument '%s' (see --help)",
                shown(argv[optind], buf, sizeof buf));
    return TAQ_OK;
}
