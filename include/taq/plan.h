/*
 * plan.h - what to read: the input inventory by date, and the dates to run.
 *
 * Rank 0 walks --input once (<input>/{csv,json}/<YYYY-MM-DD>/<...>/<name>.txt[.gz]),
 * and broadcasts the inventory; every rank then derives the same work list.
 * Within a date, files are sorted by their path relative to --input in byte
 * order: that order is the "input order" that breaks ties in the EOD load.
 */
#ifndef TAQ_PLAN_H
#define TAQ_PLAN_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "taq/parse.h"
#include "taq/util.h"

typedef struct taq_input_file {
    char *path;    /* as opened: <input>/<relpath> (owned) */
    char *relpath; /* relative to --input, shown in messages and /rejects (owned) */
    taq_format_t format;
    uint64_t size; /* bytes on disk */
} taq_input_file_t;

typedef struct taq_input_date {
    int32_t date; /* days since 1970-01-01 */
    taq_input_file_t *files; /* sorted by relpath (owned) */
    size_t n_files;
} taq_input_date_t;

/* Every date present in the input, oldest first. */
typedef struct taq_inventory {
    taq_input_date_t *dates; /* owned */
    size_t n_dates;
    size_t n_ignored; /* non-data files and folders skipped during the walk */
} taq_inventory_t;

/*
 * Walk `input`. A date exists when its folder holds at least one data file
 * (a regular file named *.txt or *.txt.gz); other files are ignored, and a
 * folder under csv/ or json/ that is not a valid YYYY-MM-DD is skipped with
 * a warning. Errors: TAQ_ERR_IO when `input` or a folder cannot be read, or
 * when neither csv/ nor json/ exists. OUT *inv: release with taq_inventory_free.
 */
taq_rc taq_plan_scan(const char *input, taq_inventory_t *inv);
void taq_inventory_free(taq_inventory_t *inv);

/* COLLECTIVE: rank 0's inventory (and rc) replaces every other rank's. */
taq_rc taq_inventory_bcast(taq_rc rc, taq_inventory_t *inv, MPI_Comm comm);

/* Index of the latest date strictly before `date`, or -1. */
long taq_inventory_prev(const taq_inventory_t *inv, int32_t date);

#endif /* TAQ_PLAN_H */
