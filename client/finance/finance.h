/* finance - ledger-finance's commands, one file each: the settlement feed
 * (feed.c), a period's export to CSV and to a journal (journal.c), and the
 * monthly statements people read (statement.c). */
#ifndef LEDGER_FINANCE_H
#define LEDGER_FINANCE_H

#include "ctl.h"

int cmd_follow(ctl_t *ctl, int argc, char **argv);
int cmd_export(ctl_t *ctl, int argc, char **argv);
int cmd_statement(ctl_t *ctl, int argc, char **argv);

#endif
