/* commands — the entry point of each seqtool command. */
#ifndef SEQTOOL_COMMANDS_H
#define SEQTOOL_COMMANDS_H

/* argv[0] is the command name; returns the exit status. */
int cmd_dinos(int argc, char **argv);
int cmd_emojify(int argc, char **argv);
int cmd_nmt(int argc, char **argv);
int cmd_w2v(int argc, char **argv);

#endif
