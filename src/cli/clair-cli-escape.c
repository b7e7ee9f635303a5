/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include "clair-cli.h"
#include "clair-escape.h"

/* The CLI's names for clair_escape_controls(): every printed text from outside goes through one of
 * these (see clair-escape.c for what is escaped and why). */

char *
clair_cli_escape (const char *text)
{
  return clair_escape_controls (text, CLAIR_ESCAPE_LINE);
}

char *
clair_cli_escape_block (const char *text)
{
  return clair_escape_controls (text, CLAIR_ESCAPE_BLOCK);
}
