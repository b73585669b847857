/*
 * cli.h - argv -> taq_config_t, and --help, from one option table.
 *
 * Every rank parses argv itself (no broadcast needed); parsing never exits:
 * it returns an rc and a message, and rank 0 alone prints.
 */
#ifndef TAQ_CLI_H
#define TAQ_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "taq/util.h"

typedef enum taq_command {
    TAQ_CMD_RUN = 0,    /* process dates (the default) */
    TAQ_CMD_STATUS = 1, /* print the tracker's rows */
    TAQ_CMD_HELP = 2,   /* --help was given */
    TAQ_CMD_VERSION = 3 /* --version was given */
} taq_command_t;

typedef struct taq_config {
    taq_command_t command;
    const char *input;   /* default "data" (borrowed from argv or a literal) */
    const char *output;  /* default "out" */
    const char *job;     /* default "taq" */
    int job_given;       /* --job was on the command line */
    int has_range;
    int32_t first, last; /* days since 1970-01-01, inclusive, when has_range */
    int force;
    size_t shuffle_round; /* events per destination per shuffle round; 0: default */
    size_t parts;         /* pieces per rank's share of a date (taq_plan_parts); 0: default */
    int log_level;       /* TAQ_LOG_* */
    /* --tracker CONNINFO, or NULL. A private copy (valid until the next
     * taq_cli_parse): the argv string itself is overwritten with '*' so that
     * `ps` does not show a password. Never print it raw. */
    const char *tracker;
} taq_config_t;

/*
 * Parse argv (argv[0] is the program). On TAQ_ERR_USAGE taq_errmsg() says
 * what is wrong. Does not print and does not exit.
 */
taq_rc taq_cli_parse(int argc, char **argv, taq_config_t *cfg);

/* The --help text, generated from the option table. */
void taq_cli_usage(FILE *out);

#endif /* TAQ_CLI_H */
