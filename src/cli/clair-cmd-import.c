/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include "clair-cli.h"

int
clair_cmd_import (int    argc,
               char **argv)
{
  return clair_cli_fail ("the import command is not built yet");
}
