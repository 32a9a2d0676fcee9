/* misc.c — small system helpers whose headers Swift's Glibc module does not expose. */
#define _GNU_SOURCE
#include "rw_net.h"

#include <malloc.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

void rw_random_bytes(void *p, size_t n) {
    unsigned char *out = p;
    while (n > 0) {
        ssize_t r = getrandom(out, n, 0);
        if (r <= 0) break;
        out += r;
        n -= (size_t)r;
    }
    if (n > 0) {
        /* No entropy source: mix the clock in, better than a constant. */
        int64_t t = rw_now_us();
        for (size_t i = 0; i < n; i++) out[i] = (unsigned char)(t >> ((i % 8) * 8)) ^ (unsigned char)i;
    }
}

void rw_malloc_stats(size_t *used, size_t *held) {
    struct mallinfo2 mi = mallinfo2();
    *used = mi.uordblks + mi.hblkhd;
    *held = mi.arena + mi.hblkhd;
}

void rw_thread_cpu_us(int64_t *user, int64_t *sys) {
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    *user = (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
    *sys = (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
}

void rw_malloc_trim(void) { malloc_trim(0); }

void rw_thread_set_nice(int nice) {
    setpriority(PRIO_PROCESS, (id_t)gettid(), nice);
}
