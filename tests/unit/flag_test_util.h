/* flag_test_util.h — helpers shared by the cmocka flag tests (tests/unit/test_flag_*.c).
 *
 * A header of static inline functions rather than a .c file: every tests/unit/test_*.c becomes its
 * own test executable, and an unused static inline function draws no warning. Include it after
 * <cmocka.h> and "medtone.h". Each test owns one default analyzer `an`, optionally an analyzer
 * with flags off `an_off`, and one result `res` that every analysis writes into. */
#ifndef MEDTONE_FLAG_TEST_UTIL_H
#define MEDTONE_FLAG_TEST_UTIL_H

#include <stdio.h>
#include <string.h>

static medtone_analyzer *an, *an_off;
static medtone_result *res;

/* A new analyzer with MEDTONE_OPT_FLAGS 0, or NULL. */
static inline medtone_analyzer *ftu_flags_off_analyzer(void)
{
    medtone_analyzer *off = NULL;
    medtone_options *opt = medtone_options_new();
    if (!opt) return NULL;
    medtone_options_set_int(opt, MEDTONE_OPT_FLAGS, 0);
    medtone_status st = medtone_analyzer_new(opt, &off);
    medtone_options_free(opt);
    return st == MEDTONE_OK ? off : NULL;
}

/* Group setup: the default analyzer, then the result. */
static inline int ftu_setup(void **state)
{
    (void)state;
    if (medtone_analyzer_new(NULL, &an) != MEDTONE_OK) return -1;
    res = medtone_result_new();
    return res ? 0 : -1;
}

/* Group setup as ftu_setup, then the index of the flag called name into *f. */
static inline int ftu_setup_flag(void **state, const char *name, size_t *f)
{
    if (ftu_setup(state) != 0) return -1;
    return medtone_flag_find(name, f) == MEDTONE_OK ? 0 : -1;
}

/* Group setup: the default analyzer, an analyzer with flags off, then the result. */
static inline int ftu_setup_with_off(void **state)
{
    (void)state;
    if (medtone_analyzer_new(NULL, &an) != MEDTONE_OK) return -1;
    an_off = ftu_flags_off_analyzer();
    if (!an_off) return -1;
    res = medtone_result_new();
    return res ? 0 : -1;
}

static inline int ftu_teardown(void **state)
{
    (void)state;
    medtone_result_free(res);
    medtone_analyzer_free(an);
    medtone_analyzer_free(an_off);
    return 0;
}

static inline void analyze(const medtone_analyzer *a, const char *text)
{
    assert_int_equal(medtone_analyze(a, text, strlen(text), res), MEDTONE_OK);
}

/* The score of flag f for text under the default analyzer. */
static inline double ftu_score(size_t f, const char *text)
{
    analyze(an, text);
    return medtone_result_flag_score(res, f);
}

/* Analyzes text with the default analyzer and returns flag f's score, checked to be in [0, 1]. */
static inline double ftu_score_in_range(const char *text, size_t f)
{
    analyze(an, text);
    double s = medtone_result_flag_score(res, f);
    assert_true(s >= 0 && s <= 1);
    return s;
}

/* True when flag f shows a piece of evidence with exactly this text and cue. */
static inline int ftu_has_span(const char *text, size_t f, const char *span, const char *cue)
{
    for (size_t i = 0; i < medtone_result_evidence_count(res, f); i++) {
        size_t off = medtone_result_evidence_offset(res, f, i);
        size_t len = medtone_result_evidence_length(res, f, i);
        if (len == strlen(span) && !memcmp(text + off, span, len) &&
            !strcmp(medtone_result_evidence_cue(res, f, i), cue))
            return 1;
    }
    return 0;
}

static inline void ftu_print_evidence(const char *text, size_t f)
{
    size_t n = medtone_result_evidence_count(res, f);
    for (size_t i = 0; i < n; i++) {
        size_t off = medtone_result_evidence_offset(res, f, i);
        size_t len = medtone_result_evidence_length(res, f, i);
        fprintf(stderr, "    evidence \"%.*s\" (%s)\n", (int)len, text + off,
                medtone_result_evidence_cue(res, f, i));
    }
}

static inline int ftu_cue_nonempty(const char *cue)
{
    return cue[0] != '\0';
}

/* Every evidence span of flag f in the last result is non-empty and lies inside text; when
 * `ordered`, the spans come in text order; when cue_ok is not NULL, it accepts every cue. Returns
 * the number of spans. */
static inline size_t ftu_check_spans(const char *text, size_t f, int ordered,
                                     int (*cue_ok)(const char *cue))
{
    size_t n = medtone_result_evidence_count(res, f), prev = 0;
    for (size_t i = 0; i < n; i++) {
        size_t off = medtone_result_evidence_offset(res, f, i);
        size_t len = medtone_result_evidence_length(res, f, i);
        assert_true(len > 0);
        assert_true(off + len <= strlen(text));
        if (ordered) assert_true(off >= prev);
        if (cue_ok) assert_true(cue_ok(medtone_result_evidence_cue(res, f, i)));
        prev = off;
    }
    return n;
}

/* Analyzing text with `off` (flags off) leaves flag f with score 0, not fired, no evidence. */
static inline void ftu_check_flags_off(const medtone_analyzer *off, const char *text, size_t f)
{
    analyze(off, text);
    assert_true(medtone_result_flag_score(res, f) == 0);
    assert_false(medtone_result_flag_fired(res, f));
    assert_int_equal(medtone_result_evidence_count(res, f), 0);
}

/* The same check with a fresh analyzer built with MEDTONE_OPT_FLAGS 0. */
static inline void ftu_check_flags_off_fresh(const char *text, size_t f)
{
    medtone_options *opt = medtone_options_new();
    assert_non_null(opt);
    assert_int_equal(medtone_options_set_int(opt, MEDTONE_OPT_FLAGS, 0), MEDTONE_OK);
    medtone_analyzer *off = NULL;
    assert_int_equal(medtone_analyzer_new(opt, &off), MEDTONE_OK);
    medtone_options_free(opt);
    ftu_check_flags_off(off, text, f);
    medtone_analyzer_free(off);
}

/* A table row: a post, whether flag must fire, and one evidence span (exact text and cue). */
typedef struct span_row {
    const char *text;
    int fires;
    const char *span; /* text of one evidence span, or NULL */
    const char *cue;  /* its cue */
    const char *why;
} span_row;

/* Walks rows for flag f, reporting each row that does not behave to stderr with its evidence;
 * returns the number of such rows. */
static inline int ftu_span_table(const span_row *rows, size_t count, size_t f)
{
    int failed = 0;
    for (size_t k = 0; k < count; k++) {
        const span_row *r = &rows[k];
        analyze(an, r->text);
        int fired = medtone_result_flag_fired(res, f);
        int ok = fired == r->fires;
        if (ok && r->span && !ftu_has_span(r->text, f, r->span, r->cue)) ok = 0;
        if (!ok) {
            fprintf(stderr, "row %zu: \"%s\": expected %s%s%s%s (%s); got %s, score %.3f\n", k,
                    r->text, r->fires ? "fired" : "not fired", r->span ? " with \"" : "",
                    r->span ? r->span : "", r->span ? "\"" : "", r->why,
                    fired ? "fired" : "not fired", medtone_result_flag_score(res, f));
            ftu_print_evidence(r->text, f);
            failed++;
        }
    }
    return failed;
}

#endif
