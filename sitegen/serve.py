"""The local preview: build, serve, watch, rebuild incrementally, reload the browser.

Built on the livereload package (Tornado). The server always serves the last
good build; while the content has errors, every page carries a banner listing
them, and the first good save clears it.
"""

from __future__ import annotations

import gc
import html
import logging
import os
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler
from livereload.watcher import Watcher
from tornado import ioloop

from .build import Log, end_process, index_search
from .incremental import Project, snapshot, snapshot_after
from .write import remove_later

POLL_MS = 25  # how often reported changes are looked for (a scan is made far less often)
BANNER_START = b"<!-- sitegen-errors -->"


class FileEvents:
    """The paths the operating system reports changed under FOLDERS (watchfiles: inotify,
    FSEvents, ReadDirectoryChangesW), gathered by a thread. ``alive`` is False when no
    watch could be set up or it ended; then the caller scans the folders instead."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders
        self.paths: set[str] = set()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.alive = True
        self.ready = time.perf_counter() + 0.5  # the watch is surely set up by then
        self.existing = existing(folders)
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        try:
            import watchfiles

            # debounce and step (ms): changes are handed over 20 ms after the last of a burst
            for changes in watchfiles.watch(
                *map(str, self.existing),
                watch_filter=None,
                debounce=200,
                step=20,
                stop_event=self.stop,
                raise_interrupt=False,
            ):
                with self.lock:
                    self.paths.update(path for _, path in changes)
        except Exception:  # no watch (a platform or limit): the caller scans instead
            pass
        finally:
            self.alive = False

    def take(self) -> set[str]:
        with self.lock:
            paths, self.paths = self.paths, set()
        return paths


def existing(folders: list[Path]) -> list[Path]:
    return [f for f in folders if f.is_dir()]


class ProjectWatcher(Watcher):
    """Watches the content folder and the theme; on a change, rebuilds, then lets livereload
    reload. The operating system reports which files changed, and only they are looked at;
    the folders are also scanned whole now and then (every RESCAN_AFTER scans' time, at
    least every RESCAN_S seconds), and on every poll when no report can be had."""

    RESCAN_S = 2.0
    RESCAN_AFTER = 40

    def __init__(
        self, folders: Callable[[], list[Path]], on_change: Callable[[list[str], dict[str, tuple[int, int]]], None]
    ) -> None:
        super().__init__()
        self.folders = folders
        self.on_change = on_change
        self.events: FileEvents | None = None
        self.started = False
        self.snapshot = self.scan()
        self._tasks["sitegen"] = {"func": None, "delay": None, "ignore": None, "mtimes": {}}

    def scan(self) -> dict[str, tuple[int, int]]:
        started = time.perf_counter()
        snap = snapshot(self.folders())
        now = time.perf_counter()
        self.next_scan = now + max(self.RESCAN_S, self.RESCAN_AFTER * (now - started))
        # without reports, scan at most every 0.1 s, and never more than half the time
        self.next_poll = now + max(0.1, 2 * (now - started))
        return snap

    def current(self) -> dict[str, tuple[int, int]] | None:
        """The files now, or None when nothing is known to have changed."""
        folders = self.folders()
        events = self.events
        if events is not None and (events.folders != folders or events.existing != existing(folders)):
            events.stop.set()  # the site's theme changed, or a folder came or went: watch afresh
            events = self.events = None
        if events is None and self.started:
            events = self.events = FileEvents(folders)
        now = time.perf_counter()
        if events is None or not events.alive or now < events.ready or now >= self.next_scan:
            if now < self.next_poll and now < self.next_scan:
                return None
            if events is not None:
                events.take()  # the scan sees them
            return self.scan()
        paths = events.take()
        if not paths:
            return None
        snap = snapshot_after(self.snapshot, folders, paths)
        return snap if snap is not None else self.scan()

    def examine(self) -> tuple[str | None, Any]:
        if self._changes:
            return self._changes.pop()
        self.filepath = None
        snap = self.current()
        if snap is not None and snap != self.snapshot:
            changed = sorted({p for p, _ in snap.items() ^ self.snapshot.items()})
            self.snapshot = snap
            self.on_change(changed, snap)
            self.filepath = changed[0] if changed else "*"
        return self.filepath, None

    def start(self, callback: Callable[[], None]) -> bool:
        self.started = True
        ioloop.PeriodicCallback(callback, POLL_MS).start()
        return True


class SearchIndexer:
    """Re-indexes the preview for search in the background, one run at a time."""

    def __init__(self, output: Path, log: Log) -> None:
        self.output = output
        self.log = log
        self.lock = threading.Lock()
        self.running = False
        self.again = False

    def request(self) -> None:
        with self.lock:
            if self.running:
                self.again = True
                return
            self.running = True
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                index_search(self.output, background=True)
            except Exception as exc:  # search is a convenience in the preview: report, carry on
                self.log(f"search index not updated: {exc}")
            with self.lock:
                if not self.again:
                    self.running = False
                    return
                self.again = False


class BackgroundPublisher:
    """Writes feeds, calendars and data files in a forked copy of the preview, so that
    the server never waits for them; one copy at a time, the latest state always last."""

    def __init__(self, project: Project, log: Log) -> None:
        self.project = project
        self.log = log
        self.child = 0
        self.again = False

    def request(self) -> None:
        if self.child:
            self.again = True
            return
        if not hasattr(os, "fork"):
            self.project.publish_due()
            return
        pid = os.fork()
        if pid == 0:  # the child: publish from its own copy of the model, then leave at once
            code = 0
            try:
                os.nice(10)  # a save while it runs must not wait for it
                self.project.publish_due()
            except BaseException:
                traceback.print_exc()
                code = 1
            os._exit(code)
        self.project.extras_due = False
        self.child = pid
        ioloop.IOLoop.current().call_later(0.2, self.reap)

    def stop(self) -> None:
        """End the copy at work, if any: the preview is stopping."""
        if self.child:
            end_process(self.child)
            self.child = 0

    def reap(self) -> None:
        if not self.child:
            return  # stopped
        pid, status = os.waitpid(self.child, os.WNOHANG)
        if pid == 0:
            ioloop.IOLoop.current().call_later(0.2, self.reap)
            return
        if status:
            self.log("publishing feeds and data failed (see above)")
        self.child = 0
        if self.again:
            self.again = False
            self.project.extras_due = True
            self.request()


def banner(problems: list) -> bytes:
    items = "".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in problems[:50])
    more = f"<p>and {len(problems) - 50} more</p>" if len(problems) > 50 else ""
    return (
        BANNER_START
        + b'<div role="alert" style="background:#a4262c;color:#fff;padding:1rem;font:16px/1.5 system-ui,sans-serif;'
        b'position:relative;z-index:100"><p style="margin:0 0 .5rem"><strong>The content has errors.</strong> '
        b"This is the last good build; fix these and save:</p>"
        + f'<ul style="margin:0;padding-left:1.25rem">{items}</ul>{more}</div>'.encode()
    )


def make_handler(project: Project, output: Path) -> type[StaticFileHandler]:
    class PreviewHandler(StaticFileHandler):
        """Serves the output folder, with the 404 page and the error banner."""

        def write(self, chunk: Any) -> None:
            problems = project.problems
            if (
                problems
                and isinstance(chunk, bytes)
                and not self._headers_written
                and "html" in str(self._headers.get("Content-Type") or "")
                and b"<body>" in chunk
            ):
                extra = banner(problems)
                chunk = chunk.replace(b"<body>", b"<body>" + extra, 1)
                if "Content-Length" in self._headers:
                    self.set_header("Content-Length", int(self._headers["Content-Length"]) + len(extra))
            super().write(chunk)

        def write_error(self, status_code: int, **kwargs: Any) -> None:
            page = output / "404.html"
            if status_code == 404 and page.is_file():
                self.set_header("Content-Type", "text/html; charset=UTF-8")
                self.finish(page.read_bytes())
                return
            super().write_error(status_code, **kwargs)

        def compute_etag(self) -> str | None:
            return None  # the banner changes pages without changing files

        def should_return_304(self) -> bool:
            return False

    return PreviewHandler


def serve(
    content: Path,
    output: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    log: Log = print,
) -> None:
    """Build CONTENT, serve it on HOST:PORT, rebuild and reload on every save, until
    Ctrl+C (or SIGTERM). Without OUTPUT, the site is built in a temporary folder, removed
    as the preview stops: a preview a day would otherwise leave a copy of the site a day."""
    if output is not None:
        _serve(content, Path(output), host, port, open_browser, log)
        return
    folder = Path(tempfile.mkdtemp(prefix="sitegen-preview-"))
    stop = signal.getsignal(signal.SIGTERM)
    main = threading.current_thread() is threading.main_thread()  # only it may set handlers
    if main:
        signal.signal(signal.SIGTERM, _interrupt_in(os.getpid()))  # stop as Ctrl+C does, so that the folder goes
    try:
        _serve(content, folder / "site", host, port, open_browser, log)
    finally:
        if main:
            signal.signal(signal.SIGTERM, stop)
        remove_later(folder)  # in a detached process: a large site's files take a while


def _interrupt_in(pid: int) -> Callable[[int, object], None]:
    """A SIGTERM handler that stops process PID as Ctrl+C does. The processes it forks
    (renderers, which their pool ends with SIGTERM; the publisher) inherit the handler:
    in them, SIGTERM does what it does by default, quietly."""

    def interrupt(signum: int, frame: object) -> None:
        if os.getpid() == pid:
            raise KeyboardInterrupt
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    return interrupt


def _serve(content: Path, output: Path, host: str, port: int, open_browser: bool, log: Log) -> None:
    content = Path(content).resolve()
    output = Path(output).resolve()
    project = Project(content, output, base_path="/", log=lambda _: None, search=True)
    project.defer_extras = True

    def report(result) -> None:  # type: ignore[no-untyped-def]
        if result.ok:
            for problem in result.problems:
                log(str(problem))
            log(
                f"built: {result.written} page{'s' if result.written != 1 else ''} written, "
                f"{result.deleted} removed ({result.seconds:.2f} s)"
            )
        else:
            for problem in result.problems:
                log(str(problem))
            errors = sum(1 for p in result.problems if not p.warning)
            log(f"{errors} error{'s' if errors != 1 else ''}: still serving the last good build")

    indexer = SearchIndexer(output, log)

    publisher = BackgroundPublisher(project, log)

    def publish_later() -> None:
        publisher.request()

    collecting: list[object] = []

    def collect() -> None:
        collecting.clear()
        gc.collect()

    def rebuild(changed: list[str], inputs: dict[str, tuple[int, int]]) -> None:
        try:
            result = project.build(inputs)  # the files as the watcher has just found them
            report(result)
            if not collecting:  # the last model's garbage, once the browser has its page
                collecting.append(ioloop.IOLoop.current().call_later(0.25, collect))
            if result.ok and project.extras_due:
                # feeds, calendars and data after the browser has its page, in a forked process
                ioloop.IOLoop.current().call_later(0.3, publish_later)
            if result.ok and (result.written or result.deleted):
                indexer.request()
            if result.ok:
                start_warming()
        except Exception:  # keep serving whatever happens; show what went wrong
            log("the rebuild failed:\n" + traceback.format_exc())

    # Garbage is collected after each rebuild's reload, not during it: collecting as a
    # rebuild ends would scan every object it made while the browser waits.
    gc.disable()
    first = project.build()  # a full build, search index included
    report(first)
    if not first.ok:
        # nothing good to serve yet: keep trying on each save, serve an empty folder meanwhile
        output.mkdir(parents=True, exist_ok=True)

    warming: list[bool] = []

    def warm() -> None:  # a register page at a time, so that a save never waits long
        if project.warm():
            ioloop.IOLoop.current().call_later(0.05, warm)
        else:
            warming.clear()

    def start_warming() -> None:  # after a good build (warm() does nothing once all is kept)
        if not warming:
            warming.append(True)
            ioloop.IOLoop.current().call_later(0.5, warm)

    start_warming()
    watcher = ProjectWatcher(project.watched, rebuild)
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
    server = Server(watcher=watcher)
    server.SFH = make_handler(project, output)
    logging.getLogger("livereload").setLevel(logging.WARNING)
    log(f"serving {content} at http://{host}:{port}/ (press Ctrl+C to stop)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        log(f"warning: listening on {host}: other machines on the network can see this preview")
    try:
        server.serve(port=port, host=host, root=str(output), open_url_delay=0.5 if open_browser else None)
    finally:
        publisher.stop()  # so that it writes nothing more into an output being removed
