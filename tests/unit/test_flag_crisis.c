/* test_flag_crisis.c — the crisis flag, as a table of behaviours.
 *
 * Each row is a post, whether the flag must fire at its default threshold, and (when it fires)
 * one piece of evidence it must show: the exact text of the span and the cue that names it.
 * Expectations come from the flag's promise (include/medtone.h, docs/flags/crisis.md): suicidal
 * statements, threats, emergencies happening now, outbreaks and disasters fire; figurative
 * language, history, news and awareness posts do not. Orderings check the rules (a first person
 * and intent weigh more; figurative and negated uses weigh less), never numbers copied from the
 * flag's output. */
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
    /* Self-harm and suicidal statements */
    {"I can't do this anymore. I'm going to kill myself tonight.", 1, "kill myself", "kill myself",
     "first-person suicidal intent with a time"},
    {"I'm going to kill myself tonight.", 1, "I'm going to", "first-person-intent",
     "the pronoun through the intent word is the rule's evidence"},
    {"honestly i just want to die, nobody listens", 1, "want to die", "want to die",
     "a plain statement of wanting to die"},
    {"there is no reason to live anymore", 1, "no reason to live", "no reason to live",
     "negated safety, no pronoun needed"},
    {"I've been suicidal for weeks and the crisis line put me on hold", 1, "suicidal", "suicidal",
     "current suicidal state"},
    {"i keep hurting myself and my therapist is away", 1, "hurting myself", "hurting myself",
     "ongoing self-harm"},
    /* Threats of violence */
    {"If they deny my claim again I'm going to bring a gun to that office.", 1, "bring a gun",
     "bring a gun", "a threat with a weapon"},
    {"I'm going to kill that surgeon for what he did", 1, "surgeon", "at-facility",
     "a weak verb made a threat by first person, intent and a target on staff"},
    {"someone should burn this place down", 1, "burn this place down", "burn this place down",
     "a threat against the facility"},
    /* Medical emergencies happening now */
    {"My dad collapsed and isn't breathing", 1, "isn't breathing", "isn't breathing",
     "the issue's own example"},
    {"chest pain and can't breathe right now", 1, "right now", "happening-now",
     "symptoms under way; 'right now' is the rule's evidence"},
    {"my roommate overdosed and won't wake up", 1, "overdosed", "overdosed",
     "an overdose described as it happens"},
    {"I think my mom is having a stroke, her face is drooping", 1, "having a stroke",
     "having a stroke", "the present form of an emergency"},
    {"I just took 30 of my pills and I'm scared", 1, "took 30 of my pills", "pill-count",
     "an overdose told by its shape: a verb, a large count, pills"},
    /* Outbreaks, disasters, mass events */
    {"Outbreak at the nursing home on Elm St, half the residents are sick", 1, "Outbreak",
     "outbreak", "an outbreak report (span keeps the original case)"},
    {"There's a fire in the ER, they're evacuating patients", 1, "There's a fire", "there's a fire",
     "the issue's own example"},
    {"Reports of a shooting at the hospital downtown", 1, "hospital", "at-facility",
     "a shooting at a facility"},
    {"Active shooter reported near Memorial, people sheltering", 1, "Active shooter",
     "active shooter", "a mass-event signal"},
    {"HELP my dad fell down the stairs and he's not moving", 1, "HELP", "happening-now",
     "a shouted call for help marks the present"},
    {"He says if they discharge his mother again he'll come back and hurt the doctor", 1, "doctor",
     "at-facility", "a reported threat with staff as its object"},
    {"i'm not safe at home tonight, he said he'd kill me if i called anyone", 1, "not safe at home",
     "not safe at home", "the writer in danger from someone else"},
    {"We have 14 cases of measles in the pediatric ward since Monday", 1, "measles", "measles",
     "a cluster of cases on a ward"},
    /* Hard negatives: figurative language */
    {"this wait is killing me", 0, NULL, NULL, "a complaint, not a crisis"},
    {"I could kill for a coffee", 0, NULL, NULL, "craving"},
    {"dying to try the new cafe", 0, NULL, NULL, "eagerness"},
    {"my feet are murdering me", 0, NULL, NULL, "sore feet"},
    {"the comedian killed it", 0, NULL, NULL, "praise"},
    {"I'd die for this pizza", 0, NULL, NULL, "praise"},
    {"this traffic is killing me", 0, NULL, NULL, "a complaint"},
    {"killing it at the gym since my knee surgery", 0, NULL, NULL, "praise"},
    {"I almost had a heart attack when I saw the bill", 0, NULL, NULL, "hyperbole about a bill"},
    {"Shoot me an email if you need the referral form", 0, NULL, NULL, "an idiom"},
    /* Hard negatives: not current, news, awareness, drills */
    {"September is Suicide Prevention Month. If you are struggling, call or text 988.", 0, NULL,
     NULL, "an awareness post"},
    {"New study finds suicide rates among physicians are rising", 0, NULL, NULL, "news"},
    {"My dad had a heart attack last year and the cardiac team saved him", 0, NULL, NULL,
     "a history, told with gratitude"},
    {"I survived an overdose years ago and now work as a peer coach", 0, NULL, NULL,
     "a survivor's history"},
    {"Fire drill at the clinic this morning, very well organized", 0, NULL, NULL, "a drill"},
    {"Our hospital ran an active shooter drill with local police today", 0, NULL, NULL, "a drill"},
    {"I'm not suicidal, just tired of the insurance runaround", 0, NULL, NULL,
     "negated; damped below the threshold"},
    {"The ER doc said my chest pain was anxiety and sent me home", 0, NULL, NULL,
     "a patient's story at the ER, not a new emergency"},
    {"Side effects: mild nausea and some shortness of breath on stairs", 0, NULL, NULL,
     "a listed side effect"},
    {"For years I took 12 pills a day for my heart", 0, NULL, NULL,
     "a daily regimen, not an overdose"},
    {"The new pill gave me chest pain", 0, NULL, NULL,
     "a side effect alone (a symptom shared with the reaction cues) stays weak"},
    {"Seizure clinic follow-up went great", 0, NULL, NULL,
     "the cue names the place ('seizure clinic'): no event at it"},
    {"My dad had a stroke in 2019 and the rehab team gave him his life back", 0, NULL, NULL,
     "a year dates the story"},
    {"I used to self harm as a teen, now I volunteer with a youth crisis line", 0, NULL, NULL,
     "history; 'now' in the next clause is about the present life, not the cue"},
    {"I'm so over this insurance company, I swear they want us all to die broke", 0, NULL, NULL,
     "'they' is the subject between the writer and the cue"},
    {"Just watched the show where the ER doctor killed it in surgery lol", 0, NULL, NULL,
     "figurative praise inside a fiction post"},
};

static size_t crisis;

static int setup(void **state)
{
    return ftu_setup_flag(state, "crisis", &crisis);
}

static double crisis_score(const char *text)
{
    return ftu_score(crisis, text);
}

static void test_table(void **state)
{
    (void)state;
    assert_int_equal(crisis, MEDTONE_FLAG_CRISIS);
    int failed = ftu_span_table(rows, sizeof rows / sizeof rows[0], crisis);
    assert_int_equal(failed, 0);
}

/* Every span lies inside its text, is non-empty, and the flag's evidence is in text order;
 * scores stay in [0, 1]. */
static void test_spans_inside(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        const char *text = rows[k].text;
        double s = ftu_score_in_range(text, crisis);
        size_t n = ftu_check_spans(text, crisis, 1, ftu_cue_nonempty);
        if (s == 0) assert_int_equal(n, 0);
    }
}

/* The rules as orderings: each pair differs in one ingredient. */
static void test_orders(void **state)
{
    (void)state;
    /* A first person weighs more than a third party. */
    assert_true(crisis_score("I think I'm having a heart attack") >
                crisis_score("the patient had a heart attack"));
    /* Intent weighs more than the bare verb. */
    assert_true(crisis_score("I'm going to hurt the nurse") > crisis_score("the nurse was hurt"));
    /* "now" weighs more. */
    assert_true(crisis_score("my chest pain is crushing right now") >
                crisis_score("my chest pain is crushing"));
    /* Negation damps but does not zero. */
    double negated = crisis_score("I'm not suicidal");
    assert_true(negated > 0);
    assert_true(negated < crisis_score("I'm suicidal"));
    /* A joking marker damps but does not zero. */
    double joking = crisis_score("i want to die lol");
    assert_true(joking > 0);
    assert_true(joking < crisis_score("i want to die"));
    /* A figurative phrase elsewhere in the text damps the real statement only a little: it
     * still fires. */
    analyze(an, "This wait is killing me. I want to end my life.");
    assert_true(medtone_result_flag_fired(res, crisis));
    /* History damps. */
    assert_true(crisis_score("I overdosed years ago") < crisis_score("I overdosed"));
}

/* Flags off: no score, no evidence, whatever the text. */
static void test_flags_off(void **state)
{
    (void)state;
    ftu_check_flags_off_fresh("I'm going to kill myself tonight", crisis);
}

/* Thresholds are the caller's: at 1 nothing short of certainty fires, at 0 a zero score
 * still does not (no evidence, no flag). */
static void test_threshold(void **state)
{
    (void)state;
    assert_true(medtone_flag_default_threshold(crisis) > 0 &&
                medtone_flag_default_threshold(crisis) <= 0.5);
    medtone_options *opt = medtone_options_new();
    assert_non_null(opt);
    assert_int_equal(medtone_options_set_threshold(opt, crisis, 1.0), MEDTONE_OK);
    medtone_analyzer *strict = NULL;
    assert_int_equal(medtone_analyzer_new(opt, &strict), MEDTONE_OK);
    medtone_options_free(opt);
    analyze(strict, "My dad collapsed and isn't breathing");
    assert_false(medtone_result_flag_fired(res, crisis));
    assert_true(medtone_result_flag_score(res, crisis) > 0);
    medtone_analyzer_free(strict);
    analyze(an, "What a lovely day at the clinic");
    assert_true(medtone_result_flag_score(res, crisis) == 0);
    assert_false(medtone_result_flag_fired(res, crisis));
}

/* Long and repetitive texts: many cues in one sentence and many sentences stay in range. */
static void test_pathological(void **state)
{
    (void)state;
    static char text[64 * 1024];
    size_t len = 0;
    const char *unit = "outbreak fire in the er killing me lol took 20 of my zoloft pills ";
    while (len + strlen(unit) < sizeof text - 1) {
        memcpy(text + len, unit, strlen(unit));
        len += strlen(unit);
    }
    text[len] = '\0';
    analyze(an, text);
    double s = medtone_result_flag_score(res, crisis);
    assert_true(s >= 0 && s <= 1);
    size_t n = medtone_result_evidence_count(res, crisis);
    for (size_t i = 0; i < n; i++)
        assert_true(medtone_result_evidence_offset(res, crisis, i) +
                        medtone_result_evidence_length(res, crisis, i) <=
                    len);
    for (size_t i = 0; i + 2 < len; i += 2) {
        text[i] = 'I';
        text[i + 1] = '.';
    }
    analyze(an, text);
    s = medtone_result_flag_score(res, crisis);
    assert_true(s >= 0 && s <= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),     cmocka_unit_test(test_spans_inside),
        cmocka_unit_test(test_orders),    cmocka_unit_test(test_flags_off),
        cmocka_unit_test(test_threshold), cmocka_unit_test(test_pathological),
    };
    return cmocka_run_group_tests(tests, setup, ftu_teardown);
}
