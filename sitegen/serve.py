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
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from livereload import Server
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler, StaticFileHandler
from livereload.server import LiveScriptInjector
from livereload.watcher import Watcher
from tornado import ioloop, web

from .build import (
    Log,
    SearchError,
    ThemeError,
    clear_search_beside,
    die_with_parent,
    end_process,
    end_searches,
    finish_search,
    start_search,
)
from .errors import Location, Problem
from .files import snapshot, snapshot_after
from .incremental import Project
from .state import claim_preview
from .write import MARKER, remove_later

POLL_MS = 25  # how often reported changes are looked for (a scan is made far less often)
BANNER_START = b"<!-- sitegen-errors -->"


STOP_WAIT = 20  # seconds a stopping preview waits for the process keeping its first build's state


class FileEvents:
    """The paths the operating system reports changed under FOLDERS, gathered by a process
    of its own (sitegen.watch), never a thread: the preview forks its renderers and its
    publisher, and a fork while another thread runs may deadlock. ``alive`` is False when
    no watch could be set up or it ended; then the caller scans the folders instead."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders
        self.ready = time.perf_counter() + 0.5  # the watch is surely set up by then
        self.existing = existing(folders)
        self._rest = b""
        self.process: subprocess.Popen | None = None
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sitegen.watch", *map(str, self.existing)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            os.set_blocking(self.process.stdout.fileno(), False)  # type: ignore[union-attr]
        except OSError:
            self.process = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def take(self) -> set[str]:
        """The paths reported since the last take."""
        process = self.process
        if process is None or process.stdout is None:
            return set()
        chunks = [self._rest]
        while True:
            try:
                chunk = os.read(process.stdout.fileno(), 1 << 16)
            except BlockingIOError:
                break
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        *paths, self._rest = b"".join(chunks).split(b"\0")
        return {os.fsdecode(p) for p in paths if p}

    def close(self) -> None:
        """End the watching process."""
        process, self.process = self.process, None
        if process is not None:
            for pipe in (process.stdin, process.stdout):
                try:
                    pipe.close()  # type: ignore[union-attr]
                except OSError:
                    pass
            process.terminate()
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


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
            events.close()  # the site's theme changed, or a folder came or went: watch afresh
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
    """Re-indexes the preview for search in the background, one run at a time: Pagefind
    runs as a process of its own, looked at from the server's loop (no thread)."""

    def __init__(self, output: Path, log: Log) -> None:
        self.output = output
        self.log = log
        self.running: Any = None  # the search being made (build.start_search)
        self.again = False

    def request(self) -> None:
        if self.running is not None:
            self.again = True
            return
        try:
            self.running = start_search(self.output, background=True, aside=True)
        except OSError as exc:
            self.log(f"search index not updated: {exc}")
            return
        ioloop.IOLoop.current().call_later(0.2, self._poll)

    def _poll(self) -> None:
        running = self.running
        if running is None:
            return
        if running.process.poll() is None:
            ioloop.IOLoop.current().call_later(0.2, self._poll)
            return
        self.running = None
        try:
            finish_search(running)
        except Exception as exc:  # search is a convenience in the preview: report, carry on
            self.log(f"search index not updated: {exc}")
        if self.again:
            self.again = False
            self.request()


class BackgroundPublisher:
    """Writes the files left for after the reload: the feeds and calendars an edit reached
    (Project.publish_parts) in this process, then the open data, the calendar of every
    meeting, the awaiting feed, the sitemap and the redirects (Project.publish_due) in a
    forked copy of the preview, so that the server never waits for them; one copy at a
    time, the latest state always last."""

    def __init__(self, project: Project, log: Log) -> None:
        self.project = project
        self.log = log
        self.child = 0
        self.again = False

    def request(self) -> None:
        try:  # the feeds and calendars the last edit reached: here, as what they read is recorded
            self.project.publish_parts()
        except Exception as exc:  # shown on every page, as a failed rebuild is, until a save mends it
            problem = f"the feeds and calendars were not written: {exc}"
            self.project.problems = [Problem(Location(str(self.project.content)), problem)]
            self.log(f"{problem}\n{traceback.format_exc()}")
            return  # (the next save builds afresh: nothing is left to publish from)
        if self.child:
            self.again = True
            return
        if not hasattr(os, "fork"):
            self.project.publish_due()
            return
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: publish from its own copy of the model, then leave at once
            code = 0
            try:
                die_with_parent(parent)  # (a preview killed: nothing more is written into its folder)
                os.nice(10)  # a save while it runs must not wait for it
                self.project.publish_due()
            except BaseException:
                traceback.print_exc()
                code = 1
            os._exit(code)
        self.project.published_later()  # (what the child writes, for the next to know what is gone)
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


def banner(problems: list, first: bool = False) -> bytes:
    """The errors, atop every page of the preview, in the words of the site's language (the
    messages themselves are the command line's, for the clerk)."""
    from .i18n import _, ngettext

    items = "".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in problems[:50])
    extra = len(problems) - 50
    more = ngettext("and %(num)s more", "and %(num)s more", extra) if extra > 0 else ""
    more = f"<p>{html.escape(more)}</p>" if more else ""
    lead = _("Fix these and save:") if first else _("This is the last good build; fix these and save:")
    errors = _("The content has errors.")  # (not inside an f-string: see i18n.extract)
    return (
        BANNER_START
        + b'<div role="alert" style="background:#a4262c;color:#fff;padding:1rem;font:16px/1.5 system-ui,sans-serif;'
        + f'position:relative;z-index:100"><p style="margin:0 0 .5rem"><strong>{html.escape(errors)}'
        f"</strong> {html.escape(lead)}</p>".encode()
        + f'<ul style="margin:0;padding-left:1.25rem">{items}</ul>{more}</div>'.encode()
    )


MAX_ADDRESS = 8192  # longer addresses are answered 414 (Tornado would drop the connection)
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


class PortBusy(Exception):
    pass


def check_port(host: str, port: int) -> None:
    """Raise PortBusy if HOST:PORT cannot be listened on, before any build is spent."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise PortBusy(f"cannot listen on {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]

    def free(number: int) -> bool:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
            probe.bind((address[0], number, *address[2:]))
        return True

    try:
        free(port)
    except PermissionError:
        raise PortBusy(f"port {port} needs privileges to listen on; try --port 8000") from None
    except OSError as exc:
        if exc.errno not in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise PortBusy(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        for other in range(port + 1, min(port + 50, 65536)):  # (one found free just now, not merely the next)
            try:
                free(other)
            except OSError:
                continue
            raise PortBusy(f"port {port} is in use; try --port {other}") from None
        raise PortBusy(f"port {port} is in use, and the 49 after it too; try another --port") from None


def allowed_host(request_host: str, host: str) -> bool:
    """Whether a request's Host header names this preview: on a loopback address, only
    loopback names are answered (a page elsewhere that points its own name at 127.0.0.1
    must not read the preview)."""
    if host not in LOOPBACK:
        return True
    name = request_host.rsplit(":", 1)[0] if not request_host.endswith("]") else request_host
    return name.lower() in LOOPBACK


def problems_page(problems: list) -> bytes:
    """What the preview shows at every address while no build has succeeded yet."""
    from .i18n import _, current

    title = html.escape(_("The content has errors"))
    lead = html.escape(_("Nothing has been built yet. Fix these and save: this page reloads by itself."))
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(current().language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n<p>{lead}</p>\n".encode()
        + banner(problems, first=True)
        + b"\n</main>\n</body>\n</html>\n"
    )


class OwnOriginReload(LiveReloadHandler):
    """The live-reload socket, for pages of this preview only."""

    def initialize(self, host: str) -> None:
        self.host = host

    def prepare(self) -> None:
        # Tornado does not ask check_origin when Origin matches Host: a page of a name pointed
        # at this machine (DNS rebinding) would pass. The Host itself is checked first.
        if not allowed_host(self.request.host, self.host):
            raise web.HTTPError(403)

    def check_origin(self, origin: str) -> bool:
        return allowed_host(self.request.host, self.host) and super(LiveReloadHandler, self).check_origin(origin)


class PreviewServer(Server):
    """livereload's server with the preview's own rules: the reload socket answers pages of
    this preview only, there is no /forcereload, and a long address gets 414, not a dropped
    connection."""

    def application(self, port, host, liveport=None, debug=None, live_css=True):  # type: ignore[no-untyped-def]
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = live_css
        script = (
            b'<script>(function(){var s=document.createElement("script");'
            b'var port=window.location.port||(window.location.protocol=="https:"?443:80);'
            b's.src="//"+window.location.host+"/livereload.js?port="+port;document.head.appendChild(s);})();</script>'
        )

        class Transform(LiveScriptInjector):
            pass

        Transform.script = script
        handlers = [(r"/livereload", OwnOriginReload, {"host": host}), (r"/livereload.js", LiveReloadJSHandler)]
        app = web.Application(
            handlers=handlers + self.get_web_handlers(script), transforms=[Transform], log_function=_log_request
        )
        app.listen(port, address=host, max_header_size=1024 * 1024)


def _log_request(handler: web.RequestHandler) -> None:
    """Only failures of the preview itself are worth a line (an address, shortened)."""
    if handler.get_status() >= 500:
        address = handler.request.uri or ""
        logging.getLogger("sitegen").warning(
            "%d %s", handler.get_status(), address[:200] + ("..." if len(address) > 200 else "")
        )


def make_handler(project: Project, output: Path, host: str = "127.0.0.1") -> type[StaticFileHandler]:
    class PreviewHandler(StaticFileHandler):
        """Serves the output folder, with the 404 page and the error banner."""

        def prepare(self) -> None:
            if len(self.request.uri or "") > MAX_ADDRESS:
                self.send_error(414)
            elif "\x00" in (self.request.path or "") or "%00" in (self.request.uri or ""):
                self.send_error(400)
            elif not allowed_host(self.request.host, host):
                self.send_error(403)

        async def get(self, path: str, include_body: bool = True) -> None:
            if not project.served and project.problems:  # nothing good built yet: say why
                self.set_status(503)
                self.set_header("Content-Type", "text/html; charset=UTF-8")
                self.set_header("Cache-Control", "no-store")
                self.finish(problems_page(project.problems))
                return
            await super().get(path, include_body)

        def write(self, chunk: Any) -> None:
            problems = project.problems
            if (
                problems
                and project.served
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
    Ctrl+C (or SIGTERM). Without OUTPUT, the site is built in the preview folder kept in
    the build state's folder (one per content folder, see state.preview_folder): the next
    preview starts on it, as a build starts on its output. When that cannot be used
    (another preview shows it, say), in a temporary folder removed as the preview stops:
    a preview a day would otherwise leave a copy of the site a day."""
    check_port(host, port)
    main = threading.current_thread() is threading.main_thread()  # only it may set handlers
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)} if main else {}
    # stop as Ctrl+C does (Pagefind, the folder), and never miss it; but a signal ignored
    # from the start (a job in the background) stays ignored, and a handler set outside
    # Python (getsignal gives None) is left as it is
    before = {signum: handler for signum, handler in before.items() if handler not in (signal.SIG_IGN, None)}
    for signum in before:
        signal.signal(signum, _interrupt_in(os.getpid()))
    hook = sys.unraisablehook
    if main:
        sys.unraisablehook = _unraisable(hook)
    try:
        if output is not None:
            _serve(content, Path(output), host, port, open_browser, log)
            return
        claimed = claim_preview(content)
        if claimed is not None:
            _discard_foreign(claimed[0])
        folder = Path(tempfile.mkdtemp(prefix="sitegen-preview-")) if claimed is None else None
        try:
            if claimed is not None:
                _serve(content, claimed[0], host, port, open_browser, log, claimed=True)
            else:
                assert folder is not None
                _serve(content, folder / "site", host, port, open_browser, log)
        finally:
            if claimed is not None:
                os.close(claimed[1])  # (the lock)
            if folder is not None:
                remove_later(folder)  # in a detached process: a large site's files take a while
    finally:
        for signum, handler in before.items():  # (first: a signal now is the caller's)
            signal.signal(signum, handler)
        sys.unraisablehook = hook
        _STOPPING.clear()
        _ASKED.clear()


def _discard_foreign(folder: Path) -> None:
    """Move aside, to be removed, the preview folder FOLDER (sitegen's own, in its cache
    folder) when it holds files but no mark of a site sitegen built: what a preview left
    when the cache folder was deleted under it. A build would refuse it, and nothing but
    sitegen writes there."""
    try:
        if folder.is_symlink() or not folder.is_dir() or (folder / MARKER).is_file() or not any(folder.iterdir()):
            return
        aside = folder.with_name(f".{folder.name}.stale-{os.getpid()}")
        os.rename(folder, aside)
    except OSError:
        return  # (the build says what is wrong with it)
    remove_later(aside)


#: while the preview serves: how to have its event loop call a function (set by _serve)
_STOPPING: list[Callable[[Callable[[], None]], object]] = []
_ASKED: list[int] = []  # the signals that asked this process to stop


def _stop_now() -> None:
    if _ASKED:  # (not a call left over from a preview already stopped)
        raise KeyboardInterrupt  # out of the event loop: livereload's server then returns


def _interrupt_in(pid: int) -> Callable[[int, object], None]:
    """A handler of SIGTERM and SIGINT that stops process PID as Ctrl+C does: it raises
    KeyboardInterrupt. That can land inside a finalizer or a weak reference's callback,
    where Python only reports it and goes on, so the preview is also stopped another
    way: while it serves, its event loop is asked to raise it again, and before it
    serves, it stops at once if a signal came during its first build. The processes it
    forks (renderers, which their pool ends with SIGTERM; the publisher) inherit the
    handler: in them, the signal does what it does by default, quietly."""

    def interrupt(signum: int, frame: object) -> None:
        if os.getpid() == pid:
            _ASKED.append(signum)
            if _STOPPING:
                _STOPPING[0](_stop_now)
            raise KeyboardInterrupt
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    return interrupt


def _unraisable(hook: Callable[[Any], object]) -> Callable[[Any], object]:
    """sys.unraisablehook, but quiet about the stop that a signal asked for and a
    finalizer caught (the preview stops all the same, see _interrupt_in)."""

    def report(unraisable: Any) -> object:
        if isinstance(unraisable.exc_value, KeyboardInterrupt) and _ASKED:
            return None
        return hook(unraisable)

    return report


def _serve(
    content: Path, output: Path, host: str, port: int, open_browser: bool, log: Log, claimed: bool = False
) -> None:
    """CLAIMED: OUTPUT is the preview folder this process holds (see state.claim_preview)."""
    content = Path(content).resolve()
    output = Path(output).resolve()
    project = Project(content, output, base_path="/", log=lambda _: None, search=True)
    project.claimed = claimed
    project.defer_extras = True
    project.index_later = True  # (Pagefind takes a while on a large site: the pages are served first)

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
            still = "still serving the last good build" if project.served else "nothing to serve yet"
            log(f"{errors} error{'s' if errors != 1 else ''}: {still}; fix and save")

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
        except (ThemeError, SearchError, OSError) as exc:  # shown on every page until a save mends it
            project.problems = [Problem(Location(str(content)), str(exc))]
            log(f"{exc}: still serving the last good build")
        except Exception:  # keep serving whatever happens; show what went wrong
            log("the rebuild failed:\n" + traceback.format_exc())

    # Garbage is collected after each rebuild's reload, not during it: collecting as a
    # rebuild ends would scan every object it made while the browser waits.
    gc.disable()
    first = None
    try:
        first = project.build()  # a full build (its search index made once it is served)
    except (ThemeError, SearchError, OSError) as exc:  # shown at every address until a save mends it
        problem = Problem(Location(str(content)), str(exc))
        project.problems = [problem]
        log(str(problem))
    except BaseException:  # (Ctrl+C): the state the first build left to a forked process is kept first
        project.settle()
        raise
    if first is not None:
        report(first)
        if first.ok:
            ioloop.IOLoop.current().call_later(0.5, indexer.request)
        if first.ok and project.extras_due:  # the open data, once the first page is served
            ioloop.IOLoop.current().call_later(0.3, publish_later)
    if first is None or not first.ok:
        # nothing good to serve yet: keep trying on each save; every address lists the problems
        output.mkdir(parents=True, exist_ok=True)

    warming: list[bool] = []

    def warm() -> None:  # a step at a time, so that a save waits for one step at most
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
    server = PreviewServer(watcher=watcher)
    server.SFH = make_handler(project, output, host)
    logging.getLogger("livereload").setLevel(logging.WARNING)
    shown = f"[{host}]" if ":" in host else host
    log(f"serving {content} at http://{shown}:{port}/ (press Ctrl+C to stop)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        log(f"warning: listening on {host}: other machines on the network can see this preview")
    _STOPPING[:] = [ioloop.IOLoop.current().asyncio_loop.call_soon_threadsafe]  # type: ignore[attr-defined]
    try:
        if _ASKED:
            raise KeyboardInterrupt  # (during the first build, and not heard then: see _interrupt_in)
        server.serve(port=port, host=host, root=str(output), open_url_delay=0.5 if open_browser else None)
    finally:
        _STOPPING.clear()
        if watcher.events is not None:
            watcher.events.close()
        publisher.stop()  # so that it writes nothing more into an output being removed
        end_searches()  # and no Pagefind goes on indexing it
        clear_search_beside(output)  # (nor is the index it was making left beside it)
        # (the first build's state, should it still be being kept; a stop never waits long)
        project.settle(timeout=STOP_WAIT)
