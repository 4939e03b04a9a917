"""The projection of the bundled map of Europe (assets/img/europe.svg, built by tools/europe-map/build.py).

Equirectangular with standard parallel 52°N over longitudes −25…45 and latitudes 34…72, 1000 units wide:
simple enough to draw city dots without any mapping library or tile service.
"""

from math import cos, radians

WEST, EAST, SOUTH, NORTH = -25.0, 45.0, 34.0, 72.0
_PARALLEL = cos(radians(52))
_SCALE = 1000 / ((EAST - WEST) * _PARALLEL)
MAP_WIDTH = 1000.0
MAP_HEIGHT = round((NORTH - SOUTH) * _SCALE, 1)


def project(latitude: float, longitude: float) -> tuple[float, float]:
    return (longitude - WEST) * _PARALLEL * _SCALE, (NORTH - latitude) * _SCALE
