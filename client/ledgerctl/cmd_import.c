/* cmd_import - ledgerctl import: CSV files. (Being written: issue 3.) */
#include <stdio.h>
#include "ctl.h"

int cmd_import(ctl_t *ctl, int argc, char **argv)
{
    fprintf(stderr, "ledgerctl: import is not available yet\n");
    return 2;
}
