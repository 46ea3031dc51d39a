"""The preview's file watcher, as a process of its own: ``python -m sitegen.watch FOLDER...``.

It reports each path the operating system says changed under the folders (watchfiles:
inotify, FSEvents, ReadDirectoryChangesW) on its standard output, each followed by a
NUL byte, and ends when its standard input closes (the preview stopped or died). The
preview keeps no thread of its own for this, so it may fork its renderers safely.
"""

from __future__ import annotations

import os
import sys
import threading


def main(folders: list[str]) -> int:
    import watchfiles

    stop = threading.Event()

    def wait_for_parent() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            stop.set()

    threading.Thread(target=wait_for_parent, daemon=True).start()
    out = sys.stdout.buffer
    try:
        # debounce and step (ms): changes are handed over 20 ms after the last of a burst
        for changes in watchfiles.watch(
            *folders, watch_filter=None, debounce=200, step=20, stop_event=stop, raise_interrupt=False
        ):
            out.write(b"".join(os.fsencode(path) + b"\0" for _, path in changes))
            out.flush()
    except (BrokenPipeError, KeyboardInterrupt):
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
