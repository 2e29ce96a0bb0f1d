/* aspects.c — placeholder until the module lands; raises nothing. */
#include "flags.h"

void mt_flag_aspects(mt_flag_ctx *ctx)
{
    (void)ctx;
}
