/* test_flag_misinfo.c — the misinformation flag, as a table of behaviours.
 *
 * Each row is a post, whether the flag must fire at its default threshold, and (when it fires)
 * one piece of evidence it must show: the exact text of the span and the cue that names it.
 * Expectations come from the flag's promise (include/medtone.h, docs/flags/misinfo.md): cure and
 * miracle claims, conspiracy frames, anti-vaccine tropes, urgency, false authority and dangerous
 * advice fire; an organization's own guidance, agency counts, studies with hedges, corrections,
 * patients' questions and stories do not. Orderings check the rules (a hedge, a question, a
 * denial or a source lowers the score; shouting raises it), never numbers copied from the flag's
 * output. */
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
    /* Conspiracy frames */
    {"Big Pharma doesn't want you to know that baking soda cures cancer.", 1, "Big Pharma",
     "big pharma", "the issue's own conspiracy frame, with a cure claim"},
    {"PLANDEMIC. It was planned from the start, wake up sheeple", 1, "sheeple", "sheeple",
     "two conspiracy tropes; the span keeps the original case"},
    {"5G towers are spreading the coronavirus", 1, "5G towers", "5g towers",
     "the 5G trope (the longest cue wins)"},
    {"Bill Gates wants to put a tracking chip in everyone through the vaccine", 1, "Bill Gates",
     "bill gates", "the depopulation and chip tropes"},
    /* Cure and miracle claims */
    {"This 100% natural cure detoxes your body in 3 days", 1, "100% natural", "100% natural",
     "a 'natural cure' with an absolute"},
    {"Drink hot water every 15 minutes to flush the virus into your stomach", 1, "hot water",
     "hot water", "a household remedy against a virus"},
    {"Miracle cure! This herbal tea destroys the coronavirus in 3 days, guaranteed.", 1,
     "Miracle cure", "miracle cure", "a miracle claim with a guarantee"},
    /* Anti-vaccine tropes */
    {"Vaccines cause autism and the CDC knows it", 1, "Vaccines cause autism",
     "vaccines cause autism", "the classic trope outweighs the agency's name"},
    {"The mRNA shot will alter your DNA forever", 1, "alter your DNA", "alter your dna",
     "the altered-DNA trope"},
    {"Stay away from the vaccinated, vaccine shedding is making kids sick", 1, "vaccine shedding",
     "vaccine shedding", "the shedding trope"},
    /* Urgency, virality and false authority */
    {"Share this before it gets deleted: garlic kills the virus", 1, "Share this before",
     "share this before", "share-before-deleted urgency"},
    {"Doctors won't tell you this, but chemo kills more people than cancer", 1,
     "Doctors won't tell you", "doctors won't tell you", "false authority and hidden truth"},
    {"A nurse friend told me the hospitals are empty and the pandemic is a hoax", 1, "hoax", "hoax",
     "an anecdote as proof, and denial of the pandemic"},
    {"Video shows nurses dumping vaccines in the trash, they are hiding the truth", 1,
     "Video shows", "video shows", "a video offered as proof"},
    {"Video showing nurses dumping vaccines in the trash", 1, "Video showing", "video showing",
     "the same proof in the participle"},
    {"A post claims the flu shot is made with aborted babies", 1, "A post", "a post",
     "a post named as the source of a claim"},
    {"This is proof that masks spread the flu", 1, "proof that", "proof that",
     "a claim offered as settled"},
    {"A post claimed that onions absorb the flu", 1, "claimed that", "claimed that",
     "a claim reported in the past tense"},
    {"The prime minister is infected with the virus", 1, "is infected with", "is infected with",
     "a person said to have caught the disease"},
    /* Dangerous advice */
    {"Take 50,000 IU of vitamin D every day and you will never get sick again", 1, "50,000 IU",
     "dose-with-claim", "a dose beside a claim is advice someone may follow"},
    {"Throw away your insulin, cinnamon reverses diabetes", 1, "Throw away your", "throw away your",
     "stopping prescribed care"},
    {"Garlic kills the virus!!!", 1, "!!!", "exclamation", "exclamation marks beyond the first"},
    /* Short names of the virus and a subject's inflection are health subjects */
    {"Parcels from abroad can carry CoV", 1, "CoV", "cov",
     "the short scientific name of a coronavirus"},
    {"MERS is spread by camels", 1, "MERS", "mers", "a coronavirus disease by its acronym"},
    {"Pets that were quarantined spread it to their owners", 1, "quarantined", "quarantined",
     "the participle of a subject"},
    /* A domain the cue file lists as unreliable */
    {"Read the truth about the vaccine at https://www.naturalnews.com/2021-vaccines.html", 1,
     "https://www.naturalnews.com/2021-vaccines.html", "naturalnews.com",
     "a link to a known unreliable host (looked up without 'www.')"},
    /* Hard negatives: an organization's own guidance and reports */
    {"The COVID-19 vaccine is safe and effective. Book your shot at our clinic today.", 0, NULL,
     NULL, "the issue's hard negative: a hospital's own vaccine post"},
    {"The county health department reports 1,204 new cases and 18 deaths as of Friday.", 0, NULL,
     NULL, "a news report of counts from an agency"},
    {"Learn more about this year's flu vaccine at https://www.cdc.gov/flu", 0, NULL, NULL,
     "a link to an agency"},
    {"A new study published in the BMJ suggests the booster may reduce hospital stays.", 0, NULL,
     NULL, "a study, with hedges"},
    /* Hard negatives: corrections */
    {"There is no evidence that garlic prevents COVID-19.", 0, NULL, NULL,
     "a correction names the remedy it denies"},
    {"Myth: 5G spreads the coronavirus. Fact: radio waves cannot carry a virus.", 0, NULL, NULL,
     "a myth-buster names the trope"},
    {"Drinking hot water does not cure the flu, but fluids help you recover.", 0, NULL, NULL,
     "a negation after the remedy denies it"},
    /* Hard negatives: patients' questions and stories */
    {"Is it safe to take ibuprofen after my covid booster?", 0, NULL, NULL,
     "a patient's honest question"},
    {"Got my flu shot today, arm is a little sore 💪", 0, NULL, NULL, "a personal update"},
    {"My oncologist says chemo is my best option, starting Monday.", 0, NULL, NULL,
     "a patient's own story"},
    {"The nurses on 4 West were amazing to my dad after his stroke.", 0, NULL, NULL,
     "praise of care in one sentence is not a bare assertion"},
    {"My dad was infected with covid last year and I was so scared for him.", 0, NULL, NULL,
     "a relative's illness told in one's own voice is a story"},
    {"I have to wake up early tomorrow for my appointment", 0, NULL, NULL,
     "'wake up' counts only in a post about a health subject"},
    {"Great game last night, what a comeback!!!", 0, NULL, NULL,
     "exclamation marks outside a health claim are nobody's misinformation"},
    {"THE FINAL WAS GREAT. \"Best night ever\" said everyone.", 0, NULL, NULL,
     "a statement, shouting and a quotation without a health subject or a claim stay under the "
     "threshold, whatever the bias"},
};

static size_t misinfo;

static int setup(void **state)
{
    return ftu_setup_flag(state, "misinfo", &misinfo);
}

static double score(const char *text)
{
    return ftu_score(misinfo, text);
}

static void test_table(void **state)
{
    (void)state;
    assert_int_equal(misinfo, MEDTONE_FLAG_MISINFO);
    int failed = ftu_span_table(rows, sizeof rows / sizeof rows[0], misinfo);
    assert_int_equal(failed, 0);
}

/* Every span lies inside its text and is non-empty, the evidence is in text order, a fired flag
 * has evidence, and scores stay in [0, 1]. */
static void test_spans_inside(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        const char *text = rows[k].text;
        ftu_score_in_range(text, misinfo);
        size_t n = ftu_check_spans(text, misinfo, 1, ftu_cue_nonempty);
        if (medtone_result_flag_fired(res, misinfo)) assert_true(n > 0);
    }
}

/* The rules as orderings: each pair differs in one ingredient. */
static void test_orders(void **state)
{
    (void)state;
    /* A hedge and a source lower a claim. */
    assert_true(score("Zinc lozenges may shorten a cold, early data suggest") <
                score("Zinc lozenges shorten a cold"));
    /* A question counts less than the same claim asserted. */
    assert_true(score("Does the flu shot cause autism?") < score("The flu shot causes autism."));
    /* A denial counts less than the claim. */
    assert_true(score("Bleach does not kill the virus in your body.") <
                score("Bleach kills the virus in your body."));
    /* Shouting raises a claim. */
    assert_true(score("THEY ARE HIDING THE CURE FOR CANCER FROM US") >
                score("they are hiding the cure for cancer from us"));
    /* A link to an agency lowers, a link to a known unreliable host raises. */
    double plain = score("Masks reduce the spread of the flu");
    assert_true(score("Masks reduce the spread of the flu https://www.cdc.gov/flu/prevent") <
                plain);
    assert_true(score("Masks reduce the spread of the flu https://www.naturalnews.com/masks") >
                plain);
    /* A parent domain of the agency counts too: pubmed.ncbi.nlm.nih.gov is nih.gov. */
    assert_true(score("Vitamin C and colds https://pubmed.ncbi.nlm.nih.gov/12345") <
                score("Vitamin C and colds https://example.org/12345"));
    /* Counts lower a post, up to four of them. */
    assert_true(score("Flu cases this week 12, 15 last week") < score("Flu cases this week"));
    assert_true(score("Flu cases by week 12, 15, 18, 20") ==
                score("Flu cases by week 12, 15, 18, 20, 25"));
    /* A post offers proof; a study finds. */
    assert_true(score("This is proof that masks spread the flu") >
                score("Researchers found that masks spread the flu"));
    /* A post about a health subject weighs more than the same words about nothing health. */
    assert_true(score("wake up, the vaccine is the problem") > score("wake up, the alarm is loud"));
    /* "WHO" in capitals is the agency; "who" is a pronoun. */
    assert_true(score("WHO says the virus spreads through the air") <
                score("who says the virus spreads through the air"));
}

/* The shape of a claim passed on: a statement ending in a full stop, a quotation; and the shape of
 * a filed report: a short label before a colon. Each pair differs in that one ingredient. */
static void test_claim_shape(void **state)
{
    (void)state;
    /* A statement outweighs the same words as a headline, but not in a patient's own voice. */
    assert_true(score("Hot baths protect you from the coronavirus. Tell your family") <
                score("Tell your family. Hot baths protect you from the coronavirus."));
    assert_true(score("My asthma got worse this winter. The inhaler helps.") ==
                score("My asthma got worse this winter. The inhaler helps"));
    /* A quotation raises a health claim, and is its evidence. */
    const char *quoted = "\"Everyone with COVID-19 dies within a week\" says the post";
    assert_true(score(quoted) > score("Everyone with COVID-19 dies within a week says the post"));
    analyze(an, quoted);
    assert_true(ftu_has_span(quoted, misinfo, "\"Everyone with COVID-19 dies within a week\"",
                             "quotation"));
    const char *curly = "He called it \xe2\x80\x9cthe virus that kills in hours\xe2\x80\x9d";
    analyze(an, curly);
    assert_true(ftu_has_span(curly, misinfo,
                             "\xe2\x80\x9cthe virus that kills in hours\xe2\x80\x9d", "quotation"));
    /* Quotation marks outside a health claim are nobody's misinformation. */
    analyze(an, "She said \"see you at the game\" and left");
    assert_int_equal(medtone_result_evidence_count(res, misinfo), 0);
    /* A link after a finished sentence cites a source for it; after a headline it does not, and
     * a link to a known unreliable host cites nothing. */
    assert_true(score("Children are not immune to the flu. https://t.co/x1") <
                score("Children are not immune to the flu https://t.co/x1"));
    assert_true(score("Garlic cures the flu. https://www.naturalnews.com/x") >=
                score("Garlic cures the flu https://www.naturalnews.com/x"));
    /* A post typed in lower case from its first word raises a health claim, not a person's own
     * story, and not text without a health subject. */
    assert_true(score("cold weather kills the flu virus") > score("Cold weather kills the flu virus"));
    assert_true(score("my flu shot made my arm sore") == score("My flu shot made my arm sore"));
    assert_true(score("great game last night") == score("Great game last night"));
    /* A trailing attribution (", officials warn") is how a news lede names its source; the same
     * words without the comma, or a source named first, do not count. */
    assert_true(score("The flu spreads through the air, officials warn") <
                score("The flu spreads through the air officials warn"));
    assert_true(score("Masks stop the flu, the health minister says.") <
                score("Masks stop the flu as the health minister says."));
    assert_true(score("Officials warn, the flu spreads through the air") ==
                score("Officials warn the flu spreads through the air"));
    /* A label before a colon opens a filed report; a colon later in the text does not count. */
    assert_true(score("Flu season: what the new vaccine covers") <
                score("Flu season and what the new vaccine covers"));
    assert_true(
        score("The flu vaccine covers three strains this year, the team said: all of them") ==
        score("The flu vaccine covers three strains this year, the team said, all of them"));
}

/* Explainers and reports of an outbreak's response lower a health post; they are not evidence. */
static void test_report_register(void **state)
{
    (void)state;
    assert_true(score("How to talk to your kids about the coronavirus") <
                score("Talk to your kids about the coronavirus"));
    assert_true(score("What parents need to know about the flu vaccine") <
                score("What parents think about the flu vaccine"));
    assert_true(score("The school warns parents about the flu") <
                score("The school tells parents about the flu"));
    assert_true(score("The county's efforts against the flu") <
                score("The county's work against the flu"));
    /* A weekday dates an event the way a news lede does, and weighs more than a month. */
    assert_true(score("The clinic ran out of flu vaccine on Tuesday") <
                score("The clinic ran out of flu vaccine in March"));
    assert_true(score("The county opened a fund to help families through the flu season") <
                score("The county opened a fund for families through the flu season"));
    const char *text = "Hospitals warn of the impact of the flu on healthcare staff";
    analyze(an, text);
    assert_false(ftu_has_span(text, misinfo, "impact", "impact"));
    assert_false(ftu_has_span(text, misinfo, "healthcare", "healthcare"));
}

/* A user's cue layer extends the domain list: a host it names takes its weight. */
static void test_user_domains(void **state)
{
    (void)state;
    medtone_analyzer *mine = NULL;
    assert_int_equal(medtone_analyzer_new(NULL, &mine), MEDTONE_OK);
    const char *text = "The truth about the vaccine https://health-truth-daily.com/x";
    analyze(mine, text);
    double before = medtone_result_flag_score(res, misinfo);
    static const char layer[] = "#@ layer my-domains\nhealth-truth-daily.com\t3.0\tmisinfo\n";
    assert_int_equal(medtone_analyzer_load_cues_data(mine, "my-domains", layer, strlen(layer)),
                     MEDTONE_OK);
    analyze(mine, text);
    assert_true(medtone_result_flag_score(res, misinfo) > before);
    assert_true(
        ftu_has_span(text, misinfo, "https://health-truth-daily.com/x", "health-truth-daily.com"));
    medtone_analyzer_free(mine);
}

/* Flags off: no score, no evidence, whatever the text. */
static void test_flags_off(void **state)
{
    (void)state;
    ftu_check_flags_off_fresh("Big Pharma doesn't want you to know: vaccines cause autism!!!",
                              misinfo);
}

/* Texts with nothing in them: no score above the bias, no evidence, no crash. */
static void test_empty(void **state)
{
    (void)state;
    static const char *const texts[] = {"", " ", "?", "!!!", "https://t.co/x", "@someone"};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        analyze(an, texts[k]);
        assert_false(medtone_result_flag_fired(res, misinfo));
        assert_int_equal(medtone_result_evidence_count(res, misinfo), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),           cmocka_unit_test(test_spans_inside),
        cmocka_unit_test(test_orders),          cmocka_unit_test(test_claim_shape),
        cmocka_unit_test(test_report_register), cmocka_unit_test(test_user_domains),
        cmocka_unit_test(test_flags_off),       cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, setup, ftu_teardown);
}
