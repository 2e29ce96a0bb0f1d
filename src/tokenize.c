/* tokenize.c — the social-text tokenizer behind medtone_tokenize.
 *
 * One left-to-right pass over the original bytes. At each offset the first byte picks a scanner:
 * ASCII letters, ASCII digits, other ASCII, or a non-ASCII character (decoded, then classified
 * through utf8proc). A plain ASCII word, most of a post, is scanned, lower-cased and checked in
 * one step (16 bytes at a time with SSE2) straight into the normalized-form buffer; utf8proc is
 * only consulted for non-ASCII characters. Every token is appended to buffers that the token list
 * keeps from call to call, so a warm list tokenizes without allocating.
 *
 * Decisions worth knowing (each one is a row of tests/unit/test_tokenize.c):
 *   - A number, ONE space and a unit is one DOSE token: "10 mg" (span "10 mg", normalized
 *     "10mg"), as are "12.5 %" (PERCENT) and "9 am" (TIME). Only measurement units may follow a
 *     space (mg mcg µg ug kg ml cc iu mmol meq units); counted forms (tabs, pills, x) must touch
 *     the number: "2tabs", "2x/day". A bare "g" is never a unit, so "5G" and "5g" stay words.
 *   - Emoticons are normalized in lower case with a repeated mouth written once:
 *     ":-)))" -> ":-)", "XD" -> "xd", "&lt;3" -> "<3".
 *   - Sloppy contractions that get completed ("dont" -> "don't") carry the CONTRACTION flag.
 *   - Ambiguous emoticons (":/", "):", "(:", "=)", "D:", "d:", ":3") need white space (or the
 *     start of the text) before them and a boundary after, so "(see above):", "http://x",
 *     "ratio 1:3" and ":30" never yield one; "D:" and "d:" also need a non-word before them, so
 *     "Vitamin D: 1000 IU" reads as a word, and "and:" is a word and a colon.
 *   - Numbers, money and dates keep their form ("1,000", "$1,200.50"): no unit conversion.
 *   - A single token whose normalized form would pass 4 GiB (mt_token's 32-bit length) fails the
 *     call with MEDTONE_ERR_TOO_LARGE; nothing smaller is limited.
 */
#include <string.h>

#include <utf8proc.h>

#include "medtone.h"
#include "alloc.h"
#include "normalize.h"
#include "tokenize.h"
#include "utf8.h"

/* SSE2 (every x86-64) scans a whole short word at once; elsewhere a byte loop does the same. */
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define MT_SSE2 1
#else
#define MT_SSE2 0
#endif

/* ---------------------------------------------------------------------------------------------
 * Character classes
 * ------------------------------------------------------------------------------------------- */

enum {
    C_SPACE = 0x01,  /* white space, NUL and the other control characters: separators */
    C_ALPHA = 0x02,  /* A-Z a-z */
    C_UPPER = 0x04,  /* A-Z */
    C_DIGIT = 0x08,  /* 0-9 */
    C_PUNCT = 0x10,  /* punctuation: a PUNCT token */
    C_SYMBOL = 0x20, /* any other printable ASCII: a SYMBOL token */
    C_URL = 0x40,    /* may appear inside a URL */
    C_LOCAL = 0x80,  /* may appear in the local part of an e-mail address */
    C_ALNUM = C_ALPHA | C_DIGIT
};

#define S C_SPACE
#define A (C_ALPHA | C_URL | C_LOCAL)
#define U (C_ALPHA | C_UPPER | C_URL | C_LOCAL)
#define D (C_DIGIT | C_URL | C_LOCAL)
#define P C_PUNCT
#define Y C_SYMBOL
#define R C_URL
#define L C_LOCAL
/* clang-format off */
static const unsigned char cls[256] = {
    S,     S,     S,     S,         S,     S,         S,         S,
    S,     S,     S,     S,         S,     S,         S,         S,
    S,     S,     S,     S,         S,     S,         S,         S,
    S,     S,     S,     S,         S,     S,         S,         S,
    S,     P | R, P,     Y | R,     Y | R, Y | R | L, Y | R,     P | R,     /*  !"#$%&' */
    P | R, P | R, Y | R, Y | R | L, P | R, P | R | L, P | R | L, P | R,     /* ()*+,-./ */
    D,     D,     D,     D,         D,     D,         D,         D,         /* 01234567 */
    D,     D,     P | R, P | R,     Y,     Y | R,     Y,         P | R,     /* 89:;<=>? */
    Y | R, U,     U,     U,         U,     U,         U,         U,         /* @ABCDEFG */
    U,     U,     U,     U,         U,     U,         U,         U,
    U,     U,     U,     U,         U,     U,         U,         U,
    U,     U,     U,     P | R,     P,     P | R,     Y,         Y | R | L, /* XYZ[\]^_ */
    Y,     A,     A,     A,         A,     A,         A,         A,         /* `abcdefg */
    A,     A,     A,     A,         A,     A,         A,         A,
    A,     A,     A,     A,         A,     A,         A,         A,
    A,     A,     A,     P,         Y,     P,         Y | R,     S,         /* xyz{|}~ DEL */
    /* 0x80..0xFF: not ASCII; decoded by the non-ASCII scanner */
};
/* clang-format on */
#undef S
#undef A
#undef U
#undef D
#undef P
#undef Y
#undef R
#undef L

static inline int is_alpha(unsigned c)
{
    return cls[c & 0xFF] & C_ALPHA;
}

static inline int is_digit(unsigned c)
{
    return c - '0' < 10u;
}

static inline int is_alnum(unsigned c)
{
    return cls[c & 0xFF] & C_ALNUM;
}

static inline unsigned lower(unsigned c)
{
    return c - 'A' < 26u ? c + 32 : c;
}

/* What a non-ASCII character is to the tokenizer. */
enum {
    U_INVALID,    /* a byte that begins no valid UTF-8 sequence */
    U_SPACE,      /* Z*, Cc, Cf: separates tokens */
    U_IGNORABLE,  /* a variation selector on its own: skipped like white space */
    U_LETTER,     /* L*, M*, N*: part of a word */
    U_HAN,        /* an ideograph: a word on its own */
    U_EMOJI,      /* starts an emoji grapheme */
    U_EMOJI_TEXT, /* pictographic but usually text (©, ™, ‼): an emoji only before U+FE0F */
    U_APOS,       /* an apostrophe look-alike: inside a word when a letter follows */
    U_HYPHEN,     /* U+2010, U+2011: inside a word between letters or digits */
    U_PUNCT,      /* other P* */
    U_CURRENCY,   /* Sc: money before or after a number */
    U_SYMBOL      /* other S*, private use, unassigned */
};

static int is_han(int32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x3FFFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0x2E80 && cp <= 0x2FDF) || cp == 0x3005 || cp == 0x3007;
}

static int uclass(int32_t cp)
{
    if (cp < 0) return U_INVALID;
    if (cp >= 0x1F3FB && cp <= 0x1F3FF) return U_EMOJI; /* a skin tone on its own */
    const utf8proc_property_t *pr = utf8proc_get_property(cp);
    switch (pr->boundclass) {
    case UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC:
    case UTF8PROC_BOUNDCLASS_E_ZWG:
    case UTF8PROC_BOUNDCLASS_E_BASE:
    case UTF8PROC_BOUNDCLASS_E_BASE_GAZ:
    case UTF8PROC_BOUNDCLASS_GLUE_AFTER_ZWJ:
        /* Below U+2300 the pictographs are ©, ®, ™, ‼, arrows...: text unless U+FE0F follows. */
        return cp < 0x2300 ? U_EMOJI_TEXT : U_EMOJI;
    case UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR:
        return U_EMOJI;
    default:
        break;
    }
    switch (pr->category) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return U_LETTER;
    case UTF8PROC_CATEGORY_LO:
        return is_han(cp) ? U_HAN : U_LETTER;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        if ((cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) ||
            (cp >= 0x180B && cp <= 0x180F))
            return U_IGNORABLE;
        return U_LETTER;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
        return U_SPACE;
    case UTF8PROC_CATEGORY_PD:
        return cp == 0x2010 || cp == 0x2011 ? U_HYPHEN : U_PUNCT;
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
        return cp == 0x2019 || cp == 0x2018 || cp == 0x201B ? U_APOS : U_PUNCT;
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PO:
        return U_PUNCT;
    case UTF8PROC_CATEGORY_SC:
        return U_CURRENCY;
    case UTF8PROC_CATEGORY_SK:
        return cp == 0x00B4 ? U_APOS : U_SYMBOL;
    default:
        return U_SYMBOL;
    }
}

/* ---------------------------------------------------------------------------------------------
 * The scanner and token output
 * ------------------------------------------------------------------------------------------- */

typedef struct scanner {
    const unsigned char *s;
    size_t len;
    medtone_tokens *t;
    medtone_status status; /* MEDTONE_OK until something fails; the scan then stops */
} scanner;

static int span_is_ascii(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] >= 0x80 || p[i] == '&') return 0;
    return 1;
}

static inline mt_token *new_token(scanner *sc)
{
    medtone_tokens *t = sc->t;
    if (t->count == t->cap &&
        mt_reserve((void **)&t->tok, &t->cap, t->count + 1, sizeof(mt_token))) {
        sc->status = MEDTONE_ERR_NOMEM;
        return NULL;
    }
    return &t->tok[t->count];
}

/* Appends a token spanning [off, end) whose normalized form is that of [noff, end) in `mode`.
 * ascii: 1 when [noff, end) is known to be ASCII without '&', 0 when known not to be, -1 to
 * check. Returns end, so scanners can `return emit(...)`. */
static inline size_t emit(scanner *sc, medtone_token_kind kind, size_t off, size_t noff, size_t end,
                          unsigned flags, uint32_t repeat, mt_norm_mode mode, int ascii)
{
    mt_token *k = new_token(sc);
    if (!k) return end;
    medtone_tokens *t = sc->t;
    const unsigned char *p = sc->s + noff;
    size_t n = end - noff;
    if (ascii < 0) ascii = span_is_ascii(p, n);
    size_t norm_off = t->norm_len;
    uint32_t norm_len;
    int r = mt_normalize(t, p, n, ascii, mode, &flags, &norm_len);
    if (r) {
        sc->status = r == MT_NORM_TOO_LARGE ? MEDTONE_ERR_TOO_LARGE : MEDTONE_ERR_NOMEM;
        return end;
    }
    k->off = off;
    k->len = end - off;
    k->norm_off = norm_off;
    k->norm_len = norm_len;
    k->repeat = repeat;
    k->kind = (uint16_t)kind;
    k->flags = (uint16_t)flags;
    t->count++;
    return end;
}

/* The same with a normalized form given by the scanner (emoticons, ASCII punctuation). */
static inline size_t emit_norm(scanner *sc, medtone_token_kind kind, size_t off, size_t end,
                               const char *norm, size_t norm_len, uint32_t repeat)
{
    mt_token *k = new_token(sc);
    if (!k) return end;
    medtone_tokens *t = sc->t;
    if (norm_len > UINT32_MAX || repeat == 0) { /* repeat wrapped: a run of 4G marks */
        sc->status = MEDTONE_ERR_TOO_LARGE;
        return end;
    }
    if (t->norm_cap - t->norm_len <= norm_len &&
        mt_reserve((void **)&t->norm, &t->norm_cap, t->norm_len + norm_len + 1, 1)) {
        sc->status = MEDTONE_ERR_NOMEM;
        return end;
    }
    memcpy(t->norm + t->norm_len, norm, norm_len);
    t->norm[t->norm_len + norm_len] = '\0';
    k->off = off;
    k->len = end - off;
    k->norm_off = t->norm_len;
    k->norm_len = (uint32_t)norm_len;
    k->repeat = repeat;
    k->kind = (uint16_t)kind;
    k->flags = 0;
    t->norm_len += norm_len + 1;
    t->count++;
    return end;
}

/* Whether a letter (ASCII or not) starts at i. */
static int letter_at(const scanner *sc, size_t i)
{
    if (i >= sc->len) return 0;
    int32_t cp;
    mt_char_at(sc->s, sc->len, i, &cp);
    if (cp < 0x80) return cp >= 0 && is_alpha((unsigned)cp);
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

/* Whether a letter, mark or digit starts at i. */
static int word_char_at(const scanner *sc, size_t i)
{
    if (i >= sc->len) return 0;
    int32_t cp;
    mt_char_at(sc->s, sc->len, i, &cp);
    if (cp < 0x80) return cp >= 0 && is_alnum((unsigned)cp);
    return uclass(cp) == U_LETTER;
}

/* Whether the bytes at i are U+20E3, maybe after U+FE0F: what makes a digit, '#' or '*' a keycap.
 */
static int keycap_follows(const scanner *sc, size_t i)
{
    const unsigned char *s = sc->s;
    size_t n = sc->len;
    if (i + 3 <= n && s[i] == 0xEF && s[i + 1] == 0xB8 && s[i + 2] == 0x8F) i += 3;
    return i + 3 <= n && s[i] == 0xE2 && s[i + 1] == 0x83 && s[i + 2] == 0xA3;
}

/* ---------------------------------------------------------------------------------------------
 * Emoji: one token per extended grapheme cluster (UAX #29, through utf8proc)
 * ------------------------------------------------------------------------------------------- */

static size_t scan_emoji(scanner *sc, size_t i)
{
    int32_t prev, cp;
    size_t k = i + mt_char_at(sc->s, sc->len, i, &prev);
    utf8proc_int32_t state = 0;
    while (k < sc->len) {
        size_t w = mt_char_at(sc->s, sc->len, k, &cp);
        if (cp < 0 || utf8proc_grapheme_break_stateful(prev, cp, &state)) break;
        prev = cp;
        k += w;
    }
    return emit(sc, MEDTONE_TOKEN_EMOJI, i, i, k, 0, 1, MT_NORM_EMOJI, 0);
}

/* ---------------------------------------------------------------------------------------------
 * Emoticons
 * ------------------------------------------------------------------------------------------- */

#define LOOKAHEAD 16

typedef struct emo {
    char c[LOOKAHEAD + 1]; /* ASCII characters from i, entities decoded; 0 after the last */
    size_t pos[LOOKAHEAD + 1];
    int n;
} emo;

static void emo_read(const scanner *sc, size_t i, emo *e)
{
    int n = 0;
    size_t k = i;
    while (n < LOOKAHEAD && k < sc->len) {
        unsigned b = sc->s[k];
        if (b >= 0x80 || (cls[b] & C_SPACE)) break;
        int32_t cp = (int32_t)b;
        size_t w = 1;
        if (b == '&') {
            size_t ew = mt_html_entity(sc->s + k, sc->len - k, &cp);
            if (ew) w = ew;
            if (cp >= 0x80 || cp <= 0x20) break;
        }
        e->c[n] = (char)cp;
        e->pos[n] = k;
        k += w;
        n++;
    }
    e->c[n] = 0;
    e->pos[n] = k;
    e->n = n;
}

static int space_before(const scanner *sc, size_t i)
{
    return i == 0 || (cls[sc->s[i - 1]] & C_SPACE);
}

/* After an ambiguous emoticon: the end, white space, or a closing . , ! ? */
static int weak_after(const scanner *sc, size_t e)
{
    if (e >= sc->len) return 1;
    unsigned b = sc->s[e];
    return (cls[b] & C_SPACE) || b == '.' || b == ',' || b == '!' || b == '?';
}

static int after_not_alnum(const scanner *sc, size_t e)
{
    return e >= sc->len || !is_alnum(sc->s[e]);
}

/* Builds the normalized form: lower case, the mouth run [from, to) written once. */
static size_t emo_norm(const emo *e, int m, int from, int to, char *out)
{
    size_t n = 0;
    for (int k = 0; k < m; k++) {
        if (k > from && k < to) continue;
        out[n++] = (char)lower((unsigned char)e->c[k]);
    }
    return n;
}

/* Western, eyes first: ":)" ":-(" ":'(" ";)" ":D" ":P" "=)" ">:(" ":/" ":*" ":))))". */
static int emo_western(const scanner *sc, size_t i, const emo *e, int *mouth_from, int *mouth_to)
{
    const char *c = e->c;
    int p = 0, sure = 0;
    if (c[0] == '>' && (c[1] == ':' || c[1] == ';')) p = 1, sure = 1;
    char eyes = c[p];
    if (eyes != ':' && eyes != ';' && eyes != '=') return 0;
    p++;
    int tear = 0;
    if (eyes == ':' && c[p] == '\'') p++, sure = 1, tear = 1;
    if (c[p] == '-' || c[p] == '^') p++, sure = 1;
    char mouth = c[p];
    const char *mouths = eyes == ':'   ? ")(DPpOo/\\|*][SsXxcC3"
                         : eyes == ';' ? ")(DPp]*"
                                       : ")(DPp][/\\|Oo";
    if (!mouth || !strchr(mouths, mouth)) return 0;
    if (tear && mouth != ')' && mouth != '(') return 0;
    *mouth_from = p;
    p++;
    if (strchr(")(D][", mouth))
        while (c[p] == mouth)
            p++;
    *mouth_to = p;
    size_t end = e->pos[p];
    /* ":/", ":|", "=)" and friends also occur in ordinary text: they need space around them.
     * So does the cat smile ":3", even with a nose: "ratio 1:3", "John 3:3", "t:-3 C". ("=3" is
     * left out: "n =3 patients".) */
    int weak = (!sure && (eyes == '=' || mouth == '/' || mouth == '\\' || mouth == '|')) ||
               mouth == '3';
    if (weak && (!space_before(sc, i) || !weak_after(sc, end))) return 0;
    /* "effects:(none)", "Note:Pfizer": a word right after it means it was not a face */
    if (!after_not_alnum(sc, end)) return 0;
    return p;
}

/* Western, mouth first: "(:" "):" "(-:" "(;" "(=" "D:" "D;" "D=", and lower-case "d:" only (a
 * lower-case "d;" or "d=" is more often a typo or a formula than a face). Always ambiguous. */
static int emo_reversed(const scanner *sc, size_t i, const emo *e)
{
    const char *c = e->c;
    if (!strchr("()[]Dd", c[0]) || !c[0]) return 0;
    int p = 1;
    if (c[p] == '-') p++;
    if (c[p] != ':' && c[p] != ';' && c[p] != '=') return 0;
    if (c[0] == 'd' && (p != 1 || c[p] != ':')) return 0;
    p++;
    if (!space_before(sc, i) || !weak_after(sc, e->pos[p])) return 0;
    if (c[0] == 'D' || c[0] == 'd') {
        /* "Vitamin D: 1000 IU" is not a frown: no word may come right before "D:". */
        size_t k = i;
        while (k > 0 && (sc->s[k - 1] == ' ' || sc->s[k - 1] == '\t'))
            k--;
        if (k > 0 && (is_alnum(sc->s[k - 1]) || sc->s[k - 1] >= 0x80)) return 0;
    }
    return p;
}

static int same_eye(char a, char b)
{
    if (a == b) return 1;
    if (strchr("oO0", a) && strchr("oO0", b)) return 1;
    if (a == '>' && b == '<') return 1;
    return lower((unsigned char)a) == lower((unsigned char)b) && is_alpha((unsigned char)a);
}

/* Eastern: "^_^" "^^" "-_-" "o_O" "T_T" ">_<" "^o^" "-.-" "._." "x_x" ";_;" "*_*". */
static int emo_eastern(const scanner *sc, size_t i, const emo *e, int *mid_from, int *mid_to)
{
    const char *c = e->c;
    char e1 = c[0];
    if (!e1 || !strchr("^-oO0T;xX><*uU=.", e1)) return 0;
    int p;
    if (c[1] == '_') {
        p = 2;
        while (c[p] == '_')
            p++;
    } else if ((c[1] == '.' || c[1] == '-') && c[1] != e1 && e1 != '.') {
        p = 2;
    } else if (e1 == '^' && c[1] == '^') {
        p = 1;
    } else if (e1 == '^' && c[1] == 'o') {
        p = 2;
    } else {
        return 0;
    }
    if (!c[p] || !same_eye(e1, c[p])) return 0;
    *mid_from = 1;
    *mid_to = p;
    p++;
    if (i > 0 && (is_alnum(sc->s[i - 1]) || sc->s[i - 1] == '_')) return 0;
    if (e1 == '.' && !space_before(sc, i)) return 0;
    size_t end = e->pos[p];
    if (end < sc->len && (is_alnum(sc->s[end]) || sc->s[end] == '_')) return 0;
    return p;
}

/* Tries every emoticon shape at i; emits the token and returns its end, or returns 0. */
static size_t try_emoticon(scanner *sc, size_t i)
{
    emo e;
    emo_read(sc, i, &e);
    if (e.n < 2) return 0;
    const char *c = e.c;
    char norm[LOOKAHEAD + 1];
    size_t nlen;
    int m, from, to;

    if ((c[0] == 'x' || c[0] == 'X') && c[1] == 'D') { /* XD, xDDD */
        m = 2;
        while (c[m] == 'D')
            m++;
        if (!after_not_alnum(sc, e.pos[m])) return 0;
        nlen = emo_norm(&e, m, 1, m, norm);
        return emit_norm(sc, MEDTONE_TOKEN_EMOTICON, i, e.pos[m], norm, nlen, 1);
    }
    if (c[0] == '<' && (c[1] == '3' || ((c[1] == '/' || c[1] == '\\') && c[2] == '3'))) {
        m = c[1] == '3' ? 1 : 2; /* <3, </3, <333 */
        from = m;
        while (c[m] == '3')
            m++;
        if (e.pos[m] < sc->len && is_digit(sc->s[e.pos[m]])) return 0;
        nlen = emo_norm(&e, m, from, m, norm);
        return emit_norm(sc, MEDTONE_TOKEN_EMOTICON, i, e.pos[m], norm, nlen, 1);
    }
    if (c[0] == '\\' && (c[1] == 'o' || c[1] == 'O') && c[2] == '/') { /* \o/ */
        if ((i > 0 && is_alnum(sc->s[i - 1])) || !after_not_alnum(sc, e.pos[3])) return 0;
        nlen = emo_norm(&e, 3, 0, 0, norm);
        return emit_norm(sc, MEDTONE_TOKEN_EMOTICON, i, e.pos[3], norm, nlen, 1);
    }
    if ((m = emo_western(sc, i, &e, &from, &to)) > 0) {
        nlen = emo_norm(&e, m, from, to, norm);
        return emit_norm(sc, MEDTONE_TOKEN_EMOTICON, i, e.pos[m], norm, nlen, 1);
    }
    if ((m = emo_reversed(sc, i, &e)) > 0) {
        nlen = emo_norm(&e, m, 0, 0, norm);
        return emit_norm(sc, MEDTONE_TOKEN_EMOTICON, i, e.pos[m], norm, nlen, 1);
    }
    if ((m = emo_eastern(sc, i, &e, &from, &to)) > 0) {
        nlen = emo_norm(&e, m, from, to, norm);
        return emit_norm(sc, MEDTONE_TOKEN_EMOTICON, i, e.pos[m], norm, nlen, 1);
    }
    return 0;
}

/* A cheap test on the first two bytes before building the lookahead. */
static int may_be_emoticon(unsigned c, unsigned next)
{
    switch (c) {
    case ':':
    case ';':
        return next > 0x20 && next < 0x80;
    case '=':
        return next && strchr(")(DPp][/\\|Oo-_", (int)next) != NULL;
    case '(':
    case ')':
    case '[':
    case ']':
        return next && strchr(":;=-", (int)next) != NULL;
    case '<':
        return next == '3' || next == '/' || next == '\\';
    case '>':
        return next && strchr(":;_.<", (int)next) != NULL;
    case '^':
        return next && strchr("_^.-o", (int)next) != NULL;
    case '-':
        return next == '_' || next == '.';
    case '.':
        return next == '_';
    case '*':
        return next == '_';
    case '\\':
        return next == 'o' || next == 'O';
    default:
        return 0;
    }
}

/* ---------------------------------------------------------------------------------------------
 * URLs and e-mail addresses
 * ------------------------------------------------------------------------------------------- */

/* Top-level domains that make a bare "name.tld" a URL. Two-letter domains that are also common
 * English words (it, in, me, be, us, to, no, so, at...) are left out on purpose. */
static const char *const tlds[] = {
    "com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "io",
    "co",  "uk",  "ca",  "au",  "nz",  "ie",  "de",  "fr",   "es",  "nl",
    "ch",  "jp",  "cn",  "ru",  "br",  "eu",  "tv",  "ly",   "gl",
};

static int is_tld(const unsigned char *p, size_t n)
{
    if (n < 2 || n > 4) return 0;
    char w[5];
    int up = 0, low = 0;
    for (size_t k = 0; k < n; k++) {
        if (!is_alpha(p[k])) return 0;
        if (cls[p[k]] & C_UPPER)
            up = 1;
        else
            low = 1;
        w[k] = (char)lower(p[k]);
    }
    if (up && low) return 0; /* "end.It" is a sentence, not a domain */
    for (size_t k = 0; k < sizeof tlds / sizeof tlds[0]; k++)
        if (strlen(tlds[k]) == n && memcmp(tlds[k], w, n) == 0) return 1;
    return 0;
}

/* The labels of a domain name from d: [A-Za-z0-9-]+ joined by single dots. Fills starts/ends of
 * up to `max` labels and returns how many. */
static int domain_labels(const scanner *sc, size_t d, size_t *starts, size_t *ends, int max)
{
    const unsigned char *s = sc->s;
    int n = 0;
    size_t j = d;
    while (n < max) {
        size_t k = j;
        while (k < sc->len && (is_alnum(s[k]) || s[k] == '-'))
            k++;
        if (k == j) break;
        starts[n] = j;
        ends[n] = k;
        n++;
        if (k + 1 < sc->len && s[k] == '.' && is_alnum(s[k + 1])) {
            j = k + 1;
            continue;
        }
        break;
    }
    return n;
}

/* Extends a URL from j through URL characters, then gives back trailing punctuation that belongs
 * to the sentence: "see cdc.gov/flu." and "(www.x.org/a_(b))" end where a reader expects. */
static size_t url_end(const scanner *sc, size_t start, size_t j)
{
    const unsigned char *s = sc->s;
    size_t k = j;
    long parens = 0, brackets = 0;
    for (size_t q = start; q < j; q++)
        parens += s[q] == '(' ? 1 : s[q] == ')' ? -1 : 0;
    while (k < sc->len) {
        unsigned b = s[k];
        if (b < 0x80) {
            if (!(cls[b] & C_URL)) break;
            parens += b == '(' ? 1 : b == ')' ? -1 : 0;
            brackets += b == '[' ? 1 : b == ']' ? -1 : 0;
            k++;
            continue;
        }
        int32_t cp;
        size_t w = mt_utf8_decode(s + k, sc->len - k, &cp);
        int u = uclass(cp);
        if (u != U_LETTER && u != U_HAN) break;
        k += w;
    }
    while (k > j) {
        unsigned b = s[k - 1];
        if (b == ';' && k - j >= 6 && memcmp(s + k - 6, "&quot;", 6) == 0) {
            k -= 6; /* an entity quote closing the sentence, in scraped text */
        } else if (b == ';' && k - j >= 5 && memcmp(s + k - 5, "&#39;", 5) == 0) {
            k -= 5;
        } else if (b == ';' && k - j >= 4 && memcmp(s + k - 4, "&gt;", 4) == 0) {
            k -= 4;
        } else if (strchr(".,;:!?'*", (int)b)) {
            k--;
        } else if (b == ')' && parens < 0) {
            k--;
            parens++;
        } else if (b == ']' && brackets < 0) {
            k--;
            brackets++;
        } else {
            break;
        }
    }
    return k;
}

/* scheme://rest, from a word that ends at j where "://" follows. */
static size_t try_scheme_url(scanner *sc, size_t start, size_t j)
{
    if (j - start < 2 || j + 3 >= sc->len || !(cls[sc->s[j + 3]] & C_URL) || sc->s[j + 3] == '/')
        return 0;
    size_t end = url_end(sc, start, j + 3);
    if (end <= j + 3) return 0;
    return emit(sc, MEDTONE_TOKEN_URL, start, start, end, 0, 1, MT_NORM_URL, -1);
}

/* A bare domain ("cdc.gov", "nih.gov/abc", "www.x.org") starting at a word. */
static size_t try_domain(scanner *sc, size_t start)
{
    size_t st[16], en[16];
    int n = domain_labels(sc, start, st, en, 16);
    if (n < 2) return 0;
    size_t end = 0;
    if (en[0] - st[0] == 3 && lower(sc->s[st[0]]) == 'w' && lower(sc->s[st[0] + 1]) == 'w' &&
        lower(sc->s[st[0] + 2]) == 'w') {
        end = en[n - 1];
    } else {
        for (int k = n - 1; k >= 1 && !end; k--)
            if (is_tld(sc->s + st[k], en[k] - st[k])) end = en[k];
    }
    if (!end) return 0;
    if (end < sc->len && (sc->s[end] == '@' || sc->s[end] == '_')) return 0;
    if (end < sc->len && sc->s[end] && strchr("/:?#", sc->s[end])) end = url_end(sc, start, end);
    return emit(sc, MEDTONE_TOKEN_URL, start, start, end, 0, 1, MT_NORM_URL, -1);
}

/* name@example.org, starting at a word. */
static size_t try_email(scanner *sc, size_t start)
{
    const unsigned char *s = sc->s;
    size_t j = start;
    /* At most 64 characters (RFC 5321), which also keeps "a.a.a.a..." from being rescanned from
     * every word. */
    while (j < sc->len && j - start <= 64 && (cls[s[j]] & C_LOCAL))
        j++;
    if (j == start || j - start > 64 || j + 1 >= sc->len || s[j] != '@') return 0;
    size_t st[16], en[16];
    int n = domain_labels(sc, j + 1, st, en, 16);
    if (n < 2) return 0;
    size_t tl = en[n - 1] - st[n - 1];
    if (tl < 2) return 0;
    for (size_t q = st[n - 1]; q < en[n - 1]; q++)
        if (!is_alpha(s[q])) return 0;
    return emit(sc, MEDTONE_TOKEN_EMAIL, start, start, en[n - 1], 0, 1, MT_NORM_FOLD, -1);
}

/* ---------------------------------------------------------------------------------------------
 * Words
 * ------------------------------------------------------------------------------------------- */

/* A word from start whose first part [start, j) is already known to be word characters. Takes
 * in letters, digits and marks, apostrophes and hyphens between them, and "f**k"-style stars;
 * then checks whether the word was really the start of an e-mail address or a domain. */
static size_t scan_word(scanner *sc, size_t start, size_t j, int ascii)
{
    const unsigned char *s = sc->s;
    const size_t len = sc->len;
    for (;;) {
        while (j < len && is_alnum(s[j]))
            j++;
        if (j >= len) break;
        unsigned b = s[j];
        if (b < 0x80) {
            if (b == '\'' || b == '`') {
                if (!letter_at(sc, j + 1)) break;
                j++;
            } else if (b == '-') {
                if (!word_char_at(sc, j + 1)) break;
                j++;
            } else if (b == '*') {
                size_t k = j;
                while (k < len && s[k] == '*')
                    k++;
                if (!is_alpha(s[j - 1]) || k >= len || !is_alpha(s[k])) break;
                j = k;
            } else if (b == '&') {
                int32_t cp;
                size_t w = mt_html_entity(s + j, len - j, &cp);
                if (!w) break;
                int u = cp < 0x80 ? (is_alnum((unsigned)cp) ? U_LETTER : -1) : uclass(cp);
                if (cp == '\'' || u == U_APOS) {
                    if (!letter_at(sc, j + w)) break;
                } else if (u != U_LETTER) {
                    break;
                }
                j += w;
                ascii = 0;
            } else {
                break;
            }
            continue;
        }
        int32_t cp;
        size_t w = mt_utf8_decode(s + j, len - j, &cp);
        int u = uclass(cp);
        if (u == U_LETTER) {
            j += w;
        } else if (u == U_APOS && letter_at(sc, j + w)) {
            j += w;
        } else if (u == U_HYPHEN && word_char_at(sc, j + w)) {
            j += w;
        } else if ((cp == 0x200D || cp == 0x200C || cp == 0x00AD) && letter_at(sc, j + w)) {
            j += w; /* joiners and the soft hyphen inside a word */
        } else {
            break;
        }
        ascii = 0;
    }
    if (j < len) {
        unsigned b = s[j];
        if (b == '@' || b == '.' || b == '_' || b == '+' || b == '%') {
            size_t e = try_email(sc, start);
            if (e) return e;
        }
        if (b == '.') {
            size_t e = try_domain(sc, start);
            if (e) return e;
        }
    }
    return emit(sc, MEDTONE_TOKEN_WORD, start, start, j, 0, 1, MT_NORM_WORD, ascii);
}

#if MT_SSE2
static inline __m128i byte_range(__m128i v, char lo, char hi)
{
    /* signed compares: bytes of 0x80 and above are negative, so never in an ASCII range */
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1))));
}

/* The ASCII word at p (16 readable bytes) in one go, when it is shorter than 16 bytes: its length
 * in *len, its lower-cased bytes in out[0..16), whether it is ALLCAPS and whether some byte
 * repeats three times in a row (then the general normalizer squashes it). Returns 0 for a word
 * of 16 bytes or more, which the byte loop handles. */
static inline int word16(const unsigned char *p, char *out, size_t *len, int *allcaps,
                         int *elongated)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i up = byte_range(v, 'A', 'Z');
    __m128i alpha = _mm_or_si128(up, byte_range(v, 'a', 'z'));
    unsigned word = (unsigned)_mm_movemask_epi8(_mm_or_si128(alpha, byte_range(v, '0', '9')));
    if (word == 0xFFFF) return 0;
    unsigned n = (unsigned)__builtin_ctz(~word), keep = (1u << n) - 1;
    __m128i lc = _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20)));
    _mm_storeu_si128((__m128i *)(void *)out, lc);
    unsigned am = (unsigned)_mm_movemask_epi8(alpha) & keep;
    unsigned um = (unsigned)_mm_movemask_epi8(up) & keep;
    *allcaps = (am & (am - 1)) != 0 && am == um; /* two letters or more, all upper case */
    __m128i same1 = _mm_cmpeq_epi8(lc, _mm_slli_si128(lc, 1));
    __m128i same2 = _mm_cmpeq_epi8(lc, _mm_slli_si128(lc, 2));
    *elongated = ((unsigned)_mm_movemask_epi8(_mm_and_si128(same1, same2)) & keep) != 0;
    *len = n;
    return 1;
}
#endif

/* A token starting with an ASCII letter. The common case, a plain ASCII word, is scanned and
 * normalized in one loop straight into the normalized-form buffer; anything unusual after the
 * letters (an apostrophe, a hyphen, non-ASCII, '@', "://") hands over to the general scanners,
 * which overwrite that speculative output. */
static size_t scan_alpha(scanner *sc, size_t start)
{
    const unsigned char *s = sc->s;
    const size_t n = sc->len;
    medtone_tokens *t = sc->t;
    /* Room for any word from here on: the loop below writes without checking. */
    if (t->norm_cap - t->norm_len < n - start + 2 &&
        mt_reserve((void **)&t->norm, &t->norm_cap, t->norm_len + (n - start) + 2, 1)) {
        sc->status = MEDTONE_ERR_NOMEM;
        return n;
    }
    char *const w = t->norm + t->norm_len;
    size_t j = start;
    int allcaps, elongated, padded = 0;
#if MT_SSE2
    if (n - start >= 16 && word16(s + start, w, &j, &allcaps, &elongated)) {
        j += start;
        padded = 1; /* word16 wrote 16 bytes */
    } else
#endif
    {
        unsigned letters = 0, upper = 0, prev = 0, prev2 = 0, elong = 0;
        do {
            unsigned c = s[j], k = cls[c];
            if (!(k & C_ALNUM)) break;
            c |= 0x20; /* lower case; digits are unchanged by this bit */
            letters += (k & C_ALPHA) != 0;
            upper += (k & C_UPPER) != 0;
            elong |= (c == prev) & (c == prev2);
            prev2 = prev;
            prev = c;
            w[j - start] = (char)c;
            j++;
        } while (j < n);
        allcaps = letters >= 2 && upper == letters;
        elongated = (int)elong;
    }

    unsigned b = j < n ? s[j] : ' ';
    if (b == ':' && j + 2 < n && s[j + 1] == '/' && s[j + 2] == '/') {
        size_t e = try_scheme_url(sc, start, j);
        if (e) return e;
    }
    /* Emoticons that start with a letter: XD, D:, d:, o_O, T_T, x_x, u_u. */
    unsigned c0 = s[start];
    if (((c0 | 0x20) == 'x' && j - start >= 2 && s[start + 1] == 'D') ||
        (j - start == 1 && (b == '_' || b == '.' || b == '-' || b == ':' || b == ';' || b == '=') &&
         strchr("DdoOTxXuU", (int)c0))) {
        size_t e = try_emoticon(sc, start);
        if (e) return e;
    }
    int more = 0; /* whether the word may go on past the letters */
    switch (b) {
    case '\'':
    case '`':
        more = letter_at(sc, j + 1);
        break;
    case '-':
        more = word_char_at(sc, j + 1);
        break;
    case '*':
    case '&':
        more = 1;
        break;
    case '.':
        if (j + 1 >= n || !is_alnum(s[j + 1])) break; /* "word." ends a sentence */
        /* fall through */
    case '@':
    case '_':
    case '+':
    case '%': {
        size_t e = try_email(sc, start);
        if (!e && b == '.') e = try_domain(sc, start);
        if (e) return e;
        break;
    }
    default:
        more = b >= 0x80;
        break;
    }
    if (more) return scan_word(sc, start, j, 1);
    if (elongated) /* squashing is the general normalizer's job */
        return emit(sc, MEDTONE_TOKEN_WORD, start, start, j, 0, 1, MT_NORM_WORD, 1);

    size_t wlen = j - start;
    if (wlen >= UINT32_MAX) {
        sc->status = MEDTONE_ERR_TOO_LARGE;
        return j;
    }
    unsigned flags = allcaps ? MEDTONE_TOKEN_ALLCAPS : 0;
    if (mt_word_may_be_special(w, wlen)) flags |= mt_word_complete(w, &wlen, 0, padded);
    w[wlen] = '\0';
    mt_token *k = new_token(sc);
    if (!k) return j;
    k->off = start;
    k->len = j - start;
    k->norm_off = t->norm_len;
    k->norm_len = (uint32_t)wlen;
    k->repeat = 1;
    k->kind = MEDTONE_TOKEN_WORD;
    k->flags = (uint16_t)flags;
    t->norm_len += wlen + 1;
    t->count++;
    return j;
}

/* ---------------------------------------------------------------------------------------------
 * Numbers, money, percentages, times, doses, dates
 * ------------------------------------------------------------------------------------------- */

static size_t digits_end(const scanner *sc, size_t i)
{
    while (i < sc->len && is_digit(sc->s[i]))
        i++;
    return i;
}

/* ",ddd" groups (when the first group has at most three digits) and a ".ddd" fraction. */
static size_t grouped_number_end(const scanner *sc, size_t start, size_t j)
{
    const unsigned char *s = sc->s;
    if (j - start <= 3) {
        while (j + 3 < sc->len && s[j] == ',' && is_digit(s[j + 1]) && is_digit(s[j + 2]) &&
               is_digit(s[j + 3]) && (j + 4 >= sc->len || !is_digit(s[j + 4])))
            j += 4;
    }
    if (j + 1 < sc->len && s[j] == '.' && is_digit(s[j + 1])) j = digits_end(sc, j + 1);
    return j;
}

static unsigned small_value(const unsigned char *p, size_t n)
{
    unsigned v = 0;
    for (size_t k = 0; k < n && k < 6; k++)
        v = v * 10 + (unsigned)(p[k] - '0');
    return v;
}

/* "am", "pm", "a.m.", "p.m." (any case) at i, followed by a non-word character: returns the end,
 * or 0. */
static size_t ampm_end(const scanner *sc, size_t i)
{
    const unsigned char *s = sc->s;
    size_t n = sc->len;
    if (i + 1 >= n || (lower(s[i]) != 'a' && lower(s[i]) != 'p')) return 0;
    size_t k;
    if (lower(s[i + 1]) == 'm') {
        k = i + 2;
    } else if (s[i + 1] == '.' && i + 2 < n && lower(s[i + 2]) == 'm') {
        k = i + 3;
        if (k < n && s[k] == '.') k++;
    } else {
        return 0;
    }
    if (k < n && is_alnum(s[k])) return 0;
    return k;
}

/* H:MM, H:MM:SS, optionally with am/pm: "10:30", "7:45pm", "9:00 AM". */
static size_t try_time(scanner *sc, size_t start, size_t j)
{
    const unsigned char *s = sc->s;
    size_t n = sc->len;
    if (j - start > 2 || j + 2 >= n || !is_digit(s[j + 1]) || !is_digit(s[j + 2])) return 0;
    if (j + 3 < n && is_digit(s[j + 3])) return 0;
    unsigned h = small_value(s + start, j - start), m = small_value(s + j + 1, 2);
    if (h > 24 || m > 59) return 0;
    size_t k = j + 3;
    if (k + 2 < n && s[k] == ':' && is_digit(s[k + 1]) && is_digit(s[k + 2]) &&
        (k + 3 >= n || !is_digit(s[k + 3])) && small_value(s + k + 1, 2) <= 59)
        k += 3;
    if (h >= 1 && h <= 12) {
        size_t e = ampm_end(sc, k);
        if (!e && k < n && s[k] == ' ') e = ampm_end(sc, k + 1);
        if (e) k = e;
    }
    return emit(sc, MEDTONE_TOKEN_TIME, start, start, k, 0, 1, MT_NORM_COMPACT, 1);
}

/* 12/05/1980, 5-12-2020, 3.5.2020, 2024-03-01, 2024/3/1. */
static size_t try_date(scanner *sc, size_t start, size_t j)
{
    const unsigned char *s = sc->s;
    size_t n = sc->len;
    unsigned char sep = s[j];
    size_t a = start, ae = j, b = j + 1, be = digits_end(sc, b);
    if (be == b || be >= n || s[be] != sep) return 0;
    size_t c = be + 1, ce = digits_end(sc, c);
    if (ce == c) return 0;
    if (ce < n && (is_alnum(s[ce]) || (s[ce] == sep && ce + 1 < n && is_digit(s[ce + 1]))))
        return 0;
    size_t la = ae - a, lb = be - b, lc = ce - c;
    unsigned va = small_value(s + a, la), vb = small_value(s + b, lb), vc = small_value(s + c, lc);
    int ok = 0;
    if (la == 4 && lb <= 2 && lc <= 2) {
        ok = vb >= 1 && vb <= 12 && vc >= 1 && vc <= 31;
    } else if (la <= 2 && lb <= 2 && (lc == 4 || (lc == 2 && sep != '.'))) {
        ok = va >= 1 && vb >= 1 && ((va <= 12 && vb <= 31) || (va <= 31 && vb <= 12));
    }
    if (!ok) return 0;
    return emit(sc, MEDTONE_TOKEN_DATE, start, start, ce, 0, 1, MT_NORM_FOLD, 1);
}

/* Units of dose, compared in lower case. `spaced` units may follow the number after one space. */
static const struct {
    const char *name;
    int spaced;
} units[] = {
    {"mg", 1},   {"mcg", 1},   {"ug", 1},   {"kg", 1},    {"ml", 1},      {"cc", 1},
    {"iu", 1},   {"mmol", 1},  {"meq", 1},  {"mgs", 1},   {"units", 1},   {"unit", 0},
    {"mls", 0},  {"x", 0},     {"tab", 0},  {"tabs", 0},  {"tablet", 0},  {"tablets", 0},
    {"pill", 0}, {"pills", 0}, {"cap", 0},  {"caps", 0},  {"capsule", 0}, {"capsules", 0},
    {"puff", 0}, {"puffs", 0}, {"drop", 0}, {"drops", 0},
};

/* What may follow a dose after '/': "2x/day", "10mg/kg", "5mg/kg/day". */
static const char *const per_units[] = {"day",  "d",     "daily", "wk",  "week",
                                        "hr",   "h",     "hour",  "kg",  "ml",
                                        "dose", "month", "mo",    "min", "night"};

static int word_in(const unsigned char *p, size_t n, const char *w)
{
    if (!n || lower(p[0]) != (unsigned char)w[0] || strlen(w) != n) return 0;
    for (size_t k = 0; k < n; k++)
        if (lower(p[k]) != (unsigned char)w[k]) return 0;
    return 1;
}

/* The end of a unit at i ("mg", "µg", "x"), or 0. */
static size_t unit_end(const scanner *sc, size_t i, int after_space)
{
    const unsigned char *s = sc->s;
    size_t n = sc->len, k = i;
    if (k + 2 < n && ((s[k] == 0xC2 && s[k + 1] == 0xB5) || (s[k] == 0xCE && s[k + 1] == 0xBC)) &&
        s[k + 2] == 'g') {
        k += 3; /* µg, μg */
    } else {
        while (k < n && is_alpha(s[k]))
            k++;
        size_t u, nu = sizeof units / sizeof units[0];
        for (u = 0; u < nu; u++)
            if ((units[u].spaced || !after_space) && word_in(s + i, k - i, units[u].name)) break;
        if (u == nu) return 0;
    }
    if (k < n && (is_alnum(s[k]) || s[k] >= 0x80)) return 0;
    /* per-suffixes, at most two */
    for (int r = 0; r < 2 && k + 1 < n && s[k] == '/'; r++) {
        size_t q = k + 1;
        while (q < n && is_alpha(s[q]))
            q++;
        if (q < n && (is_alnum(s[q]) || s[q] >= 0x80)) break;
        size_t p, np = sizeof per_units / sizeof per_units[0];
        for (p = 0; p < np; p++)
            if (word_in(s + k + 1, q - k - 1, per_units[p])) break;
        if (p == np) break;
        k = q;
    }
    return k;
}

static size_t scan_digit(scanner *sc, size_t start)
{
    const unsigned char *s = sc->s;
    const size_t n = sc->len;
    size_t j = digits_end(sc, start + 1);
    if (j == start + 1 && keycap_follows(sc, j)) return scan_emoji(sc, start);
    if (j < n) {
        unsigned b = s[j];
        if (b == '_' && s[start] == '0' && j == start + 1) {
            size_t e = try_emoticon(sc, start); /* 0_0 0_o */
            if (e) return e;
        }
        if (b == ':') {
            size_t e = try_time(sc, start, j);
            if (e) return e;
        } else if ((b == '/' || b == '-' || b == '.') && j + 1 < n && is_digit(s[j + 1])) {
            size_t e = try_date(sc, start, j);
            if (e) return e;
        }
    }
    int simple = 1; /* only digits so far */
    size_t e = grouped_number_end(sc, start, j);
    if (e != j) {
        simple = 0;
        j = e;
    } else if (j + 1 < n && (s[j] == '-' || s[j] == '/') && is_digit(s[j + 1])) {
        /* 555-123-4567, 10-20, 24/7, 1/2 */
        unsigned char sep = s[j];
        while (j + 1 < n && s[j] == sep && is_digit(s[j + 1]))
            j = digits_end(sc, j + 1);
        simple = 0;
    }
    if (j >= n) return emit(sc, MEDTONE_TOKEN_NUMBER, start, start, j, 0, 1, MT_NORM_FOLD, 1);
    unsigned b = s[j];
    if (b == '%')
        return emit(sc, MEDTONE_TOKEN_PERCENT, start, start, j + 1, 0, 1, MT_NORM_COMPACT, 1);
    if (b == '$') return emit(sc, MEDTONE_TOKEN_MONEY, start, start, j + 1, 0, 1, MT_NORM_FOLD, 1);
    if (b == ' ' && j + 1 < n) {
        unsigned c = s[j + 1];
        if (c == '%')
            return emit(sc, MEDTONE_TOKEN_PERCENT, start, start, j + 2, 0, 1, MT_NORM_COMPACT, 1);
        if (is_alpha(c) || c >= 0x80) {
            size_t u = unit_end(sc, j + 1, 1);
            if (u) return emit(sc, MEDTONE_TOKEN_DOSE, start, start, u, 0, 1, MT_NORM_COMPACT, -1);
            unsigned v = small_value(s + start, j - start);
            if (simple && j - start <= 2 && v >= 1 && v <= 12 && (u = ampm_end(sc, j + 1)))
                return emit(sc, MEDTONE_TOKEN_TIME, start, start, u, 0, 1, MT_NORM_COMPACT, 1);
        }
    }
    if (is_alpha(b) || b >= 0x80) {
        int32_t cp;
        size_t w = mt_utf8_decode(s + j, n - j, &cp);
        if (b >= 0x80 && uclass(cp) == U_CURRENCY)
            return emit(sc, MEDTONE_TOKEN_MONEY, start, start, j + w, 0, 1, MT_NORM_FOLD, 0);
        size_t u = unit_end(sc, j, 0);
        if (u) return emit(sc, MEDTONE_TOKEN_DOSE, start, start, u, 0, 1, MT_NORM_COMPACT, -1);
        unsigned v = small_value(s + start, j - start);
        if (simple && j - start <= 2 && v >= 1 && v <= 12 && (u = ampm_end(sc, j)))
            return emit(sc, MEDTONE_TOKEN_TIME, start, start, u, 0, 1, MT_NORM_COMPACT, 1);
        /* 3rd, 5G, 4ever, 19th: digits inside a word */
        if (simple && (is_alpha(b) || uclass(cp) == U_LETTER)) return scan_word(sc, start, j, 1);
    }
    if (simple && (b == '-' || b == '\'') && letter_at(sc, j + 1))
        return scan_word(sc, start, j, 1); /* 19-year-old, 90's */
    if (simple && b == '.' && j + 1 < n && is_alpha(s[j + 1])) {
        size_t d = try_domain(sc, start); /* 4chan.org */
        if (d) return d;
    }
    return emit(sc, MEDTONE_TOKEN_NUMBER, start, start, j, 0, 1, MT_NORM_FOLD, 1);
}

/* $20, $1,200.50, $5k; $PFE; or a lone '$'. */
static size_t scan_dollar(scanner *sc, size_t i)
{
    const unsigned char *s = sc->s;
    size_t n = sc->len;
    if (i + 1 < n && is_digit(s[i + 1])) {
        size_t j = grouped_number_end(sc, i + 1, digits_end(sc, i + 1));
        if (j < n && strchr("kKmMbB", s[j]) && s[j] && (j + 1 >= n || !is_alnum(s[j + 1]))) j++;
        return emit(sc, MEDTONE_TOKEN_MONEY, i, i, j, 0, 1, MT_NORM_FOLD, 1);
    }
    if (i + 1 < n && is_alpha(s[i + 1])) {
        size_t j = i + 1;
        while (j < n && is_alpha(s[j]))
            j++;
        if (j - i - 1 <= 6 && (j >= n || (!is_alnum(s[j]) && s[j] < 0x80)))
            return emit(sc, MEDTONE_TOKEN_CASHTAG, i, i, j, 0, 1, MT_NORM_FOLD, 1);
    }
    return emit(sc, MEDTONE_TOKEN_SYMBOL, i, i, i + 1, 0, 1, MT_NORM_FOLD, 1);
}

/* ---------------------------------------------------------------------------------------------
 * Hashtags, mentions, punctuation, symbols
 * ------------------------------------------------------------------------------------------- */

static size_t scan_hash(scanner *sc, size_t i)
{
    if (keycap_follows(sc, i + 1)) return scan_emoji(sc, i);
    const unsigned char *s = sc->s;
    size_t j = i + 1;
    int letters = 0, ascii = 1;
    while (j < sc->len) {
        unsigned b = s[j];
        if (b < 0x80) {
            if (!is_alnum(b) && b != '_') break;
            letters |= is_alpha(b);
            j++;
            continue;
        }
        int32_t cp;
        size_t w = mt_utf8_decode(s + j, sc->len - j, &cp);
        int u = uclass(cp);
        if (u != U_LETTER && u != U_HAN) break;
        letters = 1;
        ascii = 0;
        j += w;
    }
    if (!letters) return emit(sc, MEDTONE_TOKEN_SYMBOL, i, i, i + 1, 0, 1, MT_NORM_FOLD, 1);
    return emit(sc, MEDTONE_TOKEN_HASHTAG, i, i + 1, j, 0, 1, MT_NORM_TAG, ascii);
}

static size_t scan_at(scanner *sc, size_t i)
{
    size_t j = i + 1;
    while (j < sc->len && (is_alnum(sc->s[j]) || sc->s[j] == '_'))
        j++;
    if (j == i + 1) return emit(sc, MEDTONE_TOKEN_SYMBOL, i, i, i + 1, 0, 1, MT_NORM_FOLD, 1);
    return emit(sc, MEDTONE_TOKEN_MENTION, i, i, j, 0, 1, MT_NORM_FOLD, 1);
}

/* A run of one ASCII mark ("...", "--"), or of ! and ? mixed ("?!?"): one token, repeat = its
 * length. */
static size_t scan_punct_run(scanner *sc, size_t i)
{
    const unsigned char *s = sc->s;
    unsigned c = s[i];
    size_t j = i + 1;
    if (c == '!' || c == '?') {
        while (j < sc->len && (s[j] == '!' || s[j] == '?'))
            j++;
    } else {
        while (j < sc->len && s[j] == c)
            j++;
    }
    return emit_norm(sc, MEDTONE_TOKEN_PUNCT, i, j, (const char *)s + i, j - i,
                     (uint32_t)(j - i > UINT32_MAX ? 0 : j - i));
}

static size_t scan_ascii_other(scanner *sc, size_t i)
{
    const unsigned char *s = sc->s;
    unsigned c = s[i];
    unsigned next = i + 1 < sc->len ? s[i + 1] : 0;
    switch (c) {
    case '#':
        return scan_hash(sc, i);
    case '@':
        return scan_at(sc, i);
    case '$':
        return scan_dollar(sc, i);
    case '*':
        if (keycap_follows(sc, i + 1)) return scan_emoji(sc, i);
        break;
    default:
        break;
    }
    if (may_be_emoticon(c, next)) {
        size_t e = try_emoticon(sc, i);
        if (e) return e;
    }
    if (cls[c] & C_PUNCT) return scan_punct_run(sc, i);
    return emit(sc, MEDTONE_TOKEN_SYMBOL, i, i, i + 1, 0, 1, MT_NORM_FOLD, 1);
}

/* The literal shrug, the one emoticon that is not ASCII. */
static const char shrug[] = "\xC2\xAF\\_(\xE3\x83\x84)_/\xC2\xAF";

/* A character at i that is not a plain ASCII byte: non-ASCII, or an HTML entity (cp, w). */
static size_t scan_char(scanner *sc, size_t i, int32_t cp, size_t w)
{
    const unsigned char *s = sc->s;
    if (cp < 0)
        return emit(sc, MEDTONE_TOKEN_SYMBOL, i, i, i + 1, MEDTONE_TOKEN_INVALID_UTF8, 1,
                    MT_NORM_FOLD, 0);
    if (cp < 0x80) { /* an entity for an ASCII character: "&amp;", "&lt;3", "&#39;" */
        if (cp == '<' || cp == '>') {
            size_t e = try_emoticon(sc, i);
            if (e) return e;
        }
        if (is_alnum((unsigned)cp)) return scan_word(sc, i, i + w, 0);
        medtone_token_kind k = (cls[cp] & C_PUNCT) ? MEDTONE_TOKEN_PUNCT : MEDTONE_TOKEN_SYMBOL;
        if (cls[cp] & C_SPACE) return i + w;
        return emit(sc, k, i, i, i + w, 0, 1, MT_NORM_FOLD, 0);
    }
    size_t j = i + w;
    switch (uclass(cp)) {
    case U_SPACE:
    case U_IGNORABLE:
        return j;
    case U_EMOJI:
        return scan_emoji(sc, i);
    case U_EMOJI_TEXT:
        if (j + 3 <= sc->len && s[j] == 0xEF && s[j + 1] == 0xB8 && s[j + 2] == 0x8F)
            return scan_emoji(sc, i);
        return emit(sc,
                    utf8proc_category(cp) <= UTF8PROC_CATEGORY_PO &&
                            utf8proc_category(cp) >= UTF8PROC_CATEGORY_PC
                        ? MEDTONE_TOKEN_PUNCT
                        : MEDTONE_TOKEN_SYMBOL,
                    i, i, j, 0, 1, MT_NORM_FOLD, 0);
    case U_LETTER:
        return scan_word(sc, i, j, 0);
    case U_HAN:
        return emit(sc, MEDTONE_TOKEN_WORD, i, i, j, 0, 1, MT_NORM_WORD, 0);
    case U_CURRENCY:
        if (j < sc->len && is_digit(s[j])) {
            size_t e = grouped_number_end(sc, j, digits_end(sc, j));
            return emit(sc, MEDTONE_TOKEN_MONEY, i, i, e, 0, 1, MT_NORM_FOLD, 0);
        }
        return emit(sc, MEDTONE_TOKEN_SYMBOL, i, i, j, 0, 1, MT_NORM_FOLD, 0);
    case U_APOS:
    case U_HYPHEN:
    case U_PUNCT: {
        uint32_t repeat = 1;
        while (j + w <= sc->len && memcmp(s + j, s + i, w) == 0 && s[i] >= 0x80) {
            j += w;
            repeat++;
        }
        return emit(sc, MEDTONE_TOKEN_PUNCT, i, i, j, 0, repeat, MT_NORM_FOLD, 0);
    }
    default:
        break;
    }
    if (cp == 0xAF && sc->len - i >= sizeof shrug - 1 &&
        memcmp(s + i, shrug, sizeof shrug - 1) == 0)
        return emit_norm(sc, MEDTONE_TOKEN_EMOTICON, i, i + sizeof shrug - 1, shrug,
                         sizeof shrug - 1, 1);
    /* Other symbols keep the marks that follow them (U+FE0F, U+20E3, accents). */
    while (j < sc->len) {
        int32_t m;
        size_t mw = mt_char_at(s, sc->len, j, &m);
        if (m < 0x300) break;
        utf8proc_category_t c = utf8proc_category(m);
        if (c != UTF8PROC_CATEGORY_MN && c != UTF8PROC_CATEGORY_ME && c != UTF8PROC_CATEGORY_MC)
            break;
        j += mw;
    }
    return emit(sc, MEDTONE_TOKEN_SYMBOL, i, i, j, 0, 1, MT_NORM_FOLD, 0);
}

/* ---------------------------------------------------------------------------------------------
 * Public API
 * ------------------------------------------------------------------------------------------- */

medtone_tokens *medtone_tokens_new(void)
{
    return mt_calloc(1, sizeof(medtone_tokens));
}

void medtone_tokens_free(medtone_tokens *tokens)
{
    if (!tokens) return;
    mt_free(tokens->tok);
    mt_free(tokens->norm);
    mt_free(tokens->scratch);
    mt_free(tokens);
}

medtone_status medtone_tokenize(const char *text, size_t len, medtone_tokens *tokens)
{
    if (!tokens || (!text && len)) return MEDTONE_ERR_INVALID_ARG;
    tokens->count = 0;
    tokens->norm_len = 0;
    scanner sc = {(const unsigned char *)text, len, tokens, MEDTONE_OK};
    const unsigned char *s = sc.s;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            unsigned k = cls[c];
            if (k & C_SPACE) {
                i++;
                continue;
            }
            if (k & C_ALPHA)
                i = scan_alpha(&sc, i);
            else if (k & C_DIGIT)
                i = scan_digit(&sc, i);
            else if (c == '&') {
                int32_t cp;
                size_t w = mt_html_entity(s + i, len - i, &cp);
                i = w ? scan_char(&sc, i, cp, w)
                      : emit(&sc, MEDTONE_TOKEN_SYMBOL, i, i, i + 1, 0, 1, MT_NORM_FOLD, 1);
            } else {
                i = scan_ascii_other(&sc, i);
            }
        } else {
            int32_t cp;
            size_t w = mt_utf8_decode(s + i, len - i, &cp);
            i = scan_char(&sc, i, cp, w);
        }
        if (sc.status != MEDTONE_OK) {
            tokens->count = 0;
            tokens->norm_len = 0;
            return sc.status;
        }
    }
    return MEDTONE_OK;
}

size_t medtone_tokens_count(const medtone_tokens *tokens)
{
    return tokens ? tokens->count : 0;
}

static const mt_token *token_at(const medtone_tokens *tokens, size_t i)
{
    return tokens && i < tokens->count ? &tokens->tok[i] : NULL;
}

medtone_token_kind medtone_token_kind_of(const medtone_tokens *tokens, size_t i)
{
    const mt_token *k = token_at(tokens, i);
    return k ? (medtone_token_kind)k->kind : (medtone_token_kind)0;
}

size_t medtone_token_offset(const medtone_tokens *tokens, size_t i)
{
    const mt_token *k = token_at(tokens, i);
    return k ? k->off : 0;
}

size_t medtone_token_length(const medtone_tokens *tokens, size_t i)
{
    const mt_token *k = token_at(tokens, i);
    return k ? k->len : 0;
}

unsigned medtone_token_flags(const medtone_tokens *tokens, size_t i)
{
    const mt_token *k = token_at(tokens, i);
    return k ? k->flags : 0;
}

size_t medtone_token_repeat(const medtone_tokens *tokens, size_t i)
{
    const mt_token *k = token_at(tokens, i);
    return k ? k->repeat : 0;
}

const char *medtone_token_normalized(const medtone_tokens *tokens, size_t i, size_t *len_out)
{
    const mt_token *k = token_at(tokens, i);
    if (len_out) *len_out = k ? k->norm_len : 0;
    return k ? mt_token_norm(tokens, i) : "";
}

const char *medtone_token_kind_name(medtone_token_kind kind)
{
    static const char *const names[] = {
        "word",  "number", "url",    "email", "mention", "hashtag", "cashtag", "emoticon",
        "emoji", "punct",  "symbol", "money", "percent", "time",    "dose",    "date",
    };
    if ((unsigned)kind >= sizeof names / sizeof names[0]) return "unknown";
    return names[kind];
}
