"""Secrets only from the environment: .env.example documents every variable the settings read,
holds no values for secrets, and a real .env is never committed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEST_ONLY = {"STOCKROOM_TESTING", "STOCKROOM_TEST_DB_SUFFIX"}
SECRETS = {
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "INTEGRATIONS_FERNET_KEYS",
    "SHOPIFY_CLIENT_SECRET",
    "EMAIL_HOST_PASSWORD",
}


def _example() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            pairs[name.strip()] = value.strip()
    return pairs


def test_every_setting_read_from_the_environment_is_documented():
    source = (ROOT / "config/settings.py").read_text() + (ROOT / "config/database.py").read_text()
    names = set(re.findall(r"env(?:_bool|_int)?\(\s*\"([A-Z0-9_]+)\"", source))
    names |= set(re.findall(r"os\.environ(?:\.get)?[\(\[]\"([A-Z0-9_]+)\"", source))
    missing = sorted(
        names
        - TEST_ONLY
        - set(_example())
        - {"XDG_RUNTIME_DIR", "EMBEDDED_PG_KEEP", "STOCKROOM_DATA_DIR", "STOCKROOM_DB_NAME"}
    )
    assert missing == []


def test_the_example_holds_no_secret_values():
    example = _example()
    for name in SECRETS:
        assert name in example and example[name] == "", name


def test_a_real_env_file_is_ignored_by_git():
    result = subprocess.run(
        ["git", "check-ignore", "-q", ".env"], cwd=ROOT, capture_output=True, check=False
    )
    assert result.returncode == 0


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
            "'config.settings'; django.setup()",
        ],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_ENV": "production",
            "HOME": str(tmp_path),
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
