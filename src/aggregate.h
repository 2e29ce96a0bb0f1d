/* aggregate.h — the aggregator's sums: per entity, a sorted run of cells (one per bucket that
 * holds posts), each holding integer sums and counts and three short ranked lists of post ids.
 * aggregate.c adds, merges and reads them; aggregate_io.c saves and loads them; alerts.c scans
 * them for spikes. */
#ifndef MT_AGGREGATE_H
#define MT_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>

#include "medtone.h"
#include "flags.h"

/* Sums of compounds and flag sentiments are fixed-point integers in units of 1e-9: integer
 * addition is associative, so merges and reloads reproduce a single pass bit for bit. */
#define MT_FIX     1000000000.0
#define MT_FIX_ONE 1000000000LL
/* A cell's volume may not exceed this, so that no sum can overflow int64. */
#define MT_CELL_MAX_POSTS 4000000000ULL
/* Times are limited to +-1e12 s (some 31,000 years), which keeps day numbers small. */
#define MT_TIME_LIMIT 1000000000000LL
#define MT_TOP_MAX    100

enum { MT_TOP_NEGATIVE = 0, MT_TOP_CRISIS, MT_TOP_MISINFO, MT_TOP_LISTS };

/* A post remembered so that an alert can name it. Lists are ordered by key (higher first), then
 * time (later first), then id (bytewise): a total order, so top-K lists merge exactly. */
typedef struct mt_post {
    int64_t key;  /* the rank: -compound, or the flag's score, fixed-point */
    int64_t time; /* Unix seconds */
    char *id;     /* owned, NUL-terminated */
    uint32_t id_len;
} mt_post;

typedef struct mt_cell {
    int64_t bucket; /* bucket number: days (or ISO weeks) since the epoch, see mt_bucket_of */
    uint64_t n, pos, neu, neg;
    int64_t sum, sumsq; /* fixed-point: sum of compound and of compound^2 */
    uint64_t flag_n[MT_FLAG_COUNT];
    int64_t flag_sum[MT_FLAG_COUNT]; /* fixed-point sum of the flag sentiment of those posts */
    mt_post *top[MT_TOP_LISTS];      /* NULL until needed, then room for top_k posts */
    uint32_t ntop[MT_TOP_LISTS];
} mt_cell;

typedef struct mt_series {
    mt_cell *cells; /* sorted by bucket, no duplicates */
    size_t n, cap;
} mt_series;

struct medtone_aggregator {
    const medtone_entities *ents;
    mt_series *series; /* indexed by entity */
    size_t nseries;
    int bucket_days; /* 1 or 7 */
    int top_k;
    double half_life, prior_mean, prior_weight, wilson_z, threshold;
    double window, min_volume, min_flagged;
    int64_t first, last; /* bucket numbers spanned by all cells; valid when ncells > 0 */
    size_t ncells;
    char error[512];
};

/* The bucket number of a time, and the start (Unix seconds) of a bucket number. Weeks start on
 * Monday 00:00 UTC: 1970-01-01 was a Thursday, so day d lies in week floor((d + 3) / 7). */
int64_t mt_bucket_of(int bucket_days, int64_t unix_seconds);
int64_t mt_bucket_start(int bucket_days, int64_t bucket);

/* The cell of an entity for a bucket number, or NULL. */
const mt_cell *mt_cell_find(const medtone_aggregator *agg, size_t entity, int64_t bucket);

/* Orders two posts as the lists do: < 0 when a ranks before b. */
int mt_post_cmp(const mt_post *a, const mt_post *b);

/* A new empty aggregator with the same registry and settings as `like`. */
medtone_aggregator *mt_aggregator_like(const medtone_aggregator *like);

/* Inserts a fully built cell into an entity's series (used by the loader, which builds cells
 * itself): takes ownership of the cell's lists on success. The bucket must be new to the
 * series. Returns 0, or -1 when out of memory (the cell stays the caller's). */
int mt_series_insert(medtone_aggregator *agg, size_t entity, const mt_cell *cell);

/* Frees a cell's lists. */
void mt_cell_free(mt_cell *c);

#endif
