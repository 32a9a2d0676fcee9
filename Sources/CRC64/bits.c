/* bits.c — population count for BITCOUNT.
 *
 * Swift's nonzeroBitCount compiles for the baseline x86-64 target, which has no POPCNT
 * instruction, so it expands to a shift-and-mask sequence; the hardware instruction counts a
 * large bitmap about twice as fast. The hardware path is chosen once, by CPUID, so the binary
 * still runs on a CPU without POPCNT. */
#include "rw_codecs.h"
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

/* Counts 32 bytes per step into four independent sums so the additions do not wait on each
 * other; unaligned words are read with memcpy, which compiles to plain loads. Inlined into
 * each caller, so it compiles to POPCNT inside the function that targets it. */
static inline __attribute__((always_inline)) uint64_t count_bits(const uint8_t *b, size_t n) {
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        uint64_t w[4];
        memcpy(w, b + i, 32);
        s0 += (uint64_t)__builtin_popcountll(w[0]);
        s1 += (uint64_t)__builtin_popcountll(w[1]);
        s2 += (uint64_t)__builtin_popcountll(w[2]);
        s3 += (uint64_t)__builtin_popcountll(w[3]);
    }
    for (; i < n; i++) s0 += (uint64_t)__builtin_popcount(b[i]);
    return s0 + s1 + s2 + s3;
}

#if defined(__x86_64__)
__attribute__((target("popcnt")))
static uint64_t count_bits_popcnt(const uint8_t *b, size_t n) { return count_bits(b, n); }

static int cpu_has_popcnt(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    return (c & bit_POPCNT) != 0;
}
#endif

uint64_t rw_popcount(const void *p, size_t n) {
    if (n == 0) return 0;
#if defined(__x86_64__)
    /* A benign race: every thread computes the same answer. */
    static int hw = -1;
    if (hw < 0) hw = cpu_has_popcnt();
    if (hw) return count_bits_popcnt(p, n);
#endif
    return count_bits(p, n);
}
