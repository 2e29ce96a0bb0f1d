/* test_flag_negative.c — the negative flag, as a table of behaviours.
 *
 * Each row is a post, whether the flag must fire at its default threshold, and (when it fires)
 * one piece of evidence it must show: the exact text of the span and the cue that names it.
 * Expectations come from the flag's promise (include/medtone.h,
 * docs/flags/aspects-and-negative.md): strong negative sentiment aimed at the organization, its
 * staff or its care fires; a patient describing an illness, fear or grief does not, nor does
 * praise, a neutral question, or a negative word with nothing to aim at. Orderings check the rules;
 * no number is copied from the flag's output. */
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

static const span_row rows[] = {
    /* Complaints aimed at the organization, its staff or its care */
    {"the ER staff ignored me for 6 hours", 1, "ignored", "ignored",
     "the issue's first example: neglect by named staff"},
    {"the ER staff ignored me for 6 hours", 1, "staff", "staff",
     "the cue the negative word is aimed at is evidence too"},
    {"worst clinic ever, billing charged me twice", 1, "worst", "worst",
     "the issue's second example"},
    {"worst clinic ever, billing charged me twice", 1, "clinic", "clinic",
     "'worst' is aimed at the clinic"},
    {"Dr. X was rude and dismissive", 1, "dismissive", "dismissive", "the issue's third example"},
    {"Dr. Patel was rude to my mother", 1, "Dr", "dr",
     "the period of 'Dr.' does not end the sentence, so 'rude' is aimed at the doctor"},
    {"@CityGeneral worst service I have ever had", 1, "@CityGeneral", "mention",
     "a mention of the organization's account is a target"},
    {"Never going back to that urgent care.", 1, "Never going back", "never going back",
     "a complaint phrase counts by itself"},
    {"The pharmacy gave me the wrong meds and then blamed me for not checking", 1,
     "gave me the wrong", "gave me the wrong", "a dispensing error"},
    {"Waited 5 hours in the waiting room and nobody looked at me. Horrible.", 1, "Horrible",
     "horrible", "a one-word verdict after the complaint"},
    {"Filthy bathrooms and cold food at this hospital", 1, "Filthy", "filthy",
     "cleanliness complaint"},
    {"my insurance denied my claim for the third time, what a nightmare", 1, NULL, NULL,
     "an insurer is an organization too"},
    {"why does every visit to this clinic end with a billing error?", 1, "billing error",
     "billing error", "a 'why' question complains more than it asks"},
    {"The surgeon botched my knee replacement and now I can barely walk", 1, "botched", "botched",
     "a treatment error"},
    /* The patient's illness, fear, grief: not complaints */
    {"my cancer is awful", 0, NULL, NULL, "suffering, not a complaint (the issue's example)"},
    {"this flu is the worst, day 3 in bed", 0, NULL, NULL, "an illness"},
    {"so scared about my biopsy tomorrow", 0, NULL, NULL, "fear of a test"},
    {"the nurses were amazing but my pain is terrible", 0, NULL, NULL,
     "praise of the staff, and pain that is the illness"},
    {"I hate being sick", 0, NULL, NULL, "no target at all"},
    {"Spent the night in the ER with the worst migraine of my life", 0, NULL, NULL,
     "'worst' is nearer the migraine than the ER"},
    {"My dad passed away at the hospital last night. The nurses held his hand.", 0, NULL, NULL,
     "grief at the hospital is not blame of it"},
    {"Chemo round 4 was brutal, nausea for days. The infusion nurses kept me laughing.", 0, NULL,
     NULL, "treatment suffering, staff praised"},
    {"please pray, my husband had a heart attack in the hospital parking lot", 0, NULL, NULL,
     "an emergency that befell the writer, not the hospital's doing"},
    {"I hate my life and I want to disappear forever", 0, NULL, NULL,
     "a vague word ('forever') is no target by itself"},
    /* Praise, negation, questions */
    {"The staff weren't rude at all, I was just nervous", 0, NULL, NULL,
     "negated: the scorer turns 'rude' around"},
    {"Huge thanks to Dr. Alvarez and the cardiology team", 0, NULL, NULL, "praise"},
    {"I'd never file a complaint, they were wonderful", 0, NULL, NULL,
     "a negated complaint phrase is not a complaint"},
    {"Is the ER at County General usually busy on Sunday nights?", 0, NULL, NULL,
     "a neutral question"},
    {"No complaints about the clinic, the flu shot made my arm sore though", 0, NULL, NULL,
     "'no complaints' is satisfaction; the sore arm is the body"},
};

static double score(const char *text)
{
    return ftu_score(MEDTONE_FLAG_NEGATIVE, text);
}

static void test_rows(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        const span_row *r = &rows[k];
        analyze(an, r->text);
        int fired = medtone_result_flag_fired(res, MEDTONE_FLAG_NEGATIVE);
        int ok = fired == r->fires;
        if (ok && r->span) ok = ftu_has_span(r->text, MEDTONE_FLAG_NEGATIVE, r->span, r->cue);
        if (!ok) {
            fprintf(stderr, "row %zu: %s: fired %d (want %d), score %.3f; %s\n", k, r->text, fired,
                    r->fires, medtone_result_flag_score(res, MEDTONE_FLAG_NEGATIVE), r->why);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* Evidence spans lie inside the text; the score is in [0, 1]; the sentiment is the compound when
 * there is evidence and 0 when there is none. */
static void test_spans_and_sentiment(void **state)
{
    (void)state;
    const size_t f = MEDTONE_FLAG_NEGATIVE;
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        const char *text = rows[k].text;
        ftu_score_in_range(text, f);
        size_t n = ftu_check_spans(text, f, 0, NULL);
        if (n > 0)
            assert_true(medtone_result_flag_sentiment(res, f) == medtone_result_compound(res));
        else
            assert_true(medtone_result_flag_sentiment(res, f) == 0);
        if (rows[k].fires) assert_true(n > 0);
    }
}

/* MEDTONE_OPT_FLAGS 0: score 0, not fired, no evidence. */
static void test_flags_off(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        ftu_check_flags_off(an_off, rows[k].text, MEDTONE_FLAG_NEGATIVE);
    }
}

/* More complaints weigh more; the same words aimed at the organization weigh more than with no
 * target; a question weighs less than a statement. */
static void test_orderings(void **state)
{
    (void)state;
    double one = score("the wait at this clinic was long");
    double more = score("the wait at this clinic was long and the nurse was rude and dismissive");
    assert_true(more > one);

    double aimed = score("the nurse was so rude to me");
    double unaimed = score("so rude to me");
    assert_true(aimed > unaimed);

    double asks = score("Is the ER staff rude to everyone?");
    double says = score("The ER staff is rude to everyone.");
    assert_true(says > asks);

    double illness = score("my pain is terrible");
    double care = score("the surgeon is terrible");
    assert_true(care > illness);
}

/* A user cue layer can name the organization itself ("Lakeside") as a target. */
static void test_user_org_layer(void **state)
{
    (void)state;
    static const char layer[] = "#@ layer my-hospital\n"
                                "lakeside\t1.5\torg\n";
    medtone_analyzer *a = NULL;
    assert_int_equal(medtone_analyzer_new(NULL, &a), MEDTONE_OK);
    const char *text = "Lakeside is a disgrace, absolutely horrible";
    assert_int_equal(medtone_analyze(a, text, strlen(text), res), MEDTONE_OK);
    double before = medtone_result_flag_score(res, MEDTONE_FLAG_NEGATIVE);
    assert_int_equal(medtone_analyzer_load_cues_data(a, "my-hospital.tsv", layer, sizeof layer - 1),
                     MEDTONE_OK);
    assert_int_equal(medtone_analyze(a, text, strlen(text), res), MEDTONE_OK);
    assert_true(medtone_result_flag_score(res, MEDTONE_FLAG_NEGATIVE) > before);
    assert_int_equal(medtone_result_flag_fired(res, MEDTONE_FLAG_NEGATIVE), 1);
    assert_true(ftu_has_span(text, MEDTONE_FLAG_NEGATIVE, "Lakeside", "lakeside"));
    medtone_analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),           cmocka_unit_test(test_spans_and_sentiment),
        cmocka_unit_test(test_flags_off),      cmocka_unit_test(test_orderings),
        cmocka_unit_test(test_user_org_layer),
    };
    return cmocka_run_group_tests(tests, ftu_setup_with_off, ftu_teardown);
}
