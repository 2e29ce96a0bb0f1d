/* test_reputation.c — entities, aggregation, alerts and state files.
 *
 * Matching is a table of (text, entities expected) with a reason per row. The arithmetic is
 * checked against numbers worked out by hand from the formulas in DOMAIN.md (each written out in
 * a comment next to its check). Merging is checked as a property: any split of a seeded random
 * stream, merged back, equals one pass, bit for bit. State files round-trip exactly, and every
 * truncation or corruption of one fails cleanly. Alerts fire on a synthetic storm and stay quiet
 * on steady noise. Finally, failing the Nth allocation anywhere while building leaves every
 * object as it was. Results are filled in by hand (the test sees result.h) so the sums do not
 * depend on the lexicons. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "medtone.h"
#include "aggregate.h"
#include "result.h"

#include "gzip_test_util.h"

#define WEEK0 1772409600LL /* Monday 2026-03-02 00:00 UTC */
#define DAY   86400LL
#define WEEK  (7 * DAY)

static medtone_analyzer *an; /* no lexicons: only tokens matter for matching */
static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    medtone_options *opt = medtone_options_new();
    if (!opt) return -1;
    medtone_options_set_int(opt, MEDTONE_OPT_EMBEDDED_LEXICONS, 0);
    medtone_status st = medtone_analyzer_new(opt, &an);
    medtone_options_free(opt);
    if (st != MEDTONE_OK) return -1;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/medtone-rep-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    medtone_analyzer_free(an);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void tmp_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", tmpdir, name);
}

/* A result with a given compound and flags, as if an analysis had produced it. */
static void fake(medtone_result *r, double compound)
{
    mt_result_reset(r);
    r->compound = compound;
}

static void fake_flag(medtone_result *r, size_t flag, double score, double sentiment)
{
    r->flags.fired[flag] = 1;
    r->flags.score[flag] = score;
    r->flags.sentiment[flag] = sentiment;
}

/* ----- entities ------------------------------------------------------------------------- */

static const char registry_tsv[] =
    "# a test registry\r\n"
    "id\tname\tkind\taliases\r\n"
    "st-mary\tSt Mary\thospital\t@StMaryHealth | #StMarys\r\n"
    "\r\n"
    "hv\tHarbor Valley Medical Center\thospital\tHarbor Valley|HVMC|@HarborValleyMC|Harbour "
    "Valley\n"
    "hv-pharmacy\tHarbor Valley Pharmacy\tother\n"
    "okafor\tDr. Amara Okafor\tDoctor\tDr Okafor|Okafor|Dr. Okafur\n"
    "zerevia\tZerevia\tdrug\t\n";

static medtone_entities *registry(void)
{
    medtone_entities *e = medtone_entities_new();
    assert_non_null(e);
    assert_int_equal(medtone_entities_load_data(e, "reg.tsv", registry_tsv, strlen(registry_tsv)),
                     MEDTONE_OK);
    return e;
}

static void test_kinds(void **state)
{
    (void)state;
    const char *names[] = {"hospital", "clinic", "doctor", "drug", "brand", "competitor", "other"};
    for (int k = 0; k < 7; k++) {
        assert_string_equal(medtone_entity_kind_name((medtone_entity_kind)k), names[k]);
        medtone_entity_kind got;
        assert_int_equal(medtone_entity_kind_find(names[k], &got), MEDTONE_OK);
        assert_int_equal(got, k);
    }
    medtone_entity_kind got;
    assert_int_equal(medtone_entity_kind_find("CLINIC", &got), MEDTONE_OK);
    assert_int_equal(got, MEDTONE_ENTITY_CLINIC);
    assert_int_equal(medtone_entity_kind_find("hospitl", &got), MEDTONE_ERR_NOT_FOUND);
    assert_string_equal(medtone_entity_kind_name((medtone_entity_kind)99), "unknown");
}

static void test_registry(void **state)
{
    (void)state;
    medtone_entities *e = registry();
    assert_int_equal(medtone_entities_count(e), 5);
    assert_string_equal(medtone_entity_id(e, 0), "st-mary");
    assert_string_equal(medtone_entity_name(e, 1), "Harbor Valley Medical Center");
    assert_int_equal(medtone_entity_kind_of(e, 3), MEDTONE_ENTITY_DOCTOR);
    assert_int_equal(medtone_entity_kind_of(e, 4), MEDTONE_ENTITY_DRUG);
    /* the name first, then the aliases as given (trimmed) */
    assert_int_equal(medtone_entity_alias_count(e, 0), 3);
    assert_string_equal(medtone_entity_alias(e, 0, 0), "St Mary");
    assert_string_equal(medtone_entity_alias(e, 0, 1), "@StMaryHealth");
    assert_string_equal(medtone_entity_alias(e, 0, 2), "#StMarys");
    assert_int_equal(medtone_entity_alias_count(e, 4), 1);
    size_t i;
    assert_int_equal(medtone_entities_find(e, "okafor", &i), MEDTONE_OK);
    assert_int_equal(i, 3);
    assert_int_equal(medtone_entities_find(e, "nobody", &i), MEDTONE_ERR_NOT_FOUND);
    /* out of range */
    assert_string_equal(medtone_entity_id(e, 5), "");
    assert_string_equal(medtone_entity_alias(e, 0, 3), "");
    assert_int_equal(medtone_entity_kind_of(e, 9), MEDTONE_ENTITY_OTHER);
    medtone_entities_free(e);
    medtone_entities_free(NULL);
}

/* Matches text and returns the ids found, space-separated, in order of first mention. */
static const char *match_ids(const medtone_entities *e, medtone_result *r, const char *text)
{
    static char buf[256];
    assert_int_equal(medtone_analyze(an, text, strlen(text), r), MEDTONE_OK);
    size_t out[8], found;
    assert_int_equal(medtone_entities_match(e, r, out, 8, &found), MEDTONE_OK);
    buf[0] = '\0';
    for (size_t k = 0; k < found && k < 8; k++) {
        if (k) strcat(buf, " ");
        strcat(buf, medtone_entity_id(e, out[k]));
    }
    return buf;
}

static void test_matching(void **state)
{
    (void)state;
    static const struct {
        const char *text, *ids, *why;
    } rows[] = {
        {"St Mary was great", "st-mary", "the display name"},
        {"ST. MARY rocks", "st-mary", "case ignored, the full stop skipped"},
        {"st mary", "st-mary", "lower case"},
        {"moved to St Maryland last year", "", "whole words only: Maryland is not Mary"},
        {"Saint Mary", "", "no such alias"},
        {"St Mary's ER was packed", "st-mary", "a possessive matches its alias"},
        {"#StMary is trending", "st-mary", "a hashtag matches the name run together"},
        {"#StMarys again", "st-mary", "a hashtag alias"},
        {"#stmaryland", "", "a hashtag matches whole names only"},
        {"@StMaryHealth thanks!", "st-mary", "an @handle alias"},
        {"StMaryHealth", "", "a handle alias needs the @"},
        {"Dr. Okafor and Dr Okafur", "okafor", "a title with and without a dot, a misspelling"},
        {"Okafor's bedside manner", "okafor", "a possessive surname"},
        {"Harbor Valley Medical Center", "hv", "the longest alias wins"},
        {"the Harbor Valley Pharmacy lost my script", "hv-pharmacy",
         "a longer name of another entity wins over its prefix"},
        {"Harbor Valley ER and the harbor valley pharmacy", "hv hv-pharmacy", "both, in order"},
        {"harbour valley and zerevia", "hv zerevia", "a misspelling, then a drug"},
        {"Zerevia, St Mary, zerevia", "zerevia st-mary", "distinct, in order of first mention"},
        {"HVMC!!!", "hv", "an acronym before punctuation"},
        {"Harbor, Valley", "", "a comma breaks a name"},
        {"Harbor. Valley", "hv", "a full stop does not (abbreviations)"},
        {"#HarborValleyMedicalCenter", "hv", "a long name as a hashtag"},
        {"@harborvalleymc", "hv", "a handle in lower case"},
        {"@HarborValley", "hv", "a handle that is a name run together"},
        {"ZEREVIAAAA", "", "elongation is squashed to two letters, not erased"},
        {"", "", "an empty text"},
        {"zerevia10mg", "", "no match inside a token"},
    };
    medtone_entities *e = registry();
    medtone_result *r = medtone_result_new();
    assert_non_null(r);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *got = match_ids(e, r, rows[i].text);
        if (strcmp(got, rows[i].ids) != 0)
            fail_msg("\"%s\": got [%s], want [%s] (%s)", rows[i].text, got, rows[i].ids,
                     rows[i].why);
    }
    /* found counts past cap; out holds the first cap */
    const char *text = "Zerevia at St Mary from Dr Okafor, then St Mary again";
    assert_int_equal(medtone_analyze(an, text, strlen(text), r), MEDTONE_OK);
    size_t out[1] = {99}, found = 0;
    assert_int_equal(medtone_entities_match(e, r, out, 1, &found), MEDTONE_OK);
    assert_int_equal(found, 3);
    assert_string_equal(medtone_entity_id(e, out[0]), "zerevia");
    assert_int_equal(medtone_entities_match(e, r, NULL, 0, &found), MEDTONE_OK);
    assert_int_equal(found, 3);
    assert_int_equal(medtone_entities_match(e, r, NULL, 1, &found), MEDTONE_ERR_INVALID_ARG);
    /* spans for highlighting */
    text = "I saw Dr. Okafor's team at #StMary.";
    assert_int_equal(medtone_analyze(an, text, strlen(text), r), MEDTONE_OK);
    size_t cur = 0, ent, off, len;
    assert_int_equal(medtone_entities_next_mention(e, r, &cur, &ent, &off, &len), MEDTONE_OK);
    assert_string_equal(medtone_entity_id(e, ent), "okafor");
    assert_int_equal(off, 6);
    assert_int_equal(len, strlen("Dr. Okafor's"));
    assert_int_equal(medtone_entities_next_mention(e, r, &cur, &ent, &off, &len), MEDTONE_OK);
    assert_string_equal(medtone_entity_id(e, ent), "st-mary");
    assert_int_equal(off, strlen("I saw Dr. Okafor's team at "));
    assert_int_equal(len, strlen("#StMary"));
    assert_int_equal(medtone_entities_next_mention(e, r, &cur, &ent, &off, &len),
                     MEDTONE_ERR_NOT_FOUND);
    medtone_result_free(r);
    medtone_entities_free(e);
}

static void test_registry_errors(void **state)
{
    (void)state;
    medtone_entities *e = registry();
    size_t i;
    assert_int_equal(medtone_entities_add(e, "st-mary", "Other", MEDTONE_ENTITY_CLINIC, &i),
                     MEDTONE_ERR_INVALID_ARG);
    assert_non_null(strstr(medtone_entities_last_error(e), "st-mary"));
    assert_int_equal(medtone_entities_add(e, "new", "HVMC", MEDTONE_ENTITY_CLINIC, &i),
                     MEDTONE_ERR_INVALID_ARG); /* an alias of hv: ambiguous */
    assert_non_null(strstr(medtone_entities_last_error(e), "'hv'"));
    assert_int_equal(medtone_entities_add(e, "", "Empty", MEDTONE_ENTITY_CLINIC, &i),
                     MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_entities_add(e, "a\tb", "Tab", MEDTONE_ENTITY_CLINIC, &i),
                     MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_entities_add(e, "dots", "...", MEDTONE_ENTITY_CLINIC, &i),
                     MEDTONE_ERR_INVALID_ARG); /* no word */
    assert_int_equal(medtone_entities_add(e, "k", "Kind", (medtone_entity_kind)7, &i),
                     MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_entities_add(NULL, "k", "Kind", MEDTONE_ENTITY_CLINIC, &i),
                     MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_entities_count(e), 5);
    assert_int_equal(medtone_entities_add_alias(e, 0, "Okafor"), MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_entities_add_alias(e, 5, "Nobody"), MEDTONE_ERR_INVALID_ARG);
    /* the same alias again, in other case: nothing to do */
    assert_int_equal(medtone_entities_add_alias(e, 0, "ST MARY"), MEDTONE_OK);
    assert_int_equal(medtone_entity_alias_count(e, 0), 3);
    assert_string_equal(medtone_entities_last_error(e), "");
    char longname[2000];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(medtone_entities_add_alias(e, 0, longname), MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_entities_add_alias(e, 0, "a b c d e f g h i j k l m n o p q"),
                     MEDTONE_ERR_INVALID_ARG); /* 17 words */
    assert_int_equal(medtone_entities_add(e, "new", "New Clinic", MEDTONE_ENTITY_CLINIC, &i),
                     MEDTONE_OK);
    assert_int_equal(i, 5);
    medtone_entities_free(e);
}

static void test_load_errors(void **state)
{
    (void)state;
    static const struct {
        const char *data, *message;
        medtone_status status;
    } rows[] = {
        {"a\tA\thospital\nb\tB\thospitl\n", "f.tsv:2: unknown kind 'hospitl'", MEDTONE_ERR_PARSE},
        {"a\tA\n", "f.tsv:1: expected id<TAB>name<TAB>kind", MEDTONE_ERR_PARSE},
        {"# c\na\tA\tclinic\na\tB\tclinic\n", "f.tsv:3: id 'a' is already used", MEDTONE_ERR_PARSE},
        {"a\tA\tclinic\tSt Mary\n", "f.tsv:1: alias 'St Mary' already names entity 'st-mary'",
         MEDTONE_ERR_PARSE},
        {"a\tA\tclinic\tB\nb\tBee\tclinic\tb\n", "f.tsv:2: alias 'b' already names entity 'a'",
         MEDTONE_ERR_PARSE},
        {"a\t\xff\tclinic\n", "f.tsv:1: invalid UTF-8", MEDTONE_ERR_PARSE},
        {"a\t!!!\tclinic\n", "f.tsv:1: alias '!!!' has no word", MEDTONE_ERR_PARSE},
    };
    medtone_entities *e = registry();
    medtone_result *r = medtone_result_new();
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        medtone_status st =
            medtone_entities_load_data(e, "f.tsv", rows[i].data, strlen(rows[i].data));
        if (st != rows[i].status || !strstr(medtone_entities_last_error(e), rows[i].message))
            fail_msg("row %zu: status %d, message '%s', want '%s'", i, st,
                     medtone_entities_last_error(e), rows[i].message);
        /* all or nothing: the registry is as it was, and still matches */
        assert_int_equal(medtone_entities_count(e), 5);
        assert_string_equal(match_ids(e, r, "St Mary and HVMC and a"), "st-mary hv");
    }
    assert_int_equal(medtone_entities_load(e, "/nonexistent/x.tsv"), MEDTONE_ERR_IO);
    assert_non_null(strstr(medtone_entities_last_error(e), "/nonexistent/x.tsv"));

    /* gzip: loads like plain; a truncated stream is a gzip error */
    const char *more = "n1\tNorthgate Clinic\tclinic\tNorthgate|#Northgate\n";
    size_t gzlen;
    unsigned char *gz = gzip_of(more, strlen(more), &gzlen);
    assert_int_equal(medtone_entities_load_data(e, "g.gz", (char *)gz, gzlen - 5),
                     MEDTONE_ERR_GZIP);
    assert_int_equal(medtone_entities_count(e), 5);
    assert_int_equal(medtone_entities_load_data(e, "g.gz", (char *)gz, gzlen), MEDTONE_OK);
    assert_int_equal(medtone_entities_count(e), 6);
    assert_string_equal(match_ids(e, r, "#northgate"), "n1");
    free(gz);
    medtone_result_free(r);
    medtone_entities_free(e);
}

/* ----- arithmetic ----------------------------------------------------------------------- */

static int near(double got, double want)
{
    return fabs(got - want) < 1e-6;
}

#define assert_near(got, want)                                                                     \
    do {                                                                                           \
        double g_ = (got), w_ = (want);                                                            \
        if (!near(g_, w_)) fail_msg("%s = %.9f, want %.9f", #got, g_, w_);                         \
    } while (0)

static void test_hand_computed(void **state)
{
    (void)state;
    medtone_entities *e = medtone_entities_new();
    size_t A, B;
    assert_int_equal(medtone_entities_add(e, "a", "Alpha Clinic", MEDTONE_ENTITY_CLINIC, &A),
                     MEDTONE_OK);
    assert_int_equal(medtone_entities_add(e, "b", "Beta Clinic", MEDTONE_ENTITY_COMPETITOR, &B),
                     MEDTONE_OK);
    medtone_aggregator *g;
    assert_int_equal(medtone_aggregator_new(e, &g), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_set_option(g, MEDTONE_AGG_PRIOR_MEAN, 0.2), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_set_option(g, MEDTONE_AGG_PRIOR_WEIGHT, 5), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_set_option(g, MEDTONE_AGG_HALF_LIFE_DAYS, 7), MEDTONE_OK);
    assert_true(medtone_aggregator_empty(g));
    medtone_result *r = medtone_result_new();

    /* Week 0 (from Monday 2026-03-02), entity A: compounds 0.8, 0.6, 0.0, -0.2, -0.7 on
     * different days (Sunday 23:59:59 still belongs to the week). The last two fired
     * aspect.billing with sentiment -0.2 and -0.6. */
    const double c0[] = {0.8, 0.6, 0.0, -0.2, -0.7};
    const int64_t t0[] = {WEEK0, WEEK0 + DAY, WEEK0 + 3 * DAY, WEEK0 + 5 * DAY, WEEK0 + WEEK - 1};
    for (int i = 0; i < 5; i++) {
        fake(r, c0[i]);
        if (i == 3) fake_flag(r, MEDTONE_FLAG_ADE + 2, 0.8, -0.2); /* aspect.billing */
        if (i == 4) fake_flag(r, MEDTONE_FLAG_ADE + 2, 0.9, -0.6);
        char id[32];
        snprintf(id, sizeof id, "a%d", i);
        assert_int_equal(medtone_aggregator_add(g, A, t0[i], r, id), MEDTONE_OK);
    }
    /* Week 0, entity B: three posts of 0.5. */
    for (int i = 0; i < 3; i++) {
        fake(r, 0.5);
        assert_int_equal(medtone_aggregator_add(g, B, WEEK0 + 2 * DAY, r, NULL), MEDTONE_OK);
    }
    /* Week 2, entity A: two posts of 0.9. */
    fake(r, 0.9);
    assert_int_equal(medtone_aggregator_add(g, A, WEEK0 + 2 * WEEK, r, "a5"), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_add(g, A, WEEK0 + 2 * WEEK + 3600, r, "a6"), MEDTONE_OK);
    assert_false(medtone_aggregator_empty(g));

    /* Three weekly buckets, the middle one empty; each starts on a Monday. */
    assert_int_equal(medtone_aggregator_bucket_count(g), 3);
    assert_int_equal(medtone_aggregator_bucket_start(g, 0), WEEK0);
    assert_int_equal(medtone_aggregator_bucket_start(g, 2), WEEK0 + 2 * WEEK);
    assert_int_equal(medtone_aggregator_bucket_start(g, 3), 0);

    /* A in week 0: n = 5, pos = 2 (0.8, 0.6), neu = 1, neg = 2 (-0.2, -0.7).
     * S = 0.8 + 0.6 + 0 - 0.2 - 0.7 = 0.5, mean = 0.1.
     * sum of squares = 0.64 + 0.36 + 0 + 0.04 + 0.49 = 1.53; variance = 1.53/5 - 0.1^2 = 0.296;
     * stddev = sqrt(0.296) = 0.544058820.
     * net = (2 - 2) / 5 = 0.
     * Bayes, m = 0.2, C = 5: (5 * 0.2 + 0.5) / (5 + 5) = 0.15.
     * Wilson, p = 0.4, n = 5, z = 1.96, z^2 = 3.8416:
     *   (0.4 + 3.8416/10 - 1.96 sqrt(0.24/5 + 3.8416/100)) / (1 + 3.8416/5)
     *   = (0.78416 - 1.96 * 0.293966) / 1.76832 = 0.117618231. */
    assert_near(medtone_aggregator_stat(g, A, 0, MEDTONE_STAT_VOLUME), 5);
    assert_near(medtone_aggregator_stat(g, A, 0, MEDTONE_STAT_POSITIVE), 2);
    assert_near(medtone_aggregator_stat(g, A, 0, MEDTONE_STAT_NEUTRAL), 1);
    assert_near(medtone_aggregator_stat(g, A, 0, MEDTONE_STAT_NEGATIVE), 2);
    assert_near(medtone_aggregator_stat(g, A, 0, MEDTONE_STAT_MEAN), 0.1);
    assert_near(medtone_aggregator_stat(g, A, 0, MEDTONE_STAT_STDDEV), 0.544058820);
    assert_near(medtone_aggregator_stat(g, A, 0, MEDTONE_STAT_NET), 0);
    assert_near(medtone_aggregator_stat(g, A, 0, MEDTONE_STAT_BAYES), 0.15);
    assert_near(medtone_aggregator_stat(g, A, 0, MEDTONE_STAT_WILSON), 0.117618231);
    /* Share of voice in week 0: A has 5 of 8 posts = 0.625; 2 of the 5 positive posts
     * (B's three are positive) = 0.4; both negative posts = 1. */
    assert_near(medtone_aggregator_stat(g, A, 0, MEDTONE_STAT_SHARE_OF_VOICE), 0.625);
    assert_near(medtone_aggregator_stat(g, A, 0, MEDTONE_STAT_SHARE_POSITIVE), 0.4);
    assert_near(medtone_aggregator_stat(g, A, 0, MEDTONE_STAT_SHARE_NEGATIVE), 1);
    assert_near(medtone_aggregator_stat(g, B, 0, MEDTONE_STAT_SHARE_OF_VOICE), 0.375);
    /* aspect.billing: 2 posts, mean sentiment (-0.2 - 0.6) / 2 = -0.4. */
    assert_near(medtone_aggregator_flag_count(g, A, 0, MEDTONE_FLAG_ADE + 2), 2);
    assert_near(medtone_aggregator_flag_sentiment(g, A, 0, MEDTONE_FLAG_ADE + 2), -0.4);
    assert_near(medtone_aggregator_flag_count(g, A, 0, MEDTONE_FLAG_CRISIS), 0);

    /* The empty week: volume 0, mean 0, Bayes = the prior 0.2, Wilson 0, share 0. */
    assert_near(medtone_aggregator_stat(g, A, 1, MEDTONE_STAT_VOLUME), 0);
    assert_near(medtone_aggregator_stat(g, A, 1, MEDTONE_STAT_MEAN), 0);
    assert_near(medtone_aggregator_stat(g, A, 1, MEDTONE_STAT_BAYES), 0.2);
    assert_near(medtone_aggregator_stat(g, A, 1, MEDTONE_STAT_WILSON), 0);
    assert_near(medtone_aggregator_stat(g, A, 1, MEDTONE_STAT_SHARE_OF_VOICE), 0);

    /* Decayed reputation, half-life 7 days, m = 0.2, C = 5; a bucket's age runs from its middle
     * (3.5 days in) to the end of the bucket asked about.
     * End of week 1: week 0 is 7 + 3.5 = 10.5 days old, w = 2^-1.5 = 0.353553:
     *   (1 + 0.353553 * 0.5) / (5 + 0.353553 * 5) = 0.173879613.
     * End of week 2 (= all buckets): week 2 is 3.5 days old, w = 2^-0.5 = 0.707107, S = 1.8,
     * n = 2; week 0 is 17.5 days old, w = 2^-2.5 = 0.176777:
     *   (1 + 0.707107 * 1.8 + 0.176777 * 0.5) / (5 + 0.707107 * 2 + 0.176777 * 5)
     *   = 2.361181 / 7.298097 = 0.323533730. */
    assert_near(medtone_aggregator_stat(g, A, 1, MEDTONE_STAT_REPUTATION), 0.173879613);
    assert_near(medtone_aggregator_stat(g, A, 2, MEDTONE_STAT_REPUTATION), 0.323533730);
    assert_near(medtone_aggregator_stat(g, A, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_REPUTATION),
                0.323533730);
    /* A over all buckets: n = 7, S = 0.5 + 1.8 = 2.3, mean = 0.328571429;
     * Bayes = (1 + 2.3) / (5 + 7) = 0.275. Share of voice: 7 of 10. */
    assert_near(medtone_aggregator_stat(g, A, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME), 7);
    assert_near(medtone_aggregator_stat(g, A, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_MEAN), 0.328571429);
    assert_near(medtone_aggregator_stat(g, A, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_BAYES), 0.275);
    assert_near(medtone_aggregator_stat(g, A, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_SHARE_OF_VOICE),
                0.7);
    /* Settings apply when asked: with z = 1 the Wilson bound of week 0 becomes
     * (0.4 + 0.1 - sqrt(0.048 + 0.01)) / 1.2 = (0.5 - 0.240832) / 1.2 = 0.215973. */
    assert_int_equal(medtone_aggregator_set_option(g, MEDTONE_AGG_WILSON_Z, 1), MEDTONE_OK);
    assert_near(medtone_aggregator_stat(g, A, 0, MEDTONE_STAT_WILSON), 0.215973);
    /* Out of range: 0. */
    assert_near(medtone_aggregator_stat(g, 2, 0, MEDTONE_STAT_VOLUME), 0);
    assert_near(medtone_aggregator_stat(g, A, 3, MEDTONE_STAT_VOLUME), 0);
    assert_near(medtone_aggregator_stat(g, A, 0, (medtone_stat)99), 0);
    assert_near(medtone_aggregator_flag_count(g, A, 0, 999), 0);

    /* Daily buckets: a day starts at UTC midnight, times before 1970 too. */
    medtone_aggregator *d;
    assert_int_equal(medtone_aggregator_new(e, &d), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_set_option(d, MEDTONE_AGG_BUCKET_DAYS, 1), MEDTONE_OK);
    fake(r, 0.3);
    assert_int_equal(medtone_aggregator_add(d, A, -1, r, "x"), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_add(d, A, 0, r, "y"), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_bucket_count(d), 2);
    assert_int_equal(medtone_aggregator_bucket_start(d, 0), -DAY);
    assert_int_equal(medtone_aggregator_bucket_start(d, 1), 0);
    /* Shape options only while empty. */
    assert_int_equal(medtone_aggregator_set_option(d, MEDTONE_AGG_BUCKET_DAYS, 7),
                     MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_aggregator_set_option(d, MEDTONE_AGG_TOP_POSTS, 3),
                     MEDTONE_ERR_INVALID_ARG);
    medtone_aggregator_free(d);

    medtone_result_free(r);
    medtone_aggregator_free(g);
    medtone_entities_free(e);
}

static void test_options(void **state)
{
    (void)state;
    medtone_entities *e = medtone_entities_new();
    medtone_aggregator *g;
    assert_int_equal(medtone_aggregator_new(e, &g), MEDTONE_OK);
    static const struct {
        medtone_agg_option opt;
        double def, good, bad;
    } rows[] = {
        {MEDTONE_AGG_BUCKET_DAYS, 7, 1, 3},       {MEDTONE_AGG_TOP_POSTS, 5, 100, 101},
        {MEDTONE_AGG_HALF_LIFE_DAYS, 30, 0.5, 0}, {MEDTONE_AGG_PRIOR_MEAN, 0, -1, 1.5},
        {MEDTONE_AGG_PRIOR_WEIGHT, 10, 0, -1},    {MEDTONE_AGG_WILSON_Z, 1.96, 2.58, 0},
        {MEDTONE_AGG_ALERT_WINDOW, 8, 3, 2},      {MEDTONE_AGG_ALERT_THRESHOLD, 3.5, 5, -1},
        {MEDTONE_AGG_MIN_VOLUME, 10, 1, 0.5},     {MEDTONE_AGG_MIN_FLAGGED, 3, 7, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double v;
        assert_int_equal(medtone_aggregator_get_option(g, rows[i].opt, &v), MEDTONE_OK);
        assert_near(v, rows[i].def);
        assert_int_equal(medtone_aggregator_set_option(g, rows[i].opt, rows[i].bad),
                         MEDTONE_ERR_INVALID_ARG);
        assert_int_equal(medtone_aggregator_set_option(g, rows[i].opt, NAN),
                         MEDTONE_ERR_INVALID_ARG);
        assert_int_equal(medtone_aggregator_set_option(g, rows[i].opt, rows[i].good), MEDTONE_OK);
        assert_int_equal(medtone_aggregator_get_option(g, rows[i].opt, &v), MEDTONE_OK);
        assert_near(v, rows[i].good);
    }
    double v;
    assert_int_equal(medtone_aggregator_set_option(g, (medtone_agg_option)0, 1),
                     MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_aggregator_get_option(g, (medtone_agg_option)99, &v),
                     MEDTONE_ERR_INVALID_ARG);
    /* add's arguments */
    medtone_result *r = medtone_result_new();
    fake(r, 0.1);
    assert_int_equal(medtone_aggregator_add(g, 0, 0, r, "x"), MEDTONE_ERR_INVALID_ARG); /* none */
    size_t a;
    assert_int_equal(medtone_entities_add(e, "a", "Alpha", MEDTONE_ENTITY_BRAND, &a), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_add(g, a, 0, NULL, "x"), MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_aggregator_add(g, a, MT_TIME_LIMIT + 1, r, "x"),
                     MEDTONE_ERR_INVALID_ARG);
    char longid[MEDTONE_POST_ID_MAX + 2];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    assert_int_equal(medtone_aggregator_add(g, a, 0, r, longid), MEDTONE_ERR_INVALID_ARG);
    assert_true(medtone_aggregator_empty(g));
    assert_int_equal(medtone_aggregator_add(g, a, MT_TIME_LIMIT, r, longid + 1), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_merge(g, g), MEDTONE_ERR_INVALID_ARG);
    medtone_aggregator *none = g;
    assert_int_equal(medtone_aggregator_new(NULL, &none), MEDTONE_ERR_INVALID_ARG);
    assert_null(none);
    medtone_result_free(r);
    medtone_aggregator_free(g);
    medtone_entities_free(e);
}

/* ----- merge == one pass ---------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double rnd01(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

typedef struct post {
    size_t entity;
    int64_t t;
    double compound;
    unsigned flags; /* bit f: flag f fired */
    double score[MT_FLAG_COUNT], sentiment[MT_FLAG_COUNT];
    char id[32];
} post;

static post *synthetic_stream(size_t n, size_t nent, uint64_t seed)
{
    rng_state = seed;
    post *p = calloc(n, sizeof *p);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        p[i].entity = rnd() % nent;
        p[i].t = WEEK0 + (int64_t)(rnd() % (60 * DAY)) - 30 * DAY;
        /* quantized on purpose now and then, so ties in the ranked lists get exercised */
        p[i].compound = rnd() % 4 == 0 ? -0.5 : rnd01() * 2 - 1;
        for (size_t f = 0; f < MT_FLAG_COUNT; f++) {
            if (rnd() % 5) continue;
            p[i].flags |= 1u << f;
            p[i].score[f] = rnd() % 3 == 0 ? 0.75 : rnd01();
            p[i].sentiment[f] = rnd01() * 2 - 1;
        }
        snprintf(p[i].id, sizeof p[i].id, "post-%zu", rnd() % 3 == 0 ? i % 50 : i);
    }
    return p;
}

static void add_post(medtone_aggregator *g, medtone_result *r, const post *p)
{
    fake(r, p->compound);
    for (size_t f = 0; f < MT_FLAG_COUNT; f++)
        if (p->flags >> f & 1) fake_flag(r, f, p->score[f], p->sentiment[f]);
    assert_int_equal(medtone_aggregator_add(g, p->entity, p->t, r, p->id), MEDTONE_OK);
}

/* Structural equality of two aggregators' sums and lists. */
static void assert_same(const medtone_aggregator *x, const medtone_aggregator *y)
{
    assert_int_equal(medtone_aggregator_bucket_count(x), medtone_aggregator_bucket_count(y));
    assert_int_equal(x->first, y->first);
    assert_int_equal(x->ncells, y->ncells);
    size_t n = x->nseries > y->nseries ? x->nseries : y->nseries;
    for (size_t e = 0; e < n; e++) {
        size_t nx = e < x->nseries ? x->series[e].n : 0, ny = e < y->nseries ? y->series[e].n : 0;
        assert_int_equal(nx, ny);
        for (size_t i = 0; i < nx; i++) {
            const mt_cell *a = &x->series[e].cells[i], *b = &y->series[e].cells[i];
            assert_int_equal(a->bucket, b->bucket);
            assert_int_equal(a->n, b->n);
            assert_int_equal(a->pos, b->pos);
            assert_int_equal(a->neu, b->neu);
            assert_int_equal(a->neg, b->neg);
            assert_int_equal(a->sum, b->sum);
            assert_int_equal(a->sumsq, b->sumsq);
            assert_memory_equal(a->flag_n, b->flag_n, sizeof a->flag_n);
            assert_memory_equal(a->flag_sum, b->flag_sum, sizeof a->flag_sum);
            for (int l = 0; l < MT_TOP_LISTS; l++) {
                assert_int_equal(a->ntop[l], b->ntop[l]);
                for (uint32_t k = 0; k < a->ntop[l]; k++) {
                    assert_int_equal(a->top[l][k].key, b->top[l][k].key);
                    assert_int_equal(a->top[l][k].time, b->top[l][k].time);
                    assert_string_equal(a->top[l][k].id, b->top[l][k].id);
                }
            }
        }
    }
}

static medtone_entities *numbered_entities(size_t n)
{
    medtone_entities *e = medtone_entities_new();
    assert_non_null(e);
    for (size_t i = 0; i < n; i++) {
        char id[32], name[48];
        snprintf(id, sizeof id, "e%zu", i);
        snprintf(name, sizeof name, "Entity Number %zu", i);
        assert_int_equal(medtone_entities_add(e, id, name, MEDTONE_ENTITY_OTHER, NULL), MEDTONE_OK);
    }
    return e;
}

static void test_merge_equals_single_pass(void **state)
{
    (void)state;
    enum { N = 4000, NENT = 4 };
    medtone_entities *e = numbered_entities(NENT);
    medtone_result *r = medtone_result_new();
    for (int days = 1; days <= 7; days += 6) {
        post *p = synthetic_stream(N, NENT, 0x9E3779B97F4A7C15ULL + (uint64_t)days);
        medtone_aggregator *one;
        assert_int_equal(medtone_aggregator_new(e, &one), MEDTONE_OK);
        assert_int_equal(medtone_aggregator_set_option(one, MEDTONE_AGG_BUCKET_DAYS, days),
                         MEDTONE_OK);
        assert_int_equal(medtone_aggregator_set_option(one, MEDTONE_AGG_TOP_POSTS, 3), MEDTONE_OK);
        for (size_t i = 0; i < N; i++)
            add_post(one, r, &p[i]);
        for (int trial = 0; trial < 12; trial++) {
            size_t parts = 2 + rnd() % 5;
            medtone_aggregator *part[6];
            for (size_t k = 0; k < parts; k++) {
                assert_int_equal(medtone_aggregator_new(e, &part[k]), MEDTONE_OK);
                assert_int_equal(
                    medtone_aggregator_set_option(part[k], MEDTONE_AGG_BUCKET_DAYS, days),
                    MEDTONE_OK);
                assert_int_equal(medtone_aggregator_set_option(part[k], MEDTONE_AGG_TOP_POSTS, 3),
                                 MEDTONE_OK);
            }
            /* a random split, each part fed in a random order (reversed or not) */
            size_t *owner = malloc(N * sizeof *owner);
            for (size_t i = 0; i < N; i++)
                owner[i] = rnd() % parts;
            int reverse = (int)(rnd() % 2);
            for (size_t k = 0; k < N; k++) {
                size_t i = reverse ? N - 1 - k : k;
                add_post(part[owner[i]], r, &p[i]);
            }
            free(owner);
            /* merged into a fresh aggregator (which takes the parts' shape), in random order */
            medtone_aggregator *all;
            assert_int_equal(medtone_aggregator_new(e, &all), MEDTONE_OK);
            size_t start = rnd() % parts;
            for (size_t k = 0; k < parts; k++)
                assert_int_equal(medtone_aggregator_merge(all, part[(start + k) % parts]),
                                 MEDTONE_OK);
            assert_same(one, all);
            for (size_t s = 0; s < 13; s++)
                assert_true(medtone_aggregator_stat(one, 1, 3, (medtone_stat)s) ==
                            medtone_aggregator_stat(all, 1, 3, (medtone_stat)s));
            for (size_t k = 0; k < parts; k++)
                medtone_aggregator_free(part[k]);
            medtone_aggregator_free(all);
        }
        /* merging with a registry that orders the same ids differently maps them by id */
        medtone_entities *rev = medtone_entities_new();
        for (size_t i = NENT; i-- > 0;) {
            char id[32];
            snprintf(id, sizeof id, "e%zu", i);
            assert_int_equal(medtone_entities_add(rev, id, id, MEDTONE_ENTITY_OTHER, NULL),
                             MEDTONE_OK);
        }
        medtone_aggregator *other;
        assert_int_equal(medtone_aggregator_new(rev, &other), MEDTONE_OK);
        assert_int_equal(medtone_aggregator_merge(other, one), MEDTONE_OK);
        assert_near(
            medtone_aggregator_stat(other, NENT - 1, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME),
            medtone_aggregator_stat(one, 0, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME));
        /* ...and refuses ids it lacks */
        medtone_entities *few = numbered_entities(2);
        medtone_aggregator *small;
        assert_int_equal(medtone_aggregator_new(few, &small), MEDTONE_OK);
        assert_int_equal(medtone_aggregator_merge(small, one), MEDTONE_ERR_NOT_FOUND);
        assert_non_null(strstr(medtone_aggregator_last_error(small), "'e2'"));
        assert_true(medtone_aggregator_empty(small));
        /* ...and other shapes */
        medtone_aggregator *shaped;
        assert_int_equal(medtone_aggregator_new(e, &shaped), MEDTONE_OK);
        assert_int_equal(
            medtone_aggregator_set_option(shaped, MEDTONE_AGG_BUCKET_DAYS, days == 1 ? 7 : 1),
            MEDTONE_OK);
        add_post(shaped, r, &p[0]);
        assert_int_equal(medtone_aggregator_merge(shaped, one), MEDTONE_ERR_INVALID_ARG);
        assert_near(
            medtone_aggregator_stat(shaped, p[0].entity, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME),
            1);
        medtone_aggregator_free(shaped);
        medtone_aggregator_free(small);
        medtone_entities_free(few);
        medtone_aggregator_free(other);
        medtone_entities_free(rev);
        medtone_aggregator_free(one);
        free(p);
    }
    medtone_result_free(r);
    medtone_entities_free(e);
}

/* ----- state files ---------------------------------------------------------------------- */

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *buf = malloc(1 << 24);
    *len = fread(buf, 1, 1 << 24, f);
    fclose(f);
    return buf;
}

/* The payload inside a gzip file. */
static unsigned char *gunzip_file(const char *path, size_t *len)
{
    gzFile gz = gzopen(path, "rb");
    assert_non_null(gz);
    unsigned char *buf = malloc(1 << 24);
    int n = gzread(gz, buf, 1 << 24);
    assert_true(n > 0);
    gzclose(gz);
    *len = (size_t)n;
    return buf;
}

static medtone_aggregator *filled(medtone_entities *e, medtone_result *r, size_t n, int nent)
{
    post *p = synthetic_stream(n, (size_t)nent, 42);
    medtone_aggregator *g;
    assert_int_equal(medtone_aggregator_new(e, &g), MEDTONE_OK);
    for (size_t i = 0; i < n; i++)
        add_post(g, r, &p[i]);
    free(p);
    return g;
}

static void test_save_load(void **state)
{
    (void)state;
    medtone_entities *e = numbered_entities(3);
    medtone_result *r = medtone_result_new();
    medtone_aggregator *g = filled(e, r, 2000, 3);
    char p1[300], p2[300];
    tmp_path(p1, sizeof p1, "one.state");
    tmp_path(p2, sizeof p2, "two.state");
    assert_int_equal(medtone_aggregator_save(g, p1), MEDTONE_OK);
    medtone_aggregator *h;
    assert_int_equal(medtone_aggregator_new(e, &h), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_set_option(h, MEDTONE_AGG_BUCKET_DAYS, 1), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_load(h, p1), MEDTONE_OK); /* takes the file's shape */
    assert_same(g, h);
    double v;
    medtone_aggregator_get_option(h, MEDTONE_AGG_BUCKET_DAYS, &v);
    assert_near(v, 7);
    /* saving the loaded copy gives the same bytes */
    assert_int_equal(medtone_aggregator_save(h, p2), MEDTONE_OK);
    size_t l1, l2;
    unsigned char *b1 = read_all(p1, &l1), *b2 = read_all(p2, &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(b1, b2, l1);
    /* the same alerts */
    medtone_alerts *a1, *a2;
    assert_int_equal(medtone_aggregator_alerts(g, &a1), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_alerts(h, &a2), MEDTONE_OK);
    assert_int_equal(medtone_alerts_count(a1), medtone_alerts_count(a2));
    for (size_t i = 0; i < medtone_alerts_count(a1); i++) {
        assert_int_equal(medtone_alert_kind_of(a1, i), medtone_alert_kind_of(a2, i));
        assert_true(medtone_alert_score(a1, i) == medtone_alert_score(a2, i));
        assert_string_equal(medtone_alert_post_id(a1, i, 0), medtone_alert_post_id(a2, i, 0));
    }
    medtone_alerts_free(a1);
    medtone_alerts_free(a2);
    /* loading into a non-empty aggregator adds: volumes double */
    assert_int_equal(medtone_aggregator_load(h, p1), MEDTONE_OK);
    assert_near(medtone_aggregator_stat(h, 1, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME),
                2 * medtone_aggregator_stat(g, 1, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME));
    /* an empty aggregator saves and loads too */
    medtone_aggregator *z, *z2;
    assert_int_equal(medtone_aggregator_new(e, &z), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_save(z, p2), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_new(e, &z2), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_load(z2, p2), MEDTONE_OK);
    assert_true(medtone_aggregator_empty(z2));
    /* a registry without one of the ids: not found, nothing changed */
    medtone_entities *few = numbered_entities(2);
    medtone_aggregator *f;
    assert_int_equal(medtone_aggregator_new(few, &f), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_load(f, p1), MEDTONE_ERR_NOT_FOUND);
    assert_true(medtone_aggregator_empty(f));
    /* an unwritable path */
    assert_int_equal(medtone_aggregator_save(g, "/nonexistent/dir/x.state"), MEDTONE_ERR_IO);
    assert_int_equal(medtone_aggregator_load(f, "/nonexistent/x.state"), MEDTONE_ERR_IO);
    medtone_aggregator_free(f);
    medtone_entities_free(few);
    medtone_aggregator_free(z);
    medtone_aggregator_free(z2);
    free(b1);
    free(b2);
    medtone_aggregator_free(h);
    medtone_aggregator_free(g);
    medtone_result_free(r);
    medtone_entities_free(e);
}

/* Every truncation and many corruptions of a state file fail with PARSE or GZIP (or, when a
 * change happens to leave a valid file, load), never crash, and never change the target. */
static void test_corrupt_state(void **state)
{
    (void)state;
    medtone_entities *e = numbered_entities(3);
    medtone_result *r = medtone_result_new();
    medtone_aggregator *g = filled(e, r, 300, 3);
    char path[300];
    tmp_path(path, sizeof path, "c.state");
    assert_int_equal(medtone_aggregator_save(g, path), MEDTONE_OK);
    size_t glen, plen;
    unsigned char *gz = read_all(path, &glen), *payload = gunzip_file(path, &plen);
    medtone_aggregator *t = filled(e, r, 50, 3); /* the target, not empty */
    double before = medtone_aggregator_stat(t, 0, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME);
    size_t cells = t->ncells;

    /* the gzip file cut anywhere */
    for (size_t n = 0; n < glen; n++) {
        medtone_status st = medtone_aggregator_load_data(t, "cut", gz, n);
        if (st != MEDTONE_ERR_GZIP && st != MEDTONE_ERR_PARSE)
            fail_msg("gzip cut at %zu of %zu: status %d", n, glen, st);
    }
    /* the payload cut anywhere */
    for (size_t n = 0; n < plen; n++) {
        medtone_status st = medtone_aggregator_load_data(t, "cut", payload, n);
        if (st != MEDTONE_ERR_PARSE) fail_msg("payload cut at %zu of %zu: status %d", n, plen, st);
    }
    /* single bytes of the gzip file changed: the CRC or the parser notices */
    for (size_t i = 0; i < glen; i++) {
        unsigned char saved = gz[i];
        gz[i] ^= 0x55;
        medtone_status st = medtone_aggregator_load_data(t, "flip", gz, glen);
        gz[i] = saved;
        if (st == MEDTONE_OK) { /* e.g. a header field gzip ignores: loaded, merged */
            cells = t->ncells;
            continue;
        }
        if (st != MEDTONE_ERR_GZIP && st != MEDTONE_ERR_PARSE)
            fail_msg("gzip byte %zu flipped: status %d", i, st);
        assert_int_equal(t->ncells, cells);
    }
    /* single bytes of the payload changed: either refused or a valid state (then merged) */
    medtone_aggregator *scratch;
    assert_int_equal(medtone_aggregator_new(e, &scratch), MEDTONE_OK);
    for (size_t i = 0; i < plen; i++) {
        for (int v = 0; v < 3; v++) {
            unsigned char saved = payload[i];
            payload[i] = v == 0 ? 0xFF : v == 1 ? 0x00 : (unsigned char)(saved + 1);
            medtone_status st = medtone_aggregator_load_data(scratch, "poke", payload, plen);
            payload[i] = saved;
            /* a valid file of another shape cannot merge: INVALID_ARG */
            if (st != MEDTONE_OK && st != MEDTONE_ERR_PARSE && st != MEDTONE_ERR_NOT_FOUND &&
                st != MEDTONE_ERR_INVALID_ARG)
                fail_msg("payload byte %zu set: status %d", i, st);
        }
    }
    medtone_aggregator_free(scratch);
    /* not a state file, another version, trailing data */
    assert_int_equal(medtone_aggregator_load_data(t, "x", "hello world", 11), MEDTONE_ERR_PARSE);
    assert_non_null(strstr(medtone_aggregator_last_error(t), "not a medtone state file"));
    payload[8] = 2; /* the version varint */
    assert_int_equal(medtone_aggregator_load_data(t, "v2", payload, plen), MEDTONE_ERR_PARSE);
    assert_non_null(strstr(medtone_aggregator_last_error(t), "version 2"));
    payload[8] = 1;
    unsigned char *longer = malloc(plen + 1);
    memcpy(longer, payload, plen);
    longer[plen] = 0;
    assert_int_equal(medtone_aggregator_load_data(t, "x", longer, plen + 1), MEDTONE_ERR_PARSE);
    free(longer);
    assert_int_equal(medtone_aggregator_load_data(t, "ok", payload, plen), MEDTONE_OK);
    assert_true(medtone_aggregator_stat(t, 0, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME) > before);
    free(gz);
    free(payload);
    medtone_aggregator_free(t);
    medtone_aggregator_free(g);
    medtone_result_free(r);
    medtone_entities_free(e);
}

/* Hand-built payloads in the documented format, each breaking one rule. */
typedef struct pbuf {
    unsigned char b[4096];
    size_t n;
} pbuf;

static void pu(pbuf *p, uint64_t v)
{
    do {
        p->b[p->n++] = (unsigned char)((v & 0x7F) | (v > 0x7F ? 0x80 : 0));
        v >>= 7;
    } while (v);
}

static void ps(pbuf *p, int64_t v)
{
    pu(p, ((uint64_t)v << 1) ^ (uint64_t)(v < 0 ? -1 : 0));
}

enum {
    BREAK_NONE,
    BREAK_SUM_MIN,
    BREAK_SUM_OVER,
    BREAK_FLAG_SUM_MIN,
    BREAK_COUNTS,
    BREAK_LIST_LONG,
    BREAK_POST_TIME,
    BREAK_KEY_MIN,
    BREAK_SECOND_BUCKET_SAME,
    BREAK_COUNT
};

/* One entity "e0", one or two cells of one post (compound 0.5), one post in the negative list. */
static void payload(pbuf *p, int breaks)
{
    p->n = 0;
    memcpy(p->b, "MTREPAGG", 8);
    p->n = 8;
    pu(p, 1);             /* version */
    pu(p, 7);             /* bucket days */
    pu(p, 5);             /* top k */
    pu(p, MT_FLAG_COUNT); /* flags */
    pu(p, 1);             /* entities */
    pu(p, 2);
    memcpy(p->b + p->n, "e0", 2);
    p->n += 2;
    int cells = breaks == BREAK_SECOND_BUCKET_SAME ? 2 : 1;
    pu(p, (uint64_t)cells);
    for (int c = 0; c < cells; c++) {
        int64_t bucket = mt_bucket_of(7, WEEK0);
        ps(p, c ? 0 : bucket);                 /* a gap of 0: the same bucket twice */
        pu(p, 1);                              /* n */
        pu(p, breaks == BREAK_COUNTS ? 0 : 1); /* pos */
        pu(p, 0);                              /* neu */
        pu(p, 0);                              /* neg */
        ps(p, breaks == BREAK_SUM_MIN    ? INT64_MIN
              : breaks == BREAK_SUM_OVER ? MT_FIX_ONE + 1
                                         : MT_FIX_ONE / 2); /* sum */
        ps(p, MT_FIX_ONE / 4);                              /* sumsq */
        for (int f = 0; f < MT_FLAG_COUNT; f++) {
            pu(p, f == 0 ? 1 : 0);
            if (f == 0) ps(p, breaks == BREAK_FLAG_SUM_MIN ? INT64_MIN : -MT_FIX_ONE / 2);
        }
        int np = breaks == BREAK_LIST_LONG ? 6 : 1;
        pu(p, (uint64_t)np);
        for (int k = 0; k < np; k++) {
            ps(p, breaks == BREAK_KEY_MIN ? INT64_MIN : MT_FIX_ONE / 2);
            ps(p, breaks == BREAK_POST_TIME ? WEEK0 + WEEK : WEEK0 + 60 - k);
            pu(p, 2);
            memcpy(p->b + p->n, "p1", 2);
            p->n += 2;
        }
        pu(p, 0);
        pu(p, 0);
    }
}

static void test_handmade_states(void **state)
{
    (void)state;
    medtone_entities *e = numbered_entities(1);
    pbuf p;
    for (int k = 0; k < BREAK_COUNT; k++) {
        medtone_aggregator *g;
        assert_int_equal(medtone_aggregator_new(e, &g), MEDTONE_OK);
        payload(&p, k);
        medtone_status st = medtone_aggregator_load_data(g, "hand", p.b, p.n);
        if (k == BREAK_NONE) {
            assert_int_equal(st, MEDTONE_OK);
            assert_near(medtone_aggregator_stat(g, 0, 0, MEDTONE_STAT_MEAN), 0.5);
            assert_near(medtone_aggregator_flag_sentiment(g, 0, 0, 0), -0.5);
        } else {
            if (st != MEDTONE_ERR_PARSE) fail_msg("break %d: status %d", k, st);
            assert_true(medtone_aggregator_empty(g));
        }
        medtone_aggregator_free(g);
    }
    /* a varint of more than 64 bits */
    medtone_aggregator *g;
    assert_int_equal(medtone_aggregator_new(e, &g), MEDTONE_OK);
    unsigned char longv[] = "MTREPAGG\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f";
    assert_int_equal(medtone_aggregator_load_data(g, "v", longv, sizeof longv - 1),
                     MEDTONE_ERR_PARSE);
    medtone_aggregator_free(g);
    medtone_entities_free(e);
}

/* ----- alerts --------------------------------------------------------------------------- */

/* Adds n posts to entity e in week w: `neg` of them negative (-0.6 - 0.01 k, so the most
 * negative is known), `mis` with the misinfo flag, `crisis` with the crisis flag. */
static void week_posts(medtone_aggregator *g, medtone_result *r, size_t e, int w, int n, int neg,
                       int mis, int crisis)
{
    for (int k = 0; k < n; k++) {
        fake(r, k < neg ? -0.6 - 0.01 * k : 0.4);
        if (k < mis) fake_flag(r, MEDTONE_FLAG_MISINFO, 0.5 + 0.01 * k, -0.2);
        if (k >= n - crisis) fake_flag(r, MEDTONE_FLAG_CRISIS, 0.9, -0.9);
        char id[32];
        snprintf(id, sizeof id, "w%d-%d", w, k);
        assert_int_equal(medtone_aggregator_add(g, e, WEEK0 + w * WEEK + k * 60, r, id),
                         MEDTONE_OK);
    }
}

static void test_alerts(void **state)
{
    (void)state;
    medtone_entities *e = numbered_entities(3);
    medtone_result *r = medtone_result_new();
    medtone_aggregator *g;
    assert_int_equal(medtone_aggregator_new(e, &g), MEDTONE_OK);
    /* Entity 0: ten steady weeks (20 posts, 4 negative), then a storm: 60 posts, 42 negative. */
    for (int w = 0; w < 10; w++)
        week_posts(g, r, 0, w, 20 + (w % 3) - 1, 4 + (w % 2), 0, 0);
    week_posts(g, r, 0, 10, 60, 42, 0, 0);
    /* Entity 1: quiet, then a misinformation surge in week 8 and one crisis post in week 9. */
    for (int w = 0; w < 12; w++)
        week_posts(g, r, 1, w, 15, 3, w == 8 ? 9 : w % 4 == 0, w == 9);
    /* Entity 2: small numbers: a jump from 1 to 6 posts, all negative, is under the minimum
     * volume (10). */
    for (int w = 0; w < 10; w++)
        week_posts(g, r, 2, w, 1, 0, 0, 0);
    week_posts(g, r, 2, 10, 6, 6, 0, 0);

    medtone_alerts *al;
    assert_int_equal(medtone_aggregator_alerts(g, &al), MEDTONE_OK);
    int seen_volume = 0, seen_neg = 0, seen_mis = 0, seen_crisis = 0;
    for (size_t i = 0; i < medtone_alerts_count(al); i++) {
        size_t ent = medtone_alert_entity(al, i), b = medtone_alert_bucket(al, i);
        medtone_alert_kind k = medtone_alert_kind_of(al, i);
        assert_true(ent != 2);
        assert_true(medtone_alert_bucket_start(al, i) == medtone_aggregator_bucket_start(g, b));
        if (ent == 0) {
            assert_int_equal(b, 10);
            if (k == MEDTONE_ALERT_VOLUME) {
                seen_volume = 1;
                assert_near(medtone_alert_value(al, i), 60);
                assert_near(medtone_alert_baseline(al, i), 20); /* median of 19, 20, 21, ... */
                assert_true(medtone_alert_score(al, i) >= 3.5);
            } else {
                assert_int_equal(k, MEDTONE_ALERT_NEGATIVITY);
                seen_neg = 1;
                assert_near(medtone_alert_value(al, i), 0.7);
            }
            /* the most negative posts of the storm, strongest first */
            assert_int_equal(medtone_alert_post_count(al, i), 5);
            assert_string_equal(medtone_alert_post_id(al, i, 0), "w10-41");
            assert_string_equal(medtone_alert_post_id(al, i, 4), "w10-37");
            assert_string_equal(medtone_alert_post_id(al, i, 5), "");
        } else if (k == MEDTONE_ALERT_MISINFO) {
            seen_mis = 1;
            assert_int_equal(b, 8);
            assert_near(medtone_alert_value(al, i), 9);
            assert_string_equal(medtone_alert_post_id(al, i, 0), "w8-8");
        } else {
            assert_int_equal(k, MEDTONE_ALERT_CRISIS);
            seen_crisis = 1;
            assert_int_equal(b, 9);
            assert_near(medtone_alert_score(al, i), 1);
            assert_int_equal(medtone_alert_post_count(al, i), 1);
            assert_string_equal(medtone_alert_post_id(al, i, 0), "w9-14");
        }
        if (i) /* ordered by bucket, then entity, then kind */
            assert_true(
                medtone_alert_bucket(al, i - 1) < b ||
                (medtone_alert_bucket(al, i - 1) == b && (medtone_alert_entity(al, i - 1) < ent ||
                                                          (medtone_alert_entity(al, i - 1) == ent &&
                                                           medtone_alert_kind_of(al, i - 1) < k))));
    }
    assert_true(seen_volume && seen_neg && seen_mis && seen_crisis);
    assert_int_equal(medtone_alerts_count(al), 4);
    assert_string_equal(medtone_alert_kind_name(MEDTONE_ALERT_NEGATIVITY), "negativity");
    assert_string_equal(medtone_alert_kind_name((medtone_alert_kind)9), "unknown");
    assert_string_equal(medtone_alert_post_id(al, 99, 0), "");
    medtone_alerts_free(al);

    /* A lower minimum volume lets entity 2's jump through; settings apply when asked. */
    assert_int_equal(medtone_aggregator_set_option(g, MEDTONE_AGG_MIN_VOLUME, 5), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_alerts(g, &al), MEDTONE_OK);
    int e2 = 0;
    for (size_t i = 0; i < medtone_alerts_count(al); i++)
        e2 += medtone_alert_entity(al, i) == 2;
    assert_true(e2 >= 1);
    medtone_alerts_free(al);
    medtone_aggregator_free(g);

    /* Steady noise: 40 weeks of volume 30 +- 6 and a negative share 0.25 +- 0.1, three
     * entities, three seeds: no alert. */
    for (uint64_t seed = 1; seed <= 3; seed++) {
        rng_state = seed * 7919;
        assert_int_equal(medtone_aggregator_new(e, &g), MEDTONE_OK);
        for (size_t ent = 0; ent < 3; ent++)
            for (int w = 0; w < 40; w++) {
                int n = 24 + (int)(rnd() % 13);
                int neg = (int)(n * (0.15 + 0.2 * rnd01()));
                week_posts(g, r, ent, w, n, neg, (int)(rnd() % 3), 0);
            }
        assert_int_equal(medtone_aggregator_alerts(g, &al), MEDTONE_OK);
        for (size_t i = 0; i < medtone_alerts_count(al); i++)
            fail_msg("seed %llu: unexpected %s alert for entity %zu in week %zu (z %.2f)",
                     (unsigned long long)seed,
                     medtone_alert_kind_name(medtone_alert_kind_of(al, i)),
                     medtone_alert_entity(al, i), medtone_alert_bucket(al, i),
                     medtone_alert_score(al, i));
        medtone_alerts_free(al);
        medtone_aggregator_free(g);
    }
    /* An empty aggregator has no alerts. */
    assert_int_equal(medtone_aggregator_new(e, &g), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_alerts(g, &al), MEDTONE_OK);
    assert_int_equal(medtone_alerts_count(al), 0);
    medtone_alerts_free(al);
    medtone_aggregator_free(g);
    medtone_result_free(r);
    medtone_entities_free(e);
}

/* ----- allocation failures -------------------------------------------------------------- */

typedef struct failer {
    long calls, fail_at; /* fail the fail_at-th call (1-based); 0 = never */
} failer;

static failer g_fail;

static void *fail_malloc(size_t n, void *u)
{
    failer *f = u;
    if (f->fail_at && ++f->calls == f->fail_at) return NULL;
    return malloc(n);
}

static void *fail_realloc(void *p, size_t n, void *u)
{
    failer *f = u;
    if (f->fail_at && ++f->calls == f->fail_at) return NULL;
    return realloc(p, n);
}

static void fail_free(void *p, void *u)
{
    (void)u;
    free(p);
}

/* Builds a registry and aggregators, merges, alerts and loads, under an allocator that fails
 * the fail_at-th allocation. Each failed call must report NOMEM and leave its object as it was
 * (checked by counts); returns 1 when no allocation failed. */
static int scenario(long fail_at, const medtone_result *res, size_t nres,
                    const unsigned char *state_data, size_t state_len)
{
    g_fail.calls = 0;
    g_fail.fail_at = fail_at;
    int failed = 0;
    medtone_entities *e = medtone_entities_new();
    if (!e) {
        g_fail.fail_at = 0;
        return 0;
    }
    medtone_status st =
        medtone_entities_load_data(e, "reg.tsv", registry_tsv, strlen(registry_tsv));
    if (st != MEDTONE_OK) {
        assert_int_equal(st, MEDTONE_ERR_NOMEM);
        assert_int_equal(medtone_entities_count(e), 0);
        failed = 1;
        /* load once more without failures, so later steps have entities */
        long saved = g_fail.fail_at;
        g_fail.fail_at = 0;
        assert_int_equal(
            medtone_entities_load_data(e, "reg.tsv", registry_tsv, strlen(registry_tsv)),
            MEDTONE_OK);
        g_fail.fail_at = saved;
    }
    size_t idx;
    st = medtone_entities_add(e, "extra", "Extra Care Clinic", MEDTONE_ENTITY_CLINIC, &idx);
    if (st != MEDTONE_OK) {
        assert_int_equal(st, MEDTONE_ERR_NOMEM);
        assert_int_equal(medtone_entities_count(e), 5);
        failed = 1;
    } else {
        st = medtone_entities_add_alias(e, idx, "#ExtraCare");
        if (st != MEDTONE_OK) {
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            assert_int_equal(medtone_entity_alias_count(e, idx), 1);
            failed = 1;
        }
    }
    medtone_aggregator *g = NULL, *h = NULL;
    st = medtone_aggregator_new(e, &g);
    if (st != MEDTONE_OK) {
        assert_int_equal(st, MEDTONE_ERR_NOMEM);
        assert_null(g);
        failed = 1;
    }
    if (medtone_aggregator_new(e, &h) != MEDTONE_OK) failed = 1;
    for (size_t i = 0; g && h && i < nres; i++) {
        medtone_aggregator *into = i % 2 ? g : h;
        size_t ent = i % 5;
        double before =
            medtone_aggregator_stat(into, ent, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME);
        char id[32];
        snprintf(id, sizeof id, "p%zu", i);
        st = medtone_aggregator_add(into, ent, WEEK0 + (int64_t)(i % 9) * WEEK, &res[i], id);
        double after = medtone_aggregator_stat(into, ent, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME);
        if (st != MEDTONE_OK) {
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            assert_true(after == before);
            failed = 1;
        } else {
            assert_true(after == before + 1);
        }
    }
    if (g && h) {
        double before = medtone_aggregator_stat(g, 0, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME);
        st = medtone_aggregator_merge(g, h);
        if (st != MEDTONE_OK) {
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            assert_true(medtone_aggregator_stat(g, 0, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME) ==
                        before);
            failed = 1;
        }
        medtone_alerts *al = NULL;
        st = medtone_aggregator_alerts(g, &al);
        if (st != MEDTONE_OK) {
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            assert_null(al);
            failed = 1;
        }
        medtone_alerts_free(al);
        before = medtone_aggregator_stat(g, 0, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME);
        st = medtone_aggregator_load_data(g, "state", state_data, state_len);
        if (st != MEDTONE_OK) {
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            assert_true(medtone_aggregator_stat(g, 0, MEDTONE_ALL_BUCKETS, MEDTONE_STAT_VOLUME) ==
                        before);
            failed = 1;
        }
    }
    medtone_aggregator_free(g);
    medtone_aggregator_free(h);
    medtone_entities_free(e);
    int clean = !failed && (fail_at == 0 || g_fail.calls < fail_at);
    g_fail.fail_at = 0;
    return clean;
}

static void test_alloc_failure(void **state)
{
    (void)state;
    enum { NRES = 40 };
    medtone_result *res[NRES];
    medtone_result *flat = calloc(NRES, sizeof *flat); /* plain copies, for an array */
    for (size_t i = 0; i < NRES; i++) {
        res[i] = medtone_result_new();
        fake(res[i], (double)((int)(i * 37 % 21) - 10) / 10.0);
        if (i % 4 == 0) fake_flag(res[i], MEDTONE_FLAG_CRISIS, 0.9, -0.5);
        if (i % 3 == 0) fake_flag(res[i], MEDTONE_FLAG_MISINFO, 0.7, -0.5);
        flat[i] = *res[i];
    }
    /* a state file to load, made under the default allocator */
    medtone_entities *e = registry();
    medtone_aggregator *src;
    assert_int_equal(medtone_aggregator_new(e, &src), MEDTONE_OK);
    for (size_t i = 0; i < NRES; i++)
        assert_int_equal(
            medtone_aggregator_add(src, i % 5, WEEK0 + (int64_t)(i % 4) * WEEK, res[i], "s"),
            MEDTONE_OK);
    char path[300];
    tmp_path(path, sizeof path, "alloc.state");
    assert_int_equal(medtone_aggregator_save(src, path), MEDTONE_OK);
    size_t state_len;
    unsigned char *state_data = read_all(path, &state_len);
    medtone_aggregator_free(src);
    medtone_entities_free(e);

    assert_int_equal(medtone_set_allocator(fail_malloc, fail_realloc, fail_free, &g_fail),
                     MEDTONE_OK);
    long n = 1;
    for (; n < 100000; n++)
        if (scenario(n, flat, NRES, state_data, state_len)) break;
    assert_int_equal(medtone_set_allocator(NULL, NULL, NULL, NULL), MEDTONE_OK);
    assert_true(n > 50 && n < 100000); /* the loop reached a clean run, past many allocations */
    free(state_data);
    free(flat);
    for (size_t i = 0; i < NRES; i++)
        medtone_result_free(res[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),           cmocka_unit_test(test_registry),
        cmocka_unit_test(test_matching),        cmocka_unit_test(test_registry_errors),
        cmocka_unit_test(test_load_errors),     cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_options),         cmocka_unit_test(test_merge_equals_single_pass),
        cmocka_unit_test(test_save_load),       cmocka_unit_test(test_corrupt_state),
        cmocka_unit_test(test_handmade_states), cmocka_unit_test(test_alerts),
        cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
