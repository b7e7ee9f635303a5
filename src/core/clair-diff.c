/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-diff"

#include "config.h"

#include <limits.h>
#include <string.h>

#include "clair-diff.h"

/* The engine works in three spaces: bytes (the inputs and the ops handed out), tokens (words,
 * whitespace runs, punctuation, or lines; interned to integer ids so comparing two is one integer
 * compare) and change marks (one byte per token, as GNU diff keeps them), which every stage —
 * prefix and suffix stripping, one-sided token discarding, patience anchors, Myers' middle snake —
 * writes into without having to splice edit scripts together. */

/* Above this many tokens (after stripping and discarding), the sequences are first cut at tokens
 * that occur once on each side; below it the diff is exactly minimal. */
#define ANCHOR_MIN_TOKENS 4096
/* Character refinement is skipped for replaced runs longer than this (in clusters, per side). */
#define REFINE_MAX_CLUSTERS 4000
/* Bit-parallel Levenshtein cost budget, in 64-bit block updates. */
#define LEVENSHTEIN_BUDGET (100 * 1000 * 1000)
/* In line mode, replaced runs of lines up to this size are diffed again by words. */
#define LINE_RUN_MAX_BYTES (256 * 1024)

typedef enum
{
  CLS_WORD,
  CLS_SPACE,
  CLS_PUNCT,
  CLS_NON_ASCII,  /* in byte_class only */
} TokenClass;

typedef enum
{
  SPLIT_WORDS,
  SPLIT_LINES,
  SPLIT_CLUSTERS,
} Split;

struct _ClairDiff
{
  gatomicrefcount      ref_count;
  ClairDiffFlags       flags;
  ClairDiffGranularity granularity;
  GArray              *ops;
  GArray              *refined;
  ClairDiffStats       stats;
};

G_DEFINE_BOXED_TYPE (ClairDiff, clair_diff, clair_diff_ref, clair_diff_unref)

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

/* Multi-byte tokens live in an open-addressing table of 8-byte entries (the hash above, the id + 1
 * below), with what identifies each id (its first 8 bytes, its length, where it is) in an array by
 * id: the table stays small enough for the cache, and most words compare with one integer compare
 * without touching the text again. Single bytes (spaces, punctuation) have a table of their own. */
typedef struct
{
  const char *ptr;
  guint64     key;   /* the first 8 bytes, zero-padded; the hash with squeeze_space */
  guint32     len;
  guint32     hash;
} IdInfo;

typedef struct
{
  guint64 *table;
  guint32  mask;
  guint32  n_used;
  guint32  first_id;
  guint32  n_ids;
  IdInfo  *info;           /* by id - first_id */
  guint32  info_capacity;
  gboolean squeeze_space;  /* lines compare without their whitespace */
  guint32  byte_ids[256];  /* G_MAXUINT32 when not seen yet */
} Interner;

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

static void
interner_init (Interner *interner,
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
static void
interner_reset (Interner *interner)
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

static void
interner_clear (Interner *interner)
{
  g_clear_pointer (&interner->table, g_free);
  g_clear_pointer (&interner->info, g_free);
  interner->info_capacity = 0;
}

/* Tokens of one text, as parallel arrays: token i starts at byte tok_start (side, i) and ends
 * where the next one starts (the tokens cover the text, and the start of token n is len), is of
 * class tok_cls (side, i) and interned as ids[i]. The class lives in the top two bits of the start
 * (texts are under 1 GiB), so a token costs 8 bytes. */
#define START_BITS 30
#define START_MASK ((1u << START_BITS) - 1)
typedef struct
{
  const char *text;
  gsize       len;
  guint       n;
  guint       capacity;
  guint32    *starts;  /* start | class << START_BITS */
  guint32    *ids;
} Side;

static inline guint32
tok_start (const Side *side,
           guint32     i)
{
  return side->starts[i] & START_MASK;
}

static inline guint
tok_cls (const Side *side,
         guint32     i)
{
  return side->starts[i] >> START_BITS;
}

static void
side_reserve (Side  *side,
              gsize  capacity)
{
  /* realloc of a large block remaps its pages rather than copying them. */
  side->starts = g_renew (guint32, side->starts, capacity + 1);
  side->ids = g_renew (guint32, side->ids, capacity);
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

static void
side_clear (Side *side)
{
  g_clear_pointer (&side->starts, g_free);
  g_clear_pointer (&side->ids, g_free);
  side->n = side->capacity = 0;
}

/* Tokenises @text into @side; with @interner the ids are given as the tokens are cut. */
static void
side_tokenize (Side       *side,
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

/* Tokenising the two sides of a large word diff in parallel: the revision is cut and interned
 * on a worker thread with an interner of its own, and its ids are then translated into the
 * original's. The ids only ever meet in equality tests, so the result is the same as with one
 * interner, whatever the timing. */

/* Combined size from which the two sides are tokenised in parallel. */
#define PARALLEL_MIN_BYTES (128 * 1024)

typedef struct
{
  Side     *side;
  Interner  interner;
  gboolean  ignore_space;
} TokenizeJob;

static gpointer
tokenize_job (gpointer data)
{
  TokenizeJob *job = data;

  side_tokenize (job->side, job->side->text, job->side->len, SPLIT_WORDS, &job->interner,
                 job->ignore_space);
  return NULL;
}

/* Rewrites the ids of @side, given by @from, into the id space of @to. */
static void
interner_translate (Interner *to,
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

/* side_tokenize() of both sides for a word diff, with one interner for both in the end. */
static void
tokenize_pair (Side       *sa,
               const char *a,
               gsize       a_len,
               Side       *sb,
               const char *b,
               gsize       b_len,
               Interner   *interner,
               gboolean    ignore_space)
{
  TokenizeJob job;
  GThread *thread = NULL;

  if (a_len + b_len >= PARALLEL_MIN_BYTES && g_get_num_processors () > 1)
    {
      sb->text = b;
      sb->len = b_len;
      job.side = sb;
      job.ignore_space = ignore_space;
      interner_init (&job.interner, 0, 1, FALSE);
      thread = g_thread_try_new ("clair-diff", tokenize_job, &job, NULL);
      if (thread == NULL)
        interner_clear (&job.interner);
    }
  side_tokenize (sa, a, a_len, SPLIT_WORDS, interner, ignore_space);
  if (thread == NULL)
    {
      side_tokenize (sb, b, b_len, SPLIT_WORDS, interner, ignore_space);
      return;
    }
  g_thread_join (thread);
  interner_translate (interner, &job.interner, sb);
  interner_clear (&job.interner);
}

/* Gives every token of @side its id (after a tokenize() without interner). */
static void
intern_tokens (Interner *interner,
               Side     *side)
{
  for (guint i = 0; i < side->n; i++)
    side->ids[i] = interner_add (interner, side->text + tok_start (side, i),
                                 tok_start (side, i + 1) - tok_start (side, i), side->text + side->len);
}

/* Scratch memory: a bump allocator whose blocks are reused from one stage (and one replaced run)
 * to the next, so the many short-lived arrays of a diff cost neither malloc calls nor fresh
 * pages. Allocations are released together back to a mark. */

typedef struct _ArenaBlock ArenaBlock;

struct _ArenaBlock
{
  ArenaBlock *prev;
  gsize       size;
  gsize       used;
  /* data follows, 16-byte aligned */
};

#define ARENA_HEADER ((sizeof (ArenaBlock) + 15) & ~(gsize) 15)

typedef struct
{
  ArenaBlock *top;
} Arena;

typedef struct
{
  ArenaBlock *block;
  gsize       used;
} ArenaMark;

static gpointer
arena_alloc (Arena *arena,
             gsize  size)
{
  ArenaBlock *top = arena->top;

  size = (size + 15) & ~(gsize) 15;
  if (top == NULL || top->size - top->used < size)
    {
      gsize block_size = MAX (size, top != NULL ? MIN (top->size * 2, (gsize) 64 << 20) : 16384);

      top = g_malloc (ARENA_HEADER + block_size);
      top->prev = arena->top;
      top->size = block_size;
      top->used = 0;
      arena->top = top;
    }
  top->used += size;
  return (char *) top + ARENA_HEADER + top->used - size;
}

static gpointer
arena_alloc0 (Arena *arena,
              gsize  size)
{
  return memset (arena_alloc (arena, size), 0, size);
}

#define arena_new(arena, type, n)  ((type *) arena_alloc ((arena), sizeof (type) * (gsize) (n)))
#define arena_new0(arena, type, n) ((type *) arena_alloc0 ((arena), sizeof (type) * (gsize) (n)))

static inline ArenaMark
arena_mark (Arena *arena)
{
  ArenaMark mark = { arena->top, arena->top != NULL ? arena->top->used : 0 };

  return mark;
}

/* Frees everything allocated since @mark. Released to the empty mark, the arena keeps its newest
 * (largest) block for what comes next. */
static void
arena_release (Arena     *arena,
               ArenaMark  mark)
{
  if (mark.block == NULL && arena->top != NULL)
    {
      ArenaBlock *keep = arena->top;

      while (keep->prev != NULL)
        {
          ArenaBlock *block = keep->prev;

          keep->prev = block->prev;
          g_free (block);
        }
      keep->used = 0;
      return;
    }
  while (arena->top != mark.block)
    {
      ArenaBlock *block = arena->top;

      arena->top = block->prev;
      g_free (block);
    }
  if (arena->top != NULL)
    arena->top->used = mark.used;
}

static void
arena_clear (Arena *arena)
{
  while (arena->top != NULL)
    {
      ArenaBlock *block = arena->top;

      arena->top = block->prev;
      g_free (block);
    }
}

/* Myers' O(ND) diff in linear space, after GNU diffutils' diffseq.h */

typedef struct
{
  const guint32 *x;
  const guint32 *y;
  guint8        *xchg;
  guint8        *ychg;
  int           *fdiag;
  int           *bdiag;
  int            too_expensive;
} Ctx;

/* Finds the midpoint of the shortest edit script of x[xoff, xlim) and y[yoff, ylim), or, past
 * too_expensive steps, a good-enough point on the furthest-reaching diagonal. */
static void
find_middle (Ctx *ctx,
             int  xoff,
             int  xlim,
             int  yoff,
             int  ylim,
             int *xmid,
             int *ymid)
{
  const guint32 *xv = ctx->x;
  const guint32 *yv = ctx->y;
  int *const fd = ctx->fdiag;
  int *const bd = ctx->bdiag;
  const int dmin = xoff - ylim;
  const int dmax = xlim - yoff;
  const int fmid = xoff - yoff;
  const int bmid = xlim - ylim;
  int fmin = fmid, fmax = fmid;
  int bmin = bmid, bmax = bmid;
  const gboolean odd = (fmid - bmid) & 1;

  fd[fmid] = xoff;
  bd[bmid] = xlim;

  for (int c = 1;; ++c)
    {
      int d;

      if (fmin > dmin)
        fd[--fmin - 1] = -1;
      else
        ++fmin;
      if (fmax < dmax)
        fd[++fmax + 1] = -1;
      else
        --fmax;
      for (d = fmax; d >= fmin; d -= 2)
        {
          int x, y, tlo = fd[d - 1], thi = fd[d + 1];
          int x0 = tlo >= thi ? tlo + 1 : thi;

          for (x = x0, y = x0 - d; x < xlim && y < ylim && xv[x] == yv[y]; x++, y++)
            ;
          fd[d] = x;
          if (odd && bmin <= d && d <= bmax && bd[d] <= x)
            {
              *xmid = x;
              *ymid = y;
              return;
            }
        }

      if (bmin > dmin)
        bd[--bmin - 1] = INT_MAX;
      else
        ++bmin;
      if (bmax < dmax)
        bd[++bmax + 1] = INT_MAX;
      else
        --bmax;
      for (d = bmax; d >= bmin; d -= 2)
        {
          int x, y, tlo = bd[d - 1], thi = bd[d + 1];
          int x0 = tlo < thi ? tlo : thi - 1;

          for (x = x0, y = x0 - d; xoff < x && yoff < y && xv[x - 1] == yv[y - 1]; x--, y--)
            ;
          bd[d] = x;
          if (!odd && fmin <= d && d <= fmax && x <= fd[d])
            {
              *xmid = x;
              *ymid = y;
              return;
            }
        }

      if (c >= ctx->too_expensive)
        {
          /* Give up on minimality: take the diagonal that got furthest, forwards or backwards. */
          int fxybest = -1, fxbest = xoff;
          int bxybest = INT_MAX, bxbest = xlim;

          for (d = fmax; d >= fmin; d -= 2)
            {
              int x = MIN (fd[d], xlim);
              int y = x - d;

              if (ylim < y)
                {
                  x = ylim + d;
                  y = ylim;
                }
              if (fxybest < x + y)
                {
                  fxybest = x + y;
                  fxbest = x;
                }
            }
          for (d = bmax; d >= bmin; d -= 2)
            {
              int x = MAX (xoff, bd[d]);
              int y = x - d;

              if (y < yoff)
                {
                  x = yoff + d;
                  y = yoff;
                }
              if (x + y < bxybest)
                {
                  bxybest = x + y;
                  bxbest = x;
                }
            }
          if ((xlim + ylim) - bxybest < fxybest - (xoff + yoff))
            {
              *xmid = fxbest;
              *ymid = fxybest - fxbest;
            }
          else
            {
              *xmid = bxbest;
              *ymid = bxybest - bxbest;
            }
          return;
        }
    }
}

static void
compare_seq (Ctx *ctx,
             int  xoff,
             int  xlim,
             int  yoff,
             int  ylim)
{
  const guint32 *xv = ctx->x;
  const guint32 *yv = ctx->y;

  for (;;)
    {
      int xmid, ymid;

      while (xoff < xlim && yoff < ylim && xv[xoff] == yv[yoff])
        xoff++, yoff++;
      while (xoff < xlim && yoff < ylim && xv[xlim - 1] == yv[ylim - 1])
        xlim--, ylim--;

      if (xoff == xlim)
        {
          memset (ctx->ychg + yoff, 1, ylim - yoff);
          return;
        }
      if (yoff == ylim)
        {
          memset (ctx->xchg + xoff, 1, xlim - xoff);
          return;
        }

      find_middle (ctx, xoff, xlim, yoff, ylim, &xmid, &ymid);
      /* Recurse into the smaller half, loop on the larger: the stack stays shallow. */
      if ((xmid - xoff) + (ymid - yoff) < (xlim - xmid) + (ylim - ymid))
        {
          compare_seq (ctx, xoff, xmid, yoff, ymid);
          xoff = xmid;
          yoff = ymid;
        }
      else
        {
          compare_seq (ctx, xmid, xlim, ymid, ylim);
          xlim = xmid;
          ylim = ymid;
        }
    }
}

/* Longest increasing subsequence of @ys (patience sorting); returns its indices in @out. */
static guint
longest_increasing (Arena         *arena,
                    const guint32 *ys,
                    guint          n,
                    guint32       *out)
{
  guint32 *tails = arena_new (arena, guint32, n + 1);
  guint32 *prev = arena_new (arena, guint32, n + 1);
  guint len = 0;

  for (guint i = 0; i < n; i++)
    {
      guint lo = 0, hi = len;

      while (lo < hi)
        {
          guint mid = (lo + hi) / 2;

          if (ys[tails[mid]] < ys[i])
            lo = mid + 1;
          else
            hi = mid;
        }
      prev[i] = lo > 0 ? tails[lo - 1] : G_MAXUINT32;
      tails[lo] = i;
      if (lo == len)
        len++;
    }
  if (len > 0)
    {
      guint32 k = tails[len - 1];

      for (guint i = len; i > 0; i--)
        {
          out[i - 1] = k;
          k = prev[k];
        }
    }
  return len;
}

static void
run_myers (Arena         *arena,
           const guint32 *x,
           int            nx,
           const guint32 *y,
           int            ny,
           guint8        *xchg,
           guint8        *ychg,
           const int     *xcuts,
           const int     *ycuts,
           guint          n_cuts)
{
  ArenaMark mark = arena_mark (arena);
  int *fdiag = arena_new (arena, int, 2 * ((gsize) nx + ny + 3));
  Ctx ctx;
  int diags, xprev = 0, yprev = 0;

  ctx.x = x;
  ctx.y = y;
  ctx.xchg = xchg;
  ctx.ychg = ychg;
  ctx.fdiag = fdiag + ny + 1;
  ctx.bdiag = ctx.fdiag + nx + ny + 3;
  ctx.too_expensive = 1;
  for (diags = nx + ny + 3; diags != 0; diags >>= 2)
    ctx.too_expensive <<= 1;
  ctx.too_expensive = MAX (4096, ctx.too_expensive);

  for (guint k = 0; k <= n_cuts; k++)
    {
      int xnext = k < n_cuts ? xcuts[k] : nx;
      int ynext = k < n_cuts ? ycuts[k] : ny;

      compare_seq (&ctx, xprev, xnext, yprev, ynext);
      /* The anchor itself matches. */
      xprev = xnext + 1;
      yprev = ynext + 1;
    }
  arena_release (arena, mark);
}

/* A token that occurs once on each side may still be a coincidence (a rare word inserted in the
 * revision that the original uses elsewhere); an anchor must agree with its neighbours too. */
static gboolean
anchor_confirmed (const guint32 *x,
                  guint          nx,
                  guint          i,
                  const guint32 *y,
                  guint          ny,
                  guint          j)
{
  gboolean before = i >= 2 && j >= 2 && x[i - 1] == y[j - 1] && x[i - 2] == y[j - 2];
  gboolean after = i + 2 < nx && j + 2 < ny && x[i + 1] == y[j + 1] && x[i + 2] == y[j + 2];

  return before || after;
}

/* Marks in @a_chg and @b_chg the tokens outside a longest common subsequence of @a and @b (exactly
 * one when no anchors are used). @n_ids bounds the ids. With @a_scratch and @b_scratch (which
 * must be @a and @b) the sequences are compacted in place; with @a_map and @b_map, the mark of
 * a[i] goes to a_chg[a_map[i]] (the caller clears the marks) and the maps are overwritten. */
static void
diff_ids_scratch (Arena         *arena,
                  const guint32 *a,
                  guint          n,
                  const guint32 *b,
                  guint          m,
                  guint32        n_ids,
                  gboolean       use_anchors,
                  guint32       *a_scratch,
                  guint32       *b_scratch,
                  guint32       *a_map,
                  guint32       *b_map,
                  guint8        *a_chg,
                  guint8        *b_chg)
{
  ArenaMark mark;
  guint32 *count_a, *count_b, *x, *y, *xmap, *ymap;
  guint8 *xchg, *ychg;
  int *xcuts = NULL;
  int *ycuts = NULL;
  guint lo = 0, hi_a = n, hi_b = m;
  guint nx = 0, ny = 0, n_cuts = 0;

  /* With maps, the marks are the caller's (already cleared) and sequence index i is a_map[i]. */
  if (a_map == NULL)
    {
      memset (a_chg, 0, n);
      memset (b_chg, 0, m);
    }

  while (lo < n && lo < m && a[lo] == b[lo])
    lo++;
  while (hi_a > lo && hi_b > lo && a[hi_a - 1] == b[hi_b - 1])
    hi_a--, hi_b--;
  if (lo == hi_a || lo == hi_b)
    {
      if (a_map == NULL)
        {
          memset (a_chg + lo, 1, hi_a - lo);
          memset (b_chg + lo, 1, hi_b - lo);
          return;
        }
      for (guint i = lo; i < hi_a; i++)
        a_chg[a_map[i]] = 1;
      for (guint j = lo; j < hi_b; j++)
        b_chg[b_map[j]] = 1;
      return;
    }

  /* A token that never occurs on the other side cannot be matched: drop it before Myers. */
  mark = arena_mark (arena);
  count_a = arena_new0 (arena, guint32, n_ids);
  count_b = arena_new0 (arena, guint32, n_ids);
  for (guint i = lo; i < hi_a; i++)
    count_a[a[i]]++;
  for (guint j = lo; j < hi_b; j++)
    count_b[b[j]]++;

  /* In place when @a and @b are the caller's scratch: x[k] is written after a[lo + k..] is read. */
  x = a_scratch != NULL ? a_scratch : arena_new (arena, guint32, hi_a - lo);
  xmap = a_map != NULL ? a_map : arena_new (arena, guint32, hi_a - lo);
  for (guint i = lo; i < hi_a; i++)
    {
      if (count_b[a[i]] == 0)
        a_chg[a_map != NULL ? a_map[i] : i] = 1;
      else
        {
          x[nx] = a[i];
          xmap[nx++] = a_map != NULL ? a_map[i] : i;
        }
    }
  y = b_scratch != NULL ? b_scratch : arena_new (arena, guint32, hi_b - lo);
  ymap = b_map != NULL ? b_map : arena_new (arena, guint32, hi_b - lo);
  for (guint j = lo; j < hi_b; j++)
    {
      if (count_a[b[j]] == 0)
        b_chg[b_map != NULL ? b_map[j] : j] = 1;
      else
        {
          y[ny] = b[j];
          ymap[ny++] = b_map != NULL ? b_map[j] : j;
        }
    }

  if (use_anchors && nx + ny > ANCHOR_MIN_TOKENS)
    {
      /* Patience anchors: tokens occurring exactly once on each side, kept in increasing order. */
      guint32 *pos_b = arena_new (arena, guint32, n_ids);
      guint32 *pair_x = arena_new (arena, guint32, MIN (nx, ny) + 1);
      guint32 *pair_y = arena_new (arena, guint32, MIN (nx, ny) + 1);
      guint32 *chosen;
      guint n_pairs = 0, n_chosen;

      for (guint j = 0; j < ny; j++)
        if (count_a[y[j]] == 1 && count_b[y[j]] == 1)
          pos_b[y[j]] = j;
      for (guint i = 0; i < nx && n_pairs < MIN (nx, ny); i++)
        if (count_a[x[i]] == 1 && count_b[x[i]] == 1 && anchor_confirmed (x, nx, i, y, ny, pos_b[x[i]]))
          {
            pair_x[n_pairs] = i;
            pair_y[n_pairs++] = pos_b[x[i]];
          }
      chosen = arena_new (arena, guint32, n_pairs + 1);
      n_chosen = longest_increasing (arena, pair_y, n_pairs, chosen);
      xcuts = arena_new (arena, int, n_chosen + 1);
      ycuts = arena_new (arena, int, n_chosen + 1);
      for (guint k = 0; k < n_chosen; k++)
        {
          xcuts[k] = (int) pair_x[chosen[k]];
          ycuts[k] = (int) pair_y[chosen[k]];
        }
      n_cuts = n_chosen;
    }

  xchg = arena_new0 (arena, guint8, nx + 1);
  ychg = arena_new0 (arena, guint8, ny + 1);
  run_myers (arena, x, (int) nx, y, (int) ny, xchg, ychg, xcuts, ycuts, n_cuts);
  for (guint i = 0; i < nx; i++)
    if (xchg[i])
      a_chg[xmap[i]] = 1;
  for (guint j = 0; j < ny; j++)
    if (ychg[j])
      b_chg[ymap[j]] = 1;
  arena_release (arena, mark);
}

static inline void
diff_ids (Arena         *arena,
          const guint32 *a,
          guint          n,
          const guint32 *b,
          guint          m,
          guint32        n_ids,
          gboolean       use_anchors,
          guint8        *a_chg,
          guint8        *b_chg)
{
  diff_ids_scratch (arena, a, n, b, m, n_ids, use_anchors, NULL, NULL, NULL, NULL, a_chg, b_chg);
}

/* The minimal diff of two short runs, without the bookkeeping of diff_ids(). */
static void
diff_small (Arena         *arena,
            const guint32 *a,
            guint          n,
            const guint32 *b,
            guint          m,
            guint8        *a_chg,
            guint8        *b_chg)
{
  guint lo = 0;

  while (lo < n && lo < m && a[lo] == b[lo])
    lo++;
  while (n > lo && m > lo && a[n - 1] == b[m - 1])
    n--, m--;
  if (lo == n || lo == m)
    {
      memset (a_chg + lo, 1, n - lo);
      memset (b_chg + lo, 1, m - lo);
      return;
    }
  run_myers (arena, a + lo, (int) (n - lo), b + lo, (int) (m - lo), a_chg + lo, b_chg + lo, NULL, NULL, 0);
}

/* The word alignment of a diff, kept for the metrics of the same pair: a[i] is set when the i-th
 * word (or punctuation) token of the original is outside the common subsequence. */
typedef struct
{
  guint8 *a;
  guint8 *b;
  guint   na;
  guint   nb;
} WordMarks;

/* The marks of the word tokens of @side, in order, from the marks of all its tokens. */
static guint8 *
word_marks_of (const Side   *side,
               const guint8 *chg,
               guint         n_words)
{
  guint8 *marks = g_new (guint8, n_words + 1);
  guint k = 0;

  for (guint t = 0; t < side->n; t++)
    if (tok_cls (side, t) != CLS_SPACE)
      marks[k++] = chg[t];
  g_assert (k == n_words);
  return marks;
}

/* Word diffs align words first, as git's word diff does, so that a line break that moved never
 * outbids a word for a place in the common subsequence; the tokens between two matched words
 * (whitespace, and the words that changed) are then aligned among themselves. */
static void
diff_words_then_gaps (Arena      *arena,
                      const Side *sa,
                      const Side *sb,
                      guint32     n_ids,
                      guint8     *a_chg,
                      guint8     *b_chg,
                      WordMarks  *word_marks)
{
  guint n = sa->n, m = sb->n;
  ArenaMark mark = arena_mark (arena);
  guint32 *a_pos = arena_new (arena, guint32, n + 1);
  guint32 *b_pos = arena_new (arena, guint32, m + 1);
  guint32 *a_words = arena_new (arena, guint32, n + 1);
  guint32 *b_words = arena_new (arena, guint32, m + 1);
  guint na = 0, nb = 0, ea = 0, eb = 0;
  guint32 ga = 0, gb = 0;

  /* Gathered without branching: every token is written, only words advance. */
  for (guint t = 0; t < n; t++)
    {
      a_pos[na] = t;
      a_words[na] = sa->ids[t];
      na += tok_cls (sa, t) != CLS_SPACE;
    }
  for (guint t = 0; t < m; t++)
    {
      b_pos[nb] = t;
      b_words[nb] = sb->ids[t];
      nb += tok_cls (sb, t) != CLS_SPACE;
    }
  /* The words' marks go straight to their tokens (the word sequences and positions are
   * overwritten on the way). */
  memset (a_chg, 0, n);
  memset (b_chg, 0, m);
  diff_ids_scratch (arena, a_words, na, b_words, nb, n_ids, TRUE, a_words, b_words, a_pos, b_pos,
                    a_chg, b_chg);
  if (word_marks != NULL)
    {
      word_marks->a = word_marks_of (sa, a_chg, na);
      word_marks->b = word_marks_of (sb, b_chg, nb);
      word_marks->na = na;
      word_marks->nb = nb;
    }

  /* Matched words pair up in order; the tokens between two pairs are aligned among themselves. */
  for (;;)
    {
      while (ea < n && (a_chg[ea] || tok_cls (sa, ea) == CLS_SPACE))
        ea++;
      while (eb < m && (b_chg[eb] || tok_cls (sb, eb) == CLS_SPACE))
        eb++;
      memset (a_chg + ga, 0, ea - ga);
      memset (b_chg + gb, 0, eb - gb);
      diff_small (arena, sa->ids + ga, ea - ga, sb->ids + gb, eb - gb, a_chg + ga, b_chg + gb);
      if (ea >= n || eb >= m)
        break;
      ga = ++ea;
      gb = ++eb;
    }
  arena_release (arena, mark);
}

/* Segments: alternating runs in token space */

typedef struct
{
  guint32  a0, a1, b0, b1;
  gboolean equal;
} Seg;

static void
push_seg (GArray   *segs,
          guint32   a0,
          guint32   a1,
          guint32   b0,
          guint32   b1,
          gboolean  equal)
{
  if (a0 == a1 && b0 == b1)
    return;
  if (segs->len > 0)
    {
      Seg *last = &g_array_index (segs, Seg, segs->len - 1);

      if (last->equal == equal)
        {
          last->a1 = a1;
          last->b1 = b1;
          return;
        }
    }
  {
    Seg seg = { a0, a1, b0, b1, equal };

    g_array_append_val (segs, seg);
  }
}

/* An upper bound of the number of segments of @a_chg and @b_chg: every change starts a run of
 * marks on one side at least, and equalities alternate with changes. */
static guint
count_segs (const guint8 *a_chg,
            guint         n,
            const guint8 *b_chg,
            guint         m)
{
  guint n_runs = 2;

  /* Marks are 0 or 1: count without branching. */
  for (guint k = 1; k < n; k++)
    n_runs += a_chg[k] & (a_chg[k - 1] ^ 1);
  for (guint k = 1; k < m; k++)
    n_runs += b_chg[k] & (b_chg[k - 1] ^ 1);
  return 2 * n_runs + 1;
}

/* Fills @segs (emptied first) with the runs of @a_chg and @b_chg. */
static void
segs_from_marks (GArray       *segs,
                 const guint8 *a_chg,
                 guint         n,
                 const guint8 *b_chg,
                 guint         m)
{
  guint i = 0, j = 0;

  g_array_set_size (segs, 0);
  while (i < n || j < m)
    {
      guint i0 = i, j0 = j;

      if ((i < n && a_chg[i]) || (j < m && b_chg[j]))
        {
          while (i < n && a_chg[i])
            i++;
          while (j < m && b_chg[j])
            j++;
          push_seg (segs, i0, i, j0, j, FALSE);
        }
      else
        {
          while (i < n && j < m && !a_chg[i] && !b_chg[j])
            i++, j++;
          g_assert (i > i0);
          push_seg (segs, i0, i, j0, j, TRUE);
        }
    }
}

static inline gsize
tok_offset (const Side *side,
            guint32     i)
{
  return tok_start (side, i);
}

/* How good a place the boundary before token @i is for an edit to start or end, after
 * diff-match-patch's semantic scores: the edge of the text, a blank line, a line break, the end of
 * a sentence, whitespace, punctuation, in that order. */
static int
boundary_score (const Side *side,
                guint32     i)
{
  const char *text = side->text;
  guint8 xc, yc;

  if (i == 0 || i >= side->n)
    return 6;
  xc = tok_cls (side, i - 1);
  yc = tok_cls (side, i);
  if (xc == CLS_SPACE || yc == CLS_SPACE)
    {
      guint32 space = xc == CLS_SPACE ? i - 1 : i;
      guint32 space_start = tok_start (side, space);
      guint32 space_len = tok_start (side, space + 1) - space_start;
      const char *nl = memchr (text + space_start, '\n', space_len);

      if (nl != NULL && memchr (nl + 1, '\n', space_len - (nl + 1 - (text + space_start))) != NULL)
        return 5;
      if (nl != NULL)
        return 4;
      if (xc == CLS_PUNCT && tok_start (side, i) - tok_start (side, i - 1) == 1
          && strchr (".!?", text[tok_start (side, i - 1)]) != NULL)
        return 3;
      return 2;
    }
  if (xc == CLS_PUNCT || yc == CLS_PUNCT)
    return 1;
  return 0;
}

/* Slides a pure insertion or deletion along equal tokens to the place that reads best: whole
 * words, "very " before the next word rather than " very" after the last, a whole sentence. */
static void
shift_to_words (GArray     *segs,
                const Side *sa,
                const Side *sb)
{
  for (guint k = 1; k + 1 < segs->len; k++)
    {
      Seg *prev = &g_array_index (segs, Seg, k - 1);
      Seg *seg = &g_array_index (segs, Seg, k);
      Seg *next = &g_array_index (segs, Seg, k + 1);
      gboolean on_a = seg->b0 == seg->b1;
      const Side *side = on_a ? sa : sb;
      const guint32 *ids = side->ids;
      guint32 s = on_a ? seg->a0 : seg->b0;
      guint32 e = on_a ? seg->a1 : seg->b1;
      guint32 lo_limit = on_a ? prev->a0 : prev->b0;
      guint32 hi_limit = on_a ? next->a1 : next->b1;
      guint32 best = s;
      int best_score = -1;
      int delta;

      if (seg->equal || (seg->a0 != seg->a1 && seg->b0 != seg->b1))
        continue;
      while (s > lo_limit && ids[s - 1] == ids[e - 1])
        s--, e--;
      for (;;)
        {
          int score = boundary_score (side, s) + boundary_score (side, e);

          /* Ties go to the rightmost place, as in diff-match-patch. */
          if (score >= best_score)
            {
              best_score = score;
              best = s;
            }
          if (e < hi_limit && ids[s] == ids[e])
            s++, e++;
          else
            break;
        }
      delta = (int) best - (int) (on_a ? seg->a0 : seg->b0);
      if (delta == 0)
        continue;
      prev->a1 += delta;
      prev->b1 += delta;
      if (on_a)
        {
          seg->a0 += delta;
          seg->a1 += delta;
          seg->b0 = seg->b1 = prev->b1;
        }
      else
        {
          seg->b0 += delta;
          seg->b1 += delta;
          seg->a0 = seg->a1 = prev->a1;
        }
      next->a0 = seg->a1;
      next->b0 = seg->b1;
    }

  /* Sliding can empty an equality: merge what touches, in place (as push_seg() would). */
  {
    Seg *out = (Seg *) segs->data;
    guint len = 0;

    for (guint k = 0; k < segs->len; k++)
      {
        Seg seg = out[k];

        if (seg.a0 == seg.a1 && seg.b0 == seg.b1)
          continue;
        if (len > 0 && out[len - 1].equal == seg.equal)
          {
            out[len - 1].a1 = seg.a1;
            out[len - 1].b1 = seg.b1;
            continue;
          }
        out[len++] = seg;
      }
    g_array_set_size (segs, len);
  }
}

/* diff-match-patch's semantic cleanup: an equality no longer than the changes on both sides of it
 * is folded into one change, repeatedly, so "the cat sat" → "a dog ran" reads as one replacement
 * instead of three with single spaces between them. */
static void
cleanup_semantic (GArray     *segs,
                  const Side *sa,
                  const Side *sb,
                  gboolean    strict)
{
  /* Folded in place: the output (out[0, len)) never outgrows the input read so far. */
  Seg *out = (Seg *) segs->data;
  guint len = 0;

#define A_BYTES(s) (tok_offset (sa, (s)->a1) - tok_offset (sa, (s)->a0))
#define B_BYTES(s) (tok_offset (sb, (s)->b1) - tok_offset (sb, (s)->b0))

  for (guint k = 0; k < segs->len; k++)
    {
      Seg cur = out[k];

      if (!cur.equal)
        {
          /* out ends with [..., change, equality]: fold while the equality is small. */
          while (len >= 2)
            {
              Seg *eq = &out[len - 1];
              Seg *ch = &out[len - 2];
              gsize eq_len = MAX (A_BYTES (eq), B_BYTES (eq));

              if (ch->equal || !eq->equal)
                break;
              /* Between words, only an equality shorter than both changes folds: "colour was
               * grey" → "color was gray" keeps its "was". Between characters, diff-match-patch's
               * rule (no longer than) holds. */
              if (eq_len + strict > MAX (A_BYTES (ch), B_BYTES (ch))
                  || eq_len + strict > MAX (A_BYTES (&cur), B_BYTES (&cur)))
                break;
              cur.a0 = ch->a0;
              cur.b0 = ch->b0;
              len -= 2;
            }
        }
      out[len++] = cur;
    }
#undef A_BYTES
#undef B_BYTES

  g_array_set_size (segs, len);
}

/* Character refinement */

static void
push_op (GArray        *ops,
         ClairDiffKind  kind,
         gsize          a_start,
         gsize          a_end,
         gsize          b_start,
         gsize          b_end)
{
  ClairDiffOp op = { kind, a_start, a_end, b_start, b_end };

  g_array_append_val (ops, op);
}

/* What refine_run() reuses from one replaced run to the next. */
typedef struct
{
  Arena     arena;
  Interner  interner;
  Side      sa;
  Side      sb;
  GArray   *segs;
} Refiner;

static void
refiner_init (Refiner *refiner)
{
  memset (refiner, 0, sizeof *refiner);
  interner_init (&refiner->interner, 0, 0, FALSE);
  refiner->segs = g_array_new (FALSE, FALSE, sizeof (Seg));
}

static void
refiner_clear (Refiner *refiner)
{
  arena_clear (&refiner->arena);
  interner_clear (&refiner->interner);
  side_clear (&refiner->sa);
  side_clear (&refiner->sb);
  g_clear_pointer (&refiner->segs, g_array_unref);
}

static gboolean
is_ascii (const char *text,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if ((guchar) text[i] >= 0x80)
      return FALSE;
  return TRUE;
}

/* The clusters of a plain ASCII text are its bytes, and each byte is its own id. */
static void
side_ascii_clusters (Side       *side,
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

/* Appends to @refined the character spans that differ between a[a_start, a_end) and
 * b[b_start, b_end), or the whole ranges when the two have too little in common. */
static void
refine_run (Refiner    *refiner,
            const char *a,
            gsize       a_start,
            gsize       a_end,
            const char *b,
            gsize       b_start,
            gsize       b_end,
            GArray     *refined)
{
  Side *sa = &refiner->sa, *sb = &refiner->sb;
  GArray *segs = refiner->segs;
  ArenaMark mark = arena_mark (&refiner->arena);
  guint8 *a_chg, *b_chg;
  guint32 n_ids;
  gsize common = 0;

  if (is_ascii (a + a_start, a_end - a_start) && is_ascii (b + b_start, b_end - b_start))
    {
      side_ascii_clusters (sa, a + a_start, a_end - a_start);
      side_ascii_clusters (sb, b + b_start, b_end - b_start);
      n_ids = 128;
    }
  else
    {
      Interner *interner = &refiner->interner;

      if (interner->n_ids > interner->first_id)
        interner_reset (interner);
      side_tokenize (sa, a + a_start, a_end - a_start, SPLIT_CLUSTERS, interner, FALSE);
      side_tokenize (sb, b + b_start, b_end - b_start, SPLIT_CLUSTERS, interner, FALSE);
      n_ids = interner->n_ids;
    }
  if (sa->n > REFINE_MAX_CLUSTERS || sb->n > REFINE_MAX_CLUSTERS)
    goto whole;

  a_chg = arena_new (&refiner->arena, guint8, sa->n + 1);
  b_chg = arena_new (&refiner->arena, guint8, sb->n + 1);
  diff_ids (&refiner->arena, sa->ids, sa->n, sb->ids, sb->n, n_ids, FALSE, a_chg, b_chg);
  segs_from_marks (segs, a_chg, sa->n, b_chg, sb->n);
  cleanup_semantic (segs, sa, sb, FALSE);

  for (guint k = 0; k < segs->len; k++)
    {
      const Seg *seg = &g_array_index (segs, Seg, k);

      if (seg->equal)
        common += tok_offset (sa, seg->a1) - tok_offset (sa, seg->a0);
    }
  /* Refining two unrelated words only scatters confetti over them. */
  if (common * 2 * 10 < (sa->len + sb->len) * 4)
    goto whole;

  /* The spans of the original first, then those of the revision: each list is in text order. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint k = 0; k < segs->len; k++)
      {
        const Seg *seg = &g_array_index (segs, Seg, k);
        gsize a0 = a_start + tok_offset (sa, seg->a0);
        gsize a1 = a_start + tok_offset (sa, seg->a1);
        gsize b0 = b_start + tok_offset (sb, seg->b0);
        gsize b1 = b_start + tok_offset (sb, seg->b1);

        if (seg->equal)
          continue;
        if (pass == 0 && a1 > a0)
          push_op (refined, CLAIR_DIFF_DELETE, a0, a1, b0, b0);
        if (pass == 1 && b1 > b0)
          push_op (refined, CLAIR_DIFF_INSERT, a1, a1, b0, b1);
      }
  goto out;

whole:
  push_op (refined, CLAIR_DIFF_DELETE, a_start, a_end, b_start, b_start);
  push_op (refined, CLAIR_DIFF_INSERT, a_end, a_end, b_start, b_end);
out:
  arena_release (&refiner->arena, mark);
}

/* Refining many replaced runs: the second half goes to a worker thread with a refiner of its
 * own, and its spans are appended after those of the first half, so the order is the same. */

/* Replaced runs from which refining is shared with a worker thread. */
#define PARALLEL_MIN_RUNS 512

typedef struct
{
  gsize a0, a1, b0, b1;
} Run;

typedef struct
{
  const char *a;
  const char *b;
  const Run  *runs;
  guint       n_runs;
  GArray     *out;
} RefineJob;

static gpointer
refine_job (gpointer data)
{
  RefineJob *job = data;
  Refiner refiner;

  refiner_init (&refiner);
  for (guint k = 0; k < job->n_runs; k++)
    {
      const Run *run = &job->runs[k];

      refine_run (&refiner, job->a, run->a0, run->a1, job->b, run->b0, run->b1, job->out);
    }
  refiner_clear (&refiner);
  return NULL;
}

static void
refine_runs (const char *a,
             const char *b,
             const Run  *runs,
             guint       n_runs,
             GArray     *refined)
{
  RefineJob first = { a, b, runs, n_runs, refined };
  RefineJob second = { a, b, NULL, 0, NULL };
  GThread *thread = NULL;

  if (n_runs >= PARALLEL_MIN_RUNS && g_get_num_processors () > 1)
    {
      first.n_runs = n_runs / 2;
      second.runs = runs + first.n_runs;
      second.n_runs = n_runs - first.n_runs;
      second.out = g_array_sized_new (FALSE, FALSE, sizeof (ClairDiffOp), 2 * second.n_runs + 2);
      thread = g_thread_try_new ("clair-diff", refine_job, &second, NULL);
      if (thread == NULL)
        {
          g_clear_pointer (&second.out, g_array_unref);
          first.n_runs = n_runs;
        }
    }
  refine_job (&first);
  if (thread != NULL)
    {
      g_thread_join (thread);
      g_array_append_vals (refined, second.out->data, second.out->len);
      g_array_unref (second.out);
    }
}

/* The diff */

static guint
count_words (const Side *side,
             guint32     from,
             guint32     to)
{
  guint n = 0;

  for (guint32 i = from; i < to; i++)
    n += tok_cls (side, i) != CLS_SPACE;
  return n;
}

/* Counts word and punctuation tokens a piece at a time, cut at line ends, so that counting a
 * 10 MB text does not hold its millions of tokens at once. */
static guint
count_text_words (const char *text,
                  gsize       len)
{
  Side side = { 0 };
  gsize pos = 0;
  guint n = 0;

  while (pos < len)
    {
      gsize end = MIN (len, pos + 16384);
      const char *nl = end < len ? memchr (text + end, '\n', len - end) : NULL;

      end = nl != NULL ? (gsize) (nl - text) + 1 : len;
      side_tokenize (&side, text + pos, end - pos, SPLIT_WORDS, NULL, FALSE);
      n += count_words (&side, 0, side.n);
      pos = end;
    }
  side_clear (&side);
  return n;
}

/* Appends an op, extending the last one when it is of the same kind. */
static void
push_op_merged (GArray        *ops,
                ClairDiffKind  kind,
                gsize          a_start,
                gsize          a_end,
                gsize          b_start,
                gsize          b_end)
{
  if (ops->len > 0)
    {
      ClairDiffOp *last = &g_array_index (ops, ClairDiffOp, ops->len - 1);

      if (last->kind == kind && last->a_end == a_start && last->b_end == b_start)
        {
          last->a_end = a_end;
          last->b_end = b_end;
          return;
        }
    }
  push_op (ops, kind, a_start, a_end, b_start, b_end);
}

/* In line mode, a replaced run of lines is diffed again by words, so an edit in a rewrapped
 * paragraph shows as the words that changed, not as the whole paragraph. */
static void
append_word_diff (ClairDiff      *self,
                  const char     *a,
                  gsize           a0,
                  gsize           a1,
                  const char     *b,
                  gsize           b0,
                  gsize           b1,
                  ClairDiffFlags  flags)
{
  g_autoptr(ClairDiff) sub = NULL;

  flags = (flags | CLAIR_DIFF_FORCE_WORDS) & ~CLAIR_DIFF_FORCE_LINES;
  sub = clair_diff_compute (a + a0, a1 - a0, b + b0, b1 - b0, flags);
  for (guint k = 0; k < sub->ops->len; k++)
    {
      const ClairDiffOp *op = &g_array_index (sub->ops, ClairDiffOp, k);

      push_op_merged (self->ops, op->kind, a0 + op->a_start, a0 + op->a_end, b0 + op->b_start, b0 + op->b_end);
    }
  for (guint k = 0; k < sub->refined->len; k++)
    {
      const ClairDiffOp *op = &g_array_index (sub->refined, ClairDiffOp, k);

      push_op (self->refined, op->kind, a0 + op->a_start, a0 + op->a_end, b0 + op->b_start, b0 + op->b_end);
    }
  self->stats.deleted += sub->stats.deleted;
  self->stats.inserted += sub->stats.inserted;
  self->stats.n_changes += sub->stats.n_changes;
}

static void metrics_from_sides (const Side   *sa,
                                const Side   *sb,
                                guint32       n_ids,
                                WordMarks    *marks,
                                ClairMetrics *metrics,
                                gboolean     *levenshtein_exact);

/* The diff, and with @metrics the metrics of the same pair (NULL when the diff cannot share its
 * tokens and word alignment with them: the caller then computes them apart). */
static ClairDiff *
diff_compute (const char     *a,
              gssize          a_len,
              const char     *b,
              gssize          b_len,
              ClairDiffFlags  flags,
              ClairMetrics   *metrics,
              gboolean       *levenshtein_exact,
              gboolean       *shared)
{
  ClairDiff *self;
  WordMarks marks = { NULL, NULL, 0, 0 };
  Side sa = { 0 }, sb = { 0 };
  Interner interner = { 0 };
  Refiner refiner;
  g_autoptr(GArray) runs = NULL;
  guint8 *a_chg, *b_chg;
  g_autoptr(GArray) segs = NULL;
  gboolean ignore_space = (flags & CLAIR_DIFF_IGNORE_WHITESPACE) != 0;
  Split split;

  g_return_val_if_fail (a != NULL || a_len == 0, NULL);
  g_return_val_if_fail (b != NULL || b_len == 0, NULL);

  if (a == NULL)
    a = "";
  if (b == NULL)
    b = "";
  if (a_len < 0)
    a_len = strlen (a);
  if (b_len < 0)
    b_len = strlen (b);
  g_return_val_if_fail ((gsize) a_len < G_MAXINT32 / 2 && (gsize) b_len < G_MAXINT32 / 2, NULL);

  self = g_new0 (ClairDiff, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->flags = flags;

  if ((flags & CLAIR_DIFF_FORCE_LINES)
      || (!(flags & CLAIR_DIFF_FORCE_WORDS) && (gsize) a_len + (gsize) b_len > CLAIR_DIFF_LINE_THRESHOLD))
    {
      self->granularity = CLAIR_DIFF_GRANULARITY_LINE;
      split = SPLIT_LINES;
    }
  else
    {
      self->granularity = CLAIR_DIFF_GRANULARITY_WORD;
      split = SPLIT_WORDS;
    }

  interner_init (&interner, split == SPLIT_LINES ? (a_len + b_len) / 64 : 0, 1,
                 ignore_space && split == SPLIT_LINES);
  if (split == SPLIT_LINES)
    {
      side_tokenize (&sa, a, a_len, split, NULL, FALSE);
      side_tokenize (&sb, b, b_len, split, NULL, FALSE);
      intern_tokens (&interner, &sa);
      intern_tokens (&interner, &sb);
    }
  else
    {
      tokenize_pair (&sa, a, a_len, &sb, b, b_len, &interner, ignore_space);
    }
  interner_clear (&interner);

  refiner_init (&refiner);
  a_chg = arena_new (&refiner.arena, guint8, sa.n + 1);
  b_chg = arena_new (&refiner.arena, guint8, sb.n + 1);
  if (split == SPLIT_WORDS)
    diff_words_then_gaps (&refiner.arena, &sa, &sb, interner.n_ids, a_chg, b_chg,
                          metrics != NULL ? &marks : NULL);
  else
    diff_ids (&refiner.arena, sa.ids, sa.n, sb.ids, sb.n, interner.n_ids, TRUE, a_chg, b_chg);
  segs = g_array_sized_new (FALSE, FALSE, sizeof (Seg), count_segs (a_chg, sa.n, b_chg, sb.n));
  segs_from_marks (segs, a_chg, sa.n, b_chg, sb.n);
  /* Give the big blocks of the token diff back: the ops reuse their pages, and refining needs
   * little. */
  arena_clear (&refiner.arena);
  if (split == SPLIT_WORDS)
    shift_to_words (segs, &sa, &sb);
  if (!(flags & CLAIR_DIFF_NO_CLEANUP))
    cleanup_semantic (segs, &sa, &sb, TRUE);

  if (split == SPLIT_LINES)
    {
      self->stats.tokens_a = count_text_words (a, a_len);
      self->stats.tokens_b = count_text_words (b, b_len);
    }
  else
    {
      self->stats.tokens_a = count_words (&sa, 0, sa.n);
      self->stats.tokens_b = count_words (&sb, 0, sb.n);
    }
  runs = g_array_sized_new (FALSE, FALSE, sizeof (Run), (flags & CLAIR_DIFF_NO_REFINE) ? 0 : segs->len / 2 + 1);
  /* Sized once: an equality is one op, a change two, a refined change two spans or more. */
  self->ops = g_array_sized_new (FALSE, FALSE, sizeof (ClairDiffOp), segs->len + segs->len / 2 + 2);
  self->refined = g_array_sized_new (FALSE, FALSE, sizeof (ClairDiffOp),
                                     (flags & CLAIR_DIFF_NO_REFINE) ? 0 : segs->len + 2);
  for (guint k = 0; k < segs->len; k++)
    {
      const Seg *seg = &g_array_index (segs, Seg, k);
      gsize a0 = tok_offset (&sa, seg->a0), a1 = tok_offset (&sa, seg->a1);
      gsize b0 = tok_offset (&sb, seg->b0), b1 = tok_offset (&sb, seg->b1);

      if (seg->equal)
        {
          push_op_merged (self->ops, CLAIR_DIFF_EQUAL, a0, a1, b0, b1);
          continue;
        }
      if (split == SPLIT_LINES && a1 > a0 && b1 > b0 && a1 - a0 + b1 - b0 <= LINE_RUN_MAX_BYTES)
        {
          append_word_diff (self, a, a0, a1, b, b0, b1, flags);
          continue;
        }
      self->stats.n_changes++;
      self->stats.deleted += split == SPLIT_LINES ? count_text_words (a + a0, a1 - a0)
                                                  : count_words (&sa, seg->a0, seg->a1);
      self->stats.inserted += split == SPLIT_LINES ? count_text_words (b + b0, b1 - b0)
                                                   : count_words (&sb, seg->b0, seg->b1);
      if (a1 > a0)
        push_op (self->ops, CLAIR_DIFF_DELETE, a0, a1, b0, b0);
      if (b1 > b0)
        push_op (self->ops, CLAIR_DIFF_INSERT, a1, a1, b0, b1);
      if (a1 > a0 && b1 > b0 && !(flags & CLAIR_DIFF_NO_REFINE))
        {
          Run run = { a0, a1, b0, b1 };

          g_array_append_val (runs, run);
        }
    }
  refine_runs (a, b, (const Run *) runs->data, runs->len, self->refined);

  /* The metrics tokenise the same way (whitespace apart) and align the words with the same
   * diff, so below the line-mode size the diff's tokens and word marks are theirs. */
  if (marks.a != NULL && (gsize) a_len + (gsize) b_len <= CLAIR_DIFF_LINE_THRESHOLD)
    {
      metrics_from_sides (&sa, &sb, interner.n_ids, &marks, metrics, levenshtein_exact);
      *shared = TRUE;
    }
  g_free (marks.a);
  g_free (marks.b);
  refiner_clear (&refiner);
  side_clear (&sa);
  side_clear (&sb);
  return self;
}

ClairDiff *
clair_diff_compute (const char     *a,
                    gssize          a_len,
                    const char     *b,
                    gssize          b_len,
                    ClairDiffFlags  flags)
{
  return diff_compute (a, a_len, b, b_len, flags, NULL, NULL, NULL);
}

ClairDiff *
clair_diff_compute_with_metrics (const char     *a,
                                 gssize          a_len,
                                 const char     *b,
                                 gssize          b_len,
                                 ClairDiffFlags  flags,
                                 ClairMetrics   *metrics,
                                 gboolean       *levenshtein_exact)
{
  ClairDiff *diff;
  gboolean shared = FALSE, exact = TRUE;

  g_return_val_if_fail (a != NULL || a_len == 0, NULL);
  g_return_val_if_fail (b != NULL || b_len == 0, NULL);
  g_return_val_if_fail (metrics != NULL, NULL);

  diff = diff_compute (a, a_len, b, b_len, flags, metrics, &exact, &shared);
  if (!shared)
    clair_metrics_compute_len (a, a_len, b, b_len, metrics, &exact);
  if (levenshtein_exact != NULL)
    *levenshtein_exact = exact;
  return diff;
}

ClairDiff *
clair_diff_ref (ClairDiff *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
clair_diff_unref (ClairDiff *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_array_unref (self->ops);
      g_array_unref (self->refined);
      g_free (self);
    }
}

const ClairDiffOp *
clair_diff_get_ops (ClairDiff *self,
                    guint     *n_ops)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_ops != NULL, NULL);

  *n_ops = self->ops->len;
  return (const ClairDiffOp *) self->ops->data;
}

const ClairDiffOp *
clair_diff_get_refined (ClairDiff *self,
                        guint     *n_refined)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_refined != NULL, NULL);

  *n_refined = self->refined->len;
  return (const ClairDiffOp *) self->refined->data;
}

ClairDiffGranularity
clair_diff_get_granularity (ClairDiff *self)
{
  g_return_val_if_fail (self != NULL, CLAIR_DIFF_GRANULARITY_WORD);

  return self->granularity;
}

ClairDiffFlags
clair_diff_get_flags (ClairDiff *self)
{
  g_return_val_if_fail (self != NULL, CLAIR_DIFF_FLAGS_NONE);

  return self->flags;
}

void
clair_diff_get_stats (ClairDiff      *self,
                      ClairDiffStats *stats)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (stats != NULL);

  *stats = self->stats;
}

const char *
clair_diff_granularity_to_string (ClairDiffGranularity granularity)
{
  switch (granularity)
    {
    case CLAIR_DIFF_GRANULARITY_WORD:
      return "word";
    case CLAIR_DIFF_GRANULARITY_LINE:
      return "line";
    default:
      g_return_val_if_reached ("word");
    }
}

/* Levenshtein, bit-parallel */

/* One block of 64 rows of Myers' bit-vector algorithm (Myers 1999; blocks chained as Hyyrö 2003
 * does) for one text character: @vp holds the block's vertical positive and negative deltas,
 * @eq its match mask, *@hp and *@hn the horizontal delta entering at the top (in) and leaving at
 * bit @shift (out). Branch-free. */
static inline void
advance_block (guint64 *vp,
               guint64  eq,
               guint64 *hp,
               guint64 *hn,
               guint    shift)
{
  guint64 pv = vp[0], mv = vp[1];
  guint64 xv = eq | mv;
  guint64 xh, ph, mh;

  eq |= *hn;
  xh = (((eq & pv) + pv) ^ pv) | eq;
  ph = mv | ~(xh | pv);
  mh = pv & xh;
  vp[0] = ((mh << 1) | *hn) | ~(xv | ((ph << 1) | *hp));
  vp[1] = ((ph << 1) | *hp) & xv;
  *hp = (ph >> shift) & 1;
  *hn = (mh >> shift) & 1;
}

/* Two columns at once, the second one block behind the first: block w of column j + 1 needs
 * block w of column j and block w - 1 of its own column, so the two chains of dependent
 * operations interleave. Returns the change of the bottom row's value over both columns. */
static inline int
advance_two_columns (guint64       *vp,
                     const guint64 *eq0,
                     const guint64 *eq1,
                     gsize          words,
                     guint          last_shift)
{
  guint64 hp0 = 1, hn0 = 0, hp1 = 1, hn1 = 0;
  gsize w;

  if (words == 1)
    {
      advance_block (vp, eq0[0], &hp0, &hn0, last_shift);
      advance_block (vp, eq1[0], &hp1, &hn1, last_shift);
      return (int) hp0 - (int) hn0 + (int) hp1 - (int) hn1;
    }
  advance_block (vp, eq0[0], &hp0, &hn0, 63);
  for (w = 1; w + 1 < words; w++)
    {
      advance_block (vp + 2 * w, eq0[w], &hp0, &hn0, 63);
      advance_block (vp + 2 * (w - 1), eq1[w - 1], &hp1, &hn1, 63);
    }
  advance_block (vp + 2 * w, eq0[w], &hp0, &hn0, last_shift);
  advance_block (vp + 2 * (w - 1), eq1[w - 1], &hp1, &hn1, 63);
  advance_block (vp + 2 * w, eq1[w], &hp1, &hn1, last_shift);
  return (int) hp0 - (int) hn0 + (int) hp1 - (int) hn1;
}

/* One column alone (the last one of an odd count). */
static inline int
advance_column (guint64       *vp,
                const guint64 *eq,
                gsize          words,
                guint          last_shift)
{
  guint64 hp = 1, hn = 0;

  for (gsize w = 0; w + 1 < words; w++)
    advance_block (vp + 2 * w, eq[w], &hp, &hn, 63);
  advance_block (vp + 2 * (words - 1), eq[words - 1], &hp, &hn, last_shift);
  return (int) hp - (int) hn;
}

/* The length of a longest common subsequence of @a and @b (ids below @n_ids), bit-parallel
 * (Allison and Dix 1986, as Hyyrö 2004 writes it): bit i of v is 0 when a[i] ends a longest
 * match so far, and each symbol of @b updates 64 positions of @a per word. */
static guint
lcs_length (const guint32 *a,
            guint          na,
            const guint32 *b,
            guint          nb,
            guint32        n_ids)
{
  g_autofree guint32 *symbol = NULL;
  g_autofree guint64 *peq = NULL;
  g_autofree guint64 *v = NULL;
  gsize words;
  guint n_symbols = 1, zeros = 0;

  if (na > nb)
    {
      const guint32 *tmp = a;
      guint tmp_len = na;

      a = b;
      na = nb;
      b = tmp;
      nb = tmp_len;
    }
  if (na == 0)
    return 0;
  words = (na + 63) / 64;
  symbol = g_new0 (guint32, n_ids);
  for (guint i = 0; i < na; i++)
    if (symbol[a[i]] == 0)
      symbol[a[i]] = n_symbols++;
  peq = g_new0 (guint64, (gsize) n_symbols * words);
  for (guint i = 0; i < na; i++)
    peq[(gsize) symbol[a[i]] * words + i / 64] |= G_GUINT64_CONSTANT (1) << (i % 64);
  v = g_new (guint64, words);
  memset (v, 0xff, words * sizeof (guint64));
  for (guint j = 0; j < nb; j++)
    {
      const guint64 *eq;
      guint64 carry = 0;

      if (symbol[b[j]] == 0)
        continue;
      eq = peq + (gsize) symbol[b[j]] * words;
      for (gsize w = 0; w < words; w++)
        {
          guint64 u = v[w] & eq[w];
          guint64 sum = v[w] + u;
          guint64 carry_out = sum < u;

          sum += carry;
          carry_out |= sum < carry;
          v[w] = sum | (v[w] & ~eq[w]);
          carry = carry_out;
        }
    }
  for (gsize w = 0; w < words; w++)
    {
      guint64 bits = ~v[w];

      if (w + 1 == words && na % 64 != 0)
        bits &= (G_GUINT64_CONSTANT (1) << (na % 64)) - 1;
      zeros += (guint) __builtin_popcountll (bits);
    }
  return zeros;
}

static gunichar *
to_code_points (const char *text,
                gsize       len,
                gsize      *n_out)
{
  gunichar *cps = g_new (gunichar, len + 1);
  gsize n = 0, pos = 0;

  while (pos < len)
    {
      guchar ch = (guchar) text[pos];

      if (ch < 0x80)
        {
          cps[n++] = ch;
          pos++;
          continue;
        }
      {
        gunichar c = g_utf8_get_char_validated (text + pos, len - pos);

        if (c == (gunichar) -1 || c == (gunichar) -2)
          {
            /* An invalid byte counts as one character of its own, outside Unicode. */
            cps[n++] = 0x110000 + ch;
            pos++;
          }
        else
          {
            cps[n++] = c;
            pos += g_utf8_skip[ch];
          }
      }
    }
  *n_out = n;
  return cps;
}

/* Distance between code point arrays; returns FALSE without computing when over @budget. */
static gboolean
levenshtein_cps (const gunichar *p,
                 gsize           m,
                 const gunichar *t,
                 gsize           n,
                 guint64         budget,
                 gsize          *distance)
{
  g_autoptr(GHashTable) index = NULL;
  g_autofree guint64 *peq = NULL;
  g_autofree guint32 *t_index = NULL;
  g_autofree guint64 *vp = NULL;
  gsize words, n_symbols = 1, score;
  guint32 ascii[128];
  guint last_shift;

  while (m > 0 && n > 0 && p[0] == t[0])
    p++, t++, m--, n--;
  while (m > 0 && n > 0 && p[m - 1] == t[n - 1])
    m--, n--;
  if (m > n)
    {
      const gunichar *tmp = p;
      gsize tmp_len = m;

      p = t;
      m = n;
      t = tmp;
      n = tmp_len;
    }
  if (m == 0)
    {
      *distance = n;
      return TRUE;
    }
  words = (m + 63) / 64;
  if ((guint64) words * n > budget)
    return FALSE;

  /* Symbol 0 is "not in the pattern"; ASCII maps directly, others through a hash table. */
  index = g_hash_table_new (NULL, NULL);
  memset (ascii, 0, sizeof ascii);
  for (gsize i = 0; i < m; i++)
    {
      if (p[i] < 128)
        {
          if (ascii[p[i]] == 0)
            ascii[p[i]] = n_symbols++;
        }
      else if (!g_hash_table_contains (index, GUINT_TO_POINTER (p[i])))
        g_hash_table_insert (index, GUINT_TO_POINTER (p[i]), GSIZE_TO_POINTER (n_symbols++));
    }
  t_index = g_new (guint32, MAX (n, m));
  for (gsize i = 0; i < m; i++)
    t_index[i] = p[i] < 128 ? ascii[p[i]] : GPOINTER_TO_UINT (g_hash_table_lookup (index, GUINT_TO_POINTER (p[i])));
  peq = g_new0 (guint64, n_symbols * words);
  for (gsize i = 0; i < m; i++)
    peq[t_index[i] * words + i / 64] |= G_GUINT64_CONSTANT (1) << (i % 64);
  for (gsize j = 0; j < n; j++)
    t_index[j] = t[j] < 128 ? ascii[t[j]] : GPOINTER_TO_UINT (g_hash_table_lookup (index, GUINT_TO_POINTER (t[j])));

  /* pv and mv of block w at vp[2w] and vp[2w + 1]: one cache line holds four blocks. */
  vp = g_new (guint64, 2 * words);
  for (gsize w = 0; w < words; w++)
    {
      vp[2 * w] = G_MAXUINT64;
      vp[2 * w + 1] = 0;
    }
  last_shift = (m - 1) % 64;
  score = m;
  for (gsize j = 0; j + 1 < n; j += 2)
    score += (gssize) advance_two_columns (vp, peq + (gsize) t_index[j] * words,
                                           peq + (gsize) t_index[j + 1] * words, words, last_shift);
  if (n % 2 == 1)
    score += (gssize) advance_column (vp, peq + (gsize) t_index[n - 1] * words, words, last_shift);
  *distance = score;
  return TRUE;
}

gsize
clair_levenshtein (const char *a,
                   gssize      a_len,
                   const char *b,
                   gssize      b_len)
{
  g_autofree gunichar *ca = NULL;
  g_autofree gunichar *cb = NULL;
  gsize na, nb, distance = 0;

  g_return_val_if_fail (a != NULL || a_len == 0, 0);
  g_return_val_if_fail (b != NULL || b_len == 0, 0);

  if (a_len < 0)
    a_len = strlen (a);
  if (b_len < 0)
    b_len = strlen (b);
  ca = to_code_points (a ? a : "", a_len, &na);
  cb = to_code_points (b ? b : "", b_len, &nb);
  levenshtein_cps (ca, na, cb, nb, G_MAXUINT64, &distance);
  return distance;
}

/* Metrics */

/* An upper bound of the distance that follows a token alignment: the matched tokens cost
 * nothing, and each gap between two consecutive matches costs the distance between its two sides. */
static gsize
levenshtein_by_gaps (const gunichar *ca,
                     const gsize    *a_cp,
                     const guint8   *a_chg,
                     guint           na,
                     gsize           chars_a,
                     const gunichar *cb,
                     const gsize    *b_cp,
                     const guint8   *b_chg,
                     guint           nb,
                     gsize           chars_b)
{
  gsize total = 0, ga = 0, gb = 0;
  guint i = 0, j = 0;

  /* a_cp[2i], a_cp[2i+1] are the code point start and end of token i. */
  for (;;)
    {
      gsize ea, eb, d = 0;

      while (i < na && a_chg[i])
        i++;
      while (j < nb && b_chg[j])
        j++;
      ea = i < na ? a_cp[2 * i] : chars_a;
      eb = j < nb ? b_cp[2 * j] : chars_b;
      if (ea - ga != eb - gb || memcmp (ca + ga, cb + gb, (ea - ga) * sizeof (gunichar)) != 0)
        {
          if (!levenshtein_cps (ca + ga, ea - ga, cb + gb, eb - gb, LEVENSHTEIN_BUDGET, &d))
            d = MAX (ea - ga, eb - gb);
        }
      total += d;
      if (i >= na || j >= nb)
        break;
      ga = a_cp[2 * i + 1];
      gb = b_cp[2 * j + 1];
      i++;
      j++;
    }
  return total;
}

/* An upper bound of the distance along the ops of @diff: each replaced run costs its own distance,
 * or its length when that is too long to compute. */
static gsize
levenshtein_by_ops (ClairDiff  *diff,
                    const char *a,
                    const char *b)
{
  const ClairDiffOp *ops = (const ClairDiffOp *) diff->ops->data;
  guint n_ops = diff->ops->len;
  gsize total = 0;

  for (guint k = 0; k < n_ops; k++)
    {
      gsize a0 = ops[k].a_start, a1 = ops[k].a_end, b0 = ops[k].b_start, b1 = ops[k].b_end;
      g_autofree gunichar *ca = NULL;
      g_autofree gunichar *cb = NULL;
      gsize na, nb, d;

      if (ops[k].kind == CLAIR_DIFF_EQUAL)
        continue;
      if (ops[k].kind == CLAIR_DIFF_DELETE && k + 1 < n_ops && ops[k + 1].kind == CLAIR_DIFF_INSERT)
        b1 = ops[++k].b_end;
      ca = to_code_points (a + a0, a1 - a0, &na);
      cb = to_code_points (b + b0, b1 - b0, &nb);
      if (!levenshtein_cps (ca, na, cb, nb, LEVENSHTEIN_BUDGET / 16, &d))
        d = MAX (na, nb);
      total += d;
    }
  return total;
}

/* Code point offsets (start, end) of the word tokens of @side, in @cps order; @n_chars is the
 * number of code points to_code_points() found in the text. */
static gsize *
word_cp_offsets (const Side *side,
                 guint       n_words,
                 gsize       n_chars)
{
  gsize *offsets = g_new (gsize, 2 * (gsize) n_words + 2);
  gsize cp = 0, byte = 0;
  guint k = 0;

  /* As many code points as bytes: ASCII, every offset is a byte offset. */
  if (n_chars == side->len)
    {
      for (guint t = 0; t < side->n; t++)
        {
          offsets[2 * k] = tok_start (side, t);
          offsets[2 * k + 1] = tok_start (side, t + 1);
          k += tok_cls (side, t) != CLS_SPACE;
        }
      return offsets;
    }

  for (guint t = 0; t < side->n; t++)
    {
      gsize token_start = tok_start (side, t), token_end = tok_start (side, t + 1);
      gsize start;

      /* Count code points up to the token the way to_code_points() does. */
      for (; byte < token_start; cp++)
        byte += (guchar) side->text[byte] < 0x80 ? 1 : MAX (1, (gsize) g_utf8_skip[(guchar) side->text[byte]]);
      start = cp;
      for (; byte < token_end; cp++)
        byte += (guchar) side->text[byte] < 0x80 ? 1 : MAX (1, (gsize) g_utf8_skip[(guchar) side->text[byte]]);
      if (tok_cls (side, t) != CLS_SPACE)
        {
          offsets[2 * k] = start;
          offsets[2 * k + 1] = cp;
          k++;
        }
    }
  return offsets;
}

/* The metrics from the tokens of both texts (ids from one interner, below @n_ids) and, when
 * @marks is not NULL, the word alignment the diff made of them. */
static void
metrics_from_sides (const Side   *sa,
                    const Side   *sb,
                    guint32       n_ids,
                    WordMarks    *marks,
                    ClairMetrics *metrics,
                    gboolean     *levenshtein_exact)
{
  const char *original = sa->text, *revision = sb->text;
  gsize original_len = sa->len, revision_len = sb->len;
  g_autofree guint32 *a_words = NULL;
  g_autofree guint32 *b_words = NULL;
  g_autofree guint8 *a_chg = NULL;
  g_autofree guint8 *b_chg = NULL;
  g_autofree guint8 *seen = NULL;
  g_autofree gunichar *ca = NULL;
  g_autofree gunichar *cb = NULL;
  const guint8 *a_marks = NULL, *b_marks = NULL;
  guint na = 0, nb = 0, matched = 0, n_union = 0, n_common = 0;
  gsize chars_a, chars_b, distance = 0;
  gboolean exact;

  a_words = g_new (guint32, sa->n + 1);
  b_words = g_new (guint32, sb->n + 1);
  for (guint i = 0; i < sa->n; i++)
    if (tok_cls (sa, i) != CLS_SPACE)
      a_words[na++] = sa->ids[i];
  for (guint i = 0; i < sb->n; i++)
    if (tok_cls (sb, i) != CLS_SPACE)
      b_words[nb++] = sb->ids[i];

  /* Jaccard over the sets of distinct tokens: bit 1 = in the original, bit 2 = in the revision. */
  seen = g_new0 (guint8, n_ids + 1);
  for (guint i = 0; i < na; i++)
    seen[a_words[i]] |= 1;
  for (guint j = 0; j < nb; j++)
    seen[b_words[j]] |= 2;
  for (guint32 id = 0; id < n_ids; id++)
    {
      n_union += seen[id] != 0;
      n_common += seen[id] == 3;
    }

  if (original_len + revision_len > CLAIR_DIFF_LINE_THRESHOLD)
    {
      /* Huge inputs: count what the line-aligned diff keeps, as it displays it. */
      g_autoptr(ClairDiff) diff = clair_diff_compute (original, original_len, revision, revision_len,
                                                      CLAIR_DIFF_NO_REFINE | CLAIR_DIFF_NO_CLEANUP);

      chars_a = g_utf8_strlen (original, original_len);
      chars_b = g_utf8_strlen (revision, revision_len);
      matched = MIN (na, diff->stats.tokens_a - MIN (diff->stats.tokens_a, diff->stats.deleted));
      distance = levenshtein_by_ops (diff, original, revision);
      exact = FALSE;
    }
  else
    {
      ca = to_code_points (original, original_len, &chars_a);
      cb = to_code_points (revision, revision_len, &chars_b);
      exact = levenshtein_cps (ca, chars_a, cb, chars_b, LEVENSHTEIN_BUDGET, &distance);
      if (marks != NULL)
        {
          /* The diff aligned these very words with diff_ids(). */
          g_assert (marks->na == na && marks->nb == nb);
          a_marks = marks->a;
          b_marks = marks->b;
          for (guint i = 0; i < na; i++)
            matched += !a_marks[i];
        }
      else if (exact && na + nb <= ANCHOR_MIN_TOKENS)
        {
          /* Below the anchoring size the token diff is minimal, so the tokens it keeps are a
           * longest common subsequence: its length is all the metrics need, and the bit-parallel
           * count is many times cheaper than the edit script. */
          matched = lcs_length (a_words, na, b_words, nb, n_ids);
        }
      else
        {
          Arena arena = { NULL };

          a_chg = g_new (guint8, na + 1);
          b_chg = g_new (guint8, nb + 1);
          diff_ids (&arena, a_words, na, b_words, nb, n_ids, TRUE, a_chg, b_chg);
          arena_clear (&arena);
          for (guint i = 0; i < na; i++)
            matched += !a_chg[i];
          a_marks = a_chg;
          b_marks = b_chg;
        }
    }
  if (!exact && a_marks != NULL)
    {
      g_autofree gsize *a_cp = word_cp_offsets (sa, na, chars_a);
      g_autofree gsize *b_cp = word_cp_offsets (sb, nb, chars_b);

      distance = levenshtein_by_gaps (ca, a_cp, a_marks, na, chars_a, cb, b_cp, b_marks, nb, chars_b);
    }

  metrics->jaccard = n_union > 0 ? (double) n_common / n_union : 1.0;
  metrics->levenshtein = (double) distance;
  metrics->levenshtein_norm = MAX (chars_a, chars_b) > 0 ? (double) distance / MAX (chars_a, chars_b) : 0.0;
  metrics->changed_share = na + nb > 0 ? (double) (na + nb - 2 * matched) / (na + nb) : 0.0;
  metrics->similarity_ratio = na + nb > 0 ? 2.0 * matched / (na + nb) : 1.0;
  /* An empty original has no ratio: count it as one character so the value stays finite. */
  metrics->length_ratio = chars_a > 0 ? (double) chars_b / chars_a : chars_b > 0 ? (double) chars_b : 1.0;
  if (levenshtein_exact != NULL)
    *levenshtein_exact = exact;
}

void
clair_metrics_compute_len (const char   *original,
                           gssize        original_len,
                           const char   *revision,
                           gssize        revision_len,
                           ClairMetrics *metrics,
                           gboolean     *levenshtein_exact)
{
  Side sa = { 0 }, sb = { 0 };
  Interner interner = { 0 };

  g_return_if_fail (metrics != NULL);

  if (original == NULL)
    original = "", original_len = 0;
  if (revision == NULL)
    revision = "", revision_len = 0;
  if (original_len < 0)
    original_len = strlen (original);
  if (revision_len < 0)
    revision_len = strlen (revision);
  g_return_if_fail ((gsize) original_len < START_MASK && (gsize) revision_len < START_MASK);

  /* Tokens without whitespace: a rewrapped line does not change a single word. */
  interner_init (&interner, 0, 1, FALSE);
  side_tokenize (&sa, original, original_len, SPLIT_WORDS, &interner, TRUE);
  side_tokenize (&sb, revision, revision_len, SPLIT_WORDS, &interner, TRUE);
  metrics_from_sides (&sa, &sb, interner.n_ids, NULL, metrics, levenshtein_exact);
  interner_clear (&interner);
  side_clear (&sa);
  side_clear (&sb);
}

void
clair_metrics_compute (const char   *original,
                       const char   *revision,
                       ClairMetrics *metrics)
{
  clair_metrics_compute_len (original, -1, revision, -1, metrics, NULL);
}
