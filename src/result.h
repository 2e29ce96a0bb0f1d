/* result.h — the result object: a score, its explanation, and the scratch space the scorer reuses
 * from text to text so that analysis allocates only when a text is larger than any before. */
#ifndef MT_RESULT_H
#define MT_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "medtone.h"
#include "flags.h"
#include "lexicon.h"

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
typedef struct mt_item {
    size_t tok0, ntok;
    const mt_entry *entry; /* NULL when the item matched nothing */
    uint32_t sentence;     /* index of the sentence (split at . ! ? ;) */
    uint32_t clause;       /* index of the clause (sentences split further at , and :) */
    uint16_t flags;        /* token flags of the first token */
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

/* Empties a result (score 0, no terms) without freeing its buffers. */
void mt_result_reset(medtone_result *r);

#endif
