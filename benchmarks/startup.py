"""How long copyassist takes to start, and to send its first request, against ``import openai``.

    python benchmarks/startup.py [--runs 5]

Each figure is the best of ``--runs`` fresh interpreters (the best: what the machine's other
work costs a run is left out), all measured in this one run:

- ``python -c "import openai"``: the floor of any tool built on the SDK;
- ``python -c "import copyassist"``;
- ``python -m copyassist batch --help``;
- first request: from starting ``python -m copyassist generate product-title`` against a local
  fake OpenAI server (``benchmarks/fake_server.py``, no latency) to the moment the server sees
  its request (the server runs here, so both ends read one clock).

Printed: each time, and each as a ratio to ``import openai``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_server import start_fake_server  # noqa: E402


def _environment() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "COPYASSIST_"))}
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return environment


def run_seconds(arguments: list[str], runs: int) -> float:
    """Best wall time of ``python ARGUMENTS`` to exit."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, *arguments], env=_environment(), cwd=ROOT, capture_output=True, check=True
        )
        best = min(best, time.perf_counter() - started)
    return best


def first_request_seconds(runs: int) -> float:
    """Best time from starting a ``generate`` process to its first request reaching the server."""
    base_url, server = start_fake_server(latency=0.0, jitter=0.0)
    best = float("inf")
    try:
        for _ in range(runs):
            server.reset()
            command = [sys.executable, "-m", "copyassist", "generate", "product-title",
                       "--set", "title=Lampe LED", "--lang", "fr",
                       "--provider", "compatible", "--base-url", base_url, "--model", "fake"]  # fmt: skip
            started = time.perf_counter()
            process = subprocess.Popen(
                command, env=_environment(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            arrived = None
            while arrived is None and time.perf_counter() - started < 60:
                if server.stats(prompts=False)["requests"]:
                    arrived = time.perf_counter()
                elif process.poll() is not None:
                    raise SystemExit(
                        f"generate ended without a request: {process.stderr.read().decode()[-400:]}"
                    )  # type: ignore[union-attr]
                else:
                    time.sleep(0.001)
            process.wait(timeout=60)
            if arrived is None:
                raise SystemExit("no request within 60 s")
            best = min(best, arrived - started)
    finally:
        server.stop()
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    floor = run_seconds(["-c", "import openai"], args.runs)
    figures = {
        "import openai": floor,
        "import copyassist": run_seconds(["-c", "import copyassist"], args.runs),
        "copyassist batch --help": run_seconds(["-m", "copyassist", "batch", "--help"], args.runs),
        "first request (generate)": first_request_seconds(args.runs),
    }
    print(f"start-up, best of {args.runs} (load {load})")
    for name, seconds in figures.items():
        print(f"  {name:26} {seconds * 1000:7.0f} ms  {seconds / floor:5.2f}x import openai")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
