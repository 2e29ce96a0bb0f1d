/* lexicon_load.c — reading lexicon layers: files and memory, plain or gzip, parsed line by line
 * into a temporary layer that lexicon.c merges only once the whole layer parsed. The format is in
 * lexicons/README.md; errors read like a compiler's: "name:line: message".
 *
 * A term is normalized by running it through the tokenizer itself and joining the normalized
 * tokens with single spaces, so a lexicon key is byte for byte what the scorer builds from text
 * ("Saved My Life" -> "saved my life", "#Blessed" -> "blessed"). */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include "alloc.h"
#include "lexicon.h"
#include "rep_io.h"
#include "tokenize.h"

/* Defined in lexicon.c; not in lexicon.h, which is the scorer's view. Keep identical. */
medtone_status mt_lexicon_merge_layer(mt_lexicon *lex, char *name, char *keys, mt_entry *entries,
                                      size_t count);

/* Limits. A file or an inflated stream larger than this is refused rather than risking memory; a
 * term of more words than this is surely a mistake (and would bloat the prefix set). */
#define MT_LEXICON_MAX_BYTES ((size_t)256 << 20)
#define MT_TERM_MAX_WORDS    32u
#define MT_VALENCE_MAX       4.0

#if defined(__GNUC__)
#define MT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MT_PRINTF(f, a)
#endif

MT_PRINTF(5, 6)
static void set_err(char *err, size_t errcap, const char *name, size_t line, const char *fmt, ...)
{
    if (!err || !errcap) return;
    int n =
        line ? snprintf(err, errcap, "%s:%zu: ", name, line) : snprintf(err, errcap, "%s: ", name);
    if (n < 0) n = 0;
    if ((size_t)n >= errcap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errcap - (size_t)n, fmt, ap);
    va_end(ap);
}

/* At most `max` bytes of s[0..n) for quoting in a message, cut at a character boundary. */
static int quote_len(const char *s, size_t n, size_t max)
{
    if (n <= max) return (int)n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return (int)max;
}

/* ----- one line --------------------------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

static int valid_utf8(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) return 0;
        i += (size_t)k;
    }
    return 1;
}

/* A plain decimal: [+-]digits[.digits] or [+-].digits, surrounding spaces allowed. Written by
 * hand because strtod follows the C locale of the host program (a "," decimal point would turn
 * "0.5" into 0) and accepts forms we do not want (hex, exponents, "inf", "nan"). */
static int parse_number(const char *s, size_t n, double *out)
{
    trim(&s, &n);
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    uint64_t mant = 0;
    int digits = 0, sig = 0, scale = 0, seen_point = 0, huge = 0;
    for (; i < n; i++) {
        if (s[i] == '.' && !seen_point) {
            seen_point = 1;
            continue;
        }
        if (s[i] < '0' || s[i] > '9') return -1;
        digits++;
        if (sig < 18) {
            mant = mant * 10 + (uint64_t)(s[i] - '0');
            if (mant) sig++;
            if (seen_point) scale++;
        } else if (!seen_point) {
            huge = 1; /* far beyond any valence; only its being out of range matters */
        }
    }
    if (!digits) return -1;
    if (huge) {
        *out = neg ? -1e300 : 1e300;
        return 0;
    }
    double v = (double)mant;
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                   1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
    while (scale > 18) {
        v /= 1e18;
        scale -= 18;
    }
    v /= pow10[scale];
    *out = neg ? -v : v;
    return 0;
}

typedef struct tag_def {
    const char *name;
    uint32_t bit;
    int valued; /* takes =X, a number in -4..4 */
} tag_def;

static const tag_def known_tags[] = {
    {"negator", MT_TAG_NEGATOR, 0},
    {"booster", MT_TAG_BOOSTER, 1},
    {"contrast", MT_TAG_CONTRAST, 0},
    {"concession", MT_TAG_CONCESSION, 0},
    {"symptom", MT_TAG_SYMPTOM, 0},
    {"relief", MT_TAG_RELIEF, 0},
    {"result", MT_TAG_RESULT, 0},
    {"clinical", MT_TAG_CLINICAL, 1},
    {"side-effect", MT_TAG_SIDE_EFFECT, 0},
    {"drug", MT_TAG_DRUG, 0},
    /* cue lexicons (lexicons/cues-*.tsv) */
    {"misinfo", MT_TAG_MISINFO, 0},
    {"crisis", MT_TAG_CRISIS, 0},
    {"health-info", MT_TAG_HEALTH_INFO, 0},
    {"identifier", MT_TAG_IDENTIFIER, 0},
    {"reaction", MT_TAG_REACTION, 0},
    {"org", MT_TAG_ORG, 0},
    {"wait", MT_TAG_ASPECT_WAIT, 0},
    {"billing", MT_TAG_ASPECT_BILLING, 0},
    {"staff", MT_TAG_ASPECT_STAFF, 0},
    {"communication", MT_TAG_ASPECT_COMMUNICATION, 0},
    {"cleanliness", MT_TAG_ASPECT_CLEANLINESS, 0},
    {"access", MT_TAG_ASPECT_ACCESS, 0},
    {"food", MT_TAG_ASPECT_FOOD, 0},
    {"parking", MT_TAG_ASPECT_PARKING, 0},
    {"medication", MT_TAG_ASPECT_MEDICATION, 0},
    {"outcome", MT_TAG_ASPECT_OUTCOME, 0},
    {"records", MT_TAG_ASPECT_RECORDS, 0},
    {"acronym", MT_TAG_ACRONYM, 0},
    {"laughter", MT_TAG_LAUGHTER, 0},
    {"comparative", MT_TAG_COMPARATIVE, 0},
    {"measure", MT_TAG_MEASURE, 1},
    /* learned layers (`medtone train`): only under a "#@ target" header */
    {"learned", MT_TAG_LEARNED, 0},
};

typedef struct parser {
    const char *name; /* for messages */
    char *err;
    size_t errcap;
    size_t line;
    medtone_tokens *toks;
    mt_entry *entries;
    size_t count, cap;
    char *keys; /* each key NUL-terminated, in entry order */
    size_t keys_len, keys_cap;
    char *layer; /* from "#@ layer", or NULL */
    /* Learned layers: the flag of "#@ target" (-1: none yet), "#@ bias", and the key prefix of
     * this layer's learned lines (its index once merged). */
    int target;
    double bias;
    char prefix[MT_LEARNED_PREFIX_MAX];
    size_t prefix_len;
} parser;

/* Parses the tags column into e. Unknown tags are skipped: they are for reviewers and for later
 * versions of the library. A repeated tag keeps its last value. */
static medtone_status parse_tags(parser *p, const char *s, size_t n, mt_entry *e)
{
    while (n > 0) {
        const char *comma = memchr(s, ',', n);
        size_t len = comma ? (size_t)(comma - s) : n;
        const char *tag = s;
        size_t tlen = len;
        s += comma ? len + 1 : len;
        n -= comma ? len + 1 : len;
        trim(&tag, &tlen);
        if (!tlen) continue;
        const char *eq = memchr(tag, '=', tlen);
        size_t name_len = eq ? (size_t)(eq - tag) : tlen;
        const char *key = tag;
        trim(&key, &name_len);
        const tag_def *def = NULL;
        for (size_t i = 0; i < sizeof known_tags / sizeof known_tags[0]; i++)
            if (strlen(known_tags[i].name) == name_len &&
                memcmp(known_tags[i].name, key, name_len) == 0)
                def = &known_tags[i];
        if (!def) continue;
        double v = 0;
        if (def->valued) {
            /* the value's length counts from the '=' itself: name_len was trimmed above */
            size_t vlen = eq ? tlen - (size_t)(eq - tag) - 1 : 0;
            if (!eq || parse_number(eq + 1, vlen, &v) != 0 || v < -MT_VALENCE_MAX ||
                v > MT_VALENCE_MAX) {
                set_err(p->err, p->errcap, p->name, p->line,
                        "bad tag value: '%.*s' (%s needs a number in -4..4)",
                        quote_len(tag, tlen, 40), tag, def->name);
                return MEDTONE_ERR_PARSE;
            }
        } else if (eq) {
            set_err(p->err, p->errcap, p->name, p->line, "bad tag value: '%.*s' (%s takes none)",
                    quote_len(tag, tlen, 40), tag, def->name);
            return MEDTONE_ERR_PARSE;
        }
        e->tags |= def->bit;
        if (def->bit == MT_TAG_BOOSTER) e->booster = (float)v;
        if (def->bit == MT_TAG_CLINICAL || def->bit == MT_TAG_MEASURE) e->clinical = (float)v;
    }
    return MEDTONE_OK;
}

/* Tokenizes the term and appends its key (normalized tokens joined by one space) to the arena;
 * a learned line's key starts with its layer's prefix. */
static medtone_status add_key(parser *p, const char *term, size_t n, mt_entry *e)
{
    size_t prefix = (e->tags & MT_TAG_LEARNED) ? p->prefix_len : 0;
    if (!p->toks) {
        p->toks = medtone_tokens_new();
        if (!p->toks) return MEDTONE_ERR_NOMEM;
    }
    medtone_status st = medtone_tokenize(term, n, p->toks);
    if (st == MEDTONE_ERR_NOMEM) return st;
    if (st != MEDTONE_OK) {
        set_err(p->err, p->errcap, p->name, p->line, "cannot tokenize term: %s",
                medtone_status_str(st));
        return MEDTONE_ERR_INTERNAL;
    }
    const medtone_tokens *t = p->toks;
    size_t words = 0, bytes = 0;
    for (size_t i = 0; i < t->count; i++) {
        /* A token whose normalized form is empty matches nothing; it is not a word of the key. */
        if (!t->tok[i].norm_len) continue;
        words++;
        bytes += t->tok[i].norm_len + 1;
    }
    if (!words) {
        set_err(p->err, p->errcap, p->name, p->line, "term has no words: '%.*s'",
                quote_len(term, n, 40), term);
        return MEDTONE_ERR_PARSE;
    }
    if (words > MT_TERM_MAX_WORDS) {
        set_err(p->err, p->errcap, p->name, p->line, "term has more than %u words",
                MT_TERM_MAX_WORDS);
        return MEDTONE_ERR_PARSE;
    }
    bytes += prefix;
    if (bytes - 1 > UINT32_MAX) return MEDTONE_ERR_TOO_LARGE;
    if (mt_reserve((void **)&p->keys, &p->keys_cap, p->keys_len + bytes, 1))
        return MEDTONE_ERR_NOMEM;
    char *out = p->keys + p->keys_len;
    memcpy(out, p->prefix, prefix);
    out += prefix;
    for (size_t i = 0; i < t->count; i++) {
        size_t len = t->tok[i].norm_len;
        if (!len) continue;
        if (out != p->keys + p->keys_len + prefix) *out++ = ' ';
        memcpy(out, mt_token_norm(t, i), len);
        out += len;
    }
    *out = '\0';
    e->key_len = (uint32_t)(bytes - 1);
    e->nwords = (uint16_t)words;
    p->keys_len += bytes;
    return MEDTONE_OK;
}

/* "#@ name value": a header. Unknown names are accepted and ignored, like unknown tags. */
static medtone_status parse_header(parser *p, const char *s, size_t n)
{
    trim(&s, &n);
    size_t k = 0;
    while (k < n && !is_space(s[k]))
        k++;
    const char *value = s + k;
    size_t vlen = n - k;
    trim(&value, &vlen);
    if (k == 5 && memcmp(s, "layer", 5) == 0) {
        if (!vlen) {
            set_err(p->err, p->errcap, p->name, p->line, "layer header without a name");
            return MEDTONE_ERR_PARSE;
        }
        char *name = mt_strndup(value, vlen);
        if (!name) return MEDTONE_ERR_NOMEM;
        mt_free(p->layer); /* a repeated header: the last one names the layer */
        p->layer = name;
    } else if (k == 6 && memcmp(s, "target", 6) == 0) {
        /* a learned layer: the flag its `learned` lines correct */
        char flag[64];
        size_t index;
        if (vlen >= sizeof flag) vlen = sizeof flag - 1;
        memcpy(flag, value, vlen);
        flag[vlen] = '\0';
        if (medtone_flag_find(flag, &index) != MEDTONE_OK) {
            set_err(p->err, p->errcap, p->name, p->line, "unknown flag in target header: '%s'",
                    flag);
            return MEDTONE_ERR_PARSE;
        }
        p->target = (int)index;
    } else if (k == 4 && memcmp(s, "bias", 4) == 0) {
        double v;
        if (parse_number(value, vlen, &v) != 0 || v < -1000 || v > 1000) {
            set_err(p->err, p->errcap, p->name, p->line,
                    "bias header needs a number in -1000..1000: '%.*s'", quote_len(value, vlen, 40),
                    value);
            return MEDTONE_ERR_PARSE;
        }
        p->bias = v;
    }
    return MEDTONE_OK; /* "#@ version" is free text that the library does not need */
}

static medtone_status parse_line(parser *p, const char *s, size_t n)
{
    if (n && s[n - 1] == '\r') n--;
    if (memchr(s, '\0', n)) {
        set_err(p->err, p->errcap, p->name, p->line, "NUL byte in line");
        return MEDTONE_ERR_PARSE;
    }
    if (!valid_utf8(s, n)) {
        set_err(p->err, p->errcap, p->name, p->line, "invalid UTF-8");
        return MEDTONE_ERR_PARSE;
    }
    if (n >= 2 && s[0] == '#' && s[1] == '@') return parse_header(p, s + 2, n - 2);
    const char *t = s;
    size_t tn = n;
    trim(&t, &tn);
    if (!tn || *t == '#') return MEDTONE_OK; /* blank line or comment */

    const char *tab1 = memchr(s, '\t', n);
    if (!tab1) {
        set_err(p->err, p->errcap, p->name, p->line,
                "missing tab: expected term<TAB>valence[<TAB>tags]");
        return MEDTONE_ERR_PARSE;
    }
    const char *term = s, *val = tab1 + 1, *tags = NULL;
    size_t term_len = (size_t)(tab1 - s), val_len = n - term_len - 1, tags_len = 0;
    const char *tab2 = memchr(val, '\t', val_len);
    if (tab2) {
        tags = tab2 + 1;
        tags_len = val_len - (size_t)(tab2 - val) - 1;
        val_len = (size_t)(tab2 - val);
        if (memchr(tags, '\t', tags_len)) {
            set_err(p->err, p->errcap, p->name, p->line,
                    "too many columns: expected term<TAB>valence[<TAB>tags]");
            return MEDTONE_ERR_PARSE;
        }
    }
    trim(&term, &term_len);
    if (!term_len) {
        set_err(p->err, p->errcap, p->name, p->line, "empty term");
        return MEDTONE_ERR_PARSE;
    }
    mt_entry e;
    memset(&e, 0, sizeof e);
    double v;
    if (parse_number(val, val_len, &v) != 0) {
        trim(&val, &val_len);
        set_err(p->err, p->errcap, p->name, p->line, "valence is not a number: '%.*s'",
                quote_len(val, val_len, 40), val);
        return MEDTONE_ERR_PARSE;
    }
    if (v < -MT_VALENCE_MAX || v > MT_VALENCE_MAX) {
        trim(&val, &val_len);
        set_err(p->err, p->errcap, p->name, p->line, "valence out of range (-4..4): %.*s",
                quote_len(val, val_len, 40), val);
        return MEDTONE_ERR_PARSE;
    }
    e.valence = (float)v;
    medtone_status st = parse_tags(p, tags, tags_len, &e);
    if (st != MEDTONE_OK) return st;
    if ((e.tags & MT_TAG_LEARNED) && p->target < 0) {
        set_err(p->err, p->errcap, p->name, p->line,
                "learned cue without a '#@ target FLAG' header before it");
        return MEDTONE_ERR_PARSE;
    }
    static const uint32_t families[MT_CUE_FAMILIES] = MT_CUE_FAMILY_TAGS;
    for (unsigned f = 0; f < MT_CUE_FAMILIES; f++)
        e.cue[f] = (e.tags & families[f]) ? e.valence : 0.0f;
    if (mt_reserve((void **)&p->entries, &p->cap, p->count + 1, sizeof(mt_entry)))
        return MEDTONE_ERR_NOMEM;
    st = add_key(p, term, term_len, &e);
    if (st != MEDTONE_OK) return st;
    p->entries[p->count++] = e;
    return MEDTONE_OK;
}

/* ----- a whole layer ---------------------------------------------------------------------- */

/* Parses data (already inflated) and merges it. `name` is for messages, `layer` names the layer
 * when the data has no "#@ layer" header. */
static medtone_status load_text(mt_lexicon *lex, const char *name, const char *layer,
                                const char *data, size_t len, char *err, size_t errcap)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.name = name;
    p.err = err;
    p.errcap = errcap;
    p.target = -1;
    size_t index = mt_lexicon_layer_count(lex); /* the index this layer gets once merged */
    p.prefix_len = mt_lexicon_learned_prefix(index, p.prefix);
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    medtone_status st = MEDTONE_OK;
    while (len > 0 && st == MEDTONE_OK) {
        const char *nl = memchr(data, '\n', len);
        size_t n = nl ? (size_t)(nl - data) : len;
        p.line++;
        st = parse_line(&p, data, n);
        data += nl ? n + 1 : n;
        len -= nl ? n + 1 : n;
    }
    medtone_tokens_free(p.toks);
    char *layer_name = p.layer;
    if (st == MEDTONE_OK && !layer_name) {
        layer_name = mt_strndup(layer, strlen(layer));
        if (!layer_name) st = MEDTONE_ERR_NOMEM;
    }
    if (st == MEDTONE_OK) {
        /* Keys were written back to back; point each entry at its own. */
        const char *k = p.keys;
        for (size_t i = 0; i < p.count; i++) {
            p.entries[i].key = k;
            k += p.entries[i].key_len + 1;
        }
        st = mt_lexicon_merge_layer(lex, layer_name, p.keys, p.entries, p.count);
        if (st == MEDTONE_OK) {
            mt_lexicon_set_layer_learned(lex, index, p.target, p.bias);
            mt_free(p.entries);
            return MEDTONE_OK; /* the lexicon now owns layer_name and keys */
        }
    }
    if (st == MEDTONE_ERR_NOMEM)
        set_err(err, errcap, name, 0, "out of memory");
    else if (st == MEDTONE_ERR_TOO_LARGE && !(err && errcap && *err))
        set_err(err, errcap, name, 0, "too many layers or terms");
    mt_free(layer_name);
    mt_free(p.keys);
    mt_free(p.entries);
    return st;
}

static medtone_status load_data(mt_lexicon *lex, const char *name, const char *layer,
                                const char *data, size_t len, char *err, size_t errcap)
{
    if (err && errcap) err[0] = '\0';
    if (!mt_rep_is_gzip(data, len)) return load_text(lex, name, layer, data, len, err, errcap);
    char *text = NULL;
    size_t text_len = 0;
    medtone_status st =
        mt_rep_gunzip(name, data, len, MT_LEXICON_MAX_BYTES, &text, &text_len, err, errcap);
    if (st != MEDTONE_OK) return st;
    st = load_text(lex, name, layer, text, text_len, err, errcap);
    mt_free(text);
    return st;
}

medtone_status mt_lexicon_add_layer(mt_lexicon *lex, const char *name, const char *data, size_t len,
                                    char *err, size_t errcap)
{
    if (!name || !*name) name = "(data)";
    if (!lex || (!data && len)) {
        set_err(err, errcap, name, 0, "invalid argument");
        return MEDTONE_ERR_INVALID_ARG;
    }
    return load_data(lex, name, name, data ? data : "", len, err, errcap);
}

medtone_status mt_lexicon_add_file(mt_lexicon *lex, const char *path, char *err, size_t errcap)
{
    if (!lex || !path || !*path) {
        set_err(err, errcap, path && *path ? path : "(null)", 0, "invalid argument");
        return MEDTONE_ERR_INVALID_ARG;
    }
    /* Read to the end (pipes and /dev/stdin work too); a file over the limit is refused. */
    char *buf = NULL;
    size_t len = 0;
    medtone_status st = mt_rep_read_file(path, MT_LEXICON_MAX_BYTES, &buf, &len, err, errcap);
    if (st == MEDTONE_OK) {
        const char *base = strrchr(path, '/');
        st = load_data(lex, path, base ? base + 1 : path, buf, len, err, errcap);
    }
    mt_free(buf);
    return st;
}

/* ----- learned keys and tags, for the trainer and the learned-cue matcher ------------------ */

size_t mt_lexicon_learned_prefix(size_t layer, char *out)
{
    int n = snprintf(out, MT_LEARNED_PREFIX_MAX, "\x01%zu\x01", layer);
    return n > 0 && n < MT_LEARNED_PREFIX_MAX ? (size_t)n : 0;
}

size_t mt_lexicon_format_tags(uint32_t tags, float booster, float clinical, char *out, size_t cap)
{
    size_t len = 0;
    if (!cap) return 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof known_tags / sizeof known_tags[0]; i++) {
        const tag_def *d = &known_tags[i];
        if (!(tags & d->bit)) continue;
        char one[64];
        size_t n = strlen(d->name);
        memcpy(one, d->name, n + 1);
        if (d->valued) {
            one[n++] = '=';
            n += mt_format_decimal(d->bit == MT_TAG_BOOSTER ? booster : clinical, 4, one + n,
                                   sizeof one - n);
        }
        if (len + (len ? 1 : 0) + n + 1 > cap) break;
        if (len) out[len++] = ',';
        memcpy(out + len, one, n + 1);
        len += n;
    }
    return len;
}

size_t mt_format_decimal(double v, unsigned decimals, char *out, size_t cap)
{
    /* The inverse of parse_number: digits by integer arithmetic, so that the C locale of the host
     * program never turns the point into a comma. */
    static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    char buf[48];
    size_t n = 0;
    if (decimals > 9) decimals = 9;
    if (!(v == v)) v = 0; /* NaN */
    double scaled = fabs(v) * pow10[decimals] + 0.5;
    if (scaled > 9e17) scaled = 9e17;
    uint64_t units = (uint64_t)scaled;
    uint64_t scale = (uint64_t)pow10[decimals];
    uint64_t ip = units / scale, fp = units % scale;
    char digits[24];
    size_t nd = 0;
    do {
        digits[nd++] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    if (v < 0 && units) buf[n++] = '-';
    while (nd)
        buf[n++] = digits[--nd];
    /* n <= 19 here (sign and 18 digits), so the fraction always fits; the bound is spelled out
     * for the compiler, which cannot see it through the digit loop. */
    if (fp && n + 1 + decimals < sizeof buf) {
        buf[n++] = '.';
        for (unsigned k = decimals; k-- > 0;) {
            buf[n + k] = (char)('0' + fp % 10);
            fp /= 10;
        }
        n += decimals;
        while (buf[n - 1] == '0')
            n--;
    }
    if (n >= cap) n = cap ? cap - 1 : 0;
    memcpy(out, buf, n);
    if (cap) out[n] = '\0';
    return n;
}
