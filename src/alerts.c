/* alerts.c — spikes and surges against each entity's own baseline, and crisis posts.
 *
 * A baseline is the entity's previous W buckets (counting from its first post, empty buckets
 * included as zero volume). The robust z-score 0.6745 (x - median) / MAD resists the earlier
 * storms a mean and a standard deviation would absorb. On small or perfectly steady series the
 * MAD can be 0, which would make any change infinite; it is therefore kept at least at the
 * spread chance alone would give (Poisson for counts, binomial for a share), so an alert means
 * "more than noise" even when the baseline is flat. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "alerts.h"
#include "alloc.h"

#define MIN_BASELINE 3

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double median_sorted(const double *v, size_t n)
{
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void mt_median_mad(double *v, double *scratch, size_t n, double *median, double *mad)
{
    qsort(v, n, sizeof *v, cmp_double);
    double m = median_sorted(v, n);
    for (size_t i = 0; i < n; i++)
        scratch[i] = fabs(v[i] - m);
    qsort(scratch, n, sizeof *scratch, cmp_double);
    *median = m;
    *mad = median_sorted(scratch, n);
}

const char *medtone_alert_kind_name(medtone_alert_kind kind)
{
    switch (kind) {
    case MEDTONE_ALERT_VOLUME:
        return "volume";
    case MEDTONE_ALERT_NEGATIVITY:
        return "negativity";
    case MEDTONE_ALERT_MISINFO:
        return "misinfo";
    case MEDTONE_ALERT_CRISIS:
        return "crisis";
    }
    return "unknown";
}

void medtone_alerts_free(medtone_alerts *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) {
        for (size_t k = 0; k < l->a[i].nids; k++)
            mt_free(l->a[i].ids[k]);
        mt_free(l->a[i].ids);
    }
    mt_free(l->a);
    mt_free(l);
}

static int push(medtone_alerts *l, const medtone_aggregator *agg, medtone_alert_kind kind,
                size_t entity, int64_t bucket, double score, double value, double baseline,
                const mt_cell *c, int list)
{
    if (mt_reserve((void **)&l->a, &l->cap, l->n + 1, sizeof *l->a) != 0) return -1;
    mt_alert *x = &l->a[l->n];
    memset(x, 0, sizeof *x);
    uint32_t np = c->ntop[list];
    if (np) {
        x->ids = mt_calloc(np, sizeof *x->ids);
        if (!x->ids) return -1;
        for (uint32_t k = 0; k < np; k++) {
            x->ids[k] = mt_strndup(c->top[list][k].id, c->top[list][k].id_len);
            if (!x->ids[k]) {
                for (uint32_t q = 0; q < k; q++)
                    mt_free(x->ids[q]);
                mt_free(x->ids);
                x->ids = NULL;
                return -1;
            }
        }
    }
    x->nids = np;
    x->kind = kind;
    x->entity = entity;
    x->bucket = (size_t)(bucket - agg->first);
    x->start = mt_bucket_start(agg->bucket_days, bucket);
    x->score = score;
    x->value = value;
    x->baseline = baseline;
    l->n++;
    return 0;
}

static int cmp_alert(const void *x, const void *y)
{
    const mt_alert *a = x, *b = y;
    if (a->bucket != b->bucket) return a->bucket < b->bucket ? -1 : 1;
    if (a->entity != b->entity) return a->entity < b->entity ? -1 : 1;
    return (int)a->kind - (int)b->kind;
}

/* The robust z-score of x given a baseline's median and MAD, the MAD kept at least floor_mad. */
static double robust_z(double x, double median, double mad, double floor_mad)
{
    return 0.6745 * (x - median) / (mad > floor_mad ? mad : floor_mad);
}

/* The baseline window of cell i: the W buckets before it (from the entity's first bucket on), as
 * volumes, negative counts and misinfo counts in vol/neg/mis[0..n), empty buckets as zeros.
 * Walks back over the cells only, so a series spanning centuries costs what its cells cost. */
static size_t window_of(const mt_series *s, size_t i, size_t W, double *vol, double *neg,
                        double *mis)
{
    int64_t b = s->cells[i].bucket, b0 = s->cells[0].bucket;
    size_t n = (uint64_t)(b - b0) < W ? (size_t)(b - b0) : W;
    for (size_t k = 0; k < n; k++)
        vol[k] = neg[k] = mis[k] = 0;
    for (size_t j = i; j-- > 0 && s->cells[j].bucket >= b - (int64_t)n;) {
        size_t k = (size_t)(s->cells[j].bucket - (b - (int64_t)n));
        vol[k] = (double)s->cells[j].n;
        neg[k] = (double)s->cells[j].neg;
        mis[k] = (double)s->cells[j].flag_n[MT_FLAG_MISINFO];
    }
    return n;
}

static int entity_alerts(medtone_alerts *l, const medtone_aggregator *agg, size_t e, double *buf)
{
    const mt_series *s = &agg->series[e];
    size_t W = (size_t)agg->window;
    double *vol = buf, *neg = vol + W, *mis = neg + W, *base = mis + W, *scratch = base + W;
    for (size_t i = 0; i < s->n; i++) {
        const mt_cell *c = &s->cells[i];
        int64_t bucket = c->bucket;
        double crisis = (double)c->flag_n[MT_FLAG_CRISIS];
        if (crisis > 0 &&
            push(l, agg, MEDTONE_ALERT_CRISIS, e, bucket, crisis, crisis, 0, c, MT_TOP_CRISIS))
            return -1;
        size_t n = window_of(s, i, W, vol, neg, mis);
        if (n < MIN_BASELINE) continue;
        double x = (double)c->n, med, mad, z;

        memcpy(base, vol, n * sizeof *base);
        mt_median_mad(base, scratch, n, &med, &mad);
        z = robust_z(x, med, mad, 0.6745 * sqrt(fmax(med, 1)));
        if (x >= agg->min_volume && z >= agg->threshold &&
            push(l, agg, MEDTONE_ALERT_VOLUME, e, bucket, z, x, med, c, MT_TOP_NEGATIVE))
            return -1;

        size_t m = 0; /* shares exist only for buckets with posts */
        for (size_t k = 0; k < n; k++)
            if (vol[k] > 0) base[m++] = neg[k] / vol[k];
        if (m >= MIN_BASELINE) {
            double p = (double)c->neg / x;
            mt_median_mad(base, scratch, m, &med, &mad);
            double pm = fmin(0.95, fmax(0.05, med));
            z = robust_z(p, med, mad, 0.6745 * sqrt(pm * (1 - pm) / x));
            if (x >= agg->min_volume && z >= agg->threshold &&
                push(l, agg, MEDTONE_ALERT_NEGATIVITY, e, bucket, z, p, med, c, MT_TOP_NEGATIVE))
                return -1;
        }

        double flagged = (double)c->flag_n[MT_FLAG_MISINFO];
        memcpy(base, mis, n * sizeof *base);
        mt_median_mad(base, scratch, n, &med, &mad);
        z = robust_z(flagged, med, mad, 0.6745 * sqrt(fmax(med, 1)));
        if (flagged >= agg->min_flagged && z >= agg->threshold &&
            push(l, agg, MEDTONE_ALERT_MISINFO, e, bucket, z, flagged, med, c, MT_TOP_MISINFO))
            return -1;
    }
    return 0;
}

medtone_status medtone_aggregator_alerts(const medtone_aggregator *agg, medtone_alerts **out)
{
    if (out) *out = NULL;
    if (!agg || !out) return MEDTONE_ERR_INVALID_ARG;
    medtone_alerts *l = mt_calloc(1, sizeof *l);
    if (!l) return MEDTONE_ERR_NOMEM;
    if (agg->ncells) {
        /* the window's volumes, negative and misinfo counts, and two sorting buffers */
        double *buf = mt_malloc(5 * (size_t)agg->window * sizeof(double));
        if (!buf) {
            medtone_alerts_free(l);
            return MEDTONE_ERR_NOMEM;
        }
        for (size_t e = 0; e < agg->nseries; e++)
            if (entity_alerts(l, agg, e, buf) != 0) {
                mt_free(buf);
                medtone_alerts_free(l);
                return MEDTONE_ERR_NOMEM;
            }
        mt_free(buf);
        if (l->n > 1) qsort(l->a, l->n, sizeof *l->a, cmp_alert);
    }
    *out = l;
    return MEDTONE_OK;
}

size_t medtone_alerts_count(const medtone_alerts *l)
{
    return l ? l->n : 0;
}

static const mt_alert *at(const medtone_alerts *l, size_t i)
{
    return l && i < l->n ? &l->a[i] : NULL;
}

medtone_alert_kind medtone_alert_kind_of(const medtone_alerts *l, size_t i)
{
    return at(l, i) ? at(l, i)->kind : (medtone_alert_kind)0;
}

size_t medtone_alert_entity(const medtone_alerts *l, size_t i)
{
    return at(l, i) ? at(l, i)->entity : 0;
}

size_t medtone_alert_bucket(const medtone_alerts *l, size_t i)
{
    return at(l, i) ? at(l, i)->bucket : 0;
}

int64_t medtone_alert_bucket_start(const medtone_alerts *l, size_t i)
{
    return at(l, i) ? at(l, i)->start : 0;
}

double medtone_alert_score(const medtone_alerts *l, size_t i)
{
    return at(l, i) ? at(l, i)->score : 0;
}

double medtone_alert_value(const medtone_alerts *l, size_t i)
{
    return at(l, i) ? at(l, i)->value : 0;
}

double medtone_alert_baseline(const medtone_alerts *l, size_t i)
{
    return at(l, i) ? at(l, i)->baseline : 0;
}

size_t medtone_alert_post_count(const medtone_alerts *l, size_t i)
{
    return at(l, i) ? at(l, i)->nids : 0;
}

const char *medtone_alert_post_id(const medtone_alerts *l, size_t i, size_t k)
{
    const mt_alert *x = at(l, i);
    return x && k < x->nids ? x->ids[k] : "";
}
