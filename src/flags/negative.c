/* negative.c — the negative flag: a post that hurts the organization's reputation, that is, strong
 * negative sentiment aimed at the organization, its staff or its care. A patient describing an
 * illness is not that: "my cancer is awful" is suffering, "the oncology ward ignored me for hours"
 * is a complaint.
 *
 * Every sentiment term is weighed by where it is aimed:
 *   - its target is the best cue near it (lexicons/cues-aspects.tsv): an org cue ("hospital",
 *     "nurse", "front desk"), an aspect cue ("waiting room", "copay", "rude"), or an @mention;
 *     a target in the same stretch of clause counts fully, across a contrast word, a comma or a
 *     sentence end less (the same scopes as aspects.c: scope.c);
 *   - a term with no target near it counts little, and nearly nothing when the text names no
 *     target at all ("I hate being sick");
 *   - a term that is closer to the writer's own state than to any target counts little: a symptom
 *     or a test ("my pain is terrible", "so scared about my biopsy"), a cue of fear, grief or
 *     feeling unwell (org cues of negative weight: "worried about", "passed away"), or another
 *     flag's cue for a diagnosis, a reaction or an emergency ("heart attack");
 *   - a question ("is the ER bad on weekends?") counts half, unless it asks "why".
 * Terms aimed at least EVIDENCE_MIN count in full; the others add up to at most STRAY_CAP, so
 * they colour a complaint but never make one. Complaint phrases aimed at the organization (org
 * cues of weight 3 or more with no aspect: "never going back", "filed a complaint") add their own
 * weight. Praise aimed at the organization offsets half its weight ("the nurses were great but the
 * billing office is a nightmare" is a milder complaint). The sum n becomes 1 - e^(-n / 2.5),
 * tilted by the overall compound c by the factor 1 - c/4, so an angry post scores higher and a
 * glowing one with one sour note lower.
 * Evidence: the negative terms that were aimed, the cues they were aimed at, and the complaint
 * phrases. Sentiment: the compound score.
 *
 * The flag assumes what a listening pipeline feeds it: posts that already mention the
 * organization or care. "my coworker was so rude" reads like a complaint about staff.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "analyzer.h"
#include "flags.h"
#include "lexicon.h"
#include "result.h"
#include "scope.h"
#include "tokenize.h"

/* How many items away a term may find its target or its illness frame. */
#define REACH 16
/* The summed weight n that scores 1 - 1/e. */
#define SCALE 2.5
/* An @mention is a target, but it may be a friend as well as the hospital's account. */
#define MENTION_TARGET 0.8
/* A term with no target near it: one elsewhere in the text, or none at all. */
#define STRAY 0.2
#define LONE  0.05
/* A term that describes the writer's illness or feelings rather than the care. */
#define ILLNESS 0.15
/* A term in a sentence that asks ("is the wait long?"). */
#define QUESTION 0.5
/* Praise aimed at the organization offsets this share of its weight. */
#define PRAISE_OFFSET 0.5
/* An org cue this heavy, with no aspect, is a complaint; it adds (w - 2.5) * 1.5. */
#define COMPLAINT_MIN  3.0
#define COMPLAINT_BASE 2.5
#define COMPLAINT_GAIN 1.5
/* Aspect cues aim from weight ASPECT_TARGET_FROM (not at all) to ASPECT_TARGET_FULL (fully);
 * medication and outcome cues alone half that, being about the body as much as the care. */
#define ASPECT_TARGET_FROM 1.0
#define ASPECT_TARGET_FULL 2.5
#define BODY_ASPECT_TARGET 0.5
/* The overall compound tilts the score by 1 - COMPOUND_TILT * compound. */
#define COMPOUND_TILT 0.25
/* A term aimed at least this much counts in full and is shown as evidence; the terms aimed less
 * add up to at most STRAY_CAP, which alone scores below any sensible threshold (1 - e^-0.4). */
#define EVIDENCE_MIN 0.3
#define STRAY_CAP    1.0

/* How strongly a cue points at the organization: org cues fully from weight 1; aspect cues from
 * weight 1 (nothing) to 2.5 (fully), so a vague cue ("forever", "rude") aims little by itself ("I
 * hate my life and want to disappear forever"); and half that for medication and outcome alone,
 * which are about the patient's body as much as the care ("recovery"). */
static double target_strength(size_t own, const mt_entry *e)
{
    double w = mt_aspect_cue_weight(own, e);
    if (w <= 0) return 0;
    if (e->tags & MT_TAG_ORG) return w < 1 ? w : 1;
    uint32_t aspects = e->tags & MT_TAG_ASPECT_ALL;
    if (e->tags & MT_TAG_DRUG) aspects |= MT_TAG_ASPECT_MEDICATION;
    if (!aspects) return 0;
    double g = (w - ASPECT_TARGET_FROM) / (ASPECT_TARGET_FULL - ASPECT_TARGET_FROM);
    if (g <= 0) return 0;
    if (g > 1) g = 1;
    if (!(aspects & ~(MT_TAG_ASPECT_MEDICATION | MT_TAG_ASPECT_OUTCOME))) g *= BODY_ASPECT_TARGET;
    return g;
}

static int is_complaint(size_t own, const mt_entry *e)
{
    return (e->tags & MT_TAG_ORG) && !(e->tags & MT_TAG_ASPECT_ALL) &&
           mt_aspect_cue_is_own(own, e) && e->valence >= COMPLAINT_MIN;
}

/* Where a term is aimed. */
typedef struct aim {
    double weight;   /* the share of the term that counts */
    int targeted;    /* a target was found near it */
    size_t off, len; /* the target's span */
    const char *cue; /* the target's cue */
} aim;

/* The sentence of item j asks and does not exclaim: it ends in '?' without '!', and it is not a
 * "why" question, which complains more than it asks ("why does every visit end with a billing
 * error?"). */
static int in_question(const mt_flag_ctx *ctx, size_t j)
{
    const medtone_result *r = ctx->r;
    const medtone_tokens *t = r->tokens;
    const mt_item *it = &r->items[j];
    size_t first = j;
    for (size_t n = 0; first > 0 && n < 64 && r->items[first - 1].sentence == it->sentence; n++)
        first--;
    const char *w = mt_token_norm(t, r->items[first].tok0);
    if (w[0] == 'w' && w[1] == 'h' && w[2] == 'y' && w[3] == '\0') return 0; /* "why" */
    for (size_t i = it->tok0 + it->ntok, n = 0; i < t->count && n < 64; i++, n++) {
        const mt_token *tok = &t->tok[i];
        if (tok->kind != MEDTONE_TOKEN_PUNCT) continue;
        int q = 0, bang = 0, end = 0;
        for (size_t b = 0; b < tok->len && tok->off + b < ctx->len; b++) {
            char c = ctx->text[tok->off + b];
            q |= c == '?';
            bang |= c == '!';
            end |= c == '?' || c == '!' || c == '.' || c == ';';
        }
        if (end) return q && !bang;
    }
    return 0;
}

/* The items a term may aim at or be framed by besides the cue hits: @mentions and illness items
 * (symptoms, tests). */
static int mention_or_illness(const medtone_result *r, size_t k)
{
    const mt_item *it = &r->items[k];
    return r->tokens->tok[it->tok0].kind == MEDTONE_TOKEN_MENTION || mt_is_illness_item(it);
}

static aim aim_term(const mt_flag_ctx *ctx, size_t own, size_t j, int text_has_target,
                    const mt_item_list *marked)
{
    const medtone_result *r = ctx->r;
    const mt_flags_state *f = &r->flags;
    const medtone_tokens *t = r->tokens;
    size_t lo_item = j > REACH ? j - REACH : 0;
    size_t hi_item = j + REACH < r->nitems ? j + REACH : r->nitems - 1;
    size_t hi_tok = r->items[hi_item].tok0 + r->items[hi_item].ntok;
    aim a = {0, 0, 0, 0, ""};
    double best = 0;
    int t_level = MT_ACROSS_SENTENCE + 1, i_level = MT_ACROSS_SENTENCE + 1, t_org = 0;
    size_t t_dist = (size_t)-1, i_dist = (size_t)-1;
    /* The term itself names an illness or an event ("heart attack"). */
    int own_term = mt_is_illness_item(&r->items[j]) && (r->items[j].entry->tags & MT_TAG_SYMPTOM);

    for (size_t h = mt_first_hit_from(f, r->items[lo_item].tok0); h < f->ncues; h++) {
        const mt_cue_hit *hit = &f->cues[h];
        if (hit->tok0 >= hi_tok) break;
        double g = target_strength(own, hit->entry);
        int self = g <= 0 && mt_aspect_cue_is_own_state(own, hit->entry);
        if (g <= 0 && !self) continue;
        int level;
        size_t dist;
        mt_scope_relation(ctx, j, hit->item0, hit->item1, &level, &dist);
        if (self) {
            if (level == MT_SAME_STRETCH && mt_scope_closer(level, dist, i_level, i_dist)) {
                i_level = level;
                i_dist = dist;
            }
            own_term |= dist == 0;
            continue;
        }
        /* At equal weight the organization itself beats an aspect cue, then the nearer one:
         * "the ER staff ignored me" is aimed at "ER", more than at "ignored me". */
        double w = g * mt_scope_weight[level];
        int org = (hit->entry->tags & MT_TAG_ORG) != 0;
        if (w > best || (w == best && org > t_org) ||
            (w == best && org == t_org && mt_scope_closer(level, dist, t_level, t_dist))) {
            best = w;
            t_org = org;
            t_level = level;
            t_dist = dist;
            a.off = hit->off;
            a.len = hit->len;
            a.cue = hit->entry->key;
        }
    }
    /* Only mentions and illness items do anything below: step through those. */
    for (size_t c, k = mt_item_list_first(marked, lo_item, &c); k <= hi_item;
         k = mt_item_list_next(marked, k, &c)) {
        const mt_item *it = &r->items[k];
        int level;
        size_t dist;
        if (t->tok[it->tok0].kind == MEDTONE_TOKEN_MENTION) {
            mt_scope_relation(ctx, j, k, k, &level, &dist);
            double w = MENTION_TARGET * mt_scope_weight[level];
            if (w > best || (w == best && mt_scope_closer(level, dist, t_level, t_dist))) {
                best = w;
                t_org = 1;
                t_level = level;
                t_dist = dist;
                a.off = t->tok[it->tok0].off;
                a.len = t->tok[it->tok0].len;
                a.cue = "mention";
            }
        } else if (mt_is_illness_item(it)) {
            mt_scope_relation(ctx, j, k, k, &level, &dist);
            if (level == MT_SAME_STRETCH && mt_scope_closer(level, dist, i_level, i_dist)) {
                i_level = level;
                i_dist = dist;
            }
        }
    }

    a.targeted = best > 0;
    a.weight = a.targeted ? best : text_has_target ? STRAY : LONE;
    /* "worst migraine of my life, spent the night in the ER": the illness is nearer than the
     * ER. A term that itself names an illness or an event is about that, unless a cue covers it. */
    int illness = i_level <= MT_ACROSS_SENTENCE &&
                  (!a.targeted || mt_scope_closer(i_level, i_dist, t_level, t_dist) ||
                   (own_term && t_dist > 0));
    if (illness) a.weight *= ILLNESS;
    if (in_question(ctx, j)) a.weight *= QUESTION;
    return a;
}

/* A complaint cue counts unless the scorer read it as praise ("I'd never file a complaint,
 * they were wonderful" flips the phrase). */
static double complaint_weight(const mt_flag_ctx *ctx, size_t own, const mt_cue_hit *hit)
{
    const medtone_result *r = ctx->r;
    if (!is_complaint(own, hit->entry)) return 0;
    /* The first term that ends after the cue starts (terms are in text order). */
    size_t lo = 0, hi = r->nterms;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->terms[mid].tok0 + r->terms[mid].ntok <= hit->tok0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < r->nterms && r->terms[k].tok0 < hit->tok0 + hit->ntok; k++)
        if (r->terms[k].contribution > 0) return 0;
    return (hit->entry->valence - COMPLAINT_BASE) * COMPLAINT_GAIN;
}

/* Evidence goes in text order and a target lies within REACH items of its term, so a repeat can
 * only be among the last few entries: looking further back would make long texts quadratic. */
#define DEDUP_BACK (4 * REACH + 4)

static int has_evidence(const mt_flag_ctx *ctx, size_t from, size_t off, size_t len)
{
    const mt_flags_state *f = &ctx->r->flags;
    if (f->nev > from + DEDUP_BACK) from = f->nev - DEDUP_BACK;
    for (size_t i = from; i < f->nev; i++)
        if (f->ev[i].flag == MT_FLAG_NEGATIVE && f->ev[i].off == off && f->ev[i].len == len)
            return 1;
    return 0;
}

static void evidence_once(mt_flag_ctx *ctx, size_t from, size_t off, size_t len, const char *cue)
{
    if (!has_evidence(ctx, from, off, len)) mt_flag_evidence(ctx, MT_FLAG_NEGATIVE, off, len, cue);
}

void mt_flag_negative(mt_flag_ctx *ctx)
{
    const medtone_result *r = ctx->r;
    const mt_flags_state *f = &r->flags;
    const medtone_tokens *t = r->tokens;
    size_t own = ctx->aspect_own;
    int text_has_target = 0;
    for (size_t h = 0; h < f->ncues && !text_has_target; h++)
        text_has_target = target_strength(own, f->cues[h].entry) > 0;
    for (size_t k = 0; k < r->nitems && !text_has_target; k++)
        text_has_target = t->tok[r->items[k].tok0].kind == MEDTONE_TOKEN_MENTION;

    mt_item_list marked;
    mt_item_list_build(r, mention_or_illness, &marked);
    /* The aims of the first terms, for the evidence below (which needs those of the negative
     * ones again): a term's aim is the same both times. */
    enum { AIMS_KEPT = 64 };
    aim kept[AIMS_KEPT];
    size_t kept_item[AIMS_KEPT], nkept = 0;

    double neg = 0, stray = 0, praise = 0;
    for (size_t j = 0; j < r->nitems; j++) {
        const mt_item *it = &r->items[j];
        if (it->term == MT_NO_TERM) continue;
        double c = r->terms[it->term].contribution;
        if (c == 0) continue;
        aim a = aim_term(ctx, own, j, text_has_target, &marked);
        if (c < 0 && nkept < AIMS_KEPT) {
            kept[nkept] = a;
            kept_item[nkept++] = j;
        }
        if (c > 0)
            praise += c * a.weight;
        else if (a.targeted && a.weight >= EVIDENCE_MIN)
            neg += -c * a.weight;
        else
            stray += -c * a.weight;
    }
    /* Weakly aimed words add up to at most STRAY_CAP, so they colour a complaint but never make
     * one: a long diary of symptoms would otherwise sum to a certainty. */
    neg += stray < STRAY_CAP ? stray : STRAY_CAP;
    double complaints = 0;
    for (size_t h = 0; h < f->ncues; h++)
        complaints += complaint_weight(ctx, own, &f->cues[h]);

    double n = neg + complaints - PRAISE_OFFSET * praise;
    double score = n > 0 ? (1.0 - exp(-n / SCALE)) * (1.0 - COMPOUND_TILT * r->compound) : 0;
    if (score <= 0) {
        mt_flag_set(ctx, MT_FLAG_NEGATIVE, 0, 0);
        return;
    }

    /* Evidence in text order: aimed negative terms with their targets, and complaint cues. */
    size_t from = f->nev;
    size_t h = 0, next_kept = 0;
    for (size_t j = 0; j <= r->nitems && !ctx->oom; j++) {
        size_t tok_end = j < r->nitems ? r->items[j].tok0 + 1 : t->count;
        for (; h < f->ncues && f->cues[h].tok0 < tok_end && !ctx->oom; h++)
            if (complaint_weight(ctx, own, &f->cues[h]) > 0)
                evidence_once(ctx, from, f->cues[h].off, f->cues[h].len, f->cues[h].entry->key);
        if (j == r->nitems) break;
        const mt_item *it = &r->items[j];
        if (it->term == MT_NO_TERM || r->terms[it->term].contribution >= 0) continue;
        aim a;
        if (next_kept < nkept && kept_item[next_kept] == j)
            a = kept[next_kept++];
        else
            a = aim_term(ctx, own, j, text_has_target, &marked);
        if (!a.targeted || a.weight < EVIDENCE_MIN) continue;
        const mt_term *term = &r->terms[it->term];
        evidence_once(ctx, from, term->off, term->len, term->entry->key);
        evidence_once(ctx, from, a.off, a.len, a.cue);
    }
    mt_flag_set(ctx, MT_FLAG_NEGATIVE, score, f->nev > from ? r->compound : 0);
}
