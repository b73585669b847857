/* placeholder main, replaced by the pipeline driver */
#include "taq/util.h"
int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Finalize();
    return 0;
}
