/* lexicon.c — the merged lexicon: the entries, one immutable open-addressing table of their keys
 * and of the word-prefixes of multi-word keys, and the layers in merge order. Parsing lives in
 * lexicon_load.c, which hands each parsed layer to mt_lexicon_merge_layer below.
 *
 * Merge rule: an entry is keyed by its normalized term. When a key is already present, the later
 * line (in the same layer) or the later layer replaces ALL of the earlier entry's fields (valence,
 * tags, booster, clinical, layer); nothing is combined. So a user layer can neutralize a word by
 * listing it with valence 0 and no tags. The one exception is a lexicon with merge_tags on (the
 * flags' cue lexicon): there a later layer's entry also keeps the tags that earlier LAYERS gave
 * the key, while within one layer the last line still wins outright.
 *
 * Memory: each layer owns one key arena (the NUL-terminated keys of its lines, written by the
 * parser); entries point into these arenas, which live as long as the lexicon, so entry keys and
 * prefix keys never move. Lookups hash the key once and probe; they never allocate and write
 * nothing, so any number of threads may look up at once. */
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "lexicon.h"

/* The one link between the parser and the table; it is not in lexicon.h, which is the scorer's
 * view. Keep this prototype identical to the one in lexicon_load.c. */
medtone_status mt_lexicon_merge_layer(mt_lexicon *lex, char *name, char *keys, mt_entry *entries,
                                      size_t count);

/* Layer indexes are stored in mt_entry.layer (uint16_t). */
#define MT_MAX_LAYERS 65535u

/* One open-addressing table holds every key the lexicon knows: the entries' keys and the proper
 * word-prefixes of multi-word keys ("waited", "waited for" of "waited for hours"). A slot says
 * which, so one hash and one probe answer both questions the matcher asks of a key: "is it a
 * term?" and "can a longer term start with it?". */
typedef struct mt_slot {
    uint32_t hash; /* high half of the key's 64-bit hash, compared before the key */
    uint32_t ref;  /* 0 marks an empty slot; else REF_* bits | (index + 1) */
} mt_slot;

#define REF_PREFIX  0x80000000u /* the key is a proper word-prefix of some multi-word key */
#define REF_PKEY    0x40000000u /* the index is into pkeys (a prefix and no entry), else entries */
#define REF_INDEX   0x3FFFFFFFu
#define MT_MAX_KEYS (REF_INDEX - 1u) /* entries, and prefix-only keys, each */

/* A prefix that is not itself an entry: where its bytes are. */
typedef struct mt_pkey {
    const char *key; /* start of a multi-word key in a layer arena */
    uint32_t len;    /* bytes of the prefix: whole words, without the trailing space */
} mt_pkey;

typedef struct mt_layer {
    char *name;
    char *keys; /* the arena that this layer's entries (and prefixes) point into */
    int target; /* learned layers: the flag corrected, else -1 (the loader sets it after merging) */
    double bias; /* learned layers: the "#@ bias" header */
} mt_layer;

struct mt_lexicon {
    mt_entry *entries; /* distinct keys, in first-seen order */
    size_t count, cap;
    mt_slot *slots; /* power-of-two size, at most half full */
    size_t mask;    /* slots - 1, or 0 when slots is NULL */
    size_t used;    /* occupied slots: entries plus prefix-only keys */
    mt_pkey *pkeys;
    size_t npkeys, pkeys_cap;
    /* The follow filter: one bit per (prefix, next word) pair of the multi-word keys, so that the
     * matcher can tell, from two hashes and without building the longer key, that a word cannot
     * extend a prefix ("the" + "nurse" when no term starts "the nurse"). Power-of-two bits, kept
     * at most 1/16 full (about 6% false "maybe"s); NULL while there are no multi-word keys. */
    uint64_t *follow;
    size_t follow_mask; /* bits - 1 */
    size_t npairs;      /* pairs set (an upper bound: repeats are counted) */
    mt_layer *layers;
    size_t nlayers, layers_cap;
    unsigned max_words;
    int merge_tags; /* mt_lexicon_set_merge_tags */
};

/* key[0, n) == other[0, n), inlined for short keys (a call to memcmp costs more than a word). */
static inline int same_bytes(const char *key, const char *other, size_t n)
{
    const unsigned char *x = (const unsigned char *)key, *y = (const unsigned char *)other;
    if (n >= 8) {
        if (n > 16) return memcmp(x, y, n) == 0;
        return ((mt_load64(x) ^ mt_load64(y)) | (mt_load64(x + n - 8) ^ mt_load64(y + n - 8))) == 0;
    }
    if (n >= 4)
        return ((mt_load32(x) ^ mt_load32(y)) | (mt_load32(x + n - 4) ^ mt_load32(y + n - 4))) == 0;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return 0;
    return 1;
}

mt_lexicon *mt_lexicon_new(void)
{
    return mt_calloc(1, sizeof(mt_lexicon));
}

void mt_lexicon_free(mt_lexicon *lex)
{
    if (!lex) return;
    for (size_t i = 0; i < lex->nlayers; i++) {
        mt_free(lex->layers[i].name);
        mt_free(lex->layers[i].keys);
    }
    mt_free(lex->layers);
    mt_free(lex->entries);
    mt_free(lex->slots);
    mt_free(lex->pkeys);
    mt_free(lex->follow);
    mt_free(lex);
}

/* The bytes of the key a slot holds. */
static inline const char *slot_key(const mt_entry *entries, const mt_pkey *pkeys, uint32_t ref,
                                   size_t *len)
{
    uint32_t i = (ref & REF_INDEX) - 1;
    if (ref & REF_PKEY) {
        *len = pkeys[i].len;
        return pkeys[i].key;
    }
    *len = entries[i].key_len;
    return entries[i].key;
}

/* Slot of `key`, or the empty slot where it would go. */
static inline mt_slot *find_slot(mt_slot *slots, size_t mask, const mt_entry *entries,
                                 const mt_pkey *pkeys, uint64_t h, const char *key, size_t len)
{
    uint32_t tag = (uint32_t)(h >> 32);
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        mt_slot *s = &slots[i];
        if (!s->ref) return s;
        if (s->hash == tag) {
            size_t klen;
            const char *k = slot_key(entries, pkeys, s->ref, &klen);
            if (klen == len && same_bytes(k, key, len)) return s;
        }
    }
}

static inline const mt_slot *lookup_slot(const mt_lexicon *lex, const char *key, size_t len,
                                         uint64_t h)
{
    return find_slot(lex->slots, lex->mask, lex->entries, lex->pkeys, h, key, len);
}

static inline const mt_entry *slot_entry(const mt_lexicon *lex, const mt_slot *s)
{
    return s->ref && !(s->ref & REF_PKEY) ? &lex->entries[(s->ref & REF_INDEX) - 1] : NULL;
}

const mt_entry *mt_lexicon_find(const mt_lexicon *lex, const char *key, size_t len)
{
    if (!lex || !lex->slots || (!key && len)) return NULL;
    if (!key) key = "";
    return slot_entry(lex, lookup_slot(lex, key, len, mt_lexicon_hash(key, len)));
}

int mt_lexicon_has_prefix(const mt_lexicon *lex, const char *key, size_t len)
{
    if (!lex || !lex->slots || !key || !len) return 0;
    return (lookup_slot(lex, key, len, mt_lexicon_hash(key, len))->ref & REF_PREFIX) != 0;
}

const mt_entry *mt_lexicon_lookup_hashed(const mt_lexicon *lex, const char *key, size_t len,
                                         uint64_t hash, int *is_prefix)
{
    *is_prefix = 0;
    if (!lex || !lex->slots || (!key && len)) return NULL;
    const mt_slot *s = lookup_slot(lex, key ? key : "", len, hash);
    *is_prefix = len && (s->ref & REF_PREFIX);
    return slot_entry(lex, s);
}

const mt_entry *mt_lexicon_lookup(const mt_lexicon *lex, const char *key, size_t len,
                                  int *is_prefix)
{
    if (!key) {
        *is_prefix = 0;
        return len ? NULL : mt_lexicon_lookup_hashed(lex, "", 0, mt_lexicon_hash("", 0), is_prefix);
    }
    return mt_lexicon_lookup_hashed(lex, key, len, mt_lexicon_hash(key, len), is_prefix);
}

void mt_lexicon_prefetch(const mt_lexicon *lex, const uint64_t *hashes, size_t n)
{
#if defined(__GNUC__)
    if (!lex || !lex->slots) return;
    for (size_t i = 0; i < n; i++)
        __builtin_prefetch(&lex->slots[(size_t)hashes[i] & lex->mask]);
#else
    (void)lex, (void)hashes, (void)n;
#endif
}

int mt_lexicon_may_extend(const mt_lexicon *lex, uint64_t prefix_hash, uint64_t word_hash)
{
    return mt_follow_may_extend(mt_lexicon_follow_filter(lex), prefix_hash, word_hash);
}

mt_follow_filter mt_lexicon_follow_filter(const mt_lexicon *lex)
{
    mt_follow_filter f = {NULL, 0};
    if (lex && lex->follow) {
        f.bits = lex->follow;
        f.mask = lex->follow_mask;
    }
    return f;
}

/* Sets the filter bits of every (prefix, next word) pair of a key: "waited for hours" sets
 * ("waited", "for") and ("waited for", "hours"). */
static void follow_add(uint64_t *follow, size_t mask, const char *key, size_t len)
{
    for (size_t j = 0; j < len; j++) {
        if (key[j] != ' ') continue;
        size_t w = j + 1, end = w;
        while (end < len && key[end] != ' ')
            end++;
        size_t b = mt_follow_bit(mt_lexicon_hash(key, j), mt_lexicon_hash(key + w, end - w), mask);
        follow[b >> 6] |= (uint64_t)1 << (b & 63);
    }
}

unsigned mt_lexicon_max_words(const mt_lexicon *lex)
{
    return lex ? lex->max_words : 0;
}

size_t mt_lexicon_layer_count(const mt_lexicon *lex)
{
    return lex ? lex->nlayers : 0;
}

const char *mt_lexicon_layer_name(const mt_lexicon *lex, size_t i)
{
    return lex && i < lex->nlayers ? lex->layers[i].name : NULL;
}

void mt_lexicon_set_merge_tags(mt_lexicon *lex, int on)
{
    if (lex) lex->merge_tags = on;
}

size_t mt_lexicon_size(const mt_lexicon *lex)
{
    return lex ? lex->count : 0;
}

/* Smallest power of two >= 2 * n (so the table stays at most half full), or 0 on overflow. */
static size_t table_size(size_t n)
{
    size_t size = 16;
    while (size / 2 < n) {
        if (size > SIZE_MAX / 2 / sizeof(mt_slot)) return 0;
        size *= 2;
    }
    return size;
}

/* Adds a parsed layer on top. `entries[0..count)` are its lines in file order, keys pointing into
 * `keys`; duplicates among them are fine (the later one wins, as in the file). On MEDTONE_OK the
 * lexicon owns `name` and `keys`; on failure nothing changed and the caller still owns them.
 *
 * Everything that can fail (growing the arrays, allocating a larger table) happens first; only
 * then is the lexicon modified, by steps that cannot fail. */
medtone_status mt_lexicon_merge_layer(mt_lexicon *lex, char *name, char *keys, mt_entry *entries,
                                      size_t count)
{
    if (!lex || !name || (count && (!entries || !keys))) return MEDTONE_ERR_INVALID_ARG;
    if (lex->nlayers >= MT_MAX_LAYERS) return MEDTONE_ERR_TOO_LARGE;

    /* Upper bounds: every line a new key, every space in a key a new prefix. (Counted from the
     * bytes rather than nwords, so the bound holds whatever a token's normalized form contains.) */
    size_t max_prefixes = 0;
    for (size_t i = 0; i < count; i++)
        for (uint32_t j = 0; j < entries[i].key_len; j++)
            max_prefixes += entries[i].key[j] == ' ';
    if (count > MT_MAX_KEYS - lex->count || max_prefixes > MT_MAX_KEYS - lex->npkeys)
        return MEDTONE_ERR_TOO_LARGE;
    size_t need_entries = lex->count + count, need_pkeys = lex->npkeys + max_prefixes;
    size_t need_slots = lex->used + count + max_prefixes;

    /* Phase 1: allocate. Growing capacity changes nothing that a reader can see. */
    if (mt_reserve((void **)&lex->layers, &lex->layers_cap, lex->nlayers + 1, sizeof(mt_layer)))
        return MEDTONE_ERR_NOMEM;
    if (mt_reserve((void **)&lex->entries, &lex->cap, need_entries, sizeof(mt_entry)))
        return MEDTONE_ERR_NOMEM;
    mt_slot *new_slots = NULL;
    size_t slots_size = lex->slots ? lex->mask + 1 : 0;
    if (need_slots > slots_size / 2) {
        slots_size = table_size(need_slots);
        if (!slots_size) return MEDTONE_ERR_TOO_LARGE;
        new_slots = mt_calloc(slots_size, sizeof(mt_slot));
        if (!new_slots) return MEDTONE_ERR_NOMEM;
    }
    /* The follow filter: at least 16 bits per pair (need_slots bounds the pairs too). */
    uint64_t *new_follow = NULL;
    size_t need_pairs = lex->npairs + max_prefixes;
    size_t follow_bits = lex->follow ? lex->follow_mask + 1 : 0;
    if (need_pairs && need_pairs > follow_bits / 16) {
        follow_bits = 64;
        while (follow_bits / 16 < need_pairs)
            follow_bits *= 2;
        new_follow = mt_calloc(follow_bits / 64, sizeof(uint64_t));
        if (!new_follow) {
            mt_free(new_slots);
            return MEDTONE_ERR_NOMEM;
        }
    }
    /* Last, as it may be a first allocation: a failure after it would leave one more block. */
    if (max_prefixes &&
        mt_reserve((void **)&lex->pkeys, &lex->pkeys_cap, need_pkeys, sizeof(mt_pkey))) {
        mt_free(new_slots);
        mt_free(new_follow);
        return MEDTONE_ERR_NOMEM;
    }

    /* Phase 2: commit. Moving to a larger table rehashes every key; the table doubles, so that
     * costs O(total keys) over all layers. */
    if (new_slots) {
        size_t mask = slots_size - 1;
        for (size_t i = 0; lex->slots && i <= lex->mask; i++) {
            const mt_slot *old = &lex->slots[i];
            if (!old->ref) continue;
            size_t klen;
            const char *k = slot_key(lex->entries, lex->pkeys, old->ref, &klen);
            uint64_t h = mt_lexicon_hash(k, klen);
            *find_slot(new_slots, mask, lex->entries, lex->pkeys, h, k, klen) = *old;
        }
        mt_free(lex->slots);
        lex->slots = new_slots;
        lex->mask = mask;
    }
    if (new_follow) {
        for (size_t i = 0; i < lex->count; i++)
            follow_add(new_follow, follow_bits - 1, lex->entries[i].key, lex->entries[i].key_len);
        mt_free(lex->follow);
        lex->follow = new_follow;
        lex->follow_mask = follow_bits - 1;
    }

    uint16_t layer = (uint16_t)lex->nlayers;
    lex->layers[lex->nlayers].name = name;
    lex->layers[lex->nlayers].keys = keys;
    lex->layers[lex->nlayers].target = -1; /* a learned layer's loader sets it afterwards */
    lex->layers[lex->nlayers].bias = 0;
    lex->nlayers++;

    /* Lines go in last to first, so the last line of a key in this layer is the one applied and
     * earlier lines of the same key are skipped (their entry already carries this layer). */
    for (size_t i = count; i-- > 0;) {
        mt_entry e = entries[i];
        e.layer = layer;
        uint64_t h = mt_lexicon_hash(e.key, e.key_len);
        mt_slot *s =
            find_slot(lex->slots, lex->mask, lex->entries, lex->pkeys, h, e.key, e.key_len);
        if (s->ref && !(s->ref & REF_PKEY)) {
            /* Later wins: replace every field, keeping the key already stored (same bytes). A
             * cue lexicon keeps the tags of earlier layers too: "meds" is both a drug cue and a
             * medication-aspect cue when two cue files list it. */
            mt_entry *old = &lex->entries[(s->ref & REF_INDEX) - 1];
            if (old->layer == layer) continue; /* a later line of this layer already won */
            if (lex->merge_tags) {
                /* each flag family keeps the weight its own layer gave, unless this line names
                 * the family again */
                static const uint32_t families[MT_CUE_FAMILIES] = MT_CUE_FAMILY_TAGS;
                for (unsigned f = 0; f < MT_CUE_FAMILIES; f++)
                    if (!(e.tags & families[f])) e.cue[f] = old->cue[f];
                e.tags |= old->tags;
            }
            e.key = old->key;
            *old = e;
            if (e.nwords > lex->max_words) lex->max_words = e.nwords;
            continue;
        }
        /* A new entry, in an empty slot or in the slot of a prefix that is now a term too. */
        lex->entries[lex->count] = e;
        if (!s->ref) {
            s->hash = (uint32_t)(h >> 32);
            lex->used++;
        }
        s->ref = (s->ref & REF_PREFIX) | (uint32_t)++lex->count;
        if (e.nwords > lex->max_words) lex->max_words = e.nwords;

        /* Every proper word-prefix: "waited for hours" adds "waited" and "waited for". */
        for (uint32_t j = 0; j < e.key_len; j++) {
            if (e.key[j] != ' ') continue;
            lex->npairs++;
            uint64_t ph = mt_lexicon_hash(e.key, j);
            if (lex->follow) {
                uint32_t end = j + 1;
                while (end < e.key_len && e.key[end] != ' ')
                    end++;
                uint64_t wh = mt_lexicon_hash(e.key + j + 1, end - j - 1);
                size_t b = mt_follow_bit(ph, wh, lex->follow_mask);
                lex->follow[b >> 6] |= (uint64_t)1 << (b & 63);
            }
            mt_slot *ps = find_slot(lex->slots, lex->mask, lex->entries, lex->pkeys, ph, e.key, j);
            if (!ps->ref) {
                lex->pkeys[lex->npkeys] = (mt_pkey){e.key, j};
                ps->hash = (uint32_t)(ph >> 32);
                ps->ref = REF_PKEY | (uint32_t)++lex->npkeys;
                lex->used++;
            }
            ps->ref |= REF_PREFIX;
        }
    }
    return MEDTONE_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Learned layers and whole-table reads (see lexicon.h)
 * ------------------------------------------------------------------------------------------- */

void mt_lexicon_set_layer_learned(mt_lexicon *lex, size_t layer, int target, double bias)
{
    if (!lex || layer >= lex->nlayers) return;
    lex->layers[layer].target = target;
    lex->layers[layer].bias = target >= 0 ? bias : 0;
}

int mt_lexicon_layer_target(const mt_lexicon *lex, size_t layer)
{
    return lex && layer < lex->nlayers ? lex->layers[layer].target : -1;
}

double mt_lexicon_layer_bias(const mt_lexicon *lex, size_t layer)
{
    return lex && layer < lex->nlayers ? lex->layers[layer].bias : 0;
}

const mt_entry *mt_lexicon_entry_at(const mt_lexicon *lex, size_t i)
{
    return lex && i < lex->count ? &lex->entries[i] : NULL;
}
