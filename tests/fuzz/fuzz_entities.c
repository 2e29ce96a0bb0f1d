/* fuzz_entities.c — the entity registry's file loader (medtone_entities_load_data, the
 * `--entities` file of `medtone report`) on arbitrary bytes: plain TSV, or a gzip stream when the
 * input starts with 1f 8b.
 *
 * Each input is loaded twice: into an empty registry and into one that already holds entities
 * (so ids and aliases can collide with what is there). Checks the contract of
 * include/medtone/reputation.h: a load returns a documented status; a failed one says why and
 * leaves the registry exactly as it was (entities, aliases, and what a fixed text matches); a
 * successful one adds the same entities to both registries, each with a unique id that finds it,
 * a name that is its first alias, strings within the limits and valid UTF-8; and each loaded
 * alias, analyzed as a text of its own, mentions its entity, with every mention's span inside
 * that text. */
#include <string.h>

#include <medtone.h>
#include <medtone/reputation.h>

#include "fuzz_common.h"

static medtone_analyzer *g_an;
static medtone_result *g_res;

/* The registry the second load goes into: a few entities whose names a file may reuse. */
static const char g_base_tsv[] = "st-mary\tSt Mary\thospital\t@StMaryHealth|#StMarys|Saint Mary's\n"
                                 "okafor\tDr. Amara Okafor\tdoctor\tDr Okafor|Okafor\n"
                                 "zerevia\tZerevia\tdrug\tZerevia XR|zrv\n";
static const char g_probe_text[] =
    "Dr. Okafor at #StMarys said Zerevia XR helps; saint mary's ER was slow, @stmaryhealth";

static void setup(void)
{
    if (g_an) return;
    medtone_options *o = medtone_options_new();
    FUZZ_CHECK(o != NULL);
    /* Matching needs the tokens only: no lexicons, no flags, for speed. */
    FUZZ_CHECK(medtone_options_set_int(o, MEDTONE_OPT_EMBEDDED_LEXICONS, 0) == MEDTONE_OK);
    FUZZ_CHECK(medtone_options_set_int(o, MEDTONE_OPT_FLAGS, 0) == MEDTONE_OK);
    FUZZ_CHECK(medtone_analyzer_new(o, &g_an) == MEDTONE_OK);
    medtone_options_free(o);
    g_res = medtone_result_new();
    FUZZ_CHECK(g_res != NULL);
}

FUZZ_INITIALIZE(setup)

static medtone_entities *new_registry(int with_base)
{
    medtone_entities *e = medtone_entities_new();
    FUZZ_CHECK(e != NULL);
    if (with_base)
        FUZZ_CHECK(medtone_entities_load_data(e, "base", g_base_tsv, sizeof g_base_tsv - 1) ==
                   MEDTONE_OK);
    return e;
}

/* What a registry holds, as far as a failed load must not change it: a hash of every string in
 * order, the counts, and the entities the probe text mentions. */
typedef struct snap {
    size_t count, aliases;
    uint64_t hash;
    size_t found, hits[8];
} snap;

static uint64_t mix(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (h ^ 0xFF) * 1099511628211ULL;
}

static void take(const medtone_entities *e, snap *s)
{
    memset(s, 0, sizeof *s);
    s->count = medtone_entities_count(e);
    s->hash = 1469598103934665603ULL;
    for (size_t i = 0; i < s->count; i++) {
        s->hash = mix(s->hash, medtone_entity_id(e, i));
        s->hash = mix(s->hash, medtone_entity_name(e, i));
        s->hash = mix(s->hash, medtone_entity_kind_name(medtone_entity_kind_of(e, i)));
        size_t na = medtone_entity_alias_count(e, i);
        s->aliases += na;
        for (size_t k = 0; k < na; k++)
            s->hash = mix(s->hash, medtone_entity_alias(e, i, k));
    }
    FUZZ_CHECK(medtone_analyze(g_an, g_probe_text, sizeof g_probe_text - 1, g_res) == MEDTONE_OK);
    FUZZ_CHECK(medtone_entities_match(e, g_res, s->hits, 8, &s->found) == MEDTONE_OK);
}

static int same(const snap *x, const snap *y)
{
    return memcmp(x, y, sizeof *x) == 0;
}

/* Entities [from, count) as a successful load must leave them. */
static void check_loaded(const medtone_entities *e, size_t from)
{
    size_t n = medtone_entities_count(e);
    for (size_t i = from; i < n; i++) {
        const char *id = medtone_entity_id(e, i), *name = medtone_entity_name(e, i);
        size_t idl = strlen(id), namel = strlen(name);
        FUZZ_CHECK(idl >= 1 && idl <= MEDTONE_ENTITY_ID_MAX);
        FUZZ_CHECK(strpbrk(id, "\t\r\n") == NULL);
        FUZZ_CHECK(fuzz_valid_utf8(id, idl));
        FUZZ_CHECK(namel >= 1 && namel <= MEDTONE_ALIAS_MAX && fuzz_valid_utf8(name, namel));
        size_t at = (size_t)-1;
        FUZZ_CHECK(medtone_entities_find(e, id, &at) == MEDTONE_OK && at == i);
        FUZZ_CHECK(strcmp(medtone_entity_kind_name(medtone_entity_kind_of(e, i)), "unknown"));
        size_t na = medtone_entity_alias_count(e, i);
        FUZZ_CHECK(na >= 1);
        FUZZ_CHECK(strcmp(medtone_entity_alias(e, i, 0), name) == 0);
        for (size_t k = 0; k < na; k++) {
            const char *a = medtone_entity_alias(e, i, k);
            size_t al = strlen(a);
            FUZZ_CHECK(al >= 1 && al <= MEDTONE_ALIAS_MAX && fuzz_valid_utf8(a, al));
            /* the name is one field; the other aliases are split at '|' */
            FUZZ_CHECK(strchr(a, '\t') == NULL && (k == 0 || strchr(a, '|') == NULL));
        }
    }
}

/* Each alias (at most a few per entity, for speed), analyzed alone, mentions its entity. */
static void check_aliases_match(const medtone_entities *e)
{
    size_t n = medtone_entities_count(e);
    for (size_t i = 0; i < n && i < 16; i++) {
        size_t na = medtone_entity_alias_count(e, i);
        for (size_t k = 0; k < na && k < 4; k++) {
            const char *a = medtone_entity_alias(e, i, k);
            size_t al = strlen(a);
            FUZZ_CHECK(medtone_analyze(g_an, a, al, g_res) == MEDTONE_OK);
            size_t cursor = 0, ent, off, len, mentions = 0;
            int self = 0;
            while (medtone_entities_next_mention(e, g_res, &cursor, &ent, &off, &len) ==
                   MEDTONE_OK) {
                FUZZ_CHECK(ent < n);
                FUZZ_CHECK(len > 0 && off <= al && len <= al - off);
                self |= ent == i;
                FUZZ_CHECK(++mentions <= 64);
            }
            FUZZ_CHECK(self);
            size_t hits[4], found = 0;
            FUZZ_CHECK(medtone_entities_match(e, g_res, hits, 4, &found) == MEDTONE_OK);
            FUZZ_CHECK(found >= 1 && found <= mentions);
        }
    }
}

static int load_into(medtone_entities *e, const uint8_t *data, size_t size)
{
    snap before, after;
    take(e, &before);
    medtone_status st =
        medtone_entities_load_data(e, "fuzz", size ? (const char *)data : NULL, size);
    const char *err = medtone_entities_last_error(e);
    if (st != MEDTONE_OK) {
        FUZZ_CHECK(st == MEDTONE_ERR_PARSE || st == MEDTONE_ERR_GZIP ||
                   st == MEDTONE_ERR_TOO_LARGE);
        FUZZ_CHECK(err && *err);
        take(e, &after);
        FUZZ_CHECK(same(&before, &after));
        return -1;
    }
    FUZZ_CHECK(*err == '\0');
    check_loaded(e, before.count);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    medtone_entities *fresh = new_registry(0), *full = new_registry(1);
    size_t base = medtone_entities_count(full);
    int ok_fresh = load_into(fresh, data, size) == 0;
    int ok_full = load_into(full, data, size) == 0;
    /* reason: what loads on top of entities loads on its own (fewer conflicts there) */
    if (ok_full) FUZZ_CHECK(ok_fresh);
    if (ok_fresh && ok_full) {
        size_t n = medtone_entities_count(fresh);
        FUZZ_CHECK(medtone_entities_count(full) == base + n);
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(strcmp(medtone_entity_id(fresh, i), medtone_entity_id(full, base + i)) == 0);
            FUZZ_CHECK(medtone_entity_alias_count(fresh, i) ==
                       medtone_entity_alias_count(full, base + i));
        }
    }
    if (ok_fresh) check_aliases_match(fresh);
    medtone_entities_free(fresh);
    medtone_entities_free(full);
    return 0;
}
