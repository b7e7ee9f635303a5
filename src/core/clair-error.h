/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CLAIR_ERROR (clair_error_quark ())

/* Error codes of the CLAIR_ERROR domain. Messages carried with them are sentences a user can act on:
 * they say what is wrong and where (file, line, column, row). */
typedef enum
{
  CLAIR_ERROR_FAILED,
  CLAIR_ERROR_INVALID_DATA,     /* malformed dataset or results file */
  CLAIR_ERROR_EMPTY,            /* a file with no rows */
  CLAIR_ERROR_MISSING_COLUMN,   /* a mapped column is absent */
  CLAIR_ERROR_TOO_LARGE,        /* a field or file over the limits */
  CLAIR_ERROR_UNSUPPORTED,      /* unknown format, or a project written by a newer version */
  CLAIR_ERROR_CORRUPT,          /* a project file that is not a CLAIR project or is damaged */
  CLAIR_ERROR_NOT_FOUND,        /* no such row */
  CLAIR_ERROR_HTTP,             /* a non-2xx answer that fails one row */
  CLAIR_ERROR_FATAL_HTTP,       /* 401/402/403/404, quota: stops a whole run */
  CLAIR_ERROR_PROTOCOL,         /* a body that does not follow the protocol */
  CLAIR_ERROR_TIMEOUT,          /* the per-request deadline passed */
  CLAIR_ERROR_INTERRUPTED,      /* a connection dropped or a stream ended early */
  CLAIR_ERROR_UNREACHABLE,      /* nothing answers at the address, or the name does not resolve */
  CLAIR_ERROR_BUSY,             /* another run holds the project's run lock */
} ClairError;

GQuark clair_error_quark (void);

G_END_DECLS
