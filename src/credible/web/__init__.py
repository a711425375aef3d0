"""The web application: pages and the JSON API over the same services as the CLI.

``create_app(settings, web=None, store=None)`` builds the FastAPI app;
``app_from_environment()`` is what `credible serve` gives each uvicorn worker.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from credible.config import Settings
from credible.web.app import WebSettings, create_app

__all__ = ["WebSettings", "app_from_environment", "create_app"]


def app_from_environment() -> FastAPI:
    web = WebSettings(
        secure_cookies=os.environ.get("CREDIBLE_WEB_SECURE_COOKIES") == "1",
        max_upload_mb=int(os.environ.get("CREDIBLE_WEB_MAX_UPLOAD_MB") or 200),
    )
    return create_app(Settings.resolve(None, None), web)
