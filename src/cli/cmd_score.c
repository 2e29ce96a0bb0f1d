/* cmd_score.c — `medtone score`: scores texts for a person to read, with --explain showing which
 * words moved the score and by which rules. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "flags_out.h"
#include "strbuf.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: medtone score [options] [TEXT...]\n"
            "Scores each TEXT (or each line of standard input when none is given).\n\n"
            "options:\n"
            "  -e, --explain             show the words behind each score, the rules, and the\n"
            "                            flags with their evidence\n"
            "      --json                one JSON object per text instead of text\n");
    fputs(cli_lexicon_help, out);
    fprintf(out, "  -h, --help                show this help\n");
}

static void print_rules(FILE *out, unsigned rules)
{
    int first = 1;
    for (unsigned bit = 1; bit && bit <= rules; bit <<= 1) {
        if (!(rules & bit)) continue;
        fprintf(out, "%s%s", first ? "" : ",", medtone_rule_name(bit));
        first = 0;
    }
    if (first) fputc('-', out);
}

static void print_text(const char *text, size_t len, const medtone_result *r, int explain)
{
    double c = medtone_result_compound(r);
    const char *label = c >= 0.05 ? "positive" : c <= -0.05 ? "negative" : "neutral";
    printf("%+.3f %-8s pos %.2f neu %.2f neg %.2f  ", c, label, medtone_result_positive(r),
           medtone_result_neutral(r), medtone_result_negative(r));
    fwrite(text, 1, len, stdout);
    putchar('\n');
    if (!explain) return;
    size_t n = medtone_result_term_count(r);
    if (n == 0) {
        printf("    (no word in the lexicons)\n");
        cli_flags_text(stdout, r, text, len);
        return;
    }
    printf("    %-24s %-24s %-8s %7s %7s  %s\n", "text", "entry", "layer", "valence", "final",
           "rules");
    for (size_t i = 0; i < n; i++) {
        size_t off = medtone_result_term_offset(r, i), tl = medtone_result_term_length(r, i);
        printf("    %-24.*s %-24s %-8s %+7.2f %+7.2f  ", (int)(tl > 24 ? 24 : tl), text + off,
               medtone_result_term_entry(r, i), medtone_result_term_layer(r, i),
               medtone_result_term_valence(r, i), medtone_result_term_contribution(r, i));
        print_rules(stdout, medtone_result_term_rules(r, i));
        putchar('\n');
    }
    cli_flags_text(stdout, r, text, len);
}

static void print_json(const char *text, size_t len, const medtone_result *r, int explain)
{
    printf("{\"text\":");
    json_write_string(stdout, text, len);
    printf(",\"compound\":%.4f,\"positive\":%.4f,\"neutral\":%.4f,\"negative\":%.4f",
           medtone_result_compound(r), medtone_result_positive(r), medtone_result_neutral(r),
           medtone_result_negative(r));
    if (explain) {
        printf(",\"terms\":[");
        for (size_t i = 0; i < medtone_result_term_count(r); i++) {
            size_t off = medtone_result_term_offset(r, i), tl = medtone_result_term_length(r, i);
            printf("%s{\"offset\":%zu,\"length\":%zu,\"text\":", i ? "," : "", off, tl);
            json_write_string(stdout, text + off, tl);
            printf(",\"entry\":");
            const char *e = medtone_result_term_entry(r, i);
            json_write_string(stdout, e, strlen(e));
            printf(",\"layer\":");
            const char *l = medtone_result_term_layer(r, i);
            json_write_string(stdout, l, strlen(l));
            printf(",\"valence\":%.2f,\"contribution\":%.4f,\"rules\":[",
                   medtone_result_term_valence(r, i), medtone_result_term_contribution(r, i));
            unsigned rules = medtone_result_term_rules(r, i);
            int first = 1;
            for (unsigned bit = 1; bit && bit <= rules; bit <<= 1) {
                if (!(rules & bit)) continue;
                printf("%s\"%s\"", first ? "" : ",", medtone_rule_name(bit));
                first = 0;
            }
            printf("]}");
        }
        printf("]");
    }
    strbuf flags = {0};
    cli_flags_json(&flags, r, text, len);
    if (flags.s) fwrite(flags.s, 1, flags.len, stdout);
    sb_free(&flags);
    printf("}\n");
}

int cmd_score(int argc, char **argv)
{
    int explain = 0, json = 0, first_text = argc;
    cli_lexicons lx = {.embedded = 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            first_text = i + 1;
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            first_text = i;
            break;
        }
        int lo = cli_lexicon_option("score", argc, argv, &i, &lx);
        if (lo < 0) return CLI_USAGE;
        if (lo) continue;
        if (!strcmp(a, "-e") || !strcmp(a, "--explain"))
            explain = 1;
        else if (!strcmp(a, "--json"))
            json = 1;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return CLI_OK;
        } else {
            cli_error("score", "unknown option '%s' (see 'medtone score --help')", a);
            return CLI_USAGE;
        }
    }
    medtone_analyzer *an = cli_make_analyzer("score", &lx);
    if (!an) return CLI_FAIL;
    medtone_result *r = medtone_result_new();
    int status = CLI_OK;
    if (!r) {
        cli_error("score", "out of memory");
        medtone_analyzer_free(an);
        return CLI_FAIL;
    }
    char *line = NULL;
    size_t cap = 0;
    for (int i = first_text;; i++) {
        const char *text;
        size_t len;
        if (first_text < argc) {
            if (i >= argc) break;
            text = argv[i];
            len = strlen(text);
        } else {
            long n = cli_read_line(stdin, &line, &cap);
            if (n < 0) break;
            text = line;
            len = (size_t)n;
        }
        medtone_status st = medtone_analyze(an, text, len, r);
        if (st != MEDTONE_OK) {
            cli_error("score", "%s", medtone_status_str(st));
            status = CLI_FAIL;
            break;
        }
        if (json)
            print_json(text, len, r, explain);
        else
            print_text(text, len, r, explain);
    }
    free(line);
    medtone_result_free(r);
    medtone_analyzer_free(an);
    return status;
}
