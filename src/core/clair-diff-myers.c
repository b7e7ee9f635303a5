/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "clair-diff"

#include "config.h"

#include <limits.h>
#include <string.h>

#include "clair-diff-private.h"

/* Myers' O(ND) diff in linear space over token ids, and the small-run variant. */

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

void
_clair_diff_run_myers (Arena         *arena,
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
  _clair_diff_arena_release (arena, mark);
}

/* The minimal diff of two short runs, without the bookkeeping of diff_ids(). */
void
_clair_diff_small (Arena         *arena,
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
  _clair_diff_run_myers (arena, a + lo, (int) (n - lo), b + lo, (int) (m - lo), a_chg + lo, b_chg + lo, NULL, NULL, 0);
}
