"""Catalogues through batch engines that already exist: the OpenAI Batch API, or any engine
that reads its request files (vLLM's ``run_batch``), at half the price and no rate limit.

- ``requests``: request lines (``custom_id`` = the sha256 of the body) and files cut to limits;
- ``tables``: what the store keeps of request files and of every request's answer;
- ``plan``: one pass over a feed: rows settled by answers, rows waiting, requests to send;
- ``batches``: upload, submit, follow and collect through the SDK's files and batches APIs;
- ``answers``: output lines to what a live call returns; ``imports``: a results file read in;
- ``replay``: the backend that answers the final, ordinary run from the answers collected;
- ``sending``: what a step sends: request files, an exported file, the re-asks made live;
- ``report``: what one step did (``RemoteReport``);
- ``flow``: ``remote_batch``, one step further each time it is called.
"""

from __future__ import annotations

from copyassist.remote.flow import ENGINES, remote_batch, request_backend
from copyassist.remote.report import RemoteReport
from copyassist.remote.requests import FileLimits

__all__ = ["ENGINES", "FileLimits", "RemoteReport", "remote_batch", "request_backend"]
