/* entities.c — the entity registry and the mention matcher.
 *
 * An alias is normalized by the tokenizer itself, so its key is byte for byte what the matcher
 * sees in a text: "St. Mary's" -> tokens "st" "." "mary's" -> key "st mary's" (full stops are left
 * out on both sides, so "Dr. Okafor" and "Dr Okafor" meet). Keys live in a hash index keyed by a
 * 64-bit FNV-1a hash that the matcher extends token by token, so matching allocates nothing and
 * costs about one probe per token: a second set holds the hashes of every proper prefix of a
 * multi-token key, and a match is only extended while the words so far begin some alias. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "entities.h"
#include "rep_io.h"
#include "result.h"
#include "tokenize.h"

#define FNV_OFFSET            1469598103934665603ULL
#define FNV_PRIME             1099511628211ULL
#define MT_ENTITIES_MAX_BYTES ((size_t)64 << 20)

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= FNV_PRIME;
    }
    return h;
}

/* Characters a run-together form leaves out: "St. Mary's" -> "stmarys", "@HVHealth" ->
 * "hvhealth". */
static int joined_skip(char c)
{
    return c == '\'' || c == '-' || c == '.' || c == '@' || c == '_';
}

static uint64_t joined_hash(const char *s, size_t n)
{
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < n; i++) {
        if (joined_skip(s[i])) continue;
        h ^= (unsigned char)s[i];
        h *= FNV_PRIME;
    }
    return h;
}

static int joined_equal(const char *s, size_t n, const char *joined, size_t jlen)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (joined_skip(s[i])) continue;
        if (k >= jlen || s[i] != joined[k]) return 0;
        k++;
    }
    return k == jlen;
}

/* ----- kinds ------------------------------------------------------------------------------ */

static const char *const kind_names[] = {"hospital", "clinic",     "doctor", "drug",
                                         "brand",    "competitor", "other"};
#define KIND_COUNT (sizeof kind_names / sizeof kind_names[0])

const char *medtone_entity_kind_name(medtone_entity_kind kind)
{
    return (unsigned)kind < KIND_COUNT ? kind_names[kind] : "unknown";
}

static int ascii_ieq(const char *a, size_t n, const char *b)
{
    size_t i = 0;
    for (; i < n && b[i]; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (x != y) return 0;
    }
    return i == n && b[i] == '\0';
}

static int kind_find(const char *s, size_t n, medtone_entity_kind *kind)
{
    for (size_t k = 0; k < KIND_COUNT; k++)
        if (ascii_ieq(s, n, kind_names[k])) {
            *kind = (medtone_entity_kind)k;
            return 0;
        }
    return -1;
}

medtone_status medtone_entity_kind_find(const char *name, medtone_entity_kind *kind)
{
    if (!name || !kind) return MEDTONE_ERR_INVALID_ARG;
    return kind_find(name, strlen(name), kind) == 0 ? MEDTONE_OK : MEDTONE_ERR_NOT_FOUND;
}

/* ----- the hash indexes ------------------------------------------------------------------- */

static int index_grow(mt_index *ix, size_t count)
{
    if (ix->cap >= 2 * (count + 1)) return 0;
    size_t ncap = ix->cap ? ix->cap : 16;
    while (ncap < 2 * (count + 1)) {
        if (ncap > SIZE_MAX / 8) return -1;
        ncap *= 2;
    }
    uint32_t *s = mt_calloc(ncap, sizeof *s);
    if (!s) return -1;
    mt_free(ix->slot);
    ix->slot = s;
    ix->cap = ncap;
    return 0; /* the caller rebuilds the content */
}

static void index_put(mt_index *ix, uint64_t h, uint32_t value)
{
    size_t mask = ix->cap - 1, i = (size_t)h & mask;
    while (ix->slot[i])
        i = (i + 1) & mask;
    ix->slot[i] = value + 1;
}

static int prefix_grow(medtone_entities *e, size_t count)
{
    if (e->prefix_cap >= 2 * (count + 1)) return 0;
    size_t ncap = e->prefix_cap ? e->prefix_cap : 16;
    while (ncap < 2 * (count + 1)) {
        if (ncap > SIZE_MAX / 16) return -1;
        ncap *= 2;
    }
    uint64_t *p = mt_calloc(ncap, sizeof *p);
    if (!p) return -1;
    mt_free(e->prefix);
    e->prefix = p;
    e->prefix_cap = ncap;
    return 0;
}

static void prefix_put(medtone_entities *e, uint64_t h)
{
    h |= 1; /* 0 marks an empty slot */
    size_t mask = e->prefix_cap - 1, i = (size_t)h & mask;
    while (e->prefix[i]) {
        if (e->prefix[i] == h) return;
        i = (i + 1) & mask;
    }
    e->prefix[i] = h;
    e->nprefix++;
}

static int prefix_has(const medtone_entities *e, uint64_t h)
{
    if (!e->prefix_cap) return 0;
    h |= 1;
    size_t mask = e->prefix_cap - 1, i = (size_t)h & mask;
    while (e->prefix[i]) {
        if (e->prefix[i] == h) return 1;
        i = (i + 1) & mask;
    }
    return 0;
}

/* Hashes of the proper prefixes of a key: after each space. */
static void put_prefixes(medtone_entities *e, const mt_alias *a)
{
    for (uint32_t i = 0; i < a->key_len; i++)
        if (a->key[i] == ' ') prefix_put(e, fnv(FNV_OFFSET, a->key, i));
}

static size_t count_prefixes(const mt_alias *a)
{
    return a->ntok ? a->ntok - 1 : 0;
}

static long find_id(const medtone_entities *e, const char *id, size_t n)
{
    if (!e->ids.cap) return -1;
    uint64_t h = fnv(FNV_OFFSET, id, n);
    size_t mask = e->ids.cap - 1, i = (size_t)h & mask;
    while (e->ids.slot[i]) {
        const mt_entity *x = &e->ent[e->ids.slot[i] - 1];
        if (strlen(x->id) == n && !memcmp(x->id, id, n)) return (long)(e->ids.slot[i] - 1);
        i = (i + 1) & mask;
    }
    return -1;
}

static long find_key(const medtone_entities *e, uint64_t h, const char *key, size_t n)
{
    if (!e->keys.cap) return -1;
    size_t mask = e->keys.cap - 1, i = (size_t)h & mask;
    while (e->keys.slot[i]) {
        const mt_alias *a = &e->alias[e->keys.slot[i] - 1];
        if (a->hash == h && a->key_len == n && !memcmp(a->key, key, n))
            return (long)(e->keys.slot[i] - 1);
        i = (i + 1) & mask;
    }
    return -1;
}

/* The first alias whose joined form equals s (filtered), or -1; *ambiguous when two entities
 * share that form. */
static long find_joined(const medtone_entities *e, uint64_t h, const char *s, size_t n,
                        int *ambiguous)
{
    *ambiguous = 0;
    if (!e->joined.cap) return -1;
    size_t mask = e->joined.cap - 1, i = (size_t)h & mask;
    long first = -1;
    while (e->joined.slot[i]) {
        const mt_alias *a = &e->alias[e->joined.slot[i] - 1];
        if (a->jhash == h && joined_equal(s, n, a->joined, a->joined_len)) {
            if (first < 0)
                first = (long)(e->joined.slot[i] - 1);
            else if (e->alias[first].entity != a->entity)
                *ambiguous = 1;
        }
        i = (i + 1) & mask;
    }
    return first;
}

/* Refills every index from the arrays, which are the truth. Needs no allocation when the indexes
 * are already large enough, which is how a failed load rolls back. */
static void rebuild_indexes(medtone_entities *e)
{
    if (e->ids.cap) memset(e->ids.slot, 0, e->ids.cap * sizeof *e->ids.slot);
    if (e->keys.cap) memset(e->keys.slot, 0, e->keys.cap * sizeof *e->keys.slot);
    if (e->joined.cap) memset(e->joined.slot, 0, e->joined.cap * sizeof *e->joined.slot);
    if (e->prefix_cap) memset(e->prefix, 0, e->prefix_cap * sizeof *e->prefix);
    e->nprefix = 0;
    e->max_tok = 0;
    for (size_t i = 0; i < e->n; i++)
        index_put(&e->ids, fnv(FNV_OFFSET, e->ent[i].id, strlen(e->ent[i].id)), (uint32_t)i);
    for (size_t i = 0; i < e->nalias; i++) {
        const mt_alias *a = &e->alias[i];
        index_put(&e->keys, a->hash, (uint32_t)i);
        index_put(&e->joined, a->jhash, (uint32_t)i);
        put_prefixes(e, a);
        if (a->ntok > e->max_tok) e->max_tok = a->ntok;
    }
}

/* Makes room for `more_ent` entities and `more_alias` aliases (with `more_prefix` prefixes) in
 * the arrays and indexes; on failure nothing visible changed. */
static int reserve(medtone_entities *e, size_t more_ent, size_t more_alias, size_t more_prefix)
{
    if (mt_reserve((void **)&e->ent, &e->cap, e->n + more_ent, sizeof *e->ent) != 0) return -1;
    if (mt_reserve((void **)&e->alias, &e->alias_cap, e->nalias + more_alias, sizeof *e->alias) !=
        0)
        return -1;
    size_t ids_cap = e->ids.cap, keys_cap = e->keys.cap, joined_cap = e->joined.cap;
    size_t prefix_cap = e->prefix_cap;
    if (index_grow(&e->ids, e->n + more_ent) != 0 ||
        index_grow(&e->keys, e->nalias + more_alias) != 0 ||
        index_grow(&e->joined, e->nalias + more_alias) != 0 ||
        prefix_grow(e, e->nprefix + more_prefix) != 0) {
        /* Whatever grew is empty now: refill it (the old content fits any grown index). */
        if (ids_cap != e->ids.cap || keys_cap != e->keys.cap || joined_cap != e->joined.cap ||
            prefix_cap != e->prefix_cap)
            rebuild_indexes(e);
        return -1;
    }
    if (ids_cap != e->ids.cap || keys_cap != e->keys.cap || joined_cap != e->joined.cap ||
        prefix_cap != e->prefix_cap)
        rebuild_indexes(e);
    return 0;
}

/* ----- aliases ---------------------------------------------------------------------------- */

static int is_dot(const medtone_tokens *t, size_t i)
{
    const mt_token *k = &t->tok[i];
    return k->kind == MEDTONE_TOKEN_PUNCT && k->norm_len == 1 && t->norm[k->norm_off] == '.';
}

static void free_alias(mt_alias *a)
{
    mt_free(a->text);
    mt_free(a->key);
    mt_free(a->joined);
    memset(a, 0, sizeof *a);
}

/* Normalizes `text` into a new alias (not yet in the registry). Returns MEDTONE_OK, or an error
 * with a message in msg. */
static medtone_status prepare_alias(medtone_entities *e, const char *text, mt_alias *a, char *msg,
                                    size_t msgcap)
{
    memset(a, 0, sizeof *a);
    size_t n = text ? strlen(text) : 0;
    if (n == 0 || n > MEDTONE_ALIAS_MAX) {
        snprintf(msg, msgcap, "an alias or name must be 1 to %d bytes", MEDTONE_ALIAS_MAX);
        return MEDTONE_ERR_INVALID_ARG;
    }
    if (!e->scratch && !(e->scratch = medtone_tokens_new())) goto nomem;
    medtone_status st = medtone_tokenize(text, n, e->scratch);
    if (st != MEDTONE_OK) {
        if (st == MEDTONE_ERR_NOMEM) goto nomem;
        snprintf(msg, msgcap, "cannot read alias '%.60s'", text);
        return st;
    }
    const medtone_tokens *t = e->scratch;
    size_t key_len = 0, joined_len = 0, ntok = 0, words = 0;
    for (size_t i = 0; i < t->count; i++) {
        if (is_dot(t, i)) continue;
        ntok++;
        key_len += t->tok[i].norm_len + (ntok > 1);
        joined_len += t->tok[i].norm_len;
        if (t->tok[i].kind != MEDTONE_TOKEN_PUNCT && t->tok[i].kind != MEDTONE_TOKEN_SYMBOL)
            words++;
    }
    if (words == 0) {
        snprintf(msg, msgcap, "alias '%.60s' has no word in it", text);
        return MEDTONE_ERR_INVALID_ARG;
    }
    if (ntok > MT_ALIAS_MAX_TOKENS) {
        snprintf(msg, msgcap, "alias '%.60s' has more than %d words", text, MT_ALIAS_MAX_TOKENS);
        return MEDTONE_ERR_INVALID_ARG;
    }
    a->text = mt_strndup(text, n);
    a->key = mt_malloc(key_len + 1);
    a->joined = mt_malloc(joined_len + 1);
    if (!a->text || !a->key || !a->joined) {
        free_alias(a);
        goto nomem;
    }
    size_t kp = 0, jp = 0;
    for (size_t i = 0; i < t->count; i++) {
        if (is_dot(t, i)) continue;
        const char *s = mt_token_norm(t, i);
        size_t l = t->tok[i].norm_len;
        if (kp) a->key[kp++] = ' ';
        memcpy(a->key + kp, s, l);
        kp += l;
        for (size_t k = 0; k < l; k++)
            if (!joined_skip(s[k])) a->joined[jp++] = s[k];
    }
    a->key[kp] = '\0';
    a->joined[jp] = '\0';
    a->key_len = (uint32_t)kp;
    a->joined_len = (uint32_t)jp;
    a->hash = fnv(FNV_OFFSET, a->key, kp);
    a->jhash = joined_hash(a->joined, jp);
    a->ntok = (uint32_t)ntok;
    return MEDTONE_OK;
nomem:
    snprintf(msg, msgcap, "out of memory");
    return MEDTONE_ERR_NOMEM;
}

/* Puts a prepared alias on entity `ent`; the caller reserved room in the arrays and indexes and
 * in the entity's alias list. Cannot fail. */
static void commit_alias(medtone_entities *e, size_t ent, mt_alias *a)
{
    a->entity = (uint32_t)ent;
    size_t ai = e->nalias++;
    e->alias[ai] = *a;
    memset(a, 0, sizeof *a);
    const mt_alias *x = &e->alias[ai];
    index_put(&e->keys, x->hash, (uint32_t)ai);
    index_put(&e->joined, x->jhash, (uint32_t)ai);
    put_prefixes(e, x);
    if (x->ntok > e->max_tok) e->max_tok = x->ntok;
    mt_entity *en = &e->ent[ent];
    en->aliases[en->naliases++] = (uint32_t)ai;
}

/* Checks a prepared alias against the registry: 1 when entity `ent` already has it (nothing to
 * do), 0 when it is new, -1 (message in msg) when another entity has it. */
static int alias_conflict(const medtone_entities *e, size_t ent, const mt_alias *a, char *msg,
                          size_t msgcap)
{
    long k = find_key(e, a->hash, a->key, a->key_len);
    if (k < 0) return 0;
    size_t other = e->alias[k].entity;
    if (other == ent) return 1;
    snprintf(msg, msgcap, "alias '%.60s' already names entity '%.60s'", a->text, e->ent[other].id);
    return -1;
}

/* ----- building --------------------------------------------------------------------------- */

medtone_entities *medtone_entities_new(void)
{
    return mt_calloc(1, sizeof(medtone_entities));
}

static void free_entity(mt_entity *x)
{
    mt_free(x->id);
    mt_free(x->name);
    mt_free(x->aliases);
    memset(x, 0, sizeof *x);
}

void medtone_entities_free(medtone_entities *e)
{
    if (!e) return;
    for (size_t i = 0; i < e->n; i++)
        free_entity(&e->ent[i]);
    for (size_t i = 0; i < e->nalias; i++)
        free_alias(&e->alias[i]);
    mt_free(e->ent);
    mt_free(e->alias);
    mt_free(e->ids.slot);
    mt_free(e->keys.slot);
    mt_free(e->joined.slot);
    mt_free(e->prefix);
    medtone_tokens_free(e->scratch);
    mt_free(e);
}

static int valid_id(const char *id, size_t n)
{
    if (n == 0 || n > MEDTONE_ENTITY_ID_MAX) return 0;
    for (size_t i = 0; i < n; i++)
        if (id[i] == '\t' || id[i] == '\n' || id[i] == '\r') return 0;
    return 1;
}

static medtone_status add_entity(medtone_entities *e, const char *id, size_t id_len,
                                 const char *name, medtone_entity_kind kind, size_t *index,
                                 char *msg, size_t msgcap)
{
    if (!valid_id(id, id_len)) {
        snprintf(msg, msgcap, "an id must be 1 to %d bytes without tabs or line breaks",
                 MEDTONE_ENTITY_ID_MAX);
        return MEDTONE_ERR_INVALID_ARG;
    }
    if ((unsigned)kind >= KIND_COUNT) {
        snprintf(msg, msgcap, "unknown entity kind %d", (int)kind);
        return MEDTONE_ERR_INVALID_ARG;
    }
    if (find_id(e, id, id_len) >= 0) {
        snprintf(msg, msgcap, "id '%.*s' is already used", (int)(id_len > 60 ? 60 : id_len), id);
        return MEDTONE_ERR_INVALID_ARG;
    }
    if (e->n >= UINT32_MAX - 1) {
        snprintf(msg, msgcap, "too many entities");
        return MEDTONE_ERR_TOO_LARGE;
    }
    mt_alias a;
    medtone_status st = prepare_alias(e, name, &a, msg, msgcap);
    if (st != MEDTONE_OK) return st;
    if (alias_conflict(e, e->n, &a, msg, msgcap) < 0) {
        free_alias(&a);
        return MEDTONE_ERR_INVALID_ARG;
    }
    mt_entity x = {0};
    x.id = mt_strndup(id, id_len);
    x.name = mt_strndup(a.text, strlen(a.text));
    x.kind = kind;
    x.aliases = mt_malloc(4 * sizeof *x.aliases);
    x.aliases_cap = 4;
    if (!x.id || !x.name || !x.aliases || reserve(e, 1, 1, count_prefixes(&a)) != 0) {
        free_entity(&x);
        free_alias(&a);
        snprintf(msg, msgcap, "out of memory");
        return MEDTONE_ERR_NOMEM;
    }
    size_t i = e->n++;
    e->ent[i] = x;
    index_put(&e->ids, fnv(FNV_OFFSET, x.id, id_len), (uint32_t)i);
    commit_alias(e, i, &a);
    if (index) *index = i;
    return MEDTONE_OK;
}

static medtone_status add_alias(medtone_entities *e, size_t ent, const char *text, char *msg,
                                size_t msgcap)
{
    mt_alias a;
    medtone_status st = prepare_alias(e, text, &a, msg, msgcap);
    if (st != MEDTONE_OK) return st;
    int c = alias_conflict(e, ent, &a, msg, msgcap);
    if (c != 0) {
        free_alias(&a);
        return c > 0 ? MEDTONE_OK : MEDTONE_ERR_INVALID_ARG;
    }
    mt_entity *x = &e->ent[ent];
    if (mt_reserve((void **)&x->aliases, &x->aliases_cap, x->naliases + 1, sizeof *x->aliases) !=
            0 ||
        reserve(e, 0, 1, count_prefixes(&a)) != 0) {
        free_alias(&a);
        snprintf(msg, msgcap, "out of memory");
        return MEDTONE_ERR_NOMEM;
    }
    commit_alias(e, ent, &a);
    return MEDTONE_OK;
}

medtone_status medtone_entities_add(medtone_entities *e, const char *id, const char *name,
                                    medtone_entity_kind kind, size_t *index)
{
    if (!e) return MEDTONE_ERR_INVALID_ARG;
    e->error[0] = '\0';
    if (!id || !name) {
        snprintf(e->error, sizeof e->error, "NULL id or name");
        return MEDTONE_ERR_INVALID_ARG;
    }
    return add_entity(e, id, strlen(id), name, kind, index, e->error, sizeof e->error);
}

medtone_status medtone_entities_add_alias(medtone_entities *e, size_t index, const char *alias)
{
    if (!e) return MEDTONE_ERR_INVALID_ARG;
    e->error[0] = '\0';
    if (index >= e->n) {
        snprintf(e->error, sizeof e->error, "no entity %zu", index);
        return MEDTONE_ERR_INVALID_ARG;
    }
    return add_alias(e, index, alias, e->error, sizeof e->error);
}

const char *medtone_entities_last_error(const medtone_entities *e)
{
    return e ? e->error : "";
}

/* ----- loading ---------------------------------------------------------------------------- */

/* Undoes a failed load: drops every entity and alias added since (n0, nalias0). */
static void rollback(medtone_entities *e, size_t n0, size_t nalias0)
{
    for (size_t i = n0; i < e->n; i++)
        free_entity(&e->ent[i]);
    for (size_t i = nalias0; i < e->nalias; i++)
        free_alias(&e->alias[i]);
    e->n = n0;
    e->nalias = nalias0;
    rebuild_indexes(e);
}

static int valid_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t k;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            k = 2, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF)
            k = 3, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4)
            k = 4, min = 0x10000;
        else
            return 0;
        if (n - i < k) return 0;
        unsigned cp = c & (0x3Fu >> (k - 1));
        for (size_t j = 1; j < k; j++) {
            if ((p[i + j] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (p[i + j] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += k;
    }
    return 1;
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\r'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\r'))
        (*n)--;
}

/* Splits line[0..len) at tabs into at most `max` fields. Returns the number of fields. */
static size_t split_tabs(const char *line, size_t len, const char **f, size_t *fl, size_t max)
{
    size_t n = 0;
    const char *p = line, *end = line + len;
    while (n < max) {
        const char *q = memchr(p, '\t', (size_t)(end - p));
        f[n] = p;
        fl[n] = (size_t)((q ? q : end) - p);
        trim(&f[n], &fl[n]);
        n++;
        if (!q) break;
        p = q + 1;
    }
    return n;
}

#define LOAD_FAIL(status, ...)                                                                     \
    do {                                                                                           \
        mt_rep_error(e->error, sizeof e->error, name, lineno, __VA_ARGS__);                        \
        st = (status);                                                                             \
        goto fail;                                                                                 \
    } while (0)

static medtone_status load_text(medtone_entities *e, const char *name, const char *data, size_t len)
{
    size_t n0 = e->n, nalias0 = e->nalias, lineno = 0;
    medtone_status st = MEDTONE_OK;
    char msg[400], *buf = NULL;
    size_t bufcap = 0;
    const char *p = data, *end = data + len;
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    int seen_data = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line = p;
        size_t n = (size_t)((nl ? nl : end) - p);
        p = nl ? nl + 1 : end;
        lineno++;
        if (n && line[n - 1] == '\r') n--;
        size_t k = 0;
        while (k < n && (line[k] == ' ' || line[k] == '\t'))
            k++;
        if (k == n || line[k] == '#') continue;
        if (memchr(line, '\0', n)) LOAD_FAIL(MEDTONE_ERR_PARSE, "NUL byte in line");
        if (!valid_utf8(line, n)) LOAD_FAIL(MEDTONE_ERR_PARSE, "invalid UTF-8");
        const char *f[5];
        size_t fl[5];
        size_t nf = split_tabs(line, n, f, fl, 5);
        if (!seen_data++ && nf >= 2 && ascii_ieq(f[0], fl[0], "id") &&
            ascii_ieq(f[1], fl[1], "name"))
            continue; /* the optional header line */
        if (nf < 3)
            LOAD_FAIL(MEDTONE_ERR_PARSE,
                      "expected id<TAB>name<TAB>kind[<TAB>aliases], got %zu "
                      "field%s",
                      nf, nf == 1 ? "" : "s");
        medtone_entity_kind kind;
        if (kind_find(f[2], fl[2], &kind) != 0)
            LOAD_FAIL(MEDTONE_ERR_PARSE,
                      "unknown kind '%.*s' (hospital, clinic, doctor, drug, brand, competitor or "
                      "other)",
                      (int)(fl[2] > 40 ? 40 : fl[2]), f[2]);
        /* NUL-terminated copies of the name and each alias for the API functions. */
        size_t need = fl[1] + 1 + (nf > 3 ? fl[3] + 1 : 1);
        if (mt_reserve((void **)&buf, &bufcap, need, 1) != 0)
            LOAD_FAIL(MEDTONE_ERR_NOMEM, "out of memory");
        memcpy(buf, f[1], fl[1]);
        buf[fl[1]] = '\0';
        size_t idx;
        st = add_entity(e, f[0], fl[0], buf, kind, &idx, msg, sizeof msg);
        if (st != MEDTONE_OK)
            LOAD_FAIL(st == MEDTONE_ERR_INVALID_ARG ? MEDTONE_ERR_PARSE : st, "%s", msg);
        if (nf > 3) {
            const char *a = f[3], *aend = f[3] + fl[3];
            while (a < aend) {
                const char *bar = memchr(a, '|', (size_t)(aend - a));
                const char *s = a;
                size_t sl = (size_t)((bar ? bar : aend) - a);
                a = bar ? bar + 1 : aend;
                trim(&s, &sl);
                if (!sl) continue;
                memcpy(buf, s, sl);
                buf[sl] = '\0';
                st = add_alias(e, idx, buf, msg, sizeof msg);
                if (st != MEDTONE_OK)
                    LOAD_FAIL(st == MEDTONE_ERR_INVALID_ARG ? MEDTONE_ERR_PARSE : st, "%s", msg);
            }
        }
    }
    mt_free(buf);
    return MEDTONE_OK;
fail:
    mt_free(buf);
    rollback(e, n0, nalias0);
    return st;
}

medtone_status medtone_entities_load_data(medtone_entities *e, const char *name, const char *data,
                                          size_t len)
{
    if (!e) return MEDTONE_ERR_INVALID_ARG;
    e->error[0] = '\0';
    if (!name || !*name) name = "(data)";
    if (!data && len) {
        mt_rep_error(e->error, sizeof e->error, name, 0, "invalid argument");
        return MEDTONE_ERR_INVALID_ARG;
    }
    if (len > MT_ENTITIES_MAX_BYTES) {
        mt_rep_error(e->error, sizeof e->error, name, 0, "larger than %zu MB",
                     MT_ENTITIES_MAX_BYTES >> 20);
        return MEDTONE_ERR_TOO_LARGE;
    }
    if (!mt_rep_is_gzip(data, len)) return load_text(e, name, data ? data : "", len);
    char *text;
    size_t text_len;
    medtone_status st = mt_rep_gunzip(name, data, len, MT_ENTITIES_MAX_BYTES, &text, &text_len,
                                      e->error, sizeof e->error);
    if (st != MEDTONE_OK) return st;
    st = load_text(e, name, text, text_len);
    mt_free(text);
    return st;
}

medtone_status medtone_entities_load(medtone_entities *e, const char *path)
{
    if (!e) return MEDTONE_ERR_INVALID_ARG;
    e->error[0] = '\0';
    if (!path || !*path) {
        snprintf(e->error, sizeof e->error, "no file name");
        return MEDTONE_ERR_INVALID_ARG;
    }
    char *data;
    size_t len;
    medtone_status st =
        mt_rep_read_file(path, MT_ENTITIES_MAX_BYTES, &data, &len, e->error, sizeof e->error);
    if (st != MEDTONE_OK) return st;
    st = medtone_entities_load_data(e, path, data, len);
    mt_free(data);
    return st;
}

/* ----- accessors -------------------------------------------------------------------------- */

size_t medtone_entities_count(const medtone_entities *e)
{
    return e ? e->n : 0;
}

const char *medtone_entity_id(const medtone_entities *e, size_t i)
{
    return e && i < e->n ? e->ent[i].id : "";
}

const char *medtone_entity_name(const medtone_entities *e, size_t i)
{
    return e && i < e->n ? e->ent[i].name : "";
}

medtone_entity_kind medtone_entity_kind_of(const medtone_entities *e, size_t i)
{
    return e && i < e->n ? e->ent[i].kind : MEDTONE_ENTITY_OTHER;
}

size_t medtone_entity_alias_count(const medtone_entities *e, size_t i)
{
    return e && i < e->n ? e->ent[i].naliases : 0;
}

const char *medtone_entity_alias(const medtone_entities *e, size_t i, size_t k)
{
    if (!e || i >= e->n || k >= e->ent[i].naliases) return "";
    return e->alias[e->ent[i].aliases[k]].text;
}

medtone_status medtone_entities_find(const medtone_entities *e, const char *id, size_t *index)
{
    if (!e || !id || !index) return MEDTONE_ERR_INVALID_ARG;
    long k = find_id(e, id, strlen(id));
    if (k < 0) return MEDTONE_ERR_NOT_FOUND;
    *index = (size_t)k;
    return MEDTONE_OK;
}

/* ----- matching --------------------------------------------------------------------------- */

/* Whether alias a's key equals the text tokens from..to (full stops skipped), the last one cut
 * to last_len bytes (to drop a possessive "'s"). */
static int key_matches(const mt_alias *a, const medtone_tokens *t, size_t from, size_t to,
                       size_t last_len)
{
    size_t pos = 0;
    for (size_t i = from; i <= to; i++) {
        if (i > from && is_dot(t, i)) continue;
        size_t l = i == to ? last_len : t->tok[i].norm_len;
        if (pos) {
            if (pos >= a->key_len || a->key[pos] != ' ') return 0;
            pos++;
        }
        if (a->key_len - pos < l || memcmp(a->key + pos, mt_token_norm(t, i), l)) return 0;
        pos += l;
    }
    return pos == a->key_len;
}

static long lookup_seq(const medtone_entities *e, uint64_t h, const medtone_tokens *t, size_t from,
                       size_t to, size_t last_len)
{
    size_t mask = e->keys.cap - 1, i = (size_t)h & mask;
    while (e->keys.slot[i]) {
        const mt_alias *a = &e->alias[e->keys.slot[i] - 1];
        if (a->hash == h && key_matches(a, t, from, to, last_len))
            return (long)(e->keys.slot[i] - 1);
        i = (i + 1) & mask;
    }
    return -1;
}

static int possessive(const char *s, size_t n)
{
    return n > 2 && s[n - 2] == '\'' && s[n - 1] == 's';
}

/* The next mention at or after token *pos: its alias and its last token. */
static int next_match(const medtone_entities *e, const medtone_tokens *t, size_t *pos,
                      size_t *alias, size_t *first, size_t *last)
{
    if (!e->nalias) return 0;
    for (size_t i = *pos; i < t->count; i++) {
        if (is_dot(t, i)) continue;
        uint64_t h = FNV_OFFSET;
        long best = -1;
        size_t best_end = i;
        unsigned k = 0;
        for (size_t j = i; j < t->count && k < e->max_tok; j++) {
            if (j > i && is_dot(t, j)) continue;
            const char *s = mt_token_norm(t, j);
            size_t l = t->tok[j].norm_len;
            uint64_t base = k ? fnv(h, " ", 1) : h;
            uint64_t full = fnv(base, s, l);
            long a = lookup_seq(e, full, t, i, j, l);
            if (a < 0 && t->tok[j].kind == MEDTONE_TOKEN_WORD && possessive(s, l))
                a = lookup_seq(e, fnv(base, s, l - 2), t, i, j, l - 2);
            if (a >= 0) {
                best = a;
                best_end = j;
            }
            k++;
            if (!prefix_has(e, full)) break;
            h = full;
        }
        if (best < 0 &&
            (t->tok[i].kind == MEDTONE_TOKEN_HASHTAG || t->tok[i].kind == MEDTONE_TOKEN_MENTION)) {
            const char *s = mt_token_norm(t, i);
            size_t l = t->tok[i].norm_len;
            int ambiguous;
            long a = find_joined(e, joined_hash(s, l), s, l, &ambiguous);
            if (a >= 0 && !ambiguous) best = a;
        }
        if (best >= 0) {
            *alias = (size_t)best;
            *first = i;
            *last = best_end;
            *pos = best_end + 1;
            return 1;
        }
    }
    *pos = t->count;
    return 0;
}

medtone_status medtone_entities_next_mention(const medtone_entities *e, const medtone_result *r,
                                             size_t *cursor, size_t *entity, size_t *offset,
                                             size_t *length)
{
    if (!e || !r || !cursor || !entity || !offset || !length) return MEDTONE_ERR_INVALID_ARG;
    const medtone_tokens *t = medtone_result_tokens(r);
    size_t alias, first, last;
    if (!t || !next_match(e, t, cursor, &alias, &first, &last)) return MEDTONE_ERR_NOT_FOUND;
    *entity = e->alias[alias].entity;
    *offset = t->tok[first].off;
    *length = t->tok[last].off + t->tok[last].len - *offset;
    return MEDTONE_OK;
}

medtone_status medtone_entities_match(const medtone_entities *e, const medtone_result *r,
                                      size_t *out, size_t cap, size_t *found)
{
    if (!e || !r || !found || (!out && cap)) return MEDTONE_ERR_INVALID_ARG;
    *found = 0;
    const medtone_tokens *t = medtone_result_tokens(r);
    if (!t) return MEDTONE_OK;
    size_t pos = 0, alias, first, last, nfound = 0;
    while (next_match(e, t, &pos, &alias, &first, &last)) {
        size_t ent = e->alias[alias].entity;
        int seen = 0;
        if (nfound <= cap) {
            for (size_t k = 0; k < nfound && !seen; k++)
                seen = out[k] == ent;
        } else {
            /* The list overflowed: look for the entity among the earlier mentions instead. */
            size_t p2 = 0, a2, f2, l2;
            while (!seen && p2 < first && next_match(e, t, &p2, &a2, &f2, &l2) && f2 < first)
                seen = e->alias[a2].entity == ent;
        }
        if (seen) continue;
        if (nfound < cap) out[nfound] = ent;
        nfound++;
    }
    *found = nfound;
    return MEDTONE_OK;
}
