/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Textbook references the fast code is tested against. */

#include <glib.h>

/* The Levenshtein distance of two code point arrays by the full dynamic programming table, one
 * row at a time. */
static inline guint
reference_levenshtein (const gunichar *a,
                       gsize           m,
                       const gunichar *b,
                       gsize           n)
{
  g_autofree guint *row = g_new (guint, n + 1);

  for (gsize j = 0; j <= n; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= m; i++)
    {
      guint diag = row[0];

      row[0] = (guint) i;
      for (gsize j = 1; j <= n; j++)
        {
          guint up = row[j];

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diag + (a[i - 1] != b[j - 1]));
          diag = up;
        }
    }
  return row[n];
}
