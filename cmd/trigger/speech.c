/* speech — near-miss words, word lists, render plans and the trimming
 * of renders; see speech.h. */
#include "speech.h"

#include <ctype.h>
#include <strings.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- plans ---- */

static const char *const espeak_voices[] = {
    "en", "en-us", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd", "en-029", "en-us-nyc",
};
/* espeak-ng's variants that sound like people (not its robots); "" is
 * the voice's own. */
static const char *const espeak_variants[] = {
    "", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5", "croak",
    "klatt", "klatt2", "klatt3", "klatt4", "Alex", "Alicia", "Andrea", "Andy", "Annie", "adam", "anika",
    "aunty", "belinda", "benjamin", "boris", "caleb", "david", "ed", "edward", "grandma", "grandpa",
    "iven", "iven2", "john", "linda", "max", "michel", "norbert", "paul", "quincy", "rob", "robert",
    "shelby", "steph", "travis", "victor", "whisper", "zac",
};
/* flite's voices and the f0 each speaks at, so that a pitch change is a
 * factor of its own (rms ignores the target; it still gets the effects). */
static const struct {
    const char *name;
    int f0;
} flite_voices[] = {{"kal", 105}, {"kal16", 105}, {"awb", 115}, {"rms", 0}, {"slt", 170}};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int uniform_int(rng *r, int lo, int hi)
{
    return lo + (int)rng_below(r, (uint64_t)(hi - lo + 1));
}

void speech_draw(rng *r, int engines, int effects, speech_plan *p)
{
    memset(p, 0, sizeof *p);
    int both = (engines & SPEECH_ESPEAK) && (engines & SPEECH_FLITE);
    p->engine = both ? (rng_below(r, 5) < 3 ? SPEECH_ESPEAK : SPEECH_FLITE)
                     : (engines & SPEECH_ESPEAK ? SPEECH_ESPEAK : SPEECH_FLITE);
    if (p->engine == SPEECH_ESPEAK) {
        const char *v = espeak_voices[rng_below(r, COUNT(espeak_voices))];
        const char *var = espeak_variants[rng_below(r, COUNT(espeak_variants))];
        snprintf(p->voice, sizeof p->voice, "%s%s%s", v, *var ? "+" : "", var);
        p->speed = uniform_int(r, 115, 230);
        p->pitch = uniform_int(r, 15, 85);
    } else {
        int i = (int)rng_below(r, COUNT(flite_voices));
        snprintf(p->voice, sizeof p->voice, "%s", flite_voices[i].name);
        p->speed = uniform_int(r, 80, 135);
        p->pitch = flite_voices[i].f0 ? (int)lrint(flite_voices[i].f0 * (0.8 + 0.45 * rng_uniform(r))) : 0;
    }
    p->tempo_pct = 100;
    if (!effects)
        return;
    if (rng_uniform(r) < 0.5f)
        p->shift_cents = uniform_int(r, -350, 350);
    if (rng_uniform(r) < 0.4f)
        p->tempo_pct = uniform_int(r, 85, 118);
    if (rng_uniform(r) < 0.3f)
        p->reverb_pct = uniform_int(r, 15, 75);
    float b = rng_uniform(r);
    p->band = b < 0.12f ? 1 : b < 0.2f ? 2 : 0;
}

int speech_has_effects(const speech_plan *p)
{
    return p->shift_cents || p->tempo_pct != 100 || p->reverb_pct || p->band;
}

int speech_effect_args(const speech_plan *p, char **argv, char *buf)
{
    int n = 0;
    char *b = buf;
#define ARG(...) (argv[n++] = b, b += sprintf(b, __VA_ARGS__) + 1)
    if (p->shift_cents) {
        ARG("pitch");
        ARG("%d", p->shift_cents);
    }
    if (p->tempo_pct != 100) {
        ARG("tempo");
        ARG("-s");
        ARG("%.2f", p->tempo_pct / 100.0);
    }
    if (p->reverb_pct) {
        /* reverberance, HF damping, room scale: a small to middling room */
        ARG("reverb");
        ARG("%d", p->reverb_pct);
        ARG("50");
        ARG("%d", 20 + p->reverb_pct / 2);
    }
    if (p->band == 1) {
        ARG("sinc");
        ARG("300-3400");
    } else if (p->band == 2) {
        ARG("lowpass");
        ARG("3000");
    }
#undef ARG
    argv[n] = NULL;
    return n;
}

void speech_describe(const speech_plan *p, char *out, size_t n)
{
    int k;
    if (p->engine == SPEECH_ESPEAK)
        k = snprintf(out, n, "espeak-ng %s speed %d pitch %d", p->voice, p->speed, p->pitch);
    else
        k = snprintf(out, n, "flite %s stretch %.2f f0 %d", p->voice, p->speed / 100.0, p->pitch);
    char *argv[17], buf[256];
    int m = speech_effect_args(p, argv, buf);
    for (int i = 0; i < m && k > 0 && (size_t)k < n; i++)
        k += snprintf(out + k, n - (size_t)k, "%s%s", i ? " " : " | ", argv[i]);
}

/* ---- words ---- */

static const char *const activate_near[] = {
    "activity", "captivate", "cultivate", "active", "vacate", "activist", "activation", "octave",
    "motivate", "activism", "actively", "captive", "cavity", "activities", "captivating", "cultivation",
    "vacation", "elevate", "aggravate", "relative", "derivative", "active state", "act of faith", "action",
    "attic", "evacuate", "acting", "accurate", "activ", "tivate", "activa", "acti", "advocate", "cavitate",
    "active eight", "octavia",
};

/* General English words: everyday nouns, verbs and adjectives, and words
 * with the common beginnings and endings that near-miss guesses match. */
const char *const speech_words[] = {
    "about", "above", "accept", "account", "across", "action", "actor", "actual", "address", "adventure",
    "afternoon", "again", "against", "airport", "alarm", "allow", "almost", "alone", "already", "always",
    "amazing", "animal", "answer", "anyone", "apple", "appoint", "around", "arrive", "article", "attack",
    "attend", "attention", "autumn", "average", "awake", "balance", "banana", "basket", "battery", "beautiful",
    "because", "bedroom", "before", "begin", "behind", "believe", "better", "between", "bicycle", "birthday",
    "blanket", "bottle", "bottom", "breakfast", "bridge", "bright", "brother", "bucket", "butter", "button",
    "calendar", "camera", "candle", "capital", "captain", "careful", "carpet", "castle", "celebrate", "center",
    "certain", "chair", "change", "chicken", "children", "chocolate", "circle", "city", "climate", "clock",
    "coffee", "collect", "color", "comfort", "command", "common", "communicate", "compare", "complete",
    "computer", "compute", "commuter", "concert", "connect", "consider", "continue", "control", "cookie",
    "corner", "cotton", "country", "cousin", "create", "creative", "culture", "curtain", "dance", "danger",
    "daughter", "decide", "dedicate", "deliver", "dentist", "describe", "desert", "detective", "develop",
    "dinner", "direct", "discover", "doctor", "donate", "double", "dragon", "dream", "drive", "during",
    "early", "educate", "effort", "eight", "elephant", "elevator", "energy", "engine", "enough", "evening",
    "every", "example", "exercise", "expect", "explain", "fabric", "factory", "family", "famous", "farmer",
    "father", "feather", "festival", "finger", "finish", "flower", "follow", "forest", "forget", "fortune",
    "forward", "friday", "friend", "garden", "gather", "generate", "gentle", "giant", "ginger", "glass",
    "global", "golden", "guitar", "hammer", "happen", "happy", "harvest", "heavy", "hello", "helicopter",
    "history", "holiday", "honest", "horizon", "hospital", "hotel", "hundred", "hungry", "idea", "imagine",
    "important", "indicate", "inside", "instant", "island", "jacket", "journey", "jungle", "kitchen", "kitten",
    "ladder", "language", "laptop", "later", "laughter", "lemon", "letter", "library", "listen", "little",
    "locate", "machine", "magazine", "market", "medicine", "meeting", "memory", "message", "middle", "minute",
    "mirror", "moment", "monday", "monitor", "morning", "mother", "motion", "mountain", "music", "narrow",
    "native", "nature", "navigate", "negative", "never", "number", "ocean", "october", "office", "often",
    "okay", "olive", "open", "operate", "orange", "order", "other", "outside", "oven", "package", "paper",
    "parent", "party", "pattern", "pencil", "people", "pepper", "perfect", "picture", "planet", "plastic",
    "pocket", "positive", "potato", "practice", "private", "problem", "promise", "protect", "purple",
    "question", "quickly", "rabbit", "radio", "rainbow", "rather", "reason", "receive", "record", "relate",
    "remember", "repeat", "river", "rocket", "rotate", "sandwich", "saturday", "season", "second", "separate",
    "seven", "shadow", "shoulder", "silver", "simple", "sister", "station", "stomach", "story", "street",
    "student", "sudden", "summer", "sunday", "supper", "surface", "system", "table", "teacher", "telephone",
    "television", "thousand", "thunder", "ticket", "tiger", "today", "tomato", "tomorrow", "tonight", "towel",
    "traffic", "travel", "triangle", "trouble", "tuesday", "turtle", "umbrella", "uncle", "under", "upstairs",
    "vacuum", "valley", "vegetable", "village", "violin", "visit", "water", "weather", "wednesday", "welcome",
    "window", "winter", "without", "wonder", "yellow", "yesterday", "zebra",
};
const int speech_nwords = COUNT(speech_words);

/* Sentences, one to three seconds spoken, none with a wake word in mind. */
const char *const speech_sentences[] = {
    "The weather is lovely this morning.",
    "Could you pass me the salt, please?",
    "I think we should leave a little earlier tomorrow.",
    "Turn left at the next traffic light.",
    "She bought three apples and a loaf of bread.",
    "The meeting has been moved to Thursday afternoon.",
    "My brother plays the guitar in a small band.",
    "Have you seen my keys anywhere?",
    "The train to the city leaves in ten minutes.",
    "Let's order pizza for dinner tonight.",
    "It was raining so hard that we stayed inside.",
    "Please close the window before you go.",
    "The children are playing in the garden.",
    "What time does the library open on Sunday?",
    "I need to charge my phone.",
    "The coffee is too hot to drink.",
    "We watched a documentary about the ocean.",
    "He forgot his umbrella on the bus.",
    "Set the table for six people.",
    "The dog barked at the delivery van.",
    "Can you read that number again, slowly?",
    "Our flight was delayed by two hours.",
    "The soup needs a little more pepper.",
    "She is learning to speak Japanese.",
    "Remember to water the plants on Friday.",
    "The museum is closed for repairs.",
    "I'll call you back in five minutes.",
    "That song always makes me smile.",
    "The printer is out of paper again.",
    "We walked along the river until sunset.",
    "Did anyone feed the cat this morning?",
    "The cake will be ready in half an hour.",
    "He is the fastest runner on the team.",
    "Put the milk back in the fridge.",
    "The lights in the kitchen keep flickering.",
    "I'd like a cup of tea with lemon.",
    "The new bridge opens next spring.",
    "Tell me a story about dragons.",
    "My grandmother grew up on a farm.",
    "There is a spider on the ceiling.",
    "We should paint the fence green.",
    "How far is it to the nearest station?",
    "The baby finally fell asleep.",
    "This puzzle has a thousand pieces.",
    "The shop on the corner sells fresh bread.",
    "I left my jacket at the office.",
    "The football match starts at eight.",
    "Write your name at the top of the page.",
    "The volcano has been quiet for centuries.",
    "Let me know when you get home.",
    "A cold wind blew across the field.",
    "The batteries in the remote are dead.",
    "She smiled and waved from the window.",
    "We need eggs, flour and sugar.",
    "The car wash is open until six.",
    "What a beautiful view from up here!",
    "The teacher asked a difficult question.",
    "Keep the noise down, please.",
    "The package arrived a day early.",
    "I can't find the remote control anywhere.",
    "Seven ducks were swimming in the pond.",
    "The alarm clock rang at half past six.",
    "He carried the boxes up the stairs.",
    "The restaurant was busy and loud.",
    "Nobody knows where the path leads.",
};
const int speech_nsentences = COUNT(speech_sentences);

static int lower(int c)
{
    return tolower((unsigned char)c);
}

int speech_contains(const char *text, const char *wake)
{
    size_t n = strlen(wake);
    if (n == 0)
        return 0;
    for (const char *t = text; *t; t++) {
        size_t i = 0;
        while (i < n && t[i] && lower(t[i]) == lower(wake[i]))
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

static int levenshtein(const char *a, const char *b)
{
    int n = (int)strlen(a), m = (int)strlen(b);
    if (n > 63 || m > 63)
        return 99;
    int row[64];
    for (int j = 0; j <= m; j++)
        row[j] = j;
    for (int i = 1; i <= n; i++) {
        int diag = row[0];
        row[0] = i;
        for (int j = 1; j <= m; j++) {
            int up = row[j];
            int sub = diag + (lower(a[i - 1]) != lower(b[j - 1]));
            int best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            diag = up;
        }
    }
    return row[m];
}

static int common_prefix(const char *a, const char *b)
{
    int k = 0;
    while (a[k] && b[k] && lower(a[k]) == lower(b[k]))
        k++;
    return k;
}

static int common_suffix(const char *a, const char *b)
{
    int n = (int)strlen(a), m = (int)strlen(b), k = 0;
    while (k < n && k < m && lower(a[n - 1 - k]) == lower(b[m - 1 - k]))
        k++;
    return k;
}

typedef struct {
    const char *word;
    int distance, shared;
} candidate;

/* The near words of one word w (length n) into c, returns the new count. */
static int near_one(const char *w, int n, const char *wake, candidate *c, int count, int cap)
{
    char word[64];
    snprintf(word, sizeof word, "%.*s", n < 63 ? n : 63, w);
    if (strlen(word) < 3)
        return count;
    int limit = (int)strlen(word) / 3 > 2 ? (int)strlen(word) / 3 : 2;
    for (int i = 0; i < speech_nwords && count < cap; i++) {
        const char *s = speech_words[i];
        if (speech_contains(s, word) || speech_contains(s, wake))
            continue;
        int d = levenshtein(word, s), pre = common_prefix(word, s), suf = common_suffix(word, s);
        if (pre < 3 && suf < 3 && d > limit)
            continue;
        int seen = 0;
        for (int k = 0; k < count && !seen; k++)
            seen = c[k].word == s;
        if (!seen)
            c[count++] = (candidate){s, d, pre + suf};
    }
    return count;
}

int speech_near_words(const char *wake, const char **out, int max)
{
    max = max < SPEECH_NEAR_MAX ? max : SPEECH_NEAR_MAX;
    int n = 0;
    if (strcasecmp(wake, "activate") == 0) {
        for (int i = 0; i < COUNT(activate_near) && n < max; i++)
            out[n++] = activate_near[i];
        return n;
    }
    candidate c[512];
    int count = 0;
    static char parts[SPEECH_NEAR_MAX / 2][64];
    int nparts = 0;
    for (const char *p = wake; *p;) {
        while (*p == ' ')
            p++;
        int len = (int)strcspn(p, " ");
        if (len)
            count = near_one(p, len, wake, c, count, COUNT(c));
        /* the first and the last two thirds of a word of five letters or
         * more: what a detector hears when a word is cut or slurred */
        int part = (2 * len + 2) / 3;
        if (len >= 5 && len < 64 && nparts + 2 <= SPEECH_NEAR_MAX / 2) {
            snprintf(parts[nparts++], 64, "%.*s", part, p);
            snprintf(parts[nparts++], 64, "%.*s", part, p + len - part);
        }
        p += len;
    }
    /* closest first: smaller distance, then more shared letters, then
     * list order (a stable insertion sort) */
    for (int i = 1; i < count; i++) {
        candidate x = c[i];
        int j = i;
        while (j > 0 && (c[j - 1].distance > x.distance ||
                         (c[j - 1].distance == x.distance && c[j - 1].shared < x.shared))) {
            c[j] = c[j - 1];
            j--;
        }
        c[j] = x;
    }
    for (int i = 0; i < count && n < max - nparts; i++)
        out[n++] = c[i].word;
    for (int i = 0; i < nparts && n < max; i++)
        out[n++] = parts[i];
    return n;
}

/* ---- renders ---- */

int speech_trim(float *x, size_t *n, int rate, float peak)
{
    size_t block = (size_t)rate / 100, blocks = *n / block + (*n % block != 0);
    if (*n == 0 || block == 0)
        return -1;
    double loudest = 0;
    for (size_t b = 0; b < blocks; b++) {
        size_t lo = b * block, hi = lo + block < *n ? lo + block : *n;
        double e = 0;
        for (size_t i = lo; i < hi; i++)
            e += (double)x[i] * x[i];
        e /= (double)(hi - lo);
        loudest = e > loudest ? e : loudest;
    }
    if (loudest < 1e-12)
        return -1;
    double floor = loudest * 1e-4; /* 40 dB under, in power */
    size_t first = blocks, last = 0;
    for (size_t b = 0; b < blocks; b++) {
        size_t lo = b * block, hi = lo + block < *n ? lo + block : *n;
        double e = 0;
        for (size_t i = lo; i < hi; i++)
            e += (double)x[i] * x[i];
        if (e / (double)(hi - lo) >= floor) {
            first = b < first ? b : first;
            last = b;
        }
    }
    size_t margin = 3 * block;
    size_t lo = first * block > margin ? first * block - margin : 0;
    size_t hi = (last + 1) * block + margin < *n ? (last + 1) * block + margin : *n;
    memmove(x, x + lo, (hi - lo) * sizeof *x);
    *n = hi - lo;
    float top = 0;
    for (size_t i = 0; i < *n; i++)
        top = fabsf(x[i]) > top ? fabsf(x[i]) : top;
    for (size_t i = 0; i < *n; i++)
        x[i] *= peak / top;
    return 0;
}
