/* test_score.c — the sentiment rules, as a table of behaviours.
 *
 * Two analyzers: one built from a small lexicon written here (so each rule is tested against
 * values this file controls), and the default one with the shipped lexicons (so the behaviours the
 * product promises on real health text hold). Expectations are signs, orderings and rule marks,
 * never numbers copied from the scorer's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "medtone.h"

/* A lexicon with round values, one entry per rule ingredient. */
static const char rules_lexicon[] = "#@ layer test\n"
                                    "good\t2\n"
                                    "great\t3\n"
                                    "bad\t-2\n"
                                    "slow\t-1\n"
                                    "kind\t1.5\n"
                                    "helpful\t2\n"
                                    "amazing\t3.2\n"
                                    "rude\t-2.5\n"
                                    "very\t0\tbooster=0.3\n"
                                    "kind of\t0\tbooster=-0.3\n"
                                    "not\t0\tnegator\n"
                                    "never\t0\tnegator\n"
                                    "but\t0\tcontrast\n"
                                    "although\t0\tconcession\n"
                                    "pain\t-1.5\tsymptom\n"
                                    "anxiety\t-1.5\tsymptom\n"
                                    "no more\t0\trelief\n"
                                    "gone\t0\trelief\n"
                                    "helped with\t1\trelief\n"
                                    "tested\t0\tresult\n"
                                    "biopsy\t0\tresult\n"
                                    "came back\t0\tresult\n"
                                    "positive\t2\tclinical=-2\n"
                                    "negative\t-2\tclinical=2\n"
                                    "no side effects\t3\n"
                                    ":)\t2\n"
                                    "lol\t1\tlaughter\n"
                                    "happier\t2.5\tcomparative\n"
                                    "worse\t-2\tcomparative\n"
                                    "happy\t2.4\n"
                                    "haven't\t0\tnegator\n"
                                    "couldn't\t0\tnegator\n"
                                    "a1c\t0\tmeasure=-1.5\n"
                                    "hdl\t0\tmeasure=1\n"
                                    "didn't\t0\tnegator\n";

static medtone_analyzer *rules_an, *default_an;
static medtone_result *res;

static int setup(void **state)
{
    (void)state;
    medtone_options *opt = medtone_options_new();
    if (!opt) return -1;
    medtone_options_set_int(opt, MEDTONE_OPT_EMBEDDED_LEXICONS, 0);
    if (medtone_analyzer_new(opt, &rules_an) != MEDTONE_OK) return -1;
    medtone_options_free(opt);
    if (medtone_analyzer_load_lexicon_data(rules_an, "rules.tsv", rules_lexicon,
                                           sizeof rules_lexicon - 1) != MEDTONE_OK)
        return -1;
    if (medtone_analyzer_new(NULL, &default_an) != MEDTONE_OK) return -1;
    res = medtone_result_new();
    return res ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    medtone_result_free(res);
    medtone_analyzer_free(rules_an);
    medtone_analyzer_free(default_an);
    return 0;
}

static double score(const medtone_analyzer *an, const char *text)
{
    assert_int_equal(medtone_analyze(an, text, strlen(text), res), MEDTONE_OK);
    return medtone_result_compound(res);
}

static int sign_of(double c)
{
    return c >= 0.05 ? 1 : c <= -0.05 ? -1 : 0;
}

/* ---------------------------------------------------------------------------------------------
 * Orderings on the rules lexicon: score(lower) < score(higher).
 * ------------------------------------------------------------------------------------------- */

typedef struct order_case {
    const char *lower, *higher, *why;
} order_case;

static const order_case rule_orders[] = {
    {"good", "very good", "a booster strengthens"},
    {"very good", "VERY good!!!", "caps on the booster and exclamation strengthen"},
    {"good", "good!", "an exclamation mark strengthens"},
    {"good!", "good!!!", "more exclamation marks strengthen more"},
    {"good", "sooo gooood", "elongation strengthens"},
    {"kind of good", "good", "a dampener weakens"},
    {"very bad", "bad", "a booster strengthens the negative too"},
    {"bad", "kind of bad", "a dampener weakens the negative"},
    {"not good", "good", "negation lowers a positive word"},
    {"bad", "not bad", "negation raises a negative word"},
    {"not good", "not bad", "negations keep their order"},
    {"bad", "bad but good", "after 'but' counts more"},
    {"good but bad", "bad but good", "the clause after 'but' decides"},
    {"the staff was GOOD and nice", "the staff was GOOD and nice!", "exclamation on a sentence"},
    {"good", "the doctor was GREAT and kind", "caps and more words"},
    {"pain", "no more pain", "relief turns a symptom into praise"},
    {"anxiety", "my anxiety is gone", "relief after the symptom"},
    {"pain", "helped with my pain", "a relief phrase before the symptom"},
    {"tested positive", "positive", "a positive test is bad news"},
    {"negative", "biopsy came back negative", "a negative biopsy is good news"},
    {"not helpful", "helpful", "negation of a positive"},
    {"rude", "not rude", "negation of a negative"},
    {"side effects bad", "no side effects", "the phrase wins over its words"},
    {"good", "good :)", "an emoticon adds"},
    {"never helpful", "helpful", "never negates"},
    {"although good, bad", "although bad, good", "the conceded clause counts less"},
    {"the least helpful", "helpful", "least negates"},
    {"slow", "good but slow", "a praised clause before 'but' still counts"},
    {"good", "great", "stronger word"},
    {"bad", "slow", "weaker complaint"},
    {"rude", "slow", "rude is worse than slow"},
    {"very rude", "rude", "booster on a complaint"},
    {"RUDE staff and slow", "rude staff and slow", "caps on a complaint in mixed case"},
    {"kind of helpful", "helpful", "dampened praise"},
    {"helpful", "very helpful", "boosted praise"},
    {"amazing but slow", "amazing", "a complaint after but"},
    {"bad. good", "bad. good!!", "exclamation on the last sentence"},
    {"never good", "good", "never negates a following word"},
    {"not amazing", "amazing", "negated strong praise"},
    {"pain", "pain is gone", "relief after, with 'is'"},
    {"anxiety", "no more anxiety", "relief before another symptom"},
    {"negative", "the biopsy came back negative", "clinical good news"},
    {"tested positive for it", "not rude", "bad test result below a negated complaint"},
    {"rude", "not rude at all", "negation reaches the complaint"},
    {"slow :(", "slow :)", "emoticons tip the balance"},
    {"bad bad bad", "bad", "repetition adds up, with the root of the count"},
    {"is the staff good?", "the staff is good", "asked is less than said"},
    {"if the staff is good", "the staff is good", "supposed is less than said"},
    {"the staff is bad", "is the staff bad?", "asked is less than said, for complaints too"},
    {"my a1c went up", "my a1c", "a bad measure rising is bad news"},
    {"my a1c", "my a1c went down", "a bad measure falling is good news"},
    {"my a1c didn't go down", "my a1c", "a change denied"},
    {"my hdl went down", "my hdl went up", "a good measure rising is good news"},
    {"my a1c went up", "my a1c went up but good", "the rule's term takes part in contrast"},
};

static void test_rule_orders(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rule_orders / sizeof rule_orders[0]; i++) {
        const order_case *c = &rule_orders[i];
        double lo = score(rules_an, c->lower), hi = score(rules_an, c->higher);
        if (!(lo < hi))
            fail_msg("'%s' (%.3f) should score below '%s' (%.3f): %s", c->lower, lo, c->higher,
                     hi, c->why);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Rule marks on the rules lexicon: the term covering `span` carries `rule`.
 * ------------------------------------------------------------------------------------------- */

typedef struct mark_case {
    const char *text, *span;
    unsigned rule;
    int present;
    const char *why;
} mark_case;

static const mark_case rule_marks[] = {
    {"not good", "good", MEDTONE_RULE_NEGATED, 1, "negation right before"},
    {"not very good", "good", MEDTONE_RULE_NEGATED, 1, "negation reaches past a booster"},
    {"not very good", "good", MEDTONE_RULE_BOOSTED, 1, "the booster still applies"},
    {"never so very good", "good", MEDTONE_RULE_NEGATED, 1, "three words of scope"},
    {"not the staff at the desk, good", "good", MEDTONE_RULE_NEGATED, 0,
     "a comma ends the negation"},
    {"not bad. good", "good", MEDTONE_RULE_NEGATED, 0, "a sentence ends the negation"},
    {"not not good", "good", MEDTONE_RULE_NEGATED, 0, "two negations cancel"},
    {"very good", "good", MEDTONE_RULE_BOOSTED, 1, "booster"},
    {"kind of good", "good", MEDTONE_RULE_DAMPENED, 1, "dampener"},
    {"the nurse was GOOD", "GOOD", MEDTONE_RULE_CAPS, 1, "caps in mixed case"},
    {"THE NURSE WAS GOOD", "GOOD", MEDTONE_RULE_CAPS, 0, "no caps emphasis when all is caps"},
    {"gooood", "gooood", MEDTONE_RULE_ELONGATED, 1, "elongation"},
    {"good but slow", "good", MEDTONE_RULE_BEFORE_CONTRAST, 1, "before 'but'"},
    {"good but slow", "slow", MEDTONE_RULE_AFTER_CONTRAST, 1, "after 'but'"},
    {"good. But slow", "good", MEDTONE_RULE_BEFORE_CONTRAST, 1, "a sentence opening with But"},
    {"although slow, good", "slow", MEDTONE_RULE_BEFORE_CONTRAST, 1, "conceded clause"},
    {"good although slow", "good", MEDTONE_RULE_AFTER_CONTRAST, 1, "the other clause"},
    {"no more pain", "pain", MEDTONE_RULE_RELIEF, 1, "relief before"},
    {"the pain is gone", "pain", MEDTONE_RULE_RELIEF, 1, "relief after"},
    {"the pain is not gone", "pain", MEDTONE_RULE_RELIEF, 0, "negated relief"},
    {"pain", "pain", MEDTONE_RULE_RELIEF, 0, "no relief word"},
    {"helped with my anxiety", "anxiety", MEDTONE_RULE_RELIEF, 1, "relief phrase"},
    {"tested positive", "positive", MEDTONE_RULE_CLINICAL, 1, "result context"},
    {"positive", "positive", MEDTONE_RULE_CLINICAL, 0, "no result context"},
    {"the biopsy came back negative", "negative", MEDTONE_RULE_CLINICAL, 1, "result phrase"},
    {"the least helpful", "helpful", MEDTONE_RULE_LEAST, 1, "least"},
    {"at least helpful", "helpful", MEDTONE_RULE_LEAST, 0, "'at least' is not negation"},
    {"good!", "good", MEDTONE_RULE_EXCLAIM, 1, "exclamation"},
    {"good. bad!", "good", MEDTONE_RULE_EXCLAIM, 0, "exclamation of another sentence"},
    {"NOT good", "good", MEDTONE_RULE_NEGATED, 1, "a negation in capitals still negates"},
    {"not the good", "good", MEDTONE_RULE_NEGATED, 1, "negation reaches past an article"},
    {"good, not bad", "good", MEDTONE_RULE_NEGATED, 0, "negation after the word does not reach back"},
    {"not bad but slow", "slow", MEDTONE_RULE_NEGATED, 0, "but ends the negation"},
    {"very very good", "good", MEDTONE_RULE_BOOSTED, 1, "two boosters"},
    {"the doctor was GREAT", "GREAT", MEDTONE_RULE_CAPS, 1, "caps praise"},
    {"GREAT", "GREAT", MEDTONE_RULE_CAPS, 0, "one word in capitals is no mixed case"},
    {"no more pain!", "pain", MEDTONE_RULE_EXCLAIM, 1, "relief and exclamation together"},
    {"no more pain!", "pain", MEDTONE_RULE_RELIEF, 1, "relief with an exclamation"},
    {"my anxiety is not gone", "anxiety", MEDTONE_RULE_RELIEF, 0, "negated relief after"},
    {"tested negative", "negative", MEDTONE_RULE_CLINICAL, 1, "negative test"},
    {"negative attitude", "negative", MEDTONE_RULE_CLINICAL, 0, "no test: general sense"},
    {"good but slow", "good", MEDTONE_RULE_AFTER_CONTRAST, 0, "before but is not after it"},
    {"although good, slow", "good", MEDTONE_RULE_BEFORE_CONTRAST, 1, "conceded praise"},
    {"good!!!!!!", "good", MEDTONE_RULE_EXCLAIM, 1, "many marks still one rule"},
    {"not today :)", ":)", MEDTONE_RULE_NEGATED, 0, "a face is not negated"},
    {"you can never leave lol", "lol", MEDTONE_RULE_NEGATED, 0, "laughter is not negated"},
    {"not good lol", "good", MEDTONE_RULE_NEGATED, 1, "laughter does not end a negation"},
    /* a negation of experience or possibility before a degree exclaims it (score.c) */
    {"never been happier", "happier", MEDTONE_RULE_NEGATED, 0, "never + comparative exclaims"},
    {"never been happier", "happier", MEDTONE_RULE_BOOSTED, 1, "and strengthens"},
    {"I have never been so happy", "happy", MEDTONE_RULE_NEGATED, 0, "never been so"},
    {"never had such bad", "bad", MEDTONE_RULE_NEGATED, 0, "never had such"},
    {"never had such a bad", "bad", MEDTONE_RULE_NEGATED, 0, "never had such a"},
    {"I haven't been this happy", "happy", MEDTONE_RULE_NEGATED, 0, "haven't been this"},
    {"I haven't been so happy", "happy", MEDTONE_RULE_NEGATED, 1, "haven't been so denies"},
    {"it hasn't been worse", "worse", MEDTONE_RULE_NEGATED, 1, "the perfect denies a comparative"},
    {"couldn't be happier", "happier", MEDTONE_RULE_NEGATED, 0, "couldn't + comparative"},
    {"couldn't get any worse", "worse", MEDTONE_RULE_NEGATED, 0, "couldn't get any worse"},
    {"couldn't be happy", "happy", MEDTONE_RULE_NEGATED, 1, "a plain word stays denied"},
    {"never got happier", "happier", MEDTONE_RULE_NEGATED, 1, "a change denied: no verb of being"},
    {"never so happy", "happy", MEDTONE_RULE_NEGATED, 1, "no verb between: a plain denial"},
    {"not been so happy", "happy", MEDTONE_RULE_NEGATED, 1, "'not' alone is no experience"},
    {"never been happy", "happy", MEDTONE_RULE_NEGATED, 1, "no degree: a denial"},
    {"never been, so happy", "happy", MEDTONE_RULE_NEGATED, 0, "a comma ends the negation"},
    {"never been happier but", "happier", MEDTONE_RULE_BEFORE_CONTRAST, 1,
     "contrast still applies"},
    /* a measure's change is news */
    {"my a1c dropped", "a1c", MEDTONE_RULE_TREND, 1, "a change word after the measure"},
    {"it lowered my a1c", "a1c", MEDTONE_RULE_TREND, 1, "a change verb before it"},
    /* a capitalized word inside a lower-case sentence reads as a name */
    {"we watched Good Will Hunting again", "Good", MEDTONE_RULE_NAME, 1, "a title"},
    {"Good morning to the night shift", "Good", MEDTONE_RULE_NAME, 0, "the first word"},
    {"the nurse was good. Great care", "Great", MEDTONE_RULE_NAME, 0, "a sentence start"},
    {"the nurse was GREAT", "GREAT", MEDTONE_RULE_NAME, 0, "capitals are emphasis"},
    {"@someone Great job", "Great", MEDTONE_RULE_NAME, 0, "after a mention"},
    {"Nurse Was Great And Kind", "Great", MEDTONE_RULE_NAME, 0, "a headline is all capitalized"},
    {"my Pain was gone", "Pain", MEDTONE_RULE_NAME, 0, "a capitalized symptom is no name"},
    /* forms of be and seem do not use up a negation's reach */
    {"didn't seem to be very good", "good", MEDTONE_RULE_NEGATED, 1, "through seem and be"},
    {"not to the staff at the good", "good", MEDTONE_RULE_NEGATED, 0, "other words still count"},
    /* a negation reaches one word further in a long sentence */
    {"not one two three good", "good", MEDTONE_RULE_NEGATED, 0, "four words on, short sentence"},
    {"not one two three good and a b c d e f g h i j k l m n o p q r s t u v", "good",
     MEDTONE_RULE_NEGATED, 1, "four words on, in a sentence of over 25 words"},
    {"not one two three four good and a b c d e f g h i j k l m n o p q r s t u", "good",
     MEDTONE_RULE_NEGATED, 0, "five words on is out of reach even there"},
    /* the words of a condition are supposed */
    {"if the staff is good, great", "good", MEDTONE_RULE_CONDITIONAL, 1, "an if clause"},
    {"if the staff is good, great", "great", MEDTONE_RULE_CONDITIONAL, 0, "the main clause"},
    {"if it works then good", "good", MEDTONE_RULE_CONDITIONAL, 0, "'then' ends the condition"},
    {"good. if so", "good", MEDTONE_RULE_CONDITIONAL, 0, "the condition comes after"},
    /* a word in a question is asked about */
    {"is the staff good?", "good", MEDTONE_RULE_QUESTION, 1, "a question"},
    {"good. is it?", "good", MEDTONE_RULE_QUESTION, 0, "the question is another sentence"},
    {"is it good?!", "good", MEDTONE_RULE_QUESTION, 0, "?! is exclaimed, not asked"},
    {"is it good", "good", MEDTONE_RULE_QUESTION, 0, "no question mark"},
    /* declared irony */
    {"the staff was good /s", "good", MEDTONE_RULE_IRONY, 1, "a closing sarcasm tag"},
    {"good. fast. /s", "good", MEDTONE_RULE_IRONY, 1, "the tag turns the whole post"},
    {"good /s :)", "good", MEDTONE_RULE_IRONY, 1, "a face may follow the tag"},
    {"good /s and more", "good", MEDTONE_RULE_IRONY, 0, "the tag must close the post"},
    {"good s/s", "good", MEDTONE_RULE_IRONY, 0, "s/s (signs and symptoms) is no tag"},
    {"good, said no one", "good", MEDTONE_RULE_IRONY, 1, "said no one after the clause"},
    {"good. Said nobody ever.", "good", MEDTONE_RULE_IRONY, 1, "its own sentence: the one before"},
    {"good. bad. Said no one.", "good", MEDTONE_RULE_IRONY, 0, "only the sentence before"},
    {"he said no one was good", "good", MEDTONE_RULE_IRONY, 0, "reported speech is no marker"},
};

/* The index of the term whose span is exactly `span` within text, or -1. */
static long term_at(const char *text, const char *span)
{
    const char *p = strstr(text, span);
    assert_non_null(p);
    size_t off = (size_t)(p - text), len = strlen(span);
    for (size_t i = 0; i < medtone_result_term_count(res); i++)
        if (medtone_result_term_offset(res, i) == off && medtone_result_term_length(res, i) == len)
            return (long)i;
    return -1;
}

static void test_rule_marks(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rule_marks / sizeof rule_marks[0]; i++) {
        const mark_case *c = &rule_marks[i];
        score(rules_an, c->text);
        long t = term_at(c->text, c->span);
        if (t < 0) fail_msg("'%s': no term spans '%s' (%s)", c->text, c->span, c->why);
        int has = (medtone_result_term_rules(res, (size_t)t) & c->rule) != 0;
        if (has != c->present)
            fail_msg("'%s': term '%s' should %shave rule %s (%s)", c->text, c->span,
                     c->present ? "" : "not ", medtone_rule_name(c->rule), c->why);
    }
}

/* ---------------------------------------------------------------------------------------------
 * The explanation
 * ------------------------------------------------------------------------------------------- */

static void test_explanation(void **state)
{
    (void)state;
    const char *text = "The staff was not helpful but no side effects :)";
    score(rules_an, text);
    assert_int_equal(medtone_result_term_count(res), 3);
    long t = term_at(text, "helpful");
    assert_true(t >= 0);
    assert_string_equal(medtone_result_term_entry(res, (size_t)t), "helpful");
    assert_string_equal(medtone_result_term_layer(res, (size_t)t), "test");
    assert_true(medtone_result_term_valence(res, (size_t)t) > 0);
    assert_true(medtone_result_term_contribution(res, (size_t)t) < 0);
    t = term_at(text, "no side effects");
    assert_true(t >= 0);
    assert_string_equal(medtone_result_term_entry(res, (size_t)t), "no side effects");
    assert_true(medtone_result_term_contribution(res, (size_t)t) > 0);
    assert_true(term_at(text, ":)") >= 0);
    /* shares are proportions */
    double sum = medtone_result_positive(res) + medtone_result_neutral(res) +
                 medtone_result_negative(res);
    assert_true(sum > 0.999 && sum < 1.001);
    assert_true(medtone_result_positive(res) > 0 && medtone_result_negative(res) > 0);
    /* "kind of" is one phrase (a dampener), so "kind" alone carries no valence */
    score(rules_an, "kind of good");
    assert_int_equal(medtone_result_term_count(res), 1);
    assert_string_equal(medtone_result_term_entry(res, 0), "good");
    /* out of range accessors are harmless */
    assert_int_equal(medtone_result_term_offset(res, 99), 0);
    assert_string_equal(medtone_result_term_entry(res, 99), "");
    assert_string_equal(medtone_rule_name(0x80000000u), "unknown");
}

static void test_compound_range(void **state)
{
    (void)state;
    const char *texts[] = {"great great great great great great great great great great!!!!",
                           "bad bad bad bad bad bad bad bad bad bad bad bad!!!!", "", "the table",
                           "good"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        double c = score(rules_an, texts[i]);
        assert_true(c >= -1.0 && c <= 1.0);
    }
    assert_true(score(rules_an, "") == 0);
    assert_true(medtone_result_positive(res) == 0 && medtone_result_neutral(res) == 0);
    assert_true(score(rules_an, "the table") == 0);
    assert_true(medtone_result_neutral(res) > 0.999);
}

/* ---------------------------------------------------------------------------------------------
 * The shipped lexicons on real health text: signs.
 * ------------------------------------------------------------------------------------------- */

typedef struct sign_case {
    const char *text;
    int sign;
    const char *why;
} sign_case;

static const sign_case health_signs[] = {
    /* care experience */
    {"The nurses were amazing", 1, "praise of staff"},
    {"Dr. Lee is so compassionate and thorough", 1, "bedside manner"},
    {"The receptionist was rude", -1, "rude staff"},
    {"waited for hours in the ER", -1, "waiting"},
    {"They saved my life", 1, "outcome praise"},
    {"I was misdiagnosed for years", -1, "misdiagnosis"},
    {"The billing department is a nightmare", -1, "billing"},
    {"great bedside manner", 1, "bedside manner phrase"},
    {"terrible bedside manner", -1, "bedside manner complaint"},
    {"The staff went above and beyond", 1, "idiom of praise"},
    {"They never called me back", -1, "no callback"},
    {"Highly recommend this clinic", 1, "recommendation"},
    {"I would not recommend this hospital", -1, "negated recommendation"},
    {"The room was filthy", -1, "cleanliness"},
    {"Clean rooms and friendly staff", 1, "facilities praise"},
    {"The doctor brushed me off", -1, "dismissive doctor"},
    {"She listened to me and explained everything", 1, "communication"},
    {"Charged twice for the same visit", -1, "billing error"},
    {"My claim was denied again", -1, "insurance denial"},
    {"Thank you to the ICU team", 1, "gratitude"},
    {"Never going back there", -1, "churn"},
    {"The wait was short and the care excellent", 1, "positive visit"},
    {"the food was bad but the nurses were amazing", 1, "contrast: praise after but"},
    {"the nurses were amazing but the food was bad", -1, "contrast: complaint after but"},
    {"This wait is killing me", -1, "a complaint, not a crisis"},
    /* clinical results */
    {"tested positive for covid", -1, "positive test is bad news"},
    {"my biopsy came back negative", 1, "negative biopsy is good news"},
    {"scan came back clear", 1, "clear scan"},
    {"the tumor is benign", 1, "benign"},
    {"I'm in remission", 1, "remission"},
    {"officially cancer-free", 1, "cancer free"},
    {"he is in stable condition", 1, "stable condition is reassurance"},
    {"she is in critical condition", -1, "critical condition is fear"},
    {"my MRI results were normal", 1, "normal results"},
    {"the cancer has come back", -1, "relapse"},
    /* drug reviews */
    {"no more pain since the surgery", 1, "relief of pain"},
    {"my anxiety is finally gone", 1, "relief after the symptom"},
    {"this drug helped with my depression", 1, "relief phrase"},
    {"no more migraines", 1, "relief of migraines"},
    {"no side effects at all", 1, "no side effects"},
    {"this drug gave me terrible nausea", -1, "side effect"},
    {"it made me dizzy and tired", -1, "side effects"},
    {"I gained weight and lost my hair", -1, "side effects"},
    {"It didn't work at all", -1, "ineffective"},
    {"this medication is a life saver", 1, "life saver"},
    {"worked wonders for my acne", 1, "worked wonders"},
    {"it stopped working after a month", -1, "stopped working"},
    {"made my depression worse", -1, "worsening"},
    {"The side effects were horrible", -1, "bad side effects"},
    {"my pain is under control now", 1, "relief: under control"},
    /* general */
    {"I love this", 1, "love"},
    {"I hate this", -1, "hate"},
    {"not good", -1, "negated praise"},
    {"not bad at all", 1, "negated complaint"},
    {"The appointment is at 3pm on Tuesday", 0, "neutral logistics"},
    {"", 0, "empty text"},
    {"lol this is great", 1, "slang with praise"},
    {"ugh, worst day ever", -1, "slang complaint"},
    {"😍", 1, "emoji"},
    {"😡", -1, "angry emoji"},
    {":)", 1, "emoticon"},
    {":(", -1, "sad emoticon"},
    /* more care experience */
    {"The nurses were so kind to my mom", 1, "kind staff"},
    {"Front desk was rude and unhelpful", -1, "front desk complaint"},
    {"They lost my lab results", -1, "records error"},
    {"Best hospital in the state", 1, "superlative praise"},
    {"Worst urgent care experience ever", -1, "superlative complaint"},
    {"Nobody explained anything to us", -1, "communication"},
    {"Dr. Kim explained everything clearly", 1, "clear explanation"},
    {"I was treated with respect", 1, "respect"},
    {"Completely ignored by the staff", -1, "ignored"},
    {"The billing office overcharged me", -1, "overcharged"},
    {"Got a same-day appointment, so grateful", 1, "access praise"},
    {"Still waiting for a callback after two weeks", -1, "no callback"},
    {"The room was spotless", 1, "cleanliness praise"},
    {"Parking is a nightmare", -1, "parking"},
    {"The food was actually good", 1, "food praise"},
    {"The food was cold and disgusting", -1, "food complaint"},
    {"Thank you for taking such good care of my dad", 1, "gratitude"},
    {"Never been treated so poorly", -1, "poor treatment"},
    {"Highly recommend Dr. Lopez", 1, "recommendation of a doctor"},
    {"Wouldn't recommend this pharmacy to anyone", -1, "negated recommendation"},
    /* more clinical results and outcomes */
    {"Her scan was clear!", 1, "clear scan with exclamation"},
    {"The biopsy was malignant", -1, "malignant"},
    {"My blood work came back normal", 1, "normal blood work"},
    {"He tested positive for the flu", -1, "positive flu test"},
    {"The surgery was successful", 1, "successful surgery"},
    {"There were complications after surgery", -1, "complications"},
    {"Full recovery expected", 1, "recovery"},
    {"She passed away last night", -1, "death"},
    {"I'm cancer free!", 1, "cancer free"},
    {"The cancer spread to my liver", -1, "spread"},
    /* more drug reviews */
    {"It worked wonders for my migraines", 1, "efficacy"},
    {"My headaches are gone", 1, "relief after"},
    {"No more panic attacks", 1, "relief before"},
    {"It helped my anxiety a lot", 1, "relief verb"},
    {"Gave me horrible headaches", -1, "side effect"},
    {"I felt like a zombie on this", -1, "zombie"},
    {"Minimal side effects and it works", 1, "mild side effects and efficacy"},
    {"Didn't help at all", -1, "no help"},
    {"Made me so nauseous I had to stop", -1, "nausea and stopping"},
    {"Finally sleeping through the night", 1, "sleep relief"},
    {"Waste of money", -1, "waste"},
    {"Life changing medication", 1, "life changing"},
    /* general social text */
    {"This is awesome", 1, "awesome"},
    {"This sucks", -1, "sucks"},
    {"So happy right now", 1, "happy"},
    {"I'm so angry", -1, "angry"},
    {"Not bad, not bad at all", 1, "double litotes"},
    {"Not good at all", -1, "negated good"},
    {"lol that was hilarious", 1, "laughter"},
    {"smh this is ridiculous", -1, "ridiculous"},
    {"can't wait for the weekend!", 1, "can't wait is eager"},
    {"I can't stand this place", -1, "can't stand"},
    {"Thanks a lot for nothing", -1, "sarcastic thanks"},
    {"🙏❤️", 1, "grateful emoji"},
    {"😭😭😭", -1, "crying emoji"},
    {"Dr. Patel rocks", 1, "rocks as praise"},
    /* a negation of experience before a degree exclaims it */
    {"I've never been happier", 1, "never been happier"},
    {"I have never been so happy", 1, "never been so happy"},
    {"I haven't felt this good in years", 1, "haven't felt this good"},
    {"never had such bad service", -1, "never had such bad"},
    {"I have never seen such a rude nurse", -1, "never seen such a rude"},
    {"couldn't be happier with my doctor", 1, "couldn't be happier"},
    {"it can't get any worse", -1, "can't get any worse"},
    {"I have never been more disappointed", -1, "never been more disappointed"},
    {"my pain never got better", -1, "never got better: no change"},
    {"it hasn't gotten any better", -1, "hasn't gotten better"},
    {"I never had any problems with it", 1, "never had any problems: a denial"},
    {"I don't feel so good", -1, "don't feel so good: a denial"},
    {"I can't recommend this clinic enough", 1, "can't recommend enough"},
    {"I can't say it's good enough", -1, "can't say it's good enough: a denial"},
    /* a counterfactual denies what it names */
    {"would have been nice to get a call back", -1, "no call came"},
    {"it would have been a disaster without them", 1, "the disaster did not happen"},
    {"the nurses should have been kinder", -1, "they were not kind"},
    {"if only it worked", -1, "it does not work"},
    {"it was supposed to be painless", -1, "it hurt"},
    {"I hoped it would help", -1, "an unmet hope"},
    {"I expected better from this hospital", -1, "polite disappointment"},
    {"I hope it will help", 1, "a hope still open is no complaint"},
    {"if you want good care, go somewhere else", -1, "the condition asserts no good care"},
    {"If I'm honest I was disappointed", -1, "'if I'm honest' states no condition"},
    /* a measure's change */
    {"my a1c dropped to 6.1", 1, "a1c fell"},
    {"this drug lowered my cholesterol by 40 points", 1, "cholesterol lowered"},
    {"my blood sugars went up again", -1, "sugars rose"},
    {"my blood pressure didn't go down at all", -1, "no fall"},
    {"my hdl went up", 1, "good cholesterol rose"},
    {"my oxygen levels dropped", -1, "oxygen fell"},
    {"I take it to lower my cholesterol", 0, "a purpose is no news"},
    {"my blood pressure", 0, "a measure named alone"},
    {"I lost 20 pounds on this med", 1, "weight lost, told in units"},
    {"I gained 15 lbs in two months", -1, "weight gained, told in units"},
    /* the habitual past is over */
    {"I used to love this clinic", -1, "no longer"},
    {"the night nurses used to be rude", 1, "the rudeness is over"},
    {"I'm used to being ignored by the front desk", -1, "being used to is no habitual past"},
    /* declared irony */
    {"yeah the ER was super fast /s", -1, "sarcasm tag"},
    {"best hospital ever, said no one", -1, "said no one"},
    /* social idioms */
    {"I miss you", -1, "longing"},
    {"I really miss her", -1, "longing for a person"},
    {"He will be missed", -1, "a farewell"},
    {"what a missed opportunity", -1, "a regret"},
    {"Don't miss out on the sale!", 1, "a negated regret is a promotion"},
    {"it never gets old", 1, "the negator inside the idiom does not read 'old'"},
    {"wish you were here", 1, "warm longing"},
    {"that cracks me up", 1, "laughter"},
    {"you got this", 1, "encouragement"},
    {"so done with this week", -1, "fed up"},
    {"#cantwait", 1, "hashtag compound"},
    {"see you tomorrow :3", 1, "cat smile"},
    {"d: the results", -1, "lower-case horror face"},
    {"If I miss a dose I take it the next morning", 0, "missing a dose is no longing"},
    /* outcomes as patients tell them */
    {"my hair is falling out", -1, "hair loss as a side effect"},
    {"my hair grew back", 1, "hair coming back"},
    {"I'm off all my meds now", 1, "no longer needing treatment"},
    {"I had to go back on the meds", -1, "restarting treatment: the illness returned"},
    {"back in the hospital again", -1, "readmission"},
    {"discharged today!", 1, "going home"},
    {"I don't feel like myself anymore", -1, "negated 'feel like myself'"},
    {"it didn't even take the edge off", -1, "negated relief"},
    {"I finally lost the weight", 1, "wanted weight loss"},
    {"I've lost too much weight", -1, "unwanted weight loss"},
    {"my appetite came back", 1, "appetite returning"},
    {"my libido is back", 1, "libido returning"},
    {"it killed my sex drive", -1, "libido lost"},
    {"I was bedridden for weeks", -1, "bedridden"},
    {"I'm walking again", 1, "walking again"},
    {"I couldn't get out of bed", -1, "unable to get up"},
    {"I can't function without it", 0, "needing the drug is no failure"},
    {"I can't get off this drug", -1, "dependence"},
    {"the brain fog lifted", 1, "fog lifting"},
    {"I didn't gain any weight", 1, "no weight gain"},
    {"off the ventilator", 1, "weaned from support"},
    {"she is out of remission", -1, "relapse, though 'remission' alone is good"},
    {"my blood counts dropped", -1, "counts falling"},
    {"my blood counts recovered", 1, "counts recovering"},
    {"I put the weight back on", -1, "weight regained"},
    {"I was able to get off it", 1, "tapered off successfully"},
    {"I couldn't wean off", -1, "dependence"},
    {"my energy is through the roof", 1, "energy, unlike a pressure, is good high"},
    {"the wound won't heal", -1, "not healing"},
    {"I can play with my kids again", 1, "life back"},
    {"he's out of the ICU", 1, "leaving intensive care"},
    {"I've lost a lot of weight on it", 1, "weight loss, mostly wanted"},
    {"I'm losing too much weight", -1, "weight loss said to be too much"},
};

static void test_health_signs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof health_signs / sizeof health_signs[0]; i++) {
        const sign_case *c = &health_signs[i];
        double s = score(default_an, c->text);
        if (sign_of(s) != c->sign)
            fail_msg("'%s' scored %.3f, expected sign %d: %s", c->text, s, c->sign, c->why);
    }
}

/* The shipped lexicons: orderings a reader would agree with. */
static const order_case health_orders[] = {
    {"good", "very good", "booster"},
    {"very good", "VERY good!!!", "caps and exclamation"},
    {"not good", "good", "negation"},
    {"bad", "not bad", "negated negative"},
    {"the care was okay", "the care was excellent", "strength of praise"},
    {"the care was bad", "the care was okay", "strength"},
    {"the care was terrible", "the care was bad", "strength of complaint"},
    {"pain", "no more pain", "relief"},
    {"side effects", "no side effects", "no side effects"},
    {"tested positive", "tested negative", "clinical results"},
    {"critical condition", "stable condition", "condition words"},
    {"the wait was long", "the wait was short", "waiting"},
    {"rude staff", "friendly staff", "staff attitude"},
    {"I'm sad", "I'm happy", "feelings"},
    {"good :(", "good :)", "emoticons"},
    {"good", "really good", "booster"},
    {"the nurse was nice", "the nurse was AMAZING", "stronger praise in capitals"},
    {"the nurse was rude and dismissive", "rude nurse", "two complaints weigh more than one"},
    {"it helped", "it helped a lot", "a lot as booster"},
    {"some side effects", "minimal side effects", "minimal is better"},
    {"side effects were severe", "side effects were mild", "severity"},
    {"the wait was terrible", "the wait was fine", "wait verdicts"},
    {"worst ER ever", "best ER ever", "superlatives"},
    {"made my anxiety worse", "helped my anxiety", "worse vs helped"},
    {"not effective", "effective", "efficacy"},
    {"he will be missed", "I miss him", "a farewell is sadder than longing"},
    {"I miss you", "wish you were here", "longing and warm longing"},
    {"it gets old", "it never gets old", "the idiom, not a negated 'old'"},
    {"don't miss it", "don't miss out", "the negated regret"},
    {"it might help", "it helps", "a hedge says less"},
    {"it hurts", "it might hurt", "a hedge says less of a complaint too"},
    {"we watched Good Will Hunting in the waiting room", "the waiting room was good",
     "a word of a title counts less than a verdict"},
};

static void test_health_orders(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof health_orders / sizeof health_orders[0]; i++) {
        const order_case *c = &health_orders[i];
        double lo = score(default_an, c->lower), hi = score(default_an, c->higher);
        if (!(lo < hi))
            fail_msg("'%s' (%.3f) should score below '%s' (%.3f): %s", c->lower, lo, c->higher,
                     hi, c->why);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Robustness
 * ------------------------------------------------------------------------------------------- */

static void test_bad_input(void **state)
{
    (void)state;
    assert_int_equal(medtone_analyze(NULL, "x", 1, res), MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_analyze(default_an, NULL, 3, res), MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_analyze(default_an, "x", 1, NULL), MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_analyze(default_an, NULL, 0, res), MEDTONE_OK);
    assert_true(medtone_result_compound(res) == 0);
    static const char bad[] = "good \xff\xfe\xc0\xaf \xed\xa0\x80 great\0 nul inside";
    assert_int_equal(medtone_analyze(default_an, bad, sizeof bad - 1, res), MEDTONE_OK);
    assert_true(medtone_result_compound(res) > 0);
    for (size_t i = 0; i < medtone_result_term_count(res); i++)
        assert_true(medtone_result_term_offset(res, i) + medtone_result_term_length(res, i) <=
                    sizeof bad - 1);
    medtone_result_free(NULL);
    medtone_analyzer_free(NULL);
    assert_true(medtone_result_compound(NULL) == 0);
}

static void test_large_text(void **state)
{
    (void)state;
    size_t n = 2u << 20;
    char *big = malloc(n);
    assert_non_null(big);
    static const char unit[] = "The nurses were great but the wait was long. ";
    for (size_t i = 0; i < n; i++) big[i] = unit[i % (sizeof unit - 1)];
    assert_int_equal(medtone_analyze(default_an, big, n, res), MEDTONE_OK);
    double c = medtone_result_compound(res);
    assert_true(c >= -1 && c <= 1);
    assert_true(medtone_result_term_count(res) > 1000);
    free(big);
    /* the result is reusable for a small text afterwards */
    assert_true(score(default_an, "good") > 0);
}

/* Allocation failure: fail the Nth allocation during analysis of a text longer than any before,
 * until the call succeeds; every failure is clean and the result stays usable. */
static long fail_at, alloc_count;

static void *failing_malloc(size_t n, void *u)
{
    (void)u;
    if (++alloc_count == fail_at) return NULL;
    return malloc(n);
}

static void *failing_realloc(void *p, size_t n, void *u)
{
    (void)u;
    if (++alloc_count == fail_at) return NULL;
    return realloc(p, n);
}

static void plain_free(void *p, void *u)
{
    (void)u;
    free(p);
}

static void test_alloc_failure(void **state)
{
    (void)state;
    /* Objects made under the default allocator may not be used under another one, so this test
     * builds its own analyzer and result under the failing allocator. */
    assert_int_equal(medtone_set_allocator(failing_malloc, failing_realloc, plain_free, NULL),
                     MEDTONE_OK);
    fail_at = 0;
    medtone_options *opt = medtone_options_new();
    assert_non_null(opt);
    medtone_options_set_int(opt, MEDTONE_OPT_EMBEDDED_LEXICONS, 0);
    medtone_analyzer *an = NULL;
    assert_int_equal(medtone_analyzer_new(opt, &an), MEDTONE_OK);
    medtone_options_free(opt);
    assert_int_equal(medtone_analyzer_load_lexicon_data(an, "rules.tsv", rules_lexicon,
                                                        sizeof rules_lexicon - 1),
                     MEDTONE_OK);
    const char *text = "The nurse was not very good but no more pain, tested positive :) "
                       "although kind of slow!!!";
    int succeeded = 0;
    for (long n = 1; n < 10000 && !succeeded; n++) {
        medtone_result *r = medtone_result_new();
        if (!r) continue; /* the Nth allocation was the result itself */
        alloc_count = 0;
        fail_at = n;
        medtone_status st = medtone_analyze(an, text, strlen(text), r);
        fail_at = 0;
        if (st == MEDTONE_OK) {
            succeeded = 1;
            assert_true(medtone_result_compound(r) != 0);
        } else {
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            assert_true(medtone_result_compound(r) == 0);
            assert_int_equal(medtone_result_term_count(r), 0);
            /* usable afterwards */
            assert_int_equal(medtone_analyze(an, "good", 4, r), MEDTONE_OK);
            assert_true(medtone_result_compound(r) > 0);
        }
        medtone_result_free(r);
    }
    assert_true(succeeded);
    medtone_analyzer_free(an);
    assert_int_equal(medtone_set_allocator(NULL, NULL, NULL, NULL), MEDTONE_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_orders),   cmocka_unit_test(test_rule_marks),
        cmocka_unit_test(test_explanation),   cmocka_unit_test(test_compound_range),
        cmocka_unit_test(test_health_signs),  cmocka_unit_test(test_health_orders),
        cmocka_unit_test(test_bad_input),     cmocka_unit_test(test_large_text),
        cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
