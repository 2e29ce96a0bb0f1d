/* scope.c — scope and cue weights shared by aspects.c and negative.c (see scope.h). */
#include <stddef.h>
#include <string.h>

#include "analyzer.h"
#include "flags.h"
#include "lexicon.h"
#include "result.h"
#include "scope.h"
#include "tokenize.h"

const double mt_scope_weight[4] = {1.0, 0.3, 0.6, 0.35};

size_t mt_item_of_token(const medtone_result *r, size_t tok)
{
    size_t lo = 0, hi = r->nitems;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->items[mid].tok0 <= tok)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : 0;
}

static int is_turn(const mt_item *it)
{
    return it->entry && (it->entry->tags & (MT_TAG_CONTRAST | MT_TAG_CONCESSION));
}

/* "Dr. Lee was rude": the period after a short title ("Dr", "Mrs", "St", "Prof") does not end
 * the sentence. A capitalized word of two to four letters, not all capitals (so "ER." still
 * ends one), directly followed by a lone '.' that the next item follows. */
static int title_period(const mt_flag_ctx *ctx, size_t k)
{
    const medtone_result *r = ctx->r;
    const mt_item *it = &r->items[k];
    const medtone_tokens *t = r->tokens;
    if (it->ntok != 1 || k + 1 >= r->nitems) return 0;
    const mt_token *w = &t->tok[it->tok0];
    if (w->kind != MEDTONE_TOKEN_WORD || w->len < 2 || w->len > 4) return 0;
    if (w->off + w->len > ctx->len) return 0;
    const char *s = ctx->text + w->off;
    if (s[0] < 'A' || s[0] > 'Z') return 0;
    for (size_t i = 1; i < w->len; i++)
        if (s[i] < 'a' || s[i] > 'z') return 0;
    size_t p = it->tok0 + 1;
    if (p >= t->count) return 0;
    const mt_token *dot = &t->tok[p];
    return dot->kind == MEDTONE_TOKEN_PUNCT && dot->len == 1 && dot->off < ctx->len &&
           ctx->text[dot->off] == '.' && dot->off == w->off + w->len &&
           r->items[k + 1].tok0 == p + 1;
}

/* The boundary between item k and item k + 1. */
static int boundary(const mt_flag_ctx *ctx, size_t k)
{
    const mt_item *a = &ctx->r->items[k], *b = &ctx->r->items[k + 1];
    if (a->sentence != b->sentence)
        return title_period(ctx, k) ? MT_SAME_STRETCH : MT_ACROSS_SENTENCE;
    if (a->clause != b->clause) return MT_ACROSS_CLAUSE;
    return is_turn(b) ? MT_ACROSS_TURN : MT_SAME_STRETCH;
}

int mt_scope_level_between(const mt_flag_ctx *ctx, size_t a, size_t b)
{
    int level = MT_SAME_STRETCH;
    for (size_t k = a; k < b && level < MT_ACROSS_SENTENCE; k++) {
        int l = boundary(ctx, k);
        if (l > level) level = l;
    }
    return level;
}

void mt_scope_relation(const mt_flag_ctx *ctx, size_t j, size_t a, size_t b, int *level,
                       size_t *dist)
{
    if (j < a) {
        *level = mt_scope_level_between(ctx, j, a);
        *dist = a - j;
    } else if (j > b) {
        *level = mt_scope_level_between(ctx, b, j);
        *dist = j - b;
    } else {
        *level = MT_SAME_STRETCH;
        *dist = 0;
    }
}

int mt_scope_closer(int l1, size_t d1, int l2, size_t d2)
{
    return l1 < l2 || (l1 == l2 && d1 < d2);
}

size_t mt_first_hit_from(const mt_flags_state *f, size_t tok)
{
    size_t lo = 0, hi = f->ncues;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->cues[mid].tok0 + f->cues[mid].ntok <= tok)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t mt_aspect_cue_own_layer(const mt_flag_ctx *ctx)
{
    const mt_lexicon *cues = ctx->an->cues;
    size_t n = mt_lexicon_layer_count(cues);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(mt_lexicon_layer_name(cues, i), MT_ASPECT_CUE_OWN_LAYER)) return i;
    return (size_t)-1;
}

int mt_aspect_cue_is_own(size_t own, const mt_entry *e)
{
    return e->layer == own || !(e->tags & ~(uint32_t)MT_ASPECT_CUE_OWN_TAGS);
}

double mt_aspect_cue_weight(size_t own, const mt_entry *e)
{
    if (mt_aspect_cue_is_own(own, e)) return e->valence;
    if (e->tags & MT_ASPECT_CUE_OWN_TAGS) return MT_ASPECT_CUE_FOREIGN_WEIGHT;
    if (e->tags & MT_TAG_DRUG) return MT_ASPECT_CUE_DRUG_WEIGHT;
    return 0;
}

int mt_aspect_cue_is_own_state(size_t own, const mt_entry *e)
{
    if (mt_aspect_cue_is_own(own, e)) return (e->tags & MT_TAG_ORG) && e->valence < 0;
    return (e->tags & (MT_TAG_HEALTH_INFO | MT_TAG_REACTION | MT_TAG_CRISIS)) && e->valence > 0 &&
           !(e->tags & MT_ASPECT_CUE_OWN_TAGS);
}

int mt_is_illness_item(const mt_item *it)
{
    return it->entry && (it->entry->tags & (MT_TAG_SYMPTOM | MT_TAG_RESULT));
}
