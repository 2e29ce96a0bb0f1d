/* score.h — the sentiment rules (score.c). */
#ifndef MT_SCORE_H
#define MT_SCORE_H

#include <stdint.h>
#include <string.h>

#include "medtone.h"
#include "lexicon.h"
#include "result.h"
#include "tokenize.h"

/* Tokenizes and scores text into r (whose previous content is replaced). */
medtone_status mt_score(const medtone_analyzer *an, const char *text, size_t len,
                        medtone_result *r);

/* Token matching shared with the flags' cue matching (flags.c). mt_hash_tokens fills r->hashes
 * for r->tokens (-1 when out of memory); mt_may_extend_with tells whether a term that begins with
 * a key hashed h (a prefix in the lexicon whose follow filter is given, taken once per text with
 * mt_lexicon_follow_filter) may go on with token j: the filter answers from the two hashes, except
 * for the rare word with a space in its form. Inline for the matchers' inner loops. */
int mt_hash_tokens(medtone_result *r);
static inline int mt_may_extend_with(const medtone_result *r, mt_follow_filter follow, uint64_t h,
                                     size_t j)
{
    /* mt_token_has_space, not memchr: the filter says no to most words, and a libc call for
     * each of their few bytes cost more than the test itself. */
    return mt_follow_may_extend(follow, h, r->hashes[j]) || mt_token_has_space(r, j);
}

#endif
