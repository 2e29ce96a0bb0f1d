/* analyzer.h — the analyzer and its options, as the scorer sees them. */
#ifndef MT_ANALYZER_H
#define MT_ANALYZER_H

#include "medtone.h"
#include "lexicon.h"

struct medtone_options {
    int embedded_lexicons; /* MEDTONE_OPT_EMBEDDED_LEXICONS */
    int negation_scope;    /* MEDTONE_OPT_NEGATION_SCOPE */
};

struct medtone_analyzer {
    mt_lexicon *lex;
    int negation_scope;
    char error[512]; /* medtone_analyzer_last_error */
};

/* The lexicon files built into the library (generated from lexicons/ by the build). */
typedef struct mt_embedded_lexicon {
    const char *name; /* file name, e.g. "general-a-f.tsv" */
    const char *data;
    size_t len;
} mt_embedded_lexicon;

extern const mt_embedded_lexicon mt_embedded_lexicons[];
extern const size_t mt_embedded_lexicon_count;

#endif
