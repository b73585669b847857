/*
 * fuzz_check.h - what the libFuzzer harnesses share: a hard check, the SPEC
 * 1.2 rules every parsed event must satisfy, and canonical writers that turn
 * an event back into a CSV or JSON line.
 *
 * A violated property calls abort() (via FUZZ_REQUIRE) after printing the
 * condition, so libFuzzer stops and saves the input as a crash artifact.
 * The writers give the round-trip property: parse(write(ev)) == ev in both
 * formats, which ties the accepted value to the text it came from.
 */
#ifndef TAQ_FUZZ_CHECK_H
#define TAQ_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "taq/parse.h"

#define FUZZ_FOLDER_DATE 18479 /* 2020-08-05, the date of the seed lines */
#define FUZZ_FILE_IDX 3u

/* The libFuzzer entry point each harness defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

_Noreturn void fuzz_fail(const char *file, int line, const char *what);
#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_fail(__FILE__, __LINE__, #cond);                                                  \
    } while (0)

/* A line context of the given format for FUZZ_FOLDER_DATE / FUZZ_FILE_IDX. */
taq_line_ctx_t fuzz_ctx(taq_format_t format);

/* r is a real reason (NONE included) with a name in the SPEC vocabulary. */
void fuzz_check_reason(taq_reject_reason_t r);

/* 1 if name is one of the 11 reject reason words of SPEC 1.2. */
int fuzz_reason_known(const char *name);

/* Every SPEC 1.2 rule a valid event obeys (identifiers, signs, finiteness, dates). */
void fuzz_check_event(const taq_event_t *ev, const taq_line_ctx_t *ctx);

/* ns since 1970 as "YYYY-MM-DD HH:MM:SS.fffffffff" (29 bytes + NUL). */
void fuzz_format_ts(int64_t ns, char out[30]);

/*
 * ev written back, with trade_dt (days since 1970; records do not store
 * it), as a canonical line of `format` into out (cap bytes); returns its
 * length. CSV needs identifiers without ','; returns 0 then.
 */
size_t fuzz_format_line(const taq_event_t *ev, int32_t trade_dt, taq_format_t format, char *out,
                        size_t cap);

/* Write ev in both formats, parse again: the same event (line aside) must come back. */
void fuzz_check_roundtrip(const taq_event_t *ev, const taq_line_ctx_t *ctx);

#endif /* TAQ_FUZZ_CHECK_H */
