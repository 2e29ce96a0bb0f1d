/* train_features.c — from a text to what the trainer's models see, through the analyzer itself.
 *
 * A flag target's features are the terms of ngrams.h present in the text (each once), the same
 * walk the learned-cue matcher does at scoring time, and the offset is the logit of the flag's
 * current score.
 *
 * A sentiment target learns valences, which the scorer's rules then weigh: "effective" counts
 * -0.72 times its valence after "not", half before "but", more with "!!!". The trainer measures
 * those multipliers with the scorer itself: a PROBE lexicon is the analyzer's sentiment lexicon
 * with every learnable term set to valence 1 (-1 for a symptom, whose rule depends on the sign)
 * and its tags kept, so scoring a text with it gives each learned term's contribution per unit of
 * valence. The terms that are not learned keep their contributions, summed into the offset.
 * Learnable terms are the scorer's own items (words, hashtags, emoji, and the hand-written
 * multi-word terms) that drive no rule, plus "NEG word" for a negation word right before a word:
 * a two-word term that takes the place of both in the scorer's longest match, tagged as a
 * negator so that the negation still reaches the words after it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "analyzer.h"
#include "flags.h"
#include "ngrams.h"
#include "result.h"
#include "score.h"
#include "tokenize.h"
#include "train.h"

/* The loader's link to the table (lexicon.c); keep this prototype identical to the one there. */
medtone_status mt_lexicon_merge_layer(mt_lexicon *lex, char *name, char *keys, mt_entry *entries,
                                      size_t count);

/* Tags whose words drive a scorer rule: their valences are not learned. */
#define RULE_TAGS                                                                                  \
    (MT_TAG_NEGATOR | MT_TAG_BOOSTER | MT_TAG_CONTRAST | MT_TAG_CONCESSION | MT_TAG_RELIEF |       \
     MT_TAG_RESULT | MT_TAG_CLINICAL | MT_TAG_MEASURE)
/* A symptom's rule depends on its valence being negative: learning keeps it below this. */
#define SYMPTOM_MAX (-0.01)

struct mt_features {
    const medtone_analyzer *an;
    int flag;
    medtone_result *res, *probe_res;
    medtone_tokens *toks;
    struct medtone_analyzer probe; /* the analyzer with the probe lexicon (sentiment) */
    mt_lexicon *probe_lex;
    size_t probe_layer;
    char *key;
    size_t key_cap;
    uint32_t *ids;
    size_t nids, ids_cap;
    /* the walk in progress */
    mt_vocab *v;
    uint32_t row;
    int oom;
};

mt_features *mt_features_new(const medtone_analyzer *an, int flag)
{
    mt_features *fx = mt_calloc(1, sizeof *fx);
    if (!fx) return NULL;
    fx->an = an;
    fx->flag = flag;
    fx->res = medtone_result_new();
    fx->toks = medtone_tokens_new();
    if (flag < 0) fx->probe_res = medtone_result_new();
    if (!fx->res || !fx->toks || (flag < 0 && !fx->probe_res)) {
        mt_features_free(fx);
        return NULL;
    }
    return fx;
}

void mt_features_free(mt_features *fx)
{
    if (!fx) return;
    medtone_result_free(fx->res);
    medtone_result_free(fx->probe_res);
    medtone_tokens_free(fx->toks);
    mt_lexicon_free(fx->probe_lex);
    mt_free(fx->key);
    mt_free(fx->ids);
    mt_free(fx);
}

/* ----- sentiment items ---------------------------------------------------------------------- */

static int learnable_token(const mt_token *t)
{
    return t->kind == MEDTONE_TOKEN_WORD || t->kind == MEDTONE_TOKEN_HASHTAG ||
           t->kind == MEDTONE_TOKEN_EMOJI || t->kind == MEDTONE_TOKEN_EMOTICON;
}

/* The key of a scorer item whose valence may be learned, or NULL. */
static const char *item_key(const medtone_result *r, const mt_item *it, size_t *len)
{
    if (it->entry) {
        if (it->entry->tags & RULE_TAGS) return NULL;
        *len = it->entry->key_len;
        return it->entry->key;
    }
    const mt_token *t = &r->tokens->tok[it->tok0];
    if (it->ntok != 1 || !learnable_token(t)) return NULL;
    *len = t->norm_len;
    return mt_token_norm(r->tokens, it->tok0);
}

/* As the scorer decides it (score.c is_negator). */
static int item_is_negator(const mt_item *it)
{
    if (it->entry && (it->entry->tags & MT_TAG_NEGATOR)) return 1;
    return it->ntok == 1 && (it->flags & MEDTONE_TOKEN_NEGATION) &&
           !(it->entry && (it->entry->tags & (MT_TAG_RELIEF | MT_TAG_BOOSTER)));
}

/* "not effective": item i a one-word negation, item i+1 a learnable word right after it in the
 * same clause. Builds the key in fx->key. */
static const char *negation_key(mt_features *fx, const medtone_result *r, size_t i, size_t *len)
{
    if (i + 1 >= r->nitems) return NULL;
    const mt_item *a = &r->items[i], *b = &r->items[i + 1];
    if (a->ntok != 1 || !item_is_negator(a) || b->ntok != 1 || b->tok0 != a->tok0 + 1 ||
        b->clause != a->clause)
        return NULL;
    const mt_token *tb = &r->tokens->tok[b->tok0];
    if (tb->kind != MEDTONE_TOKEN_WORD && tb->kind != MEDTONE_TOKEN_HASHTAG) return NULL;
    if (b->entry && (b->entry->tags & RULE_TAGS)) return NULL;
    const mt_token *ta = &r->tokens->tok[a->tok0];
    size_t n = (size_t)ta->norm_len + 1 + tb->norm_len;
    if (mt_reserve((void **)&fx->key, &fx->key_cap, n + 1, 1) != 0) {
        fx->oom = 1;
        return NULL;
    }
    memcpy(fx->key, mt_token_norm(r->tokens, a->tok0), ta->norm_len);
    fx->key[ta->norm_len] = ' ';
    memcpy(fx->key + ta->norm_len + 1, mt_token_norm(r->tokens, b->tok0), tb->norm_len + 1);
    *len = n;
    return fx->key;
}

/* ----- pass 0: counting --------------------------------------------------------------------- */

static int count_term(void *user, const char *key, size_t len, size_t off, size_t span)
{
    (void)off;
    (void)span;
    mt_features *fx = user;
    return mt_vocab_count(fx->v, key, len, fx->row);
}

medtone_status mt_features_count(mt_features *fx, mt_vocab *v, const char *text, size_t len,
                                 uint32_t row)
{
    fx->v = v;
    fx->row = row;
    fx->oom = 0;
    if (fx->flag >= 0) {
        medtone_status st = medtone_tokenize(text, len, fx->toks);
        if (st != MEDTONE_OK) return st;
        int rc = mt_ngrams_each(fx->toks, "", 0, &fx->key, &fx->key_cap, count_term, fx);
        return rc ? MEDTONE_ERR_NOMEM : MEDTONE_OK;
    }
    medtone_status st = mt_score(fx->an, text, len, fx->res);
    if (st != MEDTONE_OK) return st;
    const medtone_result *r = fx->res;
    for (size_t i = 0; i < r->nitems; i++) {
        size_t klen;
        const char *key = item_key(r, &r->items[i], &klen);
        if (key && mt_vocab_count(v, key, klen, row) != 0) return MEDTONE_ERR_NOMEM;
        key = negation_key(fx, r, i, &klen);
        if (fx->oom) return MEDTONE_ERR_NOMEM;
        if (key && mt_vocab_count(v, key, klen, row) != 0) return MEDTONE_ERR_NOMEM;
    }
    return MEDTONE_OK;
}

int mt_features_keep(void *user, const char *key, size_t len)
{
    mt_features *fx = user;
    if (!len || key[0] == '#') return 0; /* a comment line in a lexicon file */
    /* The loader normalizes a term by tokenizing it: the term must come back as the same key. */
    medtone_status st = medtone_tokenize(key, len, fx->toks);
    if (st == MEDTONE_ERR_NOMEM) return -1;
    if (st != MEDTONE_OK) return 0;
    size_t at = 0;
    for (size_t i = 0; i < fx->toks->count; i++) {
        const mt_token *t = &fx->toks->tok[i];
        if (!t->norm_len) continue;
        if (at) {
            if (at >= len || key[at] != ' ') return 0;
            at++;
        }
        if (at + t->norm_len > len || memcmp(key + at, mt_token_norm(fx->toks, i), t->norm_len))
            return 0;
        at += t->norm_len;
    }
    if (at != len) return 0;
    if (fx->flag < 0) {
        const mt_entry *hand = mt_lexicon_find(fx->an->lex, key, len);
        if (hand && (hand->tags & RULE_TAGS)) return 0;
    }
    return 1;
}

/* ----- the probe lexicon (sentiment) -------------------------------------------------------- */

/* Appends "key<TAB>valence<TAB>tags\n" to the buffer. */
static int append_line(char **buf, size_t *len, size_t *cap, const char *key, size_t klen,
                       double valence, uint32_t tags, float booster, float clinical)
{
    char num[48], tagbuf[256];
    size_t nlen = mt_format_decimal(valence, 6, num, sizeof num);
    size_t tlen = mt_lexicon_format_tags(tags, booster, clinical, tagbuf, sizeof tagbuf);
    size_t need = *len + klen + nlen + tlen + 3;
    if (mt_reserve((void **)buf, cap, need + 1, 1) != 0) return -1;
    char *p = *buf + *len;
    memcpy(p, key, klen);
    p += klen;
    *p++ = '\t';
    memcpy(p, num, nlen);
    p += nlen;
    *p++ = '\t';
    memcpy(p, tagbuf, tlen);
    p += tlen;
    *p++ = '\n';
    *len = (size_t)(p - *buf);
    return 0;
}

/* The analyzer's sentiment lexicon as merged, as one layer of lex. The entries are copied as they
 * are (keys already normalized: some, such as the emoticon ":d", would not read back the same from
 * text). */
static medtone_status copy_lexicon(mt_lexicon *lex, const mt_lexicon *from)
{
    size_t n = mt_lexicon_size(from), bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += mt_lexicon_entry_at(from, i)->key_len + 1;
    char *name = mt_strndup("hand", 4), *keys = mt_malloc(bytes ? bytes : 1);
    mt_entry *entries = mt_malloc((n ? n : 1) * sizeof *entries);
    medtone_status st = name && keys && entries ? MEDTONE_OK : MEDTONE_ERR_NOMEM;
    for (size_t i = 0, at = 0; st == MEDTONE_OK && i < n; i++) {
        entries[i] = *mt_lexicon_entry_at(from, i);
        memcpy(keys + at, entries[i].key, entries[i].key_len + 1);
        entries[i].key = keys + at;
        at += entries[i].key_len + 1;
    }
    if (st == MEDTONE_OK) st = mt_lexicon_merge_layer(lex, name, keys, entries, n);
    mt_free(entries);
    if (st != MEDTONE_OK) {
        mt_free(name);
        mt_free(keys);
    }
    return st;
}

static medtone_status build_probe(mt_features *fx, const mt_vocab *v, const mt_term_info *info)
{
    mt_lexicon *lex = mt_lexicon_new();
    char *buf = NULL, err[256];
    size_t len = 0, cap = 0;
    /* Layer 0: the analyzer's sentiment lexicon; layer 1: the learnable terms (whose keys read
     * back as themselves, see mt_features_keep). */
    medtone_status st = lex ? copy_lexicon(lex, fx->an->lex) : MEDTONE_ERR_NOMEM;
    for (size_t id = 0; st == MEDTONE_OK && id < mt_vocab_size(v); id++) {
        size_t klen;
        const char *key = mt_vocab_key(v, id, &klen);
        const mt_term_info *t = &info[id];
        uint32_t tags = t->hand ? t->hand->tags : t->kind == MT_TERM_NEGATION ? MT_TAG_NEGATOR : 0;
        if (append_line(&buf, &len, &cap, key, klen, t->probe, tags, t->hand ? t->hand->booster : 0,
                        t->hand ? t->hand->clinical : 0) != 0)
            st = MEDTONE_ERR_NOMEM;
    }
    if (st == MEDTONE_OK)
        st = mt_lexicon_add_layer(lex, "probe", buf ? buf : "", len, err, sizeof err);
    mt_free(buf);
    if (st != MEDTONE_OK) {
        mt_lexicon_free(lex);
        return st == MEDTONE_ERR_NOMEM ? st : MEDTONE_ERR_INTERNAL;
    }
    mt_lexicon_free(fx->probe_lex);
    fx->probe_lex = lex;
    fx->probe_layer = 1;
    fx->probe = *fx->an;
    fx->probe.lex = lex;
    fx->probe.flags = 0;
    return MEDTONE_OK;
}

medtone_status mt_features_prepare(mt_features *fx, const mt_vocab *v, mt_term_info *info)
{
    if (fx->flag >= 0) return MEDTONE_OK;
    for (size_t id = 0; id < mt_vocab_size(v); id++) {
        size_t klen;
        const char *key = mt_vocab_key(v, id, &klen);
        mt_term_info *t = &info[id];
        memset(t, 0, sizeof *t);
        t->hand = mt_lexicon_find(fx->an->lex, key, klen);
        t->kind = t->hand ? MT_TERM_HAND : memchr(key, ' ', klen) ? MT_TERM_NEGATION : MT_TERM_NEW;
        t->v0 = t->hand ? t->hand->valence : 0;
        t->lo = -4;
        t->hi = 4;
        t->probe = 1;
        if (t->hand && (t->hand->tags & MT_TAG_SYMPTOM) && t->v0 < 0) {
            t->hi = SYMPTOM_MAX;
            t->probe = -1;
        }
    }
    return build_probe(fx, v, info);
}

void mt_features_finish_stats(mt_term_info *info, size_t n)
{
    for (size_t id = 0; id < n; id++) {
        mt_term_info *t = &info[id];
        if (t->kind != MT_TERM_NEGATION || t->v0_den <= 0) continue;
        double v0 = t->v0_num / t->v0_den; /* least squares: displaced ~ v0 * multiplier */
        t->v0 = v0 < t->lo ? t->lo : v0 > t->hi ? t->hi : v0;
    }
}

/* ----- features of one row ------------------------------------------------------------------ */

static int collect_id(void *user, const char *key, size_t len, size_t off, size_t span)
{
    (void)off;
    (void)span;
    mt_features *fx = user;
    long id = mt_vocab_find(fx->v, key, len);
    if (id < 0) return 0;
    if (mt_reserve((void **)&fx->ids, &fx->ids_cap, fx->nids + 1, sizeof *fx->ids) != 0) return -1;
    fx->ids[fx->nids++] = (uint32_t)id;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_feat(const void *a, const void *b)
{
    uint32_t x = ((const mt_feat *)a)->id, y = ((const mt_feat *)b)->id;
    return (x > y) - (x < y);
}

static int push_feat(mt_feat **feats, size_t *nfeats, size_t *cap, uint32_t id, double x)
{
    if (mt_reserve((void **)feats, cap, *nfeats + 1, sizeof **feats) != 0) return -1;
    (*feats)[(*nfeats)++] = (mt_feat){id, 1, (float)x};
    return 0;
}

static medtone_status flag_row(mt_features *fx, const mt_vocab *v, const char *text, size_t len,
                               mt_row *row, mt_feat **feats, size_t *nfeats, size_t *cap)
{
    medtone_status st = medtone_analyze(fx->an, text, len, fx->res);
    if (st != MEDTONE_OK) return st;
    row->baseline = medtone_result_flag_score(fx->res, (size_t)fx->flag);
    row->offset = mt_learned_logit(row->baseline);
    fx->v = (mt_vocab *)v;
    fx->nids = 0;
    if (mt_ngrams_each(fx->res->tokens, "", 0, &fx->key, &fx->key_cap, collect_id, fx) != 0)
        return MEDTONE_ERR_NOMEM;
    /* A row without a learnable term has no ids, and none were ever allocated when it is the
     * first: qsort must not be given that NULL, not even with a count of 0. */
    if (fx->nids > 1) qsort(fx->ids, fx->nids, sizeof *fx->ids, cmp_u32);
    for (size_t k = 0; k < fx->nids; k++) {
        if (k && fx->ids[k] == fx->ids[k - 1]) continue;
        if (push_feat(feats, nfeats, cap, fx->ids[k], 1.0) != 0) return MEDTONE_ERR_NOMEM;
        row->nfeat++;
    }
    return MEDTONE_OK;
}

/* The hand-written contributions inside tokens [tok0, tok0 + ntok) of the hand analysis. */
static double displaced(const medtone_result *hand, size_t tok0, size_t ntok)
{
    double sum = 0;
    for (size_t k = 0; k < hand->nterms; k++)
        if (hand->terms[k].tok0 >= tok0 && hand->terms[k].tok0 < tok0 + ntok)
            sum += hand->terms[k].contribution;
    return sum;
}

static medtone_status sentiment_row(mt_features *fx, const mt_vocab *v, mt_term_info *info,
                                    int collect, const char *text, size_t len, mt_row *row,
                                    mt_feat **feats, size_t *nfeats, size_t *cap)
{
    medtone_status st = mt_score(fx->an, text, len, fx->res);
    if (st == MEDTONE_OK) st = mt_score(&fx->probe, text, len, fx->probe_res);
    if (st != MEDTONE_OK) return st;
    row->baseline = fx->res->compound;
    const medtone_result *p = fx->probe_res;
    for (size_t k = 0; k < p->nterms; k++) {
        const mt_term *t = &p->terms[k];
        long id = t->entry->layer == fx->probe_layer
                      ? mt_vocab_find(v, t->entry->key, t->entry->key_len)
                      : -1;
        if (id < 0) { /* not learned: keeps its contribution */
            row->offset += t->contribution;
            row->nfixed++;
            continue;
        }
        double m = t->contribution / info[id].probe;
        if (push_feat(feats, nfeats, cap, (uint32_t)id, m) != 0) return MEDTONE_ERR_NOMEM;
        row->nfeat++;
        if (collect && info[id].kind == MT_TERM_NEGATION) {
            info[id].v0_num += displaced(fx->res, t->tok0, t->ntok) * m;
            info[id].v0_den += m * m;
        }
    }
    /* One feature per term: occurrences summed (the model is linear in each valence). No
     * feature, and *feats may still be NULL: nothing to do (NULL + 0 is no pointer either). */
    if (row->nfeat == 0) return MEDTONE_OK;
    mt_feat *f = *feats + row->feat0;
    qsort(f, row->nfeat, sizeof *f, cmp_feat);
    size_t n = 0;
    for (size_t k = 0; k < row->nfeat; k++) {
        if (n && f[n - 1].id == f[k].id) {
            f[n - 1].x += f[k].x;
            f[n - 1].n++;
        } else {
            f[n++] = f[k];
        }
    }
    *nfeats -= row->nfeat - n;
    row->nfeat = (uint32_t)n;
    return MEDTONE_OK;
}

medtone_status mt_features_row(mt_features *fx, const mt_vocab *v, mt_term_info *info, int collect,
                               const char *text, size_t len, mt_row *row, mt_feat **feats,
                               size_t *nfeats, size_t *cap)
{
    size_t n0 = *nfeats;
    row->offset = 0;
    row->nfixed = 0;
    row->nfeat = 0;
    row->feat0 = n0;
    medtone_status st =
        fx->flag >= 0 ? flag_row(fx, v, text, len, row, feats, nfeats, cap)
                      : sentiment_row(fx, v, info, collect, text, len, row, feats, nfeats, cap);
    if (st != MEDTONE_OK) *nfeats = n0;
    return st;
}
