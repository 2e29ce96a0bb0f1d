/* entities.h — the entity registry: ids, names, kinds and aliases, and the matcher that finds
 * mentions of them in an analyzed text's tokens. See "Entities" in include/medtone/reputation.h
 * for the matching rules. */
#ifndef MT_ENTITIES_H
#define MT_ENTITIES_H

#include <stddef.h>
#include <stdint.h>

#include "medtone.h"

#define MT_ALIAS_MAX_TOKENS 16

typedef struct mt_alias {
    char *text;     /* as given */
    char *key;      /* normalized tokens joined by one space (full stops left out) */
    char *joined;   /* normalized tokens run together, without ' - . @: what a #tag matches */
    uint64_t hash;  /* of key */
    uint64_t jhash; /* of joined */
    uint32_t key_len, joined_len;
    uint32_t entity;
    uint32_t ntok;
} mt_alias;

typedef struct mt_entity {
    char *id, *name;
    medtone_entity_kind kind;
    uint32_t *aliases; /* indexes into medtone_entities.alias, in the order added */
    size_t naliases, aliases_cap;
} mt_entity;

/* Open-addressing hash index: slot holds index + 1, 0 = empty. */
typedef struct mt_index {
    uint32_t *slot;
    size_t cap; /* a power of two, or 0 */
} mt_index;

struct medtone_entities {
    mt_entity *ent;
    size_t n, cap;
    mt_alias *alias;
    size_t nalias, alias_cap;
    mt_index ids;     /* entity ids */
    mt_index keys;    /* alias keys */
    mt_index joined;  /* joined forms; an ambiguous one is left out */
    uint64_t *prefix; /* hashes of proper prefixes of multi-token keys (0 = empty slot) */
    size_t prefix_cap, nprefix;
    unsigned max_tok;
    medtone_tokens *scratch; /* for normalizing aliases while building */
    char error[512];
};

#endif
