"""The cabin view at `/cabin`: a tablet seat map that keeps working with no network.

The page stores the flight's pack (from POST /api/v1/packs) on the device, and
a service worker served from `/cabin/sw.js` (scope `/cabin`) caches the shell.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory

from ..model import LEVELS

bp = Blueprint("cabin", __name__)


@bp.get("/cabin")
def view():
    return render_template("cabin.html", levels=LEVELS)


@bp.get("/cabin/sw.js")
def service_worker():
    response = send_from_directory(current_app.static_folder, "cabin-sw.js", max_age=0)
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Service-Worker-Allowed"] = "/cabin"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/cabin/manifest.webmanifest")
def manifest():
    response = send_from_directory(current_app.static_folder, "cabin.webmanifest", max_age=0)
    response.headers["Content-Type"] = "application/manifest+json"
    return response
