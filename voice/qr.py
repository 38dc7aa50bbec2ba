"""The link's QR code, as an inline SVG (no image request, no inline style: the CSP holds)."""

import io

import segno


def qr_svg(url: str, *, title: str) -> str:
    """Return an <svg> element drawing `url` as a QR code, titled for screen readers, scaling with its box."""
    buffer = io.BytesIO()
    # No XML declaration or namespace: it is inlined in HTML. A viewBox without width and height lets CSS
    # size it; the quiet zone is part of the code, so the phone's camera finds it on any background.
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=False,
        nl=False,
        omitsize=True,
        border=4,
        title=title,
        svgclass="qr-code",
        lineclass=None,
        dark="#000",
        light="#fff",
    )
    # An image with a name (its <title>) for screen readers and axe, not a group of paths.
    return buffer.getvalue().decode().replace("<svg ", '<svg role="img" ', 1)
