/* cmd_tokenize.c — `medtone tokenize`: shows how the tokenizer splits and normalizes texts, one
 * JSON object per text. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: medtone tokenize [options] [--] [TEXT...]\n"
            "Tokenizes each TEXT (or each line of standard input when none is given) and prints\n"
            "one JSON object per text:\n"
            "  {\"text\":...,\"tokens\":[{\"kind\":\"word\",\"offset\":0,\"length\":5,"
            "\"text\":\"Hello\",\n"
            "   \"normalized\":\"hello\",\"flags\":[...]},...]}\n"
            "offset and length are in bytes of the original text; \"repeat\" appears on\n"
            "punctuation runs such as \"!!!\". Flags: allcaps, elongated, negation, contraction,\n"
            "invalid_utf8. Use -- before a TEXT that starts with '-'.\n\n"
            "options:\n"
            "  -h, --help                show this help\n");
}

static const struct {
    unsigned bit;
    const char *name;
} flag_names[] = {
    {MEDTONE_TOKEN_ALLCAPS, "allcaps"},           {MEDTONE_TOKEN_ELONGATED, "elongated"},
    {MEDTONE_TOKEN_NEGATION, "negation"},         {MEDTONE_TOKEN_CONTRACTION, "contraction"},
    {MEDTONE_TOKEN_INVALID_UTF8, "invalid_utf8"},
};

static void print_json(FILE *out, const char *text, size_t len, const medtone_tokens *t)
{
    fputs("{\"text\":", out);
    json_write_string(out, text, len);
    fputs(",\"tokens\":[", out);
    for (size_t i = 0, n = medtone_tokens_count(t); i < n; i++) {
        size_t off = medtone_token_offset(t, i), tl = medtone_token_length(t, i), nl;
        const char *norm = medtone_token_normalized(t, i, &nl);
        fprintf(out, "%s{\"kind\":\"%s\",\"offset\":%zu,\"length\":%zu,\"text\":", i ? "," : "",
                medtone_token_kind_name(medtone_token_kind_of(t, i)), off, tl);
        json_write_string(out, text + off, tl);
        fputs(",\"normalized\":", out);
        json_write_string(out, norm, nl);
        fputs(",\"flags\":[", out);
        unsigned flags = medtone_token_flags(t, i);
        int first = 1;
        for (size_t k = 0; k < sizeof flag_names / sizeof flag_names[0]; k++) {
            if (!(flags & flag_names[k].bit)) continue;
            fprintf(out, "%s\"%s\"", first ? "" : ",", flag_names[k].name);
            first = 0;
        }
        fputc(']', out);
        size_t repeat = medtone_token_repeat(t, i);
        if (repeat > 1) fprintf(out, ",\"repeat\":%zu", repeat);
        fputc('}', out);
    }
    fputs("]}\n", out);
}

int cmd_tokenize(int argc, char **argv)
{
    int first_text = argc;
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
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return CLI_OK;
        }
        cli_error("tokenize", "unknown option '%s' (see 'medtone tokenize --help')", a);
        return CLI_USAGE;
    }
    /* "--" as the last argument: no TEXT, so read standard input. */
    int from_stdin = first_text >= argc;
    medtone_tokens *t = medtone_tokens_new();
    if (!t) {
        cli_error("tokenize", "out of memory");
        return CLI_FAIL;
    }
    int status = CLI_OK;
    char *line = NULL;
    size_t cap = 0;
    for (int i = first_text;; i++) {
        const char *text;
        size_t len;
        if (!from_stdin) {
            if (i >= argc) break;
            text = argv[i];
            len = strlen(text);
        } else {
            long n = cli_read_line(stdin, &line, &cap);
            if (n < 0) break;
            text = line;
            len = (size_t)n;
        }
        medtone_status st = medtone_tokenize(text, len, t);
        if (st != MEDTONE_OK) {
            cli_error("tokenize", "%s", medtone_status_str(st));
            status = CLI_FAIL;
            break;
        }
        print_json(stdout, text, len, t);
    }
    free(line);
    medtone_tokens_free(t);
    if (status == CLI_OK && (fflush(stdout) != 0 || ferror(stdout))) {
        cli_error("tokenize", "cannot write the output");
        status = CLI_FAIL;
    }
    return status;
}
