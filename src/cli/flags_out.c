/* flags_out.c — see flags_out.h. */
#include <string.h>

#include "flags_out.h"

/* The privacy flag's evidence is an identifier (a phone number, a record number): output names
 * its position and kind, never its characters. */
static int hides_text(size_t flag)
{
    return flag == MEDTONE_FLAG_PRIVACY;
}

void cli_flags_json(strbuf *o, const medtone_result *r, const char *text, size_t len)
{
    sb_puts(o, ",\"flags\":{");
    int first = 1;
    for (size_t f = 0; f < medtone_flag_count(); f++) {
        if (!medtone_result_flag_fired(r, f)) continue;
        sb_puts(o, first ? "\"" : ",\"");
        first = 0;
        sb_puts(o, medtone_flag_name(f));
        /* Numbers by hand, not sb_printf: printf's formatting was most of this function's
         * cost, and batch writes a flag object for most posts. */
        sb_puts(o, "\":{\"score\":");
        sb_put_fixed(o, medtone_result_flag_score(r, f), 3);
        sb_puts(o, ",\"sentiment\":");
        sb_put_fixed(o, medtone_result_flag_sentiment(r, f), 3);
        sb_puts(o, ",\"evidence\":[");
        for (size_t i = 0; i < medtone_result_evidence_count(r, f); i++) {
            size_t off = medtone_result_evidence_offset(r, f, i);
            size_t el = medtone_result_evidence_length(r, f, i);
            sb_puts(o, i ? ",{\"offset\":" : "{\"offset\":");
            sb_put_uint(o, off);
            sb_puts(o, ",\"length\":");
            sb_put_uint(o, el);
            if (!hides_text(f) && off + el <= len) {
                sb_puts(o, ",\"text\":");
                sb_json_string(o, text + off, el);
            }
            const char *cue = medtone_result_evidence_cue(r, f, i);
            sb_puts(o, ",\"cue\":");
            sb_json_string(o, cue, strlen(cue));
            sb_puts(o, "}");
        }
        sb_puts(o, "]}");
    }
    sb_puts(o, "}");
}

void cli_flags_text(FILE *out, const medtone_result *r, const char *text, size_t len)
{
    int any = 0;
    for (size_t f = 0; f < medtone_flag_count(); f++) {
        if (!medtone_result_flag_fired(r, f)) continue;
        any = 1;
        fprintf(out, "    flag %-20s %.2f", medtone_flag_name(f), medtone_result_flag_score(r, f));
        if (!strncmp(medtone_flag_name(f), "aspect.", 7))
            fprintf(out, "  sentiment %+.2f", medtone_result_flag_sentiment(r, f));
        fputc('\n', out);
        for (size_t i = 0; i < medtone_result_evidence_count(r, f); i++) {
            size_t off = medtone_result_evidence_offset(r, f, i);
            size_t el = medtone_result_evidence_length(r, f, i);
            if (hides_text(f) || off + el > len)
                fprintf(out, "        [%zu+%zu] %s\n", off, el,
                        medtone_result_evidence_cue(r, f, i));
            else
                fprintf(out, "        \"%.*s\"  %s\n", (int)el, text + off,
                        medtone_result_evidence_cue(r, f, i));
        }
    }
    int scored = 0;
    for (size_t f = 0; f < medtone_flag_count(); f++) {
        double s = medtone_result_flag_score(r, f);
        if (medtone_result_flag_fired(r, f) || s < 0.05) continue;
        fprintf(out, "%s%s %.2f", scored ? ", " : "    below threshold: ", medtone_flag_name(f), s);
        scored = 1;
    }
    if (scored) fputc('\n', out);
    if (!any && !scored) fprintf(out, "    (no flags)\n");
}

int cli_flags_any_fired(const medtone_result *r, const unsigned char *mask)
{
    for (size_t f = 0; f < medtone_flag_count(); f++)
        if ((!mask || mask[f]) && medtone_result_flag_fired(r, f)) return 1;
    return 0;
}
