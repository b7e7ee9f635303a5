/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The floor under bench-run: one SoupSession on one main context sending POSTs of the run's size
 * to the same server at the same concurrency, and doing nothing with the replies. No run of ours
 * can store rows faster than this session can fetch them, so bench-run-nginx.sh prints it beside
 * wrk as a second anchor: wrk is what the server can give, this is what libsoup can take.
 *   bench-soup-floor URL [REQUESTS] [CONCURRENCY] [BODY-BYTES]
 */
#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  SoupSession *session;
  GUri        *uri;
  GBytes      *body;
  guint        total;
  guint        sent;
  guint        done;
  GError      *error;
} Floor;

static void send_one (Floor *floor);

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Floor *floor = user_data;
  g_autoptr(GBytes) reply = NULL;

  reply = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                             floor->error == NULL ? &floor->error : NULL);
  floor->done++;
  if (reply != NULL && floor->error == NULL)
    send_one (floor);
}

static void
send_one (Floor *floor)
{
  g_autoptr(SoupMessage) msg = NULL;

  if (floor->sent >= floor->total)
    return;
  floor->sent++;
  msg = soup_message_new_from_uri (SOUP_METHOD_POST, floor->uri);
  /* As the client: without it libsoup opens a new connection for every POST. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  soup_message_set_request_body_from_bytes (msg, "application/json", floor->body);
  soup_session_send_and_read_async (floor->session, msg, G_PRIORITY_DEFAULT, NULL, read_cb, floor);
}

int
main (int    argc,
      char **argv)
{
  Floor floor = { 0 };
  guint concurrency;
  gsize body_bytes;
  char *body;
  gint64 start;
  double seconds;

  if (argc < 2)
    {
      fprintf (stderr, "usage: bench-soup-floor URL [REQUESTS] [CONCURRENCY] [BODY-BYTES]\n");
      return 2;
    }
  floor.uri = g_uri_parse (argv[1], G_URI_FLAGS_NONE, &floor.error);
  if (floor.uri == NULL)
    {
      fprintf (stderr, "bench-soup-floor: %s\n", floor.error->message);
      return 2;
    }
  floor.total = argc > 2 ? (guint) atoi (argv[2]) : 20000;
  concurrency = argc > 3 ? (guint) atoi (argv[3]) : 32;
  body_bytes = argc > 4 ? (gsize) atoi (argv[4]) : 5081;   /* the run's request for fixture row 0 */
  body = g_malloc (body_bytes + 1);
  memset (body, ' ', body_bytes);
  body[0] = '{';
  body[body_bytes - 1] = '}';
  floor.body = g_bytes_new_take (body, body_bytes);
  floor.session = g_object_new (SOUP_TYPE_SESSION,
                                "max-conns", concurrency + 8,
                                "max-conns-per-host", concurrency,
                                NULL);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < concurrency; i++)
    send_one (&floor);
  while (floor.done < floor.sent)
    g_main_context_iteration (NULL, TRUE);
  seconds = (g_get_monotonic_time () - start) / 1e6;

  if (floor.error != NULL)
    {
      fprintf (stderr, "bench-soup-floor: %s\n", floor.error->message);
      return 1;
    }
  printf ("%u requests in %.3f s: %.0f req/s\n", floor.done, seconds, floor.done / seconds);
  g_object_unref (floor.session);
  g_bytes_unref (floor.body);
  g_uri_unref (floor.uri);
  return 0;
}
