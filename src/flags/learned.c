/* learned.c — learned cue layers (`medtone train`, docs/train.md) correcting the flags.
 *
 * Runs after every flag module. For each cue layer whose "#@ target" header names a flag and
 * with at least one of its terms in the text (terms as ngrams.h defines them, each counted once):
 *
 *     score = 1 / (1 + e^-(logit(module score) + bias + sum of the weights of those terms))
 *
 * which is the model the trainer fitted with the module score as a fixed offset, so the layer
 * corrects the hand-written flag rather than replacing it. Layers for the same flag apply in load
 * order, each to the score the one before left (as each was trained on the analyzer it corrects).
 * Every learned term that raised the score is evidence, its cue the term itself ("miracle cure"),
 * so a flag the learned layer fired still lists the terms that fired it. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "analyzer.h"
#include "flags.h"
#include "lexicon.h"
#include "ngrams.h"
#include "result.h"

/* A module score of exactly 0 or 1 has no logit: scores are kept this far from both ends, in
 * training (train_features.c) and here alike. */
#define MT_LEARNED_EPS 1e-3
/* Distinct learned terms a text has are found in a small set on the stack; past its load, the
 * terms already recorded are searched one by one (long texts only). */
#define SEEN_SLOTS 256 /* 2^8, see seen_before */
#define SEEN_LOAD  192

typedef struct walk {
    mt_flag_ctx *ctx;
    const mt_lexicon *cues;
    unsigned flag;
    size_t prefix_len;
    double sum;
    int any;
    size_t nev0; /* this layer's records start here in r->flags.ev */
    const mt_entry *seen[SEEN_SLOTS];
    size_t nseen;
} walk;

double mt_learned_logit(double score)
{
    if (!(score > MT_LEARNED_EPS)) score = MT_LEARNED_EPS; /* also NaN */
    if (score > 1 - MT_LEARNED_EPS) score = 1 - MT_LEARNED_EPS;
    return log(score / (1 - score));
}

/* Nonzero when e was already counted in this text (and records it otherwise). */
static int seen_before(walk *w, const mt_entry *e)
{
    if (w->nseen < SEEN_LOAD) {
        /* Fibonacci hashing of the address: the top 8 bits of the product pick one of 256 */
        size_t h = (size_t)(((uint64_t)(uintptr_t)e * 0x9E3779B97F4A7C15ull) >> 56);
        for (;; h = (h + 1) & (SEEN_SLOTS - 1)) {
            if (w->seen[h] == e) return 1;
            if (!w->seen[h]) break;
        }
        w->seen[h] = e;
        w->nseen++;
        return 0;
    }
    /* Every counted term is recorded in the evidence (see on_term), so search there. */
    const mt_flags_state *f = &w->ctx->r->flags;
    const char *cue = e->key + w->prefix_len;
    for (size_t k = w->nev0; k < f->nev; k++)
        if (f->ev[k].cue == cue) return 1;
    return 0;
}

static int on_term(void *user, const char *key, size_t len, size_t off, size_t span)
{
    walk *w = user;
    const mt_entry *e = mt_lexicon_find(w->cues, key, len);
    if (!e || !(e->tags & MT_TAG_LEARNED) || seen_before(w, e)) return 0;
    double weight = mt_cue_weight(e, MT_CUE_LEARNED);
    w->sum += weight;
    w->any = 1;
    /* Recorded for now whatever its sign (a flag past MT_FLAG_COUNT marks a term that lowered
     * the score); those are dropped again once the layer is done. */
    mt_flags_state *f = &w->ctx->r->flags;
    if (mt_reserve((void **)&f->ev, &f->ev_cap, f->nev + 1, sizeof *f->ev) != 0) {
        w->ctx->oom = 1;
        return -1;
    }
    f->ev[f->nev++] =
        (mt_evidence){weight > 0 ? w->flag : MT_FLAG_COUNT, off, span, e->key + w->prefix_len};
    return 0;
}

static void apply_layer(mt_flag_ctx *ctx, size_t layer, unsigned flag)
{
    mt_flags_state *f = &ctx->r->flags;
    walk w;
    memset(&w, 0, sizeof w);
    w.ctx = ctx;
    w.cues = ctx->an->cues;
    w.flag = flag;
    w.nev0 = f->nev;
    char prefix[MT_LEARNED_PREFIX_MAX];
    w.prefix_len = mt_lexicon_learned_prefix(layer, prefix);
    int rc = mt_ngrams_each(ctx->r->tokens, prefix, w.prefix_len, &ctx->r->key, &ctx->r->key_cap,
                            on_term, &w);
    if (rc != 0) ctx->oom = 1;
    /* Keep only the terms that raised the score. */
    size_t kept = w.nev0;
    for (size_t k = w.nev0; k < f->nev; k++)
        if (f->ev[k].flag < MT_FLAG_COUNT) f->ev[kept++] = f->ev[k];
    int new_evidence = kept > w.nev0;
    f->nev = kept;
    if (!w.any || ctx->oom) return;
    double z = mt_learned_logit(f->score[flag]) + mt_lexicon_layer_bias(w.cues, layer) + w.sum;
    int had_evidence = 0;
    for (size_t k = 0; k < w.nev0 && !had_evidence; k++)
        had_evidence = f->ev[k].flag == flag;
    double sentiment = f->sentiment[flag];
    if (!had_evidence && new_evidence) sentiment = ctx->r->compound;
    mt_flag_set(ctx, flag, 1.0 / (1.0 + exp(-z)), sentiment);
}

void mt_flag_learned(mt_flag_ctx *ctx)
{
    const mt_lexicon *cues = ctx->an->cues;
    size_t n = mt_lexicon_layer_count(cues);
    for (size_t layer = 0; layer < n && !ctx->oom; layer++) {
        int flag = mt_lexicon_layer_target(cues, layer);
        if (flag >= 0 && flag < MT_FLAG_COUNT) apply_layer(ctx, layer, (unsigned)flag);
    }
}
