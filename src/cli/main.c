/* main.c — the medtone command: dispatches git-style sub-commands. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    cli_command_fn fn;
    const char *summary;
} commands[] = {
    {"tokenize", cmd_tokenize, "split texts into tokens (JSON lines)"},
    {"score", cmd_score, "score texts and explain which words moved the score"},
    {"batch", cmd_batch, "score a file or stream of posts into JSON lines"},
    {"eval", cmd_eval, "measure accuracy on labeled TSV files"},
    {"train", cmd_train, "learn a lexicon layer from labeled TSV files"},
    {"report", cmd_report, "roll posts up per entity: trends, alerts, an HTML report"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: medtone <command> [options] [args]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'medtone <command> --help' describes a command. 'medtone --version' prints the "
                 "library version.\nExit status: 0 success, 1 failure, 2 bad usage.\n");
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "medtone %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("medtone %s\n", medtone_version_string());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "medtone: unknown command '%s' (see 'medtone --help')\n", argv[1]);
    return CLI_USAGE;
}
