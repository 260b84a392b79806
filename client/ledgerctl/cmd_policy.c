/* cmd_policy - ledgerctl policy. (Being written: issue 3.) */
#include <stdio.h>
#include "ctl.h"

int cmd_policy(ctl_t *ctl, int argc, char **argv)
{
    fprintf(stderr, "ledgerctl: policy is not available yet\n");
    return 2;
}
