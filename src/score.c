/* score.c — the sentiment rules: from tokens and lexicon entries to a compound score and its
 * explanation.
 *
 * The pipeline for one text:
 *   1. tokenize (tokenize.c);
 *   2. match: greedy longest match of lexicon terms over the tokens, multi-word terms first, so
 *      "no side effects" wins over "no" + "side effects"; each match or unmatched token becomes an
 *      item, and punctuation splits items into sentences and clauses;
 *   3. rules: each item with valence is adjusted by the rules below, in this order — clinical
 *      shift, relief, emphasis (caps, elongation, boosters), negation (or, for "never been
 *      happier", a degree exclamation), "least", contrast and concession, exclamation — and
 *      every rule that fires is recorded on the term;
 *   4. sum: the contributions add up to a raw score, squashed into [-1, 1].
 * Constants are the scorer's tuning knobs; tools/sweep_constant.sh measures them against labeled
 * data, and docs/tuning-tweets.md and docs/tuning-druglib.md record each sweep.
 */
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "analyzer.h"
#include "lexicon.h"
#include "result.h"
#include "score.h"
#include "tokenize.h"

/* Negation flips and weakens: "not good" is bad, but less bad than "bad" is. */
#define NEGATION_FACTOR (-0.72)
/* An ALL-CAPS word in a mixed-case text is shouted: "the nurse was GREAT". */
#define CAPS_FACTOR 0.30
/* A stretched word is felt more: "sooo good", "baaad". */
#define ELONGATION_FACTOR 0.15
/* A booster's effect fades with its distance from the word ("very, very good" vs "very nice
 * and good"). */
static const double booster_decay[] = {1.0, 0.9, 0.8};
#define BOOSTER_REACH 3
/* A symptom governed by relief is praise of the treatment: "no more migraines". */
#define RELIEF_GAIN 1.1
/* A symptom or condition merely named ("I take it for my anxiety", "pain in my knee") says what
 * the writer has, not how they judge anything: it keeps only part of its valence. */
#define CONDITION_WEIGHT 0.35
/* How many items away a relief trigger or a test-result word may stand. */
#define RELIEF_REACH 4
#define RESULT_REACH 4
/* "good but slow": the clause after "but" carries the verdict. */
#define BEFORE_CONTRAST 0.5
#define AFTER_CONTRAST  1.4
/* "although it hurt, it worked": the conceded clause counts less, the other more. */
#define CONCEDED     0.5
#define NOT_CONCEDED 1.25
/* "never been happier", "I have never been so happy", "couldn't be worse": a negation of
 * experience or possibility before a degree exclaims that degree; the word keeps its sign and
 * gains this much. */
#define DEGREE_EXCLAIMED 0.3
/* A sentence of more words than this is long: a negation in it reaches one word further than the
 * analyzer's negation scope. Measured 15..40, docs/tuning-druglib.md. */
#define LONG_SENTENCE 25
/* A word of an "if" clause counts this much (conditional_rule); measured 0.25..0.75,
 * docs/tuning-tweets.md. */
#define CONDITIONAL_WEIGHT 0.3
/* A word in a question counts this much (sentence_mark_rules). */
#define QUESTION_WEIGHT 0.75
/* A capitalized word inside a lower-case sentence is most often a name (reads_as_name). */
#define NAME_WEIGHT 0.4 /* measured 0.25..0.75: docs/tuning-tweets.md */
/* How many items after a measure its change may be told ("my a1c finally came down"), and
 * before it ("lowered my bad cholesterol"). */
#define TREND_AFTER  4
#define TREND_BEFORE 3
/* "great!!!": each exclamation mark (up to four) strengthens its sentence. */
#define EXCLAIM_STEP 0.16
#define EXCLAIM_MAX  4
/* The raw sum s (divided by the square root of the number of terms) becomes s / sqrt(s^2 + ALPHA):
 * about 0.46 for "good", 0.9 and more for a glowing post. */
#define ALPHA 15.0

/* ---------------------------------------------------------------------------------------------
 * Matching
 * ------------------------------------------------------------------------------------------- */

/* Tokens that can be, or start, a lexicon term. URLs, e-mails, mentions and punctuation carry no
 * sentiment of their own. */
static int is_matchable(const mt_token *t)
{
    switch (t->kind) {
    case MEDTONE_TOKEN_URL:
    case MEDTONE_TOKEN_EMAIL:
    case MEDTONE_TOKEN_MENTION:
    case MEDTONE_TOKEN_CASHTAG:
    case MEDTONE_TOKEN_PUNCT:
        return 0;
    default:
        return 1;
    }
}

static int key_append(medtone_result *r, size_t *len, const char *s, size_t n, int space)
{
    size_t need = *len + n + (space ? 1 : 0) + 1;
    if (need > r->key_cap && mt_reserve((void **)&r->key, &r->key_cap, need, 1) != 0) return -1;
    if (space) r->key[(*len)++] = ' ';
    memcpy(r->key + *len, s, n);
    *len += n;
    r->key[*len] = '\0';
    return 0;
}

/* A stretched word not in the lexicon as squashed ("soo") may be as written with every doubled
 * letter made single ("so"). */
static const mt_entry *find_unstretched(medtone_result *r, const mt_lexicon *lex, size_t i)
{
    const medtone_tokens *t = r->tokens;
    const mt_token *tok = &t->tok[i];
    const char *norm = mt_token_norm(t, i);
    size_t len = 0;
    if (mt_reserve((void **)&r->key, &r->key_cap, tok->norm_len + 1, 1) != 0) return NULL;
    for (size_t k = 0; k < tok->norm_len; k++)
        if (k == 0 || norm[k] != norm[k - 1]) r->key[len++] = norm[k];
    r->key[len] = '\0';
    return mt_lexicon_find(lex, r->key, len);
}

/* The hash of every token's normalized form but punctuation's (which never starts or continues a
 * term), computed once per text and shared by every lexicon the tokens are looked up in. */
int mt_hash_tokens(medtone_result *r)
{
    const medtone_tokens *t = r->tokens;
    if (t->count > r->hashes_cap &&
        mt_reserve((void **)&r->hashes, &r->hashes_cap, t->count, sizeof *r->hashes) != 0)
        return -1;
    for (size_t i = 0; i < t->count; i++)
        r->hashes[i] = t->tok[i].kind == MEDTONE_TOKEN_PUNCT
                           ? 0
                           : mt_lexicon_hash(mt_token_norm(t, i), t->tok[i].norm_len);
    r->nhashes = t->count;
    return 0;
}

/* Longest lexicon term starting at token i: sets *entry (or NULL) and returns the tokens used.
 * One probe per key answers both "is it a term?" and "may a longer term start with it?"; the
 * follow filter turns most dead ends away before the longer key is even built. */
static size_t match_at(medtone_result *r, const mt_lexicon *lex, mt_follow_filter follow,
                       unsigned max_words, size_t i, const mt_entry **entry, int *oom)
{
    const medtone_tokens *t = r->tokens;
    const mt_token *tok = &t->tok[i];
    uint64_t h = r->hashes[i];
    int more;
    const mt_entry *best =
        mt_lexicon_lookup_hashed(lex, mt_token_norm(t, i), tok->norm_len, h, &more);
    if (!best && (tok->flags & MEDTONE_TOKEN_ELONGATED)) best = find_unstretched(r, lex, i);
    size_t best_n = 1, len = 0;
    for (size_t n = 1; more && n < max_words && i + n < t->count; n++) {
        const mt_token *next = &t->tok[i + n];
        if (next->kind == MEDTONE_TOKEN_PUNCT || !mt_may_extend_with(r, follow, h, i + n)) break;
        if ((n == 1 && key_append(r, &len, mt_token_norm(t, i), tok->norm_len, 0) != 0) ||
            key_append(r, &len, mt_token_norm(t, i + n), next->norm_len, 1) != 0) {
            *oom = 1;
            return 1;
        }
        h = mt_lexicon_hash(r->key, len);
        const mt_entry *e = mt_lexicon_lookup_hashed(lex, r->key, len, h, &more);
        if (e) {
            best = e;
            best_n = n + 1;
        }
    }
    *entry = best;
    return best_n;
}

enum { PUNCT_SENTENCE = 1, PUNCT_CLAUSE = 2, PUNCT_EXCLAIM = 4, PUNCT_QUESTION = 8 };

/* What a punctuation token's form (NUL-terminated) holds, in one pass: PUNCT_SENTENCE when it ends
 * a sentence (any of . ! ? ;), PUNCT_CLAUSE for , : or an em dash (a clause only), PUNCT_EXCLAIM
 * for a '!', PUNCT_QUESTION for a '?'. */
static unsigned punct_class(const char *norm)
{
    unsigned c = 0;
    for (; *norm; norm++) {
        switch (*norm) {
        case '!':
            c |= PUNCT_SENTENCE | PUNCT_EXCLAIM;
            break;
        case '?':
            c |= PUNCT_SENTENCE | PUNCT_QUESTION;
            break;
        case '.':
        case ';':
            c |= PUNCT_SENTENCE;
            break;
        case ',':
        case ':':
            c |= PUNCT_CLAUSE;
            break;
        case '\xe2':
            if (norm[1] == '\x80' && norm[2] == '\x94') c |= PUNCT_CLAUSE;
            break;
        default:
            break;
        }
    }
    return c;
}

static size_t count_char(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += (*s == c);
    return n;
}

/* "Dr. Patel was great": the period of a title or common abbreviation, written right after it, does
 * not end the sentence, so a "but" before it still reaches the praise after it. */
static int is_abbreviation_dot(const medtone_tokens *t, size_t i)
{
    static const char *const abbrev[] = {"dr", "mr",  "mrs", "ms",   "st",     "prof",
                                         "vs", "jr",  "sr",  "dept", "approx", "appt",
                                         "no", "etc", "e.g", "i.e"};
    const mt_token *dot = &t->tok[i];
    if (i == 0 || dot->repeat != 1 || t->norm[dot->norm_off] != '.') return 0;
    const mt_token *prev = &t->tok[i - 1];
    if (prev->kind != MEDTONE_TOKEN_WORD || prev->off + prev->len != dot->off) return 0;
    if (prev->norm_len < 2 || prev->norm_len > 6) return 0; /* the lengths of the list */
    /* Most words before a full stop begin with no first letter of the list: one compare each
     * instead of sixteen strcmp calls. */
    const char *w = mt_token_norm(t, i - 1);
    for (size_t k = 0; k < sizeof abbrev / sizeof abbrev[0]; k++)
        if (w[0] == abbrev[k][0] && !strcmp(w, abbrev[k])) return 1;
    return 0;
}

/* What build_items saw, so that rules with nothing to act on can be skipped. */
typedef struct seen {
    uint32_t tags; /* the tags of every matched entry, OR-ed */
    int exclaim;   /* some punctuation holds a '!' */
    int irony;     /* a '/' or the word "said": the irony markers may be there */
    int question;  /* some punctuation holds a '?' */
    int cond;      /* the word "if" */
} seen;

/* The items of a sentence of more than LONG_SENTENCE items get MT_ITEM_LONG_SENTENCE: a negation
 * there reaches one word further. */
static void close_sentence(medtone_result *r, size_t start)
{
    if (r->nitems - start <= LONG_SENTENCE) return;
    for (size_t k = start; k < r->nitems; k++)
        r->items[k].flags |= MT_ITEM_LONG_SENTENCE;
}

/* Builds r->items from r->tokens. Returns -1 when out of memory. */
static int build_items(medtone_result *r, const mt_lexicon *lex, seen *saw)
{
    const medtone_tokens *t = r->tokens;
    uint32_t sentence = 0, clause = 0;
    size_t sentence_start = 0; /* its first item */
    unsigned max_words = mt_lexicon_max_words(lex);
    mt_follow_filter follow = mt_lexicon_follow_filter(lex);
    r->nitems = 0;
    saw->tags = 0;
    saw->exclaim = 0;
    saw->irony = 0;
    saw->question = 0;
    saw->cond = 0;
    if (mt_hash_tokens(r) != 0) return -1;
    mt_lexicon_prefetch(lex, r->hashes, t->count);
    /* At most one item per token: room for all of them once, not item by item. */
    if (t->count > r->items_cap &&
        mt_reserve((void **)&r->items, &r->items_cap, t->count, sizeof *r->items) != 0)
        return -1;
    for (size_t i = 0; i < t->count;) {
        const mt_token *tok = &t->tok[i];
        if (tok->kind == MEDTONE_TOKEN_PUNCT) {
            const char *norm = mt_token_norm(t, i);
            unsigned pc = punct_class(norm);
            if (pc & PUNCT_EXCLAIM) saw->exclaim = 1;
            if (pc & PUNCT_QUESTION) saw->question = 1;
            if (norm[0] == '/' && norm[1] == '\0') saw->irony = 1;
            if (is_abbreviation_dot(t, i)) {
                /* not a boundary */
            } else if (pc & PUNCT_SENTENCE) {
                close_sentence(r, sentence_start);
                sentence_start = r->nitems;
                sentence++;
                clause++;
            } else if (pc & PUNCT_CLAUSE) {
                clause++;
            }
            i++;
            continue;
        }
        mt_item *it = &r->items[r->nitems++];
        it->tok0 = i;
        it->ntok = 1;
        it->entry = NULL;
        it->sentence = sentence;
        it->clause = clause;
        it->flags = tok->flags;
        it->term = MT_NO_TERM;
        if (tok->norm_len == 2 || tok->norm_len == 4) { /* "if", "said": cues of two rules */
            const char *w = mt_token_norm(t, i);
            if (tok->norm_len == 2 ? w[0] == 'i' && w[1] == 'f' : memcmp(w, "said", 4) == 0) {
                if (tok->norm_len == 2)
                    saw->cond = 1;
                else
                    saw->irony = 1;
            }
        }
        if (is_matchable(tok)) {
            int oom = 0;
            it->ntok = match_at(r, lex, follow, max_words, i, &it->entry, &oom);
            if (oom) return -1;
            if (it->entry) saw->tags |= it->entry->tags;
        }
        i += it->ntok;
    }
    close_sentence(r, sentence_start);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Rules
 * ------------------------------------------------------------------------------------------- */

static uint32_t tags_of(const mt_item *it)
{
    return it->entry ? it->entry->tags : 0;
}

/* A negation word: by the lexicon's tag, or by the tokenizer's flag for a single token ("dont"). */
static int is_negator(const mt_item *it)
{
    if (tags_of(it) & MT_TAG_NEGATOR) return 1;
    return it->ntok == 1 && (it->flags & MEDTONE_TOKEN_NEGATION) &&
           !(it->entry && (it->entry->tags & (MT_TAG_RELIEF | MT_TAG_BOOSTER)));
}

static int is_contrast(const mt_item *it)
{
    return (tags_of(it) & MT_TAG_CONTRAST) != 0;
}

/* Forms of "be" and "seem" do not use up a negation's reach: "doesn't seem to be very helpful",
 * "wasn't ever being rude" reach their judged word as "not helpful" does. Measured on the drug
 * reviews (rho +0.0020, binned F1 +0.0014), every other row within 0.0001 (docs/tuning-druglib.md);
 * "to" and "is/was/are" as well cost TweetEval and the tweets more than 0.0005. */
static int is_transparent(const medtone_result *r, size_t k)
{
    const mt_item *it = &r->items[k];
    if (it->ntok != 1) return 0;
    const mt_token *tok = &r->tokens->tok[it->tok0];
    const char *w = mt_token_norm(r->tokens, it->tok0);
    switch (tok->norm_len) {
    case 2: return memcmp(w, "be", 2) == 0;
    case 4: return memcmp(w, "been", 4) == 0 || memcmp(w, "seem", 4) == 0;
    case 5: return memcmp(w, "being", 5) == 0 || memcmp(w, "seems", 5) == 0;
    case 6: return memcmp(w, "seemed", 6) == 0;
    default: return 0;
    }
}

/* The negators among the `reach` items before item i (forms of "be" and "seem" not counted), in
 * its clause, not reaching past a contrast word; *nearest is the closest one (SIZE_MAX if none).
 * An odd count negates: "not good" and "don't really like" are negated, "not bad, just slow"
 * leaves "slow" alone. */
static int negators_before(const medtone_result *r, size_t i, size_t reach, size_t *nearest)
{
    const mt_item *items = r->items;
    int n = 0;
    size_t counted = 0;
    *nearest = SIZE_MAX;
    for (size_t k = 1; counted < reach && k <= i; k++) {
        const mt_item *p = &items[i - k];
        if (p->clause != items[i].clause || is_contrast(p)) break;
        if (is_negator(p) && n++ == 0) *nearest = i - k;
        if (!is_transparent(r, i - k)) counted++;
    }
    return n;
}

static int negated(const medtone_result *r, size_t i, size_t reach)
{
    size_t nearest;
    return negators_before(r, i, reach, &nearest) & 1;
}

/* A relief trigger governs item i when it stands within RELIEF_REACH items in the same
 * sentence, before ("no more pain", "helped with my anxiety") or after ("my anxiety is gone"),
 * and is not itself negated ("didn't help my pain", "the pain is not gone"). */
static int relief_governs(const medtone_result *r, size_t i)
{
    const mt_item *items = r->items;
    for (size_t k = 1; k <= RELIEF_REACH && k <= i; k++) {
        const mt_item *p = &items[i - k];
        if (p->sentence != items[i].sentence || is_contrast(p)) break;
        if (tags_of(p) & MT_TAG_RELIEF) return !negated(r, i - k, 2);
    }
    for (size_t k = 1; k <= RELIEF_REACH && i + k < r->nitems; k++) {
        const mt_item *p = &items[i + k];
        if (p->sentence != items[i].sentence || is_contrast(p)) break;
        if (tags_of(p) & MT_TAG_RELIEF) {
            for (size_t j = i + 1; j < i + k; j++)
                if (is_negator(&items[j])) return 0;
            return !negated(r, i + k, 1);
        }
    }
    return 0;
}

/* A test or result word near item i makes its clinical value apply: "tested positive",
 * "the biopsy came back negative", "scan results were normal". */
static int in_result_context(const medtone_result *r, size_t i)
{
    const mt_item *items = r->items;
    for (size_t k = 1; k <= RESULT_REACH && k <= i; k++) {
        const mt_item *p = &items[i - k];
        if (p->sentence != items[i].sentence) break;
        if (tags_of(p) & MT_TAG_RESULT) return 1;
    }
    for (size_t k = 1; k <= RESULT_REACH && i + k < r->nitems; k++) {
        const mt_item *p = &items[i + k];
        if (p->sentence != items[i].sentence) break;
        if (tags_of(p) & MT_TAG_RESULT) return 1;
    }
    return 0;
}

static int item_is_word(const medtone_result *r, size_t i, const char *word, size_t n)
{
    const mt_item *it = &r->items[i];
    if (it->ntok != 1) return 0;
    const mt_token *tok = &r->tokens->tok[it->tok0];
    return tok->norm_len == n && memcmp(mt_token_norm(r->tokens, it->tok0), word, n + 1) == 0;
}

/* True when the text has lower-case letters, so that an ALL-CAPS word stands out. A text in
 * capitals throughout is not shouting any one word. */
static int text_is_mixed_case(const medtone_tokens *t, const char *text)
{
    int caps = 0, lower = 0;
    for (size_t i = 0; i < t->count && !(caps && lower); i++) {
        const mt_token *tok = &t->tok[i];
        if (tok->kind != MEDTONE_TOKEN_WORD && tok->kind != MEDTONE_TOKEN_HASHTAG) continue;
        if (tok->flags & MEDTONE_TOKEN_ALLCAPS) {
            caps = 1;
            continue;
        }
        if (lower) continue; /* only a capital word is still wanted */
        for (size_t k = 0; k < tok->len; k++) {
            unsigned char c = (unsigned char)text[tok->off + k];
            if ((c >= 'a' && c <= 'z') || c >= 0x80) {
                lower = 1;
                break;
            }
        }
    }
    return caps && lower;
}

/* Whether the text is mixed case, worked out the first time an ALL-CAPS word asks. */
typedef struct caps_state {
    const medtone_tokens *t;
    const char *text;
    int mixed;  /* -1 until asked */
    int titled; /* -1 until asked: most words start with a capital ("Man Dies In Crash") */
} caps_state;

/* A word written with a capital first letter and lower case after it. */
static int capitalized(const caps_state *c, const mt_token *tok)
{
    const unsigned char *s = (const unsigned char *)c->text + tok->off;
    return tok->len >= 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'a' && s[1] <= 'z';
}

static int text_is_titled(caps_state *c)
{
    if (c->titled < 0) {
        size_t words = 0, caps = 0;
        for (size_t k = 0; k < c->t->count; k++) {
            const mt_token *tok = &c->t->tok[k];
            if (tok->kind != MEDTONE_TOKEN_WORD) continue;
            words++;
            caps += capitalized(c, tok) || (tok->flags & MEDTONE_TOKEN_ALLCAPS);
        }
        c->titled = caps * 2 > words;
    }
    return c->titled;
}

/* "Hollywood Ending", "the Saints won", "Amazon Prime": inside a sentence of a text written in
 * lower case, a capitalized word is most often a name or a title, and its everyday sense counts
 * for less. Not at the start of a sentence, after a mention or a quote, nor in a text whose words
 * are mostly capitalized (a headline). */
static int reads_as_name(const medtone_result *r, size_t i, caps_state *c)
{
    const mt_item *it = &r->items[i];
    const mt_token *tok = &r->tokens->tok[it->tok0];
    if (tok->kind != MEDTONE_TOKEN_WORD || it->ntok != 1 || !capitalized(c, tok) || it->tok0 == 0)
        return 0;
    /* Patients capitalize their conditions and symptoms ("my Fibromyalgia", "slight Nausea"). */
    if (it->entry->tags & (MT_TAG_SYMPTOM | MT_TAG_SIDE_EFFECT | MT_TAG_CLINICAL)) return 0;
    const mt_token *prev = &r->tokens->tok[it->tok0 - 1];
    if (prev->kind == MEDTONE_TOKEN_MENTION || prev->kind == MEDTONE_TOKEN_URL ||
        prev->kind == MEDTONE_TOKEN_HASHTAG || prev->kind == MEDTONE_TOKEN_EMOJI ||
        prev->kind == MEDTONE_TOKEN_EMOTICON)
        return 0;
    if (prev->kind == MEDTONE_TOKEN_PUNCT) {
        const char *p = mt_token_norm(r->tokens, it->tok0 - 1);
        if (strpbrk(p, ".!?;:\"'(-*[")) return 0;
    }
    return !text_is_titled(c);
}

static int mixed_case(caps_state *c)
{
    if (c->mixed < 0) c->mixed = text_is_mixed_case(c->t, c->text);
    return c->mixed;
}

#define COUNT_OF(a) (sizeof(a) / sizeof *(a))

/* A token of item k is one of words[0, n) ("went down" may be one lexicon item). */
static int item_has(const medtone_result *r, size_t k, const char *const *words, size_t n)
{
    const mt_item *it = &r->items[k];
    for (size_t t = it->tok0; t < it->tok0 + it->ntok; t++) {
        const mt_token *tok = &r->tokens->tok[t];
        const char *w = mt_token_norm(r->tokens, t);
        for (size_t j = 0; j < n; j++)
            if (tok->norm_len == strlen(words[j]) && memcmp(w, words[j], tok->norm_len) == 0)
                return 1;
    }
    return 0;
}

/* The words of the degree exclamation (degree_exclaimed): what a negation of experience may run
 * through ("never BEEN so happy", "never HAD such bad service") and the degree words before the
 * judged word. */
static const char *const experience_verbs[] = {
    "be",   "been", "feel", "felt",   "look",  "looked", "see",         "seen",
    "have", "had",  "met",  "tasted", "heard", "known",  "experienced", "received",
    "treated"};
enum { DEGREE_NONE, DEGREE_SO, DEGREE_THIS, DEGREE_MORE, DEGREE_ANY };

/* The degree word right before item i: "so", "this" or "such (a)", "more", "any" (a degree only
 * before a comparative: "any worse", but "never had any problems"). */
static int degree_before(const medtone_result *r, size_t i, size_t *start)
{
    *start = i;
    if (i == 0) return DEGREE_NONE;
    *start = i - 1;
    if (item_is_word(r, i - 1, "so", 2)) return DEGREE_SO;
    if (item_is_word(r, i - 1, "this", 4) || item_is_word(r, i - 1, "such", 4)) return DEGREE_THIS;
    if (item_is_word(r, i - 1, "more", 4)) return DEGREE_MORE;
    if (item_is_word(r, i - 1, "any", 3)) return DEGREE_ANY;
    if (i >= 2 && (item_is_word(r, i - 1, "a", 1) || item_is_word(r, i - 1, "an", 2)) &&
        item_is_word(r, i - 2, "such", 4)) {
        *start = i - 2;
        return DEGREE_THIS;
    }
    *start = i;
    return DEGREE_NONE;
}

/* Whether the negation that reaches item i, its nearest negator at item j (negators_before),
 * exclaims a degree instead of denying it. The negator decides what it may exclaim:
 *   - "never" (experience): a comparative or any degree word: "never been happier", "I've never
 *     been so happy", "never had such bad service", "never felt more alive";
 *   - "haven't", "hasn't", "hadn't", "have not" (the perfect): "this", "such" or "more" only, as
 *     "so" and a bare comparative stay denials there ("I haven't been so well", "it hasn't been
 *     better since");
 *   - "couldn't", "can't", "cannot" (possibility): a comparative or "more": "couldn't be
 *     happier", "can't get any worse" (here "get" may stand between too); and the verb right
 *     after it when "enough" follows: "can't recommend them enough".
 * Between the negator and the degree stand only verbs of being and experiencing, so "never got
 * better" and "hasn't gotten any better" (no change: the symptom stayed) remain denials. */
static int degree_exclaimed(const medtone_result *r, size_t i, size_t j)
{
    const mt_item *items = r->items;
    int never = item_is_word(r, j, "never", 5);
    int perfect = item_is_word(r, j, "haven't", 7) || item_is_word(r, j, "hasn't", 6) ||
                  item_is_word(r, j, "hadn't", 6);
    int modal = item_is_word(r, j, "couldn't", 8) || item_is_word(r, j, "can't", 5) ||
                item_is_word(r, j, "cannot", 6);
    if (!never && !perfect && !modal && item_is_word(r, j, "not", 3) && j >= 1) {
        perfect = item_is_word(r, j - 1, "have", 4) || item_is_word(r, j - 1, "has", 3) ||
                  item_is_word(r, j - 1, "had", 3);
        modal = item_is_word(r, j - 1, "could", 5) || item_is_word(r, j - 1, "can", 3);
    }
    if (!never && !perfect && !modal) return 0;
    /* "I can't recommend them enough", "cannot praise enough": the judging verb right
     * after the modal, "enough" later in the clause (but "can't say it's good enough" denies). */
    if (modal && j + 1 == i) {
        for (size_t k = i + 1; k <= i + 4 && k < r->nitems && items[k].clause == items[i].clause;
             k++)
            if (item_is_word(r, k, "enough", 6)) return 1;
    }
    size_t start = i;
    int degree = degree_before(r, i, &start);
    int comparative = (tags_of(&items[i]) & MT_TAG_COMPARATIVE) != 0;
    if (degree == DEGREE_ANY && !comparative) return 0;
    int ok = never     ? (degree != DEGREE_NONE || comparative)
             : perfect ? (degree == DEGREE_THIS || degree == DEGREE_MORE)
                       : (degree == DEGREE_MORE || comparative);
    if (!ok || start <= j + 1) return 0; /* a verb must stand between: "never so", "can't more" */
    for (size_t k = j + 1; k < start; k++)
        if (!(items[k].ntok == 1 && item_has(r, k, experience_verbs, COUNT_OF(experience_verbs))) &&
            !(modal && item_is_word(r, k, "get", 3))) /* "can't get any worse" */
            return 0;
    return 1;
}

/* The words that tell a measure's change. After the measure: "my a1c dropped", "blood pressure
 * went up". Before it, only verbs that report a change done ("lowered my cholesterol",
 * "raised my blood pressure"); "to lower my cholesterol" is a purpose, not news, and "high/low"
 * and "elevated" name a level ("low blood sugar" is no improvement). */
static const char *const trend_up_after[] = {"up",        "rose",    "risen",   "rising",
                                             "increased", "higher",  "spiked",  "climbed",
                                             "climbing",  "doubled", "jumped",  "skyrocketed",
                                             "soared",    "tripled", "worsened"};
static const char *const trend_down_after[] = {"down",      "dropped",  "dropping", "fell",
                                               "fallen",    "falling",  "decreased", "lower",
                                               "lowered",   "reduced",  "halved",   "plummeted",
                                               "shrank",    "shrunk"};
static const char *const trend_up_before[] = {"raised", "raises", "increased", "increases",
                                              "spiked", "doubled", "gained"};
static const char *const trend_down_before[] = {"lowered",   "lowers",    "reduced", "reduces",
                                                "decreased", "decreases", "dropped", "halved",
                                                "lost"};

/* The direction a measure (item i) moved, as told in its clause: +1 up, -1 down, 0 untold; *at
 * is the item of the change word. A negator between the measure and the change word ("my a1c
 * didn't go down"), or in reach before a change verb ("never lowered my blood pressure"), reverses
 * it. */
static int trend_of(const medtone_result *r, size_t i, size_t neg_scope, size_t *at)
{
    const mt_item *items = r->items;
    /* A change verb before the measure governs it first: in "lowered blood pressure increased
     * thirst" the "increased" is the next symptom's. */
    for (size_t k = 1; k <= TREND_BEFORE && k <= i; k++) {
        size_t j = i - k;
        if (items[j].clause != items[i].clause || is_contrast(&items[j])) break;
        int d = item_has(r, j, trend_up_before, COUNT_OF(trend_up_before))       ? 1
                : item_has(r, j, trend_down_before, COUNT_OF(trend_down_before)) ? -1
                                                                                 : 0;
        if (d) {
            *at = j;
            return negated(r, j, neg_scope) ? -d : d;
        }
    }
    int negs = 0;
    for (size_t k = i + 1; k <= i + TREND_AFTER && k < r->nitems; k++) {
        if (items[k].clause != items[i].clause || is_contrast(&items[k])) break;
        if (is_negator(&items[k])) negs++;
        int d = item_has(r, k, trend_up_after, COUNT_OF(trend_up_after))       ? 1
                : item_has(r, k, trend_down_after, COUNT_OF(trend_down_after)) ? -1
                                                                               : 0;
        if (d) {
            *at = k;
            return negs & 1 ? -d : d;
        }
    }
    return 0;
}

/* Valence of item i after the word-level rules (everything but contrast and exclamation). */
static double word_rules(const medtone_result *r, size_t i, caps_state *caps, size_t neg_scope,
                         unsigned *rules)
{
    const mt_item *it = &r->items[i];
    const mt_entry *e = it->entry;
    double v = e->valence;

    /* "tested positive" is bad news and a "negative biopsy" good news. */
    if ((e->tags & MT_TAG_CLINICAL) && in_result_context(r, i)) {
        v = e->clinical;
        *rules |= MEDTONE_RULE_CLINICAL;
    }
    /* "no more migraines", "my anxiety is finally gone": relief turns a symptom into praise. */
    if ((e->tags & MT_TAG_SYMPTOM) && v < 0) {
        if (relief_governs(r, i)) {
            v = -v * RELIEF_GAIN;
            *rules |= MEDTONE_RULE_RELIEF;
        } else {
            v *= CONDITION_WEIGHT;
            *rules |= MEDTONE_RULE_CONDITION;
        }
    }
    if (v == 0) return 0;
    double sign = v > 0 ? 1.0 : -1.0;

    if (reads_as_name(r, i, caps)) {
        v *= NAME_WEIGHT;
        *rules |= MEDTONE_RULE_NAME;
    }

    /* "the nurse was GREAT" (but "the ICU team" is not shouting: acronyms are always capitals) */
    if ((it->flags & MEDTONE_TOKEN_ALLCAPS) && !(e->tags & MT_TAG_ACRONYM) && mixed_case(caps)) {
        v += sign * fabs(v) * CAPS_FACTOR;
        *rules |= MEDTONE_RULE_CAPS;
    }
    /* "sooo good" */
    if (it->flags & MEDTONE_TOKEN_ELONGATED) {
        v += sign * fabs(v) * ELONGATION_FACTOR;
        *rules |= MEDTONE_RULE_ELONGATED;
    }
    /* "very good", "kind of rude": boosters and dampeners in the same clause just before. */
    for (size_t k = 1; k <= BOOSTER_REACH && k <= i; k++) {
        const mt_item *p = &r->items[i - k];
        if (p->clause != it->clause) break;
        if (!(tags_of(p) & MT_TAG_BOOSTER)) continue;
        double x = p->entry->booster * booster_decay[k - 1];
        if ((p->flags & MEDTONE_TOKEN_ALLCAPS) && mixed_case(caps)) x *= 1.0 + CAPS_FACTOR;
        v *= 1.0 + x;
        *rules |= x >= 0 ? MEDTONE_RULE_BOOSTED : MEDTONE_RULE_DAMPENED;
    }
    /* "not good", "never helpful", "didn't like": flip and weaken. */
    /* ... but a face is not negated: "Nope :-)" still smiles, "not today 😭" still cries; nor is
     * laughter: "you can never leave lmao" still laughs. */
    uint16_t kind = r->tokens->tok[it->tok0].kind;
    size_t nearest;
    if (kind != MEDTONE_TOKEN_EMOTICON && kind != MEDTONE_TOKEN_EMOJI &&
        !(e->tags & MT_TAG_LAUGHTER) && (negators_before(r, i, neg_scope, &nearest) & 1)) {
        if (degree_exclaimed(r, i, nearest)) { /* "never been happier" */
            v *= 1.0 + DEGREE_EXCLAIMED;
            *rules |= MEDTONE_RULE_BOOSTED;
        } else {
            v *= NEGATION_FACTOR;
            *rules |= MEDTONE_RULE_NEGATED;
        }
    }
    /* "the least helpful nurse" (but "at least she was kind" is not a negation). */
    if (i >= 1 && item_is_word(r, i - 1, "least", 5) &&
        !(i >= 2 && item_is_word(r, i - 2, "at", 2))) {
        v *= NEGATION_FACTOR;
        *rules |= MEDTONE_RULE_LEAST;
    }
    return v;
}

/* "good but slow": in each sentence, the part before the last contrast word counts less and the
 * part after it more. A sentence that opens with "But" demotes the sentence before it.
 * "although the wait was long, the care was superb": the conceded clause counts less. */
static void discourse_rules(medtone_result *r)
{
    mt_item *items = r->items;
    size_t n = r->nitems;
    for (size_t s0 = 0; s0 < n;) {
        size_t s1 = s0;
        while (s1 < n && items[s1].sentence == items[s0].sentence)
            s1++;
        for (size_t c = s1; c-- > s0;) {
            if (!is_contrast(&items[c])) continue;
            size_t from = s0;
            if (c == s0 && s0 > 0) { /* "... . But ..." */
                from = s0 - 1;
                while (from > 0 && items[from - 1].sentence == items[s0 - 1].sentence)
                    from--;
            }
            for (size_t j = from; j < c; j++) {
                if (items[j].term == MT_NO_TERM) continue;
                r->terms[items[j].term].contribution *= BEFORE_CONTRAST;
                r->terms[items[j].term].rules |= MEDTONE_RULE_BEFORE_CONTRAST;
            }
            for (size_t j = c + 1; j < s1; j++) {
                if (items[j].term == MT_NO_TERM) continue;
                r->terms[items[j].term].contribution *= AFTER_CONTRAST;
                r->terms[items[j].term].rules |= MEDTONE_RULE_AFTER_CONTRAST;
            }
            break;
        }
        for (size_t c = s0; c < s1; c++) {
            if (!(tags_of(&items[c]) & MT_TAG_CONCESSION)) continue;
            for (size_t j = s0; j < s1; j++) {
                if (items[j].term == MT_NO_TERM) continue;
                int conceded = j > c && items[j].clause == items[c].clause;
                r->terms[items[j].term].contribution *= conceded ? CONCEDED : NOT_CONCEDED;
                r->terms[items[j].term].rules |=
                    conceded ? MEDTONE_RULE_BEFORE_CONTRAST : MEDTONE_RULE_AFTER_CONTRAST;
            }
            break;
        }
        s0 = s1;
    }
}

/* The marks that close a sentence weigh its terms: "great!!!" (each '!', up to EXCLAIM_MAX, adds
 * EXCLAIM_STEP) and "Anyone know a good dentist?", "is the ER always this slow?" (a word in a
 * question is asked about rather than asserted, so it counts QUESTION_WEIGHT; a sentence ending in
 * "?!" is exclaimed, not asked). QUESTION_WEIGHT was measured from 0.5 to 0.85:
 * docs/tuning-tweets.md. One backward walk: `pending` holds the '!' between a position and the end
 * of its sentence and `asked` whether that end is a '?', so a long text stays linear. */
static void sentence_mark_rules(medtone_result *r)
{
    const medtone_tokens *t = r->tokens;
    size_t pending = 0, cursor = t->count;
    int asked = 0;
    for (size_t k = r->nterms; k-- > 0;) {
        mt_term *term = &r->terms[k];
        size_t end = term->tok0 + term->ntok;
        while (cursor > end) {
            cursor--;
            if (t->tok[cursor].kind != MEDTONE_TOKEN_PUNCT) continue;
            const char *norm = mt_token_norm(t, cursor);
            unsigned pc = punct_class(norm);
            size_t marks = (pc & PUNCT_EXCLAIM) ? count_char(norm, '!') : 0;
            if (pc & PUNCT_SENTENCE) {
                pending = marks;
                asked = (pc & PUNCT_QUESTION) && !(pc & PUNCT_EXCLAIM);
            } else {
                pending += marks;
            }
        }
        if (pending) {
            size_t marks = pending > EXCLAIM_MAX ? EXCLAIM_MAX : pending;
            term->contribution *= 1.0 + EXCLAIM_STEP * (double)marks;
            term->rules |= MEDTONE_RULE_EXCLAIM;
        }
        if (asked) {
            term->contribution *= QUESTION_WEIGHT;
            term->rules |= MEDTONE_RULE_QUESTION;
        }
    }
}

/* "if you want good care, go elsewhere", "if I miss a dose I get headaches": the words of a
 * condition are supposed, not said, and count CONDITIONAL_WEIGHT of their value, from "if" to the
 * end of its clause or to "then". Fixed phrases that state no condition ("if I'm honest", "if
 * anything") are lexicon entries, so their "if" is not a word of its own here. */
static void conditional_rule(medtone_result *r)
{
    uint32_t clause = UINT32_MAX;
    for (size_t i = 0; i < r->nitems; i++) {
        const mt_item *it = &r->items[i];
        if (item_is_word(r, i, "if", 2)) {
            clause = it->clause;
            continue;
        }
        if (it->clause != clause) continue;
        if (item_is_word(r, i, "then", 4)) {
            clause = UINT32_MAX;
            continue;
        }
        if (it->term == MT_NO_TERM) continue;
        r->terms[it->term].contribution *= CONDITIONAL_WEIGHT;
        r->terms[it->term].rules |= MEDTONE_RULE_CONDITIONAL;
    }
}

/* The token is the word w (normalized), n bytes. */
static int token_is(const medtone_tokens *t, size_t k, const char *w, size_t n)
{
    return k < t->count && t->tok[k].kind == MEDTONE_TOKEN_WORD && t->tok[k].norm_len == n &&
           memcmp(mt_token_norm(t, k), w, n) == 0;
}

/* Only punctuation, faces and emoji from token k to the end. */
static int nothing_after(const medtone_tokens *t, size_t k)
{
    for (; k < t->count; k++) {
        uint16_t kind = t->tok[k].kind;
        if (kind != MEDTONE_TOKEN_PUNCT && kind != MEDTONE_TOKEN_EMOTICON &&
            kind != MEDTONE_TOKEN_EMOJI)
            return 0;
    }
    return 1;
}

/* Declared irony turns what came before it around: "the ER was super fast /s" (the writer's own
 * sarcasm tag, closing the post: every term before it) and "best hospital ever, said no one" (the
 * clause or sentence before "said no one/nobody"). The terms are flipped and weakened as a
 * negation would do. Only these explicit markers: irony without them is not guessed. */
static void irony_rule(medtone_result *r)
{
    const medtone_tokens *t = r->tokens;
    size_t mark = SIZE_MAX; /* first token after the span that is turned around */
    int whole = 0;
    for (size_t k = 0; k + 1 < t->count && mark == SIZE_MAX; k++) {
        const mt_token *tok = &t->tok[k];
        /* "/s" on its own ("s/s", signs and symptoms, is not one), closing the post */
        if (tok->kind == MEDTONE_TOKEN_PUNCT && tok->norm_len == 1 && *mt_token_norm(t, k) == '/' &&
            (k == 0 || t->tok[k - 1].off + t->tok[k - 1].len < tok->off) &&
            token_is(t, k + 1, "s", 1) && t->tok[k + 1].off == tok->off + 1 &&
            nothing_after(t, k + 2)) {
            mark = k;
            whole = 1;
        } else if (token_is(t, k, "said", 4)) {
            /* "said no one (ever)" closing its sentence; "said no one was there" is reported. */
            size_t e = token_is(t, k + 1, "nobody", 6) || token_is(t, k + 1, "noone", 5) ? k + 2
                       : token_is(t, k + 1, "no", 2) && token_is(t, k + 2, "one", 3)  ? k + 3
                                                                                      : 0;
            if (e && token_is(t, e, "ever", 4)) e++;
            if (e && (nothing_after(t, e) || t->tok[e].kind == MEDTONE_TOKEN_PUNCT)) mark = k;
        }
    }
    if (mark == SIZE_MAX) return;
    /* The sentence the marker stands in, or the one before when the marker opens its own
     * ("Best hospital ever. Said no one."). */
    size_t mi = 0;
    while (mi < r->nitems && r->items[mi].tok0 + r->items[mi].ntok <= mark)
        mi++;
    uint32_t sentence = mi < r->nitems ? r->items[mi].sentence : UINT32_MAX;
    if (!whole && mi > 0 && mi < r->nitems && r->items[mi - 1].sentence != sentence)
        sentence = r->items[mi - 1].sentence;
    for (size_t i = 0; i < mi; i++) {
        const mt_item *it = &r->items[i];
        if (it->term == MT_NO_TERM || (!whole && it->sentence != sentence)) continue;
        mt_term *term = &r->terms[it->term];
        term->contribution *= NEGATION_FACTOR;
        term->rules |= MEDTONE_RULE_IRONY;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Scoring
 * ------------------------------------------------------------------------------------------- */

static size_t span_end(const mt_token *tok)
{
    return tok->off + tok->len;
}

medtone_status mt_score(const medtone_analyzer *an, const char *text, size_t len, medtone_result *r)
{
    medtone_status st = medtone_tokenize(text, len, r->tokens);
    if (st != MEDTONE_OK) return st;
    seen saw;
    if (build_items(r, an->lex, &saw) != 0) return MEDTONE_ERR_NOMEM;

    caps_state caps = {r->tokens, text, -1, -1};
    r->nterms = 0;
    /* At most one term per item. */
    if (r->nitems > r->terms_cap &&
        mt_reserve((void **)&r->terms, &r->terms_cap, r->nitems, sizeof *r->terms) != 0)
        return MEDTONE_ERR_NOMEM;
    size_t trend_word = SIZE_MAX; /* the change word after a measure, counted on the measure */
    for (size_t i = 0; i < r->nitems; i++) {
        mt_item *it = &r->items[i];
        if (!it->entry) continue;
        /* A long sentence has long phrases: there a negation reaches one word further ("did not
         * in the end really help with the pain" in a review). */
        size_t scope = (size_t)an->negation_scope + ((it->flags & MT_ITEM_LONG_SENTENCE) ? 1 : 0);
        /* A measure's change ("lowered my cholesterol") is one piece of news, counted on the
         * measure: the change word, before or after it, keeps its term but adds nothing. */
        size_t at = SIZE_MAX;
        int trend = (it->entry->tags & MT_TAG_MEASURE) ? trend_of(r, i, scope, &at) : 0;
        if (it->entry->valence == 0 && !trend) continue; /* a measure named alone is no term */
        if (trend && at < i && r->items[at].term != MT_NO_TERM) {
            r->terms[r->items[at].term].contribution = 0;
            r->terms[r->items[at].term].rules |= MEDTONE_RULE_TREND;
        }
        if (trend && at > i) trend_word = at;
        unsigned rules = 0;
        double v;
        if (trend) { /* "my a1c dropped": the change word carries any negation, not the measure */
            v = it->entry->clinical * trend;
            rules = MEDTONE_RULE_TREND;
        } else {
            v = word_rules(r, i, &caps, scope, &rules);
        }
        if (i == trend_word) {
            v = 0;
            rules |= MEDTONE_RULE_TREND;
        }
        mt_term *term = &r->terms[r->nterms];
        const mt_token *first = &r->tokens->tok[it->tok0];
        const mt_token *last = &r->tokens->tok[it->tok0 + it->ntok - 1];
        term->off = first->off;
        term->len = span_end(last) - first->off;
        term->tok0 = it->tok0;
        term->ntok = it->ntok;
        term->entry = it->entry;
        term->valence = it->entry->valence;
        term->contribution = (float)v;
        term->rules = rules;
        it->term = r->nterms++;
    }
    /* Each rule below changes nothing in a text without its cue (a contrast or concession word;
     * a '!' or '?'; "if"; "/" or "said"), so it runs only where the cue was seen. */
    if (saw.tags & (MT_TAG_CONTRAST | MT_TAG_CONCESSION)) discourse_rules(r);
    if (saw.exclaim || saw.question) sentence_mark_rules(r);
    if (saw.cond) conditional_rule(r);
    if (saw.irony && r->nterms) irony_rule(r);

    /* Sum, and the shares of positive, negative and neutral weight (each sentiment item weighs
     * one more than its strength, each plain word one: the items without a term or whose term
     * came to 0). */
    double sum = 0, pos = 0, neg = 0;
    size_t weighed = 0;
    for (size_t k = 0; k < r->nterms; k++) {
        double c = r->terms[k].contribution;
        sum += c;
        weighed += c != 0;
        if (c > 0)
            pos += c + 1;
        else if (c < 0)
            neg += -c + 1;
    }
    double neu = (double)(r->nitems - weighed);
    double total = pos + neg + neu;
    /* Evidence adds up like a mean's confidence, not linearly: a review with twenty mixed terms
     * is not twenty times as sure as a tweet with one, so the sum is divided by the square root
     * of the number of terms before squashing. */
    if (r->nterms > 1) sum /= sqrt((double)r->nterms);
    r->compound = sum / sqrt(sum * sum + ALPHA);
    if (total > 0) {
        r->positive = pos / total;
        r->negative = neg / total;
        r->neutral = neu / total;
    }
    r->analyzer = an;
    return MEDTONE_OK;
}
