/* test_flag_ade.c — the adverse-drug-event flag, as a table of behaviours.
 *
 * Each row is a post, whether the flag must fire at its default threshold, and (when it fires)
 * the evidence it must show: a span containing the named words, with its cue ("drug" or
 * "reaction"). Expectations come from the flag's promise (include/medtone.h, docs/flags/ade.md):
 * a drug or treatment named with a reaction the writer, or someone they care for, had. Negated
 * reactions, indications ("for my headaches"), relief ("my headaches are gone"), label and advice
 * text ("side effects may include"), hypotheses and fears do not fire. Orderings check the rules,
 * never numbers copied from the flag's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "medtone.h"

#include "flag_test_util.h"

/* From src/flags/ade.c (internal): the rule-word table is sorted for its binary search. */
int mt_flag_ade_selfcheck(void);

typedef struct row {
    const char *text;
    int fires;
    const char *drug;     /* words inside the drug evidence, or NULL */
    const char *reaction; /* words inside the reaction evidence, or NULL */
    const char *why;
} row;

static const row rows[] = {
    /* Reports: a drug and a reaction the writer had */
    {"started lisinopril and now I can't stop coughing", 1, "lisinopril", "coughing",
     "the issue's own example: start, drug, first person, reaction"},
    {"Lexapro gave me the worst headaches of my life", 1, "Lexapro", "headaches",
     "'gave me' links a common symptom to the drug"},
    {"doxycycline made me throw up twice today", 1, "doxycycline", "throw up",
     "a causal phrase is the clearest lay report"},
    {"my son broke out in hives an hour after his first dose of amoxicillin", 1, "amoxicillin",
     "hives", "a parent reporting for a child; the named drug is preferred to 'dose'"},
    {"been on sertraline a month and the brain fog is unreal", 1, "sertraline", "brain fog",
     "'been on X' says the writer takes it"},
    {"Day 4 on metformin. Diarrhea every single morning, is this normal??", 1, "metformin",
     "Diarrhea", "the drug in the sentence before; the question is another clause"},
    {"gained 25 lbs since starting seroquel", 1, "seroquel", "gained 25 lbs",
     "a weight verb, a number and a unit make a reaction without a lexicon phrase"},
    {"Anyone else get hair loss on Ozempic? Mine is coming out in clumps", 1, "Ozempic",
     "hair loss", "'anyone else' asks because the writer has it too"},
    {"stopped the statin because my legs ached, the muscle pain went away in a week", 1, "statin",
     "muscle pain", "relief after stopping the drug is evidence against it (dechallenge)"},
    {"Ibuprofen for my back pain gave me heartburn so bad I couldn't sleep", 1, "Ibuprofen",
     "heartburn", "the indication is skipped, the reaction after it still counts"},
    {"Chemo round 3 done. Nausea, mouth sores and zero appetite", 1, "Chemo", "mouth sores",
     "a list of reactions after a treatment; 'zero appetite' is a reaction, not a negation"},
    {"If I take Advil I get hives every time", 1, "Advil", "hives",
     "a condition on the drug is a habit, not a hypothesis"},
    {"The new pill gave me chest pain", 1, "pill", "chest pain",
     "a generic treatment word still pairs; chest pain comes through the health layer"},
    {"Prozac didn't help my mood and gave me insomnia", 1, "Prozac", "insomnia",
     "a failed treatment and a reaction in one clause"},
    {"Allopurinol gave me a rash so I quit taking it", 1, "Allopurinol", "rash",
     "reaction then discontinuation"},
    /* Hard negatives from the issue */
    {"side effects may include dizziness and nausea", 0, NULL, NULL, "label text, no drug"},
    {"I take ibuprofen for my headaches", 0, NULL, NULL, "the headaches are the indication"},
    {"no side effects at all on sertraline", 0, NULL, NULL, "the best news a review can give"},
    {"my headaches are gone since starting propranolol", 0, NULL, NULL,
     "relief, not an adverse event"},
    {"the pharmacy was slow", 0, NULL, NULL, "a service complaint"},
    {"the flu shot clinic is open till 6", 0, NULL, NULL, "a treatment, no reaction"},
    /* More hard negatives */
    {"Common side effects of lisinopril include a dry cough and dizziness.", 0, NULL, NULL,
     "information about a drug, not an experience"},
    {"Benadryl can cause drowsiness so don't drive after taking it", 0, NULL, NULL,
     "advice with 'can cause'"},
    {"Call your doctor if you notice swelling of the face after taking this medicine", 0, NULL,
     NULL, "advice addressed to the reader"},
    {"Prozac didn't make me gain weight at all", 0, NULL, NULL, "a negated reaction"},
    {"Been on Synthroid 10 years, never had a single side effect", 0, NULL, NULL,
     "negation four words back"},
    {"Zofran for the nausea works really well", 0, NULL, NULL, "nausea is the indication"},
    {"Sumatriptan is the only thing that helps with my migraines", 0, NULL, NULL,
     "'helps with' governs the migraines"},
    {"Claritin stopped my itchy eyes within a day", 0, NULL, NULL,
     "a relief verb takes the symptom as object"},
    {"I'm scared to start Accutane because of the dry skin stories", 0, NULL, NULL,
     "fear before starting: the drug is not taken yet"},
    {"Does Zoloft cause weight gain?", 0, NULL, NULL, "a question without 'I'"},
    {"If I get a rash from the new antibiotic I'm supposed to stop it", 0, NULL, NULL,
     "a hypothesis governs the reaction"},
    {"Hives again today and no idea what I'm allergic to. No new foods or meds", 0, NULL, NULL,
     "the only drug word is negated"},
    {"I'm so sick of waiting on hold with the pharmacy about my Adderall refill", 0, NULL, NULL,
     "'sick of' is a guard: fed up, not unwell"},
    {"The insurance denied my Ozempic again, this is such a headache", 0, NULL, NULL,
     "a figurative headache"},
    {"my anxiety is so much better on buspirone, no jitters", 0, NULL, NULL,
     "improvement and a negated reaction"},
    {"I have terrible insomnia and trazodone is a lifesaver", 0, NULL, NULL,
     "a drug praised right after the symptom treats it"},
    {"Headache, fever, sore throat. Think it's strep, going to urgent care", 0, NULL, NULL,
     "symptoms without a drug"},
};

static size_t ade;

static int setup(void **state)
{
    return ftu_setup_flag(state, "ade", &ade);
}

static double ade_score(const char *text)
{
    return ftu_score(ade, text);
}

/* Some evidence of the flag names `cue` on a span whose text contains `words`. */
static int has_evidence(const char *text, const char *words, const char *cue)
{
    size_t n = medtone_result_evidence_count(res, ade), w = strlen(words);
    for (size_t i = 0; i < n; i++) {
        size_t off = medtone_result_evidence_offset(res, ade, i);
        size_t len = medtone_result_evidence_length(res, ade, i);
        if (strcmp(medtone_result_evidence_cue(res, ade, i), cue) != 0) continue;
        for (size_t k = 0; k + w <= len; k++)
            if (memcmp(text + off + k, words, w) == 0) return 1;
    }
    return 0;
}

static int ade_cue(const char *cue)
{
    return !strcmp(cue, "drug") || !strcmp(cue, "reaction");
}

static void test_table(void **state)
{
    (void)state;
    assert_int_equal(ade, MEDTONE_FLAG_ADE);
    int failed = 0;
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        const row *r = &rows[k];
        analyze(an, r->text);
        int fired = medtone_result_flag_fired(res, ade);
        int ok = fired == r->fires;
        if (ok && r->drug && !has_evidence(r->text, r->drug, "drug")) ok = 0;
        if (ok && r->reaction && !has_evidence(r->text, r->reaction, "reaction")) ok = 0;
        if (!ok) {
            fprintf(stderr, "row %zu: \"%s\": expected %s (%s); got %s, score %.3f\n", k, r->text,
                    r->fires ? "fired with its evidence" : "not fired", r->why,
                    fired ? "fired" : "not fired", medtone_result_flag_score(res, ade));
            ftu_print_evidence(r->text, ade);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

/* Every span lies inside its text, is non-empty, names "drug" or "reaction", and comes in text
 * order; scores stay in [0, 1]; a fired flag's sentiment is the post's compound score. */
static void test_spans_inside(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        const char *text = rows[k].text;
        double s = ftu_score_in_range(text, ade);
        size_t n = medtone_result_evidence_count(res, ade);
        if (s == 0) assert_int_equal(n, 0);
        if (medtone_result_flag_fired(res, ade)) {
            assert_true(n >= 2);
            assert_true(medtone_result_flag_sentiment(res, ade) == medtone_result_compound(res));
        }
        ftu_check_spans(text, ade, 1, ade_cue);
    }
}

/* The rules as orderings: each pair differs in one ingredient. */
static void test_orders(void **state)
{
    (void)state;
    /* The writer's own experience weighs more than a statement about the drug. */
    assert_true(ade_score("since I started metformin I've had diarrhea") >
                ade_score("metformin diarrhea"));
    /* Negation: "never gave me" is below "gave me". */
    assert_true(ade_score("metformin never gave me diarrhea") <
                ade_score("metformin gave me diarrhea"));
    /* Proximity: the same clause weighs more than three sentences away (which is nothing). */
    assert_true(ade_score("I take lisinopril. It is fine. The weather is nice. I have a rash.") <
                ade_score("I take lisinopril and I have a rash."));
    assert_true(ade_score("I take lisinopril. It is fine. The weather is nice. I have a rash.") ==
                0);
    /* A clear reaction weighs more than a vague one in the same frame. */
    assert_true(ade_score("sertraline made me so tired") >
                ade_score("on sertraline and kind of tired"));
    /* A label frame damps what would otherwise be a report. */
    assert_true(ade_score("lisinopril may cause a dry cough") <
                ade_score("lisinopril gave me a dry cough"));
    /* More reactions with the drug make a stronger report. */
    assert_true(ade_score("Since Wellbutrin: headaches, insomnia and dry mouth") >
                ade_score("Since Wellbutrin: headaches"));
}

/* A user cue layer extends the flag: a made-up drug and a made-up reaction phrase. */
static void test_user_cues(void **state)
{
    (void)state;
    static const char cues[] = "#@ layer cues-test\n"
                               "zorbexin\t2\tdrug\n"
                               "glowing ears\t2.5\treaction\n";
    const char *text = "two days on zorbexin and I have glowing ears";
    medtone_analyzer *a = NULL;
    assert_int_equal(medtone_analyzer_new(NULL, &a), MEDTONE_OK);
    analyze(a, text);
    assert_false(medtone_result_flag_fired(res, ade));
    assert_int_equal(medtone_analyzer_load_cues_data(a, "cues-test", cues, sizeof cues - 1),
                     MEDTONE_OK);
    analyze(a, text);
    assert_true(medtone_result_flag_fired(res, ade));
    assert_true(has_evidence(text, "zorbexin", "drug"));
    assert_true(has_evidence(text, "glowing ears", "reaction"));
    medtone_analyzer_free(a);
}

/* The module's table of rule words is in the order its binary search needs: a word added out of
 * order would otherwise never match. */
static void test_rule_words_sorted(void **state)
{
    (void)state;
    assert_true(mt_flag_ade_selfcheck());
}

/* Flags off: no score, no evidence, whatever the text. */
static void test_flags_off(void **state)
{
    (void)state;
    ftu_check_flags_off_fresh("started lisinopril and now I can't stop coughing", ade);
}

/* Long and repetitive texts stay in range and in bounds: one sentence with thousands of drugs
 * and reactions, the same without punctuation or a first person, then thousands of one-word
 * sentences. */
static void test_pathological(void **state)
{
    (void)state;
    static char text[64 * 1024];
    size_t len = 0;
    const char *unit = "metformin gave me diarrhea no nausea for my headaches ";
    while (len + strlen(unit) < sizeof text - 1) {
        memcpy(text + len, unit, strlen(unit));
        len += strlen(unit);
    }
    text[len] = '\0';
    analyze(an, text);
    double s = medtone_result_flag_score(res, ade);
    assert_true(s >= 0 && s <= 1);
    assert_true(medtone_result_flag_fired(res, ade));
    size_t n = medtone_result_evidence_count(res, ade);
    assert_true(n > 0 && n <= 64);
    for (size_t i = 0; i < n; i++)
        assert_true(medtone_result_evidence_offset(res, ade, i) +
                        medtone_result_evidence_length(res, ade, i) <=
                    len);
    /* No punctuation and no first person: every reaction looks ahead for a question mark. */
    len = 0;
    unit = "lisinopril cough metformin diarrhea rash ";
    while (len + strlen(unit) < sizeof text - 1) {
        memcpy(text + len, unit, strlen(unit));
        len += strlen(unit);
    }
    text[len] = '\0';
    analyze(an, text);
    s = medtone_result_flag_score(res, ade);
    assert_true(s >= 0 && s <= 1);
    for (size_t i = 0; i + 2 < len; i += 2) {
        text[i] = i % 4 ? 'I' : 'X';
        text[i + 1] = '.';
    }
    analyze(an, text);
    s = medtone_result_flag_score(res, ade);
    assert_true(s >= 0 && s <= 1);
}

/* Allocation failure: every failing allocation during an analysis gives MEDTONE_ERR_NOMEM and
 * leaves a result that the next analysis fills correctly. */
static struct {
    long countdown; /* fail when it reaches 0; negative: never */
} g_fail = {-1};

static void *fail_malloc(size_t n, void *user)
{
    (void)user;
    if (g_fail.countdown >= 0 && g_fail.countdown-- == 0) return NULL;
    return malloc(n);
}

static void *fail_realloc(void *p, size_t n, void *user)
{
    (void)user;
    if (g_fail.countdown >= 0 && g_fail.countdown-- == 0) return NULL;
    return realloc(p, n);
}

static void fail_free(void *p, void *user)
{
    (void)user;
    free(p);
}

static void test_nomem(void **state)
{
    (void)state;
    const char *text = "started lisinopril and now I can't stop coughing, plus a rash";
    assert_int_equal(medtone_set_allocator(fail_malloc, fail_realloc, fail_free, NULL), MEDTONE_OK);
    medtone_analyzer *a = NULL;
    assert_int_equal(medtone_analyzer_new(NULL, &a), MEDTONE_OK);
    int failures = 0;
    for (long n = 0;; n++) {
        medtone_result *r = medtone_result_new();
        assert_non_null(r);
        g_fail.countdown = n;
        medtone_status st = medtone_analyze(a, text, strlen(text), r);
        g_fail.countdown = -1;
        if (st == MEDTONE_OK) {
            assert_true(medtone_result_flag_fired(r, ade));
            medtone_result_free(r);
            break;
        }
        assert_int_equal(st, MEDTONE_ERR_NOMEM);
        failures++;
        assert_int_equal(medtone_analyze(a, text, strlen(text), r), MEDTONE_OK);
        assert_true(medtone_result_flag_fired(r, ade));
        medtone_result_free(r);
    }
    assert_true(failures > 0);
    medtone_analyzer_free(a);
    assert_int_equal(medtone_set_allocator(NULL, NULL, NULL, NULL), MEDTONE_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),     cmocka_unit_test(test_spans_inside),
        cmocka_unit_test(test_orders),    cmocka_unit_test(test_user_cues),
        cmocka_unit_test(test_flags_off), cmocka_unit_test(test_pathological),
        cmocka_unit_test(test_nomem),     cmocka_unit_test(test_rule_words_sorted),
    };
    return cmocka_run_group_tests(tests, setup, ftu_teardown);
}
