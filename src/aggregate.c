/* aggregate.c — the aggregator: adding posts, merging aggregators, settings, and the statistics
 * read from the sums (DOMAIN.md, "Reputation arithmetic that holds up on small samples").
 *
 * Every stored number is an integer (counts, and sums in fixed point), so the order in which
 * posts arrive, and how they were split between aggregators, never changes a stored bit. The
 * ranked lists use a total order, so keeping the top K of each part and then the top K of their
 * union gives the top K of the whole. Statistics are computed when asked, from the sums. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aggregate.h"
#include "alloc.h"
#include "entities.h"
#include "result.h"

/* ----- time buckets ----------------------------------------------------------------------- */

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) != 0 && ((a < 0) != (b < 0))) q--;
    return q;
}

int64_t mt_bucket_of(int bucket_days, int64_t t)
{
    int64_t day = floordiv(t, 86400);
    return bucket_days == 1 ? day : floordiv(day + 3, 7);
}

int64_t mt_bucket_start(int bucket_days, int64_t bucket)
{
    return bucket_days == 1 ? bucket * 86400 : (bucket * 7 - 3) * 86400;
}

/* ----- life cycle and settings ------------------------------------------------------------ */

static void set_defaults(medtone_aggregator *a)
{
    a->bucket_days = 7;
    a->top_k = 5;
    a->half_life = 30;
    a->prior_mean = 0;
    a->prior_weight = 10;
    a->wilson_z = 1.96;
    a->window = 8;
    a->threshold = 3.5;
    a->min_volume = 10;
    a->min_flagged = 3;
}

medtone_status medtone_aggregator_new(const medtone_entities *entities, medtone_aggregator **out)
{
    if (out) *out = NULL;
    if (!entities || !out) return MEDTONE_ERR_INVALID_ARG;
    medtone_aggregator *a = mt_calloc(1, sizeof *a);
    if (!a) return MEDTONE_ERR_NOMEM;
    a->ents = entities;
    set_defaults(a);
    *out = a;
    return MEDTONE_OK;
}

medtone_aggregator *mt_aggregator_like(const medtone_aggregator *like)
{
    medtone_aggregator *a = mt_calloc(1, sizeof *a);
    if (!a) return NULL;
    *a = *like;
    a->series = NULL;
    a->nseries = 0;
    a->ncells = 0;
    a->first = a->last = 0;
    a->error[0] = '\0';
    return a;
}

void mt_cell_free(mt_cell *c)
{
    for (int l = 0; l < MT_TOP_LISTS; l++) {
        for (uint32_t i = 0; i < c->ntop[l]; i++)
            mt_free(c->top[l][i].id);
        mt_free(c->top[l]);
        c->top[l] = NULL;
        c->ntop[l] = 0;
    }
}

static void series_free(mt_series *s)
{
    for (size_t i = 0; i < s->n; i++)
        mt_cell_free(&s->cells[i]);
    mt_free(s->cells);
    memset(s, 0, sizeof *s);
}

void medtone_aggregator_free(medtone_aggregator *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->nseries; i++)
        series_free(&a->series[i]);
    mt_free(a->series);
    mt_free(a);
}

int medtone_aggregator_empty(const medtone_aggregator *a)
{
    return !a || a->ncells == 0;
}

static int integral(double v)
{
    return v == floor(v);
}

medtone_status medtone_aggregator_set_option(medtone_aggregator *a, medtone_agg_option option,
                                             double v)
{
    if (!a || isnan(v)) return MEDTONE_ERR_INVALID_ARG;
    switch (option) {
    case MEDTONE_AGG_BUCKET_DAYS:
        if ((v != 1 && v != 7) || a->ncells) return MEDTONE_ERR_INVALID_ARG;
        a->bucket_days = (int)v;
        return MEDTONE_OK;
    case MEDTONE_AGG_TOP_POSTS:
        if (!integral(v) || v < 1 || v > MT_TOP_MAX || a->ncells) return MEDTONE_ERR_INVALID_ARG;
        a->top_k = (int)v;
        return MEDTONE_OK;
    case MEDTONE_AGG_HALF_LIFE_DAYS:
        if (!(v > 0 && v <= 36500)) return MEDTONE_ERR_INVALID_ARG;
        a->half_life = v;
        return MEDTONE_OK;
    case MEDTONE_AGG_PRIOR_MEAN:
        if (!(v >= -1 && v <= 1)) return MEDTONE_ERR_INVALID_ARG;
        a->prior_mean = v;
        return MEDTONE_OK;
    case MEDTONE_AGG_PRIOR_WEIGHT:
        if (!(v >= 0 && v <= 1e9)) return MEDTONE_ERR_INVALID_ARG;
        a->prior_weight = v;
        return MEDTONE_OK;
    case MEDTONE_AGG_WILSON_Z:
        if (!(v > 0 && v <= 10)) return MEDTONE_ERR_INVALID_ARG;
        a->wilson_z = v;
        return MEDTONE_OK;
    case MEDTONE_AGG_ALERT_WINDOW:
        if (!integral(v) || v < 3 || v > 520) return MEDTONE_ERR_INVALID_ARG;
        a->window = v;
        return MEDTONE_OK;
    case MEDTONE_AGG_ALERT_THRESHOLD:
        if (!(v > 0 && v <= 1000)) return MEDTONE_ERR_INVALID_ARG;
        a->threshold = v;
        return MEDTONE_OK;
    case MEDTONE_AGG_MIN_VOLUME:
        if (!integral(v) || v < 1 || v > 1e9) return MEDTONE_ERR_INVALID_ARG;
        a->min_volume = v;
        return MEDTONE_OK;
    case MEDTONE_AGG_MIN_FLAGGED:
        if (!integral(v) || v < 1 || v > 1e9) return MEDTONE_ERR_INVALID_ARG;
        a->min_flagged = v;
        return MEDTONE_OK;
    }
    return MEDTONE_ERR_INVALID_ARG;
}

medtone_status medtone_aggregator_get_option(const medtone_aggregator *a, medtone_agg_option option,
                                             double *v)
{
    if (!a || !v) return MEDTONE_ERR_INVALID_ARG;
    switch (option) {
    case MEDTONE_AGG_BUCKET_DAYS:
        *v = a->bucket_days;
        return MEDTONE_OK;
    case MEDTONE_AGG_TOP_POSTS:
        *v = a->top_k;
        return MEDTONE_OK;
    case MEDTONE_AGG_HALF_LIFE_DAYS:
        *v = a->half_life;
        return MEDTONE_OK;
    case MEDTONE_AGG_PRIOR_MEAN:
        *v = a->prior_mean;
        return MEDTONE_OK;
    case MEDTONE_AGG_PRIOR_WEIGHT:
        *v = a->prior_weight;
        return MEDTONE_OK;
    case MEDTONE_AGG_WILSON_Z:
        *v = a->wilson_z;
        return MEDTONE_OK;
    case MEDTONE_AGG_ALERT_WINDOW:
        *v = a->window;
        return MEDTONE_OK;
    case MEDTONE_AGG_ALERT_THRESHOLD:
        *v = a->threshold;
        return MEDTONE_OK;
    case MEDTONE_AGG_MIN_VOLUME:
        *v = a->min_volume;
        return MEDTONE_OK;
    case MEDTONE_AGG_MIN_FLAGGED:
        *v = a->min_flagged;
        return MEDTONE_OK;
    }
    return MEDTONE_ERR_INVALID_ARG;
}

const char *medtone_aggregator_last_error(const medtone_aggregator *a)
{
    return a ? a->error : "";
}

/* ----- cells and lists -------------------------------------------------------------------- */

int mt_post_cmp(const mt_post *a, const mt_post *b)
{
    if (a->key != b->key) return a->key > b->key ? -1 : 1;
    if (a->time != b->time) return a->time > b->time ? -1 : 1;
    size_t n = a->id_len < b->id_len ? a->id_len : b->id_len;
    int c = memcmp(a->id, b->id, n);
    if (c) return c;
    return a->id_len == b->id_len ? 0 : a->id_len < b->id_len ? -1 : 1;
}

/* The index of the first cell whose bucket is >= b. */
static size_t lower_bound(const mt_series *s, int64_t b)
{
    size_t lo = 0, hi = s->n;
    if (hi && s->cells[hi - 1].bucket < b) return hi; /* posts mostly arrive in time order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->cells[mid].bucket < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const mt_cell *mt_cell_find(const medtone_aggregator *a, size_t entity, int64_t bucket)
{
    if (entity >= a->nseries) return NULL;
    const mt_series *s = &a->series[entity];
    size_t i = lower_bound(s, bucket);
    return i < s->n && s->cells[i].bucket == bucket ? &s->cells[i] : NULL;
}

static int grow_series(medtone_aggregator *a, size_t need)
{
    if (need <= a->nseries) return 0;
    mt_series *ns = mt_realloc(a->series, need * sizeof *ns);
    if (!ns) return -1;
    memset(ns + a->nseries, 0, (need - a->nseries) * sizeof *ns);
    a->series = ns;
    a->nseries = need;
    return 0;
}

static void note_bucket(medtone_aggregator *a, int64_t b)
{
    if (!a->ncells || b < a->first) a->first = b;
    if (!a->ncells || b > a->last) a->last = b;
    a->ncells++;
}

int mt_series_insert(medtone_aggregator *a, size_t entity, const mt_cell *cell)
{
    if (grow_series(a, entity + 1) != 0) return -1;
    mt_series *s = &a->series[entity];
    if (mt_reserve((void **)&s->cells, &s->cap, s->n + 1, sizeof *s->cells) != 0) return -1;
    size_t i = lower_bound(s, cell->bucket);
    memmove(s->cells + i + 1, s->cells + i, (s->n - i) * sizeof *s->cells);
    s->cells[i] = *cell;
    s->n++;
    note_bucket(a, cell->bucket);
    return 0;
}

/* Inserts p (its id already owned) into a list of capacity k holding *n posts; the caller
 * checked that it ranks high enough. An evicted post's id is freed. */
static void list_insert(mt_post *list, uint32_t *n, int k, const mt_post *p)
{
    uint32_t i = *n;
    while (i > 0 && mt_post_cmp(p, &list[i - 1]) < 0)
        i--;
    if (*n == (uint32_t)k) {
        mt_free(list[k - 1].id);
        (*n)--;
    }
    memmove(list + i + 1, list + i, (*n - i) * sizeof *list);
    list[i] = *p;
    (*n)++;
}

static int list_admits(const mt_cell *c, int l, int k, const mt_post *p)
{
    if (!c || c->ntop[l] < (uint32_t)k) return 1;
    return mt_post_cmp(p, &c->top[l][k - 1]) < 0;
}

static int64_t fix(double v)
{
    if (!(v >= -1)) v = -1; /* NaN too */
    if (v > 1) v = 1;
    return llround(v * MT_FIX);
}

medtone_status medtone_aggregator_add(medtone_aggregator *a, size_t entity, int64_t t,
                                      const medtone_result *r, const char *post_id)
{
    if (!a || !r || entity >= medtone_entities_count(a->ents)) return MEDTONE_ERR_INVALID_ARG;
    if (t < -MT_TIME_LIMIT || t > MT_TIME_LIMIT) return MEDTONE_ERR_INVALID_ARG;
    size_t id_len = post_id ? strlen(post_id) : 0;
    if (id_len > MEDTONE_POST_ID_MAX) return MEDTONE_ERR_INVALID_ARG;

    double c = medtone_result_compound(r);
    int64_t cfix = fix(c), sqfix = fix(c * c);
    int64_t b = mt_bucket_of(a->bucket_days, t);
    if (grow_series(a, entity + 1) != 0) return MEDTONE_ERR_NOMEM;
    mt_series *s = &a->series[entity];
    size_t at = lower_bound(s, b);
    int exists = at < s->n && s->cells[at].bucket == b;
    if (!exists && mt_reserve((void **)&s->cells, &s->cap, s->n + 1, sizeof *s->cells) != 0)
        return MEDTONE_ERR_NOMEM;
    mt_cell *cell = exists ? &s->cells[at] : NULL;
    if (cell && cell->n >= MT_CELL_MAX_POSTS) return MEDTONE_ERR_TOO_LARGE;

    /* Which lists the post enters; everything they need is allocated before anything changes. */
    mt_post cand[MT_TOP_LISTS];
    int enters[MT_TOP_LISTS] = {0};
    mt_post *fresh[MT_TOP_LISTS] = {NULL};
    int oom = 0;
    for (int l = 0; l < MT_TOP_LISTS && id_len; l++) {
        int64_t key;
        if (l == MT_TOP_NEGATIVE) {
            if (!(c <= -0.05)) continue;
            key = -cfix;
        } else {
            size_t f = l == MT_TOP_CRISIS ? MT_FLAG_CRISIS : MT_FLAG_MISINFO;
            if (!medtone_result_flag_fired(r, f)) continue;
            key = fix(medtone_result_flag_score(r, f));
        }
        cand[l].key = key;
        cand[l].time = t;
        cand[l].id = (char *)post_id;
        cand[l].id_len = (uint32_t)id_len;
        if (!list_admits(cell, l, a->top_k, &cand[l])) continue;
        enters[l] = 1;
        if (!cell || !cell->top[l]) {
            fresh[l] = mt_malloc((size_t)a->top_k * sizeof(mt_post));
            if (!fresh[l]) oom = 1;
        }
        cand[l].id = mt_strndup(post_id, id_len);
        if (!cand[l].id) oom = 1;
    }
    if (oom) {
        for (int l = 0; l < MT_TOP_LISTS; l++) {
            mt_free(fresh[l]);
            if (enters[l]) mt_free(cand[l].id);
        }
        return MEDTONE_ERR_NOMEM;
    }

    if (!exists) {
        memmove(s->cells + at + 1, s->cells + at, (s->n - at) * sizeof *s->cells);
        s->n++;
        cell = &s->cells[at];
        memset(cell, 0, sizeof *cell);
        cell->bucket = b;
        note_bucket(a, b);
    }
    cell->n++;
    if (c >= 0.05)
        cell->pos++;
    else if (c <= -0.05)
        cell->neg++;
    else
        cell->neu++;
    cell->sum += cfix;
    cell->sumsq += sqfix;
    for (size_t f = 0; f < MT_FLAG_COUNT; f++) {
        if (!medtone_result_flag_fired(r, f)) continue;
        cell->flag_n[f]++;
        cell->flag_sum[f] += fix(medtone_result_flag_sentiment(r, f));
    }
    for (int l = 0; l < MT_TOP_LISTS; l++) {
        if (!enters[l]) continue;
        if (fresh[l]) cell->top[l] = fresh[l];
        list_insert(cell->top[l], &cell->ntop[l], a->top_k, &cand[l]);
    }
    return MEDTONE_OK;
}

/* ----- merging ---------------------------------------------------------------------------- */

/* Copies the top k of the union of two ranked lists into a new list. */
static int merge_lists(const mt_post *x, uint32_t nx, const mt_post *y, uint32_t ny, int k,
                       mt_post **out, uint32_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (!nx && !ny) return 0;
    mt_post *m = mt_malloc((size_t)k * sizeof *m);
    if (!m) return -1;
    uint32_t i = 0, j = 0, n = 0;
    while (n < (uint32_t)k && (i < nx || j < ny)) {
        const mt_post *p =
            (j >= ny || (i < nx && mt_post_cmp(&x[i], &y[j]) <= 0)) ? &x[i++] : &y[j++];
        m[n] = *p;
        m[n].id = mt_strndup(p->id, p->id_len);
        if (!m[n].id) {
            for (uint32_t q = 0; q < n; q++)
                mt_free(m[q].id);
            mt_free(m);
            return -1;
        }
        n++;
    }
    *out = m;
    *nout = n;
    return 0;
}

/* out = x + y (either may be NULL); out's lists are new. */
static int merge_cells(const mt_cell *x, const mt_cell *y, int k, mt_cell *out)
{
    static const mt_cell zero;
    if (!x) x = &zero;
    if (!y) y = &zero;
    memset(out, 0, sizeof *out);
    out->bucket = x == &zero ? y->bucket : x->bucket;
    if (x->n + y->n > MT_CELL_MAX_POSTS) return -2;
    out->n = x->n + y->n;
    out->pos = x->pos + y->pos;
    out->neu = x->neu + y->neu;
    out->neg = x->neg + y->neg;
    out->sum = x->sum + y->sum;
    out->sumsq = x->sumsq + y->sumsq;
    for (size_t f = 0; f < MT_FLAG_COUNT; f++) {
        out->flag_n[f] = x->flag_n[f] + y->flag_n[f];
        out->flag_sum[f] = x->flag_sum[f] + y->flag_sum[f];
    }
    for (int l = 0; l < MT_TOP_LISTS; l++)
        if (merge_lists(x->top[l], x->ntop[l], y->top[l], y->ntop[l], k, &out->top[l],
                        &out->ntop[l]) != 0) {
            mt_cell_free(out);
            return -1;
        }
    return 0;
}

static int merge_series(const mt_series *x, const mt_series *y, int k, mt_series *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = (x ? x->n : 0) + y->n;
    out->cells = mt_malloc(cap * sizeof *out->cells);
    if (!out->cells) return -1;
    out->cap = cap;
    size_t i = 0, j = 0, nx = x ? x->n : 0;
    while (i < nx || j < y->n) {
        const mt_cell *cx = NULL, *cy = NULL;
        if (j >= y->n || (i < nx && x->cells[i].bucket < y->cells[j].bucket))
            cx = &x->cells[i++];
        else if (i >= nx || y->cells[j].bucket < x->cells[i].bucket)
            cy = &y->cells[j++];
        else
            cx = &x->cells[i++], cy = &y->cells[j++];
        int rc = merge_cells(cx, cy, k, &out->cells[out->n]);
        if (rc != 0) {
            series_free(out);
            return rc;
        }
        out->n++;
    }
    return 0;
}

medtone_status medtone_aggregator_merge(medtone_aggregator *dst, const medtone_aggregator *src)
{
    if (!dst || !src || dst == src) return MEDTONE_ERR_INVALID_ARG;
    dst->error[0] = '\0';
    if (!src->ncells) return MEDTONE_OK;
    if (dst->ncells && (dst->bucket_days != src->bucket_days || dst->top_k != src->top_k)) {
        snprintf(dst->error, sizeof dst->error,
                 "cannot merge %d-day buckets keeping %d posts into %d-day buckets keeping %d",
                 src->bucket_days, src->top_k, dst->bucket_days, dst->top_k);
        return MEDTONE_ERR_INVALID_ARG;
    }
    /* Where each of src's entities goes in dst, by id. */
    size_t ndst = medtone_entities_count(dst->ents), need = dst->nseries;
    size_t *to = mt_malloc((src->nseries + 1) * sizeof *to);
    if (!to) return MEDTONE_ERR_NOMEM;
    for (size_t i = 0; i < src->nseries; i++) {
        to[i] = SIZE_MAX;
        if (!src->series[i].n) continue;
        if (src->ents == dst->ents && i < ndst) {
            to[i] = i;
        } else {
            const char *id = medtone_entity_id(src->ents, i);
            if (medtone_entities_find(dst->ents, id, &to[i]) != MEDTONE_OK) {
                snprintf(dst->error, sizeof dst->error, "no entity '%.200s' in the registry", id);
                mt_free(to);
                return MEDTONE_ERR_NOT_FOUND;
            }
        }
        if (to[i] + 1 > need) need = to[i] + 1;
    }
    mt_series *ns = mt_calloc(need, sizeof *ns);
    size_t *from = mt_malloc(need * sizeof *from);
    if (!ns || !from) {
        mt_free(ns);
        mt_free(from);
        mt_free(to);
        return MEDTONE_ERR_NOMEM;
    }
    for (size_t j = 0; j < need; j++)
        from[j] = SIZE_MAX;
    for (size_t i = 0; i < src->nseries; i++)
        if (to[i] != SIZE_MAX) from[to[i]] = i;
    medtone_status st = MEDTONE_OK;
    int k = src->top_k; /* equal to dst's, or dst is empty and takes src's shape */
    for (size_t j = 0; j < need && st == MEDTONE_OK; j++) {
        if (from[j] == SIZE_MAX) continue;
        const mt_series *x = j < dst->nseries ? &dst->series[j] : NULL;
        int rc = merge_series(x, &src->series[from[j]], k, &ns[j]);
        if (rc == -2) {
            snprintf(dst->error, sizeof dst->error, "more than %llu posts in one bucket",
                     (unsigned long long)MT_CELL_MAX_POSTS);
            st = MEDTONE_ERR_TOO_LARGE;
        } else if (rc != 0) {
            st = MEDTONE_ERR_NOMEM;
        }
    }
    if (st != MEDTONE_OK) {
        for (size_t j = 0; j < need; j++)
            if (from[j] != SIZE_MAX) series_free(&ns[j]);
        mt_free(ns);
        mt_free(from);
        mt_free(to);
        return st;
    }
    for (size_t j = 0; j < need; j++) {
        if (from[j] != SIZE_MAX) {
            if (j < dst->nseries) series_free(&dst->series[j]);
        } else if (j < dst->nseries) {
            ns[j] = dst->series[j];
        }
    }
    mt_free(dst->series);
    dst->series = ns;
    dst->nseries = need;
    if (!dst->ncells) {
        dst->bucket_days = src->bucket_days;
        dst->top_k = src->top_k;
    }
    dst->ncells = 0;
    for (size_t j = 0; j < need; j++)
        for (size_t c = 0; c < ns[j].n; c++)
            note_bucket(dst, ns[j].cells[c].bucket);
    mt_free(from);
    mt_free(to);
    return MEDTONE_OK;
}

/* ----- reading ---------------------------------------------------------------------------- */

size_t medtone_aggregator_bucket_count(const medtone_aggregator *a)
{
    return a && a->ncells ? (size_t)(a->last - a->first + 1) : 0;
}

int64_t medtone_aggregator_bucket_start(const medtone_aggregator *a, size_t bucket)
{
    if (bucket >= medtone_aggregator_bucket_count(a)) return 0;
    return mt_bucket_start(a->bucket_days, a->first + (int64_t)bucket);
}

/* Sums of one bucket or of all, as doubles (exact for counts below 2^53). */
typedef struct totals {
    double n, pos, neu, neg, sum, sumsq;
} totals;

static void add_cell(totals *t, const mt_cell *c)
{
    t->n += (double)c->n;
    t->pos += (double)c->pos;
    t->neu += (double)c->neu;
    t->neg += (double)c->neg;
    t->sum += (double)c->sum / MT_FIX;
    t->sumsq += (double)c->sumsq / MT_FIX;
}

/* Totals of an entity for a bucket index (or MEDTONE_ALL_BUCKETS); -1 when out of range. */
static int entity_totals(const medtone_aggregator *a, size_t e, size_t bucket, totals *t)
{
    memset(t, 0, sizeof *t);
    if (e >= medtone_entities_count(a->ents)) return -1;
    if (bucket == MEDTONE_ALL_BUCKETS) {
        if (e < a->nseries)
            for (size_t i = 0; i < a->series[e].n; i++)
                add_cell(t, &a->series[e].cells[i]);
        return 0;
    }
    if (bucket >= medtone_aggregator_bucket_count(a)) return -1;
    const mt_cell *c = mt_cell_find(a, e, a->first + (int64_t)bucket);
    if (c) add_cell(t, c);
    return 0;
}

static double share(const medtone_aggregator *a, size_t bucket, const totals *mine,
                    medtone_stat stat)
{
    double all = 0;
    for (size_t e = 0; e < a->nseries; e++) {
        totals t;
        if (entity_totals(a, e, bucket, &t) != 0) continue;
        all += stat == MEDTONE_STAT_SHARE_OF_VOICE   ? t.n
               : stat == MEDTONE_STAT_SHARE_POSITIVE ? t.pos
                                                     : t.neg;
    }
    double x = stat == MEDTONE_STAT_SHARE_OF_VOICE   ? mine->n
               : stat == MEDTONE_STAT_SHARE_POSITIVE ? mine->pos
                                                     : mine->neg;
    return all > 0 ? x / all : 0;
}

static double bayes(const medtone_aggregator *a, double sum, double n)
{
    double c = a->prior_weight;
    return c + n > 0 ? (c * a->prior_mean + sum) / (c + n) : a->prior_mean;
}

/* The decayed Bayesian average at the end of bucket number `end`. */
static double reputation(const medtone_aggregator *a, size_t e, int64_t end)
{
    double wsum = 0, wn = 0, len = 86400.0 * a->bucket_days;
    double t_end = (double)mt_bucket_start(a->bucket_days, end) + len;
    double hl = a->half_life * 86400.0;
    if (e < a->nseries) {
        const mt_series *s = &a->series[e];
        for (size_t i = 0; i < s->n && s->cells[i].bucket <= end; i++) {
            const mt_cell *c = &s->cells[i];
            double mid = (double)mt_bucket_start(a->bucket_days, c->bucket) + len / 2;
            double w = exp2(-(t_end - mid) / hl);
            wsum += w * ((double)c->sum / MT_FIX);
            wn += w * (double)c->n;
        }
    }
    return bayes(a, wsum, wn);
}

double medtone_aggregator_stat(const medtone_aggregator *a, size_t e, size_t bucket,
                               medtone_stat stat)
{
    totals t;
    if (!a || entity_totals(a, e, bucket, &t) != 0) return 0;
    switch (stat) {
    case MEDTONE_STAT_VOLUME:
        return t.n;
    case MEDTONE_STAT_POSITIVE:
        return t.pos;
    case MEDTONE_STAT_NEUTRAL:
        return t.neu;
    case MEDTONE_STAT_NEGATIVE:
        return t.neg;
    case MEDTONE_STAT_MEAN:
        return t.n > 0 ? t.sum / t.n : 0;
    case MEDTONE_STAT_STDDEV: {
        if (t.n <= 0) return 0;
        double m = t.sum / t.n, v = t.sumsq / t.n - m * m;
        return v > 0 ? sqrt(v) : 0;
    }
    case MEDTONE_STAT_NET:
        return t.n > 0 ? (t.pos - t.neg) / t.n : 0;
    case MEDTONE_STAT_BAYES:
        return bayes(a, t.sum, t.n);
    case MEDTONE_STAT_WILSON: {
        if (t.n <= 0) return 0;
        double z = a->wilson_z, p = t.pos / t.n, z2 = z * z;
        double lb = (p + z2 / (2 * t.n) - z * sqrt(p * (1 - p) / t.n + z2 / (4 * t.n * t.n))) /
                    (1 + z2 / t.n);
        return lb > 0 ? lb : 0;
    }
    case MEDTONE_STAT_SHARE_OF_VOICE:
    case MEDTONE_STAT_SHARE_POSITIVE:
    case MEDTONE_STAT_SHARE_NEGATIVE:
        return share(a, bucket, &t, stat);
    case MEDTONE_STAT_REPUTATION:
        if (!a->ncells) return bayes(a, 0, 0);
        return reputation(a, e,
                          bucket == MEDTONE_ALL_BUCKETS ? a->last : a->first + (int64_t)bucket);
    }
    return 0;
}

static int flag_totals(const medtone_aggregator *a, size_t e, size_t bucket, size_t flag, double *n,
                       double *sum)
{
    *n = *sum = 0;
    if (!a || flag >= MT_FLAG_COUNT || e >= medtone_entities_count(a->ents)) return -1;
    if (e >= a->nseries) return 0;
    const mt_series *s = &a->series[e];
    if (bucket == MEDTONE_ALL_BUCKETS) {
        for (size_t i = 0; i < s->n; i++) {
            *n += (double)s->cells[i].flag_n[flag];
            *sum += (double)s->cells[i].flag_sum[flag] / MT_FIX;
        }
        return 0;
    }
    if (bucket >= medtone_aggregator_bucket_count(a)) return -1;
    const mt_cell *c = mt_cell_find(a, e, a->first + (int64_t)bucket);
    if (c) {
        *n = (double)c->flag_n[flag];
        *sum = (double)c->flag_sum[flag] / MT_FIX;
    }
    return 0;
}

double medtone_aggregator_flag_count(const medtone_aggregator *a, size_t e, size_t bucket,
                                     size_t flag)
{
    double n, sum;
    flag_totals(a, e, bucket, flag, &n, &sum);
    return n;
}

double medtone_aggregator_flag_sentiment(const medtone_aggregator *a, size_t e, size_t bucket,
                                         size_t flag)
{
    double n, sum;
    flag_totals(a, e, bucket, flag, &n, &sum);
    return n > 0 ? sum / n : 0;
}
