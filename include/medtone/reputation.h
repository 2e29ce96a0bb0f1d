/*
 * medtone/reputation.h — rolling posts up per organization, site, doctor or drug: who is
 * mentioned (entities), how they fare bucket by bucket (the aggregator), when something needs a
 * person's attention (alerts), and keeping the sums between runs (state files).
 *
 * Included by medtone.h; it may also be included on its own. The contract at the top of
 * medtone.h holds here too: opaque handles, `*_free(NULL)` does nothing, status returns with
 * out-parameters last, a failed call leaves its objects as they were, nothing prints or aborts.
 *
 * A typical program:
 *
 *     medtone_entities *ents = medtone_entities_new();
 *     medtone_entities_load(ents, "entities.tsv");       // or medtone_entities_add + _add_alias
 *     medtone_aggregator *agg;
 *     medtone_aggregator_new(ents, &agg);
 *     medtone_aggregator_set_option(agg, MEDTONE_AGG_BUCKET_DAYS, 7);
 *     for each post:
 *         medtone_analyze(an, text, len, r);
 *         size_t hit[64], n;
 *         medtone_entities_match(ents, r, hit, 64, &n);
 *         for (size_t k = 0; k < n && k < 64; k++)
 *             medtone_aggregator_add(agg, hit[k], unix_seconds, r, post_id);
 *     medtone_aggregator_stat(agg, e, b, MEDTONE_STAT_MEAN);   // per entity and bucket
 *     medtone_aggregator_alerts(agg, &alerts);                  // spikes, surges, crises
 *
 * Every statistic is kept as integer sums and counts, so aggregators filled by different threads
 * or machines merge exactly (medtone_aggregator_merge), and a saved state loads back bit for bit.
 */
#ifndef MEDTONE_REPUTATION_H
#define MEDTONE_REPUTATION_H

#include <stddef.h>
#include <stdint.h>

#include "../medtone.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Entities: what posts are about
 *
 * A registry of entities (a hospital, a clinic, a doctor, a drug, a brand, a competitor), each
 * with a unique id, a display name, a kind and aliases: other names, @handles, #hashtags and
 * common misspellings. The display name is an alias too.
 *
 * Matching runs over the tokens of an analyzed text, so it sees exactly the normalized forms the
 * scorer sees: it ignores case and width, and squashes elongations. An alias matches whole tokens
 * only ("St Mary" matches "st. mary" and "ST MARY" but never "St Maryland"), and several words
 * match in sequence; a full stop between two words is skipped ("Dr. Okafor" = "Dr Okafor"), any
 * other punctuation ends a match (unless the alias holds it too). A word with a possessive "'s"
 * matches its alias ("Dr Okafor's office"). An @handle alias matches that @handle. A #hashtag or
 * an @handle also matches any alias written run together, without spaces, apostrophes, hyphens
 * or dots ("#StMary" and "@stmary" match the alias "St. Mary"), unless two entities share that
 * run-together form. At each position the longest alias wins, and matched tokens are not matched
 * again.
 *
 * Thread safety: building (add, add_alias, load) changes the registry: one thread, and not while
 * others read it. Once built, every other function only reads it: share it with any number of
 * threads, and with any number of aggregators.
 * ------------------------------------------------------------------------------------------- */

typedef struct medtone_entities medtone_entities;

/* What an entity is. Values are stable; new kinds are only ever appended. */
typedef enum medtone_entity_kind {
    MEDTONE_ENTITY_HOSPITAL = 0,
    MEDTONE_ENTITY_CLINIC = 1,
    MEDTONE_ENTITY_DOCTOR = 2,
    MEDTONE_ENTITY_DRUG = 3,
    MEDTONE_ENTITY_BRAND = 4,
    MEDTONE_ENTITY_COMPETITOR = 5,
    MEDTONE_ENTITY_OTHER = 6
} medtone_entity_kind;

/* The name of a kind in lower case ("hospital", "clinic", "doctor", "drug", "brand",
 * "competitor", "other"), or "unknown". Static storage. */
MEDTONE_API const char *medtone_entity_kind_name(medtone_entity_kind kind);
/* The kind with that name (as above, ASCII case ignored) in *kind; MEDTONE_ERR_NOT_FOUND for
 * another name. */
MEDTONE_API medtone_status medtone_entity_kind_find(const char *name, medtone_entity_kind *kind);

/* A new, empty registry, or NULL when out of memory. */
MEDTONE_API medtone_entities *medtone_entities_new(void);
MEDTONE_API void medtone_entities_free(medtone_entities *entities);

/* Limits: an id is 1..255 bytes without tabs, line breaks or NULs; a name or an alias is
 * 1..1023 bytes of text that holds at least one word and at most 16 tokens. */
#define MEDTONE_ENTITY_ID_MAX 255
#define MEDTONE_ALIAS_MAX     1023

/* Adds an entity; its index (0, 1, 2... in the order added) goes in *index when index is not
 * NULL. The name becomes its first alias. MEDTONE_ERR_INVALID_ARG for a NULL handle or string,
 * an id or name outside the limits, an unknown kind, an id already used, or a name that is
 * already another entity's alias; medtone_entities_last_error says which. MEDTONE_ERR_NOMEM.
 * The strings are copied. */
MEDTONE_API medtone_status medtone_entities_add(medtone_entities *entities, const char *id,
                                                const char *name, medtone_entity_kind kind,
                                                size_t *index);
/* Adds an alias to entity `index`: a name ("Harbor Valley ER"), an @handle ("@HarborValley"), a
 * #hashtag ("#HarborValley") or a misspelling ("Harbour Valley"). Adding an alias the entity
 * already has does nothing. MEDTONE_ERR_INVALID_ARG for an index out of range, an alias outside
 * the limits, or an alias that already names another entity (aliases must be unambiguous);
 * MEDTONE_ERR_NOMEM. The string is copied. */
MEDTONE_API medtone_status medtone_entities_add_alias(medtone_entities *entities, size_t index,
                                                      const char *alias);

/* Adds the entities of a file (plain or gzip, detected by content) in this format, UTF-8:
 *     # a comment; blank lines are ignored; an optional first line "id<TAB>name<TAB>kind..."
 *     id<TAB>name<TAB>kind[<TAB>alias|alias|...]
 * kind is a name of medtone_entity_kind_name. All or nothing: on any failure the registry is as
 * it was, and medtone_entities_last_error names the file and the line: "ents.tsv:7: unknown kind
 * 'hospitl'". MEDTONE_ERR_IO (cannot read), MEDTONE_ERR_GZIP, MEDTONE_ERR_PARSE (a malformed
 * line, a duplicate id, an ambiguous alias), MEDTONE_ERR_TOO_LARGE (over 64 MB),
 * MEDTONE_ERR_NOMEM. */
MEDTONE_API medtone_status medtone_entities_load(medtone_entities *entities, const char *path);
/* The same from memory; `name` (may be NULL) names the data in messages. */
MEDTONE_API medtone_status medtone_entities_load_data(medtone_entities *entities, const char *name,
                                                      const char *data, size_t len);
/* A description of the last failed add, add_alias or load, or "" when none failed. Owned by the
 * registry; valid until its next add, add_alias or load. */
MEDTONE_API const char *medtone_entities_last_error(const medtone_entities *entities);

/* The number of entities, and entity i's id, display name and kind (0 <= i < count). An index
 * out of range gives "" / MEDTONE_ENTITY_OTHER. Strings are owned by the registry and valid until
 * it is freed. */
MEDTONE_API size_t medtone_entities_count(const medtone_entities *entities);
MEDTONE_API const char *medtone_entity_id(const medtone_entities *entities, size_t i);
MEDTONE_API const char *medtone_entity_name(const medtone_entities *entities, size_t i);
MEDTONE_API medtone_entity_kind medtone_entity_kind_of(const medtone_entities *entities, size_t i);
/* Entity i's aliases as given (the display name first); k out of range gives "". */
MEDTONE_API size_t medtone_entity_alias_count(const medtone_entities *entities, size_t i);
MEDTONE_API const char *medtone_entity_alias(const medtone_entities *entities, size_t i, size_t k);
/* The index of the entity with this id in *index; MEDTONE_ERR_NOT_FOUND when there is none. */
MEDTONE_API medtone_status medtone_entities_find(const medtone_entities *entities, const char *id,
                                                 size_t *index);

/* The distinct entities mentioned in the text last analyzed into `result`, in order of first
 * mention: the first min(found, cap) indexes go to out[], their number (which may exceed cap) to
 * *found. Pass cap >= medtone_entities_count to get them all. Only reads the registry and the
 * result, allocates nothing. MEDTONE_ERR_INVALID_ARG for a NULL handle, result or found, or a
 * NULL out with cap > 0. */
MEDTONE_API medtone_status medtone_entities_match(const medtone_entities *entities,
                                                  const medtone_result *result, size_t *out,
                                                  size_t cap, size_t *found);
/* Every mention, one at a time, for highlighting: start with *cursor = 0 and call until it
 * returns MEDTONE_ERR_NOT_FOUND. Each MEDTONE_OK gives the entity and the byte span of the
 * mention in the analyzed text (from its first to its last matched token) and advances *cursor.
 * Only reads the registry and the result. */
MEDTONE_API medtone_status medtone_entities_next_mention(const medtone_entities *entities,
                                                         const medtone_result *result,
                                                         size_t *cursor, size_t *entity,
                                                         size_t *offset, size_t *length);

/* ---------------------------------------------------------------------------------------------
 * Aggregator: reputation bucket by bucket
 *
 * Posts are added per entity with a time (Unix seconds, UTC) and their analysis. The aggregator
 * keeps, per entity and per time bucket (a UTC day, or an ISO week starting Monday 00:00 UTC),
 * only sums and counts: the volume; the positive, neutral and negative counts (a compound of at
 * least 0.05 reads as positive, at most -0.05 as negative); the sum and the sum of squares of
 * the compound (as fixed-point integers, units of 1e-9); per flag, how many posts fired it and
 * the sum of their flag sentiment; and three short lists of post ids for alerts: the most
 * negative posts, the strongest crisis flags and the strongest misinformation flags. Statistics,
 * the decayed reputation and alerts are computed from those when asked, with the settings in
 * force at the time. Integer sums make merging exact: adding posts to two aggregators and
 * merging gives exactly what adding them all to one gives, in any order.
 *
 * Thread safety: add, merge, load, save and set_option change an aggregator (save only its last
 * error): one thread at a time.
 * The other functions only read it; any number of threads may call them at once while no thread
 * changes it. An aggregator borrows its registry: keep the registry alive and unchanged while
 * the aggregator is in use (adding entities between uses is allowed).
 * ------------------------------------------------------------------------------------------- */

typedef struct medtone_aggregator medtone_aggregator;

/* Settings of an aggregator. Values are stable; new options are only ever appended. */
typedef enum medtone_agg_option {
    /* 1 (a UTC day) or 7 (an ISO week; the default): the bucket length in days. Shapes the
     * stored sums, so it may only change while the aggregator is empty. */
    MEDTONE_AGG_BUCKET_DAYS = 1,
    /* 1..100, default 5: how many post ids each bucket keeps per list (most negative, crisis,
     * misinformation) to name the posts behind an alert. Only while the aggregator is empty. */
    MEDTONE_AGG_TOP_POSTS = 2,
    /* > 0 and <= 36500, default 30: the half-life of MEDTONE_STAT_REPUTATION in days. A bucket
     * weighs 2^(-age / half-life), its age taken from its middle. */
    MEDTONE_AGG_HALF_LIFE_DAYS = 3,
    /* -1..1, default 0: the prior mean m of the Bayesian average (a neutral prior). */
    MEDTONE_AGG_PRIOR_MEAN = 4,
    /* 0..1e9, default 10: the prior weight C of the Bayesian average, in posts. */
    MEDTONE_AGG_PRIOR_WEIGHT = 5,
    /* > 0 and <= 10, default 1.96 (95 %): z of the Wilson lower bound. */
    MEDTONE_AGG_WILSON_Z = 6,
    /* 3..520, default 8: how many earlier buckets make an entity's baseline for alerts. */
    MEDTONE_AGG_ALERT_WINDOW = 7,
    /* > 0 and <= 1000, default 3.5: the robust z-score at which a spike alert fires. */
    MEDTONE_AGG_ALERT_THRESHOLD = 8,
    /* 1..1e9, default 10: the fewest posts in a bucket for a volume or negativity alert. */
    MEDTONE_AGG_MIN_VOLUME = 9,
    /* 1..1e9, default 3: the fewest flagged posts in a bucket for a misinformation alert. */
    MEDTONE_AGG_MIN_FLAGGED = 10
} medtone_agg_option;

/* A new, empty aggregator with the default settings over `entities` (borrowed, see above) in
 * *out; NULL in *out on failure. MEDTONE_ERR_INVALID_ARG for NULL arguments, MEDTONE_ERR_NOMEM. */
MEDTONE_API medtone_status medtone_aggregator_new(const medtone_entities *entities,
                                                  medtone_aggregator **out);
MEDTONE_API void medtone_aggregator_free(medtone_aggregator *agg);

/* Changes one setting (integer settings take integral values). MEDTONE_ERR_INVALID_ARG for an
 * unknown option, a value out of its range, or a shape option once posts were added; the
 * aggregator is then unchanged. */
MEDTONE_API medtone_status medtone_aggregator_set_option(medtone_aggregator *agg,
                                                         medtone_agg_option option, double value);
/* The current value of a setting in *value; MEDTONE_ERR_INVALID_ARG for an unknown option. */
MEDTONE_API medtone_status medtone_aggregator_get_option(const medtone_aggregator *agg,
                                                         medtone_agg_option option, double *value);

/* Limits: a post id is at most 1023 bytes (longer ones are refused); times are within
 * +-1e12 seconds of 1970. */
#define MEDTONE_POST_ID_MAX 1023

/* Counts one analyzed post for entity `entity` at `unix_seconds`. `post_id` (NUL-terminated, may
 * be NULL) is kept only while the post ranks among the bucket's top posts, so alerts can name it;
 * a post without an id is counted but never named. Add a post once per entity it mentions (see
 * medtone_entities_match). MEDTONE_ERR_INVALID_ARG for a NULL handle or result, an entity index
 * not in the registry, a time or an id outside the limits; MEDTONE_ERR_TOO_LARGE when a bucket
 * would hold more than 4e9 posts; MEDTONE_ERR_NOMEM. The result is only read. */
MEDTONE_API medtone_status medtone_aggregator_add(medtone_aggregator *agg, size_t entity,
                                                  int64_t unix_seconds,
                                                  const medtone_result *result,
                                                  const char *post_id);

/* Adds everything `src` holds into `dst` (src is unchanged). Entities are matched by id, so the
 * two may use different registries. Exact: the result equals one aggregator fed every post of
 * both. An empty dst takes src's bucket and list lengths; otherwise they must be equal:
 * MEDTONE_ERR_INVALID_ARG when they differ (and src is not empty) or when dst == src;
 * MEDTONE_ERR_NOT_FOUND when src holds posts of an entity id that dst's registry lacks;
 * MEDTONE_ERR_TOO_LARGE when a bucket would exceed 4e9 posts; MEDTONE_ERR_NOMEM. All or nothing;
 * medtone_aggregator_last_error says why. */
MEDTONE_API medtone_status medtone_aggregator_merge(medtone_aggregator *dst,
                                                    const medtone_aggregator *src);

/* Whether no post was added yet (1) or some were (0). */
MEDTONE_API int medtone_aggregator_empty(const medtone_aggregator *agg);

/* Buckets are numbered 0..count-1 from the earliest bucket holding a post of any entity to the
 * latest, with empty buckets in between, so that every entity shares one time axis. The start of
 * bucket b in Unix seconds (UTC midnight; a Monday for weeks); 0 for b out of range. */
MEDTONE_API size_t medtone_aggregator_bucket_count(const medtone_aggregator *agg);
MEDTONE_API int64_t medtone_aggregator_bucket_start(const medtone_aggregator *agg, size_t bucket);

/* Pass as the bucket to ask about all buckets together. */
#define MEDTONE_ALL_BUCKETS ((size_t)-1)

/* What medtone_aggregator_stat computes for (entity, bucket). Values are stable; new statistics
 * are only ever appended. n is the volume, S the sum of compounds, pos/neu/neg the counts. */
typedef enum medtone_stat {
    MEDTONE_STAT_VOLUME = 0,   /* n, posts mentioning the entity */
    MEDTONE_STAT_POSITIVE = 1, /* pos */
    MEDTONE_STAT_NEUTRAL = 2,  /* neu */
    MEDTONE_STAT_NEGATIVE = 3, /* neg */
    MEDTONE_STAT_MEAN = 4,     /* S / n, the mean compound (0 when n = 0) */
    MEDTONE_STAT_STDDEV = 5,   /* the compound's standard deviation over the n posts */
    MEDTONE_STAT_NET = 6,      /* (pos - neg) / n, net sentiment in [-1, 1] (0 when n = 0) */
    MEDTONE_STAT_BAYES = 7,    /* (C m + S) / (C + n): the mean pulled towards the prior */
    /* Wilson lower bound of the positive share p = pos / n at z:
     * (p + z^2/2n - z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n); 0 when n = 0. */
    MEDTONE_STAT_WILSON = 8,
    MEDTONE_STAT_SHARE_OF_VOICE = 9,  /* n over the n of all entities in the bucket */
    MEDTONE_STAT_SHARE_POSITIVE = 10, /* pos over the pos of all entities in the bucket */
    MEDTONE_STAT_SHARE_NEGATIVE = 11, /* neg over the neg of all entities in the bucket */
    /* The decayed reputation at the end of the bucket (for MEDTONE_ALL_BUCKETS: of the last
     * bucket): the Bayesian average over this and every earlier bucket k, each weighed by
     * w_k = 2^(-age_k / half-life): (C m + sum w_k S_k) / (C + sum w_k n_k). */
    MEDTONE_STAT_REPUTATION = 12
} medtone_stat;

/* A statistic of one entity in one bucket (or MEDTONE_ALL_BUCKETS). An unknown statistic, entity
 * or bucket gives 0. Read-only. */
MEDTONE_API double medtone_aggregator_stat(const medtone_aggregator *agg, size_t entity,
                                           size_t bucket, medtone_stat stat);
/* How many of the entity's posts in the bucket fired `flag` (see medtone_flag_name: negative,
 * misinfo, privacy, crisis, ade, aspect.*), and the mean flag sentiment of those posts (for an
 * aspect: what the posts said about it, in [-1, 1]). 0 out of range. Read-only. */
MEDTONE_API double medtone_aggregator_flag_count(const medtone_aggregator *agg, size_t entity,
                                                 size_t bucket, size_t flag);
MEDTONE_API double medtone_aggregator_flag_sentiment(const medtone_aggregator *agg, size_t entity,
                                                     size_t bucket, size_t flag);

/* Saves the sums to a file: a zlib-compressed (gzip) stream of a versioned binary format that
 * names entities by id. It is written to a temporary file renamed into place, so a failed save
 * leaves any earlier file as it was. MEDTONE_ERR_IO when the file cannot be written,
 * MEDTONE_ERR_NOMEM. Only the aggregator's last error changes, but that makes save a change:
 * one thread at a time. */
MEDTONE_API medtone_status medtone_aggregator_save(medtone_aggregator *agg, const char *path);
/* Adds the sums of a saved file to the aggregator, as medtone_aggregator_merge would (into an
 * empty aggregator that is a plain load, and it takes the file's bucket and list lengths). The
 * file is checked entirely before anything changes: MEDTONE_ERR_IO (cannot read),
 * MEDTONE_ERR_GZIP (corrupt or truncated compression), MEDTONE_ERR_PARSE (not a state file, an
 * unknown version, inconsistent or truncated content), MEDTONE_ERR_NOT_FOUND (an entity id the
 * registry lacks), MEDTONE_ERR_INVALID_ARG (other bucket or list lengths than a non-empty
 * aggregator's), MEDTONE_ERR_NOMEM; medtone_aggregator_last_error says more. */
MEDTONE_API medtone_status medtone_aggregator_load(medtone_aggregator *agg, const char *path);
/* The same from memory; `name` (may be NULL) names the data in messages. */
MEDTONE_API medtone_status medtone_aggregator_load_data(medtone_aggregator *agg, const char *name,
                                                        const void *data, size_t len);
/* A description of the last failed merge, save or load, or "" when none failed. Owned by the
 * aggregator; valid until its next merge, save or load. */
MEDTONE_API const char *medtone_aggregator_last_error(const medtone_aggregator *agg);

/* ---------------------------------------------------------------------------------------------
 * Alerts: what needs a person this week
 *
 * Computed from an aggregator when asked, with its settings at that time, for every entity and
 * bucket that has a baseline:
 *   volume      the bucket's volume against the entity's previous W buckets (W the alert window):
 *               robust z = 0.6745 (x - median) / MAD, fired at the threshold with at least the
 *               minimum volume. MAD is kept at least 0.6745 sqrt(max(median, 1)) (a Poisson
 *               spread), so a perfectly steady series does not turn every wobble into a storm.
 *   negativity  the same on the share of negative posts over the previous buckets that had
 *               posts; MAD at least 0.6745 sqrt(p(1 - p) / n) with p the median share kept
 *               within [0.05, 0.95] (a binomial spread).
 *   misinfo     the same on the count of posts that fired the misinfo flag, with at least the
 *               minimum number of flagged posts.
 *   crisis      any post that fired the crisis flag, in any bucket (no baseline needed).
 * A baseline needs at least 3 earlier buckets (counting from the entity's first post). The
 * MAD floors make the thresholds conservative for entities with few posts per bucket: a share
 * that swings widely between small buckets needs a larger jump to count as a spike. Each
 * alert names the posts behind it: the most negative posts of the bucket for volume and
 * negativity, the strongest flags for misinfo and crisis.
 *
 * Thread safety: a list is independent of its aggregator once made (it holds copies), read-only:
 * share it freely.
 * ------------------------------------------------------------------------------------------- */

typedef struct medtone_alerts medtone_alerts;

/* Values are stable; new kinds are only ever appended. */
typedef enum medtone_alert_kind {
    MEDTONE_ALERT_VOLUME = 0,
    MEDTONE_ALERT_NEGATIVITY = 1,
    MEDTONE_ALERT_MISINFO = 2,
    MEDTONE_ALERT_CRISIS = 3
} medtone_alert_kind;

/* "volume", "negativity", "misinfo", "crisis", or "unknown". Static storage. */
MEDTONE_API const char *medtone_alert_kind_name(medtone_alert_kind kind);

/* Computes the alerts into a new list in *out (NULL on failure), ordered by bucket, then entity,
 * then kind. Read-only on the aggregator. MEDTONE_ERR_INVALID_ARG, MEDTONE_ERR_NOMEM. */
MEDTONE_API medtone_status medtone_aggregator_alerts(const medtone_aggregator *agg,
                                                     medtone_alerts **out);
MEDTONE_API void medtone_alerts_free(medtone_alerts *alerts);

/* Accessors for alert i (0 <= i < count); out of range gives 0 / "". */
MEDTONE_API size_t medtone_alerts_count(const medtone_alerts *alerts);
MEDTONE_API medtone_alert_kind medtone_alert_kind_of(const medtone_alerts *alerts, size_t i);
/* The entity index and the bucket (as numbered by the aggregator, and its start time). */
MEDTONE_API size_t medtone_alert_entity(const medtone_alerts *alerts, size_t i);
MEDTONE_API size_t medtone_alert_bucket(const medtone_alerts *alerts, size_t i);
MEDTONE_API int64_t medtone_alert_bucket_start(const medtone_alerts *alerts, size_t i);
/* The robust z-score (for crisis: the number of crisis posts), the bucket's value (volume,
 * negative share, misinfo count, crisis count) and the baseline's median (0 for crisis). */
MEDTONE_API double medtone_alert_score(const medtone_alerts *alerts, size_t i);
MEDTONE_API double medtone_alert_value(const medtone_alerts *alerts, size_t i);
MEDTONE_API double medtone_alert_baseline(const medtone_alerts *alerts, size_t i);
/* The ids of the posts behind alert i, strongest first. Owned by the list. */
MEDTONE_API size_t medtone_alert_post_count(const medtone_alerts *alerts, size_t i);
MEDTONE_API const char *medtone_alert_post_id(const medtone_alerts *alerts, size_t i, size_t k);

#ifdef __cplusplus
}
#endif

#endif /* MEDTONE_REPUTATION_H */
