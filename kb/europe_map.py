"""The projection of the bundled map of Europe (assets/img/europe.svg, built by tools/europe-map/build.py).

Equirectangular with standard parallel 52°N over longitudes −25…45 and latitudes 34…72, 1000 units wide:
simple enough to draw city dots without any mapping library or tile service. ``spread`` keeps close dots apart.
"""

from math import cos, hypot, radians, sin

WEST, EAST, SOUTH, NORTH = -25.0, 45.0, 34.0, 72.0
_PARALLEL = cos(radians(52))
_SCALE = 1000 / ((EAST - WEST) * _PARALLEL)
MAP_WIDTH = 1000.0
MAP_HEIGHT = round((NORTH - SOUTH) * _SCALE, 1)


def project(latitude: float, longitude: float) -> tuple[float, float]:
    return (longitude - WEST) * _PARALLEL * _SCALE, (NORTH - latitude) * _SCALE


# Dots closer than this (map units, the map being 1000 wide) are pushed apart: around the Benelux and the Rhine,
# cities a few dozen kilometres apart would otherwise sit on top of each other, even at the larger phone size.
MIN_GAP = 24.0
_ROUNDS = 40  # enough for the tightest cluster of the demo network to settle; each round only moves what overlaps


def spread(points: list[dict], gap: float = MIN_GAP) -> list[dict]:
    """Move the dots (dicts with ``x``, ``y``) apart until no two are closer than ``gap``.

    Each point keeps its true place as ``true_x``/``true_y`` and gets ``moved`` when it left it, so that the map
    can draw a leader line. Neighbours are looked up in a grid of ``gap``-sized cells: a network of thousands of
    cities costs a few grid passes, not a comparison of every pair.
    """
    for point in points:
        point["true_x"], point["true_y"] = point["x"], point["y"]
    for _round in range(_ROUNDS):
        grid: dict[tuple[int, int], list[int]] = {}
        for index, point in enumerate(points):
            grid.setdefault(_cell(point, gap), []).append(index)
        moved = False
        for index, point in enumerate(points):
            cell_x, cell_y = _cell(point, gap)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for other in grid.get((cell_x + dx, cell_y + dy), ()):
                        if other > index:  # each pair once
                            moved |= _push_apart(point, points[other], gap, index)
        if not moved:
            break
    for point in points:
        point["x"], point["y"] = round(point["x"], 1), round(point["y"], 1)
        point["moved"] = abs(point["x"] - point["true_x"]) + abs(point["y"] - point["true_y"]) > 1
    return points


def _cell(point: dict, gap: float) -> tuple[int, int]:
    return int(point["x"] // gap), int(point["y"] // gap)


def _push_apart(a: dict, b: dict, gap: float, index: int) -> bool:
    dx, dy = b["x"] - a["x"], b["y"] - a["y"]
    distance = hypot(dx, dy)
    if distance >= gap:
        return False
    if distance == 0:  # the same coordinates: part them along a direction that differs from one dot to the next
        dx, dy, distance = cos(index), sin(index), 1.0
    shift = (gap - distance) / 2 + 0.01
    ux, uy = dx / distance, dy / distance
    a["x"], a["y"] = _inside(a["x"] - ux * shift, MAP_WIDTH), _inside(a["y"] - uy * shift, MAP_HEIGHT)
    b["x"], b["y"] = _inside(b["x"] + ux * shift, MAP_WIDTH), _inside(b["y"] + uy * shift, MAP_HEIGHT)
    return True


def _inside(value: float, limit: float) -> float:
    return min(max(value, 0.0), limit)
