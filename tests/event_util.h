/*
 * event_util.h - small builders for hand-written events in unit tests.
 */
#ifndef TAQ_TEST_EVENT_UTIL_H
#define TAQ_TEST_EVENT_UTIL_H

#include <stdint.h>
#include <string.h>

#define DAY INT64_C(18480) /* 2020-08-06 */
#define NS INT64_C(1000000000)

/* ns since 1970 of DAY hh:mm:ss plus ns. */
static inline int64_t at(int h, int m, int s, int64_t ns)
{
    return DAY * 86400 * NS + ((int64_t)h * 3600 + m * 60 + s) * NS + ns;
}

/* Fill a fixed NUL-padded field from a C string (truncated to len). */
static inline void set_field(char *dst, const char *src, size_t len)
{
    memset(dst, 0, len);
    memcpy(dst, src, strnlen(src, len));
}

#endif /* TAQ_TEST_EVENT_UTIL_H */
