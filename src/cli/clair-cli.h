/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit codes every subcommand follows. */
enum
{
  CLAIR_EXIT_OK      = 0,
  CLAIR_EXIT_FAILURE = 1,   /* a one-line reason went to stderr */
  CLAIR_EXIT_USAGE   = 2,
  CLAIR_EXIT_PARTIAL = 3,   /* clair run: some rows failed */
};

/* Prints "clair: MESSAGE" on stderr and returns CLAIR_EXIT_FAILURE. */
int  clair_cli_fail        (const char   *format,
                            ...) G_GNUC_PRINTF (1, 2);
/* Prints "clair SUBCOMMAND: MESSAGE" and the hint to use --help; returns CLAIR_EXIT_USAGE. */
int  clair_cli_usage_error (const char   *subcommand,
                            const char   *format,
                            ...) G_GNUC_PRINTF (2, 3);
/* Parses @argv with @context; on failure prints a usage error. Returns -1 on success, else the
 * exit code to return. */
int  clair_cli_parse       (GOptionContext *context,
                            const char     *subcommand,
                            int            *argc,
                            char         ***argv);
/* Parses "N", "A-B", "A-", "-B" into an inclusive range. */
gboolean clair_cli_parse_range (const char *text,
                                guint      *first,
                                guint      *last);

int clair_cmd_import         (int argc, char **argv);
int clair_cmd_info           (int argc, char **argv);
int clair_cmd_show           (int argc, char **argv);
int clair_cmd_prompt         (int argc, char **argv);
int clair_cmd_decide         (int argc, char **argv);
int clair_cmd_export         (int argc, char **argv);
int clair_cmd_import_results (int argc, char **argv);
int clair_cmd_run            (int argc, char **argv);
int clair_cmd_diff           (int argc, char **argv);

G_END_DECLS
