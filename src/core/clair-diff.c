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
} TokenClass;

typedef enum
{
  SPLIT_WORDS,
  SPLIT_LINES,
  SPLIT_CLUSTERS,
} Split;

typedef struct
{
  guint32 start;
  guint32 len;
  guint32 cls;
} Token;

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

static guint8 ascii_class[128];

static void
init_ascii_class (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint c = 0; c < 128; c++)
        {
          if (g_ascii_isspace (c))
            ascii_class[c] = CLS_SPACE;
          else if (g_ascii_isalnum (c))
            ascii_class[c] = CLS_WORD;
          else
            ascii_class[c] = CLS_PUNCT;
        }
      g_once_init_leave (&initialized, 1);
    }
}

static void
push_token (GArray  *tokens,
            gsize    start,
            gsize    end,
            guint32  cls)
{
  Token token = { (guint32) start, (guint32) (end - start), cls };

  g_array_append_val (tokens, token);
}

static void
split_lines (const char *text,
             gsize       len,
             GArray     *tokens)
{
  gsize pos = 0;

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
      push_token (tokens, pos, end, cls);
      pos = end;
    }
}

/* Cuts @text into tokens. With SPLIT_CLUSTERS every character with its combining marks is a
 * token; with SPLIT_WORDS letters and digits gather into words and whitespace into runs. */
static void
tokenize (const char *text,
          gsize       len,
          Split       split,
          GArray     *tokens)
{
  gsize pos = 0;
  gsize start = 0;
  int cls = -1;              /* class of the open token, -1 when none is open */
  gboolean extendable = FALSE;
  gboolean join_next = FALSE;
  gboolean lone_ri = FALSE;

  if (split == SPLIT_LINES)
    {
      split_lines (text, len, tokens);
      return;
    }

  init_ascii_class ();
  while (pos < len)
    {
      guchar ch = (guchar) text[pos];
      gsize n = 1;
      int ccls;
      gboolean single = FALSE;
      gboolean attach = FALSE;
      gboolean ri = FALSE;

      if (ch < 0x80)
        {
          ccls = ascii_class[ch];
          if (split == SPLIT_WORDS && ccls != CLS_PUNCT && cls == ccls && extendable && !join_next)
            {
              /* Fast path: extend a word or a whitespace run over plain ASCII. */
              pos++;
              while (pos < len && (guchar) text[pos] < 0x80 && ascii_class[(guchar) text[pos]] == ccls)
                pos++;
              lone_ri = FALSE;
              continue;
            }
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
        push_token (tokens, start, pos, cls);
      start = pos;
      cls = ccls;
      extendable = !single && split == SPLIT_WORDS;
      lone_ri = ri;
      pos += n;
    }
  if (cls >= 0)
    push_token (tokens, start, pos, cls);
}

typedef struct
{
  const char *text;
  gsize       len;
  GArray     *tokens;
  guint32    *ids;
} Side;

/* Interning: equal tokens get equal ids */

typedef struct
{
  const char *ptr;
  guint32     len;
  guint32     hash;
  guint32     id;
} Slot;

typedef struct
{
  Slot    *slots;
  guint32  mask;
  guint32  n_ids;
  guint32  n_used;
  gboolean squeeze_space;  /* lines compare without their whitespace */
} Interner;

static inline guint32
hash_bytes (const char *ptr,
            guint32     len,
            gboolean    squeeze_space)
{
  guint32 h = 2166136261u;

  for (guint32 i = 0; i < len; i++)
    {
      if (squeeze_space && g_ascii_isspace (ptr[i]))
        continue;
      h = (h ^ (guchar) ptr[i]) * 16777619u;
    }
  return h;
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
  interner->slots = g_new0 (Slot, capacity);
  interner->mask = (guint32) capacity - 1;
  interner->n_ids = first_id;
  interner->n_used = 0;
  interner->squeeze_space = squeeze_space;
}

static void
interner_grow (Interner *interner)
{
  guint32 old_capacity = interner->mask + 1;
  guint32 capacity = old_capacity * 2;
  Slot *old = interner->slots;

  interner->slots = g_new0 (Slot, capacity);
  interner->mask = capacity - 1;
  for (guint32 k = 0; k < old_capacity; k++)
    if (old[k].ptr != NULL)
      {
        guint32 i = old[k].hash & interner->mask;

        while (interner->slots[i].ptr != NULL)
          i = (i + 1) & interner->mask;
        interner->slots[i] = old[k];
      }
  g_free (old);
}

static guint32
interner_add (Interner   *interner,
              const char *ptr,
              guint32     len)
{
  guint32 hash = hash_bytes (ptr, len, interner->squeeze_space);
  guint32 i = hash & interner->mask;

  for (;; i = (i + 1) & interner->mask)
    {
      Slot *slot = &interner->slots[i];

      if (slot->ptr == NULL)
        {
          slot->ptr = ptr;
          slot->len = len;
          slot->hash = hash;
          slot->id = interner->n_ids++;
          if (++interner->n_used * 2 > interner->mask)
            {
              guint32 id = slot->id;

              interner_grow (interner);
              return id;
            }
          return slot->id;
        }
      if (slot->hash == hash)
        {
          if (interner->squeeze_space ? equal_squeezed (slot->ptr, slot->len, ptr, len)
                                      : (slot->len == len && memcmp (slot->ptr, ptr, len) == 0))
            return slot->id;
        }
    }
}

static void
interner_clear (Interner *interner)
{
  g_clear_pointer (&interner->slots, g_free);
}

/* Gives every token of @tokens its id in @ids. With @ignore_space every whitespace token is id 0. */
static void
intern_tokens (Interner     *interner,
               const char   *text,
               const GArray *tokens,
               gboolean      ignore_space,
               guint32      *ids)
{
  for (guint i = 0; i < tokens->len; i++)
    {
      const Token *token = &g_array_index (tokens, Token, i);

      if (ignore_space && token->cls == CLS_SPACE)
        ids[i] = 0;
      else
        ids[i] = interner_add (interner, text + token->start, token->len);
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
longest_increasing (const guint32 *ys,
                    guint          n,
                    guint32       *out)
{
  g_autofree guint32 *tails = g_new (guint32, n + 1);
  g_autofree guint32 *prev = g_new (guint32, n + 1);
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
run_myers (const guint32 *x,
           int            nx,
           const guint32 *y,
           int            ny,
           guint8        *xchg,
           guint8        *ychg,
           const int     *xcuts,
           const int     *ycuts,
           guint          n_cuts)
{
  g_autofree int *fdiag = g_new (int, 2 * ((gsize) nx + ny + 3));
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
 * one when no anchors are used). @n_ids bounds the ids. */
static void
diff_ids (const guint32 *a,
          guint          n,
          const guint32 *b,
          guint          m,
          guint32        n_ids,
          gboolean       use_anchors,
          guint8        *a_chg,
          guint8        *b_chg)
{
  g_autofree guint32 *count_a = NULL;
  g_autofree guint32 *count_b = NULL;
  g_autofree guint32 *x = NULL;
  g_autofree guint32 *y = NULL;
  g_autofree guint32 *xmap = NULL;
  g_autofree guint32 *ymap = NULL;
  g_autofree guint8 *xchg = NULL;
  g_autofree guint8 *ychg = NULL;
  g_autofree int *xcuts = NULL;
  g_autofree int *ycuts = NULL;
  guint lo = 0, hi_a = n, hi_b = m;
  guint nx = 0, ny = 0, n_cuts = 0;

  memset (a_chg, 0, n);
  memset (b_chg, 0, m);

  while (lo < n && lo < m && a[lo] == b[lo])
    lo++;
  while (hi_a > lo && hi_b > lo && a[hi_a - 1] == b[hi_b - 1])
    hi_a--, hi_b--;
  if (lo == hi_a || lo == hi_b)
    {
      memset (a_chg + lo, 1, hi_a - lo);
      memset (b_chg + lo, 1, hi_b - lo);
      return;
    }

  /* A token that never occurs on the other side cannot be matched: drop it before Myers. */
  count_a = g_new0 (guint32, n_ids);
  count_b = g_new0 (guint32, n_ids);
  for (guint i = lo; i < hi_a; i++)
    count_a[a[i]]++;
  for (guint j = lo; j < hi_b; j++)
    count_b[b[j]]++;

  x = g_new (guint32, hi_a - lo);
  xmap = g_new (guint32, hi_a - lo);
  for (guint i = lo; i < hi_a; i++)
    {
      if (count_b[a[i]] == 0)
        a_chg[i] = 1;
      else
        {
          x[nx] = a[i];
          xmap[nx++] = i;
        }
    }
  y = g_new (guint32, hi_b - lo);
  ymap = g_new (guint32, hi_b - lo);
  for (guint j = lo; j < hi_b; j++)
    {
      if (count_a[b[j]] == 0)
        b_chg[j] = 1;
      else
        {
          y[ny] = b[j];
          ymap[ny++] = j;
        }
    }

  if (use_anchors && nx + ny > ANCHOR_MIN_TOKENS)
    {
      /* Patience anchors: tokens occurring exactly once on each side, kept in increasing order. */
      g_autofree guint32 *pos_b = g_new (guint32, n_ids);
      g_autofree guint32 *pair_x = g_new (guint32, MIN (nx, ny) + 1);
      g_autofree guint32 *pair_y = g_new (guint32, MIN (nx, ny) + 1);
      g_autofree guint32 *chosen = NULL;
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
      chosen = g_new (guint32, n_pairs + 1);
      n_chosen = longest_increasing (pair_y, n_pairs, chosen);
      xcuts = g_new (int, n_chosen + 1);
      ycuts = g_new (int, n_chosen + 1);
      for (guint k = 0; k < n_chosen; k++)
        {
          xcuts[k] = (int) pair_x[chosen[k]];
          ycuts[k] = (int) pair_y[chosen[k]];
        }
      n_cuts = n_chosen;
    }

  xchg = g_new0 (guint8, nx + 1);
  ychg = g_new0 (guint8, ny + 1);
  run_myers (x, (int) nx, y, (int) ny, xchg, ychg, xcuts, ycuts, n_cuts);
  for (guint i = 0; i < nx; i++)
    if (xchg[i])
      a_chg[xmap[i]] = 1;
  for (guint j = 0; j < ny; j++)
    if (ychg[j])
      b_chg[ymap[j]] = 1;
}

/* The minimal diff of two short runs, without the bookkeeping of diff_ids(). */
static void
diff_small (const guint32 *a,
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
  run_myers (a + lo, (int) (n - lo), b + lo, (int) (m - lo), a_chg + lo, b_chg + lo, NULL, NULL, 0);
}

/* Word diffs align words first, as git's word diff does, so that a line break that moved never
 * outbids a word for a place in the common subsequence; the tokens between two matched words
 * (whitespace, and the words that changed) are then aligned among themselves. */
static void
diff_words_then_gaps (const Side *sa,
                      const Side *sb,
                      guint32     n_ids,
                      guint8     *a_chg,
                      guint8     *b_chg)
{
  guint n = sa->tokens->len, m = sb->tokens->len;
  g_autofree guint32 *a_pos = g_new (guint32, n + 1);
  g_autofree guint32 *b_pos = g_new (guint32, m + 1);
  g_autofree guint32 *a_words = g_new (guint32, n + 1);
  g_autofree guint32 *b_words = g_new (guint32, m + 1);
  g_autofree guint8 *wa_chg = NULL;
  g_autofree guint8 *wb_chg = NULL;
  guint na = 0, nb = 0, i = 0, j = 0;
  guint32 ga = 0, gb = 0;

  for (guint t = 0; t < n; t++)
    if (g_array_index (sa->tokens, Token, t).cls != CLS_SPACE)
      {
        a_pos[na] = t;
        a_words[na++] = sa->ids[t];
      }
  for (guint t = 0; t < m; t++)
    if (g_array_index (sb->tokens, Token, t).cls != CLS_SPACE)
      {
        b_pos[nb] = t;
        b_words[nb++] = sb->ids[t];
      }
  wa_chg = g_new (guint8, na + 1);
  wb_chg = g_new (guint8, nb + 1);
  diff_ids (a_words, na, b_words, nb, n_ids, TRUE, wa_chg, wb_chg);

  memset (a_chg, 0, n);
  memset (b_chg, 0, m);
  for (;;)
    {
      guint32 ea, eb;

      while (i < na && wa_chg[i])
        i++;
      while (j < nb && wb_chg[j])
        j++;
      ea = i < na ? a_pos[i] : n;
      eb = j < nb ? b_pos[j] : m;
      diff_small (sa->ids + ga, ea - ga, sb->ids + gb, eb - gb, a_chg + ga, b_chg + gb);
      if (i >= na || j >= nb)
        break;
      ga = ea + 1;
      gb = eb + 1;
      i++;
      j++;
    }
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

static GArray *
segs_from_marks (const guint8 *a_chg,
                 guint         n,
                 const guint8 *b_chg,
                 guint         m)
{
  GArray *segs = g_array_new (FALSE, FALSE, sizeof (Seg));
  guint i = 0, j = 0;

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
  return segs;
}

static inline gsize
tok_offset (const GArray *tokens,
            guint32       i,
            gsize         text_len)
{
  return i < tokens->len ? g_array_index (tokens, Token, i).start : text_len;
}

/* How good a place the boundary before token @i is for an edit to start or end, after
 * diff-match-patch's semantic scores: the edge of the text, a blank line, a line break, the end of
 * a sentence, whitespace, punctuation, in that order. */
static int
boundary_score (const char   *text,
                const GArray *tokens,
                guint32       i)
{
  const Token *x, *y;

  if (i == 0 || i >= tokens->len)
    return 6;
  x = &g_array_index (tokens, Token, i - 1);
  y = &g_array_index (tokens, Token, i);
  if (x->cls == CLS_SPACE || y->cls == CLS_SPACE)
    {
      const Token *space = x->cls == CLS_SPACE ? x : y;
      const char *nl = memchr (text + space->start, '\n', space->len);

      if (nl != NULL && memchr (nl + 1, '\n', space->len - (nl + 1 - (text + space->start))) != NULL)
        return 5;
      if (nl != NULL)
        return 4;
      if (x->cls == CLS_PUNCT && x->len == 1 && strchr (".!?", text[x->start]) != NULL)
        return 3;
      return 2;
    }
  if (x->cls == CLS_PUNCT || y->cls == CLS_PUNCT)
    return 1;
  return 0;
}

/* Slides a pure insertion or deletion along equal tokens to the place that reads best: whole
 * words, "very " before the next word rather than " very" after the last, a whole sentence. */
static void
shift_to_words (GArray        *segs,
                const char    *a_text,
                const guint32 *a_ids,
                const GArray  *a_tokens,
                const char    *b_text,
                const guint32 *b_ids,
                const GArray  *b_tokens)
{
  for (guint k = 1; k + 1 < segs->len; k++)
    {
      Seg *prev = &g_array_index (segs, Seg, k - 1);
      Seg *seg = &g_array_index (segs, Seg, k);
      Seg *next = &g_array_index (segs, Seg, k + 1);
      gboolean on_a = seg->b0 == seg->b1;
      const char *text = on_a ? a_text : b_text;
      const guint32 *ids = on_a ? a_ids : b_ids;
      const GArray *tokens = on_a ? a_tokens : b_tokens;
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
          int score = boundary_score (text, tokens, s) + boundary_score (text, tokens, e);

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

  /* Sliding can empty an equality: merge what touches. */
  {
    g_autoptr(GArray) copy = g_array_copy (segs);

    g_array_set_size (segs, 0);
    for (guint k = 0; k < copy->len; k++)
      {
        Seg *seg = &g_array_index (copy, Seg, k);

        push_seg (segs, seg->a0, seg->a1, seg->b0, seg->b1, seg->equal);
      }
  }
}

/* diff-match-patch's semantic cleanup: an equality no longer than the changes on both sides of it
 * is folded into one change, repeatedly, so "the cat sat" → "a dog ran" reads as one replacement
 * instead of three with single spaces between them. */
static void
cleanup_semantic (GArray       *segs,
                  const GArray *a_tokens,
                  gsize         a_len,
                  const GArray *b_tokens,
                  gsize         b_len,
                  gboolean      strict)
{
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (Seg));

#define A_BYTES(s) (tok_offset (a_tokens, (s)->a1, a_len) - tok_offset (a_tokens, (s)->a0, a_len))
#define B_BYTES(s) (tok_offset (b_tokens, (s)->b1, b_len) - tok_offset (b_tokens, (s)->b0, b_len))

  for (guint k = 0; k < segs->len; k++)
    {
      Seg cur = g_array_index (segs, Seg, k);

      if (!cur.equal)
        {
          /* out ends with [..., change, equality]: fold while the equality is small. */
          while (out->len >= 2)
            {
              Seg *eq = &g_array_index (out, Seg, out->len - 1);
              Seg *ch = &g_array_index (out, Seg, out->len - 2);
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
              g_array_set_size (out, out->len - 2);
            }
        }
      g_array_append_val (out, cur);
    }
#undef A_BYTES
#undef B_BYTES

  g_array_set_size (segs, 0);
  g_array_append_vals (segs, out->data, out->len);
}

/* Character refinement */

static void
side_clear (Side *side)
{
  g_clear_pointer (&side->tokens, g_array_unref);
  g_clear_pointer (&side->ids, g_free);
}

static void
side_tokenize (Side       *side,
               const char *text,
               gsize       len,
               Split       split)
{
  side->text = text;
  side->len = len;
  side->tokens = g_array_sized_new (FALSE, FALSE, sizeof (Token), len / 3 + 16);
  tokenize (text, len, split, side->tokens);
  side->ids = g_new (guint32, side->tokens->len + 1);
}

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

/* Appends to @refined the character spans that differ between a[a_start, a_end) and
 * b[b_start, b_end), or the whole ranges when the two have too little in common. */
static void
refine_run (const char *a,
            gsize       a_start,
            gsize       a_end,
            const char *b,
            gsize       b_start,
            gsize       b_end,
            GArray     *refined)
{
  Side sa = { 0 }, sb = { 0 };
  Interner interner = { 0 };
  g_autofree guint8 *a_chg = NULL;
  g_autofree guint8 *b_chg = NULL;
  g_autoptr(GArray) segs = NULL;
  gsize common = 0;

  side_tokenize (&sa, a + a_start, a_end - a_start, SPLIT_CLUSTERS);
  side_tokenize (&sb, b + b_start, b_end - b_start, SPLIT_CLUSTERS);
  if (sa.tokens->len > REFINE_MAX_CLUSTERS || sb.tokens->len > REFINE_MAX_CLUSTERS)
    goto whole;

  interner_init (&interner, sa.tokens->len + sb.tokens->len, 0, FALSE);
  intern_tokens (&interner, sa.text, sa.tokens, FALSE, sa.ids);
  intern_tokens (&interner, sb.text, sb.tokens, FALSE, sb.ids);
  a_chg = g_new (guint8, sa.tokens->len + 1);
  b_chg = g_new (guint8, sb.tokens->len + 1);
  diff_ids (sa.ids, sa.tokens->len, sb.ids, sb.tokens->len, interner.n_ids, FALSE, a_chg, b_chg);
  segs = segs_from_marks (a_chg, sa.tokens->len, b_chg, sb.tokens->len);
  cleanup_semantic (segs, sa.tokens, sa.len, sb.tokens, sb.len, FALSE);

  for (guint k = 0; k < segs->len; k++)
    {
      const Seg *seg = &g_array_index (segs, Seg, k);

      if (seg->equal)
        common += tok_offset (sa.tokens, seg->a1, sa.len) - tok_offset (sa.tokens, seg->a0, sa.len);
    }
  /* Refining two unrelated words only scatters confetti over them. */
  if (common * 2 * 10 < (sa.len + sb.len) * 4)
    goto whole;

  /* The spans of the original first, then those of the revision: each list is in text order. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint k = 0; k < segs->len; k++)
      {
        const Seg *seg = &g_array_index (segs, Seg, k);
        gsize a0 = a_start + tok_offset (sa.tokens, seg->a0, sa.len);
        gsize a1 = a_start + tok_offset (sa.tokens, seg->a1, sa.len);
        gsize b0 = b_start + tok_offset (sb.tokens, seg->b0, sb.len);
        gsize b1 = b_start + tok_offset (sb.tokens, seg->b1, sb.len);

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
  interner_clear (&interner);
  side_clear (&sa);
  side_clear (&sb);
}

/* The diff */

static guint
count_words (const GArray *tokens,
             guint32       from,
             guint32       to)
{
  guint n = 0;

  for (guint32 i = from; i < to; i++)
    n += g_array_index (tokens, Token, i).cls != CLS_SPACE;
  return n;
}

/* Counts word and punctuation tokens a piece at a time, cut at line ends, so that counting a
 * 10 MB text does not hold its millions of tokens at once. */
static guint
count_text_words (const char *text,
                  gsize       len)
{
  g_autoptr(GArray) tokens = g_array_sized_new (FALSE, FALSE, sizeof (Token), 4096);
  gsize pos = 0;
  guint n = 0;

  while (pos < len)
    {
      gsize end = MIN (len, pos + 16384);
      const char *nl = end < len ? memchr (text + end, '\n', len - end) : NULL;

      end = nl != NULL ? (gsize) (nl - text) + 1 : len;
      g_array_set_size (tokens, 0);
      tokenize (text + pos, end - pos, SPLIT_WORDS, tokens);
      n += count_words (tokens, 0, tokens->len);
      pos = end;
    }
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

ClairDiff *
clair_diff_compute (const char     *a,
                    gssize          a_len,
                    const char     *b,
                    gssize          b_len,
                    ClairDiffFlags  flags)
{
  ClairDiff *self;
  Side sa = { 0 }, sb = { 0 };
  Interner interner = { 0 };
  g_autofree guint8 *a_chg = NULL;
  g_autofree guint8 *b_chg = NULL;
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
  self->ops = g_array_new (FALSE, FALSE, sizeof (ClairDiffOp));
  self->refined = g_array_new (FALSE, FALSE, sizeof (ClairDiffOp));

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

  side_tokenize (&sa, a, a_len, split);
  side_tokenize (&sb, b, b_len, split);
  interner_init (&interner, sa.tokens->len + sb.tokens->len, 1,
                 ignore_space && split == SPLIT_LINES);
  intern_tokens (&interner, a, sa.tokens, ignore_space && split != SPLIT_LINES, sa.ids);
  intern_tokens (&interner, b, sb.tokens, ignore_space && split != SPLIT_LINES, sb.ids);
  interner_clear (&interner);

  a_chg = g_new (guint8, sa.tokens->len + 1);
  b_chg = g_new (guint8, sb.tokens->len + 1);
  if (split == SPLIT_WORDS)
    diff_words_then_gaps (&sa, &sb, interner.n_ids, a_chg, b_chg);
  else
    diff_ids (sa.ids, sa.tokens->len, sb.ids, sb.tokens->len, interner.n_ids, TRUE, a_chg, b_chg);
  segs = segs_from_marks (a_chg, sa.tokens->len, b_chg, sb.tokens->len);
  if (split == SPLIT_WORDS)
    shift_to_words (segs, a, sa.ids, sa.tokens, b, sb.ids, sb.tokens);
  if (!(flags & CLAIR_DIFF_NO_CLEANUP))
    cleanup_semantic (segs, sa.tokens, sa.len, sb.tokens, sb.len, TRUE);

  if (split == SPLIT_LINES)
    {
      self->stats.tokens_a = count_text_words (a, a_len);
      self->stats.tokens_b = count_text_words (b, b_len);
    }
  else
    {
      self->stats.tokens_a = count_words (sa.tokens, 0, sa.tokens->len);
      self->stats.tokens_b = count_words (sb.tokens, 0, sb.tokens->len);
    }
  for (guint k = 0; k < segs->len; k++)
    {
      const Seg *seg = &g_array_index (segs, Seg, k);
      gsize a0 = tok_offset (sa.tokens, seg->a0, sa.len), a1 = tok_offset (sa.tokens, seg->a1, sa.len);
      gsize b0 = tok_offset (sb.tokens, seg->b0, sb.len), b1 = tok_offset (sb.tokens, seg->b1, sb.len);

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
                                                  : count_words (sa.tokens, seg->a0, seg->a1);
      self->stats.inserted += split == SPLIT_LINES ? count_text_words (b + b0, b1 - b0)
                                                   : count_words (sb.tokens, seg->b0, seg->b1);
      if (a1 > a0)
        push_op (self->ops, CLAIR_DIFF_DELETE, a0, a1, b0, b0);
      if (b1 > b0)
        push_op (self->ops, CLAIR_DIFF_INSERT, a1, a1, b0, b1);
      if (a1 > a0 && b1 > b0 && !(flags & CLAIR_DIFF_NO_REFINE))
        refine_run (a, a0, a1, b, b0, b1, self->refined);
    }

  side_clear (&sa);
  side_clear (&sb);
  return self;
}

typedef struct
{
  char           *a;
  char           *b;
  ClairDiffFlags  flags;
} ComputeData;

static void
compute_data_free (ComputeData *data)
{
  g_free (data->a);
  g_free (data->b);
  g_free (data);
}

static void
compute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ComputeData *data = task_data;

  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (task, clair_diff_compute (data->a, -1, data->b, -1, data->flags),
                         (GDestroyNotify) clair_diff_unref);
}

void
clair_diff_compute_async (const char          *a,
                          const char          *b,
                          ClairDiffFlags       flags,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ComputeData *data;

  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (ComputeData, 1);
  data->a = g_strdup (a ? a : "");
  data->b = g_strdup (b ? b : "");
  data->flags = flags;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, clair_diff_compute_async);
  g_task_set_task_data (task, data, (GDestroyNotify) compute_data_free);
  g_task_run_in_thread (task, compute_thread);
}

ClairDiff *
clair_diff_compute_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == clair_diff_compute_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
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

/* One 64-row block of Myers' algorithm for one text character (Myers 1999, fig. 9; Hyyrö 2003).
 * @hin is the horizontal delta entering the block's top, the result the one leaving at @out_bit. */
static inline int
advance_block (guint64 *pv_io,
               guint64 *mv_io,
               guint64  eq,
               int      hin,
               guint64  out_bit)
{
  guint64 pv = *pv_io, mv = *mv_io;
  guint64 hin_neg = hin < 0 ? 1 : 0;
  guint64 xv = eq | mv;
  guint64 xh, ph, mh;
  int hout = 0;

  eq |= hin_neg;
  xh = (((eq & pv) + pv) ^ pv) | eq;
  ph = mv | ~(xh | pv);
  mh = pv & xh;
  if (ph & out_bit)
    hout = 1;
  else if (mh & out_bit)
    hout = -1;
  ph <<= 1;
  mh <<= 1;
  mh |= hin_neg;
  ph |= hin > 0 ? 1 : 0;
  *pv_io = mh | ~(xv | ph);
  *mv_io = ph & xv;
  return hout;
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
  g_autofree guint64 *pv = NULL;
  g_autofree guint64 *mv = NULL;
  gsize words, n_symbols = 1, score;
  guint32 ascii[128];
  guint64 last_bit;

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

  pv = g_new (guint64, words);
  mv = g_new0 (guint64, words);
  memset (pv, 0xff, words * sizeof (guint64));
  last_bit = G_GUINT64_CONSTANT (1) << ((m - 1) % 64);
  score = m;
  for (gsize j = 0; j < n; j++)
    {
      const guint64 *eq = peq + (gsize) t_index[j] * words;
      int h = 1;

      for (gsize w = 0; w + 1 < words; w++)
        h = advance_block (&pv[w], &mv[w], eq[w], h, G_GUINT64_CONSTANT (1) << 63);
      h = advance_block (&pv[words - 1], &mv[words - 1], eq[words - 1], h, last_bit);
      score += h;
    }
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

/* Code point offsets (start, end) of the word tokens of @side, in @cps order. */
static gsize *
word_cp_offsets (const Side *side,
                 guint       n_words)
{
  gsize *offsets = g_new (gsize, 2 * (gsize) n_words + 2);
  gsize cp = 0, byte = 0;
  guint k = 0;

  for (guint t = 0; t < side->tokens->len; t++)
    {
      const Token *token = &g_array_index (side->tokens, Token, t);
      gsize start;

      /* Count code points up to the token the way to_code_points() does. */
      for (; byte < token->start; cp++)
        byte += (guchar) side->text[byte] < 0x80 ? 1 : MAX (1, (gsize) g_utf8_skip[(guchar) side->text[byte]]);
      start = cp;
      for (; byte < (gsize) token->start + token->len; cp++)
        byte += (guchar) side->text[byte] < 0x80 ? 1 : MAX (1, (gsize) g_utf8_skip[(guchar) side->text[byte]]);
      if (token->cls != CLS_SPACE)
        {
          offsets[2 * k] = start;
          offsets[2 * k + 1] = cp;
          k++;
        }
    }
  return offsets;
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
  g_autofree guint32 *a_words = NULL;
  g_autofree guint32 *b_words = NULL;
  g_autofree guint8 *a_chg = NULL;
  g_autofree guint8 *b_chg = NULL;
  g_autofree guint8 *seen = NULL;
  g_autofree gunichar *ca = NULL;
  g_autofree gunichar *cb = NULL;
  guint na = 0, nb = 0, matched = 0, n_union = 0, n_common = 0;
  gsize chars_a, chars_b, distance = 0;
  gboolean exact;

  g_return_if_fail (metrics != NULL);

  if (original == NULL)
    original = "", original_len = 0;
  if (revision == NULL)
    revision = "", revision_len = 0;
  if (original_len < 0)
    original_len = strlen (original);
  if (revision_len < 0)
    revision_len = strlen (revision);

  /* Tokens without whitespace: a rewrapped line does not change a single word. */
  side_tokenize (&sa, original, original_len, SPLIT_WORDS);
  side_tokenize (&sb, revision, revision_len, SPLIT_WORDS);
  interner_init (&interner, sa.tokens->len + sb.tokens->len, 0, FALSE);
  a_words = g_new (guint32, sa.tokens->len + 1);
  b_words = g_new (guint32, sb.tokens->len + 1);
  for (guint i = 0; i < sa.tokens->len; i++)
    {
      const Token *token = &g_array_index (sa.tokens, Token, i);

      if (token->cls != CLS_SPACE)
        a_words[na++] = interner_add (&interner, original + token->start, token->len);
    }
  for (guint i = 0; i < sb.tokens->len; i++)
    {
      const Token *token = &g_array_index (sb.tokens, Token, i);

      if (token->cls != CLS_SPACE)
        b_words[nb++] = interner_add (&interner, revision + token->start, token->len);
    }

  /* Jaccard over the sets of distinct tokens: bit 1 = in the original, bit 2 = in the revision. */
  seen = g_new0 (guint8, interner.n_ids + 1);
  for (guint i = 0; i < na; i++)
    seen[a_words[i]] |= 1;
  for (guint j = 0; j < nb; j++)
    seen[b_words[j]] |= 2;
  for (guint32 id = 0; id < interner.n_ids; id++)
    {
      n_union += seen[id] != 0;
      n_common += seen[id] == 3;
    }

  if ((gsize) original_len + (gsize) revision_len > CLAIR_DIFF_LINE_THRESHOLD)
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
      a_chg = g_new (guint8, na + 1);
      b_chg = g_new (guint8, nb + 1);
      diff_ids (a_words, na, b_words, nb, interner.n_ids, TRUE, a_chg, b_chg);
      for (guint i = 0; i < na; i++)
        matched += !a_chg[i];
      ca = to_code_points (original, original_len, &chars_a);
      cb = to_code_points (revision, revision_len, &chars_b);
      exact = levenshtein_cps (ca, chars_a, cb, chars_b, LEVENSHTEIN_BUDGET, &distance);
    }
  if (!exact && a_chg != NULL)
    {
      g_autofree gsize *a_cp = word_cp_offsets (&sa, na);
      g_autofree gsize *b_cp = word_cp_offsets (&sb, nb);

      distance = levenshtein_by_gaps (ca, a_cp, a_chg, na, chars_a, cb, b_cp, b_chg, nb, chars_b);
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
