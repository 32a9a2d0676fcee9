/* crc64.c — CRC-64/Jones, the checksum of Redis's RDB files and DUMP payloads: reflected
 * polynomial 0x95ac9329ac4bc9b5, initial value 0 (callers chain it), no final xor.
 * "123456789" gives 0xe9c6d914c4b8d9ca. Slicing-by-8: eight tables, eight bytes per step. */
#include "rw_codecs.h"
#include <pthread.h>
#include <string.h>

#define POLY_REFLECTED 0x95ac9329ac4bc9b5ULL

static uint64_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

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
}

uint64_t rw_crc64(uint64_t crc, const void *p, size_t n) {
    pthread_once(&table_once, build_tables);
    const unsigned char *s = p;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        w ^= crc;
        crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^
              table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff] ^
              table[2][(w >> 40) & 0xff] ^ table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
        s += 8;
        n -= 8;
    }
    while (n--) crc = table[0][(crc ^ *s++) & 0xff] ^ (crc >> 8);
    return crc;
}
