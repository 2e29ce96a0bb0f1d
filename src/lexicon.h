/* lexicon.h — the lexicon store: parsing layers (plain or gzip TSV), merging them (later wins) and
 * the immutable lookup table the scorer reads. See lexicons/README.md for the file format. */
#ifndef MT_LEXICON_H
#define MT_LEXICON_H

#include <stddef.h>
#include <stdint.h>

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

typedef struct mt_entry {
    const char *key;  /* normalized words joined by one space, NUL-terminated */
    uint32_t key_len; /* bytes in key */
    uint16_t layer;   /* index of the layer the winning line came from */
    uint16_t nwords;  /* tokens in key (1 for a single word or emoji) */
    uint32_t tags;    /* MT_TAG_* bits */
    float valence;    /* -4..4 */
    float booster;    /* X of booster=X, else 0 */
    float clinical;   /* V of clinical=V, else 0 */
    float cue[5];     /* cue lexicons: the weight per flag family (mt_cue_weight) */
} mt_entry;

/* Flag families of the cue lexicon. A cue line's weight (its valence column) belongs to the
 * families its tags name, so when two cue files list the same word ("meds": a drug for the ADE
 * flag, a medication-aspect word), each flag keeps the weight its own file gave. */
enum { MT_CUE_MISINFO, MT_CUE_CRISIS, MT_CUE_PRIVACY, MT_CUE_ADE, MT_CUE_ASPECT, MT_CUE_FAMILIES };

/* The MT_TAG_* bits of each family, in MT_CUE_* order. */
#define MT_CUE_FAMILY_TAGS                                                                         \
    {MT_TAG_MISINFO, MT_TAG_CRISIS, MT_TAG_HEALTH_INFO | MT_TAG_IDENTIFIER,                       \
     MT_TAG_DRUG | MT_TAG_REACTION, MT_TAG_ORG | MT_TAG_ASPECT_ALL}

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
/* The most words in any key (1 when there are no multi-word terms, 0 when empty). */
unsigned mt_lexicon_max_words(const mt_lexicon *lex);

size_t mt_lexicon_layer_count(const mt_lexicon *lex);
const char *mt_lexicon_layer_name(const mt_lexicon *lex, size_t i);
size_t mt_lexicon_size(const mt_lexicon *lex); /* distinct terms after merging */
/* With on != 0, a key listed again in a later layer keeps the earlier layers' tags as well (its
 * other fields still come from the later line). The cue lexicon merges this way, so a word can
 * serve several flags; the sentiment lexicon does not (a user layer may strip tags). */
void mt_lexicon_set_merge_tags(mt_lexicon *lex, int on);

#endif
