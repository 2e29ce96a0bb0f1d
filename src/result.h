/* result.h — the result object: a score, its explanation, and the scratch space the scorer reuses
 * from text to text so that analysis allocates only when a text is larger than any before. */
#ifndef MT_RESULT_H
#define MT_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "medtone.h"
#include "flags.h"
#include "lexicon.h"
#include "tokenize.h"

#define MT_NO_TERM ((size_t)-1)

/* One term of the explanation: a lexicon match that carried valence. */
typedef struct mt_term {
    size_t off, len;        /* byte span in the original text */
    size_t tok0, ntok;      /* tokens it covers */
    const mt_entry *entry;  /* owned by the analyzer's lexicon */
    float valence;          /* as written in the lexicon */
    float contribution;     /* after every rule */
    unsigned rules;         /* MEDTONE_RULE_* */
} mt_term;

/* A scorer item: one token, or several tokens matched as one multi-word entry. Punctuation is
 * not an item; it only ends clauses. */
/* An item's flag beside the token flags (MEDTONE_TOKEN_*, the low bits): its sentence is long
 * (score.c, LONG_SENTENCE). */
#define MT_ITEM_LONG_SENTENCE 0x8000u

typedef struct mt_item {
    size_t tok0, ntok;
    const mt_entry *entry; /* NULL when the item matched nothing */
    uint32_t sentence;     /* index of the sentence (split at . ! ? ;) */
    uint32_t clause;       /* index of the clause (sentences split further at , and :) */
    uint16_t flags;        /* token flags of the first token, and MT_ITEM_LONG_SENTENCE */
    size_t term;           /* index into terms, or MT_NO_TERM */
} mt_item;

struct medtone_result {
    const medtone_analyzer *analyzer; /* the analyzer of the last analysis */
    medtone_tokens *tokens;
    double compound, positive, neutral, negative;
    mt_term *terms;
    size_t nterms, terms_cap;
    mt_item *items;
    size_t nitems, items_cap;
    char *key; /* scratch for building multi-word keys */
    size_t key_cap;
    uint64_t *hashes; /* mt_lexicon_hash of each token's normalized form (not of punctuation), */
    size_t nhashes, hashes_cap; /* computed once per text for every lexicon; nhashes = tokens */
    mt_flags_state flags;
};

/* mt_lexicon_hash of token i's normalized form. The scorer hashes every token but punctuation
 * once per text (r->hashes), for every lexicon; a flag module reads that hash instead of hashing
 * the word again, and only punctuation is hashed here. */
static inline uint64_t mt_token_hash(const medtone_result *r, size_t i)
{
    const mt_token *tok = &r->tokens->tok[i];
    if (i < r->nhashes && tok->kind != MEDTONE_TOKEN_PUNCT) return r->hashes[i];
    return mt_lexicon_hash(mt_token_norm(r->tokens, i), tok->norm_len);
}

/* What mt_lexicon_lookup says of token i's normalized form, from its hash (mt_token_hash). */
static inline const mt_entry *mt_token_lookup(const medtone_result *r, const mt_lexicon *lex,
                                              size_t i, int *is_prefix)
{
    return mt_lexicon_lookup_hashed(lex, mt_token_norm(r->tokens, i), r->tokens->tok[i].norm_len,
                                    mt_token_hash(r, i), is_prefix);
}

/* mt_lexicon_find of token i's normalized form, from its hash. */
static inline const mt_entry *mt_token_find(const medtone_result *r, const mt_lexicon *lex,
                                            size_t i)
{
    int is_prefix;
    return mt_token_lookup(r, lex, i, &is_prefix);
}

/* Whether token i's normalized form holds a space (a rare form; the follow filter of the lexicon
 * only knows single words). Inline and without a call for the usual short word. */
static inline int mt_token_has_space(const medtone_result *r, size_t i)
{
    const unsigned char *w = (const unsigned char *)mt_token_norm(r->tokens, i);
    size_t n = r->tokens->tok[i].norm_len;
    if (n >= 8 && n <= 16) {
        /* A zero byte in x ^ "        " is a space: the classic has-zero-byte test, on two
         * overlapping 8-byte reads. */
        const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        uint64_t a = mt_load64(w) ^ (ones * ' '), b = mt_load64(w + n - 8) ^ (ones * ' ');
        return (((a - ones) & ~a) | ((b - ones) & ~b)) & highs ? 1 : 0;
    }
    if (n > 16) return memchr(w, ' ', n) != NULL;
    for (size_t k = 0; k < n; k++)
        if (w[k] == ' ') return 1;
    return 0;
}

/* Empties a result (score 0, no terms) without freeing its buffers. */
void mt_result_reset(medtone_result *r);

#endif
