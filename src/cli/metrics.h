/* metrics.h — the accuracy measures of `medtone eval`, as defined in the project's baselines:
 * Pearson r, Spearman rho (average ranks for ties), per-class F1 (macro and support-weighted),
 * and ROC-AUC. Pure functions over arrays, so they are easy to test by hand-computed cases. */
#ifndef MEDTONE_CLI_METRICS_H
#define MEDTONE_CLI_METRICS_H

#include <stddef.h>

double metric_pearson(const double *x, const double *y, size_t n);
/* Spearman's rho; returns 0 when out of memory or n < 2. */
double metric_spearman(const double *x, const double *y, size_t n);

/* Three classes: 0 negative, 1 neutral, 2 positive. confusion[gold][pred]. */
typedef struct metric_confusion {
    size_t m[3][3];
} metric_confusion;

double metric_f1_of(const metric_confusion *c, int cls);
double metric_precision_of(const metric_confusion *c, int cls);
double metric_recall_of(const metric_confusion *c, int cls);
double metric_macro_f1(const metric_confusion *c);
double metric_weighted_f1(const metric_confusion *c);

/* Area under the ROC curve of score for the positive class (label 1), ties counted half. */
double metric_roc_auc(const double *score, const int *label, size_t n);

#endif
