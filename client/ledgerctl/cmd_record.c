/* cmd_record - ledgerctl partner|product|source|...: the kinds of
 * record.proto. (Being written: issue 3.) */
#include <stdio.h>
#include "ctl.h"

int cmd_record(ctl_t *ctl, int argc, char **argv)
{
    fprintf(stderr, "ledgerctl: %s is not available yet\n", argv[0]);
    return 2;
}
