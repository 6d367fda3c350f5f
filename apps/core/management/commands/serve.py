"""Run the web server and the job worker together; Ctrl-C stops both.

``make demo`` ends here. This process starts the embedded database (when
DATABASE_URL is not set) before its children, so it owns it and stops it when it
exits; the children only attach.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Serve the web app and run the job worker until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="0.0.0.0")

    def handle(self, *args, port: int, host: str, **options):
        connection.ensure_connection()  # start (and so own) the database first
        connection.close()
        python = sys.executable
        children = [
            subprocess.Popen([python, "manage.py", "qcluster"]),
            subprocess.Popen([python, "manage.py", "runserver", f"{host}:{port}"]),
        ]

        def stop(forward: int | None) -> None:
            # Ctrl-C in a terminal already reached every process in the group; sending
            # a second SIGINT makes django-q2's shutdown trip over itself.
            if forward is not None:
                for child in children:
                    if child.poll() is None:
                        child.send_signal(forward)
            deadline = time.monotonic() + 20
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()

        def on_term(*_):
            stop(signal.SIGTERM)
            sys.exit(0)

        signal.signal(signal.SIGTERM, on_term)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            self.stderr.write("One of the processes stopped; stopping the other.")
            stop(signal.SIGTERM)
        except KeyboardInterrupt:
            stop(None)
