/* wakemodel — a trigger model file: the network (wakenet) and what
 * detection needs to use it, in one safetensors file of kind "trigger":
 *
 *   trigger.word           the wake word or phrase it hears
 *   trigger.arch           the network's description (wakenet.h)
 *   trigger.front          logmel or course
 *   trigger.rate           the front end's sample rate
 *   trigger.threshold      the default score that fires a detection
 *   trigger.refractory     seconds in which one word fires once
 *   trigger.label_seconds  how long after a word the targets were 1
 *   trigger.members        how many networks an ensemble averages (none:
 *                          one)
 *
 * and the caller's own keys (train.*; a checkpoint's checkpoint.*).
 * Tensors: the layers' by their names (l0.weight, l4.weight_ih_l0, ...),
 * batch norms' running statistics among them; in an ensemble, member k
 * > 0 of the same description has its own under the prefix "mK."
 * (m1.l0.weight, ...), and the score of a step is the mean of the
 * members' scores.  Nothing here prints. */
#ifndef SEQTOOL_WAKEMODEL_H
#define SEQTOOL_WAKEMODEL_H

#include "model.h"
#include "wakenet.h"

#define WAKEMODEL_WORD_MAX 128

typedef struct {
    wakenet net[WAKENET_MEMBERS_MAX]; /* the network; an ensemble's members */
    int members;
    char word[WAKEMODEL_WORD_MAX];
    double threshold, refractory, label_seconds;
} wakemodel;

/* "logmel" / "course", and back (-1 when neither). */
const char *wakemodel_front_name(spec_kind front);
int wakemodel_front_parse(const char *s);

/* m's keys and tensors into f, which the caller writes (and may add
 * keys and tensors to first).  0, or -1 when out of memory. */
int wakemodel_put(const wakemodel *m, model_out *f);
/* Write m to path atomically, with the extra metadata pairs meta[0..2n)
 * (key, value, ...).  0, or -1 with a message. */
int wakemodel_save(const wakemodel *m, const char *path, const char *const *meta, int n, char *err);

/* The networks of the trigger model file path as more members of m
 * (an ensemble): it must hear the same word with the same description
 * and front end.  0, or -1 with a message (m may then hold some of the
 * file's networks; free it as before). */
int wakemodel_add(wakemodel *m, const char *path, char *err);

/* Read a trigger model; any other kind of file is refused naming its
 * kind.  0, or -1 with a message.  Free with wakemodel_free. */
int wakemodel_load(wakemodel *m, const char *path, char *err);
/* The same from a file already open (as "trigger"), which stays open. */
int wakemodel_from(wakemodel *m, const model_in *f, char *err);
void wakemodel_free(wakemodel *m);

#endif
