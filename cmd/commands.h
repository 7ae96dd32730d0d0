/* commands — every seqtool command's table (cli.h), defined in its
 * folder under cmd/. */
#ifndef SEQTOOL_COMMANDS_H
#define SEQTOOL_COMMANDS_H

#include "cli.h"

extern const cli_command dinos_command;
extern const cli_command emojify_command;
extern const cli_command nmt_command;
extern const cli_command w2v_command;

/* Until a command has its table: its old entry point. */
int cmd_emojify(int argc, char **argv);
int cmd_nmt(int argc, char **argv);

#endif
