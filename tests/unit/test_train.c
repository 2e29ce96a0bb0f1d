/* test_train.c — learning lexicon layers (include/medtone/train.h, docs/train.md): a planted
 * signal is found and noise is not, the same seed gives the same bytes, a layer scores the same
 * from memory and from a file and exactly as the trainer's model says, learned cues never touch
 * hand-written ones, bad input gets a clear status, and streaming works in bounded memory. Failing
 * allocations are test_alloc_failure_train.c's.
 *
 * Data is synthetic, made here by a seeded generator; expectations are orderings and signs. */
#define _POSIX_C_SOURCE 200809L /* getpid */
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

#include "analyzer.h"
#include "flags.h"
#include "lexicon.h"
#include "ngrams.h"
#include "result.h"
#include "train.h"

#include "alloc_fail_util.h" /* alloc_test_analyzer */

/* ----- helpers ---------------------------------------------------------------------------- */

static uint64_t g_rng;

static unsigned rnd(unsigned n)
{
    g_rng = g_rng * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((g_rng >> 33) % n);
}

static const char *const filler[] = {"the",   "clinic", "said",     "today",   "people", "were",
                                     "told",  "about",  "new",      "results", "from",   "a",
                                     "study", "on",     "patients", "and",     "staff",  "in",
                                     "town",  "this",   "week",     "report",  "shows",  "data"};
#define NFILLER (sizeof filler / sizeof filler[0])

/* A synthetic post: a few filler words, the signal word for a positive row (flags: `yes`;
 * sentiment: "glorp" up, "blarg" down), and the noise word "plimp" in half of all rows. */
static void make_row(char *buf, size_t cap, int cls, int sentiment)
{
    size_t n = 0;
    int words = 6 + (int)rnd(6), signal_at = (int)rnd((unsigned)words), noise = rnd(2) == 0;
    int noise_at = (signal_at + 1 + (int)rnd((unsigned)words - 1)) % words; /* not the signal's */
    for (int w = 0; w < words; w++) {
        const char *word = filler[rnd(NFILLER)];
        if (w == signal_at && (sentiment ? cls != 1 : cls == 1))
            word = sentiment ? (cls == 2 ? "glorp" : "blarg") : "zorbly";
        else if (w == noise_at && noise)
            word = "plimp";
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", w ? " " : "", word);
    }
}

/* Adds `rows` synthetic rows; returns the first failing status. */
static medtone_status add_rows(medtone_trainer *t, int rows, int sentiment, uint64_t seed)
{
    g_rng = seed;
    char buf[256];
    for (int i = 0; i < rows; i++) {
        int cls = sentiment ? (int)rnd(3) : (int)rnd(2);
        make_row(buf, sizeof buf, cls, sentiment);
        double label = sentiment ? cls - 1 : cls;
        if (!sentiment && rnd(20) == 0) label = 1 - label; /* some labels are wrong */
        medtone_status st = medtone_trainer_add(t, buf, strlen(buf), label);
        if (st != MEDTONE_OK) return st;
    }
    return MEDTONE_OK;
}

static medtone_trainer *trained(const medtone_analyzer *an, size_t target, int rows, double seed)
{
    medtone_trainer *t = NULL;
    assert_int_equal(medtone_trainer_new(an, target, &t), MEDTONE_OK);
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_SEED, seed), MEDTONE_OK);
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_DATE, 0), MEDTONE_OK);
    assert_int_equal(add_rows(t, rows, target == MEDTONE_TRAIN_SENTIMENT, 7), MEDTONE_OK);
    assert_int_equal(medtone_trainer_fit(t, NULL), MEDTONE_OK);
    return t;
}

static double weight_of(const medtone_trainer *t, const char *term)
{
    for (size_t i = 0; i < medtone_trainer_term_count(t); i++)
        if (!strcmp(medtone_trainer_term(t, i), term)) return medtone_trainer_term_weight(t, i);
    return 0;
}

/* ----- learning --------------------------------------------------------------------------- */

static void test_planted_flag(void **state)
{
    (void)state;
    medtone_analyzer *an = alloc_test_analyzer(1);
    medtone_trainer *t = trained(an, MEDTONE_FLAG_MISINFO, 600, 1);
    /* reason: the word that decides the label has the largest weight; the noise word next to
     * nothing */
    assert_string_equal(medtone_trainer_term(t, 0), "zorbly");
    double top = medtone_trainer_term_weight(t, 0);
    assert_true(top > 1);
    assert_true(fabs(weight_of(t, "plimp")) < 0.1 * top);
    /* reason: weights come sorted, largest first */
    for (size_t i = 1; i < medtone_trainer_term_count(t); i++)
        assert_true(medtone_trainer_term_weight(t, i - 1) >= medtone_trainer_term_weight(t, i));
    /* reason: the signal separates the classes on held-out folds (up to the one label in twenty
     * that is wrong), far better than the hand-written flag, which knows nothing of "zorbly" */
    assert_int_equal(medtone_trainer_fold_count(t), 5);
    assert_true(medtone_trainer_metric(t, MEDTONE_METRIC_F1, MEDTONE_TRAIN_MEAN) > 0.9);
    assert_true(medtone_trainer_metric(t, MEDTONE_METRIC_AUC, 0) > 0.9);
    assert_true(medtone_trainer_baseline_metric(t, MEDTONE_METRIC_AUC, MEDTONE_TRAIN_MEAN) < 0.7);
    assert_true(isnan(medtone_trainer_metric(t, MEDTONE_METRIC_SPEARMAN, MEDTONE_TRAIN_MEAN)));
    assert_int_equal(medtone_trainer_row_count(t), 600);
    assert_int_equal(medtone_trainer_class_count(t, 0) + medtone_trainer_class_count(t, 1), 600);
    medtone_trainer_free(t);
    medtone_analyzer_free(an);
}

static void test_planted_sentiment(void **state)
{
    (void)state;
    medtone_analyzer *an = alloc_test_analyzer(0);
    medtone_trainer *t = trained(an, MEDTONE_TRAIN_SENTIMENT, 600, 1);
    size_t n = medtone_trainer_term_count(t);
    assert_true(n > 2);
    /* reason: the positive signal gets the highest valence, the negative one the lowest */
    assert_string_equal(medtone_trainer_term(t, 0), "glorp");
    assert_string_equal(medtone_trainer_term(t, n - 1), "blarg");
    assert_true(medtone_trainer_term_weight(t, 0) > 1);
    assert_true(medtone_trainer_term_weight(t, n - 1) < -1);
    assert_true(fabs(weight_of(t, "plimp")) < 0.1 * medtone_trainer_term_weight(t, 0));
    assert_true(medtone_trainer_metric(t, MEDTONE_METRIC_SPEARMAN, MEDTONE_TRAIN_MEAN) > 0.8);
    assert_true(isnan(medtone_trainer_metric(t, MEDTONE_METRIC_F1, MEDTONE_TRAIN_MEAN)));
    assert_true(medtone_trainer_bias(t) == 0);
    medtone_trainer_free(t);
    medtone_analyzer_free(an);
}

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    medtone_analyzer *an = alloc_test_analyzer(1);
    medtone_trainer *a = trained(an, MEDTONE_FLAG_MISINFO, 300, 3);
    medtone_trainer *b = trained(an, MEDTONE_FLAG_MISINFO, 300, 3);
    medtone_trainer *c = trained(an, MEDTONE_FLAG_MISINFO, 300, 4);
    const char *da, *db, *dc;
    size_t la, lb, lc;
    assert_int_equal(medtone_trainer_layer_data(a, "notes", &da, &la), MEDTONE_OK);
    assert_int_equal(medtone_trainer_layer_data(b, "notes", &db, &lb), MEDTONE_OK);
    assert_int_equal(medtone_trainer_layer_data(c, "notes", &dc, &lc), MEDTONE_OK);
    /* reason: same rows, options and seed give a byte-identical layer */
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);
    /* reason: another seed gives other folds and another order, so other numbers */
    assert_false(la == lc && !memcmp(da, dc, la));
    /* reason: the header names the target, the date fixed by the option, and the notes */
    assert_non_null(strstr(da, "#@ target misinfo\n"));
    assert_non_null(strstr(da, "# date: 1970-01-01\n"));
    assert_non_null(strstr(da, "# notes\n"));
    assert_non_null(strstr(da, "\tlearned\n"));
    medtone_trainer_free(a);
    medtone_trainer_free(b);
    medtone_trainer_free(c);
    medtone_analyzer_free(an);
}

static const char *const probe_texts[] = {
    "zorbly news from the clinic today",
    "the study shows new data in town",
    "plimp plimp zorbly zorbly, a report",
    "not zorbly at all this week",
    "",
};
#define NPROBES (sizeof probe_texts / sizeof probe_texts[0])

static char *temp_path(const char *name)
{
    static char buf[512];
    const char *dir = getenv("TMPDIR");
    snprintf(buf, sizeof buf, "%s/medtone-test-train-%ld-%s", dir && *dir ? dir : "/tmp",
             (long)getpid(), name);
    return buf;
}

typedef struct find_ctx {
    const char *term;
    int found;
} find_ctx;

static int find_term(void *user, const char *key, size_t len, size_t off, size_t span)
{
    (void)off;
    (void)span;
    find_ctx *f = user;
    if (strlen(f->term) == len && !memcmp(f->term, key, len)) f->found = 1;
    return 0;
}

static void test_reload_scores_same(void **state)
{
    (void)state;
    medtone_analyzer *an = alloc_test_analyzer(1);
    medtone_trainer *t = trained(an, MEDTONE_FLAG_MISINFO, 400, 1);
    const char *data;
    size_t len;
    assert_int_equal(medtone_trainer_layer_data(t, NULL, &data, &len), MEDTONE_OK);
    const char *path = temp_path("flag.tsv");
    assert_int_equal(medtone_trainer_write_layer(t, path, NULL), MEDTONE_OK);
    medtone_analyzer *mem = alloc_test_analyzer(1), *file = alloc_test_analyzer(1);
    assert_int_equal(medtone_analyzer_load_cues_data(mem, "learned", data, len), MEDTONE_OK);
    assert_int_equal(medtone_analyzer_load_cues(file, path), MEDTONE_OK);
    remove(path);
    medtone_result *r1 = medtone_result_new(), *r2 = medtone_result_new(),
                   *r0 = medtone_result_new();
    double bias = medtone_trainer_bias(t);
    for (size_t k = 0; k < NPROBES; k++) {
        const char *s = probe_texts[k];
        assert_int_equal(medtone_analyze(mem, s, strlen(s), r1), MEDTONE_OK);
        assert_int_equal(medtone_analyze(file, s, strlen(s), r2), MEDTONE_OK);
        assert_int_equal(medtone_analyze(an, s, strlen(s), r0), MEDTONE_OK);
        /* reason: from memory or from a file, the same layer scores the same */
        assert_true(medtone_result_flag_score(r1, 1) == medtone_result_flag_score(r2, 1));
        assert_int_equal(medtone_result_evidence_count(r1, 1),
                         medtone_result_evidence_count(r2, 1));
        /* reason: the layer applies exactly as the trainer's model: logistic(logit(hand score) +
         * bias + the weights of the distinct terms present), or leaves a text without terms */
        double sum = 0;
        int any = 0;
        const medtone_tokens *toks = medtone_result_tokens(r0);
        for (size_t i = 0; i < medtone_trainer_term_count(t); i++) {
            /* a term is present when the n-gram walk produces it */
            find_ctx f = {medtone_trainer_term(t, i), 0};
            char *buf = NULL;
            size_t cap = 0;
            int rc = mt_ngrams_each(toks, "", 0, &buf, &cap, find_term, &f);
            free(buf);
            assert_int_equal(rc, 0);
            if (f.found) {
                sum += medtone_trainer_term_weight(t, i);
                any = 1;
            }
        }
        double hand = medtone_result_flag_score(r0, 1);
        double want = any ? 1 / (1 + exp(-(mt_learned_logit(hand) + bias + sum))) : hand;
        assert_true(fabs(medtone_result_flag_score(r1, 1) - want) < 1e-6);
        /* reason: a text the learned layer fired lists the terms that raised it */
        if (any && medtone_result_flag_fired(r1, 1) && !medtone_result_flag_fired(r0, 1))
            assert_true(medtone_result_evidence_count(r1, 1) >
                        medtone_result_evidence_count(r0, 1));
    }
    /* reason: "zorbly" fires the flag and is its evidence */
    const char *s = probe_texts[0];
    assert_int_equal(medtone_analyze(mem, s, strlen(s), r1), MEDTONE_OK);
    assert_true(medtone_result_flag_fired(r1, 1));
    int listed = 0;
    for (size_t i = 0; i < medtone_result_evidence_count(r1, 1); i++)
        listed |= !strcmp(medtone_result_evidence_cue(r1, 1, i), "zorbly") &&
                  medtone_result_evidence_offset(r1, 1, i) == 0 &&
                  medtone_result_evidence_length(r1, 1, i) == 6;
    assert_true(listed);
    medtone_result_free(r0);
    medtone_result_free(r1);
    medtone_result_free(r2);
    medtone_analyzer_free(mem);
    medtone_analyzer_free(file);
    medtone_trainer_free(t);
    medtone_analyzer_free(an);
}

static void test_sentiment_layer_scores_as_model(void **state)
{
    (void)state;
    medtone_analyzer *an = alloc_test_analyzer(1);
    medtone_trainer *t = NULL;
    assert_int_equal(medtone_trainer_new(an, MEDTONE_TRAIN_SENTIMENT, &t), MEDTONE_OK);
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_FOLDS, 0), MEDTONE_OK);
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_MIN_COUNT, 2), MEDTONE_OK);
    static const char *const rows[] = {"the nurse was great and kind",
                                       "great care, glorp!",
                                       "awful wait, blarg",
                                       "not good at all, blarg",
                                       "the doctor was not helpful",
                                       "glorp glorp, very good",
                                       "kind staff but slow",
                                       "blarg: rude and slow",
                                       "good nurse glorp",
                                       "rude doctor blarg"};
    static const double labels[] = {0.8, 1, -1, -0.9, -0.6, 1, 0.2, -1, 0.9, -1};
    for (int rep = 0; rep < 5; rep++)
        for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++)
            assert_int_equal(medtone_trainer_add(t, rows[k], strlen(rows[k]), labels[k]),
                             MEDTONE_OK);
    assert_int_equal(medtone_trainer_fit(t, NULL), MEDTONE_OK);
    assert_true(weight_of(t, "glorp") > 0.5);
    assert_true(weight_of(t, "blarg") < -0.5);
    const char *data;
    size_t len;
    assert_int_equal(medtone_trainer_layer_data(t, NULL, &data, &len), MEDTONE_OK);
    /* reason: "not good" is learned as a two-word term that still negates what follows */
    assert_non_null(strstr(data, "\nnot good\t"));
    assert_non_null(strstr(data, "\tnegator\n"));
    medtone_analyzer *mem = alloc_test_analyzer(1), *file = alloc_test_analyzer(1);
    assert_int_equal(medtone_analyzer_load_lexicon_data(mem, "learned", data, len), MEDTONE_OK);
    const char *path = temp_path("sentiment.tsv");
    assert_int_equal(medtone_trainer_write_layer(t, path, "a note"), MEDTONE_OK);
    assert_int_equal(medtone_analyzer_load_lexicon(file, path), MEDTONE_OK);
    remove(path);
    medtone_result *r = medtone_result_new(), *r2 = medtone_result_new();
    static const char *const probes[] = {"the nurse was great", "GREAT care!!! glorp",
                                         "good but rude, blarg", "very kind staff", ""};
    mt_row row;
    mt_feat *feats = NULL;
    size_t nfeats = 0, cap = 0;
    for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++) {
        const char *s = probes[k];
        assert_int_equal(medtone_analyze(mem, s, strlen(s), r), MEDTONE_OK);
        assert_int_equal(medtone_analyze(file, s, strlen(s), r2), MEDTONE_OK);
        /* reason: from memory or from a file, the same layer scores the same */
        assert_true(medtone_result_compound(r) == medtone_result_compound(r2));
        /* reason: the scorer with the layer gives the compound the trainer's model predicted:
         * the model is the scorer's own sum, with rules measured by the scorer itself */
        nfeats = 0;
        assert_int_equal(
            mt_features_row(t->fx, t->vocab, t->info, 0, s, strlen(s), &row, &feats, &nfeats, &cap),
            MEDTONE_OK);
        double model = mt_model_compound(&t->models[t->nfolds], t->info, &row, feats);
        assert_true(fabs(model - medtone_result_compound(r)) < 1e-4);
    }
    /* reason: with no learned change the model is the hand-written scorer */
    mt_model zero;
    assert_int_equal(mt_model_init(&zero, mt_vocab_size(t->vocab)), 0);
    for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++) {
        const char *s = probes[k];
        assert_int_equal(medtone_analyze(an, s, strlen(s), r), MEDTONE_OK);
        nfeats = 0;
        assert_int_equal(
            mt_features_row(t->fx, t->vocab, t->info, 0, s, strlen(s), &row, &feats, &nfeats, &cap),
            MEDTONE_OK);
        assert_true(fabs(mt_model_compound(&zero, t->info, &row, feats) -
                         medtone_result_compound(r)) < 1e-6);
        assert_true(row.baseline == medtone_result_compound(r));
    }
    mt_model_free(&zero);
    free(feats);
    medtone_result_free(r);
    medtone_result_free(r2);
    medtone_analyzer_free(mem);
    medtone_analyzer_free(file);
    medtone_trainer_free(t);
    medtone_analyzer_free(an);
}

/* ----- the terms of a learned cue layer ----------------------------------------------------- */

typedef struct collect {
    char terms[64][64];
    size_t n;
} collect;

static int collect_term(void *user, const char *key, size_t len, size_t off, size_t span)
{
    (void)off;
    (void)span;
    collect *c = user;
    if (c->n < 64 && len < 64) {
        memcpy(c->terms[c->n], key, len);
        c->terms[c->n++][len] = '\0';
    }
    return 0;
}

static int has_term(const collect *c, const char *term)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->terms[i], term)) return 1;
    return 0;
}

static void test_ngrams(void **state)
{
    (void)state;
    static const struct {
        const char *text, *has, *lacks, *reason;
    } cases[] = {
        {"not effective", "not effective", "effective", "negation marks the word after it"},
        {"not very effective", "not effective", "effective", "the scope reaches three words"},
        {"not very effective", "very effective", "not very effective", "bigrams, no trigrams"},
        {"it was not bad. effective", "effective", "not effective", "a full stop ends the scope"},
        {"side effects were mild", "side effects", "side mild", "words pair with their neighbour"},
        {"side effects, mild", "mild", "effects mild", "punctuation ends a bigram"},
        {"See https://www.CDC.gov/flu now", "cdc.gov", "www.cdc.gov", "a link is its host"},
        {"#COVID19 cure", "covid19 cure", "#covid19", "hashtags as a lexicon writes them"},
        {"I don't trust it", "don't trust", "trust", "contractions negate too"},
        {"RT @CDCgov: masks", "@cdcgov", "rt masks", "mentions are units"},
    };
    medtone_tokens *t = medtone_tokens_new();
    char *buf = NULL;
    size_t cap = 0;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        collect c = {.n = 0};
        assert_int_equal(medtone_tokenize(cases[k].text, strlen(cases[k].text), t), MEDTONE_OK);
        assert_int_equal(mt_ngrams_each(t, "", 0, &buf, &cap, collect_term, &c), 0);
        if (!has_term(&c, cases[k].has) || has_term(&c, cases[k].lacks))
            fail_msg("'%s': %s", cases[k].text, cases[k].reason);
    }
    /* reason: a prefix is written before every term, for the learned-cue matcher */
    collect c = {.n = 0};
    assert_int_equal(medtone_tokenize("a b", 3, t), MEDTONE_OK);
    assert_int_equal(mt_ngrams_each(t,
                                    "\x01"
                                    "7\x01",
                                    3, &buf, &cap, collect_term, &c),
                     0);
    assert_true(has_term(&c, "\x01"
                             "7\x01"
                             "a b"));
    free(buf);
    medtone_tokens_free(t);
}

/* ----- learned cue layers in the lexicon ---------------------------------------------------- */

static void test_learned_layer_loading(void **state)
{
    (void)state;
    medtone_analyzer *an = alloc_test_analyzer(1);
    /* reason: a learned line needs the flag it corrects */
    assert_int_equal(medtone_analyzer_load_cues_data(an, "x", "hoax\t1\tlearned\n", 15),
                     MEDTONE_ERR_PARSE);
    assert_non_null(strstr(medtone_analyzer_last_error(an), "x:1: learned cue without"));
    const char *bad = "#@ target nosuchflag\nhoax\t1\tlearned\n";
    assert_int_equal(medtone_analyzer_load_cues_data(an, "y", bad, strlen(bad)), MEDTONE_ERR_PARSE);
    assert_non_null(strstr(medtone_analyzer_last_error(an), "y:1: unknown flag"));
    bad = "#@ target misinfo\n#@ bias lots\n";
    assert_int_equal(medtone_analyzer_load_cues_data(an, "z", bad, strlen(bad)), MEDTONE_ERR_PARSE);
    /* reason: a learned weight never replaces a hand-written cue weight, and a learned term is
     * found under its layer's prefix only */
    const mt_entry *hand = mt_lexicon_find(an->cues, "hoax", 4);
    assert_non_null(hand);
    double hand_weight = mt_cue_weight(hand, MT_CUE_MISINFO);
    size_t layers = mt_lexicon_layer_count(an->cues);
    const char *layer =
        "#@ target misinfo\n#@ bias -0.5\nhoax\t-3\tlearned\nbig news\t2\tlearned\n";
    assert_int_equal(medtone_analyzer_load_cues_data(an, "l", layer, strlen(layer)), MEDTONE_OK);
    hand = mt_lexicon_find(an->cues, "hoax", 4);
    assert_true(mt_cue_weight(hand, MT_CUE_MISINFO) == hand_weight);
    assert_false(hand->tags & MT_TAG_LEARNED);
    assert_null(mt_lexicon_find(an->cues, "big news", 8));
    char key[64];
    size_t n = mt_lexicon_learned_prefix(layers, key);
    memcpy(key + n, "hoax", 5);
    const mt_entry *learned = mt_lexicon_find(an->cues, key, n + 4);
    assert_non_null(learned);
    assert_true(mt_cue_weight(learned, MT_CUE_LEARNED) == -3);
    assert_int_equal(mt_lexicon_layer_target(an->cues, layers), MT_FLAG_MISINFO);
    assert_true(mt_lexicon_layer_bias(an->cues, layers) == -0.5);
    assert_int_equal(mt_lexicon_layer_target(an->cues, 0), -1);
    /* reason: the correction moves the score the hand-written flag gave, by bias and weights */
    medtone_analyzer *plain = alloc_test_analyzer(1);
    medtone_result *r = medtone_result_new(), *r0 = medtone_result_new();
    const char *text = "Big news: the virus is a hoax";
    assert_int_equal(medtone_analyze(an, text, strlen(text), r), MEDTONE_OK);
    assert_int_equal(medtone_analyze(plain, text, strlen(text), r0), MEDTONE_OK);
    double want =
        1 / (1 + exp(-(mt_learned_logit(medtone_result_flag_score(r0, 1)) - 0.5 - 3 + 2)));
    assert_true(fabs(medtone_result_flag_score(r, 1) - want) < 1e-6);
    /* reason: the learned term that raised the score is evidence; the one that lowered it not */
    int big = 0, hoax_learned = 0;
    for (size_t i = 0; i < medtone_result_evidence_count(r, 1); i++) {
        const char *cue = medtone_result_evidence_cue(r, 1, i);
        big |= !strcmp(cue, "big news") && medtone_result_evidence_offset(r, 1, i) == 0;
        hoax_learned += !strcmp(cue, "hoax");
    }
    assert_true(big);
    int hoax_hand = 0;
    for (size_t i = 0; i < medtone_result_evidence_count(r0, 1); i++)
        hoax_hand += !strcmp(medtone_result_evidence_cue(r0, 1, i), "hoax");
    assert_int_equal(hoax_learned, hoax_hand);
    /* reason: a text without learned terms keeps its score */
    text = "Lovely nurses at the clinic today";
    assert_int_equal(medtone_analyze(an, text, strlen(text), r), MEDTONE_OK);
    assert_int_equal(medtone_analyze(plain, text, strlen(text), r0), MEDTONE_OK);
    assert_true(medtone_result_flag_score(r, 1) == medtone_result_flag_score(r0, 1));
    /* reason: a learned line in a sentiment layer matches nothing (it belongs to a cue layer) */
    assert_int_equal(medtone_analyzer_load_lexicon_data(plain, "s", layer, strlen(layer)),
                     MEDTONE_OK);
    text = "a hoax";
    assert_int_equal(medtone_analyze(plain, text, strlen(text), r), MEDTONE_OK);
    for (size_t i = 0; i < medtone_result_term_count(r); i++)
        assert_string_not_equal(medtone_result_term_layer(r, i), "s");
    medtone_result_free(r);
    medtone_result_free(r0);
    medtone_analyzer_free(plain);
    medtone_analyzer_free(an);
}

/* reason: a long text with hundreds of learned terms counts each once, however often it occurs */
static void test_learned_many_terms(void **state)
{
    (void)state;
    enum { TERMS = 300 };
    char *layer = malloc(TERMS * 32 + 64), *text = malloc(TERMS * 32);
    size_t n = (size_t)sprintf(layer, "#@ target misinfo\n#@ bias 0.25\n");
    size_t m = 0;
    for (int k = 0; k < TERMS; k++) {
        n += (size_t)sprintf(layer + n, "w%dq\t0.01\tlearned\n", k);
        m += (size_t)sprintf(text + m, "w%dq. w%dq. ", k, k); /* twice, never in a bigram */
    }
    medtone_analyzer *an = alloc_test_analyzer(1), *plain = alloc_test_analyzer(1);
    assert_int_equal(medtone_analyzer_load_cues_data(an, "many", layer, n), MEDTONE_OK);
    medtone_result *r = medtone_result_new(), *r0 = medtone_result_new();
    assert_int_equal(medtone_analyze(an, text, m, r), MEDTONE_OK);
    assert_int_equal(medtone_analyze(plain, text, m, r0), MEDTONE_OK);
    double want =
        1 / (1 + exp(-(mt_learned_logit(medtone_result_flag_score(r0, 1)) + 0.25 + TERMS * 0.01)));
    assert_true(fabs(medtone_result_flag_score(r, 1) - want) < 1e-5);
    assert_int_equal(medtone_result_evidence_count(r, 1),
                     medtone_result_evidence_count(r0, 1) + TERMS);
    medtone_result_free(r);
    medtone_result_free(r0);
    medtone_analyzer_free(an);
    medtone_analyzer_free(plain);
    free(layer);
    free(text);
}

/* ----- bad input ---------------------------------------------------------------------------- */

static void test_bad_input(void **state)
{
    (void)state;
    medtone_analyzer *an = alloc_test_analyzer(0);
    medtone_trainer *t = NULL;
    /* reason: unknown targets and NULLs are refused */
    assert_int_equal(medtone_trainer_new(an, 999, &t), MEDTONE_ERR_INVALID_ARG);
    assert_null(t);
    assert_int_equal(medtone_trainer_new(NULL, 1, &t), MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_trainer_new(an, 1, NULL), MEDTONE_ERR_INVALID_ARG);
    medtone_options *o = medtone_options_new();
    medtone_options_set_int(o, MEDTONE_OPT_FLAGS, 0);
    medtone_analyzer *noflags = NULL;
    assert_int_equal(medtone_analyzer_new(o, &noflags), MEDTONE_OK);
    medtone_options_free(o);
    assert_int_equal(medtone_trainer_new(noflags, 1, &t), MEDTONE_ERR_INVALID_ARG);
    medtone_analyzer_free(noflags);

    /* reason: empty input */
    assert_int_equal(medtone_trainer_new(an, 1, &t), MEDTONE_OK);
    assert_int_equal(medtone_trainer_fit(t, NULL), MEDTONE_ERR_INVALID_ARG);
    assert_non_null(strstr(medtone_trainer_last_error(t), "no rows"));
    medtone_trainer_free(t);

    /* reason: labels a flag cannot take; missing labels come in as NaN */
    assert_int_equal(medtone_trainer_new(an, 1, &t), MEDTONE_OK);
    assert_int_equal(medtone_trainer_add(t, "a", 1, 2), MEDTONE_ERR_INVALID_ARG);
    assert_non_null(strstr(medtone_trainer_last_error(t), "row 1"));
    assert_int_equal(medtone_trainer_add(t, "a", 1, NAN), MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_trainer_add(t, NULL, 3, 1), MEDTONE_ERR_INVALID_ARG);
    /* reason: a text medtone_analyze would refuse is refused here, and not counted */
    char *huge = malloc(MEDTONE_ANALYZE_MAX_BYTES + 1);
    assert_non_null(huge);
    memset(huge, ' ', MEDTONE_ANALYZE_MAX_BYTES + 1);
    assert_int_equal(medtone_trainer_add(t, huge, MEDTONE_ANALYZE_MAX_BYTES + 1, 1),
                     MEDTONE_ERR_TOO_LARGE);
    assert_non_null(strstr(medtone_trainer_last_error(t), "MEDTONE_ANALYZE_MAX_BYTES"));
    assert_int_equal(medtone_trainer_row_count(t), 0);
    free(huge);
    /* reason: one class only */
    for (int i = 0; i < 10; i++)
        assert_int_equal(medtone_trainer_add(t, "a b c", 5, 1), MEDTONE_OK);
    assert_int_equal(medtone_trainer_fit(t, NULL), MEDTONE_ERR_INVALID_ARG);
    assert_non_null(strstr(medtone_trainer_last_error(t), "label 1"));
    medtone_trainer_free(t);

    /* reason: sentiment labels are compounds in [-1, 1], and must differ */
    assert_int_equal(medtone_trainer_new(an, MEDTONE_TRAIN_SENTIMENT, &t), MEDTONE_OK);
    assert_int_equal(medtone_trainer_add(t, "a", 1, 1.5), MEDTONE_ERR_INVALID_ARG);
    for (int i = 0; i < 10; i++)
        assert_int_equal(medtone_trainer_add(t, "a b", 3, 0.5), MEDTONE_OK);
    assert_int_equal(medtone_trainer_fit(t, NULL), MEDTONE_ERR_INVALID_ARG);
    medtone_trainer_free(t);

    /* reason: no term in min_count rows leaves nothing to learn */
    assert_int_equal(medtone_trainer_new(an, 1, &t), MEDTONE_OK);
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_MIN_COUNT, 5), MEDTONE_OK);
    assert_int_equal(medtone_trainer_add(t, "alpha", 5, 1), MEDTONE_OK);
    assert_int_equal(medtone_trainer_add(t, "beta", 4, 0), MEDTONE_OK);
    assert_int_equal(medtone_trainer_fit(t, NULL), MEDTONE_ERR_INVALID_ARG);
    assert_non_null(strstr(medtone_trainer_last_error(t), "min-count"));
    /* reason: settings only before the first row; a layer only after fit */
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_L2, 1), MEDTONE_ERR_INVALID_ARG);
    const char *data;
    size_t len;
    assert_int_equal(medtone_trainer_layer_data(t, NULL, &data, &len), MEDTONE_ERR_INVALID_ARG);
    medtone_trainer_free(t);

    /* reason: settings are checked against their ranges and read back */
    assert_int_equal(medtone_trainer_new(an, 1, &t), MEDTONE_OK);
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_FOLDS, 1),
                     MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_FOLDS, 21),
                     MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_EPOCHS, 2.5),
                     MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_L1, -1), MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_trainer_set_option(t, (medtone_train_option)99, 1),
                     MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_L1, 0.01), MEDTONE_OK);
    double v;
    assert_int_equal(medtone_trainer_get_option(t, MEDTONE_TRAIN_L1, &v), MEDTONE_OK);
    assert_true(v == 0.01);
    assert_int_equal(medtone_trainer_get_option(t, MEDTONE_TRAIN_FOLDS, &v), MEDTONE_OK);
    assert_true(v == 5);
    medtone_trainer_free(t);
    medtone_trainer_free(NULL);
    assert_string_equal(medtone_train_metric_name(MEDTONE_METRIC_MACRO_F1), "macro_f1");
    assert_string_equal(medtone_train_metric_name((medtone_train_metric)42), "unknown");
    medtone_analyzer_free(an);
}

/* ----- streaming ---------------------------------------------------------------------------- */

static void test_streaming(void **state)
{
    (void)state;
    medtone_analyzer *an = alloc_test_analyzer(1);
    medtone_trainer *t = NULL;
    /* About 1.5 MB of text against a budget of 1 MB: the trainer must stream. */
    int rows = 24000, passes = 0, again = 0;
    assert_int_equal(medtone_trainer_new(an, 1, &t), MEDTONE_OK);
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_MEMORY_MB, 1), MEDTONE_OK);
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_EPOCHS, 2), MEDTONE_OK);
    do {
        assert_int_equal(add_rows(t, rows, 0, 11), MEDTONE_OK);
        assert_int_equal(medtone_trainer_fit(t, &again), MEDTONE_OK);
        passes++;
    } while (again);
    /* reason: counting, two epochs and one pass to measure */
    assert_int_equal(passes, 4);
    assert_string_equal(medtone_trainer_term(t, 0), "zorbly");
    assert_true(medtone_trainer_metric(t, MEDTONE_METRIC_F1, MEDTONE_TRAIN_MEAN) > 0.9);
    medtone_trainer_free(t);

    /* reason: without `again`, a trainer that must stream says so */
    assert_int_equal(medtone_trainer_new(an, 1, &t), MEDTONE_OK);
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_MEMORY_MB, 1), MEDTONE_OK);
    assert_int_equal(add_rows(t, rows, 0, 11), MEDTONE_OK);
    assert_int_equal(medtone_trainer_fit(t, NULL), MEDTONE_ERR_TOO_LARGE);
    medtone_trainer_free(t);

    /* reason: a pass with other rows than the first is an error */
    assert_int_equal(medtone_trainer_new(an, 1, &t), MEDTONE_OK);
    assert_int_equal(medtone_trainer_set_option(t, MEDTONE_TRAIN_MEMORY_MB, 1), MEDTONE_OK);
    assert_int_equal(add_rows(t, rows, 0, 11), MEDTONE_OK);
    assert_int_equal(medtone_trainer_fit(t, &again), MEDTONE_OK);
    assert_true(again);
    assert_int_equal(add_rows(t, rows - 1, 0, 11), MEDTONE_OK);
    assert_int_equal(medtone_trainer_fit(t, &again), MEDTONE_ERR_INVALID_ARG);
    assert_non_null(strstr(medtone_trainer_last_error(t), "rows"));
    medtone_trainer_free(t);
    medtone_analyzer_free(an);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planted_flag),
        cmocka_unit_test(test_planted_sentiment),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_reload_scores_same),
        cmocka_unit_test(test_sentiment_layer_scores_as_model),
        cmocka_unit_test(test_ngrams),
        cmocka_unit_test(test_learned_layer_loading),
        cmocka_unit_test(test_learned_many_terms),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_streaming),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
