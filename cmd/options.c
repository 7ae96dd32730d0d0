/* options — the option-table machinery of cli.h: one table per command
 * drives getopt_long, the per-action check, the usage and help texts, and
 * bash completion. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HELP_COLUMN 26 /* where an option's help text starts */
#define MAX_OPTIONS 96

static const char *current_action = "";

const char *cli_action_name(void) { return current_action; }

/* Whether word is one of the space-separated words of list. */
static int word_in(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, word, n) == 0)
            return 1;
        p += len;
    }
    return 0;
}

static int takes(const cli_option *o, const char *action)
{
    return !o->actions || word_in(o->actions, action);
}

/* The row of key that the current action takes, else the first of key:
 * a key may have rows for different actions (an old spelling, hidden). */
static const cli_option *find_key(const cli_command *c, int key)
{
    const cli_option *first = NULL;
    for (const cli_option *o = c->options; o->key; o++)
        if (o->key == key) {
            if (takes(o, current_action))
                return o;
            first = first ? first : o;
        }
    return first;
}

const char *cli_opt_name(const cli_command *c, int key)
{
    static char name[64];
    const cli_option *o = find_key(c, key);
    if (o && o->name)
        snprintf(name, sizeof name, "--%s", o->name);
    else
        snprintf(name, sizeof name, "-%c", key);
    return name;
}

/* ---- defaults ---- */

/* Whether the n bytes at s make one word a default may be: letters,
 * digits and ".,-_+" ("0.002", "1e-3", "espeak-ng,flite"). */
static int literal_word(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              strchr(".,-_+", s[i])))
            return 0;
    return n > 0;
}

/* The literal defaults found so far, one per help text, kept for the life
 * of the process (set hooks may keep the pointer; reachable, not leaked). */
typedef struct literal {
    const char *help;
    struct literal *next;
    char value[];
} literal;
static literal *literals;

const char *cli_option_default(const cli_option *o, const char *action)
{
    if (!o->arg || (o->flags & CLI_HIDDEN) || !takes(o, action))
        return NULL;
    for (const literal *l = literals; l; l = l->next)
        if (l->help == o->help)
            return l->value;
    size_t len = strlen(o->help);
    const char *open = strrchr(o->help, '[');
    if (!open || len < 3 || o->help[len - 1] != ']')
        return NULL;
    size_t n = (size_t)(o->help + len - 1 - open - 1);
    if (!literal_word(open + 1, n))
        return NULL;
    literal *l = malloc(sizeof *l + n + 1);
    if (!l)
        die("out of memory");
    l->help = o->help;
    memcpy(l->value, open + 1, n);
    l->value[n] = 0;
    l->next = literals;
    literals = l;
    return l->value;
}

void cli_apply_defaults(const cli_command *c, void *opts, const char *action)
{
    for (const cli_option *o = c->options; o->key; o++) {
        const char *value = cli_option_default(o, action);
        if (value && !(o->flags & CLI_NO_DEFAULT))
            c->set(opts, o->key, value);
    }
}

/* ---- help ---- */

static void usage_lines(const cli_command *c, FILE *out)
{
    int width = 0;
    for (const cli_action *a = c->actions; a->name; a++) {
        int w = snprintf(NULL, 0, "seqtool %s %s %s", c->name, a->name, a->operands);
        width = w > width ? w : width;
    }
    for (const cli_action *a = c->actions; a->name; a++) {
        char line[256];
        snprintf(line, sizeof line, "seqtool %s %s %s", c->name, a->name, a->operands);
        fprintf(out, "%s%-*s  %s\n", a == c->actions ? "usage: " : "       ", width, line,
                a->summary);
    }
}

/* "  -o, --output MODEL      model file to write [x]", lines after the
 * first indented to the help column. */
static void option_line(const cli_option *o, FILE *out)
{
    char head[96];
    int n;
    if (o->key < CLI_LONG_ONLY && !o->name)
        n = snprintf(head, sizeof head, "  -%c%s%s", o->key, o->arg ? " " : "", o->arg ? o->arg : "");
    else
        n = snprintf(head, sizeof head, "  %c%c%s--%s%s%s", o->key < CLI_LONG_ONLY ? '-' : ' ',
                     o->key < CLI_LONG_ONLY ? o->key : ' ', o->key < CLI_LONG_ONLY ? ", " : "  ", o->name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
    fputs(head, out);
    if (n >= HELP_COLUMN - 1)
        fprintf(out, "\n%*s", HELP_COLUMN, "");
    else
        fprintf(out, "%*s", HELP_COLUMN - n, "");
    for (const char *h = o->help; *h; h++) {
        fputc(*h, out);
        if (*h == '\n' && h[1])
            fprintf(out, "%*s", HELP_COLUMN, "");
    }
    fputc('\n', out);
}

/* The options of one action set, under a heading that names the actions
 * ("nearest, analogy:"); each option is shown once, in the section of its
 * own set, sections in the order the table first uses them. */
static void option_sections(const cli_command *c, FILE *out)
{
    for (const cli_option *o = c->options; o->key; o++) {
        if (!o->actions || (o->flags & CLI_HIDDEN))
            continue;
        const cli_option *p = c->options;
        while (p < o && (!p->actions || (p->flags & CLI_HIDDEN) || strcmp(p->actions, o->actions) != 0))
            p++;
        if (p < o)
            continue; /* its section is printed already */
        fputc('\n', out);
        for (const char *a = o->actions; *a; a++)
            fputs(*a == ' ' ? ", " : (char[2]){*a, 0}, out);
        fputs(":\n", out);
        for (p = o; p->key; p++)
            if (p->actions && !(p->flags & CLI_HIDDEN) && strcmp(p->actions, o->actions) == 0)
                option_line(p, out);
    }
}

void cli_usage(const cli_command *c, FILE *out, int full)
{
    usage_lines(c, out);
    if (!full) {
        fprintf(out, "Try 'seqtool %s --help' for more information.\n", c->name);
        return;
    }
    if (c->about)
        fprintf(out, "\n%s", c->about);
    option_sections(c, out);
    fputs("\ncommon:\n", out);
    for (const cli_option *o = c->options; o->key; o++)
        if (!o->actions && !(o->flags & CLI_HIDDEN))
            option_line(o, out);
    fputs("  -h, --help              this help\n", out);
    fprintf(out, "\nSee 'man seqtool-%s' for the whole story.\n", c->name);
}

/* ---- parsing ---- */

/* getopt_long's tables from c's: short options with ':' after those that
 * take a value, long ones with their keys; --help and -h added. */
static void getopt_tables(const cli_command *c, char *shortopts, size_t n, struct option *longopts)
{
    size_t k = 0, m = 0;
    shortopts[k++] = ':';
    for (const cli_option *o = c->options; o->key && m < MAX_OPTIONS - 2; o++) {
        if (o->key < CLI_LONG_ONLY && k + 3 < n) {
            shortopts[k++] = (char)o->key;
            if (o->arg)
                shortopts[k++] = ':';
        }
        if (o->name)
            longopts[m++] = (struct option){o->name, o->arg ? required_argument : no_argument, 0, o->key};
    }
    shortopts[k++] = 'h';
    shortopts[k] = 0;
    longopts[m++] = (struct option){"help", no_argument, 0, 'h'};
    longopts[m] = (struct option){0, 0, 0, 0};
}

/* The message for a word getopt did not take: an ambiguous abbreviation
 * names the options it could be. */
static _Noreturn void bad_option(const cli_command *c, const char *word, int missing)
{
    if (missing)
        die_usage("option '%s' needs a value", word);
    if (strncmp(word, "--", 2) == 0) {
        const char *w = word + 2;
        size_t n = strcspn(w, "=");
        char list[512] = "";
        int count = 0;
        for (const cli_option *o = c->options; o->key; o++)
            if (o->name && strncmp(o->name, w, n) == 0 && strlen(list) + strlen(o->name) + 4 < sizeof list) {
                strcat(list, count++ ? ", --" : "--");
                strcat(list, o->name);
            }
        if (count > 1)
            die_usage("option '%.*s' is ambiguous: %s", (int)n + 2, word, list);
        if (count == 1 && w[n] == '=')
            die_usage("option '--%.*s' takes no value", (int)n, w);
    }
    die_usage("unknown option '%s'", word);
}

/* ---- settings ---- */

/* The words of cli_settings as they come, and the string once made. */
static const char **setting_words;
static int nsettings, setting_cap;
static char *settings;

static void add_setting(const char *word)
{
    if (nsettings == setting_cap) {
        setting_cap = setting_cap ? 2 * setting_cap : 32;
        const char **w = realloc(setting_words, (size_t)setting_cap * sizeof *w);
        if (!w)
            die("out of memory");
        setting_words = w;
    }
    setting_words[nsettings++] = word;
}

/* Option row o with its value, spelt by its long name when it has one. */
static void add_option_setting(const cli_option *o, const char *arg)
{
    if (o->flags & CLI_RUN_ONLY)
        return;
    char *w = malloc(o->name ? strlen(o->name) + 3 : 3);
    if (!w)
        die("out of memory");
    if (o->name)
        sprintf(w, "--%s", o->name);
    else
        sprintf(w, "-%c", o->key);
    add_setting(w);
    if (arg)
        add_setting(arg);
}

const char *cli_settings(void) { return settings ? settings : ""; }

/* One pass of getopt_long over argv: presets (1) or the rest (0). */
static void parse_pass(const cli_command *c, void *opts, int argc, char **argv, int presets)
{
    char shortopts[2 * MAX_OPTIONS + 4];
    struct option longopts[MAX_OPTIONS];
    getopt_tables(c, shortopts, sizeof shortopts, longopts);
    opterr = 0;
    optind = 0; /* glibc: start afresh */
    int key;
    while ((key = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (key == '?' || key == ':')
            bad_option(c, argv[optind - 1], key == ':');
        if (key == 'h') {
            cli_usage(c, stdout, 1);
            exit(cli_finish(0));
        }
        const cli_option *o = find_key(c, key);
        if (o && !presets && takes(o, current_action))
            add_option_setting(o, o->arg ? optarg : NULL); /* presets too, where they stand */
        if (!o || !!(o->flags & CLI_PRESET) != presets)
            continue;
        if (!takes(o, current_action))
            die_usage("%s is not an option of '%s %s'", cli_opt_name(c, key), c->name, current_action);
        c->set(opts, key, o->arg ? optarg : NULL);
    }
}

static const cli_action *find_action(const cli_command *c, const char *name)
{
    for (const cli_action *a = c->actions; a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

static _Noreturn void no_action(const cli_command *c, const char *name)
{
    char list[256] = "";
    for (const cli_action *a = c->actions; a->name; a++) {
        if (a != c->actions)
            strcat(list, a[1].name ? ", " : " or ");
        strncat(list, a->name, sizeof list - strlen(list) - 16);
    }
    die_usage("no action '%s' (%s)", name, list);
}

int cli_run(const cli_command *c, int argc, char **argv)
{
    static char prog[64];
    snprintf(prog, sizeof prog, "seqtool %s", c->name);
    cli_set_prog(prog);
    if (argc < 2) {
        cli_usage(c, stderr, 0);
        return EXIT_USAGE;
    }
    const char *word = argv[1];
    if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0 || strcmp(word, "help") == 0) {
        cli_usage(c, stdout, 1);
        return cli_finish(0);
    }
    cli_set_command_line(argc, argv);
    const cli_action *a = NULL;
    if (word[0] == '-' && word[1] && c->default_action) {
        a = find_action(c, c->default_action);
    } else {
        a = find_action(c, word);
        if (!a)
            no_action(c, word);
        argc--;
        argv++;
    }
    current_action = a->name;
    void *opts = calloc(1, c->opts_size);
    if (!opts)
        die("out of memory");
    if (c->begin)
        c->begin(opts, a->name);
    cli_apply_defaults(c, opts, a->name);
    parse_pass(c, opts, argc, argv, 1);
    parse_pass(c, opts, argc, argv, 0);
    if (c->end)
        c->end(opts);
    for (int i = optind; i < argc; i++)
        add_setting(argv[i]);
    settings = cli_shell_join(nsettings, setting_words);
    int status = a->run(opts, argc - optind, argv + optind);
    free(opts);
    return cli_finish(status);
}

/* ---- completion ---- */

static void list_options(const cli_command *c, const cli_action *a, FILE *out)
{
    for (const cli_option *o = c->options; o->key; o++) {
        if (!takes(o, a->name) || (o->flags & CLI_HIDDEN))
            continue;
        fprintf(out, "%s %s", c->name, a->name);
        if (o->name)
            fprintf(out, " --%s", o->name);
        if (o->key < CLI_LONG_ONLY)
            fprintf(out, " -%c", o->key);
        fputc('\n', out);
    }
}

/* Words for one action: its options, a space-separated line. */
static void action_words(const cli_command *c, const cli_action *a, FILE *out)
{
    for (const cli_option *o = c->options; o->key; o++) {
        if (!takes(o, a->name) || (o->flags & CLI_HIDDEN))
            continue;
        if (o->name)
            fprintf(out, " --%s", o->name);
        if (o->key < CLI_LONG_ONLY)
            fprintf(out, " -%c", o->key);
    }
    fputs(" --help", out);
}

/* Options whose value is not a file: completion offers nothing for them. */
static void value_options(FILE *out)
{
    fputs("    local valued=\"", out);
    for (const cli_command *const *c = cli_commands; *c; c++)
        for (const cli_option *o = (*c)->options; o->key; o++)
            if (o->arg) {
                if (o->name)
                    fprintf(out, " --%s", o->name);
                if (o->key < CLI_LONG_ONLY)
                    fprintf(out, " -%c", o->key);
            }
    fputs(" \"\n", out);
}

static void completion_bash(FILE *out)
{
    fputs("# bash completion for seqtool, made by `seqtool completion bash`\n"
          "_seqtool()\n{\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "    local cmd=${COMP_WORDS[1]} action=${COMP_WORDS[2]} words=\"\"\n",
          out);
    /* a command whose first word is an option runs its default action */
    for (const cli_command *const *c = cli_commands; *c; c++)
        if ((*c)->default_action)
            fprintf(out, "    [ \"$cmd\" = %s ] && case $action in -?*) action=%s ;; esac\n", (*c)->name,
                    (*c)->default_action);
    value_options(out);
    fputs("    if [ \"$COMP_CWORD\" -eq 1 ]; then\n        words=\"help completion --help --version",
          out);
    for (const cli_command *const *c = cli_commands; *c; c++)
        fprintf(out, " %s", (*c)->name);
    fputs("\"\n    elif [ \"$COMP_CWORD\" -eq 2 ]; then\n        case $cmd in\n", out);
    for (const cli_command *const *c = cli_commands; *c; c++) {
        fprintf(out, "        %s) words=\"help --help", (*c)->name);
        for (const cli_action *a = (*c)->actions; a->name; a++)
            fprintf(out, " %s", a->name);
        fputs("\" ;;\n", out);
    }
    fputs("        help) words=\"", out);
    for (const cli_command *const *c = cli_commands; *c; c++)
        fprintf(out, "%s%s", c == cli_commands ? "" : " ", (*c)->name);
    fputs("\" ;;\n        completion) words=\"bash list\" ;;\n        esac\n"
          "    else\n"
          "        case \" $valued \" in *\" $prev \"*) COMPREPLY=($(compgen -f -- \"$cur\")); return ;; esac\n"
          "        case $cmd/$action in\n",
          out);
    for (const cli_command *const *c = cli_commands; *c; c++)
        for (const cli_action *a = (*c)->actions; a->name; a++) {
            fprintf(out, "        %s/%s) words=\"", (*c)->name, a->name);
            action_words(*c, a, out);
            fputs("\" ;;\n", out);
        }
    fputs("        esac\n"
          "        case $cur in -*) ;; *) COMPREPLY=($(compgen -f -- \"$cur\")); return ;; esac\n"
          "    fi\n"
          "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
          "}\n"
          "complete -o filenames -F _seqtool seqtool\n",
          out);
}

int cli_completion(int argc, char **argv)
{
    cli_set_prog("seqtool completion");
    if (argc == 2 && strcmp(argv[1], "bash") == 0) {
        completion_bash(stdout);
        return cli_finish(0);
    }
    if (argc == 2 && strcmp(argv[1], "list") == 0) {
        for (const cli_command *const *c = cli_commands; *c; c++)
            for (const cli_action *a = (*c)->actions; a->name; a++)
                list_options(*c, a, stdout);
        return cli_finish(0);
    }
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs("usage: seqtool completion bash   a bash completion script for seqtool\n"
              "       seqtool completion list   every option of every action, a line each\n",
              stdout);
        return cli_finish(0);
    }
    die_usage("completion wants 'bash' or 'list'");
}
