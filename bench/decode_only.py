"""The decoder side alone, no GUI: N streams from the pass-through server decoded by

- a bare PyAV demux + decode loop (what ffmpeg -f null does),
- the same loop converting every frame to the tile's ``bgra`` picture (what showing it needs),
- the console's own ``StreamDecoder`` (that loop plus its states, figures and slot),
- ``ffmpeg -threads 1 -f null`` (the ceiling),
- with ``--light``, the bare loops and ffmpeg again without the deblocking filter (``skip_loop_filter=all``,
  what the console's light decoding does where a tile shows a stream at half its size or less), and the
  picture's PSNR at the tile's size against the full decode (same clip, decoded both ways from a file),

each for a window of S seconds, CPU per stream in % of one core from /proc (decoder threads only, for the
Python paths). It tells how far the decoder side is from the ceiling before any painting.

    .venv/bin/python -m bench.decode_only --res 360p,720p --tiles 9 --seconds 10 --runs 2
    .venv/bin/python -m bench.decode_only --res 720p,1080p --tiles 9 --light --runs 2
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import numpy as np  # noqa: E402
from av.video.reformatter import Interpolation, VideoReformatter  # noqa: E402

import console.media.decoder as decoder_module  # noqa: E402
from bench.camera_wall import PassthroughServer, make_clip, run_ffmpeg  # noqa: E402
from bench.wall_worker import thread_cpu_s  # noqa: E402
from console.media.decoder import LIGHT_AT, StreamDecoder, fit, light_wanted  # noqa: E402
from console.media.slots import FrameSlot  # noqa: E402
from console.model.sources import StreamSpec  # noqa: E402

TILE = (640, 360)
LIGHT = {"skip_loop_filter": "all"}


def bare(url: str, convert: bool, light: bool, stop: threading.Event, counts: list[int], i: int) -> None:
    options = {"rtsp_transport": "tcp", "probesize": "32", "analyzeduration": "0", "flags": "low_delay"}
    container = av.open(url, options=options)
    try:
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 1
        stream.codec_context.thread_type = "SLICE"
        # The light decoder is made the way the console makes it (a fresh context, options set before it opens).
        codec = StreamDecoder._codec(stream, True) if light else stream.codec_context
        reformatter = VideoReformatter()
        for packet in container.demux(stream):
            if stop.is_set():
                return
            for frame in codec.decode(packet):
                counts[i] += 1
                if convert:
                    w, h = fit(frame.width, frame.height, *TILE)
                    reformatter.reformat(frame, w, h, "bgra", interpolation=Interpolation.FAST_BILINEAR,
                                         threads=1).to_ndarray()
    finally:
        container.close()


def measure(kind: str, urls: list[str], seconds: float) -> tuple[float, float]:
    """CPU % of one core per stream, median fps."""
    n = len(urls)
    stop = threading.Event()
    counts = [0] * n
    decoders: list[StreamDecoder] = []
    threads: list[threading.Thread] = []
    if kind.startswith("StreamDecoder"):
        # "StreamDecoder, light off": the same decoder with light decoding disabled, for an A/B in one run.
        decoder_module.LIGHT_AT = -1.0 if "off" in kind else LIGHT_AT
        decoders = [StreamDecoder(StreamSpec(url), FrameSlot(), lambda: TILE) for url in urls]
        for d in decoders:
            d.start()
    else:
        threads = [threading.Thread(target=bare, args=(url, "bgra" in kind, "light" in kind, stop, counts, i),
                                    name=f"decode bench {i}") for i, url in enumerate(urls)]
        for t in threads:
            t.start()

    def frames() -> list[int]:
        return [d.slot.seq for d in decoders] if decoders else list(counts)

    time.sleep(4)  # every stream past its first key frame
    c0, f0, t0 = thread_cpu_s(), frames(), time.time()
    time.sleep(seconds)
    c1, f1, t1 = thread_cpu_s(), frames(), time.time()
    stop.set()
    for d in decoders:
        d.stop(wait=False)
    for d in decoders:
        d.stop(wait=True)
    decoder_module.LIGHT_AT = LIGHT_AT
    for t in threads:
        t.join()
    span = t1 - t0
    return 100 * (c1["decode"] - c0["decode"]) / span / n, statistics.median((b - a) / span for a, b in zip(f0, f1, strict=True))


def psnr_at_tile(clip: Path, tile: tuple[int, int]) -> tuple[float, float]:
    """PSNR (dB, min and median over frames) of the light decode against the full decode, both converted to
    the tile's ``bgra`` picture the way the console converts them."""

    def pictures(light: bool) -> list[np.ndarray]:
        out = []
        with av.open(str(clip)) as container:
            stream = container.streams.video[0]
            stream.codec_context.thread_count = 1
            if light:
                stream.codec_context.options = LIGHT
            reformatter = VideoReformatter()
            for frame in container.decode(stream):
                w, h = fit(frame.width, frame.height, *tile)
                img = reformatter.reformat(frame, w, h, "bgra", interpolation=Interpolation.FAST_BILINEAR,
                                           threads=1).to_ndarray()
                out.append(img[..., :3].astype(np.int16))
        return out

    values = []
    for a, b in zip(pictures(False), pictures(True), strict=True):
        mse = float(np.mean((a - b) ** 2))
        values.append(99.0 if mse == 0 else 10 * math.log10(255**2 / mse))
    return min(values), statistics.median(values)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--res", default="360p,720p")
    ap.add_argument("--tiles", default="9")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--tile", default="640x360", help="the tile the console converts to, WxH")
    ap.add_argument("--light", action="store_true", help="also the loops and ffmpeg without deblocking")
    args = ap.parse_args(argv)
    global TILE
    TILE = tuple(int(v) for v in args.tile.split("x"))  # type: ignore[assignment]
    kinds = ["decode", "decode + bgra", "StreamDecoder", "ffmpeg"]
    if args.light:
        kinds += ["StreamDecoder, light off", "decode light", "decode light + bgra", "ffmpeg light"]
    print("| res | N | path | CPU % per stream (runs) | median | x ffmpeg | x ffmpeg light | fps |")
    print("|---|---|---|---|---|---|---|---|")
    for res in args.res.split(","):
        clip = make_clip(res)
        for n in (int(x) for x in args.tiles.split(",")):
            with PassthroughServer(clip, n) as server:
                urls = [server.url(i) for i in range(n)]
                figures: dict[str, list[tuple[float, float]]] = {}
                for _ in range(args.runs):
                    for kind in kinds:
                        if kind.startswith("ffmpeg"):
                            extra = ("-skip_loop_filter", "all") if "light" in kind else ()
                            r = run_ffmpeg(urls, args.seconds, server.pid, extra)
                            figures.setdefault(kind, []).append((r["cpu_pct"] / n, r.get("fps_median") or 0.0))
                        else:
                            figures.setdefault(kind, []).append(measure(kind, urls, args.seconds))
                ceiling = statistics.median(c for c, _ in figures["ffmpeg"])
                light_ceiling = statistics.median(c for c, _ in figures.get("ffmpeg light", [(math.nan, 0)]))
                for kind, vals in figures.items():
                    cpu = statistics.median(c for c, _ in vals)
                    print(f"| {res} | {n} | {kind} | {', '.join(f'{c:.2f}' for c, _ in vals)} | {cpu:.2f} | "
                          f"{cpu / ceiling:.2f} | {cpu / light_ceiling:.2f} | {statistics.median(f for _, f in vals):.1f} |",
                          flush=True)
        if args.light:
            w, h = TILE
            lo, med = psnr_at_tile(clip, TILE)
            # What the console would do for this tile (a stream's first frame tells its size).
            with av.open(str(clip)) as c:
                sw, sh = c.streams.video[0].codec_context.width, c.streams.video[0].codec_context.height
            used = light_wanted(sw, sh, w, h, detail=False, light_now=False)
            print(f"| {res} | - | PSNR light vs full at {w}x{h}: min {lo:.1f} dB, median {med:.1f} dB "
                  f"(console decodes light here: {'yes' if used else 'no'}) | | | | |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
