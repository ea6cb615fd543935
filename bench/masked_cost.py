"""What a camera shown only masked costs (a sensitive camera blurred for a meeting), against the same camera
shown plainly: the console's MediaHub decoding N local RTSP streams (bench/passthrough_server.py), no GUI.

    .venv/bin/python -m bench.masked_cost --res 1080p --streams 4 --runs 3

Masked, a stream is decoded at key frames only (one picture a GOP); plainly, every frame. Prints each run and
the medians: CPU of this process in % of one core, and pictures a second per stream.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.camera_wall import PassthroughServer, make_clip  # noqa: E402
from bench.wall_worker import cpu_s  # noqa: E402
from console.media.hub import MediaHub  # noqa: E402
from console.model.sources import StreamSpec  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--res", default="1080p", choices=["360p", "720p", "1080p"])
    ap.add_argument("--streams", type=int, default=4)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args(argv)
    got: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    with PassthroughServer(make_clip(args.res), args.streams) as server:
        for run in range(args.runs):
            for masked in (False, True):
                hub = MediaHub()
                try:
                    handles = [hub.acquire(StreamSpec(server.url(i), timeout_s=3.0), (960, 540), masked=masked)
                               for i in range(args.streams)]
                    time.sleep(6)  # connected, and past the first key frame
                    c0, t0, seqs = cpu_s(), time.monotonic(), [h.seq for h in handles]
                    time.sleep(args.seconds)
                    elapsed = time.monotonic() - t0
                    pct = 100 * (cpu_s() - c0) / elapsed
                    fps = sum(h.seq - s for h, s in zip(handles, seqs, strict=True)) / elapsed / args.streams
                finally:
                    hub.stop()
                got[masked].append((pct, fps))
                label = "masked" if masked else "shown plainly"
                print(f"run {run + 1} {label:14s} CPU {pct:5.1f}% of a core  {fps:4.1f} pictures/s a stream", flush=True)
    print(f"\n{args.streams} x {args.res} on 960x540 tiles, {args.runs} runs each, medians:\n")
    print("| | CPU % of a core | per stream | pictures/s a stream |")
    print("|---|---|---|---|")
    for masked, label in ((False, "shown plainly"), (True, "masked (key frames only)")):
        pct = statistics.median(p for p, _ in got[masked])
        fps = statistics.median(f for _, f in got[masked])
        print(f"| {label} | {pct:.1f} | {pct / args.streams:.1f} | {fps:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
