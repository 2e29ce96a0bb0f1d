/* test_flag_aspects.c — the complaint aspects (aspect.wait ... aspect.records), as a table of
 * behaviours.
 *
 * Each row is a post, one aspect, whether that aspect must fire at its default threshold, the
 * sign its sentiment must have (or 0 when the row does not care), and, when it fires, one piece of
 * evidence it must show: the exact text of the span and the cue that names it. Expectations come
 * from the promise in include/medtone.h and docs/flags/aspects-and-negative.md: an aspect fires
 * when the post is about that part of the experience, and its sentiment is what the post says
 * about that part, not about the others. Orderings check the rules; no number is copied from the
 * module's output. */
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

typedef struct row {
    const char *text;
    const char *flag;
    int fires;
    int sign;         /* required sign of the aspect's sentiment: -1, +1, or 0 (not checked) */
    const char *span; /* text of one evidence span, or NULL */
    const char *cue;  /* its cue */
    const char *why;
} row;

static const row rows[] = {
    /* wait */
    {"Waited three hours in the ER waiting room before anyone saw us", "aspect.wait", 1, -1,
     "waiting room", "waiting room", "a wait complaint names the place and the hours"},
    {"No wait at all at the new clinic, seen within minutes", "aspect.wait", 1, 1, "No wait",
     "no wait", "praise of the wait is still about the wait"},
    {"The ER staff ignored me for 6 hours", "aspect.wait", 1, 0, "hours", "hours",
     "a number before 'hours' makes a duration"},
    {"I can't wait to meet my baby girl next month!", "aspect.wait", 0, 0, NULL, NULL,
     "eagerness is not a queue"},
    {"Wait and see what the scan says, trying not to worry", "aspect.wait", 0, 0, NULL, NULL,
     "a saying, not a delay"},
    {"Spent hours reading about my diagnosis online last night", "aspect.wait", 0, 0, NULL, NULL,
     "hours alone, with no number and no opinion, is only a hint"},
    /* billing */
    {"Got a $2,400 bill for a ten minute ER visit. Insane.", "aspect.billing", 1, 0, "$2,400",
     "money", "a money token counts towards billing"},
    {"They charged me twice for the same blood test", "aspect.billing", 1, -1, "charged me",
     "charged me", "double charging"},
    {"The billing office set up a payment plan for me, so helpful", "aspect.billing", 1, 1,
     "billing office", "billing office", "praise of billing"},
    {"Dr. Okafor paid attention to every detail", "aspect.billing", 0, 0, NULL, NULL,
     "'paid attention' is care, not money"},
    {"Covered in hives after the new antibiotic", "aspect.billing", 0, 0, NULL, NULL,
     "'covered in' is not insurance cover"},
    /* staff */
    {"Dr. Reyes has the worst bedside manner I've ever seen", "aspect.staff", 1, -1,
     "bedside manner", "bedside manner", "the aspect's own phrase"},
    {"The nurse was so kind and patient with my son", "aspect.staff", 1, 1, "nurse", "nurse",
     "a person of the staff with an opinion about them"},
    {"What kind of test is an A1c?", "aspect.staff", 0, 0, NULL, NULL,
     "'kind of' is a sort, not kindness"},
    {"the nurses were amazing but my pain is terrible", "aspect.staff", 1, 1, "nurses", "nurses",
     "the pain is the illness: it does not make the staff negative"},
    /* the same post, two aspects, two sentiments */
    {"the nurses were lovely but the wait was awful", "aspect.staff", 1, 1, "nurses", "nurses",
     "'lovely' goes to the nurses"},
    {"the nurses were lovely but the wait was awful", "aspect.wait", 1, -1, "the wait", "the wait",
     "'awful' goes to the wait"},
    /* communication */
    {"Nobody told us what was happening for six hours", "aspect.communication", 1, -1,
     "Nobody told us", "nobody told us", "being left in the dark"},
    {"The surgeon walked me through the procedure step by step", "aspect.communication", 1, 1,
     "walked me through", "walked me through", "explanation praised"},
    /* cleanliness */
    {"The bathroom in my room was filthy", "aspect.cleanliness", 1, -1, "filthy", "filthy", "dirt"},
    {"I've been clean for two years today, so proud", "aspect.cleanliness", 0, 0, NULL, NULL,
     "clean as sober"},
    {"Lost my sense of smell with covid", "aspect.cleanliness", 0, 0, NULL, NULL,
     "smell as a symptom"},
    /* food */
    {"Hospital food was cold and bland", "aspect.food", 1, -1, "Hospital food", "hospital food",
     "the food itself"},
    {"Food poisoning has me down for the count", "aspect.food", 0, 0, NULL, NULL,
     "an illness, not the hospital's meals"},
    /* parking */
    {"Parking at the hospital is $20 a day, outrageous", "aspect.parking", 1, -1, "Parking",
     "parking", "the cost of parking"},
    {"Honestly that was a walk in the park compared to my last surgery", "aspect.parking", 0, 0,
     NULL, NULL, "a saying"},
    /* access */
    {"on hold for 45 minutes just to reschedule", "aspect.access", 1, -1, "on hold", "on hold",
     "the phone line"},
    {"Got a same-day appointment, amazing", "aspect.access", 1, 1, "same-day", "same-day",
     "easy booking"},
    {"My appointment is on Tuesday at 10", "aspect.access", 0, 0, NULL, NULL,
     "a mention without an opinion is not a post about access"},
    /* medication */
    {"Pharmacy gave me the wrong dose of my blood pressure meds", "aspect.medication", 1, -1,
     "gave me the wrong", "gave me the wrong", "a dispensing error"},
    {"I'm allergic to cats lol", "aspect.medication", 0, 0, NULL, NULL,
     "an allergy with no drug or chart"},
    /* outcome */
    {"Misdiagnosed with anxiety for two years before they found the tumor", "aspect.outcome", 1, -1,
     "Misdiagnosed", "misdiagnosed", "a missed diagnosis"},
    {"Surgery went perfectly and I'm recovering well", "aspect.outcome", 1, 1, NULL, NULL,
     "a good outcome"},
    /* records */
    {"They lost my medical records during the transfer", "aspect.records", 1, -1, "medical records",
     "medical records", "lost records"},
    {"For the record, the nurses were great", "aspect.records", 0, 0, NULL, NULL,
     "a saying, not a file"},
};

static size_t flag_index(const char *name)
{
    size_t i = 0;
    assert_int_equal(medtone_flag_find(name, &i), MEDTONE_OK);
    return i;
}

static void test_rows(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        const row *r = &rows[k];
        size_t f = flag_index(r->flag);
        analyze(an, r->text);
        int fired = medtone_result_flag_fired(res, f);
        double sent = medtone_result_flag_sentiment(res, f);
        int ok = fired == r->fires;
        if (ok && r->sign) ok = r->sign > 0 ? sent > 0 : sent < 0;
        if (ok && r->span) ok = ftu_has_span(r->text, f, r->span, r->cue);
        if (!ok) {
            fprintf(
                stderr, "row %zu (%s): %s: fired %d (want %d), score %.3f, sentiment %.3f; %s\n", k,
                r->flag, r->text, fired, r->fires, medtone_result_flag_score(res, f), sent, r->why);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* Every evidence span of every aspect lies inside the text, and each aspect's score is in [0, 1]
 * and its sentiment in [-1, 1]. */
static void test_spans_inside(void **state)
{
    (void)state;
    size_t first = flag_index("aspect.wait");
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        const char *text = rows[k].text;
        analyze(an, text);
        for (size_t f = first; f < medtone_flag_count(); f++) {
            double s = medtone_result_flag_score(res, f), m = medtone_result_flag_sentiment(res, f);
            assert_true(s >= 0 && s <= 1);
            assert_true(m >= -1 && m <= 1);
            ftu_check_spans(text, f, 0, NULL);
        }
    }
}

/* MEDTONE_OPT_FLAGS 0: no aspect scores, no evidence. */
static void test_flags_off(void **state)
{
    (void)state;
    size_t first = flag_index("aspect.wait");
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        for (size_t f = first; f < medtone_flag_count(); f++)
            ftu_check_flags_off(an_off, rows[k].text, f);
    }
}

/* An opinion said about an aspect makes the post more clearly about it. */
static void test_opinion_strengthens(void **state)
{
    (void)state;
    size_t f = flag_index("aspect.access");
    analyze(an, "my appointment is on Tuesday");
    double plain = medtone_result_flag_score(res, f);
    analyze(an, "my appointment was a complete mess");
    double said = medtone_result_flag_score(res, f);
    assert_true(plain > 0);
    assert_true(said > plain);
}

/* A hard negative takes weight away: "can't wait" scores below "wait". */
static void test_hard_negative_subtracts(void **state)
{
    (void)state;
    size_t f = flag_index("aspect.wait");
    analyze(an, "the wait for my appointment");
    double wait = medtone_result_flag_score(res, f);
    analyze(an, "can't wait for my appointment");
    assert_true(medtone_result_flag_score(res, f) < wait);
}

/* A user cue layer that uses only the aspect tags is read with its own weights: a hospital can
 * teach the module its own words. */
static void test_user_layer(void **state)
{
    (void)state;
    static const char layer[] = "#@ layer my-hospital\n"
                                "skybridge\t3\tparking\n";
    medtone_analyzer *a = NULL;
    assert_int_equal(medtone_analyzer_new(NULL, &a), MEDTONE_OK);
    size_t f = flag_index("aspect.parking");
    const char *text = "the skybridge was shut again, so we walked outside in the snow";
    assert_int_equal(medtone_analyze(a, text, strlen(text), res), MEDTONE_OK);
    assert_int_equal(medtone_result_flag_fired(res, f), 0);
    assert_int_equal(medtone_analyzer_load_cues_data(a, "my-hospital.tsv", layer, sizeof layer - 1),
                     MEDTONE_OK);
    assert_int_equal(medtone_analyze(a, text, strlen(text), res), MEDTONE_OK);
    assert_int_equal(medtone_result_flag_fired(res, f), 1);
    assert_true(ftu_has_span(text, f, "skybridge", "skybridge"));
    medtone_analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_spans_inside),
        cmocka_unit_test(test_flags_off),
        cmocka_unit_test(test_opinion_strengthens),
        cmocka_unit_test(test_hard_negative_subtracts),
        cmocka_unit_test(test_user_layer),
    };
    return cmocka_run_group_tests(tests, ftu_setup_with_off, ftu_teardown);
}
