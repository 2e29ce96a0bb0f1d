/* test_lexicon.c — lexicon layers: the file format, normalization of terms, merging (later wins),
 * the lookup table and prefix set, errors that name the file and line, analyzer options, and
 * allocation failures that must leave every object as it was.
 *
 * Expectations come from include/medtone.h and lexicons/README.md. Fixtures are in
 * tests/data/lexicons/ (found through MEDTONE_TEST_DATA). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "alloc.h"
#include "analyzer.h"
#include "lexicon.h"
#include "tokenize.h"

#include "alloc_fail_util.h"

/* ----- helpers ---------------------------------------------------------------------------- */

static const char *data_path(const char *rel)
{
    static char buf[4096];
    const char *dir = getenv("MEDTONE_TEST_DATA");
    if (!dir) fail_msg("MEDTONE_TEST_DATA is not set (run through ctest)");
    snprintf(buf, sizeof buf, "%s/lexicons/%s", dir, rel);
    return buf;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open fixture %s", path);
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (!got) break;
    }
    fclose(f);
    *len = n;
    return buf;
}

static medtone_analyzer *new_empty(void)
{
    medtone_options *o = medtone_options_new();
    assert_non_null(o);
    assert_int_equal(medtone_options_set_int(o, MEDTONE_OPT_EMBEDDED_LEXICONS, 0), MEDTONE_OK);
    medtone_analyzer *a = NULL;
    assert_int_equal(medtone_analyzer_new(o, &a), MEDTONE_OK);
    medtone_options_free(o);
    assert_non_null(a);
    return a;
}

static medtone_status load(medtone_analyzer *a, const char *name, const char *text)
{
    return medtone_analyzer_load_lexicon_data(a, name, text, strlen(text));
}

static medtone_status load_cues(medtone_analyzer *a, const char *name, const char *text)
{
    return medtone_analyzer_load_cues_data(a, name, text, strlen(text));
}

static const mt_entry *find(const medtone_analyzer *a, const char *key)
{
    return mt_lexicon_find(a->lex, key, strlen(key));
}

static int has_prefix(const medtone_analyzer *a, const char *key)
{
    return mt_lexicon_has_prefix(a->lex, key, strlen(key));
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Everything observable about an analyzer's lexicon, for "a failed call changed nothing". */
static const char *const probe_keys[] = {
    "good", "pain",     "not", "very",       "waited for hours", "bedside manner",
    "kind", "new term", "meh", "not-listed", "comforting",       "helpful"};
static const char *const probe_prefixes[] = {"waited", "waited for", "bedside", "new", "side"};
#define NPROBE  (sizeof probe_keys / sizeof probe_keys[0])
#define NPREFIX (sizeof probe_prefixes / sizeof probe_prefixes[0])

typedef struct snapshot {
    size_t layers, terms;
    size_t cue_layers, cue_terms;
    int cue_found;
    mt_entry cue; /* the entry of "meds" in the cue lexicon */
    unsigned max_words;
    char top_layer[64];
    int found[NPROBE];
    mt_entry entry[NPROBE];
    int prefix[NPREFIX];
} snapshot;

static void take(const medtone_analyzer *a, snapshot *s)
{
    memset(s, 0, sizeof *s);
    s->layers = medtone_analyzer_layer_count(a);
    s->terms = medtone_analyzer_term_count(a);
    s->max_words = mt_lexicon_max_words(a->lex);
    s->cue_layers = mt_lexicon_layer_count(a->cues);
    s->cue_terms = mt_lexicon_size(a->cues);
    const mt_entry *cue = mt_lexicon_find(a->cues, "meds", 4);
    s->cue_found = cue != NULL;
    if (cue) s->cue = *cue;
    if (s->layers)
        snprintf(s->top_layer, sizeof s->top_layer, "%s",
                 medtone_analyzer_layer_name(a, s->layers - 1));
    for (size_t i = 0; i < NPROBE; i++) {
        const mt_entry *e = find(a, probe_keys[i]);
        s->found[i] = e != NULL;
        if (e) s->entry[i] = *e;
    }
    for (size_t i = 0; i < NPREFIX; i++)
        s->prefix[i] = has_prefix(a, probe_prefixes[i]);
}

static void assert_same(const snapshot *x, const snapshot *y)
{
    assert_int_equal(x->layers, y->layers);
    assert_int_equal(x->terms, y->terms);
    assert_int_equal(x->max_words, y->max_words);
    assert_int_equal(x->cue_layers, y->cue_layers);
    assert_int_equal(x->cue_terms, y->cue_terms);
    assert_int_equal(x->cue_found, y->cue_found);
    if (x->cue_found) {
        assert_int_equal(x->cue.tags, y->cue.tags);
        assert_int_equal(x->cue.layer, y->cue.layer);
        assert_true(x->cue.valence == y->cue.valence);
    }
    assert_string_equal(x->top_layer, y->top_layer);
    for (size_t i = 0; i < NPROBE; i++) {
        assert_int_equal(x->found[i], y->found[i]);
        if (!x->found[i]) continue;
        assert_string_equal(x->entry[i].key, y->entry[i].key);
        assert_true(x->entry[i].valence == y->entry[i].valence);
        assert_int_equal(x->entry[i].tags, y->entry[i].tags);
        assert_int_equal(x->entry[i].layer, y->entry[i].layer);
        assert_true(x->entry[i].booster == y->entry[i].booster);
        assert_true(x->entry[i].clinical == y->entry[i].clinical);
    }
    for (size_t i = 0; i < NPREFIX; i++)
        assert_int_equal(x->prefix[i], y->prefix[i]);
}

#define near(a, b) (fabs((double)(a) - (double)(b)) < 1e-6)

/* ----- one line, every form --------------------------------------------------------------- */

typedef struct line_case {
    const char *reason;
    const char *data;
    const char *key; /* the normalized key the entry must be found under */
    double valence;
    uint32_t tags;
    double booster, clinical;
    unsigned nwords;
} line_case;

static const line_case line_cases[] = {
    {"plain word", "good\t2\n", "good", 2, 0, 0, 0, 1},
    {"last line without a newline", "awful\t-3.5", "awful", -3.5, 0, 0, 0, 1},
    {"explicit plus sign", "fine\t+0.5\n", "fine", 0.5, 0, 0, 0, 1},
    {"decimal without a leading digit", "okay\t.5\n", "okay", 0.5, 0, 0, 0, 1},
    {"upper bound is inclusive", "perfect\t4\n", "perfect", 4, 0, 0, 0, 1},
    {"lower bound is inclusive", "horrific\t-4.0\n", "horrific", -4, 0, 0, 0, 1},
    {"spaces around the valence", "meh\t -0.3 \n", "meh", -0.3, 0, 0, 0, 1},
    {"zero valence with a rule tag", "not\t0\tnegator\n", "not", 0, MT_TAG_NEGATOR, 0, 0, 1},
    {"booster value", "very\t0\tbooster=0.3\n", "very", 0, MT_TAG_BOOSTER, 0.3, 0, 1},
    {"negative booster dampens", "slightly\t0\tbooster=-0.2\n", "slightly", 0, MT_TAG_BOOSTER, -0.2,
     0, 1},
    {"contrast", "but\t0\tcontrast\n", "but", 0, MT_TAG_CONTRAST, 0, 0, 1},
    {"concession", "although\t0\tconcession\n", "although", 0, MT_TAG_CONCESSION, 0, 0, 1},
    {"symptom", "pain\t-1.5\tsymptom\n", "pain", -1.5, MT_TAG_SYMPTOM, 0, 0, 1},
    {"relief on a multi-word trigger", "got rid of\t0\trelief\n", "got rid of", 0, MT_TAG_RELIEF, 0,
     0, 3},
    {"result", "biopsy\t0\tresult\n", "biopsy", 0, MT_TAG_RESULT, 0, 0, 1},
    {"clinical value", "positive\t2\tclinical=-2.2\n", "positive", 2, MT_TAG_CLINICAL, 0, -2.2, 1},
    {"side-effect and symptom together", "nausea\t-1.8\tside-effect,symptom\n", "nausea", -1.8,
     MT_TAG_SIDE_EFFECT | MT_TAG_SYMPTOM, 0, 0, 1},
    {"drug", "lisinopril\t0\tdrug\n", "lisinopril", 0, MT_TAG_DRUG, 0, 0, 1},
    {"acronym (no caps emphasis)", "ICU\t0\tacronym\n", "icu", 0, MT_TAG_ACRONYM, 0, 0, 1},
    {"informational tags are ignored", "lol\t1.5\tslang,idiom\n", "lol", 1.5, 0, 0, 0, 1},
    {"unknown tag with a value is ignored", "x\t1\tweight=abc\n", "x", 1, 0, 0, 0, 1},
    {"spaces around tags", "hardly\t0\t negator , drug \n", "hardly", 0,
     MT_TAG_NEGATOR | MT_TAG_DRUG, 0, 0, 1},
    {"empty tags column", "calm\t1\t\n", "calm", 1, 0, 0, 0, 1},
    {"trailing comma in tags", "statin\t0\tdrug,\n", "statin", 0, MT_TAG_DRUG, 0, 0, 1},
    {"repeated valued tag keeps the last value", "so\t0\tbooster=0.1,booster=0.2\n", "so", 0,
     MT_TAG_BOOSTER, 0.2, 0, 1},
    {"case folded", "Saved My Life\t3.5\n", "saved my life", 3.5, 0, 0, 0, 3},
    {"all caps folded", "AWESOME\t3\n", "awesome", 3, 0, 0, 0, 1},
    {"runs of spaces collapse to one", "bedside   manner\t2\n", "bedside manner", 2, 0, 0, 0, 2},
    {"spaces around the term are dropped", "  kind \t1\n", "kind", 1, 0, 0, 0, 1},
    {"letters repeated 3+ times squash to two", "soooo good\t2\n", "soo good", 2, 0, 0, 0, 2},
    {"curly apostrophe made straight", "can\xE2\x80\x99t stand\t-2\n", "can't stand", -2, 0, 0, 0,
     2},
    {"sloppy contraction completed", "dont like\t-1\n", "don't like", -1, 0, 0, 0, 2},
    {"hashtag normalized without '#'", "so #Blessed\t2\n", "so blessed", 2, 0, 0, 0, 2},
    {"emoticon is one token", ":-)\t2\n", ":-)", 2, 0, 0, 0, 1},
    {"emoji is one token", "\xF0\x9F\x98\x8D\t3\n", "\xF0\x9F\x98\x8D", 3, 0, 0, 0, 1},
    {"cue tag misinfo", "miracle cure\t2\tmisinfo\n", "miracle cure", 2, MT_TAG_MISINFO, 0, 0, 2},
    {"cue tag crisis", "overdose\t3\tcrisis\n", "overdose", 3, MT_TAG_CRISIS, 0, 0, 1},
    {"cue tag health-info", "diagnosis\t1\thealth-info\n", "diagnosis", 1, MT_TAG_HEALTH_INFO, 0, 0,
     1},
    {"cue tag identifier", "my mrn is\t1\tidentifier\n", "my mrn is", 1, MT_TAG_IDENTIFIER, 0, 0,
     3},
    {"cue tag reaction", "rash\t1\treaction\n", "rash", 1, MT_TAG_REACTION, 0, 0, 1},
    {"cue tag org", "nurses\t1\torg\n", "nurses", 1, MT_TAG_ORG, 0, 0, 1},
    {"aspect tags, several on one line", "front desk\t1\twait,staff,access\n", "front desk", 1,
     MT_TAG_ASPECT_WAIT | MT_TAG_ASPECT_STAFF | MT_TAG_ASPECT_ACCESS, 0, 0, 2},
    {"aspect tags billing and records", "invoice\t1\tbilling,records\n", "invoice", 1,
     MT_TAG_ASPECT_BILLING | MT_TAG_ASPECT_RECORDS, 0, 0, 1},
    {"aspect tags communication and outcome", "explained\t1\tcommunication,outcome\n", "explained",
     1, MT_TAG_ASPECT_COMMUNICATION | MT_TAG_ASPECT_OUTCOME, 0, 0, 1},
    {"aspect tags cleanliness, food, parking, medication",
     "lot\t1\tcleanliness,food,parking,medication\n", "lot", 1,
     MT_TAG_ASPECT_CLEANLINESS | MT_TAG_ASPECT_FOOD | MT_TAG_ASPECT_PARKING |
         MT_TAG_ASPECT_MEDICATION,
     0, 0, 1},
    {"two-word term", "long wait\t-1.8\n", "long wait", -1.8, 0, 0, 0, 2},
};

static void test_line_forms(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++) {
        const line_case *c = &line_cases[i];
        medtone_analyzer *a = new_empty();
        medtone_status st = load(a, "t.tsv", c->data);
        if (st != MEDTONE_OK)
            fail_msg("case '%s': status %d (%s)", c->reason, st, medtone_analyzer_last_error(a));
        const mt_entry *e = find(a, c->key);
        if (!e) fail_msg("case '%s': key '%s' not found", c->reason, c->key);
        if (!near(e->valence, c->valence) || e->tags != c->tags || !near(e->booster, c->booster) ||
            !near(e->clinical, c->clinical) || e->nwords != c->nwords ||
            strcmp(e->key, c->key) != 0 || e->key_len != strlen(c->key) || e->layer != 0)
            fail_msg("case '%s': got key '%s' valence %g tags %#x booster %g clinical %g nwords %u",
                     c->reason, e->key, e->valence, e->tags, e->booster, e->clinical, e->nwords);
        assert_int_equal(medtone_analyzer_term_count(a), 1);
        medtone_analyzer_free(a);
    }
}

/* The contract that matters to the scorer: a term is found under exactly the normalized forms the
 * tokenizer gives the same words in a post, whatever the tokenizer decides those forms are. */
static void test_keys_match_tokenizer(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "#NotHappy", ":-)", "SOOOO GOOD", "it\xE2\x80\x99s fine", "<3", "Dr. Smith"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        medtone_analyzer *a = new_empty();
        char line[128];
        /* A line may not start with '#' (a comment), so hashtags come after a word. */
        snprintf(line, sizeof line, "x %s\t1\n", texts[i]);
        assert_int_equal(load(a, "t.tsv", line), MEDTONE_OK);
        medtone_tokens *t = medtone_tokens_new();
        assert_non_null(t);
        snprintf(line, sizeof line, "x %s", texts[i]);
        assert_int_equal(medtone_tokenize(line, strlen(line), t), MEDTONE_OK);
        char key[256] = "";
        for (size_t k = 0; k < medtone_tokens_count(t); k++) {
            if (k) strcat(key, " ");
            strcat(key, mt_token_norm(t, k));
        }
        if (!find(a, key)) fail_msg("'%s': key '%s' from the tokenizer not found", texts[i], key);
        assert_int_equal(find(a, key)->nwords, medtone_tokens_count(t));
        medtone_tokens_free(t);
        medtone_analyzer_free(a);
    }
}

/* ----- comments, blank lines, CRLF, BOM, headers ------------------------------------------ */

static void test_comments_and_blank_lines(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    /* reason: comments (also indented) and blank or white-space-only lines are not entries */
    assert_int_equal(load(a, "t.tsv", "# a comment\n\n   \n\t\ngood\t2\n  # indented\n"),
                     MEDTONE_OK);
    assert_int_equal(medtone_analyzer_term_count(a), 1);
    assert_non_null(find(a, "good"));
    medtone_analyzer_free(a);
}

static void test_crlf(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    /* reason: '\r' of CRLF belongs to no column: valence, term and tags all parse clean */
    assert_int_equal(load(a, "t.tsv", "good\t2\r\nbad\t-2\r\nnot\t0\tnegator\r\n"), MEDTONE_OK);
    assert_true(near(find(a, "good")->valence, 2));
    assert_true(near(find(a, "bad")->valence, -2));
    assert_int_equal(find(a, "not")->tags, MT_TAG_NEGATOR);
    assert_int_equal(medtone_analyzer_term_count(a), 3);
    medtone_analyzer_free(a);
}

static void test_bom(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    /* reason: a UTF-8 BOM is not part of the first term, nor does it hide a header */
    assert_int_equal(load(a, "t.tsv", "\xEF\xBB\xBFgood\t2\n"), MEDTONE_OK);
    assert_non_null(find(a, "good"));
    assert_int_equal(load(a, "t.tsv", "\xEF\xBB\xBF#@ layer bommed\nbad\t-1\n"), MEDTONE_OK);
    assert_string_equal(medtone_analyzer_layer_name(a, 1), "bommed");
    medtone_analyzer_free(a);
}

static void test_headers(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    /* reason: "#@ layer" names the layer; "#@ version" and unknown headers are not entries */
    assert_int_equal(load(a, "t.tsv",
                          "#@ layer my-hospital\n#@ version 2026.11\n#@ owner x\n"
                          "good\t1\n"),
                     MEDTONE_OK);
    assert_int_equal(medtone_analyzer_layer_count(a), 1);
    assert_string_equal(medtone_analyzer_layer_name(a, 0), "my-hospital");
    assert_int_equal(medtone_analyzer_term_count(a), 1);
    /* reason: without a header the name given to the call names the layer */
    assert_int_equal(load(a, "fallback", "bad\t-1\n"), MEDTONE_OK);
    assert_string_equal(medtone_analyzer_layer_name(a, 1), "fallback");
    medtone_analyzer_free(a);
}

static void test_empty_layers(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    /* reason: an empty file or one with only comments is a valid, empty layer */
    assert_int_equal(load(a, "empty", ""), MEDTONE_OK);
    assert_int_equal(load(a, "comments", "# nothing here\n\n"), MEDTONE_OK);
    assert_int_equal(medtone_analyzer_layer_count(a), 2);
    assert_int_equal(medtone_analyzer_term_count(a), 0);
    assert_int_equal(mt_lexicon_max_words(a->lex), 0);
    assert_null(find(a, "good"));
    assert_false(has_prefix(a, "good"));
    medtone_analyzer_free(a);
}

/* ----- malformed input -------------------------------------------------------------------- */

typedef struct error_case {
    const char *reason;
    const char *data;
    size_t len; /* 0: strlen(data) */
    medtone_status status;
    size_t line;
    const char *message; /* must appear after "t.tsv:LINE: " */
} error_case;

static const error_case error_cases[] = {
    {"no tab at all", "good 2\n", 0, MEDTONE_ERR_PARSE, 1, "missing tab"},
    {"line numbers count comments, blanks and good lines", "# c\n\ngood\t1\nbad -1\n", 0,
     MEDTONE_ERR_PARSE, 4, "missing tab"},
    {"line numbers with CRLF endings", "good\t1\r\nbad -1\r\n", 0, MEDTONE_ERR_PARSE, 2,
     "missing tab"},
    {"empty term", "\t2\n", 0, MEDTONE_ERR_PARSE, 1, "empty term"},
    {"white-space-only term", "   \t2\n", 0, MEDTONE_ERR_PARSE, 1, "empty term"},
    {"term of control characters only has no words", "\x01\x02\t2\n", 0, MEDTONE_ERR_PARSE, 1,
     "no words"},
    {"valence is a word", "good\tgreat\n", 0, MEDTONE_ERR_PARSE, 1, "not a number"},
    {"valence is missing", "good\t\n", 0, MEDTONE_ERR_PARSE, 1, "not a number"},
    {"valence is nan", "good\tnan\n", 0, MEDTONE_ERR_PARSE, 1, "not a number"},
    {"valence has trailing junk", "good\t2x\n", 0, MEDTONE_ERR_PARSE, 1, "not a number"},
    {"valence with a decimal comma", "good\t0,5\n", 0, MEDTONE_ERR_PARSE, 1, "not a number"},
    {"valence above 4", "ecstatic\t4.5\n", 0, MEDTONE_ERR_PARSE, 1, "valence out of range"},
    {"valence just below -4", "hell\t-4.01\n", 0, MEDTONE_ERR_PARSE, 1, "valence out of range"},
    {"valence far out of range", "x\t100000000000000000000000\n", 0, MEDTONE_ERR_PARSE, 1,
     "valence out of range"},
    {"booster without a value", "very\t0\tbooster\n", 0, MEDTONE_ERR_PARSE, 1, "bad tag value"},
    {"booster value not a number", "very\t0\tbooster=lots\n", 0, MEDTONE_ERR_PARSE, 1,
     "bad tag value"},
    {"clinical with an empty value", "positive\t2\tclinical=\n", 0, MEDTONE_ERR_PARSE, 1,
     "bad tag value"},
    {"clinical value out of range", "positive\t2\tclinical=9\n", 0, MEDTONE_ERR_PARSE, 1,
     "bad tag value"},
    {"a flag tag given a value", "not\t0\tnegator=1\n", 0, MEDTONE_ERR_PARSE, 1, "bad tag value"},
    {"Latin-1 byte", "caf\xE9\t1\n", 0, MEDTONE_ERR_PARSE, 1, "invalid UTF-8"},
    {"overlong encoding", "\xC0\xAF\t1\n", 0, MEDTONE_ERR_PARSE, 1, "invalid UTF-8"},
    {"encoded surrogate", "x\xED\xA0\x80\t1\n", 0, MEDTONE_ERR_PARSE, 1, "invalid UTF-8"},
    {"invalid UTF-8 in a comment", "good\t1\n# caf\xE9\n", 0, MEDTONE_ERR_PARSE, 2,
     "invalid UTF-8"},
    {"NUL byte inside a term", "go\0od\t1\n", 8, MEDTONE_ERR_PARSE, 1, "NUL byte"},
    {"a fourth column", "x\t1\tdrug\textra\n", 0, MEDTONE_ERR_PARSE, 1, "too many columns"},
    {"layer header without a name", "#@ layer\ngood\t1\n", 0, MEDTONE_ERR_PARSE, 1, "layer"},
    {"absurdly long multi-word term",
     "a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g\t1\n", 0, MEDTONE_ERR_PARSE,
     1, "more than"},
};

static void test_errors_name_line(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    assert_int_equal(load(a, "base", "good\t2\npain\t-2\tsymptom\n"), MEDTONE_OK);
    snapshot before, after;
    take(a, &before);
    for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
        const error_case *c = &error_cases[i];
        size_t len = c->len ? c->len : strlen(c->data);
        medtone_status st = medtone_analyzer_load_lexicon_data(a, "t.tsv", c->data, len);
        const char *msg = medtone_analyzer_last_error(a);
        char prefix[64];
        snprintf(prefix, sizeof prefix, "t.tsv:%zu: ", c->line);
        if (st != c->status || !starts_with(msg, prefix) || !strstr(msg, c->message))
            fail_msg("case '%s': status %d, message '%s'; want %d, '%s...%s'", c->reason, st, msg,
                     c->status, prefix, c->message);
        take(a, &after);
        assert_same(&before, &after);
    }
    medtone_analyzer_free(a);
}

static void test_failed_line_after_good_lines_adds_nothing(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    /* reason: a layer is all or nothing: good lines before the bad one are not kept */
    assert_int_equal(load(a, "t.tsv", "new term\t1\nbad line\n"), MEDTONE_ERR_PARSE);
    assert_null(find(a, "new term"));
    assert_false(has_prefix(a, "new"));
    assert_int_equal(medtone_analyzer_layer_count(a), 0);
    assert_int_equal(medtone_analyzer_term_count(a), 0);
    medtone_analyzer_free(a);
}

/* ----- merging ---------------------------------------------------------------------------- */

static void test_later_line_wins(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    /* reason: the second "pain" replaces every field of the first, tags included */
    assert_int_equal(load(a, "t.tsv", "pain\t-2\tsymptom,booster=0.2\nPAIN\t-1\n"), MEDTONE_OK);
    const mt_entry *e = find(a, "pain");
    assert_non_null(e);
    assert_true(near(e->valence, -1));
    assert_int_equal(e->tags, 0);
    assert_true(near(e->booster, 0));
    assert_int_equal(medtone_analyzer_term_count(a), 1);
    medtone_analyzer_free(a);
}

static void test_later_layer_wins(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    assert_int_equal(load(a, "bottom", "pain\t-2\tsymptom\ngood\t2\n"), MEDTONE_OK);
    assert_int_equal(load(a, "top", "Pain\t-0.5\tdrug\nkind\t1\n"), MEDTONE_OK);
    const mt_entry *e = find(a, "pain");
    /* reason: the upper layer's entry replaces the lower one's entirely */
    assert_true(near(e->valence, -0.5));
    assert_int_equal(e->tags, MT_TAG_DRUG);
    assert_int_equal(e->layer, 1);
    assert_string_equal(mt_lexicon_layer_name(a->lex, e->layer), "top");
    /* reason: entries the upper layer does not mention stay, with their own layer */
    assert_int_equal(find(a, "good")->layer, 0);
    assert_int_equal(find(a, "kind")->layer, 1);
    /* reason: distinct terms after merging: pain, good, kind */
    assert_int_equal(medtone_analyzer_term_count(a), 3);
    assert_int_equal(medtone_analyzer_layer_count(a), 2);
    medtone_analyzer_free(a);
}

static void test_max_words(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    /* reason: 0 when empty, 1 with only single words, then the longest key */
    assert_int_equal(mt_lexicon_max_words(a->lex), 0);
    assert_int_equal(load(a, "a", "good\t1\n"), MEDTONE_OK);
    assert_int_equal(mt_lexicon_max_words(a->lex), 1);
    assert_int_equal(load(a, "b", "waited for hours\t-2\nno more\t0\trelief\n"), MEDTONE_OK);
    assert_int_equal(mt_lexicon_max_words(a->lex), 3);
    medtone_analyzer_free(a);
}

typedef struct prefix_case {
    const char *reason;
    const char *key;
    int expect;
} prefix_case;

static const prefix_case prefix_cases[] = {
    {"first word of a 3-word key", "waited", 1},
    {"first two words of a 3-word key", "waited for", 1},
    {"the whole key is not a proper prefix", "waited for hours", 0},
    {"part of a word is not a word prefix", "wait", 0},
    {"part of the second word", "waited fo", 0},
    {"a trailing space is not part of the prefix", "waited ", 0},
    {"a middle word", "for hours", 0},
    {"a single-word key is no prefix", "good", 0},
    {"first word of a 2-word key", "bedside", 1},
    {"an unrelated word", "zebra", 0},
    {"the empty string", "", 0},
};

static void test_has_prefix(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    assert_int_equal(load(a, "t.tsv", "Waited for Hours\t-2.5\nbedside manner\t1.5\ngood\t2\n"),
                     MEDTONE_OK);
    for (size_t i = 0; i < sizeof prefix_cases / sizeof prefix_cases[0]; i++) {
        const prefix_case *c = &prefix_cases[i];
        if (!!has_prefix(a, c->key) != c->expect)
            fail_msg("case '%s': has_prefix('%s') != %d", c->reason, c->key, c->expect);
    }
    /* reason: a prefix is not an entry unless listed itself */
    assert_null(find(a, "waited for"));
    assert_non_null(find(a, "waited for hours"));
    medtone_analyzer_free(a);
}

static void test_find_uses_length(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    assert_int_equal(load(a, "t.tsv", "good\t2\ngoodness\t1\nno more\t0\trelief\n"), MEDTONE_OK);
    /* reason: keys are (pointer, length); the bytes after the length do not matter */
    assert_true(near(mt_lexicon_find(a->lex, "goodness", 4)->valence, 2));
    assert_true(near(mt_lexicon_find(a->lex, "goodness", 8)->valence, 1));
    assert_null(mt_lexicon_find(a->lex, "goodness", 5));
    assert_true(mt_lexicon_has_prefix(a->lex, "no more pain", 2));
    assert_false(mt_lexicon_has_prefix(a->lex, "no more pain", 7));
    /* reason: the empty key is never an entry */
    assert_null(mt_lexicon_find(a->lex, "", 0));
    medtone_analyzer_free(a);
}

static void test_many_terms(void **state)
{
    (void)state;
    /* reason: the table grows past its first size (rehashing) and keeps every key, and the
     * prefix set grows alongside */
    enum { N = 5000 };
    size_t cap = (size_t)N * 40;
    char *text = malloc(cap), *p = text;
    assert_non_null(text);
    for (int i = 0; i < N; i++)
        p += snprintf(p, cap - (size_t)(p - text), "word%d\t%d.%d\nphrase%d tail\t-1\n", i, i % 4,
                      i % 10, i);
    medtone_analyzer *a = new_empty();
    assert_int_equal(medtone_analyzer_load_lexicon_data(a, "big", text, (size_t)(p - text)),
                     MEDTONE_OK);
    assert_int_equal(medtone_analyzer_term_count(a), 2 * N);
    for (int i = 0; i < N; i++) {
        char key[32];
        snprintf(key, sizeof key, "word%d", i);
        const mt_entry *e = find(a, key);
        assert_non_null(e);
        assert_true(near(e->valence, (i % 4) + (i % 10) / 10.0));
        snprintf(key, sizeof key, "phrase%d", i);
        assert_true(has_prefix(a, key));
        assert_null(find(a, key));
    }
    assert_null(find(a, "word5000"));
    medtone_analyzer_free(a);
    free(text);
}

typedef struct merge_case {
    const char *reason;
    int merge_tags;
    const char *bottom, *top;
    double valence;
    uint32_t tags;
} merge_case;

/* The cue lexicon (merge_tags on) keeps tags that EARLIER LAYERS gave a key; within one layer the
 * last line wins, as everywhere. The sentiment lexicon (off) replaces. */
static void test_merge_tags(void **state)
{
    (void)state;
    const merge_case cases[] = {
        {"cue layers add up their tags", 1, "meds\t1\tdrug\n", "meds\t2\tmedication\n", 2,
         MT_TAG_DRUG | MT_TAG_ASPECT_MEDICATION},
        {"sentiment layers replace tags", 0, "meds\t1\tdrug\n", "meds\t2\tmedication\n", 2,
         MT_TAG_ASPECT_MEDICATION},
        {"within a cue layer the last line wins, over the earlier layer's tags", 1,
         "meds\t1\tdrug\n", "meds\t2\tmedication\nMeds\t0.5\twait\n", 0.5,
         MT_TAG_DRUG | MT_TAG_ASPECT_WAIT},
        {"within one layer the last line wins outright", 1, "", "meds\t1\tdrug\nmeds\t2\torg\n", 2,
         MT_TAG_ORG},
        {"a later cue line without tags keeps the earlier tags", 1, "meds\t1\tdrug\n", "meds\t-1\n",
         -1, MT_TAG_DRUG},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const merge_case *c = &cases[i];
        mt_lexicon *lex = mt_lexicon_new();
        assert_non_null(lex);
        mt_lexicon_set_merge_tags(lex, c->merge_tags);
        char err[256] = "";
        assert_int_equal(
            mt_lexicon_add_layer(lex, "bottom", c->bottom, strlen(c->bottom), err, sizeof err),
            MEDTONE_OK);
        assert_int_equal(mt_lexicon_add_layer(lex, "top", c->top, strlen(c->top), err, sizeof err),
                         MEDTONE_OK);
        const mt_entry *e = mt_lexicon_find(lex, "meds", 4);
        if (!e || !near(e->valence, c->valence) || e->tags != c->tags || e->layer != 1)
            fail_msg("case '%s': valence %g tags %#x", c->reason, e ? e->valence : 0,
                     e ? e->tags : 0);
        assert_int_equal(mt_lexicon_size(lex), 1);
        mt_lexicon_free(lex);
    }
}

static void test_analyzer_cues(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    /* reason: cue layers go to the cue lexicon, never into sentiment */
    assert_int_equal(load_cues(a, "c1", "meds\t1\tdrug\n"), MEDTONE_OK);
    assert_int_equal(medtone_analyzer_layer_count(a), 0);
    assert_null(find(a, "meds"));
    assert_int_equal(mt_lexicon_layer_count(a->cues), 1);
    assert_string_equal(mt_lexicon_layer_name(a->cues, 0), "c1");
    /* reason: the analyzer's cue lexicon merges tags across layers */
    assert_int_equal(load_cues(a, "c2", "meds\t1\tmedication\n"), MEDTONE_OK);
    assert_int_equal(mt_lexicon_find(a->cues, "meds", 4)->tags,
                     MT_TAG_DRUG | MT_TAG_ASPECT_MEDICATION);
    /* reason: a failed cue load names file and line and changes nothing */
    snapshot before, after;
    take(a, &before);
    assert_int_equal(load_cues(a, "c3.tsv", "ok\t1\norg only\n"), MEDTONE_ERR_PARSE);
    assert_true(starts_with(medtone_analyzer_last_error(a), "c3.tsv:2: "));
    take(a, &after);
    assert_same(&before, &after);
    /* reason: files work the same way, gzip included */
    assert_int_equal(medtone_analyzer_load_cues(a, data_path("gzipped.tsv.gz")), MEDTONE_OK);
    assert_int_equal(mt_lexicon_layer_count(a->cues), 3);
    assert_non_null(mt_lexicon_find(a->cues, "comforting", 10));
    assert_int_equal(medtone_analyzer_load_cues(a, data_path("truncated.tsv.gz")),
                     MEDTONE_ERR_GZIP);
    assert_int_equal(mt_lexicon_layer_count(a->cues), 3);
    assert_int_equal(medtone_analyzer_load_cues(NULL, "x"), MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_analyzer_load_cues_data(NULL, "x", "", 0), MEDTONE_ERR_INVALID_ARG);
    medtone_analyzer_free(a);
}

/* ----- files ------------------------------------------------------------------------------ */

static void test_file_plain(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    assert_int_equal(medtone_analyzer_load_lexicon(a, data_path("base.tsv")), MEDTONE_OK);
    assert_int_equal(medtone_analyzer_layer_count(a), 1);
    assert_string_equal(medtone_analyzer_layer_name(a, 0), "base");
    /* base.tsv lists 13 distinct terms */
    assert_int_equal(medtone_analyzer_term_count(a), 13);
    assert_true(near(find(a, "awful")->valence, -3.5));
    assert_true(near(find(a, "very")->booster, 0.3));
    assert_int_equal(find(a, "nausea")->tags, MT_TAG_SIDE_EFFECT | MT_TAG_SYMPTOM);
    assert_true(near(find(a, "positive")->clinical, -2.2));
    assert_int_equal(find(a, "waited for hours")->nwords, 3);
    assert_string_equal(medtone_analyzer_last_error(a), "");
    medtone_analyzer_free(a);
}

static void test_file_default_layer_name(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    /* reason: without a header, a file's layer is named after the file */
    assert_int_equal(medtone_analyzer_load_lexicon(a, data_path("noheader.tsv")), MEDTONE_OK);
    assert_string_equal(medtone_analyzer_layer_name(a, 0), "noheader.tsv");
    medtone_analyzer_free(a);
}

static void test_file_crlf_bom(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    assert_int_equal(medtone_analyzer_load_lexicon(a, data_path("crlf_bom.tsv")), MEDTONE_OK);
    assert_string_equal(medtone_analyzer_layer_name(a, 0), "crlf");
    assert_int_equal(medtone_analyzer_term_count(a), 3);
    assert_true(near(find(a, "rude")->valence, -2));
    assert_int_equal(find(a, "not")->tags, MT_TAG_NEGATOR);
    medtone_analyzer_free(a);
}

static void test_file_override(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    assert_int_equal(medtone_analyzer_load_lexicon(a, data_path("base.tsv")), MEDTONE_OK);
    assert_int_equal(medtone_analyzer_load_lexicon(a, data_path("override.tsv")), MEDTONE_OK);
    assert_true(near(find(a, "good")->valence, 0.5));
    assert_int_equal(find(a, "pain")->tags, MT_TAG_DRUG);
    assert_int_equal(find(a, "awful")->layer, 0);
    /* 13 from base + "kind" */
    assert_int_equal(medtone_analyzer_term_count(a), 14);
    assert_string_equal(medtone_analyzer_layer_name(a, 1), "override");
    medtone_analyzer_free(a);
}

static void test_file_gzip(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    /* reason: gzip is detected by content; the layer parses as the plain text would */
    assert_int_equal(medtone_analyzer_load_lexicon(a, data_path("gzipped.tsv.gz")), MEDTONE_OK);
    assert_string_equal(medtone_analyzer_layer_name(a, 0), "gzipped");
    assert_int_equal(medtone_analyzer_term_count(a), 8);
    assert_true(near(find(a, "comforting")->valence, 2.1));
    assert_int_equal(find(a, "side effects")->tags, MT_TAG_SIDE_EFFECT);
    assert_true(has_prefix(a, "seen right"));
    medtone_analyzer_free(a);
}

static void test_memory_gzip(void **state)
{
    (void)state;
    size_t len;
    char *gz = read_all(data_path("gzipped.tsv.gz"), &len);
    medtone_analyzer *a = new_empty();
    /* reason: data in memory may be gzip too */
    assert_int_equal(medtone_analyzer_load_lexicon_data(a, "mem", gz, len), MEDTONE_OK);
    assert_string_equal(medtone_analyzer_layer_name(a, 0), "gzipped");
    assert_int_equal(medtone_analyzer_term_count(a), 8);
    /* reason: two gzip members back to back (cat a.gz b.gz) read as one stream, as gzip -d does */
    char *two = malloc(2 * len);
    assert_non_null(two);
    memcpy(two, gz, len);
    memcpy(two + len, gz, len);
    assert_int_equal(medtone_analyzer_load_lexicon_data(a, "two", two, 2 * len), MEDTONE_OK);
    assert_int_equal(medtone_analyzer_layer_count(a), 2);
    assert_int_equal(medtone_analyzer_term_count(a), 8);
    /* reason: bytes after the stream that are not another member are corruption */
    memcpy(two + len, "junk", 4);
    assert_int_equal(medtone_analyzer_load_lexicon_data(a, "junk.gz", two, len + 4),
                     MEDTONE_ERR_GZIP);
    assert_true(starts_with(medtone_analyzer_last_error(a), "junk.gz: "));
    /* reason: a lone gzip magic is a truncated stream */
    assert_int_equal(medtone_analyzer_load_lexicon_data(a, "magic.gz", "\x1f\x8b", 2),
                     MEDTONE_ERR_GZIP);
    assert_int_equal(medtone_analyzer_layer_count(a), 2);
    free(two);
    free(gz);
    medtone_analyzer_free(a);
}

/* A small gzip stream that inflates to at least `size` bytes of "a\t1\n" lines: one member of 1 MB,
 * repeated (gzip allows members back to back), so building it costs one small deflate. */
static char *gzip_bomb(size_t size, size_t *len)
{
    enum { MB = 1 << 20 };
    char *plain = malloc(MB), *member = malloc(MB);
    assert_non_null(plain);
    assert_non_null(member);
    for (size_t i = 0; i < MB; i += 4)
        memcpy(plain + i, "a\t1\n", 4);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)plain;
    zs.avail_in = MB;
    zs.next_out = (Bytef *)member;
    zs.avail_out = MB;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t mlen = zs.total_out, copies = size / MB + 1;
    deflateEnd(&zs);
    char *out = malloc(mlen * copies);
    assert_non_null(out);
    for (size_t i = 0; i < copies; i++)
        memcpy(out + i * mlen, member, mlen);
    *len = mlen * copies;
    free(plain);
    free(member);
    return out;
}

static void test_gzip_size_cap(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    size_t len;
    /* reason: inflating stops at the documented cap (256 MB) instead of exhausting memory */
    char *bomb = gzip_bomb(((size_t)256 << 20) + 4096, &len);
    assert_true(len < ((size_t)2 << 20));
    assert_int_equal(medtone_analyzer_load_lexicon_data(a, "bomb.gz", bomb, len),
                     MEDTONE_ERR_TOO_LARGE);
    assert_true(starts_with(medtone_analyzer_last_error(a), "bomb.gz: "));
    assert_int_equal(medtone_analyzer_layer_count(a), 0);
    free(bomb);
    medtone_analyzer_free(a);
}

typedef struct file_error_case {
    const char *reason;
    const char *file;
    medtone_status status;
    size_t line; /* 0: the message is "path: ..." */
    const char *message;
} file_error_case;

static void test_file_errors(void **state)
{
    (void)state;
    const file_error_case cases[] = {
        {"missing file", "no-such-file.tsv", MEDTONE_ERR_IO, 0, strerror(ENOENT)},
        {"a directory is not a file", "", MEDTONE_ERR_IO, 0, strerror(EISDIR)},
        {"corrupt gzip", "corrupt.tsv.gz", MEDTONE_ERR_GZIP, 0, "corrupt gzip"},
        {"truncated gzip", "truncated.tsv.gz", MEDTONE_ERR_GZIP, 0, "truncated gzip"},
        {"malformed line 5", "malformed.tsv", MEDTONE_ERR_PARSE, 5, "missing tab"},
        {"valence out of range on line 3", "range.tsv", MEDTONE_ERR_PARSE, 3,
         "valence out of range"},
    };
    medtone_analyzer *a = new_empty();
    assert_int_equal(medtone_analyzer_load_lexicon(a, data_path("base.tsv")), MEDTONE_OK);
    assert_int_equal(medtone_analyzer_load_lexicon(a, data_path("crlf_bom.tsv")), MEDTONE_OK);
    snapshot before, after;
    take(a, &before);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[4096], prefix[4200];
        snprintf(path, sizeof path, "%s", data_path(cases[i].file));
        if (!*cases[i].file) path[strlen(path) - 1] = '\0'; /* the directory itself */
        if (cases[i].line)
            snprintf(prefix, sizeof prefix, "%s:%zu: ", path, cases[i].line);
        else
            snprintf(prefix, sizeof prefix, "%s: ", path);
        medtone_status st = medtone_analyzer_load_lexicon(a, path);
        const char *msg = medtone_analyzer_last_error(a);
        if (st != cases[i].status || !starts_with(msg, prefix) || !strstr(msg, cases[i].message))
            fail_msg("case '%s': status %d, message '%s'; want %d, '%s...%s'", cases[i].reason, st,
                     msg, cases[i].status, prefix, cases[i].message);
        /* reason: a failed load leaves the analyzer exactly as it was */
        take(a, &after);
        assert_same(&before, &after);
    }
    medtone_analyzer_free(a);
}

/* ----- analyzer and options --------------------------------------------------------------- */

typedef struct option_case {
    const char *reason;
    medtone_option option;
    long value;
    medtone_status status;
} option_case;

static const option_case option_cases[] = {
    {"embedded off", MEDTONE_OPT_EMBEDDED_LEXICONS, 0, MEDTONE_OK},
    {"embedded on", MEDTONE_OPT_EMBEDDED_LEXICONS, 1, MEDTONE_OK},
    {"embedded is a boolean, not a count", MEDTONE_OPT_EMBEDDED_LEXICONS, 2,
     MEDTONE_ERR_INVALID_ARG},
    {"embedded negative", MEDTONE_OPT_EMBEDDED_LEXICONS, -1, MEDTONE_ERR_INVALID_ARG},
    {"scope 0 (negation off) is the minimum", MEDTONE_OPT_NEGATION_SCOPE, 0, MEDTONE_OK},
    {"scope 16 is the maximum", MEDTONE_OPT_NEGATION_SCOPE, 16, MEDTONE_OK},
    {"scope 17 is out of range", MEDTONE_OPT_NEGATION_SCOPE, 17, MEDTONE_ERR_INVALID_ARG},
    {"scope -1 is out of range", MEDTONE_OPT_NEGATION_SCOPE, -1, MEDTONE_ERR_INVALID_ARG},
    {"a huge value does not wrap", MEDTONE_OPT_NEGATION_SCOPE, 0x100000003L,
     MEDTONE_ERR_INVALID_ARG},
    {"flags off", MEDTONE_OPT_FLAGS, 0, MEDTONE_OK},
    {"flags on", MEDTONE_OPT_FLAGS, 1, MEDTONE_OK},
    {"flags is a boolean", MEDTONE_OPT_FLAGS, 2, MEDTONE_ERR_INVALID_ARG},
    {"flags negative", MEDTONE_OPT_FLAGS, -1, MEDTONE_ERR_INVALID_ARG},
    {"unknown option 0", (medtone_option)0, 1, MEDTONE_ERR_INVALID_ARG},
    {"unknown option 99", (medtone_option)99, 1, MEDTONE_ERR_INVALID_ARG},
};

static void test_option_ranges(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof option_cases / sizeof option_cases[0]; i++) {
        const option_case *c = &option_cases[i];
        medtone_options *o = medtone_options_new();
        assert_non_null(o);
        /* start from non-default values so that "left as it was" is visible */
        assert_int_equal(medtone_options_set_int(o, MEDTONE_OPT_NEGATION_SCOPE, 5), MEDTONE_OK);
        assert_int_equal(medtone_options_set_int(o, MEDTONE_OPT_EMBEDDED_LEXICONS, 0), MEDTONE_OK);
        assert_int_equal(medtone_options_set_int(o, MEDTONE_OPT_FLAGS, 0), MEDTONE_OK);
        medtone_status st = medtone_options_set_int(o, c->option, c->value);
        if (st != c->status) fail_msg("case '%s': status %d", c->reason, st);
        if (st != MEDTONE_OK) {
            assert_int_equal(o->negation_scope, 5);
            assert_int_equal(o->embedded_lexicons, 0);
            assert_int_equal(o->flags, 0);
        } else if (c->option == MEDTONE_OPT_NEGATION_SCOPE) {
            assert_int_equal(o->negation_scope, c->value);
        } else if (c->option == MEDTONE_OPT_FLAGS) {
            assert_int_equal(o->flags, c->value);
        } else {
            assert_int_equal(o->embedded_lexicons, c->value);
        }
        medtone_options_free(o);
    }
    assert_int_equal(medtone_options_set_int(NULL, MEDTONE_OPT_NEGATION_SCOPE, 3),
                     MEDTONE_ERR_INVALID_ARG);
}

typedef struct threshold_case {
    const char *reason;
    size_t flag;
    double value;
    medtone_status status;
} threshold_case;

static void test_option_thresholds(void **state)
{
    (void)state;
    const threshold_case cases[] = {
        {"0 is the lowest threshold", MEDTONE_FLAG_CRISIS, 0.0, MEDTONE_OK},
        {"1 is the highest threshold", MEDTONE_FLAG_MISINFO, 1.0, MEDTONE_OK},
        {"a threshold inside [0, 1]", MEDTONE_FLAG_ADE, 0.42, MEDTONE_OK},
        {"below 0", MEDTONE_FLAG_NEGATIVE, -0.01, MEDTONE_ERR_INVALID_ARG},
        {"above 1", MEDTONE_FLAG_PRIVACY, 1.01, MEDTONE_ERR_INVALID_ARG},
        {"NaN is no threshold", MEDTONE_FLAG_PRIVACY, NAN, MEDTONE_ERR_INVALID_ARG},
        {"unknown flag index", MT_FLAG_COUNT, 0.5, MEDTONE_ERR_INVALID_ARG},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        medtone_options *o = medtone_options_new();
        assert_non_null(o);
        medtone_status st = medtone_options_set_threshold(o, cases[i].flag, cases[i].value);
        if (st != cases[i].status) fail_msg("case '%s': status %d", cases[i].reason, st);
        for (size_t f = 0; f < MT_FLAG_COUNT; f++) {
            /* reason: only the named flag changes, and only on success */
            double want = st == MEDTONE_OK && f == cases[i].flag
                              ? cases[i].value
                              : medtone_flag_default_threshold(f);
            assert_true(o->threshold[f] == want);
        }
        medtone_options_free(o);
    }
    assert_int_equal(medtone_options_set_threshold(NULL, 0, 0.5), MEDTONE_ERR_INVALID_ARG);
}

static void test_option_defaults(void **state)
{
    (void)state;
    medtone_options *o = medtone_options_new();
    assert_non_null(o);
    /* header: embedded lexicons default 1, negation scope default 3 */
    assert_int_equal(o->embedded_lexicons, 1);
    assert_int_equal(o->negation_scope, 3);
    /* header: flags default 1; thresholds start at each flag's default */
    assert_int_equal(o->flags, 1);
    for (size_t f = 0; f < MT_FLAG_COUNT; f++)
        assert_true(o->threshold[f] == medtone_flag_default_threshold(f));
    medtone_options_free(o);
    medtone_options_free(NULL);
}

/* Embedded files that are sentiment layers (the others, "cues-*", go to the cue lexicon). */
static size_t embedded_sentiment_layers(void)
{
    size_t n = 0;
    for (size_t i = 0; i < mt_embedded_lexicon_count; i++)
        n += strncmp(mt_embedded_lexicons[i].name, MT_CUE_FILE_PREFIX,
                     strlen(MT_CUE_FILE_PREFIX)) != 0;
    return n;
}

static void test_analyzer_defaults(void **state)
{
    (void)state;
    medtone_analyzer *a = NULL;
    /* reason: NULL options mean the defaults: every embedded sentiment file is a layer, in
     * order; the cue files build the cue lexicon */
    assert_int_equal(medtone_analyzer_new(NULL, &a), MEDTONE_OK);
    assert_non_null(a);
    assert_int_equal(a->negation_scope, 3);
    assert_int_equal(medtone_analyzer_layer_count(a), embedded_sentiment_layers());
    assert_int_equal(mt_lexicon_layer_count(a->cues),
                     mt_embedded_lexicon_count - embedded_sentiment_layers());
    for (size_t i = 0; i < embedded_sentiment_layers(); i++) {
        assert_non_null(medtone_analyzer_layer_name(a, i));
        assert_true(*medtone_analyzer_layer_name(a, i) != '\0');
    }
    assert_string_equal(medtone_analyzer_last_error(a), "");
    /* reason: user layers go on top of the embedded ones */
    assert_int_equal(load(a, "mine", "qxjv\t1\n"), MEDTONE_OK);
    assert_int_equal(find(a, "qxjv")->layer, embedded_sentiment_layers());
    medtone_analyzer_free(a);
}

static void test_analyzer_options_used(void **state)
{
    (void)state;
    medtone_options *o = medtone_options_new();
    assert_int_equal(medtone_options_set_int(o, MEDTONE_OPT_NEGATION_SCOPE, 7), MEDTONE_OK);
    assert_int_equal(medtone_options_set_int(o, MEDTONE_OPT_EMBEDDED_LEXICONS, 0), MEDTONE_OK);
    assert_int_equal(medtone_options_set_int(o, MEDTONE_OPT_FLAGS, 0), MEDTONE_OK);
    assert_int_equal(medtone_options_set_threshold(o, MEDTONE_FLAG_CRISIS, 0.25), MEDTONE_OK);
    medtone_analyzer *a = NULL;
    assert_int_equal(medtone_analyzer_new(o, &a), MEDTONE_OK);
    /* reason: the options are only read by _new; freeing them after is fine */
    medtone_options_free(o);
    assert_int_equal(a->negation_scope, 7);
    assert_int_equal(a->flags, 0);
    assert_true(a->threshold[MEDTONE_FLAG_CRISIS] == 0.25);
    assert_true(a->threshold[MEDTONE_FLAG_MISINFO] ==
                medtone_flag_default_threshold(MEDTONE_FLAG_MISINFO));
    /* reason: with embedded lexicons off the analyzer starts empty, cues included */
    assert_int_equal(medtone_analyzer_layer_count(a), 0);
    assert_int_equal(medtone_analyzer_term_count(a), 0);
    assert_int_equal(mt_lexicon_layer_count(a->cues), 0);
    medtone_analyzer_free(a);
}

static void test_null_arguments(void **state)
{
    (void)state;
    medtone_analyzer *a = NULL;
    assert_int_equal(medtone_analyzer_new(NULL, NULL), MEDTONE_ERR_INVALID_ARG);
    medtone_analyzer_free(NULL);
    assert_int_equal(medtone_analyzer_load_lexicon(NULL, "x"), MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_analyzer_load_lexicon_data(NULL, "x", "a\t1", 3),
                     MEDTONE_ERR_INVALID_ARG);
    assert_string_equal(medtone_analyzer_last_error(NULL), "");
    assert_int_equal(medtone_analyzer_layer_count(NULL), 0);
    assert_int_equal(medtone_analyzer_term_count(NULL), 0);
    assert_null(medtone_analyzer_layer_name(NULL, 0));
    a = new_empty();
    assert_int_equal(medtone_analyzer_load_lexicon(a, NULL), MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_analyzer_load_lexicon_data(a, "x", NULL, 3), MEDTONE_ERR_INVALID_ARG);
    /* reason: (NULL, 0) is an empty text, as everywhere in the API */
    assert_int_equal(medtone_analyzer_load_lexicon_data(a, "x", NULL, 0), MEDTONE_OK);
    assert_int_equal(medtone_analyzer_layer_count(a), 1);
    /* reason: out of range layer index */
    assert_null(medtone_analyzer_layer_name(a, 1));
    medtone_analyzer_free(a);
}

static void test_last_error_lifecycle(void **state)
{
    (void)state;
    medtone_analyzer *a = new_empty();
    assert_string_equal(medtone_analyzer_last_error(a), "");
    assert_int_equal(load(a, "one.tsv", "bad\n"), MEDTONE_ERR_PARSE);
    assert_true(starts_with(medtone_analyzer_last_error(a), "one.tsv:1: "));
    /* reason: the message describes the last FAILED load, so a success does not erase it */
    assert_int_equal(load(a, "two.tsv", "good\t1\n"), MEDTONE_OK);
    assert_true(starts_with(medtone_analyzer_last_error(a), "one.tsv:1: "));
    assert_int_equal(load(a, "three.tsv", "x\t9\n"), MEDTONE_ERR_PARSE);
    assert_true(starts_with(medtone_analyzer_last_error(a), "three.tsv:1: "));
    medtone_analyzer_free(a);
}

/* The files the library embeds must load cleanly: analyzer_new cannot report which line broke. */
static void test_embedded_lexicons_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < mt_embedded_lexicon_count; i++) {
        mt_lexicon *lex = mt_lexicon_new();
        assert_non_null(lex);
        char err[512] = "";
        const mt_embedded_lexicon *e = &mt_embedded_lexicons[i];
        medtone_status st = mt_lexicon_add_layer(lex, e->name, e->data, e->len, err, sizeof err);
        if (st != MEDTONE_OK) fail_msg("lexicons/%s: %s", e->name, err);
        mt_lexicon_free(lex);
    }
}

/* ----- allocation failures ---------------------------------------------------------------- */

static const char small_lexicon[] = "#@ layer small\n"
                                    "# a comment\n"
                                    "good\t2\n"
                                    "waited for hours\t-2.5\n"
                                    "very\t0\tbooster=0.3\n"
                                    "Pain\t-2\tsymptom\n";

/* medtone_analyzer_new + one load from memory, failing the 1st, 2nd, ... allocation. */
static void test_nomem_new_and_load(void **state)
{
    (void)state;
    medtone_options *o = medtone_options_new();
    assert_non_null(o);
    assert_int_equal(medtone_options_set_int(o, MEDTONE_OPT_EMBEDDED_LEXICONS, 0), MEDTONE_OK);
    long base = g_alloc.live;
    int failures = 0;
    for (long n = 1;; n++) {
        alloc_arm(n);
        medtone_analyzer *a = NULL;
        medtone_status st = medtone_analyzer_new(o, &a);
        if (st == MEDTONE_OK) {
            st = load(a, "small", small_lexicon);
            if (st == MEDTONE_OK) {
                alloc_arm(0);
                assert_true(near(find(a, "pain")->valence, -2));
                assert_true(has_prefix(a, "waited for"));
                medtone_analyzer_free(a);
                break;
            }
            /* reason: a failed load leaves a usable, still empty analyzer */
            alloc_arm(0);
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            assert_int_equal(medtone_analyzer_layer_count(a), 0);
            assert_int_equal(medtone_analyzer_term_count(a), 0);
            assert_null(find(a, "good"));
            assert_int_equal(load(a, "small", small_lexicon), MEDTONE_OK);
            assert_non_null(find(a, "good"));
            medtone_analyzer_free(a);
        } else {
            alloc_arm(0);
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            assert_null(a);
        }
        failures++;
        /* reason: nothing leaks on any failure path */
        assert_int_equal(g_alloc.live, base);
        assert_true(n < 10000);
    }
    assert_true(failures > 3);
    assert_int_equal(g_alloc.live, base);
    medtone_options_free(o);
}

/* A load into an analyzer that already holds layers: each failure leaves it exactly as it was. */
static void load_loop(medtone_status (*do_load)(medtone_analyzer *, const void *), const void *arg)
{
    medtone_analyzer *a = new_empty();
    assert_int_equal(load(a, "base", "good\t2\npain\t-2\tsymptom\nbedside manner\t1\n"),
                     MEDTONE_OK);
    assert_int_equal(load_cues(a, "cues", "meds\t1\tdrug\n"), MEDTONE_OK);
    snapshot before, after;
    take(a, &before);
    for (long n = 1;; n++) {
        long live = g_alloc.live;
        alloc_arm(n);
        medtone_status st = do_load(a, arg);
        alloc_arm(0);
        if (st == MEDTONE_OK) break;
        assert_int_equal(st, MEDTONE_ERR_NOMEM);
        assert_int_equal(g_alloc.live, live);
        take(a, &after);
        assert_same(&before, &after);
        assert_true(n < 10000);
    }
    /* reason: the successful load added exactly one layer to the base two */
    assert_int_equal(medtone_analyzer_layer_count(a) + mt_lexicon_layer_count(a->cues), 3);
    medtone_analyzer_free(a);
}

static medtone_status load_small(medtone_analyzer *a, const void *arg)
{
    (void)arg;
    return load(a, "small", small_lexicon);
}

static medtone_status load_cues_small(medtone_analyzer *a, const void *arg)
{
    (void)arg;
    return load_cues(a, "cues", "meds\t1\tmedication\nnew cue\t1\torg\n");
}

static medtone_status load_file(medtone_analyzer *a, const void *arg)
{
    return medtone_analyzer_load_lexicon(a, arg);
}

typedef struct buffer {
    const char *data;
    size_t len;
} buffer;

static medtone_status load_buffer(medtone_analyzer *a, const void *arg)
{
    const buffer *b = arg;
    return medtone_analyzer_load_lexicon_data(a, "mem.gz", b->data, b->len);
}

static void test_nomem_load_existing(void **state)
{
    (void)state;
    long base = g_alloc.live;
    load_loop(load_small, NULL);
    load_loop(load_cues_small, NULL);
    /* the file path (reading) and gzip (zlib allocates through the hook) */
    char path[4096];
    snprintf(path, sizeof path, "%s", data_path("base.tsv"));
    load_loop(load_file, path);
    snprintf(path, sizeof path, "%s", data_path("gzipped.tsv.gz"));
    load_loop(load_file, path);
    size_t len;
    char *gz = read_all(path, &len);
    buffer b = {gz, len};
    load_loop(load_buffer, &b);
    free(gz);
    assert_int_equal(g_alloc.live, base);
}

static void test_nomem_embedded(void **state)
{
    (void)state;
    long base = g_alloc.live;
    for (long n = 1;; n++) {
        alloc_arm(n);
        medtone_analyzer *a = NULL;
        medtone_status st = medtone_analyzer_new(NULL, &a);
        alloc_arm(0);
        if (st == MEDTONE_OK) {
            assert_int_equal(medtone_analyzer_layer_count(a), embedded_sentiment_layers());
            medtone_analyzer_free(a);
            break;
        }
        assert_int_equal(st, MEDTONE_ERR_NOMEM);
        assert_null(a);
        assert_int_equal(g_alloc.live, base);
        assert_true(n < 100000);
    }
    assert_int_equal(g_alloc.live, base);
}

static void test_nomem_options(void **state)
{
    (void)state;
    alloc_arm(1);
    /* reason: options_new reports out of memory as NULL */
    assert_null(medtone_options_new());
    alloc_arm(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_forms),
        cmocka_unit_test(test_keys_match_tokenizer),
        cmocka_unit_test(test_comments_and_blank_lines),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_empty_layers),
        cmocka_unit_test(test_errors_name_line),
        cmocka_unit_test(test_failed_line_after_good_lines_adds_nothing),
        cmocka_unit_test(test_later_line_wins),
        cmocka_unit_test(test_later_layer_wins),
        cmocka_unit_test(test_max_words),
        cmocka_unit_test(test_has_prefix),
        cmocka_unit_test(test_find_uses_length),
        cmocka_unit_test(test_many_terms),
        cmocka_unit_test(test_merge_tags),
        cmocka_unit_test(test_analyzer_cues),
        cmocka_unit_test(test_file_plain),
        cmocka_unit_test(test_file_default_layer_name),
        cmocka_unit_test(test_file_crlf_bom),
        cmocka_unit_test(test_file_override),
        cmocka_unit_test(test_file_gzip),
        cmocka_unit_test(test_memory_gzip),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_gzip_size_cap),
        cmocka_unit_test(test_option_ranges),
        cmocka_unit_test(test_option_thresholds),
        cmocka_unit_test(test_option_defaults),
        cmocka_unit_test(test_analyzer_defaults),
        cmocka_unit_test(test_analyzer_options_used),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_last_error_lifecycle),
        cmocka_unit_test(test_embedded_lexicons_parse),
        cmocka_unit_test_setup_teardown(test_nomem_new_and_load, alloc_install, alloc_uninstall),
        cmocka_unit_test_setup_teardown(test_nomem_load_existing, alloc_install, alloc_uninstall),
        cmocka_unit_test_setup_teardown(test_nomem_embedded, alloc_install, alloc_uninstall),
        cmocka_unit_test_setup_teardown(test_nomem_options, alloc_install, alloc_uninstall),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
