/* flags.h — the flag framework: the registry of flags, cue matching, evidence, and the interface
 * each flag module in src/flags/ implements. */
#ifndef MT_FLAGS_H
#define MT_FLAGS_H

#include <stddef.h>
#include <stdint.h>

#include "medtone.h"
#include "lexicon.h"
#include "wordset.h"

/* Flag indexes; the first five are public (MEDTONE_FLAG_*), aspects follow. Append only. */
enum {
    MT_FLAG_NEGATIVE = 0,
    MT_FLAG_MISINFO,
    MT_FLAG_PRIVACY,
    MT_FLAG_CRISIS,
    MT_FLAG_ADE,
    MT_FLAG_ASPECT_WAIT,
    MT_FLAG_ASPECT_BILLING,
    MT_FLAG_ASPECT_STAFF,
    MT_FLAG_ASPECT_COMMUNICATION,
    MT_FLAG_ASPECT_CLEANLINESS,
    MT_FLAG_ASPECT_ACCESS,
    MT_FLAG_ASPECT_FOOD,
    MT_FLAG_ASPECT_PARKING,
    MT_FLAG_ASPECT_MEDICATION,
    MT_FLAG_ASPECT_OUTCOME,
    MT_FLAG_ASPECT_RECORDS,
    MT_FLAG_COUNT
};
#define MT_FLAG_FIRST_ASPECT MT_FLAG_ASPECT_WAIT

typedef struct mt_flag_def {
    const char *name;
    double threshold; /* default */
} mt_flag_def;

extern const mt_flag_def mt_flag_defs[MT_FLAG_COUNT];

/* One piece of evidence: a span of the text and the cue that matched there. */
typedef struct mt_evidence {
    uint32_t flag;
    size_t off, len;
    const char *cue; /* static string or a lexicon key: never a copy of the text */
} mt_evidence;

/* A match of the cue lexicon over the tokens (longest match first, like the scorer). */
typedef struct mt_cue_hit {
    size_t tok0, ntok;
    size_t off, len; /* byte span */
    const mt_entry *entry;
    size_t item0, item1; /* the items holding its first and last token (mt_item_of_token) */
} mt_cue_hit;

/* Per-result flag state, kept in the result and reused from text to text. */
typedef struct mt_flags_state {
    double score[MT_FLAG_COUNT];
    double sentiment[MT_FLAG_COUNT];
    unsigned char fired[MT_FLAG_COUNT];
    size_t ev_start[MT_FLAG_COUNT], ev_count[MT_FLAG_COUNT];
    mt_evidence *ev, *ev_sorted;
    size_t nev, ev_cap, ev_sorted_cap;
    mt_cue_hit *cues;
    size_t ncues, cues_cap;
    /* Each token's own look-up in the cue lexicon, kept from cue matching for the modules that
     * ask again (mt_flag_token_cue); ntok_cues = tokens once matching has filled it. */
    struct mt_token_cue *tok_cues;
    size_t ntok_cues, tok_cues_cap;
} mt_flags_state;

/* What cue matching learned of one token by itself: its entry and whether a longer cue starts
 * with it. `known` is 0 where matching did not look (punctuation, mentions, the inner tokens of
 * a multi-word hit). */
typedef struct mt_token_cue {
    const mt_entry *entry;
    unsigned char known, prefix;
} mt_token_cue;

/* What a flag module sees. */
typedef struct mt_flag_ctx {
    const medtone_analyzer *an;
    medtone_result *r; /* tokens, items, terms (see result.h), cues in r->flags */
    const char *text;
    size_t len;
    int oom; /* set by mt_flag_evidence on allocation failure */
    /* The cue layer of lexicons/cues-aspects.tsv, found once per text for the two modules that
     * weigh by it (mt_aspect_cue_own_layer in flags/scope.h). */
    size_t aspect_own;
} mt_flag_ctx;

/* Sets up the context the modules see for the analysis in r. */
void mt_flag_ctx_init(mt_flag_ctx *ctx, const medtone_analyzer *an, medtone_result *r,
                      const char *text, size_t len);

/* Token i's entry in the cue lexicon and whether a longer cue starts with it (*is_prefix): what
 * mt_lexicon_lookup says of its normalized form, mostly without looking again. */
const mt_entry *mt_flag_token_cue(const mt_flag_ctx *ctx, size_t i, int *is_prefix);

/* Records evidence for a flag. Returns 0, or -1 (and sets ctx->oom) when out of memory. */
int mt_flag_evidence(mt_flag_ctx *ctx, unsigned flag, size_t off, size_t len, const char *cue);
/* Sets a flag's score (clamped to [0, 1]) and its sentiment. */
void mt_flag_set(mt_flag_ctx *ctx, unsigned flag, double score, double sentiment);

/* The flag modules, run in this order after scoring; each sets its flags' scores and evidence. */
void mt_flag_ade(mt_flag_ctx *ctx);
void mt_flag_privacy(mt_flag_ctx *ctx);
void mt_flag_crisis(mt_flag_ctx *ctx);
void mt_flag_misinfo(mt_flag_ctx *ctx);
void mt_flag_aspects(mt_flag_ctx *ctx);
void mt_flag_negative(mt_flag_ctx *ctx); /* last: it may read the others */
/* After every module: learned cue layers (`medtone train`) correct the flags they target. */
void mt_flag_learned(mt_flag_ctx *ctx);
/* The logit of a flag score kept off 0 and 1: the learned correction's starting point, and the
 * trainer's fixed offset (flags/learned.c). */
double mt_learned_logit(double score);

/* The grammar words of the modules that have them, one set each, built with the analyzer
 * (mt_flags_prepare) into analyzer->words. A module whose set is not built (an analyzer made
 * otherwise) searches its static lists as before. */
enum { MT_WORDS_ADE, MT_WORDS_CRISIS, MT_WORDSETS };
int mt_flag_ade_words(mt_wordset *ws);
int mt_flag_crisis_words(mt_wordset *ws);
/* Builds every module's set into words[MT_WORDSETS]; MEDTONE_ERR_NOMEM leaves none built. */
medtone_status mt_flags_prepare(mt_wordset *words);
void mt_flags_release(mt_wordset *words);

/* Runs cue matching and every module for the analysis in r. */
medtone_status mt_flags_run(const medtone_analyzer *an, const char *text, size_t len,
                            medtone_result *r);
void mt_flags_reset(mt_flags_state *f);
void mt_flags_free(mt_flags_state *f);

#endif
