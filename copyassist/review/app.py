"""``review_app``: the review page of one batch run, as an ASGI app (Starlette): the routes
are in ``routes.py``, the gate (host, token, CSRF, headers) in ``security.py``."""

from __future__ import annotations

import contextlib
import getpass
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from copyassist.backends.base import Backend
from copyassist.batch.store import Store
from copyassist.errors import CopyAssistError
from copyassist.review import routes
from copyassist.review.export import open_store
from copyassist.review.security import Guard, new_token
from copyassist.review.session import ReviewSession
from copyassist.review.worker import SessionWorker

HERE = Path(__file__).resolve().parent


def reviewer() -> str:
    """Who the decisions are stored as: the account running the app."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        return "reviewer"


def review_app(
    store: Store | str | Path | None = None,
    run_id: int | None = None,
    *,
    token: str | None = None,
    backend: Backend | None = None,
) -> Starlette:
    """The review page for run ``run_id`` (default: the last batch run) of ``store`` (a Store,
    its file, or None for the default file), as an ASGI app a catalogue tool can mount.

    Every request needs ``token`` (random unless given; ``app.state.token``): open
    ``/?token=...`` once and a cookie keeps it. ``backend`` lets rows be regenerated; without
    one the page says regenerating needs a model. Raises ``InputError`` if there is no such run.
    """
    opened, _ = open_store(store)
    try:
        session = ReviewSession(opened, run_id)
        chosen = session.run.id
        session.close()
    finally:
        if opened is not store:
            opened.close()
    worker = SessionWorker(opened.path, chosen)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        worker.close()

    secret = token or new_token()
    csrf = new_token()
    app = Starlette(
        routes=[
            *routes.ROUTES,
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[Middleware(Guard, token=secret, csrf=csrf)],
        exception_handlers={CopyAssistError: routes.copyassist_error},
        lifespan=lifespan,
    )
    app.state.token = secret
    app.state.context = routes.AppContext(
        worker=worker, csrf=csrf, backend=backend, who=reviewer(), templates=routes.templates(HERE)
    )
    return app
