/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-json"

#include "config.h"

#include <math.h>
#include <string.h>

#include "clair-json.h"

/* Non-zero for bytes that cannot be copied verbatim into a JSON string: quotes, backslash,
 * control characters and every byte >= 0x80 (validated separately, in runs). */
static const guint8 needs_care[256] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* Whether none of the eight bytes of @word needs care: no control character (DEL included),
 * quote, backslash or byte from 0x80. The "has a zero byte" and "has a byte less than n" tests
 * can point at the wrong byte, but their yes-or-no answer is exact. */
static inline gboolean
word_is_plain (guint64 word)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);
  guint64 quote = word ^ (ones * '"');
  guint64 backslash = word ^ (ones * '\\');
  guint64 del = word ^ (ones * 0x7f);
  guint64 care = ((word - ones * 0x20) & ~word)
                 | ((quote - ones) & ~quote)
                 | ((backslash - ones) & ~backslash)
                 | ((del - ones) & ~del)
                 | word;

  return (care & highs) == 0;
}

/* Copies valid UTF-8 (or validated JSON text), writing U+2028, U+2029 and U+0085 as escapes: JSON
 * allows them raw inside strings, but line readers such as Python's str.splitlines() split on them
 * and would cut a JSONL line in two. They only occur inside strings, so escaping keeps JSON valid. */
void
clair_json_append_raw (GString    *out,
                       const char *text,
                       gsize       len)
{
  const guchar *p = (const guchar *) text;
  const guchar *end = p + len;

  while (p < end)
    {
      const guchar *run = p;

      while (p < end && *p != 0xe2 && *p != 0xc2)
        p++;
      g_string_append_len (out, (const char *) run, p - run);
      if (p >= end)
        break;
      if (p[0] == 0xe2 && end - p >= 3 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
        {
          g_string_append (out, p[2] == 0xa8 ? "\\u2028" : "\\u2029");
          p += 3;
        }
      else if (p[0] == 0xc2 && end - p >= 2 && p[1] == 0x85)
        {
          g_string_append (out, "\\u0085");
          p += 2;
        }
      else
        g_string_append_c (out, (char) *p++);
    }
}

static int
hex_value (const char *p)
{
  int value = 0;

  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

char *
clair_json_sanitize_escapes (const char *text,
                             gsize       len,
                             gsize      *out_len)
{
  const char *end = text + len;
  const char *p = text;
  const char *copied = text;
  GString *out = NULL;
  gboolean in_string = FALSE;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  while (p < end)
    {
      if (!in_string)
        {
          in_string = *p++ == '"';
          continue;
        }
      if (*p == '"')
        {
          in_string = FALSE;
          p++;
          continue;
        }
      if (*p != '\\' || p + 1 >= end)
        {
          p++;
          continue;
        }
      if (p[1] != 'u' || end - p < 6)
        {
          p += 2;   /* \n, \", \\ …: never the start of a \u escape */
          continue;
        }

      {
        int unit = hex_value (p + 2);
        gsize span = 6;
        gboolean replace = unit == 0;

        if (unit >= 0xd800 && unit <= 0xdbff)
          {
            /* A high surrogate must be followed by a low one. */
            int low = end - p >= 12 && p[6] == '\\' && p[7] == 'u' ? hex_value (p + 8) : -1;

            if (low >= 0xdc00 && low <= 0xdfff)
              span = 12;
            else
              replace = TRUE;
          }
        else if (unit >= 0xdc00 && unit <= 0xdfff)
          replace = TRUE;

        if (replace)
          {
            if (out == NULL)
              out = g_string_sized_new (len + 16);
            g_string_append_len (out, copied, p - copied);
            g_string_append (out, "\\ufffd");
            copied = p + span;
          }
        p += span;
      }
    }

  if (out == NULL)
    return NULL;
  g_string_append_len (out, copied, end - copied);
  if (out_len != NULL)
    *out_len = out->len;
  return g_string_free (out, FALSE);
}

void
clair_json_append_string (GString    *out,
                          const char *str,
                          gssize      len)
{
  const guchar *p;
  const guchar *end;
  const guchar *run;

  g_return_if_fail (out != NULL);

  if (str == NULL)
    {
      g_string_append_len (out, "null", 4);
      return;
    }
  if (len < 0)
    len = strlen (str);

  p = (const guchar *) str;
  end = p + len;
  g_string_append_c (out, '"');

  while (p < end)
    {
      run = p;
      while (end - p >= 8)
        {
          guint64 word;

          memcpy (&word, p, 8);
          if (!word_is_plain (word))
            break;
          p += 8;
        }
      while (p < end && needs_care[*p] == 0)
        p++;
      if (p > run)
        clair_json_append_len (out, (const char *) run, p - run);
      if (p >= end)
        break;

      if (needs_care[*p] == 2)
        {
          /* A run of non-ASCII bytes: copy what is valid UTF-8, replace what is not. */
          const char *valid_end = NULL;
          const guchar *stop = p;

          while (stop < end && *stop >= 0x80)
            stop++;
          /* Include a possible partial sequence cut at the run's end. */
          if (g_utf8_validate ((const char *) p, stop - p, &valid_end))
            {
              clair_json_append_raw (out, (const char *) p, stop - p);
              p = stop;
            }
          else
            {
              if ((const guchar *) valid_end > p)
                clair_json_append_raw (out, (const char *) p, (const guchar *) valid_end - p);
              g_string_append (out, "\xef\xbf\xbd");
              p = (const guchar *) valid_end + 1;
            }
          continue;
        }

      switch (*p)
        {
        case '"':  clair_json_append_len (out, "\\\"", 2); break;
        case '\\': clair_json_append_len (out, "\\\\", 2); break;
        case '\n': clair_json_append_len (out, "\\n", 2); break;
        case '\r': clair_json_append_len (out, "\\r", 2); break;
        case '\t': clair_json_append_len (out, "\\t", 2); break;
        case '\b': clair_json_append_len (out, "\\b", 2); break;
        case '\f': clair_json_append_len (out, "\\f", 2); break;
        default:
          g_string_append_printf (out, "\\u%04x", *p);
          break;
        }
      p++;
    }

  g_string_append_c (out, '"');
}

/* The common case without printf: a value that is a decimal of at most six places, in the range
 * where %g writes it without an exponent, written as the search below would write it. With k the
 * fewest places for which r = round(value · 10^k) gives back value as r / 10^k (both sides
 * correctly rounded, so equal to what strtod makes of the decimal), r's digits are exactly the
 * shortest form: no decimal with fewer digits reads back to value. Values this misses go the slow
 * way; test-json compares the two on millions of values. */
static gboolean
append_short_decimal (GString *out,
                      double   value)
{
  static const double powers[] = { 1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };
  double magnitude = fabs (value);
  char digits[24];
  guint n_digits = 0, significant, precision;
  guint64 r = 0;
  int k, exponent;

  /* Below 1e-4 %g writes an exponent; above 1e15, value · 10^k may be off by more than 0.5. */
  if (!(magnitude >= 1e-4 && magnitude < 1e15))
    return FALSE;
  for (k = 0; k < (int) G_N_ELEMENTS (powers); k++)
    {
      double scaled = magnitude * powers[k];
      double rounded;

      if (scaled >= 1e15)
        return FALSE;
      rounded = nearbyint (scaled);
      if (rounded / powers[k] == magnitude)
        {
          r = (guint64) rounded;
          break;
        }
    }
  if (k == (int) G_N_ELEMENTS (powers) || r == 0 || (k > 0 && r % 10 == 0))
    return FALSE;

  for (guint64 rest = r; rest > 0; rest /= 10)
    digits[n_digits++] = (char) ('0' + rest % 10);      /* least significant first */
  significant = n_digits;
  for (guint i = 0; i < n_digits && digits[i] == '0'; i++)
    significant--;                                       /* trailing zeros of an integer */
  exponent = (int) n_digits - k - 1;
  precision = MAX (6u, significant);
  if (exponent < -4 || exponent >= (int) precision)
    return FALSE;

  if (value < 0)
    g_string_append_c (out, '-');
  if ((int) n_digits <= k)
    {
      g_string_append (out, "0.");
      for (int i = n_digits; i < k; i++)
        g_string_append_c (out, '0');
    }
  for (int i = n_digits - 1; i >= 0; i--)
    {
      g_string_append_c (out, digits[i]);
      if (i == k && k > 0)
        g_string_append_c (out, '.');
    }
  return TRUE;
}

void
clair_json_append_double (GString *out,
                          double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  double rounded;

  g_return_if_fail (out != NULL);

  if (!isfinite (value))
    {
      g_string_append_len (out, "null", 4);
      return;
    }
  if (append_short_decimal (out, value))
    return;

  /* Sampling parameters are typed by people: 0.7 must go out as 0.7, not 0.69999999999999996.
   * Try the shortest precision that reads back to the same double. */
  for (int precision = 6; precision <= 17; precision++)
    {
      char fmt[8];

      g_snprintf (fmt, sizeof fmt, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, fmt, value);
      rounded = g_ascii_strtod (buf, NULL);
      if (rounded == value)
        break;
    }

  g_string_append (out, buf);
}

void
clair_json_append_int (GString *out,
                       gint64   value)
{
  g_return_if_fail (out != NULL);

  g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
}

void
clair_json_append_key (GString    *out,
                       const char *key,
                       gboolean    first)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (key != NULL);

  if (!first)
    g_string_append_c (out, ',');
  clair_json_append_string (out, key, -1);
  g_string_append_c (out, ':');
}

void
clair_json_append_message (GString    *out,
                           const char *role,
                           const char *content)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (role != NULL);

  g_string_append (out, "{\"role\":");
  clair_json_append_string (out, role, -1);
  g_string_append (out, ",\"content\":");
  clair_json_append_string (out, content, -1);
  g_string_append_c (out, '}');
}
