/* flags_out.h — how the sub-commands show flags: JSON for machines, lines for people. */
#ifndef MEDTONE_CLI_FLAGS_OUT_H
#define MEDTONE_CLI_FLAGS_OUT_H

#include <stdio.h>

#include "medtone.h"
#include "strbuf.h"

/* Appends `,"flags":{...}` with every fired flag: its score, sentiment, and evidence (offset,
 * length, cue, and the evidence text, except for the privacy flag, whose evidence is an
 * identifier that output must not repeat: only its span is given). */
void cli_flags_json(strbuf *out, const medtone_result *r, const char *text, size_t len);

/* Prints the fired flags and their evidence under a `score --explain` table; flags that scored
 * but did not fire are listed on one line with their scores. */
void cli_flags_text(FILE *out, const medtone_result *r, const char *text, size_t len);

/* Nonzero when any flag fired (or, with a mask, any flag whose bit is set in `mask`). */
int cli_flags_any_fired(const medtone_result *r, const unsigned char *mask);

#endif
