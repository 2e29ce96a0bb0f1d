/* test_threads.c — what the header promises about threads, tested with threads.
 *
 * "An analyzer is read-only once built and may be shared by any number of threads; tokens and
 * result objects belong to one thread at a time." Eight threads share one analyzer (built-in
 * lexicons plus a user layer and a cue layer), each with its own result and token list, and
 * analyze different texts in different orders many times over. Every analysis must equal the
 * single-threaded reference exactly: score, shares, every term (span, entry, layer, valence,
 * contribution, rules), every flag (score, fired, sentiment, evidence) and every token. The same
 * goes for a shared entity registry (matching) and a shared aggregator (statistics and alerts),
 * which are read-only once built.
 *
 * Run it under ThreadSanitizer (tools/check.sh builds with -DMEDTONE_TSAN=ON) to catch data races
 * that happen not to change a result. MEDTONE_UNDER_VALGRIND (set by the valgrind step, which
 * runs threads one at a time) makes the workload smaller. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "medtone.h"
#include "medtone/reputation.h"

#define NTHREADS 8

/* T("...") keeps the length, so a text may hold a NUL. */
#define T(s)                                                                                       \
    {                                                                                              \
        s, sizeof s - 1                                                                            \
    }
static const struct {
    const char *s;
    size_t len;
} texts[] = {
    T("Huge thanks to the nurses on 4 West at @StMaryHealth, they were so kind to my dad "
      "\xE2\x9D\xA4\xEF\xB8\x8F"),
    T("Waited 4 hours in the ER at Riverside General and nobody even told us why. Unacceptable."),
    T("Dr. Okafor actually listened to me and took the time to explain my options. Best doctor!"),
    T("Biopsy came back benign!!! I can finally breathe again \xF0\x9F\x99\x8F"),
    T("Tested positive for covid again. Third time this year, so tired of this."),
    T("Started sertraline 6 weeks ago and my anxiety is finally under control. No side effects."),
    T("This new blood pressure med gives me a constant dry cough. Calling my doctor tomorrow."),
    T("The billing department at Lakeside Clinic is a nightmare. Charged twice, on hold 45 min."),
    T("@LakesideClinic still waiting on a callback about my referral... it's been two weeks"),
    T("Scan came back clear. Cancer-free for 5 years today! Thank you oncology team "
      "\xF0\x9F\x8E\x89"),
    T("Front desk was rude, the doctor was rushed, and they lost my lab results. Never going "
      "back."),
    T("not very good, but no more pain since the surgery!"),
    T("the nurse was GREAT!!! sooo good :-))) <3"),
    T("I can't take this anymore. I want to end it all tonight"),
    T("Big Pharma is hiding the cure!!! share before they delete this https://example-cures.com/x"),
    T("My name is Jane Doe, DOB 12/05/1980, MRN 4455667, phone 555-123-4567, I have HIV"),
    T("took 10 mg lisinopril 2x/day and got a rash and swelling \xF0\x9F\x98\xA1"),
    T("#COVID-19 $PFE 12.5 % at 9 am, $20 copay, 2024-03-01 name@example.org www.cdc.gov/flu"),
    T("although it hurt, it worked. the least helpful front desk ever; kind of rude"),
    T("kind of rude staff but the zerevia helped, brain fog gone, valet parking was a joke"),
    T(""),
    T("\xFF\xFE broken \xC0\xAF bytes \xED\xA0\x80 and a NUL\0inside"),
    T("our bedside manner award!!! St Mary is the best hospital, Riverside the worst"),
    T("Parking was $20 and the food was not very good :( but the food at St Mary was great"),
};
#define NTEXTS (sizeof texts / sizeof texts[0])

static medtone_analyzer *g_an;
static medtone_entities *g_ents;
static medtone_aggregator *g_agg;
static uint64_t g_ref[NTEXTS];     /* analysis fingerprints, single-threaded */
static uint64_t g_tok_ref[NTEXTS]; /* tokenizer fingerprints */
static uint64_t g_match_ref[NTEXTS];
static uint64_t g_agg_ref;
static int g_passes;

/* ----- fingerprints: FNV-1a over every value a caller can read ----------------------------- */

static void mix(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        *h ^= b[i];
        *h *= 0x100000001b3ull;
    }
}

static void mix_d(uint64_t *h, double v)
{
    mix(h, &v, sizeof v);
}

static void mix_z(uint64_t *h, size_t v)
{
    mix(h, &v, sizeof v);
}

static void mix_s(uint64_t *h, const char *s)
{
    mix(h, s, strlen(s) + 1);
}

static uint64_t tokens_print(const medtone_tokens *t)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t n = medtone_tokens_count(t);
    mix_z(&h, n);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *norm = medtone_token_normalized(t, i, &len);
        mix(&h, norm, len);
        mix_z(&h, medtone_token_offset(t, i));
        mix_z(&h, medtone_token_length(t, i));
        mix_z(&h, (size_t)medtone_token_kind_of(t, i));
        mix_z(&h, medtone_token_flags(t, i));
        mix_z(&h, medtone_token_repeat(t, i));
    }
    return h;
}

static uint64_t result_print(const medtone_result *r)
{
    uint64_t h = tokens_print(medtone_result_tokens(r));
    mix_d(&h, medtone_result_compound(r));
    mix_d(&h, medtone_result_positive(r));
    mix_d(&h, medtone_result_neutral(r));
    mix_d(&h, medtone_result_negative(r));
    size_t n = medtone_result_term_count(r);
    mix_z(&h, n);
    for (size_t i = 0; i < n; i++) {
        mix_z(&h, medtone_result_term_offset(r, i));
        mix_z(&h, medtone_result_term_length(r, i));
        mix_s(&h, medtone_result_term_entry(r, i));
        mix_s(&h, medtone_result_term_layer(r, i));
        mix_d(&h, medtone_result_term_valence(r, i));
        mix_d(&h, medtone_result_term_contribution(r, i));
        mix_z(&h, medtone_result_term_rules(r, i));
    }
    for (size_t f = 0; f < medtone_flag_count(); f++) {
        mix_d(&h, medtone_result_flag_score(r, f));
        mix_z(&h, (size_t)medtone_result_flag_fired(r, f));
        mix_d(&h, medtone_result_flag_sentiment(r, f));
        size_t ne = medtone_result_evidence_count(r, f);
        mix_z(&h, ne);
        for (size_t k = 0; k < ne; k++) {
            mix_z(&h, medtone_result_evidence_offset(r, f, k));
            mix_z(&h, medtone_result_evidence_length(r, f, k));
            mix_s(&h, medtone_result_evidence_cue(r, f, k));
        }
    }
    return h;
}

static uint64_t match_print(const medtone_result *r)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t hit[16], found = 0;
    if (medtone_entities_match(g_ents, r, hit, 16, &found) != MEDTONE_OK) return 0;
    mix_z(&h, found);
    for (size_t k = 0; k < found && k < 16; k++)
        mix_z(&h, hit[k]);
    size_t cursor = 0, e, off, len;
    while (medtone_entities_next_mention(g_ents, r, &cursor, &e, &off, &len) == MEDTONE_OK) {
        mix_z(&h, e);
        mix_z(&h, off);
        mix_z(&h, len);
    }
    return h;
}

static uint64_t aggregator_print(void)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t nb = medtone_aggregator_bucket_count(g_agg);
    mix_z(&h, nb);
    for (size_t e = 0; e < medtone_entities_count(g_ents); e++)
        for (size_t b = 0; b <= nb; b++) {
            size_t bucket = b == nb ? MEDTONE_ALL_BUCKETS : b;
            for (int s = 0; s <= MEDTONE_STAT_REPUTATION; s++)
                mix_d(&h, medtone_aggregator_stat(g_agg, e, bucket, (medtone_stat)s));
            for (size_t f = 0; f < medtone_flag_count(); f++) {
                mix_d(&h, medtone_aggregator_flag_count(g_agg, e, bucket, f));
                mix_d(&h, medtone_aggregator_flag_sentiment(g_agg, e, bucket, f));
            }
        }
    medtone_alerts *al = NULL;
    if (medtone_aggregator_alerts(g_agg, &al) != MEDTONE_OK) return 0;
    for (size_t i = 0; i < medtone_alerts_count(al); i++) {
        mix_z(&h, (size_t)medtone_alert_kind_of(al, i));
        mix_z(&h, medtone_alert_entity(al, i));
        mix_z(&h, medtone_alert_bucket(al, i));
        mix_d(&h, medtone_alert_score(al, i));
        for (size_t k = 0; k < medtone_alert_post_count(al, i); k++)
            mix_s(&h, medtone_alert_post_id(al, i, k));
    }
    medtone_alerts_free(al);
    return h;
}

/* ----- the threads -------------------------------------------------------------------------- */

typedef struct worker {
    int id;
    long analyses, mismatches;
    char first_error[160];
} worker;

static void mismatch(worker *w, const char *what, size_t text)
{
    if (!w->mismatches++)
        snprintf(w->first_error, sizeof w->first_error, "thread %d: %s differs on text %zu", w->id,
                 what, text);
}

static void *run(void *arg)
{
    worker *w = arg;
    medtone_result *r = medtone_result_new();
    medtone_tokens *t = medtone_tokens_new();
    if (!r || !t) {
        mismatch(w, "allocation", 0);
        goto out;
    }
    for (int pass = 0; pass < g_passes; pass++) {
        for (size_t k = 0; k < NTEXTS; k++) {
            /* each thread walks the texts from its own start, forwards or backwards */
            size_t i = w->id & 1 ? (w->id * 5 + pass + k) % NTEXTS
                                 : (NTEXTS * 4 - 1 - (w->id * 3 + pass + k) % NTEXTS) % NTEXTS;
            if (medtone_analyze(g_an, texts[i].s, texts[i].len, r) != MEDTONE_OK) {
                mismatch(w, "status", i);
                continue;
            }
            w->analyses++;
            if (result_print(r) != g_ref[i]) mismatch(w, "analysis", i);
            if (match_print(r) != g_match_ref[i]) mismatch(w, "entity match", i);
            if (medtone_tokenize(texts[i].s, texts[i].len, t) != MEDTONE_OK ||
                tokens_print(t) != g_tok_ref[i])
                mismatch(w, "tokens", i);
        }
        if (pass % 8 == w->id % 8 && aggregator_print() != g_agg_ref) mismatch(w, "aggregator", 0);
    }
out:
    medtone_result_free(r);
    medtone_tokens_free(t);
    return NULL;
}

static int setup(void **state)
{
    (void)state;
    const char *vg = getenv("MEDTONE_UNDER_VALGRIND");
    g_passes = vg && *vg ? 10 : 200;
    if (medtone_analyzer_new(NULL, &g_an) != MEDTONE_OK) return -1;
    static const char layer[] = "#@ layer ours\nbedside manner award\t3\nzerevia\t1\n";
    static const char cues[] = "zerevia\t1\tdrug\nbrain fog\t1\treaction\nvalet\t1\tparking\n";
    if (medtone_analyzer_load_lexicon_data(g_an, "ours", layer, sizeof layer - 1) != MEDTONE_OK ||
        medtone_analyzer_load_cues_data(g_an, "cues", cues, sizeof cues - 1) != MEDTONE_OK)
        return -1;
    static const char reg[] = "st-mary\tSt Mary\thospital\t@StMaryHealth\n"
                              "riverside\tRiverside General\thospital\tRiverside\n"
                              "okafor\tDr. Okafor\tdoctor\n"
                              "lakeside\tLakeside Clinic\tclinic\t@LakesideClinic\n"
                              "sertraline\tSertraline\tdrug\n";
    g_ents = medtone_entities_new();
    if (!g_ents || medtone_entities_load_data(g_ents, "reg", reg, sizeof reg - 1) != MEDTONE_OK)
        return -1;
    if (medtone_aggregator_new(g_ents, &g_agg) != MEDTONE_OK) return -1;
    if (medtone_aggregator_set_option(g_agg, MEDTONE_AGG_BUCKET_DAYS, 1) != MEDTONE_OK) return -1;

    /* the single-threaded reference, which also fills the aggregator */
    medtone_result *r = medtone_result_new();
    medtone_tokens *t = medtone_tokens_new();
    if (!r || !t) return -1;
    for (int rep = 0; rep < 30; rep++)
        for (size_t i = 0; i < NTEXTS; i++) {
            if (medtone_analyze(g_an, texts[i].s, texts[i].len, r) != MEDTONE_OK) return -1;
            g_ref[i] = result_print(r);
            g_match_ref[i] = match_print(r);
            size_t hit[16], found;
            if (medtone_entities_match(g_ents, r, hit, 16, &found) != MEDTONE_OK) return -1;
            char id[32];
            snprintf(id, sizeof id, "post-%d-%zu", rep, i);
            for (size_t k = 0; k < found && k < 16; k++)
                if (medtone_aggregator_add(g_agg, hit[k], 1772409600LL + rep * 86400LL, r, id) !=
                    MEDTONE_OK)
                    return -1;
            if (medtone_tokenize(texts[i].s, texts[i].len, t) != MEDTONE_OK) return -1;
            g_tok_ref[i] = tokens_print(t);
        }
    medtone_result_free(r);
    medtone_tokens_free(t);
    g_agg_ref = aggregator_print();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    medtone_aggregator_free(g_agg);
    medtone_entities_free(g_ents);
    medtone_analyzer_free(g_an);
    return 0;
}

/* reason: the texts differ from one another, so equal prints are not a coincidence of blanks */
static void test_reference_is_varied(void **state)
{
    (void)state;
    size_t distinct = 0;
    for (size_t i = 0; i < NTEXTS; i++) {
        int seen = 0;
        for (size_t j = 0; j < i; j++)
            seen |= g_ref[j] == g_ref[i];
        distinct += !seen;
    }
    assert_int_equal(distinct, NTEXTS);
}

static void test_eight_threads_one_analyzer(void **state)
{
    (void)state;
    pthread_t th[NTHREADS];
    worker w[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].id = i;
        assert_int_equal(pthread_create(&th[i], NULL, run, &w[i]), 0);
    }
    long total = 0;
    for (int i = 0; i < NTHREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        if (w[i].mismatches) fprintf(stderr, "%s (%ld times)\n", w[i].first_error, w[i].mismatches);
        total += w[i].analyses;
    }
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(w[i].mismatches, 0);
    assert_int_equal(total, (long)NTHREADS * g_passes * (long)NTEXTS);
    printf("test_threads: %ld analyses on %d threads, all equal to the single-threaded run\n",
           total, NTHREADS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_is_varied),
        cmocka_unit_test(test_eight_threads_one_analyzer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
