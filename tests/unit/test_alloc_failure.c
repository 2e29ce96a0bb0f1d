/* test_alloc_failure.c — every allocation the library makes can fail, and each failure is clean.
 *
 * SQLite's habit (alloc_fail_util.h): a counting allocator, installed before any object exists,
 * fails the Nth allocation for N = 1, 2, ... until the operation runs through without reaching
 * N. For every N the operation must
 *   - return MEDTONE_ERR_NOMEM (or NULL from a *_new), never crash or report success wrongly;
 *   - leak nothing: the count of live blocks is back where it was once the attempt's objects are
 *     freed, and at the very end it is zero;
 *   - leave the objects it was given as they were before the call (the header's contract), and
 *     usable: the same call without a failure then gives the same answer as a run that never
 *     failed.
 * Covered: options, an analyzer with the built-in lexicons, lexicon and cue layers (plain,
 * gzip, from memory and from files) loaded into an empty and into a full analyzer, tokenizing,
 * analysis with every flag on a post that raises them all (into a fresh and a used result),
 * and the reputation objects: entities (add, alias, load), aggregators (new, add, merge, save,
 * load, alerts). */
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
#include "medtone/reputation.h"

#include "alloc_fail_util.h"
#include "gzip_test_util.h"

/* ----- fixtures --------------------------------------------------------------------------- */

/* A post that raises every kind of flag and most rules: multi-word terms, negation, boosters,
 * caps, elongation, contrast, relief, clinical words, emoji, identifiers, a drug with a
 * reaction, misinformation cues, a crisis phrase, a URL and aspects. */
static const char mixed_post[] =
    "Waited 6 HOURS in the ER at St Mary!!! The nurse was sooo kind but the billing dept is a "
    "nightmare \xF0\x9F\x98\xA1. Dr. Okafor says I tested positive; no more pain since the "
    "surgery though. Started sertraline 50 mg and got a rash and swelling. Big Pharma is hiding "
    "the miracle cure, share before they delete it https://example-cures.com/x !! My name is "
    "Jane Doe, DOB 12/05/1980, MRN 4455667, call 555-123-4567. Honestly I can't take this "
    "anymore, I want to end it all. Parking was $20 and the food was not very good :(";

static char *g_dir; /* a scratch folder for files */

static const char *tmp_path(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", g_dir, name);
    return buf;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    assert_non_null(buf);
    for (size_t got; (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) {
            buf = realloc(buf, cap *= 2);
            assert_non_null(buf);
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* A lexicon layer big enough that its arrays grow several times while it loads. */
static char *make_lexicon(size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    n += (size_t)snprintf(s + n, cap - n,
                          "#@ layer ours\n#@ version 1\n# comment\n"
                          "bedside manner\t2.5\nwaited for hours\t-2\n"
                          "super\t0\tbooster=0.4\nmigraine\t-2\tsymptom\n");
    for (int i = 0; i < 600; i++)
        n += (size_t)snprintf(s + n, cap - n, "termword%d extra%d\t%d.5\n", i, i % 7, i % 4 - 2);
    *len = n;
    return s;
}

static const char cue_layer[] = "#@ layer our-cues\n"
                                "example-cures.com\t2.5\tmisinfo\n"
                                "zerevia\t1\tdrug\n"
                                "brain fog\t1\treaction\n"
                                "valet\t1\tparking\n";

/* What an analyzer looks like from outside: compared before and after a failed load. */
typedef struct an_snapshot {
    size_t layers, terms;
    char names[64][64];
    double compound;
    size_t nterms;
    double flag[64];
} an_snapshot;

static void an_take(const medtone_analyzer *a, an_snapshot *s)
{
    memset(s, 0, sizeof *s);
    s->layers = medtone_analyzer_layer_count(a);
    s->terms = medtone_analyzer_term_count(a);
    for (size_t i = 0; i < s->layers && i < 64; i++)
        snprintf(s->names[i], sizeof s->names[i], "%s", medtone_analyzer_layer_name(a, i));
    /* Analysis allocates; it is not what is under test here. */
    long fail_at = g_alloc.fail_at;
    g_alloc.fail_at = 0;
    medtone_result *r = medtone_result_new();
    assert_non_null(r);
    assert_int_equal(medtone_analyze(a, mixed_post, sizeof mixed_post - 1, r), MEDTONE_OK);
    s->compound = medtone_result_compound(r);
    s->nterms = medtone_result_term_count(r);
    for (size_t f = 0; f < medtone_flag_count() && f < 64; f++)
        s->flag[f] = medtone_result_flag_score(r, f);
    medtone_result_free(r);
    g_alloc.fail_at = fail_at;
}

static void an_same(const an_snapshot *x, const an_snapshot *y)
{
    assert_int_equal(x->layers, y->layers);
    assert_int_equal(x->terms, y->terms);
    for (size_t i = 0; i < x->layers && i < 64; i++)
        assert_string_equal(x->names[i], y->names[i]);
    assert_true(x->compound == y->compound);
    assert_int_equal(x->nterms, y->nterms);
    for (size_t f = 0; f < 64; f++)
        assert_true(x->flag[f] == y->flag[f]);
}

/* ----- options and the analyzer ------------------------------------------------------------ */

static void test_options(void **state)
{
    (void)state;
    long base = g_alloc.live; /* 0 unless an earlier test failed */
    long n = 1;
    for (;; n++) {
        alloc_arm(n);
        medtone_options *o = medtone_options_new();
        int hit = alloc_disarm();
        if (!hit) {
            assert_non_null(o);
            medtone_options_free(o);
            break;
        }
        assert_null(o); /* reason: a *_new reports out of memory as NULL */
        assert_true(n < ALLOC_MAX_N);
    }
    assert_int_equal(g_alloc.live, base);
}

/* medtone_analyzer_new with the built-in lexicons: every layer, both lexicons. */
static void test_analyzer_embedded(void **state)
{
    (void)state;
    long base = g_alloc.live; /* 0 unless an earlier test failed */
    an_snapshot want, got;
    medtone_analyzer *ref = alloc_test_analyzer(1);
    an_take(ref, &want);
    medtone_analyzer_free(ref);
    long n = 1, failures = 0;
    for (;; n++) {
        alloc_arm(n);
        medtone_analyzer *a = (medtone_analyzer *)&n; /* reason: must be reset to NULL */
        medtone_status st = medtone_analyzer_new(NULL, &a);
        int hit = alloc_disarm();
        if (!hit) {
            assert_int_equal(st, MEDTONE_OK);
            an_take(a, &got);
            an_same(&want, &got); /* reason: the analyzer built at the end is the normal one */
            medtone_analyzer_free(a);
            break;
        }
        failures++;
        assert_int_equal(st, MEDTONE_ERR_NOMEM);
        assert_null(a);
        assert_int_equal(g_alloc.live, base); /* reason: a half-built analyzer leaks nothing */
        assert_true(n < ALLOC_MAX_N);
    }
    assert_true(failures > 10);
    assert_int_equal(g_alloc.live, base);
}

/* One kind of load, repeated with the Nth allocation failing, into the same analyzer: a failure
 * leaves it as it was (and says why); the final successful load adds one layer. */
typedef medtone_status (*load_fn)(medtone_analyzer *a, const void *arg);

static void load_loop(int embedded, load_fn load, const void *arg, int cue)
{
    long live = g_alloc.live, failures = 0;
    medtone_analyzer *a = alloc_test_analyzer(embedded);
    an_snapshot before, after;
    an_take(a, &before);
    for (long n = 1;; n++) {
        alloc_arm(n);
        medtone_status st = load(a, arg);
        int hit = alloc_disarm();
        if (!hit) {
            assert_int_equal(st, MEDTONE_OK);
            break;
        }
        failures++;
        assert_int_equal(st, MEDTONE_ERR_NOMEM);
        assert_true(strstr(medtone_analyzer_last_error(a), "out of memory") != NULL);
        an_take(a, &after);
        an_same(&before, &after);
        assert_true(n < ALLOC_MAX_N);
    }
    assert_true(failures > 2);
    an_take(a, &after);
    /* reason: a sentiment load adds a layer; a cue load adds none to the sentiment list */
    assert_int_equal(after.layers, before.layers + (cue ? 0 : 1));
    medtone_analyzer_free(a);
    assert_int_equal(g_alloc.live, live); /* reason: nothing leaked on any of the failures */
}

typedef struct blob {
    const char *data;
    size_t len;
} blob;

static medtone_status load_lex_data(medtone_analyzer *a, const void *arg)
{
    const blob *b = arg;
    return medtone_analyzer_load_lexicon_data(a, "ours.tsv", b->data, b->len);
}

static medtone_status load_cue_data(medtone_analyzer *a, const void *arg)
{
    const blob *b = arg;
    return medtone_analyzer_load_cues_data(a, "our-cues.tsv", b->data, b->len);
}

static medtone_status load_lex_file(medtone_analyzer *a, const void *arg)
{
    return medtone_analyzer_load_lexicon(a, arg);
}

static medtone_status load_cue_file(medtone_analyzer *a, const void *arg)
{
    return medtone_analyzer_load_cues(a, arg);
}

static void test_lexicon_loads(void **state)
{
    (void)state;
    long base = g_alloc.live; /* 0 unless an earlier test failed */
    size_t len, gz_len, cgz_len;
    char *lex = make_lexicon(&len);
    unsigned char *gz = gzip_of(lex, len, &gz_len);
    unsigned char *cgz = gzip_of(cue_layer, sizeof cue_layer - 1, &cgz_len);
    blob plain = {lex, len}, zipped = {(const char *)gz, gz_len};
    blob cues = {cue_layer, sizeof cue_layer - 1}, cues_gz = {(const char *)cgz, cgz_len};
    char plain_path[512], gz_path[512];
    snprintf(plain_path, sizeof plain_path, "%s", tmp_path("ours.tsv"));
    snprintf(gz_path, sizeof gz_path, "%s", tmp_path("ours.tsv.gz"));
    write_file(plain_path, lex, len);
    write_file(gz_path, gz, gz_len);

    for (int embedded = 0; embedded <= 1; embedded++) {
        load_loop(embedded, load_lex_data, &plain, 0);
        load_loop(embedded, load_lex_data, &zipped, 0);
        load_loop(embedded, load_cue_data, &cues, 1);
        load_loop(embedded, load_cue_data, &cues_gz, 1);
    }
    load_loop(1, load_lex_file, plain_path, 0);
    load_loop(1, load_lex_file, gz_path, 0);
    load_loop(0, load_cue_file, gz_path, 1); /* any layer is a valid cue layer */
    free(lex);
    free(gz);
    free(cgz);
    assert_int_equal(g_alloc.live, base);
}

/* ----- tokenizing and analysis -------------------------------------------------------------- */

static void test_tokenize(void **state)
{
    (void)state;
    long base = g_alloc.live; /* 0 unless an earlier test failed */
    medtone_tokens *ref = medtone_tokens_new();
    assert_non_null(ref);
    assert_int_equal(medtone_tokenize(mixed_post, sizeof mixed_post - 1, ref), MEDTONE_OK);
    size_t want = medtone_tokens_count(ref);
    medtone_tokens_free(ref);
    for (long n = 1;; n++) {
        alloc_arm(n);
        medtone_tokens *t = medtone_tokens_new();
        medtone_status st =
            t ? medtone_tokenize(mixed_post, sizeof mixed_post - 1, t) : MEDTONE_ERR_NOMEM;
        int hit = alloc_disarm();
        if (!hit) {
            assert_int_equal(st, MEDTONE_OK);
            assert_int_equal(medtone_tokens_count(t), want);
            medtone_tokens_free(t);
            break;
        }
        assert_int_equal(st, MEDTONE_ERR_NOMEM);
        if (t) {
            assert_int_equal(medtone_tokens_count(t), 0); /* reason: "tokens left empty" */
            /* reason: the list stays usable */
            assert_int_equal(medtone_tokenize(mixed_post, sizeof mixed_post - 1, t), MEDTONE_OK);
            assert_int_equal(medtone_tokens_count(t), want);
            medtone_tokens_free(t);
        }
        assert_int_equal(g_alloc.live, base);
        assert_true(n < ALLOC_MAX_N);
    }
}

typedef struct res_snapshot {
    double compound, pos, neu, neg;
    size_t nterms, ntokens;
    double flag[64];
    size_t evidence[64];
} res_snapshot;

static void res_take(const medtone_result *r, res_snapshot *s)
{
    memset(s, 0, sizeof *s);
    s->compound = medtone_result_compound(r);
    s->pos = medtone_result_positive(r);
    s->neu = medtone_result_neutral(r);
    s->neg = medtone_result_negative(r);
    s->nterms = medtone_result_term_count(r);
    s->ntokens = medtone_tokens_count(medtone_result_tokens(r));
    for (size_t f = 0; f < medtone_flag_count() && f < 64; f++) {
        s->flag[f] = medtone_result_flag_score(r, f);
        s->evidence[f] = medtone_result_evidence_count(r, f);
    }
}

static void res_same(const res_snapshot *x, const res_snapshot *y)
{
    assert_memory_equal(x, y, sizeof *x);
}

/* Analysis with every flag, into a fresh result (everything allocated on first use) and into a
 * result that held a short text before (buffers grow). A failure leaves the result empty and
 * usable: analyzing again gives the reference answer. */
static void test_analyze(void **state)
{
    (void)state;
    long base = g_alloc.live; /* 0 unless an earlier test failed */
    medtone_analyzer *a = alloc_test_analyzer(1);
    medtone_result *r = medtone_result_new();
    assert_non_null(r);
    assert_int_equal(medtone_analyze(a, mixed_post, sizeof mixed_post - 1, r), MEDTONE_OK);
    res_snapshot want, got;
    res_take(r, &want);
    medtone_result_free(r);
    /* reason: the post raises flags, so their paths (and allocations) run */
    size_t fired = 0;
    for (size_t f = 0; f < medtone_flag_count(); f++)
        fired += want.evidence[f] > 0;
    assert_true(fired >= 5);

    long live = g_alloc.live;
    for (int used = 0; used <= 1; used++) {
        long failures = 0;
        for (long n = 1;; n++) {
            medtone_result *res = NULL;
            if (used) {
                res = medtone_result_new();
                assert_non_null(res);
                assert_int_equal(medtone_analyze(a, "ok", 2, res), MEDTONE_OK);
            }
            alloc_arm(n);
            if (!used) res = medtone_result_new();
            medtone_status st = res ? medtone_analyze(a, mixed_post, sizeof mixed_post - 1, res)
                                    : MEDTONE_ERR_NOMEM;
            int hit = alloc_disarm();
            if (!hit) {
                assert_int_equal(st, MEDTONE_OK);
                res_take(res, &got);
                res_same(&want, &got);
                medtone_result_free(res);
                break;
            }
            failures++;
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            if (res) {
                /* reason: "on failure the result is left empty (compound 0)" */
                assert_true(medtone_result_compound(res) == 0);
                assert_int_equal(medtone_result_term_count(res), 0);
                for (size_t f = 0; f < medtone_flag_count(); f++) {
                    assert_int_equal(medtone_result_evidence_count(res, f), 0);
                    assert_int_equal(medtone_result_flag_fired(res, f), 0);
                }
                assert_int_equal(medtone_analyze(a, mixed_post, sizeof mixed_post - 1, res),
                                 MEDTONE_OK);
                res_take(res, &got);
                res_same(&want, &got);
                medtone_result_free(res);
            }
            assert_int_equal(g_alloc.live, live);
            assert_true(n < ALLOC_MAX_N);
        }
        assert_true(failures > 3);
    }
    medtone_analyzer_free(a);
    assert_int_equal(g_alloc.live, base);
}

/* ----- reputation: entities ------------------------------------------------------------------ */

static const char registry_tsv[] =
    "id\tname\tkind\taliases\n"
    "# the registry of a small health system\n"
    "st-mary\tSt Mary\thospital\t@StMaryHealth|#StMarys|Saint Mary's\n"
    "riverside\tRiverside General\thospital\tRiverside|RGH\n"
    "okafor\tDr. Amara Okafor\tdoctor\tDr Okafor|Okafor\n"
    "sertraline\tSertraline\tdrug\tZoloft\n"
    "lakeside\tLakeside Clinic\tclinic\t@LakesideClinic\n";

static medtone_entities *new_registry(void)
{
    medtone_entities *e = medtone_entities_new();
    assert_non_null(e);
    assert_int_equal(
        medtone_entities_load_data(e, "reg.tsv", registry_tsv, sizeof registry_tsv - 1),
        MEDTONE_OK);
    return e;
}

typedef struct reg_snapshot {
    size_t count;
    size_t aliases[16];
    size_t found, hits[16];
} reg_snapshot;

static void reg_take(const medtone_entities *e, medtone_result *r, reg_snapshot *s)
{
    memset(s, 0, sizeof *s);
    s->count = medtone_entities_count(e);
    for (size_t i = 0; i < s->count && i < 16; i++)
        s->aliases[i] = medtone_entity_alias_count(e, i);
    assert_int_equal(medtone_entities_match(e, r, s->hits, 16, &s->found), MEDTONE_OK);
}

static void test_entities(void **state)
{
    (void)state;
    long base = g_alloc.live; /* 0 unless an earlier test failed */
    medtone_analyzer *a = alloc_test_analyzer(1);
    medtone_result *r = medtone_result_new();
    assert_non_null(r);
    assert_int_equal(medtone_analyze(a, mixed_post, sizeof mixed_post - 1, r), MEDTONE_OK);
    reg_snapshot before, after;
    size_t gz_len;
    unsigned char *gz = gzip_of(registry_tsv, sizeof registry_tsv - 1, &gz_len);

    /* new + load from memory, plain and gzip */
    long live0 = g_alloc.live;
    for (int zipped = 0; zipped <= 1; zipped++) {
        for (long n = 1;; n++) {
            alloc_arm(n);
            medtone_entities *e = medtone_entities_new();
            medtone_status st =
                !e       ? MEDTONE_ERR_NOMEM
                : zipped ? medtone_entities_load_data(e, "reg.tsv.gz", (const char *)gz, gz_len)
                         : medtone_entities_load_data(e, "reg.tsv", registry_tsv,
                                                      sizeof registry_tsv - 1);
            int hit = alloc_disarm();
            if (!hit) {
                assert_int_equal(st, MEDTONE_OK);
                assert_int_equal(medtone_entities_count(e), 5);
                medtone_entities_free(e);
                break;
            }
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            if (e) {
                /* reason: all or nothing */
                assert_int_equal(medtone_entities_count(e), 0);
                medtone_entities_free(e);
            }
            assert_int_equal(g_alloc.live, live0);
            assert_true(n < ALLOC_MAX_N);
        }
    }

    /* add, add_alias and a second load into a registry that already holds entities */
    medtone_entities *e = new_registry();
    reg_take(e, r, &before);
    for (int op = 0; op < 3; op++) {
        for (long n = 1;; n++) {
            alloc_arm(n);
            medtone_status st;
            size_t idx = 99;
            if (op == 0)
                st = medtone_entities_add(e, "harbor", "Harbor Valley Medical Center",
                                          MEDTONE_ENTITY_HOSPITAL, &idx);
            else if (op == 1)
                st = medtone_entities_add_alias(e, 1, "Riverside General Hospital ER");
            else
                st = medtone_entities_load_data(e, "more.tsv",
                                                "zerevia\tZerevia\tdrug\tzrv|Zerevia XR\n"
                                                "valley\tValley Clinic\tclinic\n",
                                                strlen("zerevia\tZerevia\tdrug\tzrv|Zerevia XR\n"
                                                       "valley\tValley Clinic\tclinic\n"));
            int hit = alloc_disarm();
            if (!hit) {
                assert_int_equal(st, MEDTONE_OK);
                if (op == 0) assert_int_equal(idx, 5);
                break;
            }
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            reg_take(e, r, &after);
            assert_memory_equal(&before, &after, sizeof before);
            assert_true(n < ALLOC_MAX_N);
        }
        reg_take(e, r, &before);
    }
    assert_int_equal(medtone_entities_count(e), 8);
    medtone_entities_free(e);
    medtone_result_free(r);
    medtone_analyzer_free(a);
    free(gz);
    assert_int_equal(g_alloc.live, base);
}

/* ----- reputation: aggregators --------------------------------------------------------------- */

#define T0  1772409600LL /* Monday 2026-03-02 00:00 UTC */
#define DAY 86400LL

typedef struct agg_snapshot {
    double v[8][6][14];
    double crisis[8][6];
    size_t buckets;
    int empty;
} agg_snapshot;

static void agg_take(const medtone_aggregator *agg, agg_snapshot *s)
{
    memset(s, 0, sizeof *s);
    s->buckets = medtone_aggregator_bucket_count(agg);
    s->empty = medtone_aggregator_empty(agg);
    for (size_t e = 0; e < 8; e++)
        for (size_t b = 0; b < 6; b++) {
            size_t bucket = b == 5 ? MEDTONE_ALL_BUCKETS : b;
            for (int k = 0; k <= MEDTONE_STAT_REPUTATION; k++)
                s->v[e][b][k] = medtone_aggregator_stat(agg, e, bucket, (medtone_stat)k);
            s->crisis[e][b] = medtone_aggregator_flag_count(agg, e, bucket, MEDTONE_FLAG_CRISIS);
        }
}

static const char *const posts[] = {
    "St Mary nurses were wonderful, thank you!",
    "waited 6 hours at Riverside, awful and rude",
    "Dr Okafor listened to me",
    "Zoloft gave me a rash",
    "I want to end it all tonight",
    "big pharma hides the miracle cure, share before they delete it",
    "@LakesideClinic billing charged me twice",
};

/* Adds posts (analyzed with a) for `count` posts starting at post number `first`. */
static void add_posts(medtone_aggregator *agg, const medtone_entities *ents,
                      const medtone_analyzer *a, medtone_result *r, int first, int count)
{
    for (int i = first; i < first + count; i++) {
        const char *p = posts[i % 7];
        assert_int_equal(medtone_analyze(a, p, strlen(p), r), MEDTONE_OK);
        size_t hit[8], found;
        assert_int_equal(medtone_entities_match(ents, r, hit, 8, &found), MEDTONE_OK);
        char id[32];
        snprintf(id, sizeof id, "post-%d", i);
        for (size_t k = 0; k < found && k < 8; k++)
            assert_int_equal(medtone_aggregator_add(agg, hit[k], T0 + (i % 40) * DAY + i, r, id),
                             MEDTONE_OK);
    }
}

static void test_aggregator(void **state)
{
    (void)state;
    long base = g_alloc.live; /* 0 unless an earlier test failed */
    medtone_analyzer *a = alloc_test_analyzer(1);
    medtone_result *r = medtone_result_new();
    assert_non_null(r);
    medtone_entities *ents = new_registry();
    agg_snapshot before, after;

    /* new */
    for (long n = 1;; n++) {
        alloc_arm(n);
        medtone_aggregator *agg = (medtone_aggregator *)&n;
        medtone_status st = medtone_aggregator_new(ents, &agg);
        int hit = alloc_disarm();
        if (!hit) {
            assert_int_equal(st, MEDTONE_OK);
            medtone_aggregator_free(agg);
            break;
        }
        assert_int_equal(st, MEDTONE_ERR_NOMEM);
        assert_null(agg); /* reason: "NULL in *out on failure" */
        assert_true(n < ALLOC_MAX_N);
    }

    /* add: into an empty aggregator, then posts that open new buckets and new entities */
    medtone_aggregator *agg = NULL;
    assert_int_equal(medtone_aggregator_new(ents, &agg), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_set_option(agg, MEDTONE_AGG_BUCKET_DAYS, 1), MEDTONE_OK);
    for (int i = 0; i < 60; i++) {
        const char *p = posts[i % 7];
        assert_int_equal(medtone_analyze(a, p, strlen(p), r), MEDTONE_OK);
        char id[32];
        snprintf(id, sizeof id, "post-%d", i);
        agg_take(agg, &before);
        for (long n = 1;; n++) {
            alloc_arm(n);
            medtone_status st =
                medtone_aggregator_add(agg, (size_t)(i * 3 % 5), T0 + (i % 9) * DAY, r, id);
            int hit = alloc_disarm();
            if (!hit) {
                assert_int_equal(st, MEDTONE_OK);
                break;
            }
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            agg_take(agg, &after);
            assert_memory_equal(&before, &after, sizeof before);
            assert_true(n < ALLOC_MAX_N);
        }
    }

    /* merge: src's posts into a dst that has some of its own */
    medtone_aggregator *src = NULL, *dst = NULL;
    assert_int_equal(medtone_aggregator_new(ents, &src), MEDTONE_OK);
    assert_int_equal(medtone_aggregator_new(ents, &dst), MEDTONE_OK);
    add_posts(src, ents, a, r, 0, 50);
    add_posts(dst, ents, a, r, 50, 10);
    agg_take(dst, &before);
    for (long n = 1;; n++) {
        alloc_arm(n);
        medtone_status st = medtone_aggregator_merge(dst, src);
        int hit = alloc_disarm();
        if (!hit) {
            assert_int_equal(st, MEDTONE_OK);
            break;
        }
        assert_int_equal(st, MEDTONE_ERR_NOMEM);
        agg_take(dst, &after);
        assert_memory_equal(&before, &after, sizeof before); /* reason: all or nothing */
        assert_true(n < ALLOC_MAX_N);
    }

    /* alerts */
    for (long n = 1;; n++) {
        long live = g_alloc.live;
        alloc_arm(n);
        medtone_alerts *al = (medtone_alerts *)&n;
        medtone_status st = medtone_aggregator_alerts(dst, &al);
        int hit = alloc_disarm();
        if (!hit) {
            assert_int_equal(st, MEDTONE_OK);
            medtone_alerts_free(al);
            break;
        }
        assert_int_equal(st, MEDTONE_ERR_NOMEM);
        assert_null(al);
        assert_int_equal(g_alloc.live, live);
        assert_true(n < ALLOC_MAX_N);
    }

    /* save: a failure leaves no file behind */
    char path[512];
    snprintf(path, sizeof path, "%s", tmp_path("state.gz"));
    for (long n = 1;; n++) {
        long live = g_alloc.live;
        alloc_arm(n);
        medtone_status st = medtone_aggregator_save(dst, path);
        int hit = alloc_disarm();
        if (!hit) {
            assert_int_equal(st, MEDTONE_OK);
            break;
        }
        assert_int_equal(st, MEDTONE_ERR_NOMEM);
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(g_alloc.live, live);
        assert_true(n < ALLOC_MAX_N);
    }

    /* load: into an empty aggregator and into one with posts */
    size_t state_len;
    unsigned char *state_data = read_file(path, &state_len);
    agg_snapshot want;
    agg_take(dst, &want);
    for (int full = 0; full <= 1; full++) {
        medtone_aggregator *into = NULL;
        assert_int_equal(medtone_aggregator_new(ents, &into), MEDTONE_OK);
        if (full) add_posts(into, ents, a, r, 100, 12);
        agg_take(into, &before);
        for (long n = 1;; n++) {
            alloc_arm(n);
            medtone_status st =
                medtone_aggregator_load_data(into, "state.gz", state_data, state_len);
            int hit = alloc_disarm();
            if (!hit) {
                assert_int_equal(st, MEDTONE_OK);
                break;
            }
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            agg_take(into, &after);
            assert_memory_equal(&before, &after, sizeof before);
            assert_true(n < ALLOC_MAX_N);
        }
        if (!full) {
            agg_take(into, &after);
            assert_memory_equal(&want, &after, sizeof want); /* reason: a load is exact */
        }
        medtone_aggregator_free(into);
    }
    free(state_data);
    unlink(path);

    medtone_aggregator_free(agg);
    medtone_aggregator_free(src);
    medtone_aggregator_free(dst);
    medtone_entities_free(ents);
    medtone_result_free(r);
    medtone_analyzer_free(a);
    assert_int_equal(g_alloc.live, base);
}

/* ----- the suite ------------------------------------------------------------------------------ */

static int setup(void **state)
{
    if (alloc_install(state) != 0) return -1;
    static char dir[256];
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/medtone-nomem-XXXXXX", base && *base ? base : "/tmp");
    g_dir = mkdtemp(dir);
    return g_dir ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    int rc = system(cmd);
    printf("test_alloc_failure: %ld allocation failures injected, each one clean\n", g_alloc.total);
    /* reason: every block the library allocated was freed */
    if (g_alloc.live != 0) {
        fprintf(stderr, "test_alloc_failure: %ld blocks still live at the end\n", g_alloc.live);
        return -1;
    }
    if (rc != 0) return -1;
    return alloc_uninstall(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),       cmocka_unit_test(test_analyzer_embedded),
        cmocka_unit_test(test_lexicon_loads), cmocka_unit_test(test_tokenize),
        cmocka_unit_test(test_analyze),       cmocka_unit_test(test_entities),
        cmocka_unit_test(test_aggregator),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
