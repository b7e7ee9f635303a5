/* SPDX-License-Identifier: GPL-3.0-or-later */
/* UTF-8 validation speed of each kernel (scalar, SSSE3, AVX2) over a file's text cut in cells of
 * 4 KiB, as a dataset's cells are validated one by one; best of 5 rounds.
 *   bench-utf8 FILE      (e.g. the gen-dataset output: mixed-script text) */
#include "config.h"

#include <stdio.h>

#include "clair-utf8.h"

#define CELL 4096

int
main (int    argc,
      char **argv)
{
  static const char *const names[] = { "scalar", "SSSE3", "AVX2" };
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  if (argc != 2)
    {
      fprintf (stderr, "usage: bench-utf8 FILE\n");
      return 2;
    }
  if (!g_file_get_contents (argv[1], &data, &len, &error))
    {
      fprintf (stderr, "bench-utf8: %s\n", error->message);
      return 1;
    }
  len = MIN (len, (gsize) 256 << 20);

  for (ClairUtf8Kernel k = CLAIR_UTF8_SCALAR; k <= CLAIR_UTF8_AVX2; k++)
    {
      double best = G_MAXDOUBLE;
      guint valid = 0;

      for (int round = 0; round < 5; round++)
        {
          gint64 start = g_get_monotonic_time ();

          valid = 0;
          for (gsize offset = 0; offset + CELL <= len; offset += CELL)
            valid += _clair_utf8_valid_with (k, data + offset, CELL);
          best = MIN (best, (g_get_monotonic_time () - start) / 1e6);
        }
      printf ("%-6s %7.1f ms for %zu MiB: %5.2f GB/s (%u of %zu cells valid)\n", names[k],
              best * 1e3, len >> 20, len / best / 1e9, valid, len / CELL);
    }
  return 0;
}
