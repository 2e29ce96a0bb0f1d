/* analyzer.h — the analyzer and its options, as the scorer sees them. */
#ifndef MT_ANALYZER_H
#define MT_ANALYZER_H

#include "medtone.h"
#include "flags.h"
#include "lexicon.h"

struct medtone_options {
    int embedded_lexicons;            /* MEDTONE_OPT_EMBEDDED_LEXICONS */
    int negation_scope;               /* MEDTONE_OPT_NEGATION_SCOPE */
    int flags;                        /* MEDTONE_OPT_FLAGS */
    double threshold[MT_FLAG_COUNT]; /* medtone_options_set_threshold */
};

struct medtone_analyzer {
    mt_lexicon *lex;  /* sentiment: general, emoji, health and user layers */
    mt_lexicon *cues; /* the flags' cue layers (lexicons/cues-*.tsv and user cue layers) */
    int negation_scope;
    int flags;
    double threshold[MT_FLAG_COUNT];
    mt_wordset words[MT_WORDSETS]; /* the flag modules' grammar words (mt_flags_prepare) */
    char error[512];               /* medtone_analyzer_last_error */
};

/* Embedded files whose name starts with this go to the cue lexicon. */
#define MT_CUE_FILE_PREFIX "cues-"

/* The lexicon files built into the library (generated from lexicons/ by the build). */
typedef struct mt_embedded_lexicon {
    const char *name; /* file name, e.g. "general-a-f.tsv" */
    const char *data;
    size_t len;
} mt_embedded_lexicon;

extern const mt_embedded_lexicon mt_embedded_lexicons[];
extern const size_t mt_embedded_lexicon_count;

#endif
