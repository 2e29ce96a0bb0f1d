/* metrics.c — see metrics.h. */
#include <math.h>
#include <stdlib.h>

#include "metrics.h"

double metric_pearson(const double *x, const double *y, size_t n)
{
    if (n < 2) return 0;
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) mx += x[i], my += y[i];
    mx /= (double)n;
    my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if (sxx == 0 || syy == 0) return 0;
    return sxy / sqrt(sxx * syy);
}

typedef struct ranked {
    double v;
    size_t i;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    double x = ((const ranked *)a)->v, y = ((const ranked *)b)->v;
    return (x > y) - (x < y);
}

/* Ranks 1..n with ties given the average of the ranks they span. */
static int ranks(const double *v, size_t n, double *out)
{
    ranked *r = malloc(n * sizeof *r);
    if (!r) return -1;
    for (size_t i = 0; i < n; i++) r[i].v = v[i], r[i].i = i;
    qsort(r, n, sizeof *r, cmp_ranked);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && r[j + 1].v == r[i].v) j++;
        double avg = ((double)i + (double)j) / 2.0 + 1.0;
        for (size_t k = i; k <= j; k++) out[r[k].i] = avg;
        i = j + 1;
    }
    free(r);
    return 0;
}

double metric_spearman(const double *x, const double *y, size_t n)
{
    if (n < 2) return 0;
    double *rx = malloc(n * sizeof *rx), *ry = malloc(n * sizeof *ry);
    double rho = 0;
    if (rx && ry && ranks(x, n, rx) == 0 && ranks(y, n, ry) == 0) rho = metric_pearson(rx, ry, n);
    free(rx);
    free(ry);
    return rho;
}

double metric_precision_of(const metric_confusion *c, int cls)
{
    size_t tp = c->m[cls][cls], pred = 0;
    for (int g = 0; g < 3; g++) pred += c->m[g][cls];
    return pred ? (double)tp / (double)pred : 0;
}

double metric_recall_of(const metric_confusion *c, int cls)
{
    size_t tp = c->m[cls][cls], gold = 0;
    for (int p = 0; p < 3; p++) gold += c->m[cls][p];
    return gold ? (double)tp / (double)gold : 0;
}

double metric_f1_of(const metric_confusion *c, int cls)
{
    double p = metric_precision_of(c, cls), r = metric_recall_of(c, cls);
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

double metric_macro_f1(const metric_confusion *c)
{
    return (metric_f1_of(c, 0) + metric_f1_of(c, 1) + metric_f1_of(c, 2)) / 3.0;
}

double metric_weighted_f1(const metric_confusion *c)
{
    double sum = 0;
    size_t total = 0;
    for (int g = 0; g < 3; g++) {
        size_t support = c->m[g][0] + c->m[g][1] + c->m[g][2];
        sum += metric_f1_of(c, g) * (double)support;
        total += support;
    }
    return total ? sum / (double)total : 0;
}

double metric_roc_auc(const double *score, const int *label, size_t n)
{
    double *r = malloc((n ? n : 1) * sizeof *r);
    if (!r || ranks(score, n, r) != 0) {
        free(r);
        return 0;
    }
    double npos = 0, nneg = 0, rank_sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (label[i]) {
            npos++;
            rank_sum += r[i];
        } else {
            nneg++;
        }
    }
    free(r);
    if (npos == 0 || nneg == 0) return 0;
    /* Mann-Whitney U over the positive class, normalized. */
    return (rank_sum - npos * (npos + 1) / 2.0) / (npos * nneg);
}
