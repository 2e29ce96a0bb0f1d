/* test_hell.c — inputs from hell: sizes, counts and bytes that no sensible post has, which the
 * library must still take without crashing, hanging, leaking or changing its answers.
 *
 *   a 100 MB single line          analyzed whole; the score, terms and tokens scale with it
 *   128 MiB and one byte more     the limit analyzed; one byte over refused with TOO_LARGE
 *   10 M tiny texts, one result   every answer equals a fresh analysis; no allocation after the
 *                                 first few texts ("allocates only when a text is larger")
 *   only emoji                    one EMOJI token per grapheme, spans back to back; and runs of
 *                                 lone modifiers, joiners, selectors, regional indicators
 *   only combining marks          40 000 marks without a base, and one base with 40 000 marks
 *   overlong UTF-8, surrogates    each bad byte is one SYMBOL token flagged INVALID_UTF8
 *   NULs, CRLF, BOMs              separate tokens like white space; scores as the clean text
 *   a truncated .gz lexicon       every cut fails cleanly and leaves the analyzer as it was
 *   a 1 M-entry lexicon           built here, loaded from memory, every entry looked up
 *
 * Release build, 2 cores: about 10 s for the line, 8 s for the 10 M texts (under 1 us each),
 * under a second to load the lexicon. The peak memory of the whole run stays under 2 GB (checked at the end, outside
 * sanitizer builds whose shadow memory distorts it).
 *
 * Smaller workloads where everything runs slower, so that CI stays within its time:
 *   ASan/UBSan/TSan builds          a 20 MB line, 1 M tiny texts, every 97th lexicon entry
 *   MEDTONE_UNDER_VALGRIND set      a 2 MB line, 200 000 tiny texts, a 100 000-entry lexicon
 *   (tools/valgrind-tests.sh sets it; valgrind runs some 50 times slower) */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <cmocka.h>
#include <zlib.h>

#include "medtone.h"

#include "gzip_test_util.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                         \
    __has_feature(memory_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* ----- a counting allocator, to see that reuse does not allocate --------------------------- */

static long g_allocs; /* malloc + realloc calls made by the library */

static void *count_malloc(size_t size, void *user)
{
    (void)user;
    g_allocs++;
    return malloc(size);
}

static void *count_realloc(void *ptr, size_t size, void *user)
{
    (void)user;
    g_allocs++;
    return realloc(ptr, size);
}

static void count_free(void *ptr, void *user)
{
    (void)user;
    free(ptr);
}

static int g_valgrind;
static medtone_analyzer *g_an; /* built-in lexicons */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static medtone_analyzer *new_empty(void)
{
    medtone_options *o = medtone_options_new();
    assert_non_null(o);
    assert_int_equal(medtone_options_set_int(o, MEDTONE_OPT_EMBEDDED_LEXICONS, 0), MEDTONE_OK);
    medtone_analyzer *a = NULL;
    assert_int_equal(medtone_analyzer_new(o, &a), MEDTONE_OK);
    medtone_options_free(o);
    return a;
}

/* Spans of every token lie inside the text, in order, without overlap. */
static void assert_spans_sane(const medtone_tokens *t, size_t len)
{
    size_t end = 0, n = medtone_tokens_count(t);
    for (size_t i = 0; i < n; i++) {
        size_t off = medtone_token_offset(t, i), tl = medtone_token_length(t, i);
        assert_true(tl > 0);
        assert_true(off >= end);
        assert_true(off <= len && tl <= len - off);
        end = off + tl;
    }
}

static void assert_result_sane(const medtone_result *r, size_t len)
{
    double c = medtone_result_compound(r);
    assert_true(c >= -1 && c <= 1);
    double sum =
        medtone_result_positive(r) + medtone_result_neutral(r) + medtone_result_negative(r);
    assert_true(sum == 0 || (sum > 0.999999 && sum < 1.000001));
    size_t prev = 0;
    for (size_t i = 0; i < medtone_result_term_count(r); i++) {
        size_t off = medtone_result_term_offset(r, i), tl = medtone_result_term_length(r, i);
        assert_true(off >= prev && off <= len && tl <= len - off);
        prev = off;
    }
    for (size_t f = 0; f < medtone_flag_count(); f++) {
        double s = medtone_result_flag_score(r, f);
        assert_true(s >= 0 && s <= 1);
        for (size_t k = 0; k < medtone_result_evidence_count(r, f); k++) {
            size_t off = medtone_result_evidence_offset(r, f, k);
            size_t el = medtone_result_evidence_length(r, f, k);
            assert_true(off <= len && el <= len - off);
        }
    }
    assert_spans_sane(medtone_result_tokens(r), len);
}

static double score_of(const medtone_analyzer *a, const char *text, size_t len)
{
    medtone_result *r = medtone_result_new();
    assert_non_null(r);
    assert_int_equal(medtone_analyze(a, text, len, r), MEDTONE_OK);
    double c = medtone_result_compound(r);
    medtone_result_free(r);
    return c;
}

/* ----- a 100 MB single line ---------------------------------------------------------------- */

/* One period of the line: posts that each end their sentence, so that no rule reaches from one
 * period into the next and the whole line is the period n times. Its words are long ones, as in
 * reviews of specialist care: the analysis keeps some 120 bytes per token, so a 100 MB line of
 * short words would need 2.5 GB or more, beyond what this test may take. */
static const char period[] =
    "Gastroenterology appointment rescheduled unexpectedly, communication absolutely "
    "terrible! Physiotherapy department wonderful, rehabilitation specialists incredibly "
    "supportive. Pharmaceutical reimbursement paperwork ridiculous \xF0\x9F\x98\xA1 but the "
    "cardiology consultation was excellent \xE2\x9D\xA4\xEF\xB8\x8F. ";

static void test_100mb_line(void **state)
{
    (void)state;
    size_t plen = sizeof period - 1;
    size_t target = (g_valgrind ? 2u : SANITIZED ? 20u : 100u) << 20;
    size_t n = target / plen, len = n * plen;
    char *text = malloc(len);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        memcpy(text + i * plen, period, plen);
    assert_null(memchr(text, '\n', len)); /* reason: a single line */

    medtone_result *one = medtone_result_new();
    assert_non_null(one);
    assert_int_equal(medtone_analyze(g_an, period, plen, one), MEDTONE_OK);
    double c1 = medtone_result_compound(one);
    size_t terms1 = medtone_result_term_count(one);
    size_t toks1 = medtone_tokens_count(medtone_result_tokens(one));
    assert_true(c1 > 0.05 || c1 < -0.05); /* reason: the period carries sentiment */
    assert_true(terms1 >= 8);

    medtone_result *r = medtone_result_new();
    assert_non_null(r);
    double t0 = now();
    assert_int_equal(medtone_analyze(g_an, text, len, r), MEDTONE_OK);
    double secs = now() - t0;
    assert_result_sane(r, len);
    /* reason: the same period n times: n times the terms and tokens, the same sign, and a
     * stronger score (compound = s / sqrt(s^2 + 15) grows with the sum s) */
    assert_int_equal(medtone_result_term_count(r), n * terms1);
    assert_int_equal(medtone_tokens_count(medtone_result_tokens(r)), n * toks1);
    double c = medtone_result_compound(r);
    assert_true(c1 > 0 ? c >= c1 : c <= c1);
    /* reason: the last term lies in the last period (no offset wrapped or was cut) */
    size_t last = medtone_result_term_count(r) - 1;
    assert_true(medtone_result_term_offset(r, last) >= len - plen);
    /* the spans of the k-th period's terms are the first period's, shifted by k periods */
    for (size_t k = 0; k < n; k += n / 7 + 1)
        for (size_t i = 0; i < terms1; i++) {
            assert_int_equal(medtone_result_term_offset(r, k * terms1 + i),
                             medtone_result_term_offset(one, i) + k * plen);
            assert_string_equal(medtone_result_term_entry(r, k * terms1 + i),
                                medtone_result_term_entry(one, i));
        }
    printf("test_hell: a %zu MB line analyzed in %.1f s (%zu terms)\n", len >> 20, secs,
           medtone_result_term_count(r));

    /* reason: the big result is reusable for a small text and answers as a fresh one */
    assert_int_equal(medtone_analyze(g_an, period, plen, r), MEDTONE_OK);
    assert_true(medtone_result_compound(r) == c1);
    assert_int_equal(medtone_result_term_count(r), terms1);

    medtone_result_free(r);
    medtone_result_free(one);
    free(text);
}

/* ----- over the limit ------------------------------------------------------------------------ */

/* A text of MEDTONE_ANALYZE_MAX_BYTES is analyzed; one byte more is refused before anything is
 * allocated, and the result is left empty and reusable. Spaces, so that the text at the limit
 * costs no tokens. */
static void test_over_the_limit(void **state)
{
    (void)state;
    size_t max = MEDTONE_ANALYZE_MAX_BYTES;
    char *text = malloc(max + 1);
    assert_non_null(text);
    memset(text, ' ', max + 1);
    medtone_result *r = medtone_result_new();
    assert_non_null(r);
    assert_int_equal(medtone_analyze(g_an, period, sizeof period - 1, r), MEDTONE_OK);
    assert_int_equal(medtone_analyze(g_an, text, max + 1, r), MEDTONE_ERR_TOO_LARGE);
    /* reason: "on failure the result is left empty (compound 0)" */
    assert_true(medtone_result_compound(r) == 0);
    assert_int_equal(medtone_result_term_count(r), 0);
    assert_int_equal(medtone_tokens_count(medtone_result_tokens(r)), 0);
    assert_int_equal(medtone_analyze(g_an, text, SIZE_MAX, r), MEDTONE_ERR_TOO_LARGE);
    assert_int_equal(medtone_analyze(g_an, text, max, r), MEDTONE_OK);
    assert_int_equal(medtone_tokens_count(medtone_result_tokens(r)), 0);
    assert_true(medtone_result_compound(r) == 0);
    assert_int_equal(medtone_analyze(g_an, period, sizeof period - 1, r), MEDTONE_OK);
    assert_true(medtone_result_term_count(r) >= 8);
    medtone_result_free(r);
    free(text);
}

/* ----- 10 M tiny texts through one result --------------------------------------------------- */

static const char *const tiny[] = {
    "ok",
    "great care!",
    "not good",
    "\xF0\x9F\x98\xA1",
    "no more pain",
    "rude",
    "",
    "I'm fine :)",
    "wait 2 hrs",
    "GREAT",
    "meh.",
    "sooo slow",
    "tested +",
    "not bad",
    "\xFF",
    "very kind!",
    "help",
    "10 mg",
    "@dr #thanks",
    "!!!",
};
#define NTINY (sizeof tiny / sizeof tiny[0])

static void test_10m_tiny_texts(void **state)
{
    (void)state;
    double ref[NTINY];
    size_t ref_terms[NTINY], ref_toks[NTINY];
    for (size_t i = 0; i < NTINY; i++) {
        medtone_result *f = medtone_result_new();
        assert_non_null(f);
        assert_int_equal(medtone_analyze(g_an, tiny[i], strlen(tiny[i]), f), MEDTONE_OK);
        ref[i] = medtone_result_compound(f);
        ref_terms[i] = medtone_result_term_count(f);
        ref_toks[i] = medtone_tokens_count(medtone_result_tokens(f));
        medtone_result_free(f);
    }
    size_t lens[NTINY];
    for (size_t i = 0; i < NTINY; i++)
        lens[i] = strlen(tiny[i]);

    /* 10 M in about 20 s on the CI machine; fewer where everything runs slower. */
    long count = g_valgrind ? 200000L : SANITIZED ? 1000000L : 10000000L;
    medtone_result *r = medtone_result_new();
    assert_non_null(r);
    long allocs_after_warmup = -1, mismatches = 0;
    double t0 = now();
    for (long k = 0; k < count; k++) {
        size_t i = (size_t)(k % (long)NTINY);
        if (k == (long)NTINY * 2) allocs_after_warmup = g_allocs;
        if (medtone_analyze(g_an, tiny[i], lens[i], r) != MEDTONE_OK) {
            mismatches++;
            continue;
        }
        if (medtone_result_compound(r) != ref[i] || medtone_result_term_count(r) != ref_terms[i] ||
            medtone_tokens_count(medtone_result_tokens(r)) != ref_toks[i])
            mismatches++;
    }
    double secs = now() - t0;
    assert_int_equal(mismatches, 0);
    /* reason: once every text was seen, reuse allocates nothing */
    assert_int_equal(g_allocs, allocs_after_warmup);
    printf("test_hell: %ld tiny texts through one result in %.1f s, no allocation after the "
           "first %zu\n",
           count, secs, NTINY * 2);
    medtone_result_free(r);
}

/* ----- odd Unicode ------------------------------------------------------------------------- */

static void test_only_emoji(void **state)
{
    (void)state;
    /* whole graphemes: plain, skin tone, ZWJ family, profession + skin + VS16, flag, keycap,
     * heart + VS16, and a tag sequence (England: a black flag, the tag letters g b e n g and
     * the cancel tag) */
    static const char england[] = "\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xA5"
                                  "\xF3\xA0\x81\xAE\xF3\xA0\x81\xA7\xF3\xA0\x81\xBF";
    static const char *const emoji[] = {
        "\xF0\x9F\x98\xA1",
        "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBF",
        "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",
        "\xF0\x9F\x91\xA9\xF0\x9F\x8F\xBD\xE2\x80\x8D\xE2\x9A\x95\xEF\xB8\x8F",
        "\xF0\x9F\x87\xBA\xF0\x9F\x87\xB8",
        "1\xEF\xB8\x8F\xE2\x83\xA3",
        "\xE2\x9D\xA4\xEF\xB8\x8F",
        england,
    };
    size_t ne = sizeof emoji / sizeof emoji[0], reps = 2000;
    size_t cap = reps * ne * 32, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (size_t k = 0; k < reps * ne; k++) {
        size_t el = strlen(emoji[k % ne]);
        memcpy(text + len, emoji[k % ne], el);
        len += el;
    }
    medtone_tokens *t = medtone_tokens_new();
    assert_non_null(t);
    assert_int_equal(medtone_tokenize(text, len, t), MEDTONE_OK);
    /* reason: one EMOJI token per grapheme, back to back, covering the text */
    assert_int_equal(medtone_tokens_count(t), reps * ne);
    size_t off = 0;
    for (size_t k = 0; k < reps * ne; k++) {
        assert_int_equal(medtone_token_kind_of(t, k), MEDTONE_TOKEN_EMOJI);
        assert_int_equal(medtone_token_offset(t, k), off);
        assert_int_equal(medtone_token_length(t, k), strlen(emoji[k % ne]));
        off += medtone_token_length(t, k);
    }
    assert_int_equal(off, len);

    medtone_result *r = medtone_result_new();
    assert_non_null(r);
    assert_int_equal(medtone_analyze(g_an, text, len, r), MEDTONE_OK);
    assert_result_sane(r, len);

    /* lone pieces of emoji sequences: modifiers, joiners, selectors, an odd regional
     * indicator, tag characters; whatever they become, spans stay sane */
    static const char *const pieces[] = {"\xF0\x9F\x8F\xBD", "\xE2\x80\x8D",     "\xEF\xB8\x8F",
                                         "\xF0\x9F\x87\xBA", "\xF3\xA0\x81\xA7", "\xE2\x83\xA3"};
    for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
        size_t pl = strlen(pieces[p]);
        len = 0;
        for (size_t k = 0; k < 5001; k++, len += pl)
            memcpy(text + len, pieces[p], pl);
        assert_int_equal(medtone_tokenize(text, len, t), MEDTONE_OK);
        assert_spans_sane(t, len);
        assert_int_equal(medtone_analyze(g_an, text, len, r), MEDTONE_OK);
        assert_result_sane(r, len);
    }
    medtone_result_free(r);
    medtone_tokens_free(t);
    free(text);
}

static void test_only_combining_marks(void **state)
{
    (void)state;
    /* U+0301 (class 230) and U+0316 (class 220) alternate, so canonical ordering has work to
     * do on every pair: quadratic sorting would show as a hang here. */
    size_t marks = 40000, len = 0;
    char *text = malloc(marks * 2 + 8);
    assert_non_null(text);
    medtone_tokens *t = medtone_tokens_new();
    medtone_result *r = medtone_result_new();
    assert_non_null(t);
    assert_non_null(r);
    for (int with_base = 0; with_base <= 1; with_base++) {
        len = 0;
        if (with_base) text[len++] = 'a';
        for (size_t k = 0; k < marks; k++, len += 2)
            memcpy(text + len, k & 1 ? "\xCC\x96" : "\xCC\x81", 2);
        double t0 = now();
        assert_int_equal(medtone_tokenize(text, len, t), MEDTONE_OK);
        assert_spans_sane(t, len);
        assert_true(medtone_tokens_count(t) >= 1);
        for (size_t i = 0; i < medtone_tokens_count(t); i++) {
            size_t nl;
            const char *norm = medtone_token_normalized(t, i, &nl);
            assert_int_equal(strlen(norm), nl);
        }
        assert_int_equal(medtone_analyze(g_an, text, len, r), MEDTONE_OK);
        assert_result_sane(r, len);
        assert_true(now() - t0 < (g_valgrind || SANITIZED ? 120 : 10));
    }
    medtone_result_free(r);
    medtone_tokens_free(t);
    free(text);
}

/* Each listed byte sequence is invalid as a whole: every byte becomes its own one-byte SYMBOL
 * token flagged INVALID_UTF8, and the words around it are untouched. */
static void test_overlong_and_surrogates(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        const char *why;
    } bad[] = {
        {"\xC0\xAF", "overlong '/' in two bytes"},
        {"\xC1\xBF", "overlong U+007F"},
        {"\xE0\x80\xAF", "overlong '/' in three bytes"},
        {"\xE0\x9F\xBF", "overlong U+07FF"},
        {"\xF0\x80\x80\xAF", "overlong '/' in four bytes"},
        {"\xF0\x8F\xBF\xBF", "overlong U+FFFF"},
        {"\xED\xA0\x80", "high surrogate U+D800"},
        {"\xED\xBF\xBF", "low surrogate U+DFFF"},
        {"\xED\xA0\xBD\xED\xB8\x80", "a surrogate pair in CESU-8"},
        {"\xF4\x90\x80\x80", "beyond U+10FFFF"},
        {"\xF8\x88\x80\x80\x80", "a five-byte form"},
        {"\xFC\x84\x80\x80\x80\x80", "a six-byte form"},
        {"\xFE\xFF", "bytes that never occur"},
        {"\x80\xBF", "lone continuation bytes"},
    };
    medtone_tokens *t = medtone_tokens_new();
    assert_non_null(t);
    char buf[64];
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        size_t bl = strlen(bad[b].bytes);
        int n = snprintf(buf, sizeof buf, "good %s care", bad[b].bytes);
        assert_int_equal(medtone_tokenize(buf, (size_t)n, t), MEDTONE_OK);
        if (medtone_tokens_count(t) != bl + 2)
            fail_msg("%s: %zu tokens", bad[b].why, medtone_tokens_count(t));
        for (size_t i = 0; i < bl; i++) {
            assert_int_equal(medtone_token_kind_of(t, 1 + i), MEDTONE_TOKEN_SYMBOL);
            assert_int_equal(medtone_token_offset(t, 1 + i), 5 + i);
            assert_int_equal(medtone_token_length(t, 1 + i), 1);
            assert_true(medtone_token_flags(t, 1 + i) & MEDTONE_TOKEN_INVALID_UTF8);
        }
        assert_string_equal(medtone_token_normalized(t, bl + 1, NULL), "care");
        /* reason: invalid bytes carry no sentiment: the score is that of the clean words */
        assert_true(score_of(g_an, buf, (size_t)n) == score_of(g_an, "good care", 9));
    }
    /* a sequence cut short by the end of the text */
    static const char *const cut[] = {"good \xE2\x82", "good \xF0\x9F\x98", "good \xC3"};
    for (size_t c = 0; c < 3; c++) {
        size_t cl = strlen(cut[c]);
        assert_int_equal(medtone_tokenize(cut[c], cl, t), MEDTONE_OK);
        assert_int_equal(medtone_tokens_count(t), 1 + cl - 5);
        assert_true(medtone_token_flags(t, medtone_tokens_count(t) - 1) &
                    MEDTONE_TOKEN_INVALID_UTF8);
    }
    medtone_tokens_free(t);
}

/* The text with every NUL, CR or BOM replaced by a space (NUL, CR) or removed (a BOM at the
 * start) scores exactly the same, and a NUL never ends the text early. */
static void test_nul_crlf_bom(void **state)
{
    (void)state;
    static const struct {
        const char *dirty;
        size_t len;
        const char *clean;
    } rows[] = {
#define ROW(d, c) {d, sizeof d - 1, c}
        ROW("not\0good", "not good"),
        ROW("the nurse was great\0\0\0but the wait was awful", "the nurse was great but the "
                                                               "wait was awful"),
        ROW("\0\0\0great care\0", "great care"),
        ROW("no more pain\r\nthank you\r\n", "no more pain\nthank you\n"),
        ROW("rude staff\r\rnever again\r", "rude staff  never again "),
        ROW("\xEF\xBB\xBFgreat care", "great care"),
        ROW("\xEF\xBB\xBF\xEF\xBB\xBFnot good\r\n", "not good\n"),
#undef ROW
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double d = score_of(g_an, rows[i].dirty, rows[i].len);
        double c = score_of(g_an, rows[i].clean, strlen(rows[i].clean));
        if (d != c) fail_msg("row %zu: %f != %f", i, d, c);
        assert_true(c != 0); /* reason: the rows carry sentiment, so equality means something */
    }
    /* only NULs: no tokens, a neutral empty result */
    char zeros[4096];
    memset(zeros, 0, sizeof zeros);
    medtone_result *r = medtone_result_new();
    assert_non_null(r);
    assert_int_equal(medtone_analyze(g_an, zeros, sizeof zeros, r), MEDTONE_OK);
    assert_int_equal(medtone_tokens_count(medtone_result_tokens(r)), 0);
    assert_true(medtone_result_compound(r) == 0);
    medtone_result_free(r);
}

/* ----- lexicons from hell ------------------------------------------------------------------- */

static void test_truncated_gz_lexicon(void **state)
{
    (void)state;
    static const char lex[] = "\xEF\xBB\xBF#@ layer cut\r\n"
                              "bedside manner\t2.5\r\n"
                              "waited for hours\t-2\r\n"
                              "super\t0\tbooster=0.4\r\n"
                              "migraine\t-2\tsymptom\r\n";
    size_t gz_len;
    unsigned char *gz = gzip_of(lex, sizeof lex - 1, &gz_len);
    medtone_analyzer *a = new_empty();
    assert_int_equal(medtone_analyzer_load_lexicon_data(a, "base", "good\t2\n", 7), MEDTONE_OK);
    /* every cut, from one byte short of whole down to 2 bytes (still gzip by its magic) */
    for (size_t cut = gz_len - 1; cut >= 2; cut--) {
        medtone_status st = medtone_analyzer_load_lexicon_data(a, "cut.gz", (const char *)gz, cut);
        if (st != MEDTONE_ERR_GZIP) fail_msg("cut at %zu of %zu: status %d", cut, gz_len, st);
        assert_int_equal(medtone_analyzer_layer_count(a), 1);
        assert_int_equal(medtone_analyzer_term_count(a), 1);
        assert_non_null(strstr(medtone_analyzer_last_error(a), "cut.gz"));
    }
    /* and the whole stream loads, BOM and CRLF included */
    assert_int_equal(medtone_analyzer_load_lexicon_data(a, "whole.gz", (const char *)gz, gz_len),
                     MEDTONE_OK);
    assert_string_equal(medtone_analyzer_layer_name(a, 1), "cut");
    assert_true(score_of(a, "the bedside manner", 18) > 0.05);
    medtone_analyzer_free(a);
    free(gz);
}

/* Entry i of the generated lexicon: a made-up word (so no built-in term can collide), and
 * every seventh entry a two-word term. Valences run over -4..4 in quarter steps. */
static int entry_text(size_t i, char *buf, size_t cap)
{
    /* i in base 20, one consonant per digit with an 'o' after it: plain lower-case words that
     * never repeat a letter three times (the tokenizer would squash "zzz" to "zz") */
    static const char digits[] = "bcdfghjklmnpqrstvwxz";
    char w[32];
    size_t k = 0, v = i;
    do {
        w[k++] = digits[v % 20];
        w[k++] = 'o';
        v /= 20;
    } while (v);
    w[k] = '\0';
    if (i % 7 == 3) return snprintf(buf, cap, "zq%s hx%s", w, w);
    return snprintf(buf, cap, "zq%s", w);
}

static double entry_valence(size_t i)
{
    return (double)((long)(i % 33) - 16) / 4.0;
}

static void test_million_entry_lexicon(void **state)
{
    (void)state;
    size_t count = g_valgrind ? 100000 : 1000000;
    size_t cap = count * 32 + 64, len = 0;
    char *lex = malloc(cap);
    assert_non_null(lex);
    len += (size_t)snprintf(lex, cap, "#@ layer huge\n");
    for (size_t i = 0; i < count; i++) {
        len += (size_t)entry_text(i, lex + len, cap - len);
        len += (size_t)snprintf(lex + len, cap - len, "\t%.2f\n", entry_valence(i));
    }
    medtone_analyzer *a = new_empty();
    double t0 = now();
    assert_int_equal(medtone_analyzer_load_lexicon_data(a, "huge.tsv", lex, len), MEDTONE_OK);
    double secs = now() - t0;
    free(lex);
    /* reason: every line is a distinct term */
    assert_int_equal(medtone_analyzer_term_count(a), count);

    /* lookups: every entry (a spread of them when slow), each alone in a text, found with its
     * valence */
    medtone_result *r = medtone_result_new();
    assert_non_null(r);
    char text[64];
    size_t step = g_valgrind || SANITIZED ? 97 : 1, checked = 0;
    for (size_t i = 0; i < count; i += step) {
        if (entry_valence(i) == 0) continue; /* a term without valence is not explained */
        int n = entry_text(i, text, sizeof text);
        assert_int_equal(medtone_analyze(a, text, (size_t)n, r), MEDTONE_OK);
        if (medtone_result_term_count(r) != 1) fail_msg("entry %zu '%s' not found", i, text);
        assert_string_equal(medtone_result_term_entry(r, 0), text);
        assert_true(medtone_result_term_valence(r, 0) == entry_valence(i));
        assert_int_equal(medtone_result_term_length(r, 0), (size_t)n);
        checked++;
    }
    /* words that are not entries are not found: the first word of a two-word term alone, and
     * words just past the end of the generated range */
    int n = entry_text(3, text, sizeof text);
    assert_int_equal(medtone_analyze(a, text, (size_t)(strchr(text, ' ') - text), r), MEDTONE_OK);
    assert_int_equal(medtone_result_term_count(r), 0);
    n = entry_text(count + 1, text, sizeof text);
    assert_int_equal(medtone_analyze(a, text, (size_t)n, r), MEDTONE_OK);
    assert_int_equal(medtone_result_term_count(r), 0);
    printf("test_hell: a %zu-entry lexicon loaded from memory in %.1f s, %zu lookups right\n",
           count, secs, checked);
    medtone_result_free(r);
    medtone_analyzer_free(a);
}

/* ----- the suite ------------------------------------------------------------------------------ */

static void test_peak_memory(void **state)
{
    (void)state;
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    long mb = ru.ru_maxrss / 1024;
    printf("test_hell: peak memory %ld MB\n", mb);
    if (!SANITIZED && !g_valgrind) assert_true(mb < 2048);
}

static int setup(void **state)
{
    (void)state;
    const char *vg = getenv("MEDTONE_UNDER_VALGRIND");
    g_valgrind = vg && *vg;
    if (medtone_set_allocator(count_malloc, count_realloc, count_free, NULL) != MEDTONE_OK)
        return -1;
    return medtone_analyzer_new(NULL, &g_an) == MEDTONE_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    medtone_analyzer_free(g_an);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_100mb_line),
        cmocka_unit_test(test_over_the_limit),
        cmocka_unit_test(test_10m_tiny_texts),
        cmocka_unit_test(test_only_emoji),
        cmocka_unit_test(test_only_combining_marks),
        cmocka_unit_test(test_overlong_and_surrogates),
        cmocka_unit_test(test_nul_crlf_bom),
        cmocka_unit_test(test_truncated_gz_lexicon),
        cmocka_unit_test(test_million_entry_lexicon),
        cmocka_unit_test(test_peak_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
