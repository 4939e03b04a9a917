"""Helpers to write content files for import tests."""

import textwrap
from pathlib import Path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


LESSON = """
---
type: lesson
title: Tool libraries for residents
slug: tool-libraries
language: en
city: Testville
country: NL
partner_cities: ["Sampleburg (DE)"]
themes: [Waste and circular economy, citizen-engagement-and-social-innovation]
date: 2024-05-02
summary: Residents borrow tools instead of buying them.
cost_effort: Low, two staff days a month
---
A short introduction.

## Challenge

Households buy drills they use for 13 minutes.

## What we did

Opened a tool library in the district office.

## Results

| Year | Loans |
|------|-------|
| 2023 | 1200  |

## What did not work

Opening hours during office time only.

## Transferability

Needs a room and a volunteer.
"""
