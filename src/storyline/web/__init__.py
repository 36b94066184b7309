"""The HTTP API and the web pages (FastAPI, server-rendered Jinja2 templates, own CSS/JS only)."""

from storyline.web.app import create_app

__all__ = ["create_app"]
