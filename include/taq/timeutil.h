/*
 * timeutil.h - calendar arithmetic for wall-clock exchange times.
 *
 * Times are int64 nanoseconds since 1970-01-01 00:00 of the same wall clock
 * (no zone); dates are int32 days since 1970-01-01 (proleptic Gregorian).
 */
#ifndef TAQ_TIMEUTIL_H
#define TAQ_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define TAQ_NS_PER_SEC INT64_C(1000000000)
#define TAQ_NS_PER_DAY (INT64_C(86400) * TAQ_NS_PER_SEC)

/* Days since 1970-01-01 of y-m-d (m 1..12, d 1..31); no validation. */
int32_t taq_days_from_civil(int y, int m, int d);
/* Inverse of taq_days_from_civil. */
void taq_civil_from_days(int32_t days, int *y, int *m, int *d);
/* 1 if y-m-d is a real calendar date (years 1..9999). */
int taq_date_valid(int y, int m, int d);
/* Writes "YYYY-MM-DD" (11 bytes with NUL) into out. */
void taq_date_format(int32_t days, char out[11]);
/* Writes "YYYYMMDD" (9 bytes with NUL) into out. */
void taq_date_format_compact(int32_t days, char out[9]);
/* Strict "YYYY-MM-DD" of exactly len bytes; 0 and *days set when valid, -1 otherwise. */
int taq_date_parse(const char *s, size_t len, int32_t *days);

#endif /* TAQ_TIMEUTIL_H */
