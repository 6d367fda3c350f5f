from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template

TEMPLATES = sorted(
    p.relative_to(settings.BASE_DIR / "templates").as_posix()
    for p in (settings.BASE_DIR / "templates").rglob("*.html")
)


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_compiles(name):
    """A typo in a tag or a missing {% load %} fails here, not in front of a user."""
    assert get_template(name) is not None
    assert Path(settings.BASE_DIR / "templates" / name).read_text().strip()
