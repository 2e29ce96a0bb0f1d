/* crisis.c — the crisis flag: self-harm and suicidal statements, threats of violence, medical
 * emergencies happening now, outbreaks, disasters and mass events. A post that raises it must
 * reach a person now, so the flag leans to recall (design and measurements: docs/flags/crisis.md).
 *
 * The words live in lexicons/cues-crisis.tsv; each crisis cue carries a weight. This file adds
 * what a word list cannot see, the grammar around each cue, within its sentence:
 *   - a first person before it ("I", "I'm", "my dad"): the writer is the one at risk or is
 *     reporting someone close to them, the strongest signal;
 *   - intent before it ("going to", "want to", "planning") or a time after it ("tonight");
 *   - "now" in the sentence ("right now", "currently"): happening as the post is written;
 *   - a place or person of the organization in the sentence ("the ER", "the nurse"): a threat
 *     against staff or an emergency at a facility;
 *   - a negation just before it ("I'm not suicidal", "I would never hurt myself"): damped;
 *   - figurative and not-current cues (negative weights: "killing me", "years ago", "lol"):
 *     damp the crisis cues of their sentence strongly and of the rest of the text a little.
 * The damped weights add up to a raw sum r, and the score is 1 - exp(-r / SCALE): a single
 * strong cue ("kill myself") fires alone, a weak one ("heart attack") needs context.
 */
#include <math.h>
#include <string.h>

#include "flags.h"
#include "result.h"
#include "tokenize.h"

/* "my dad collapsed": a first person in the sentence before the cue. */
#define FIRST_PERSON_GAIN 1.4
/* "I'm going to hurt someone", "ending it tonight". */
#define INTENT_GAIN 1.3
/* "my chest pain is crushing right now". */
#define NOW_GAIN 1.3
/* "I'm going to shoot the receptionist", "fire in the ER". */
#define FACILITY_GAIN 1.25
/* "I'm not suicidal, just exhausted": damped, not dropped (negation is often rhetorical). */
#define NEGATED_FACTOR 0.3
/* How far back (in tokens) a first person, an intent word or a negation may stand. */
#define FIRST_PERSON_REACH 8
#define INTENT_REACH       5
#define NEGATION_REACH     3
/* How far after the cue a time word counts as intent ("end it tonight"). */
#define TIME_AFTER_REACH 4
/* Each unit of negative weight in the cue's sentence divides by 1 + DAMP_SENTENCE * weight; in
 * the rest of the text by DAMP_TEXT (a joke in one sentence barely excuses the next one). */
#define DAMP_SENTENCE 0.5
#define DAMP_TEXT     0.15
/* Raw sum -> score: 1 - exp(-r / SCALE). A weight of 1.75 reaches the default threshold 0.35;
 * 4 gives 0.63. */
#define SCALE 4.0
/* Evidence gathered for one sentence before it is put in text order and recorded. */
#define PENDING_MAX 64

/* ---------------------------------------------------------------------------------------------
 * The grammar words: a closed set of pronouns, auxiliaries and time words, not vocabulary.
 * ------------------------------------------------------------------------------------------- */

static const char *const first_person_words[] = {
    "i",  "i'm",  "im",     "i've", "ive",   "i'll",  "i'd", "me",
    "my", "mine", "myself", "we",   "we're", "we've", "our", "us",
};

/* Before the cue: "going to", "gonna", "want to", "will", "thinking about", "ready to". */
static const char *const intent_words[] = {
    "going", "gonna",    "gunna",       "finna",   "want",  "wanna",    "will",    "i'll",
    "we'll", "he'll",    "she'll",      "they'll", "plan",  "planning", "planned", "about",
    "ready", "thinking", "considering", "decided", "tryna", "trying",
};

/* After the cue: "I'm ending it tonight". */
static const char *const time_after_words[] = {"tonight", "tomorrow", "today", "soon"};

/* Anywhere in the sentence: the event is under way. */
static const char *const now_words[] = {"now",       "rn",   "tonight",     "currently",
                                        "happening", "asap", "immediately", "hurry"};

static int in_list(const char *w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(w, list[i])) return 1;
    return 0;
}

#define IN_LIST(w, list) in_list((w), (list), sizeof(list) / sizeof((list)[0]))

static int is_punct(const medtone_tokens *t, size_t i)
{
    return t->tok[i].kind == MEDTONE_TOKEN_PUNCT;
}

/* Sentences end at . ! ? ; (and their runs), like the scorer's. */
static int ends_sentence(const medtone_tokens *t, size_t i)
{
    return is_punct(t, i) && strpbrk(mt_token_norm(t, i), ".!?;") != NULL;
}

/* "not", "never", "don't", "nobody" ... but "can't stop thinking about it" affirms. */
static int is_negation(const medtone_tokens *t, size_t i)
{
    const char *w = mt_token_norm(t, i);
    if (!(t->tok[i].flags & MEDTONE_TOKEN_NEGATION) && strcmp(w, "nobody") != 0 &&
        strcmp(w, "never") != 0)
        return 0;
    return !(i + 1 < t->count && !strcmp(mt_token_norm(t, i + 1), "stop"));
}

/* ---------------------------------------------------------------------------------------------
 * Evidence in text order
 * ------------------------------------------------------------------------------------------- */

typedef struct pending {
    size_t off, len;
    const char *cue;
} pending;

typedef struct pending_list {
    pending ev[PENDING_MAX];
    size_t n;
} pending_list;

static void flush(mt_flag_ctx *ctx, pending_list *p)
{
    /* Insertion sort: a sentence holds a handful of pieces. */
    for (size_t i = 1; i < p->n; i++) {
        pending x = p->ev[i];
        size_t j = i;
        while (j > 0 && p->ev[j - 1].off > x.off) {
            p->ev[j] = p->ev[j - 1];
            j--;
        }
        p->ev[j] = x;
    }
    for (size_t i = 0; i < p->n && !ctx->oom; i++)
        mt_flag_evidence(ctx, MT_FLAG_CRISIS, p->ev[i].off, p->ev[i].len, p->ev[i].cue);
    p->n = 0;
}

/* Adds one piece, once: two cues after one "I" share its evidence. */
static void add(mt_flag_ctx *ctx, pending_list *p, size_t off, size_t len, const char *cue)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->ev[i].off == off && p->ev[i].len == len && !strcmp(p->ev[i].cue, cue)) return;
    if (p->n == PENDING_MAX) flush(ctx, p);
    p->ev[p->n++] = (pending){off, len, cue};
}

/* The byte span from token a to the end of token b (a <= b). */
static void token_span(const medtone_tokens *t, size_t a, size_t b, size_t *off, size_t *len)
{
    *off = t->tok[a].off;
    *len = t->tok[b].off + t->tok[b].len - t->tok[a].off;
}

/* ---------------------------------------------------------------------------------------------
 * The rules for one cue
 * ------------------------------------------------------------------------------------------- */

/* The nearest first person within FIRST_PERSON_REACH tokens before token i, in the sentence that
 * starts at s0, or (size_t)-1. Crosses commas: "my dad, he collapsed". */
static size_t first_person_before(const medtone_tokens *t, size_t s0, size_t i)
{
    for (size_t k = 1; k <= FIRST_PERSON_REACH && i >= s0 + k; k++)
        if (IN_LIST(mt_token_norm(t, i - k), first_person_words)) return i - k;
    return (size_t)-1;
}

/* The intent word within INTENT_REACH tokens before token i and in its clause, or (size_t)-1. */
static size_t intent_before(const medtone_tokens *t, size_t s0, size_t i)
{
    for (size_t k = 1; k <= INTENT_REACH && i >= s0 + k; k++) {
        if (is_punct(t, i - k)) break;
        if (IN_LIST(mt_token_norm(t, i - k), intent_words)) return i - k;
    }
    return (size_t)-1;
}

/* A time word within TIME_AFTER_REACH tokens after token `end` (exclusive), before s1. */
static size_t time_after(const medtone_tokens *t, size_t end, size_t s1)
{
    for (size_t i = end; i < s1 && i < end + TIME_AFTER_REACH; i++) {
        if (is_punct(t, i)) break;
        if (IN_LIST(mt_token_norm(t, i), time_after_words)) return i;
    }
    return (size_t)-1;
}

static int negated_before(const medtone_tokens *t, size_t s0, size_t i)
{
    for (size_t k = 1; k <= NEGATION_REACH && i >= s0 + k; k++) {
        if (is_punct(t, i - k)) break;
        if (is_negation(t, i - k)) return 1;
    }
    return 0;
}

/* Weight of one crisis cue after its grammar, with the evidence it earns. */
static double weigh_cue(mt_flag_ctx *ctx, pending_list *p, const mt_cue_hit *h, size_t s0,
                        size_t s1, const mt_cue_hit *facility)
{
    const medtone_tokens *t = ctx->r->tokens;
    double w = h->entry->valence;
    size_t off, len;

    size_t fp = first_person_before(t, s0, h->tok0);
    size_t intent = intent_before(t, s0, h->tok0);
    size_t later = time_after(t, h->tok0 + h->ntok, s1);
    int has_intent = intent != (size_t)-1 || later != (size_t)-1;

    if (fp != (size_t)-1) {
        w *= FIRST_PERSON_GAIN;
        if (has_intent) {
            /* "I'm going to" + "kill myself": the pronoun through the intent word. */
            size_t last = intent != (size_t)-1 && intent > fp ? intent : fp;
            token_span(t, fp, last, &off, &len);
            add(ctx, p, off, len, "first-person-intent");
        } else {
            token_span(t, fp, fp, &off, &len);
            add(ctx, p, off, len, "first-person");
        }
    } else if (has_intent) {
        size_t at = intent != (size_t)-1 ? intent : later;
        token_span(t, at, at, &off, &len);
        add(ctx, p, off, len, "intent");
    }
    if (has_intent) w *= INTENT_GAIN;
    /* A facility raises threats ("I'm going to hurt the nurse") and reports of events there
     * ("fire in the ER"), but not a patient's own story: "the ER said my chest pain was
     * anxiety" is where emergencies are treated, not a new one. */
    if (facility && (fp == (size_t)-1 || has_intent)) {
        w *= FACILITY_GAIN;
        add(ctx, p, facility->off, facility->len, "at-facility");
    }
    if (negated_before(t, s0, h->tok0)) w *= NEGATED_FACTOR;
    add(ctx, p, h->off, h->len, h->entry->key);
    return w;
}

/* ---------------------------------------------------------------------------------------------
 * The flag
 * ------------------------------------------------------------------------------------------- */

static int is_crisis(const mt_cue_hit *h)
{
    return (h->entry->tags & MT_TAG_CRISIS) != 0;
}

void mt_flag_crisis(mt_flag_ctx *ctx)
{
    const mt_flags_state *f = &ctx->r->flags;
    const medtone_tokens *t = ctx->r->tokens;
    const mt_cue_hit *hits = f->cues;
    pending_list p;
    p.n = 0;

    double damp_total = 0;
    for (size_t i = 0; i < f->ncues; i++)
        if (is_crisis(&hits[i]) && hits[i].entry->valence < 0) damp_total -= hits[i].entry->valence;

    double raw = 0;
    int any = 0;
    size_t cursor = 0, s0 = 0; /* token cursor; first token of its sentence */
    for (size_t a = 0; a < f->ncues;) {
        /* The sentence of hit a: [s0, s1) in tokens; its hits: [a, b). */
        for (; cursor < hits[a].tok0; cursor++)
            if (ends_sentence(t, cursor)) s0 = cursor + 1;
        size_t s1 = cursor;
        while (s1 < t->count && !ends_sentence(t, s1))
            s1++;
        size_t b = a;
        while (b < f->ncues && hits[b].tok0 < s1)
            b++;

        double damp_here = 0;
        size_t facility = (size_t)-1, positive = 0;
        for (size_t i = a; i < b; i++) {
            const mt_entry *e = hits[i].entry;
            if (is_crisis(&hits[i]) && e->valence < 0) damp_here -= e->valence;
            if (is_crisis(&hits[i]) && e->valence > 0) positive++;
            if ((e->tags & (MT_TAG_ORG | MT_TAG_ASPECT_ALL)) && facility == (size_t)-1)
                facility = i;
        }
        if (positive > 0) {
            size_t now = (size_t)-1;
            for (size_t i = s0; i < s1 && now == (size_t)-1; i++)
                if (IN_LIST(mt_token_norm(t, i), now_words)) now = i;
            /* "right now" is the two-word form of the same marker. */
            double gain = 1.0;
            if (now != (size_t)-1) {
                gain *= NOW_GAIN;
                size_t from =
                    now > s0 && !strcmp(mt_token_norm(t, now - 1), "right") ? now - 1 : now;
                size_t off, len;
                token_span(t, from, now, &off, &len);
                add(ctx, &p, off, len, "happening-now");
            }
            double damp = 1.0 + DAMP_SENTENCE * damp_here + DAMP_TEXT * (damp_total - damp_here);
            for (size_t i = a; i < b; i++) {
                if (!is_crisis(&hits[i]) || !(hits[i].entry->valence > 0)) continue;
                raw += weigh_cue(ctx, &p, &hits[i], s0, s1,
                                 facility != (size_t)-1 ? &hits[facility] : NULL) *
                       gain / damp;
                any = 1;
            }
            flush(ctx, &p);
        }
        cursor = s1;
        a = b;
    }
    mt_flag_set(ctx, MT_FLAG_CRISIS, any ? 1.0 - exp(-raw / SCALE) : 0.0,
                any ? ctx->r->compound : 0.0);
}
