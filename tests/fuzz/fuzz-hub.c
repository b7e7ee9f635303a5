/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-hub"

#include "config.h"

#include "clair-hub-private.h"
#include "fuzz-common.h"

/* What a Hub (or a mirror, or anything HF_ENDPOINT points at) answers becomes a listing whose
 * paths go under the cache folder: whatever the three answers hold, every path is relative with
 * no "." or ".." part, sizes are -1 or positive, and the cache form reads back the same (checked
 * inside). The input is the revision answer, the Parquet API answer and the conversion branch's
 * revision answer, separated by 0x01 bytes; it is also parsed as an hf:// name. */

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_path (const char *path)
{
  g_assert (path != NULL && path[0] != '\0' && path[0] != '/');
  g_assert (strstr (path, "/../") == NULL && !g_str_has_prefix (path, "../") &&
            !g_str_has_suffix (path, "/..") && strcmp (path, "..") != 0);
  g_assert (g_utf8_validate (path, -1, NULL));
}

static void
check_name (const uint8_t *data,
            size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  ClairHubRef ref;

  if (!clair_hub_ref_parse (text, &ref, NULL))
    return;
  g_assert (ref.repo_id != NULL && strchr (ref.repo_id, '/') != NULL);
  g_assert (strstr (ref.repo_id, "..") == NULL);
  if (ref.path != NULL)
    check_path (ref.path);
  clair_hub_ref_clear (&ref);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(ClairHubListing) listing = NULL;
  g_autofree char *cached = NULL;
  const uint8_t *parts[3] = { data, NULL, NULL };
  size_t lens[3] = { size, 0, 0 };
  GPtrArray *files;

  if (size > 256 * 1024)
    return 0;
  check_name (data, MIN (size, 4096));

  for (guint i = 1; i < 3; i++)
    {
      const uint8_t *sep = memchr (parts[i - 1], 0x01, lens[i - 1]);

      if (sep == NULL)
        break;
      parts[i] = sep + 1;
      lens[i] = parts[i - 1] + lens[i - 1] - parts[i];
      lens[i - 1] = sep - parts[i - 1];
    }

  listing = _clair_hub_listing_from_answers ("org/name",
                                             (const char *) parts[0], lens[0],
                                             (const char *) (parts[1] ? parts[1] : data), lens[1],
                                             (const char *) (parts[2] ? parts[2] : data), lens[2],
                                             &cached);
  if (listing == NULL)
    return 0;

  files = clair_hub_listing_get_repo_files (listing);
  for (guint i = 0; i < files->len; i++)
    {
      const ClairHubFile *file = g_ptr_array_index (files, i);

      check_path (file->path);
      check_path (file->local);
      g_assert (file->size >= -1);
    }
  for (const char * const *config = clair_hub_listing_get_configs (listing); *config; config++)
    {
      g_autoptr(GPtrArray) splits = clair_hub_listing_get_splits (listing, *config);

      g_assert (splits != NULL);
      for (guint i = 0; i < splits->len; i++)
        {
          const ClairHubSplit *split = g_ptr_array_index (splits, i);

          g_assert (strchr (split->config, '/') == NULL && strchr (split->split, '/') == NULL);
          g_assert (split->files->len > 0);
          for (guint j = 0; j < split->files->len; j++)
            {
              const ClairHubFile *file = g_ptr_array_index (split->files, j);

              check_path (file->path);
              check_path (file->local);
              g_assert (g_str_has_prefix (file->url, "https://hub.example/") ||
                        g_str_has_prefix (file->url, "https://") ||
                        g_str_has_prefix (file->url, "http://"));
            }
        }
    }
  return 0;
}
