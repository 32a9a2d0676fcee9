/* crc64.c — CRC-64/Jones, the checksum of Redis's RDB files and DUMP payloads: reflected
 * polynomial 0x95ac9329ac4bc9b5, initial value 0 (callers chain it), no final xor.
 * "123456789" gives 0xe9c6d914c4b8d9ca.
 *
 * Slicing-by-8 (eight tables, eight bytes per step) on three independent streams at once.
 * One stream is bound by the latency of its own chain of table lookups (~2 GB/s here); three
 * interleaved chains keep the load units busy instead (~5 GB/s, perf/codecs.sh). The streams
 * are combined exactly: with no final xor the CRC is linear, so
 *   crc(A ‖ B) = advance(crc(A), |B|) ^ crc₀(B)
 * where crc₀ starts from 0 and advance(c, n) is the register after n zero bytes, itself a
 * linear map of c, tabulated once for n = BLOCK like the slicing tables. */
#include "rw_codecs.h"
#include <pthread.h>
#include <string.h>

#define POLY_REFLECTED 0x95ac9329ac4bc9b5ULL
/* Bytes per stream per round; inputs of at least 3 × BLOCK use the three streams. */
#define BLOCK 1024

static uint64_t table[8][256];
/* advance_block[k][v] = the CRC register after BLOCK zero bytes, starting from v << 8k */
static uint64_t advance_block[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static uint64_t advance_bytewise(uint64_t crc, size_t zero_bytes) {
    while (zero_bytes--) crc = table[0][crc & 0xff] ^ (crc >> 8);
    return crc;
}

static void build_tables(void) {
    for (int i = 0; i < 256; i++) {
        uint64_t crc = (uint64_t)i;
        for (int j = 0; j < 8; j++) crc = (crc & 1) ? (crc >> 1) ^ POLY_REFLECTED : crc >> 1;
        table[0][i] = crc;
    }
    for (int i = 0; i < 256; i++) {
        uint64_t crc = table[0][i];
        for (int t = 1; t < 8; t++) {
            crc = table[0][crc & 0xff] ^ (crc >> 8);
            table[t][i] = crc;
        }
    }
    /* advance is linear: the image of each register bit, then every byte value as a sum. */
    uint64_t bit_image[64];
    for (int b = 0; b < 64; b++) bit_image[b] = advance_bytewise(1ULL << b, BLOCK);
    for (int k = 0; k < 8; k++) {
        for (int v = 0; v < 256; v++) {
            uint64_t x = 0;
            for (int b = 0; b < 8; b++)
                if (v >> b & 1) x ^= bit_image[8 * k + b];
            advance_block[k][v] = x;
        }
    }
}

static inline uint64_t step8(uint64_t crc, const unsigned char *s) {
    uint64_t w;
    memcpy(&w, s, 8);
    w ^= crc;
    return table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^
           table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff] ^
           table[2][(w >> 40) & 0xff] ^ table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
}

static inline uint64_t advance_one_block(uint64_t c) {
    return advance_block[0][c & 0xff] ^ advance_block[1][(c >> 8) & 0xff] ^
           advance_block[2][(c >> 16) & 0xff] ^ advance_block[3][(c >> 24) & 0xff] ^
           advance_block[4][(c >> 32) & 0xff] ^ advance_block[5][(c >> 40) & 0xff] ^
           advance_block[6][(c >> 48) & 0xff] ^ advance_block[7][c >> 56];
}

uint64_t rw_crc64(uint64_t crc, const void *p, size_t n) {
    pthread_once(&table_once, build_tables);
    const unsigned char *s = p;
    while (n >= 3 * BLOCK) {
        uint64_t a = crc, b = 0, c = 0;
        for (size_t i = 0; i < BLOCK; i += 8) {
            a = step8(a, s + i);
            b = step8(b, s + BLOCK + i);
            c = step8(c, s + 2 * BLOCK + i);
        }
        crc = advance_one_block(advance_one_block(a) ^ b) ^ c;
        s += 3 * BLOCK;
        n -= 3 * BLOCK;
    }
    while (n >= 8) {
        crc = step8(crc, s);
        s += 8;
        n -= 8;
    }
    while (n--) crc = table[0][(crc ^ *s++) & 0xff] ^ (crc >> 8);
    return crc;
}
