/* score.h — the sentiment rules (score.c). */
#ifndef MT_SCORE_H
#define MT_SCORE_H

#include <stdint.h>

#include "medtone.h"
#include "lexicon.h"

/* Tokenizes and scores text into r (whose previous content is replaced). */
medtone_status mt_score(const medtone_analyzer *an, const char *text, size_t len,
                        medtone_result *r);

/* Token matching shared with the flags' cue matching (flags.c). mt_hash_tokens fills r->hashes
 * for r->tokens (-1 when out of memory); mt_may_extend tells whether a term that begins with a key
 * hashed h (a prefix in lex) may go on with token j. */
int mt_hash_tokens(medtone_result *r);
int mt_may_extend(const medtone_result *r, const mt_lexicon *lex, uint64_t h, size_t j);

#endif
