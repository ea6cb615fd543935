"""StreamDecoder: one thread per stream; writes only the newest frame, scaled once, to a slot.

Measured choices (docs in PERFORMANCE.md): one decode thread per stream (frame threading adds a
frame of latency per thread), colour conversion and scaling in one swscale pass straight to
``bgra`` at the size the tiles ask for, with one persistent reformatter and ``threads=1``.
Opening and reading use explicit timeouts; every failure becomes a reason a person can act on,
and the decoder retries with capped exponential backoff and jitter until it is stopped.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import cast

import av
import av.error
import numpy as np
from av.video.codeccontext import VideoCodecContext
from av.video.reformatter import Interpolation, VideoReformatter

from console.media.slots import FrameSlot
from console.model.sources import StreamSpec
from console.retry import backoff_delay

log = logging.getLogger(__name__)


class StreamState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    STALLED = "stalled"
    RECONNECTING = "reconnecting"
    FAILED = "failed"
    STOPPED = "stopped"


class Reason(StrEnum):
    """Why a stream is not live, in terms a person can act on (the tile translates them)."""

    NONE = ""
    AUTH = "auth"  # authentication refused: check the user name and password
    NOT_FOUND = "not_found"  # the server answered, but has no such stream path
    REFUSED = "refused"  # nothing listens there: camera or server down
    UNREACHABLE = "unreachable"  # no route to the host / name does not resolve
    TIMEOUT = "timeout"  # the server accepted, then went silent
    CODEC = "codec"  # the stream's codec cannot be decoded here
    ENDED = "ended"  # the stream closed by itself
    OTHER = "other"


# Failures that will not go away by themselves: shown as "failed" while retries continue slowly.
PERMANENT = {Reason.AUTH, Reason.NOT_FOUND, Reason.CODEC}


def classify(exc: BaseException) -> tuple[Reason, str]:
    """Map PyAV/FFmpeg errors (and OS errors) to a Reason and a short technical detail."""
    detail = f"{type(exc).__name__}: {exc}"
    text = str(exc).lower()
    if isinstance(exc, av.error.HTTPUnauthorizedError | av.error.HTTPForbiddenError) or "401" in text:
        return Reason.AUTH, detail
    if isinstance(exc, av.error.HTTPNotFoundError) or "404" in text or "not found" in text:
        if isinstance(exc, av.error.DecoderNotFoundError):
            return Reason.CODEC, detail
        return Reason.NOT_FOUND, detail
    if isinstance(exc, av.error.DecoderNotFoundError | av.error.PatchWelcomeError) or "codec" in text:
        return Reason.CODEC, detail
    if isinstance(exc, av.error.ConnectionRefusedError | ConnectionRefusedError) or "refused" in text:
        return Reason.REFUSED, detail
    if "unreachable" in text or "resolve" in text or "name or service" in text or "no route" in text:
        return Reason.UNREACHABLE, detail
    if isinstance(exc, av.error.TimeoutError | TimeoutError | av.error.ExitError) or "timed out" in text:
        return Reason.TIMEOUT, detail
    if isinstance(exc, av.error.EOFError | EOFError):
        return Reason.ENDED, detail
    return Reason.OTHER, detail


@dataclass(frozen=True)
class StreamInfo:
    """What a tile shows about its stream. Read from any thread (replaced whole, never mutated)."""

    state: StreamState = StreamState.CONNECTING
    reason: Reason = Reason.NONE
    detail: str = ""
    attempt: int = 0
    next_try_at: float | None = None  # epoch seconds of the next connection attempt
    codec: str = ""
    width: int = 0  # of the stream, before scaling
    height: int = 0
    fps: float = 0.0
    bitrate_kbps: float = 0.0
    decode_path: str = "CPU"
    light: bool = False  # decoding without the deblocking filter (every tile shows it at half size or less)
    delay_ms: float = 0.0  # how far decoding runs behind the stream's own clock
    catch_ups: int = 0  # times decoding fell CATCH_UP_AFTER_S behind live and jumped to the next key frame
    reduced: bool = False  # key frames only, to spare a machine too busy for all its streams (MediaHub sheds)
    key_frames_only: bool = False  # one picture a GOP: shed (``reduced``) or only shown masked
    last_frame_at: float | None = None
    frames: int = 0
    first_frame_s: float | None = None  # seconds from connect to the first picture


# Scaling a picture down by a few percent costs 3-5x converting it at its own size (swscale's
# general scaler against its direct converters; 1080p: 7.3 ms against 2.3 ms a frame). A stream at
# least this close to its tile's size comes at its own size, and the tile shows its middle.
NEAR_NATIVE = 0.97


def fit(src_w: int, src_h: int, box_w: int, box_h: int) -> tuple[int, int]:
    """The size to convert a picture to for a box of tile pixels, keeping the source's shape.

    Never larger than the source (enlarging in swscale measured 5x the cost of native size; a big
    tile takes the main stream anyway, so enlarging is the rare case Qt does). At least
    ``NEAR_NATIVE`` of the source's size: the source's own size (at most 1.5% cut off each side).
    Otherwise the width is a multiple of 16 pixels, so a row of bgra is a multiple of 64 bytes:
    FFmpeg then adds no row padding and the picture reaches Qt as one contiguous buffer.
    """
    if src_w <= 0 or src_h <= 0:
        return max(16, box_w & ~15), max(2, box_h & ~1)
    scale = min(box_w / src_w, box_h / src_h, 1.0)
    if scale >= NEAR_NATIVE:
        return src_w, src_h
    return max(16, int(src_w * scale) & ~15), max(2, int(src_h * scale) & ~1)


# Decoding that falls this far behind the stream (a machine too busy for all its streams) stops decoding
# and skips to the next key frame, the first point it can start again from, at the live edge: the tile
# freezes for at most a GOP instead of drifting seconds behind live, further every minute.
CATCH_UP_AFTER_S = 1.0
# Lateness that steps by this much from one packet to the next is a jump of the stream's clock (a camera
# re-syncing its time stamps), not a backlog, which grows a few milliseconds a packet: the reference moves.
CLOCK_JUMP_S = 0.5

# A camera's clock runs a little slow or fast against the console's (crystals: 20-100 parts per million), so
# lateness measured against the stream's time stamps creeps by up to ~0.1 ms a second: a second after a few
# hours of streaming. The reference (the least late packet) is let rise by DRIFT_PER_S, ten times that, so a
# console that runs for weeks never takes drift for a backlog; a decoder that cannot keep up falls behind by
# tens of milliseconds a second and is still caught within seconds.
DRIFT_PER_S = 0.001


class Lateness:
    """How far behind the live edge a stream is read or decoded: seconds behind the least late sample so far,
    from (wall clock, stream clock) pairs. A step of more than ``jump_s`` between two samples is the stream's
    clock jumping and moves the reference (None: no such steps expected, as between the pictures before and
    after a skip to live); a camera's clock drifting slowly against ours is let go by DRIFT_PER_S."""

    __slots__ = ("_first", "_jump_s", "_least", "_prev", "_prev_at")

    def __init__(self, jump_s: float | None = CLOCK_JUMP_S) -> None:
        self._first: tuple[float, float] | None = None  # (wall clock, stream clock) of the first sample
        self._jump_s = math.inf if jump_s is None else jump_s
        self._least = math.inf  # the least lateness seen (relative to the first sample), drifting up slowly
        self._prev = -math.inf
        self._prev_at = 0.0

    def behind(self, now: float, stream_t: float) -> float:
        if self._first is None:
            self._first = (now, stream_t)
        late = (now - self._first[0]) - (stream_t - self._first[1])
        if self._prev != -math.inf:
            if abs(late - self._prev) > self._jump_s:
                self._least += late - self._prev
            self._least += DRIFT_PER_S * max(0.0, now - self._prev_at)
        self._prev, self._prev_at = late, now
        self._least = min(self._least, late)
        return late - self._least


# Light decoding: H.264's and HEVC's in-loop deblocking filter is a sizeable part of their decode (the
# console's decoder side costs 15-17% less without it, bench/decode_only.py --light). A tile that shows a
# stream at half its size or less cannot show what the filter smooths (benchmark clips, at the tile's size:
# 38-44 dB PSNR against the full decode; 36-41 dB for a 360p stream at half size), so such a stream is
# decoded without it. Back to the full decode above LIGHT_UNTIL (hysteresis) or when a tile asks for detail
# (full-screen, zoomed). Either switch waits for the next key frame, the only point where a fresh decoder
# starts clean.
LIGHT_AT = 0.5
LIGHT_UNTIL = 0.6
LIGHT_CODECS = {"h264", "hevc"}


def light_wanted(src_w: int, src_h: int, box_w: int, box_h: int, detail: bool, light_now: bool) -> bool:
    """Whether a stream of ``src`` pixels, shown in a box of at most ``box`` pixels, may skip deblocking."""
    if detail or src_w <= 0 or src_h <= 0:
        return False
    scale = min(box_w / src_w, box_h / src_h)
    return scale <= (LIGHT_UNTIL if light_now else LIGHT_AT)


def masked(url: str) -> str:
    """The URL with its password replaced, for logs and screens."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url


# Decoder threads run at a lower priority than the GUI thread (Linux: a thread's own nice value). On a machine
# with CPU to spare it changes nothing; on one short of it, the thread that paints the wall and answers the
# operator gets its share first, and the decoders that then fall behind skip ahead and are shed by the hub's
# load governor, instead of every tile losing frames at the painter and the operator's clicks waiting.
DECODER_NICE = 5


def lower_priority(nice: int = DECODER_NICE) -> None:
    """Lower the calling thread's CPU priority by ``nice`` (where the OS has per-thread nice values)."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except (AttributeError, OSError):
        pass  # not Linux, or not allowed: the decoders keep the process's priority


class StreamReader:
    """What every stream reader shares (PyAV's decoder, OpenCV's capture): an owned thread that
    writes into ``slot`` and publishes ``info``; ``start``/``stop`` from the GUI thread.
    ``want_size`` is read for every frame."""

    STALL_AFTER_S = 2.0
    thread_label = "stream"

    def __init__(self, spec: StreamSpec, slot: FrameSlot, want_size: Callable[[], tuple[int, int]],
                 retry_base_s: float = 0.5, retry_cap_s: float = 30.0) -> None:
        self.spec = spec
        self.slot = slot
        self.want_size = want_size
        self.retry_base_s = retry_base_s
        self.retry_cap_s = retry_cap_s
        self._info = StreamInfo()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # One picture per GOP, almost free: set by MediaHub to shed load; takes effect at the next key frame.
        self.keyframes_only = False
        # Every tile shows it masked (a sensitive camera in a meeting): one picture a GOP is all a blur needs.
        self.want_sparse: Callable[[], bool] = lambda: False
        self.want_detail: Callable[[], bool] = lambda: False  # a full-screen or zoomed tile shows it

    @property
    def info(self) -> StreamInfo:
        info = self._info
        if info.state == StreamState.LIVE and info.last_frame_at is not None:
            # Key frames only, a picture comes once a GOP (several seconds on some cameras).
            if time.time() - info.last_frame_at > self.STALL_AFTER_S * (5 if info.key_frames_only else 1):
                return replace(info, state=StreamState.STALLED)
        return info

    def _set(self, **changes: object) -> None:
        self._info = replace(self._info, **changes)  # type: ignore[arg-type]

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._main, name=f"{self.thread_label} {masked(self.spec.url)}",
                                        daemon=True)
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        self._stop.set()
        if wait and self._thread is not None:
            # A read blocked on a silent server returns within the RTSP timeout (about 2x its value).
            self._thread.join(timeout=self.spec.timeout_s * 2 + 2)
        self._set(state=StreamState.STOPPED)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _main(self) -> None:
        lower_priority()
        self._run()

    def _run(self) -> None:
        raise NotImplementedError


class StreamDecoder(StreamReader):
    """PyAV (FFmpeg): RTSP, files, HTTP MJPEG; on the GPU's decoder where there is one."""

    thread_label = "decode"

    def __init__(self, spec: StreamSpec, slot: FrameSlot, want_size: Callable[[], tuple[int, int]],
                 retry_base_s: float = 0.5, retry_cap_s: float = 30.0) -> None:
        super().__init__(spec, slot, want_size, retry_base_s, retry_cap_s)
        self._failing = False
        self._hw_unavailable = False

    # -- the thread ----------------------------------------------------------------------
    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            self._set(state=StreamState.CONNECTING if attempt == 0 else StreamState.RECONNECTING,
                      attempt=attempt, next_try_at=None)
            began = time.monotonic()
            try:
                self._session()
                reason, detail = Reason.ENDED, "the stream ended"
            except av.error.InvalidDataError as exc:
                reason, detail = classify(exc)
                # FFmpeg reports an RTSP open that ran into its timeout as "invalid data".
                if reason == Reason.OTHER and time.monotonic() - began >= 0.9 * self.spec.timeout_s:
                    reason = Reason.TIMEOUT
            except av.error.FFmpegError as exc:
                reason, detail = classify(exc)
            except OSError as exc:
                reason, detail = classify(exc)
            except Exception as exc:  # never let a decoder thread die silently
                log.exception("decoder for %s failed", masked(self.spec.url))
                reason, detail = Reason.OTHER, f"{type(exc).__name__}: {exc}"
            # FFmpeg's messages quote the URL, password included: never let it reach a log or a screen.
            detail = detail.replace(self.spec.url, masked(self.spec.url))
            if self._stop.is_set():
                break
            if self._info.frames and self._info.state == StreamState.LIVE:
                attempt = 0  # it was live: start the backoff again from the shortest delay
            attempt += 1
            delay = backoff_delay(attempt, self.retry_base_s, self.retry_cap_s)
            if not self._failing:
                # Once per outage, and once on recovery (in _decode): a dead camera does not flood the log.
                log.warning("stream %s lost (%s: %s); retrying", masked(self.spec.url), reason, detail)
                self._failing = True
            state = StreamState.FAILED if reason in PERMANENT else StreamState.RECONNECTING
            self._set(state=state, reason=reason, detail=detail, attempt=attempt, next_try_at=time.time() + delay)
            if self._stop.wait(delay):
                break

    def _options(self) -> dict[str, str]:
        timeout_us = str(int(self.spec.timeout_s * 1_000_000))
        if self.spec.kind == "rtsp":
            # Small probing opens in ~0.07 s; fflags=nobuffer would throw the probed keyframe away.
            return {"rtsp_transport": self.spec.transport, "probesize": "32", "analyzeduration": "0",
                    "flags": "low_delay", "timeout": timeout_us}
        if self.spec.kind == "http":
            return {"timeout": timeout_us, "reconnect": "0"}
        return {}

    def _open(self) -> av.container.InputContainer:
        fmt = "mpjpeg" if self.spec.kind == "http" else None
        if self.spec.hwaccel and not self._hw_unavailable:
            from av.codec.hwaccel import HWAccel, hwdevices_available

            if self.spec.hwaccel in hwdevices_available():
                hwaccel = HWAccel(device_type=self.spec.hwaccel, allow_software_fallback=True)
                try:
                    return av.open(self.spec.url, mode="r", format=fmt, options=self._options(), hwaccel=hwaccel)
                except (av.error.FFmpegError, OSError) as exc:
                    # PyAV's wheels list cuda even with no GPU; creating the device then fails. Fall back
                    # to the CPU silently (one log line), and do not ask again for this stream. Errors of
                    # the stream itself (refused, not found, timeout) are the stream's, not the GPU's.
                    stream_errors = (av.error.HTTPError, av.error.InvalidDataError, ConnectionError, TimeoutError,
                                     av.error.TimeoutError, av.error.ExitError)
                    if isinstance(exc, stream_errors):
                        raise
                    log.info("no %s decoder for %s (%s); decoding on the CPU", self.spec.hwaccel,
                             masked(self.spec.url), type(exc).__name__)
                    self._hw_unavailable = True
        return av.open(self.spec.url, mode="r", format=fmt, options=self._options())

    def _session(self) -> None:
        opened_at = time.time()
        container = self._open()
        try:
            stream = container.streams.video[0]
            ctx = stream.codec_context
            ctx.thread_count = 1
            ctx.thread_type = "SLICE"
            path = "GPU" if getattr(ctx, "is_hwaccel", False) else "CPU"
            self._set(codec=ctx.name, decode_path=path, frames=0, first_frame_s=None, light=False, reduced=False,
                      key_frames_only=False)
            self._decode(container, stream, opened_at, may_lighten=path == "CPU" and ctx.name in LIGHT_CODECS)
        finally:
            container.close()

    PUBLISH_EVERY_S = 0.25  # what a tile shows about its stream (fps, bitrate, delay) moves on this often

    @staticmethod
    def _codec(stream, light: bool) -> VideoCodecContext:
        """A fresh CPU decoder for ``stream``, with or without the deblocking filter."""
        ctx = cast(VideoCodecContext, av.CodecContext.create(stream.codec_context.name, "r"))
        if stream.codec_context.extradata:
            ctx.extradata = stream.codec_context.extradata  # parameter sets from the SDP or the file
        ctx.thread_count = 1
        ctx.thread_type = "SLICE"
        if light:
            ctx.options = {"skip_loop_filter": "all"}
        return ctx

    def _decode(self, container, stream, opened_at: float, may_lighten: bool = False) -> None:
        reformatter = VideoReformatter()
        # On the CPU, a decoder of our own, replaced whole when light decoding starts or stops: the old one
        # is freed with its frames (the stream's own context would hold its frame pool for the session).
        codec = self._codec(stream, False) if may_lighten else stream.codec_context
        light = False
        # The source size from the SDP or the file's header (0 when not said): a fresh context knows none.
        src_w, src_h = stream.codec_context.width, stream.codec_context.height
        is_file = self.spec.kind == "file"
        times: deque[float] = deque(maxlen=64)
        sizes: deque[tuple[float, int]] = deque(maxlen=256)
        size_sum = 0  # of the packets in ``sizes``, kept as they come and go
        base: tuple[float, float] | None = None  # (wall clock, stream clock) of a file's first frame
        shown_late = Lateness(jump_s=None)  # decoded pictures against the stream's clock: the delay a tile shows
        frames = 0
        published_at = 0.0
        fast = Interpolation.FAST_BILINEAR
        # How late packets are read against the stream's clock: a decoder that cannot keep up reads them
        # ever later, out of the socket's backlog.
        read_late = Lateness()
        catching_up = False
        catch_ups = 0
        key_only = False  # decoding key frames only (follows self.keyframes_only at key frames)
        time_base = float(stream.time_base) if stream.time_base else 0.0  # (a Fraction: slow for every packet)
        while not self._stop.is_set():
            got_any = False
            for packet in container.demux(stream):
                if self._stop.is_set():
                    return
                if packet.size:
                    if len(sizes) == sizes.maxlen:
                        size_sum -= sizes[0][1]
                    sizes.append((time.time(), packet.size))
                    size_sum += packet.size
                if not is_file and packet.pts is not None and time_base:
                    behind = read_late.behind(time.time(), packet.pts * time_base)
                    if not catching_up and behind > CATCH_UP_AFTER_S and frames:
                        catching_up = True
                        catch_ups += 1
                        log.info("stream %s is %.1f s behind live: skipping to the next key frame",
                                 masked(self.spec.url), behind)
                if catching_up:
                    if not packet.is_keyframe:
                        continue
                    catching_up = False
                    codec.flush_buffers()  # nothing of the skipped pictures may come out
                # Back to every frame only at a key frame: the frames after it refer to it, not to the ones
                # skipped before.
                if packet.is_keyframe and key_only != (wanted := self.keyframes_only or self.want_sparse()):
                    key_only = wanted
                    self._set(reduced=key_only and self.keyframes_only, key_frames_only=key_only)
                if key_only and not packet.is_keyframe:
                    continue
                if may_lighten and packet.is_keyframe:
                    wanted = light_wanted(src_w, src_h, *self.want_size(), self.want_detail(), light)
                    if wanted != light:
                        codec, light = self._codec(stream, wanted), wanted
                        self._set(light=light)
                for frame in codec.decode(packet):
                    got_any = True
                    now = time.time()
                    t = float(frame.time) if frame.time is not None else None
                    if is_file and t is not None:
                        # Files play at their own pace, like a live camera.
                        if base is None:
                            base = (now, t)
                        wait = base[0] + (t - base[1]) - now
                        if wait > 0 and self._stop.wait(wait):
                            return
                        now = time.time()
                    src_w, src_h = frame.width, frame.height
                    w, h = fit(src_w, src_h, *self.want_size())
                    out = reformatter.reformat(frame, w, h, "bgra", interpolation=fast, threads=1)
                    image: np.ndarray = out.to_ndarray()
                    if not image.flags.c_contiguous:
                        image = np.ascontiguousarray(image)  # a source narrower than 16 px, say
                    self.slot.write(image)
                    frames += 1
                    times.append(now)
                    lag = shown_late.behind(now, t) if t is not None and not is_file else None
                    if frames > 1 and now - published_at < self.PUBLISH_EVERY_S:
                        continue  # the figures below change slowly: a tile reads them a few times a second
                    published_at = now
                    fps = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0
                    span = sizes[-1][0] - sizes[0][0] if len(sizes) > 1 else 0
                    kbps = size_sum * 8 / 1000 / span if span > 0 else 0.0
                    delay = lag * 1000 if lag is not None else 0.0
                    changes: dict[str, object] = dict(
                        state=StreamState.LIVE, reason=Reason.NONE, detail="", attempt=0, next_try_at=None,
                        width=frame.width, height=frame.height, fps=fps, bitrate_kbps=kbps, delay_ms=delay,
                        last_frame_at=now, frames=frames, catch_ups=catch_ups,
                    )
                    if frames == 1:
                        changes["first_frame_s"] = now - opened_at
                        if self._failing:
                            log.info("stream %s recovered", masked(self.spec.url))
                            self._failing = False
                    self._set(**changes)
            if not is_file:
                return  # a live stream that ends has disconnected
            if not got_any:
                raise av.error.InvalidDataError(0, "the file has no decodable video")  # type: ignore[call-arg]
            container.seek(0)
            if codec is not stream.codec_context:
                codec.flush_buffers()  # the seek flushed the stream's own decoder, not this one
            base = None
