"""None made immortal on Python 3.11, as Python 3.12+ makes it (PEP 683).

PySide6 6.12 returns None from every void method (`update()`, `setText()`, a painter's
`drawText()`…) and hands back an invalid QVariant as None without taking a reference to it;
that is only correct where None is immortal (3.12+). On 3.11 each such call drops one of
None's references: a delegate painting a list makes hundreds per repaint, and the session ends
in "Fatal Python error: none_dealloc: deallocating None" (at the latest when the process
exits). Raising None's count by 2**30 once makes it as good as immortal; None is never freed
either way, so nothing else changes.
"""

from __future__ import annotations

import ctypes
import sys

_done = False


def make_none_immortal() -> None:
    global _done
    if _done or sys.version_info >= (3, 12):
        return
    _done = True
    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 30
