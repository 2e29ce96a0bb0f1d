/* lexicon.c — the merged lexicon: one immutable open-addressing table of entries, one set of the
 * word-prefixes of multi-word keys, and the layers in merge order. Parsing lives in
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
 * prefix-set pointers never move. Lookups hash the key once and probe; they never allocate and
 * write nothing, so any number of threads may look up at once. */
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

typedef struct mt_slot {
    uint32_t hash; /* high half of the key's 64-bit hash, compared before the key */
    uint32_t idx;  /* entry index + 1; 0 marks an empty slot */
} mt_slot;

typedef struct mt_prefix_slot {
    const char *key; /* start of a multi-word key in a layer arena; NULL marks an empty slot */
    uint32_t len;    /* bytes of the prefix: whole words, without the trailing space */
    uint32_t hash;
} mt_prefix_slot;

typedef struct mt_layer {
    char *name;
    char *keys; /* the arena that this layer's entries (and prefixes) point into */
} mt_layer;

struct mt_lexicon {
    mt_entry *entries; /* distinct keys, in first-seen order */
    size_t count, cap;
    mt_slot *slots; /* power-of-two size, at most half full */
    size_t mask;    /* slots - 1, or 0 when slots is NULL */
    mt_prefix_slot *prefixes;
    size_t pmask, pcount;
    mt_layer *layers;
    size_t nlayers, layers_cap;
    unsigned max_words;
    int merge_tags; /* mt_lexicon_set_merge_tags */
};

/* 64-bit hash of a short byte string: 8-byte blocks mixed multiplicatively, then the MurmurHash3
 * finalizer so that every input bit reaches both halves (the low half picks the slot, the high
 * half is stored as a check). Keys are short, so this is a handful of multiplies per lookup. */
static uint64_t rotl64(uint64_t x, unsigned r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    const uint64_t c1 = 0x87c37b91114253d5ull, c2 = 0x4cf5ad432745937full;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)n * c2);
    const unsigned char *p = (const unsigned char *)s;
    while (n >= 8) {
        uint64_t k;
        memcpy(&k, p, 8);
        h ^= rotl64(k * c1, 31) * c2;
        h = rotl64(h, 27) * 5 + 0x52dce729;
        p += 8;
        n -= 8;
    }
    uint64_t k = 0;
    for (size_t i = 0; i < n; i++)
        k |= (uint64_t)p[i] << (8 * i);
    h ^= rotl64(k * c1, 31) * c2;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
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
    mt_free(lex->prefixes);
    mt_free(lex);
}

/* Slot of `key` in the entry table, or of the empty slot where it would go. */
static mt_slot *entry_slot(mt_slot *slots, size_t mask, const mt_entry *entries, uint64_t h,
                           const char *key, size_t len)
{
    uint32_t tag = (uint32_t)(h >> 32);
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        mt_slot *s = &slots[i];
        if (!s->idx) return s;
        if (s->hash == tag) {
            const mt_entry *e = &entries[s->idx - 1];
            if (e->key_len == len && memcmp(e->key, key, len) == 0) return s;
        }
    }
}

static mt_prefix_slot *prefix_slot(mt_prefix_slot *slots, size_t mask, uint64_t h, const char *key,
                                   size_t len)
{
    uint32_t tag = (uint32_t)(h >> 32);
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        mt_prefix_slot *s = &slots[i];
        if (!s->key) return s;
        if (s->hash == tag && s->len == len && memcmp(s->key, key, len) == 0) return s;
    }
}

const mt_entry *mt_lexicon_find(const mt_lexicon *lex, const char *key, size_t len)
{
    if (!lex || !lex->slots || (!key && len)) return NULL;
    const mt_slot *s =
        entry_slot(lex->slots, lex->mask, lex->entries, hash_bytes(key, len), key, len);
    return s->idx ? &lex->entries[s->idx - 1] : NULL;
}

int mt_lexicon_has_prefix(const mt_lexicon *lex, const char *key, size_t len)
{
    if (!lex || !lex->prefixes || !key || !len) return 0;
    return prefix_slot(lex->prefixes, lex->pmask, hash_bytes(key, len), key, len)->key != NULL;
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
        if (size > SIZE_MAX / 2 / sizeof(mt_prefix_slot)) return 0;
        size *= 2;
    }
    return size;
}

/* Adds a parsed layer on top. `entries[0..count)` are its lines in file order, keys pointing into
 * `keys`; duplicates among them are fine (the later one wins, as in the file). On MEDTONE_OK the
 * lexicon owns `name` and `keys`; on failure nothing changed and the caller still owns them.
 *
 * Everything that can fail (growing the arrays, allocating larger tables) happens first; only
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
    if (count > UINT32_MAX - 1 - lex->count || max_prefixes > SIZE_MAX / 4 - lex->pcount)
        return MEDTONE_ERR_TOO_LARGE;
    size_t need_entries = lex->count + count, need_prefixes = lex->pcount + max_prefixes;

    /* Phase 1: allocate. Growing capacity changes nothing that a reader can see. */
    if (mt_reserve((void **)&lex->layers, &lex->layers_cap, lex->nlayers + 1, sizeof(mt_layer)))
        return MEDTONE_ERR_NOMEM;
    if (mt_reserve((void **)&lex->entries, &lex->cap, need_entries, sizeof(mt_entry)))
        return MEDTONE_ERR_NOMEM;
    mt_slot *new_slots = NULL;
    mt_prefix_slot *new_prefixes = NULL;
    size_t slots_size = lex->slots ? lex->mask + 1 : 0;
    size_t prefixes_size = lex->prefixes ? lex->pmask + 1 : 0;
    if (need_entries > slots_size / 2) {
        slots_size = table_size(need_entries);
        if (!slots_size) return MEDTONE_ERR_TOO_LARGE;
        new_slots = mt_calloc(slots_size, sizeof(mt_slot));
        if (!new_slots) return MEDTONE_ERR_NOMEM;
    }
    if (need_prefixes && need_prefixes > prefixes_size / 2) {
        prefixes_size = table_size(need_prefixes);
        if (!prefixes_size) {
            mt_free(new_slots);
            return MEDTONE_ERR_TOO_LARGE;
        }
        new_prefixes = mt_calloc(prefixes_size, sizeof(mt_prefix_slot));
        if (!new_prefixes) {
            mt_free(new_slots);
            return MEDTONE_ERR_NOMEM;
        }
    }

    /* Phase 2: commit. Moving to a larger table rehashes every key; the tables double, so that
     * costs O(total keys) over all layers. */
    if (new_slots) {
        size_t mask = slots_size - 1;
        for (size_t i = 0; i < lex->count; i++) {
            const mt_entry *e = &lex->entries[i];
            uint64_t h = hash_bytes(e->key, e->key_len);
            mt_slot *s = entry_slot(new_slots, mask, lex->entries, h, e->key, e->key_len);
            s->hash = (uint32_t)(h >> 32);
            s->idx = (uint32_t)i + 1;
        }
        mt_free(lex->slots);
        lex->slots = new_slots;
        lex->mask = mask;
    }
    if (new_prefixes) {
        size_t mask = prefixes_size - 1;
        if (lex->prefixes) {
            for (size_t i = 0; i <= lex->pmask; i++) {
                const mt_prefix_slot *old = &lex->prefixes[i];
                if (!old->key) continue;
                uint64_t h = hash_bytes(old->key, old->len);
                *prefix_slot(new_prefixes, mask, h, old->key, old->len) = *old;
            }
        }
        mt_free(lex->prefixes);
        lex->prefixes = new_prefixes;
        lex->pmask = mask;
    }

    uint16_t layer = (uint16_t)lex->nlayers;
    lex->layers[lex->nlayers].name = name;
    lex->layers[lex->nlayers].keys = keys;
    lex->nlayers++;

    /* Lines go in last to first, so the last line of a key in this layer is the one applied and
     * earlier lines of the same key are skipped (their entry already carries this layer). */
    for (size_t i = count; i-- > 0;) {
        mt_entry e = entries[i];
        e.layer = layer;
        uint64_t h = hash_bytes(e.key, e.key_len);
        mt_slot *s = entry_slot(lex->slots, lex->mask, lex->entries, h, e.key, e.key_len);
        if (s->idx) {
            /* Later wins: replace every field, keeping the key already stored (same bytes). A
             * cue lexicon keeps the tags of earlier layers too: "meds" is both a drug cue and a
             * medication-aspect cue when two cue files list it. */
            const mt_entry *old = &lex->entries[s->idx - 1];
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
            lex->entries[s->idx - 1] = e;
            if (e.nwords > lex->max_words) lex->max_words = e.nwords;
            continue;
        }
        lex->entries[lex->count] = e;
        s->hash = (uint32_t)(h >> 32);
        s->idx = (uint32_t)++lex->count;
        if (e.nwords > lex->max_words) lex->max_words = e.nwords;

        /* Every proper word-prefix: "waited for hours" adds "waited" and "waited for". */
        for (uint32_t j = 0; j < e.key_len; j++) {
            if (e.key[j] != ' ') continue;
            uint64_t ph = hash_bytes(e.key, j);
            mt_prefix_slot *ps = prefix_slot(lex->prefixes, lex->pmask, ph, e.key, j);
            if (ps->key) continue;
            ps->key = e.key;
            ps->len = j;
            ps->hash = (uint32_t)(ph >> 32);
            lex->pcount++;
        }
    }
    return MEDTONE_OK;
}
