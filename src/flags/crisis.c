/* crisis.c — the crisis flag: self-harm and suicidal statements, threats of violence, medical
 * emergencies happening now, outbreaks, disasters and mass events. A post that raises it must
 * reach a person now, so the flag leans to recall (design and measurements: docs/flags/crisis.md).
 *
 * The words live in lexicons/cues-crisis.tsv; each crisis cue carries a weight. This file adds
 * what a word list cannot see, the grammar around each cue, within its sentence:
 *   - a first person before it ("I", "I'm", "my dad"), unless another subject comes between:
 *     the writer is the one at risk or reports someone close, the strongest signal;
 *   - intent before it ("going to", "want to", "planning") or a time after it ("tonight");
 *   - "now" near it, in its clause ("right now", "currently", a shouted "HELP");
 *   - a place or person of the organization in the sentence ("the ER", "the nurse"), more when
 *     it follows the cue as its object ("hurt the doctor"): a threat against staff, an event at
 *     a facility;
 *   - a negation just before it ("I'm not suicidal", "I would never hurt myself"): damped;
 *   - figurative and not-current cues (negative weights: "killing me", "years ago", "lol") and
 *     years ("in 2019"): damp the cues of their sentence strongly, the rest of the text a little.
 * The damped weights add up to a raw sum r, and the score is 1 - exp(-r / SCALE): a single
 * strong cue ("kill myself") fires alone, a weak one ("heart attack") needs context.
 */
#include <math.h>
#include <string.h>

#include "analyzer.h"
#include "flags.h"
#include "result.h"
#include "tokenize.h"

/* "my dad collapsed": a first person in the sentence before the cue. */
#define FIRST_PERSON_GAIN 1.4
/* "I'm going to hurt someone", "ending it tonight". */
#define INTENT_GAIN 1.3
/* "my chest pain is crushing right now". */
#define NOW_GAIN 1.3
/* "shooting at the hospital", "fire in the ER": the organization in the sentence. */
#define FACILITY_GAIN 1.25
/* "he'll come back and hurt the doctor", "kill that surgeon": the organization right after the
 * cue, as its object or its place, within OBJECT_REACH tokens. */
#define OBJECT_GAIN  1.6
#define OBJECT_REACH 3
/* "I'm not suicidal, just exhausted": damped, not dropped (negation is often rhetorical). */
#define NEGATED_FACTOR 0.3
/* How far back (in tokens) a first person, an intent word or a negation may stand. */
#define FIRST_PERSON_REACH 8
#define INTENT_REACH       5
#define NEGATION_REACH     3
/* How far after the cue a time word counts as intent ("end it tonight"). */
#define TIME_AFTER_REACH 4
/* How near (in tokens, either side) a "now" word must stand: "now I can't find my results" is
 * a discourse word, "collapsed just now" a time. */
#define NOW_REACH 5
/* Each unit of negative weight in the cue's sentence divides by 1 + DAMP_SENTENCE * weight; in
 * the rest of the text by DAMP_TEXT (a joke in one sentence barely excuses the next one). */
#define DAMP_SENTENCE 0.5
#define DAMP_TEXT     0.15
/* A year in the text damps like a not-current cue of this weight. */
#define YEAR_DAMP 1.0
/* Raw sum -> score: 1 - exp(-r / SCALE). A weight of 1.75 reaches the default threshold 0.35;
 * 4 gives 0.63. */
#define SCALE 4.0
/* "I took 20 of my sleeping pills": taking a count of pills this large is an overdose described
 * by its shape (a verb, a number, a pill word) rather than by a phrase; it weighs like a strong
 * cue. PILL_COUNT_MIN is the smallest count; the reaches are in tokens. */
#define PILL_COUNT_WEIGHT 3.0
#define PILL_COUNT_MIN    10
#define PILL_COUNT_REACH  4
#define PILL_COUNT_CUE    "pill-count"
/* Evidence gathered for one sentence before it is put in text order and recorded. */
#define PENDING_MAX 64

/* ---------------------------------------------------------------------------------------------
 * The grammar words: a closed set of pronouns, auxiliaries and time words, not vocabulary.
 * ------------------------------------------------------------------------------------------- */

static const char *const first_person_words[] = {
    "i", "i'm", "im", "i've", "ive", "i'll", "i'd", "me", "my", "mine", "myself", "we", "we're",
};

/* A subject between the first person and the cue takes it over: "I swear they want us all to
 * die" is about them, "my dad says he can't breathe" about him (the cue then stands alone). */
static const char *const other_subject_words[] = {
    "he", "he's", "she", "she's", "they", "they're", "you", "you're", "it", "it's",
};

/* Before the cue: "going to", "gonna", "want to", "will", "thinking of", "ready to" ("about"
 * only as "about to", see intent_before). */
static const char *const intent_words[] = {
    "going", "gonna",    "gunna",       "finna",   "want",  "wanna",    "will",    "i'll",
    "we'll", "he'll",    "she'll",      "they'll", "plan",  "planning", "planned", "about",
    "ready", "thinking", "considering", "decided", "tryna", "bringing",
};

/* After the cue: "I'm ending it tonight". */
static const char *const time_after_words[] = {"tonight", "tomorrow", "soon"};

/* Words that link a cue to the place after it: "fire in the ER", "shoot up this clinic". */
static const char *const linking_words[] = {"the", "a",  "an", "this", "that",
                                            "in",  "at", "of", "on",   "to"};

/* Near the cue: the event is under way. */
static const char *const now_words[] = {"now",       "rn",   "tonight",     "currently",
                                        "happening", "asap", "immediately", "hurry"};

/* The pill count ("took 20 of my sleeping pills", see pill_count). */
static const char *const swallow_words[] = {"took", "swallowed", "downed", "taken", "ate"};
static const char *const pill_words[] = {"pills", "pill",     "tablets", "tablet",
                                         "tabs",  "capsules", "meds",    "sleeping"};
static const char *const count_words[] = {"ten",    "twelve", "fifteen", "twenty",
                                          "thirty", "forty",  "fifty",   "dozen"};

/* "12 pills a day", "20 tablets daily", "each week": a regimen, not an overdose. */
static const char *const regimen_words[] = {"day",   "daily", "week", "weekly",
                                            "every", "each",  "per"};

/* Each list as one bit of a word's class. */
enum {
    L_FIRST_PERSON = 1u << 0,
    L_OTHER_SUBJECT = 1u << 1,
    L_INTENT = 1u << 2,
    L_TIME_AFTER = 1u << 3,
    L_LINKING = 1u << 4,
    L_NOW = 1u << 5,
    L_SWALLOW = 1u << 6,
    L_PILL = 1u << 7,
    L_COUNT = 1u << 8,
    L_REGIMEN = 1u << 9,
};

#define LIST(list, bit) {(list), sizeof(list) / sizeof((list)[0]), (bit)}
static const struct word_list {
    const char *const *words;
    size_t n;
    unsigned bit;
} word_lists[] = {
    LIST(first_person_words, L_FIRST_PERSON), LIST(other_subject_words, L_OTHER_SUBJECT),
    LIST(intent_words, L_INTENT),             LIST(time_after_words, L_TIME_AFTER),
    LIST(linking_words, L_LINKING),           LIST(now_words, L_NOW),
    LIST(swallow_words, L_SWALLOW),           LIST(pill_words, L_PILL),
    LIST(count_words, L_COUNT),               LIST(regimen_words, L_REGIMEN),
};
#define WORD_LISTS (sizeof word_lists / sizeof word_lists[0])

int mt_flag_crisis_words(mt_wordset *ws)
{
    size_t max = 0;
    for (size_t l = 0; l < WORD_LISTS; l++)
        max += word_lists[l].n;
    if (mt_wordset_init(ws, max) != 0) return -1;
    for (size_t l = 0; l < WORD_LISTS; l++)
        if (mt_wordset_put_list(ws, word_lists[l].words, word_lists[l].n, word_lists[l].bit) != 0)
            return -1;
    return 0;
}

/* The lists a word is in, walked one by one: for an analyzer without the set. */
static unsigned word_bits_slow(const char *w)
{
    unsigned bits = 0;
    for (size_t l = 0; l < WORD_LISTS; l++)
        for (size_t k = 0; k < word_lists[l].n; k++)
            if (!strcmp(w, word_lists[l].words[k])) bits |= word_lists[l].bit;
    return bits;
}

/* The lists token i is in (L_* bits): one probe by the token's hash in the analyzer's set. */
static inline unsigned word_bits(const medtone_result *r, size_t i)
{
    const char *w = mt_token_norm(r->tokens, i);
    const mt_wordset *ws = &r->analyzer->words[MT_WORDS_CRISIS];
    if (!ws->slots) return word_bits_slow(w);
    return mt_wordset_get(ws, w, r->tokens->tok[i].norm_len, mt_token_hash(r, i));
}

static int in_list(const medtone_result *r, size_t i, unsigned bit)
{
    return (word_bits(r, i) & bit) != 0;
}

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
static size_t first_person_before(const medtone_result *r, size_t s0, size_t i)
{
    for (size_t k = 1; k <= FIRST_PERSON_REACH && i >= s0 + k; k++) {
        unsigned bits = word_bits(r, i - k);
        if (bits & L_FIRST_PERSON) return i - k;
        if (bits & L_OTHER_SUBJECT) break;
    }
    return (size_t)-1;
}

/* The intent word within INTENT_REACH tokens before token i and in its clause, or (size_t)-1. */
static size_t intent_before(const medtone_result *r, size_t s0, size_t i)
{
    const medtone_tokens *t = r->tokens;
    for (size_t k = 1; k <= INTENT_REACH && i >= s0 + k; k++) {
        if (is_punct(t, i - k)) break;
        const char *w = mt_token_norm(t, i - k);
        /* "reading about the outbreak" is no intent; "about to" is. */
        if (!strcmp(w, "about") && strcmp(mt_token_norm(t, i - k + 1), "to") != 0) continue;
        if (in_list(r, i - k, L_INTENT)) return i - k;
    }
    return (size_t)-1;
}

/* A time word within TIME_AFTER_REACH tokens after token `end` (exclusive), before s1. */
static size_t time_after(const medtone_result *r, size_t end, size_t s1)
{
    const medtone_tokens *t = r->tokens;
    for (size_t i = end; i < s1 && i < end + TIME_AFTER_REACH; i++) {
        if (is_punct(t, i)) break;
        if (in_list(r, i, L_TIME_AFTER)) return i;
    }
    return (size_t)-1;
}

/* A "now" word within NOW_REACH tokens of the cue [i, end), in its clause of the sentence
 * [s0, s1): "I used to self harm as a teen, now I volunteer" is no present. */
static size_t now_near(const medtone_result *r, size_t s0, size_t s1, size_t i, size_t end)
{
    const medtone_tokens *t = r->tokens;
    size_t from = i > s0 + NOW_REACH ? i - NOW_REACH : s0;
    for (size_t k = i; k > from; k--)
        if (is_punct(t, k - 1)) {
            from = k;
            break;
        }
    for (size_t k = from; k < s1 && k < end + NOW_REACH; k++) {
        if (is_punct(t, k)) break;
        const char *w = mt_token_norm(t, k);
        if (in_list(r, k, L_NOW)) return k;
        /* "HELP my dad fell": a shouted call for help. */
        if (!strcmp(w, "help") && (t->tok[k].flags & MEDTONE_TOKEN_ALLCAPS)) return k;
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
static double weigh_cue(mt_flag_ctx *ctx, pending_list *p, const mt_cue_hit *h, double weight,
                        size_t s0, size_t s1, const mt_cue_hit *facility)
{
    const medtone_tokens *t = ctx->r->tokens;
    double w = weight;
    size_t off, len;

    size_t fp = first_person_before(ctx->r, s0, h->tok0);
    size_t intent = intent_before(ctx->r, s0, h->tok0);
    size_t later = time_after(ctx->r, h->tok0 + h->ntok, s1);
    int has_intent = intent != (size_t)-1 || later != (size_t)-1;

    if (fp != (size_t)-1) {
        w *= FIRST_PERSON_GAIN;
        if (has_intent) {
            /* "I'm going to" + "kill myself": the pronoun through the words before the cue. */
            size_t last = intent != (size_t)-1 && intent > fp ? h->tok0 - 1 : fp;
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
    size_t now = now_near(ctx->r, s0, s1, h->tok0, h->tok0 + h->ntok);
    if (now != (size_t)-1) {
        /* "right now" is the two-word form of the same marker. */
        size_t from = now > s0 && !strcmp(mt_token_norm(t, now - 1), "right") ? now - 1 : now;
        token_span(t, from, now, &off, &len);
        add(ctx, p, off, len, "happening-now");
        w *= NOW_GAIN;
    }
    /* A facility raises threats ("I'm going to hurt the nurse") and reports of events there
     * ("fire in the ER"), but not a patient's own story: "the ER said my chest pain was
     * anxiety" is where emergencies are treated, not a new one. */
    size_t end = h->tok0 + h->ntok;
    /* Right next to it, the cue names the place ("the seizure clinic", "stroke unit"): no event
     * there, unless the cue ends in a preposition or determiner ("fire in the" + "ER"). */
    int joined = !in_list(ctx->r, end - 1, L_LINKING);
    if (facility && facility->tok0 == end && joined) facility = NULL;
    if (facility && (fp == (size_t)-1 || has_intent)) {
        int object = facility->tok0 >= end && facility->tok0 < end + OBJECT_REACH;
        w *= object ? OBJECT_GAIN : FACILITY_GAIN;
        add(ctx, p, facility->off, facility->len, "at-facility");
    }
    if (negated_before(t, s0, h->tok0)) w *= NEGATED_FACTOR;
    add(ctx, p, h->off, h->len, h->entry ? h->entry->key : PILL_COUNT_CUE);
    return w;
}

/* ---------------------------------------------------------------------------------------------
 * The pill count
 * ------------------------------------------------------------------------------------------- */


static int regimen_after(const medtone_result *r, size_t i, size_t s1)
{
    for (size_t k = i; k < s1 && k < i + 3; k++)
        if (in_list(r, k, L_REGIMEN)) return 1;
    return 0;
}

/* A count of at least PILL_COUNT_MIN: "20", "1,000", "twenty", "a dozen". */
static int is_big_count(const medtone_result *r, size_t i)
{
    const medtone_tokens *t = r->tokens;
    const char *w = mt_token_norm(t, i);
    if (t->tok[i].kind == MEDTONE_TOKEN_WORD) return in_list(r, i, L_COUNT);
    if (t->tok[i].kind != MEDTONE_TOKEN_NUMBER) return 0;
    long v = 0;
    for (; *w && v < PILL_COUNT_MIN; w++) {
        if (*w == ',') continue;
        if (*w < '0' || *w > '9') break;
        v = v * 10 + (*w - '0');
    }
    return v >= PILL_COUNT_MIN;
}

/* A pill word, or a drug the drug cues name ("took 30 of my zoloft"), at token i. */
static int is_pill(const mt_flag_ctx *ctx, size_t i, size_t a, size_t b)
{
    if (in_list(ctx->r, i, L_PILL)) return 1;
    /* The hits are in token order: binary search for one starting at token i. */
    const mt_cue_hit *hits = ctx->r->flags.cues;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (hits[mid].tok0 < i)
            a = mid + 1;
        else
            b = mid;
    }
    return a < ctx->r->flags.ncues && hits[a].tok0 == i && (hits[a].entry->tags & MT_TAG_DRUG);
}

/* The first "took 20 ... pills" in the sentence [s0, s1) whose cue hits are [a, b), as a hit
 * without a lexicon entry; 0 when there is none. */
static int pill_count(const mt_flag_ctx *ctx, size_t s0, size_t s1, size_t a, size_t b,
                      mt_cue_hit *out)
{
    const medtone_tokens *t = ctx->r->tokens;
    for (size_t v = s0; v < s1; v++) {
        if (!in_list(ctx->r, v, L_SWALLOW)) continue;
        for (size_t n = v + 1; n < s1 && n <= v + PILL_COUNT_REACH; n++) {
            if (!is_big_count(ctx->r, n)) continue;
            for (size_t q = n + 1; q < s1 && q <= n + PILL_COUNT_REACH; q++) {
                if (is_punct(t, q)) break;
                if (!is_pill(ctx, q, a, b)) continue;
                if (regimen_after(ctx->r, q + 1, s1)) return 0;
                out->tok0 = v;
                out->ntok = q - v + 1;
                out->off = t->tok[v].off;
                out->len = t->tok[q].off + t->tok[q].len - t->tok[v].off;
                out->entry = NULL;
                return 1;
            }
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * The flag
 * ------------------------------------------------------------------------------------------- */

/* The crisis weight of a cue: the weight cues-crisis.tsv (or a user crisis layer) gave it. A term
 * that other cue files list too ("chest pain" is also an adverse reaction) keeps each family's
 * weight apart (mt_cue_weight), so a reaction weight never reads as a crisis weight. */
static double crisis_weight(const mt_flag_ctx *ctx, const mt_cue_hit *h)
{
    (void)ctx;
    if (!(h->entry->tags & MT_TAG_CRISIS)) return 0;
    return mt_cue_weight(h->entry, MT_CUE_CRISIS);
}

/* A year ("in 2019", "the 2017 hurricane") dates a story: a present emergency rarely names one. */
static int is_year(const medtone_tokens *t, size_t i)
{
    const char *w = mt_token_norm(t, i);
    return t->tok[i].kind == MEDTONE_TOKEN_NUMBER && t->tok[i].norm_len == 4 &&
           (!strncmp(w, "19", 2) || !strncmp(w, "20", 2)) && strspn(w, "0123456789") == 4;
}

/* A place or person of the organization ("the ER", "the nurse"): an org or staff cue that names
 * it (cues-aspects.tsv weighs those 1-2.5). Not every aspect ("the patient portal" is no place a
 * threat or a fire happens), not the writer's own state ("my throat": negative), and not a
 * complaint phrase (3 and more: "never going back"). */
static int is_facility(const mt_cue_hit *h)
{
    double w = mt_cue_weight(h->entry, MT_CUE_ASPECT);
    return (h->entry->tags & (MT_TAG_ORG | MT_TAG_ASPECT_STAFF)) && w > 0 && w < 3;
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
        damp_total += fmax(0, -crisis_weight(ctx, &hits[i]));
    for (size_t i = 0; i < t->count; i++)
        if (is_year(t, i)) damp_total += YEAR_DAMP;

    double raw = 0;
    int any = 0;
    /* Sentence by sentence: tokens [s0, s1), cue hits [a, b). */
    for (size_t s0 = 0, s1, a = 0; s0 < t->count; s0 = s1 + 1) {
        for (s1 = s0; s1 < t->count && !ends_sentence(t, s1);)
            s1++;
        size_t b = a;
        while (b < f->ncues && hits[b].tok0 < s1)
            b++;

        double damp_here = 0;
        size_t place[2] = {(size_t)-1, (size_t)-1}, positive = 0;
        for (size_t i = a; i < b; i++) {
            double w = crisis_weight(ctx, &hits[i]);
            if (w < 0) damp_here -= w;
            if (w > 0) positive++;
            if (is_facility(&hits[i])) {
                if (place[0] == (size_t)-1)
                    place[0] = i;
                else if (place[1] == (size_t)-1)
                    place[1] = i;
            }
        }
        mt_cue_hit pills;
        int has_pills = pill_count(ctx, s0, s1, a, b, &pills);
        if (positive > 0 || has_pills) {
            for (size_t i = s0; i < s1; i++)
                if (is_year(t, i)) damp_here += YEAR_DAMP;
            double damp = 1.0 + DAMP_SENTENCE * damp_here + DAMP_TEXT * (damp_total - damp_here);
            for (size_t i = a; i < b; i++) {
                double w = crisis_weight(ctx, &hits[i]);
                if (!(w > 0)) continue;
                /* An "ambulance" is both a cue and a place: it is not at itself. */
                size_t at = place[0] != i ? place[0] : place[1];
                raw +=
                    weigh_cue(ctx, &p, &hits[i], w, s0, s1, at != (size_t)-1 ? &hits[at] : NULL) /
                    damp;
            }
            if (has_pills)
                raw += weigh_cue(ctx, &p, &pills, PILL_COUNT_WEIGHT, s0, s1,
                                 place[0] != (size_t)-1 ? &hits[place[0]] : NULL) /
                       damp;
            any = 1;
            flush(ctx, &p);
        }
        a = b;
    }
    mt_flag_set(ctx, MT_FLAG_CRISIS, any ? 1.0 - exp(-raw / SCALE) : 0.0,
                any ? ctx->r->compound : 0.0);
}
