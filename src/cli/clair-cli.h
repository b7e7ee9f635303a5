/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "clair-dataset.h"
#include "clair-hub.h"
#include "clair-project.h"

G_BEGIN_DECLS

/* Exit codes every subcommand follows. */
enum
{
  CLAIR_EXIT_OK      = 0,
  CLAIR_EXIT_FAILURE = 1,   /* a one-line reason went to stderr */
  CLAIR_EXIT_USAGE   = 2,
  CLAIR_EXIT_PARTIAL = 3,   /* clair run: some rows failed */
};

/* @text for a terminal, with what a terminal would act on shown as escapes: ESC as \e, other C0
 * controls, DEL, C1 controls and bytes that are not UTF-8 as \xHH (see clair-escape.c).
 * Escape outside text once, where it is printed: never a format (its newlines are meant), nor
 * arguments of clair_cli_fail() and clair_cli_usage_error(), which escape their message. NULL for
 * NULL. */
char *clair_cli_escape       (const char   *text);
/* The same for a multi-line text printed on purpose: newlines and tabs stay. */
char *clair_cli_escape_block (const char   *text);

/* Prints "clair: MESSAGE" on stderr, escaped to one line, and returns CLAIR_EXIT_FAILURE. */
int  clair_cli_fail        (const char   *format,
                            ...) G_GNUC_PRINTF (1, 2);
/* Prints "clair SUBCOMMAND: MESSAGE", escaped to one line, and the hint to use --help; returns
 * CLAIR_EXIT_USAGE. */
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

/* The mapping from explicit column names, else the guess; a G_OPTION_ERROR when neither works. */
gboolean clair_cli_resolve_mapping     (ClairDataset            *dataset,
                                        const char              *task_column,
                                        const char              *solution_column,
                                        ClairMapping            *mapping,
                                        GError                 **error);
/* The project a dataset gets by default: DATASET.clair beside it ("data/" gives "data.clair", not a
 * hidden file inside a Parquet folder). */
char    *clair_cli_default_project     (const char              *dataset_path);
/* Imports @dataset_path into a new project at @project_path and reports on stderr. */
gboolean clair_cli_import_dataset      (const char              *dataset_path,
                                        const char              *project_path,
                                        const char              *task_column,
                                        const char              *solution_column,
                                        GError                 **error);
/* The same, then stores @settings (key → value, may be NULL) in the project; a failure leaves no
 * new project behind. */
gboolean clair_cli_import_dataset_with_settings (const char   *dataset_path,
                                                 const char   *project_path,
                                                 const char   *task_column,
                                                 const char   *solution_column,
                                                 GHashTable   *settings,
                                                 GError      **error);
/* Imports a local dataset, or an hf:// one after downloading it (see clair-cli-hub.c). */
gboolean clair_cli_import_source       (const char              *source,
                                        const char              *revision,
                                        const char              *config,
                                        const char              *split,
                                        const char              *project_path,
                                        const char              *task_column,
                                        const char              *solution_column,
                                        GError                 **error);
/* hf:// datasets: the project a dataset goes to by default (NAME[-CONFIG][-SPLIT].clair in the
 * current folder), and the download, which returns the local path to import and fills
 * @settings with hub.repository, hub.revision, hub.sha, hub.config, hub.split, hub.files. */
char    *clair_cli_hub_default_project (const char              *uri,
                                        const char              *config,
                                        const char              *split);
gboolean clair_cli_hub_fetch           (const char              *uri,
                                        const char              *revision,
                                        const char              *config,
                                        const char              *split,
                                        char                   **local_path,
                                        GHashTable              *settings,
                                        GError                 **error);
/* The listing, with the keyring asked for a token when the Hub refused without one. */
ClairHubListing *clair_cli_hub_list    (ClairHub                *hub,
                                        const char              *repo_id,
                                        const char              *revision,
                                        GError                 **error);
gboolean clair_cli_hub_try_keyring     (ClairHub                *hub,
                                        const GError            *error);
void     clair_cli_print_import_report (const char              *project_path,
                                        const ClairImportReport *report);
/* TRUE when @path is a regular file that starts as an SQLite database does: a project, not a
 * dataset. */
gboolean      clair_cli_is_project_file (const char *path);
/* Opens an existing project or prints why not; NULL then. */
ClairProject *clair_cli_open_project   (const char              *path,
                                        gboolean                 writable);

int clair_cmd_import         (int argc, char **argv);
int clair_cmd_info           (int argc, char **argv);
int clair_cmd_show           (int argc, char **argv);
int clair_cmd_prompt         (int argc, char **argv);
int clair_cmd_decide         (int argc, char **argv);
int clair_cmd_export         (int argc, char **argv);
int clair_cmd_import_results (int argc, char **argv);
int clair_cmd_run            (int argc, char **argv);
int clair_cmd_diff           (int argc, char **argv);
int clair_cmd_split          (int argc, char **argv);
int clair_cmd_merge          (int argc, char **argv);
int clair_cmd_agreement      (int argc, char **argv);
int clair_cmd_guidelines     (int argc, char **argv);

G_END_DECLS
