"""Run the emulator as a process: `python -m tests.emulator [--port N]`.

Prints `EMULATOR_URL=http://127.0.0.1:PORT` on stdout once listening, then serves until
SIGTERM/SIGINT or until stdin closes (when started with `--stdin`). Out of process, the server
does not compete with the client for the GIL, which matters for benchmarks.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .server import Emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-record", action="store_true", help="do not keep a request log")
    parser.add_argument("--stdin", action="store_true", help="stop when stdin reaches EOF")
    args = parser.parse_args(argv)
    done = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with Emulator(record_requests=not args.no_record, port=args.port) as emu:
        print(f"EMULATOR_URL={emu.url}", flush=True)
        if args.stdin:
            def wait_for_eof() -> None:
                sys.stdin.read()
                done.set()

            threading.Thread(target=wait_for_eof, daemon=True).start()
        while not done.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
