/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "clair-cli.h"
#include "clair-dataset.h"
#include "clair-enum-nick.h"
#include "clair-hub.h"
#include "clair-project.h"
#include "clair-team.h"

static int
info_dataset (const char *path)
{
  g_autoptr(ClairDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *columns = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *shown_path = clair_cli_escape (path);
  guint64 size;
  ClairMapping mapping = { 0 };

  dataset = clair_dataset_open (path, CLAIR_FORMAT_UNKNOWN, &error);
  if (dataset == NULL || !clair_dataset_index (dataset, NULL, &error))
    return clair_cli_fail ("%s", error->message);

  /* Column names come from the dataset's header or keys. */
  {
    g_autofree char *joined = g_strjoinv (", ", (char **) clair_dataset_get_columns (dataset));

    columns = clair_cli_escape (joined);
  }
  size = clair_dataset_get_size (dataset);
  size_text = g_strdup_printf ("%" G_GUINT64_FORMAT, size);
  printf (_("Dataset:  %s\n"), shown_path);
  printf (_("Format:   %s\n"),
          clair_enum_to_nick (CLAIR_TYPE_FORMAT, clair_dataset_get_format (dataset)));
  /* Translators: %s is a size in bytes; pad the label like the lines around it. */
  printf (g_dngettext (GETTEXT_PACKAGE, "Size:     %s byte\n", "Size:     %s bytes\n",
                       (gulong) MIN (size, G_MAXULONG)),
          size_text);
  printf (_("Rows:     %u\n"), clair_dataset_get_n_rows (dataset));
  printf (_("Columns:  %s\n"), columns);
  if (clair_mapping_guess (clair_dataset_get_columns (dataset), &mapping))
    {
      g_autofree char *task = clair_cli_escape (mapping.task_column);
      g_autofree char *solution = clair_cli_escape (mapping.solution_column);

      printf (_("Mapping:  task ← %s, student_solution ← %s (guessed)\n"), task, solution);
    }
  else
    printf ("%s\n", _("Mapping:  no guess; name the columns with --task-column and --solution-column"));
  clair_mapping_clear (&mapping);

  return CLAIR_EXIT_OK;
}

/* What an hf:// dataset holds, before anything is downloaded: its configs and splits with sizes. */
static int
info_hub (const char *uri)
{
  g_autoptr(ClairHub) hub = clair_hub_new ();
  g_autoptr(ClairHubListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *configs;
  ClairHubRef ref;

  if (!clair_hub_ref_parse (uri, &ref, &error))
    return clair_cli_fail ("%s", error->message);
  listing = clair_cli_hub_list (hub, ref.repo_id, ref.revision, &error);
  clair_hub_ref_clear (&ref);
  if (listing == NULL)
    return clair_cli_fail ("%s", error->message);

  {
    g_autofree char *repo = clair_cli_escape (clair_hub_listing_get_repo_id (listing));
    g_autofree char *revision = clair_cli_escape (clair_hub_listing_get_revision (listing));

    printf (_("Dataset:  %s on %s\n"), repo, clair_hub_get_endpoint (hub));
    printf (_("Revision: %s (%s)\n"), revision, clair_hub_listing_get_sha (listing));
  }
  if (clair_hub_listing_is_offline (listing))
    printf ("%s\n", _("Cached:   the Hub could not be asked; this listing was kept from before"));
  printf ("%s\n", clair_hub_listing_is_converted (listing)
                   ? _("Files:    the Hub's Parquet conversion")
                   : _("Files:    the repository's own data files"));
  configs = clair_hub_listing_get_configs (listing);
  for (guint i = 0; configs[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) splits = clair_hub_listing_get_splits (listing, configs[i]);
      g_autofree char *config = clair_cli_escape (configs[i]);

      printf (_("Config %s:\n"), config);
      for (guint j = 0; splits != NULL && j < splits->len; j++)
        {
          const ClairHubSplit *split = g_ptr_array_index (splits, j);
          g_autofree char *name = clair_cli_escape (split->split);
          g_autofree char *size = split->size >= 0 ? g_format_size ((guint64) split->size)
                                                   : g_strdup ("?");

          /* Translators: a split, its number of files and its size such as "1.2 MB". */
          printf (g_dngettext (GETTEXT_PACKAGE, "  %-12s %u file, %s\n", "  %-12s %u files, %s\n",
                               split->files->len),
                  name, split->files->len, size);
        }
    }
  return CLAIR_EXIT_OK;
}

static int
info_project (const char *path)
{
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) skipped = NULL;
  ClairProjectCounts counts;
  guint n_newer;
  g_autofree char *prompt_tokens = NULL;
  g_autofree char *completion_tokens = NULL;
  g_autofree char *shown_path = clair_cli_escape (path);
  static const char * const setting_keys[] = { "source.path", "source.format", "source.size",
                                               "source.checksum", "hub.repository", "hub.revision",
                                               "hub.sha", "hub.config", "hub.split", "hub.files",
                                               "hub.parquet_sha",
                                               "hub.endpoint", "run.base_url" };

  project = clair_cli_open_project (path, FALSE);
  if (project == NULL)
    return CLAIR_EXIT_FAILURE;
  if (!clair_project_get_counts (project, &counts, &error))
    return clair_cli_fail ("%s", error->message);

  /* Settings hold the dataset's file and column names and the server's address: escaped. */
  printf (_("Project:  %s\n"), shown_path);
  for (guint i = 0; i < G_N_ELEMENTS (setting_keys); i++)
    {
      g_autofree char *value = clair_project_get_setting (project, setting_keys[i]);
      g_autofree char *shown = clair_cli_escape (value);

      if (value != NULL)
        printf ("%-9s %s\n", setting_keys[i], shown);
    }
  {
    g_autofree char *stored_task = clair_project_get_setting (project, "mapping.task");
    g_autofree char *stored_solution = clair_project_get_setting (project, "mapping.solution");
    g_autofree char *stored_params = clair_project_get_setting (project, "run.params");
    g_autofree char *task = clair_cli_escape (stored_task);
    g_autofree char *solution = clair_cli_escape (stored_solution);
    g_autofree char *params = clair_cli_escape (stored_params);

    if (task != NULL)
      printf (_("Mapping:  task ← %s, student_solution ← %s\n"), task, solution);
    if (params != NULL)
      printf (_("Params:   %s\n"), params);
  }
  printf (_("Rows:     %u\n"), counts.n_rows);
  printf (_("Status:   pending %u, revised %u, parse-failed %u, failed %u\n"),
          counts.by_status[CLAIR_ROW_PENDING], counts.by_status[CLAIR_ROW_REVISED],
          counts.by_status[CLAIR_ROW_PARSE_FAILED], counts.by_status[CLAIR_ROW_FAILED]);
  printf (_("Decision: undecided %u, accepted %u, rejected %u, skipped %u, edited %u\n"),
          counts.by_decision[CLAIR_DECISION_NONE], counts.by_decision[CLAIR_DECISION_ACCEPTED],
          counts.by_decision[CLAIR_DECISION_REJECTED], counts.by_decision[CLAIR_DECISION_SKIPPED],
          counts.n_edited);
  {
    g_auto(GStrv) annotators = clair_project_list_annotators (project, NULL);

    /* Names are people's: escaped. */
    if (annotators != NULL && annotators[0] != NULL &&
        (annotators[1] != NULL || !g_str_equal (annotators[0], CLAIR_TEAM_UNKNOWN_ANNOTATOR)))
      {
        g_autofree char *joined = g_strjoinv (", ", annotators);
        g_autofree char *shown = clair_cli_escape (joined);

        printf (_("Team:     %s\n"), shown);
      }
    if (counts.n_disagreements > 0)
      printf (_("Disagree: %u rows (list them with clair show --disagreements; decide with "
                "clair decide --resolve)\n"), counts.n_disagreements);
  }
  {
    g_autofree char *shard_of = clair_project_get_setting (project, CLAIR_TEAM_SHARD_ANNOTATOR_KEY);
    g_autofree char *shown = clair_cli_escape (shard_of);

    if (shard_of != NULL)
      printf (_("Shard:    for %s (bring it back with clair merge)\n"), shown);
  }
  if ((n_newer = clair_project_count_newer (project)) > 0)
    printf (_("Review:   %u decided rows have a newer revision nobody reviewed yet "
              "(exports keep the reviewed one; see clair show)\n"), n_newer);
  prompt_tokens = g_strdup_printf ("%" G_GINT64_FORMAT, counts.prompt_tokens);
  completion_tokens = g_strdup_printf ("%" G_GINT64_FORMAT, counts.completion_tokens);
  /* Translators: the first %s is a number of prompt tokens, the second of completion tokens. */
  printf (_("Tokens:   prompt %s, completion %s\n"), prompt_tokens, completion_tokens);

  skipped = clair_project_get_skipped (project);
  if (skipped->len > 0)
    {
      printf (_("Skipped at import: %u\n"), skipped->len);
      for (guint i = 0; i < skipped->len; i++)
        {
          const ClairSkippedRow *row = &g_array_index (skipped, ClairSkippedRow, i);
          g_autofree char *reason = clair_cli_escape (row->reason);

          printf (_("  row %u: %s\n"), row->index, reason);
        }
    }

  return CLAIR_EXIT_OK;
}

int
clair_cmd_info (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  int rc;

  context = g_option_context_new (_("PROJECT|DATASET — rows, columns, mapping and counts by status"));
  if ((rc = clair_cli_parse (context, "info", &argc, &argv)) >= 0)
    return rc;
  if (argc != 2)
    return clair_cli_usage_error ("info", _("expected one PROJECT or DATASET"));

  if (clair_hub_is_uri (argv[1]))
    return info_hub (argv[1]);
  if (!g_file_test (argv[1], G_FILE_TEST_IS_REGULAR))
    return clair_cli_fail (_("“%s” does not exist or is not a file"), argv[1]);

  if (clair_cli_is_project_file (argv[1]))
    return info_project (argv[1]);
  return info_dataset (argv[1]);
}
