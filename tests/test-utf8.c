/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "clair-utf8.h"

/* The vector UTF-8 validators (16 and 32 bytes at a time) against the byte-at-a-time one and
 * against GLib's, on every short sequence placed at every offset of two 32-byte blocks (errors
 * that straddle two blocks, or the two 16-byte lanes of one, are their hard part) and on random
 * damage to real mixed-script text. */

static gboolean
glib_valid (const char *text,
            gsize       len)
{
  /* GLib stops at NUL; ours takes it as the character it is. */
  for (gsize i = 0; i < len; i++)
    if (text[i] == '\0')
      return clair_utf8_valid_scalar (text, len);
  return g_utf8_validate_len (text, len, NULL);
}

static void
check (const char *text,
       gsize       len)
{
  gboolean expected = glib_valid (text, len);

  if (clair_utf8_valid (text, len) != expected || clair_utf8_valid_scalar (text, len) != expected ||
      _clair_utf8_valid_with (CLAIR_UTF8_SSSE3, text, len) != expected ||
      _clair_utf8_valid_with (CLAIR_UTF8_AVX2, text, len) != expected)
    {
      g_autoptr(GString) hex = g_string_new (NULL);

      for (gsize i = 0; i < len; i++)
        g_string_append_printf (hex, "%02x ", (guchar) text[i]);
      g_test_message ("expected %s for %s", expected ? "valid" : "invalid", hex->str);
      g_test_fail ();
    }
}

/* Every sequence of one to three bytes from a set that covers every class boundary, and four-byte
 * sequences with every lead and second byte, at offsets 0–72 in ASCII padding. */
static void
test_sequences (void)
{
  static const guchar interesting[] = {
    0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1,
    0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xfe, 0xff,
  };
  gsize n = G_N_ELEMENTS (interesting);
  char buffer[96];
  guint checked = 0;

  for (gsize a = 0; a < n; a++)
    for (gsize b = 0; b <= n; b++)
      for (gsize c = 0; c <= n; c++)
        for (gsize offset = 0; offset < 72; offset += (a + b + c) % 3 + 1)
          {
            gsize len = 0;

            memset (buffer, 'x', sizeof buffer);
            buffer[offset + len++] = (char) interesting[a];
            if (b < n)
              buffer[offset + len++] = (char) interesting[b];
            if (b < n && c < n)
              buffer[offset + len++] = (char) interesting[c];
            check (buffer, offset + len);          /* at the very end */
            check (buffer, offset + len + 5);      /* followed by ASCII */
            checked += 2;
          }
  for (guint lead = 0xe0; lead <= 0xff; lead++)
    for (guint second = 0x70; second <= 0xcf; second++)
      for (gsize offset = 10; offset < 36; offset++)
        {
          memset (buffer, 'y', sizeof buffer);
          buffer[offset] = (char) lead;
          buffer[offset + 1] = (char) second;
          buffer[offset + 2] = (char) 0x80;
          buffer[offset + 3] = (char) 0xbf;
          check (buffer, offset + 2);
          check (buffer, offset + 3);
          check (buffer, offset + 4);
          check (buffer, 72);
          checked += 4;
        }
  g_assert_cmpuint (checked, >, 100000);
}

/* Mixed-script text, damaged at random: a byte replaced, dropped or inserted. */
static void
test_damage (void)
{
  static const char *const words[] = {
    "the", "answer", "café", "naïve", "東京", "Привет", "😀", "🚀", "×", "½", "ελληνικά", "°C",
    "São Paulo", "✓", "—", "“quoted”", "\n", "x",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261207);
  guint n_valid = 0, n_invalid = 0;

  for (guint round = 0; round < 20000; round++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      guint n_words = g_rand_int_range (rand, 1, 40);

      for (guint w = 0; w < n_words; w++)
        {
          g_string_append (text, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
          g_string_append_c (text, ' ');
        }
      if (round % 2 == 1)
        {
          guint pos = g_rand_int_range (rand, 0, text->len);

          switch (g_rand_int_range (rand, 0, 3))
            {
            case 0: text->str[pos] = (char) g_rand_int_range (rand, 0x80, 0x100); break;
            case 1: g_string_erase (text, pos, 1); break;
            default: g_string_insert_c (text, pos, (char) g_rand_int_range (rand, 0x80, 0x100)); break;
            }
        }
      check (text->str, text->len);
      if (glib_valid (text->str, text->len))
        n_valid++;
      else
        n_invalid++;
    }
  /* Both outcomes often enough for the comparison to mean something. */
  g_assert_cmpuint (n_valid, >, 5000);
  g_assert_cmpuint (n_invalid, >, 3000);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/utf8/sequences", test_sequences);
  g_test_add_func ("/utf8/damage", test_damage);
  return g_test_run ();
}
