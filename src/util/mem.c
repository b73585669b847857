/*
 * mem.c - how taqmpi asks the kernel for memory.
 *
 * A large day is gigabytes of records, and every 4 KiB page is faulted in
 * (and zeroed by the kernel) the first time it is touched. On virtual
 * machines a page fault is expensive: profiling a 2 M-event day showed
 * about a third of the run in page faults. Two settings remove most of it:
 *
 * - Big blocks (>= TAQ_HUGE_MIN) are marked MADV_HUGEPAGE, so the kernel
 *   backs them with 2 MiB transparent huge pages (one fault per 2 MiB) when
 *   THP is in "madvise" mode, the common default. With THP off the advice is
 *   ignored; with THP "always" it changes nothing.
 * - malloc's mmap threshold is fixed at TAQ_MMAP_MIN and freed heap memory is
 *   kept (M_TRIM_THRESHOLD), so the many short-lived megabyte buffers of the
 *   HDF5 filters and the shuffle are recycled from the heap instead of being
 *   mapped, faulted in and unmapped again for every chunk. Blocks above the
 *   threshold are still mmap'ed, so a freed big array goes back to the
 *   system at once and peak memory does not grow.
 */
#define _GNU_SOURCE /* madvise(MADV_HUGEPAGE), mallopt */
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>

#include "taq/util.h"

#define TAQ_HUGE_PAGE ((size_t)2 << 20)
#define TAQ_HUGE_MIN ((size_t)4 << 20)
#define TAQ_MMAP_MIN (32 << 20)
#define TAQ_TRIM_MIN (256 << 20)

void taq_mem_tune(void)
{
    mallopt(M_MMAP_THRESHOLD, TAQ_MMAP_MIN);
    mallopt(M_TRIM_THRESHOLD, TAQ_TRIM_MIN);
}

void taq_mem_advise(void *p, size_t n)
{
    if (p == NULL || n < TAQ_HUGE_MIN)
        return;
    const uintptr_t a = ((uintptr_t)p + TAQ_HUGE_PAGE - 1) & ~(uintptr_t)(TAQ_HUGE_PAGE - 1);
    const uintptr_t e = ((uintptr_t)p + n) & ~(uintptr_t)(TAQ_HUGE_PAGE - 1);
    if (e > a)
        (void)madvise((void *)a, e - a, MADV_HUGEPAGE); /* advice only: failure is harmless */
}
