#!/usr/bin/env python3
"""Generate the demo "photos" for the photo-elicitation gallery.

Every picture is drawn from scratch with Pillow (plus numpy for gradients
and grain). Nothing is photographed, traced or downloaded, so the output
contains no real people, faces, names or places, and is released under
CC0 1.0 (see demo/README.md).

The script is deterministic: every scene uses its own fixed random seed.

To show that the gallery strips metadata, the JPEG (and WebP) files carry
FAKE metadata: EXIF Make/Model "DemoCam"/"Demo Phone 1", DateTimeOriginal,
a fake BodySerialNumber, GPS tags at 0 deg N 0 deg E, and a JPEG comment.
One JPEG (lw02-day.jpg) stores its pixels rotated with EXIF Orientation 6,
so it only looks upright once the orientation is applied.

Usage:
    python demo/make_demo_photos.py                # write photos/
    python demo/make_demo_photos.py --out DIR      # write somewhere else
    python demo/make_demo_photos.py --only desk --preview /tmp/prev
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, ImageDraw, ImageFilter, ImageOps

SS = 2  # supersampling factor used while drawing (anti-aliasing)

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------
# small geometry / colour helpers
# ---------------------------------------------------------------------------

def mix(c1, c2, t):
    return tuple(int(round(a + (b - a) * t)) for a, b in zip(c1, c2, strict=False))


def shade(c, f):
    """f < 1 darkens, f > 1 lightens towards white."""
    if f <= 1:
        return tuple(int(v * f) for v in c)
    return mix(c, (255, 255, 255), min(1.0, f - 1))


def rot_pts(pts, deg, cx, cy):
    a = math.radians(deg)
    ca, sa = math.cos(a), math.sin(a)
    return [(cx + (x - cx) * ca - (y - cy) * sa, cy + (x - cx) * sa + (y - cy) * ca) for x, y in pts]


def rect_pts(cx, cy, w, h, deg=0.0):
    pts = [(cx - w / 2, cy - h / 2), (cx + w / 2, cy - h / 2), (cx + w / 2, cy + h / 2), (cx - w / 2, cy + h / 2)]
    return rot_pts(pts, deg, cx, cy)


def ellipse_pts(cx, cy, rx, ry, deg=0.0, n=60):
    pts = [(cx + rx * math.cos(2 * math.pi * i / n), cy + ry * math.sin(2 * math.pi * i / n)) for i in range(n)]
    return rot_pts(pts, deg, cx, cy)


def leaf_pts(x, y, length, width, deg, n=16):
    """A pointed leaf starting at (x, y) pointing along angle deg."""
    a = math.radians(deg)
    ux, uy = math.cos(a), math.sin(a)
    px, py = -uy, ux
    side1, side2 = [], []
    for i in range(n + 1):
        t = i / n
        w = width / 2 * math.sin(math.pi * t) ** 0.8
        cx, cy = x + ux * length * t, y + uy * length * t
        side1.append((cx + px * w, cy + py * w))
        side2.append((cx - px * w, cy - py * w))
    return side1 + side2[::-1]


def quad_pt(q, u, v):
    """Bilinear point inside quad q = [tl, tr, br, bl]."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = q
    tx, ty = x0 + (x1 - x0) * u, y0 + (y1 - y0) * u
    bx, by = x3 + (x2 - x3) * u, y3 + (y2 - y3) * u
    return (tx + (bx - tx) * v, ty + (by - ty) * v)


def quad_rect(q, u0, v0, u1, v1):
    return [quad_pt(q, u0, v0), quad_pt(q, u1, v0), quad_pt(q, u1, v1), quad_pt(q, u0, v1)]


def catmull(pts, steps=12):
    out = []
    p = [pts[0]] + list(pts) + [pts[-1]]
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        for s in range(steps):
            t = s / steps
            t2, t3 = t * t, t * t * t
            out.append(tuple(0.5 * ((2 * p1[k]) + (-p0[k] + p2[k]) * t + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                                    + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3) for k in range(2)))
    out.append(pts[-1])
    return out


def scribble(rng, x0, y, x1, amp=6.0, step=9.0):
    """An illegible handwriting-like wavy line."""
    pts = []
    x = x0
    ph = rng.random() * 6
    while x < x1:
        pts.append((x, y + amp * math.sin(x / (step * 0.9) + ph) * (0.6 + 0.4 * rng.random())))
        x += step * (0.6 + 0.8 * rng.random())
    return pts


# ---------------------------------------------------------------------------
# drawing surface
# ---------------------------------------------------------------------------

def _grad_array(w, h, grad, origin, size):
    """grad = (kind, stops[, extra]); evaluated over box origin/size (SS px)."""
    kind, stops = grad[0], grad[1]
    pos = np.array([s[0] for s in stops], np.float32)
    cols = np.array([s[1] for s in stops], np.float32)
    ox, oy = origin
    gw, gh = max(size[0], 1), max(size[1], 1)
    xs = (np.arange(w, dtype=np.float32) + ox) / gw
    ys = (np.arange(h, dtype=np.float32) + oy) / gh
    if kind == "v":
        t = np.broadcast_to(ys[:, None], (h, w))
    elif kind == "h":
        t = np.broadcast_to(xs[None, :], (h, w))
    elif kind == "radial":
        cx, cy = grad[2] if len(grad) > 2 else (0.5, 0.5)
        t = np.sqrt((xs[None, :] - cx) ** 2 + (ys[:, None] - cy) ** 2) * 2
    elif kind == "diag":
        t = (xs[None, :] + ys[:, None]) / 2
    else:
        raise ValueError(kind)
    t = np.clip(t, 0, 1)
    out = np.empty((h, w, 3), np.float32)
    for ch in range(3):
        out[..., ch] = np.interp(t, pos, cols[:, ch])
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGB")


class Scene:
    def __init__(self, w, h, bg=(255, 255, 255), transparent=False, seed=0):
        self.w, self.h = w, h
        self.W, self.H = int(w * SS), int(h * SS)
        self.img = Image.new("RGBA", (self.W, self.H), (0, 0, 0, 0) if transparent else tuple(bg) + (255,))
        self.transparent = transparent
        self.rng = random.Random(seed)
        self.nrng = np.random.default_rng(seed)

    # -- internals ---------------------------------------------------------
    @staticmethod
    def _extent(shapes):
        x0 = y0 = float("inf")
        x1 = y1 = float("-inf")
        for s in shapes:
            k = s[0].lstrip("-")
            pad = 0
            if k == "poly":
                pts = s[1]
            elif k == "line":
                pts, pad = s[1], s[2] / 2 + 2
            elif k == "arc":
                pts, pad = [s[1][:2], s[1][2:]], s[4] / 2 + 2
            else:
                pts = [s[1][:2], s[1][2:]]
            for x, y in pts:
                x0, y0 = min(x0, x - pad), min(y0, y - pad)
                x1, y1 = max(x1, x + pad), max(y1, y + pad)
        return x0, y0, x1, y1

    @staticmethod
    def _draw_mask(d, shapes, ox, oy):
        def tr(pts):
            return [(x * SS - ox, y * SS - oy) for x, y in pts]

        def tb(b):
            return [b[0] * SS - ox, b[1] * SS - oy, b[2] * SS - ox, b[3] * SS - oy]

        for s in shapes:
            k = s[0]
            val = 0 if k.startswith("-") else 255
            k = k.lstrip("-")
            if k == "poly":
                d.polygon(tr(s[1]), fill=val)
            elif k == "rect":
                d.rectangle(tb(s[1]), fill=val)
            elif k == "ellipse":
                d.ellipse(tb(s[1]), fill=val)
            elif k == "rrect":
                b = tb(s[1])
                r = min(s[2] * SS, (b[2] - b[0]) / 2, (b[3] - b[1]) / 2)
                d.rounded_rectangle(b, radius=r, fill=val)
            elif k == "line":
                pts = tr(s[1])
                w = max(1, int(round(s[2] * SS)))
                d.line(pts, fill=val, width=w, joint="curve")
                if w > 3:
                    for x, y in (pts[0], pts[-1]):
                        d.ellipse([x - w / 2, y - w / 2, x + w / 2, y + w / 2], fill=val)
            elif k == "arc":
                d.arc(tb(s[1]), s[2], s[3], fill=val, width=max(1, int(s[4] * SS)))
            else:
                raise ValueError(k)

    def _comp(self, layer, x, y):
        """alpha-composite layer at SS position (x, y), clipping to canvas."""
        x, y = int(round(x)), int(round(y))
        lw, lh = layer.size
        sx0, sy0 = max(0, -x), max(0, -y)
        sx1, sy1 = min(lw, self.W - x), min(lh, self.H - y)
        if sx1 <= sx0 or sy1 <= sy0:
            return
        if (sx0, sy0, sx1, sy1) != (0, 0, lw, lh):
            layer = layer.crop((sx0, sy0, sx1, sy1))
        self.img.alpha_composite(layer, (x + sx0, y + sy0))

    # -- public API --------------------------------------------------------
    def paint(self, shapes, fill=(0, 0, 0), alpha=1.0, blur=0.0, grad=None, gbox=None, clip=None):
        """Fill the union of shapes (final-pixel coordinates).

        grad: ("v"|"h"|"radial"|"diag", [(pos, colour), ...]) over the shape
        extent, or over gbox if given. clip: shapes limiting the paint area.
        """
        if not shapes:
            return
        x0, y0, x1, y1 = self._extent(shapes)
        pad = blur * 3 + 2
        X0, Y0 = int(math.floor((x0 - pad) * SS)), int(math.floor((y0 - pad) * SS))
        X1, Y1 = int(math.ceil((x1 + pad) * SS)), int(math.ceil((y1 + pad) * SS))
        X0, Y0 = max(X0, -int(pad * SS) - 4), max(Y0, -int(pad * SS) - 4)
        X1, Y1 = min(X1, self.W + int(pad * SS) + 4), min(Y1, self.H + int(pad * SS) + 4)
        w, h = X1 - X0, Y1 - Y0
        if w <= 0 or h <= 0:
            return
        mask = Image.new("L", (w, h), 0)
        self._draw_mask(ImageDraw.Draw(mask), shapes, X0, Y0)
        if blur:
            mask = mask.filter(ImageFilter.GaussianBlur(blur * SS))
        if clip:
            cm = Image.new("L", (w, h), 0)
            self._draw_mask(ImageDraw.Draw(cm), clip, X0, Y0)
            mask = Image.fromarray(np.minimum(np.asarray(mask), np.asarray(cm)))
        if alpha < 1:
            mask = mask.point(lambda v: int(v * alpha))
        if grad:
            if gbox:
                gx0, gy0, gx1, gy1 = gbox
            else:
                gx0, gy0, gx1, gy1 = x0, y0, x1, y1
            col = _grad_array(w, h, grad, (X0 - gx0 * SS, Y0 - gy0 * SS), ((gx1 - gx0) * SS, (gy1 - gy0) * SS))
        else:
            col = Image.new("RGB", (w, h), tuple(fill))
        layer = col.convert("RGBA")
        layer.putalpha(mask)
        self._comp(layer, X0, Y0)

    def shadow(self, shapes, dx=12, dy=16, blur=18, alpha=0.35, color=(20, 15, 10)):
        moved = []
        for s in shapes:
            k = s[0].lstrip("-")
            if k in ("poly", "line"):
                moved.append((s[0], [(x + dx, y + dy) for x, y in s[1]]) + tuple(s[2:]))
            else:
                b = s[1]
                moved.append((s[0], (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy)) + tuple(s[2:]))
        self.paint(moved, fill=color, alpha=alpha, blur=blur)

    def place(self, sub: Scene, cx, cy, deg=0.0, shadow=None):
        """Composite a transparent sub-scene centred at (cx, cy), rotated deg (clockwise)."""
        im = sub.img.rotate(-deg, resample=Image.BICUBIC, expand=True) if deg else sub.img
        x, y = cx * SS - im.width / 2, cy * SS - im.height / 2
        if shadow:
            dx, dy, blur, alpha = shadow
            a = im.getchannel("A")
            pad = int(blur * SS * 3)
            a = ImageOps.expand(a, pad, 0).filter(ImageFilter.GaussianBlur(blur * SS))
            a = a.point(lambda v: int(v * alpha))
            sh = Image.new("RGBA", a.size, (20, 15, 10, 0))
            sh.putalpha(a)
            self._comp(sh, x - pad + dx * SS, y - pad + dy * SS)
        self._comp(im, x, y)

    def speckle(self, clip, colors, n, rmin, rmax, alpha=0.5, box=None, blur=0.0):
        x0, y0, x1, y1 = box or self._extent(clip)
        for c in colors:
            dots = []
            for _ in range(n // len(colors)):
                x, y = self.rng.uniform(x0, x1), self.rng.uniform(y0, y1)
                r = self.rng.uniform(rmin, rmax)
                dots.append(("ellipse", (x - r, y - r * 0.8, x + r, y + r * 0.8)))
            self.paint(dots, fill=c, alpha=alpha, clip=clip, blur=blur)

    def finish(self, grain=3.0, chroma=1.2, vignette=0.22, seed=0):
        im = self.img.resize((self.w, self.h), Image.LANCZOS)
        if self.transparent:
            return im
        arr = np.asarray(im.convert("RGB")).astype(np.float32)
        rng = np.random.default_rng(seed + 1000)
        h, w = arr.shape[:2]
        if vignette:
            yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
            r2 = ((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2
            arr *= (1 - vignette * np.clip(r2 / 2, 0, 1) ** 1.3)[..., None]
        if grain:
            g = rng.normal(0, grain, (h, w)).astype(np.float32)
            c = rng.normal(0, chroma, (h, w, 3)).astype(np.float32)
            arr += g[..., None] + c
        return Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), "RGB")


# ---------------------------------------------------------------------------
# reusable props
# ---------------------------------------------------------------------------

def sticky_note(seed, color, size=220, lines=3):
    n = Scene(size, size, transparent=True, seed=seed)
    n.paint([("rect", (0, 0, size, size))], grad=("diag", [(0, shade(color, 1.08)), (1, shade(color, 0.9))]))
    n.paint([("rect", (0, 0, size, size * 0.16))], fill=shade(color, 0.93), alpha=0.8)
    strokes = []
    for i in range(lines):
        y = size * (0.34 + i * 0.18)
        strokes.append(("line", scribble(n.rng, size * 0.12, y, size * (0.55 + 0.3 * n.rng.random()), amp=size * 0.025,
                                         step=size * 0.04), size * 0.018))
    n.paint(strokes, fill=(45, 45, 70), alpha=0.85)
    # curled lower corner highlight
    n.paint([("poly", [(size * 0.75, size), (size, size * 0.75), (size, size)])], fill=(0, 0, 0), alpha=0.08)
    return n


def pen(seed, length=520, width=30, body=(30, 50, 110)):
    p = Scene(length, width + 4, transparent=True, seed=seed)
    y0, y1 = 2, width + 2
    p.paint([("poly", [(0, (y0 + y1) / 2), (length * 0.08, y0 + 5), (length * 0.08, y1 - 5)])],
            grad=("v", [(0, (200, 200, 205)), (1, (120, 120, 128))]))
    p.paint([("rrect", (length * 0.07, y0, length, y1), width / 2)],
            grad=("v", [(0, shade(body, 1.4)), (0.35, body), (1, shade(body, 0.55))]))
    p.paint([("rrect", (length * 0.6, y0 - 1, length * 0.64, y1 + 1), 3)], fill=(210, 205, 190))
    p.paint([("rrect", (length * 0.64, y0 + 1, length * 0.95, y0 + 7), 3)], fill=(225, 220, 205))
    return p


def mug_shapes(x, y, w, h):
    """returns (body, rim, inner) shapes for a front-on mug with top-left at x,y."""
    eh = w * 0.28
    body = [("rect", (x, y + eh / 2, x + w, y + h - eh / 2)), ("ellipse", (x, y + h - eh, x + w, y + h))]
    rim = [("ellipse", (x, y, x + w, y + eh))]
    inner = [("ellipse", (x + w * 0.05, y + eh * 0.12, x + w * 0.95, y + eh * 0.9))]
    return body, rim, inner


def draw_mug(S, x, y, w, h, color, drink=(120, 72, 40), handle_side=1, steam=False):
    body, rim, inner = mug_shapes(x, y, w, h)
    S.shadow(body, dx=w * 0.08, dy=w * 0.05, blur=w * 0.08, alpha=0.3)
    hx = x + w if handle_side > 0 else x
    hb = (hx - w * 0.28, y + h * 0.22, hx + w * 0.28, y + h * 0.72)
    if handle_side > 0:
        S.paint([("arc", hb, -85, 85, w * 0.1)], grad=("v", [(0, shade(color, 1.1)), (1, shade(color, 0.6))]))
    else:
        S.paint([("arc", hb, 95, 265, w * 0.1)], grad=("v", [(0, shade(color, 1.1)), (1, shade(color, 0.6))]))
    S.paint(body, grad=("h", [(0, shade(color, 0.62)), (0.3, shade(color, 1.15)), (0.55, color), (1, shade(color, 0.55))]))
    S.paint(rim, fill=shade(color, 1.2))
    S.paint(inner, fill=shade(color, 0.5))
    if drink:
        eh = w * 0.28
        S.paint([("ellipse", (x + w * 0.07, y + eh * 0.25, x + w * 0.93, y + eh * 0.95))],
                grad=("v", [(0, shade(drink, 0.8)), (1, shade(drink, 1.1))]), clip=inner)
    # glaze highlight
    S.paint([("rrect", (x + w * 0.16, y + h * 0.22, x + w * 0.23, y + h * 0.8), w * 0.03)], fill=(255, 255, 255),
            alpha=0.22, blur=w * 0.02)
    if steam:
        for i in range(3):
            sx = x + w * (0.3 + 0.2 * i)
            pts = [(sx + 18 * math.sin(t / 25 + i), y - t) for t in range(10, int(h * 0.9), 8)]
            S.paint([("line", pts, w * 0.04)], fill=(255, 255, 255), alpha=0.25, blur=w * 0.025)


def tree_canopy(S, cx, cy, rx, ry, greens, n=260, light=(-0.5, -0.6), blur=0.0, rmin=40, rmax=110):
    rng = S.rng
    blobs = []
    for _ in range(n):
        a = rng.random() * 2 * math.pi
        r = math.sqrt(rng.random())
        x, y = cx + math.cos(a) * r * rx, cy + math.sin(a) * r * ry
        rr = rng.uniform(rmin, rmax)
        lit = ((x - cx) / rx * light[0] + (y - cy) / ry * light[1]) * 0.5 + 0.5  # 0..1
        blobs.append((y, x, rr, lit))
    blobs.sort()
    for y, x, rr, lit in blobs:
        base = greens[min(len(greens) - 1, int(lit * len(greens)))]
        S.paint([("ellipse", (x - rr, y - rr * 0.85, x + rr, y + rr * 0.85))],
                grad=("radial", [(0, shade(base, 1.12)), (1, shade(base, 0.85))], (0.35, 0.3)), blur=blur)


# ---------------------------------------------------------------------------
# scenes
# ---------------------------------------------------------------------------

def scene_desk(seed):
    """Desk with a laptop, a mug of tea and sticky notes."""
    S = Scene(2400, 1800, seed=seed)
    r = S.rng
    S.paint([("rect", (0, 0, 2400, 1060))], grad=("v", [(0, (236, 226, 208)), (1, (214, 199, 176))]))
    # window with soft greenery outside
    S.shadow([("rect", (140, 110, 940, 860))], dx=8, dy=10, blur=14, alpha=0.2)
    S.paint([("rect", (140, 110, 940, 860))], fill=(247, 245, 238))
    glass = [("rect", (175, 145, 905, 825))]
    S.paint(glass, grad=("v", [(0, (165, 200, 230)), (1, (226, 236, 238))]))
    for _ in range(26):
        x, y, rr = r.uniform(150, 930), r.uniform(560, 900), r.uniform(60, 140)
        S.paint([("ellipse", (x - rr, y - rr, x + rr, y + rr))], fill=mix((110, 150, 100), (150, 185, 130), r.random()),
                alpha=0.85, blur=10, clip=glass)
    S.paint([("rect", (530, 145, 550, 825)), ("rect", (175, 475, 905, 495))], fill=(247, 245, 238))
    S.paint([("rect", (120, 860, 960, 890))], fill=(240, 237, 230))
    S.paint([("rect", (120, 888, 960, 900))], fill=(0, 0, 0), alpha=0.12, blur=4)
    # light falling on the wall
    S.paint([("poly", [(960, 130), (1500, 330), (1500, 1050), (960, 880)])], fill=(255, 248, 228), alpha=0.22, blur=40)
    # framed abstract print
    S.shadow([("rect", (1820, 180, 2240, 640))], dx=10, dy=12, blur=12, alpha=0.25)
    S.paint([("rect", (1820, 180, 2240, 640))], fill=(70, 60, 52))
    S.paint([("rect", (1845, 205, 2215, 615))], fill=(246, 242, 232))
    S.paint([("ellipse", (1900, 280, 2080, 460))], fill=(230, 160, 90))
    S.paint([("ellipse", (2000, 360, 2170, 530))], fill=(110, 160, 150), alpha=0.85)
    S.paint([("rect", (1890, 520, 2170, 545))], fill=(60, 90, 120), alpha=0.8)
    # desk
    desk = [("rect", (0, 1040, 2400, 1800))]
    S.paint(desk, grad=("v", [(0, (176, 126, 82)), (1, (126, 84, 50))]))
    lines = []
    for _ in range(110):
        y = r.uniform(1045, 1800)
        f, ph, a = r.uniform(120, 420), r.uniform(0, 6), r.uniform(2, 8)
        lines.append(("line", [(x, y + a * math.sin(x / f + ph)) for x in range(-20, 2440, 40)], r.uniform(1, 3.5)))
    S.paint(lines[:60], fill=(105, 68, 38), alpha=0.22)
    S.paint(lines[60:], fill=(205, 160, 112), alpha=0.18)
    S.paint([("rect", (0, 1040, 2400, 1050))], fill=(205, 162, 116))
    S.paint([("rect", (0, 1000, 2400, 1042))], fill=(0, 0, 0), alpha=0.16, blur=14, clip=[("rect", (0, 0, 2400, 1041))])
    # window light on desk
    S.paint([("poly", [(100, 1045), (900, 1045), (1300, 1800), (0, 1800)])], fill=(255, 240, 210), alpha=0.12, blur=60)

    # plant in a pot (left)
    for i in range(14):
        ang = -160 + i * 10 + r.uniform(-5, 5)
        ln = r.uniform(200, 330)
        S.paint([("poly", leaf_pts(330, 960, ln, ln * 0.32, ang))],
                grad=("h", [(0, (70, 125, 70)), (1, (120, 170, 95))]))
    pot = [("poly", [(225, 930), (435, 930), (410, 1150), (250, 1150)])]
    S.shadow(pot, dx=30, dy=14, blur=16, alpha=0.3)
    S.paint(pot, grad=("h", [(0, (160, 82, 55)), (0.4, (205, 115, 80)), (1, (140, 70, 45))]))
    S.paint([("rect", (215, 915, 445, 965))], grad=("h", [(0, (170, 90, 60)), (0.4, (215, 125, 90)), (1, (150, 76, 50))]))

    # laptop
    lid = [(760, 400), (1580, 400), (1610, 990), (730, 990)]
    base = [(730, 990), (1610, 990), (1720, 1250), (620, 1250)]
    S.paint([("poly", [(620, 1250), (1720, 1250), (1700, 1290), (640, 1290)])], fill=(0, 0, 0), alpha=0.4, blur=22)
    S.paint([("poly", lid)], grad=("v", [(0, (52, 56, 64)), (1, (32, 34, 40))]))
    screen = quad_rect(lid, 0.035, 0.05, 0.965, 0.95)
    S.paint([("poly", screen)], grad=("v", [(0, (226, 236, 246)), (1, (200, 216, 234))]))
    S.paint([("poly", quad_rect(screen, 0, 0, 1, 0.08))], fill=(64, 104, 150))
    S.paint([("poly", quad_rect(screen, 0, 0.08, 0.2, 1))], fill=(236, 241, 247))
    for i in range(6):
        S.paint([("poly", quad_rect(screen, 0.03, 0.14 + i * 0.09, 0.16, 0.18 + i * 0.09))], fill=(170, 186, 205))
    cards = [((0.25, 0.14, 0.58, 0.42), (120, 180, 165)), ((0.62, 0.14, 0.96, 0.42), (240, 180, 110))]
    for (u0, v0, u1, v1), c in cards:
        S.paint([("poly", quad_rect(screen, u0, v0, u1, v1))], fill=(252, 253, 255))
        S.paint([("poly", quad_rect(screen, u0 + 0.02, v0 + 0.05, u1 - 0.02, v0 + 0.13))], fill=c)
        for j in range(3):
            S.paint([("poly", quad_rect(screen, u0 + 0.02, v0 + 0.17 + j * 0.035, u1 - 0.05 - 0.04 * j,
                                        v0 + 0.19 + j * 0.035))], fill=(180, 190, 200))
    for j in range(7):
        S.paint([("poly", quad_rect(screen, 0.25, 0.48 + j * 0.065, 0.96, 0.52 + j * 0.065))],
                fill=(248, 250, 252) if j % 2 else (236, 242, 248))
        S.paint([("poly", quad_rect(screen, 0.27, 0.49 + j * 0.065, 0.27 + 0.25 + 0.25 * r.random(),
                                    0.51 + j * 0.065))], fill=(165, 178, 195))
    S.paint([("poly", screen)], grad=("diag", [(0, (255, 255, 255)), (1, (255, 255, 255))]), alpha=0.08)
    S.paint([("poly", base)], grad=("v", [(0, (190, 193, 199)), (1, (218, 221, 226))]))
    S.paint([("poly", [(620, 1250), (1720, 1250), (1712, 1268), (628, 1268)])], fill=(150, 152, 158))
    keys = []
    rows, cols = 5, 14
    for i in range(rows):
        for j in range(cols):
            u0 = 0.08 + j * (0.84 / cols)
            v0 = 0.1 + i * (0.5 / rows)
            keys.append(("poly", quad_rect(base, u0 + 0.004, v0 + 0.012, u0 + 0.84 / cols - 0.004, v0 + 0.5 / rows - 0.012)))
    S.paint(keys, fill=(58, 60, 66))
    S.paint([("poly", quad_rect(base, 0.37, 0.68, 0.63, 0.94))], fill=(176, 179, 186))
    # sticky note on the bezel
    S.place(sticky_note(seed + 1, (250, 224, 90), 150, 2), 1570, 470, 9, shadow=(4, 6, 5, 0.3))

    # mug of tea with steam
    draw_mug(S, 1800, 960, 250, 330, (196, 84, 64), steam=True)

    # sticky notes and pen on the desk
    S.place(sticky_note(seed + 2, (252, 228, 96)), 300, 1440, 11, shadow=(6, 10, 8, 0.3))
    S.place(sticky_note(seed + 3, (246, 160, 180)), 500, 1600, -7, shadow=(6, 10, 8, 0.3))
    S.place(sticky_note(seed + 4, (160, 220, 170)), 2050, 1560, 5, shadow=(6, 10, 8, 0.3))
    S.place(pen(seed + 5), 1300, 1500, -14, shadow=(8, 14, 8, 0.35))
    return S.finish(seed=seed)


def scene_kettle(seed):
    """Illustration (transparent PNG): kettle and two mugs in a community kitchen."""
    S = Scene(2400, 1800, transparent=True, seed=seed)
    card = [("rrect", (120, 100, 2280, 1700), 160)]
    S.paint(card, grad=("v", [(0, (226, 238, 236)), (1, (206, 224, 222))]))
    # tiled splashback
    tiles = []
    for row in range(9):
        y = 160 + row * 100
        off = 0 if row % 2 == 0 else 95
        for col in range(-1, 13):
            x = 120 + off + col * 190
            tiles.append(("rrect", (x + 6, y + 6, x + 184, y + 94), 10))
    S.paint(tiles, fill=(240, 248, 246), clip=card)
    # shelf with jars
    S.paint([("rect", (1320, 430, 2220, 460))], fill=(190, 140, 95))
    S.paint([("rect", (1320, 458, 2220, 470))], fill=(0, 0, 0), alpha=0.15, blur=4)
    for i, c in enumerate([(220, 120, 90), (120, 170, 150), (240, 196, 100)]):
        x = 1380 + i * 290
        S.paint([("rrect", (x, 260, x + 200, 430), 30)], fill=(250, 250, 248), alpha=0.9)
        S.paint([("rrect", (x + 10, 320, x + 190, 425), 25)], fill=c)
        S.paint([("rrect", (x - 6, 240, x + 206, 280), 12)], fill=(90, 90, 96))
    # worktop
    S.paint([("rrect", (120, 1130, 2280, 1700), 160), ("rect", (120, 1130, 2280, 1400))],
            grad=("v", [(0, (205, 160, 112)), (0.1, (190, 142, 96)), (1, (170, 124, 80))]), clip=card)
    S.paint([("rect", (120, 1130, 2280, 1160))], fill=(222, 182, 136), clip=card)
    S.paint([("rect", (120, 1100, 2280, 1132))], fill=(0, 0, 0), alpha=0.10, blur=10, clip=card)
    # kettle
    teal = (52, 132, 140)
    S.paint([("ellipse", (640, 1180, 1260, 1300))], fill=(0, 0, 0), alpha=0.25, blur=18)
    S.paint([("rrect", (660, 1170, 1240, 1250), 30)], grad=("v", [(0, (70, 72, 80)), (1, (40, 42, 48))]))
    body = [("poly", catmull([(720, 1180), (700, 900), (760, 650), (1140, 650), (1200, 900), (1180, 1180)], 10)),
            ("rect", (720, 1100, 1180, 1190))]
    spout = [("poly", [(740, 800), (560, 640), (520, 630), (540, 680), (715, 930)])]
    S.paint(spout, grad=("h", [(0, shade(teal, 0.8)), (1, teal)]))
    S.paint([("arc", (800, 480, 1100, 760), 180, 360, 55)], grad=("v", [(0, (60, 60, 66)), (1, (30, 30, 36))]))
    S.paint(body, grad=("h", [(0, shade(teal, 0.65)), (0.3, shade(teal, 1.25)), (0.55, teal), (1, shade(teal, 0.55))]))
    S.paint([("ellipse", (780, 620, 1120, 690))], fill=shade(teal, 1.2))
    S.paint([("ellipse", (900, 590, 1000, 640))], fill=(50, 50, 56))
    S.paint([("rrect", (790, 760, 830, 1120), 20)], fill=(255, 255, 255), alpha=0.3)
    S.paint([("rect", (700, 1090, 1200, 1120))], fill=shade(teal, 0.5), alpha=0.6)
    S.paint([("ellipse", (1120, 1020, 1150, 1050))], fill=(255, 120, 80))
    # steam puffs
    for i, (x, y, rr) in enumerate([(500, 560, 50), (460, 470, 70), (520, 360, 90), (450, 240, 70)]):
        S.paint([("ellipse", (x - rr, y - rr, x + rr, y + rr))], fill=(255, 255, 255), alpha=0.55 - i * 0.1, blur=12)
    # mugs
    draw_mug(S, 1380, 880, 300, 360, (236, 190, 80), drink=None, handle_side=1)
    draw_mug(S, 1800, 900, 280, 340, (222, 112, 96), drink=None, handle_side=1)
    for mx, top, w in [(1380, 880, 300), (1800, 900, 280)]:
        tx = mx + w * 0.6
        S.paint([("line", [(tx, top + 30), (tx + 30, top + 40), (tx + 40, top + 160)], 5)], fill=(245, 245, 240))
        S.paint([("rrect", (tx + 15, top + 150, tx + 75, top + 215), 6)], fill=(250, 250, 246))
        S.paint([("rrect", (tx + 25, top + 165, tx + 65, top + 175), 3)], fill=(120, 170, 120))
    # teaspoon and sugar bowl
    S.paint([("ellipse", (1080, 1245, 1520, 1290))], fill=(0, 0, 0), alpha=0.2, blur=10)
    S.paint([("line", [(1150, 1260), (1430, 1240)], 14)], fill=(185, 188, 195))
    S.paint([("ellipse", (1100, 1235, 1200, 1285))], fill=(205, 208, 214))
    S.paint([("ellipse", (1930, 1260, 2170, 1300))], fill=(0, 0, 0), alpha=0.2, blur=10)
    S.paint([("ellipse", (1940, 1150, 2160, 1290))], fill=(250, 250, 248))
    S.paint([("ellipse", (1950, 1150, 2150, 1200))], fill=(240, 236, 226))
    S.paint([("ellipse", (1980, 1162, 2120, 1192))], fill=(255, 255, 255))
    return S.finish()


def scene_busstop(seed):
    """Bus stop in the rain (portrait; saved with EXIF Orientation 6)."""
    S = Scene(1800, 2400, seed=seed)
    r = S.rng
    S.paint([("rect", (0, 0, 1800, 1500))], grad=("v", [(0, (118, 130, 146)), (1, (176, 184, 192))]))
    for _ in range(8):
        x, y, rr = r.uniform(0, 1800), r.uniform(80, 600), r.uniform(200, 400)
        S.paint([("ellipse", (x - rr, y - rr * 0.4, x + rr, y + rr * 0.4))], fill=(150, 160, 172), alpha=0.5, blur=50)
    # distant buildings
    x = -40
    while x < 1800:
        bw, bh = r.uniform(160, 320), r.uniform(400, 820)
        col = mix((112, 124, 138), (138, 148, 160), r.random())
        S.paint([("rect", (x, 1480 - bh, x + bw, 1480))], fill=col, blur=3)
        wins = []
        for wy in range(int(1480 - bh + 40), 1440, 70):
            for wx in range(int(x + 25), int(x + bw - 40), 55):
                wins.append(("rect", (wx, wy, wx + 28, wy + 38)))
        S.paint(wins, fill=(230, 215, 170) if r.random() < 0.3 else (160, 172, 184), alpha=0.55, blur=3)
        x += bw + r.uniform(-10, 30)
    # street trees
    for tx in (250, 1500):
        S.paint([("rect", (tx - 14, 1150, tx + 14, 1480))], fill=(70, 70, 72), blur=3)
        for _ in range(40):
            x, y, rr = tx + r.uniform(-180, 180), r.uniform(880, 1200), r.uniform(50, 110)
            S.paint([("ellipse", (x - rr, y - rr, x + rr, y + rr))], fill=mix((80, 100, 80), (110, 130, 100), r.random()),
                    alpha=0.9, blur=5)
    S.paint([("rect", (0, 1150, 1800, 1500))], fill=(170, 178, 186), alpha=0.35, blur=40)
    # road, wet
    road = [("rect", (0, 1480, 1800, 1760))]
    S.paint(road, grad=("v", [(0, (78, 84, 92)), (1, (58, 62, 70))]))
    refl = []
    for _ in range(40):
        x = r.uniform(0, 1800)
        refl.append(("rect", (x, 1490, x + r.uniform(10, 60), 1490 + r.uniform(60, 220))))
    S.paint(refl, fill=(160, 170, 182), alpha=0.25, blur=10, clip=road)
    S.paint([("rect", (0, 1600, 1800, 1612))], fill=(225, 225, 220), alpha=0.5)
    # kerb and pavement
    S.paint([("rect", (0, 1740, 1800, 1790))], grad=("v", [(0, (170, 172, 174)), (1, (120, 122, 126))]))
    pave = [("rect", (0, 1790, 1800, 2400))]
    S.paint(pave, grad=("v", [(0, (128, 132, 138)), (1, (104, 108, 114))]))
    joints = [("line", [(0, y), (1800, y)], 4) for y in (1900, 2040, 2220)]
    for x in range(-1200, 3000, 300):
        joints.append(("line", [(900 + (x - 900) * 0.45, 1790), (x, 2400)], 4))
    S.paint(joints, fill=(80, 84, 90), alpha=0.5)
    S.speckle(pave, [(150, 154, 160), (90, 94, 100)], 1400, 1, 4, alpha=0.35)
    # puddles with sky reflection and ripples
    for (cx, cy, rx, ry) in [(420, 2130, 360, 70), (1300, 2300, 420, 80), (1000, 1950, 200, 40)]:
        pd = [("poly", ellipse_pts(cx, cy, rx, ry))]
        S.paint(pd, grad=("v", [(0, (150, 162, 176)), (1, (96, 104, 116))]), alpha=0.9, blur=3)
        rip = []
        for _ in range(5):
            x, y, rr = cx + r.uniform(-rx * 0.6, rx * 0.6), cy + r.uniform(-ry * 0.4, ry * 0.4), r.uniform(15, 45)
            rip.append(("arc", (x - rr, y - rr * 0.3, x + rr, y + rr * 0.3), 0, 360, 3))
        S.paint(rip, fill=(210, 218, 226), alpha=0.45, clip=pd)
    # shelter
    green = (48, 78, 72)
    S.paint([("rect", (720, 2000, 1800, 2060))], fill=(0, 0, 0), alpha=0.25, blur=25)
    S.paint([("rect", (760, 1050, 1800, 2000))], fill=(190, 210, 220), alpha=0.28)
    S.paint([("rect", (760, 1050, 1800, 2000))], grad=("diag", [(0, (255, 255, 255)), (1, (255, 255, 255))]), alpha=0.06)
    S.paint([("rect", (1380, 1300, 1640, 1680))], fill=(240, 240, 236), alpha=0.95)
    S.paint([("rect", (1380, 1300, 1640, 1360))], fill=(200, 70, 60))
    S.paint([("rrect", (1405, 1390 + i * 42, 1405 + r.uniform(120, 210), 1404 + i * 42), 5) for i in range(7)],
            fill=(150, 150, 150))
    S.paint([("rect", (880, 1640, 1700, 1680))], fill=(90, 96, 100))
    S.paint([("rect", (900, 1680, 920, 1820)), ("rect", (1660, 1680, 1680, 1820))], fill=(70, 74, 78))
    posts = [("rect", (740, 960, 780, 2010)), ("rect", (1760, 960, 1800, 2010))]
    S.paint(posts, grad=("h", [(0, shade(green, 1.3)), (1, shade(green, 0.7))]))
    roof = [("poly", [(690, 930), (1800, 930), (1800, 1010), (700, 1010)])]
    S.paint(roof, grad=("v", [(0, shade(green, 1.25)), (1, shade(green, 0.8))]))
    S.paint([("rect", (700, 1005, 1800, 1050))], fill=(0, 0, 0), alpha=0.25, blur=14)
    drips = [("line", [(x, 1012), (x, 1012 + r.uniform(20, 60))], 4) for x in range(720, 1800, 55)]
    S.paint(drips, fill=(220, 230, 238), alpha=0.6)
    # bus stop pole and flag with a bus pictogram
    S.paint([("rect", (440, 2015, 520, 2040))], fill=(0, 0, 0), alpha=0.3, blur=10)
    S.paint([("rect", (465, 680, 495, 2030))], grad=("h", [(0, (170, 172, 176)), (0.4, (225, 226, 228)), (1, (110, 112, 116))]))
    S.paint([("rrect", (300, 560, 660, 880), 20)], fill=(215, 60, 50))
    S.paint([("ellipse", (370, 600, 590, 820))], fill=(250, 250, 248))
    S.paint([("rrect", (410, 655, 550, 755), 18)], fill=(215, 60, 50))
    S.paint([("rect", (425, 670, 535, 705))], fill=(250, 250, 248))
    S.paint([("ellipse", (420, 740, 450, 770)), ("ellipse", (510, 740, 540, 770))], fill=(40, 40, 44))
    S.paint([("rect", (300, 860, 660, 880))], fill=(0, 0, 0), alpha=0.15)
    # rain
    for layer, (n, a, wd, bl) in enumerate([(900, 0.18, 2, 1.5), (500, 0.28, 3, 0.8), (160, 0.35, 4, 0)]):
        drops = []
        for _ in range(n):
            x, y = r.uniform(-100, 1900), r.uniform(-100, 2400)
            ln = r.uniform(40, 90) * (1 + layer * 0.6)
            drops.append(("line", [(x, y), (x - ln * 0.18, y + ln)], wd))
        S.paint(drops, fill=(225, 232, 240), alpha=a, blur=bl)
    S.paint([("rect", (0, 0, 1800, 2400))], fill=(160, 175, 190), alpha=0.08)
    return S.finish(seed=seed, vignette=0.28)


def scene_allotment(seed):
    """Raised vegetable beds at an allotment (WebP)."""
    S = Scene(2400, 1800, seed=seed)
    r = S.rng
    S.paint([("rect", (0, 0, 2400, 820))], grad=("v", [(0, (150, 192, 226)), (1, (226, 234, 232))]))
    for _ in range(10):
        x, y, rr = r.uniform(0, 2400), r.uniform(60, 420), r.uniform(120, 260)
        S.paint([("ellipse", (x - rr, y - rr * 0.45, x + rr, y + rr * 0.45))], fill=(255, 255, 255), alpha=0.55, blur=30)
    # hedge / tree line
    hill = [(x, 700 + 30 * math.sin(x / 300) + 15 * math.sin(x / 97)) for x in range(0, 2401, 40)]
    S.paint([("poly", hill + [(2400, 860), (0, 860)])], fill=(92, 128, 88), blur=2)
    for _ in range(60):
        x, rr = r.uniform(0, 2400), r.uniform(40, 110)
        y = 700 + 30 * math.sin(x / 300) - r.uniform(0, 90)
        S.paint([("ellipse", (x - rr, y - rr, x + rr, y + rr))], fill=mix((80, 118, 80), (120, 150, 100), r.random()), blur=2)
    # shed
    S.paint([("rect", (1750, 560, 2080, 800))], grad=("h", [(0, (92, 122, 104)), (1, (70, 98, 84))]))
    S.paint([("poly", [(1720, 570), (1915, 470), (2110, 570)])], fill=(70, 62, 60))
    S.paint([("rect", (1820, 640, 1900, 800))], fill=(58, 84, 72))
    S.paint([("rect", (1960, 630, 2040, 690))], fill=(200, 215, 220))
    # ground
    ground = [("rect", (0, 780, 2400, 1800))]
    S.paint(ground, grad=("v", [(0, (128, 160, 92)), (1, (92, 132, 66))]))
    blades = []
    for _ in range(2500):
        x, y = r.uniform(0, 2400), r.uniform(790, 1800)
        ln = 6 + (y - 780) / 40
        blades.append(("line", [(x, y), (x + r.uniform(-4, 4), y - ln)], 1 + (y - 780) / 500))
    S.paint(blades[:1250], fill=(70, 110, 50), alpha=0.35)
    S.paint(blades[1250:], fill=(170, 200, 120), alpha=0.3)
    # bark path between the beds
    path = [("poly", [(1080, 820), (1240, 820), (1700, 1800), (700, 1800)])]
    S.paint(path, grad=("v", [(0, (150, 118, 84)), (1, (120, 88, 58))]))
    S.speckle(path, [(90, 62, 40), (180, 146, 104)], 1400, 2, 8, alpha=0.5)

    def bed(near_l, near_r, far_l, far_r, y_near, y_far, plank=70, crop="cabbage"):
        top = [(far_l, y_far), (far_r, y_far), (near_r, y_near), (near_l, y_near)]
        depth_far = plank * 0.35
        # front face
        front = [("poly", [(near_l, y_near), (near_r, y_near), (near_r, y_near + plank), (near_l, y_near + plank)])]
        side_right = [("poly", [(far_r, y_far), (near_r, y_near), (near_r, y_near + plank), (far_r, y_far + depth_far)])]
        side_left = [("poly", [(far_l, y_far), (near_l, y_near), (near_l, y_near + plank), (far_l, y_far + depth_far)])]
        S.paint([("poly", [(near_l, y_near + plank), (near_r, y_near + plank), (near_r + 40, y_near + plank + 40),
                           (near_l + 40, y_near + plank + 40)])], fill=(0, 0, 0), alpha=0.25, blur=20)
        for sd in (side_left, side_right):
            S.paint(sd, grad=("v", [(0, (150, 110, 70)), (1, (120, 84, 50))]))
        S.paint(front, grad=("v", [(0, (176, 130, 84)), (1, (136, 96, 58))]))
        S.paint([("line", [(near_l, y_near + plank / 2), (near_r, y_near + plank / 2)], 3)], fill=(90, 60, 35), alpha=0.5)
        soil = [("poly", top)]
        S.paint(soil, grad=("v", [(0, (84, 62, 46)), (1, (70, 50, 36))]))
        S.speckle(soil, [(50, 36, 26), (120, 92, 68)], 900, 2, 6, alpha=0.55)
        # plank rims
        S.paint([("line", [(far_l, y_far), (near_l, y_near)], plank * 0.35), ("line", [(far_r, y_far), (near_r, y_near)], plank * 0.35),
                 ("line", [(far_l, y_far), (far_r, y_far)], 8), ("line", [(near_l, y_near), (near_r, y_near)], 22)],
                fill=(186, 140, 92))
        # plants in rows, back to front
        rows = 2
        for k in range(9, -1, -1):
            t = k / 9  # 0 near .. 1 far
            v = 1 - t
            y = y_far + (y_near - y_far) * (0.06 + 0.86 * v)
            xl = far_l + (near_l - far_l) * (0.06 + 0.86 * v)
            xr = far_r + (near_r - far_r) * (0.06 + 0.86 * v)
            sc = 0.35 + 0.65 * v
            for j in range(rows):
                x = xl + (xr - xl) * (j + 0.5) / rows + r.uniform(-8, 8)
                if crop == "cabbage":
                    cy = y - 40 * sc
                    for q in range(8):
                        ang = q * 45 + r.uniform(-10, 10)
                        S.paint([("poly", leaf_pts(x, cy, 105 * sc, 80 * sc, ang))],
                                grad=("radial", [(0, (120, 170, 140)), (1, (62, 110, 90))]))
                    for rr, c in [(58, (110, 160, 128)), (42, (150, 196, 150)), (22, (190, 220, 175))]:
                        S.paint([("ellipse", (x - rr * sc, cy - rr * sc * 0.8, x + rr * sc, cy + rr * sc * 0.8))],
                                fill=c)
                else:
                    for q in range(11):
                        ang = -170 + q * 16 + r.uniform(-6, 6)
                        ln = r.uniform(90, 140) * sc
                        S.paint([("poly", leaf_pts(x, y, ln, ln * 0.55, ang))],
                                grad=("h", [(0, (96, 160, 70)), (1, (160, 205, 110))]))
        return top

    bed(180, 960, 700, 1030, 1560, 860, crop="cabbage")
    bed(1480, 2250, 1290, 1640, 1560, 860, crop="lettuce")
    # bean canes in the far left bed corner
    for _i, bx in enumerate([760, 860, 960]):
        canes = [("line", [(bx - 60, 880), (bx, 420)], 10), ("line", [(bx + 60, 880), (bx, 420)], 10)]
        S.paint(canes, fill=(196, 170, 120))
        lv = []
        for _ in range(30):
            t = r.random()
            side = r.choice([-1, 1])
            x0, y0 = bx + side * 60 * (1 - t), 880 - 460 * t
            lv.append(("poly", leaf_pts(x0, y0, r.uniform(30, 50), 24, r.uniform(0, 360))))
        S.paint(lv, fill=(86, 140, 70))
    # watering can on the path
    wc = (60, 130, 90)
    S.paint([("ellipse", (1060, 1600, 1420, 1660))], fill=(0, 0, 0), alpha=0.3, blur=16)
    S.paint([("poly", [(1000, 1420), (1060, 1450), (1130, 1540), (1120, 1560)])], fill=shade(wc, 0.85))
    S.paint([("rrect", (1100, 1400, 1320, 1630), 40)], grad=("h", [(0, shade(wc, 0.7)), (0.35, shade(wc, 1.3)), (1, shade(wc, 0.6))]))
    S.paint([("arc", (1150, 1330, 1330, 1500), 180, 360, 22)], fill=shade(wc, 0.8))
    S.paint([("ellipse", (980, 1405, 1020, 1440))], fill=shade(wc, 0.6))
    return S.finish(seed=seed)


def leaflet(seed, w, h, color, style):
    L = Scene(w, h, transparent=True, seed=seed)
    r = L.rng
    paper = (252, 250, 244) if style != "solid" else shade(color, 1.55)
    L.paint([("rect", (0, 0, w, h))], fill=paper)
    L.paint([("rect", (0, 0, w, h * 0.24))], fill=color)
    L.paint([("rrect", (w * 0.1, h * 0.07, w * (0.55 + 0.3 * r.random()), h * 0.13), 8),
             ("rrect", (w * 0.1, h * 0.16, w * 0.45, h * 0.19), 6)], fill=(255, 255, 255), alpha=0.9)
    icon = r.choice(["sun", "leaf", "heart", "cup", "dots"])
    cx, cy, rr = w * 0.5, h * 0.42, min(w, h) * 0.13
    ic = shade(color, 0.8)
    if icon == "sun":
        L.paint([("ellipse", (cx - rr, cy - rr, cx + rr, cy + rr))], fill=(245, 190, 60))
        L.paint([("line", [(cx + rr * 1.2 * math.cos(a), cy + rr * 1.2 * math.sin(a)),
                           (cx + rr * 1.6 * math.cos(a), cy + rr * 1.6 * math.sin(a))], rr * 0.12)
                 for a in [i * math.pi / 4 for i in range(8)]], fill=(245, 190, 60))
    elif icon == "leaf":
        L.paint([("poly", leaf_pts(cx - rr, cy + rr, rr * 2.6, rr * 1.3, -45))], fill=(90, 160, 90))
    elif icon == "heart":
        L.paint([("ellipse", (cx - rr, cy - rr * 0.8, cx, cy + rr * 0.2)), ("ellipse", (cx, cy - rr * 0.8, cx + rr, cy + rr * 0.2)),
                 ("poly", [(cx - rr * 0.97, cy - rr * 0.15), (cx + rr * 0.97, cy - rr * 0.15), (cx, cy + rr * 1.1)])], fill=ic)
    elif icon == "cup":
        L.paint([("rrect", (cx - rr, cy - rr * 0.6, cx + rr * 0.7, cy + rr), rr * 0.3)], fill=ic)
        L.paint([("arc", (cx + rr * 0.4, cy - rr * 0.3, cx + rr * 1.2, cy + rr * 0.5), -90, 90, rr * 0.2)], fill=ic)
    else:
        for i in range(3):
            L.paint([("ellipse", (cx - rr * 1.5 + i * rr, cy - rr * 0.45, cx - rr * 0.6 + i * rr, cy + rr * 0.45))],
                    fill=[(230, 110, 90), (90, 160, 190), (240, 190, 70)][i])
    bars = []
    y = h * 0.62
    while y < h * (0.8 if style == "tear" else 0.92):
        bars.append(("rrect", (w * 0.1, y, w * (0.5 + 0.4 * r.random()), y + h * 0.022), 4))
        y += h * 0.05
    L.paint(bars, fill=(150, 150, 150))
    if style == "tear":
        for i in range(8):
            x = w * i / 8
            L.paint([("rect", (x + 2, h * 0.83, x + w / 8 - 2, h))], fill=paper)
            L.paint([("line", [(x + w / 16, h * 0.86), (x + w / 16, h * 0.97)], 3)], fill=(130, 130, 130))
        L.paint([("line", [(0, h * 0.83), (w, h * 0.83)], 2)], fill=(190, 190, 190))
    return L


def scene_noticeboard(seed):
    """Notice board with colourful (abstract, illegible) leaflets."""
    S = Scene(2400, 1800, seed=seed)
    r = S.rng
    S.paint([("rect", (0, 0, 2400, 1800))], grad=("v", [(0, (216, 224, 206)), (1, (194, 203, 186))]))
    S.paint([("rect", (0, 1580, 2400, 1800))], grad=("v", [(0, (150, 140, 130)), (1, (120, 112, 104))]))
    S.paint([("rect", (0, 1560, 2400, 1590))], fill=(240, 238, 232))
    frame = [("rect", (240, 150, 2160, 1420))]
    S.shadow(frame, dx=14, dy=20, blur=22, alpha=0.3)
    S.paint(frame, grad=("v", [(0, (170, 122, 80)), (1, (140, 98, 62))]))
    cork = [("rect", (285, 195, 2115, 1375))]
    S.paint(cork, grad=("radial", [(0, (206, 162, 112)), (1, (180, 134, 88))]))
    S.speckle(cork, [(150, 104, 62), (226, 190, 140), (120, 84, 50)], 5000, 1.5, 5, alpha=0.6)
    S.paint([("rect", (285, 195, 2115, 215)), ("rect", (285, 195, 305, 1375))], fill=(0, 0, 0), alpha=0.2, blur=6, clip=cork)
    items = [
        (520, 480, 340, 470, -4, (220, 90, 80), "plain"), (900, 440, 300, 420, 3, (70, 140, 170), "solid"),
        (1270, 520, 360, 500, -2, (110, 170, 90), "tear"), (1660, 430, 330, 440, 5, (240, 170, 60), "plain"),
        (1950, 620, 260, 360, -6, (150, 100, 170), "plain"), (560, 1030, 360, 460, 6, (240, 190, 70), "tear"),
        (950, 1050, 320, 440, -3, (230, 120, 140), "plain"), (1340, 1070, 400, 360, 2, (80, 160, 150), "solid"),
        (1760, 1060, 340, 470, -5, (90, 110, 180), "plain"), (1980, 1190, 220, 240, 8, (250, 230, 110), "note"),
    ]
    pins = []
    for i, (cx, cy, w, h, a, c, st) in enumerate(items):
        if st == "note":
            sub = sticky_note(seed + 50 + i, c, w, 3)
        else:
            sub = leaflet(seed + i, w, h, c, st)
        S.place(sub, cx, cy, a, shadow=(6, 10, 7, 0.35))
        px, py = rot_pts([(cx, cy - h / 2 + 26)], a, cx, cy)[0]
        pins.append((px, py, r.choice([(210, 50, 50), (40, 110, 200), (40, 160, 90), (240, 200, 40), (250, 250, 250)])))
    for px, py, c in pins:
        S.paint([("ellipse", (px - 14, py - 6, px + 26, py + 30))], fill=(0, 0, 0), alpha=0.35, blur=5)
        S.paint([("ellipse", (px - 17, py - 17, px + 17, py + 17))], grad=("radial", [(0, shade(c, 1.4)), (1, shade(c, 0.7))], (0.35, 0.35)))
    # radiator under the board
    S.paint([("rect", (700, 1600, 1700, 1610))], fill=(0, 0, 0), alpha=0.2, blur=10)
    S.paint([("rrect", (700, 1440, 1700, 1600), 12)], fill=(236, 236, 232))
    S.paint([("line", [(x, 1455), (x, 1585)], 6) for x in range(730, 1690, 40)], fill=(200, 200, 196))
    S.paint([("rect", (700, 1580, 1700, 1600))], fill=(0, 0, 0), alpha=0.08)
    S.paint([("poly", [(0, 0), (900, 0), (300, 1800), (0, 1800)])], fill=(255, 250, 235), alpha=0.08, blur=80)
    return S.finish(seed=seed)


def scene_bench(seed):
    """A park bench under a tree."""
    S = Scene(2400, 1800, seed=seed)
    r = S.rng
    S.paint([("rect", (0, 0, 2400, 1000))], grad=("v", [(0, (164, 200, 228)), (1, (238, 232, 214))]))
    for _ in range(8):
        x, y, rr = r.uniform(0, 2400), r.uniform(60, 500), r.uniform(150, 300)
        S.paint([("ellipse", (x - rr, y - rr * 0.35, x + rr, y + rr * 0.35))], fill=(255, 255, 255), alpha=0.5, blur=35)
    hills = [(x, 900 + 40 * math.sin(x / 380 + 1) + 20 * math.sin(x / 150)) for x in range(0, 2401, 40)]
    S.paint([("poly", hills + [(2400, 1050), (0, 1050)])], fill=(150, 176, 160), blur=4)
    for _ in range(30):
        x, rr = r.uniform(0, 2400), r.uniform(30, 70)
        y = 900 + 40 * math.sin(x / 380 + 1) - r.uniform(0, 30)
        S.paint([("ellipse", (x - rr, y - rr, x + rr, y + rr))], fill=(120, 150, 122), blur=4)
    grass = [("rect", (0, 960, 2400, 1800))]
    S.paint(grass, grad=("v", [(0, (150, 180, 100)), (1, (100, 146, 70))]))
    # path
    top = [(2400, 1080), (1700, 1130), (1200, 1250), (700, 1500), (300, 1800)]
    bot = [(0, 1800), (500, 1800), (900, 1580), (1350, 1360), (1900, 1220), (2400, 1170)]
    S.paint([("poly", catmull(top, 8) + catmull(bot, 8))], grad=("v", [(0, (214, 198, 168)), (1, (190, 170, 136))]))
    blades = []
    for _ in range(3000):
        x, y = r.uniform(0, 2400), r.uniform(965, 1800)
        ln = 6 + (y - 960) / 35
        blades.append(("line", [(x, y), (x + r.uniform(-5, 5), y - ln)], 1 + (y - 960) / 500))
    S.paint(blades[:1500], fill=(80, 120, 56), alpha=0.3)
    S.paint(blades[1500:], fill=(184, 210, 130), alpha=0.25)
    # tree shadow
    S.paint([("ellipse", (200, 1080, 1900, 1420))], fill=(30, 60, 30), alpha=0.35, blur=50)
    # trunk and branches
    trunk = [("poly", [(700, 1250), (760, 1150), (790, 800), (770, 500), (850, 500), (860, 800), (900, 1160), (980, 1260)])]
    S.paint(trunk, grad=("h", [(0, (80, 60, 46)), (0.4, (126, 98, 74)), (1, (66, 50, 40))]))
    S.paint([("line", [(800, 760), (620, 560), (480, 460)], 40), ("line", [(840, 700), (1050, 520), (1180, 430)], 36),
             ("line", [(810, 600), (820, 300)], 34)], fill=(98, 76, 58))
    bark = [("line", [(760 + i * 20 + r.uniform(-5, 5), 1230), (790 + i * 12, 820), (785 + i * 14, 520)], 3) for i in range(6)]
    S.paint(bark, fill=(60, 44, 34), alpha=0.35)
    tree_canopy(S, 820, 430, 720, 380, [(58, 96, 56), (74, 118, 64), (96, 140, 74), (124, 164, 86), (150, 184, 100)],
                n=320, rmin=60, rmax=140)
    # bench
    iron = (46, 50, 52)
    S.paint([("ellipse", (1220, 1300, 2080, 1400))], fill=(20, 40, 20), alpha=0.35, blur=20)
    legs = [("line", [(1290, 1130), (1270, 1360)], 22), ("line", [(2010, 1130), (2030, 1360)], 22),
            ("line", [(1330, 1210), (1340, 1320)], 18), ("line", [(1970, 1210), (1960, 1320)], 18)]
    S.paint(legs, fill=iron)
    wood = (168, 118, 74)
    for y in (1000, 1050, 1100):
        S.paint([("rrect", (1250, y, 2050, y + 38), 8)], grad=("v", [(0, shade(wood, 1.2)), (1, shade(wood, 0.8))]))
    S.paint([("line", [(1300, 980), (1300, 1200)], 18), ("line", [(2000, 980), (2000, 1200)], 18)], fill=iron)
    for y, inset in [(1170, 30), (1200, 15), (1230, 0)]:
        S.paint([("rrect", (1240 - inset, y, 2060 + inset, y + 26), 6)],
                grad=("v", [(0, shade(wood, 1.25)), (1, shade(wood, 0.85))]))
    S.paint([("line", [(1250, 1140), (1240, 1185), (1300, 1200)], 18), ("line", [(2050, 1140), (2060, 1185), (2000, 1200)], 18)],
            fill=iron)
    # small posy of flowers on the bench
    for i in range(6):
        fx, fy = 1560 + i * 14, 1150 - (i % 3) * 10
        S.paint([("line", [(1590, 1185), (fx, fy)], 4)], fill=(80, 120, 60))
        S.paint([("ellipse", (fx - 14, fy - 14, fx + 14, fy + 14))], fill=[(250, 240, 235), (240, 200, 70), (210, 120, 170)][i % 3])
    # dappled light and fallen leaves
    for _ in range(40):
        x, y, rr = r.uniform(200, 1900), r.uniform(1100, 1420), r.uniform(20, 60)
        S.paint([("ellipse", (x - rr, y - rr * 0.35, x + rr, y + rr * 0.35))], fill=(240, 240, 170), alpha=0.25, blur=8)
    lv = {c: [] for c in [(220, 150, 60), (200, 100, 50), (230, 190, 80)]}
    for _ in range(90):
        x, y = r.uniform(0, 2400), r.uniform(1100, 1780)
        sz = 14 + (y - 1100) / 25
        lv[r.choice(list(lv))].append(("poly", leaf_pts(x, y, sz * 2, sz, r.uniform(0, 360))))
    for c, shapes in lv.items():
        S.paint(shapes, fill=c, alpha=0.9)
    flowers = [("ellipse", (x - 6, y - 6, x + 6, y + 6)) for x, y in ((r.uniform(0, 2400), r.uniform(1500, 1800)) for _ in range(120))]
    S.paint(flowers, fill=(250, 250, 240), alpha=0.8)
    return S.finish(seed=seed)


def scene_phone(seed):
    """Illustration: phone on a table next to an open notebook and pen (top-down)."""
    S = Scene(2400, 1800, seed=seed)
    r = S.rng
    table = [("rect", (0, 0, 2400, 1800))]
    S.paint(table, grad=("diag", [(0, (226, 206, 176)), (1, (200, 176, 142))]))
    grain = []
    for _ in range(120):
        x = r.uniform(-100, 2500)
        f, ph, a = r.uniform(200, 500), r.uniform(0, 6), r.uniform(3, 12)
        grain.append(("line", [(x + a * math.sin(y / f + ph), y) for y in range(-20, 1840, 40)], r.uniform(1, 4)))
    S.paint(grain[:70], fill=(176, 146, 108), alpha=0.3)
    S.paint(grain[70:], fill=(240, 226, 200), alpha=0.3)
    # notebook
    nb = Scene(1240, 860, transparent=True, seed=seed + 1)
    nb.paint([("rrect", (0, 0, 1240, 860), 18)], fill=(58, 84, 110))
    for side in (0, 1):
        x0 = 30 + side * 600
        nb.paint([("rect", (x0, 25, x0 + 580, 835))], fill=(252, 249, 238))
        nb.paint([("line", [(x0 + 30, y), (x0 + 560, y)], 2) for y in range(110, 820, 44)], fill=(170, 196, 220))
    nb.paint([("rect", (560, 25, 680, 835))], grad=("h", [(0, (252, 249, 238)), (0.5, (190, 184, 170)), (1, (252, 249, 238))]), alpha=0.7)
    nb.paint([("line", [(120, 25), (120, 835)], 2)], fill=(230, 150, 150))
    strokes = []
    for i, y in enumerate(range(104, 700, 44)):
        if i % 5 == 4:
            continue
        strokes.append(("line", scribble(nb.rng, 140 + (30 if i % 3 == 0 else 0), y - 6, 140 + nb.rng.uniform(260, 440), 7, 11), 3.5))
    for i, y in enumerate(range(148, 560, 88)):
        strokes.append(("line", [(690, y - 30), (718, y - 30), (718, y - 2), (690, y - 2), (690, y - 30)], 3))
        if i < 3:
            strokes.append(("line", [(694, y - 16), (704, y - 4), (726, y - 40)], 4))
        strokes.append(("line", scribble(nb.rng, 740, y - 16, 740 + nb.rng.uniform(180, 380), 7, 11), 3.5))
    strokes.append(("arc", (860, 600, 1100, 780), 0, 330, 4))
    nb.paint(strokes, fill=(36, 48, 110), alpha=0.85)
    S.place(nb, 900, 920, -5, shadow=(14, 20, 16, 0.35))
    S.place(pen(seed + 2, 640, 34, (170, 50, 60)), 1480, 1330, 38, shadow=(10, 16, 8, 0.35))
    # phone with an abstract call screen
    ph = Scene(440, 900, transparent=True, seed=seed + 3)
    ph.paint([("rrect", (0, 0, 440, 900), 60)], grad=("h", [(0, (40, 42, 48)), (0.5, (70, 72, 80)), (1, (30, 32, 36))]))
    scr = [("rrect", (18, 18, 422, 882), 46)]
    ph.paint(scr, grad=("v", [(0, (52, 92, 118)), (1, (30, 48, 70))]))
    ph.paint([("ellipse", (150, 170, 290, 310))], fill=(200, 214, 226))
    ph.paint([("poly", catmull([(190, 270), (188, 215), (205, 200), (215, 225), (207, 240), (228, 262), (245, 255),
                                (262, 262), (255, 282), (230, 286), (190, 270)], 6))], fill=(52, 92, 118))
    ph.paint([("rrect", (110, 350, 330, 374), 10), ("rrect", (150, 394, 290, 410), 8)], fill=(220, 230, 238), alpha=0.8)
    ph.paint([("ellipse", (80, 700, 180, 800))], fill=(220, 70, 60))
    ph.paint([("ellipse", (260, 700, 360, 800))], fill=(70, 190, 100))
    ph.paint([("rrect", (170, 40, 270, 56), 8)], fill=(20, 20, 22))
    ph.paint([("poly", [(18, 18), (200, 18), (18, 400)])], fill=(255, 255, 255), alpha=0.07, clip=scr)
    S.place(ph, 1960, 760, 14, shadow=(12, 18, 14, 0.4))
    # coffee cup from above
    S.paint([("ellipse", (290, 1330, 610, 1650))], fill=(0, 0, 0), alpha=0.3, blur=20)
    S.paint([("rrect", (560, 1450, 700, 1530), 36)], fill=(235, 235, 230))
    S.paint([("ellipse", (260, 1300, 600, 1640))], grad=("radial", [(0, (250, 250, 246)), (1, (214, 214, 208))]))
    S.paint([("ellipse", (300, 1340, 560, 1600))], grad=("radial", [(0, (150, 98, 60)), (1, (96, 60, 34))], (0.4, 0.4)))
    S.paint([("ellipse", (360, 1390, 440, 1440))], fill=(255, 255, 255), alpha=0.2, blur=8)
    return S.finish(seed=seed, grain=2.5, vignette=0.15)


def scene_path(seed):
    """A winding walking path through fields (portrait)."""
    S = Scene(1800, 2400, seed=seed)
    r = S.rng
    S.paint([("rect", (0, 0, 1800, 1200))], grad=("v", [(0, (150, 190, 226)), (0.7, (236, 230, 214)), (1, (248, 232, 206))]))
    for _ in range(7):
        x, y, rr = r.uniform(0, 1800), r.uniform(100, 600), r.uniform(150, 320)
        S.paint([("ellipse", (x - rr, y - rr * 0.3, x + rr, y + rr * 0.3))], fill=(255, 255, 255), alpha=0.5, blur=35)
    layers = [(980, (156, 176, 190), 8, 60), (1040, (128, 160, 150), 4, 45), (1110, (110, 150, 104), 2, 30)]
    for base, col, bl, amp in layers:
        ph = r.uniform(0, 6)
        edge = [(x, base - amp * math.sin(x / 320 + ph) - amp * 0.5 * math.sin(x / 130 + ph * 2)) for x in range(0, 1801, 30)]
        S.paint([("poly", edge + [(1800, 2400), (0, 2400)])], fill=col, blur=bl)
    fields = [("rect", (0, 1130, 1800, 2400))]
    S.paint(fields, grad=("v", [(0, (140, 176, 96)), (1, (96, 140, 64))]), gbox=(0, 1130, 1800, 2400))
    # hedgerows
    for y0, sc in [(1180, 0.4), (1290, 0.6), (1470, 0.9)]:
        ph = r.uniform(0, 6)
        pts = [(x, y0 + 30 * math.sin(x / 400 + ph)) for x in range(-50, 1850, int(40 * sc) + 5)]
        S.paint([("ellipse", (x - 45 * sc, y - 30 * sc, x + 45 * sc, y + 25 * sc)) for x, y in pts], fill=(70, 104, 60))
        S.paint([("ellipse", (x - 30 * sc, y - 30 * sc, x + 25 * sc, y + 5 * sc)) for x, y in pts[::2]], fill=(96, 132, 74), alpha=0.7)
    # the path
    left, right, cl = [], [], []
    N = 120
    for i in range(N + 1):
        t = i / N
        y = 1160 + 1300 * (1 - t) ** 1.9
        x = 880 + 430 * math.sin(2.7 * math.pi * t + 0.5) * (1 - t) ** 1.1 + 60 * t
        w = 640 * (1 - t) ** 2.0 + 5
        left.append((x - w / 2, y))
        right.append((x + w / 2, y))
        cl.append((x, y, w))
    path = [("poly", left + right[::-1])]
    S.paint([("poly", [(x - 8, y) for x, y in left] + [(x + 8, y) for x, y in right[::-1]])], fill=(80, 110, 60), alpha=0.5, blur=6)
    S.paint(path, grad=("v", [(0, (222, 204, 170)), (1, (196, 172, 134))]), gbox=(0, 1160, 1800, 2400))
    S.speckle(path, [(160, 136, 104), (236, 222, 196), (130, 110, 84)], 3000, 1, 6, alpha=0.55, box=(0, 1500, 1800, 2400))
    S.paint([("line", [(x - w * 0.12, y) for x, y, w in cl[:80]], 30), ("line", [(x + w * 0.18, y) for x, y, w in cl[:80]], 30)],
            fill=(180, 156, 120), alpha=0.25, blur=10, clip=path)
    # grass tufts and wildflowers in the foreground
    blades = []
    for _ in range(2600):
        x, y = r.uniform(0, 1800), r.uniform(1200, 2400)
        ln = 4 + (y - 1150) / 22
        blades.append(("line", [(x, y), (x + r.uniform(-6, 6), y - ln)], 0.8 + (y - 1150) / 400))
    S.paint(blades[:1300], fill=(70, 110, 50), alpha=0.4)
    S.paint(blades[1300:], fill=(176, 206, 120), alpha=0.3)
    for c in [(250, 250, 240), (240, 200, 60), (200, 120, 180)]:
        fl = []
        for _ in range(70):
            x, y = r.uniform(0, 1800), r.uniform(1700, 2400)
            if any(abs(x - cx) < w / 2 + 20 and abs(y - cy) < 40 for cx, cy, w in cl[:50]):
                continue
            s_ = 4 + (y - 1700) / 70
            fl.append(("ellipse", (x - s_, y - s_, x + s_, y + s_)))
        S.paint(fl, fill=c, alpha=0.9)
    # trees along the way
    for tx, ty, sc in [(300, 1290, 0.35), (1450, 1240, 0.28), (1560, 1500, 0.7), (160, 1700, 0.9)]:
        S.paint([("ellipse", (tx - 160 * sc, ty - 20 * sc, tx + 220 * sc, ty + 40 * sc))], fill=(30, 50, 20), alpha=0.3, blur=10 * sc)
        S.paint([("rect", (tx - 18 * sc, ty - 300 * sc, tx + 18 * sc, ty))], fill=(90, 70, 54))
        tree_canopy(S, tx, ty - 420 * sc, 220 * sc, 230 * sc, [(60, 100, 56), (84, 128, 66), (110, 150, 80)],
                    n=60, rmin=50 * sc, rmax=110 * sc)
    # waymarker post
    S.paint([("ellipse", (1280, 2010, 1400, 2040))], fill=(0, 0, 0), alpha=0.3, blur=8)
    S.paint([("rect", (1300, 1650, 1360, 2030))], grad=("h", [(0, (150, 118, 84)), (1, (100, 76, 54))]))
    S.paint([("poly", [(1290, 1650), (1330, 1620), (1370, 1650)])], fill=(130, 100, 72))
    S.paint([("ellipse", (1300, 1700, 1360, 1760))], fill=(245, 245, 238))
    S.paint([("poly", [(1310, 1738), (1330, 1718), (1330, 1726), (1350, 1726), (1350, 1738)])], fill=(230, 180, 40))
    return S.finish(seed=seed)


def tin(S, x, y, w, h, label, top=True, icon="circle", pull=False):
    eh = w * 0.22
    metal = [(0, (120, 124, 130)), (0.3, (228, 230, 234)), (0.6, (170, 174, 180)), (1, (100, 104, 110))]
    body = [("rect", (x, y + eh / 2, x + w, y + h - eh / 2)), ("ellipse", (x, y + h - eh, x + w, y + h))]
    S.paint(body, grad=("h", metal))
    lab = [("rect", (x, y + h * 0.14, x + w, y + h * 0.86)), ("ellipse", (x, y + h * 0.86 - eh / 2, x + w, y + h * 0.86 + eh / 2))]
    S.paint(lab, grad=("h", [(0, shade(label, 0.6)), (0.3, shade(label, 1.15)), (0.6, label), (1, shade(label, 0.55))]))
    cx, cy = x + w * 0.45, y + h * 0.5
    rr = w * 0.18
    if icon == "circle":
        S.paint([("ellipse", (cx - rr, cy - rr, cx + rr, cy + rr))], fill=(230, 70, 50))
        S.paint([("poly", leaf_pts(cx, cy - rr, rr * 0.7, rr * 0.4, -60))], fill=(80, 150, 70))
    elif icon == "beans":
        for i in range(5):
            bx, by = cx + (i % 3 - 1) * rr * 0.8, cy + (i // 3 - 0.5) * rr * 0.7
            S.paint([("ellipse", (bx - rr * 0.35, by - rr * 0.25, bx + rr * 0.35, by + rr * 0.25))], fill=(230, 140, 60))
    elif icon == "stripe":
        S.paint([("rect", (x, cy - rr * 0.4, x + w, cy + rr * 0.4))], fill=(250, 245, 230), alpha=0.85)
    S.paint([("rect", (x + w * 0.12, y + h * 0.7, x + w * 0.5, y + h * 0.74))], fill=(255, 255, 255), alpha=0.6)
    ribs = [("line", [(x, y + h * f), (x + w, y + h * f)], 3) for f in (0.08, 0.92)]
    S.paint(ribs, fill=(90, 92, 98), alpha=0.5)
    if top:
        S.paint([("ellipse", (x, y, x + w, y + eh))], grad=("diag", [(0, (236, 238, 242)), (1, (140, 144, 150))]))
        S.paint([("arc", (x + w * 0.06, y + eh * 0.12, x + w * 0.94, y + eh * 0.88), 0, 360, 4)], fill=(110, 114, 120), alpha=0.7)
        if pull:
            S.paint([("arc", (x + w * 0.35, y + eh * 0.2, x + w * 0.65, y + eh * 0.7), 0, 360, 6)], fill=(170, 174, 180))


def scene_tins(seed):
    """Illustration: a cardboard box of donated food tins."""
    S = Scene(2400, 1800, seed=seed)
    S.paint([("rect", (0, 0, 2400, 1160))], grad=("v", [(0, (238, 230, 216)), (1, (222, 212, 194))]))
    S.paint([("rect", (0, 1140, 2400, 1800))], grad=("v", [(0, (176, 150, 120)), (1, (150, 124, 96))]))
    S.paint([("rect", (0, 1140, 2400, 1152))], fill=(200, 176, 146))
    S.paint([("rect", (0, 1110, 2400, 1142))], fill=(0, 0, 0), alpha=0.12, blur=10)
    card = (198, 156, 104)
    S.paint([("poly", [(600, 1600), (1800, 1600), (1900, 1680), (560, 1680)])], fill=(0, 0, 0), alpha=0.4, blur=26)
    # back flap and interior
    S.paint([("poly", [(700, 780), (1700, 780), (1680, 600), (720, 600)])], grad=("v", [(0, shade(card, 1.1)), (1, shade(card, 0.85))]))
    S.paint([("poly", [(700, 780), (1700, 780), (1780, 900), (620, 900)])], fill=(96, 70, 44))
    # items inside
    S.paint([("rrect", (760, 520, 960, 900), 12)], fill=(240, 220, 120))
    S.paint([("rrect", (800, 600, 920, 760), 40)], fill=(250, 245, 225))
    S.paint([("ellipse", (810 + (i % 3) * 36, 620 + (i // 3) * 34, 846 + (i % 3) * 36, 646 + (i // 3) * 34)) for i in range(12)],
            fill=(236, 196, 100))
    S.paint([("rect", (760, 520, 960, 560))], fill=(60, 120, 170))
    tin(S, 960, 640, 220, 300, (200, 60, 50), icon="circle", pull=True)
    tin(S, 1180, 700, 220, 300, (70, 120, 170), icon="beans", pull=True)
    tin(S, 1400, 630, 230, 320, (230, 170, 60), icon="stripe")
    # front face and flaps
    front = [("rect", (620, 900, 1780, 1620))]
    S.paint(front, grad=("h", [(0, shade(card, 0.9)), (0.5, card), (1, shade(card, 0.8))]))
    S.paint([("rect", (620, 900, 1780, 940))], fill=(0, 0, 0), alpha=0.25, blur=12, clip=front)
    flap_front = [("poly", [(620, 900), (1780, 900), (1800, 1020), (600, 1020)])]
    S.paint(flap_front, grad=("v", [(0, shade(card, 1.1)), (1, shade(card, 0.95))]))
    S.paint([("rect", (1100, 900, 1300, 1180))], fill=(224, 200, 150), alpha=0.75)
    S.paint([("poly", [(620, 900), (700, 780), (520, 700), (430, 830)])], grad=("h", [(0, shade(card, 0.85)), (1, shade(card, 1.05))]))
    S.paint([("poly", [(1780, 900), (1700, 780), (1880, 700), (1970, 830)])], grad=("h", [(0, shade(card, 1.05)), (1, shade(card, 0.8))]))
    S.paint([("line", [(x, 1040), (x, 1600)], 2) for x in range(640, 1780, 14)], fill=(150, 116, 76), alpha=0.12)
    # hand-drawn heart on the box
    hp = [(1200 + 110 * 16 * math.sin(t) ** 3 / 16, 1330 - 110 * (13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)) / 16)
          for t in [i * 2 * math.pi / 60 for i in range(61)]]
    S.paint([("line", hp, 12)], fill=(170, 60, 60), alpha=0.8)
    # tins and a jar outside the box
    for (x, y, w, h, c, ic) in [(1880, 1260, 200, 290, (90, 150, 90), "beans"), (2100, 1320, 180, 250, (200, 60, 50), "circle")]:
        S.paint([("ellipse", (x + 10, y + h - 30, x + w + 60, y + h + 20))], fill=(0, 0, 0), alpha=0.35, blur=14)
        tin(S, x, y, w, h, c, icon=ic, pull=True)
    S.paint([("ellipse", (280, 1520, 560, 1580))], fill=(0, 0, 0), alpha=0.35, blur=14)
    S.paint([("rrect", (280, 1230, 520, 1570), 50)], grad=("h", [(0, (150, 60, 50)), (0.35, (220, 110, 90)), (1, (130, 50, 40))]))
    S.paint([("rrect", (300, 1250, 340, 1540), 20)], fill=(255, 255, 255), alpha=0.3)
    S.paint([("rrect", (300, 1160, 500, 1250), 16)], grad=("h", [(0, (200, 160, 40)), (0.4, (250, 215, 100)), (1, (170, 130, 30))]))
    S.paint([("rect", (290, 1340, 510, 1450))], fill=(250, 246, 232))
    S.paint([("ellipse", (360, 1360, 440, 1430))], fill=(200, 80, 80), alpha=0.8)
    return S.finish(seed=seed, grain=2.5, vignette=0.15)


def scene_umbrella(seed):
    """An umbrella leaning by a front door (portrait)."""
    S = Scene(1800, 2400, seed=seed)
    S.paint([("rect", (0, 0, 1800, 2000))], grad=("h", [(0, (232, 222, 204)), (1, (206, 194, 174))]))
    S.paint([("rect", (0, 1990, 1800, 2070))], grad=("v", [(0, (248, 246, 240)), (1, (226, 222, 214))]))
    floor = [("rect", (0, 2070, 1800, 2400))]
    S.paint(floor, grad=("v", [(0, (150, 110, 74)), (1, (120, 84, 54))]))
    S.paint([("line", [(900 + (x - 900) * 0.5, 2070), (x, 2400)], 4) for x in range(-1500, 3400, 260)], fill=(90, 60, 36), alpha=0.5)
    S.paint([("rect", (0, 2066, 1800, 2090))], fill=(0, 0, 0), alpha=0.2, blur=8)
    # door
    S.paint([("rect", (290, 90, 1160, 2000))], fill=(0, 0, 0), alpha=0.2, blur=16)
    S.paint([("rect", (300, 100, 1150, 2000))], fill=(246, 244, 238))
    S.paint([("rect", (345, 140, 1105, 320))], grad=("v", [(0, (200, 222, 236)), (1, (240, 240, 230))]))
    S.paint([("line", [(725, 140), (725, 320)], 12), ("line", [(535, 140), (535, 320)], 8), ("line", [(915, 140), (915, 320)], 8)],
            fill=(246, 244, 238))
    blue = (42, 74, 112)
    door = [("rect", (345, 350, 1105, 2000))]
    S.paint(door, grad=("h", [(0, shade(blue, 1.12)), (1, shade(blue, 0.85))]))
    for (x0, y0, x1, y1) in [(420, 430, 700, 1060), (750, 430, 1030, 1060), (420, 1260, 700, 1910), (750, 1260, 1030, 1910)]:
        S.paint([("rect", (x0, y0, x1, y1))], fill=shade(blue, 0.8))
        S.paint([("rect", (x0 + 24, y0 + 24, x1 - 24, y1 - 24))], fill=shade(blue, 1.05))
        S.paint([("rect", (x0, y0, x1, y0 + 10)), ("rect", (x0, y0, x0 + 10, y1))], fill=(0, 0, 0), alpha=0.25)
        S.paint([("rect", (x0, y1 - 10, x1, y1)), ("rect", (x1 - 10, y0, x1, y1))], fill=(255, 255, 255), alpha=0.15)
    brass = [(0, (150, 110, 40)), (0.4, (240, 206, 120)), (1, (140, 100, 36))]
    S.paint([("rrect", (620, 1120, 830, 1180), 10)], grad=("v", brass))
    S.paint([("rect", (645, 1140, 805, 1156))], fill=(40, 30, 20))
    S.paint([("ellipse", (995, 1160, 1050, 1215))], fill=(0, 0, 0), alpha=0.3, blur=6)
    S.paint([("ellipse", (985, 1145, 1045, 1205))], grad=("radial", brass[::-1], (0.35, 0.35)))
    S.paint([("ellipse", (1002, 1240, 1022, 1260)), ("rect", (1008, 1250, 1016, 1280))], fill=(60, 50, 40))
    S.paint([("poly", [(0, 0), (500, 0), (200, 2400), (0, 2400)])], fill=(255, 248, 230), alpha=0.12, blur=80)
    # doormat
    mat = [("poly", [(360, 2110), (1090, 2110), (1150, 2300), (300, 2300)])]
    S.paint(mat, fill=(150, 112, 70))
    S.speckle(mat, [(110, 80, 50), (190, 150, 100)], 2400, 1, 4, alpha=0.6)
    S.paint([("line", [(360, 2110), (1090, 2110), (1150, 2300), (300, 2300), (360, 2110)], 26)], fill=(70, 56, 44))
    # coat hooks with a scarf
    S.paint([("rect", (1260, 760, 1720, 830))], fill=(0, 0, 0), alpha=0.25, blur=10)
    S.paint([("rect", (1250, 740, 1710, 810))], grad=("v", [(0, (190, 140, 96)), (1, (150, 106, 70))]))
    for hx in (1330, 1480, 1630):
        S.paint([("line", [(hx, 770), (hx, 830), (hx + 30, 850)], 14)], fill=(60, 60, 64))
    scarf = [("poly", catmull([(1460, 820), (1440, 1000), (1450, 1300), (1470, 1380), (1530, 1370), (1520, 1100), (1510, 820)], 8))]
    S.shadow(scarf, dx=14, dy=10, blur=10, alpha=0.3)
    S.paint(scarf, fill=(70, 130, 120))
    S.paint([("line", [(1440, y), (1530, y)], 22) for y in range(880, 1360, 90)], fill=(236, 210, 150), clip=scarf)
    S.paint([("line", [(1455 + i * 13, 1370), (1455 + i * 13, 1420)], 5) for i in range(6)], fill=(70, 130, 120))
    # umbrella leaning against the wall
    tip, top = (1290, 2180), (1460, 1250)
    ax, ay = top[0] - tip[0], top[1] - tip[1]
    L = math.hypot(ax, ay)
    ux, uy = ax / L, ay / L
    px, py = -uy, ux

    def at(t, off=0.0):
        return (tip[0] + ax * t + px * off, tip[1] + ay * t + py * off)

    prof = []
    for i in range(41):
        t = 0.08 + 0.66 * i / 40
        s_ = (t - 0.08) / 0.66
        w = 12 + 105 * math.sin(math.pi * min(1, s_ * 1.25) ** 0.9) ** 0.8 if s_ < 0.8 else 12 + 105 * (1 - (s_ - 0.8) / 0.2) * 0.9
        prof.append((t, w))
    left_side = [at(t, -w / 2) for t, w in prof]
    right_side = [at(t, w / 2) for t, w in prof]
    canopy = [("poly", left_side + right_side[::-1])]
    S.paint([("poly", [at(0.0), at(0.3, 60), (tip[0] + 170, tip[1] + 20), (tip[0] + 10, tip[1] + 20)])], fill=(0, 0, 0), alpha=0.2, blur=20)
    S.paint([("poly", [at(0.5, -80), at(0.95, -80), at(0.95, -200), at(0.5, -240)])], fill=(0, 0, 0), alpha=0.12, blur=30)
    S.paint([("line", [at(0.0), at(0.1)], 10)], fill=(70, 70, 74))
    S.paint([("line", [at(0.74), at(0.88)], 16)], fill=(60, 60, 64))
    S.paint(canopy, fill=(214, 64, 60))
    folds = []
    for k, f in enumerate((-0.3, 0.05, 0.32)):
        folds.append(("line", [at(t, w * f + 6 * math.sin(t * 30 + k)) for t, w in prof[2:-3]], 10))
    S.paint(folds, fill=(150, 36, 36), alpha=0.6, clip=canopy)
    S.paint([("line", [at(t, -w * 0.15) for t, w in prof[4:-8]], 14)], fill=(255, 200, 190), alpha=0.35, clip=canopy)
    S.paint([("line", [at(0.42, -70), at(0.46, 70)], 26)], fill=(170, 44, 44))
    S.paint([("ellipse", (*at(0.44, 35), at(0.44, 35)[0] + 20, at(0.44, 35)[1] + 20))], fill=(230, 230, 230))
    hx, hy = at(0.88)
    S.paint([("arc", (hx - 20, hy - 150, hx + 140, hy + 10), 180, 330, 38)], grad=("v", [(0, (120, 80, 46)), (1, (80, 50, 30))]))
    S.paint([("line", [at(0.86), at(0.94)], 38)], fill=(110, 72, 40))
    # puddle and drips under the tip
    pd = [("poly", ellipse_pts(1300, 2215, 150, 32))]
    S.paint(pd, grad=("v", [(0, (190, 170, 150)), (1, (120, 96, 72))]), alpha=0.8)
    S.paint([("arc", (1230, 2200, 1370, 2232), 200, 340, 4)], fill=(255, 255, 255), alpha=0.5)
    for dx, dy in [(-200, 40), (140, 60), (-90, 100)]:
        S.paint([("ellipse", (1300 + dx, 2215 + dy, 1300 + dx + 30, 2215 + dy + 12))], fill=(110, 86, 64), alpha=0.8)
    return S.finish(seed=seed)


def scene_calendar(seed):
    """A wall planner with coloured blocks, a clock and sticky notes."""
    S = Scene(2400, 1800, seed=seed)
    r = S.rng
    S.paint([("rect", (0, 0, 2400, 1460))], grad=("v", [(0, (226, 232, 234)), (1, (206, 214, 218))]))
    sheet = [("rect", (150, 150, 1780, 1330))]
    S.shadow(sheet, dx=10, dy=16, blur=16, alpha=0.28)
    S.paint(sheet, fill=(253, 253, 250))
    S.paint([("rect", (150, 150, 1780, 290))], fill=(56, 120, 130))
    S.paint([("rrect", (200, 190, 620, 250), 14), ("rrect", (1540, 195, 1730, 245), 14)], fill=(255, 255, 255), alpha=0.9)
    gx0, gy0, gx1, gy1 = 200, 360, 1730, 1290
    cols, rows = 7, 5
    cw, ch = (gx1 - gx0) / cols, (gy1 - gy0) / rows
    S.paint([("rrect", (gx0 + c * cw + cw * 0.3, 310, gx0 + c * cw + cw * 0.7, 335), 8) for c in range(cols)], fill=(120, 150, 160))
    S.paint([("rect", (gx0 + c * cw, gy0 + rw * ch, gx0 + (c + 1) * cw, gy0 + (rw + 1) * ch)) for c in range(cols) for rw in range(rows)
             if c >= 5], fill=(240, 243, 244))
    grid = [("line", [(gx0, gy0 + i * ch), (gx1, gy0 + i * ch)], 3) for i in range(rows + 1)]
    grid += [("line", [(gx0 + j * cw, gy0), (gx0 + j * cw, gy1)], 3) for j in range(cols + 1)]
    S.paint(grid, fill=(190, 198, 204))
    nums = []
    for rw in range(rows):
        for c in range(cols):
            x, y = gx0 + c * cw + 14, gy0 + rw * ch + 12
            nums.append(("rrect", (x, y, x + 14, y + 24), 4))
            if (rw * cols + c) % 3:
                nums.append(("rrect", (x + 18, y, x + 32, y + 24), 4))
    S.paint(nums, fill=(120, 126, 132))
    palette = [(240, 150, 120), (120, 190, 170), (250, 205, 100), (150, 160, 220), (220, 140, 190), (140, 200, 110)]
    for rw in range(rows):
        c = 0
        lane = 0
        while c < 5:
            if r.random() < 0.25:
                c += 1
                continue
            span = min(r.choice([1, 1, 2, 3]), 5 - c)
            col = r.choice(palette)
            for lane in range(r.choice([1, 1, 2])):
                y0 = gy0 + rw * ch + 48 + lane * 64
                x0, x1 = gx0 + c * cw + 10, gx0 + (c + span) * cw - 10
                S.paint([("rrect", (x0, y0, x1, y0 + 54), 12)], fill=col if lane == 0 else r.choice(palette))
                S.paint([("rrect", (x0 + 14, y0 + 20, x0 + 14 + (x1 - x0 - 28) * r.uniform(0.4, 0.9), y0 + 34), 6)],
                        fill=(255, 255, 255), alpha=0.75)
            c += span
    for px, py, cc in [(175, 175, (200, 50, 50)), (1755, 175, (40, 110, 200)), (175, 1305, (240, 190, 40)), (1755, 1305, (40, 160, 90))]:
        S.paint([("ellipse", (px - 10, py - 4, px + 26, py + 30))], fill=(0, 0, 0), alpha=0.35, blur=5)
        S.paint([("ellipse", (px - 16, py - 16, px + 16, py + 16))], grad=("radial", [(0, shade(cc, 1.4)), (1, shade(cc, 0.7))], (0.35, 0.35)))
    # clock
    cx, cy, rr = 2080, 430, 210
    S.paint([("ellipse", (cx - rr, cy - rr, cx + rr, cy + rr))], fill=(0, 0, 0), alpha=0.3, blur=14)
    S.paint([("ellipse", (cx - rr, cy - rr, cx + rr, cy + rr))], fill=(50, 54, 60))
    S.paint([("ellipse", (cx - rr + 22, cy - rr + 22, cx + rr - 22, cy + rr - 22))], grad=("radial", [(0, (255, 255, 252)), (1, (232, 232, 226))]))
    ticks = []
    for i in range(12):
        a = i * math.pi / 6
        l0 = rr - 60 if i % 3 == 0 else rr - 48
        ticks.append(("line", [(cx + l0 * math.cos(a), cy + l0 * math.sin(a)), (cx + (rr - 34) * math.cos(a), cy + (rr - 34) * math.sin(a))],
                      10 if i % 3 == 0 else 6))
    S.paint(ticks, fill=(50, 54, 60))
    S.paint([("line", [(cx, cy), (cx + 95 * math.cos(math.radians(-150)), cy + 95 * math.sin(math.radians(-150)))], 14),
             ("line", [(cx, cy), (cx + 140 * math.cos(math.radians(-30)), cy + 140 * math.sin(math.radians(-30)))], 9)], fill=(40, 42, 48))
    S.paint([("line", [(cx, cy), (cx + 150 * math.cos(math.radians(100)), cy + 150 * math.sin(math.radians(100)))], 3)], fill=(210, 60, 50))
    S.paint([("ellipse", (cx - 14, cy - 14, cx + 14, cy + 14))], fill=(40, 42, 48))
    S.place(sticky_note(seed + 1, (252, 228, 96), 200), 1990, 880, -6, shadow=(6, 10, 8, 0.3))
    S.place(sticky_note(seed + 2, (246, 160, 180), 200), 2200, 960, 5, shadow=(6, 10, 8, 0.3))
    S.place(sticky_note(seed + 3, (160, 220, 170), 200), 2060, 1160, 2, shadow=(6, 10, 8, 0.3))
    # desk edge with pen pot and folders
    S.paint([("rect", (0, 1420, 2400, 1460))], fill=(0, 0, 0), alpha=0.18, blur=14)
    S.paint([("rect", (0, 1450, 2400, 1800))], grad=("v", [(0, (236, 234, 228)), (1, (206, 204, 198))]))
    S.paint([("rect", (0, 1450, 2400, 1462))], fill=(250, 250, 248))
    for i, c in enumerate([(70, 120, 170), (230, 150, 70), (110, 170, 110)]):
        S.paint([("rect", (300 + i * 12, 1560 - i * 40, 900 + i * 12, 1600 - i * 40))], fill=c)
    S.paint([("rect", (300, 1600, 930, 1620))], fill=(0, 0, 0), alpha=0.25, blur=10)
    for i, (a, c) in enumerate([(-10, (30, 50, 110)), (6, (200, 50, 50)), (-3, (40, 40, 44)), (12, (60, 140, 80))]):
        x = 1990 + i * 40
        S.paint([("line", [(x, 1560), (x + 200 * math.sin(math.radians(a)), 1560 - 200 * math.cos(math.radians(a)))], 14)], fill=c)
    S.paint([("ellipse", (1960, 1680, 2200, 1720))], fill=(0, 0, 0), alpha=0.3, blur=12)
    S.paint([("rect", (1950, 1500, 2170, 1700))], grad=("h", [(0, (90, 100, 110)), (0.35, (160, 170, 180)), (1, (80, 88, 96))]))
    S.paint([("ellipse", (1950, 1480, 2170, 1520))], fill=(60, 66, 72))
    return S.finish(seed=seed)


PHOTOS = {
    "desk": dict(file="lw01-day.jpg", fn=scene_desk, seed=101),
    "kettle": dict(file="lw02-confidence.png", fn=scene_kettle, seed=202),
    "busstop": dict(file="lw02-day.jpg", fn=scene_busstop, seed=201, orientation=6),
    "allotment": dict(file="lw03-confidence.webp", fn=scene_allotment, seed=302),
    "umbrella": dict(file="lw02-unexpected.jpg", fn=scene_umbrella, seed=203),
    "calendar": dict(file="lw03-day.jpg", fn=scene_calendar, seed=301),
    "tins": dict(file="lw03-unexpected.jpg", fn=scene_tins, seed=303),
    "phone": dict(file="lw04-day.jpg", fn=scene_phone, seed=401),
    "bench": dict(file="lw04-confidence.jpg", fn=scene_bench, seed=402),
    "path": dict(file="lw05-unexpected.jpg", fn=scene_path, seed=503),
    "noticeboard": dict(file="lw06-day.jpg", fn=scene_noticeboard, seed=601),
}


# ---------------------------------------------------------------------------
# metadata + saving
# ---------------------------------------------------------------------------

def fake_exif(n, when, orientation=1):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "DemoCam"
    exif[ExifTags.Base.Model] = "Demo Phone 1"
    exif[ExifTags.Base.Software] = "DemoCam Firmware 0.0 (fake metadata)"
    exif[ExifTags.Base.DateTime] = when
    exif[ExifTags.Base.ImageDescription] = "Demo image with FAKE metadata for the strip test"
    exif[ExifTags.Base.Orientation] = orientation
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = when
    sub[ExifTags.Base.DateTimeDigitized] = when
    sub[ExifTags.Base.BodySerialNumber] = f"DEMO-SN-{n:06d}"
    sub[ExifTags.Base.LensMake] = "DemoCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSVersionID] = b"\x02\x02\x00\x00"
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (0.0, 0.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 0.0, 0.0)
    gps[ExifTags.GPS.GPSAltitudeRef] = b"\x00"
    gps[ExifTags.GPS.GPSAltitude] = 0.0
    gps[ExifTags.GPS.GPSDateStamp] = when[:10]
    return exif


def save(img, path: Path, spec, n):
    fmt = path.suffix.lower()
    when = spec.get("when", f"2024:04:{10 + n:02d} {9 + n % 8:02d}:{(n * 7) % 60:02d}:00")
    if fmt in (".jpg", ".jpeg"):
        orientation = spec.get("orientation", 1)
        if orientation == 6:
            # store pixels rotated 90 deg anticlockwise; viewers rotate them
            # 90 deg clockwise (Orientation 6) to show the upright picture.
            img = img.transpose(Image.Transpose.ROTATE_90)
        exif = fake_exif(n, when, orientation)
        img.convert("RGB").save(path, "JPEG", quality=85, optimize=True, exif=exif.tobytes(),
                                comment=f"DEMO COMMENT: fake metadata, should be stripped (item {n})".encode())
    elif fmt == ".webp":
        exif = fake_exif(n, when, 1)
        img.convert("RGB").save(path, "WEBP", quality=82, method=6, exif=exif.tobytes())
    elif fmt == ".png":
        img.save(path, "PNG", optimize=True)
    else:
        raise ValueError(fmt)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "photos")
    ap.add_argument("--only", nargs="*", help="scene keys to render")
    ap.add_argument("--preview", type=Path, help="also write 600px previews here")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for n, (key, spec) in enumerate(PHOTOS.items(), start=1):
        if args.only and key not in args.only:
            continue
        img = spec["fn"](spec["seed"])
        path = args.out / spec["file"]
        save(img, path, spec, n)
        print(f"{path.name:28s} {img.width}x{img.height} {path.stat().st_size // 1024} KB")
        if args.preview:
            args.preview.mkdir(parents=True, exist_ok=True)
            p = img.copy()
            p.thumbnail((900, 900))
            if p.mode == "RGBA":
                bg = Image.new("RGBA", p.size, (200, 60, 200, 255))  # magenta shows transparency
                bg.alpha_composite(p)
                p = bg
            p.convert("RGB").save(args.preview / (key + ".png"))


if __name__ == "__main__":
    main()
