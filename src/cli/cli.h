/* cli.h — what the sub-commands of the medtone command share. The CLI uses the public API only. */
#ifndef MEDTONE_CLI_H
#define MEDTONE_CLI_H

#include <stdio.h>

#include <zlib.h>

#include "medtone.h"

/* Exit statuses, as documented in `medtone --help`. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* A sub-command: argv[0] is its name. Returns an exit status. */
typedef int (*cli_command_fn)(int argc, char **argv);

int cmd_tokenize(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Prints "medtone CMD: message" on stderr (printf-style). */
void cli_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Writes s[0..len) as a JSON string literal (with quotes), escaping what JSON requires and
 * replacing invalid UTF-8 bytes with U+FFFD so the output is always valid JSON. */
void json_write_string(FILE *out, const char *s, size_t len);

/* Reads one line (without its '\n', and without a trailing '\r') from `in` into a growing
 * buffer. Returns the length, or -1 at end of input. NUL bytes inside the line are kept. */
long cli_read_line(FILE *in, char **buf, size_t *cap);

/* A line reader over plain or gzip input (a path, or "-"/NULL for standard input). */
typedef struct cli_reader {
    gzFile gz;
    char *buf;
    size_t start, end, cap;
    int eof;
    size_t lineno; /* lines returned so far */
} cli_reader;

cli_reader *cli_reader_open(const char *path);
void cli_reader_close(cli_reader *r);
/* Points *line at the next line (NUL-terminated, without "\n" or "\r\n"; NUL bytes inside are
 * kept) and returns its length; valid until the next call. Returns -1 at the end of input, -2
 * when out of memory, -3 when the input is corrupt or truncated gzip. */
long cli_reader_line(cli_reader *r, const char **line);

/* Seconds on the monotonic clock since *t0 (taken with clock_gettime(CLOCK_MONOTONIC)): the
 * rate shown by the progress lines of batch and report. */
struct timespec;
double cli_seconds_since(const struct timespec *t0);

/* A whole string as a finite number (strtod: leading white space, no trailing characters, no
 * overflow) into *out. Returns 0, or -1 when it is not one. */
int cli_parse_double(const char *s, double *out);

/* Column `col` (0-based) of a tab-separated line: its start and length. -1 when the line has
 * fewer columns. */
int cli_tsv_column(const char *line, size_t len, int col, const char **start, size_t *clen);
/* The index of the column named `name` in a TSV header line, or -1. */
int cli_tsv_find_column(const char *header, size_t len, const char *name);

/* The lexicon options shared by score, batch and eval. */
typedef struct cli_lexicons {
    int embedded;        /* 0 after --no-default-lexicons */
    int no_flags;        /* 1 after --no-flags */
    const char *paths[64];
    size_t count;
    const char *cue_paths[64]; /* --cues FILE */
    size_t cue_count;
} cli_lexicons;

/* If argv[*i] is a lexicon option, consumes it (and its value) and returns 1; returns 0 when it
 * is not one, -1 after printing a usage error. */
int cli_lexicon_option(const char *cmd, int argc, char **argv, int *i, cli_lexicons *lx);
/* Builds the analyzer; prints the error (naming file and line) and returns NULL on failure. */
medtone_analyzer *cli_make_analyzer(const char *cmd, const cli_lexicons *lx);
extern const char *cli_lexicon_help;

#endif
