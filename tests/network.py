"""The small network most tests run on, and the names of the pages they look at.

It is taken from the demo files: the Cologne–Soria story (Vitoria-Gasteiz's co-creation visit, the proximity
offices, the case study) and lessons in German, Spanish, Swedish and English from a few more cities. Tests whose
subject is the demo itself load all of it (the ``demo`` fixture).
"""

FILES = [
    "cities/cologne.md", "cities/soria.md", "cities/vitoria-gasteiz.md", "cities/aachen.md",
    "cities/barcelona.md", "cities/valencia.md", "cities/malmo.md", "cities/limerick.md", "cities/helsinki.md",
    "cologne", "soria", "vitoria-gasteiz", "aachen", "barcelona", "valencia", "malmo", "limerick", "helsinki",
    "case-studies",
]  # fmt: skip

COLOGNE_LESSON = "lesson:cologne/proximity-offices"
COLOGNE_LESSON_TITLE = "Proximity offices for building rehabilitation"
SORIA_LESSON = "lesson:soria/oficinas-de-proximidad"
