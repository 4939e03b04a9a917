#!/usr/bin/env python3
"""Build the offline SVG outline map of Europe (assets/img/europe.svg).

Usage:
    python3 tools/europe-map/build.py path/to/countries-50m.json > assets/img/europe.svg

Input: a world-atlas TopoJSON file (Natural Earth, public domain); see README.md.
Standard library only.

Projection (must match the one the site uses for city coordinates):
    equirectangular, standard parallel 52 deg N, lon -25..45, lat 34..72
    K = 1000 / (70 * cos(52 deg))
    x = (lon + 25) * cos(52 deg) * K
    y = (72 - lat) * K
    viewBox = 0 0 1000 H,  H = round(38 * K, 1)
"""
import json
import math
import sys
from xml.sax.saxutils import quoteattr

LON_MIN, LON_MAX = -25.0, 45.0
LAT_MIN, LAT_MAX = 34.0, 72.0
COS52 = math.cos(math.radians(52.0))
K = 1000.0 / ((LON_MAX - LON_MIN) * COS52)
WIDTH = 1000
HEIGHT = round((LAT_MAX - LAT_MIN) * K, 1)

# Polygons are clipped to the view box grown by this margin (in SVG units),
# so the artificial edges the clipping creates lie outside the visible area.
CLIP_MARGIN = 10.0
# Light simplification: drop points closer than this to the last kept point.
MIN_DIST = 0.6
# Drop rings (islands, tiny enclaves) whose area is below this (square units).
MIN_RING_AREA = 0.5


def project(lon, lat):
    return ((lon - LON_MIN) * COS52 * K, (LAT_MAX - lat) * K)


def decode_arcs(topo):
    """Decode quantized, delta-encoded arcs into projected point lists."""
    tr = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        pts = []
        if tr:
            (sx, sy), (tx, ty) = tr["scale"], tr["translate"]
            qx = qy = 0
            for p in arc:
                qx += p[0]
                qy += p[1]
                pts.append(project(qx * sx + tx, qy * sy + ty))
        else:
            pts = [project(p[0], p[1]) for p in arc]
        arcs.append(simplify_arc(pts))
    return arcs


def simplify_arc(pts):
    """Distance-based thinning of one arc, always keeping both end points.

    Done per arc (not per ring), so a border shared by two countries is
    simplified identically for both and no slivers or gaps appear.
    """
    if len(pts) <= 2:
        return pts
    out = [pts[0]]
    for p in pts[1:-1]:
        q = out[-1]
        if math.hypot(p[0] - q[0], p[1] - q[1]) >= MIN_DIST:
            out.append(p)
    last = pts[-1]
    if len(out) > 1:
        q = out[-1]
        if math.hypot(last[0] - q[0], last[1] - q[1]) < MIN_DIST:
            out.pop()
    out.append(last)
    return out


# Width of 360 degrees of longitude in SVG units.
WORLD_WIDTH = 360.0 * COS52 * K


def ring_points(ring, arcs):
    pts = []
    for idx in ring:
        arc = arcs[idx] if idx >= 0 else arcs[~idx][::-1]
        # consecutive arcs share their joining point
        pts.extend(arc if not pts else arc[1:])
    return unwrap(pts)


def unwrap(pts):
    """Make rings that cross the antimeridian (e.g. Russia's Chukotka,
    which jumps from 179.9E to 180W) continuous by shifting longitudes by
    360 degrees, so the planar clipping does not draw bands across the map."""
    out = []
    shift = 0.0
    prev_x = None
    for x, y in pts:
        if prev_x is not None:
            dx = x - prev_x
            if dx > WORLD_WIDTH / 2:
                shift -= WORLD_WIDTH
            elif dx < -WORLD_WIDTH / 2:
                shift += WORLD_WIDTH
        prev_x = x
        out.append((x + shift, y))
    return out


def clip_ring(pts, xmin, ymin, xmax, ymax):
    """Sutherland-Hodgman clipping of a closed ring against a rectangle."""
    def clip(points, inside, intersect):
        if not points:
            return points
        out = []
        prev = points[-1]
        prev_in = inside(prev)
        for cur in points:
            cur_in = inside(cur)
            if cur_in:
                if not prev_in:
                    out.append(intersect(prev, cur))
                out.append(cur)
            elif prev_in:
                out.append(intersect(prev, cur))
            prev, prev_in = cur, cur_in
        return out

    def at_x(x):
        def f(a, b):
            t = (x - a[0]) / (b[0] - a[0])
            return (x, a[1] + t * (b[1] - a[1]))
        return f

    def at_y(y):
        def f(a, b):
            t = (y - a[1]) / (b[1] - a[1])
            return (a[0] + t * (b[0] - a[0]), y)
        return f

    if pts and pts[0] == pts[-1]:
        pts = pts[:-1]
    pts = clip(pts, lambda p: p[0] >= xmin, at_x(xmin))
    pts = clip(pts, lambda p: p[0] <= xmax, at_x(xmax))
    pts = clip(pts, lambda p: p[1] >= ymin, at_y(ymin))
    pts = clip(pts, lambda p: p[1] <= ymax, at_y(ymax))
    return pts


def area(pts):
    s = 0.0
    for i in range(len(pts)):
        x1, y1 = pts[i - 1]
        x2, y2 = pts[i]
        s += x1 * y2 - x2 * y1
    return abs(s) / 2.0


def fmt(v):
    s = "%.1f" % v
    if s.endswith(".0"):
        s = s[:-2]
    if s == "-0":
        s = "0"
    return s


def ring_to_path(pts):
    # round to 0.1 and drop consecutive duplicates created by rounding
    rounded = []
    for x, y in pts:
        p = (round(x, 1), round(y, 1))
        if not rounded or rounded[-1] != p:
            rounded.append(p)
    while len(rounded) > 1 and rounded[0] == rounded[-1]:
        rounded.pop()
    if len(rounded) < 3:
        return ""
    out = "M" + " ".join(fmt(x) + " " + fmt(y) for x, y in rounded) + "Z"
    # "1 -2" -> "1-2": the minus sign already separates the numbers
    return out.replace(" -", "-")


def geometry_path(geom, arcs):
    t = geom.get("type")
    if t == "Polygon":
        polygons = [geom["arcs"]]
    elif t == "MultiPolygon":
        polygons = geom["arcs"]
    else:
        return ""
    box = (-CLIP_MARGIN, -CLIP_MARGIN, WIDTH + CLIP_MARGIN, HEIGHT + CLIP_MARGIN)
    parts = []
    for polygon in polygons:
        rings = []
        for i, ring in enumerate(polygon):
            pts = clip_ring(ring_points(ring, arcs), *box)
            if len(pts) < 3 or area(pts) < MIN_RING_AREA:
                if i == 0:
                    break  # outer ring gone: drop the whole polygon
                continue
            d = ring_to_path(pts)
            if not d:
                if i == 0:
                    break
                continue
            rings.append(d)
        parts.extend(rings)
    return "".join(parts)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        topo = json.load(f)
    arcs = decode_arcs(topo)
    geoms = topo["objects"]["countries"]["geometries"]

    out = []
    out.append('<?xml version="1.0" encoding="UTF-8"?>')
    out.append(
        "<!-- Outline: Natural Earth (public domain), via the world-atlas npm package. "
        "Projection: equirectangular, standard parallel 52\u00b0N, lon -25..45, lat 34..72, "
        "1000 x %s units. -->" % fmt(HEIGHT)
    )
    out.append(
        "<!-- K = 1000 / (70 * cos(52\u00b0)) = %.6f; x = (lon + 25) * cos(52\u00b0) * K; "
        "y = (72 - lat) * K; H = round(38 * K, 1) = %s. "
        "Generated by tools/europe-map/build.py. -->" % (K, fmt(HEIGHT))
    )
    out.append(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %s" '
        'preserveAspectRatio="xMidYMid meet" fill="#e6eaf0" stroke="#9aa5b1" '
        'stroke-width="0.6" stroke-linejoin="round">' % (WIDTH, fmt(HEIGHT))
    )
    rows = []
    for g in geoms:
        d = geometry_path(g, arcs)
        if not d:
            continue
        name = (g.get("properties") or {}).get("name", "")
        attrs = ' class="country"'
        if g.get("id") is not None:
            attrs += " data-iso=%s" % quoteattr(str(g["id"]))
        attrs += " data-name=%s" % quoteattr(name)
        rows.append((name, '<path%s d="%s"/>' % (attrs, d)))
    rows.sort(key=lambda r: r[0])  # stable, diff-friendly order
    out.extend(r[1] for r in rows)
    out.append("</svg>")
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
