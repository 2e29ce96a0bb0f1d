/* result.c — the result object: creation, medtone_analyze, and the accessors that read a score and
 * its explanation. */
#include <string.h>

#include "alloc.h"
#include "analyzer.h"
#include "result.h"
#include "score.h"
#include "tokenize.h"

medtone_result *medtone_result_new(void)
{
    medtone_result *r = mt_calloc(1, sizeof *r);
    if (!r) return NULL;
    r->tokens = medtone_tokens_new();
    if (!r->tokens) {
        mt_free(r);
        return NULL;
    }
    return r;
}

void medtone_result_free(medtone_result *r)
{
    if (!r) return;
    medtone_tokens_free(r->tokens);
    mt_free(r->terms);
    mt_free(r->items);
    mt_free(r->key);
    mt_free(r->hashes);
    mt_flags_free(&r->flags);
    mt_free(r);
}

void mt_result_reset(medtone_result *r)
{
    r->compound = r->positive = r->neutral = r->negative = 0;
    r->nterms = 0;
    r->nitems = 0;
    r->nhashes = 0;
    r->analyzer = NULL;
    mt_flags_reset(&r->flags);
}

medtone_status medtone_analyze(const medtone_analyzer *analyzer, const char *text, size_t len,
                               medtone_result *result)
{
    if (!result) return MEDTONE_ERR_INVALID_ARG;
    mt_result_reset(result);
    if (!analyzer || (!text && len > 0)) return MEDTONE_ERR_INVALID_ARG;
    medtone_status st = len > MEDTONE_ANALYZE_MAX_BYTES
                            ? MEDTONE_ERR_TOO_LARGE
                            : mt_score(analyzer, text ? text : "", len, result);
    if (st == MEDTONE_OK && analyzer->flags)
        st = mt_flags_run(analyzer, text ? text : "", len, result);
    if (st != MEDTONE_OK) {
        mt_result_reset(result);
        result->tokens->count = 0;
    }
    return st;
}

double medtone_result_compound(const medtone_result *r)
{
    return r ? r->compound : 0;
}

double medtone_result_positive(const medtone_result *r)
{
    return r ? r->positive : 0;
}

double medtone_result_neutral(const medtone_result *r)
{
    return r ? r->neutral : 0;
}

double medtone_result_negative(const medtone_result *r)
{
    return r ? r->negative : 0;
}

const medtone_tokens *medtone_result_tokens(const medtone_result *r)
{
    return r ? r->tokens : NULL;
}

size_t medtone_result_term_count(const medtone_result *r)
{
    return r ? r->nterms : 0;
}

static const mt_term *term_at(const medtone_result *r, size_t i)
{
    return r && i < r->nterms ? &r->terms[i] : NULL;
}

size_t medtone_result_term_offset(const medtone_result *r, size_t i)
{
    const mt_term *t = term_at(r, i);
    return t ? t->off : 0;
}

size_t medtone_result_term_length(const medtone_result *r, size_t i)
{
    const mt_term *t = term_at(r, i);
    return t ? t->len : 0;
}

const char *medtone_result_term_entry(const medtone_result *r, size_t i)
{
    const mt_term *t = term_at(r, i);
    return t ? t->entry->key : "";
}

const char *medtone_result_term_layer(const medtone_result *r, size_t i)
{
    const mt_term *t = term_at(r, i);
    if (!t || !r->analyzer) return "";
    const char *name = mt_lexicon_layer_name(r->analyzer->lex, t->entry->layer);
    return name ? name : "";
}

double medtone_result_term_valence(const medtone_result *r, size_t i)
{
    const mt_term *t = term_at(r, i);
    return t ? t->valence : 0;
}

double medtone_result_term_contribution(const medtone_result *r, size_t i)
{
    const mt_term *t = term_at(r, i);
    return t ? t->contribution : 0;
}

unsigned medtone_result_term_rules(const medtone_result *r, size_t i)
{
    const mt_term *t = term_at(r, i);
    return t ? t->rules : 0;
}

const char *medtone_rule_name(unsigned rule)
{
    switch (rule) {
    case MEDTONE_RULE_NEGATED: return "negated";
    case MEDTONE_RULE_BOOSTED: return "boosted";
    case MEDTONE_RULE_DAMPENED: return "dampened";
    case MEDTONE_RULE_CAPS: return "caps";
    case MEDTONE_RULE_ELONGATED: return "elongated";
    case MEDTONE_RULE_BEFORE_CONTRAST: return "before-contrast";
    case MEDTONE_RULE_AFTER_CONTRAST: return "after-contrast";
    case MEDTONE_RULE_RELIEF: return "relief";
    case MEDTONE_RULE_CLINICAL: return "clinical";
    case MEDTONE_RULE_LEAST: return "least";
    case MEDTONE_RULE_EXCLAIM: return "exclaim";
    case MEDTONE_RULE_CONDITION: return "condition";
    case MEDTONE_RULE_TREND: return "trend";
    case MEDTONE_RULE_IRONY: return "irony";
    case MEDTONE_RULE_NAME: return "name";
    case MEDTONE_RULE_QUESTION: return "question";
    case MEDTONE_RULE_CONDITIONAL: return "conditional";
    }
    return "unknown";
}
