"""Screenshots of pages as a person sees them (Playwright on the system Chromium).

Usage: .venv/bin/python scripts/screenshot.py URL OUT.png [--width 1280] [--login EMAIL PASSWORD]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--login", nargs=2, metavar=("EMAIL", "PASSWORD"))
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        if args.login:
            origin = "/".join(args.url.split("/")[:3])
            page.goto(origin + "/accounts/login/")
            page.fill("input[name=login]", args.login[0])
            page.fill("input[name=password]", args.login[1])
            page.click("form button[type=submit]")
            page.wait_for_load_state("networkidle")
        page.goto(args.url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=args.out, full_page=args.full)
        browser.close()


if __name__ == "__main__":
    main()
