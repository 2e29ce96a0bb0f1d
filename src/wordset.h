/* wordset.h — a small fixed set of words, each with bits, looked up by a token's hash: the flag
 * modules' grammar words ("i", "took", "tonight"...). A module used to find a word with strcmp
 * through lists or a binary search, a dozen calls a token; here it is one probe with the hash the
 * scorer already computed for the token (mt_token_hash). Built once with the analyzer, read-only
 * after, so any number of threads may look up at once. */
#ifndef MT_WORDSET_H
#define MT_WORDSET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lexicon.h"

typedef struct mt_wordset_slot {
    uint64_t hash;    /* mt_lexicon_hash of the word */
    const char *word; /* NULL marks an empty slot; points to the module's static string */
    uint32_t len;
    uint32_t bits;
} mt_wordset_slot;

/* Bits of the filter in front of the table: a few hundred bytes that stay in the first-level
 * cache, where the table (24 bytes a slot) would not, and that turn most words away. */
#define MT_WORDSET_FILTER_BITS 2048

typedef struct mt_wordset {
    mt_wordset_slot *slots; /* power-of-two size, at most a quarter full; NULL until built */
    size_t mask;
    size_t count, max;
    uint64_t filter[MT_WORDSET_FILTER_BITS / 64]; /* bit (hash >> 53) of every word set */
} mt_wordset;

/* The filter bit of a hash: its top 11 bits (the table slot comes from the low bits). */
static inline uint64_t mt_wordset_filter_bit(uint64_t h)
{
    return h >> (64 - 11);
}

/* Makes room for up to max distinct words. Returns 0, or -1 when out of memory. */
int mt_wordset_init(mt_wordset *ws, size_t max);
/* Adds bits to a word (a static, NUL-terminated string that outlives the set); a word put twice
 * keeps both bits. Returns 0, or -1 when the set is full (more than max words). */
int mt_wordset_put(mt_wordset *ws, const char *word, uint32_t bits);
/* Each word of list[0, n) gets `bit`. Returns 0 or -1 like mt_wordset_put. */
int mt_wordset_put_list(mt_wordset *ws, const char *const *list, size_t n, uint32_t bit);
void mt_wordset_free(mt_wordset *ws);

/* The bits of w[0, len), hashed h (mt_lexicon_hash), or 0 when it is not in the set. */
static inline uint32_t mt_wordset_get(const mt_wordset *ws, const char *w, size_t len, uint64_t h)
{
    uint64_t b = mt_wordset_filter_bit(h);
    if (!((ws->filter[b >> 6] >> (b & 63)) & 1)) return 0;
    for (size_t i = (size_t)h & ws->mask;; i = (i + 1) & ws->mask) {
        const mt_wordset_slot *s = &ws->slots[i];
        if (!s->word) return 0;
        if (s->hash == h && s->len == len && memcmp(s->word, w, len) == 0) return s->bits;
    }
}

#endif
