"""Which kept answers (core/kept.py) a read counted again, by name: for tests that a change counts only its part."""

from core import kept


def counts_made(monkeypatch) -> list[str]:
    """The names of the kept answers counted from now on (not those read kept), in the order they were counted."""
    counted: list[str] = []
    remember = kept.remember

    def spied(name, depends, count, **kwargs):
        def counting():
            counted.append(name)
            return count()

        return remember(name, depends, counting, **kwargs)

    monkeypatch.setattr(kept, "remember", spied)
    return counted
