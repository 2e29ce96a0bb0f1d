/* normalize.h — the normalized form of a token, the key every lexicon lookup uses.
 *
 * One function turns the bytes of a token into its normalized form, appended to the token list's
 * buffer. What "normalized" means depends on the kind of token (mt_norm_mode). All Unicode work
 * goes through utf8proc, one code point at a time (utf8proc_decompose_char into a reused
 * workspace), so normalizing never allocates once the buffers are large enough; spans that are
 * plain ASCII take a fast path that never calls utf8proc at all. */
#ifndef MT_NORMALIZE_H
#define MT_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "tokenize.h"

typedef enum mt_norm_mode {
    /* A word: NFKC, case fold, curly apostrophes straight, letters repeated three or more times
     * squashed to two ("goooood" -> "good"), sloppy contractions completed ("dont" -> "don't").
     * Sets ALLCAPS, ELONGATED, CONTRACTION and NEGATION. */
    MT_NORM_WORD,
    /* A hashtag's body (the caller skips the '#'): as a word, but nothing is completed and only
     * ELONGATED is set. "#NotHappy" -> "nothappy". */
    MT_NORM_TAG,
    /* NFKC, case fold, curly apostrophes straight: punctuation, symbols, mentions, cashtags, e-mail
     * addresses, numbers and money. An invalid byte becomes U+FFFD. "…" -> "...". */
    MT_NORM_FOLD,
    /* As FOLD, without spaces and without the dots of "a.m.": doses, percentages and times, so
     * that "10 mg" and "10mg" meet on "10mg" and "9 A.M." on "9am". */
    MT_NORM_COMPACT,
    /* An emoji grapheme without its variation selectors (U+FE0E, U+FE0F) and skin-tone modifiers
     * (U+1F3FB..U+1F3FF), so every skin tone of an emoji finds the same lexicon entry. */
    MT_NORM_EMOJI,
    /* A URL: HTML entities decoded, scheme and host lower-cased, path and query as written (they
     * are case-sensitive). */
    MT_NORM_URL
} mt_norm_mode;

/* Appends the normalized form of the token whose bytes are p[0..n) to t->norm (NUL-terminated,
 * starting at t->norm_len, which it advances), decoding HTML entities and mapping invalid bytes
 * to U+FFFD. `ascii` promises that the bytes are ASCII without any '&', which selects the fast
 * path. ORs MEDTONE_TOKEN_* flags into *flags and stores the form's length in *out_len.
 * Returns 0; MT_NORM_NOMEM when memory ran out or MT_NORM_TOO_LARGE when the form would not fit
 * mt_token's 32-bit length (t->norm_len is then unchanged). */
enum { MT_NORM_NOMEM = -1, MT_NORM_TOO_LARGE = -2 };
int mt_normalize(medtone_tokens *t, const unsigned char *p, size_t n, int ascii, mt_norm_mode mode,
                 unsigned *flags, uint32_t *out_len);

/* MEDTONE_TOKEN_NEGATION and/or MEDTONE_TOKEN_CONTRACTION for a normalized word, e.g. 0 for
 * "good", NEGATION for "never", both for "don't", CONTRACTION for "it's" (but not for the
 * possessive "doctor's"). */
unsigned mt_word_flags(const char *norm, size_t len);

/* For a normalized word w[0..*len) (lower case, elongations squashed, with room for one more
 * byte): completes a sloppy contraction in place ("dont" -> "don't", updating *len) and returns
 * the word's NEGATION and CONTRACTION flags. `apos` says whether w holds an apostrophe;
 * `padded` that w[0..8) may be read whatever *len is. The tokenizer's fast path for ASCII words
 * calls this directly. */
unsigned mt_word_complete(char *w, size_t *len, int apos, int padded);

/* A quick test that lets most words skip mt_word_complete: whether a word of this length, first
 * letter and last letter could be one of the apostrophe-less words it knows (no, never, dont,
 * im...). The pair is hashed to one bit of a 64-bit mask per length; the multiplier 31 let the
 * fewest of the dev posts' words through. */
#define MT_SPECIAL_PAIR(first, last) (((first) + 31u * (last)) & 63u)
extern const uint32_t mt_special_first[9];
extern const uint64_t mt_special_pairs[9];
static inline int mt_word_may_be_special(const char *w, size_t len)
{
    unsigned c0 = (unsigned char)w[0] - 'a';
    if (len < 2 || len > 8 || c0 >= 26 || !(mt_special_first[len] >> c0 & 1)) return 0;
    unsigned cl = (unsigned char)w[len - 1] - 'a';
    return (int)(mt_special_pairs[len] >> MT_SPECIAL_PAIR(c0, cl) & 1);
}

#endif
