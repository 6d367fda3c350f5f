"""How we start Debian's Chromium: shared by the browser tests and scripts/screenshot.py.

Never a downloaded browser. The flags keep Chromium from calling out to the
network (this machine reaches only package registries) and let it run as root.
"""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
