"""The studio's working pages: sign in, drafts, the topic editor, review, history.

Pages show what the store holds; every change goes through the JSON API (tact.web.studio_api) from the
pages' scripts, so the browser and a script drive the same loop. Sign-in is a plain form, so it works
before any script has loaded.
"""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ..store import StoreUnavailable
from ..studio import accounts, drafts, publish
from .auth import AuthError, check_csrf, client_address, csrf_token, current_user, sign_in, sign_out
from .memory import get_store
from .studio_api import live_set, review_of

bp = Blueprint("workbench", __name__, url_prefix="/studio")


def _signed_in(role: str = "writer"):
    """The account, or a redirect to the sign-in page (403 page when the role is missing)."""
    try:
        user = current_user()
    except StoreUnavailable:
        abort(503, description="The studio's database is unavailable; try again in a moment.")
    if user is None:
        return None, redirect(url_for("workbench.login", next=request.full_path.rstrip("?")))
    if not user.can(role):
        abort(403, description=f"This page needs the {role} role.")
    return user, None


def _page(template: str, user, **context):
    return render_template(template, user=user, csrf=csrf_token(), **context)


def _safe_next(target: str | None) -> str:
    parsed = urlparse(target or "")
    if target and not parsed.scheme and not parsed.netloc and target.startswith("/studio"):
        return target
    return url_for("workbench.draft_list")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status = None, 200
    name = ""
    if request.method == "POST":
        name = (request.form.get("name") or "")[:200]
        try:
            check_csrf()
            user = accounts.authenticate(get_store(), name, request.form.get("password") or "", client_address())
        except AuthError:
            error, status = "Your sign-in form expired; please try again.", 403
        except accounts.LoginLimited as exc:
            error, status = f"Too many failed sign-ins: {exc.message}.", 429
        except accounts.LoginRefused:
            error, status = "Wrong account name or password.", 401
        except StoreUnavailable:
            error, status = "The studio's database is unavailable; try again in a moment.", 503
        else:
            sign_in(user)
            return redirect(_safe_next(request.args.get("next")))
    try:
        token = csrf_token()
    except RuntimeError:          # no signing key: the database is down
        abort(503, description="The studio's database is unavailable; try again in a moment.")
    return render_template("workbench_login.html", csrf=token, error=error, name=name, user=None), status


@bp.post("/logout")
def logout():
    try:
        check_csrf()
    except AuthError:
        abort(403, description="Your page expired; reload it and sign out again.")
    sign_out()
    return redirect(url_for("workbench.login"))


@bp.get("/drafts")
def draft_list():
    user, away = _signed_in()
    if away:
        return away
    return _page("workbench_drafts.html", user, drafts=drafts.listing(get_store()))


def _draft(draft_id: int) -> dict:
    try:
        return drafts.get(get_store(), draft_id)
    except drafts.DraftError:
        abort(404, description=f"No draft {draft_id}.")


@bp.get("/drafts/<int:draft_id>")
def draft(draft_id: int):
    user, away = _signed_in()
    if away:
        return away
    found = _draft(draft_id)
    touched = {t["id"]: t for t in found["topics"]}
    all_texts = drafts.texts(get_store(), live_set(), draft_id)
    topics = drafts.topic_rows(all_texts)
    return _page("workbench_draft.html", user, draft=found, topics=topics, touched=touched,
                 files=sorted(all_texts), comments=drafts.comments_of(get_store(), draft_id),
                 editable=found["status"] in drafts.EDITABLE)


@bp.get("/drafts/<int:draft_id>/topics/<path:topic_id>")
def editor(draft_id: int, topic_id: str):
    user, away = _signed_in()
    if away:
        return away
    found = _draft(draft_id)
    try:
        state = drafts.read_topic(get_store(), live_set(), draft_id, topic_id)
    except drafts.DraftError:
        abort(404, description=f"No topic '{topic_id}' in draft {draft_id}.")
    return _page("workbench_editor.html", user, draft=found, topic_id=topic_id, state=state,
                 editable=found["status"] in drafts.EDITABLE)


@bp.get("/drafts/<int:draft_id>/review")
def review(draft_id: int):
    user, away = _signed_in()
    if away:
        return away
    _draft(draft_id)
    return _page("workbench_review.html", user, **review_of(draft_id))


@bp.get("/history")
def history():
    user, away = _signed_in()
    if away:
        return away
    return _page("workbench_history.html", user, entries=publish.entries(get_store()), entry=None)


@bp.get("/history/<int:entry_id>")
def history_entry(entry_id: int):
    user, away = _signed_in()
    if away:
        return away
    try:
        entry = publish.get_entry(get_store(), entry_id)
    except drafts.DraftError:
        abort(404, description=f"No history entry {entry_id}.")
    return _page("workbench_history.html", user, entries=None, entry=entry, topics=publish.entry_topics(entry))


@bp.app_template_filter("studio_time")
def studio_time(epoch: int) -> str:
    import time
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(epoch or 0))
