/* train_model.c — the trainer's models, and the math they share with the layer they become.
 *
 * Flag: a logistic regression with the analyzer's flag score as a fixed offset,
 *     p = logistic(logit(score) + learned),  learned = bias (when a weighted term is present)
 *                                                     + the weights of the terms present,
 * which is exactly how flags/learned.c applies the layer. Log-loss.
 *
 * Sentiment: the scorer's own sum with learned valences,
 *     S = (fixed contributions + sum over terms of (v0 + delta) * multiplier) / sqrt(terms),
 *     compound = S / sqrt(S^2 + ALPHA),
 * where v0 is the valence before learning (the hand-written one, 0 for a new term) and a term
 * counts in the root when its valence is not 0, as in score.c. Squared error on the compound
 * scale.
 *
 * Both learn by stochastic gradient descent with AdaGrad step sizes. The L2 and L1 penalties are
 * per row over the rows the model trains on; a weight is only touched by the rows that contain
 * its term, so its penalty is scaled by rows / (rows with the term), which adds up over an epoch
 * to the full penalty (the lazy form of the usual update). L1 is a proximal step (soft
 * threshold), so weights reach exactly 0 and leave the layer. Weights stay within what a layer
 * may write: -4..4 (valences: their term's bounds). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "train.h"

#define ADAGRAD_EPS 1e-8
/* The weights a layer writes are rounded to this many decimals. */
#define WRITE_DECIMALS 4

int mt_model_init(mt_model *m, size_t n)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    m->w = mt_calloc(n ? n : 1, sizeof *m->w);
    m->g2 = mt_calloc(n ? n : 1, sizeof *m->g2);
    m->off = mt_calloc(n ? n : 1, 1);
    if (!m->w || !m->g2 || !m->off) {
        mt_model_free(m);
        return -1;
    }
    return 0;
}

void mt_model_free(mt_model *m)
{
    mt_free(m->w);
    mt_free(m->g2);
    mt_free(m->off);
    memset(m, 0, sizeof *m);
}

static double logistic(double z)
{
    return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

int mt_model_flag_learned(const mt_model *m, const mt_row *r, const mt_feat *f, double *learned)
{
    double sum = 0;
    int any = 0;
    for (uint32_t k = 0; k < r->nfeat; k++) {
        double w = m->w[f[k].id];
        if (w != 0) {
            sum += w;
            any = 1;
        }
    }
    *learned = any ? m->b + sum : 0;
    return any;
}

/* The scorer's raw sum before squashing, and the divisor of the root. */
static double sentiment_sum(const mt_model *m, const mt_term_info *info, const mt_row *r,
                            const mt_feat *f, double *root)
{
    double s = r->offset;
    double terms = r->nfixed;
    for (uint32_t k = 0; k < r->nfeat; k++) {
        double v = info[f[k].id].v0 + m->w[f[k].id];
        if (v == 0) continue;
        s += v * f[k].x;
        terms += f[k].n;
    }
    *root = terms > 1 ? sqrt(terms) : 1;
    return s / *root;
}

double mt_model_compound(const mt_model *m, const mt_term_info *info, const mt_row *r,
                         const mt_feat *f)
{
    double root, s = sentiment_sum(m, info, r, f, &root);
    return s / sqrt(s * s + MT_TRAIN_ALPHA);
}

double mt_model_predict(const mt_model *m, const mt_term_info *info, int flag, const mt_row *r,
                        const mt_feat *f, double a, double c)
{
    if (flag < 0) return mt_model_compound(m, info, r, f);
    double learned;
    int any = mt_model_flag_learned(m, r, f, &learned);
    return any ? logistic(r->offset + a * learned + c) : r->baseline;
}

/* One AdaGrad step on weight j with gradient g (loss part) and its bounds, then the penalties. */
static void update(mt_model *m, size_t j, double g, double lo, double hi, const mt_model_opts *o,
                   double scale)
{
    double w = m->w[j];
    g += o->l2 * scale * w;
    m->g2[j] += g * g;
    double eta = o->lr / (sqrt(m->g2[j]) + ADAGRAD_EPS);
    w -= eta * g;
    if (o->l1 > 0) { /* proximal step: soft threshold */
        double t = eta * o->l1 * scale;
        w = w > t ? w - t : w < -t ? w + t : 0;
    }
    m->w[j] = w < lo ? lo : w > hi ? hi : w;
}

void mt_model_step(mt_model *m, const mt_term_info *info, int flag, const mt_model_opts *o,
                   const uint32_t *df, const mt_row *r, const mt_feat *f)
{
    double g; /* d loss / d (the learned part of the row's output) per unit of a feature */
    if (flag >= 0) {
        double learned;
        int any = mt_model_flag_learned(m, r, f, &learned);
        g = logistic(r->offset + learned) - r->label;
        if (any) {
            m->gb2 += g * g;
            m->b -= o->lr / (sqrt(m->gb2) + ADAGRAD_EPS) * g;
        }
    } else {
        double root, s = sentiment_sum(m, info, r, f, &root);
        double d = s * s + MT_TRAIN_ALPHA;
        double c = s / sqrt(d);
        g = (c - r->label) * MT_TRAIN_ALPHA / (d * sqrt(d)) / root;
    }
    for (uint32_t k = 0; k < r->nfeat; k++) {
        uint32_t j = f[k].id;
        if (m->off[j]) continue;
        double scale = df[j] ? o->rows / df[j] : 1;
        double lo = -4, hi = 4;
        if (flag < 0) {
            lo = info[j].lo - info[j].v0;
            hi = info[j].hi - info[j].v0;
        }
        update(m, j, g * f[k].x, lo, hi, o, scale);
    }
}

typedef struct ranked {
    double mag;
    size_t id;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->mag != y->mag) return x->mag > y->mag ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

int mt_model_prune(mt_model *m, size_t k)
{
    size_t nz = 0;
    for (size_t j = 0; j < m->n; j++)
        nz += m->w[j] != 0;
    if (k == 0 || nz <= k) return 0;
    ranked *r = mt_malloc(nz * sizeof *r);
    if (!r) return -1;
    size_t n = 0;
    for (size_t j = 0; j < m->n; j++)
        if (m->w[j] != 0) r[n++] = (ranked){fabs(m->w[j]), j};
    qsort(r, n, sizeof *r, cmp_ranked);
    for (size_t i = k; i < n; i++) {
        m->w[r[i].id] = 0;
        m->off[r[i].id] = 1;
    }
    for (size_t j = 0; j < m->n; j++)
        if (m->w[j] == 0) m->off[j] = 1; /* only the kept terms go on learning */
    mt_free(r);
    return 0;
}

static double round_to(double v, int decimals)
{
    double s = pow(10, decimals);
    return round(v * s) / s;
}

void mt_model_round(mt_model *m, const mt_term_info *info, int flag)
{
    for (size_t j = 0; j < m->n; j++) {
        if (flag >= 0) {
            m->w[j] = round_to(m->w[j], WRITE_DECIMALS);
        } else if (m->w[j] != 0) {
            double v = round_to(info[j].v0 + m->w[j], WRITE_DECIMALS - 1);
            m->w[j] = v - info[j].v0;
            if (fabs(m->w[j]) < 1e-12) m->w[j] = 0;
        }
    }
    m->b = round_to(m->b, WRITE_DECIMALS);
}

/* ----- calibration -------------------------------------------------------------------------- */

/* Log-likelihood of p = logistic(offset + a * learned + c * any). */
static double loglik(const double *off, const double *learned, const unsigned char *any,
                     const double *y, size_t n, double a, double c)
{
    double ll = 0;
    for (size_t i = 0; i < n; i++) {
        double z = off[i] + a * learned[i] + c * any[i];
        /* log p = -log(1 + e^-z), log(1 - p) = -log(1 + e^z) */
        ll -= y[i] > 0.5 ? log1p(exp(-fabs(z))) + (z < 0 ? -z : 0)
                         : log1p(exp(-fabs(z))) + (z > 0 ? z : 0);
    }
    return ll;
}

double mt_model_max_weight(const mt_model *m)
{
    double max = 0;
    for (size_t j = 0; j < m->n; j++)
        if (fabs(m->w[j]) > max) max = fabs(m->w[j]);
    return max;
}

void mt_calibrate(const double *off, const double *learned, const unsigned char *any,
                  const double *label, size_t n, double a_max, double *a_out, double *c_out)
{
    double a = 1, c = 0;
    double ll = loglik(off, learned, any, label, n, a, c);
    for (int iter = 0; iter < 50; iter++) {
        /* Newton on (a, c), with a small ridge towards the identity for stability. */
        double ga = -1e-3 * (a - 1), gc = -1e-3 * c, haa = 1e-3, hac = 0, hcc = 1e-3;
        for (size_t i = 0; i < n; i++) {
            double z = off[i] + a * learned[i] + c * any[i];
            double p = logistic(z), r = label[i] - p, w = p * (1 - p);
            ga += r * learned[i];
            gc += r * any[i];
            haa += w * learned[i] * learned[i];
            hac += w * learned[i] * any[i];
            hcc += w * any[i];
        }
        double det = haa * hcc - hac * hac;
        if (!(det > 0)) break;
        double da = (hcc * ga - hac * gc) / det, dc = (haa * gc - hac * ga) / det;
        if (a >= a_max && da > 0) { /* at the bound: only c moves */
            da = 0;
            dc = gc / hcc;
        } else if (a + da > a_max) {
            da = a_max - a;
        }
        double step = 1, nll = ll;
        for (int half = 0; half < 30; half++, step /= 2) {
            nll = loglik(off, learned, any, label, n, a + step * da, c + step * dc);
            if (nll >= ll) break;
        }
        if (nll < ll) break;
        a += step * da;
        c += step * dc;
        double gain = nll - ll;
        ll = nll;
        if (gain < 1e-9 * (1 + fabs(ll))) break;
    }
    if (!(a > 0) || a > a_max || !isfinite(a) || !isfinite(c)) {
        a = 1 <= a_max ? 1 : a_max;
        c = 0;
    }
    *a_out = a;
    *c_out = c;
}
