/*
 * pairs.c - (symbol, exchange) -> dense id, numbered in pair sort order.
 *
 * Design. An open-addressing hash table over the 24 pair bytes (three
 * 64-bit words) hands out provisional ids in order of first appearance;
 * the distinct pairs (thousands, against millions of events) are then
 * sorted and the runs' ids renumbered. Only the first event of a run looks
 * at the table; the others are one 24-byte comparison with their
 * predecessor.
 */
#include "taq/pairs.h"

#include <stdlib.h>
#include <string.h>

#include "taq/util.h"

typedef struct pair_words {
    uint64_t w[3];
} pair_words_t;

typedef struct slot {
    pair_words_t key;
    uint32_t id; /* provisional id + 1; 0 = empty */
} slot_t;

typedef struct table {
    slot_t *slots;
    size_t cap; /* power of two */
    size_t used;
    taq_vec_t pairs; /* of taq_pair_t, by provisional id */
} table_t;

static inline pair_words_t words_of(const taq_event_t *e)
{
    pair_words_t k;
    memcpy(&k.w[0], e->symbol, 16);
    memcpy(&k.w[2], e->exchange, 8);
    return k;
}

static inline int same_words(const pair_words_t *a, const pair_words_t *b)
{
    return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2])) == 0;
}

static inline size_t hash_words(const pair_words_t *k)
{
    uint64_t h = k->w[0] * 0x9E3779B97F4A7C15u;
    h = (h ^ (h >> 29) ^ k->w[1]) * 0xBF58476D1CE4E5B9u;
    h = (h ^ (h >> 32) ^ k->w[2]) * 0x94D049BB133111EBu;
    return (size_t)(h ^ (h >> 31));
}

static void table_grow(table_t *t)
{
    const size_t cap = t->cap ? t->cap * 2 : 1024;
    slot_t *s = TAQ_CALLOC(cap, sizeof *s);
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].id)
            continue;
        size_t h = hash_words(&t->slots[i].key) & (cap - 1);
        while (s[h].id)
            h = (h + 1) & (cap - 1);
        s[h] = t->slots[i];
    }
    free(t->slots);
    t->slots = s;
    t->cap = cap;
}

/* Provisional id of e's pair, added when new. */
static uint32_t table_id(table_t *t, const taq_event_t *e, const pair_words_t *k)
{
    if (2 * (t->used + 1) > t->cap)
        table_grow(t);
    size_t h = hash_words(k) & (t->cap - 1);
    while (t->slots[h].id) {
        if (same_words(&t->slots[h].key, k))
            return t->slots[h].id - 1;
        h = (h + 1) & (t->cap - 1);
    }
    const uint32_t id = (uint32_t)t->used++;
    t->slots[h] = (slot_t){*k, id + 1};
    taq_pair_t *p = taq_vec_push(&t->pairs);
    memcpy(p->symbol, e->symbol, TAQ_SYMBOL_LEN);
    memcpy(p->exchange, e->exchange, TAQ_EXCHANGE_LEN);
    return id;
}

/* qsort context-free: sorts provisional ids by their pair bytes. */
static const taq_pair_t *sort_pairs_base;

static int cmp_by_pair(const void *a, const void *b)
{
    const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return memcmp(&sort_pairs_base[x], &sort_pairs_base[y], sizeof(taq_pair_t));
}

void taq_pair_index_build(const taq_event_t *ev, size_t n, taq_pair_index_t *pi)
{
    if (n >= UINT32_MAX)
        TAQ_ABORT("%zu events on one rank: pair runs are 32-bit", n);
    memset(pi, 0, sizeof *pi);
    table_t t = {0};
    taq_vec_init(&t.pairs, sizeof(taq_pair_t));
    taq_vec_t runs;
    taq_vec_init(&runs, sizeof(taq_pair_run_t));
    pair_words_t last = {{0, 0, 0}};
    for (size_t i = 0; i < n; i++) {
        const pair_words_t k = words_of(&ev[i]);
        if (i > 0 && same_words(&k, &last))
            continue;
        last = k;
        *(taq_pair_run_t *)taq_vec_push(&runs) =
            (taq_pair_run_t){(uint32_t)i, table_id(&t, &ev[i], &k)};
    }
    free(t.slots);
    *(taq_pair_run_t *)taq_vec_push(&runs) = (taq_pair_run_t){(uint32_t)n, 0}; /* end */

    /* Renumber in sort order: order[r] = provisional id of rank r. */
    const size_t np = t.used;
    const taq_pair_t *prov = t.pairs.data;
    uint32_t *order = TAQ_MALLOC(np * sizeof *order);
    uint32_t *rank_of = TAQ_MALLOC(np * sizeof *rank_of);
    for (size_t r = 0; r < np; r++)
        order[r] = (uint32_t)r;
    if (np > 1) {
        sort_pairs_base = prov;
        qsort(order, np, sizeof *order, cmp_by_pair);
        sort_pairs_base = NULL;
    }
    pi->n_pairs = np;
    pi->pairs = TAQ_MALLOC(np * sizeof *pi->pairs);
    pi->rows = TAQ_CALLOC(np, sizeof *pi->rows);
    for (size_t r = 0; r < np; r++) {
        rank_of[order[r]] = (uint32_t)r;
        pi->pairs[r] = prov[order[r]];
    }
    pi->runs = runs.data;
    pi->n_runs = runs.len - 1;
    for (size_t r = 0; r < pi->n_runs; r++) {
        taq_pair_run_t *run = &pi->runs[r];
        run->pair = rank_of[run->pair];
        pi->rows[run->pair] += run[1].start - run->start;
    }
    free(order);
    free(rank_of);
    taq_vec_free(&t.pairs);
}

void taq_pair_index_free(taq_pair_index_t *pi)
{
    if (!pi)
        return;
    free(pi->runs);
    free(pi->pairs);
    free(pi->rows);
    memset(pi, 0, sizeof *pi);
}
