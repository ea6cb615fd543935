"""Composition root: parse arguments, load the site, build the loop and the console, run."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import signal
import sys
from pathlib import Path

DEMO_SITE = Path(__file__).resolve().parent / "resources" / "sites" / "demo.toml"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="IOC wall console")
    p.add_argument("site", nargs="?", type=Path, default=DEMO_SITE,
                   help="site file (TOML); default: the embedded demo site")
    p.add_argument("--db", type=Path, help="console database (default: per site, in the user's data folder)")
    p.add_argument("--lang", choices=("vi", "en"), help="interface language (default: the site's)")
    p.add_argument("--operator", default=os.environ.get("IOC_OPERATOR") or getpass.getuser(),
                   help="name recorded in the audit log for this workstation's actions")
    p.add_argument("--windowed", action="store_true", help="show the wall in one scaled window")
    p.add_argument("--no-control", action="store_true", help="do not start the websocket control API")
    p.add_argument("--control-port", type=int, help="override the site's control API port (0: any free port)")
    p.add_argument("--screenshot", type=Path, metavar="DIR",
                   help="render wall.png and operator.png into DIR once the sources have delivered, then exit")
    p.add_argument("--screenshot-scale", type=float, default=0.5, help="scale of wall.png (1 = full canvas)")
    p.add_argument("--snapshots", type=Path, help="folder for camera snapshots (default ~/Pictures/ioc-console)")
    p.add_argument("--check", action="store_true", help="validate the site file and exit")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args(argv)


def default_db(site_path: Path) -> Path:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "ioc-console"
    return base / f"{site_path.stem}.db"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from connectors.registry import discover
    from console.logmask import SecretMask, secrets_in
    from console.site import SiteError, load_site

    registry = discover()
    try:
        site = load_site(args.site, registry.types, registry.broken)
    except SiteError as exc:
        print(f"error: site file not usable\n{exc}", file=sys.stderr)
        return 2
    mask = SecretMask(secrets_in(site.spec) | secrets_in(dict(site.connector_configs)))
    for handler in logging.getLogger().handlers:
        handler.addFilter(mask)
    if args.check:
        from console.model.briefings import load_briefings

        folder = Path(args.site).resolve().parent / "briefings"
        briefings, problems = load_briefings(folder, {n: lay.tile_count for n, lay in site.layouts.items()})
        for problem in problems:
            print(f"error: briefing not usable: {problem}", file=sys.stderr)
        if problems:
            return 2
        print(f"{args.site}: ok ({site.name}; {len(briefings)} briefings)")
        return 0

    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from console.qt.runtime import Console

    app = QApplication(sys.argv[:1])
    app.setApplicationName("IOC console")
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    console = Console(site, registry, args.db or default_db(args.site), args.operator,
                      force_window=args.windowed, control=not args.no_control, control_port=args.control_port,
                      language=args.lang, snapshot_dir=args.snapshots)
    done = asyncio.Event()
    console.operator.sig_closed.connect(done.set)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: loop.call_soon_threadsafe(done.set))
    # Python runs signal handlers only between bytecodes; a ticking timer lets it in.
    ticker = QTimer()
    ticker.start(250)
    ticker.timeout.connect(lambda: None)
    status = 0

    async def run() -> None:
        nonlocal status
        await console.start()
        if args.screenshot:
            from console.qt.screenshot import take_screenshots

            wall_png, operator_png = await take_screenshots(console, args.screenshot, args.screenshot_scale)
            print(f"wrote {wall_png} and {operator_png}")
        else:
            await done.wait()
        await console.stop()

    with loop:
        loop.run_until_complete(run())
    return status


if __name__ == "__main__":
    sys.exit(main())
