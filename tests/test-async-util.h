/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers of the tests of _async calls: a project of numbered rows, and waiting for a result in
 * the main context. Static inline, so a test that leaves one unused still builds warning-free. */

#include "test-util.h"

/* A project at DIR/data.clair of @n_rows rows ("Task i" / "Answer i"), made from DIR/data.jsonl;
 * the even rows get a revision. */
static inline ClairProject *
make_numbered_project (const char *dir,
                       guint       n_rows)
{
  g_autofree char *dataset = g_build_filename (dir, "data.jsonl", NULL);
  g_autofree char *path = g_build_filename (dir, "data.clair", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  ClairProject *project;

  for (guint i = 0; i < n_rows; i++)
    g_string_append_printf (text, "{\"task\":\"%sTask number %u\\nsecond line\",\"student_solution\":\"%s %u\"}\n",
                            i == 7 ? "\\n## " : "", i, i % 10 == 3 ? "needle" : "hay", i);
  g_assert_true (g_file_set_contents (dataset, text->str, text->len, NULL));
  project = import_jsonl (dataset, path, n_rows);
  for (guint i = 0; i < n_rows; i += 2)
    add_revision (project, i, "A better answer", NULL);
  return project;
}

/* Stores a reference to the result in the GAsyncResult * that @user_data points to. */
static inline void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Iterates the main context until *@result is set, and returns it. */
static inline GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}
