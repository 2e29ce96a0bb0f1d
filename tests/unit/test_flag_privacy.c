/* test_flag_privacy.c — the privacy flag, as a table of behaviours.
 *
 * The flag fires when an identifier of a person (Safe Harbor's list: a name, a record or plan
 * number, a date of birth, a phone number, an address...) appears with health information
 * (docs/flags/privacy.md). Each row says whether a post must fire, which identifier span and
 * kind the evidence must name, and which health span it must point at; the hard negatives of the
 * design (health information without an identifier, an organization's public number, a doctor
 * named in a review, event dates, ordinary ages) are rows too. Expectations come from the
 * specification, never from the flag's output. */
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

static const size_t PRIVACY = MEDTONE_FLAG_PRIVACY;

/* Whether some evidence of the privacy flag spans exactly `span` (its first occurrence in the
 * text) and, when cue is not NULL, names that cue. */
static int has_evidence(const char *text, const char *span, const char *cue)
{
    const char *at = strstr(text, span);
    if (!at) return 0;
    size_t off = (size_t)(at - text), len = strlen(span);
    for (size_t i = 0; i < medtone_result_evidence_count(res, PRIVACY); i++) {
        if (medtone_result_evidence_offset(res, PRIVACY, i) != off ||
            medtone_result_evidence_length(res, PRIVACY, i) != len)
            continue;
        if (!cue || !strcmp(medtone_result_evidence_cue(res, PRIVACY, i), cue)) return 1;
    }
    return 0;
}

/* Every evidence span lies inside the text; the score is in [0, 1] and fires at the threshold. */
static void check_invariants(const char *text)
{
    size_t n = strlen(text);
    double s = medtone_result_flag_score(res, PRIVACY);
    assert_true(s >= 0 && s <= 1);
    assert_int_equal(medtone_result_flag_fired(res, PRIVACY),
                     s > 0 && s >= medtone_flag_default_threshold(PRIVACY));
    for (size_t i = 0; i < medtone_result_evidence_count(res, PRIVACY); i++) {
        size_t off = medtone_result_evidence_offset(res, PRIVACY, i);
        size_t len = medtone_result_evidence_length(res, PRIVACY, i);
        assert_true(len > 0);
        assert_true(off <= n && len <= n - off);
        assert_true(medtone_result_evidence_cue(res, PRIVACY, i)[0] != '\0');
    }
}

typedef struct privacy_case {
    const char *text;
    int fires;
    const char *id_span; /* the identifier the evidence must span, or NULL */
    const char *id_cue;  /* its kind */
    const char *health;  /* the health information the evidence must span, or NULL */
    const char *reason;
} privacy_case;

static const privacy_case cases[] = {
    /* --- identifiers with health information: fire --- */
    {"My MRN is 00482913, can someone tell me why my chemo was cancelled?", 1, "00482913",
     "record-number", "chemo", "a record number after 'my MRN is', with a treatment"},
    {"Patient John Smith in room 412 was diagnosed with HIV today", 1, "John Smith", "person-name",
     "HIV", "a patient's name and a diagnosis"},
    {"Patient John Smith in room 412 was diagnosed with HIV today", 1, "412", "room-number", NULL,
     "the room number is a second identifier of the same post"},
    {"DOB: 7/19/1988 - pregnant with twins and I still can't get an OB appointment", 1, "7/19/1988",
     "date-of-birth", "pregnant", "a date of birth with reproductive health"},
    {"my ssn is 123-45-6789 and my claim for knee surgery got denied", 1, "123-45-6789", "ssn",
     NULL, "an SSN shape after 'ssn'"},
    {"Text me at 555-283-9911 about my husband's dementia care options", 1, "555-283-9911",
     "phone-number", "dementia", "a personal phone number ('text me at') and a diagnosis"},
    {"Please call my mom at (312) 555-0187, she just got out of surgery for breast cancer", 1,
     "(312) 555-0187", "phone-number", "breast cancer",
     "the whole number with its area code in parentheses"},
    {"Email me at jenny.r.walsh@gmail.com, I need the results of my STD test", 1,
     "jenny.r.walsh@gmail.com", "email", "STD test", "a personal e-mail and sexual health"},
    {"My address is 42 Birch Lane and I need my psychiatric records mailed there", 1,
     "42 Birch Lane", "address", "psychiatric records", "a street address after 'my address is'"},
    {"My dad is 91 years old, lives at 318 Maple Street, and has stage 4 lung cancer", 1,
     "318 Maple Street", "address", NULL, "an address and a cancer stage"},
    {"My dad is 91 years old, lives at 318 Maple Street, and has stage 4 lung cancer", 1, "91",
     "age-over-89", NULL, "an age over 89 adds to the address"},
    {"Mrs. Henderson in bed 7 has been refusing her insulin all night", 1, "Henderson",
     "person-name", "insulin", "a name after a title, without the title itself"},
    {"Mrs. Henderson in bed 7 has been refusing her insulin all night", 1, "7", "room-number", NULL,
     "a bed number"},
    {"Medicaid ID 4403918827 - my son's autism therapy keeps getting denied", 1, "4403918827",
     "record-number", "autism", "a health plan number"},
    {"Account number 5520-1187-3301 on my bill for the miscarriage is wrong", 1, "5520-1187-3301",
     "id-number", "miscarriage", "an account number in hyphenated groups"},
    {"My name is Kevin Brown, born March 3, 1975, and I was just diagnosed with colon cancer", 1,
     "March 3, 1975", "date-of-birth", NULL, "a date of birth written in words"},
    {"My name is Kevin Brown, born March 3, 1975, and I was just diagnosed with colon cancer", 1,
     "Kevin Brown", "person-name", NULL, "a full name after 'my name is'"},
    {"Just saw my coworker Brian Kowalski's chart, he has testicular cancer", 1, "Brian Kowalski's",
     "person-name", "testicular cancer", "two capitalized unknown words next to a diagnosis"},
    {"My MRN is 10293847.", 1, "10293847", "record-number", NULL,
     "a medical record number alone tells that the person is a patient"},
    {"the guy at 77 Grove Avenue is a heroin addict and his kids live there", 1, "77 Grove Avenue",
     "address", NULL, "a street address by its shape"},
    {"Room 5 bed 2 has active TB and the staff are not wearing masks", 1, "5", "room-number",
     "active TB", "room and bed numbers single out a patient inside a facility"},
    {"Nurse here. Mr. Alvarez in 4B is HIV positive, be careful with his IV", 1, "Alvarez",
     "person-name", "HIV positive", "a staff member naming a patient's status"},
    {"Policy # HMO-55120-88, calling about my wife's chemo bills", 1, "HMO-55120-88",
     "record-number", NULL, "a plan number of letters and digits after '#'"},

    /* --- hard negatives: do not fire --- */
    {"my doctor says my MRI is clear", 0, NULL, NULL, NULL,
     "health information without an identifier"},
    {"Call 555-0100 to book your flu shot", 0, NULL, NULL, NULL,
     "a clinic's public number for appointments"},
    {"Dr. Smith is the best cardiologist", 0, NULL, NULL, NULL,
     "a doctor in a public, professional role: a review is not a patient's leak"},
    {"the clinic opens March 3", 0, NULL, NULL, NULL, "the date of an event, not of a person"},
    {"I'm 35 and healthy", 0, NULL, NULL, NULL, "an age under 90 is no identifier"},
    {"Born in 1962 and just ran my first marathon after beating breast cancer", 0, NULL, NULL, NULL,
     "a year of birth alone is allowed by Safe Harbor"},
    {"My son was born at 28 weeks and spent 3 months in the NICU", 0, NULL, NULL, NULL,
     "'28 weeks' after 'born' is no date"},
    {"Free HIV testing this Saturday, call 1-800-555-0199 for details", 0, NULL, NULL, NULL,
     "a toll-free number in a campaign"},
    {"Email info@mercyclinic.org to request a copy of your vaccination record", 0, NULL, NULL, NULL,
     "an organization's public mailbox"},
    {"Visit us at 1200 Oak Avenue for the free diabetes screening", 0, NULL, NULL, NULL,
     "an organization's address in a public notice"},
    {"Nurse Betty held my hand through every round of chemo", 0, NULL, NULL, NULL,
     "a staff member's name in a thank-you"},
    {"The wait in room 4 was ridiculous and my back pain got worse", 0, NULL, NULL, NULL,
     "the writer's own room and a symptom: too weak"},
    {"Cleveland Clinic is the best heart hospital in the country", 0, NULL, NULL, NULL,
     "an organization's name is no person's"},
    {"Patient Care Week: Thank You To Our Amazing Nurses", 0, NULL, NULL, NULL,
     "Title Case words say nothing about names"},
    {"I waited 95 minutes to get my blood test results", 0, NULL, NULL, NULL,
     "95 minutes is no age"},
    {"My oxygen was 92 this morning, still recovering from covid", 0, NULL, NULL, NULL,
     "92 is a reading, not an age"},
    {"Grandma turned 89 today and is still cancer free", 0, NULL, NULL, NULL,
     "ages up to 89 may be shown"},
    {"John Smith scored twice in the final", 0, NULL, NULL, NULL,
     "a name without health information"},
    {"My phone number is 555-283-9911, call me about the car", 0, NULL, NULL, NULL,
     "a phone number without health information"},
    {"Shoutout to Maria Gonzalez at the front desk, she sorted out my insurance", 0, NULL, NULL,
     NULL, "a staff member praised, no health detail"},
};

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const privacy_case *c = &cases[i];
        analyze(an, c->text);
        check_invariants(c->text);
        int fired = medtone_result_flag_fired(res, PRIVACY);
        if (fired != c->fires)
            fail_msg("row %zu (%s): fired %d, expected %d: %s", i, c->reason, fired, c->fires,
                     c->text);
        if (c->id_span && !has_evidence(c->text, c->id_span, c->id_cue))
            fail_msg("row %zu (%s): no evidence '%s' (%s): %s", i, c->reason, c->id_span, c->id_cue,
                     c->text);
        if (c->health && !has_evidence(c->text, c->health, NULL))
            fail_msg("row %zu (%s): no health evidence '%s': %s", i, c->reason, c->health, c->text);
    }
}

/* The identifier span is the value only: the words that introduced it and the title before a
 * name are never part of it, and nothing but spans is reported. */
static void test_span_is_identifier_only(void **state)
{
    (void)state;
    const char *texts[] = {
        "My MRN is 00482913 and I have HIV",
        "Mrs. Henderson in bed 7 is HIV positive",
        "call me at 555-283-9911, my HIV results are back",
    };
    const char *forbidden[] = {"MRN", "Mrs", "call"};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        analyze(an, texts[t]);
        assert_true(medtone_result_flag_fired(res, PRIVACY));
        for (size_t i = 0; i < medtone_result_evidence_count(res, PRIVACY); i++) {
            size_t off = medtone_result_evidence_offset(res, PRIVACY, i);
            size_t len = medtone_result_evidence_length(res, PRIVACY, i);
            const char *f = forbidden[t];
            for (size_t k = off; k + strlen(f) <= off + len; k++)
                assert_true(strncmp(texts[t] + k, f, strlen(f)) != 0);
        }
    }
}

/* More health information raises the score; a public notice lowers it. */
static void test_orderings(void **state)
{
    (void)state;
    analyze(an, "my number is 555-283-9911");
    double bare = medtone_result_flag_score(res, PRIVACY);
    analyze(an, "my number is 555-283-9911, my HIV results are back");
    double with_health = medtone_result_flag_score(res, PRIVACY);
    assert_true(with_health > bare);

    analyze(an, "Phone 555-283-9911, I have diabetes");
    double personal = medtone_result_flag_score(res, PRIVACY);
    analyze(an, "Phone 555-283-9911 to book your diabetes screening at our clinic");
    double notice = medtone_result_flag_score(res, PRIVACY);
    assert_true(notice < personal);

    analyze(an, "Patient John Smith has a cold");
    double mild = medtone_result_flag_score(res, PRIVACY);
    analyze(an, "Patient John Smith has HIV");
    double severe = medtone_result_flag_score(res, PRIVACY);
    assert_true(severe > mild);
}

/* With MEDTONE_OPT_FLAGS 0 no flag is raised: score 0, no evidence. */
static void test_flags_off(void **state)
{
    (void)state;
    const char *text = "Patient John Smith, MRN 00482913, DOB 04/12/1961, has HIV";
    analyze(an, text);
    assert_true(medtone_result_flag_fired(res, PRIVACY));
    ftu_check_flags_off(an_off, text, PRIVACY);
}

/* A reused result forgets the previous text's evidence. */
static void test_reuse(void **state)
{
    (void)state;
    analyze(an, "My MRN is 00482913 and I have HIV");
    assert_true(medtone_result_evidence_count(res, PRIVACY) > 0);
    analyze(an, "my doctor says my MRI is clear");
    assert_true(medtone_result_flag_score(res, PRIVACY) == 0);
    assert_int_equal(medtone_result_evidence_count(res, PRIVACY), 0);
}

/* Pathological input: many numbers, names and terms keep within the fixed tables. */
static void test_long_text(void **state)
{
    (void)state;
    const char *unit = "Patient Jane Doe, MRN 00482913, room 412, call 555-283-9911, HIV. ";
    size_t n = strlen(unit), reps = 500;
    char *big = malloc(n * reps + 1);
    assert_non_null(big);
    for (size_t i = 0; i < reps; i++)
        memcpy(big + i * n, unit, n);
    big[n * reps] = '\0';
    analyze(an, big);
    check_invariants(big);
    assert_true(medtone_result_flag_fired(res, PRIVACY));
    free(big);
}

/* Allocation failure anywhere in the analysis, including this flag's key scratch, is reported
 * as MEDTONE_ERR_NOMEM and leaves the result usable. */
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
    assert_int_equal(medtone_set_allocator(failing_malloc, failing_realloc, plain_free, NULL),
                     MEDTONE_OK);
    fail_at = 0;
    medtone_analyzer *a = NULL;
    assert_int_equal(medtone_analyzer_new(NULL, &a), MEDTONE_OK);
    const char *text = "Patient John Smith, MRN 00482913, DOB 04/12/1961, call me at "
                       "555-283-9911, diagnosed with HIV at 42 Birch Lane";
    int succeeded = 0;
    for (long n = 1; n < 10000 && !succeeded; n++) {
        medtone_result *r = medtone_result_new();
        if (!r) continue;
        alloc_count = 0;
        fail_at = n;
        medtone_status st = medtone_analyze(a, text, strlen(text), r);
        fail_at = 0;
        if (st == MEDTONE_OK) {
            succeeded = 1;
            assert_true(medtone_result_flag_fired(r, PRIVACY));
        } else {
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            assert_int_equal(medtone_analyze(a, "My MRN is 00482913", 18, r), MEDTONE_OK);
            assert_true(medtone_result_flag_fired(r, PRIVACY));
        }
        medtone_result_free(r);
    }
    assert_true(succeeded);
    medtone_analyzer_free(a);
    assert_int_equal(medtone_set_allocator(NULL, NULL, NULL, NULL), MEDTONE_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),         cmocka_unit_test(test_span_is_identifier_only),
        cmocka_unit_test(test_orderings),     cmocka_unit_test(test_flags_off),
        cmocka_unit_test(test_reuse),         cmocka_unit_test(test_long_text),
        cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, ftu_setup_with_off, ftu_teardown);
}
