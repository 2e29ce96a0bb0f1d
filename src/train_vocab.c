/* train_vocab.c — the trainer's vocabulary: every candidate term with the number of rows it
 * occurs in, capped at a maximum number of terms so that a million rows count in bounded memory.
 * When the table is full, the terms seen in the fewest rows are dropped (lossy counting: a term
 * dropped and seen again starts over, so a count is a lower bound, exact for any term that was
 * never dropped). Freezing keeps the terms worth learning and numbers them. */
#include <string.h>
#include <stdlib.h>

#include "alloc.h"
#include "train.h"

typedef struct vterm {
    uint64_t hash;
    size_t key; /* offset in the arena, where the key is NUL-terminated */
    uint32_t len;
    uint32_t rows;
    uint32_t last_row; /* row + 1 of the last count, so a row counts a term once */
} vterm;

struct mt_vocab {
    vterm *terms;
    size_t count, cap, max_terms;
    uint32_t *slots; /* index + 1; power-of-two size, at most half full */
    size_t mask;
    char *arena;
    size_t arena_len, arena_cap;
};

static uint64_t hash_key(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, then a finalizer for the low bits */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

mt_vocab *mt_vocab_new(size_t max_terms)
{
    mt_vocab *v = mt_calloc(1, sizeof *v);
    if (!v) return NULL;
    v->max_terms = max_terms < 16 ? 16 : max_terms;
    return v;
}

void mt_vocab_free(mt_vocab *v)
{
    if (!v) return;
    mt_free(v->terms);
    mt_free(v->slots);
    mt_free(v->arena);
    mt_free(v);
}

static size_t find_slot(const mt_vocab *v, uint64_t h, const char *key, size_t len)
{
    for (size_t i = (size_t)h & v->mask;; i = (i + 1) & v->mask) {
        uint32_t s = v->slots[i];
        if (!s) return i;
        const vterm *t = &v->terms[s - 1];
        if (t->hash == h && t->len == len && memcmp(v->arena + t->key, key, len) == 0) return i;
    }
}

/* Puts `slots` (zeroed, `size` of them, a power of two) in place of the table and indexes the
 * current terms in it. Cannot fail. */
static void install_slots(mt_vocab *v, uint32_t *slots, size_t size)
{
    mt_free(v->slots);
    v->slots = slots;
    v->mask = size - 1;
    for (size_t k = 0; k < v->count; k++) {
        const vterm *t = &v->terms[k];
        v->slots[find_slot(v, t->hash, v->arena + t->key, t->len)] = (uint32_t)k + 1;
    }
}

/* A new table of `size` slots for the current terms. */
static int rehash(mt_vocab *v, size_t size)
{
    uint32_t *slots = mt_calloc(size, sizeof *slots);
    if (!slots) return -1;
    install_slots(v, slots, size);
    return 0;
}

/* Keeps the terms for which keep_term says so, in order, compacting the arena in place. */
static void compact(mt_vocab *v, const unsigned char *keep_term)
{
    size_t n = 0, at = 0;
    for (size_t k = 0; k < v->count; k++) {
        if (!keep_term[k]) continue;
        vterm t = v->terms[k];
        memmove(v->arena + at, v->arena + t.key, t.len + 1);
        t.key = at;
        at += t.len + 1;
        v->terms[n++] = t;
    }
    v->count = n;
    v->arena_len = at;
}

/* Drops the rarest terms until at most three quarters of the cap are left. Both allocations
 * come first: the terms move when they are compacted, so the table must be rebuilt then. */
static int make_room(mt_vocab *v)
{
    unsigned char *keep = mt_malloc(v->count ? v->count : 1);
    uint32_t *slots = mt_calloc(v->mask + 1, sizeof *slots);
    if (!keep || !slots) {
        mt_free(keep);
        mt_free(slots);
        return -1;
    }
    size_t target = v->max_terms / 4 * 3, left = v->count;
    for (uint32_t floor = 1; left > target; floor++) {
        left = 0;
        for (size_t k = 0; k < v->count; k++) {
            keep[k] = v->terms[k].rows > floor;
            left += keep[k];
        }
    }
    compact(v, keep);
    mt_free(keep);
    install_slots(v, slots, v->mask + 1);
    return 0;
}

int mt_vocab_count(mt_vocab *v, const char *key, size_t len, uint32_t row)
{
    if (len > UINT32_MAX) return 0;
    if (!v->slots && rehash(v, 1024) != 0) return -1;
    uint64_t h = hash_key(key, len);
    size_t slot = find_slot(v, h, key, len);
    if (v->slots[slot]) {
        vterm *t = &v->terms[v->slots[slot] - 1];
        if (t->last_row != row + 1) {
            t->last_row = row + 1;
            if (t->rows < UINT32_MAX) t->rows++;
        }
        return 0;
    }
    if (v->count >= v->max_terms) {
        if (make_room(v) != 0) return -1;
        slot = find_slot(v, h, key, len);
    }
    if ((v->count + 1) * 2 > v->mask + 1) {
        if (rehash(v, (v->mask + 1) * 2) != 0) return -1;
        slot = find_slot(v, h, key, len);
    }
    if (mt_reserve((void **)&v->terms, &v->cap, v->count + 1, sizeof *v->terms) != 0 ||
        mt_reserve((void **)&v->arena, &v->arena_cap, v->arena_len + len + 1, 1) != 0)
        return -1;
    memcpy(v->arena + v->arena_len, key, len);
    v->arena[v->arena_len + len] = '\0';
    v->terms[v->count] = (vterm){h, v->arena_len, (uint32_t)len, 1, row + 1};
    v->arena_len += len + 1;
    v->slots[slot] = (uint32_t)++v->count;
    return 0;
}

void mt_vocab_uncount(mt_vocab *v, uint32_t row)
{
    for (size_t k = 0; k < v->count; k++) {
        vterm *t = &v->terms[k];
        if (t->last_row != row + 1) continue;
        t->last_row = 0;
        t->rows--; /* a term left with 0 rows is the first to go, and is never learned */
    }
}

/* Sorting by key: a copy of each term with the address of its bytes, so that the comparison
 * needs no context (qsort has none in C11). */
typedef struct sorted {
    const char *key;
    vterm t;
} sorted;

static int cmp_bytes(const sorted *a, const sorted *b)
{
    size_t n = a->t.len < b->t.len ? a->t.len : b->t.len;
    int c = memcmp(a->key, b->key, n);
    if (c) return c;
    return (a->t.len > b->t.len) - (a->t.len < b->t.len);
}

static int cmp_by_rows(const void *x, const void *y)
{
    const sorted *a = x, *b = y;
    if (a->t.rows != b->t.rows) return a->t.rows > b->t.rows ? -1 : 1;
    return cmp_bytes(a, b);
}

static int cmp_by_bytes(const void *x, const void *y)
{
    return cmp_bytes(x, y);
}

int mt_vocab_freeze(mt_vocab *v, size_t min_count, size_t max_terms,
                    int (*keep)(void *user, const char *key, size_t len), void *user)
{
    /* Everything that can fail first, so that a failure leaves the vocabulary as it was. */
    sorted *s = mt_malloc((v->count ? v->count : 1) * sizeof *s);
    if (!s) return -1;
    size_t n = 0;
    for (size_t k = 0; k < v->count; k++) {
        const vterm *t = &v->terms[k];
        int ok = t->rows >= min_count;
        if (ok && keep) ok = keep(user, v->arena + t->key, t->len);
        if (ok < 0) {
            mt_free(s);
            return -1;
        }
        if (ok) s[n++] = (sorted){v->arena + t->key, *t};
    }
    if (n > max_terms) {
        qsort(s, n, sizeof *s, cmp_by_rows);
        n = max_terms;
    }
    qsort(s, n, sizeof *s, cmp_by_bytes);
    size_t size = 16;
    while (size / 2 < n + 1)
        size *= 2;
    uint32_t *slots = mt_calloc(size, sizeof *slots);
    size_t arena_cap = v->arena_len ? v->arena_len : 1;
    char *arena = mt_malloc(arena_cap);
    if (!slots || !arena) {
        mt_free(slots);
        mt_free(arena);
        mt_free(s);
        return -1;
    }
    size_t at = 0;
    for (size_t k = 0; k < n; k++) {
        memcpy(arena + at, s[k].key, s[k].t.len + 1);
        v->terms[k] = s[k].t;
        v->terms[k].key = at;
        v->terms[k].last_row = 0;
        at += s[k].t.len + 1;
    }
    mt_free(s);
    mt_free(v->arena);
    v->arena = arena;
    v->arena_len = at;
    v->arena_cap = arena_cap;
    v->count = n;
    install_slots(v, slots, size);
    return 0;
}

long mt_vocab_find(const mt_vocab *v, const char *key, size_t len)
{
    if (!v->slots) return -1;
    uint32_t s = v->slots[find_slot(v, hash_key(key, len), key, len)];
    return s ? (long)s - 1 : -1;
}

size_t mt_vocab_size(const mt_vocab *v)
{
    return v->count;
}

const char *mt_vocab_key(const mt_vocab *v, size_t id, size_t *len)
{
    *len = v->terms[id].len;
    return v->arena + v->terms[id].key;
}

uint32_t mt_vocab_rows(const mt_vocab *v, size_t id)
{
    return v->terms[id].rows;
}

size_t mt_vocab_bytes(const mt_vocab *v)
{
    return v->cap * sizeof *v->terms + (v->mask + 1) * sizeof *v->slots + v->arena_cap;
}
