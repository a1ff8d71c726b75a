"""An app context for jobs: the current one (tests, the worker) or one made once per process."""

from __future__ import annotations

from contextlib import nullcontext

from flask import Flask, has_app_context

_app: Flask | None = None


def app_context():
    global _app
    if has_app_context():
        return nullcontext()
    if _app is None:
        from dps import create_app

        _app = create_app()
    return _app.app_context()
