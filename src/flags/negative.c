/* negative.c — placeholder until the module lands; raises nothing. */
#include "flags.h"

void mt_flag_negative(mt_flag_ctx *ctx)
{
    (void)ctx;
}
