/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-diff"

#include "config.h"

#include "clair-diff.h"

/* clair_diff_compute() on a worker thread. Kept apart from clair-diff.c so that a program that
 * only diffs synchronously (the `clair` launcher) does not link GIO. */

typedef struct
{
  char           *a;
  char           *b;
  ClairDiffFlags  flags;
} ComputeData;

static void
compute_data_free (ComputeData *data)
{
  g_free (data->a);
  g_free (data->b);
  g_free (data);
}

static void
compute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ComputeData *data = task_data;

  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (task, clair_diff_compute (data->a, -1, data->b, -1, data->flags),
                         (GDestroyNotify) clair_diff_unref);
}

void
clair_diff_compute_async (const char          *a,
                          const char          *b,
                          ClairDiffFlags       flags,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ComputeData *data;

  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (ComputeData, 1);
  data->a = g_strdup (a ? a : "");
  data->b = g_strdup (b ? b : "");
  data->flags = flags;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_diff_compute_async);
  g_task_set_task_data (task, data, (GDestroyNotify) compute_data_free);
  g_task_run_in_thread (task, compute_thread);
}

ClairDiff *
clair_diff_compute_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == clair_diff_compute_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
