/* analyzer.c — analyzer options and the analyzer's life: building it from the embedded lexicon
 * layers, loading more layers, and reporting what it holds. Scoring is in score.c. */
#include <string.h>

#include "alloc.h"
#include "analyzer.h"

#define MT_NEGATION_SCOPE_DEFAULT 3
#define MT_NEGATION_SCOPE_MAX     16

medtone_options *medtone_options_new(void)
{
    medtone_options *o = mt_malloc(sizeof *o);
    if (!o) return NULL;
    o->embedded_lexicons = 1;
    o->negation_scope = MT_NEGATION_SCOPE_DEFAULT;
    o->flags = 1;
    for (size_t f = 0; f < MT_FLAG_COUNT; f++)
        o->threshold[f] = mt_flag_defs[f].threshold;
    return o;
}

void medtone_options_free(medtone_options *options)
{
    mt_free(options);
}

medtone_status medtone_options_set_int(medtone_options *options, medtone_option option, long value)
{
    if (!options) return MEDTONE_ERR_INVALID_ARG;
    switch (option) {
    case MEDTONE_OPT_EMBEDDED_LEXICONS:
        if (value != 0 && value != 1) return MEDTONE_ERR_INVALID_ARG;
        options->embedded_lexicons = (int)value;
        return MEDTONE_OK;
    case MEDTONE_OPT_NEGATION_SCOPE:
        if (value < 0 || value > MT_NEGATION_SCOPE_MAX) return MEDTONE_ERR_INVALID_ARG;
        options->negation_scope = (int)value;
        return MEDTONE_OK;
    case MEDTONE_OPT_FLAGS:
        if (value != 0 && value != 1) return MEDTONE_ERR_INVALID_ARG;
        options->flags = (int)value;
        return MEDTONE_OK;
    }
    return MEDTONE_ERR_INVALID_ARG;
}

medtone_status medtone_options_set_threshold(medtone_options *options, size_t flag,
                                             double threshold)
{
    if (!options || flag >= MT_FLAG_COUNT || !(threshold >= 0 && threshold <= 1))
        return MEDTONE_ERR_INVALID_ARG;
    options->threshold[flag] = threshold;
    return MEDTONE_OK;
}

medtone_status medtone_analyzer_new(const medtone_options *options, medtone_analyzer **out)
{
    if (!out) return MEDTONE_ERR_INVALID_ARG;
    *out = NULL;
    medtone_analyzer *a = mt_calloc(1, sizeof *a);
    if (!a) return MEDTONE_ERR_NOMEM;
    a->negation_scope = options ? options->negation_scope : MT_NEGATION_SCOPE_DEFAULT;
    a->flags = options ? options->flags : 1;
    for (size_t f = 0; f < MT_FLAG_COUNT; f++)
        a->threshold[f] = options ? options->threshold[f] : mt_flag_defs[f].threshold;
    a->lex = mt_lexicon_new();
    a->cues = mt_lexicon_new();
    if (!a->lex || !a->cues) {
        medtone_analyzer_free(a);
        return MEDTONE_ERR_NOMEM;
    }
    mt_lexicon_set_merge_tags(a->cues, 1);
    if (mt_flags_prepare(a->words) != MEDTONE_OK) {
        medtone_analyzer_free(a);
        return MEDTONE_ERR_NOMEM;
    }
    if (!options || options->embedded_lexicons) {
        /* One layer per embedded file, in build order (later wins). */
        for (size_t i = 0; i < mt_embedded_lexicon_count; i++) {
            const mt_embedded_lexicon *e = &mt_embedded_lexicons[i];
            int cue = strncmp(e->name, MT_CUE_FILE_PREFIX, strlen(MT_CUE_FILE_PREFIX)) == 0;
            medtone_status st = mt_lexicon_add_layer(cue ? a->cues : a->lex, e->name, e->data,
                                                     e->len, a->error, sizeof a->error);
            if (st != MEDTONE_OK) {
                /* Anything but a lack of memory means the shipped lexicons are broken, which the
                 * test that loads lexicons/ catches before a release. */
                medtone_analyzer_free(a);
                return st == MEDTONE_ERR_NOMEM ? st : MEDTONE_ERR_INTERNAL;
            }
        }
    }
    a->error[0] = '\0';
    *out = a;
    return MEDTONE_OK;
}

void medtone_analyzer_free(medtone_analyzer *analyzer)
{
    if (!analyzer) return;
    mt_lexicon_free(analyzer->lex);
    mt_lexicon_free(analyzer->cues);
    mt_flags_release(analyzer->words);
    mt_free(analyzer);
}

/* The last failed load's message stays until another load fails ("the last failed load"); the
 * loader writes into a scratch buffer so that a successful load cannot clobber it. */
medtone_status medtone_analyzer_load_lexicon(medtone_analyzer *analyzer, const char *path)
{
    if (!analyzer) return MEDTONE_ERR_INVALID_ARG;
    char err[sizeof analyzer->error];
    err[0] = '\0';
    medtone_status st = mt_lexicon_add_file(analyzer->lex, path, err, sizeof err);
    if (st != MEDTONE_OK) memcpy(analyzer->error, err, sizeof err);
    return st;
}

medtone_status medtone_analyzer_load_lexicon_data(medtone_analyzer *analyzer, const char *name,
                                                  const char *data, size_t len)
{
    if (!analyzer) return MEDTONE_ERR_INVALID_ARG;
    char err[sizeof analyzer->error];
    err[0] = '\0';
    medtone_status st = mt_lexicon_add_layer(analyzer->lex, name, data, len, err, sizeof err);
    if (st != MEDTONE_OK) memcpy(analyzer->error, err, sizeof err);
    return st;
}

medtone_status medtone_analyzer_load_cues(medtone_analyzer *analyzer, const char *path)
{
    if (!analyzer) return MEDTONE_ERR_INVALID_ARG;
    char err[sizeof analyzer->error];
    err[0] = '\0';
    medtone_status st = mt_lexicon_add_file(analyzer->cues, path, err, sizeof err);
    if (st != MEDTONE_OK) memcpy(analyzer->error, err, sizeof err);
    return st;
}

medtone_status medtone_analyzer_load_cues_data(medtone_analyzer *analyzer, const char *name,
                                               const char *data, size_t len)
{
    if (!analyzer) return MEDTONE_ERR_INVALID_ARG;
    char err[sizeof analyzer->error];
    err[0] = '\0';
    medtone_status st = mt_lexicon_add_layer(analyzer->cues, name, data, len, err, sizeof err);
    if (st != MEDTONE_OK) memcpy(analyzer->error, err, sizeof err);
    return st;
}

const char *medtone_analyzer_last_error(const medtone_analyzer *analyzer)
{
    return analyzer ? analyzer->error : "";
}

size_t medtone_analyzer_layer_count(const medtone_analyzer *analyzer)
{
    return analyzer ? mt_lexicon_layer_count(analyzer->lex) : 0;
}

const char *medtone_analyzer_layer_name(const medtone_analyzer *analyzer, size_t i)
{
    return analyzer ? mt_lexicon_layer_name(analyzer->lex, i) : NULL;
}

size_t medtone_analyzer_term_count(const medtone_analyzer *analyzer)
{
    return analyzer ? mt_lexicon_size(analyzer->lex) : 0;
}
