/* jsonl.h — reads the two fields `batch` needs from one JSON object per line. */
#ifndef MEDTONE_CLI_JSONL_H
#define MEDTONE_CLI_JSONL_H

#include <stddef.h>

#include "strbuf.h"

/* Parses line[0..len) as one JSON object. The "text" string is decoded (escapes, \u pairs)
 * into *text; the "id" value, any JSON scalar, is copied verbatim (as JSON) into *id. Other
 * members are skipped. Returns 0, -1 for malformed JSON or a non-object, -2 when "text" is
 * missing or not a string. The decoder allows nesting up to 64 levels. */
int jsonl_fields(const char *line, size_t len, strbuf *text, strbuf *id);

#endif
