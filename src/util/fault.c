/*
 * fault.c - the TAQ_FAULT test hook (see taq/fault.h).
 */
#include "taq/fault.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { FAULT_UNREAD, FAULT_NONE, FAULT_ARMED };

static int state = FAULT_UNREAD;
static int kill_it; /* 1: SIGKILL, 0: pause */
static char point_name[16];
static int fault_rank;
static unsigned pause_secs;

static void parse(void)
{
    state = FAULT_NONE;
    const char *v = getenv("TAQ_FAULT");
    if (!v || !*v)
        return;
    char kind[8];
    int secs = 0;
    int n = sscanf(v, "%7[a-z]:%15[a-z]:%d:%d", kind, point_name, &fault_rank, &secs);
    if (n >= 3 && strcmp(kind, "kill") == 0) {
        kill_it = 1;
    } else if (n == 4 && strcmp(kind, "pause") == 0 && secs > 0) {
        kill_it = 0;
        pause_secs = (unsigned)secs;
    } else {
        fprintf(stderr, "taqmpi: ignoring malformed TAQ_FAULT=%s\n", v);
        return;
    }
    state = FAULT_ARMED;
}

void taq_fault_point(const char *point, int rank)
{
    if (state == FAULT_NONE)
        return;
    if (state == FAULT_UNREAD)
        parse();
    if (state != FAULT_ARMED || rank != fault_rank || strcmp(point, point_name) != 0)
        return;
    state = FAULT_NONE; /* once */
    if (kill_it) {
        fprintf(stderr, "fault: rank %d killing itself at %s\n", rank, point);
        fflush(stderr);
        raise(SIGKILL);
    }
    fprintf(stderr, "fault: pausing at %s on rank %d for %u s\n", point, rank, pause_secs);
    fflush(stderr);
    unsigned left = pause_secs;
    while (left)
        left = sleep(left);
}
