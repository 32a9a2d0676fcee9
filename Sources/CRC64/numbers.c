/* numbers.c — number text conversions that need C's long double (x87 80-bit on x86_64),
 * matching Redis's string2ld / ld2string so INCRBYFLOAT results agree to the last digit. */
#include "rw_codecs.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LONG_DOUBLE_CHARS 5120

int rw_string2ld(const char *p, size_t n, long double *out) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, p, n);
    buf[n] = 0;
    if (isspace((unsigned char)buf[0])) return 0;
    char *eptr;
    errno = 0;
    long double v = strtold(buf, &eptr);
    if ((size_t)(eptr - buf) != n) return 0;
    if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || fpclassify(v) == FP_ZERO)) return 0;
    if (isnan(v)) return 0;
    *out = v;
    return 1;
}

int rw_string2d(const char *p, size_t n, double *out) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, p, n);
    buf[n] = 0;
    if (isspace((unsigned char)buf[0])) return 0;
    char *eptr;
    errno = 0;
    double v = strtod(buf, &eptr);
    if ((size_t)(eptr - buf) != n) return 0;
    if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || fpclassify(v) == FP_ZERO)) return 0;
    if (isnan(v)) return 0;
    *out = v;
    return 1;
}

int rw_ld2str_human(char *buf, size_t buflen, long double v) {
    if (!isfinite(v)) return 0;
    int len = snprintf(buf, buflen, "%.17Lf", v);
    if (len <= 0 || (size_t)len >= buflen) return 0;
    /* Drop trailing zeros, then a trailing dot. */
    if (strchr(buf, '.')) {
        char *p = buf + len - 1;
        while (*p == '0') { p--; len--; }
        if (*p == '.') len--;
    }
    if (len == 2 && buf[0] == '-' && buf[1] == '0') { buf[0] = '0'; len = 1; }
    buf[len] = 0;
    return len;
}
