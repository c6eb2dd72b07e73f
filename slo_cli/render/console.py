"""Text laid out by rich for a given terminal, returned as a string.

The CLI describes where the text goes (`Terminal`: width, colour system, NO_COLOR); renderers
that draw with rich tables draw into a recording console of that shape and return the text, with
colour escapes only when the terminal takes them. Every renderer so returns `str`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True)
class Terminal:
    """Where text goes: its width in columns, rich's colour system (None = no escapes at all),
    whether colour is switched off (NO_COLOR, --no-color: styles such as bold stay), and whether
    it is a terminal. The default is a file or pipe: 100 columns, plain text."""

    width: int = 100
    color_system: str | None = None
    no_color: bool = False
    is_terminal: bool = False


#: a file or a pipe: plain text, 100 columns
PLAIN = Terminal()


def console_text(terminal: Terminal, draw: Callable[[Console], None]) -> str:
    """What `draw` prints on a console shaped like `terminal`, as a string."""
    from io import StringIO

    from rich.console import Console

    buffer = StringIO()
    console = Console(
        file=buffer,
        width=terminal.width,
        color_system=terminal.color_system,  # type: ignore[arg-type]
        no_color=terminal.no_color,
        force_terminal=terminal.is_terminal,
        force_jupyter=False,
        highlight=False,
        soft_wrap=False,
        emoji=False,
        legacy_windows=False,
    )
    draw(console)
    return _TRAILING.sub(r"\1", buffer.getvalue())


#: spaces at the end of a line (before any closing colour escapes): rich pads every table cell
#: to its column's width, which leaves piped tables ending in spaces
_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$", re.M)
