/* lexicon.h — the lexicon store: parsing layers (plain or gzip TSV), merging them (later wins) and
 * the immutable lookup table the scorer reads. See lexicons/README.md for the file format. */
#ifndef MT_LEXICON_H
#define MT_LEXICON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "medtone.h"

/* Tag bits parsed from the third column. */
#define MT_TAG_NEGATOR 0x0001u
#define MT_TAG_BOOSTER 0x0002u /* entry->booster holds X of booster=X */
#define MT_TAG_CONTRAST 0x0004u
#define MT_TAG_CONCESSION 0x0008u
#define MT_TAG_SYMPTOM 0x0010u
#define MT_TAG_RELIEF 0x0020u
#define MT_TAG_RESULT 0x0040u
#define MT_TAG_CLINICAL 0x0080u /* entry->clinical holds V of clinical=V */
#define MT_TAG_SIDE_EFFECT 0x0100u
#define MT_TAG_DRUG 0x0200u
/* Tags of the cue lexicons (lexicons/cues-*.tsv), read by the flags; the valence column of a cue
 * line is its weight. */
#define MT_TAG_MISINFO 0x0400u     /* misinformation cue (negative weight: reliability cue) */
#define MT_TAG_CRISIS 0x0800u      /* crisis cue (negative weight: figurative, hard negative) */
#define MT_TAG_HEALTH_INFO 0x1000u /* health information that makes an identifier sensitive */
#define MT_TAG_IDENTIFIER 0x2000u  /* words that introduce an identifier ("my mrn is") */
#define MT_TAG_REACTION 0x4000u    /* an adverse reaction a patient may report */
#define MT_TAG_ORG 0x8000u         /* the organization, its staff or its care */
#define MT_TAG_ASPECT_WAIT 0x00010000u
#define MT_TAG_ASPECT_BILLING 0x00020000u
#define MT_TAG_ASPECT_STAFF 0x00040000u
#define MT_TAG_ASPECT_COMMUNICATION 0x00080000u
#define MT_TAG_ASPECT_CLEANLINESS 0x00100000u
#define MT_TAG_ASPECT_ACCESS 0x00200000u
#define MT_TAG_ASPECT_FOOD 0x00400000u
#define MT_TAG_ASPECT_PARKING 0x00800000u
#define MT_TAG_ASPECT_MEDICATION 0x01000000u
#define MT_TAG_ASPECT_OUTCOME 0x02000000u
#define MT_TAG_ASPECT_RECORDS 0x04000000u
#define MT_TAG_ASPECT_FIRST MT_TAG_ASPECT_WAIT /* aspect bits are consecutive, in flag order */
#define MT_TAG_ASPECT_ALL 0x07FF0000u
#define MT_TAG_ACRONYM 0x08000000u /* written in capitals by habit (ICU, ER, MRI): no caps emphasis */
/* A learned cue (`medtone train`), only in a layer whose "#@ target" header names the flag it
 * corrects. Its key is namespaced by its layer (mt_lexicon_learned_prefix), so a learned term never
 * matches, shadows or overwrites a hand-written cue; src/flags/learned.c looks learned terms up. */
#define MT_TAG_LEARNED 0x10000000u
/* Laughter written out ("lol", "haha", "lmao"): like a face, it is not negated ("you can never
 * leave lmao" still laughs). */
#define MT_TAG_LAUGHTER 0x20000000u
/* A comparative ("better", "worse", "happier"): a negation of experience or possibility before it
 * exclaims a degree instead of denying it ("never been happier", "couldn't be worse"). */
#define MT_TAG_COMPARATIVE 0x40000000u
/* A measure whose change is news ("my a1c dropped", "lowered my cholesterol"): measure=V is the
 * valence of the measure going up (down gives -V), kept in entry->clinical (a measure is never
 * also a clinical word). */
#define MT_TAG_MEASURE 0x80000000u

typedef struct mt_entry {
    const char *key;  /* normalized words joined by one space, NUL-terminated */
    uint32_t key_len; /* bytes in key */
    uint16_t layer;   /* index of the layer the winning line came from */
    uint16_t nwords;  /* tokens in key (1 for a single word or emoji) */
    uint32_t tags;    /* MT_TAG_* bits */
    float valence;    /* -4..4 */
    float booster;    /* X of booster=X, else 0 */
    float clinical;   /* V of clinical=V or of measure=V, else 0 */
    float cue[6];     /* cue lexicons: the weight per flag family (mt_cue_weight) */
} mt_entry;

/* Flag families of the cue lexicon. A cue line's weight (its valence column) belongs to the
 * families its tags name, so when two cue files list the same word ("meds": a drug for the ADE
 * flag, a medication-aspect word), each flag keeps the weight its own file gave. */
enum {
    MT_CUE_MISINFO,
    MT_CUE_CRISIS,
    MT_CUE_PRIVACY,
    MT_CUE_ADE,
    MT_CUE_ASPECT,
    MT_CUE_LEARNED, /* learned layers: apart from every hand-written family */
    MT_CUE_FAMILIES
};
_Static_assert(MT_CUE_FAMILIES * sizeof(float) <= sizeof(((mt_entry *)0)->cue),
               "mt_entry.cue holds one weight per family");

/* The MT_TAG_* bits of each family, in MT_CUE_* order. */
#define MT_CUE_FAMILY_TAGS                                                                         \
    {MT_TAG_MISINFO, MT_TAG_CRISIS, MT_TAG_HEALTH_INFO | MT_TAG_IDENTIFIER,                       \
     MT_TAG_DRUG | MT_TAG_REACTION, MT_TAG_ORG | MT_TAG_ASPECT_ALL, MT_TAG_LEARNED}

/* The weight a cue entry carries for one family (0 when its tags do not name the family). */
static inline float mt_cue_weight(const mt_entry *e, unsigned family)
{
    return family < MT_CUE_FAMILIES ? e->cue[family] : 0.0f;
}

typedef struct mt_lexicon mt_lexicon;

mt_lexicon *mt_lexicon_new(void);
void mt_lexicon_free(mt_lexicon *lex);

/* Parses data[0..len) (plain text; gzip is detected by its magic bytes and inflated) as one
 * layer named by its "#@ layer" header or else `name`, and puts it on top. On failure the lexicon
 * is unchanged and err (when errcap > 0) holds "name:line: message". */
medtone_status mt_lexicon_add_layer(mt_lexicon *lex, const char *name, const char *data,
                                    size_t len, char *err, size_t errcap);
/* The same from a file (plain or .gz); errors name the path. */
medtone_status mt_lexicon_add_file(mt_lexicon *lex, const char *path, char *err, size_t errcap);

/* The merged entry for a normalized key (words joined by one space), or NULL. No allocation. */
const mt_entry *mt_lexicon_find(const mt_lexicon *lex, const char *key, size_t len);
/* Nonzero when some multi-word key begins with these whole words followed by a space, so the
 * scorer knows whether extending a match by one more token can still succeed. */
int mt_lexicon_has_prefix(const mt_lexicon *lex, const char *key, size_t len);
/* Both at once, for the matcher's inner loop: the entry for the key (or NULL), and in *is_prefix
 * what mt_lexicon_has_prefix would say. One hash, one probe. No allocation. */
const mt_entry *mt_lexicon_lookup(const mt_lexicon *lex, const char *key, size_t len,
                                  int *is_prefix);
/* The same with the key's hash already known (mt_lexicon_hash): a token's hash serves every
 * lexicon it is looked up in. */
const mt_entry *mt_lexicon_lookup_hashed(const mt_lexicon *lex, const char *key, size_t len,
                                         uint64_t hash, int *is_prefix);
/* Starts loading the table slots of n keys by their hashes, so that the lookups that follow find
 * them in cache instead of waiting for memory one key at a time. Only a hint. */
void mt_lexicon_prefetch(const mt_lexicon *lex, const uint64_t *hashes, size_t n);
/* For a prefix key (one whose lookup gave *is_prefix) hashed prefix_hash and a word hashed
 * word_hash: 0 when the key, one space and that word is certainly neither a term nor a prefix,
 * so the matcher need not build and look up the longer key; nonzero when it may be. Only valid
 * for a word without a space in it (a rare normalized form: look such a key up). */
int mt_lexicon_may_extend(const mt_lexicon *lex, uint64_t prefix_hash, uint64_t word_hash);

/* The follow filter itself, for a caller that asks it many times a text: taken once with
 * mt_lexicon_follow_filter, asked inline with mt_follow_may_extend (the same answers as
 * mt_lexicon_may_extend, without a call each). Valid as long as the lexicon is not changed. */
typedef struct mt_follow_filter {
    const uint64_t *bits; /* NULL while the lexicon has no multi-word keys */
    size_t mask;          /* bits - 1 */
} mt_follow_filter;

mt_follow_filter mt_lexicon_follow_filter(const mt_lexicon *lex);

/* The filter bit of a (prefix, next word) pair. */
static inline size_t mt_follow_bit(uint64_t prefix_hash, uint64_t word_hash, size_t mask)
{
    uint64_t x = prefix_hash ^ (word_hash * 0x9e3779b97f4a7c15ull);
    return (size_t)(x ^ (x >> 29)) & mask;
}

static inline int mt_follow_may_extend(mt_follow_filter f, uint64_t prefix_hash,
                                       uint64_t word_hash)
{
    if (!f.bits) return 0;
    size_t b = mt_follow_bit(prefix_hash, word_hash, f.mask);
    return (int)(f.bits[b >> 6] >> (b & 63)) & 1;
}

/* Reads of 8 and 4 bytes at any alignment. */
static inline uint64_t mt_load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t mt_load32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* 64 x 64 -> 128-bit multiply, folded: the mixing step of the hash. */
static inline uint64_t mt_mix64(uint64_t a, uint64_t b)
{
#if defined(__SIZEOF_INT128__)
    __extension__ unsigned __int128 r = (unsigned __int128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
#else
    uint64_t ha = a >> 32, la = (uint32_t)a, hb = b >> 32, lb = (uint32_t)b;
    uint64_t rh = ha * hb, rm0 = ha * lb, rm1 = hb * la, rl = la * lb;
    uint64_t t = rl + (rm0 << 32), c = t < rl;
    uint64_t lo = t + (rm1 << 32);
    c += lo < t;
    uint64_t hi = rh + (rm0 >> 32) + (rm1 >> 32) + c;
    return lo ^ hi;
#endif
}

/* The hash the lexicon files a key under: a 64-bit multiply-fold hash of key[0, len) that reads
 * only those bytes. A key of up to 16 bytes, nearly every key, takes at most four loads and two
 * wide multiplies. The low half picks a slot and the high half is kept as a check, so both are
 * well mixed. It never leaves the process, so it may change from version to version. */
static inline uint64_t mt_lexicon_hash(const char *key, size_t len)
{
    static const uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull,
                          k2 = 0x8ebc6af09c88c6e3ull;
    const unsigned char *p = (const unsigned char *)key;
    uint64_t seed = k0 ^ len, a, b;
    if (len <= 16) {
        if (len >= 4) {
            size_t q = (len >> 3) << 2; /* 0 for 4-7 bytes, 4 for 8-16: the loads overlap */
            a = mt_load32(p) << 32 | mt_load32(p + q);
            b = mt_load32(p + len - 4) << 32 | mt_load32(p + len - 4 - q);
        } else if (len > 0) {
            a = (uint64_t)p[0] << 16 | (uint64_t)p[len >> 1] << 8 | p[len - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t left = len;
        while (left > 16) {
            seed = mt_mix64(mt_load64(p) ^ k1, mt_load64(p + 8) ^ seed);
            p += 16;
            left -= 16;
        }
        a = mt_load64(p + left - 16);
        b = mt_load64(p + left - 8);
    }
    return mt_mix64(k1 ^ len, mt_mix64(a ^ k1, b ^ seed ^ k2));
}
/* The most words in any key (1 when there are no multi-word terms, 0 when empty). */
unsigned mt_lexicon_max_words(const mt_lexicon *lex);

size_t mt_lexicon_layer_count(const mt_lexicon *lex);
const char *mt_lexicon_layer_name(const mt_lexicon *lex, size_t i);
size_t mt_lexicon_size(const mt_lexicon *lex); /* distinct terms after merging */
/* With on != 0, a key listed again in a later layer keeps the earlier layers' tags as well (its
 * other fields still come from the later line). The cue lexicon merges this way, so a word can
 * serve several flags; the sentiment lexicon does not (a user layer may strip tags). */
void mt_lexicon_set_merge_tags(mt_lexicon *lex, int on);

/* Learned layers (`medtone train`, docs/train.md). A cue layer whose "#@ target NAME" header names
 * a flag is a learned correction of that flag: its `learned` lines are looked up under the key
 * prefix of their layer, and its "#@ bias" joins their weights. mt_lexicon_layer_target gives the
 * flag index (-1 for any other layer), mt_lexicon_layer_bias the bias (0 for other layers). The
 * loader records both right after merging each layer. */
int mt_lexicon_layer_target(const mt_lexicon *lex, size_t layer);
double mt_lexicon_layer_bias(const mt_lexicon *lex, size_t layer);
void mt_lexicon_set_layer_learned(mt_lexicon *lex, size_t layer, int target, double bias);
/* The key prefix of the learned lines of a layer ("\x01" index "\x01"): written to out, which
 * holds MT_LEARNED_PREFIX_MAX bytes; returns its length. No token's normalized form contains the
 * control byte, so no text ever matches a learned key by itself. */
#define MT_LEARNED_PREFIX_MAX 16
size_t mt_lexicon_learned_prefix(size_t layer, char *out);

/* Entry i (0 <= i < mt_lexicon_size) of the merged table, or NULL: for tools that read a whole
 * lexicon (the trainer copies the sentiment lexicon to probe it). */
const mt_entry *mt_lexicon_entry_at(const mt_lexicon *lex, size_t i);
/* The tags column a lexicon line would need to give an entry these tags ("symptom,clinical=-2.2"),
 * NUL-terminated in out[0..cap); returns its length (0: no known tag). */
size_t mt_lexicon_format_tags(uint32_t tags, float booster, float clinical, char *out, size_t cap);
/* v as a plain decimal with at most `decimals` (<= 9) digits after the point, trailing zeros
 * dropped ("-0.25", "2"), the way parse_number reads it whatever the C locale; NUL-terminated in
 * out[0..cap). Returns the length. */
size_t mt_format_decimal(double v, unsigned decimals, char *out, size_t cap);

#endif
