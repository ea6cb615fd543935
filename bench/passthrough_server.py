#!/usr/bin/python3
"""An RTSP server that passes pre-encoded H.264 files through without re-encoding (GStreamer).

Run it with Debian's ``/usr/bin/python3`` (it needs ``gi``; the project's virtualenv has none)::

    /usr/bin/python3 bench/passthrough_server.py --port 0 --mount /s0=/path/clip.mp4 --mount /s1=/path/clip.mp4

Why: encoding N x 1080p25 live with x264 costs ~44% of a core per stream on the 2-core benchmark machine
(measured), so an encoding server cannot feed more than a few 1080p streams while leaving the client any CPU.
Passing a file through costs a few percent per stream.

Every mount behaves like a camera that is always running, whether anyone watches or not: its file is read
by a private pipeline (``filesrc ! qtdemux ! h264parse config-interval=-1 ! appsink sync=true``) paced at
real time from server start, and loops (flushing seek to 0 on EOS). The mount's shared media factory
(``appsrc do-timestamp=true is-live=true ! h264parse ! rtph264pay``) receives the access units while a client
is connected, so a client joins mid-GOP and waits for the next key frame like with a real camera. Mount
sources start staggered over one GOP so that the streams' key frames do not all arrive at once.

Prints ``READY <port>`` once every mount's source runs. Exits on SIGTERM/SIGINT, or when --parent-pid dies.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mount", action="append", default=[], metavar="PATH=FILE")
    parser.add_argument("--stagger-ms", type=int, default=2000, help="spread the sources' starts over this")
    parser.add_argument("--parent-pid", type=int, default=0)
    args = parser.parse_args(argv)
    mounts = []
    for spec in args.mount:
        path, sep, location = spec.partition("=")
        if not sep or not path.startswith("/") or not os.path.isfile(location):
            sys.stderr.write(f"passthrough_server: bad mount {spec!r} (want /path=/existing/file.mp4)\n")
            return 2
        mounts.append((path, location))
    if not mounts:
        sys.stderr.write("passthrough_server: no mounts\n")
        return 2

    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtsp", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtsp, GstRtspServer

    Gst.init(None)
    loop = GLib.MainLoop()

    class Source:
        """One looping file, paced at real time; pushes each access unit to the appsrcs attached now."""

        def __init__(self, path: str, location: str) -> None:
            self.path = path
            self.lock = threading.Lock()
            self.targets: list = []
            self.pipeline = Gst.parse_launch(
                f'filesrc location="{location}" ! qtdemux ! h264parse config-interval=-1 ! '
                "video/x-h264,stream-format=byte-stream,alignment=au ! "
                "appsink name=sink sync=true emit-signals=true max-buffers=8"
            )
            sink = self.pipeline.get_by_name("sink")
            sink.connect("new-sample", self.on_sample)
            bus = self.pipeline.get_bus()
            bus.add_signal_watch()
            bus.connect("message", self.on_message)

        def start(self) -> None:
            self.pipeline.set_state(Gst.State.PLAYING)

        def on_sample(self, sink) -> Gst.FlowReturn:
            sample = sink.emit("pull-sample")
            if sample is None:
                return Gst.FlowReturn.OK
            with self.lock:
                # Only while a client plays it: a prepared media waits in PAUSED, and what an appsrc
                # queued then would reach the next client as a stale burst (a camera sends only live).
                targets = [a for a in self.targets if a.current_state == Gst.State.PLAYING]
            if targets:
                buf = sample.get_buffer().copy()
                buf.pts = Gst.CLOCK_TIME_NONE  # appsrc do-timestamp stamps it with the media's clock
                buf.dts = Gst.CLOCK_TIME_NONE
                buf.duration = Gst.CLOCK_TIME_NONE
                for appsrc in targets:
                    appsrc.emit("push-buffer", buf)
            return Gst.FlowReturn.OK

        def on_message(self, _bus, msg) -> None:
            if msg.type == Gst.MessageType.EOS:
                self.pipeline.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH | Gst.SeekFlags.KEY_UNIT, 0)
            elif msg.type == Gst.MessageType.ERROR:
                err, dbg = msg.parse_error()
                sys.stderr.write(f"passthrough_server: {self.path}: {err.message} ({dbg})\n")

        def attach(self, appsrc) -> None:
            with self.lock:
                self.targets.append(appsrc)

        def detach(self, appsrc) -> None:
            with self.lock:
                if appsrc in self.targets:
                    self.targets.remove(appsrc)

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    points = server.get_mount_points()
    sources = []
    factories = []
    launch = (
        "( appsrc name=src is-live=true do-timestamp=true format=time max-bytes=0 max-buffers=25 "
        'leaky-type=downstream caps="video/x-h264,stream-format=byte-stream,alignment=au" ! '
        "h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )
    for path, location in mounts:
        source = Source(path, location)
        sources.append(source)
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch)
        factory.set_shared(True)
        # TCP only (interleaved in the RTSP connection), for every client alike: a client that asks for UDP
        # first gets "461 Unsupported transport" and FFmpeg-based clients then retry over TCP by themselves.
        factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)

        def on_configure(_factory, media, source=source) -> None:
            appsrc = media.get_element().get_by_name_recurse_up("src")
            source.attach(appsrc)
            media.connect("unprepared", lambda *_: source.detach(appsrc))

        factory.connect("media-configure", on_configure)
        points.add_factory(path, factory)
        factories.append((path, factory))

    if server.attach(None) == 0:
        sys.stderr.write(f"passthrough_server: cannot listen on 127.0.0.1:{args.port}\n")
        return 3
    port = server.get_bound_port()

    def quit_loop(*_a) -> bool:
        loop.quit()
        return GLib.SOURCE_REMOVE

    GLib.unix_signal_add(GLib.PRIORITY_HIGH, 15, quit_loop)
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, 2, quit_loop)
    if args.parent_pid:

        def parent_alive() -> bool:
            if os.getppid() != args.parent_pid:
                loop.quit()
                return GLib.SOURCE_REMOVE
            return GLib.SOURCE_CONTINUE

        GLib.timeout_add(500, parent_alive)

    # Keep every mount's shared media prepared from the start, like a camera whose stream always runs:
    # the server holds one prepare reference, so a client's DESCRIBE is answered at once and its PLAY
    # joins the running stream mid-GOP (without it the first client of a mount waits one GOP for the
    # media to prepare and then another for the next key frame: up to two GOPs).
    held = []
    prepared = set()

    def on_prepared(media) -> None:
        prepared.add(id(media))
        if len(prepared) == len(held):
            sys.stdout.write(f"READY {port}\n")
            sys.stdout.flush()

    def prepare_all() -> bool:
        for path, factory in factories:
            _ok, url = GstRtsp.RTSPUrl.parse(f"rtsp://127.0.0.1:{port}{path}")
            media = factory.construct(url)  # a shared factory caches it: clients of this URL get this media
            held.append(media)
            media.connect("prepared", on_prepared)
        pool = server.get_thread_pool()
        for media in held:
            # A media thread from the server's pool runs the media's bus, as for a client's media.
            media.prepare(pool.get_thread(GstRtspServer.RTSPThreadType.MEDIA, GstRtspServer.RTSPContext()))
        return GLib.SOURCE_REMOVE

    step = args.stagger_ms / max(len(sources), 1)
    started = [0]

    def start_one(source: Source) -> bool:
        source.start()
        started[0] += 1
        if started[0] == len(sources):
            GLib.idle_add(prepare_all)
        return GLib.SOURCE_REMOVE

    for i, source in enumerate(sources):
        # +7 ms per mount: the streams' frames are out of phase too, like independent cameras.
        GLib.timeout_add(int(i * step) + 7 * i, start_one, source)

    loop.run()
    try:
        server.client_filter(lambda _s, _c, *_: GstRtspServer.RTSPFilterResult.REMOVE)
    except Exception:  # noqa: BLE001 - shutting down anyway
        pass
    for source in sources:
        source.pipeline.set_state(Gst.State.NULL)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
