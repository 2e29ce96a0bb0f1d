/* fuzz_state.c — the aggregator's saved-state loader (medtone_aggregator_load_data) on arbitrary
 * bytes: the raw payload as the input gives it, or a gzip stream when it starts with 1f 8b.
 *
 * Each input is loaded twice: into an empty aggregator and into one that already holds posts.
 * Checks the contract of include/medtone/reputation.h: a failed load returns a documented status,
 * says why, and leaves the aggregator exactly as it was (every statistic compared); a successful
 * load gives statistics within their ranges, and what it loaded saves and loads back to the same
 * numbers. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <medtone.h>
#include <medtone/reputation.h>

#include "fuzz_common.h"

static medtone_entities *g_ents;
static medtone_analyzer *g_an;
static medtone_result *g_res;
static const char *const g_ids[] = {"st-mary", "riverside", "dr-okafor", "sertraline"};
#define NENTS (sizeof g_ids / sizeof g_ids[0])

static void setup(void)
{
    if (g_ents) return;
    static const char *const names[NENTS] = {"St Mary", "Riverside General", "Dr Okafor",
                                             "sertraline"};
    static const medtone_entity_kind kinds[NENTS] = {MEDTONE_ENTITY_HOSPITAL,
                                                     MEDTONE_ENTITY_HOSPITAL, MEDTONE_ENTITY_DOCTOR,
                                                     MEDTONE_ENTITY_DRUG};
    g_ents = medtone_entities_new();
    FUZZ_CHECK(g_ents != NULL);
    for (size_t i = 0; i < NENTS; i++)
        FUZZ_CHECK(medtone_entities_add(g_ents, g_ids[i], names[i], kinds[i], NULL) == MEDTONE_OK);
    FUZZ_CHECK(medtone_analyzer_new(NULL, &g_an) == MEDTONE_OK);
    g_res = medtone_result_new();
    FUZZ_CHECK(g_res != NULL);
}

FUZZ_INITIALIZE(setup)

/* Every statistic of every entity over the first buckets and all buckets, for comparing. */
#define SNAP_BUCKETS 4
#define SNAP_LEN     (NENTS * (SNAP_BUCKETS + 1) * (MEDTONE_STAT_REPUTATION + 2) + 2)

static void snapshot(const medtone_aggregator *agg, double *out)
{
    size_t k = 0;
    out[k++] = (double)medtone_aggregator_bucket_count(agg);
    out[k++] = medtone_aggregator_empty(agg);
    for (size_t e = 0; e < NENTS; e++)
        for (size_t b = 0; b <= SNAP_BUCKETS; b++) {
            size_t bucket = b == SNAP_BUCKETS ? MEDTONE_ALL_BUCKETS : b;
            for (int s = 0; s <= MEDTONE_STAT_REPUTATION; s++)
                out[k++] = medtone_aggregator_stat(agg, e, bucket, (medtone_stat)s);
            out[k++] = medtone_aggregator_flag_count(agg, e, bucket, MEDTONE_FLAG_CRISIS);
        }
}

static int same(const double *x, const double *y)
{
    for (size_t i = 0; i < SNAP_LEN; i++)
        if (!(x[i] == y[i] || (isnan(x[i]) && isnan(y[i])))) return 0;
    return 1;
}

static void check_ranges(const medtone_aggregator *agg)
{
    size_t nb = medtone_aggregator_bucket_count(agg);
    for (size_t e = 0; e < NENTS; e++)
        for (size_t b = 0; b <= (nb < SNAP_BUCKETS ? nb : SNAP_BUCKETS); b++) {
            size_t bucket = b == (nb < SNAP_BUCKETS ? nb : SNAP_BUCKETS) ? MEDTONE_ALL_BUCKETS : b;
            double n = medtone_aggregator_stat(agg, e, bucket, MEDTONE_STAT_VOLUME);
            FUZZ_CHECK(n >= 0);
            double m = medtone_aggregator_stat(agg, e, bucket, MEDTONE_STAT_MEAN);
            FUZZ_CHECK(m >= -1 && m <= 1);
            double net = medtone_aggregator_stat(agg, e, bucket, MEDTONE_STAT_NET);
            FUZZ_CHECK(net >= -1 && net <= 1);
            double sd = medtone_aggregator_stat(agg, e, bucket, MEDTONE_STAT_STDDEV);
            FUZZ_CHECK(sd >= 0 && sd <= 1.0000001);
            double w = medtone_aggregator_stat(agg, e, bucket, MEDTONE_STAT_WILSON);
            FUZZ_CHECK(w >= 0 && w <= 1);
            double rep = medtone_aggregator_stat(agg, e, bucket, MEDTONE_STAT_REPUTATION);
            FUZZ_CHECK(rep >= -1 && rep <= 1);
            for (int s = MEDTONE_STAT_SHARE_OF_VOICE; s <= MEDTONE_STAT_SHARE_NEGATIVE; s++) {
                double sh = medtone_aggregator_stat(agg, e, bucket, (medtone_stat)s);
                FUZZ_CHECK(sh >= 0 && sh <= 1.0000001);
            }
            for (size_t f = 0; f < medtone_flag_count(); f++) {
                double fc = medtone_aggregator_flag_count(agg, e, bucket, f);
                FUZZ_CHECK(fc >= 0 && fc <= n);
                double fs = medtone_aggregator_flag_sentiment(agg, e, bucket, f);
                FUZZ_CHECK(fs >= -1 && fs <= 1);
            }
        }
    medtone_alerts *alerts = NULL;
    FUZZ_CHECK(medtone_aggregator_alerts(agg, &alerts) == MEDTONE_OK);
    for (size_t i = 0; i < medtone_alerts_count(alerts); i++) {
        FUZZ_CHECK(medtone_alert_entity(alerts, i) < NENTS);
        FUZZ_CHECK(medtone_alert_bucket(alerts, i) < nb);
        for (size_t k = 0; k < medtone_alert_post_count(alerts, i); k++)
            FUZZ_CHECK(medtone_alert_post_id(alerts, i, k) != NULL);
    }
    medtone_alerts_free(alerts);
}

static medtone_aggregator *new_aggregator(int with_posts)
{
    medtone_aggregator *agg = NULL;
    FUZZ_CHECK(medtone_aggregator_new(g_ents, &agg) == MEDTONE_OK);
    if (!with_posts) return agg;
    static const char *const posts[] = {"St Mary nurses were wonderful",
                                        "waited 6 hours at Riverside", "Dr Okafor listened",
                                        "sertraline gave me a rash"};
    for (size_t i = 0; i < NENTS; i++) {
        FUZZ_CHECK(medtone_analyze(g_an, posts[i], strlen(posts[i]), g_res) == MEDTONE_OK);
        FUZZ_CHECK(medtone_aggregator_add(agg, i, 1700000000 + 86400 * (int64_t)i, g_res,
                                          g_ids[i]) == MEDTONE_OK);
    }
    return agg;
}

static void load_into(int with_posts, const uint8_t *data, size_t size)
{
    static double before[SNAP_LEN], after[SNAP_LEN];
    medtone_aggregator *agg = new_aggregator(with_posts);
    snapshot(agg, before);
    medtone_status st = medtone_aggregator_load_data(agg, "fuzz", size ? data : NULL, size);
    const char *err = medtone_aggregator_last_error(agg);
    if (st != MEDTONE_OK) {
        FUZZ_CHECK(st == MEDTONE_ERR_GZIP || st == MEDTONE_ERR_PARSE ||
                   st == MEDTONE_ERR_NOT_FOUND || st == MEDTONE_ERR_INVALID_ARG ||
                   st == MEDTONE_ERR_TOO_LARGE);
        FUZZ_CHECK(err && *err);
        snapshot(agg, after);
        FUZZ_CHECK(same(before, after));
        medtone_aggregator_free(agg);
        return;
    }
    check_ranges(agg);
    if (!with_posts) {
        /* What loaded saves and loads back to the same numbers. */
        char path[64];
        snprintf(path, sizeof path, "/tmp/medtone-fuzz-state-%ld.gz", (long)getpid());
        FUZZ_CHECK(medtone_aggregator_save(agg, path) == MEDTONE_OK);
        medtone_aggregator *again = new_aggregator(0);
        FUZZ_CHECK(medtone_aggregator_load(again, path) == MEDTONE_OK);
        unlink(path);
        snapshot(agg, before);
        snapshot(again, after);
        FUZZ_CHECK(same(before, after));
        medtone_aggregator_free(again);
    }
    medtone_aggregator_free(agg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    load_into(0, data, size);
    load_into(1, data, size);
    return 0;
}
