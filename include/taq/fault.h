/*
 * fault.h - TEST HOOK: crash or stall one rank at a named point of a date.
 *
 * Not a feature. The fault tests (tests/test_faults.c) set the environment
 * variable TAQ_FAULT to make the real binary fail where a real job can:
 *
 *   TAQ_FAULT=kill:<point>:<rank>           rank raise(SIGKILL)s itself
 *   TAQ_FAULT=pause:<point>:<rank>:<secs>   rank prints "fault: pausing at
 *                                           <point>" to stderr, sleeps secs
 *
 * Points: "read" (before a rank reads its first piece of a date), "shuffle"
 * (before the records move between ranks), "write" (after every dataset of
 * the HDF5 file is written and the file closed, before the ranks agree to
 * rename the .tmp file into place: the worst moment to die). Each fires
 * the first time its point is reached in the process, then never again.
 *
 * The variable is read once, at the first call; unset (the normal case) a
 * call costs one branch on a static.
 */
#ifndef TAQ_FAULT_H
#define TAQ_FAULT_H

/* Fire the fault TAQ_FAULT names if it is at `point` on `rank`. */
void taq_fault_point(const char *point, int rank);

#endif /* TAQ_FAULT_H */
