/* fuzz_analyze.c — the whole analyzer (built-in lexicons, every rule, every flag) on arbitrary
 * bytes. One analyzer is built once and shared by all inputs, as programs use it; one result is
 * reused from input to input, as the header recommends.
 *
 * Checks the promises of include/medtone.h for any text: compound in [-1, 1]; the three shares
 * in [0, 1] summing to 1 (or all 0); term spans inside the text and in text order; every flag's
 * score in [0, 1], its sentiment in [-1, 1], fired exactly when the score is above 0 and reaches
 * its default threshold, and its evidence inside the text with a named cue; and the same text
 * analyzed twice scores the same. */
#include <math.h>
#include <string.h>

#include <medtone.h>

#include "fuzz_common.h"

static medtone_analyzer *g_an;
static medtone_result *g_res;

static void setup(void)
{
    if (g_an) return;
    FUZZ_CHECK(medtone_analyzer_new(NULL, &g_an) == MEDTONE_OK);
    g_res = medtone_result_new();
    FUZZ_CHECK(g_res != NULL);
}

FUZZ_INITIALIZE(setup)

static int in_text(size_t off, size_t len, size_t size)
{
    return off <= size && len <= size - off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    const char *text = size ? (const char *)data : NULL;
    medtone_result *r = g_res;
    FUZZ_CHECK(medtone_analyze(g_an, text, size, r) == MEDTONE_OK);

    double c = medtone_result_compound(r);
    FUZZ_CHECK(c >= -1.0 && c <= 1.0);
    double pos = medtone_result_positive(r), neu = medtone_result_neutral(r),
           neg = medtone_result_negative(r);
    FUZZ_CHECK(pos >= 0 && pos <= 1 && neu >= 0 && neu <= 1 && neg >= 0 && neg <= 1);
    double sum = pos + neu + neg;
    FUZZ_CHECK(sum == 0 || fabs(sum - 1) < 1e-6);

    size_t nterms = medtone_result_term_count(r), prev = 0;
    for (size_t i = 0; i < nterms; i++) {
        size_t off = medtone_result_term_offset(r, i), len = medtone_result_term_length(r, i);
        FUZZ_CHECK(len > 0 && in_text(off, len, size));
        FUZZ_CHECK(off >= prev);
        prev = off;
        const char *entry = medtone_result_term_entry(r, i);
        const char *layer = medtone_result_term_layer(r, i);
        FUZZ_CHECK(entry && *entry && layer && *layer);
        double v = medtone_result_term_valence(r, i);
        FUZZ_CHECK(v >= -4 && v <= 4);
        FUZZ_CHECK(isfinite(medtone_result_term_contribution(r, i)));
        unsigned rules = medtone_result_term_rules(r, i);
        for (unsigned bit = 1; bit && bit <= rules; bit <<= 1)
            if (rules & bit) FUZZ_CHECK(strcmp(medtone_rule_name(bit), "unknown") != 0);
    }
    FUZZ_CHECK(*medtone_result_term_entry(r, nterms) == '\0');

    size_t ntok = medtone_tokens_count(medtone_result_tokens(r));
    const medtone_tokens *toks = medtone_result_tokens(r);
    for (size_t i = 0; i < ntok; i++)
        FUZZ_CHECK(in_text(medtone_token_offset(toks, i), medtone_token_length(toks, i), size));

    size_t nflags = medtone_flag_count();
    double score[64];
    FUZZ_CHECK(nflags <= 64);
    for (size_t f = 0; f < nflags; f++) {
        double s = medtone_result_flag_score(r, f);
        FUZZ_CHECK(s >= 0 && s <= 1);
        score[f] = s;
        int fired = medtone_result_flag_fired(r, f);
        /* "a score above 0 and >= threshold fires it", and nothing else does */
        FUZZ_CHECK(fired == (s > 0 && s >= medtone_flag_default_threshold(f)));
        double fs = medtone_result_flag_sentiment(r, f);
        FUZZ_CHECK(fs >= -1 && fs <= 1);
        size_t nev = medtone_result_evidence_count(r, f);
        for (size_t k = 0; k < nev; k++) {
            size_t off = medtone_result_evidence_offset(r, f, k);
            size_t len = medtone_result_evidence_length(r, f, k);
            FUZZ_CHECK(in_text(off, len, size));
            const char *cue = medtone_result_evidence_cue(r, f, k);
            FUZZ_CHECK(cue && *cue);
        }
    }

    /* Same text, same result: nothing carries over from one analysis to the next. */
    FUZZ_CHECK(medtone_analyze(g_an, text, size, r) == MEDTONE_OK);
    FUZZ_CHECK(medtone_result_compound(r) == c);
    FUZZ_CHECK(medtone_result_term_count(r) == nterms);
    for (size_t f = 0; f < nflags; f++)
        FUZZ_CHECK(medtone_result_flag_score(r, f) == score[f]);
    return 0;
}
