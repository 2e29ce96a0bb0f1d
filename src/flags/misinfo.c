/* misinfo.c — the misinformation flag: a health claim that a communications team should check or
 * counter. See docs/flags/misinfo.md for the design and the measured results.
 *
 * The score is a hand-weighted logistic model over explainable cues:
 *
 *     z = BIAS
 *       + TOPIC_WEIGHT                     when the post is about a health subject
 *       + sum of claim cues                 cue lexicon, misinfo tag, weight > 0, each entry once
 *       + sum of reliability cues           misinfo tag, weight < 0, each entry once, floored
 *       + link, count, question, shouting, exclamation and dose features
 *     score = 1 / (1 + e^-z)
 *
 * Every weight of a word, a phrase or a web domain lives in lexicons/cues-misinfo.tsv (the cue's
 * valence column); the constants below weigh what the tokens show by their kind and shape. Only
 * what raises the score is evidence: the claim cues, the health subject, an unreliable domain,
 * the shouting, the exclamation marks and a dose next to a claim.
 */
#include <math.h>
#include <string.h>

#include "analyzer.h"
#include "flags.h"
#include "result.h"
#include "tokenize.h"

/* A text with no cue at all is very unlikely to be a claim worth countering: "Lovely nurses at
 * the clinic today" scores about 0.05. */
#define BIAS (-3.0)
/* A health subject (weight-0 entries of the cue file, or another flag's drug or health words)
 * makes an unattributed statement a health claim: "5 people in one church died of covid after
 * the service" carries no other cue, and a post like it is what fact-checkers get asked about.
 * Alone it stays below the default threshold; one claim cue, shouting or a lay rumour frame
 * lifts it over. */
#define TOPIC_WEIGHT 2.6
/* Reliability cues together lower z by at most this much, so that a misinformation post dressed
 * as an update ("UPDATE: 5 new cases today ... and garlic cures it") can still fire. */
#define RELIABLE_FLOOR (-4.0)
/* A claim cue under negation is a correction, and counts a little against the flag: "garlic does
 * NOT cure covid", "there is no miracle cure". The negation must stand within NEGATION_REACH
 * tokens before the cue, in the same clause. */
#define NEGATED_FACTOR (-0.3)
#define NEGATION_REACH 3
/* A link points the reader to a source: "Learn more: https://t.co/x". A link to a domain the cue
 * file knows takes that domain's weight instead ("cdc.gov -2", "naturalnews.com +3"). */
#define LINK_WEIGHT (-0.4)
/* Counts and dates are the style of official updates: "1,203 new cases, 14 deaths, 35,911 tests
 * as of 12 May". Each number, percentage or date (up to COUNT_MAX) lowers z a little; a number
 * inside a claim cue ("100%") does not count. */
#define COUNT_WEIGHT (-0.25)
#define COUNT_MAX 6
/* A question asks rather than asserts: "Is it safe to take ibuprofen after the covid shot?" */
#define QUESTION_WEIGHT (-0.9)
/* Shouting: at least CAPS_MIN words of three or more letters in capitals, making up at least
 * CAPS_RATIO of the words, outside any cue (so "CDC" or "COVID" never count): "THEY ARE LYING
 * TO YOU ABOUT THE VACCINE". */
#define CAPS_WEIGHT 1.0
#define CAPS_MIN 3
#define CAPS_RATIO 0.3
/* Exclamation marks beyond the first: "share this now!!!" (one "!" is ordinary enthusiasm,
 * "Cover your cough!"). */
#define EXCLAIM_WEIGHT 0.4
#define EXCLAIM_MAX 3
/* A dose in the same sentence as a claim cue turns the claim into advice someone may follow:
 * "take 50,000 IU of vitamin D a day and you will never catch it". */
#define DOSE_WEIGHT 1.0
/* Hits remembered to count each cue entry once ("cure ... cure ... cure" is one cure claim). */
#define SEEN_MAX 64

static const mt_entry *find_cue(const mt_flag_ctx *ctx, const char *key, size_t len)
{
    const mt_entry *e = mt_lexicon_find(ctx->an->cues, key, len);
    return e && (e->tags & MT_TAG_MISINFO) ? e : NULL;
}

/* Tags of other flags' cues that also name a health subject ("ibuprofen", "diabetes"): a word
 * listed by another flag's file keeps counting as a subject here. */
#define SUBJECT_TAGS (MT_TAG_DRUG | MT_TAG_HEALTH_INFO | MT_TAG_REACTION)

/* The host of a URL token's normalized form: "https://www.CDC.gov/flu" gives "cdc.gov" (the
 * tokenizer lowers the host only). */
static void url_host(const char *norm, size_t n, size_t *start, size_t *len)
{
    size_t s = 0;
    for (size_t k = 0; k + 2 < n; k++) {
        if (norm[k] == ':' && norm[k + 1] == '/' && norm[k + 2] == '/') {
            s = k + 3;
            break;
        }
        if (norm[k] == '/' || norm[k] == '.') break; /* no scheme: "cdc.gov/flu" */
    }
    size_t e = s;
    while (e < n && !strchr("/:?#", norm[e])) e++;
    if (e - s > 4 && memcmp(norm + s, "www.", 4) == 0) s += 4;
    *start = s;
    *len = e - s;
}

/* The cue entry of a host, trying its parent domains down to two labels, so that
 * "pubmed.ncbi.nlm.nih.gov" finds "nih.gov" (but "nih.gov" never reaches the word "gov"). */
static const mt_entry *find_host(const mt_flag_ctx *ctx, const char *host, size_t len)
{
    for (;;) {
        const mt_entry *e = find_cue(ctx, host, len);
        if (e) return e;
        const char *dot = memchr(host, '.', len);
        if (!dot || !memchr(dot + 1, '.', len - (size_t)(dot + 1 - host))) return NULL;
        len -= (size_t)(dot + 1 - host);
        host = dot + 1;
    }
}

/* A negation word within NEGATION_REACH tokens before token i, in the same clause. */
static int negated_at(const medtone_tokens *t, size_t i)
{
    for (size_t k = 1; k <= NEGATION_REACH && k <= i; k++) {
        const mt_token *p = &t->tok[i - k];
        if (p->kind == MEDTONE_TOKEN_PUNCT) return 0;
        if (p->flags & MEDTONE_TOKEN_NEGATION) return 1;
    }
    return 0;
}

static size_t count_in_span(const char *s, size_t n, char c)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++) m += s[k] == c;
    return m;
}

/* A question mark that ends a question: after a word, followed by a space or the end. Scraped
 * text often has "??" where curly quotes were ("??COVID is a hoax.??"); those are not questions. */
static int is_question(const mt_flag_ctx *ctx, size_t i)
{
    const medtone_tokens *t = ctx->r->tokens;
    const mt_token *tok = &t->tok[i];
    if (i == 0 || t->tok[i - 1].kind == MEDTONE_TOKEN_PUNCT) return 0;
    size_t q = 0;
    for (size_t k = 0; k < tok->len; k++) {
        char c = ctx->text[tok->off + k];
        if (c == '?') q++;
        else if (c != '!') return 0;
    }
    size_t end = tok->off + tok->len;
    if (!q || q > 3) return 0;
    return end >= ctx->len || strchr(" \t\r\n\"')", ctx->text[end]) != NULL;
}

static int is_mixed_case(const mt_flag_ctx *ctx)
{
    const medtone_tokens *t = ctx->r->tokens;
    int caps = 0, lower = 0;
    for (size_t i = 0; i < t->count && !(caps && lower); i++) {
        const mt_token *tok = &t->tok[i];
        if (tok->kind != MEDTONE_TOKEN_WORD) continue;
        if (tok->flags & MEDTONE_TOKEN_ALLCAPS) {
            caps = 1;
            continue;
        }
        for (size_t k = 0; k < tok->len && !lower; k++) {
            unsigned char c = (unsigned char)ctx->text[tok->off + k];
            lower = (c >= 'a' && c <= 'z');
        }
    }
    return caps && lower;
}

typedef struct acc {
    double claims, reliable, features;
    int topic;
    const mt_entry *seen[SEEN_MAX];
    size_t nseen;
} acc;

/* Nonzero the first time an entry is seen in this text. */
static int first_time(acc *a, const mt_entry *e)
{
    for (size_t k = 0; k < a->nseen; k++)
        if (a->seen[k] == e) return 0;
    if (a->nseen < SEEN_MAX) a->seen[a->nseen++] = e;
    return 1;
}

/* Adds a weighted cue: claims raise the score and are evidence, reliability cues lower it. */
static void add_cue(mt_flag_ctx *ctx, acc *a, const mt_entry *e, double w, size_t off, size_t len)
{
    if (!first_time(a, e)) return;
    if (w > 0) {
        a->claims += w;
        mt_flag_evidence(ctx, MT_FLAG_MISINFO, off, len, e->key);
    } else {
        a->reliable += w;
    }
}

void mt_flag_misinfo(mt_flag_ctx *ctx)
{
    const medtone_tokens *t = ctx->r->tokens;
    const mt_flags_state *f = &ctx->r->flags;
    acc a = {0};
    int mixed = is_mixed_case(ctx);
    size_t words = 0, caps = 0, caps_off = 0, caps_end = 0, counts = 0, marks = 0;
    size_t marks_off = 0, marks_len = 0, links = 0, link_off = 0, link_len = 0;
    int question = 0, dose_done = 0, sentence_claim = 0, sentence_dose = 0;
    size_t dose_off = 0, dose_len = 0;
    size_t h = 0;          /* next cue hit */
    size_t hit_end = 0;    /* tokens before this index are inside a hit */
    int in_claim_hit = 0;  /* the current hit raised the score */

    for (size_t i = 0; i < t->count; i++) {
        const mt_token *tok = &t->tok[i];
        /* Cue hits start here: weigh them (URL hits are weighed by host below). */
        while (h < f->ncues && f->cues[h].tok0 == i) {
            const mt_cue_hit *hit = &f->cues[h++];
            const mt_entry *e = hit->entry;
            hit_end = hit->tok0 + hit->ntok;
            in_claim_hit = 0;
            if (tok->kind == MEDTONE_TOKEN_URL) continue;
            if (!(e->tags & MT_TAG_MISINFO)) {
                /* Another flag's health word: "metformin", "diabetes". */
                if ((e->tags & SUBJECT_TAGS) && !a.topic) {
                    a.topic = 1;
                    mt_flag_evidence(ctx, MT_FLAG_MISINFO, hit->off, hit->len, e->key);
                }
                continue;
            }
            double w = e->valence;
            if (w == 0) {
                if (!a.topic) {
                    a.topic = 1;
                    mt_flag_evidence(ctx, MT_FLAG_MISINFO, hit->off, hit->len, e->key);
                }
                continue;
            }
            if (w > 0 && negated_at(t, hit->tok0)) {
                /* "does not cure", "no miracle cure": a correction, not a claim. */
                a.reliable += w * NEGATED_FACTOR;
                continue;
            }
            add_cue(ctx, &a, e, w, hit->off, hit->len);
            if (w > 0) in_claim_hit = sentence_claim = 1;
        }
        int inside_hit = i < hit_end;

        switch (tok->kind) {
        case MEDTONE_TOKEN_WORD:
            words++;
            /* "WHO" in capitals in a mixed-case text is the agency, not the pronoun; it takes the
             * weight of the "world health organization" entry. */
            if (!inside_hit && mixed && (tok->flags & MEDTONE_TOKEN_ALLCAPS) &&
                tok->norm_len == 3 && memcmp(mt_token_norm(t, i), "who", 3) == 0) {
                const mt_entry *e = find_cue(ctx, "world health organization", 25);
                if (e) add_cue(ctx, &a, e, e->valence, tok->off, tok->len);
                break;
            }
            if (!inside_hit && (tok->flags & MEDTONE_TOKEN_ALLCAPS) && tok->len >= 3) {
                if (!caps) caps_off = tok->off;
                caps_end = tok->off + tok->len;
                caps++;
            }
            break;
        case MEDTONE_TOKEN_URL: {
            size_t hs, hl;
            url_host(mt_token_norm(t, i), tok->norm_len, &hs, &hl);
            const mt_entry *e = hl ? find_host(ctx, mt_token_norm(t, i) + hs, hl) : NULL;
            if (e) {
                add_cue(ctx, &a, e, e->valence, tok->off, tok->len);
            } else if (!links++) {
                link_off = tok->off;
                link_len = tok->len;
            }
            break;
        }
        case MEDTONE_TOKEN_NUMBER:
        case MEDTONE_TOKEN_PERCENT:
        case MEDTONE_TOKEN_DATE:
            if (!(inside_hit && in_claim_hit)) counts++;
            break;
        case MEDTONE_TOKEN_DOSE:
            if (!sentence_dose) {
                dose_off = tok->off;
                dose_len = tok->len;
            }
            sentence_dose = 1;
            break;
        case MEDTONE_TOKEN_PUNCT: {
            const char *s = ctx->text + tok->off;
            size_t m = count_in_span(s, tok->len, '!');
            if (m && !marks) {
                marks_off = tok->off;
                marks_len = tok->len;
            }
            marks += m;
            if (is_question(ctx, i)) question = 1;
            if (strpbrk(mt_token_norm(t, i), ".!?;")) { /* a sentence ends */
                if (sentence_claim && sentence_dose && !dose_done) {
                    dose_done = 1;
                    mt_flag_evidence(ctx, MT_FLAG_MISINFO, dose_off, dose_len, "dose-with-claim");
                }
                sentence_claim = sentence_dose = 0;
            }
            break;
        }
        default: break;
        }
    }
    if (sentence_claim && sentence_dose && !dose_done) {
        dose_done = 1;
        mt_flag_evidence(ctx, MT_FLAG_MISINFO, dose_off, dose_len, "dose-with-claim");
    }

    /* Features of the whole text. */
    if (dose_done) a.features += DOSE_WEIGHT;
    if (links) a.features += LINK_WEIGHT;
    (void)link_off;
    (void)link_len;
    a.features += COUNT_WEIGHT * (double)(counts < COUNT_MAX ? counts : COUNT_MAX);
    if (question) a.features += QUESTION_WEIGHT;
    if (caps >= CAPS_MIN && (double)caps >= CAPS_RATIO * (double)words) {
        a.features += CAPS_WEIGHT;
        mt_flag_evidence(ctx, MT_FLAG_MISINFO, caps_off, caps_end - caps_off, "caps");
    }
    if (marks > 1) {
        a.features += EXCLAIM_WEIGHT * (double)((marks < EXCLAIM_MAX + 1 ? marks : EXCLAIM_MAX + 1) - 1);
        mt_flag_evidence(ctx, MT_FLAG_MISINFO, marks_off, marks_len, "exclamation");
    }

    if (a.reliable < RELIABLE_FLOOR) a.reliable = RELIABLE_FLOOR;
    double z = BIAS + (a.topic ? TOPIC_WEIGHT : 0) + a.claims + a.reliable + a.features;
    double score = 1.0 / (1.0 + exp(-z));
    int evidence = f->nev > 0; /* conservative: any evidence recorded so far in this text */
    mt_flag_set(ctx, MT_FLAG_MISINFO, score, evidence ? ctx->r->compound : 0);
}
