/* status.c — messages for medtone_status, and the version query. */
#include "medtone.h"

const char *medtone_status_str(medtone_status status)
{
    switch (status) {
    case MEDTONE_OK: return "ok";
    case MEDTONE_ERR_NOMEM: return "out of memory";
    case MEDTONE_ERR_INVALID_ARG: return "invalid argument";
    case MEDTONE_ERR_IO: return "cannot read file";
    case MEDTONE_ERR_PARSE: return "malformed input";
    case MEDTONE_ERR_GZIP: return "corrupt or truncated gzip data";
    case MEDTONE_ERR_TOO_LARGE: return "input too large";
    case MEDTONE_ERR_NOT_FOUND: return "not found";
    case MEDTONE_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

unsigned medtone_version(void)
{
    return MEDTONE_VERSION_NUMBER;
}

const char *medtone_version_string(void)
{
    return MEDTONE_VERSION_STRING;
}
