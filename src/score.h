/* score.h — the sentiment rules (score.c). */
#ifndef MT_SCORE_H
#define MT_SCORE_H

#include "medtone.h"

/* Tokenizes and scores text into r (whose previous content is replaced). */
medtone_status mt_score(const medtone_analyzer *an, const char *text, size_t len,
                        medtone_result *r);

#endif
