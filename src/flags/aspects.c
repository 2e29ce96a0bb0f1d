/* aspects.c — the complaint aspects: which parts of the experience a post is about (aspect.wait,
 * aspect.billing, ... aspect.records) and what the post says about each.
 *
 * For each aspect:
 *   - score: how clearly the post is about it. The weights of its cues (lexicons/cues-aspects.tsv,
 *     tags wait, billing, staff, ...) add up, hard negatives ("can't wait") subtract, and an
 *     opinion said about the aspect strengthens its cues: "my appointment is on Tuesday" mentions
 *     access, "the appointment was a mess" is about it. The sum s becomes 1 - 2^(-s / 1.5), so a
 *     cue of weight 1.5 alone scores 0.5.
 *   - sentiment: every sentiment term goes to the nearest anchor (an aspect cue, an org cue, or a
 *     money or dose token), nearest meaning first in the same stretch of clause, then across a
 *     contrast word, a comma or a sentence end; its final contribution, weighted by that scope,
 *     is added to the anchor's aspects and squashed into [-1, 1]. "the nurses were lovely but the
 *     wait was awful": "lovely" goes to staff, "awful" to wait. A term whose nearest anchor is an
 *     org cue without an aspect ("hospital") feeds no aspect.
 *   - evidence: the spans of the aspect's cues.
 * Symptom words ("pain", "nausea") only feed the medication and outcome aspects: "the nurse was
 * kind, my pain is terrible" says nothing bad about the staff.
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

#define NASPECTS (MT_FLAG_COUNT - MT_FLAG_FIRST_ASPECT)

/* The cue weight that alone scores 0.5. */
#define HALF_WEIGHT 1.5
/* An opinion in the aspect's own clause doubles its cues' weight at most. */
#define OPINION_GAIN 1.0
/* A term of contribution OPINION_FULL (or more) in scope is a full opinion. */
#define OPINION_FULL 2.0
/* How many items away a term may find its anchor. */
#define REACH 10
/* "4 hours", "45 minutes": a number just before a wait cue. */
#define NUMBER_BONUS 0.8
/* "$4,000 for an MRI": a money token is a weak billing cue, a dose ("10mg") a weak medication
 * cue; neither fires alone. */
#define MONEY_WEIGHT 0.7
#define DOSE_WEIGHT  0.6
/* The per-aspect sum x becomes x / sqrt(x^2 + SENT_ALPHA): "rude" alone is about -0.77. */
#define SENT_ALPHA 4.0

/* The aspects a cue names, as this module reads it. */
static uint32_t cue_aspects(const mt_entry *e)
{
    uint32_t a = e->tags & MT_TAG_ASPECT_ALL;
    if (e->tags & MT_TAG_DRUG) a |= MT_TAG_ASPECT_MEDICATION;
    return a;
}

/* The aspect bits of a token standing for itself: money is billing, a dose is medication. */
static uint32_t token_aspects(const mt_token *tok)
{
    if (tok->kind == MEDTONE_TOKEN_MONEY) return MT_TAG_ASPECT_BILLING;
    if (tok->kind == MEDTONE_TOKEN_DOSE) return MT_TAG_ASPECT_MEDICATION;
    return 0;
}

static int is_symptom(const mt_item *it)
{
    return it->entry && (it->entry->tags & MT_TAG_SYMPTOM);
}

/* Anchors of one scope rank by kind: an aspect cue before a money or dose token before an org cue
 * with no aspect. "Parking at the hospital is $20 a day, outrageous": "outrageous" is said of the
 * parking, though "$20" and "hospital" stand nearer; "Waited 5 hours. The hospital is lovely":
 * "lovely" is said of the hospital, in its own sentence, and feeds no aspect. */
enum { RANK_ASPECT = 0, RANK_TOKEN = 1, RANK_ORG = 2, RANK_NONE = 3 };

static int better(int level, int rank, size_t dist, int best_level, int best_rank, size_t best_dist)
{
    if (level != best_level) return level < best_level;
    if (rank != best_rank) return rank < best_rank;
    return dist < best_dist;
}

/* The nearest anchor of the term at item j: its aspect bits (0 when none, or when the nearest is
 * an org cue with no aspect) and its scope. When the writer's own state is nearer than the
 * anchor, in the same stretch, only medication and outcome keep the term: "the nurses were
 * lovely but my pain is terrible" says nothing about the staff. */
/* The items nearest_anchor acts on besides the cue hits: money and dose tokens, illness items. */
static int token_or_illness(const medtone_result *r, size_t k)
{
    return token_aspects(&r->tokens->tok[r->items[k].tok0]) || mt_is_illness_item(&r->items[k]);
}

static uint32_t nearest_anchor(const mt_flag_ctx *ctx, size_t own, size_t j, int *level_out,
                               const mt_item_list *marked)
{
    const medtone_result *r = ctx->r;
    const mt_flags_state *f = &r->flags;
    size_t lo_item = j > REACH ? j - REACH : 0;
    size_t hi_item = j + REACH < r->nitems ? j + REACH : r->nitems - 1;
    size_t hi_tok = r->items[hi_item].tok0 + r->items[hi_item].ntok;
    int best_level = MT_ACROSS_SENTENCE + 1, ill_level = MT_ACROSS_SENTENCE + 1,
        best_rank = RANK_NONE;
    size_t best_dist = (size_t)-1, ill_dist = (size_t)-1;
    uint32_t best = 0;

    for (size_t h = mt_first_hit_from(f, r->items[lo_item].tok0); h < f->ncues; h++) {
        const mt_cue_hit *hit = &f->cues[h];
        if (hit->tok0 >= hi_tok) break;
        uint32_t tags = cue_aspects(hit->entry) | (hit->entry->tags & MT_TAG_ORG);
        double w = mt_aspect_cue_weight(own, hit->entry);
        int self = mt_aspect_cue_is_own_state(own, hit->entry);
        if (!tags || (w <= 0 && !self)) continue;
        int level;
        size_t dist;
        mt_scope_relation(ctx, j, hit->item0, hit->item1, &level, &dist);
        if (self) {
            if (level == MT_SAME_STRETCH && mt_scope_closer(level, dist, ill_level, ill_dist)) {
                ill_level = level;
                ill_dist = dist;
            }
        } else {
            int rank = (tags & MT_TAG_ASPECT_ALL) ? RANK_ASPECT : RANK_ORG;
            if (better(level, rank, dist, best_level, best_rank, best_dist)) {
                best_level = level;
                best_rank = rank;
                best_dist = dist;
                best = tags & MT_TAG_ASPECT_ALL;
            }
        }
    }
    /* Only those items do anything below: step through them. */
    for (size_t c, k = mt_item_list_first(marked, lo_item, &c); k <= hi_item;
         k = mt_item_list_next(marked, k, &c)) {
        uint32_t tags = token_aspects(&r->tokens->tok[r->items[k].tok0]);
        int ill = mt_is_illness_item(&r->items[k]);
        if (!tags && !ill) continue;
        int level;
        size_t dist;
        mt_scope_relation(ctx, j, k, k, &level, &dist);
        if (ill) {
            if (level == MT_SAME_STRETCH && mt_scope_closer(level, dist, ill_level, ill_dist)) {
                ill_level = level;
                ill_dist = dist;
            }
        } else if (better(level, RANK_TOKEN, dist, best_level, best_rank, best_dist)) {
            best_level = level;
            best_rank = RANK_TOKEN;
            best_dist = dist;
            best = tags;
        }
    }
    *level_out = best_level;
    if (best_level > MT_ACROSS_SENTENCE) return 0;
    if (mt_scope_closer(ill_level, ill_dist, best_level, best_dist))
        best &= MT_TAG_ASPECT_MEDICATION | MT_TAG_ASPECT_OUTCOME;
    return best;
}

/* Records the spans that make up an aspect, in text order. */
static void add_evidence(mt_flag_ctx *ctx, size_t own, const double *score)
{
    const medtone_result *r = ctx->r;
    const mt_flags_state *f = &r->flags;
    size_t h = 0;
    for (size_t k = 0; k <= r->nitems && !ctx->oom; k++) {
        size_t tok_end = k < r->nitems ? r->items[k].tok0 : r->tokens->count;
        for (; h < f->ncues && f->cues[h].tok0 < tok_end && !ctx->oom; h++) {
            const mt_cue_hit *hit = &f->cues[h];
            if (mt_aspect_cue_weight(own, hit->entry) <= 0) continue;
            uint32_t aspects = cue_aspects(hit->entry);
            for (unsigned a = 0; a < NASPECTS; a++)
                if ((aspects & (MT_TAG_ASPECT_FIRST << a)) && score[a] > 0)
                    mt_flag_evidence(ctx, MT_FLAG_FIRST_ASPECT + a, hit->off, hit->len,
                                     hit->entry->key);
        }
        if (k == r->nitems) break;
        const mt_token *tok = &r->tokens->tok[r->items[k].tok0];
        uint32_t tags = token_aspects(tok);
        for (unsigned a = 0; a < NASPECTS && tags; a++)
            if ((tags & (MT_TAG_ASPECT_FIRST << a)) && score[a] > 0)
                mt_flag_evidence(ctx, MT_FLAG_FIRST_ASPECT + a, tok->off, tok->len,
                                 tok->kind == MEDTONE_TOKEN_MONEY ? "money" : "dose");
    }
}

void mt_flag_aspects(mt_flag_ctx *ctx)
{
    const medtone_result *r = ctx->r;
    const mt_flags_state *f = &r->flags;
    const medtone_tokens *t = r->tokens;
    double pos[NASPECTS] = {0}, neg[NASPECTS] = {0}, opinion[NASPECTS] = {0};
    double sent[NASPECTS] = {0}, score[NASPECTS] = {0};
    int any = 0;
    size_t own = ctx->aspect_own;

    /* Cue weights. "waited 4 hours": the number before "hours" makes it a duration. */
    for (size_t h = 0; h < f->ncues; h++) {
        const mt_cue_hit *hit = &f->cues[h];
        double w = mt_aspect_cue_weight(own, hit->entry);
        uint32_t tags = cue_aspects(hit->entry);
        if (!tags || w == 0) continue;
        if (w > 0 && (tags & MT_TAG_ASPECT_WAIT) && hit->tok0 > 0 &&
            t->tok[hit->tok0 - 1].kind == MEDTONE_TOKEN_NUMBER)
            w += NUMBER_BONUS;
        for (unsigned a = 0; a < NASPECTS; a++) {
            if (!(tags & (MT_TAG_ASPECT_FIRST << a))) continue;
            if (w > 0)
                pos[a] += w;
            else
                neg[a] += w;
        }
        any = 1;
    }
    for (size_t k = 0; k < r->nitems; k++) {
        const mt_token *tok = &t->tok[r->items[k].tok0];
        if (tok->kind == MEDTONE_TOKEN_MONEY)
            pos[MT_FLAG_ASPECT_BILLING - MT_FLAG_FIRST_ASPECT] += MONEY_WEIGHT;
        else if (tok->kind == MEDTONE_TOKEN_DOSE)
            pos[MT_FLAG_ASPECT_MEDICATION - MT_FLAG_FIRST_ASPECT] += DOSE_WEIGHT;
        else
            continue;
        any = 1;
    }
    if (!any) {
        for (unsigned a = 0; a < NASPECTS; a++)
            mt_flag_set(ctx, MT_FLAG_FIRST_ASPECT + a, 0, 0);
        return;
    }

    /* Opinions: each sentiment term goes to its nearest anchor's aspects. */
    mt_item_list marked;
    mt_item_list_build(r, token_or_illness, &marked);
    for (size_t j = 0; j < r->nitems; j++) {
        const mt_item *it = &r->items[j];
        if (it->term == MT_NO_TERM) continue;
        double c = r->terms[it->term].contribution;
        if (c == 0) continue;
        int level;
        uint32_t tags = nearest_anchor(ctx, own, j, &level, &marked);
        /* "the nurse was kind but my pain is terrible": a symptom is about the illness, except
         * for what the treatment did to it or what came out of it. */
        if (is_symptom(it) && c < 0) tags &= MT_TAG_ASPECT_MEDICATION | MT_TAG_ASPECT_OUTCOME;
        if (!tags) continue;
        double x = c * mt_scope_weight[level];
        double strength = fabs(x) / OPINION_FULL;
        if (strength > 1) strength = 1;
        for (unsigned a = 0; a < NASPECTS; a++) {
            if (!(tags & (MT_TAG_ASPECT_FIRST << a))) continue;
            sent[a] += x;
            if (strength > opinion[a]) opinion[a] = strength;
        }
    }

    for (unsigned a = 0; a < NASPECTS; a++) {
        double s = pos[a] * (1.0 + OPINION_GAIN * opinion[a]) + neg[a];
        score[a] = s > 0 ? 1.0 - exp2(-s / HALF_WEIGHT) : 0;
        double sentiment =
            score[a] > 0 && sent[a] != 0 ? sent[a] / sqrt(sent[a] * sent[a] + SENT_ALPHA) : 0;
        mt_flag_set(ctx, MT_FLAG_FIRST_ASPECT + a, score[a], sentiment);
    }
    add_evidence(ctx, own, score);
}
