/* alerts.h — an alert list: what medtone_aggregator_alerts found, with copies of the post ids so
 * that the list outlives its aggregator. */
#ifndef MT_ALERTS_H
#define MT_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "medtone.h"

typedef struct mt_alert {
    medtone_alert_kind kind;
    size_t entity, bucket;
    int64_t start;
    double score, value, baseline;
    char **ids; /* owned */
    size_t nids;
} mt_alert;

struct medtone_alerts {
    mt_alert *a;
    size_t n, cap;
};

/* The median and the median absolute deviation of v[0..n) (n >= 1); sorts v and uses
 * scratch[0..n). */
void mt_median_mad(double *v, double *scratch, size_t n, double *median, double *mad);

#endif
