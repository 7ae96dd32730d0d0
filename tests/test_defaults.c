/* test_defaults — an option's default is written twice: at the end of its
 * help text in the command's table ("... [5]") and in the command's begin
 * hook, which fills the options before parsing.  For every command,
 * action and option whose help ends in a literal default (a number or a
 * single word), this test fills one options structure as a run with no
 * option does (begin, end) and a second as a run given that default does
 * (begin, set(key, "VALUE"), end), and asks that they be the same bytes;
 * a field that holds the very string given must hold an equal string in
 * the first.  Each pair runs in a child process, since set dies (exit 2)
 * on a value its option refuses.  The exceptions are listed below, each
 * with its reason. */
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

/* Defaults that are literal words but not values the option takes. */
static const struct {
    const char *command, *option, *why;
} exceptions[] = {
    {"dinos", "clip", "[off] is --clip 0: no element clipping; the option takes a number"},
    {"jazz", "channel", "[any] is no channel filter; the option takes a channel, 1-16"},
    {"nmt", "format", "[all] is no filter on the families; the option takes family names"},
    /* a default that must stay apart from the same value given */
    {"trigger", "channels", "detect refuses --channels without --raw, so begin leaves it 0"},
    {"trigger", "arch", "train --from refuses --arch (the model has its network), so begin "
                        "leaves it NULL and train makes a new model small"},
    {"trigger", "word", "train --from refuses --word (the model has its word), so begin leaves "
                        "it NULL and train makes a new model hear activate"},
};

static const char *exception(const cli_command *c, const cli_option *o)
{
    for (size_t i = 0; i < sizeof exceptions / sizeof exceptions[0]; i++)
        if (strcmp(exceptions[i].command, c->name) == 0 && o->name && strcmp(exceptions[i].option, o->name) == 0)
            return exceptions[i].why;
    return NULL;
}

/* The literal default that ends help ("[5]", "[lstm]") copied to out, or
 * 0 when the default is not one word ("[v1 400, v2 50]", "[train: x]"). */
static int literal_default(const char *help, char *out, size_t n)
{
    size_t len = strlen(help);
    if (len < 3 || help[len - 1] != ']')
        return 0;
    const char *open = strrchr(help, '[');
    size_t k = (size_t)(help + len - 1 - open - 1);
    if (k == 0 || k >= n)
        return 0;
    for (size_t i = 0; i < k; i++) {
        char ch = open[1 + i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              strchr(".,-_+", ch)))
            return 0;
    }
    memcpy(out, open + 1, k);
    out[k] = 0;
    return 1;
}

/* A copy of c's options as begin left them for action, then key set to
 * arg (when arg is not NULL), then end.  One begin for both runs: begin
 * may allocate (the default model's path), and two paths alike in all
 * but their address are the same default. */
static unsigned char *fill(const cli_command *c, const unsigned char *begun, int key, const char *arg)
{
    unsigned char *opts = malloc(c->opts_size);
    if (!opts)
        exit(3);
    memcpy(opts, begun, c->opts_size);
    if (arg)
        c->set(opts, key, arg);
    if (c->end)
        c->end(opts);
    return opts;
}

/* In a child: 0 when the defaults agree; 1 (naming the bytes on stderr)
 * when they do not; set's own exit (2) when it refuses value. */
static int compare(const cli_command *c, const char *action, const cli_option *o, const char *value)
{
    char *arg = strdup(value);
    unsigned char *begun = calloc(1, c->opts_size);
    if (!arg || !begun)
        exit(3);
    if (c->begin)
        c->begin(begun, action);
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

static void check_option(const cli_command *c, const char *action, const cli_option *o, int *checked)
{
    char value[64];
    if (!o->arg || (o->flags & CLI_HIDDEN) || !literal_default(o->help, value, sizeof value))
        return;
    const char *why = exception(c, o);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        cli_set_prog("test_defaults");
        if (why && !freopen("/dev/null", "w", stderr))
            _exit(3);
        _exit(compare(c, action, o, value));
    }
    int status = -1;
    waitpid(pid, &status, 0);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    const char *opt = cli_opt_name(c, o->key);
    if (why)
        check(rc != 0, "%s %s %s [%s] is an exception: %s", c->name, action, opt, value, why);
    else
        check(rc == 0, "%s %s %s [%s]: the help's default is begin's%s", c->name, action, opt, value,
              rc == 0 ? "" : rc == 1 ? " (they differ)" : " (set refuses it)");
    (*checked)++;
}

int main(void)
{
    int checked = 0, options = 0;
    for (const cli_command *const *c = cli_commands; *c; c++)
        for (const cli_action *a = (*c)->actions; a->name; a++)
            for (const cli_option *o = (*c)->options; o->key; o++) {
                const char *acts = o->actions;
                size_t n = strlen(a->name);
                int takes = !acts;
                for (const char *p = acts; p && (p = strstr(p, a->name)); p += n)
                    takes |= (p == acts || p[-1] == ' ') && (p[n] == ' ' || !p[n]);
                if (takes && o->arg && !(o->flags & CLI_HIDDEN))
                    options++;
                if (takes)
                    check_option(*c, a->name, o, &checked);
            }
    /* the test must find something to test: the tables use [N] widely */
    check(checked > 100, "%d of %d options with a value, per action, have a literal default", checked, options);
    return check_exit();
}
