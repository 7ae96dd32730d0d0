/* trigger — wake-word detection from the shell: the pictures, the voices
 * and the training clips it learns from.  This file holds the command's
 * tables and what the actions share (audio read or die, folders of
 * clips); see trigger.h. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "commands.h"
#include "trigger.h"
#include "parallel.h"
#include "wakemodel.h"

enum {
    OPT_FRONT = CLI_OWN_KEYS, OPT_FORMAT, OPT_RANGE, OPT_NEAR, OPT_RENDERS, OPT_NEGATIVES,
    OPT_BACKGROUNDS, OPT_ENGINES, OPT_NO_EFFECTS, OPT_RATE, OPT_COUNT, OPT_SECONDS,
    OPT_MAX_POSITIVES, OPT_MAX_NEGATIVES, OPT_ARCH, OPT_WORD, OPT_EPOCHS, OPT_BATCH, OPT_LR, OPT_VAL,
    OPT_THRESHOLD, OPT_REFRACTORY, OPT_RAW, OPT_CHANNELS, OPT_CHIME, OPT_WINDOW, OPT_AUGMENT, OPT_SCORES, OPT_FROM, OPT_CLIPS, OPT_WARP, OPT_VOCODE
};

static const cli_option trigger_options_table[] = {
    {"output", 'o', "FILE", "picture to write: .pgm, .png or .svg", "spectrogram", 0},
    {"front", OPT_FRONT, "NAME", "logmel (40 bands at 16 kHz) or course (101 bins\n"
                                 "at 44.1 kHz) [logmel]", "spectrogram", 0},
    {"format", OPT_FORMAT, "NAME", "pgm, png or svg [from -o's extension]", "spectrogram", 0},
    {"range", OPT_RANGE, "DB", "decibels below the loudest value drawn [80]", "spectrogram", 0},
    {"output", 'o', "DIR", "folder to write positives/, negatives/,\n"
                           "backgrounds/ and voices.tsv in [trigger-data]", "voices", 0},
    {"near", OPT_NEAR, "WORDS", "near-miss negative words, comma-separated\n"
                                "[built in for activate; else from the word list]", "voices", 0},
    {"renders", OPT_RENDERS, "N", "renders of the wake word [200]", "voices", 0},
    {"negatives", OPT_NEGATIVES, "N", "renders of other words and sentences [400]", "voices", 0},
    {"backgrounds", OPT_BACKGROUNDS, "N", "10 s backgrounds of noise, hum and silence [20]", "voices", 0},
    {"engines", OPT_ENGINES, "LIST", "speech engines, comma-separated: espeak-ng,\n"
                                     "flite [espeak-ng,flite]", "voices", 0},
    {"no-effects", OPT_NO_EFFECTS, NULL, "no sox effects on the renders (pitch, tempo,\n"
                                         "reverb, band limits)", "voices", 0},
    {"threads", CLI_THREADS, "N", "renders run at once [2]", "voices", 0},
    {"rate", OPT_RATE, "HZ", "sample rate of the files written [16000]", "voices synth", 0},
    {"output", 'o', "DIR", "folder to write the clips and labels.tsv in\n"
                           "[clips]", "synth", 0},
    {"count", 'n', "N", "clips to make [100]", "synth", 0},
    {"seconds", OPT_SECONDS, "S", "length of each clip [10]", "synth", 0},
    {"max-positives", OPT_MAX_POSITIVES, "N", "at most N wake words in a clip [4]", "synth", 0},
    {"max-negatives", OPT_MAX_NEGATIVES, "N", "at most N other words in a clip [2]", "synth", 0},
    {"vocode", OPT_VOCODE, "F", "make a share F of the words again through a\n"
                                "vocoder, their pitch times 0.75-1.33 [0]", "synth", 0},
    {"output", 'o', "MODEL", "model file to write [trigger.safetensors]", "train", CLI_RUN_ONLY},
    /* --arch and --word stay unset (NULL) unless given: train --from refuses
     * them (the model has its network and its word), and train makes a new
     * model small, hearing activate */
    {"arch", OPT_ARCH, "NAME", "small (log-mel, causal), course (the course's\n"
                               "network) or a description such as\n"
                               "conv:64:3:2:causal,relu,gru:96,dense [small]", "train", CLI_NO_DEFAULT},
    {"word", OPT_WORD, "WORD", "the wake word the model hears, recorded in it\n"
                               "[activate]", "train", CLI_NO_DEFAULT},
    {"epochs", OPT_EPOCHS, "N", "passes over the training clips [20]", "train", 0},
    {"batch", OPT_BATCH, "N", "clips per step [16]", "train", 0},
    {"lr", OPT_LR, "X", "Adam's learning rate [0.001]", "train", 0},
    {"val", OPT_VAL, "F", "hold out fraction F of the clips; keep the model\n"
                          "of the best held-out loss [0.1]", "train", 0},
    {"augment", OPT_AUGMENT, NULL, "SpecAugment: mask a band and two spans of each\n"
                                   "training clip's features", "train", 0},
    {"warp", OPT_WARP, NULL, "warp each training clip's bands by up to 12%\n"
                             "and tilt them by up to 10 dB (log-mel), as\n"
                             "another voice and microphone would", "train", 0},
    {"from", OPT_FROM, "MODEL", "start a new run from MODEL: its network, word,\n"
                                "weights and settings (Adam afresh; --resume\n"
                                "goes on with a stopped run instead)", "train", 0},
    {"negatives", OPT_NEGATIVES, "DIR", "mix the audio files of DIR (false alarms, as\n"
                                      "detect --clips saves them) into clips, as\n"
                                      "negatives", "train", 0},
    {"output", 'o', "MODEL", "the ensemble's model file to write", "combine", CLI_RUN_ONLY},
    {"threshold", OPT_THRESHOLD, "X", "score that fires a detection [0.5; combine: the\n"
                                      "first model's; detect and eval: the model's]",
     "train combine detect eval", 0},
    {"refractory", OPT_REFRACTORY, "S", "seconds in which one word fires once [1; combine:\n"
                                        "the first model's; detect and eval: the model's]",
     "train combine detect eval", 0},
    {"model", 'm', "MODEL", "model to use [the shipped activate model]", "detect eval info", 0},
    {"raw", OPT_RAW, NULL, "standard input is raw signed 16-bit little-endian\n"
                           "PCM (give --rate, and --channels when not 1)", "detect", 0},
    {"rate", OPT_RATE, "HZ", "sample rate of --raw input", "detect", 0},
    /* unset (0) unless given: detect refuses --channels without --raw */
    {"channels", OPT_CHANNELS, "C", "channels of --raw input [1]", "detect", CLI_NO_DEFAULT},
    {"output", 'o', "OUT.wav", "write the input with a chime at each detection", "detect", 0},
    {"chime", OPT_CHIME, "FILE", "the chime for -o [a built-in bell]", "detect", 0},
    {"scores", OPT_SCORES, NULL, "print every output step's time and score (6\n"
                                 "decimals) instead of the detections", "detect", 0},
    {"clips", OPT_CLIPS, "DIR", "save the audio around each detection (2 s\n"
                                "before, 0.25 s after) in DIR: false alarms for\n"
                                "train --negatives", "detect", 0},
    {"output", 'o', "DET.svg", "draw the DET curve of the threshold sweep", "eval", 0},
    {"window", OPT_WINDOW, "S", "a detection up to S seconds after a word's end\n"
                                "still hits it [1]", "eval", 0},
    CLI_OPTION_SEED(NULL),
    CLI_OPTION_CHECKPOINT_EVERY("train"),
    CLI_OPTION_RESUME("train"),
    CLI_OPTION_JSON("voices synth train combine detect eval info"),
    CLI_OPTION_QUIET(NULL),
    CLI_OPTIONS_END,
};

static const cli_action trigger_actions[] = {
    {"combine", trigger_combine, "MODEL... -o MODEL [OPTIONS]", "an ensemble: the mean of models' scores"},
    {"detect", trigger_detect, "[-m MODEL] FILE... [OPTIONS]", "print when the wake word is heard"},
    {"eval", trigger_eval, "CLIPS [LABELS] [OPTIONS]", "false rejects and false accepts per hour"},
    {"info", trigger_info, "[MODEL]", "how a model was made, and its shape"},
    {"spectrogram", trigger_spectrogram, "IN -o OUT [OPTIONS]", "draw a spectrogram"},
    {"synth", trigger_synth, "POS_DIR NEG_DIR BG_DIR [OPTIONS]", "make labelled 10 s training clips"},
    {"train", trigger_train, "CLIPS... [-o MODEL] [OPTIONS]", "learn the wake word from labelled clips"},
    {"voices", trigger_voices, "WORD... [OPTIONS]", "render a word and others with speech engines"},
    CLI_ACTIONS_END,
};

/* The defaults a table cannot say: --threshold and --refractory not given
 * (-1), so that train --from keeps its model's, a new model gets 0.5 and
 * 1 s, and detect and eval use the model's. */
static void trigger_begin(void *opts, const char *action)
{
    trigger_options *o = opts;
    o->action = action;
    o->threshold = o->refractory = -1;
}

static void trigger_set(void *opts, int key, const char *arg)
{
    trigger_options *o = opts;
    switch (key) {
    case 'o': o->output = arg; break;
    case 'n': o->count = cli_long("--count", arg, 1, 10000000); break;
    case 'q': o->quiet = 1; break;
    case OPT_FRONT:
        if (strcmp(arg, "logmel") == 0)
            o->front = SPEC_LOGMEL;
        else if (strcmp(arg, "course") == 0)
            o->front = SPEC_COURSE;
        else
            die_usage("--front wants logmel or course, not '%s'", arg);
        break;
    case OPT_FORMAT:
        if (strcmp(arg, "pgm") && strcmp(arg, "png") && strcmp(arg, "svg"))
            die_usage("--format wants pgm, png or svg, not '%s'", arg);
        o->format = arg;
        break;
    case OPT_RANGE: o->range_db = cli_double("--range", arg, 1, 300); break;
    case OPT_NEAR: o->near = arg; break;
    case OPT_RENDERS: o->renders = cli_long("--renders", arg, 1, 1000000); break;
    case OPT_NEGATIVES:
        if (strcmp(o->action, "train") == 0)
            o->negatives_dir = arg;
        else
            o->negatives = cli_long("--negatives", arg, 0, 1000000);
        break;
    case OPT_BACKGROUNDS: o->backgrounds = cli_long("--backgrounds", arg, 0, 100000); break;
    case OPT_ENGINES: o->engines = arg; break;
    case OPT_NO_EFFECTS: o->no_effects = 1; break;
    case OPT_RATE:
        if (strcmp(o->action, "detect") == 0)
            o->raw_rate = (int)cli_long("--rate", arg, WAV_MIN_RATE, WAV_MAX_RATE);
        else
            o->rate = (int)cli_long("--rate", arg, 8000, 192000);
        break;
    case OPT_ARCH: o->arch = arg; break;
    case OPT_WORD:
        if (!*arg || strlen(arg) >= 128)
            die_usage("--word wants a word of 1 to 127 bytes");
        o->word = arg;
        break;
    case OPT_EPOCHS: o->epochs = (int)cli_long("--epochs", arg, 1, 100000); break;
    case OPT_BATCH: o->batch = (int)cli_long("--batch", arg, 1, 4096); break;
    case OPT_LR: o->lr = cli_double("--lr", arg, 1e-7, 10); break;
    case OPT_AUGMENT: o->augment = 1; break;
    case OPT_WARP: o->warp = 1; break;
    case OPT_FROM: o->from = arg; break;
    case OPT_CLIPS: o->clips = arg; break;
    case OPT_VAL: o->val = cli_double("--val", arg, 0, 0.9); break;
    case OPT_THRESHOLD: o->threshold = cli_double("--threshold", arg, 0, 1); break;
    case OPT_REFRACTORY: o->refractory = cli_double("--refractory", arg, 0, 3600); break;
    case 'm': o->model = arg; break;
    case OPT_RAW: o->raw = 1; break;
    case OPT_CHANNELS: o->channels = (int)cli_long("--channels", arg, 1, WAV_MAX_CHANNELS); break;
    case OPT_CHIME: o->chime = arg; break;
    case OPT_SCORES: o->scores = 1; break;
    case OPT_WINDOW: o->window = cli_double("--window", arg, 0, 60); break;
    case OPT_SECONDS: o->seconds = cli_double("--seconds", arg, 1, 600); break;
    case OPT_MAX_POSITIVES: o->max_positives = (int)cli_long("--max-positives", arg, 0, 32); break;
    case OPT_MAX_NEGATIVES: o->max_negatives = (int)cli_long("--max-negatives", arg, 0, 32); break;
    case OPT_VOCODE: o->vocode = cli_double("--vocode", arg, 0, 1); break;
    case CLI_THREADS: o->threads = (int)cli_long("--threads", arg, 1, PARALLEL_MAX); break;
    case CLI_SEED: o->seed = cli_seed(arg); break;
    case CLI_CHECKPOINT_EVERY: case CLI_RESUME: ckpt_option(&o->ckpt, key, arg); break;
    case CLI_JSON: o->json = 1; break;
    }
}

const cli_command trigger_command = {
    "trigger",
    "wake-word detection: voices, training clips, training, detection",
    sizeof(trigger_options),
    trigger_actions,
    trigger_options_table,
    "Audio is any file libsndfile reads ('-': a WAV stream on standard\n"
    "input), at any rate and channel count: it is mixed down to mono and\n"
    "resampled.  voices renders the wake word WORD... (one word or phrase)\n"
    "with espeak-ng and flite, other words and sentences as negatives, and\n"
    "backgrounds with sox; synth mixes such folders into labelled clips\n"
    "(CLIPS: a folder with their labels.tsv); train learns from them;\n"
    "detect prints SECONDS<TAB>SCORE for each detection as it happens.\n"
    "The false alarms detect --clips saves from audio without the wake\n"
    "word go back as train --from MODEL --negatives DIR.\n",
    NULL,
    trigger_begin,
    trigger_set,
    NULL,
};

/* ---- shared ---- */

void trigger_read_audio(const char *path, int rate, wav_audio *out)
{
    char err[ERR_MAX];
    if (wav_read(path, rate, out, err) < 0)
        die("%s", err);
}

static int audio_name(const char *name)
{
    static const char *const ext[] = {".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif"};
    size_t n = strlen(name);
    if (name[0] == '.')
        return 0;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t e = strlen(ext[i]);
        if (n > e && strcasecmp(name + n - e, ext[i]) == 0)
            return 1;
    }
    return 0;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void trigger_list_audio(const char *dir, const char *what, text_lines *out)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (!d)
        die("cannot read the %s folder '%s': %s", what, dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!audio_name(e->d_name))
            continue;
        if (out->n == out->cap) {
            int cap = out->cap ? 2 * out->cap : 64;
            char **line = realloc(out->line, (size_t)cap * sizeof *line);
            if (!line)
                die("out of memory");
            out->line = line;
            out->cap = cap;
        }
        out->line[out->n++] = trigger_join(dir, e->d_name);
    }
    closedir(d);
    if (out->n > 1)
        qsort(out->line, (size_t)out->n, sizeof *out->line, compare_paths);
}

void trigger_make_dir(const char *path)
{
    char *p = strdup(path);
    if (!p)
        die("out of memory");
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c != '/' && c != 0)
            continue;
        *s = 0;
        struct stat st;
        if (mkdir(p, 0777) < 0 && !(errno == EEXIST && stat(p, &st) == 0 && S_ISDIR(st.st_mode)))
            die("cannot make the folder '%s': %s", p, strerror(errno));
        *s = c;
        if (!c)
            break;
    }
    free(p);
}

char *trigger_join(const char *path, const char *name)
{
    size_t n = strlen(path);
    char *s = malloc(n + strlen(name) + 2);
    if (!s)
        die("out of memory");
    sprintf(s, "%s%s%s", path, n && path[n - 1] == '/' ? "" : "/", name);
    return s;
}

const char *trigger_default_model(void)
{
    return cli_default_model("trigger/activate.safetensors", "SEQTOOL_TRIGGER_MODEL", NULL);
}

int trigger_info(void *opts, int argc, char **argv)
{
    trigger_options *o = opts;
    const char *path = cli_info_operand(o->model ? o->model : trigger_default_model(), argc, argv);
    char err[ERR_MAX];
    model_in f;
    wakemodel m;
    if (model_in_open(&f, path, "trigger", err) < 0 || wakemodel_from(&m, &f, err) < 0)
        die("%s", err);
    const wakenet *w = &m.net[0];
    const char *front = wakemodel_front_name(w->front);
    char summary[1024], members[64] = "";
    if (m.members > 1)
        snprintf(members, sizeof members, "an ensemble of %d networks, each ", m.members);
    snprintf(summary, sizeof summary, "hears '%s'; %s front end (%d values a frame), %snetwork %s, %zu weights "
             "and %zu running statistics; threshold %g, refractory %g s", m.word, front, w->bins, members, w->arch,
             w->ps.total, w->stats.total, m.threshold, m.refractory);
    cJSON *j = cJSON_CreateObject();
    if (!j)
        die("out of memory");
    cJSON_AddStringToObject(j, "kind", "trigger");
    cJSON_AddStringToObject(j, "word", m.word);
    cJSON_AddStringToObject(j, "front", front);
    cJSON_AddStringToObject(j, "arch", w->arch);
    cJSON_AddNumberToObject(j, "members", m.members);
    cJSON_AddNumberToObject(j, "weights", (double)w->ps.total);
    cJSON_AddNumberToObject(j, "running_statistics", (double)w->stats.total);
    cJSON_AddNumberToObject(j, "threshold", m.threshold);
    cJSON_AddNumberToObject(j, "refractory", m.refractory);
    cli_info(path, summary, &f, j, 1, o->json);
    model_in_close(&f);
    wakemodel_free(&m);
    return 0;
}
