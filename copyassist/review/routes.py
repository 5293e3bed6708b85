"""The review app's pages and actions.

Every action is a plain form POST that redirects back to the page (it works without script);
``review.js`` sends the same forms with ``Accept: application/json`` and gets the row's new
HTML to put in place. Security (host, token, CSRF) is checked before any of this runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from copyassist.backends.base import Backend
from copyassist.errors import BackendError, CopyAssistError, InputError
from copyassist.review.marking import field_view
from copyassist.review.report import REPORT_CSP, run_report_html
from copyassist.review.security import CSRF_FIELD
from copyassist.review.session import ReviewSession
from copyassist.review.snapshot import feed_changed
from copyassist.review.views import ListQuery, RowView, pager, view_of
from copyassist.review.worker import SessionWorker

T = TypeVar("T")
Form = dict[str, list[str]]

NO_BACKEND = "regenerating needs a model, and this review was opened without one (review_app's backend)"


@dataclass
class AppContext:
    worker: SessionWorker
    csrf: str
    backend: Backend | None
    who: str
    templates: Environment
    #: why regenerate is off, shown on its button (the CLI puts the set-up error here)
    regenerate_off: str = NO_BACKEND


#: the largest integer SQLite holds: a row number past it is in no run
MAX_ROW_NUMBER = 2**63 - 1


class RowNotFound(Exception):
    pass


def templates(here: Path) -> Environment:
    return Environment(
        loader=FileSystemLoader(here / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


def _base(request: Request) -> str:
    return str(request.scope.get("root_path", "") or "").rstrip("/")


def _render(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    context = _context(request)
    html = context.templates.get_template(name).render(
        base=_base(request),
        csrf=context.csrf,
        csrf_field=CSRF_FIELD,
        regenerate_off=None if context.backend else context.regenerate_off,
        here=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        **values,
    )
    return HTMLResponse(html, status_code=status)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"ok": False, "error": message}, status_code=status)
    return _render(request, "error.html", status=status, message=message)


async def _form(request: Request) -> Form:
    body = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in data.items()}
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def _one(form: Form, name: str) -> str:
    return (form.get(name) or [""])[0]


def _edited_fields(form: Form, fields: list[str]) -> dict[str, str]:
    return {name: _one(form, f"f.{name}") for name in fields if f"f.{name}" in form}


def _safe_next(request: Request, form: Form) -> str:
    """Where a form goes back to: a page of this app only, never another site."""
    base = _base(request)
    target = _one(form, "next")
    if target.startswith(f"{base}/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"{base}/"


async def _on_row(request: Request, job: Callable[[ReviewSession, int], T], *, writes: bool = False) -> T:
    """``job(session, row_number)`` on the worker, once the row is known to be in the run."""
    number = int(request.path_params["number"])

    def checked(session: ReviewSession) -> T:
        try:
            if number > MAX_ROW_NUMBER:
                raise InputError(f"no row {number} in this run")
            session.row(number)
        except InputError as exc:
            raise RowNotFound(str(exc)) from None
        return job(session, number)

    return await _context(request).worker.call(checked, writes=writes)


def _row_html(request: Request, view: RowView, here: str) -> str:
    context = _context(request)
    return context.templates.get_template("_row.html").render(
        base=_base(request),
        csrf=context.csrf,
        csrf_field=CSRF_FIELD,
        regenerate_off=None if context.backend else context.regenerate_off,
        here=here,
        view=view,
    )


RowAction = Callable[[ReviewSession, int, Form, str], str]


async def _row_action(request: Request, action: RowAction) -> Response:
    """Run a row action; answer with the row's new HTML (script) or go back (plain form)."""
    form = await _form(request)
    who = _context(request).who

    def job(session: ReviewSession, number: int) -> tuple[str, RowView]:
        message = action(session, number, form, who)
        return message, view_of(session, session.row(number))

    try:
        message, view = await _on_row(request, job, writes=True)
    except RowNotFound as exc:
        return _error(request, 404, str(exc))
    except CopyAssistError as exc:
        return _error(request, _status_of(exc), str(exc))
    if _wants_json(request):
        return JSONResponse(
            {
                "ok": True,
                "message": message,
                "row": view.number,
                "html": _row_html(request, view, _safe_next(request, form)),
            }
        )
    return RedirectResponse(_safe_next(request, form), status_code=303)


def _status_of(exc: CopyAssistError) -> int:
    """Bad input 400, a model that failed 502, anything else (the store) 500."""
    return 400 if isinstance(exc, InputError) else 502 if isinstance(exc, BackendError) else 500


async def copyassist_error(request: Request, exc: Exception) -> Response:
    """Any copyassist error an action did not answer itself: one line, on the page."""
    return _error(request, _status_of(exc) if isinstance(exc, CopyAssistError) else 500, str(exc))


# ----------------------------------------------------------------------------- pages


async def index(request: Request) -> Response:
    query = ListQuery.from_params(request.query_params)
    worker = _context(request).worker

    def load(session: ReviewSession) -> dict[str, Any]:
        page = query.page(session)
        return {
            "page": page,
            "facets": worker.facets(session),
            "rows": [view_of(session, row) for row in page.rows],
            "run": session.run,
            "fields": session.fields,
            "channel": session.channel,
            "feed_changed": feed_changed(session.run),
        }

    try:
        data = await worker.call(load)
    except InputError as exc:
        return _error(request, 400, str(exc))
    base = _base(request)
    return _render(
        request,
        "index.html",
        query=query,
        pager=pager(query, data["page"].total, len(data["rows"]), base),
        sort_url=lambda sort: query.url(
            base, sort=sort, offset=0, desc=sort == query.sort and not query.desc
        ),
        **data,
    )


async def row_page(request: Request) -> Response:
    def load(session: ReviewSession, number: int) -> dict[str, Any]:
        return {
            "view": view_of(session, session.row(number)),
            "history": session.history(number),
            "run": session.run,
        }

    try:
        data = await _on_row(request, load)
    except RowNotFound as exc:
        return _error(request, 404, str(exc))
    return _render(request, "row.html", **data)


async def report(request: Request) -> Response:
    """The run's one-page report, each row linked to its page here."""
    base = _base(request)
    html = await _context(request).worker.call(
        lambda session: run_report_html(session, row_url=lambda number: f"{base}/rows/{number}")
    )
    # The report styles itself inline and runs no script: its own policy, no looser than that.
    return HTMLResponse(html, headers={"content-security-policy": REPORT_CSP})


# ----------------------------------------------------------------------------- row actions


def _approve(session: ReviewSession, number: int, form: Form, who: str) -> str:
    session.approve([number], who)
    return f"row {number} approved"


def _reject(session: ReviewSession, number: int, form: Form, who: str) -> str:
    session.reject([number], who)
    return f"row {number} rejected"


def _revert(session: ReviewSession, number: int, form: Form, who: str) -> str:
    session.revert(number, who)
    return f"row {number} back to the generated copy"


def _edit(session: ReviewSession, number: int, form: Form, who: str) -> str:
    fields = _edited_fields(form, session.fields)
    if not fields:
        raise InputError("nothing to save: the form sent no field of this run")
    row = session.edit(number, fields, who)
    problems = len(row.flags)
    return f"row {number} saved" + (
        f", {problems} problem{'s' if problems > 1 else ''} left" if problems else ""
    )


async def approve(request: Request) -> Response:
    return await _row_action(request, _approve)


async def reject(request: Request) -> Response:
    return await _row_action(request, _reject)


async def revert(request: Request) -> Response:
    return await _row_action(request, _revert)


async def edit(request: Request) -> Response:
    return await _row_action(request, _edit)


async def regenerate(request: Request) -> Response:
    context = _context(request)
    backend = context.backend
    if backend is None:
        return _error(request, 409, context.regenerate_off)

    def run(session: ReviewSession, number: int, form: Form, who: str) -> str:
        session.regenerate(number, _one(form, "note").strip(), backend, who)
        return f"row {number} written again"

    return await _row_action(request, run)


async def check(request: Request) -> Response:
    """The violations of an edit in progress, without storing it (as the reviewer types)."""
    form = await _form(request)

    def run(session: ReviewSession, number: int) -> dict[str, Any]:
        fields = _edited_fields(form, session.fields)
        flags = session.check(number, fields)
        row = session.row(number)
        views = [field_view(name, row.current.get(name), value, flags) for name, value in fields.items()]
        return {"flags": flags, "views": views}

    try:
        data = await _on_row(request, run)
    except RowNotFound as exc:
        return _error(request, 404, str(exc))
    except CopyAssistError as exc:
        return _error(request, 400, str(exc))
    context = _context(request)
    html = context.templates.get_template("_flags.html").render(flags=data["flags"], live=True)
    return JSONResponse(
        {
            "ok": True,
            "flags": [flag.as_dict() for flag in data["flags"]],
            "html": html,
            "fields": {view.name: str(view.proposed) for view in data["views"]},
        }
    )


# ----------------------------------------------------------------------------- bulk actions


def _row_numbers(form: Form) -> list[int]:
    numbers: list[int] = []
    for value in form.get("rows", []):
        for part in value.replace(",", " ").split():
            if part.isascii() and part.isdigit() and int(part) <= MAX_ROW_NUMBER:  # '²' is a digit too
                numbers.append(int(part))
    return numbers


async def _bulk_answer(request: Request, form: Form, count: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"ok": True, "count": count, "message": message})
    return RedirectResponse(_safe_next(request, form), status_code=303)


async def bulk(request: Request) -> Response:
    form = await _form(request)
    action = _one(form, "action")
    numbers = _row_numbers(form)
    who = _context(request).who
    if action not in ("approve", "reject"):
        return _error(request, 400, f"unknown bulk action {action!r}: approve or reject")
    if not numbers:
        return _error(request, 400, "no row selected: tick the rows first")

    def run(session: ReviewSession) -> int:
        decide = session.approve if action == "approve" else session.reject
        return decide(numbers, who)

    count = await _context(request).worker.call(run, writes=True)
    done = "approved" if action == "approve" else "rejected"
    return await _bulk_answer(request, form, count, f"{count} row{'s' if count != 1 else ''} {done}")


async def approve_all_ok(request: Request) -> Response:
    form = await _form(request)
    who = _context(request).who
    count = await _context(request).worker.call(lambda session: session.approve_all_ok(who), writes=True)
    return await _bulk_answer(request, form, count, f"{count} ok row{'s' if count != 1 else ''} approved")


ROUTES = [
    Route("/", index, methods=["GET"], name="index"),
    Route("/rows/{number:int}", row_page, methods=["GET"], name="row"),
    Route("/report", report, methods=["GET"], name="report"),
    Route("/rows/{number:int}/approve", approve, methods=["POST"]),
    Route("/rows/{number:int}/reject", reject, methods=["POST"]),
    Route("/rows/{number:int}/revert", revert, methods=["POST"]),
    Route("/rows/{number:int}/edit", edit, methods=["POST"]),
    Route("/rows/{number:int}/regenerate", regenerate, methods=["POST"]),
    Route("/rows/{number:int}/check", check, methods=["POST"]),
    Route("/bulk", bulk, methods=["POST"]),
    Route("/approve-all-ok", approve_all_ok, methods=["POST"]),
]
