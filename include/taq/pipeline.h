/*
 * pipeline.h - the stages of a run, date after date (DESIGN.md "One date, all ranks").
 */
#ifndef TAQ_PIPELINE_H
#define TAQ_PIPELINE_H

#include <mpi.h>

#include "taq/cli.h"

/*
 * COLLECTIVE: process every selected date of cfg (command TAQ_CMD_RUN).
 * Rank 0 prints progress, errors and the summary on stderr.
 * Returns the process exit status, the same on every rank: 0 when every
 * date succeeded or was skipped, 1 when a date failed, 2 for a
 * configuration error found before any date started.
 */
int taq_pipeline_run(const taq_config_t *cfg, MPI_Comm comm);

/* Rank 0 only (no MPI): print the tracker rows for cfg's job and range. Exit status. */
int taq_pipeline_status(const taq_config_t *cfg);

#endif /* TAQ_PIPELINE_H */
