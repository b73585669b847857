/*
 * mpiutil.c - agreement between ranks after each stage.
 *
 * A failed rank must not leave the others waiting in a collective: every
 * stage ends with an allreduce of its outcome, and the first failing rank's
 * message is sent to rank 0, which alone reports it.
 */
#include <string.h>

#include "taq/util.h"

int taq_mpi_alltrue(int ok, MPI_Comm comm)
{
    int in = ok ? 1 : 0, out = 0;
    TAQ_MPI_CHECK(MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_MIN, comm));
    return out;
}

taq_rc taq_mpi_agree(taq_rc rc, MPI_Comm comm)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int first_bad_in = rc == TAQ_OK ? size : rank, first_bad = size;
    TAQ_MPI_CHECK(MPI_Allreduce(&first_bad_in, &first_bad, 1, MPI_INT, MPI_MIN, comm));
    if (first_bad == size)
        return TAQ_OK;
    if (first_bad != 0) {
        /* Ship the failing rank's message to rank 0 (fixed size keeps it simple). */
        char msg[2048];
        if (rank == first_bad) {
            strncpy(msg, taq_errmsg(), sizeof msg - 1);
            msg[sizeof msg - 1] = '\0';
            TAQ_MPI_CHECK(MPI_Send(msg, (int)sizeof msg, MPI_CHAR, 0, 7341, comm));
        } else if (rank == 0) {
            TAQ_MPI_CHECK(
                MPI_Recv(msg, (int)sizeof msg, MPI_CHAR, first_bad, 7341, comm, MPI_STATUS_IGNORE));
            taq_err_set("rank %d: %s", first_bad, msg);
        }
    }
    return rc == TAQ_OK ? TAQ_ERR_PEER : rc;
}
