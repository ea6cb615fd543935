"""A change against its base, on the same streams in one run: the console's wall worker from two checkouts.

    .venv/bin/python -m bench.wall_ab --base HEAD~3 --res 720p --tiles 9 --runs 3

The shared machine's speed moves 20-45% between runs, so a before/after comparison across two benchmark runs
says little. This one checks ``--base`` out into a temporary git worktree (sharing this checkout's .venv),
starts one pass-through server (as bench/camera_wall.py does) and runs bench/wall_worker.py's console viewer
from the working tree and from the base in turn, ``--runs`` times each, interleaved. It prints each run and
the medians: CPU of the whole process and of the GUI thread and decoder threads (% of one core), frame rate,
tiles at full rate (and at 20 fps or more), the GUI thread's CPU per paint event, the wall time of a paint event
(p95) and the added delay (p95).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.camera_wall import SCREEN, PassthroughServer, make_clip  # noqa: E402


def worker(root: Path, cfg: dict, timeout: float) -> dict:
    p = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "bench.wall_worker", json.dumps(cfg)],
                       cwd=root, capture_output=True, text=True, timeout=timeout)
    lines = [line for line in p.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        return {"error": (p.stderr or p.stdout)[-800:]}
    return json.loads(lines[-1][len("RESULT "):])


FIGURES = [("CPU %", lambda r: r["cpu_pct"]), ("GUI %", lambda r: r["thread_cpu_pct"]["gui"]),
           ("decoders %", lambda r: r["thread_cpu_pct"]["decode"]), ("fps", lambda r: r["fps_median"]),
           ("tiles >= 24 fps", lambda r: r["full_rate_tiles"]),
           ("tiles >= 20 fps", lambda r: sum(f >= 20 for f in r["fps"])),
           ("paint CPU ms", lambda r: r["paint_cpu_ms_p50"]),
           # the wall time of a paint event: how long the GUI thread (and an operator's click) waited for a core
           ("paint ms p95", lambda r: r["paint_ms_p95"]), ("delay p95 ms", lambda r: r["delay_p95"])]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True, help="the revision to compare the working tree with")
    ap.add_argument("--res", default="720p", choices=["360p", "720p", "1080p"])
    ap.add_argument("--tiles", type=int, default=9)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per measured window")
    args = ap.parse_args(argv)
    rev = subprocess.run(["git", "rev-parse", "--short", args.base], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    got: dict[str, list[dict]] = {"working tree": [], f"base {rev}": []}
    with tempfile.TemporaryDirectory(prefix="wall-ab-") as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base), rev], cwd=ROOT, check=True)
        try:
            (base / ".venv").symlink_to(ROOT / ".venv")
            clip = make_clip(args.res)
            with PassthroughServer(clip, args.tiles) as server:
                cfg = {"viewer": "console", "urls": [server.url(i) for i in range(args.tiles)],
                       "duration": args.duration, "warmup_s": 20, "settle_s": 1.0, "screen": SCREEN}
                for run in range(args.runs):
                    for label, root in (("working tree", ROOT), (f"base {rev}", base)):
                        r = worker(root, cfg, args.duration + 90)
                        got[label].append(r)
                        shown = "  ".join(f"{name} {fig(r):.1f}" for name, fig in FIGURES) if "error" not in r \
                            else "ERROR " + r["error"]
                        print(f"run {run + 1} {label:14s} {shown}", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    print(f"\n{args.tiles} x {args.res}, {args.runs} runs each, medians:\n")
    print("| | " + " | ".join(name for name, _ in FIGURES) + " |")
    print("|---|" + "---|" * len(FIGURES))
    for label, runs in got.items():
        ok = [r for r in runs if "error" not in r]
        cells = [statistics.median(fig(r) for r in ok) if ok else math.nan for _, fig in FIGURES]
        print(f"| {label} | " + " | ".join(f"{c:.1f}" for c in cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
