/* nmt — dates as people write them, to ISO dates.  For now the one action
 * is `dates`, the generator of synthetic pairs (core/dates); this file is
 * its face: options, the choice of families and conventions, printing. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "dates.h"

#define DEFAULT_COUNT 10000
#define MAX_COUNT 1000000000000L

static const char usage_text[] =
    "usage: seqtool nmt dates [OPTIONS]   synthetic pairs: a date as people write it,\n"
    "                                     a tab, the same date in ISO form\n"
    "\n"
    "dates:\n"
    "  -n, --count N           pairs to print [10000]\n"
    "      --month-first       numeric dates are month-first (05/03/1979 is\n"
    "                          May 3rd) [day-first: 03/05/1979 is 3 May]\n"
    "      --mixed             numeric dates of both conventions, each marked\n"
    "      --with-order        a third column: dmy or mdy, the convention a\n"
    "                          numeric date is written in, - for the others\n"
    "      --format NAME[,NAME...]\n"
    "                          only these families of formats [all]\n"
    "      --formats           list the families, one per line, and exit\n"
    "\n"
    "Dates are drawn uniformly from 1900-01-01 to 2099-12-31.  Two-digit\n"
    "years: 00-29 are 2000-2029, 30-99 are 1930-1999.\n"
    "\n"
    "common:\n"
    "      --seed N            random seed [1]\n"
    "      --json              one JSON object per line on standard output\n"
    "  -h, --help              this help\n";

enum { OPT_SEED = 256, OPT_JSON, OPT_MONTH_FIRST, OPT_MIXED, OPT_WITH_ORDER, OPT_FORMAT, OPT_FORMATS };

static const struct option long_options[] = {
    {"count", required_argument, 0, 'n'},
    {"help", no_argument, 0, 'h'},
    {"seed", required_argument, 0, OPT_SEED},
    {"json", no_argument, 0, OPT_JSON},
    {"month-first", no_argument, 0, OPT_MONTH_FIRST},
    {"mixed", no_argument, 0, OPT_MIXED},
    {"with-order", no_argument, 0, OPT_WITH_ORDER},
    {"format", required_argument, 0, OPT_FORMAT},
    {"formats", no_argument, 0, OPT_FORMATS},
    {0, 0, 0, 0},
};

typedef struct {
    const char *action;
    long count;
    unsigned long long seed;
    int json, month_first, mixed, with_order, list_formats;
    int nasked;                   /* families named by --format */
    int asked[DATES_NFORMATS];
} options;

static int nmt_dates(options *o);

static void set_defaults(options *o)
{
    memset(o, 0, sizeof *o);
    o->count = DEFAULT_COUNT;
    o->seed = RNG_DEFAULT_SEED;
}

/* Options each action accepts (as getopt codes), besides the common ones. */
static const int dates_options[] = {'n', OPT_MONTH_FIRST, OPT_MIXED, OPT_WITH_ORDER, OPT_FORMAT,
                                    OPT_FORMATS, 0};
static const struct {
    const char *name;
    int (*run)(options *);
    const int *options;
} actions[] = {
    {"dates", nmt_dates, dates_options},
};

static int option_allowed(const char *action, int c)
{
    static const int common[] = {'h', OPT_SEED, OPT_JSON, 0};
    for (const int *p = common; *p; p++)
        if (*p == c)
            return 1;
    for (size_t a = 0; a < sizeof actions / sizeof actions[0]; a++)
        if (strcmp(actions[a].name, action) == 0)
            for (const int *p = actions[a].options; *p; p++)
                if (*p == c)
                    return 1;
    return 0;
}

/* --format a,b,c: every name must be a family; repeats are ignored. */
static void parse_formats(options *o, const char *list)
{
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int f = dates_format_find(p, n);
        if (f < 0)
            die_usage("--format: no family '%.*s' (see --formats)", (int)n, p);
        int seen = 0;
        for (int i = 0; i < o->nasked; i++)
            seen |= o->asked[i] == f;
        if (!seen)
            o->asked[o->nasked++] = f;
        if (!end)
            break;
        p = end + 1;
    }
}

static void parse_options(options *o, int argc, char **argv)
{
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, ":n:h", long_options, usage_text)) != -1) {
        if (!option_allowed(o->action, c))
            die_usage("%s is not an option of 'nmt %s'", cli_option_name(long_options, c), o->action);
        switch (c) {
        case 'n': o->count = cli_long("--count", optarg, 0, MAX_COUNT); break;
        case OPT_SEED: o->seed = cli_seed(optarg); break;
        case OPT_JSON: o->json = 1; break;
        case OPT_MONTH_FIRST: o->month_first = 1; break;
        case OPT_MIXED: o->mixed = 1; break;
        case OPT_WITH_ORDER: o->with_order = 1; break;
        case OPT_FORMAT: parse_formats(o, optarg); break;
        case OPT_FORMATS: o->list_formats = 1; break;
        }
    }
    if (optind < argc)
        die_usage("unexpected argument '%s'", argv[optind]);
    if (o->month_first && o->mixed)
        die_usage("--month-first and --mixed exclude each other (--mixed draws both conventions)");
}

/* ---- dates ---- */

/* The families to draw from: those of the convention(s), or of --format,
 * which must then all belong to the convention(s). */
static int choose_formats(const options *o, int *formats)
{
    int conventions = o->mixed ? DATES_DMY | DATES_MDY : o->month_first ? DATES_MDY : DATES_DMY;
    int allowed[DATES_NFORMATS], nallowed = dates_formats_for(conventions, allowed);
    if (o->nasked == 0) {
        memcpy(formats, allowed, sizeof allowed);
        return nallowed;
    }
    for (int i = 0; i < o->nasked; i++) {
        int f = o->asked[i], ok = 0;
        for (int j = 0; j < nallowed; j++)
            ok |= allowed[j] == f;
        if (!ok && dates_format_order(f) == DATES_ORDER_MDY)
            die_usage("--format %s: month-first numeric dates need --month-first or --mixed",
                      dates_format_name(f));
        if (!ok)
            die_usage("--format %s: day-first numeric dates are not drawn with --month-first "
                      "(--mixed draws both)", dates_format_name(f));
        formats[i] = f;
    }
    return o->nasked;
}

static void print_json(const dates_pair *p)
{
    cJSON *j = cJSON_CreateObject();
    if (!j || !cJSON_AddStringToObject(j, "human", p->human) ||
        !cJSON_AddStringToObject(j, "iso", p->iso) ||
        !cJSON_AddStringToObject(j, "format", dates_format_name(p->format)) ||
        !(p->order == DATES_ORDER_NONE ? cJSON_AddNullToObject(j, "order")
                                       : cJSON_AddStringToObject(j, "order", dates_order_name(p->order))))
        die("out of memory");
    cli_print_json(j);
}

static int nmt_dates(options *o)
{
    if (o->list_formats) {
        for (int f = 0; f < DATES_NFORMATS; f++)
            puts(dates_format_name(f));
        return 0;
    }
    int formats[DATES_NFORMATS], nformats = choose_formats(o, formats);
    rng r;
    rng_seed(&r, o->seed);
    dates_pair p;
    char line[DATES_HUMAN_MAX + DATE_ISO_LEN + 8];
    for (long i = 0; i < o->count; i++) {
        dates_draw(&r, formats, nformats, &p);
        if (o->json) {
            print_json(&p);
            continue;
        }
        int n = p.len;
        memcpy(line, p.human, (size_t)n);
        line[n++] = '\t';
        memcpy(line + n, p.iso, DATE_ISO_LEN);
        n += DATE_ISO_LEN;
        if (o->with_order) {
            const char *name = dates_order_name(p.order);
            line[n++] = '\t';
            memcpy(line + n, name, strlen(name));
            n += (int)strlen(name);
        }
        line[n++] = '\n';
        if (fwrite(line, 1, (size_t)n, stdout) != (size_t)n)
            break; /* cli_finish reports it */
    }
    return 0;
}

int cmd_nmt(int argc, char **argv)
{
    cli_set_prog("seqtool nmt");
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        return cli_finish(0);
    }
    options o;
    set_defaults(&o);
    o.action = argv[1];
    int (*run)(options *) = NULL;
    for (size_t a = 0; a < sizeof actions / sizeof actions[0]; a++)
        if (strcmp(actions[a].name, o.action) == 0)
            run = actions[a].run;
    if (!run)
        die_usage("no action '%s' (dates)", o.action);
    parse_options(&o, argc - 1, argv + 1);
    return cli_finish(run(&o));
}
