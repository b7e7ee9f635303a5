/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-json"

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "clair-error.h"
#include "clair-json.h"
#include "clair-request.h"

static char *
string_to_json (const char *str,
                gssize      len)
{
  GString *out = g_string_new (NULL);

  clair_json_append_string (out, str, len);
  return g_string_free (out, FALSE);
}

/* Parses `[value]` with json-glib, so the writer is checked by an independent reader. */
static JsonNode *
parse_element (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *wrapped = g_strconcat ("[", json, "]", NULL);
  JsonArray *array;

  json_parser_load_from_data (parser, wrapped, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  return json_node_copy (json_array_get_element (array, 0));
}

static void
test_control_chars (void)
{
  for (guint c = 1; c < 0x20; c++)
    {
      char in[2] = { (char) c, 0 };
      g_autofree char *out = string_to_json (in, 1);
      g_autoptr(JsonNode) node = parse_element (out);
      const char *expected;
      char buf[16];

      switch (c)
        {
        case '\n': expected = "\"\\n\""; break;
        case '\r': expected = "\"\\r\""; break;
        case '\t': expected = "\"\\t\""; break;
        case '\b': expected = "\"\\b\""; break;
        case '\f': expected = "\"\\f\""; break;
        default:
          g_snprintf (buf, sizeof buf, "\"\\u%04x\"", c);
          expected = buf;
        }
      g_assert_cmpstr (out, ==, expected);
      g_assert_cmpstr (json_node_get_string (node), ==, in);
    }

  {
    g_autofree char *nul = string_to_json ("a\0b", 3);
    g_autofree char *del = string_to_json ("\x7f", -1);

    g_assert_cmpstr (nul, ==, "\"a\\u0000b\"");
    g_assert_cmpstr (del, ==, "\"\\u007f\"");
  }
}

static void
test_quotes_and_plain (void)
{
  struct { const char *in; const char *out; } cases[] = {
    { "", "\"\"" },
    { "plain text", "\"plain text\"" },
    { "say \"hi\"", "\"say \\\"hi\\\"\"" },
    { "back\\slash", "\"back\\\\slash\"" },
    { "/ ' {} []", "\"/ ' {} []\"" },
    { "naïve → 日本語 🎉", "\"naïve → 日本語 🎉\"" },
  };
  GString *out = g_string_new ("x");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = string_to_json (cases[i].in, -1);
      g_autoptr(JsonNode) node = parse_element (json);

      g_assert_cmpstr (json, ==, cases[i].out);
      g_assert_cmpstr (json_node_get_string (node), ==, cases[i].in);
    }

  /* A NULL string is JSON null; appending keeps what was in the buffer. */
  clair_json_append_string (out, NULL, -1);
  g_assert_cmpstr (out->str, ==, "xnull");
  g_string_free (out, TRUE);
}

static void
test_invalid_utf8 (void)
{
  struct { const char *in; const char *expected; } cases[] = {
    { "a\xff" "b", "a\xef\xbf\xbd" "b" },
    { "\xc3", "\xef\xbf\xbd" },                           /* cut at the end */
    { "\xc3(", "\xef\xbf\xbd(" },                         /* a lead byte without continuation */
    { "\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd" },           /* lone continuation bytes */
    { "é\xffé", "é\xef\xbf\xbdé" },                       /* valid around invalid in one run */
    { "\xed\xa0\x80", NULL },                             /* a UTF-16 surrogate */
    { "\xc0\xaf", NULL },                                 /* overlong '/' */
    { "\xf4\x90\x80\x80", NULL },                         /* above U+10FFFF */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = string_to_json (cases[i].in, -1);
      g_autoptr(JsonNode) node = parse_element (json);
      const char *decoded = json_node_get_string (node);

      g_assert_true (g_utf8_validate (json, -1, NULL));
      if (cases[i].expected != NULL)
        g_assert_cmpstr (decoded, ==, cases[i].expected);
      else
        g_assert_nonnull (strstr (decoded, "\xef\xbf\xbd"));
    }
}

static void
test_every_byte (void)
{
  /* All 256 byte values in one string come out as one valid JSON string. */
  char in[256];
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char *decoded;

  for (guint i = 0; i < 256; i++)
    in[i] = (char) i;
  json = string_to_json (in, sizeof in);
  g_assert_true (g_utf8_validate (json, -1, NULL));
  node = parse_element (json);
  decoded = json_node_get_string (node);
  /* json-glib stops at the NUL; what follows is checked by the validity above. */
  g_assert_cmpstr (decoded, ==, "");
  g_assert_true (g_str_has_prefix (json, "\"\\u0000\\u0001"));
  g_assert_nonnull (strstr (json, " !\\\"#$%&'()*+,-./0123456789:;<=>?@ABC"));
  g_assert_nonnull (strstr (json, "XYZ[\\\\]^_`abc"));
  g_assert_nonnull (strstr (json, "xyz{|}~\\u007f"));
}

static void
test_every_byte_every_offset (void)
{
  /* Plain text is scanned eight bytes at a time: each ASCII byte, at each place in a string of
   * letters, is written as it is written alone. */
  for (guint byte = 0; byte < 0x80; byte++)
    {
      char one = (char) byte;
      g_autofree char *alone = string_to_json (&one, 1);
      g_autofree char *escaped = g_strndup (alone + 1, strlen (alone) - 2);

      for (guint at = 0; at < 24; at++)
        {
          char in[24];
          g_autofree char *json = NULL;
          g_autofree char *expected = NULL;

          memset (in, 'q', sizeof in);
          in[at] = (char) byte;
          json = string_to_json (in, sizeof in);
          expected = g_strdup_printf ("\"%.*s%s%.*s\"", at, in, escaped, 23 - at, in + at + 1);
          g_assert_cmpstr (json, ==, expected);
        }
    }
}

static void
test_doubles (void)
{
  struct { double value; const char *expected; } cases[] = {
    { 0.7, "0.7" },
    { 1e-08, "1e-08" },
    { 0.1, "0.1" },
    { 0.95, "0.95" },
    { 1.0, "1" },
    { 0.0, "0" },
    { -2.0, "-2" },
    { -0.5, "-0.5" },
    { 1.0 / 3.0, "0.3333333333333333" },
    { 0.70000001, "0.70000001" },
    { 1e300, "1e+300" },
    { 123456789.0, "123456789" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GString *out = g_string_new (NULL);
      g_autoptr(JsonNode) node = NULL;

      clair_json_append_double (out, cases[i].value);
      g_assert_cmpstr (out->str, ==, cases[i].expected);
      node = parse_element (out->str);
      g_assert_cmpfloat (json_node_get_double (node), ==, cases[i].value);
      g_string_free (out, TRUE);
    }

  /* Not representable in JSON: written as null rather than as invalid text. */
  {
    GString *out = g_string_new (NULL);

    clair_json_append_double (out, NAN);
    g_string_append_c (out, ',');
    clair_json_append_double (out, INFINITY);
    g_assert_cmpstr (out->str, ==, "null,null");
    g_string_free (out, TRUE);
  }

  /* Every double read back exactly (the shortest form is searched up to 17 digits). */
  {
    GRand *rand = g_rand_new_with_seed (42);

    for (guint i = 0; i < 2000; i++)
      {
        GString *out = g_string_new (NULL);
        double value = g_rand_double_range (rand, -1e6, 1e6) *
                       pow (10, g_rand_int_range (rand, -30, 30));

        clair_json_append_double (out, value);
        g_assert_cmpfloat (g_ascii_strtod (out->str, NULL), ==, value);
        g_assert_null (strchr (out->str, ','));
        g_string_free (out, TRUE);
      }
    g_rand_free (rand);
  }
}

/* The search for the shortest form, printf at each precision: what clair_json_append_double()
 * wrote for every value before it learned to write short decimals without printf. */
static char *
reference_double (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int precision = 6; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  return g_strdup (buf);
}

/* The printf-free path writes byte for byte what the search writes: short decimals of every
 * magnitude and sign (its territory, and the edges of it: 1e-4, 1e15, six places, exponents
 * where %g switches form), random bit patterns and integers. */
static void
test_double_fast_path (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261207);
  static const double edges[] = {
    1e-4, 9.9999e-5, 0.0001234, 0.000123456, 1e-3, 0.5, 1.0, 9.5, 99999.5, 100000.0, 999999.0,
    1000000.0, 1234567.0, 1e14, 999999999999999.0, 1e15, 123456.789012, 0.1 + 0.2, 2.5e-5,
    4503599627370496.0, 0.000100001, 1e5 + 0.25, 120000.0, 1200000.0, -0.0, 5e-324,
  };
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (edges) * 2; i++)
    {
      double value = (i % 2 ? -1 : 1) * edges[i / 2];
      g_autoptr(GString) out = g_string_new (NULL);
      g_autofree char *expected = reference_double (value);

      clair_json_append_double (out, value);
      g_assert_cmpstr (out->str, ==, expected);
      n++;
    }
  for (guint i = 0; i < 400000; i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      g_autofree char *expected = NULL;
      double value;

      switch (i % 4)
        {
        case 0:   /* a decimal of 0–8 places, 1–15 digits */
          value = (double) g_rand_int_range (rand, 1, G_MAXINT32) /
                  pow (10, g_rand_int_range (rand, 0, 9)) * pow (10, g_rand_int_range (rand, -6, 7));
          break;
        case 1:   /* a few digits, as scores and sampling parameters are */
          value = (double) g_rand_int_range (rand, 0, 1000) / pow (10, g_rand_int_range (rand, 0, 7));
          break;
        case 2:   /* any finite double */
          {
            guint64 bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);

            memcpy (&value, &bits, sizeof value);
            if (!isfinite (value))
              continue;
          }
          break;
        default:  /* integers, with and without trailing zeros */
          value = (double) g_rand_int_range (rand, 0, 100000) * pow (10, g_rand_int_range (rand, 0, 12));
          break;
        }
      if (g_rand_boolean (rand))
        value = -value;
      expected = reference_double (value);
      clair_json_append_double (out, value);
      if (g_strcmp0 (out->str, expected) != 0)
        g_error ("%.17g: wrote %s, the search writes %s", value, out->str, expected);
      n++;
    }
  g_assert_cmpuint (n, >, 390000);
}

static void
test_int_and_key (void)
{
  GString *out = g_string_new ("{");

  clair_json_append_key (out, "a\"b", TRUE);
  clair_json_append_int (out, G_MININT64);
  clair_json_append_key (out, "c", FALSE);
  clair_json_append_int (out, 0);
  g_string_append_c (out, '}');
  g_assert_cmpstr (out->str, ==, "{\"a\\\"b\":-9223372036854775808,\"c\":0}");
  {
    g_autoptr(JsonNode) node = parse_element (out->str);

    g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "a\"b"), ==,
                     G_MININT64);
  }
  g_string_free (out, TRUE);
}

/* U+2028, U+2029 and U+0085 are valid raw in JSON strings, but Python's str.splitlines() (and
 * readers built on it) would cut a JSONL line there: they go out escaped. */
static void
test_line_separators (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) raw = g_string_new (NULL);

  clair_json_append_string (out, "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c\xc2\x85" "d\xe2\x80\xa6" "e\xc2\xa9", -1);
  g_assert_cmpstr (out->str, ==, "\"a\\u2028b\\u2029c\\u0085d\xe2\x80\xa6" "e\xc2\xa9\"");

  /* Copied JSON text gets the same treatment, and nothing else changes. */
  clair_json_append_raw (raw, "{\"k\":\"x\xe2\x80\xa8y\"}", strlen ("{\"k\":\"x\xe2\x80\xa8y\"}"));
  g_assert_cmpstr (raw->str, ==, "{\"k\":\"x\\u2028y\"}");
}

/* Every text read from outside goes through clair_json_load(): two values, back to back or
 * apart, are refused with a clear error, where json-glib 1.6 alone would read the first. */
static void
test_two_values (void)
{
  const char *twos[] = { "{}{}", "0{}", "{}[1]", "[1][2]", "\"a\"\"b\"", "{\"a\":1} {\"b\":2}", "{}\n{}\n", "1 2" };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  ClairGenParams params;

  for (guint i = 0; i < G_N_ELEMENTS (twos); i++)
    {
      /* What json-glib does alone, for the record: only when it succeeds is the guard needed. */
      g_assert_false (clair_json_load (parser, twos[i], -1, &error));
      g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, "Not one JSON value"));
      g_clear_error (&error);
      g_assert_null (clair_json_load_object (parser, twos[i], -1, &error));
      g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
      g_clear_error (&error);
    }
  g_assert_true (clair_json_load (parser, " {\"a\":[1,2]} \n", -1, &error));
  g_assert_no_error (error);
  g_assert_nonnull (clair_json_load_object (parser, "{\"a\":\"x\\u0000y\"}", -1, &error));
  g_assert_no_error (error);
  /* \u0000 does not cut the string short. */
  g_assert_cmpstr (clair_json_member_string (json_node_get_object (json_parser_get_root (parser)), "a"), ==,
                   "x\xef\xbf\xbdy");
  g_assert_null (clair_json_load_object (parser, "[1]", -1, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_null (clair_json_load_object (parser, "  ", -1, &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* The stored generation settings. */
  clair_gen_params_init (&params);
  g_assert_false (clair_gen_params_from_json (&params, "{\"model\":\"a\"}{\"model\":\"b\"}", &error));
  g_assert_error (error, CLAIR_ERROR, CLAIR_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "Not one JSON value"));
  g_clear_error (&error);
  g_assert_true (clair_gen_params_from_json (&params, "{\"model\":\"a\"}", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (params.model, ==, "a");
  clair_gen_params_clear (&params);
}

/* The member helpers: the type asked for or nothing, never a warning. */
static void
test_members (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object = clair_json_load_object (parser, "{\"s\":\"t\",\"i\":42,\"d\":7.0,\"big\":1e999,"
                                               "\"o\":{},\"a\":[],\"n\":null,\"b\":true}", -1, NULL);
  g_autofree char *i_text = clair_json_member_as_text (object, "i");
  g_autofree char *b_text = clair_json_member_as_text (object, "b");

  g_assert_nonnull (object);
  g_assert_cmpstr (clair_json_member_string (object, "s"), ==, "t");
  g_assert_null (clair_json_member_string (object, "i"));
  g_assert_null (clair_json_member_string (NULL, "s"));
  g_assert_cmpint (clair_json_member_int (object, "i", -1), ==, 42);
  g_assert_cmpint (clair_json_member_int (object, "d", -1), ==, 7);
  g_assert_cmpint (clair_json_member_int (object, "big", -1), ==, -1);
  g_assert_cmpint (clair_json_member_int (object, "s", -5), ==, -5);
  g_assert_cmpint (clair_json_member_int (object, "missing", 3), ==, 3);
  g_assert_nonnull (clair_json_member_object (object, "o"));
  g_assert_null (clair_json_member_object (object, "a"));
  g_assert_nonnull (clair_json_member_array (object, "a"));
  g_assert_null (clair_json_member_array (object, "n"));
  g_assert_cmpstr (i_text, ==, "42");
  g_assert_cmpstr (b_text, ==, "true");
  g_assert_null (clair_json_member_as_text (object, "n"));
  g_assert_null (clair_json_member_as_text (object, "o"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/control-chars", test_control_chars);
  g_test_add_func ("/json/quotes-and-plain", test_quotes_and_plain);
  g_test_add_func ("/json/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/json/every-byte", test_every_byte);
  g_test_add_func ("/json/every-byte-every-offset", test_every_byte_every_offset);
  g_test_add_func ("/json/doubles", test_doubles);
  g_test_add_func ("/json/double-fast-path", test_double_fast_path);
  g_test_add_func ("/json/int-and-key", test_int_and_key);
  g_test_add_func ("/json/line-separators", test_line_separators);
  g_test_add_func ("/json/two-values", test_two_values);
  g_test_add_func ("/json/members", test_members);

  return g_test_run ();
}
