/* fuzz_train.c — `medtone train` end to end on an arbitrary labeled file: the command's own
 * reader (src/cli/cmd_train.c with io.c and common.c compiled in: the gzip-or-plain line reader,
 * the header that names the label and text columns, the labels of each kind) feeding the
 * trainer, its fit, and the layer it writes.
 *
 * The first byte picks the target and the kind of labels; the rest is the file. Checks: the
 * command ends with status 0 or 1, never a usage error (the arguments are fixed and valid) nor a
 * crash; and a layer it wrote loads back into an analyzer as the kind of layer it is (a flag's
 * as cues, sentiment's as a lexicon), because a layer medtone writes must be one medtone reads. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <medtone.h>

#include "cli.h"
#include "fuzz_common.h"

/* The command's messages are its business: the target keeps only the last one, for a debugger. */
static char g_last_error[512];

void cli_error(const char *cmd, const char *fmt, ...)
{
    (void)cmd;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_last_error, sizeof g_last_error, fmt, ap);
    va_end(ap);
}

static char g_in[64], g_out[64];
static int g_null = -1;

static void setup(void)
{
    if (g_in[0]) return;
    snprintf(g_in, sizeof g_in, "/tmp/medtone-fuzz-train-%ld.tsv", (long)getpid());
    snprintf(g_out, sizeof g_out, "/tmp/medtone-fuzz-train-%ld.layer", (long)getpid());
    g_null = open("/dev/null", O_WRONLY);
    FUZZ_CHECK(g_null >= 0);
}

/* The command with its standard output (the summary of a successful run) sent nowhere. */
static int quiet_train(int argc, char **argv)
{
    fflush(stdout);
    int saved = dup(1);
    FUZZ_CHECK(saved >= 0 && dup2(g_null, 1) == 1);
    int status = cmd_train(argc, argv);
    fflush(stdout);
    FUZZ_CHECK(dup2(saved, 1) == 1 && close(saved) == 0);
    return status;
}

FUZZ_INITIALIZE(setup)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (size < 1) return 0;
    unsigned mode = data[0];
    data++;
    size--;
    FILE *f = fopen(g_in, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(fwrite(data, 1, size, f) == size);
    FUZZ_CHECK(fclose(f) == 0);
    unlink(g_out);

    /* bit 0: sentiment (bits 1-2: the kind of labels, 0 = detected) or the misinfo flag */
    static const char *const kinds[] = {NULL, "score", "3-class", "rating"};
    int sentiment = mode & 1;
    const char *kind = sentiment ? kinds[(mode >> 1) & 3] : NULL;
    char *argv[32];
    int argc = 0;
    argv[argc++] = "train";
    argv[argc++] = "--quiet";
    argv[argc++] = "--no-default-lexicons";
    argv[argc++] = "--target";
    argv[argc++] = sentiment ? "sentiment" : "misinfo";
    argv[argc++] = "--folds";
    argv[argc++] = "2";
    argv[argc++] = "--epochs";
    argv[argc++] = "2";
    argv[argc++] = "--min-count";
    argv[argc++] = "1";
    if (kind) {
        argv[argc++] = "--kind";
        argv[argc++] = (char *)kind;
    }
    argv[argc++] = "--out";
    argv[argc++] = g_out;
    argv[argc++] = g_in;
    argv[argc] = NULL;
    g_last_error[0] = '\0';
    int status = quiet_train(argc, argv);
    FUZZ_CHECK(status == CLI_OK || status == CLI_FAIL);
    if (status == CLI_FAIL) FUZZ_CHECK(g_last_error[0] != '\0');

    if (status == CLI_OK) {
        medtone_options *o = medtone_options_new();
        FUZZ_CHECK(o != NULL);
        FUZZ_CHECK(medtone_options_set_int(o, MEDTONE_OPT_EMBEDDED_LEXICONS, 0) == MEDTONE_OK);
        medtone_analyzer *an = NULL;
        FUZZ_CHECK(medtone_analyzer_new(o, &an) == MEDTONE_OK);
        medtone_options_free(o);
        medtone_status st = sentiment ? medtone_analyzer_load_lexicon(an, g_out)
                                      : medtone_analyzer_load_cues(an, g_out);
        if (st != MEDTONE_OK) fprintf(stderr, "%s\n", medtone_analyzer_last_error(an));
        FUZZ_CHECK(st == MEDTONE_OK);
        medtone_analyzer_free(an);
    }
    unlink(g_in);
    unlink(g_out);
    return 0;
}
