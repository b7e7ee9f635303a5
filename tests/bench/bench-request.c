/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-request"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "clair-parse.h"
#include "clair-prompt.h"
#include "clair-request.h"

/* The per-row work of a run besides the network: render both messages, build the body, hash it,
 * parse a reply. Prints the median of 5 runs of N rows each (default 100000) per step, and the
 * peak RSS. Uses a 3 KB task/solution and a 6 KB reply shaped like the fixture's GPT-4 replies. */

static double
median (double *values,
        guint   n)
{
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && values[j - 1] > values[j]; j--)
      {
        double tmp = values[j];

        values[j] = values[j - 1];
        values[j - 1] = tmp;
      }
  return values[n / 2];
}

int
main (int   argc,
      char *argv[])
{
  guint n_rows = argc > 1 ? (guint) strtoul (argv[1], NULL, 10) : 100000;
  g_autoptr(ClairPrompt) prompt = clair_prompt_new (NULL, NULL);
  g_autoptr(GString) solution = g_string_new (NULL);
  g_autoptr(GString) reply = g_string_new ("{teacher_reasoning}: ");
  ClairGenParams params;
  double t_render[5], t_body[5], t_hash[5], t_parse[5], t_distilabel[5];
  struct rusage usage;
  gsize sink = 0;

  for (guint i = 0; i < 50; i++)
    g_string_append (solution, "The quick brown fox jumps over the \"lazy\" dog;\n ");
  for (guint i = 0; i < 40; i++)
    g_string_append (reply, "The student should mention the {corrected_student_solution} well. ");
  g_string_append (reply, "\n\n{corrected_student_solution}:\n");
  g_string_append (reply, solution->str);
  g_string_append (reply, solution->str);

  clair_gen_params_init (&params);
  params.model = g_strdup ("gpt-4-0125-preview");
  params.temperature = 0.7;
  params.max_tokens = 4096;
  clair_gen_params_add_stop (&params, "</s>");

  for (guint run = 0; run < 5; run++)
    {
      gint64 t0, t1, t2, t3, t4, t5;

      t0 = g_get_monotonic_time ();
      for (guint i = 0; i < n_rows; i++)
        {
          g_autofree char *system = clair_prompt_render_system (prompt, "Task", solution->str);
          g_autofree char *user = clair_prompt_render_user (prompt, "Task", solution->str);

          sink += strlen (system) + strlen (user);
        }
      t1 = g_get_monotonic_time ();
      {
        g_autofree char *user = clair_prompt_render_user (prompt, "Task", solution->str);

        for (guint i = 0; i < n_rows; i++)
          {
            g_autofree char *body = clair_request_build_body (&params, clair_prompt_default_system,
                                                              user, TRUE);

            sink += strlen (body);
          }
        t2 = g_get_monotonic_time ();
        for (guint i = 0; i < n_rows; i++)
          {
            g_autofree char *hash = clair_request_hash (&params, clair_prompt_default_system, user);

            sink += hash[0];
          }
      }
      t3 = g_get_monotonic_time ();
      for (guint i = 0; i < n_rows; i++)
        {
          g_autoptr(ClairParseResult) result = clair_parse_reply (reply->str, "stop");

          sink += strlen (result->revision);
        }
      t4 = g_get_monotonic_time ();
      for (guint i = 0; i < n_rows; i++)
        {
          g_autoptr(ClairParseResult) result = clair_parse_reply_distilabel (reply->str);

          sink += strlen (result->revision);
        }
      t5 = g_get_monotonic_time ();
      t_render[run] = (t1 - t0) / 1e6;
      t_body[run] = (t2 - t1) / 1e6;
      t_hash[run] = (t3 - t2) / 1e6;
      t_parse[run] = (t4 - t3) / 1e6;
      t_distilabel[run] = (t5 - t4) / 1e6;
    }
  clair_gen_params_clear (&params);

  printf ("%u rows, median of 5 runs (solution %zu B, reply %zu B)\n", n_rows, solution->len,
          reply->len);
  printf ("render both messages  %.3f s  (%.0f rows/s)\n", median (t_render, 5),
          n_rows / median (t_render, 5));
  printf ("build stream body     %.3f s  (%.0f rows/s)\n", median (t_body, 5),
          n_rows / median (t_body, 5));
  printf ("request hash          %.3f s  (%.0f rows/s)\n", median (t_hash, 5),
          n_rows / median (t_hash, 5));
  printf ("parse reply           %.3f s  (%.0f rows/s)\n", median (t_parse, 5),
          n_rows / median (t_parse, 5));
  printf ("parse (distilabel)    %.3f s  (%.0f rows/s)\n", median (t_distilabel, 5),
          n_rows / median (t_distilabel, 5));
  getrusage (RUSAGE_SELF, &usage);
  printf ("peak RSS %ld KB (checksum %zu)\n", usage.ru_maxrss, sink);

  return 0;
}
