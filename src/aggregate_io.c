/* aggregate_io.c — saving an aggregator's sums and loading them back, exactly.
 *
 * The file is one gzip stream. Inside, after the magic "MTREPAGG", numbers are LEB128 varints
 * (signed ones zigzag-encoded), strings a varint length and their bytes:
 *
 *   version (1), bucket_days, top_k, flag_count, entity_count
 *   per entity:  id, cell_count, then per cell:
 *     bucket (the first absolute, then the gap to the previous one, >= 1)
 *     n, pos, neu, neg, sum, sumsq
 *     per flag: count, and the sentiment sum when count > 0
 *     per list (negative, crisis, misinfo): count, then per post: key, time, id
 *
 * A file with fewer flags than this library knows (an older version) loads with the rest at 0; a
 * file with more is refused. Loading checks every count, order and range and that nothing
 * follows the end, and builds a separate aggregator that is merged in only once all is read, so
 * a bad file changes nothing. */
#include <stdio.h>
#include <string.h>

#include "aggregate.h"
#include "alloc.h"
#include "rep_io.h"

#define MAGIC        "MTREPAGG"
#define MAGIC_LEN    8
#define VERSION      1
#define MT_STATE_MAX ((size_t)1 << 30)

/* ----- writing ---------------------------------------------------------------------------- */

typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
    int oom;
} wbuf;

static void put_bytes(wbuf *w, const void *s, size_t n)
{
    if (w->oom) return;
    if (mt_reserve((void **)&w->p, &w->cap, w->len + n, 1) != 0) {
        w->oom = 1;
        return;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
}

static void put_u(wbuf *w, uint64_t v)
{
    unsigned char b[10];
    size_t n = 0;
    do {
        b[n] = (unsigned char)(v & 0x7F);
        v >>= 7;
        if (v) b[n] |= 0x80;
        n++;
    } while (v);
    put_bytes(w, b, n);
}

static void put_s(wbuf *w, int64_t v)
{
    put_u(w, ((uint64_t)v << 1) ^ (uint64_t)(v < 0 ? -1 : 0));
}

static void put_str(wbuf *w, const char *s, size_t n)
{
    put_u(w, n);
    put_bytes(w, s, n);
}

medtone_status medtone_aggregator_save(medtone_aggregator *a, const char *path)
{
    if (!a || !path || !*path) return MEDTONE_ERR_INVALID_ARG;
    medtone_aggregator *m = a; /* only the error text changes */
    m->error[0] = '\0';
    wbuf w = {0};
    size_t nent = 0;
    for (size_t e = 0; e < a->nseries; e++)
        nent += a->series[e].n > 0;
    put_bytes(&w, MAGIC, MAGIC_LEN);
    put_u(&w, VERSION);
    put_u(&w, (uint64_t)a->bucket_days);
    put_u(&w, (uint64_t)a->top_k);
    put_u(&w, MT_FLAG_COUNT);
    put_u(&w, nent);
    for (size_t e = 0; e < a->nseries; e++) {
        const mt_series *s = &a->series[e];
        if (!s->n) continue;
        const char *id = medtone_entity_id(a->ents, e);
        put_str(&w, id, strlen(id));
        put_u(&w, s->n);
        for (size_t i = 0; i < s->n; i++) {
            const mt_cell *c = &s->cells[i];
            put_s(&w, i ? c->bucket - s->cells[i - 1].bucket : c->bucket);
            put_u(&w, c->n);
            put_u(&w, c->pos);
            put_u(&w, c->neu);
            put_u(&w, c->neg);
            put_s(&w, c->sum);
            put_s(&w, c->sumsq);
            for (size_t f = 0; f < MT_FLAG_COUNT; f++) {
                put_u(&w, c->flag_n[f]);
                if (c->flag_n[f]) put_s(&w, c->flag_sum[f]);
            }
            for (int l = 0; l < MT_TOP_LISTS; l++) {
                put_u(&w, c->ntop[l]);
                for (uint32_t k = 0; k < c->ntop[l]; k++) {
                    const mt_post *p = &c->top[l][k];
                    put_s(&w, p->key);
                    put_s(&w, p->time);
                    put_str(&w, p->id, p->id_len);
                }
            }
        }
    }
    medtone_status st;
    if (w.oom) {
        mt_rep_error(m->error, sizeof m->error, path, 0, "out of memory");
        st = MEDTONE_ERR_NOMEM;
    } else {
        st = mt_rep_gzip_to_file(path, w.p, w.len, m->error, sizeof m->error);
    }
    mt_free(w.p);
    return st;
}

/* ----- reading ---------------------------------------------------------------------------- */

typedef struct rbuf {
    const unsigned char *p, *end;
    int bad;
} rbuf;

static uint64_t get_u(rbuf *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) break;
        unsigned b = *r->p++;
        if (shift == 63 && b > 1) break; /* more than 64 bits */
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) return v;
    }
    r->bad = 1;
    return 0;
}

static int64_t get_s(rbuf *r)
{
    uint64_t u = get_u(r);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* A string of at most max bytes without NULs; NULL (and r->bad) otherwise. */
static const char *get_str(rbuf *r, size_t max, size_t *len)
{
    uint64_t n = get_u(r);
    if (r->bad || n > max || n > (uint64_t)(r->end - r->p)) {
        r->bad = 1;
        return NULL;
    }
    const char *s = (const char *)r->p;
    if (memchr(s, '\0', (size_t)n)) {
        r->bad = 1;
        return NULL;
    }
    r->p += n;
    *len = (size_t)n;
    return s;
}

/* Whether v lies outside [-lim, lim] (lim >= 0); no negation, so INT64_MIN is caught too. */
static int beyond(int64_t v, int64_t lim)
{
    return v < -lim || v > lim;
}

#define BAD(...)                                                                                   \
    do {                                                                                           \
        mt_rep_error(a->error, sizeof a->error, name, 0, __VA_ARGS__);                             \
        st = MEDTONE_ERR_PARSE;                                                                    \
        goto fail;                                                                                 \
    } while (0)

/* Parses a state payload into a new aggregator shaped by the file. */
static medtone_status parse_state(medtone_aggregator *a, const char *name,
                                  const unsigned char *data, size_t len, medtone_aggregator **out)
{
    *out = NULL;
    medtone_status st = MEDTONE_OK;
    medtone_aggregator *t = NULL;
    mt_cell cell;
    memset(&cell, 0, sizeof cell);
    unsigned char *seen = NULL;
    rbuf r = {data, data + len, 0};
    if (len < MAGIC_LEN || memcmp(data, MAGIC, MAGIC_LEN) != 0) BAD("not a medtone state file");
    r.p += MAGIC_LEN;
    uint64_t version = get_u(&r);
    if (r.bad) BAD("truncated header");
    if (version != VERSION)
        BAD("state file version %llu; this library reads version %d", (unsigned long long)version,
            VERSION);
    uint64_t days = get_u(&r), k = get_u(&r), nflags = get_u(&r), nent = get_u(&r);
    if (r.bad) BAD("truncated header");
    if (days != 1 && days != 7) BAD("bucket length of %llu days", (unsigned long long)days);
    if (k < 1 || k > MT_TOP_MAX) BAD("list length %llu", (unsigned long long)k);
    if (nflags > MT_FLAG_COUNT)
        BAD("%llu flags, more than the %d this library knows", (unsigned long long)nflags,
            MT_FLAG_COUNT);
    size_t nreg = medtone_entities_count(a->ents);
    if (nent > len) BAD("%llu entities", (unsigned long long)nent);
    t = mt_aggregator_like(a);
    seen = mt_calloc(nreg + 1, 1);
    if (!t || !seen) {
        mt_rep_error(a->error, sizeof a->error, name, 0, "out of memory");
        st = MEDTONE_ERR_NOMEM;
        goto fail;
    }
    t->bucket_days = (int)days;
    t->top_k = (int)k;
    int64_t lo = mt_bucket_of((int)days, -MT_TIME_LIMIT),
            hi = mt_bucket_of((int)days, MT_TIME_LIMIT);
    for (uint64_t e = 0; e < nent; e++) {
        size_t id_len;
        const char *id = get_str(&r, MEDTONE_ENTITY_ID_MAX, &id_len);
        if (!id) BAD("truncated or malformed entity id");
        char idz[MEDTONE_ENTITY_ID_MAX + 1];
        memcpy(idz, id, id_len);
        idz[id_len] = '\0';
        size_t ent;
        if (medtone_entities_find(a->ents, idz, &ent) != MEDTONE_OK) {
            mt_rep_error(a->error, sizeof a->error, name, 0, "no entity '%s' in the registry", idz);
            st = MEDTONE_ERR_NOT_FOUND;
            goto fail;
        }
        if (seen[ent]++) BAD("entity '%s' appears twice", idz);
        uint64_t ncells = get_u(&r);
        if (r.bad || ncells == 0 || ncells > (uint64_t)(r.end - r.p))
            BAD("entity '%s': bad cell count", idz);
        int64_t prev = 0;
        for (uint64_t ci = 0; ci < ncells; ci++) {
            memset(&cell, 0, sizeof cell);
            int64_t b = get_s(&r);
            if (ci) {
                if (b < 1 || b > hi - lo) BAD("entity '%s': buckets out of order", idz);
                b += prev;
            }
            if (b < lo || b > hi) BAD("entity '%s': bucket out of range", idz);
            prev = b;
            cell.bucket = b;
            cell.n = get_u(&r);
            cell.pos = get_u(&r);
            cell.neu = get_u(&r);
            cell.neg = get_u(&r);
            cell.sum = get_s(&r);
            cell.sumsq = get_s(&r);
            if (r.bad) BAD("entity '%s': truncated", idz);
            if (cell.n == 0 || cell.n > MT_CELL_MAX_POSTS || cell.pos > cell.n ||
                cell.neu > cell.n || cell.neg > cell.n || cell.pos + cell.neu + cell.neg != cell.n)
                BAD("entity '%s': inconsistent counts", idz);
            if (beyond(cell.sum, (int64_t)cell.n * MT_FIX_ONE) || cell.sumsq < 0 ||
                cell.sumsq > (int64_t)cell.n * MT_FIX_ONE)
                BAD("entity '%s': sums out of range", idz);
            for (uint64_t f = 0; f < nflags; f++) {
                cell.flag_n[f] = get_u(&r);
                if (cell.flag_n[f] > cell.n) BAD("entity '%s': flag count above volume", idz);
                if (cell.flag_n[f]) {
                    cell.flag_sum[f] = get_s(&r);
                    if (beyond(cell.flag_sum[f], (int64_t)cell.flag_n[f] * MT_FIX_ONE))
                        BAD("entity '%s': flag sum out of range", idz);
                }
            }
            if (r.bad) BAD("entity '%s': truncated", idz);
            int64_t start = mt_bucket_start((int)days, b), end = start + 86400 * (int64_t)days;
            for (int l = 0; l < MT_TOP_LISTS; l++) {
                uint64_t np = get_u(&r);
                if (r.bad || np > k || np > cell.n) BAD("entity '%s': bad list length", idz);
                if (!np) continue;
                cell.top[l] = mt_calloc((size_t)k, sizeof(mt_post));
                if (!cell.top[l]) {
                    mt_rep_error(a->error, sizeof a->error, name, 0, "out of memory");
                    st = MEDTONE_ERR_NOMEM;
                    goto fail;
                }
                for (uint64_t q = 0; q < np; q++) {
                    mt_post p;
                    p.key = get_s(&r);
                    p.time = get_s(&r);
                    size_t plen;
                    const char *pid = get_str(&r, MEDTONE_POST_ID_MAX, &plen);
                    if (!pid) BAD("entity '%s': truncated or malformed post id", idz);
                    if (beyond(p.key, MT_FIX_ONE) || p.time < start || p.time >= end)
                        BAD("entity '%s': post out of range", idz);
                    p.id = (char *)pid;
                    p.id_len = (uint32_t)plen;
                    if (q && mt_post_cmp(&cell.top[l][q - 1], &p) > 0)
                        BAD("entity '%s': posts out of order", idz);
                    p.id = mt_strndup(pid, plen);
                    if (!p.id) {
                        mt_rep_error(a->error, sizeof a->error, name, 0, "out of memory");
                        st = MEDTONE_ERR_NOMEM;
                        goto fail;
                    }
                    cell.top[l][cell.ntop[l]++] = p;
                }
            }
            if (mt_series_insert(t, ent, &cell) != 0) {
                mt_rep_error(a->error, sizeof a->error, name, 0, "out of memory");
                st = MEDTONE_ERR_NOMEM;
                goto fail;
            }
            memset(&cell, 0, sizeof cell); /* now owned by t */
        }
    }
    if (r.p != r.end) BAD("unexpected data after the end");
    mt_free(seen);
    *out = t;
    return MEDTONE_OK;
fail:
    mt_cell_free(&cell);
    mt_free(seen);
    medtone_aggregator_free(t);
    return st;
}

medtone_status medtone_aggregator_load_data(medtone_aggregator *a, const char *name,
                                            const void *data, size_t len)
{
    if (!a || (!data && len)) return MEDTONE_ERR_INVALID_ARG;
    if (!name || !*name) name = "(data)";
    a->error[0] = '\0';
    char *plain = NULL;
    size_t plain_len = len;
    const unsigned char *payload = data;
    medtone_status st;
    if (mt_rep_is_gzip(data, len)) {
        st = mt_rep_gunzip(name, data, len, MT_STATE_MAX, &plain, &plain_len, a->error,
                           sizeof a->error);
        if (st != MEDTONE_OK) return st;
        payload = (const unsigned char *)plain;
    }
    medtone_aggregator *t = NULL;
    st = parse_state(a, name, payload ? payload : (const unsigned char *)"", plain_len, &t);
    mt_free(plain);
    if (st != MEDTONE_OK) return st;
    st = medtone_aggregator_merge(a, t);
    if (st != MEDTONE_OK && a->error[0]) {
        char msg[sizeof a->error];
        memcpy(msg, a->error, sizeof msg);
        mt_rep_error(a->error, sizeof a->error, name, 0, "%s", msg);
    } else if (st == MEDTONE_ERR_NOMEM) {
        mt_rep_error(a->error, sizeof a->error, name, 0, "out of memory");
    }
    medtone_aggregator_free(t);
    return st;
}

medtone_status medtone_aggregator_load(medtone_aggregator *a, const char *path)
{
    if (!a || !path || !*path) return MEDTONE_ERR_INVALID_ARG;
    a->error[0] = '\0';
    char *data;
    size_t len;
    medtone_status st =
        mt_rep_read_file(path, MT_STATE_MAX, &data, &len, a->error, sizeof a->error);
    if (st != MEDTONE_OK) return st;
    st = medtone_aggregator_load_data(a, path, data, len);
    mt_free(data);
    return st;
}
