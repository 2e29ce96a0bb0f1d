/* ngrams.h — the terms of a learned cue layer as they occur in a text (docs/train.md): the
 * normalized words, hashtags, emoji, mentions, numbers and link hosts of the tokenizer, each
 * alone and with its neighbour, with negation marked. One definition, shared by the trainer
 * (train_features.c) and the learned-cue matcher (flags/learned.c), so that a learned weight means
 * at scoring time exactly what it meant in training. */
#ifndef MT_NGRAMS_H
#define MT_NGRAMS_H

#include <stddef.h>

#include "medtone.h"

/* How many units after a negation word its scope reaches, within the clause: "not effective" and
 * "not very effective" both give the term "not effective", and neither gives "effective". */
#define MT_NGRAM_NEGATION_SCOPE 3

/* Called once per term occurrence, in text order (a term may occur more than once). `key` is the
 * caller's prefix followed by the term, NUL-terminated, valid during the call; off and span are
 * the bytes of the text it covers. A nonzero return stops the walk and is returned. */
typedef int (*mt_ngram_fn)(void *user, const char *key, size_t len, size_t off, size_t span);

/* Walks the terms of the tokens in t:
 *   - unigrams: each unit's normalized form (a link gives its host without "www.");
 *   - bigrams: two units next to each other, "side effects", not across punctuation;
 *   - negation: a unit within MT_NGRAM_NEGATION_SCOPE units after a negation word (same clause)
 *     gives "NEG unit" ("not effective", "don't work") instead of its unigram.
 * Units are words, hashtags (without '#', as a lexicon writes them), emoji, emoticons, mentions,
 * cashtags, numbers, doses, dates and links; e-mail addresses and symbols are not, and end a
 * bigram like punctuation. Keys are built in *buf (grown with mt_reserve), starting with the
 * prefix[0..prefix_len). Returns 0, -1 when out of memory, or the callback's nonzero value. */
int mt_ngrams_each(const medtone_tokens *t, const char *prefix, size_t prefix_len, char **buf,
                   size_t *cap, mt_ngram_fn fn, void *user);

#endif
