/*
 * h5rle.c - a deflate encoder for shuffled numeric chunks: runs and literals.
 *
 * Design. After HDF5's shuffle a chunk is a row of byte planes (byte k of
 * every row): the planes of high bytes, flags and string tails are long runs
 * of one value, those of the low bytes of prices and times nearly random.
 * zlib with strategy Z_RLE, which only looks for matches at distance 1,
 * compresses such chunks almost as well as full LZ77, and runs are far
 * cheaper to find than hashed matches. So this encoder writes literals and
 * distance-1 matches (runs of the previous byte, 3..258 long) only, as a
 * standard zlib stream that zlib and libdeflate inflate:
 *
 * - Runs: greedy longest runs are optimal with one distance. A run starts
 *   where three bytes equal the one before; that is looked for 14 positions
 *   at a time (SSE2: the input compared with itself shifted by one byte),
 *   and a run's end 8 bytes at a time.
 * - Blocks are dynamic Huffman (BTYPE 2) with codes built from each block's
 *   exact counts: Moffat-Katajainen lengths, cut to 15 bits (7 for the
 *   code-length code) as miniz does, the header's lengths run-length coded
 *   with symbols 16/17/18. Both distance codes get 1 bit though only code 0
 *   occurs: a complete code, as zlib sends for a single distance. A block
 *   is stored instead when that is smaller (random planes).
 * - Block boundaries follow the planes: the input is tokenised in 4 KiB
 *   segments, and a segment whose symbol mix (literal histogram plus runs,
 *   normalised) is over 0.7 away (L1) from the block so far starts a new
 *   block; a block holds at most 64 KiB. On real chunks that gives about a
 *   block per plane: 1.5 % smaller output than fixed 8 KiB blocks, 5 %
 *   smaller than fixed 64 KiB ones, at the speed of 8 KiB blocks.
 * - Sizes are computed exactly before a block is written, so a block that
 *   does not fit makes the call return 0 before anything overflows, and the
 *   bit writer (64-bit buffer) stores whole words, bytewise only in the last
 *   8 bytes of the buffer. Adler-32 is libdeflate's (vectorised).
 *
 * Measured (2-core VM, shuffled 1 MiB chunks of real rows, compression only,
 * best of 5; gcc -O3): /quote (80-byte rows) 1700 MB/s at ratio 4.29, where
 * libdeflate level 1 gives 239 MB/s at 4.37 and level 2 270 MB/s at 4.49;
 * /quote_final (104-byte rows) 1210 MB/s at 3.16, libdeflate 1 209 MB/s at
 * 3.03, level 2 202 MB/s at 3.17. Matches at other distances could win back
 * at most libdeflate 1's 2 % on /quote; not tried, to keep this simple.
 */
#include <assert.h>
#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "h5/h5rle.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "h5rle.c stores its bit buffer as little-endian words"
#endif

#define SEGMENT ((size_t)4096)        /* the unit of block splitting */
#define MAX_BLOCK ((size_t)64 * 1024) /* bytes of input in one block, at most */
#define SPLIT 0.7f /* L1 distance of two symbol mixes (0..2) that starts a new block */
#define MIN_RUN 3
#define MAX_RUN 258
#define STORED_MAX 65535u /* bytes in one stored block (16-bit LEN) */
#define NUM_LITLEN 286    /* 256 literals, end of block, 29 length codes */
#define END_OF_BLOCK 256
#define NUM_DIST 2 /* codes 0 (distance 1, the only one used) and 1: see dist_lens */
#define NUM_CL 19
#define MAX_BITS 15
#define CL_MAX_BITS 7
#define LEN_BITS 9 /* a token is (literals before the run) << LEN_BITS | run length */
#define MAX_TOKENS ((MAX_BLOCK + SEGMENT) / MIN_RUN + MAX_BLOCK / SEGMENT + 2)

static const uint16_t len_base[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                      15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint8_t cl_order[NUM_CL] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                         11, 4,  12, 3, 13, 2, 14, 1, 15};

/* Symbol counts of a segment or a block. */
typedef struct counts {
    uint32_t lit[256];         /* literals by value */
    uint32_t run[MAX_RUN + 1]; /* run tokens by length */
    uint32_t runs, syms;       /* run tokens; literals + run tokens */
} counts_t;

/* One block's codes: literal/length code and the code-length code of its header. */
typedef struct block_code {
    uint32_t freq[NUM_LITLEN];
    uint8_t len[NUM_LITLEN];
    uint32_t code[NUM_LITLEN];   /* bit-reversed: deflate sends codes MSB first */
    uint32_t mcode[MAX_RUN + 1]; /* a whole run: length code, extra bits, distance code */
    uint8_t mlen[MAX_RUN + 1];
    unsigned hlit, hclen, nitems;
    uint8_t item[NUM_LITLEN + NUM_DIST];       /* the header's code-length symbols... */
    uint8_t item_extra[NUM_LITLEN + NUM_DIST]; /* ...and their extra bits */
    uint32_t cl_freq[NUM_CL];
    uint8_t cl_len[NUM_CL];
    uint32_t cl_code[NUM_CL];
} block_code_t;

/* Per call (malloc'd): the tokens of the block being built and of the segment after it. */
typedef struct scratch {
    uint32_t tok[MAX_TOKENS];
    counts_t blk, seg;
    block_code_t code;
} scratch_t;

/* ---- little-endian bit writer ------------------------------------------- */

typedef struct bitw {
    uint64_t bits;      /* pending bits, first at bit 0 */
    unsigned n;         /* how many; below 8 after a flush */
    unsigned char *p;   /* next byte */
    unsigned char *end; /* end of the output buffer */
} bitw_t;

static inline uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Caller keeps n + len <= 64 between flushes; v has no bits above len. */
static inline void put(bitw_t *w, uint64_t v, unsigned len)
{
    w->bits |= v << w->n;
    w->n += len;
}

/* Write the whole bytes: a full word while 8 bytes remain, byte by byte near the end. */
static inline void flush(bitw_t *w)
{
    const unsigned whole = w->n >> 3;
    if (w->end - w->p >= 8) {
        memcpy(w->p, &w->bits, 8);
    } else {
        for (unsigned k = 0; k < whole; k++)
            w->p[k] = (unsigned char)(w->bits >> (8 * k));
    }
    w->p += whole;
    w->bits >>= w->n & 56;
    w->n &= 7;
}

/* ---- finding runs ----------------------------------------------------------- */

#define ONES UINT64_C(0x0101010101010101)
#define LOW7 UINT64_C(0x7f7f7f7f7f7f7f7f)

/*
 * The first q >= p (p >= 1) where a run of at least MIN_RUN starts, that is
 * in[q .. q + 2] all equal in[q - 1]; end if there is none before end.
 * Eight bytes at a time: byte k of d is zero iff in[p + k] == in[p + k - 1].
 */
static size_t next_run(const unsigned char *in, size_t p, size_t end)
{
#ifdef __SSE2__
    for (; p + 16 <= end; p += 14) { /* bit k of m: in[p + k] == in[p + k - 1] */
        const __m128i a = _mm_loadu_si128((const void *)(in + p));
        const __m128i b = _mm_loadu_si128((const void *)(in + p - 1));
        const unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, b));
        const unsigned t = m & (m >> 1) & (m >> 2) & 0x3fff;
        if (t)
            return p + (size_t)__builtin_ctz(t);
    }
#endif
    for (; p + 8 <= end; p += 6) {
        const uint64_t d = load64(in + p) ^ load64(in + p - 1);
        const uint64_t z = ~(((d & LOW7) + LOW7) | d | LOW7); /* 0x80 in each zero byte */
        const uint64_t t = z & (z >> 8) & (z >> 16);          /* bytes k, k + 1, k + 2 */
        if (t)
            return p + ((size_t)__builtin_ctzll(t) >> 3);
    }
    for (; p + MIN_RUN <= end; p++)
        if (in[p] == in[p - 1] && in[p + 1] == in[p - 1] && in[p + 2] == in[p - 1])
            return p;
    return end;
}

/* The end of the run of in[q - 1] that starts at q, at most end. */
static size_t run_end(const unsigned char *in, size_t q, size_t end)
{
    const uint64_t c = in[q - 1] * ONES;
    for (; q + 8 <= end; q += 8) {
        const uint64_t x = load64(in + q) ^ c;
        if (x)
            return q + ((size_t)__builtin_ctzll(x) >> 3);
    }
    while (q < end && in[q] == in[q - 1])
        q++;
    return q;
}

static void count_literals(counts_t *c, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        c->lit[b[i]]++;
}

/*
 * Tokens of in[start, end) into tok: greedy longest runs (distance 1), cut
 * into pieces of at most MAX_RUN without leaving a piece below MIN_RUN, and
 * the literals between them. Returns the token count; c counts the symbols.
 */
static size_t tokenize(const unsigned char *in, size_t start, size_t end, uint32_t *tok,
                       counts_t *c)
{
    size_t ntok = 0, lit = start, p = start > 0 ? start : 1; /* byte 0 has no previous byte */
    size_t in_runs = 0;
    memset(c, 0, sizeof *c);
    while ((p = next_run(in, p, end)) < end) {
        const size_t q = run_end(in, p, end);
        size_t left = q - p;
        in_runs += left;
        count_literals(c, in + lit, p - lit);
        uint32_t lits = (uint32_t)(p - lit);
        while (left > 0) {
            const size_t take = left <= MAX_RUN            ? left
                                : left - MAX_RUN < MIN_RUN ? left - MIN_RUN
                                                           : MAX_RUN;
            tok[ntok++] = lits << LEN_BITS | (uint32_t)take;
            c->run[take]++;
            c->runs++;
            lits = 0;
            left -= take;
        }
        p = lit = q;
    }
    count_literals(c, in + lit, end - lit);
    tok[ntok++] = (uint32_t)(end - lit) << LEN_BITS; /* the trailing literals */
    c->syms = (uint32_t)(end - start - in_runs) + c->runs;
    return ntok;
}

/* ---- Huffman codes ---------------------------------------------------------- */

/* The used symbols of freq[0, n) by ascending count (stable LSD radix sort); returns how many. */
static unsigned sort_by_freq(const uint32_t *freq, unsigned n, uint32_t *key, uint16_t *sym)
{
    uint32_t key2[NUM_LITLEN];
    uint16_t sym2[NUM_LITLEN];
    uint32_t *k = key, *k2 = key2;
    uint16_t *s = sym, *s2 = sym2;
    unsigned m = 0;
    uint32_t all = 0;
    for (unsigned i = 0; i < n; i++) {
        if (freq[i]) {
            k[m] = freq[i];
            s[m++] = (uint16_t)i;
            all |= freq[i];
        }
    }
    for (unsigned shift = 0; shift < 32 && (all >> shift) != 0; shift += 8) {
        unsigned pos[257] = {0};
        for (unsigned i = 0; i < m; i++)
            pos[((k[i] >> shift) & 255) + 1]++;
        for (unsigned b = 1; b <= 256; b++)
            pos[b] += pos[b - 1];
        for (unsigned i = 0; i < m; i++) {
            const unsigned d = pos[(k[i] >> shift) & 255]++;
            k2[d] = k[i];
            s2[d] = s[i];
        }
        uint32_t *tk = k;
        uint16_t *ts = s;
        k = k2, k2 = tk, s = s2, s2 = ts;
    }
    if (k != key) {
        memcpy(key, k, m * sizeof *key);
        memcpy(sym, s, m * sizeof *sym);
    }
    return m;
}

/*
 * Moffat and Katajainen's in-place minimum-redundancy code: a[0, m) holds
 * counts in ascending order (m >= 2) and becomes the code lengths.
 */
static void min_redundancy(uint32_t *a, unsigned m)
{
    unsigned root = 0, leaf = 2;
    a[0] += a[1];
    for (unsigned next = 1; next < m - 1; next++) {
        if (leaf >= m || a[root] < a[leaf]) {
            a[next] = a[root];
            a[root++] = next;
        } else {
            a[next] = a[leaf++];
        }
        if (leaf >= m || (root < next && a[root] < a[leaf])) {
            a[next] += a[root];
            a[root++] = next;
        } else {
            a[next] += a[leaf++];
        }
    }
    a[m - 2] = 0;
    for (unsigned next = m - 2; next-- > 0;)
        a[next] = a[a[next]] + 1;
    int avail = 1, used = 0, depth = 0, r = (int)m - 2, nx = (int)m - 1;
    while (avail > 0) {
        while (r >= 0 && (int)a[r] == depth) {
            used++;
            r--;
        }
        while (avail > used) {
            a[nx--] = (uint32_t)depth;
            avail--;
        }
        avail = 2 * used;
        depth++;
        used = 0;
    }
}

/*
 * Code lengths of at most `limit` bits for freq[0, n) into len. Lengths over
 * the limit are cut to it and the code made complete again by lengthening
 * the longest shorter codes (as miniz does); rarest symbols get the longest.
 * A single used symbol gets a partner so the code is complete (1 bit each).
 */
static void build_lengths(const uint32_t *freq, unsigned n, unsigned limit, uint8_t *len)
{
    assert(n >= 2 && n <= NUM_LITLEN && limit <= MAX_BITS);
    uint32_t a[NUM_LITLEN];
    uint16_t sym[NUM_LITLEN];
    unsigned count[MAX_BITS + 1] = {0};
    const unsigned m = sort_by_freq(freq, n, a, sym);
    memset(len, 0, n);
    if (m < 2) {
        const unsigned only = m ? sym[0] : 0;
        len[only] = 1;
        len[only ? 0 : 1] = 1;
        return;
    }
    min_redundancy(a, m);
    for (unsigned i = 0; i < m; i++)
        count[a[i] < limit ? a[i] : limit]++;
    uint32_t total = 0;
    for (unsigned l = 1; l <= limit; l++)
        total += count[l] << (limit - l);
    for (; total > (1u << limit); total--) {
        count[limit]--;
        for (unsigned l = limit - 1; l > 0; l--) {
            if (count[l]) {
                count[l]--;
                count[l + 1] += 2;
                break;
            }
        }
    }
    assert(total == 1u << limit); /* Huffman codes are complete; cutting only oversubscribes */
    unsigned i = 0;
    for (unsigned l = limit; l > 0; l--)
        for (unsigned c = count[l]; c > 0; c--)
            len[sym[i++]] = (uint8_t)l;
}

static uint32_t reverse16(uint32_t v)
{
    v = (v >> 1 & 0x5555) | (v & 0x5555) << 1;
    v = (v >> 2 & 0x3333) | (v & 0x3333) << 2;
    v = (v >> 4 & 0x0f0f) | (v & 0x0f0f) << 4;
    return (v >> 8 & 0x00ff) | (v & 0x00ff) << 8;
}

/* Canonical codes for len[0, n), bit-reversed for the LSB-first bit writer. */
static void make_codes(const uint8_t *len, unsigned n, uint32_t *code)
{
    unsigned count[MAX_BITS + 1] = {0};
    uint32_t next[MAX_BITS + 1];
    for (unsigned s = 0; s < n; s++)
        count[len[s]]++;
    count[0] = 0;
    uint32_t c = 0;
    for (unsigned l = 1; l <= MAX_BITS; l++) {
        c = (c + count[l - 1]) << 1;
        next[l] = c;
    }
    for (unsigned s = 0; s < n; s++)
        code[s] = len[s] ? reverse16(next[len[s]]++) >> (16 - len[s]) : 0;
}

/* ---- one dynamic block ------------------------------------------------------ */

/*
 * Both distance codes get one bit, though only code 0 (distance 1) occurs:
 * a complete two-code tree is what zlib's own deflate sends for a single
 * distance, so every inflater takes it.
 */
static const uint8_t dist_lens[NUM_DIST] = {1, 1};

/* Run-length code the code lengths (symbols 16, 17, 18) into c->item. */
static void header_items(block_code_t *c)
{
    uint8_t lens[NUM_LITLEN + NUM_DIST];
    const unsigned total = c->hlit + NUM_DIST;
    memcpy(lens, c->len, c->hlit);
    memcpy(lens + c->hlit, dist_lens, NUM_DIST);
    unsigned k = 0;
    for (unsigned i = 0; i < total;) {
        const uint8_t v = lens[i];
        unsigned run = 1;
        while (i + run < total && lens[i + run] == v)
            run++;
        i += run;
        if (v == 0) {
            for (; run >= 11; k++) {
                const unsigned t = run < 138 ? run : 138;
                c->item[k] = 18, c->item_extra[k] = (uint8_t)(t - 11), run -= t;
            }
            if (run >= 3)
                c->item[k] = 17, c->item_extra[k++] = (uint8_t)(run - 3), run = 0;
        } else {
            c->item[k] = v, c->item_extra[k++] = 0, run--;
            for (; run >= 3; k++) {
                const unsigned t = run < 6 ? run : 6;
                c->item[k] = 16, c->item_extra[k] = (uint8_t)(t - 3), run -= t;
            }
        }
        for (; run > 0; run--)
            c->item[k] = v, c->item_extra[k++] = 0;
    }
    c->nitems = k;
    memset(c->cl_freq, 0, sizeof c->cl_freq);
    for (unsigned j = 0; j < k; j++)
        c->cl_freq[c->item[j]]++;
    build_lengths(c->cl_freq, NUM_CL, CL_MAX_BITS, c->cl_len);
    make_codes(c->cl_len, NUM_CL, c->cl_code);
    c->hclen = NUM_CL;
    while (c->hclen > 4 && c->cl_len[cl_order[c->hclen - 1]] == 0)
        c->hclen--;
}

static const uint8_t cl_extra_bits[NUM_CL] = {[16] = 2, [17] = 3, [18] = 7};

/* Build the block's codes from the counts; returns its exact size in bits. */
static uint64_t plan_block(const counts_t *k, block_code_t *c)
{
    uint64_t bits = 3 + 5 + 5 + 4;
    memcpy(c->freq, k->lit, sizeof k->lit);
    c->freq[END_OF_BLOCK] = 1;
    memset(c->freq + 257, 0, (NUM_LITLEN - 257) * sizeof *c->freq);
    uint64_t runs = 0, run_extra = 0;
    for (unsigned i = 0; i < 29; i++) {
        const unsigned hi = i == 28 ? MAX_RUN + 1 : len_base[i + 1];
        for (unsigned l = len_base[i]; l < hi; l++) {
            c->freq[257 + i] += k->run[l];
            run_extra += (uint64_t)k->run[l] * len_extra[i];
        }
        runs += c->freq[257 + i];
    }
    build_lengths(c->freq, NUM_LITLEN, MAX_BITS, c->len);
    make_codes(c->len, NUM_LITLEN, c->code);
    c->hlit = NUM_LITLEN;
    while (c->len[c->hlit - 1] == 0)
        c->hlit--;
    header_items(c);
    bits += 3 * (uint64_t)c->hclen;
    for (unsigned j = 0; j < NUM_CL; j++)
        bits += (uint64_t)c->cl_freq[j] * (c->cl_len[j] + cl_extra_bits[j]);
    for (unsigned sy = 0; sy < NUM_LITLEN; sy++)
        bits += (uint64_t)c->freq[sy] * c->len[sy];
    return bits + run_extra + runs * dist_lens[0];
}

/* The whole code of each run length: length code, its extra bits, distance code 0 (a 0 bit). */
static void run_codes(block_code_t *c)
{
    for (unsigned i = 0; i < 29; i++) {
        const unsigned hi = i == 28 ? MAX_RUN + 1 : len_base[i + 1];
        const unsigned sy = 257 + i, extra = len_extra[i];
        for (unsigned l = len_base[i]; l < hi; l++) {
            c->mcode[l] = c->code[sy] | (uint32_t)(l - len_base[i]) << c->len[sy];
            c->mlen[l] = (uint8_t)(c->len[sy] + extra + dist_lens[0]);
        }
    }
}

static void write_header(bitw_t *w, const block_code_t *c, int final)
{
    put(w, (uint64_t)(final | 2 << 1), 3);
    put(w, c->hlit - 257, 5);
    put(w, NUM_DIST - 1, 5);
    put(w, c->hclen - 4, 4);
    flush(w);
    for (unsigned j = 0; j < c->hclen; j++) {
        put(w, c->cl_len[cl_order[j]], 3);
        flush(w);
    }
    for (unsigned j = 0; j < c->nitems; j++) {
        const unsigned sy = c->item[j];
        put(w, c->cl_code[sy], c->cl_len[sy]);
        put(w, c->item_extra[j], cl_extra_bits[sy]);
        flush(w);
    }
}

/* The tokens of in[start, ...) with the block's codes, then end of block. */
static void write_tokens(bitw_t *out, const unsigned char *in, const uint32_t *tok, size_t ntok,
                         const block_code_t *c)
{
    bitw_t local = *out, *w = &local; /* a copy the output bytes cannot alias: stays in registers */
    for (size_t t = 0; t < ntok; t++) {
        size_t lits = tok[t] >> LEN_BITS;
        const unsigned run = tok[t] & ((1u << LEN_BITS) - 1);
        for (; lits >= 3; lits -= 3, in += 3) { /* 3 x 15 bits fit beside the 7 left */
            put(w, c->code[in[0]], c->len[in[0]]);
            put(w, c->code[in[1]], c->len[in[1]]);
            put(w, c->code[in[2]], c->len[in[2]]);
            flush(w);
        }
        for (; lits > 0; lits--, in++)
            put(w, c->code[in[0]], c->len[in[0]]);
        if (run) {
            put(w, c->mcode[run], c->mlen[run]);
            in += run;
        }
        flush(w);
    }
    put(w, c->code[END_OF_BLOCK], c->len[END_OF_BLOCK]);
    flush(w);
    *out = local;
}

/* in[0, n) as stored blocks of at most STORED_MAX bytes each. */
static void write_stored(bitw_t *w, const unsigned char *in, size_t n, int final)
{
    do {
        const size_t k = n < STORED_MAX ? n : STORED_MAX;
        put(w, (uint64_t)(final && k == n), 3);
        w->n = (w->n + 7) & ~7u; /* to a byte boundary */
        put(w, k | (uint64_t)(k ^ 0xffff) << 16, 32);
        flush(w);
        memcpy(w->p, in, k);
        w->p += k, in += k, n -= k;
    } while (n > 0);
}

static size_t stored_bytes(size_t n)
{
    return n + 5 * (n / STORED_MAX + (n % STORED_MAX != 0 || n == 0));
}

/* ---- the stream ------------------------------------------------------------- */

size_t taq_h5_rle_bound(size_t n)
{
    /* Per block: a stored piece cut short (5 bytes), its header's bits after the last block's. */
    const size_t blocks = n / SEGMENT + 1;
    return 2 + 4 + stored_bytes(n) + 6 * blocks;
}

static void write_u32be(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/*
 * 1 if the segment's symbols are distributed unlike the block's so far: the
 * L1 distance of the two normalised histograms (literals by value, runs as
 * one symbol) is over SPLIT. Eight independent sums let the compiler vectorise.
 */
static int differs(const counts_t *blk, const counts_t *seg)
{
    const float a = 1.0f / (float)blk->syms, b = 1.0f / (float)seg->syms;
    float acc[8] = {0};
    for (unsigned i = 0; i < 256; i += 8)
        for (unsigned j = 0; j < 8; j++) {
            const float d = (float)blk->lit[i + j] * a - (float)seg->lit[i + j] * b;
            acc[j] += d < 0 ? -d : d;
        }
    const float r = (float)blk->runs * a - (float)seg->runs * b;
    float sum = r < 0 ? -r : r;
    for (unsigned j = 0; j < 8; j++)
        sum += acc[j];
    return sum > SPLIT;
}

static void add_counts(counts_t *to, const counts_t *from)
{
    for (unsigned i = 0; i < 256; i++)
        to->lit[i] += from->lit[i];
    for (unsigned l = MIN_RUN; l <= MAX_RUN; l++)
        to->run[l] += from->run[l];
    to->runs += from->runs;
    to->syms += from->syms;
}

/* One block of in[start, end) from its tokens and counts: dynamic or stored, the smaller. */
static int write_block(bitw_t *w, const unsigned char *in, size_t start, size_t end, int final,
                       scratch_t *s, size_t ntok, size_t room)
{
    block_code_t *c = &s->code;
    /* Whole bytes from w->p on, the pending bits included; stored pads its first header. */
    const size_t dyn = (size_t)((w->n + plan_block(&s->blk, c) + 7) / 8);
    const size_t sto = (w->n + 3 + 7) / 8 - 1 + stored_bytes(end - start);
    if ((dyn < sto ? dyn : sto) > room)
        return 0;
    if (dyn < sto) {
        run_codes(c);
        write_header(w, c, final);
        write_tokens(w, in + start, s->tok, ntok, c);
    } else {
        write_stored(w, in + start, end - start, final);
    }
    return 1;
}

/*
 * The deflate blocks of in[0, n): segments of SEGMENT bytes join the current
 * block while their symbol mix is like the block's (a shuffled chunk's byte
 * planes differ sharply), up to MAX_BLOCK. Returns the bytes written up to
 * the last block's end, or 0 if they (and the 4-byte trailer) exceed cap.
 */
static size_t write_blocks(const unsigned char *in, size_t n, bitw_t *w, const unsigned char *out,
                           size_t cap, scratch_t *s)
{
    size_t start = 0, pos = 0, ntok = 0; /* the block so far is in[start, pos), ntok tokens */
    memset(&s->blk, 0, sizeof s->blk);
    while (pos < n) {
        const size_t end = n - pos > SEGMENT ? pos + SEGMENT : n;
        const size_t k = tokenize(in, pos, end, s->tok + ntok, &s->seg);
        assert(ntok + k <= MAX_TOKENS);
        if (pos > start && (end - start > MAX_BLOCK || differs(&s->blk, &s->seg))) {
            if (!write_block(w, in, start, pos, 0, s, ntok, cap - 4 - (size_t)(w->p - out)))
                return 0;
            memmove(s->tok, s->tok + ntok, k * sizeof *s->tok);
            memset(&s->blk, 0, sizeof s->blk);
            start = pos, ntok = 0;
        }
        add_counts(&s->blk, &s->seg);
        ntok += k, pos = end;
    }
    if (!write_block(w, in, start, n, 1, s, ntok, cap - 4 - (size_t)(w->p - out)))
        return 0;
    w->n = (w->n + 7) & ~7u;
    flush(w);
    return (size_t)(w->p - out);
}

size_t taq_h5_rle_deflate(const void *in, size_t n, void *out, size_t cap)
{
    unsigned char *o = out;
    if (cap < 2 + 2 + 4)
        return 0;
    o[0] = 0x78, o[1] = 0x01; /* deflate, 32 KiB window, "fastest"; 0x7801 % 31 == 0 */
    size_t len = 4;
    if (n == 0) {
        o[2] = 0x03, o[3] = 0x00; /* one final fixed-Huffman block holding only end of block */
    } else {
        scratch_t *s = malloc(sizeof *s);
        bitw_t w = {0, 0, o + 2, o + cap};
        len = s ? write_blocks(in, n, &w, o, cap, s) : 0;
        free(s);
        if (len == 0)
            return 0;
    }
    write_u32be(o + len, libdeflate_adler32(1, in, n));
    return len + 4;
}
