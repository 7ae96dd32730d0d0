/* test_defaults — an option's default is written once, at the end of its
 * help text in the command's table ("... [5]"), and cli_run applies it
 * (cli_option_default, cli_apply_defaults); begin keeps only what a table
 * cannot say.  This test checks the rule that finds a literal default,
 * then, for every command, action and option whose help ends in one:
 *   - set accepts it (no exit), and applying it once more after the
 *     table's defaults changes nothing: the options of a run with no
 *     option (begin, defaults, end) are the bytes of a run given the
 *     default (begin, defaults, set(key, "VALUE"), end); a field that
 *     holds the very string given must hold an equal string in the first;
 *   - a row marked CLI_NO_DEFAULT is still an exception: given its
 *     default, set refuses it or the options differ (else the mark, and
 *     the value begin or the action keeps apart, should go).
 * Each pair runs in a child process, since set dies (exit 2) on a value
 * its option refuses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "commands.h"

/* The dispatcher's table (cmd/seqtool.c, not linked here). */
const cli_command *const cli_commands[] = {
    &dinos_command, &emojify_command, &jazz_command, &nmt_command, &trigger_command, &w2v_command, NULL,
};

/* The rule, on rows of its own. */
static void test_rule(void)
{
    static const cli_option rows[] = {
        {"a", 'a', "N", "hidden units [128]", NULL, 0},
        {"b", 'b', "X", "rate, decays\nlinearly [1e-3]", "train", 0},
        {"c", 'c', "LIST", "engines [espeak-ng,flite]", "voices synth", 0},
        {"d", 'd', "N", "passes [v1 400, v2 50]", NULL, 0},
        {"e", 'e', "F", "vectors [train: x.txt]", NULL, 0},
        {"f", 'f', NULL, "a flag [off]", NULL, 0},
        {"g", 'g', "N", "an old spelling [5]", NULL, CLI_HIDDEN},
        {"h", 'h', "N", "no default", NULL, 0},
        {"i", 'i', "N", "brackets [] but none]", NULL, 0},
        {"j", 'j', "N", "said, not applied [any]", NULL, CLI_NO_DEFAULT},
    };
    check(strcmp(cli_option_default(&rows[0], "train"), "128") == 0, "[128] is 128");
    check(cli_option_default(&rows[0], "train") == cli_option_default(&rows[0], "sample"),
          "one string per row, kept (set hooks may keep the pointer)");
    check(strcmp(cli_option_default(&rows[1], "train"), "1e-3") == 0, "[1e-3] after a new line is 1e-3");
    check(!cli_option_default(&rows[1], "sample"), "no default for an action that does not take the row");
    check(strcmp(cli_option_default(&rows[2], "synth"), "espeak-ng,flite") == 0, "a list is one word");
    check(!cli_option_default(&rows[3], "train"), "[v1 400, v2 50] is words, not a default");
    check(!cli_option_default(&rows[4], "train"), "[train: x.txt] is words, not a default");
    check(!cli_option_default(&rows[5], "train"), "a flag has no default");
    check(!cli_option_default(&rows[6], "train"), "a hidden row has no default");
    check(!cli_option_default(&rows[7], "train"), "no [] at the end, no default");
    check(!cli_option_default(&rows[8], "train"), "an empty or unopened [] is no default");
    check(strcmp(cli_option_default(&rows[9], "train"), "any") == 0,
          "a CLI_NO_DEFAULT row says its default (cli_apply_defaults leaves it)");
}

/* A copy of opts, then key set to arg (when arg is not NULL), then end. */
static unsigned char *fill(const cli_command *c, const unsigned char *opts, int key, const char *arg)
{
    unsigned char *copy = malloc(c->opts_size);
    if (!copy)
        exit(3);
    memcpy(copy, opts, c->opts_size);
    if (arg)
        c->set(copy, key, arg);
    if (c->end)
        c->end(copy);
    return copy;
}

/* In a child: 0 when giving value to o after the defaults changes
 * nothing; 1 (naming the bytes on stderr) when it does; set's own exit
 * (2) when it refuses value.  One begin for both runs: begin may
 * allocate (the default model's path), and two paths alike in all but
 * their address are the same default. */
static int compare(const cli_command *c, const char *action, const cli_option *o, const char *value)
{
    char *arg = strdup(value);
    unsigned char *begun = calloc(1, c->opts_size);
    if (!arg || !begun)
        exit(3);
    if (c->begin)
        c->begin(begun, action);
    cli_apply_defaults(c, begun, action);
    unsigned char *plain = fill(c, begun, 0, NULL), *given = fill(c, begun, o->key, arg);
    int bad = 0;
    for (size_t at = 0; at < c->opts_size; at++) {
        if (plain[at] == given[at])
            continue;
        size_t slot = at - at % sizeof(char *);
        const char *p, *g;
        memcpy(&p, plain + slot, sizeof p);
        memcpy(&g, given + slot, sizeof g);
        if (slot + sizeof g <= c->opts_size && g == arg && p && strcmp(p, arg) == 0) {
            at = slot + sizeof g - 1; /* the same string, another copy */
            continue;
        }
        fprintf(stderr, "byte %zu: %u without the option, %u with it\n", at, plain[at], given[at]);
        bad = 1;
    }
    return bad;
}

static void check_option(const cli_command *c, const char *action, const cli_option *o, int *checked,
                         int *marked)
{
    const char *value = cli_option_default(o, action);
    if (!value)
        return;
    int exception = !!(o->flags & CLI_NO_DEFAULT);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        cli_set_prog("test_defaults");
        if (exception && !freopen("/dev/null", "w", stderr))
            _exit(3);
        _exit(compare(c, action, o, value));
    }
    int status = -1;
    waitpid(pid, &status, 0);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    const char *opt = cli_opt_name(c, o->key);
    if (exception)
        check(rc == 1 || rc == 2, "%s %s %s [%s] is still an exception (CLI_NO_DEFAULT)", c->name, action, opt,
              value);
    else
        check(rc == 0, "%s %s %s [%s]: the table's default is set's%s", c->name, action, opt, value,
              rc == 0 ? "" : rc == 1 ? " (giving it again changes the options)" : " (set refuses it)");
    (*checked)++;
    *marked += exception;
}

/* Whether a run of action with no option gets through begin, the
 * table's defaults and end (a default set refuses exits; its message on
 * stderr names it), in a child. */
static int defaults_taken(const cli_command *c, const char *action)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        cli_set_prog("test_defaults");
        unsigned char *opts = calloc(1, c->opts_size);
        if (!opts)
            _exit(3);
        if (c->begin)
            c->begin(opts, action);
        cli_apply_defaults(c, opts, action);
        if (c->end)
            c->end(opts);
        _exit(0);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
    test_rule();
    int checked = 0, marked = 0;
    for (const cli_command *const *c = cli_commands; *c; c++)
        for (const cli_action *a = (*c)->actions; a->name; a++) {
            int taken = defaults_taken(*c, a->name);
            check(taken, "%s %s: set takes every default the table applies", (*c)->name, a->name);
            for (const cli_option *o = (*c)->options; o->key && taken; o++)
                check_option(*c, a->name, o, &checked, &marked);
        }
    /* the test must find something to test: the tables use [N] widely */
    check(checked > 100, "%d options with a value, per action, have a literal default", checked);
    /* dinos train --clip, jazz --channel (train, eval, show, stats), nmt
     * dates --format, trigger train --arch and --word, detect --channels */
    check(marked == 9, "%d of them are marked CLI_NO_DEFAULT", marked);
    return check_exit();
}
