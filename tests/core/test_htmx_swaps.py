"""HTMX list partials carry their own container (``<div id="x-table">``), so whatever
swaps them in must replace the container (``outerHTML``), not fill it: otherwise each
search or page click nests another element with the same id inside the last."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template

TEMPLATES = Path(settings.BASE_DIR) / "templates"
SELF_CONTAINED = re.compile(r"{%\s*partialdef\s+([\w-]+)\s+inline\s*%}\s*<div id=\"\1\"")
TAG = re.compile(r"<[a-z]+\b[^>]*>", re.S)


def _problems() -> list[str]:
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for name in SELF_CONTAINED.findall(text):
            for tag in TAG.findall(text):
                if f'hx-target="#{name}"' in tag and 'hx-swap="outerHTML"' not in tag:
                    problems.append(f"{path.relative_to(TEMPLATES)}: {tag[:80]}")
    return problems


def test_every_swap_of_a_self_contained_partial_replaces_the_container():
    assert _problems() == []


def test_list_helpers_swap_outer_html_when_they_target_a_table():
    page = type(
        "P",
        (),
        {
            "paginator": type("Pg", (), {"num_pages": 3, "count": 60})(),
            "has_previous": True,
            "has_next": True,
            "previous_page_number": 1,
            "next_page_number": 3,
            "number": 2,
            "start_index": 21,
            "end_index": 40,
        },
    )()
    html = Template(
        '{% include "partials/pagination.html" with target="#t" base="?" %}'
        '{% include "partials/sortable_th.html" with target="#t" href="?sort=a" label="A" %}'
    ).render(Context({"page": page}))
    assert html.count('hx-target="#t" hx-swap="outerHTML"') == 3
