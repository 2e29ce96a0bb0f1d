/* cli.h — what the sub-commands of the medtone command share. The CLI uses the public API only. */
#ifndef MEDTONE_CLI_H
#define MEDTONE_CLI_H

#include <stdio.h>

#include "medtone.h"

/* Exit statuses, as documented in `medtone --help`. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* A sub-command: argv[0] is its name. Returns an exit status. */
typedef int (*cli_command_fn)(int argc, char **argv);

int cmd_tokenize(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_eval(int argc, char **argv);

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

#endif
