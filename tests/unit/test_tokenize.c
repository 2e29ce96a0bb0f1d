/* test_tokenize.c — the tokenizer's behaviour, as tables of (input, expected tokens, reason).
 *
 * Each expected token gives its kind, its exact text (the span in the input, which must start
 * right after the separators that follow the previous token), its normalized form and
 * its flags (and `repeat` for punctuation runs). Expectations come from the Tokenizer section of
 * medtone.h and the decisions at the top of src/tokenize.c, never from the code's own output.
 * After the tables: empty input and bad arguments, reuse of one list, 1 MB inputs, random bytes,
 * and allocation failure at every allocation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "medtone.h"

/* Short names keep the tables readable. */
#define WORD MEDTONE_TOKEN_WORD
#define NUM  MEDTONE_TOKEN_NUMBER
#define URL  MEDTONE_TOKEN_URL
#define MAIL MEDTONE_TOKEN_EMAIL
#define MENT MEDTONE_TOKEN_MENTION
#define HTAG MEDTONE_TOKEN_HASHTAG
#define CASH MEDTONE_TOKEN_CASHTAG
#define EMOT MEDTONE_TOKEN_EMOTICON
#define EMOJ MEDTONE_TOKEN_EMOJI
#define PUNC MEDTONE_TOKEN_PUNCT
#define SYMB MEDTONE_TOKEN_SYMBOL
#define MONY MEDTONE_TOKEN_MONEY
#define PCNT MEDTONE_TOKEN_PERCENT
#define TIME MEDTONE_TOKEN_TIME
#define DOSE MEDTONE_TOKEN_DOSE
#define DATE MEDTONE_TOKEN_DATE

#define CAPS  MEDTONE_TOKEN_ALLCAPS
#define ELONG MEDTONE_TOKEN_ELONGATED
#define NEG   MEDTONE_TOKEN_NEGATION
#define CON   MEDTONE_TOKEN_CONTRACTION
#define BAD   MEDTONE_TOKEN_INVALID_UTF8

#define FFFD "\xEF\xBF\xBD"

typedef struct xtok {
    int kind;
    const char *text; /* NULL ends the list */
    const char *norm;
    unsigned flags;
    unsigned repeat; /* 0: expect 1 */
} xtok;

typedef struct row {
    const char *in;
    size_t len;
    const char *why;
    xtok tok[16];
} row;

/* Rows leave flags and repeat out when they are 0: the tables read better without them. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* A string literal with its length, so that inputs may hold NUL bytes. */
#define IN(s) s, sizeof(s) - 1

/* ---------------------------------------------------------------------------------------------
 * The checker
 * ------------------------------------------------------------------------------------------- */

/* Separators: ASCII white space and controls, NUL, no-break space (raw or &nbsp;), zero-width
 * space, and a variation selector with nothing to select. */
static size_t separator_len(const char *p, size_t n)
{
    unsigned char c = (unsigned char)p[0];
    if (c <= 0x20 || c == 0x7F) return 1;
    static const char *const seps[] = {"\xC2\xA0",     "&nbsp;",       "\xE2\x80\x8B",
                                       "\xEF\xB8\x8F", "\xE2\x80\x8D", "\xE2\x80\xA8",
                                       "\xC2\x85"};
    for (size_t k = 0; k < sizeof seps / sizeof seps[0]; k++) {
        size_t l = strlen(seps[k]);
        if (n >= l && memcmp(p, seps[k], l) == 0) return l;
    }
    return 0;
}

static int gap_is_separators(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t l = separator_len(p + i, n - i);
        if (!l) return 0;
        i += l;
    }
    return 1;
}

static void print_escaped(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F || c == '\\')
            print_error("\\x%02X", c);
        else
            print_error("%c", c);
    }
}

static void dump_actual(const char *in, const medtone_tokens *t)
{
    for (size_t i = 0; i < medtone_tokens_count(t); i++) {
        size_t nl, off = medtone_token_offset(t, i), len = medtone_token_length(t, i);
        const char *norm = medtone_token_normalized(t, i, &nl);
        print_error("      got %-8s '", medtone_token_kind_name(medtone_token_kind_of(t, i)));
        print_escaped(in + off, len);
        print_error("' -> '");
        print_escaped(norm, nl);
        print_error("' flags %#x repeat %zu (offset %zu)\n", medtone_token_flags(t, i),
                    medtone_token_repeat(t, i), off);
    }
}

/* Checks one row; returns 1 when it holds, else prints why and returns 0. */
static int check_row(const row *r, medtone_tokens *t)
{
    medtone_status st = medtone_tokenize(r->in, r->len, t);
    char problem[256] = "";
    size_t pos = 0, k = 0, count = medtone_tokens_count(t);
    if (st != MEDTONE_OK) {
        snprintf(problem, sizeof problem, "status %d", (int)st);
        goto fail;
    }
    for (; r->tok[k].text; k++) {
        const xtok *x = &r->tok[k];
        size_t tl = strlen(x->text);
        /* The token starts right after the separators that follow the previous one. */
        size_t off = pos, l;
        while (off < r->len && (l = separator_len(r->in + off, r->len - off)))
            off += l;
        if (tl > r->len - off || memcmp(r->in + off, x->text, tl) != 0) {
            snprintf(problem, sizeof problem, "expected token %zu is not at offset %zu", k, off);
            goto fail;
        }
        if (k >= count) {
            snprintf(problem, sizeof problem, "only %zu tokens", count);
            goto fail;
        }
        size_t nl;
        const char *norm = medtone_token_normalized(t, k, &nl);
        unsigned want_repeat = x->repeat ? x->repeat : 1;
        if ((int)medtone_token_kind_of(t, k) != x->kind || medtone_token_offset(t, k) != off ||
            medtone_token_length(t, k) != tl || nl != strlen(x->norm) ||
            memcmp(norm, x->norm, nl) != 0 || norm[nl] != '\0' ||
            medtone_token_flags(t, k) != x->flags || medtone_token_repeat(t, k) != want_repeat) {
            snprintf(problem, sizeof problem,
                     "token %zu differs (want %s '%s' -> '%s' flags %#x repeat %u at %zu)", k,
                     medtone_token_kind_name((medtone_token_kind)x->kind), x->text, x->norm,
                     x->flags, want_repeat, off);
            goto fail;
        }
        pos = off + tl;
    }
    if (!gap_is_separators(r->in + pos, r->len - pos)) {
        snprintf(problem, sizeof problem, "bytes after the last expected token are not separators");
        goto fail;
    }
    if (count != k) {
        snprintf(problem, sizeof problem, "%zu tokens, expected %zu", count, k);
        goto fail;
    }
    return 1;
fail:
    print_error("  FAIL [%s] input '", r->why);
    print_escaped(r->in, r->len);
    print_error("': %s\n", problem);
    dump_actual(r->in, t);
    return 0;
}

static void run_table(const row *rows, size_t n)
{
    medtone_tokens *t = medtone_tokens_new();
    assert_non_null(t);
    size_t failed = 0;
    for (size_t i = 0; i < n; i++)
        failed += !check_row(&rows[i], t);
    medtone_tokens_free(t);
    if (failed) fail_msg("%zu of %zu rows failed", failed, n);
}

#define RUN(table) run_table(table, sizeof table / sizeof table[0])

/* ---------------------------------------------------------------------------------------------
 * Separators and plain words
 * ------------------------------------------------------------------------------------------- */

/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
static const row basic_rows[] = {
    {IN("   \t\n  "), "white space alone gives no token", {{0}}},
    {IN("Hello world"), "two words, lower-cased",
     {{WORD, "Hello", "hello"}, {WORD, "world", "world"}}},
    {IN("  padded  "), "leading and trailing space", {{WORD, "padded", "padded"}}},
    {IN("a\0b"), "a NUL byte separates like a space", {{WORD, "a", "a"}, {WORD, "b", "b"}}},
    {IN("a\x01" "b\x7F" "c"), "control characters separate",
     {{WORD, "a", "a"}, {WORD, "b", "b"}, {WORD, "c", "c"}}},
    {IN("x\r\ny\tz"), "CR, LF and tab separate",
     {{WORD, "x", "x"}, {WORD, "y", "y"}, {WORD, "z", "z"}}},
    {IN("a\xC2\xA0" "b"), "a no-break space separates", {{WORD, "a", "a"}, {WORD, "b", "b"}}},
    {IN("a\xE2\x80\x8B" "b"), "a zero-width space separates", {{WORD, "a", "a"}, {WORD, "b", "b"}}},
    {IN("a\xE2\x80\xA8" "b"), "a line separator separates", {{WORD, "a", "a"}, {WORD, "b", "b"}}},
    {IN("a\xC2\x85" "b"), "a C1 control (NEL) separates", {{WORD, "a", "a"}, {WORD, "b", "b"}}},
    {IN("GREAT"), "a word of capitals is ALLCAPS", {{WORD, "GREAT", "great", CAPS}}},
    {IN("OK"), "two capitals are enough for ALLCAPS", {{WORD, "OK", "ok", CAPS}}},
    {IN("I"), "one capital letter is not ALLCAPS", {{WORD, "I", "i"}}},
    {IN("Great"), "a capitalized word is not ALLCAPS", {{WORD, "Great", "great"}}},
    {IN("COVID19"), "digits do not break ALLCAPS", {{WORD, "COVID19", "covid19", CAPS}}},
    {IN("B12"), "one letter and digits: not ALLCAPS", {{WORD, "B12", "b12"}}},
    {IN("covid19 b12"), "digits inside words",
     {{WORD, "covid19", "covid19"}, {WORD, "b12", "b12"}}},
    {IN("well-known x-ray follow-up"), "in-word hyphens keep one word",
     {{WORD, "well-known", "well-known"}, {WORD, "x-ray", "x-ray"},
      {WORD, "follow-up", "follow-up"}}},
    {IN("COVID-19"), "a hyphen before digits stays in the word",
     {{WORD, "COVID-19", "covid-19", CAPS}}},
    {IN("19-year-old"), "a number joined to words by hyphens is a word",
     {{WORD, "19-year-old", "19-year-old"}}},
    {IN("well- known"), "a hyphen at a word's end is punctuation",
     {{WORD, "well", "well"}, {PUNC, "-", "-"}, {WORD, "known", "known"}}},
    {IN("-ish"), "a leading hyphen is punctuation", {{PUNC, "-", "-"}, {WORD, "ish", "ish"}}},
    {IN("pain--free"), "a double hyphen splits, as one run",
     {{WORD, "pain", "pain"}, {PUNC, "--", "--", 0, 2}, {WORD, "free", "free"}}},
    {IN("3rd 19th"), "ordinals are words", {{WORD, "3rd", "3rd"}, {WORD, "19th", "19th"}}},
    {IN("5G"), "a bare g is no unit: 5G is a word", {{WORD, "5G", "5g"}}},
    {IN("f**k"), "stars between letters stay in the word", {{WORD, "f**k", "f**k"}}},
    {IN("snake_case"), "an underscore is a symbol between words",
     {{WORD, "snake", "snake"}, {SYMB, "_", "_"}, {WORD, "case", "case"}}},
    {IN("students' rights"), "a trailing apostrophe is punctuation",
     {{WORD, "students", "students"}, {PUNC, "'", "'"}, {WORD, "rights", "rights"}}},
    {IN("'quoted'"), "quotes around a word",
     {{PUNC, "'", "'"}, {WORD, "quoted", "quoted"}, {PUNC, "'", "'"}}},
    {IN("rock'n'roll"), "apostrophes between letters stay in the word",
     {{WORD, "rock'n'roll", "rock'n'roll"}}},
    {IN("e.g."), "abbreviations split at the dots",
     {{WORD, "e", "e"}, {PUNC, ".", "."}, {WORD, "g", "g"}, {PUNC, ".", "."}}},
    {IN("end.It"), "a sentence without a space is not a domain",
     {{WORD, "end", "end"}, {PUNC, ".", "."}, {WORD, "It", "it"}}},
    {IN("and/or"), "a slash splits words",
     {{WORD, "and", "and"}, {PUNC, "/", "/"}, {WORD, "or", "or"}}},
};
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */

static void test_basic(void **state)
{
    (void)state;
    RUN(basic_rows);
}

/* ---------------------------------------------------------------------------------------------
 * Elongation, negation, contractions
 * ------------------------------------------------------------------------------------------- */

/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
static const row word_rows[] = {
    {IN("soooo"), "a letter repeated 4 times is squashed to 2", {{WORD, "soooo", "soo", ELONG}}},
    {IN("goooood"), "goooood becomes good", {{WORD, "goooood", "good", ELONG}}},
    {IN("sooo"), "three times is enough", {{WORD, "sooo", "soo", ELONG}}},
    {IN("cool"), "a double letter is ordinary", {{WORD, "cool", "cool"}}},
    {IN("SOOOO"), "elongated capitals", {{WORD, "SOOOO", "soo", CAPS | ELONG}}},
    {IN("SoOoO"), "squashing happens after case folding", {{WORD, "SoOoO", "soo", ELONG}}},
    {IN("hmmmm aaaaand"), "any letter elongates",
     {{WORD, "hmmmm", "hmm", ELONG}, {WORD, "aaaaand", "aand", ELONG}}},
    {IN("1000"), "repeated digits are not an elongation", {{NUM, "1000", "1000"}}},
    {IN("b1000"), "repeated digits inside a word are kept", {{WORD, "b1000", "b1000"}}},
    {IN("not no never none"), "negation words (1)",
     {{WORD, "not", "not", NEG}, {WORD, "no", "no", NEG}, {WORD, "never", "never", NEG},
      {WORD, "none", "none", NEG}}},
    {IN("nothing nobody nowhere"), "negation words (2)",
     {{WORD, "nothing", "nothing", NEG}, {WORD, "nobody", "nobody", NEG},
      {WORD, "nowhere", "nowhere", NEG}}},
    {IN("neither nor without cannot"), "negation words (3)",
     {{WORD, "neither", "neither", NEG}, {WORD, "nor", "nor", NEG},
      {WORD, "without", "without", NEG}, {WORD, "cannot", "cannot", NEG}}},
    {IN("NEVER"), "capital negation", {{WORD, "NEVER", "never", CAPS | NEG}}},
    {IN("know note"), "words that only start like negations",
     {{WORD, "know", "know"}, {WORD, "note", "note"}}},
    {IN("don't"), "n't: negation and contraction, one token",
     {{WORD, "don't", "don't", NEG | CON}}},
    {IN("can't won't isn't"), "more n't forms",
     {{WORD, "can't", "can't", NEG | CON}, {WORD, "won't", "won't", NEG | CON},
      {WORD, "isn't", "isn't", NEG | CON}}},
    {IN("ain't shouldn't"), "ain't and shouldn't negate",
     {{WORD, "ain't", "ain't", NEG | CON}, {WORD, "shouldn't", "shouldn't", NEG | CON}}},
    {IN("I'm it's"), "contractions that do not negate",
     {{WORD, "I'm", "i'm", CON}, {WORD, "it's", "it's", CON}}},
    {IN("you're we've they'll I'd"), "'re 've 'll 'd",
     {{WORD, "you're", "you're", CON}, {WORD, "we've", "we've", CON},
      {WORD, "they'll", "they'll", CON}, {WORD, "I'd", "i'd", CON}}},
    {IN("that's nothing's"), "'s after a pronoun is a contraction",
     {{WORD, "that's", "that's", CON}, {WORD, "nothing's", "nothing's", CON}}},
    {IN("doctor's"), "a possessive 's is not a contraction", {{WORD, "doctor's", "doctor's"}}},
    {IN("y'all ma'am"), "listed contractions",
     {{WORD, "y'all", "y'all", CON}, {WORD, "ma'am", "ma'am", CON}}},
    {IN("can\xE2\x80\x99t"), "a curly apostrophe is made straight",
     {{WORD, "can\xE2\x80\x99t", "can't", NEG | CON}}},
    {IN("don\xE2\x80\x98t"), "a left quote used as an apostrophe",
     {{WORD, "don\xE2\x80\x98t", "don't", NEG | CON}}},
    {IN("don\xC2\xB4t"), "an acute accent typed as an apostrophe",
     {{WORD, "don\xC2\xB4t", "don't", NEG | CON}}},
    {IN("don`t"), "a backtick typed as an apostrophe", {{WORD, "don`t", "don't", NEG | CON}}},
    {IN("DON'T"), "capital contraction", {{WORD, "DON'T", "don't", CAPS | NEG | CON}}},
    {IN("isn\xE2\x80\x99t I\xE2\x80\x99m"), "curly apostrophes in several words",
     {{WORD, "isn\xE2\x80\x99t", "isn't", NEG | CON}, {WORD, "I\xE2\x80\x99m", "i'm", CON}}},
    {IN("dont cant wont"), "sloppy negative contractions are completed",
     {{WORD, "dont", "don't", NEG | CON}, {WORD, "cant", "can't", NEG | CON},
      {WORD, "wont", "won't", NEG | CON}}},
    {IN("aint isnt didnt"), "sloppy ain't isn't didn't",
     {{WORD, "aint", "ain't", NEG | CON}, {WORD, "isnt", "isn't", NEG | CON},
      {WORD, "didnt", "didn't", NEG | CON}}},
    {IN("wasnt arent hasnt hadnt"), "sloppy forms of 5 letters",
     {{WORD, "wasnt", "wasn't", NEG | CON}, {WORD, "arent", "aren't", NEG | CON},
      {WORD, "hasnt", "hasn't", NEG | CON}, {WORD, "hadnt", "hadn't", NEG | CON}}},
    {IN("doesnt werent havent"), "sloppy forms of 6 letters",
     {{WORD, "doesnt", "doesn't", NEG | CON}, {WORD, "werent", "weren't", NEG | CON},
      {WORD, "havent", "haven't", NEG | CON}}},
    {IN("mustnt neednt"), "sloppy mustn't needn't",
     {{WORD, "mustnt", "mustn't", NEG | CON}, {WORD, "neednt", "needn't", NEG | CON}}},
    {IN("couldnt wouldnt shouldnt"), "sloppy forms of 7 and 8 letters",
     {{WORD, "couldnt", "couldn't", NEG | CON}, {WORD, "wouldnt", "wouldn't", NEG | CON},
      {WORD, "shouldnt", "shouldn't", NEG | CON}}},
    {IN("im ive hes"), "sloppy I'm, I've, he's",
     {{WORD, "im", "i'm", CON}, {WORD, "ive", "i've", CON}, {WORD, "hes", "he's", CON}}},
    {IN("yall weve whos shes itll"), "sloppy forms of 4 letters",
     {{WORD, "yall", "y'all", CON}, {WORD, "weve", "we've", CON}, {WORD, "whos", "who's", CON},
      {WORD, "shes", "she's", CON}, {WORD, "itll", "it'll", CON}}},
    {IN("youre youve youll"), "sloppy you're you've you'll",
     {{WORD, "youre", "you're", CON}, {WORD, "youve", "you've", CON},
      {WORD, "youll", "you'll", CON}}},
    {IN("thats whats heres theres"), "sloppy 's forms",
     {{WORD, "thats", "that's", CON}, {WORD, "whats", "what's", CON},
      {WORD, "heres", "here's", CON}, {WORD, "theres", "there's", CON}}},
    {IN("theyre theyve theyll"), "sloppy they're they've they'll",
     {{WORD, "theyre", "they're", CON}, {WORD, "theyve", "they've", CON},
      {WORD, "theyll", "they'll", CON}}},
    {IN("mustve couldve wouldve mightve shouldve"), "sloppy 've forms",
     {{WORD, "mustve", "must've", CON}, {WORD, "couldve", "could've", CON},
      {WORD, "wouldve", "would've", CON}, {WORD, "mightve", "might've", CON},
      {WORD, "shouldve", "should've", CON}}},
    {IN("Dont DONT"), "completion is case-insensitive",
     {{WORD, "Dont", "don't", NEG | CON}, {WORD, "DONT", "don't", CAPS | NEG | CON}}},
    {IN("ill its lets were well"), "ambiguous sloppy forms are left alone",
     {{WORD, "ill", "ill"}, {WORD, "its", "its"}, {WORD, "lets", "lets"}, {WORD, "were", "were"},
      {WORD, "well", "well"}}},
    {IN("dontttt"), "an elongated sloppy form is squashed, not completed",
     {{WORD, "dontttt", "dontt", ELONG}}},
    {IN("don&#39;t"), "an entity apostrophe: one token over all 10 bytes",
     {{WORD, "don&#39;t", "don't", NEG | CON}}},
    {IN("don&#x27;t it&apos;s"), "hex and named apostrophe entities",
     {{WORD, "don&#x27;t", "don't", NEG | CON}, {WORD, "it&apos;s", "it's", CON}}},
    {IN("don&rsquo;t"), "a curly apostrophe as an entity",
     {{WORD, "don&rsquo;t", "don't", NEG | CON}}},
    {IN("I&#39;M"), "entity apostrophe in capitals", {{WORD, "I&#39;M", "i'm", CAPS | CON}}},
};
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */

static void test_words(void **state)
{
    (void)state;
    RUN(word_rows);
}

/* Non-Latin words used below. */
/* clang-format off */
#define PRIVET  "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82" /* Привет */
#define privet  "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82" /* привет */
#define MIR     "\xD0\xBC\xD0\xB8\xD1\x80"                         /* мир */
#define MARHABA "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7"             /* مرحبا */
#define SHALOM  "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"                 /* שלום */
/* clang-format on */

/* ---------------------------------------------------------------------------------------------
 * Hashtags, mentions, cashtags, money
 * ------------------------------------------------------------------------------------------- */

/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
static const row tag_rows[] = {
    {IN("#NotHappy"), "a hashtag is normalized without '#'", {{HTAG, "#NotHappy", "nothappy"}}},
    {IN("#covid19"), "digits in a hashtag", {{HTAG, "#covid19", "covid19"}}},
    {IN("#COVID-19"), "a hashtag stops at a hyphen",
     {{HTAG, "#COVID", "covid"}, {PUNC, "-", "-"}, {NUM, "19", "19"}}},
    {IN("#1 doctor"), "'#' before digits only is a symbol",
     {{SYMB, "#", "#"}, {NUM, "1", "1"}, {WORD, "doctor", "doctor"}}},
    {IN("# alone"), "a lone '#'", {{SYMB, "#", "#"}, {WORD, "alone", "alone"}}},
    {IN("#soooo"), "hashtags are squashed too", {{HTAG, "#soooo", "soo", ELONG}}},
    {IN("#snake_case"), "underscores belong to hashtags", {{HTAG, "#snake_case", "snake_case"}}},
    {IN("#caf\xC3\xA9"), "non-ASCII letters in a hashtag", {{HTAG, "#caf\xC3\xA9", "caf\xC3\xA9"}}},
    {IN("#" PRIVET), "a Cyrillic hashtag is case folded", {{HTAG, "#" PRIVET, privet}}},
    {IN("#dont"), "hashtags are not completed as contractions", {{HTAG, "#dont", "dont"}}},
    {IN("great!#blessed"), "a hashtag right after punctuation",
     {{WORD, "great", "great"}, {PUNC, "!", "!"}, {HTAG, "#blessed", "blessed"}}},
    {IN("@Bob"), "a mention keeps '@' and is case folded", {{MENT, "@Bob", "@bob"}}},
    {IN("@bob_smith99:"), "underscores and digits in a handle",
     {{MENT, "@bob_smith99", "@bob_smith99"}, {PUNC, ":", ":"}}},
    {IN("@ home"), "a lone '@' is a symbol", {{SYMB, "@", "@"}, {WORD, "home", "home"}}},
    {IN("foo@bar"), "no domain: a word and a mention",
     {{WORD, "foo", "foo"}, {MENT, "@bar", "@bar"}}},
    {IN("$PFE"), "a cashtag", {{CASH, "$PFE", "$pfe"}}},
    {IN("$MRNA up"), "a cashtag before a word", {{CASH, "$MRNA", "$mrna"}, {WORD, "up", "up"}}},
    {IN("$ABCDEFG"), "seven letters are too many for a ticker",
     {{SYMB, "$", "$"}, {WORD, "ABCDEFG", "abcdefg", CAPS}}},
    {IN("$20"), "dollars before a number are money", {{MONY, "$20", "$20"}}},
    {IN("$1,200.50"), "money with grouping and cents", {{MONY, "$1,200.50", "$1,200.50"}}},
    {IN("$5k"), "money with a thousands suffix", {{MONY, "$5k", "$5k"}}},
    {IN("20$"), "a dollar sign after the number", {{MONY, "20$", "20$"}}},
    {IN("\xE2\x82\xAC" "5.50"), "euros before the number",
     {{MONY, "\xE2\x82\xAC" "5.50", "\xE2\x82\xAC" "5.50"}}},
    {IN("5\xE2\x82\xAC"), "euros after the number", {{MONY, "5\xE2\x82\xAC", "5\xE2\x82\xAC"}}},
    {IN("\xC2\xA3" "10"), "pounds", {{MONY, "\xC2\xA3" "10", "\xC2\xA3" "10"}}},
    {IN("$ 5"), "a dollar sign apart from the number", {{SYMB, "$", "$"}, {NUM, "5", "5"}}},
    {IN("\xE2\x82\xAC"), "a currency sign alone is a symbol",
     {{SYMB, "\xE2\x82\xAC", "\xE2\x82\xAC"}}},
    {IN("paid $20."), "money before a full stop",
     {{WORD, "paid", "paid"}, {MONY, "$20", "$20"}, {PUNC, ".", "."}}},
};
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */

static void test_tags_and_money(void **state)
{
    (void)state;
    RUN(tag_rows);
}

/* ---------------------------------------------------------------------------------------------
 * URLs and e-mail addresses
 * ------------------------------------------------------------------------------------------- */

/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
static const row url_rows[] = {
    {IN("https://x.org/a"), "a URL with a scheme", {{URL, "https://x.org/a", "https://x.org/a"}}},
    {IN("http://x"), "the shortest URL: no ':/' emoticon inside", {{URL, "http://x", "http://x"}}},
    {IN("Visit https://cdc.gov/flu."), "the full stop is the sentence's",
     {{WORD, "Visit", "visit"}, {URL, "https://cdc.gov/flu", "https://cdc.gov/flu"},
      {PUNC, ".", "."}}},
    {IN("(https://x.org/a)"), "an unbalanced closing parenthesis is not the URL's",
     {{PUNC, "(", "("}, {URL, "https://x.org/a", "https://x.org/a"}, {PUNC, ")", ")"}}},
    {IN("https://x.org/wiki/Flu_(disease)"), "balanced parentheses stay in",
     {{URL, "https://x.org/wiki/Flu_(disease)", "https://x.org/wiki/Flu_(disease)"}}},
    {IN("https://x.org/a, b"), "a comma after a URL",
     {{URL, "https://x.org/a", "https://x.org/a"}, {PUNC, ",", ","}, {WORD, "b", "b"}}},
    {IN("https://x.org!"), "an exclamation mark after a URL",
     {{URL, "https://x.org", "https://x.org"}, {PUNC, "!", "!"}}},
    {IN("https://x.org/a?b=1#c"), "query and fragment",
     {{URL, "https://x.org/a?b=1#c", "https://x.org/a?b=1#c"}}},
    {IN("HTTPS://X.ORG/Path"), "scheme and host are lower-cased, the path is not",
     {{URL, "HTTPS://X.ORG/Path", "https://x.org/Path"}}},
    {IN("https://t.co/a?x=1&amp;y=2"), "entities in a URL are decoded in its normalized form",
     {{URL, "https://t.co/a?x=1&amp;y=2", "https://t.co/a?x=1&y=2"}}},
    {IN("\"https://x.org/a&quot;"), "an entity quote after a URL",
     {{PUNC, "\"", "\""}, {URL, "https://x.org/a", "https://x.org/a"}, {PUNC, "&quot;", "\""}}},
    {IN("see www.who.int."), "www. without a scheme",
     {{WORD, "see", "see"}, {URL, "www.who.int", "www.who.int"}, {PUNC, ".", "."}}},
    {IN("www.example.xyz"), "www. makes any domain a URL",
     {{URL, "www.example.xyz", "www.example.xyz"}}},
    {IN("cdc.gov"), "a bare .gov domain", {{URL, "cdc.gov", "cdc.gov"}}},
    {IN("who.int"), "a bare .int domain", {{URL, "who.int", "who.int"}}},
    {IN("nih.gov/abc"), "a bare domain with a path", {{URL, "nih.gov/abc", "nih.gov/abc"}}},
    {IN("example.com example.org example.net"), "com, org, net",
     {{URL, "example.com", "example.com"}, {URL, "example.org", "example.org"},
      {URL, "example.net", "example.net"}}},
    {IN("mit.edu bit.ly app.io"), "edu, ly, io",
     {{URL, "mit.edu", "mit.edu"}, {URL, "bit.ly", "bit.ly"}, {URL, "app.io", "app.io"}}},
    {IN("bbc.co.uk/news cbc.ca"), "country domains",
     {{URL, "bbc.co.uk/news", "bbc.co.uk/news"}, {URL, "cbc.ca", "cbc.ca"}}},
    {IN("CDC.GOV"), "an upper-case domain", {{URL, "CDC.GOV", "cdc.gov"}}},
    {IN("(see cdc.gov)"), "a bare domain inside parentheses",
     {{PUNC, "(", "("}, {WORD, "see", "see"}, {URL, "cdc.gov", "cdc.gov"}, {PUNC, ")", ")"}}},
    {IN("cdc.gov: flu"), "a colon after a bare domain",
     {{URL, "cdc.gov", "cdc.gov"}, {PUNC, ":", ":"}, {WORD, "flu", "flu"}}},
    {IN("4chan.org"), "a domain may start with a digit", {{URL, "4chan.org", "4chan.org"}}},
    {IN("done.it"), "a TLD that is an English word does not make a URL",
     {{WORD, "done", "done"}, {PUNC, ".", "."}, {WORD, "it", "it"}}},
    {IN("http://"), "a scheme without a host is no URL",
     {{WORD, "http", "http"}, {PUNC, ":", ":"}, {PUNC, "//", "//", 0, 2}}},
    {IN("name@example.org"), "an e-mail address", {{MAIL, "name@example.org", "name@example.org"}}},
    {IN("John.Doe+tag@CDC.gov"), "an e-mail address is case folded",
     {{MAIL, "John.Doe+tag@CDC.gov", "john.doe+tag@cdc.gov"}}},
    {IN("mail x_y@z.io."), "a full stop after an address",
     {{WORD, "mail", "mail"}, {MAIL, "x_y@z.io", "x_y@z.io"}, {PUNC, ".", "."}}},
    {IN("a@b.c"), "a one-letter TLD is no address",
     {{WORD, "a", "a"}, {MENT, "@b", "@b"}, {PUNC, ".", "."}, {WORD, "c", "c"}}},
};
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */

static void test_urls(void **state)
{
    (void)state;
    RUN(url_rows);
}

/* ---------------------------------------------------------------------------------------------
 * Emoticons
 * ------------------------------------------------------------------------------------------- */

/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
static const row emoticon_rows[] = {
    {IN(":) :-) :("), "smiles and frowns",
     {{EMOT, ":)", ":)"}, {EMOT, ":-)", ":-)"}, {EMOT, ":(", ":("}}},
    {IN(":'( :')"), "tears", {{EMOT, ":'(", ":'("}, {EMOT, ":')", ":')"}}},
    {IN(":D :P :p"), "letter mouths are case folded",
     {{EMOT, ":D", ":d"}, {EMOT, ":P", ":p"}, {EMOT, ":p", ":p"}}},
    {IN("XD xD"), "laughing", {{EMOT, "XD", "xd"}, {EMOT, "xD", "xd"}}},
    {IN(";) ;-)"), "winks", {{EMOT, ";)", ";)"}, {EMOT, ";-)", ";-)"}}},
    {IN("<3 </3"), "hearts", {{EMOT, "<3", "<3"}, {EMOT, "</3", "</3"}}},
    {IN("^_^ -_-"), "eastern faces", {{EMOT, "^_^", "^_^"}, {EMOT, "-_-", "-_-"}}},
    {IN("ugh :/"), "a skeptical face after a space", {{WORD, "ugh", "ugh"}, {EMOT, ":/", ":/"}}},
    {IN("(: ):"), "reversed faces", {{EMOT, "(:", "(:"}, {EMOT, "):", "):"}}},
    {IN("D: that hurt"), "D: at the start of a text",
     {{EMOT, "D:", "d:"}, {WORD, "that", "that"}, {WORD, "hurt", "hurt"}}},
    {IN("ouch!! D:"), "D: after punctuation",
     {{WORD, "ouch", "ouch"}, {PUNC, "!!", "!!", 0, 2}, {EMOT, "D:", "d:"}}},
    {IN("=) :] :|"), "more western faces",
     {{EMOT, "=)", "=)"}, {EMOT, ":]", ":]"}, {EMOT, ":|", ":|"}}},
    {IN("o_O O_o"), "surprised eastern faces", {{EMOT, "o_O", "o_o"}, {EMOT, "O_o", "o_o"}}},
    {IN(">:( :*"), "angry and kiss", {{EMOT, ">:(", ">:("}, {EMOT, ":*", ":*"}}},
    {IN(":O :o"), "surprise", {{EMOT, ":O", ":o"}, {EMOT, ":o", ":o"}}},
    {IN(":-))) :(((("), "a repeated mouth is written once",
     {{EMOT, ":-)))", ":-)"}, {EMOT, ":((((", ":("}}},
    {IN("XDDD"), "a repeated D", {{EMOT, "XDDD", "xd"}}},
    {IN("<333"), "a repeated 3", {{EMOT, "<333", "<3"}}},
    {IN("^___^ ^^"), "long eyes line and bare eyes", {{EMOT, "^___^", "^_^"}, {EMOT, "^^", "^^"}}},
    {IN("T_T >_< x_x"), "more eastern faces",
     {{EMOT, "T_T", "t_t"}, {EMOT, ">_<", ">_<"}, {EMOT, "x_x", "x_x"}}},
    {IN("\\o/"), "cheering", {{EMOT, "\\o/", "\\o/"}}},
    {IN("&lt;3 &gt;:("), "emoticons written with entities",
     {{EMOT, "&lt;3", "<3"}, {EMOT, "&gt;:(", ">:("}}},
    {IN("great:) ok:D"), "a face right after a word",
     {{WORD, "great", "great"}, {EMOT, ":)", ":)"}, {WORD, "ok", "ok"}, {EMOT, ":D", ":d"}}},
    {IN("\xC2\xAF\\_(\xE3\x83\x84)_/\xC2\xAF"), "the shrug",
     {{EMOT, "\xC2\xAF\\_(\xE3\x83\x84)_/\xC2\xAF", "\xC2\xAF\\_(\xE3\x83\x84)_/\xC2\xAF"}}},
    {IN("(see above):"), "no emoticon in ordinary punctuation",
     {{PUNC, "(", "("}, {WORD, "see", "see"}, {WORD, "above", "above"}, {PUNC, ")", ")"},
      {PUNC, ":", ":"}}},
    {IN("effects:(none)"), "a colon before a parenthesized word",
     {{WORD, "effects", "effects"}, {PUNC, ":", ":"}, {PUNC, "(", "("}, {WORD, "none", "none", NEG},
      {PUNC, ")", ")"}}},
    {IN("Note:Pfizer"), "a letter mouth needs a boundary after it",
     {{WORD, "Note", "note"}, {PUNC, ":", ":"}, {WORD, "Pfizer", "pfizer"}}},
    {IN("a:/b"), "':/' between words is no face",
     {{WORD, "a", "a"}, {PUNC, ":", ":"}, {PUNC, "/", "/"}, {WORD, "b", "b"}}},
    {IN("x=(a+b)"), "'=(' in a formula is no face",
     {{WORD, "x", "x"}, {SYMB, "=", "="}, {PUNC, "(", "("}, {WORD, "a", "a"}, {SYMB, "+", "+"},
      {WORD, "b", "b"}, {PUNC, ")", ")"}}},
    {IN("Vitamin D: 1000 IU"), "D: right after a word is a letter and a colon",
     {{WORD, "Vitamin", "vitamin"}, {WORD, "D", "d"}, {PUNC, ":", ":"},
      {DOSE, "1000 IU", "1000iu"}}},
    {IN("ugh D:"), "D: after a word is read as text too",
     {{WORD, "ugh", "ugh"}, {WORD, "D", "d"}, {PUNC, ":", ":"}}},
    {IN("d: no"), "a lower-case d: at the start of a text",
     {{EMOT, "d:", "d:"}, {WORD, "no", "no", NEG}}},
    {IN("oh no. d:"), "a lower-case d: after punctuation",
     {{WORD, "oh", "oh"}, {WORD, "no", "no", NEG}, {PUNC, ".", "."}, {EMOT, "d:", "d:"}}},
    {IN("vitamin d: 50"), "a lower-case d: right after a word is a letter and a colon",
     {{WORD, "vitamin", "vitamin"}, {WORD, "d", "d"}, {PUNC, ":", ":"}, {NUM, "50", "50"}}},
    {IN("and: d; d="), "a word ending in d, and lower-case d; d= are no faces",
     {{WORD, "and", "and"}, {PUNC, ":", ":"}, {WORD, "d", "d"}, {PUNC, ";", ";"},
      {WORD, "d", "d"}, {SYMB, "=", "="}}},
    {IN("hi :3"), "a cat smile after a space", {{WORD, "hi", "hi"}, {EMOT, ":3", ":3"}}},
    {IN("n =3"), "'=3' is a count, not a face",
     {{WORD, "n", "n"}, {SYMB, "=", "="}, {NUM, "3", "3"}}},
    {IN("ok:3"), "a cat smile needs white space before it",
     {{WORD, "ok", "ok"}, {PUNC, ":", ":"}, {NUM, "3", "3"}}},
    {IN("ratio 1:3"), "a ratio is no cat smile",
     {{WORD, "ratio", "ratio"}, {NUM, "1", "1"}, {PUNC, ":", ":"}, {NUM, "3", "3"}}},
    {IN("at :30 :3a"), "no cat smile before a digit or a letter",
     {{WORD, "at", "at"}, {PUNC, ":", ":"}, {NUM, "30", "30"}, {PUNC, ":", ":"}, {WORD, "3a", "3a"}}},
    {IN("<30 days"), "less than thirty is no heart",
     {{SYMB, "<", "<"}, {NUM, "30", "30"}, {WORD, "days", "days"}}},
    {IN("i <3 u"), "a heart between words",
     {{WORD, "i", "i"}, {EMOT, "<3", "<3"}, {WORD, "u", "u"}}},
};
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */

static void test_emoticons(void **state)
{
    (void)state;
    RUN(emoticon_rows);
}

/* ---------------------------------------------------------------------------------------------
 * Emoji
 * ------------------------------------------------------------------------------------------- */

#define JOY     "\xF0\x9F\x98\x82" /* U+1F602 */
#define THUMB   "\xF0\x9F\x91\x8D" /* U+1F44D */
#define TONE3   "\xF0\x9F\x8F\xBD" /* U+1F3FD medium skin tone */
#define VS16    "\xEF\xB8\x8F"     /* U+FE0F */
#define ZWJ     "\xE2\x80\x8D"     /* U+200D */
#define HEART   "\xE2\x9D\xA4"     /* U+2764 */
#define WOMAN   "\xF0\x9F\x91\xA9" /* U+1F469 */
#define MAN     "\xF0\x9F\x91\xA8" /* U+1F468 */
#define GIRL    "\xF0\x9F\x91\xA7" /* U+1F467 */
#define STAFF   "\xE2\x9A\x95"     /* U+2695 */
#define FLAG_US "\xF0\x9F\x87\xBA\xF0\x9F\x87\xB8"
#define FLAG_GB "\xF0\x9F\x87\xAC\xF0\x9F\x87\xA7"
#define KEYCAP  "\xE2\x83\xA3"     /* U+20E3 */
#define GRIN    "\xF0\x9F\x98\x80" /* U+1F600 */
#define SMILE   "\xE2\x98\xBA"     /* U+263A */

/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
static const row emoji_rows[] = {
    {IN(JOY), "one emoji", {{EMOJ, JOY, JOY}}},
    {IN(JOY JOY JOY), "consecutive emoji are separate tokens",
     {{EMOJ, JOY, JOY}, {EMOJ, JOY, JOY}, {EMOJ, JOY, JOY}}},
    {IN(THUMB TONE3), "a skin tone stays in the grapheme, not in the normalized form",
     {{EMOJ, THUMB TONE3, THUMB}}},
    {IN(HEART VS16), "a variation selector is dropped from the normalized form",
     {{EMOJ, HEART VS16, HEART}}},
    {IN(HEART), "a text-default heart is still an emoji", {{EMOJ, HEART, HEART}}},
    {IN(WOMAN ZWJ STAFF VS16), "a ZWJ sequence is one token",
     {{EMOJ, WOMAN ZWJ STAFF VS16, WOMAN ZWJ STAFF}}},
    {IN(WOMAN TONE3 ZWJ STAFF VS16), "ZWJ sequence with a skin tone",
     {{EMOJ, WOMAN TONE3 ZWJ STAFF VS16, WOMAN ZWJ STAFF}}},
    {IN(MAN ZWJ WOMAN ZWJ GIRL), "a family is one token",
     {{EMOJ, MAN ZWJ WOMAN ZWJ GIRL, MAN ZWJ WOMAN ZWJ GIRL}}},
    {IN(FLAG_US), "a flag is two regional indicators", {{EMOJ, FLAG_US, FLAG_US}}},
    {IN(FLAG_US FLAG_GB), "two flags are two tokens",
     {{EMOJ, FLAG_US, FLAG_US}, {EMOJ, FLAG_GB, FLAG_GB}}},
    {IN("1" VS16 KEYCAP), "a keycap digit", {{EMOJ, "1" VS16 KEYCAP, "1" KEYCAP}}},
    {IN("#" VS16 KEYCAP " *" VS16 KEYCAP), "keycap # and *",
     {{EMOJ, "#" VS16 KEYCAP, "#" KEYCAP}, {EMOJ, "*" VS16 KEYCAP, "*" KEYCAP}}},
    {IN("5" KEYCAP), "a keycap without the variation selector", {{EMOJ, "5" KEYCAP, "5" KEYCAP}}},
    {IN("great" JOY), "an emoji right after a word", {{WORD, "great", "great"}, {EMOJ, JOY, JOY}}},
    {IN(JOY "," JOY), "punctuation between emoji",
     {{EMOJ, JOY, JOY}, {PUNC, ",", ","}, {EMOJ, JOY, JOY}}},
    {IN("&#128512;"), "an emoji written as an entity", {{EMOJ, "&#128512;", GRIN}}},
    {IN(SMILE), "a smiling face from the older block", {{EMOJ, SMILE, SMILE}}},
    {IN("\xC2\xA9 2020"), "a copyright sign is a symbol",
     {{SYMB, "\xC2\xA9", "\xC2\xA9"}, {NUM, "2020", "2020"}}},
    {IN("\xC2\xA9" VS16), "with U+FE0F it is an emoji", {{EMOJ, "\xC2\xA9" VS16, "\xC2\xA9"}}},
    {IN("Tylenol\xE2\x84\xA2"), "a trade mark sign after a name",
     {{WORD, "Tylenol", "tylenol"}, {SYMB, "\xE2\x84\xA2", "tm"}}},
    {IN(TONE3), "a skin tone on its own keeps its form", {{EMOJ, TONE3, TONE3}}},
};
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */

static void test_emoji(void **state)
{
    (void)state;
    RUN(emoji_rows);
}

/* ---------------------------------------------------------------------------------------------
 * Punctuation and symbols
 * ------------------------------------------------------------------------------------------- */

/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
static const row punct_rows[] = {
    {IN("!!!"), "a run of exclamation marks is one token", {{PUNC, "!!!", "!!!", 0, 3}}},
    {IN("?!?"), "? and ! mix in one run", {{PUNC, "?!?", "?!?", 0, 3}}},
    {IN("..."), "an ellipsis is one token", {{PUNC, "...", "...", 0, 3}}},
    {IN("."), "one mark repeats once", {{PUNC, ".", "."}}},
    {IN("!!!..."), "different marks make different runs",
     {{PUNC, "!!!", "!!!", 0, 3}, {PUNC, "...", "...", 0, 3}}},
    {IN("\xE2\x80\xA6"), "the ellipsis character normalizes to three dots",
     {{PUNC, "\xE2\x80\xA6", "...", 0, 1}}},
    {IN(",,,"), "a run of commas", {{PUNC, ",,,", ",,,", 0, 3}}},
    {IN("wow!!"), "marks after a word", {{WORD, "wow", "wow"}, {PUNC, "!!", "!!", 0, 2}}},
    {IN("\xEF\xBC\x81"), "a full-width mark normalizes to ASCII", {{PUNC, "\xEF\xBC\x81", "!"}}},
    {IN("\xEF\xBC\x81\xEF\xBC\x81"), "a run of full-width marks",
     {{PUNC, "\xEF\xBC\x81\xEF\xBC\x81", "!!", 0, 2}}},
    {IN("\xC2\xABhi\xC2\xBB"), "guillemets",
     {{PUNC, "\xC2\xAB", "\xC2\xAB"}, {WORD, "hi", "hi"}, {PUNC, "\xC2\xBB", "\xC2\xBB"}}},
    {IN("a\xE2\x80\x94" "b"), "an em dash between words",
     {{WORD, "a", "a"}, {PUNC, "\xE2\x80\x94", "\xE2\x80\x94"}, {WORD, "b", "b"}}},
    {IN("\xE2\x80\x9Chi\xE2\x80\x9D"), "curly double quotes stay curly",
     {{PUNC, "\xE2\x80\x9C", "\xE2\x80\x9C"}, {WORD, "hi", "hi"},
      {PUNC, "\xE2\x80\x9D", "\xE2\x80\x9D"}}},
    {IN("\xE2\x80\x99" "cause"), "a leading curly apostrophe is punctuation",
     {{PUNC, "\xE2\x80\x99", "'"}, {WORD, "cause", "cause"}}},
    {IN("a+b=c"), "ASCII symbols",
     {{WORD, "a", "a"}, {SYMB, "+", "+"}, {WORD, "b", "b"}, {SYMB, "=", "="}, {WORD, "c", "c"}}},
    {IN("pain & fatigue"), "an ampersand is a symbol",
     {{WORD, "pain", "pain"}, {SYMB, "&", "&"}, {WORD, "fatigue", "fatigue"}}},
    {IN("\xE2\x86\x92"), "an arrow is a symbol", {{SYMB, "\xE2\x86\x92", "\xE2\x86\x92"}}},
    {IN("\xE2\x9C\x93" VS16), "a symbol keeps the marks after it",
     {{SYMB, "\xE2\x9C\x93" VS16, "\xE2\x9C\x93"}}},
};
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */

static void test_punctuation(void **state)
{
    (void)state;
    RUN(punct_rows);
}

/* ---------------------------------------------------------------------------------------------
 * Numbers, percentages, times, doses, dates
 * ------------------------------------------------------------------------------------------- */

/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
static const row number_rows[] = {
    {IN("3"), "an integer", {{NUM, "3", "3"}}},
    {IN("3.5"), "a decimal", {{NUM, "3.5", "3.5"}}},
    {IN("1,000"), "a grouped number", {{NUM, "1,000", "1,000"}}},
    {IN("1,200.50"), "grouping and decimals", {{NUM, "1,200.50", "1,200.50"}}},
    {IN("1,00"), "a comma before two digits is punctuation",
     {{NUM, "1", "1"}, {PUNC, ",", ","}, {NUM, "00", "00"}}},
    {IN("555-123-4567"), "a phone number", {{NUM, "555-123-4567", "555-123-4567"}}},
    {IN("24/7 1/2"), "fractions", {{NUM, "24/7", "24/7"}, {NUM, "1/2", "1/2"}}},
    {IN("10-20 times"), "a range", {{NUM, "10-20", "10-20"}, {WORD, "times", "times"}}},
    {IN("3."), "a full stop after a number", {{NUM, "3", "3"}, {PUNC, ".", "."}}},
    {IN("5%"), "a percentage", {{PCNT, "5%", "5%"}}},
    {IN("12.5 %"), "a percentage with a space", {{PCNT, "12.5 %", "12.5%"}}},
    {IN("100%!"), "a percentage before punctuation", {{PCNT, "100%", "100%"}, {PUNC, "!", "!"}}},
    {IN("% off"), "a lone percent sign is a symbol", {{SYMB, "%", "%"}, {WORD, "off", "off"}}},
    {IN("10mg"), "a dose", {{DOSE, "10mg", "10mg"}}},
    {IN("10 mg"), "number, one space, unit: one dose token", {{DOSE, "10 mg", "10mg"}}},
    {IN("10MG"), "units in capitals", {{DOSE, "10MG", "10mg"}}},
    {IN("500mcg"), "micrograms", {{DOSE, "500mcg", "500mcg"}}},
    {IN("500 \xC2\xB5g"), "the micro sign folds to the Greek mu",
     {{DOSE, "500 \xC2\xB5g", "500\xCE\xBCg"}}},
    {IN("2.5ml"), "a decimal dose", {{DOSE, "2.5ml", "2.5ml"}}},
    {IN("10 IU"), "international units", {{DOSE, "10 IU", "10iu"}}},
    {IN("2x/day"), "a frequency", {{DOSE, "2x/day", "2x/day"}}},
    {IN("2x"), "twice", {{DOSE, "2x", "2x"}}},
    {IN("10mg/kg/day"), "a dose per weight per day", {{DOSE, "10mg/kg/day", "10mg/kg/day"}}},
    {IN("10-20mg"), "a range of doses", {{DOSE, "10-20mg", "10-20mg"}}},
    {IN("2tabs"), "a counted form touching the number", {{DOSE, "2tabs", "2tabs"}}},
    {IN("2 tabs"), "a counted form after a space is a word",
     {{NUM, "2", "2"}, {WORD, "tabs", "tabs"}}},
    {IN("5 g"), "a bare g after a space is a word", {{NUM, "5", "5"}, {WORD, "g", "g"}}},
    {IN("3 hrs"), "hours are no dose", {{NUM, "3", "3"}, {WORD, "hrs", "hrs"}}},
    {IN("9am"), "a time with am", {{TIME, "9am", "9am"}}},
    {IN("9 am"), "a time with a space before am", {{TIME, "9 am", "9am"}}},
    {IN("9 a.m."), "a.m. with dots", {{TIME, "9 a.m.", "9am"}}},
    {IN("7:45pm"), "minutes and pm", {{TIME, "7:45pm", "7:45pm"}}},
    {IN("10:30"), "a 24-hour time, not an emoticon", {{TIME, "10:30", "10:30"}}},
    {IN("10:30:15"), "seconds", {{TIME, "10:30:15", "10:30:15"}}},
    {IN("9:00 AM"), "AM in capitals after a space", {{TIME, "9:00 AM", "9:00am"}}},
    {IN("13am"), "no 13 o'clock in the morning", {{WORD, "13am", "13am"}}},
    {IN("25:00"), "not a time of day", {{NUM, "25", "25"}, {PUNC, ":", ":"}, {NUM, "00", "00"}}},
    {IN("12/05/1980"), "a date with slashes", {{DATE, "12/05/1980", "12/05/1980"}}},
    {IN("2024-03-01"), "an ISO date", {{DATE, "2024-03-01", "2024-03-01"}}},
    {IN("3.5.2020"), "a date with dots", {{DATE, "3.5.2020", "3.5.2020"}}},
    {IN("5-12-20"), "a date with a two-digit year", {{DATE, "5-12-20", "5-12-20"}}},
    {IN("13/13/2020"), "no 13th month: numbers joined by slashes",
     {{NUM, "13/13/2020", "13/13/2020"}}},
    {IN("12/05"), "day and month alone stay a number", {{NUM, "12/05", "12/05"}}},
    {IN("on 1/2/2021."), "a date before a full stop",
     {{WORD, "on", "on"}, {DATE, "1/2/2021", "1/2/2021"}, {PUNC, ".", "."}}},
};
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */

static void test_numbers(void **state)
{
    (void)state;
    RUN(number_rows);
}

/* ---------------------------------------------------------------------------------------------
 * HTML entities
 * ------------------------------------------------------------------------------------------- */

/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
static const row entity_rows[] = {
    {IN("&amp;"), "an encoded ampersand is the symbol '&'", {{SYMB, "&amp;", "&"}}},
    {IN("AT&amp;T"), "an encoded ampersand between letters",
     {{WORD, "AT", "at", CAPS}, {SYMB, "&amp;", "&"}, {WORD, "T", "t"}}},
    {IN("&lt; &gt;"), "encoded angle brackets", {{SYMB, "&lt;", "<"}, {SYMB, "&gt;", ">"}}},
    {IN("&quot;hi&quot;"), "encoded quotes",
     {{PUNC, "&quot;", "\""}, {WORD, "hi", "hi"}, {PUNC, "&quot;", "\""}}},
    {IN("&#39; &#x27; &apos;"), "encoded apostrophes alone",
     {{PUNC, "&#39;", "'"}, {PUNC, "&#x27;", "'"}, {PUNC, "&apos;", "'"}}},
    {IN("a&nbsp;b"), "an encoded no-break space separates", {{WORD, "a", "a"}, {WORD, "b", "b"}}},
    {IN("&amp"), "no semicolon, no entity", {{SYMB, "&", "&"}, {WORD, "amp", "amp"}}},
    {IN("&bogus;"), "an unknown name is not decoded",
     {{SYMB, "&", "&"}, {WORD, "bogus", "bogus"}, {PUNC, ";", ";"}}},
    {IN("&#8217;"), "a numeric curly apostrophe", {{PUNC, "&#8217;", "'"}}},
    {IN("&hellip;"), "an encoded ellipsis", {{PUNC, "&hellip;", "..."}}},
    {IN("&#150;"), "numeric references in 128..159 mean Windows-1252",
     {{PUNC, "&#150;", "\xE2\x80\x93"}}},
    {IN("&#0;"), "a reference to NUL is not decoded",
     {{SYMB, "&", "&"}, {SYMB, "#", "#"}, {NUM, "0", "0"}, {PUNC, ";", ";"}}},
    {IN("&amp;amp;"), "double encoding is decoded once",
     {{SYMB, "&amp;", "&"}, {WORD, "amp", "amp"}, {PUNC, ";", ";"}}},
    {IN("caf&#233;"), "an entity letter joins the word", {{WORD, "caf&#233;", "caf\xC3\xA9"}}},
};
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */

static void test_entities(void **state)
{
    (void)state;
    RUN(entity_rows);
}

/* ---------------------------------------------------------------------------------------------
 * Invalid UTF-8: every bad byte is a one-byte symbol standing for U+FFFD
 * ------------------------------------------------------------------------------------------- */

/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
static const row invalid_rows[] = {
    {IN("\x80"), "a lone continuation byte", {{SYMB, "\x80", FFFD, BAD}}},
    {IN("a\x80" "b"), "a bad byte splits a word, offsets unchanged",
     {{WORD, "a", "a"}, {SYMB, "\x80", FFFD, BAD}, {WORD, "b", "b"}}},
    {IN("\xBF\xBF"), "two continuation bytes: two tokens",
     {{SYMB, "\xBF", FFFD, BAD}, {SYMB, "\xBF", FFFD, BAD}}},
    {IN("\xC0\xAF"), "an overlong '/': two bad bytes",
     {{SYMB, "\xC0", FFFD, BAD}, {SYMB, "\xAF", FFFD, BAD}}},
    {IN("\xC1\xBF"), "an overlong two-byte form",
     {{SYMB, "\xC1", FFFD, BAD}, {SYMB, "\xBF", FFFD, BAD}}},
    {IN("\xE0\x80\xAF"), "an overlong three-byte form",
     {{SYMB, "\xE0", FFFD, BAD}, {SYMB, "\x80", FFFD, BAD}, {SYMB, "\xAF", FFFD, BAD}}},
    {IN("\xF0\x80\x80\xAF"), "an overlong four-byte form",
     {{SYMB, "\xF0", FFFD, BAD}, {SYMB, "\x80", FFFD, BAD}, {SYMB, "\x80", FFFD, BAD},
      {SYMB, "\xAF", FFFD, BAD}}},
    {IN("\xED\xA0\x80"), "an encoded surrogate",
     {{SYMB, "\xED", FFFD, BAD}, {SYMB, "\xA0", FFFD, BAD}, {SYMB, "\x80", FFFD, BAD}}},
    {IN("\xED\xBF\xBF"), "an encoded low surrogate",
     {{SYMB, "\xED", FFFD, BAD}, {SYMB, "\xBF", FFFD, BAD}, {SYMB, "\xBF", FFFD, BAD}}},
    {IN("\xFE\xFF"), "bytes that never occur in UTF-8",
     {{SYMB, "\xFE", FFFD, BAD}, {SYMB, "\xFF", FFFD, BAD}}},
    {IN("\xF4\x90\x80\x80"), "a value above U+10FFFF",
     {{SYMB, "\xF4", FFFD, BAD}, {SYMB, "\x90", FFFD, BAD}, {SYMB, "\x80", FFFD, BAD},
      {SYMB, "\x80", FFFD, BAD}}},
    {IN("\xF5\x80\x80\x80"), "a lead byte above F4",
     {{SYMB, "\xF5", FFFD, BAD}, {SYMB, "\x80", FFFD, BAD}, {SYMB, "\x80", FFFD, BAD},
      {SYMB, "\x80", FFFD, BAD}}},
    {IN("\xE2\x82 x"), "a truncated sequence before a space",
     {{SYMB, "\xE2", FFFD, BAD}, {SYMB, "\x82", FFFD, BAD}, {WORD, "x", "x"}}},
    {IN("\xE2\x82" "x"), "a truncated sequence before a letter",
     {{SYMB, "\xE2", FFFD, BAD}, {SYMB, "\x82", FFFD, BAD}, {WORD, "x", "x"}}},
    {IN("\xF0\x9F\x98"), "a truncated emoji at the end",
     {{SYMB, "\xF0", FFFD, BAD}, {SYMB, "\x9F", FFFD, BAD}, {SYMB, "\x98", FFFD, BAD}}},
    {IN("caf\xC3"), "a truncated letter at the end",
     {{WORD, "caf", "caf"}, {SYMB, "\xC3", FFFD, BAD}}},
    {IN("don\x92t"), "a Windows-1252 apostrophe byte",
     {{WORD, "don", "don"}, {SYMB, "\x92", FFFD, BAD}, {WORD, "t", "t"}}},
    {IN("\xEF\xBF\xBD"), "a real U+FFFD is a symbol, not invalid", {{SYMB, FFFD, FFFD}}},
    {IN("\xE2\x82\xAC" "\x80"), "a valid character then a bad byte",
     {{SYMB, "\xE2\x82\xAC", "\xE2\x82\xAC"}, {SYMB, "\x80", FFFD, BAD}}},
    {IN("#\xFF" "a"), "a bad byte ends a hashtag body before it starts",
     {{SYMB, "#", "#"}, {SYMB, "\xFF", FFFD, BAD}, {WORD, "a", "a"}}},
    {IN("https://x.org/\xFF"), "a bad byte ends a URL",
     {{URL, "https://x.org/", "https://x.org/"}, {SYMB, "\xFF", FFFD, BAD}}},
    {IN(JOY "\x80"), "a bad byte ends an emoji", {{EMOJ, JOY, JOY}, {SYMB, "\x80", FFFD, BAD}}},
};
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */

static void test_invalid_utf8(void **state)
{
    (void)state;
    RUN(invalid_rows);
}

/* ---------------------------------------------------------------------------------------------
 * Other scripts and Unicode normalization
 * ------------------------------------------------------------------------------------------- */

/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
static const row unicode_rows[] = {
    {IN(PRIVET " " MIR), "Cyrillic words", {{WORD, PRIVET, privet}, {WORD, MIR, MIR}}},
    {IN("\xCE\x93\xCE\x95\xCE\x99\xCE\x91"), "Greek capitals are ALLCAPS",
     {{WORD, "\xCE\x93\xCE\x95\xCE\x99\xCE\x91", "\xCE\xB3\xCE\xB5\xCE\xB9\xCE\xB1", CAPS}}},
    {IN("\xE6\x9D\xB1\xE4\xBA\xAC"), "one token per ideograph",
     {{WORD, "\xE6\x9D\xB1", "\xE6\x9D\xB1"}, {WORD, "\xE4\xBA\xAC", "\xE4\xBA\xAC"}}},
    {IN("\xE3\x82\xB3\xE3\x83\xAD\xE3\x83\x8A"), "katakana make one word",
     {{WORD, "\xE3\x82\xB3\xE3\x83\xAD\xE3\x83\x8A", "\xE3\x82\xB3\xE3\x83\xAD\xE3\x83\x8A"}}},
    {IN(MARHABA), "an Arabic word", {{WORD, MARHABA, MARHABA}}},
    {IN(SHALOM), "a Hebrew word", {{WORD, SHALOM, SHALOM}}},
    {IN("caf\xC3\xA9 na\xC3\xAFve"), "precomposed accents",
     {{WORD, "caf\xC3\xA9", "caf\xC3\xA9"}, {WORD, "na\xC3\xAFve", "na\xC3\xAFve"}}},
    {IN("cafe\xCC\x81"), "a combining accent is composed (NFKC)",
     {{WORD, "cafe\xCC\x81", "caf\xC3\xA9"}}},
    {IN("e\xCC\x81\xCC\xA3"), "combining marks are put in canonical order, then composed",
     {{WORD, "e\xCC\x81\xCC\xA3", "\xE1\xBA\xB9\xCC\x81"}}},
    {IN("\xEF\xAC\x81ne"), "a ligature is decomposed (compatibility)",
     {{WORD, "\xEF\xAC\x81ne", "fine"}}},
    {IN("\xEF\xBC\xA8\xEF\xBC\xA5\xEF\xBC\xAC\xEF\xBC\xAC\xEF\xBC\xAF"), "full-width capitals",
     {{WORD, "\xEF\xBC\xA8\xEF\xBC\xA5\xEF\xBC\xAC\xEF\xBC\xAC\xEF\xBC\xAF", "hello", CAPS}}},
    {IN("Stra\xC3\x9F" "e"), "sharp s case folds to ss", {{WORD, "Stra\xC3\x9F" "e", "strasse"}}},
    {IN("x\xC2\xB2"), "a superscript digit folds to a digit", {{WORD, "x\xC2\xB2", "x2"}}},
    {IN("\xC3\x89T\xC3\x89"), "accented capitals are ALLCAPS",
     {{WORD, "\xC3\x89T\xC3\x89", "\xC3\xA9t\xC3\xA9", CAPS}}},
    {IN("ca\xC3\xB1\xC3\xB3\xC3\xB3\xC3\xB3n"), "non-ASCII letters elongate too",
     {{WORD, "ca\xC3\xB1\xC3\xB3\xC3\xB3\xC3\xB3n", "ca\xC3\xB1\xC3\xB3\xC3\xB3n", ELONG}}},
    {IN("pain\xC2\xADkiller"), "a soft hyphen inside a word disappears",
     {{WORD, "pain\xC2\xADkiller", "painkiller"}}},
    {IN("\xD0\xB4\xD0\xBE-\xD1\x82\xD0\xBE"), "a hyphen between Cyrillic letters",
     {{WORD, "\xD0\xB4\xD0\xBE-\xD1\x82\xD0\xBE", "\xD0\xB4\xD0\xBE-\xD1\x82\xD0\xBE"}}},
    {IN("caf\xC3\xA9s!"), "punctuation after a non-ASCII word",
     {{WORD, "caf\xC3\xA9s", "caf\xC3\xA9s"}, {PUNC, "!", "!"}}},
};
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */

static void test_unicode(void **state)
{
    (void)state;
    RUN(unicode_rows);
}

/* ---------------------------------------------------------------------------------------------
 * Whole posts
 * ------------------------------------------------------------------------------------------- */

/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
/* clang-format off */
static const row post_rows[] = {
    {IN("Dr. Smith was AMAZING!!! 10/10 would recommend :)"), "a review",
     {{WORD, "Dr", "dr"}, {PUNC, ".", "."}, {WORD, "Smith", "smith"}, {WORD, "was", "was"},
      {WORD, "AMAZING", "amazing", CAPS}, {PUNC, "!!!", "!!!", 0, 3}, {NUM, "10/10", "10/10"},
      {WORD, "would", "would"}, {WORD, "recommend", "recommend"}, {EMOT, ":)", ":)"}}},
    {IN("Took 500mg ibuprofen at 9pm, pain gone " GRIN), "a drug report",
     {{WORD, "Took", "took"}, {DOSE, "500mg", "500mg"}, {WORD, "ibuprofen", "ibuprofen"},
      {WORD, "at", "at"}, {TIME, "9pm", "9pm"}, {PUNC, ",", ","}, {WORD, "pain", "pain"},
      {WORD, "gone", "gone"}, {EMOJ, GRIN, GRIN}}},
    {IN("My appt on 12/05/2024 at 10:30 was cancelled AGAIN. #fail @HospitalX"), "a complaint",
     {{WORD, "My", "my"}, {WORD, "appt", "appt"}, {WORD, "on", "on"},
      {DATE, "12/05/2024", "12/05/2024"}, {WORD, "at", "at"}, {TIME, "10:30", "10:30"},
      {WORD, "was", "was"}, {WORD, "cancelled", "cancelled"}, {WORD, "AGAIN", "again", CAPS},
      {PUNC, ".", "."}, {HTAG, "#fail", "fail"}, {MENT, "@HospitalX", "@hospitalx"}}},
    {IN("Side effects: nausea &amp; headache (not fun)"), "scraped text with an entity",
     {{WORD, "Side", "side"}, {WORD, "effects", "effects"}, {PUNC, ":", ":"},
      {WORD, "nausea", "nausea"}, {SYMB, "&amp;", "&"}, {WORD, "headache", "headache"},
      {PUNC, "(", "("}, {WORD, "not", "not", NEG}, {WORD, "fun", "fun"}, {PUNC, ")", ")"}}},
    {IN("I cant sleep... dont know why :("), "sloppy contractions in a sentence",
     {{WORD, "I", "i"}, {WORD, "cant", "can't", NEG | CON}, {WORD, "sleep", "sleep"},
      {PUNC, "...", "...", 0, 3}, {WORD, "dont", "don't", NEG | CON}, {WORD, "know", "know"},
      {WORD, "why", "why"}, {EMOT, ":(", ":("}}},
    {IN("sooo tired of waiting 3 hrs!!!"), "elongation and a run",
     {{WORD, "sooo", "soo", ELONG}, {WORD, "tired", "tired"}, {WORD, "of", "of"},
      {WORD, "waiting", "waiting"}, {NUM, "3", "3"}, {WORD, "hrs", "hrs"},
      {PUNC, "!!!", "!!!", 0, 3}}},
    {IN("RT @user: Get your flu shot! cdc.gov/flu #vaccineswork"), "a retweet",
     {{WORD, "RT", "rt", CAPS}, {MENT, "@user", "@user"}, {PUNC, ":", ":"}, {WORD, "Get", "get"},
      {WORD, "your", "your"}, {WORD, "flu", "flu"}, {WORD, "shot", "shot"}, {PUNC, "!", "!"},
      {URL, "cdc.gov/flu", "cdc.gov/flu"}, {HTAG, "#vaccineswork", "vaccineswork"}}},
    {IN("The nurses were great\xE2\x80\x94" "couldn\xE2\x80\x99t ask for more " HEART VS16),
     "typographic punctuation",
     {{WORD, "The", "the"}, {WORD, "nurses", "nurses"}, {WORD, "were", "were"},
      {WORD, "great", "great"}, {PUNC, "\xE2\x80\x94", "\xE2\x80\x94"},
      {WORD, "couldn\xE2\x80\x99t", "couldn't", NEG | CON}, {WORD, "ask", "ask"},
      {WORD, "for", "for"}, {WORD, "more", "more"}, {EMOJ, HEART VS16, HEART}}},
    {IN("BP 120/80, HR 72bpm"), "vitals",
     {{WORD, "BP", "bp", CAPS}, {NUM, "120/80", "120/80"}, {PUNC, ",", ","},
      {WORD, "HR", "hr", CAPS}, {WORD, "72bpm", "72bpm"}}},
};
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */
/* clang-format on */

static void test_posts(void **state)
{
    (void)state;
    RUN(post_rows);
}

/* ---------------------------------------------------------------------------------------------
 * The API around the tables
 * ------------------------------------------------------------------------------------------- */

static void test_empty_and_arguments(void **state)
{
    (void)state;
    medtone_tokens *t = medtone_tokens_new();
    assert_non_null(t);
    assert_int_equal(medtone_tokens_count(t), 0);
    assert_int_equal(medtone_tokenize(NULL, 0, t), MEDTONE_OK);
    assert_int_equal(medtone_tokens_count(t), 0);
    assert_int_equal(medtone_tokenize("", 0, t), MEDTONE_OK);
    assert_int_equal(medtone_tokens_count(t), 0);
    assert_int_equal(medtone_tokenize("abc", 0, t), MEDTONE_OK); /* the length rules */
    assert_int_equal(medtone_tokens_count(t), 0);
    assert_int_equal(medtone_tokenize(NULL, 3, t), MEDTONE_ERR_INVALID_ARG);
    assert_int_equal(medtone_tokenize("abc", 3, NULL), MEDTONE_ERR_INVALID_ARG);

    /* Out-of-range accessors give 0 and "". */
    assert_int_equal(medtone_tokenize("hello", 5, t), MEDTONE_OK);
    assert_int_equal(medtone_tokens_count(t), 1);
    size_t nl = 99;
    assert_string_equal(medtone_token_normalized(t, 1, &nl), "");
    assert_int_equal(nl, 0);
    assert_string_equal(medtone_token_normalized(t, 0, NULL), "hello");
    assert_int_equal(medtone_token_kind_of(t, 7), 0);
    assert_int_equal(medtone_token_offset(t, 7), 0);
    assert_int_equal(medtone_token_length(t, 7), 0);
    assert_int_equal(medtone_token_flags(t, 7), 0);
    assert_int_equal(medtone_token_repeat(t, 7), 0);
    assert_int_equal(medtone_token_repeat(t, 0), 1);
    assert_int_equal(medtone_tokens_count(NULL), 0);
    medtone_tokens_free(t);
    medtone_tokens_free(NULL);

    /* The text need not be NUL-terminated: only len bytes are read. */
    char buf[8];
    memcpy(buf, "ok fine", 7);
    buf[7] = 'X';
    t = medtone_tokens_new();
    assert_int_equal(medtone_tokenize(buf, 7, t), MEDTONE_OK);
    assert_int_equal(medtone_tokens_count(t), 2);
    assert_string_equal(medtone_token_normalized(t, 1, NULL), "fine");
    medtone_tokens_free(t);
}

static void test_kind_names(void **state)
{
    (void)state;
    static const char *const names[] = {
        "word",  "number", "url",    "email", "mention", "hashtag", "cashtag", "emoticon",
        "emoji", "punct",  "symbol", "money", "percent", "time",    "dose",    "date"};
    for (int k = 0; k < 16; k++)
        assert_string_equal(medtone_token_kind_name((medtone_token_kind)k), names[k]);
    assert_string_equal(medtone_token_kind_name((medtone_token_kind)16), "unknown");
    assert_string_equal(medtone_token_kind_name((medtone_token_kind)-1), "unknown");
}

/* One list, many texts: each call replaces the last one's tokens, long then short then long. */
static void test_reuse(void **state)
{
    (void)state;
    medtone_tokens *t = medtone_tokens_new();
    assert_non_null(t);
    char big[4096];
    for (size_t i = 0; i < sizeof big; i += 8)
        memcpy(big + i, "Sooooo! ", 8);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(medtone_tokenize(big, sizeof big, t), MEDTONE_OK);
        assert_int_equal(medtone_tokens_count(t), 2 * (sizeof big / 8));
        assert_string_equal(medtone_token_normalized(t, 0, NULL), "soo");
        assert_int_equal(medtone_token_flags(t, 0), ELONG);
        assert_int_equal(medtone_token_offset(t, 2 * (sizeof big / 8) - 1), sizeof big - 2);

        assert_int_equal(medtone_tokenize("dont :(", 7, t), MEDTONE_OK);
        assert_int_equal(medtone_tokens_count(t), 2);
        assert_string_equal(medtone_token_normalized(t, 0, NULL), "don't");
        assert_int_equal(medtone_token_kind_of(t, 1), EMOT);

        assert_int_equal(medtone_tokenize("", 0, t), MEDTONE_OK);
        assert_int_equal(medtone_tokens_count(t), 0);
    }
    /* Every table row again, through one list that has seen large texts. */
    const row *tables[] = {basic_rows, word_rows, emoji_rows, invalid_rows};
    const size_t sizes[] = {
        sizeof basic_rows / sizeof basic_rows[0], sizeof word_rows / sizeof word_rows[0],
        sizeof emoji_rows / sizeof emoji_rows[0], sizeof invalid_rows / sizeof invalid_rows[0]};
    for (size_t k = 0; k < 4; k++)
        for (size_t i = 0; i < sizes[k]; i++)
            assert_true(check_row(&tables[k][i], t));
    medtone_tokens_free(t);
}

#define MB (1u << 20)

/* A 1 MB post made of one 16-byte unit: five tokens each. */
static void test_one_megabyte(void **state)
{
    (void)state;
    char *text = malloc(MB);
    assert_non_null(text);
    for (size_t i = 0; i < MB; i += 16)
        memcpy(text + i, "ok 10mg :) #go! ", 16);
    medtone_tokens *t = medtone_tokens_new();
    assert_non_null(t);
    assert_int_equal(medtone_tokenize(text, MB, t), MEDTONE_OK);
    size_t n = medtone_tokens_count(t);
    assert_int_equal(n, 5 * (MB / 16));
    assert_int_equal(medtone_token_kind_of(t, n - 1), PUNC);
    assert_int_equal(medtone_token_offset(t, n - 1), MB - 2);
    assert_int_equal(medtone_token_kind_of(t, n - 2), HTAG);
    assert_int_equal(medtone_token_offset(t, n - 2), MB - 5);
    assert_string_equal(medtone_token_normalized(t, n - 2, NULL), "go");
    assert_int_equal(medtone_token_kind_of(t, n - 4), DOSE);
    assert_int_equal(medtone_token_offset(t, n - 4), MB - 13);

    /* Non-ASCII all the way: an emoji, a Cyrillic word, a bad byte, an ellipsis (16 bytes). */
    for (size_t i = 0; i < MB; i += 16)
        memcpy(text + i, JOY " \xD0\xB4\xD0\xB0 \xFF ... ", 16);
    assert_int_equal(medtone_tokenize(text, MB, t), MEDTONE_OK);
    n = medtone_tokens_count(t);
    assert_int_equal(n, 4 * (MB / 16));
    assert_int_equal(medtone_token_kind_of(t, n - 1), PUNC);
    assert_int_equal(medtone_token_offset(t, n - 1), MB - 4);
    assert_int_equal(medtone_token_repeat(t, n - 1), 3);
    assert_int_equal(medtone_token_offset(t, n - 2), MB - 6);
    assert_int_equal(medtone_token_flags(t, n - 2), BAD);
    assert_int_equal(medtone_token_kind_of(t, n - 4), EMOJ);
    assert_int_equal(medtone_token_offset(t, n - 4), MB - 16);

    /* Pathological runs: one 1 MB word, one 1 MB punctuation run, 1 MB of bad bytes. */
    memset(text, 'a', MB);
    assert_int_equal(medtone_tokenize(text, MB, t), MEDTONE_OK);
    assert_int_equal(medtone_tokens_count(t), 1);
    assert_int_equal(medtone_token_length(t, 0), MB);
    assert_string_equal(medtone_token_normalized(t, 0, NULL), "aa");
    memset(text, '!', MB);
    assert_int_equal(medtone_tokenize(text, MB, t), MEDTONE_OK);
    assert_int_equal(medtone_tokens_count(t), 1);
    assert_int_equal(medtone_token_repeat(t, 0), MB);
    memset(text, ')', MB);
    memcpy(text, "http://x.org/", 13);
    assert_int_equal(medtone_tokenize(text, MB, t), MEDTONE_OK);
    assert_int_equal(medtone_token_kind_of(t, 0), URL);
    assert_int_equal(medtone_token_length(t, 0), 13);
    /* Inputs that must not be rescanned from every token (no quadratic time). */
    for (size_t i = 0; i < MB; i += 2)
        memcpy(text + i, "a.", 2);
    assert_int_equal(medtone_tokenize(text, MB, t), MEDTONE_OK);
    assert_int_equal(medtone_tokens_count(t), MB);
    assert_int_equal(medtone_token_kind_of(t, MB - 1), PUNC);
    for (size_t i = 0; i < MB; i += 2)
        memcpy(text + i, "a_", 2);
    assert_int_equal(medtone_tokenize(text, MB, t), MEDTONE_OK);
    assert_int_equal(medtone_tokens_count(t), MB);
    assert_int_equal(medtone_token_kind_of(t, MB - 1), SYMB);
    for (size_t i = 0; i < MB; i += 2)
        memcpy(text + i, ":(", 2);
    assert_int_equal(medtone_tokenize(text, MB, t), MEDTONE_OK);
    assert_int_equal(medtone_token_kind_of(t, 0), EMOT);
    assert_int_equal(medtone_token_length(t, 0), 2);
    /* A letter and 1 MB of combining marks of two alternating classes. */
    text[0] = 'a';
    for (size_t i = 1; i + 4 <= MB; i += 4)
        memcpy(text + i, "\xCC\x81\xCC\x96", 4);
    assert_int_equal(medtone_tokenize(text, 1 + (MB - 4) / 4 * 4, t), MEDTONE_OK);
    assert_int_equal(medtone_tokens_count(t), 1);
    memset(text, 0xFF, MB);
    assert_int_equal(medtone_tokenize(text, MB, t), MEDTONE_OK);
    assert_int_equal(medtone_tokens_count(t), MB);
    assert_int_equal(medtone_token_offset(t, MB - 1), MB - 1);
    memset(text, 0, MB);
    assert_int_equal(medtone_tokenize(text, MB, t), MEDTONE_OK);
    assert_int_equal(medtone_tokens_count(t), 0);
    medtone_tokens_free(t);
    free(text);
}

/* Random bytes never crash and never break the span rules: tokens are in order, inside the text,
 * never overlap; an invalid-byte token is one byte; every normalized form is a C string of its
 * stated length. */
static void test_random_bytes(void **state)
{
    (void)state;
    medtone_tokens *t = medtone_tokens_new();
    assert_non_null(t);
    uint32_t seed = 12345;
    char buf[512];
    static const char alphabet[] = "aZ9 .:;()<>-_'&#@$%/\xC3\xA9\xE2\x80\x99\xF0\x9F\x98\x82";
    for (int round = 0; round < 2000; round++) {
        size_t len = (size_t)(seed % sizeof buf);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            /* Half random bytes, half pieces of plausible text. */
            buf[i] = (seed >> 16) & 1 ? (char)(seed >> 24)
                                      : alphabet[(seed >> 20) % (sizeof alphabet - 1)];
        }
        assert_int_equal(medtone_tokenize(buf, len, t), MEDTONE_OK);
        size_t end = 0;
        for (size_t i = 0; i < medtone_tokens_count(t); i++) {
            size_t off = medtone_token_offset(t, i), tl = medtone_token_length(t, i), nl;
            assert_true(off >= end);
            assert_true(tl > 0);
            assert_true(off + tl <= len);
            if (medtone_token_flags(t, i) & BAD) {
                assert_int_equal(tl, 1);
                assert_true((unsigned char)buf[off] >= 0x80);
            }
            const char *norm = medtone_token_normalized(t, i, &nl);
            assert_int_equal(strlen(norm), nl);
            end = off + tl;
        }
        seed = seed * 1103515245u + 12345u;
    }
    medtone_tokens_free(t);
}

/* ---------------------------------------------------------------------------------------------
 * Allocation failure: fail the Nth allocation, for every N, until the call succeeds
 * ------------------------------------------------------------------------------------------- */

typedef struct failing {
    long calls;   /* allocations so far */
    long fail_at; /* the allocation that fails (1-based), or 0 for none */
    long live;    /* blocks allocated and not yet freed */
} failing;

static void *fail_malloc(size_t size, void *user)
{
    failing *f = user;
    if (++f->calls == f->fail_at) return NULL;
    void *p = malloc(size);
    if (p) f->live++;
    return p;
}

static void *fail_realloc(void *ptr, size_t size, void *user)
{
    failing *f = user;
    if (++f->calls == f->fail_at) return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr) f->live++;
    return p;
}

static void fail_free(void *ptr, void *user)
{
    failing *f = user;
    if (ptr) f->live--;
    free(ptr);
}

/* A text that takes every path that allocates: enough ASCII words to grow the token array and
 * the normalized buffer several times, and non-ASCII words that need the code point workspace. */
static char *alloc_text(size_t *len)
{
    static const char unit[] = "Sooo happy :) dont \xC3\x89T\xC3\x89 \xEF\xB7\xBA " JOY " cdc.gov ";
    size_t reps = 300, ul = sizeof unit - 1;
    char *text = malloc(reps * ul);
    assert_non_null(text);
    for (size_t i = 0; i < reps; i++)
        memcpy(text + i * ul, unit, ul);
    *len = reps * ul;
    return text;
}

static void test_allocation_failure(void **state)
{
    (void)state;
    size_t len;
    char *text = alloc_text(&len);

    /* The expected result, under the default allocator. */
    medtone_tokens *ref = medtone_tokens_new();
    assert_non_null(ref);
    assert_int_equal(medtone_tokenize(text, len, ref), MEDTONE_OK);
    size_t want = medtone_tokens_count(ref);
    medtone_tokens_free(ref);

    failing f;
    int succeeded = 0;
    for (long n = 1; n < 1000 && !succeeded; n++) {
        f = (failing){0, n, 0};
        assert_int_equal(medtone_set_allocator(fail_malloc, fail_realloc, fail_free, &f),
                         MEDTONE_OK);
        medtone_tokens *t = medtone_tokens_new();
        if (!t) {
            assert_int_equal(f.live, 0);
            continue;
        }
        medtone_status st = medtone_tokenize(text, len, t);
        if (st == MEDTONE_OK) {
            succeeded = 1;
            assert_int_equal(medtone_tokens_count(t), want);
        } else {
            assert_int_equal(st, MEDTONE_ERR_NOMEM);
            assert_int_equal(medtone_tokens_count(t), 0); /* left empty */
            /* Still usable: the allocations after the Nth succeed. */
            assert_int_equal(medtone_tokenize(text, len, t), MEDTONE_OK);
            assert_int_equal(medtone_tokens_count(t), want);
            assert_int_equal(medtone_tokenize("dont", 4, t), MEDTONE_OK);
            assert_string_equal(medtone_token_normalized(t, 0, NULL), "don't");
        }
        medtone_tokens_free(t);
        assert_int_equal(f.live, 0); /* no leak */
    }
    assert_true(succeeded);
    assert_true(f.fail_at > 3); /* the loop really exercised several allocations */

    /* A warm list whose next text needs more room: the failure leaves it empty and usable. */
    f = (failing){0, 0, 0};
    assert_int_equal(medtone_set_allocator(fail_malloc, fail_realloc, fail_free, &f), MEDTONE_OK);
    medtone_tokens *t = medtone_tokens_new();
    assert_non_null(t);
    assert_int_equal(medtone_tokenize("warm up", 7, t), MEDTONE_OK);
    f.fail_at = f.calls + 1;
    assert_int_equal(medtone_tokenize(text, len, t), MEDTONE_ERR_NOMEM);
    assert_int_equal(medtone_tokens_count(t), 0);
    assert_int_equal(medtone_tokenize("warm up", 7, t), MEDTONE_OK);
    assert_int_equal(medtone_tokens_count(t), 2);
    medtone_tokens_free(t);
    assert_int_equal(f.live, 0);

    assert_int_equal(medtone_set_allocator(NULL, NULL, NULL, NULL), MEDTONE_OK);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_tags_and_money),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_emoticons),
        cmocka_unit_test(test_emoji),
        cmocka_unit_test(test_punctuation),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_entities),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_unicode),
        cmocka_unit_test(test_posts),
        cmocka_unit_test(test_empty_and_arguments),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_reuse),
        cmocka_unit_test(test_one_megabyte),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
