/* codecs_bench.c — throughput of the RDB codecs in Sources/CRC64: CRC64 (GB/s) and LZF
 * compression/decompression (MB/s) on text-like and on random data.
 *
 * Built and run by perf/codecs.sh. When the system's liblzf (Debian's liblzf1, the library
 * Redis vendors a copy of) can be loaded, the same LZF runs are made with it for comparison,
 * and each side decompresses the other's output as a cross-check.
 *
 * Usage: codecs_bench [--crc-mb N] [--lzf-mb N] [--reps N] */
#include "rw_codecs.h"
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef size_t (*compress_fn)(const void *, size_t, void *, size_t);
typedef size_t (*decompress_fn)(const void *, size_t, void *, size_t);
typedef unsigned (*liblzf_fn)(const void *, unsigned, void *, unsigned);

static liblzf_fn liblzf_compress_sym, liblzf_decompress_sym;

static size_t liblzf_compress(const void *in, size_t n, void *out, size_t cap) {
    return liblzf_compress_sym(in, (unsigned)n, out, (unsigned)cap);
}
static size_t liblzf_decompress(const void *in, size_t n, void *out, size_t cap) {
    return liblzf_decompress_sym(in, (unsigned)n, out, (unsigned)cap);
}

struct codec {
    const char *name;
    compress_fn compress;
    decompress_fn decompress;
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t next_random(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static void fill_random(unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i += 8) {
        uint64_t r = next_random();
        memcpy(p + i, &r, n - i < 8 ? n - i : 8);
    }
}

/* Text-like bytes: words drawn with a skewed distribution from a small vocabulary, with
 * numbers, punctuation and line breaks, much like JSON fields or log lines stored as values. */
static void fill_text(unsigned char *p, size_t n) {
    static const char *words[] = {
        "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with",
        "be", "by", "on", "not", "he", "this", "are", "or", "his", "from", "at", "which",
        "but", "have", "an", "had", "they", "you", "were", "their", "one", "all", "we",
        "user", "session", "timestamp", "\"id\":", "\"name\":", "\"status\":", "redis",
        "value", "request", "response", "error", "connected", "client", "server", "key",
        "expire", "database", "snapshot", "replication", "memory", "latency", "config",
    };
    const size_t nwords = sizeof words / sizeof *words;
    size_t i = 0;
    while (i < n) {
        uint64_t r = next_random();
        char tok[32];
        int len;
        if ((r & 15) == 0) {
            len = snprintf(tok, sizeof tok, "%u", (unsigned)(r >> 40) % 100000);
        } else {
            /* squaring a uniform draw favours the first words, as in real text */
            uint64_t u = (r >> 8) & 0xffff;
            len = snprintf(tok, sizeof tok, "%s", words[((u * u) >> 16) * nwords >> 16]);
        }
        const char *sep = (r >> 60) == 0 ? ".\n" : (r >> 61) == 1 ? ", " : " ";
        for (int k = 0; k < len && i < n; k++) p[i++] = (unsigned char)tok[k];
        for (const char *s = sep; *s && i < n; s++) p[i++] = (unsigned char)*s;
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Best and median of reps rates. */
static void summarize(double *rates, int reps, double *best, double *median) {
    qsort(rates, (size_t)reps, sizeof *rates, cmp_double);
    *best = rates[reps - 1];
    *median = reps % 2 ? rates[reps / 2] : (rates[reps / 2 - 1] + rates[reps / 2]) / 2;
}

static volatile uint64_t sink;

/* The baseline: slicing-by-8 on one stream, the method of Redis 7.0's crc64 (crcspeed) and
 * of Redwing's crc64.c before it interleaved three streams. It also checks rw_crc64's result
 * on the whole buffer. */
static uint64_t one_stream_table[8][256];

static void build_one_stream_table(void) {
    for (int i = 0; i < 256; i++) {
        uint64_t crc = (uint64_t)i;
        for (int j = 0; j < 8; j++) crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
        one_stream_table[0][i] = crc;
    }
    for (int i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            one_stream_table[t][i] = one_stream_table[0][one_stream_table[t - 1][i] & 0xff] ^
                                     (one_stream_table[t - 1][i] >> 8);
}

static uint64_t crc64_one_stream(uint64_t crc, const void *p, size_t n) {
    const uint64_t(*t)[256] = one_stream_table;
    const unsigned char *s = p;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        w ^= crc;
        crc = t[7][w & 0xff] ^ t[6][(w >> 8) & 0xff] ^ t[5][(w >> 16) & 0xff] ^
              t[4][(w >> 24) & 0xff] ^ t[3][(w >> 32) & 0xff] ^ t[2][(w >> 40) & 0xff] ^
              t[1][(w >> 48) & 0xff] ^ t[0][w >> 56];
    }
    while (n--) crc = t[0][(crc ^ *s++) & 0xff] ^ (crc >> 8);
    return crc;
}

static void time_crc(const char *label, uint64_t (*fn)(uint64_t, const void *, size_t),
                     const unsigned char *buf, size_t n, int reps, double *best_out) {
    double rates[64], best, median;
    sink ^= fn(0, buf, n); /* warm the pages and the tables */
    for (int r = 0; r < reps; r++) {
        double t = now();
        sink ^= fn(0, buf, n);
        rates[r] = (double)n / (now() - t) / 1e9;
    }
    summarize(rates, reps, &best, &median);
    printf("crc64  %-34s %4zu MB, %d reps:  best %5.2f GB/s  median %5.2f GB/s", label, n >> 20,
           reps, best, median);
    if (best_out) *best_out = best;
}

static void bench_crc(size_t mb, int reps) {
    const unsigned char check[] = "123456789";
    uint64_t cv = rw_crc64(0, check, 9);
    if (cv != 0xe9c6d914c4b8d9caULL) {
        fprintf(stderr, "crc64 check value wrong: %016llx\n", (unsigned long long)cv);
        exit(1);
    }
    size_t n = mb << 20;
    unsigned char *buf = malloc(n);
    if (!buf) { perror("malloc"); exit(1); }
    fill_random(buf, n);
    build_one_stream_table();
    if (rw_crc64(0, buf, n) != crc64_one_stream(0, buf, n) ||
        rw_crc64(0, buf + 3, n - 5) != crc64_one_stream(0, buf + 3, n - 5)) {
        fprintf(stderr, "rw_crc64 disagrees with the one-stream baseline\n");
        exit(1);
    }
    double ours, baseline;
    time_crc("rw_crc64 (3 streams)", rw_crc64, buf, n, reps, &ours);
    printf("\n");
    time_crc("one stream (as Redis 7.0)", crc64_one_stream, buf, n, reps, &baseline);
    printf("   rw_crc64 = %.2fx\n", ours / baseline);
    double rates[64], best, median;
    /* Short values, as in DUMP payloads: the per-call overhead shows here. */
    size_t small = 64, calls = (size_t)16 << 20;
    for (int r = 0; r < reps; r++) {
        double t = now();
        uint64_t acc = 0;
        for (size_t i = 0; i < calls; i++) acc ^= rw_crc64(acc, buf + (i & 4095) * 16, small);
        sink ^= acc;
        rates[r] = (double)(small * calls) / (now() - t) / 1e9;
    }
    summarize(rates, reps, &best, &median);
    printf("crc64  rw_crc64 on %zu-byte values           %d reps:  best %5.2f GB/s  median %5.2f GB/s\n",
           small, reps, best, median);
    free(buf);
}

struct lzf_result {
    double comp_best, comp_median, dec_best, dec_median;
    size_t in_bytes, out_bytes, compressed_chunks, chunks;
};

/* Compresses data in chunks of chunk bytes with out_cap = cap(chunk), reps times, then
 * decompresses the chunks that compressed. Every chunk is checked to round-trip, and to be
 * readable by the other codec when there is one. */
static struct lzf_result run_lzf(const struct codec *c, const struct codec *other,
                                 const unsigned char *data, size_t n, size_t chunk,
                                 size_t extra_cap, int reps) {
    size_t chunks = n / chunk;
    size_t slot = chunk + extra_cap;
    unsigned char *comp = malloc(chunks * slot);
    size_t *clen = calloc(chunks, sizeof *clen);
    unsigned char *back = malloc(chunk);
    if (!comp || !clen || !back) { perror("malloc"); exit(1); }
    struct lzf_result res = {0};
    double crates[64], drates[64];
    for (int r = 0; r < reps; r++) {
        double t = now();
        for (size_t i = 0; i < chunks; i++)
            clen[i] = c->compress(data + i * chunk, chunk, comp + i * slot, chunk + extra_cap - 4);
        crates[r] = (double)(chunks * chunk) / (now() - t) / 1e6;
    }
    res.in_bytes = chunks * chunk;
    for (size_t i = 0; i < chunks; i++) {
        if (!clen[i]) {
            res.out_bytes += chunk;
            continue;
        }
        res.compressed_chunks++;
        res.out_bytes += clen[i];
        if (c->decompress(comp + i * slot, clen[i], back, chunk) != chunk ||
            memcmp(back, data + i * chunk, chunk)) {
            fprintf(stderr, "%s: chunk %zu does not round-trip\n", c->name, i);
            exit(1);
        }
        if (other && (other->decompress(comp + i * slot, clen[i], back, chunk) != chunk ||
                      memcmp(back, data + i * chunk, chunk))) {
            fprintf(stderr, "%s cannot read %s's chunk %zu\n", other->name, c->name, i);
            exit(1);
        }
    }
    res.chunks = chunks;
    for (int r = 0; r < reps && res.compressed_chunks; r++) {
        double t = now();
        size_t out = 0;
        for (size_t i = 0; i < chunks; i++)
            if (clen[i]) out += c->decompress(comp + i * slot, clen[i], back, chunk);
        drates[r] = (double)out / (now() - t) / 1e6;
        sink ^= back[0];
    }
    summarize(crates, reps, &res.comp_best, &res.comp_median);
    if (res.compressed_chunks) summarize(drates, reps, &res.dec_best, &res.dec_median);
    free(comp);
    free(clen);
    free(back);
    return res;
}

/* One row; with a baseline, the ratios ours/baseline of compress and decompress speed and of
 * output size (below 1 = smaller). */
static void print_lzf(const char *codec, const char *data, size_t chunk, struct lzf_result r,
                      const struct lzf_result *base) {
    char dec[64] = "    (none shrank)";
    if (r.compressed_chunks)
        snprintf(dec, sizeof dec, "%7.0f / %7.0f", r.dec_best, r.dec_median);
    double ratio = (double)r.out_bytes / (double)r.in_bytes;
    printf("%-8s %-8s %6zu  %7.0f / %7.0f  %s  %6.3f %7zu/%-7zu", codec, data, chunk,
           r.comp_best, r.comp_median, dec, ratio, r.compressed_chunks, r.chunks);
    if (base) {
        printf("  x%.2f", r.comp_best / base->comp_best);
        if (r.compressed_chunks && base->compressed_chunks)
            printf(" x%.2f", r.dec_best / base->dec_best);
        else
            printf("   -  ");
        printf(" x%.3f", ratio / ((double)base->out_bytes / (double)base->in_bytes));
    }
    printf("\n");
}

int main(int argc, char **argv) {
    size_t crc_mb = 256, lzf_mb = 32;
    int reps = 7;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--crc-mb")) crc_mb = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--lzf-mb")) lzf_mb = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    if (reps < 1 || reps > 64 || !crc_mb || !lzf_mb) { fprintf(stderr, "bad options\n"); return 2; }

    bench_crc(crc_mb, reps);

    struct codec ours = {"redwing", rw_lzf_compress, rw_lzf_decompress};
    struct codec theirs = {"liblzf", liblzf_compress, liblzf_decompress};
    int have_liblzf = 0;
    void *lib = dlopen("liblzf.so.1", RTLD_NOW);
    if (lib) {
        liblzf_compress_sym = (liblzf_fn)dlsym(lib, "lzf_compress");
        liblzf_decompress_sym = (liblzf_fn)dlsym(lib, "lzf_decompress");
        have_liblzf = liblzf_compress_sym && liblzf_decompress_sym;
    }
    if (!have_liblzf) printf("(liblzf.so.1 not found: no comparison)\n");

    size_t n = lzf_mb << 20;
    unsigned char *text = malloc(n), *random = malloc(n);
    if (!text || !random) { perror("malloc"); return 1; }
    fill_text(text, n);
    fill_random(random, n);

    printf("\nLZF, %zu MB per run, %d reps; MB/s of uncompressed bytes, best / median; size =\n"
           "output/input, chunks that did not shrink counted as stored; shrank = chunks that did;\n"
           "redwing rows end with redwing/liblzf: compress speed, decompress speed, size\n",
           lzf_mb, reps);
    printf("codec    data      chunk  compress MB/s      decompress MB/s    size   shrank/chunks"
           "    vs liblzf\n");
    struct {
        const char *name;
        const unsigned char *data;
        size_t chunk, extra_cap;
    } runs[] = {
        /* out_cap = chunk - 4, as Redis's RDB writer asks */
        {"text", text, 65536, 0},
        {"text", text, 1024, 0},
        {"text", text, 100, 0},
        {"random", random, 65536, 0},
        /* room to spare, so random chunks are stored and their decompression is measured */
        {"random*", random, 65536, 65536 / 16 + 64},
    };
    for (size_t k = 0; k < sizeof runs / sizeof *runs; k++) {
        struct lzf_result a = run_lzf(&ours, have_liblzf ? &theirs : NULL, runs[k].data, n,
                                      runs[k].chunk, runs[k].extra_cap, reps);
        if (have_liblzf) {
            struct lzf_result b = run_lzf(&theirs, &ours, runs[k].data, n, runs[k].chunk,
                                          runs[k].extra_cap, reps);
            print_lzf(ours.name, runs[k].name, runs[k].chunk, a, &b);
            print_lzf(theirs.name, runs[k].name, runs[k].chunk, b, NULL);
        } else {
            print_lzf(ours.name, runs[k].name, runs[k].chunk, a, NULL);
        }
    }
    printf("\n(random* = out_cap of chunk + 1/16: the random data is stored as LZF literals)\n");
    return (int)(sink & 0);
}
