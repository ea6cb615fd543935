#!/usr/bin/python3
"""A small real RTSP server for tests and benchmarks (GStreamer's gst-rtsp-server).

Run it with Debian's own interpreter, which has ``gi`` (the project's virtualenv does not)::

    /usr/bin/python3 tests/servers/rtsp_server.py --port 8554 \
        --mount path=/cam1,codec=h264,width=1280,height=720,fps=25,gop=50,bitrate=2000,pattern=ball \
        --mount path=/secure,codec=h265,user=admin,password=secret \
        --latency-mount /lat

Every mount is a shared media factory (one encoder for all its clients) fed by a live ``videotestsrc``.
A mount with ``user``/``password`` needs HTTP basic authentication; the others are open to everybody.
``--latency-mount PATH`` adds a 640x360@25 H.264 mount fed by an ``appsrc`` whose frames carry the sender's
wall-clock milliseconds (modulo 2**32) as 32 black/white blocks in the top 16 pixel rows, most significant bit
at the left (``tests/servers/rtsp.py: decode_stamp`` reads them back).

Prints one line ``READY <port>`` to stdout once it listens on 127.0.0.1 (``--port 0`` picks a free port and
prints it). Exits 0 on SIGTERM/SIGINT, 2 on a bad argument or mount spec, 3 when it cannot listen.
Nothing else is written to stdout; diagnostics go to stderr.

Mount SPEC keys (values cannot contain ``,``): path (required, starts with ``/``), codec (h264|h265),
width, height, fps, gop (key-frame interval in frames), bitrate (kbit/s), pattern (a videotestsrc pattern
nick, e.g. ball, smpte, snow), clock (0|1: burn the wall clock into the picture with clockoverlay, or
timeoverlay, when the pango plugin is installed -- Debian's gstreamer1.0-x; without it a warning is printed
and the picture is left plain), user, password.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

DEFAULTS = {
    "codec": "h264",
    "width": 640,
    "height": 360,
    "fps": 25,
    "gop": 50,
    "bitrate": 1000,
    "pattern": "ball",
    "clock": 0,
}
INT_KEYS = ("width", "height", "fps", "gop", "bitrate", "clock")
KNOWN_KEYS = {"path", "user", "password", *DEFAULTS}
LIMITS = {
    "width": (16, 7680),
    "height": (16, 4320),
    "fps": (1, 240),
    "gop": (1, 100000),
    "bitrate": (1, 100000),
    "clock": (0, 1),
}

# Latency mount layout; keep in step with tests/servers/rtsp.py.
LAT_WIDTH, LAT_HEIGHT, LAT_FPS = 640, 360, 25
STAMP_BITS = 32
STAMP_ROWS = 16
BLACK, WHITE, GREY = 16, 235, 128


class SpecError(ValueError):
    pass


def parse_mount(spec: str) -> dict:
    """'path=/cam1,codec=h264,...' -> dict with defaults filled in and values checked."""
    mount: dict = {}
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep:
            raise SpecError(f"{spec!r}: {item!r} is not key=value")
        if key not in KNOWN_KEYS:
            raise SpecError(f"{spec!r}: unknown key {key!r} (known: {', '.join(sorted(KNOWN_KEYS))})")
        if key in mount:
            raise SpecError(f"{spec!r}: {key!r} given twice")
        mount[key] = value.strip()
    path = mount.get("path", "")
    if not path.startswith("/") or len(path) < 2 or any(c in path for c in " ?#\"'()!"):
        raise SpecError(f"{spec!r}: path must start with '/' and name a mount, got {path!r}")
    for key, value in DEFAULTS.items():
        mount.setdefault(key, value)
    for key in INT_KEYS:
        try:
            mount[key] = int(mount[key])
        except (TypeError, ValueError):
            raise SpecError(f"{spec!r}: {key} must be an integer, got {mount[key]!r}") from None
        lo, hi = LIMITS[key]
        if not lo <= mount[key] <= hi:
            raise SpecError(f"{spec!r}: {key}={mount[key]} is outside {lo}..{hi}")
    if mount["codec"] not in ("h264", "h265"):
        raise SpecError(f"{spec!r}: codec must be h264 or h265, got {mount['codec']!r}")
    if ("user" in mount) != ("password" in mount):
        raise SpecError(f"{spec!r}: give both user and password, or neither")
    if "user" in mount and (not mount["user"] or ":" in mount["user"]):
        raise SpecError(f"{spec!r}: user must be non-empty and must not contain ':'")
    if not mount["pattern"].replace("-", "").isalnum():
        raise SpecError(f"{spec!r}: bad pattern {mount['pattern']!r}")
    return mount


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8554, help="TCP port on 127.0.0.1 (0: pick one)")
    parser.add_argument("--mount", action="append", default=[], metavar="SPEC", help="a mount, repeatable")
    parser.add_argument("--latency-mount", default=None, metavar="PATH", help="add the wall-clock mount")
    parser.add_argument("--parent-pid", type=int, default=0, help="exit when this process goes away")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        raise SpecError(f"--port {args.port} is outside 0..65535")
    args.mounts = [parse_mount(spec) for spec in args.mount]
    paths = [m["path"] for m in args.mounts]
    if args.latency_mount is not None:
        if not args.latency_mount.startswith("/") or len(args.latency_mount) < 2:
            raise SpecError(f"--latency-mount must start with '/', got {args.latency_mount!r}")
        paths.append(args.latency_mount)
    dupes = sorted({p for p in paths if paths.count(p) > 1})
    if dupes:
        raise SpecError(f"mount path given twice: {', '.join(dupes)}")
    if not paths:
        raise SpecError("no mounts: give at least one --mount or --latency-mount")
    return args


def fail(code: int, message: str) -> None:
    sys.stderr.write(f"rtsp_server: error: {message}\n")
    sys.stderr.flush()
    sys.exit(code)


def main(argv: list[str]) -> int:
    try:
        args = parse_args(argv)
    except SpecError as exc:
        fail(2, str(exc))

    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtsp", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtsp, GstRtspServer

    Gst.init(None)

    def have(element: str) -> bool:
        return Gst.ElementFactory.find(element) is not None

    patterns = _pattern_nicks(Gst)

    def launch_for(m: dict) -> str:
        if patterns and m["pattern"] not in patterns:
            raise SpecError(
                f"mount {m['path']}: unknown pattern {m['pattern']!r} (known: {', '.join(patterns)})"
            )
        encoder = "x264enc" if m["codec"] == "h264" else "x265enc"
        if not have(encoder):
            raise SpecError(f"mount {m['path']}: GStreamer element {encoder} is not installed")
        parts = [
            f"videotestsrc is-live=true pattern={m['pattern']}",
            f"video/x-raw,format=I420,width={m['width']},height={m['height']},framerate={m['fps']}/1",
        ]
        if m["clock"]:
            if have("clockoverlay"):
                parts.append(
                    'clockoverlay halignment=left valignment=top time-format="%H:%M:%S" font-desc="Sans 20"'
                )
            elif have("timeoverlay"):
                parts.append("timeoverlay halignment=left valignment=top")
            else:
                sys.stderr.write(
                    f"rtsp_server: warning: mount {m['path']}: clock=1 but neither clockoverlay nor timeoverlay "
                    "is installed (Debian package gstreamer1.0-x); the picture carries no clock\n"
                )
        if m["codec"] == "h264":
            parts.append(
                f"x264enc tune=zerolatency speed-preset=ultrafast key-int-max={m['gop']} "
                f"bitrate={m['bitrate']} bframes=0"
            )
            parts.append("rtph264pay name=pay0 pt=96 config-interval=1")
        else:
            parts.append(
                f"x265enc tune=zerolatency speed-preset=ultrafast key-int-max={m['gop']} bitrate={m['bitrate']}"
            )
            parts.append("rtph265pay name=pay0 pt=96 config-interval=1")
        return " ! ".join(parts)

    def check_launch(path: str, launch: str) -> None:
        # Build (not run) the pipeline once now, so that a bad spec fails at start-up, not at the first client.
        try:
            pipeline = Gst.parse_launch(launch)
        except GLib.Error as exc:
            raise SpecError(f"mount {path}: pipeline does not build: {exc.message}: {launch}") from None
        pipeline.set_state(Gst.State.NULL)

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    mounts = server.get_mount_points()

    # Authentication: one role per distinct user/password pair; open mounts admit every role.
    auth_roles: dict[tuple[str, str], str] = {}
    for m in args.mounts:
        if "user" in m:
            auth_roles.setdefault((m["user"], m["password"]), f"role{len(auth_roles)}")
    all_roles = ["anonymous", *auth_roles.values()]
    if auth_roles:
        auth = GstRtspServer.RTSPAuth()
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        anonymous = GstRtspServer.RTSPToken()
        anonymous.set_string("media.factory.role", "anonymous")
        auth.set_default_token(anonymous)
        for (user, password), role in auth_roles.items():
            token = GstRtspServer.RTSPToken()
            token.set_string("media.factory.role", role)
            auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
        server.set_auth(auth)

    def permit(factory, roles: list[str]) -> None:
        # Every role may *access* (see) every factory; only `roles` may *construct* (play) it. A role that
        # may not even access a factory gets "404 Not Found" and never a challenge; one that may access but
        # not construct gets "401 Unauthorized" with a WWW-Authenticate: Basic header, which is what makes a
        # client (FFmpeg sends credentials only after a challenge) retry with its user and password.
        if not auth_roles:
            return
        perms = GstRtspServer.RTSPPermissions()
        for role in all_roles:
            perms.add_permission_for_role(role, "media.factory.access", True)
            perms.add_permission_for_role(role, "media.factory.construct", role in roles)
        factory.set_permissions(perms)

    try:
        for m in args.mounts:
            launch = launch_for(m)
            check_launch(m["path"], launch)
            factory = GstRtspServer.RTSPMediaFactory()
            factory.set_launch(f"( {launch} )")
            factory.set_shared(True)
            if "user" in m:
                permit(factory, [auth_roles[(m["user"], m["password"])]])
            else:
                permit(factory, all_roles)
            mounts.add_factory(m["path"], factory)
            sys.stderr.write(f"rtsp_server: mount {m['path']}{' (auth)' if 'user' in m else ''}: {launch}\n")
        if args.latency_mount is not None:
            if not have("x264enc"):
                raise SpecError("--latency-mount needs x264enc, which is not installed")
            factory = _latency_factory(Gst, GstRtspServer)
            check_launch(args.latency_mount, factory.get_launch().strip("() "))
            factory.set_shared(True)
            permit(factory, all_roles)
            mounts.add_factory(args.latency_mount, factory)
            sys.stderr.write(f"rtsp_server: latency mount {args.latency_mount}\n")
    except SpecError as exc:
        fail(2, str(exc))

    loop = GLib.MainLoop()
    if server.attach(None) == 0:
        fail(3, f"cannot listen on 127.0.0.1:{args.port} (in use?)")
    port = server.get_bound_port()

    def quit_loop(*_args) -> bool:
        loop.quit()
        return GLib.SOURCE_REMOVE

    GLib.unix_signal_add(GLib.PRIORITY_HIGH, 15, quit_loop)  # SIGTERM
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, 2, quit_loop)  # SIGINT
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, 1, quit_loop)  # SIGHUP
    if args.parent_pid:

        def parent_alive() -> bool:
            if os.getppid() != args.parent_pid:
                sys.stderr.write("rtsp_server: parent went away, exiting\n")
                loop.quit()
                return GLib.SOURCE_REMOVE
            return GLib.SOURCE_CONTINUE

        GLib.timeout_add(500, parent_alive)

    sys.stdout.write(f"READY {port}\n")
    sys.stdout.flush()
    sys.stderr.flush()
    loop.run()

    # Close every client connection now, so that readers see the server go away at once.
    try:
        server.client_filter(lambda _server, _client, *_: GstRtspServer.RTSPFilterResult.REMOVE)
    except Exception as exc:  # noqa: BLE001 - shutting down anyway
        sys.stderr.write(f"rtsp_server: closing clients: {exc}\n")
    sys.stderr.write("rtsp_server: stopped\n")
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: streaming threads may still be running inside GStreamer.
    os._exit(0)


def _pattern_nicks(Gst) -> list[str]:
    src = Gst.ElementFactory.make("videotestsrc", None)
    if src is None:
        return []
    try:
        values = type(src.find_property("pattern").default_value).__enum_values__
        return sorted(v.value_nick for v in values.values())
    except AttributeError:  # another PyGObject: the pipeline check still catches a bad pattern
        return []


def stamp_frame(ms: int, base: bytes) -> bytes:
    """An I420 frame: `base` with the low 32 bits of `ms` as blocks across the top STAMP_ROWS rows."""
    value = ms & 0xFFFFFFFF
    block = LAT_WIDTH // STAMP_BITS
    black, white = bytes([BLACK]) * block, bytes([WHITE]) * block
    row = b"".join(white if (value >> (STAMP_BITS - 1 - i)) & 1 else black for i in range(STAMP_BITS))
    top = row * STAMP_ROWS
    return top + base[len(top) :]


def _latency_factory(Gst, GstRtspServer):
    """A shared factory whose appsrc is fed from a thread with frames stamped with time.time()."""
    caps = f"video/x-raw,format=I420,width={LAT_WIDTH},height={LAT_HEIGHT},framerate={LAT_FPS}/1"
    launch = (
        f"( appsrc name=src is-live=true do-timestamp=true format=time max-buffers=2 leaky-type=downstream "
        f'caps="{caps}" ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={LAT_FPS} '
        "bitrate=800 bframes=0 ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )
    y_size = LAT_WIDTH * LAT_HEIGHT
    base = bytes([GREY]) * y_size + bytes([128]) * (y_size // 2)

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)

    def on_configure(_factory, media) -> None:
        appsrc = media.get_element().get_by_name_recurse_up("src")
        stop = threading.Event()
        media.connect("unprepared", lambda *_: stop.set())

        def feed() -> None:
            period = 1.0 / LAT_FPS
            next_at = time.monotonic()
            while not stop.is_set():
                frame = stamp_frame(int(time.time() * 1000), base)
                appsrc.emit("push-buffer", Gst.Buffer.new_wrapped(frame))
                next_at += period
                delay = next_at - time.monotonic()
                if delay < -period:  # fell behind (e.g. SIGSTOP): don't burst to catch up
                    next_at = time.monotonic()
                    delay = 0.0
                stop.wait(max(delay, 0.0))

        threading.Thread(target=feed, name="latency-feed", daemon=True).start()

    factory.connect("media-configure", on_configure)
    return factory


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
