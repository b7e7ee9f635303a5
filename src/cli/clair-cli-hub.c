/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair"

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "clair-cli.h"
#include "clair-error.h"
#include "clair-hub.h"

/* hf:// datasets for `clair import` and `clair run`: listed, downloaded into the cache (progress on
 * stderr when it is a terminal), then imported like a local file, with where they came from
 * recorded in the project's settings. */

typedef struct
{
  gint64      last;
  gboolean    shown;
  const char *repo_id;
} Progress;

static char *
format_size (gint64 bytes)
{
  return g_format_size_full ((guint64) MAX (bytes, 0), G_FORMAT_SIZE_DEFAULT);
}

static void
download_progress_cb (guint64  done,
                      gint64   total,
                      gpointer user_data)
{
  Progress *progress = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autofree char *done_text = NULL;
  g_autofree char *total_text = NULL;
  g_autofree char *name = NULL;

  if (!isatty (STDERR_FILENO) || (now - progress->last < G_USEC_PER_SEC / 4 &&
                                  (total < 0 || (gint64) done < total)))
    return;
  progress->last = now;
  progress->shown = TRUE;
  done_text = format_size ((gint64) done);
  name = clair_cli_escape (progress->repo_id);
  fprintf (stderr, "\r\033[K");
  if (total >= 0)
    {
      total_text = format_size (total);
      /* Translators: %s is a dataset such as ORG/NAME, then sizes such as "1.2 MB". */
      fprintf (stderr, _("Downloading %s… %s of %s"), name, done_text, total_text);
    }
  else
    /* Translators: %s is a dataset such as ORG/NAME, then a size such as "1.2 MB". */
    fprintf (stderr, _("Downloading %s… %s"), name, done_text);
  fflush (stderr);
}

char *
clair_cli_hub_default_project (const char *uri,
                               const char *config,
                               const char *split)
{
  ClairHubRef ref;
  char *name;

  if (!clair_hub_ref_parse (uri, &ref, NULL))
    return g_strconcat ("dataset", ".clair", NULL);
  name = clair_hub_default_project_name (ref.repo_id, ref.path, config, split);
  clair_hub_ref_clear (&ref);
  return name;
}

/* The keyring is the last place a token may be, and asking it means D-Bus: it is asked only when
 * the Hub refused what was asked without a token. TRUE when it held one (try again). */
gboolean
clair_cli_hub_try_keyring (ClairHub     *hub,
                           const GError *error)
{
  gboolean found;

  if (!g_error_matches (error, CLAIR_ERROR, CLAIR_ERROR_FATAL_HTTP) || clair_hub_has_token (hub) ||
      g_getenv ("HF_HUB_DISABLE_IMPLICIT_TOKEN") != NULL)
    return FALSE;
  found = clair_hub_load_keyring_token (hub, NULL);
  clair_hub_keyring_release ();
  return found;
}

ClairHubListing *
clair_cli_hub_list (ClairHub    *hub,
                    const char  *repo_id,
                    const char  *revision,
                    GError     **error)
{
  GError *local_error = NULL;
  ClairHubListing *listing = clair_hub_list (hub, repo_id, revision, NULL, &local_error);

  if (listing == NULL && clair_cli_hub_try_keyring (hub, local_error))
    {
      g_clear_error (&local_error);
      listing = clair_hub_list (hub, repo_id, revision, NULL, &local_error);
    }
  if (listing == NULL)
    g_propagate_error (error, local_error);
  return listing;
}

/* The listing and the download with @hub's token as it is. */
static char *
fetch_with (ClairHub          *hub,
            const ClairHubRef *ref,
            const char        *revision,
            const char        *config,
            const char        *split,
            GHashTable        *settings,
            GError           **error)
{
  g_autoptr(ClairHubListing) listing = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new ();
  g_autofree char *path = NULL;
  Progress progress = { 0, FALSE, ref->repo_id };

  listing = clair_hub_list (hub, ref->repo_id, revision, NULL, error);
  if (listing == NULL)
    return NULL;
  if (clair_hub_listing_is_offline (listing))
    {
      g_autofree char *name = clair_cli_escape (ref->repo_id);

      /* Translators: %s is a dataset such as ORG/NAME, then a commit hash. */
      fprintf (stderr, _("The Hub cannot be reached: using the cached copy of %s at %s\n"),
               name, clair_hub_listing_get_sha (listing));
    }

  if (ref->path != NULL)
    {
      GPtrArray *all = clair_hub_listing_get_repo_files (listing);

      path = clair_hub_download_file (hub, listing, ref->path, download_progress_cb, &progress,
                                      NULL, error);
      for (guint i = 0; i < all->len; i++)
        if (g_str_equal (((ClairHubFile *) g_ptr_array_index (all, i))->path, ref->path))
          g_ptr_array_add (files, g_ptr_array_index (all, i));
    }
  else
    {
      const ClairHubSplit *chosen = clair_hub_listing_choose (listing, config, split, error);

      if (chosen == NULL)
        return NULL;
      path = clair_hub_download_split (hub, listing, chosen, download_progress_cb, &progress,
                                       NULL, error);
      clair_hub_describe_source (hub, listing, chosen, NULL, settings);
    }
  if (progress.shown)
    fprintf (stderr, "\r\033[K");
  if (path == NULL)
    return NULL;

  if (ref->path != NULL)
    clair_hub_describe_source (hub, listing, NULL, files, settings);
  return g_steal_pointer (&path);
}

gboolean
clair_cli_hub_fetch (const char  *uri,
                     const char  *revision,
                     const char  *config,
                     const char  *split,
                     char       **local_path,
                     GHashTable  *settings,
                     GError     **error)
{
  g_autoptr(ClairHub) hub = NULL;
  GError *local_error = NULL;
  ClairHubRef ref;
  char *path = NULL;

  if (!clair_hub_ref_parse (uri, &ref, error))
    return FALSE;
  if (revision != NULL && ref.revision != NULL && !g_str_equal (revision, ref.revision))
    g_set_error (&local_error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                 _("--revision %s and “@%s” in the dataset name disagree: give one"),
                 revision, ref.revision);
  else if (ref.path != NULL && (config != NULL || split != NULL))
    g_set_error (&local_error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                 _("--config and --split choose among the Hub's splits; “%s” names one file "
                   "already"), uri);
  else
    {
      if (revision == NULL)
        revision = ref.revision;
      hub = clair_hub_new ();
      path = fetch_with (hub, &ref, revision, config, split, settings, &local_error);
      /* A gated dataset's files may be refused while its listing was not: either way, once. */
      if (path == NULL && clair_cli_hub_try_keyring (hub, local_error))
        {
          g_clear_error (&local_error);
          path = fetch_with (hub, &ref, revision, config, split, settings, &local_error);
        }
      if (path != NULL)
        clair_hub_recent_add (ref.repo_id, revision);
    }

  clair_hub_ref_clear (&ref);
  if (path == NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  *local_path = path;
  return TRUE;
}
