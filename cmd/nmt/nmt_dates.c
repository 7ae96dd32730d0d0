/* nmt dates — synthetic pairs from the generator in dates.c; see nmt.h. */
#include <cjson/cJSON.h>
#include <string.h>

#include "nmt.h"

/* The families to draw from: those of the convention(s), or of --format,
 * which must then all belong to the convention(s). */
static int choose_formats(const nmt_options *o, int *formats)
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

int nmt_dates(void *opts, int argc, char **argv)
{
    const nmt_options *o = opts;
    if (argc > 0)
        die_usage("unexpected argument '%s'", argv[0]);
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
