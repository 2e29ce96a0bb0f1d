/* train_cv.c — the measures of the cross-validation, defined as `medtone eval` and the project's
 * baselines define them: for a flag, precision, recall and F1 of the flag firing (score > 0 and
 * >= the threshold, as flags.c decides) and ROC-AUC of its score; for sentiment, Spearman rho
 * (average ranks for ties) and Pearson r of the compound with the label, and macro-F1 of three
 * classes (compound >= 0.05 positive, <= -0.05 negative). */
#include <math.h>
#include <stdlib.h>

#include "alloc.h"
#include "train.h"

#define POS_THRESHOLD 0.05
#define NEG_THRESHOLD (-0.05)

int mt_label_class(int flag, double band, double label)
{
    if (flag >= 0) return label > 0.5;
    return label < -band ? 0 : label > band ? 2 : 1;
}

static double pearson(const double *x, const double *y, size_t n)
{
    if (n < 2) return 0;
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++)
        mx += x[i], my += y[i];
    mx /= (double)n;
    my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0;
}

typedef struct ranked {
    double v;
    size_t i;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Ranks 1..n, ties given the mean of the ranks they span. */
static int ranks(const double *v, size_t n, double *out)
{
    ranked *r = mt_malloc((n ? n : 1) * sizeof *r);
    if (!r) return -1;
    for (size_t i = 0; i < n; i++)
        r[i] = (ranked){v[i], i};
    qsort(r, n, sizeof *r, cmp_ranked);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && r[j + 1].v == r[i].v)
            j++;
        double mean = ((double)i + (double)j) / 2.0 + 1.0;
        for (size_t k = i; k <= j; k++)
            out[r[k].i] = mean;
        i = j + 1;
    }
    mt_free(r);
    return 0;
}

static int flag_measures(double threshold, const double *pred, const double *label, size_t n,
                         double *out)
{
    size_t tp = 0, fp = 0, fn = 0, npos = 0;
    for (size_t i = 0; i < n; i++) {
        int gold = label[i] > 0.5, fired = pred[i] > 0 && pred[i] >= threshold;
        npos += gold;
        tp += gold && fired;
        fp += !gold && fired;
        fn += gold && !fired;
    }
    double p = tp + fp ? (double)tp / (double)(tp + fp) : 0;
    double r = tp + fn ? (double)tp / (double)(tp + fn) : 0;
    out[MEDTONE_METRIC_PRECISION] = p;
    out[MEDTONE_METRIC_RECALL] = r;
    out[MEDTONE_METRIC_F1] = p + r > 0 ? 2 * p * r / (p + r) : 0;
    /* ROC-AUC as the Mann-Whitney U of the positive class, normalized. */
    double *rk = mt_malloc((n ? n : 1) * sizeof *rk);
    if (!rk || ranks(pred, n, rk) != 0) {
        mt_free(rk);
        return -1;
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        if (label[i] > 0.5) sum += rk[i];
    mt_free(rk);
    size_t nneg = n - npos;
    out[MEDTONE_METRIC_AUC] =
        npos && nneg ? (sum - (double)npos * ((double)npos + 1) / 2) / ((double)npos * (double)nneg)
                     : NAN;
    return 0;
}

static int sentiment_measures(double band, const double *pred, const double *label, size_t n,
                              double *out)
{
    out[MEDTONE_METRIC_PEARSON] = pearson(pred, label, n);
    double *rp = mt_malloc((n ? n : 1) * sizeof *rp), *rl = mt_malloc((n ? n : 1) * sizeof *rl);
    int ok = rp && rl && ranks(pred, n, rp) == 0 && ranks(label, n, rl) == 0;
    if (ok) out[MEDTONE_METRIC_SPEARMAN] = pearson(rp, rl, n);
    mt_free(rp);
    mt_free(rl);
    if (!ok) return -1;
    size_t m[3][3] = {{0}};
    for (size_t i = 0; i < n; i++) {
        int g = mt_label_class(-1, band, label[i]);
        int c = pred[i] >= POS_THRESHOLD ? 2 : pred[i] <= NEG_THRESHOLD ? 0 : 1;
        m[g][c]++;
    }
    double f1 = 0;
    for (int c = 0; c < 3; c++) {
        size_t npred = m[0][c] + m[1][c] + m[2][c], ngold = m[c][0] + m[c][1] + m[c][2];
        double p = npred ? (double)m[c][c] / (double)npred : 0;
        double r = ngold ? (double)m[c][c] / (double)ngold : 0;
        f1 += p + r > 0 ? 2 * p * r / (p + r) : 0;
    }
    out[MEDTONE_METRIC_MACRO_F1] = f1 / 3;
    return 0;
}

int mt_cv_measure(int flag, double threshold, double band, const double *pred, const double *label,
                  size_t n, double *out)
{
    for (int k = 0; k < MT_METRICS; k++)
        out[k] = NAN;
    return flag >= 0 ? flag_measures(threshold, pred, label, n, out)
                     : sentiment_measures(band, pred, label, n, out);
}
