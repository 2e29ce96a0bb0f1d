/* flags.c — the flag framework: registry and thresholds, cue matching, evidence bookkeeping, and
 * the public medtone_flag_* / medtone_result_flag_* / medtone_result_evidence_* functions. The
 * flags themselves live in src/flags/, one file each. */
#include <string.h>

#include "alloc.h"
#include "analyzer.h"
#include "flags.h"
#include "result.h"
#include "score.h"
#include "tokenize.h"
#include "flags/scope.h"

/* Default thresholds: where a score starts to mean "a person should look". Crisis leans to
 * recall (a missed crisis costs far more than a false alarm); privacy fires on one identifier
 * next to health information. */
const mt_flag_def mt_flag_defs[MT_FLAG_COUNT] = {
    [MT_FLAG_NEGATIVE] = {"negative", 0.5},
    [MT_FLAG_MISINFO] = {"misinfo", 0.5},
    [MT_FLAG_PRIVACY] = {"privacy", 0.5},
    [MT_FLAG_CRISIS] = {"crisis", 0.35},
    [MT_FLAG_ADE] = {"ade", 0.5},
    [MT_FLAG_ASPECT_WAIT] = {"aspect.wait", 0.5},
    [MT_FLAG_ASPECT_BILLING] = {"aspect.billing", 0.5},
    [MT_FLAG_ASPECT_STAFF] = {"aspect.staff", 0.5},
    [MT_FLAG_ASPECT_COMMUNICATION] = {"aspect.communication", 0.5},
    [MT_FLAG_ASPECT_CLEANLINESS] = {"aspect.cleanliness", 0.5},
    [MT_FLAG_ASPECT_ACCESS] = {"aspect.access", 0.5},
    [MT_FLAG_ASPECT_FOOD] = {"aspect.food", 0.5},
    [MT_FLAG_ASPECT_PARKING] = {"aspect.parking", 0.5},
    [MT_FLAG_ASPECT_MEDICATION] = {"aspect.medication", 0.5},
    [MT_FLAG_ASPECT_OUTCOME] = {"aspect.outcome", 0.5},
    [MT_FLAG_ASPECT_RECORDS] = {"aspect.records", 0.5},
};

size_t medtone_flag_count(void)
{
    return MT_FLAG_COUNT;
}

const char *medtone_flag_name(size_t flag)
{
    return flag < MT_FLAG_COUNT ? mt_flag_defs[flag].name : "";
}

medtone_status medtone_flag_find(const char *name, size_t *index)
{
    if (!name || !index) return MEDTONE_ERR_INVALID_ARG;
    for (size_t i = 0; i < MT_FLAG_COUNT; i++)
        if (!strcmp(mt_flag_defs[i].name, name)) {
            *index = i;
            return MEDTONE_OK;
        }
    return MEDTONE_ERR_NOT_FOUND;
}

double medtone_flag_default_threshold(size_t flag)
{
    return flag < MT_FLAG_COUNT ? mt_flag_defs[flag].threshold : 0;
}

/* ---------------------------------------------------------------------------------------------
 * Evidence
 * ------------------------------------------------------------------------------------------- */

int mt_flag_evidence(mt_flag_ctx *ctx, unsigned flag, size_t off, size_t len, const char *cue)
{
    mt_flags_state *f = &ctx->r->flags;
    if (flag >= MT_FLAG_COUNT) return 0;
    if (mt_reserve((void **)&f->ev, &f->ev_cap, f->nev + 1, sizeof *f->ev) != 0) {
        ctx->oom = 1;
        return -1;
    }
    f->ev[f->nev++] = (mt_evidence){flag, off, len, cue ? cue : ""};
    return 0;
}

void mt_flag_set(mt_flag_ctx *ctx, unsigned flag, double score, double sentiment)
{
    if (flag >= MT_FLAG_COUNT) return;
    if (!(score >= 0)) score = 0; /* also catches NaN */
    if (score > 1) score = 1;
    ctx->r->flags.score[flag] = score;
    ctx->r->flags.sentiment[flag] = sentiment;
}

/* Groups the evidence by flag (stable, so each flag's evidence stays in text order): one pass to
 * count, one to place. */
static int sort_evidence(mt_flags_state *f)
{
    size_t need = f->nev ? f->nev : 1;
    if (need > f->ev_sorted_cap &&
        mt_reserve((void **)&f->ev_sorted, &f->ev_sorted_cap, need, sizeof *f->ev_sorted) != 0)
        return -1;
    size_t next[MT_FLAG_COUNT] = {0}, pos = 0;
    for (size_t i = 0; i < f->nev; i++)
        if (f->ev[i].flag < MT_FLAG_COUNT) next[f->ev[i].flag]++;
    for (unsigned flag = 0; flag < MT_FLAG_COUNT; flag++) {
        f->ev_start[flag] = pos;
        f->ev_count[flag] = next[flag];
        next[flag] = pos;
        pos += f->ev_count[flag];
    }
    for (size_t i = 0; i < f->nev; i++)
        if (f->ev[i].flag < MT_FLAG_COUNT) f->ev_sorted[next[f->ev[i].flag]++] = f->ev[i];
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Cue matching: the same longest-match walk as the scorer, over the analyzer's cue lexicon.
 * ------------------------------------------------------------------------------------------- */

/* Phrases end at punctuation; a mention names an account, never a cue word, so "@health" in a
 * post cannot complete a cue file's internal "@" entries. */
static int ends_phrase(const mt_token *tok)
{
    return tok->kind == MEDTONE_TOKEN_PUNCT || tok->kind == MEDTONE_TOKEN_MENTION;
}

/* Sets each hit's item0 and item1: the last item that starts at or before its first and its last
 * token (item 0 when none does), the answer of mt_item_of_token. Hits and items are both in token
 * order, so one merge finds them all instead of two binary searches per hit and per reader. */
static void locate_cues(medtone_result *r)
{
    mt_flags_state *f = &r->flags;
    size_t k = 0;
    for (size_t h = 0; h < f->ncues; h++) {
        mt_cue_hit *hit = &f->cues[h];
        while (k + 1 < r->nitems && r->items[k + 1].tok0 <= hit->tok0)
            k++;
        hit->item0 = k;
        size_t last = hit->tok0 + hit->ntok - 1, j = k;
        while (j + 1 < r->nitems && r->items[j + 1].tok0 <= last)
            j++;
        hit->item1 = j;
    }
}

/* As in the scorer (score.c): one probe per key tells both whether it is a cue and whether a
 * longer cue may start with it, token hashes are the scorer's, and the follow filter turns most
 * dead ends away before a longer key is built. */
static int match_cues(const mt_lexicon *cues, medtone_result *r)
{
    const medtone_tokens *t = r->tokens;
    mt_flags_state *f = &r->flags;
    unsigned max_words = mt_lexicon_max_words(cues);
    mt_follow_filter follow = mt_lexicon_follow_filter(cues);
    f->ncues = 0;
    f->ntok_cues = 0;
    if (max_words == 0) return 0;
    if (r->nhashes != t->count && mt_hash_tokens(r) != 0) return -1;
    mt_lexicon_prefetch(cues, r->hashes, t->count);
    /* At most one hit per token: room for all of them once. */
    if (t->count > f->cues_cap &&
        mt_reserve((void **)&f->cues, &f->cues_cap, t->count, sizeof *f->cues) != 0)
        return -1;
    if (t->count > f->tok_cues_cap &&
        mt_reserve((void **)&f->tok_cues, &f->tok_cues_cap, t->count, sizeof *f->tok_cues) != 0)
        return -1;
    for (size_t i = 0; i < t->count;) {
        const mt_token *tok = &t->tok[i];
        if (ends_phrase(tok)) {
            f->tok_cues[i++].known = 0;
            continue;
        }
        uint64_t h = r->hashes[i];
        int more;
        const mt_entry *best =
            mt_lexicon_lookup_hashed(cues, mt_token_norm(t, i), tok->norm_len, h, &more);
        f->tok_cues[i] = (mt_token_cue){best, 1, (unsigned char)(more != 0)};
        size_t best_n = 1, len = tok->norm_len;
        for (size_t n = 1; more && n < max_words && i + n < t->count; n++) {
            const mt_token *next = &t->tok[i + n];
            if (ends_phrase(next) || !mt_may_extend_with(r, follow, h, i + n)) break;
            size_t need = len + next->norm_len + 2;
            if (need > r->key_cap && mt_reserve((void **)&r->key, &r->key_cap, need, 1) != 0)
                return -1;
            if (n == 1) memcpy(r->key, mt_token_norm(t, i), len);
            r->key[len++] = ' ';
            memcpy(r->key + len, mt_token_norm(t, i + n), next->norm_len + 1);
            len += next->norm_len;
            h = mt_lexicon_hash(r->key, len);
            const mt_entry *e = mt_lexicon_lookup_hashed(cues, r->key, len, h, &more);
            if (e) {
                best = e;
                best_n = n + 1;
            }
        }
        if (best) {
            const mt_token *last = &t->tok[i + best_n - 1];
            f->cues[f->ncues++] = (mt_cue_hit){i, best_n, tok->off, last->off + last->len - tok->off,
                                               best, 0, 0};
        }
        for (size_t k = i + 1; k < i + best_n; k++)
            f->tok_cues[k].known = 0; /* inside a longer hit: not looked up by itself */
        i += best_n;
    }
    f->ntok_cues = t->count;
    locate_cues(r);
    return 0;
}

const mt_entry *mt_flag_token_cue(const mt_flag_ctx *ctx, size_t i, int *is_prefix)
{
    const mt_flags_state *f = &ctx->r->flags;
    if (i < f->ntok_cues && f->tok_cues[i].known) {
        *is_prefix = f->tok_cues[i].prefix;
        return f->tok_cues[i].entry;
    }
    return mt_token_lookup(ctx->r, ctx->an->cues, i, is_prefix);
}

void mt_flags_reset(mt_flags_state *f)
{
    memset(f->score, 0, sizeof f->score);
    memset(f->sentiment, 0, sizeof f->sentiment);
    memset(f->fired, 0, sizeof f->fired);
    memset(f->ev_start, 0, sizeof f->ev_start);
    memset(f->ev_count, 0, sizeof f->ev_count);
    f->nev = 0;
    f->ncues = 0;
    f->ntok_cues = 0;
}

void mt_flags_free(mt_flags_state *f)
{
    mt_free(f->ev);
    mt_free(f->ev_sorted);
    mt_free(f->cues);
    mt_free(f->tok_cues);
}

void mt_flag_ctx_init(mt_flag_ctx *ctx, const medtone_analyzer *an, medtone_result *r,
                      const char *text, size_t len)
{
    *ctx = (mt_flag_ctx){an, r, text, len, 0, 0};
    ctx->aspect_own = mt_aspect_cue_own_layer(ctx);
}

medtone_status mt_flags_run(const medtone_analyzer *an, const char *text, size_t len,
                            medtone_result *r)
{
    mt_flags_state *f = &r->flags;
    mt_flags_reset(f);
    if (match_cues(an->cues, r) != 0) return MEDTONE_ERR_NOMEM;
    mt_flag_ctx ctx;
    mt_flag_ctx_init(&ctx, an, r, text, len);
    void (*const modules[])(mt_flag_ctx *) = {mt_flag_ade,     mt_flag_privacy, mt_flag_crisis,
                                              mt_flag_misinfo, mt_flag_aspects, mt_flag_negative};
    for (size_t m = 0; m < sizeof modules / sizeof modules[0] && !ctx.oom; m++) modules[m](&ctx);
    if (!ctx.oom) mt_flag_learned(&ctx);
    if (ctx.oom || sort_evidence(f) != 0) return MEDTONE_ERR_NOMEM;
    for (unsigned flag = 0; flag < MT_FLAG_COUNT; flag++)
        f->fired[flag] = f->score[flag] > 0 && f->score[flag] >= an->threshold[flag];
    return MEDTONE_OK;
}

medtone_status mt_flags_prepare(mt_wordset *words)
{
    int (*const build[MT_WORDSETS])(mt_wordset *) = {
        [MT_WORDS_ADE] = mt_flag_ade_words,
        [MT_WORDS_CRISIS] = mt_flag_crisis_words,
    };
    for (size_t k = 0; k < MT_WORDSETS; k++)
        if (build[k](&words[k]) != 0) {
            mt_flags_release(words);
            return MEDTONE_ERR_NOMEM;
        }
    return MEDTONE_OK;
}

void mt_flags_release(mt_wordset *words)
{
    for (size_t k = 0; k < MT_WORDSETS; k++)
        mt_wordset_free(&words[k]);
}

/* ---------------------------------------------------------------------------------------------
 * Public accessors
 * ------------------------------------------------------------------------------------------- */

double medtone_result_flag_score(const medtone_result *r, size_t flag)
{
    return r && flag < MT_FLAG_COUNT ? r->flags.score[flag] : 0;
}

int medtone_result_flag_fired(const medtone_result *r, size_t flag)
{
    return r && flag < MT_FLAG_COUNT ? r->flags.fired[flag] : 0;
}

double medtone_result_flag_sentiment(const medtone_result *r, size_t flag)
{
    return r && flag < MT_FLAG_COUNT ? r->flags.sentiment[flag] : 0;
}

size_t medtone_result_evidence_count(const medtone_result *r, size_t flag)
{
    return r && flag < MT_FLAG_COUNT ? r->flags.ev_count[flag] : 0;
}

static const mt_evidence *evidence_at(const medtone_result *r, size_t flag, size_t i)
{
    if (!r || flag >= MT_FLAG_COUNT || i >= r->flags.ev_count[flag]) return NULL;
    return &r->flags.ev_sorted[r->flags.ev_start[flag] + i];
}

size_t medtone_result_evidence_offset(const medtone_result *r, size_t flag, size_t i)
{
    const mt_evidence *e = evidence_at(r, flag, i);
    return e ? e->off : 0;
}

size_t medtone_result_evidence_length(const medtone_result *r, size_t flag, size_t i)
{
    const mt_evidence *e = evidence_at(r, flag, i);
    return e ? e->len : 0;
}

const char *medtone_result_evidence_cue(const medtone_result *r, size_t flag, size_t i)
{
    const mt_evidence *e = evidence_at(r, flag, i);
    return e ? e->cue : "";
}
