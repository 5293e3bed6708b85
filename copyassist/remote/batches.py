"""Request files through the OpenAI Batch API: upload, submit, follow, collect.

Every step is recorded in the store before the next one starts, and a step that a killed run
may have made without recording it is looked for at the engine before it is made again: before
uploading a file whose upload was begun, the account's batch files are searched for its name;
before creating a batch whose creation was begun, the account's batches for its metadata. So a
run killed at any point submits nothing twice. Results are collected in one transaction with
the batch's ``collected`` mark: every paid answer is in the store, or the batch is collected
again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

if TYPE_CHECKING:
    import openai

from copyassist import errors
from copyassist.remote.answers import Answer, cost_of, from_output_line
from copyassist.remote.requests import ENDPOINT
from copyassist.remote.tables import FINISHED, RemoteBatch, RemoteTables

logger = logging.getLogger(__name__)

COMPLETION_WINDOW: Final = "24h"
METADATA_KEY = "copyassist_batch"

T = TypeVar("T")


def file_name(batch: RemoteBatch) -> str:
    return f"copyassist-{batch.token}.jsonl"


def _call(action: Callable[[], T]) -> T:
    import openai  # with the first call: a batch run that never sends one never loads the SDK

    from copyassist.backends.openai_errors import translate_error

    try:
        return action()
    except openai.OpenAIError as exc:
        raise translate_error(exc) from None


def submit(client: openai.OpenAI, tables: RemoteTables, batch: RemoteBatch) -> RemoteBatch:
    """Upload ``batch``'s file and create its batch, each at most once, whatever was done before."""
    if batch.state in ("written", "uploading"):
        file_id = _find_upload(client, batch) if batch.state == "uploading" else None
        if file_id is None:
            tables.update_batch(batch.id, state="uploading")
            path = Path(batch.path or "")
            try:
                with path.open("rb") as handle:
                    uploaded = _call(
                        lambda: client.files.create(file=(file_name(batch), handle), purpose="batch")
                    )
            except OSError as exc:
                raise errors.StorageError(f"cannot read the request file {path}: {exc}") from None
            file_id = uploaded.id
        batch = tables.update_batch(batch.id, state="uploaded", file_id=file_id)
    if batch.state in ("uploaded", "submitting"):
        found = _find_batch(client, batch) if batch.state == "submitting" else None
        if found is None:
            tables.update_batch(batch.id, state="submitting")
            file_id = batch.file_id or ""
            found = _call(
                lambda: client.batches.create(
                    input_file_id=file_id,
                    endpoint=ENDPOINT,
                    completion_window=COMPLETION_WINDOW,
                    metadata={METADATA_KEY: batch.token},
                )
            )
        batch = tables.update_batch(batch.id, state="submitted", batch_id=found.id, **_progress(found))
    return batch


def _find_upload(client: openai.OpenAI, batch: RemoteBatch) -> str | None:
    name = file_name(batch)
    for uploaded in _call(lambda: client.files.list(purpose="batch")):
        if uploaded.filename == name:
            logger.debug("found the upload of %s made by an earlier run: %s", name, uploaded.id)
            return str(uploaded.id)
    return None


def _find_batch(client: openai.OpenAI, batch: RemoteBatch) -> Any:
    for made in _call(lambda: client.batches.list(limit=100)):
        if (made.metadata or {}).get(METADATA_KEY) == batch.token:
            logger.debug("found the batch of %s made by an earlier run: %s", batch.token, made.id)
            return made
    return None


def _progress(found: Any) -> dict[str, Any]:
    counts = found.request_counts
    return {
        "status": found.status,
        "completed": int(getattr(counts, "completed", 0) or 0),
        "failed": int(getattr(counts, "failed", 0) or 0),
        "output_file_id": found.output_file_id,
        "error_file_id": found.error_file_id,
    }


def refresh(client: openai.OpenAI, tables: RemoteTables, batch: RemoteBatch, model: str) -> RemoteBatch:
    """``batch``'s status now; once the engine is done with it, its answers collected."""
    if batch.state != "submitted" or batch.batch_id is None:
        return batch
    batch_id = batch.batch_id
    found = _call(lambda: client.batches.retrieve(batch_id))
    progress = _progress(found)
    if found.status not in FINISHED:
        return tables.update_batch(batch.id, **progress)
    answers: list[tuple[str, Answer, float | None]] = []
    for file_id in (found.output_file_id, found.error_file_id):
        if file_id:
            answers.extend(_answers(_lines(client, file_id), model))
    note = None
    if found.status == "failed":  # the file was refused whole (often the queue's token limit): sent again
        reasons = ((found.errors.data if found.errors else None) or [])[:3]
        note = "; ".join(f"{e.code}: {e.message}" for e in reasons) or "no reason given"
    tables.record_answers(
        answers,
        source="batch",
        batch_done=(batch.id, {**progress, "state": "collected", "note": note}),
        unfinished_back=True,  # expired, cancelled, refused, or a line the engine dropped: sent again
    )
    if batch.path:  # every answer is in the store now; the request file was only kept to upload it
        Path(batch.path).unlink(missing_ok=True)
    return tables.batch(batch.id)


def _lines(client: openai.OpenAI, file_id: str) -> Iterator[dict[str, Any]]:
    content = _call(lambda: client.files.content(file_id))
    for raw in content.text.splitlines():
        if raw.strip():
            try:
                yield json.loads(raw)
            except json.JSONDecodeError:
                logger.warning("an unreadable line in batch file %s was skipped", file_id)


def _answers(lines: Iterator[dict[str, Any]], model: str) -> Iterator[tuple[str, Answer, float | None]]:
    for line in lines:
        custom, answer = from_output_line(line)
        if custom and answer is not None:  # None: never run (expired): wanted again
            yield custom, answer, cost_of(answer, model, batch=True)
