/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-jscan"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#if defined(__SSE2__)
# include <emmintrin.h>
#endif

#include "clair-i18n.h"
#include "clair-jscan.h"

/* Deep enough for any real dataset row, shallow enough that the recursion cannot exhaust the
 * stack of a worker thread. */
#define MAX_DEPTH 512

enum
{
  STATE_FIRST,
  STATE_MEMBER,
  STATE_DONE,
  STATE_ERROR,
};

/* Bytes a string may hold verbatim: everything but the quote, the backslash, control characters
 * and bytes >= 0x80 (which go through UTF-8 validation). */
static const guint8 string_plain[256] = {
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static const char value_expected[] =
  N_("expected a value (a string, number, object, array, true, false or null)");

static const char *scan_value (const char      *p,
                               const char      *end,
                               guint            depth,
                               ClairJscanError *error);

static const char *fail (ClairJscanError *error,
                         const char      *where,
                         gboolean         show_found,
                         const char      *format,
                         ...) G_GNUC_PRINTF (4, 5);

static const char *
fail (ClairJscanError *error,
      const char      *where,
      gboolean         show_found,
      const char      *format,
      ...)
{
  va_list args;

  error->where = where;
  error->show_found = show_found;
  error->bad_utf8 = FALSE;
  va_start (args, format);
  g_vsnprintf (error->message, sizeof error->message, format, args);
  va_end (args);

  return NULL;
}

static inline gboolean
is_ws (char c)
{
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

const char *
clair_jscan_skip_ws (const char *p,
                     const char *end)
{
  while (p < end && is_ws (*p))
    p++;
  return p;
}

ClairJscanType
clair_jscan_type_of (char c)
{
  switch (c)
    {
    case '"': return CLAIR_JSCAN_STRING;
    case '{': return CLAIR_JSCAN_OBJECT;
    case '[': return CLAIR_JSCAN_ARRAY;
    case 't': return CLAIR_JSCAN_TRUE;
    case 'f': return CLAIR_JSCAN_FALSE;
    case 'n': return CLAIR_JSCAN_NULL;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return CLAIR_JSCAN_NUMBER;
    default:
      return CLAIR_JSCAN_INVALID;
    }
}

const char *
clair_jscan_type_name (ClairJscanType type)
{
  switch (type)
    {
    case CLAIR_JSCAN_STRING: return _("a string");
    case CLAIR_JSCAN_NUMBER: return _("a number");
    case CLAIR_JSCAN_OBJECT: return _("an object");
    case CLAIR_JSCAN_ARRAY: return _("a list");
    case CLAIR_JSCAN_TRUE: return "true";
    case CLAIR_JSCAN_FALSE: return "false";
    case CLAIR_JSCAN_NULL: return "null";
    case CLAIR_JSCAN_INVALID:
    default:
      return _("an invalid value");
    }
}

/* Length of the valid UTF-8 sequence at @p, or 0 (RFC 3629: no overlongs, no surrogates). */
static inline gsize
utf8_sequence_length (const guchar *p,
                      const guchar *end)
{
  guchar c = p[0];

  if (c < 0xc2)
    return 0;
  if (c < 0xe0)
    return (end - p >= 2 && (p[1] & 0xc0) == 0x80) ? 2 : 0;
  if (c < 0xf0)
    {
      if (end - p < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
        return 0;
      if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f))
        return 0;
      return 3;
    }
  if (c < 0xf5)
    {
      if (end - p < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
        return 0;
      if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
        return 0;
      return 4;
    }
  return 0;
}

/* The first byte in [p, end) that is a quote, a backslash, a control character or >= 0x80.
 * Sixteen bytes at a time where SSE2 exists: strings are most of a dataset's bytes. */
static inline const char *
find_string_special (const char *p,
                     const char *end)
{
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8 ('"');
  const __m128i backslash = _mm_set1_epi8 ('\\');
  const __m128i space = _mm_set1_epi8 (0x20);

  while (end - p >= 16)
    {
      __m128i v = _mm_loadu_si128 ((const __m128i *) (const void *) p);
      /* A signed compare: bytes >= 0x80 are negative, so "< 0x20" catches them too. */
      __m128i special = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (v, quote),
                                                    _mm_cmpeq_epi8 (v, backslash)),
                                      _mm_cmplt_epi8 (v, space));
      int mask = _mm_movemask_epi8 (special);

      if (mask != 0)
        return p + __builtin_ctz ((unsigned int) mask);
      p += 16;
    }
#endif
  while (p < end && string_plain[(guchar) *p])
    p++;
  return p;
}

/* The first quote, backslash or line feed in [p, end): what a lenient skip must look at. */
static inline const char *
find_string_structure (const char *p,
                       const char *end)
{
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8 ('"');
  const __m128i backslash = _mm_set1_epi8 ('\\');
  const __m128i newline = _mm_set1_epi8 ('\n');

  while (end - p >= 16)
    {
      __m128i v = _mm_loadu_si128 ((const __m128i *) (const void *) p);
      __m128i hit = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (v, quote),
                                                _mm_cmpeq_epi8 (v, backslash)),
                                  _mm_cmpeq_epi8 (v, newline));
      int mask = _mm_movemask_epi8 (hit);

      if (mask != 0)
        return p + __builtin_ctz ((unsigned int) mask);
      p += 16;
    }
#endif
  while (p < end && *p != '"' && *p != '\\' && *p != '\n')
    p++;
  return p;
}

static inline gboolean
is_hex (char c)
{
  return g_ascii_isxdigit (c);
}

static const char *
scan_string (const char      *p,
             const char      *end,
             ClairJscanError *error)
{
  const char *start = p;

  p++;
  for (;;)
    {
      guchar c;

      p = find_string_special (p, end);
      if (p >= end)
        return fail (error, start, FALSE,
                     _("a string starts here and never ends (a missing closing quote?)"));
      c = (guchar) *p;
      if (c == '"')
        return p + 1;
      if (c == '\\')
        {
          if (end - p < 2)
            return fail (error, start, FALSE,
                         _("a string starts here and never ends (a missing closing quote?)"));
          switch (p[1])
            {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
              p += 2;
              break;
            case 'u':
              if (end - p < 6 || !is_hex (p[2]) || !is_hex (p[3]) || !is_hex (p[4]) || !is_hex (p[5]))
                return fail (error, p, FALSE, _("invalid \\u escape: expected four hexadecimal digits"));
              p += 6;
              break;
            default:
              if ((guchar) p[1] > 0x20 && (guchar) p[1] < 0x7f)
                return fail (error, p, FALSE,
                             _("invalid escape “\\%c” in a string (write a backslash as \\\\)"), p[1]);
              return fail (error, p, FALSE, _("invalid escape in a string (write a backslash as \\\\)"));
            }
        }
      else if (c < 0x20)
        {
          return fail (error, p, FALSE,
                       _("a raw control character (U+%04X) inside a string; it must be escaped, as in \\n"),
                       c);
        }
      else
        {
          gsize n = utf8_sequence_length ((const guchar *) p, (const guchar *) end);

          if (n == 0)
            {
              fail (error, p, FALSE, _("invalid UTF-8 (byte 0x%02X)"), c);
              error->bad_utf8 = TRUE;
              return NULL;
            }
          p += n;
        }
    }
}

static const char *
scan_number (const char      *p,
             const char      *end,
             ClairJscanError *error)
{
  if (*p == '-')
    p++;
  if (p < end && *p == '0')
    p++;
  else if (p < end && *p >= '1' && *p <= '9')
    {
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  else
    return fail (error, p, TRUE, _("expected a digit"));

  if (p < end && *p == '.')
    {
      p++;
      if (p >= end || !g_ascii_isdigit (*p))
        return fail (error, p, TRUE, _("expected a digit after the decimal point"));
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p >= end || !g_ascii_isdigit (*p))
        return fail (error, p, TRUE, _("expected a digit in the exponent"));
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  return p;
}

static const char *
scan_literal (const char      *p,
              const char      *end,
              const char      *literal,
              gsize            len,
              ClairJscanError *error)
{
  if ((gsize) (end - p) >= len && memcmp (p, literal, len) == 0)
    return p + len;
  return fail (error, p, FALSE, _("expected “%s” (JSON literals are lowercase and unquoted)"), literal);
}

static const char *
scan_object (const char      *p,
             const char      *end,
             guint            depth,
             ClairJscanError *error)
{
  gboolean first = TRUE;

  if (depth >= MAX_DEPTH)
    return fail (error, p, FALSE, _("values nested deeper than %d levels"), MAX_DEPTH);

  p = clair_jscan_skip_ws (p + 1, end);
  if (p < end && *p == '}')
    return p + 1;

  for (;;)
    {
      if (p >= end || *p != '"')
        return fail (error, p, TRUE, first ? _("expected a string key or “}”") : _("expected a string key"));
      first = FALSE;
      if ((p = scan_string (p, end, error)) == NULL)
        return NULL;
      p = clair_jscan_skip_ws (p, end);
      if (p >= end || *p != ':')
        return fail (error, p, TRUE, _("expected “:” after the key"));
      p = clair_jscan_skip_ws (p + 1, end);
      if ((p = scan_value (p, end, depth + 1, error)) == NULL)
        return NULL;
      p = clair_jscan_skip_ws (p, end);
      if (p < end && *p == ',')
        {
          p = clair_jscan_skip_ws (p + 1, end);
          continue;
        }
      if (p < end && *p == '}')
        return p + 1;
      return fail (error, p, TRUE, _("expected “,” or “}” after an object member"));
    }
}

static const char *
scan_array (const char      *p,
            const char      *end,
            guint            depth,
            ClairJscanError *error)
{
  if (depth >= MAX_DEPTH)
    return fail (error, p, FALSE, _("values nested deeper than %d levels"), MAX_DEPTH);

  p = clair_jscan_skip_ws (p + 1, end);
  if (p < end && *p == ']')
    return p + 1;

  for (;;)
    {
      if ((p = scan_value (p, end, depth + 1, error)) == NULL)
        return NULL;
      p = clair_jscan_skip_ws (p, end);
      if (p < end && *p == ',')
        {
          p = clair_jscan_skip_ws (p + 1, end);
          continue;
        }
      if (p < end && *p == ']')
        return p + 1;
      return fail (error, p, TRUE, _("expected “,” or “]” after a list element"));
    }
}

static const char *
scan_value (const char      *p,
            const char      *end,
            guint            depth,
            ClairJscanError *error)
{
  if (p >= end)
    return fail (error, p, TRUE, "%s", _(value_expected));

  switch (*p)
    {
    case '"': return scan_string (p, end, error);
    case '{': return scan_object (p, end, depth, error);
    case '[': return scan_array (p, end, depth, error);
    case 't': return scan_literal (p, end, "true", 4, error);
    case 'f': return scan_literal (p, end, "false", 5, error);
    case 'n': return scan_literal (p, end, "null", 4, error);
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return scan_number (p, end, error);
    default:
      return fail (error, p, TRUE, "%s", _(value_expected));
    }
}

const char *
clair_jscan_value (const char      *p,
                   const char      *end,
                   ClairJscanError *error)
{
  ClairJscanError dummy;

  g_return_val_if_fail (p != NULL && end != NULL, NULL);

  return scan_value (p, end, 0, error ? error : &dummy);
}

gboolean
clair_jscan_validate (const char      *text,
                      gsize            len,
                      ClairJscanError *error)
{
  ClairJscanError dummy;
  const char *end = text + len;
  const char *p;

  g_return_val_if_fail (text != NULL || len == 0, FALSE);

  if (error == NULL)
    error = &dummy;
  p = clair_jscan_skip_ws (text, end);
  if ((p = scan_value (p, end, 0, error)) == NULL)
    return FALSE;
  p = clair_jscan_skip_ws (p, end);
  if (p < end)
    {
      fail (error, p, TRUE, _("expected nothing after the value"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
iter_begin (ClairJscanIter  *iter,
            const char      *p,
            const char      *end,
            char             open,
            ClairJscanError *error)
{
  iter->end = end;
  if (p >= end || *p != open)
    {
      iter->p = p;
      iter->state = STATE_ERROR;
      fail (error, p, TRUE, open == '{' ? _("expected a JSON object") : _("expected a list"));
      return FALSE;
    }
  iter->p = clair_jscan_skip_ws (p + 1, end);
  iter->state = STATE_FIRST;
  return TRUE;
}

gboolean
clair_jscan_object_begin (ClairJscanIter  *iter,
                          const char      *p,
                          const char      *end,
                          ClairJscanError *error)
{
  ClairJscanError dummy;

  g_return_val_if_fail (iter != NULL, FALSE);

  return iter_begin (iter, p, end, '{', error ? error : &dummy);
}

gboolean
clair_jscan_array_begin (ClairJscanIter  *iter,
                         const char      *p,
                         const char      *end,
                         ClairJscanError *error)
{
  ClairJscanError dummy;

  g_return_val_if_fail (iter != NULL, FALSE);

  return iter_begin (iter, p, end, '[', error ? error : &dummy);
}

/* Moves past the separator before the next item. Returns 1 when an item follows, 0 at the
 * closing bracket, -1 on error. */
static int
iter_advance (ClairJscanIter  *iter,
              char             close,
              const char      *separator_expected,
              ClairJscanError *error)
{
  const char *p = iter->p;
  const char *end = iter->end;

  if (iter->state == STATE_DONE)
    return 0;
  if (iter->state == STATE_ERROR)
    {
      fail (error, p, FALSE, _("the scan already failed"));
      return -1;
    }

  if (iter->state == STATE_MEMBER)
    {
      if (p < end && *p == ',')
        {
          iter->p = clair_jscan_skip_ws (p + 1, end);
          return 1;
        }
      if (p >= end || *p != close)
        {
          iter->state = STATE_ERROR;
          fail (error, p, TRUE, "%s", separator_expected);
          return -1;
        }
    }
  else if (p >= end || *p != close)
    return 1;  /* the first item; the caller reports what is missing */

  iter->p = p + 1;
  iter->state = STATE_DONE;
  return 0;
}

int
clair_jscan_object_next (ClairJscanIter  *iter,
                         ClairJscanSpan  *key,
                         ClairJscanSpan  *value,
                         ClairJscanError *error)
{
  ClairJscanError dummy;
  const char *p;
  const char *end;
  gboolean first;
  int ret;

  g_return_val_if_fail (iter != NULL && key != NULL && value != NULL, -1);

  if (error == NULL)
    error = &dummy;
  first = iter->state == STATE_FIRST;
  ret = iter_advance (iter, '}', _("expected “,” or “}” after an object member"), error);
  if (ret <= 0)
    return ret;

  p = iter->p;
  end = iter->end;
  if (p >= end || *p != '"')
    {
      iter->state = STATE_ERROR;
      fail (error, p, TRUE, first ? _("expected a string key or “}”") : _("expected a string key"));
      return -1;
    }
  key->start = p;
  key->type = CLAIR_JSCAN_STRING;
  if ((p = scan_string (p, end, error)) == NULL)
    goto error;
  key->len = p - key->start;

  p = clair_jscan_skip_ws (p, end);
  if (p >= end || *p != ':')
    {
      fail (error, p, TRUE, _("expected “:” after the key"));
      goto error;
    }
  p = clair_jscan_skip_ws (p + 1, end);
  value->start = p;
  value->type = p < end ? clair_jscan_type_of (*p) : CLAIR_JSCAN_INVALID;
  if ((p = scan_value (p, end, 1, error)) == NULL)
    goto error;
  value->len = p - value->start;

  iter->p = clair_jscan_skip_ws (p, end);
  iter->state = STATE_MEMBER;
  return 1;

error:
  iter->state = STATE_ERROR;
  return -1;
}

int
clair_jscan_array_next (ClairJscanIter  *iter,
                        ClairJscanSpan  *value,
                        ClairJscanError *error)
{
  ClairJscanError dummy;
  const char *p;
  int ret;

  g_return_val_if_fail (iter != NULL && value != NULL, -1);

  if (error == NULL)
    error = &dummy;
  ret = iter_advance (iter, ']', _("expected “,” or “]” after a list element"), error);
  if (ret <= 0)
    return ret;

  p = iter->p;
  value->start = p;
  value->type = p < iter->end ? clair_jscan_type_of (*p) : CLAIR_JSCAN_INVALID;
  if ((p = scan_value (p, iter->end, 1, error)) == NULL)
    {
      iter->state = STATE_ERROR;
      return -1;
    }
  value->len = p - value->start;
  iter->p = clair_jscan_skip_ws (p, iter->end);
  iter->state = STATE_MEMBER;
  return 1;
}

const char *
clair_jscan_iter_end (const ClairJscanIter *iter)
{
  g_return_val_if_fail (iter != NULL, NULL);
  g_return_val_if_fail (iter->state == STATE_DONE, NULL);

  return iter->p;
}

/* Four hexadecimal digits, already validated. */
static inline guint
hex4 (const char *p)
{
  guint value = 0;

  for (guint i = 0; i < 4; i++)
    {
      guint c = (guchar) p[i];

      value = (value << 4) | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
  return value;
}

/* Writes the unescaped content of [p, end) (between the quotes) to @out, which has room for
 * end - p bytes: no escape grows when unescaped. Returns the end of what was written. */
static char *
unescape_into (char       *out,
               const char *p,
               const char *end)
{
  while (p < end)
    {
      const char *backslash = memchr (p, '\\', end - p);
      gunichar cp;

      if (backslash == NULL)
        {
          memcpy (out, p, end - p);
          return out + (end - p);
        }
      memcpy (out, p, backslash - p);
      out += backslash - p;
      p = backslash + 1;

      switch (*p++)
        {
        case 'n': *out++ = '\n'; break;
        case 't': *out++ = '\t'; break;
        case 'r': *out++ = '\r'; break;
        case 'b': *out++ = '\b'; break;
        case 'f': *out++ = '\f'; break;
        case 'u':
          cp = hex4 (p);
          p += 4;
          if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6 && p[0] == '\\' && p[1] == 'u')
            {
              gunichar low = hex4 (p + 2);

              if (low >= 0xdc00 && low <= 0xdfff)
                {
                  cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                  p += 6;
                }
            }
          /* A lone surrogate has no UTF-8 form, and a NUL would cut the C string short. */
          if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0)
            cp = 0xfffd;
          out += g_unichar_to_utf8 (cp, out);
          break;
        default:
          /* '"', '\\' and '/' stand for themselves; validation ruled out the rest. */
          *out++ = p[-1];
          break;
        }
    }
  return out;
}

char *
clair_jscan_unescape (const char *quoted,
                      gsize       len,
                      gsize      *out_len)
{
  char *out;
  char *out_end;

  g_return_val_if_fail (quoted != NULL && len >= 2, NULL);

  out = g_malloc (len - 1);
  out_end = unescape_into (out, quoted + 1, quoted + len - 1);
  *out_end = '\0';
  if (out_len != NULL)
    *out_len = out_end - out;
  return out;
}

void
clair_jscan_unescape_append (GString    *out,
                             const char *quoted,
                             gsize       len)
{
  gsize old_len;
  char *out_end;

  g_return_if_fail (out != NULL);
  g_return_if_fail (quoted != NULL && len >= 2);

  old_len = out->len;
  g_string_set_size (out, old_len + len - 2);
  out_end = unescape_into (out->str + old_len, quoted + 1, quoted + len - 1);
  g_string_truncate (out, out_end - out->str);
}

gboolean
clair_jscan_string_equal (const char *quoted,
                          gsize       len,
                          const char *text,
                          gsize       text_len)
{
  g_autofree char *unescaped = NULL;
  gsize unescaped_len;

  g_return_val_if_fail (quoted != NULL && len >= 2, FALSE);

  if (memchr (quoted + 1, '\\', len - 2) == NULL)
    return len - 2 == text_len && memcmp (quoted + 1, text, text_len) == 0;

  unescaped = clair_jscan_unescape (quoted, len, &unescaped_len);
  return unescaped_len == text_len && memcmp (unescaped, text, text_len) == 0;
}

/* Skips a string without validating it, counting raw newlines (invalid, but they must not throw
 * the line count off). Returns NULL when the string never ends. */
static const char *
skip_string_lenient (const char *p,
                     const char *end,
                     guint      *n_newlines)
{
  p++;
  for (;;)
    {
      p = find_string_structure (p, end);
      if (p >= end)
        return NULL;
      if (*p == '"')
        return p + 1;
      if (*p == '\\')
        {
          if (end - p < 2)
            return NULL;
          if (p[1] == '\n')
            (*n_newlines)++;
          p += 2;
          continue;
        }
      if (*p == '\n')
        (*n_newlines)++;
      p++;
    }
}

const char *
clair_jscan_skip_lenient (const char      *p,
                          const char      *end,
                          guint           *n_newlines,
                          ClairJscanError *error)
{
  ClairJscanError dummy;
  char closers[MAX_DEPTH];
  const char *openers[MAX_DEPTH];
  guint depth = 0;
  guint newlines = 0;

  g_return_val_if_fail (p != NULL && end != NULL && n_newlines != NULL, NULL);

  if (error == NULL)
    error = &dummy;

  while (p < end)
    {
      const char *next;

      switch (*p)
        {
        case '"':
          if ((next = skip_string_lenient (p, end, &newlines)) == NULL)
            return fail (error, p, FALSE,
                         _("a string starts here and never ends (a missing closing quote?)"));
          p = next;
          break;

        case '{':
        case '[':
          if (depth == MAX_DEPTH)
            return fail (error, p, FALSE, _("values nested deeper than %d levels"), MAX_DEPTH);
          closers[depth] = *p == '{' ? '}' : ']';
          openers[depth] = p;
          depth++;
          p++;
          break;

        case '}':
        case ']':
          if (depth == 0)
            return fail (error, p, TRUE, "%s", _(value_expected));
          if (closers[depth - 1] != *p)
            return fail (error, p, TRUE,
                         closers[depth - 1] == '}'
                         ? _("expected “}” to close the object that starts earlier")
                         : _("expected “]” to close the list that starts earlier"));
          depth--;
          p++;
          break;

        case '\n':
          newlines++;
          p++;
          break;

        default:
          if (depth == 0)
            {
              /* A scalar at the top: it ends at the first delimiter. */
              while (p < end && !is_ws (*p) && *p != ',' && *p != ']' && *p != '}')
                p++;
            }
          else
            p++;
          break;
        }

      if (depth == 0)
        {
          *n_newlines += newlines;
          return p;
        }
    }

  if (depth > 0)
    return fail (error, openers[depth - 1], FALSE,
                 closers[depth - 1] == '}'
                 ? _("an object starts here and never closes (a missing “}”?)")
                 : _("a list starts here and never closes (a missing “]”?)"));
  return fail (error, p, TRUE, "%s", _(value_expected));
}

void
clair_jscan_describe (const char *where,
                      const char *end,
                      char       *buf,
                      gsize       size)
{
  guchar c;

  g_return_if_fail (buf != NULL && size > 0);

  if (where == NULL || where >= end)
    {
      g_strlcpy (buf, _("the end of the input"), size);
      return;
    }

  c = (guchar) *where;
  if (c == '\n' || c == '\r')
    g_strlcpy (buf, _("the end of the line"), size);
  else if (c < 0x20 || c == 0x7f)
    g_snprintf (buf, size, _("the control character U+%04X"), c);
  else if (c < 0x80)
    g_snprintf (buf, size, "“%c”", c);
  else
    {
      gsize n = utf8_sequence_length ((const guchar *) where, (const guchar *) end);

      if (n > 0)
        g_snprintf (buf, size, "“%.*s”", (int) n, where);
      else
        g_snprintf (buf, size, _("the byte 0x%02X (invalid UTF-8)"), c);
    }
}
