"""Text that must say something: empty once the invisible characters are taken out is empty."""

import unicodedata

# Zero-width and byte-order characters that are not format category (Cf) but show nothing.
_INVISIBLE_EXTRA = frozenset("\u115f\u1160\u3164\uffa0\u034f")


def visible(text: str) -> str:
    """`text` without format characters (zero-width, direction marks, BOM), control characters and spaces."""
    return "".join(
        ch
        for ch in text
        if unicodedata.category(ch) not in {"Cf", "Cc", "Zs", "Zl", "Zp"} and ch not in _INVISIBLE_EXTRA
    ).strip()


def is_blank(text: str | None) -> bool:
    """Whether `text` shows nothing: empty, spaces, or only invisible characters."""
    return not visible(text or "")
