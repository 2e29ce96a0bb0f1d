/* normalize.c — a token's normalized form: NFKC + case fold through utf8proc (ASCII never
 * reaches utf8proc), straight apostrophes, squashed elongations, completed sloppy contractions,
 * and the word flags that follow from the normalized form. */
#include <string.h>

#include <utf8proc.h>

#include "medtone.h"
#include "alloc.h"
#include "normalize.h"
#include "utf8.h"

/* ---------------------------------------------------------------------------------------------
 * Word lists. Keys are normalized (lower case, straight apostrophes).
 * ------------------------------------------------------------------------------------------- */

#define NEG MEDTONE_TOKEN_NEGATION
#define CON MEDTONE_TOKEN_CONTRACTION

/* Words without an apostrophe that negate, or that are contractions typed without it (and what
 * they complete to). Every "n't" form with its apostrophe is caught by its suffix instead.
 * Sloppy forms that are also ordinary words with another meaning stay as written: ill, id, its,
 * lets, were, well, wed, hell, shell. (cant and wont are words too, but in posts they are nearly
 * always can't and won't.) Grouped by length, so a lookup compares a handful of entries. */
typedef struct special {
    union {
        char c[8]; /* the word, zero-padded: compared as one 64-bit key */
        uint64_t k;
    } word;
    char full[11]; /* the completed contraction, or "" */
    unsigned char flags;
} special;

static const special len2[] = {{{"no"}, "", NEG}, {{"im"}, "i'm", CON}};
static const special len3[] = {
    {{"not"}, "", NEG}, {{"nor"}, "", NEG}, {{"ive"}, "i've", CON}, {{"hes"}, "he's", CON}};
static const special len4[] = {{{"none"}, "", NEG},
                               {{"dont"}, "don't", NEG | CON},
                               {{"cant"}, "can't", NEG | CON},
                               {{"wont"}, "won't", NEG | CON},
                               {{"aint"}, "ain't", NEG | CON},
                               {{"isnt"}, "isn't", NEG | CON},
                               {{"yall"}, "y'all", CON},
                               {{"weve"}, "we've", CON},
                               {{"whos"}, "who's", CON},
                               {{"shes"}, "she's", CON},
                               {{"itll"}, "it'll", CON}};
static const special len5[] = {{{"never"}, "", NEG},
                               {{"didnt"}, "didn't", NEG | CON},
                               {{"wasnt"}, "wasn't", NEG | CON},
                               {{"arent"}, "aren't", NEG | CON},
                               {{"hasnt"}, "hasn't", NEG | CON},
                               {{"hadnt"}, "hadn't", NEG | CON},
                               {{"youre"}, "you're", CON},
                               {{"youve"}, "you've", CON},
                               {{"youll"}, "you'll", CON},
                               {{"thats"}, "that's", CON},
                               {{"whats"}, "what's", CON},
                               {{"heres"}, "here's", CON}};
static const special len6[] = {{{"cannot"}, "", NEG},
                               {{"nobody"}, "", NEG},
                               {{"doesnt"}, "doesn't", NEG | CON},
                               {{"werent"}, "weren't", NEG | CON},
                               {{"havent"}, "haven't", NEG | CON},
                               {{"mustnt"}, "mustn't", NEG | CON},
                               {{"neednt"}, "needn't", NEG | CON},
                               {{"theyre"}, "they're", CON},
                               {{"theyve"}, "they've", CON},
                               {{"theyll"}, "they'll", CON},
                               {{"theres"}, "there's", CON},
                               {{"mustve"}, "must've", CON}};
static const special len7[] = {{{"neither"}, "", NEG},
                               {{"nothing"}, "", NEG},
                               {{"nowhere"}, "", NEG},
                               {{"without"}, "", NEG},
                               {{"couldnt"}, "couldn't", NEG | CON},
                               {{"wouldnt"}, "wouldn't", NEG | CON},
                               {{"couldve"}, "could've", CON},
                               {{"wouldve"}, "would've", CON},
                               {{"mightve"}, "might've", CON}};
static const special len8[] = {{{"shouldnt"}, "shouldn't", NEG | CON},
                               {{"shouldve"}, "should've", CON}};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const special *e;
    size_t n;
} by_len[9] = {
    {NULL, 0},           {NULL, 0},           {len2, COUNT(len2)},
    {len3, COUNT(len3)}, {len4, COUNT(len4)}, {len5, COUNT(len5)},
    {len6, COUNT(len6)}, {len7, COUNT(len7)}, {len8, COUNT(len8)},
};

/* The first letters of each length's words (see mt_word_may_be_special). test_tokenize has a row
 * for every entry above, so a letter missing here fails it. */
#define B(c) (1u << ((c) - 'a'))
const uint32_t mt_special_first[9] = {
    0,
    0,
    B('i') | B('n'),
    B('h') | B('i') | B('n'),
    B('a') | B('c') | B('d') | B('i') | B('n') | B('s') | B('w') | B('y'),
    B('a') | B('d') | B('h') | B('n') | B('t') | B('w') | B('y'),
    B('c') | B('d') | B('h') | B('m') | B('n') | B('t') | B('w'),
    B('c') | B('m') | B('n') | B('w'),
    B('s'),
};
#undef B

/* The (first letter, last letter) pairs of each length's words, hashed to one bit of 64 (see
 * mt_word_may_be_special): "were", "with" and "what" pass the first-letter test but end in a
 * letter no special word of their first letter and length ends in. On the dev posts this leaves
 * a fifth of the first test's words for mt_word_complete. Collisions only let a word through. */
#define P(first, last)                                                                             \
    ((uint64_t)1 << MT_SPECIAL_PAIR((unsigned)(first) - 'a', (unsigned)(last) - 'a'))
const uint64_t mt_special_pairs[9] = {
    0,
    0,
    P('i', 'm') | P('n', 'o'),
    P('h', 's') | P('i', 'e') | P('n', 'r') | P('n', 't'),
    P('a', 't') | P('c', 't') | P('d', 't') | P('i', 'l') | P('i', 't') | P('n', 'e') |
        P('s', 's') | P('w', 'e') | P('w', 's') | P('w', 't') | P('y', 'l'),
    P('a', 't') | P('d', 't') | P('h', 's') | P('h', 't') | P('n', 'r') | P('t', 's') |
        P('w', 's') | P('w', 't') | P('y', 'e') | P('y', 'l'),
    P('c', 't') | P('d', 't') | P('h', 't') | P('m', 'e') | P('m', 't') | P('n', 't') |
        P('n', 'y') | P('t', 'e') | P('t', 'l') | P('t', 's') | P('w', 't'),
    P('c', 'e') | P('c', 't') | P('m', 'e') | P('n', 'e') | P('n', 'g') | P('n', 'r') |
        P('w', 'e') | P('w', 't'),
    P('s', 'e') | P('s', 't'),
};
#undef P

/* The entry for w[0..len), if any. `padded`: w[0..8) may be read whatever len is, so the key is
 * one load instead of a byte loop. */
static const special *find_special(const char *w, size_t len, int padded)
{
    if (!mt_word_may_be_special(w, len)) return NULL;
    uint64_t key = 0;
    if (padded) {
        memcpy(&key, w, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        if (len < 8) key &= ~(~(uint64_t)0 >> (8 * len));
#else
        if (len < 8) key &= ~(~(uint64_t)0 << (8 * len));
#endif
    } else {
        memcpy(&key, w, len); /* len <= 8: the rest of key stays zero, as in the table */
    }
    const special *e = by_len[len].e;
    for (size_t i = 0, n = by_len[len].n; i < n; i++)
        if (e[i].word.k == key) return &e[i];
    return NULL;
}

/* Stems whose "'s" is "is" or "has" (it's, that's) rather than a possessive (doctor's). */
static const char *const s_contraction_stems[] = {
    "it",       "he",      "she",       "that",   "what",    "where",     "who",      "there",
    "here",     "how",     "let",       "when",   "why",     "everybody", "everyone", "everything",
    "somebody", "someone", "something", "nobody", "nothing", "this",
};

/* Contractions that no suffix rule catches. */
static const char *const other_contractions[] = {"y'all", "ya'll", "ma'am", "c'mon", "o'clock"};

static int in_list(const char *const *list, size_t count, const char *w, size_t len)
{
    for (size_t i = 0; i < count; i++)
        if (list[i][0] == w[0] && strlen(list[i]) == len && memcmp(list[i], w, len) == 0) return 1;
    return 0;
}

static int ends_with(const char *w, size_t len, const char *suffix, size_t slen)
{
    return len > slen && memcmp(w + len - slen, suffix, slen) == 0;
}

/* The flags of a word that holds an apostrophe. */
static unsigned apostrophe_flags(const char *w, size_t len)
{
    if (ends_with(w, len, "n't", 3)) return NEG | CON;
    if (ends_with(w, len, "'m", 2) || ends_with(w, len, "'re", 3) || ends_with(w, len, "'ve", 3) ||
        ends_with(w, len, "'ll", 3) || ends_with(w, len, "'d", 2))
        return CON;
    if (ends_with(w, len, "'s", 2) &&
        in_list(s_contraction_stems, COUNT(s_contraction_stems), w, len - 2))
        return CON;
    if (in_list(other_contractions, COUNT(other_contractions), w, len)) return CON;
    return 0;
}

unsigned mt_word_flags(const char *w, size_t len)
{
    if (len < 2) return 0;
    if (memchr(w, '\'', len)) return apostrophe_flags(w, len);
    const special *e = find_special(w, len, 0);
    return e ? e->flags : 0;
}

unsigned mt_word_complete(char *w, size_t *len, int apos, int padded)
{
    if (*len < 2) return 0;
    if (apos) return apostrophe_flags(w, *len);
    const special *e = find_special(w, *len, padded);
    if (!e) return 0;
    if (e->full[0]) {
        size_t n = strlen(e->full);
        memcpy(w, e->full, n);
        *len = n;
    }
    return e->flags;
}

#undef NEG
#undef CON

/* ---------------------------------------------------------------------------------------------
 * Buffers
 * ------------------------------------------------------------------------------------------- */

static inline int reserve_norm(medtone_tokens *t, size_t extra)
{
    if (t->norm_cap - t->norm_len >= extra) return 0;
    if (extra > SIZE_MAX - t->norm_len) return -1;
    return mt_reserve((void **)&t->norm, &t->norm_cap, t->norm_len + extra, 1);
}

static inline int reserve_cps(medtone_tokens *t, size_t need)
{
    if (need <= t->scratch_cap) return 0;
    return mt_reserve(&t->scratch, &t->scratch_cap, need, sizeof(int32_t));
}

/* Closes the form that starts at t->norm + t->norm_len and is len bytes long. */
static int finish(medtone_tokens *t, size_t len, uint32_t *out_len)
{
    if (len >= UINT32_MAX) return MT_NORM_TOO_LARGE;
    t->norm[t->norm_len + len] = '\0';
    t->norm_len += len + 1;
    *out_len = (uint32_t)len;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * ASCII fast path
 * ------------------------------------------------------------------------------------------- */

static inline int is_upper_ascii(unsigned c)
{
    return c - 'A' < 26u;
}

static inline int is_lower_ascii(unsigned c)
{
    return c - 'a' < 26u;
}

/* Where the host of a URL ends: lower-casing stops there. */
static size_t url_host_end(const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (size_t k = 0; k + 2 < n; k++) {
        if (p[k] == ':' && p[k + 1] == '/' && p[k + 2] == '/') {
            i = k + 3;
            break;
        }
        if (p[k] == '/' || p[k] == '?' || p[k] == '#') break;
    }
    while (i < n && p[i] != '/' && p[i] != '?' && p[i] != '#')
        i++;
    return i;
}

static int norm_ascii(medtone_tokens *t, const unsigned char *p, size_t n, mt_norm_mode mode,
                      unsigned *flags, uint32_t *out_len)
{
    if (reserve_norm(t, n + 2)) return MT_NORM_NOMEM;
    char *start = t->norm + t->norm_len;
    char *d = start;
    if (mode == MT_NORM_WORD || mode == MT_NORM_TAG) {
        unsigned letters = 0, upper = 0, prev = 0, run = 0, f = 0, apos = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned c = p[i];
            if (is_upper_ascii(c)) {
                c += 32;
                upper++;
                letters++;
            } else if (is_lower_ascii(c)) {
                letters++;
            } else if (c == '\'' || c == '`') {
                c = '\''; /* "don`t": a keyboard without an apostrophe key */
                apos = 1;
            }
            if (c == prev) {
                if (++run >= 3 && is_lower_ascii(c)) {
                    f |= MEDTONE_TOKEN_ELONGATED;
                    continue;
                }
            } else {
                prev = c;
                run = 1;
            }
            *d++ = (char)c;
        }
        size_t len = (size_t)(d - start);
        if (mode == MT_NORM_WORD) {
            if (letters >= 2 && upper == letters) f |= MEDTONE_TOKEN_ALLCAPS;
            f |= mt_word_complete(start, &len, (int)apos, 0);
        }
        *flags |= f;
        return finish(t, len, out_len);
    }
    size_t host_end = mode == MT_NORM_URL ? url_host_end(p, n) : n;
    for (size_t i = 0; i < n; i++) {
        unsigned c = p[i];
        if (i < host_end && is_upper_ascii(c)) c += 32;
        if (mode == MT_NORM_COMPACT &&
            (c == ' ' || (c == '.' && d > start && is_lower_ascii((unsigned char)d[-1]))))
            continue;
        *d++ = (char)c;
    }
    return finish(t, (size_t)(d - start), out_len);
}

/* ---------------------------------------------------------------------------------------------
 * Unicode path
 * ------------------------------------------------------------------------------------------- */

static int is_apostrophe(int32_t cp)
{
    /* right and left single quotation marks, the reversed one, the modifier letter apostrophe, and
     * the acute accent that some keyboards type for an apostrophe ("don´t") */
    return cp == 0x2019 || cp == 0x2018 || cp == 0x201B || cp == 0x02BC || cp == 0x00B4;
}

static int is_skin_tone_or_selector(int32_t cp)
{
    return (cp >= 0x1F3FB && cp <= 0x1F3FF) || cp == 0xFE0F || cp == 0xFE0E;
}

static int is_letter_cp(int32_t cp)
{
    if (cp < 0x80) return is_lower_ascii((unsigned)cp) || is_upper_ascii((unsigned)cp);
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

/* Puts the combining marks of cps[0..n) in canonical order, as NFKC requires before composing
 * (utf8proc does the same inside utf8proc_decompose, which works on whole strings only): a stable
 * sort by combining class of each run of marks. A run longer than the 30 marks of Unicode's
 * stream-safe format is no text anyone reads; it is left in place, so that a hostile post of
 * alternating marks costs linear time rather than quadratic. */
static void canonical_order(int32_t *cps, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (utf8proc_get_property(cps[i])->combining_class == 0) {
            i++;
            continue;
        }
        size_t run = i;
        while (i < n && utf8proc_get_property(cps[i])->combining_class != 0)
            i++;
        if (i - run > 32) continue;
        for (size_t k = run + 1; k < i; k++) { /* insertion sort: stable */
            int32_t c = cps[k];
            int cc = utf8proc_get_property(c)->combining_class;
            size_t m = k;
            while (m > run && utf8proc_get_property(cps[m - 1])->combining_class > cc) {
                cps[m] = cps[m - 1];
                m--;
            }
            cps[m] = c;
        }
    }
}

/* The general path: spans with non-ASCII characters or HTML entities. */
static int norm_unicode(medtone_tokens *t, const unsigned char *p, size_t n, mt_norm_mode mode,
                        unsigned *flags, uint32_t *out_len)
{
    const utf8proc_option_t opts =
        UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE | UTF8PROC_IGNORE;
    const int fold = mode != MT_NORM_EMOJI && mode != MT_NORM_URL;
    size_t host_end = mode == MT_NORM_URL ? url_host_end(p, n) : 0;
    size_t ncp = 0;
    unsigned letters = 0, upper = 0;

    /* 1. Characters to code points, each decomposed and case folded on its own. */
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t at = i;
        i += mt_char_at(p, n, i, &cp);
        if (cp == MT_CP_INVALID) cp = MT_CP_REPLACEMENT;
        if (reserve_cps(t, ncp + 32)) return MT_NORM_NOMEM;
        int32_t *cps = t->scratch;
        if (mode == MT_NORM_EMOJI) {
            if (!is_skin_tone_or_selector(cp)) cps[ncp++] = cp;
            continue;
        }
        if (mode == MT_NORM_URL) {
            if (at < host_end && is_upper_ascii((unsigned)cp)) cp += 32;
            cps[ncp++] = cp;
            continue;
        }
        if (mode == MT_NORM_WORD) {
            if (cp < 0x80) {
                if (is_upper_ascii((unsigned)cp))
                    upper++, letters++;
                else if (is_lower_ascii((unsigned)cp))
                    letters++;
            } else {
                utf8proc_category_t c = utf8proc_category(cp);
                if (c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT)
                    upper++, letters++;
                else if (c >= UTF8PROC_CATEGORY_LL && c <= UTF8PROC_CATEGORY_LO)
                    letters++;
            }
            if (cp == '`') cp = '\'';
        }
        if (is_apostrophe(cp)) cp = '\'';
        if (cp < 0x80) {
            cps[ncp++] = is_upper_ascii((unsigned)cp) ? cp + 32 : cp;
            continue;
        }
        utf8proc_ssize_t r = utf8proc_decompose_char(cp, cps + ncp, 32, opts, NULL);
        if (r > 32) { /* a long compatibility decomposition (U+FDFA has 18): make room, redo */
            if (reserve_cps(t, ncp + (size_t)r)) return MT_NORM_NOMEM;
            cps = t->scratch;
            r = utf8proc_decompose_char(cp, cps + ncp, r, opts, NULL);
        }
        if (r < 0) { /* cannot happen for a scalar value; keep the character rather than fail */
            cps[ncp++] = cp;
            continue;
        }
        ncp += (size_t)r;
    }

    /* 2. Canonical order and composition: NFKC. */
    int32_t *cps = t->scratch;
    if (fold && ncp > 1) {
        canonical_order(cps, ncp);
        utf8proc_ssize_t r = utf8proc_normalize_utf32(cps, (utf8proc_ssize_t)ncp, UTF8PROC_COMPOSE);
        if (r >= 0) ncp = (size_t)r;
    }
    if (mode == MT_NORM_EMOJI && ncp == 0) { /* a lone skin-tone modifier: keep what was there */
        for (size_t i = 0; i < n;) {
            int32_t cp;
            i += mt_char_at(p, n, i, &cp);
            cps[ncp++] = cp == MT_CP_INVALID ? MT_CP_REPLACEMENT : cp;
            if (ncp == 32) break;
        }
    }

    /* 3. Back to UTF-8, squashing elongations in words and hashtags. */
    if (ncp > (SIZE_MAX - 2) / 4 || reserve_norm(t, ncp * 4 + 2)) return MT_NORM_NOMEM;
    char *start = t->norm + t->norm_len;
    char *d = start;
    const int squash = mode == MT_NORM_WORD || mode == MT_NORM_TAG;
    int32_t prev = -1;
    unsigned run = 0, f = 0;
    for (size_t k = 0; k < ncp; k++) {
        int32_t cp = cps[k];
        if (squash) {
            if (cp == prev) {
                if (++run >= 3 && is_letter_cp(cp)) {
                    f |= MEDTONE_TOKEN_ELONGATED;
                    continue;
                }
            } else {
                prev = cp;
                run = 1;
            }
        }
        if (mode == MT_NORM_COMPACT &&
            (cp == ' ' || (cp == '.' && d > start && is_lower_ascii((unsigned char)d[-1]))))
            continue;
        d += mt_utf8_encode(cp, d);
    }
    size_t len = (size_t)(d - start);
    if (mode == MT_NORM_WORD) {
        if (letters >= 2 && upper == letters) f |= MEDTONE_TOKEN_ALLCAPS;
        f |= mt_word_complete(start, &len, memchr(start, '\'', len) != NULL, 0);
    }
    *flags |= f;
    return finish(t, len, out_len);
}

int mt_normalize(medtone_tokens *t, const unsigned char *p, size_t n, int ascii, mt_norm_mode mode,
                 unsigned *flags, uint32_t *out_len)
{
    if (ascii) return norm_ascii(t, p, n, mode, flags, out_len);
    return norm_unicode(t, p, n, mode, flags, out_len);
}
