/*
 * main.c - start MPI, parse the command line, run the pipeline, shut down.
 * All logic lives in libtaq (the modules under src/); this file only wires it together.
 */
#include <stdio.h>

#include "taq/cli.h"
#include "taq/pipeline.h"
#include "taq/util.h"

int main(int argc, char **argv)
{
    taq_mem_tune();
    /* Only the main thread calls MPI; the writer's flush thread never does (h5flush.c). */
    int provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    taq_log_set_rank(rank);

    taq_config_t cfg;
    int status;
    if (taq_cli_parse(argc, argv, &cfg) != TAQ_OK) {
        if (rank == 0)
            fprintf(stderr, "taqmpi: %s\n", taq_errmsg());
        status = 2;
    } else if (cfg.command == TAQ_CMD_HELP) {
        if (rank == 0)
            taq_cli_usage(stdout);
        status = 0;
    } else if (cfg.command == TAQ_CMD_VERSION) {
        if (rank == 0)
            printf("taqmpi %s\n", TAQ_VERSION);
        status = 0;
    } else {
        taq_log_level_current = cfg.log_level;
        if (cfg.command == TAQ_CMD_STATUS)
            status = rank == 0 ? taq_pipeline_status(&cfg) : 0;
        else
            status = taq_pipeline_run(&cfg, MPI_COMM_WORLD);
    }
    MPI_Finalize();
    return status;
}
