/* commands — every seqtool command's table (cli.h), defined in its
 * folder under cmd/. */
#ifndef SEQTOOL_COMMANDS_H
#define SEQTOOL_COMMANDS_H

#include "cli.h"

extern const cli_command dinos_command;
extern const cli_command emojify_command;
extern const cli_command jazz_command;
extern const cli_command nmt_command;
extern const cli_command trigger_command;
extern const cli_command w2v_command;

#endif
