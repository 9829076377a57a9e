#ifndef DATAPILOT_CLIBPQ_SHIM_H
#define DATAPILOT_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
