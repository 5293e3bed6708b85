"""What one ``remote_batch`` step sends: the requests within the cost cap, written as Batch API
request files or as one exported file, and the re-asks made live."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

from copyassist import errors
from copyassist.backends import Backend
from copyassist.batch.limiter import RateLimiter
from copyassist.batch.pacing import PacedBackend
from copyassist.remote.answers import Answer, cost_of, from_completion, from_error
from copyassist.remote.plan import LiveRepair, Plan
from copyassist.remote.report import RemoteReport
from copyassist.remote.requests import FileLimits, split_lines
from copyassist.remote.tables import RemoteTables, RequestRecord

__all__ = ["make_repairs_live", "within_cap", "write_export_file", "write_request_files"]


def within_cap(
    plan: Plan, max_cost: float | None, report: RemoteReport
) -> Iterator[tuple[RequestRecord, bytes]]:
    """The plan's requests, less those past ``max_cost`` (each at its worst case, in feed order,
    after what is spent and what the batches waited on may still cost)."""
    if max_cost is None:
        yield from plan.wanted()
        return
    committed = plan.counts.spent + plan.counts.reserved
    for record, line in plan.wanted():
        worst = record.worst_cost or 0.0
        if committed + worst > max_cost:
            report.held_back += 1
            continue
        committed += worst
        yield record, line


def write_request_files(
    wanted: Iterator[tuple[RequestRecord, bytes]],
    tables: RemoteTables,
    run_id: int,
    limits: FileLimits,
    folder: Path,
) -> None:
    """Each file written whole, then recorded with its requests: a file is sent only once it is
    complete and known."""
    records: dict[str, RequestRecord] = {}

    def lines() -> Iterator[tuple[str, bytes]]:
        for record, line in wanted:
            records[record.custom_id] = record
            yield record.custom_id, line

    target = folder / "remote"
    target.mkdir(parents=True, exist_ok=True)
    for number, chunk in enumerate(split_lines(lines(), limits), start=1):
        path = target / f"run{run_id}-{number}.jsonl"
        try:
            with path.open("wb") as handle:
                for _, line in chunk:
                    handle.write(line)
        except OSError as exc:
            raise errors.StorageError(f"cannot write the request file {path}: {exc}") from None
        tables.add_batch(
            run_id=run_id,
            engine="openai",
            path=str(path),
            requests=[records.pop(c) for c, _ in chunk],
            state="written",
        )


def write_export_file(
    wanted: Iterator[tuple[RequestRecord, bytes]], tables: RemoteTables, run_id: int, path: Path
) -> int:
    records: list[RequestRecord] = []
    try:
        with path.open("wb") as handle:
            for record, line in wanted:
                handle.write(line)
                records.append(record)
    except OSError as exc:
        raise errors.StorageError(f"cannot write {path}: {exc}") from None
    if records:
        tables.add_batch(
            run_id=run_id, engine="export", path=str(path.resolve()), requests=records, state="exported"
        )
    return len(records)


def make_repairs_live(
    repairs: list[LiveRepair],
    backend: Backend,
    tables: RemoteTables,
    rpm: float | None,
    tpm: float | None,
    concurrency: int,
) -> int:
    """Make the re-asks live, each answer (or error) kept as it comes: paid, so never lost."""
    local = backend.name == "local"

    async def run() -> None:
        paced = PacedBackend(backend, RateLimiter(rpm, tpm))
        limit = asyncio.Semaphore(concurrency)

        async def one(repair: LiveRepair) -> None:
            async with limit:
                try:
                    answer: Answer = from_completion(await paced.acomplete(repair.prompt))
                except errors.CopyAssistError as exc:
                    answer = from_error(exc)
            cost = cost_of(answer, backend.model, batch=False, local=local)
            tables.record_answers([(repair.custom_id, answer, cost)], source="live")

        try:
            await asyncio.gather(*(one(repair) for repair in repairs))
        finally:
            await backend.aclose()

    asyncio.run(run())
    return len(repairs)
