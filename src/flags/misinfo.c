/* misinfo.c — the misinformation flag: a health claim that a communications team should check or
 * counter. See docs/flags/misinfo.md for the design and the measured results.
 *
 * The score is a hand-weighted logistic model over explainable cues:
 *
 *     z = BIAS
 *       + SUBJECT_WEIGHT          once, when the post names a health subject ("vaccine", "covid")
 *       + claim cues              cue weight > 0 (cures, conspiracy, anti-vaccine, urgency, ...),
 *                                 each entry once per text
 *       + reliability cues        cue weight < 0 (sources, hedges, official style, first person),
 *                                 and other flags' cues of personal experience, every
 *                                 occurrence, together no lower than RELIABLE_FLOOR
 *       + shape features          links (and a link citing a finished sentence), mentions,
 *                                 hashtags, counts, questions, emoji, a person's voice, a
 *                                 correction, a bare one-sentence assertion, a leading label or
 *                                 a trailing attribution, lower case at the start,
 *                                 context and detail, shouting, a statement, a quotation,
 *                                 exclamation marks, a dose next to a claim
 *     score = 1 / (1 + e^-z)
 *
 * The weight of every word, phrase and web domain lives in lexicons/cues-misinfo.tsv (the
 * valence column of a cue line); the constants below weigh what the tokens show by their kind
 * and shape. Claims are weighed a sentence at a time: a sentence that denies ("garlic does not
 * prevent COVID-19") cancels its claim cues, and a question halves them; a light claim cue
 * counts only in a post about a health subject. Evidence is what raised the score, in text
 * order: the claim cues, the first health subject, an unreliable domain, a dose next to a claim,
 * a quotation, shouting and exclamation marks.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "analyzer.h"
#include "flags.h"
#include "result.h"
#include "tokenize.h"

/* A text with no cue at all is no claim worth countering ("Great game last night!"): it stays
 * under the threshold (0.475). Nothing but a claim cue can raise a text without a health
 * subject (the shape features count only with a subject or a claim), so the bias only orders
 * such texts against health posts: a claim that names no subject word ("Tom Hanks is dead", "the
 * internet will crash because of the lockdown") is no less likely false than one that does. */
#define BIAS (-0.1)
/* A health subject turns a bare statement into a health claim: "Parcels from China can spread
 * Covid-19" carries no other cue, and posts like it are what fact-checkers are asked about. Alone
 * it reaches 0.79 (BIAS + SUBJECT_WEIGHT = 1.3); a first-person story, a question, a source or an
 * official style pulls it back under the threshold. The sum is what the threshold sees; the
 * share of the subject in it was 1.6 until measured: 1.4 ranks better on every source. */
#define SUBJECT_WEIGHT 1.4
/* Reliability cues together lower z by at most this much, so that a false claim dressed as an
 * update ("UPDATE: 5 new cases today. Garlic water cures it, share!") can still fire. */
#define RELIABLE_FLOOR (-4.0)
/* A claim cue right after a negation is a correction and counts a little against the flag:
 * "there is no miracle cure", "not a hoax". Right before one, the negation denies what the cue
 * names and the cue counts nothing: "bleach does not kill the virus". Negations inside a cue
 * phrase ("doctors won't tell you") belong to the phrase. */
#define NEGATED_FACTOR (-0.3)
#define NEGATION_REACH 3
/* A claim cue in a question counts this share of its weight: "Does the flu shot cause autism?" is
 * a worry to answer, not a claim to counter. The text as a whole gets QUESTION_WEIGHT. */
#define QUESTION_FACTOR 0.5
#define QUESTION_WEIGHT (-0.7)
/* A post that corrects a claim ("Drinking hot water does not cure the flu") is on the side of the
 * counter-message: once any sentence denies, z is lowered by this much. */
#define CORRECTION_WEIGHT (-1.0)
/* A link points to a source: "Learn more: https://t.co/x". A link to a domain that the cue file
 * knows takes that domain's weight instead ("cdc.gov -2", "naturalnews.com +3"). */
#define LINK_WEIGHT (-0.35)
/* A link right after a finished sentence cites a source for it: "Children are not immune to the
 * virus. https://t.co/x". A headline shared with its link has no full stop before it, and a link
 * to a host the cue file lists as unreliable cites nothing. -1.5 ranks better than -1.0 on
 * every source (satire headlines, shared with a link and no full stop, are not touched). */
#define CITED_WEIGHT (-1.5)
/* A mention names the account a post quotes or answers: "RT @CDCgov: ...". */
#define MENTION_WEIGHT (-1.0)
/* Hashtags are how health agencies file their campaign posts ("#COVID19 #StaySafe"); each lowers
 * z a little, up to HASHTAG_MAX. */
#define HASHTAG_WEIGHT (-0.1)
#define HASHTAG_MAX    3
/* Counts and dates are the style of official updates: "1,203 new cases, 14 deaths, 35,911 tests
 * as of 12 May". Each number, percentage or date outside a claim cue lowers z, up to COUNT_MAX.
 * Measured, -0.45 up to 4 counts ranks better on every source than -0.5 up to 6: false claims
 * carry a number or two as well ("kills the virus in 5 minutes", "70% of humanity"), and past
 * four, more numbers tell little more. (-0.4 was tried: patients' posts with ages, days and
 * street numbers began to fire.) */
#define COUNT_WEIGHT (-0.45)
#define COUNT_MAX    4
/* Emoji and emoticons are the register of conversation and campaigns, not of the bare assertions
 * that travel as rumours: "Got my booster today 💪". */
#define EMOJI_WEIGHT (-1.25)
/* A bare assertion: the whole text is one sentence ending in a full stop, about a health subject
 * or with a claim cue, with no link, mention or hashtag, no personal voice ("I", "we", "thanks"),
 * no denial, and at most a hint of reliability (LONE_RELIABLE_MIN). That is the shape of a claim
 * passed on as a fact ("Antibiotics kill the coronavirus."); reports, stories and guidance come
 * with a source, a voice or context. */
#define LONE_WEIGHT       2.0
#define LONE_RELIABLE_MIN (-2.0)
/* A person's own voice ("I", "my", "we", "thanks", the @voice lines of the cue file) tells a
 * story or speaks for an organization; it lowers z once, on top of the words' own weights. */
#define VOICE_WEIGHT (-0.5)
/* Context: several sentences explain, where a rumour is a line. Detail does too: each word past
 * DETAIL_FREE lowers z a little, down to DETAIL_FLOOR. */
#define CONTEXT_WEIGHT    (-0.25)
#define CONTEXT_SENTENCES 3
#define DETAIL_WEIGHT     (-0.03)
#define DETAIL_FREE       20
#define DETAIL_FLOOR      (-1.5)
/* Shouting: at least CAPS_MIN words of three or more letters in capitals, making up at least
 * CAPS_RATIO of the words, outside subject and reliability cues (so "CDC" or "COVID" never
 * count): "THEY ARE LYING TO YOU ABOUT THE VACCINE". Like exclamation marks, it counts only in a
 * post with a health subject or a claim cue. */
#define CAPS_WEIGHT 1.0
#define CAPS_MIN    3
#define CAPS_RATIO  0.3
/* Exclamation marks beyond the first: "share this now!!!" (one is ordinary: "Cover your cough!").
 */
#define EXCLAIM_WEIGHT 0.4
#define EXCLAIM_MAX    3
/* A statement: the text ends with a full stop. Claims passed on as fact are written as sentences
 * ("Cloth masks cannot stop the virus."); headlines, shared links, campaign posts ending in
 * hashtags and updates ending in counts are not. Only in a post with a health subject or a claim,
 * like shouting, and not in a person's own voice or story (a patient's review ends with a full
 * stop too). */
#define STATEMENT_WEIGHT 0.5
/* Lower case at the start: the text opens with a word in lower case ("cold weather and snow can
 * kill the new coronavirus"), the register of a person typing a post, not of an outlet's or an
 * agency's edited text. Only with a health subject or a claim, and not in a person's own voice
 * or story (casual too). */
#define LOWER_START_WEIGHT 0.5
/* A quotation: a claim is often passed on in someone's words, in quotation marks ("Everyone with
 * COVID-19 dies", said the post). Counts once, with a health subject or a claim. */
#define QUOTE_WEIGHT 0.5
/* A label before a colon at the start of the text ("COVID-19: what to know", "Update: 12 new
 * cases", "Study: ..."): the filing style of outlets and agencies. A label that is itself a claim
 * cue ("BREAKING:", "Claim:") keeps its own weight. -1.75 (was -1.25) ranks better on every
 * source. */
#define LABEL_WEIGHT    (-1.75)
#define LABEL_MAX_WORDS 4
/* A trailing attribution: the text ends with a comma and a short clause naming who said it, "...,
 * China's health minister says", "..., officials warn". That is how news ledes attribute a
 * statement; claims passed on put their source first ("A post says that...") or none at all.
 * The speaker takes at most ATTRIB_REACH words between the comma and the verb. */
#define ATTRIB_WEIGHT (-1.0)
#define ATTRIB_REACH  8
/* A dose in a sentence with a claim cue turns the claim into advice someone may follow: "take
 * 50,000 IU of vitamin D a day and you will never catch it". */
#define DOSE_WEIGHT 1.0
/* Another flag's cue that tells of someone's own care, symptoms or identity ("the nurse", "my
 * appointment", "exhausted", "room 412") makes the post a story of experience rather than a claim
 * about the world: each lowers z by this much (with the reliability cues, down to their floor). */
#define EXPERIENCE_WEIGHT (-0.5)
#define EXPERIENCE_TAGS   (MT_TAG_REACTION | MT_TAG_ORG | MT_TAG_IDENTIFIER | MT_TAG_ASPECT_ALL)
/* A claim cue lighter than this counts only in a post about a health subject: "wake up",
 * "facebook" or "the video" are claim cues in "Wake up! The video they deleted shows the vaccine
 * kills", words of everyday life in "I have to wake up early tomorrow". Heavier cues are health
 * claims by themselves ("plandemic", "cures cancer"). */
#define STANDALONE_WEIGHT 2.0
/* Bounds of the fixed scratch space: distinct claim entries per text, claim cues per sentence. */
#define SEEN_MAX    64
#define PENDING_MAX 32

/* The layer of lexicons/cues-misinfo.tsv. The flags' cue files share one lexicon, which keeps
 * every file's tags on a word that several files list but only the weight of the file merged
 * last. For such words this file has lines "<words> @misinfo" (a mention no post writes after
 * the words, so the line never matches text): the flag looks them up itself. */
#define OWN_LAYER   "cues-misinfo"
#define OWN_MARK    " @misinfo"
#define OWN_KEY_MAX 128
/* Two more kinds of marker line. "<word> @voice": the word is a person's own voice ("i", "my",
 * "we", "thanks"), so the text is not a bare assertion. "<words> @deny": the reliability cue
 * denies its sentence like a negation does ("myth", "is false"). */
#define VOICE_MARK " @voice"
#define DENY_MARK  " @deny"
#define OTHER_FLAG_TAGS                                                                            \
    (MT_TAG_CRISIS | MT_TAG_HEALTH_INFO | MT_TAG_IDENTIFIER | MT_TAG_REACTION | MT_TAG_ORG |       \
     MT_TAG_DRUG | MT_TAG_ASPECT_ALL)

/* How this flag reads an entry of the cue lexicon. */
enum { CUE_NONE, CUE_SUBJECT, CUE_WEIGHT };

typedef struct pending {
    const mt_entry *e;
    double w;
    size_t off, len;
} pending;

/* One piece of evidence, held until the end so that the flag records its evidence in text order. */
typedef struct proof {
    size_t off, len;
    const char *cue;
} proof;
#define PROOF_MAX (SEEN_MAX + 4)

typedef struct state {
    mt_flag_ctx *ctx;
    const mt_lexicon *cues;
    mt_follow_filter follow; /* the cue lexicon's, to rule out "<word> @voice" from hashes */
    uint64_t voice_hash;     /* mt_lexicon_hash of "@voice" */
    size_t own_layer; /* index of OWN_LAYER, or (size_t)-1 */
    double claims, reliable, features;
    int subject;
    size_t nproofs, nkept, nclaim; /* the filled parts of the lists below */
    int denied, any_denied, dose, dose_kept;
    size_t dose_off, dose_len;
    /* The shape of the text. */
    int mixed_case, question, ends_with_stop;
    size_t voice;      /* words of a person's own voice */
    size_t experience; /* other flags' cues of someone's own care or symptoms */
    size_t words, caps, caps_off, caps_end, counts, marks, marks_off, marks_len;
    size_t urls, links, mentions, hashtags, emoji, sentences;
    size_t quotes, quote_off, quote_end; /* quotation marks, from the first to the last */
    int cited;                           /* a link follows a full stop */
    int label;                           /* a short label and a colon open the text */
    int lower_start;                     /* the first word starts with a lower-case letter */
    /* The lists last: ~4.7 KB that are read only up to their counts, so they are left out of
     * the clearing at the start of each text (about 630 instructions a text). */
    proof proofs[PROOF_MAX];    /* evidence so far */
    pending kept[SEEN_MAX];     /* claims of settled sentences, one per entry */
    pending claim[PENDING_MAX]; /* the claims of the current sentence */
} state;

/* The entry "<words><mark>" of the cue lexicon, tagged misinfo, or NULL: the marker lines of
 * this file (" @misinfo", " @voice", " @deny") are looked up here and never match text. */
static const mt_entry *find_marked(const state *s, const char *words, size_t n, const char *mark)
{
    char key[OWN_KEY_MAX];
    size_t m = strlen(mark);
    if (n + m > sizeof key) return NULL;
    memcpy(key, words, n);
    memcpy(key + n, mark, m);
    const mt_entry *e = mt_lexicon_find(s->cues, key, n + m);
    return e && (e->tags & MT_TAG_MISINFO) ? e : NULL;
}

static int by_weight(double w, double *out)
{
    *out = w;
    return w == 0 ? CUE_SUBJECT : CUE_WEIGHT;
}

/* Reads entry e: CUE_WEIGHT with its weight in *w, CUE_SUBJECT or CUE_NONE. */
static int classify(const state *s, const mt_entry *e, double *w)
{
    *w = 0;
    if (!e) return CUE_NONE;
    if (e->layer == s->own_layer) return by_weight(e->valence, w);
    /* Another file's line: our own weight for these words, if any, is "<words> @misinfo". */
    const mt_entry *m = find_marked(s, e->key, e->key_len, OWN_MARK);
    if (m) return by_weight(m->valence, w);
    if (e->tags & MT_TAG_MISINFO) {
        /* A user's misinfo layer keeps its weights; a word of ours that another flag's file
         * listed later lost its weight, and still names a subject. */
        if (!(e->tags & OTHER_FLAG_TAGS)) return by_weight(e->valence, w);
        return CUE_SUBJECT;
    }
    return (e->tags & MT_TAG_HEALTH_INFO) ? CUE_SUBJECT : CUE_NONE;
}

static const mt_entry *find_weighted(const state *s, const char *key, size_t len, double *w)
{
    const mt_entry *e = mt_lexicon_find(s->cues, key, len);
    return classify(s, e, w) == CUE_WEIGHT ? e : NULL;
}

static size_t own_layer(const mt_lexicon *cues)
{
    for (size_t i = 0; i < mt_lexicon_layer_count(cues); i++)
        if (strcmp(mt_lexicon_layer_name(cues, i), OWN_LAYER) == 0) return i;
    return (size_t)-1;
}

/* ---------------------------------------------------------------------------------------------
 * Tokens
 * ------------------------------------------------------------------------------------------- */

/* The host of a URL token's normalized form: "https://www.cdc.gov/Flu" gives "cdc.gov" (the
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
    while (e < n && !strchr("/:?#", norm[e]))
        e++;
    if (e - s > 4 && memcmp(norm + s, "www.", 4) == 0) s += 4;
    *start = s;
    *len = e - s;
}

/* The cue entry of a host, trying its parent domains down to two labels, so that
 * "pubmed.ncbi.nlm.nih.gov" finds "nih.gov" (but "nih.gov" never reaches the word "gov"). */
static const mt_entry *find_host(const state *s, const char *host, size_t len, double *w)
{
    for (;;) {
        const mt_entry *e = find_weighted(s, host, len, w);
        if (e) return e;
        const char *dot = memchr(host, '.', len);
        if (!dot || !memchr(dot + 1, '.', len - (size_t)(dot + 1 - host))) return NULL;
        len -= (size_t)(dot + 1 - host);
        host = dot + 1;
    }
}

/* A negation word within NEGATION_REACH tokens before token i, in the same clause. */
static int negated_before(const medtone_tokens *t, size_t i)
{
    for (size_t k = 1; k <= NEGATION_REACH && k <= i; k++) {
        const mt_token *p = &t->tok[i - k];
        if (p->kind == MEDTONE_TOKEN_PUNCT) return 0;
        if (p->flags & MEDTONE_TOKEN_NEGATION) return 1;
    }
    return 0;
}

/* A negation word within NEGATION_REACH tokens from token i on, in the same clause, that is not
 * part of a later cue phrase: "garlic does not cure" denies "garlic", but in "Big Pharma doesn't
 * want you to know" the negation belongs to the next cue. */
static int negated_after(const mt_flags_state *f, size_t h, const medtone_tokens *t, size_t i)
{
    for (size_t k = 0; k < NEGATION_REACH && i + k < t->count; k++) {
        const mt_token *p = &t->tok[i + k];
        if (p->kind == MEDTONE_TOKEN_PUNCT) return 0;
        if (!(p->flags & MEDTONE_TOKEN_NEGATION)) continue;
        while (h < f->ncues && f->cues[h].tok0 + f->cues[h].ntok <= i + k)
            h++;
        if (h < f->ncues && f->cues[h].tok0 <= i + k) return 0;
        return 1;
    }
    return 0;
}

/* A negation inside tokens [i, i+n): "no evidence", "does not prevent". */
static int has_negation(const medtone_tokens *t, size_t i, size_t n)
{
    for (size_t k = i; k < i + n && k < t->count; k++)
        if (t->tok[k].flags & MEDTONE_TOKEN_NEGATION) return 1;
    return 0;
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
        if (c == '?')
            q++;
        else if (c != '!')
            return 0;
    }
    size_t end = tok->off + tok->len;
    if (!q || q > 3) return 0;
    return end >= ctx->len || strchr(" \t\r\n\"')", ctx->text[end]) != NULL;
}

/* True when the text has lower-case letters, so that a word in capitals stands out. */
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

/* ---------------------------------------------------------------------------------------------
 * Cues
 * ------------------------------------------------------------------------------------------- */

static void add_proof(state *s, size_t off, size_t len, const char *cue)
{
    if (s->nproofs < PROOF_MAX) s->proofs[s->nproofs++] = (proof){off, len, cue};
}

/* Records the evidence in text order (a few dozen items at most: an insertion sort). */
static void record_proofs(state *s)
{
    for (size_t k = 1; k < s->nproofs; k++) {
        proof p = s->proofs[k];
        size_t j = k;
        for (; j > 0 && s->proofs[j - 1].off > p.off; j--)
            s->proofs[j] = s->proofs[j - 1];
        s->proofs[j] = p;
    }
    for (size_t k = 0; k < s->nproofs; k++)
        mt_flag_evidence(s->ctx, MT_FLAG_MISINFO, s->proofs[k].off, s->proofs[k].len,
                         s->proofs[k].cue);
}

/* Marks the text as being about a health subject. The first subject is evidence, unless it lies
 * inside a longer cue that is evidence itself ("covid" in "cures covid"). */
static void add_subject(state *s, const mt_entry *e, size_t off, size_t len, int with_proof)
{
    if (s->subject) return;
    s->subject = 1;
    if (with_proof) add_proof(s, off, len, e->key);
}

/* A reliability cue counts at each occurrence, so that a long first-person story ("I ... my ...
 * I") or a dense update ("cases ... tests ... cases") weighs more than one passing word. */
static void add_reliable(state *s, double w)
{
    s->reliable += w;
}

/* A claim cue waits for the end of its sentence, which may deny it or ask about it. */
static void add_claim(state *s, const mt_entry *e, double w, size_t off, size_t len)
{
    if (s->nclaim < PENDING_MAX) s->claim[s->nclaim++] = (pending){e, w, off, len};
}

/* Settles the sentence that just ended: unless it denies them, its claims are kept, once per
 * entry, at QUESTION_FACTOR of their weight in a question; a dose beside a kept claim is advice. */
static void end_sentence(state *s, int question)
{
    for (size_t k = 0; k < s->nclaim && !s->denied; k++) {
        pending p = s->claim[k];
        int seen = 0;
        for (size_t j = 0; j < s->nkept && !seen; j++)
            seen = s->kept[j].e == p.e;
        if (question) p.w *= QUESTION_FACTOR;
        if (!seen && s->nkept < SEEN_MAX) s->kept[s->nkept++] = p;
        if (s->dose && !s->dose_kept) s->dose_kept = 1;
    }
    s->any_denied |= s->denied;
    s->nclaim = 0;
    s->denied = s->dose = 0;
}

/* Adds the kept claims: all of them in a post about a health subject, else only the claims that
 * are health claims by themselves (STANDALONE_WEIGHT). Each is evidence. */
static void add_claims(state *s)
{
    for (size_t k = 0; k < s->nkept; k++) {
        const pending *p = &s->kept[k];
        if (!s->subject && p->w < STANDALONE_WEIGHT * (1 - 1e-9)) continue;
        s->claims += p->w;
        add_proof(s, p->off, p->len, p->e->key);
    }
    if (s->claims > 0 && s->dose_kept) {
        s->features += DOSE_WEIGHT;
        add_proof(s, s->dose_off, s->dose_len, "dose-with-claim");
    }
}

/* Weighs cue hit h of the cue lexicon. */
static void weigh_hit(state *s, size_t h)
{
    const mt_flags_state *f = &s->ctx->r->flags;
    const mt_cue_hit *hit = &f->cues[h];
    const medtone_tokens *t = s->ctx->r->tokens;
    const mt_entry *e = hit->entry;
    if (t->tok[hit->tok0].kind == MEDTONE_TOKEN_URL) return; /* weighed by its host */
    double w;
    int kind = classify(s, e, &w);
    if (kind == CUE_SUBJECT) add_subject(s, e, hit->off, hit->len, 1);
    if (kind == CUE_NONE && (e->tags & EXPERIENCE_TAGS)) {
        s->experience++;
        add_reliable(s, EXPERIENCE_WEIGHT);
    }
    if (kind != CUE_WEIGHT) return;
    if (w < 0) {
        /* "there is no evidence that...", "does not prevent", "myth:": a correction. */
        if (has_negation(t, hit->tok0, hit->ntok) || find_marked(s, e->key, e->key_len, DENY_MARK))
            s->denied = 1;
        add_reliable(s, w);
    } else if (negated_before(t, hit->tok0)) {
        add_reliable(s, w * NEGATED_FACTOR);
    } else if (!negated_after(f, h + 1, t, hit->tok0 + hit->ntok)) {
        add_claim(s, e, w, hit->off, hit->len);
    }
}

/* Weighs the host of a URL: a known domain is a cue, any other link a pointer to a source. */
static void weigh_url(state *s, size_t i)
{
    const medtone_tokens *t = s->ctx->r->tokens;
    const mt_token *tok = &t->tok[i];
    size_t hs, hl;
    url_host(mt_token_norm(t, i), tok->norm_len, &hs, &hl);
    double w = 0;
    const mt_entry *e = hl ? find_host(s, mt_token_norm(t, i) + hs, hl, &w) : NULL;
    s->urls++;
    if (s->ends_with_stop && (!e || w < 0)) s->cited = 1;
    if (!e)
        s->links++;
    else if (w < 0)
        add_reliable(s, w);
    else
        add_claim(s, e, w, tok->off, tok->len);
}

/* A word or hashtag: a subject it names, the agency "WHO", and shouting. */
static void weigh_word(state *s, size_t i, int inside_hit, int inside_claim)
{
    const medtone_tokens *t = s->ctx->r->tokens;
    const mt_token *tok = &t->tok[i];
    /* A subject word inside a longer cue of any flag still names the subject: "corona virus". */
    if (!s->subject) {
        double w;
        int more;
        const mt_entry *e = mt_flag_token_cue(s->ctx, i, &more); /* kept from cue matching */
        if (classify(s, e, &w) == CUE_SUBJECT) add_subject(s, e, tok->off, tok->len, !inside_claim);
    }
    if (tok->kind == MEDTONE_TOKEN_HASHTAG) {
        s->hashtags++;
        return;
    }
    s->words++;
    /* "<word> @voice" is a longer key than the word: the follow filter, asked for the pair
     * (word, "@voice"), rules most words out before the key is built. */
    if (mt_follow_may_extend(s->follow, mt_token_hash(s->ctx->r, i), s->voice_hash) &&
        find_marked(s, mt_token_norm(t, i), tok->norm_len, VOICE_MARK))
        s->voice++;
    /* Capitals inside a subject or reliability cue are acronyms ("CDC", "COVID"), not shouting. */
    if ((inside_hit && !inside_claim) || !(tok->flags & MEDTONE_TOKEN_ALLCAPS)) return;
    /* "WHO" in capitals in a mixed-case text is the agency, not the pronoun; it takes the weight
     * of the "world health organization" entry. */
    if (!inside_hit && s->mixed_case && tok->norm_len == 3 &&
        memcmp(mt_token_norm(t, i), "who", 3) == 0) {
        double w;
        const mt_entry *e = find_weighted(s, "world health organization", 25, &w);
        if (e && w < 0) add_reliable(s, w);
        return;
    }
    if (tok->len >= 3) {
        if (!s->caps) s->caps_off = tok->off;
        s->caps_end = tok->off + tok->len;
        s->caps++;
    }
}

/* A double quotation mark: straight, or curly on either side. */
static int is_quote_mark(const char *norm)
{
    /* byte compares, not three strcmp calls: this runs for every punctuation token */
    if (norm[0] == '"') return norm[1] == '\0';
    return norm[0] == '\xe2' && norm[1] == '\x80' && (norm[2] == '\x9c' || norm[2] == '\x9d') &&
           norm[3] == '\0';
}

/* Whether the form holds a full stop, '!', '?' or ';' (stop = 1), or one of '!', '?', ';' (stop =
 * 0): strpbrk without the call, for a form of a few bytes. */
static int has_stop(const char *norm, int stop)
{
    for (; *norm; norm++)
        if ((*norm == '.' && stop) || *norm == '!' || *norm == '?' || *norm == ';') return 1;
    return 0;
}

/* Punctuation: exclamation marks, questions, quotation marks, a leading label, and the end of a
 * sentence. */
static void weigh_punct(state *s, size_t i, size_t prev_kind)
{
    const mt_flag_ctx *ctx = s->ctx;
    const mt_token *tok = &ctx->r->tokens->tok[i];
    const char *norm = mt_token_norm(ctx->r->tokens, i);
    size_t m = 0;
    for (size_t k = 0; k < tok->len; k++)
        m += ctx->text[tok->off + k] == '!';
    if (m && !s->marks) {
        s->marks_off = tok->off;
        s->marks_len = tok->len;
    }
    s->marks += m;
    if (is_quote_mark(norm)) {
        if (!s->quotes++) s->quote_off = tok->off;
        s->quote_end = tok->off + tok->len;
    }
    if (norm[0] == ':' && norm[1] == '\0' && !s->sentences && s->words &&
        s->words <= LABEL_MAX_WORDS && i + 1 < ctx->r->tokens->count)
        s->label = 1;
    int question = is_question(ctx, i);
    s->question |= question;
    if (!has_stop(norm, 1)) return;
    if (prev_kind != MEDTONE_TOKEN_PUNCT) s->sentences++;
    s->ends_with_stop = !has_stop(norm, 0);
    end_sentence(s, question);
}

/* ---------------------------------------------------------------------------------------------
 * The flag
 * ------------------------------------------------------------------------------------------- */

/* The verbs of a trailing attribution. */
static int is_attribution_verb(const char *w, size_t n)
{
    static const char *const verbs[] = {"says",     "said",  "say",  "warns",   "warn",   "warned",
                                        "confirms", "reports", "reported", "announces", "told"};
    for (size_t k = 0; k < sizeof verbs / sizeof verbs[0]; k++)
        if (strlen(verbs[k]) == n && memcmp(verbs[k], w, n) == 0) return 1;
    return 0;
}

/* True when the text ends with ", <speaker> <verb>" (then only punctuation): see ATTRIB_WEIGHT. */
static int trailing_attribution(const mt_flag_ctx *ctx)
{
    const medtone_tokens *t = ctx->r->tokens;
    size_t last = t->count;
    while (last > 0 && t->tok[last - 1].kind == MEDTONE_TOKEN_PUNCT)
        last--;
    if (last < 3 || t->tok[last - 1].kind != MEDTONE_TOKEN_WORD) return 0;
    if (!is_attribution_verb(mt_token_norm(t, last - 1), t->tok[last - 1].norm_len)) return 0;
    size_t i = last - 1; /* the verb */
    for (size_t k = 1; k <= ATTRIB_REACH + 1 && k <= i; k++) {
        const mt_token *p = &t->tok[i - k];
        if (p->kind != MEDTONE_TOKEN_PUNCT) continue;
        return k > 1 && !strcmp(mt_token_norm(t, i - k), ",");
    }
    return 0;
}

static size_t at_most(size_t n, size_t max)
{
    return n < max ? n : max;
}

/* Features of the text as a whole. */
static void weigh_shape(state *s)
{
    if (s->links) s->features += LINK_WEIGHT;
    if (s->cited) s->features += CITED_WEIGHT;
    if (s->mentions) s->features += MENTION_WEIGHT;
    if (s->question) s->features += QUESTION_WEIGHT;
    if (s->emoji) s->features += EMOJI_WEIGHT;
    if (s->voice) s->features += VOICE_WEIGHT;
    if (s->any_denied) s->features += CORRECTION_WEIGHT;
    s->features += HASHTAG_WEIGHT * (double)at_most(s->hashtags, HASHTAG_MAX);
    s->features += COUNT_WEIGHT * (double)at_most(s->counts, COUNT_MAX);
    if ((s->subject || s->claims > 0) && s->sentences == 1 && s->ends_with_stop && !s->urls &&
        !s->mentions && !s->hashtags && !s->voice && !s->any_denied &&
        s->reliable >= LONE_RELIABLE_MIN)
        s->features += LONE_WEIGHT;
    if (s->label) s->features += LABEL_WEIGHT;
    if (trailing_attribution(s->ctx)) s->features += ATTRIB_WEIGHT;
    if (s->sentences + !s->ends_with_stop >= CONTEXT_SENTENCES) s->features += CONTEXT_WEIGHT;
    if (s->words > DETAIL_FREE) {
        double d = DETAIL_WEIGHT * (double)(s->words - DETAIL_FREE);
        s->features += d > DETAIL_FLOOR ? d : DETAIL_FLOOR;
    }
    /* Shouting and exclamation marks are the style of a rumour only in a health claim: "GREAT
     * GAME TONIGHT!!!" is nobody's misinformation. */
    if (!s->subject && s->claims <= 0) return;
    if (s->caps >= CAPS_MIN && (double)s->caps >= CAPS_RATIO * (double)s->words) {
        s->features += CAPS_WEIGHT;
        add_proof(s, s->caps_off, s->caps_end - s->caps_off, "caps");
    }
    if (s->ends_with_stop && !s->voice && !s->experience) s->features += STATEMENT_WEIGHT;
    if (s->lower_start && !s->voice && !s->experience) s->features += LOWER_START_WEIGHT;
    if (s->quotes) {
        s->features += QUOTE_WEIGHT;
        add_proof(s, s->quote_off, s->quote_end - s->quote_off, "quotation");
    }
    if (s->marks > 1) {
        s->features += EXCLAIM_WEIGHT * (double)(at_most(s->marks, EXCLAIM_MAX + 1) - 1);
        add_proof(s, s->marks_off, s->marks_len, "exclamation");
    }
}

void mt_flag_misinfo(mt_flag_ctx *ctx)
{
    const medtone_tokens *t = ctx->r->tokens;
    const mt_flags_state *f = &ctx->r->flags;
    state s;
    memset(&s, 0, offsetof(state, proofs)); /* the counts and flags; not the lists */
    s.ctx = ctx;
    s.cues = ctx->an->cues;
    s.follow = mt_lexicon_follow_filter(s.cues);
    s.voice_hash = mt_lexicon_hash(&VOICE_MARK[1], strlen(VOICE_MARK) - 1);
    s.own_layer = own_layer(s.cues);
    s.mixed_case = is_mixed_case(ctx);
    if (t->count && t->tok[0].kind == MEDTONE_TOKEN_WORD) {
        unsigned char c = (unsigned char)ctx->text[t->tok[0].off];
        s.lower_start = c >= 'a' && c <= 'z';
    }
    size_t h = 0, hit_end = 0, prev_kind = MEDTONE_TOKEN_PUNCT;
    int claim_hit = 0; /* the hit covering the current token is a claim */

    for (size_t i = 0; i < t->count; i++) {
        const mt_token *tok = &t->tok[i];
        while (h < f->ncues && f->cues[h].tok0 == i) {
            size_t before = s.nclaim;
            weigh_hit(&s, h);
            claim_hit = s.nclaim > before;
            hit_end = f->cues[h].tok0 + f->cues[h].ntok;
            h++;
        }
        int inside_hit = i < hit_end;
        switch (tok->kind) {
        case MEDTONE_TOKEN_WORD:
        case MEDTONE_TOKEN_HASHTAG:
            weigh_word(&s, i, inside_hit, inside_hit && claim_hit);
            break;
        case MEDTONE_TOKEN_URL:
            weigh_url(&s, i);
            break;
        case MEDTONE_TOKEN_MENTION:
            s.mentions++;
            break;
        case MEDTONE_TOKEN_EMOJI:
        case MEDTONE_TOKEN_EMOTICON:
            s.emoji++;
            break;
        case MEDTONE_TOKEN_NUMBER:
        case MEDTONE_TOKEN_PERCENT:
        case MEDTONE_TOKEN_DATE:
            if (!(inside_hit && claim_hit)) s.counts++; /* "100%" in "100% natural" is the claim */
            break;
        case MEDTONE_TOKEN_DOSE:
            if (!s.dose && !s.dose_kept) {
                s.dose_off = tok->off;
                s.dose_len = tok->len;
            }
            s.dose = 1;
            break;
        case MEDTONE_TOKEN_PUNCT:
            weigh_punct(&s, i, prev_kind);
            break;
        default:
            break;
        }
        if (tok->kind != MEDTONE_TOKEN_PUNCT) s.ends_with_stop = 0;
        prev_kind = tok->kind;
    }
    end_sentence(&s, 0); /* a last sentence without a full stop */
    add_claims(&s);
    weigh_shape(&s);

    if (s.reliable < RELIABLE_FLOOR) s.reliable = RELIABLE_FLOOR;
    double z = BIAS + (s.subject ? SUBJECT_WEIGHT : 0) + s.claims + s.reliable + s.features;
    double score = 1.0 / (1.0 + exp(-z));
    record_proofs(&s);
    mt_flag_set(ctx, MT_FLAG_MISINFO, score, s.nproofs ? ctx->r->compound : 0);
}
