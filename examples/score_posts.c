/* score_posts.c — the smallest useful medtone program: scores each line of standard input and
 * prints the compound score, then the words that moved it.
 *
 * Build against an installed medtone either way:
 *   cc score_posts.c $(pkg-config --cflags --libs medtone) -o score_posts
 *   cmake: find_package(medtone REQUIRED) + target_link_libraries(app medtone::medtone)
 */
#include <stdio.h>
#include <string.h>

#include <medtone.h>

int main(void)
{
    if (medtone_version() != MEDTONE_VERSION_NUMBER)
        fprintf(stderr, "note: built with medtone %s, running with %s\n", MEDTONE_VERSION_STRING,
                medtone_version_string());
    medtone_analyzer *an = NULL;
    medtone_status st = medtone_analyzer_new(NULL, &an);
    if (st != MEDTONE_OK) {
        fprintf(stderr, "score_posts: %s\n", medtone_status_str(st));
        return 1;
    }
    medtone_result *r = medtone_result_new();
    char line[4096];
    while (r && fgets(line, sizeof line, stdin)) {
        size_t len = strcspn(line, "\r\n");
        if (medtone_analyze(an, line, len, r) != MEDTONE_OK) break;
        printf("%+.3f  %.*s\n", medtone_result_compound(r), (int)len, line);
        for (size_t i = 0; i < medtone_result_term_count(r); i++)
            printf("        %-20s %+.2f\n", medtone_result_term_entry(r, i),
                   medtone_result_term_contribution(r, i));
    }
    medtone_result_free(r);
    medtone_analyzer_free(an);
    return 0;
}
