/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "clair-cli.h"
#include "clair-project.h"
#include "clair-team.h"

/* Team commands: split, merge, agreement, guidelines. */

int
clair_cmd_split (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GPtrArray) shards = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *annotators = NULL;
  g_autofree char *output = NULL;
  g_autofree char *seed_text = NULL;
  g_auto(GStrv) names = NULL;
  gboolean undecided_only = FALSE;
  double overlap = 0.1;
  ClairSplitOptions options = { 0 };
  GOptionEntry entries[] = {
    { "annotators", 'a', 0, G_OPTION_ARG_STRING, &annotators,
      N_("The annotators, comma-separated (each gets NAME.clair)"), N_("A,B,…") },
    { "overlap", 0, 0, G_OPTION_ARG_DOUBLE, &overlap,
      N_("Share of rows given to two annotators, 0–1 (default 0.1)"), N_("F") },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text,
      N_("Seed of the random choice (default: a random one, printed)"), N_("N") },
    { "undecided-only", 0, 0, G_OPTION_ARG_NONE, &undecided_only,
      N_("Leave out rows that already have a decision"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Folder for the shards"), N_("DIR") },
    { NULL }
  };
  int rc;

  context = g_option_context_new (_("PROJECT --annotators A,B,… -o DIR — give each annotator a "
                                    "project of their rows"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Every row goes to one annotator; a share F of them, chosen at random with the seed and "
      "spread evenly over the pairs of annotators, goes to two, so their agreement can be measured. "
      "--overlap 1 with two annotators gives both every row. Each shard holds its rows (same row "
      "numbers), their revisions, the settings and guidelines (never a key), and records which "
      "project it came from; bring the work back with “clair merge”."));
  if ((rc = clair_cli_parse (context, "split", &argc, &argv)) >= 0)
    return rc;
  if (argc != 2)
    return clair_cli_usage_error ("split", _("expected one PROJECT"));
  if (annotators == NULL)
    return clair_cli_usage_error ("split", _("--annotators A,B,… is required"));
  if (output == NULL)
    return clair_cli_usage_error ("split", _("-o DIR is required"));
  if (!(overlap >= 0 && overlap <= 1))
    return clair_cli_usage_error ("split", _("--overlap must be between 0 and 1"));
  if (seed_text != NULL)
    {
      char *end = NULL;

      options.seed = g_ascii_strtoull (seed_text, &end, 10);
      if (end == seed_text || *end != '\0' || seed_text[0] == '-')
        return clair_cli_usage_error ("split", _("--seed must be a whole number from 0"));
    }
  else
    options.seed = ((guint64) g_random_int () << 32) | g_random_int ();

  names = g_strsplit (annotators, ",", -1);
  for (guint i = 0; names[i] != NULL; i++)
    g_strstrip (names[i]);
  options.annotators = (const char * const *) names;
  options.overlap = overlap;
  options.undecided_only = undecided_only;

  project = clair_cli_open_project (argv[1], TRUE);
  if (project == NULL)
    return CLAIR_EXIT_FAILURE;
  shards = clair_team_split (project, &options, output, NULL, &error);
  if (shards == NULL)
    return clair_cli_fail ("%s", error->message);

  {
    g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, options.seed);

    /* Translators: %s is the seed, a number. */
    fprintf (stderr, _("Split with seed %s:\n"), seed);
  }
  for (guint i = 0; i < shards->len; i++)
    {
      ClairShard *shard = shards->pdata[i];
      g_autofree char *path = clair_cli_escape (shard->path);

      fprintf (stderr, _("  %s: %u rows, %u shared\n"), path, shard->n_rows, shard->n_shared);
    }
  return CLAIR_EXIT_OK;
}

int
clair_cmd_merge (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GError) error = NULL;
  ClairMergeReport report;
  int rc;

  context = g_option_context_new (_("PROJECT SHARD.clair… — bring the annotators' work back"));
  g_option_context_set_description (context,
    _("Decisions, edits and notes come back per annotator: a shard's newer decision replaces that "
      "annotator's older one, never another annotator's, and merging a shard again changes nothing. "
      "A shard split from another project is refused. All shards are merged together or not at all."));
  if ((rc = clair_cli_parse (context, "merge", &argc, &argv)) >= 0)
    return rc;
  if (argc < 3)
    return clair_cli_usage_error ("merge", _("expected PROJECT and at least one SHARD"));

  project = clair_cli_open_project (argv[1], TRUE);
  if (project == NULL)
    return CLAIR_EXIT_FAILURE;
  if (!clair_team_merge (project, (const char * const *) argv + 2, &report, &error))
    return clair_cli_fail ("%s", error->message);
  fprintf (stderr, _("Merged %u shards: %u decisions added, %u replaced by newer ones, %u unchanged\n"),
           (guint) argc - 2, report.n_added, report.n_replaced, report.n_unchanged);
  return CLAIR_EXIT_OK;
}

static void
print_share (double value)
{
  if (isnan (value))
    printf ("  %8s", "-");
  else
    printf ("  %7.1f%%", 100 * value);
}

int
clair_cmd_agreement (int    argc,
                     char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(ClairAgreement) agreement = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  int rc;

  context = g_option_context_new (_("PROJECT — how far the annotators agree"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("For each pair of annotators who decided the same rows: those rows, percent agreement and "
      "Cohen's κ over accept/reject/skip; Krippendorff's α (nominal) over all annotators; per "
      "annotator: decisions, share accepted, share edited, median seconds between decisions. "
      "Resolutions and notes are not counted. κ is undefined (null) when both used one and the same "
      "category; α when no row has two decisions or one category is used; the median with fewer "
      "than two decisions."));
  if ((rc = clair_cli_parse (context, "agreement", &argc, &argv)) >= 0)
    return rc;
  if (argc != 2)
    return clair_cli_usage_error ("agreement", _("expected one PROJECT"));

  project = clair_cli_open_project (argv[1], FALSE);
  if (project == NULL)
    return CLAIR_EXIT_FAILURE;
  agreement = clair_project_compute_agreement (project, NULL, &error);
  if (agreement == NULL)
    return clair_cli_fail ("%s", error->message);

  if (json)
    {
      g_autofree char *text = clair_agreement_to_json (agreement);

      puts (text);
      return CLAIR_EXIT_OK;
    }

  printf ("%-24s  %9s  %8s  %8s  %8s\n", _("annotator"), _("decisions"), _("accepted"), _("edited"),
          _("median s"));
  for (guint i = 0; i < agreement->annotators->len; i++)
    {
      ClairAnnotatorStats *stats = agreement->annotators->pdata[i];
      g_autofree char *name = clair_cli_escape (stats->name);

      printf ("%-24s  %9u", name, stats->decisions);
      print_share (stats->accepted);
      print_share (stats->edited);
      if (isnan (stats->median_seconds))
        printf ("  %8s\n", "-");
      else
        printf ("  %8.1f\n", stats->median_seconds);
    }
  if (agreement->pairs->len > 0)
    printf ("\n%-24s  %-24s  %6s  %8s  %7s\n", _("a"), _("b"), _("rows"), _("agree"), _("kappa"));
  for (guint i = 0; i < agreement->pairs->len; i++)
    {
      ClairPairStats *stats = agreement->pairs->pdata[i];
      g_autofree char *a = clair_cli_escape (stats->a);
      g_autofree char *b = clair_cli_escape (stats->b);

      printf ("%-24s  %-24s  %6u  %7.1f%%", a, b, stats->rows, stats->percent);
      if (isnan (stats->kappa))
        printf ("  %7s\n", "-");
      else
        printf ("  %7.3f\n", stats->kappa);
    }
  if (isnan (agreement->alpha))
    printf ("\n%s\n", _("Krippendorff's alpha: undefined (no row decided by two annotators, or one "
                        "category only)"));
  else
    printf ("\n%s %.3f\n", _("Krippendorff's alpha:"), agreement->alpha);
  return CLAIR_EXIT_OK;
}

int
clair_cmd_guidelines (int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClairProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *set_file = NULL;
  g_autofree char *text = NULL;
  gboolean clear = FALSE;
  GOptionEntry entries[] = {
    { "set", 0, 0, G_OPTION_ARG_FILENAME, &set_file,
      N_("Replace the guidelines with the Markdown of FILE (- for standard input)"), N_("FILE") },
    { "clear", 0, 0, G_OPTION_ARG_NONE, &clear, N_("Remove the guidelines"), NULL },
    { NULL }
  };
  int rc;

  context = g_option_context_new (_("PROJECT — print or set the annotation guidelines"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if ((rc = clair_cli_parse (context, "guidelines", &argc, &argv)) >= 0)
    return rc;
  if (argc != 2)
    return clair_cli_usage_error ("guidelines", _("expected one PROJECT"));
  if (set_file != NULL && clear)
    return clair_cli_usage_error ("guidelines", _("--set and --clear cannot go together"));

  if (set_file == NULL && !clear)
    {
      project = clair_cli_open_project (argv[1], FALSE);
      if (project == NULL)
        return CLAIR_EXIT_FAILURE;
      text = clair_project_get_guidelines (project);
      if (text != NULL)
        {
          g_autofree char *shown = clair_cli_escape_block (text);

          fputs (shown, stdout);
          if (*shown != '\0' && shown[strlen (shown) - 1] != '\n')
            fputc ('\n', stdout);
        }
      return CLAIR_EXIT_OK;
    }

  if (set_file != NULL)
    {
      gsize length = 0;

      if (g_str_equal (set_file, "-"))
        {
          GString *input = g_string_new (NULL);
          char buffer[8192];
          size_t n;

          while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
            g_string_append_len (input, buffer, n);
          length = input->len;
          text = g_string_free (input, FALSE);
        }
      else if (!g_file_get_contents (set_file, &text, &length, &error))
        return clair_cli_fail ("%s", error->message);
      if (!g_utf8_validate (text, length, NULL) || strlen (text) != length)
        return clair_cli_fail (_("“%s” is not UTF-8 text"), set_file);
    }

  project = clair_cli_open_project (argv[1], TRUE);
  if (project == NULL)
    return CLAIR_EXIT_FAILURE;
  if (!clair_project_set_guidelines (project, text, &error))
    return clair_cli_fail ("%s", error->message);
  return CLAIR_EXIT_OK;
}
