/* cmd_backup - ledgerctl backup. (Being written: issue 3.) */
#include <stdio.h>
#include "ctl.h"

int cmd_backup(ctl_t *ctl, int argc, char **argv)
{
    fprintf(stderr, "ledgerctl: backup is not available yet\n");
    return 2;
}
