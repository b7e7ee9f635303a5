/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-diff"

#include "config.h"

#include <limits.h>
#include <string.h>

#if defined(__SSE2__)
# include <emmintrin.h>
#endif

#include "clair-diff-private.h"

/* Cutting texts into tokens (words, whitespace runs, punctuation, lines, grapheme clusters)
 * and interning them, so that comparing two tokens is one integer compare. */

/* Tokenising */

static inline gboolean
is_attaching (gunichar c)
{
  /* Combining marks, ZERO WIDTH JOINER, variation selectors, emoji skin-tone modifiers and tag
   * characters belong to the character before them. */
  return g_unichar_ismark (c)
         || c == 0x200D
         || (c >= 0xFE00 && c <= 0xFE0F)
         || (c >= 0x1F3FB && c <= 0x1F3FF)
         || (c >= 0xE0020 && c <= 0xE007F)
         || (c >= 0xE0100 && c <= 0xE01EF);
}

static inline gboolean
is_regional_indicator (gunichar c)
{
  return c >= 0x1F1E6 && c <= 0x1F1FF;
}

/* The class of each byte: ASCII whitespace (as g_ascii_isspace()), letters and digits, other
 * ASCII (vertical tab included, as GLib has it); bytes from 0x80 are part of a multi-byte
 * character. */
static const guint8 byte_class[256] = {
  CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT,
  CLS_PUNCT, CLS_SPACE, CLS_SPACE, CLS_PUNCT, CLS_SPACE, CLS_SPACE, CLS_PUNCT, CLS_PUNCT,
  CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT,
  CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT,
  CLS_SPACE, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT,
  CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT,
  CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD,
  CLS_WORD, CLS_WORD, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT,
  CLS_PUNCT, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD,
  CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD,
  CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD,
  CLS_WORD, CLS_WORD, CLS_WORD, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT,
  CLS_PUNCT, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD,
  CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD,
  CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD, CLS_WORD,
  CLS_WORD, CLS_WORD, CLS_WORD, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT, CLS_PUNCT,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
  CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII, CLS_NON_ASCII,
};

/* Interning: equal tokens get equal ids */

static inline guint64
load_head (const char *ptr,
           guint32     len,
           const char *end)
{
  guint64 v = 0;

  if (ptr + 8 <= end)
    {
      memcpy (&v, ptr, 8);
      v = GUINT64_FROM_LE (v);
      if (len < 8)
        v &= (G_GUINT64_CONSTANT (1) << (8 * len)) - 1;
    }
  else
    {
      for (guint32 i = 0; i < len && i < 8; i++)
        v |= (guint64) (guchar) ptr[i] << (8 * i);
    }
  return v;
}

static inline guint32
mix64 (guint64 h)
{
  h ^= h >> 32;
  h *= G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  h ^= h >> 29;
  return (guint32) h;
}

static inline guint32
hash_key (const char *ptr,
          guint32     len,
          guint64     head)
{
  guint64 h = head ^ ((guint64) len << 56) ^ len;

  for (guint32 i = 8; i < len; i++)
    h = (h ^ (guchar) ptr[i]) * G_GUINT64_CONSTANT (0x100000001B3);
  return mix64 (h);
}

static inline guint32
hash_squeezed (const char *ptr,
               guint32     len)
{
  guint32 h = 2166136261u;

  for (guint32 i = 0; i < len; i++)
    {
      if (g_ascii_isspace (ptr[i]))
        continue;
      h = (h ^ (guchar) ptr[i]) * 16777619u;
    }
  return mix64 (h);
}

static gboolean
equal_squeezed (const char *a,
                guint32     a_len,
                const char *b,
                guint32     b_len)
{
  guint32 i = 0, j = 0;

  for (;;)
    {
      while (i < a_len && g_ascii_isspace (a[i]))
        i++;
      while (j < b_len && g_ascii_isspace (b[j]))
        j++;
      if (i == a_len || j == b_len)
        return i == a_len && j == b_len;
      if (a[i] != b[j])
        return FALSE;
      i++;
      j++;
    }
}

void
_clair_diff_interner_init (Interner *interner,
                           gsize     n_tokens,
                           guint32   first_id,
                           gboolean  squeeze_space)
{
  gsize capacity = 64;

  /* Texts repeat their words: start small and grow, the table stays in cache. */
  while (capacity < n_tokens / 2 && capacity < 4096)
    capacity <<= 1;
  interner->table = g_new0 (guint64, capacity);
  interner->mask = (guint32) capacity - 1;
  interner->n_used = 0;
  interner->first_id = first_id;
  interner->n_ids = first_id;
  interner->info = NULL;
  interner->info_capacity = 0;
  interner->squeeze_space = squeeze_space;
  memset (interner->byte_ids, 0xff, sizeof interner->byte_ids);
}

static void
interner_grow (Interner *interner)
{
  guint32 old_capacity = interner->mask + 1;
  guint32 capacity = old_capacity * 2;
  guint64 *old = interner->table;

  interner->table = g_new0 (guint64, capacity);
  interner->mask = capacity - 1;
  for (guint32 k = 0; k < old_capacity; k++)
    if (old[k] != 0)
      {
        guint32 i = (guint32) (old[k] >> 32) & interner->mask;

        while (interner->table[i] != 0)
          i = (i + 1) & interner->mask;
        interner->table[i] = old[k];
      }
  g_free (old);
}

/* A new id, with its info (every id has one, single bytes too). */
static guint32
interner_next_id (Interner   *interner,
                  guint32     hash,
                  guint64     key,
                  const char *ptr,
                  guint32     len)
{
  guint32 id = interner->n_ids++;
  guint32 index = id - interner->first_id;
  IdInfo *info;

  if (index >= interner->info_capacity)
    {
      interner->info_capacity = MAX (256, interner->info_capacity * 2);
      interner->info = g_renew (IdInfo, interner->info, interner->info_capacity);
    }
  info = &interner->info[index];
  info->ptr = ptr;
  info->key = key;
  info->len = len;
  info->hash = hash;
  return id;
}

/* The id of a single byte seen for the first time. */
static G_GNUC_NO_INLINE guint32
interner_new_byte_id (Interner   *interner,
                      const char *ptr)
{
  guint32 id = interner_next_id (interner, 0, (guchar) *ptr, ptr, 1);

  interner->byte_ids[(guchar) *ptr] = id;
  return id;
}

static guint32
interner_new_id (Interner   *interner,
                 guint32     slot,
                 guint32     hash,
                 guint64     key,
                 const char *ptr,
                 guint32     len)
{
  guint32 id = interner_next_id (interner, hash, key, ptr, len);

  interner->table[slot] = ((guint64) hash << 32) | ((guint64) id + 1);
  /* At most three quarters full. */
  if (++interner->n_used * 4 > (interner->mask + 1) * 3)
    interner_grow (interner);
  return id;
}

/* The id of the token [ptr, ptr + len), which lies inside a text ending at @end. */
static inline guint32
interner_add (Interner   *interner,
              const char *ptr,
              guint32     len,
              const char *end)
{
  guint64 key;
  guint32 hash, i;

  if (len == 1 && !interner->squeeze_space)
    {
      guint32 id = interner->byte_ids[(guchar) ptr[0]];

      return id != G_MAXUINT32 ? id : interner_new_byte_id (interner, ptr);
    }
  if (interner->squeeze_space)
    {
      hash = hash_squeezed (ptr, len);
      key = hash;
    }
  else
    {
      key = load_head (ptr, len, end);
      hash = hash_key (ptr, len, key);
    }

  for (i = hash & interner->mask;; i = (i + 1) & interner->mask)
    {
      guint64 entry = interner->table[i];
      const IdInfo *info;
      guint32 id;

      if (entry == 0)
        return interner_new_id (interner, i, hash, key, ptr, len);
      if ((guint32) (entry >> 32) != hash)
        continue;
      id = (guint32) entry - 1;
      info = &interner->info[id - interner->first_id];
      if (info->key != key)
        continue;
      if (interner->squeeze_space)
        {
          if (equal_squeezed (info->ptr, info->len, ptr, len))
            return id;
        }
      else if (info->len == len && (len <= 8 || memcmp (info->ptr + 8, ptr + 8, len - 8) == 0))
        return id;
    }
}

/* Empties the table for another text, keeping it when it is still small. */
void
_clair_diff_interner_reset (Interner *interner)
{
  if (interner->mask >= 1024)
    {
      g_free (interner->table);
      interner->table = g_new0 (guint64, 64);
      interner->mask = 63;
    }
  else
    memset (interner->table, 0, sizeof (guint64) * (interner->mask + 1));
  memset (interner->byte_ids, 0xff, sizeof interner->byte_ids);
  interner->n_ids = interner->first_id;
  interner->n_used = 0;
}

void
_clair_diff_interner_clear (Interner *interner)
{
  g_clear_pointer (&interner->table, g_free);
  g_clear_pointer (&interner->info, g_free);
  interner->info_capacity = 0;
}

/* The starts and the ids of a side share one buffer: starts[capacity + 1], then ids[capacity]. */
static gsize
side_bytes (gsize capacity)
{
  return (2 * capacity + 1) * sizeof (guint32);
}

static void
side_reserve (Side  *side,
              gsize  capacity)
{
  guint32 *starts = _clair_diff_big_alloc (side_bytes (capacity));
  guint32 *ids = starts + capacity + 1;

  if (side->starts != NULL)
    {
      memcpy (starts, side->starts, side->n * sizeof (guint32));
      memcpy (ids, side->ids, side->n * sizeof (guint32));
      _clair_diff_big_free (side->starts, side_bytes (side->capacity));
    }
  side->starts = starts;
  side->ids = ids;
  side->capacity = (guint) capacity;
}

static inline void
side_push (Side     *side,
           Interner *interner,
           gboolean  ignore_space,
           gsize     start,
           gsize     end,
           guint32   cls)
{
  guint n = side->n;

  if (G_UNLIKELY (n == side->capacity))
    side_reserve (side, (gsize) side->capacity * 2 + 16);
  side->starts[n] = (guint32) start | cls << START_BITS;
  if (interner == NULL)
    ;
  else if (ignore_space && cls == CLS_SPACE)
    side->ids[n] = 0;
  else if (end - start == 1 && !interner->squeeze_space)
    {
      guint32 id = interner->byte_ids[(guchar) side->text[start]];

      side->ids[n] = id != G_MAXUINT32 ? id : interner_new_byte_id (interner, side->text + start);
    }
  else
    side->ids[n] = interner_add (interner, side->text + start, (guint32) (end - start),
                                 side->text + side->len);
  side->n = n + 1;
}

static void
split_lines (Side *side)
{
  const char *text = side->text;
  gsize len = side->len;
  gsize pos = 0, n_lines = 0;

  for (const char *p = text; (p = memchr (p, '\n', len - (p - text))) != NULL; p++)
    n_lines++;
  side_reserve (side, n_lines + 1);
  while (pos < len)
    {
      const char *nl = memchr (text + pos, '\n', len - pos);
      gsize end = nl ? (gsize) (nl - text) + 1 : len;
      guint32 cls = CLS_SPACE;

      for (gsize i = pos; i < end; i++)
        if (!g_ascii_isspace (text[i]))
          {
            cls = CLS_WORD;
            break;
          }
      side_push (side, NULL, FALSE, pos, end, cls);
      pos = end;
    }
}

/* Off in the tests only, to compare the two ways of cutting ASCII text. */
static gboolean blocks_enabled = TRUE;

gboolean
_clair_diff_tokens_use_blocks (gboolean use)
{
  gboolean was = blocks_enabled;

  blocks_enabled = use;
  return was;
}

#if defined(__SSE2__)
/* Where tokens start among the 16 bytes at @p, if they are all ASCII: bit i of *@starts is set
 * when p[i] is punctuation or of another class than p[i - 1] (bit 0 as if p[-1] were of no class:
 * whether a token starts there depends on the token open before). The same cut as the byte by
 * byte loop of tokenize() makes, sixteen bytes at a time. */
static inline gboolean
ascii_block_starts (const char *p,
                    guint32    *starts)
{
  __m128i v = _mm_loadu_si128 ((const __m128i *) p);
  __m128i lower = _mm_or_si128 (v, _mm_set1_epi8 (0x20));
  __m128i space, digit, alpha;
  guint32 s, w;

  if (_mm_movemask_epi8 (v) != 0)
    return FALSE;
  /* Whitespace as g_ascii_isspace() has it: \t \n \f \r and space, not \v. */
  space = _mm_and_si128 (_mm_cmpgt_epi8 (v, _mm_set1_epi8 ('\t' - 1)),
                         _mm_cmpgt_epi8 (_mm_set1_epi8 ('\r' + 1), v));
  space = _mm_andnot_si128 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('\v')), space);
  space = _mm_or_si128 (space, _mm_cmpeq_epi8 (v, _mm_set1_epi8 (' ')));
  digit = _mm_and_si128 (_mm_cmpgt_epi8 (v, _mm_set1_epi8 ('0' - 1)),
                         _mm_cmpgt_epi8 (_mm_set1_epi8 ('9' + 1), v));
  alpha = _mm_and_si128 (_mm_cmpgt_epi8 (lower, _mm_set1_epi8 ('a' - 1)),
                         _mm_cmpgt_epi8 (_mm_set1_epi8 ('z' + 1), lower));
  s = (guint32) _mm_movemask_epi8 (space);
  w = (guint32) _mm_movemask_epi8 (_mm_or_si128 (digit, alpha));
  *starts = (~(s | w) & 0xffff) | (w & ~(w << 1)) | (s & ~(s << 1));
  return TRUE;
}
#endif

/* Cuts side->text into tokens (appending to side's arrays) and, with @interner, gives each its
 * id (every whitespace token id 0 with @ignore_space). With SPLIT_CLUSTERS every character with
 * its combining marks is a token; with SPLIT_WORDS letters and digits gather into words and
 * whitespace into runs. */
static void
tokenize (Side     *side,
          Split     split,
          Interner *interner,
          gboolean  ignore_space)
{
  const char *text = side->text;
  gsize len = side->len;
  gsize pos = 0;
  gsize start = 0;
  int cls = -1;              /* class of the open token, -1 when none is open */
  gboolean extendable = FALSE;
  gboolean join_next = FALSE;
  gboolean lone_ri = FALSE;

  if (split == SPLIT_LINES)
    {
      split_lines (side);
      return;
    }

  while (pos < len)
    {
      guchar ch = (guchar) text[pos];
      gsize n = 1;
      int ccls;
      gboolean single = FALSE;
      gboolean attach = FALSE;
      gboolean ri = FALSE;

#if defined(__SSE2__)
      if (split == SPLIT_WORDS && !join_next && len - pos >= 16 && blocks_enabled)
        {
          guint32 starts;

          if (ascii_block_starts (text + pos, &starts))
            {
              int first = byte_class[ch];

              /* The block's first byte may continue the open token, as below. */
              if (cls >= 0 && first != CLS_PUNCT && first == cls && extendable)
                starts &= ~1u;
              while (starts != 0)
                {
                  gsize at = pos + (gsize) __builtin_ctz (starts);

                  starts &= starts - 1;
                  if (cls >= 0)
                    side_push (side, interner, ignore_space, start, at, cls);
                  start = at;
                  cls = byte_class[(guchar) text[at]];
                  extendable = cls != CLS_PUNCT;
                }
              pos += 16;
              lone_ri = FALSE;
              continue;
            }
        }
#endif
      if (ch < 0x80 && split == SPLIT_WORDS && !join_next)
        {
          /* Fast path for plain ASCII words: a run of one class is a token, and so is each
           * punctuation byte. A run stays open: a combining mark or a letter may follow. */
          ccls = byte_class[ch];
          if (ccls == CLS_PUNCT || ccls != cls || !extendable)
            {
              if (cls >= 0)
                side_push (side, interner, ignore_space, start, pos, cls);
              start = pos;
              cls = ccls;
              extendable = ccls != CLS_PUNCT;
            }
          pos++;
          lone_ri = FALSE;
          if (ccls != CLS_PUNCT)
            while (pos < len && byte_class[(guchar) text[pos]] == ccls)
              pos++;
          continue;
        }
      if (ch < 0x80)
        {
          ccls = byte_class[ch];
          single = ccls == CLS_PUNCT;
          attach = join_next;
        }
      else
        {
          gunichar c = g_utf8_get_char_validated (text + pos, len - pos);

          if (c == (gunichar) -1 || c == (gunichar) -2)
            {
              ccls = CLS_PUNCT;
              single = TRUE;
            }
          else
            {
              n = g_utf8_skip[ch];
              if (join_next || (cls >= 0 && is_attaching (c)))
                attach = TRUE;
              else if (is_regional_indicator (c))
                {
                  ri = TRUE;
                  attach = lone_ri;
                }
              ccls = g_unichar_isspace (c) ? CLS_SPACE : g_unichar_isalnum (c) ? CLS_WORD : CLS_PUNCT;
              if (ccls != CLS_SPACE && (g_unichar_iswide (c) || ccls == CLS_PUNCT))
                single = TRUE;
              if (c == 0x200D)
                {
                  join_next = TRUE;
                  pos += n;
                  if (cls < 0)
                    {
                      start = pos - n;
                      cls = CLS_PUNCT;
                      extendable = FALSE;
                    }
                  continue;
                }
            }
        }

      if (attach && cls >= 0)
        {
          join_next = FALSE;
          lone_ri = FALSE;
          pos += n;
          continue;
        }
      join_next = FALSE;

      if (split == SPLIT_WORDS && !single && cls == ccls && extendable)
        {
          pos += n;
          lone_ri = FALSE;
          continue;
        }

      if (cls >= 0)
        side_push (side, interner, ignore_space, start, pos, cls);
      start = pos;
      cls = ccls;
      extendable = !single && split == SPLIT_WORDS;
      lone_ri = ri;
      pos += n;
    }
  if (cls >= 0)
    side_push (side, interner, ignore_space, start, pos, cls);
}

void
_clair_diff_side_clear (Side *side)
{
  if (side->starts != NULL)
    _clair_diff_big_free (side->starts, side_bytes (side->capacity));
  side->starts = NULL;
  side->ids = NULL;
  side->n = side->capacity = 0;
}

/* Tokenises @text into @side; with @interner the ids are given as the tokens are cut. */
void
_clair_diff_side_tokenize (Side       *side,
                           const char *text,
                           gsize       len,
                           Split       split,
                           Interner   *interner,
                           gboolean    ignore_space)
{
  side->text = text;
  side->len = len;
  side->n = 0;
  if (split != SPLIT_LINES)
    {
      gsize capacity = split == SPLIT_WORDS ? len / 2 + 16 : len + 1;

      if (side->capacity < capacity)
        side_reserve (side, capacity);
    }
  tokenize (side, split, interner, ignore_space);
  side->starts[side->n] = (guint32) len;
}

/* Rewrites the ids of @side, given by @from, into the id space of @to. */
void
_clair_diff_interner_translate (Interner *to,
                                Interner *from,
                                Side     *side)
{
  g_autofree guint32 *map = g_new (guint32, from->n_ids + 1);
  const char *end = side->text + side->len;

  g_assert (from->first_id == 1 && !from->squeeze_space && !to->squeeze_space);
  map[0] = 0;  /* whitespace with ignore_space */
  for (guint32 id = from->first_id; id < from->n_ids; id++)
    {
      const IdInfo *info = &from->info[id - from->first_id];

      map[id] = interner_add (to, info->ptr, info->len, end);
    }
  for (guint i = 0; i < side->n; i++)
    side->ids[i] = map[side->ids[i]];
}

/* Gives every token of @side its id (after a tokenize() without interner). */
void
_clair_diff_intern_tokens (Interner *interner,
                           Side     *side)
{
  for (guint i = 0; i < side->n; i++)
    side->ids[i] = interner_add (interner, side->text + tok_start (side, i),
                                 tok_start (side, i + 1) - tok_start (side, i), side->text + side->len);
}


/* The clusters of a plain ASCII text are its bytes, and each byte is its own id. */
void
_clair_diff_side_ascii_clusters (Side       *side,
                                 const char *text,
                                 gsize       len)
{
  side->text = text;
  side->len = len;
  if (side->capacity < len + 1)
    side_reserve (side, len + 1);
  for (gsize i = 0; i < len; i++)
    {
      side->starts[i] = (guint32) i | (guint32) byte_class[(guchar) text[i]] << START_BITS;
      side->ids[i] = (guchar) text[i];
    }
  side->starts[len] = (guint32) len;
  side->n = (guint) len;
}
