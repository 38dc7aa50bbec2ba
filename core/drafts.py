"""The server's side of the drafts a browser keeps of its forms (static/js/drafts.js).

While the database is down the user meets the 500 page, and what they typed would be lost. So a form
marked `data-draft` keeps a copy of its fields in the browser until the server confirms the form is
saved. The server says two things to the browser, each as a one-off message that base.html turns into
a hidden marker rather than an alert:

- "what this POST sent is saved" (`confirm_saved`, called by each view on success): the marker carries
  the path the form was sent to, and the browser drops the draft it sent there;
- "this user logged out" (`forget_on_logout`, on Django's `user_logged_out`): the browser drops every
  draft of that user, so nothing they typed stays behind on a shared computer.

A 500 or 503 page, a refusal, or the form shown again with its errors carries no marker, so the draft
stays and fills the form in again when the user comes back to it.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest

SAVED_TAG = "draft-saved"
LOGGED_OUT_TAG = "drafts-logged-out"
# base.html renders a message with one of these tags as a hidden marker, never as an alert.
MARKER_TAGS = (SAVED_TAG, LOGGED_OUT_TAG)


def confirm_saved(request: HttpRequest) -> None:
    """Tell the browser that what this request's form sent is saved, so it may drop its draft."""
    # The path, query included, is the form's action: the key the browser filed the draft under.
    messages.add_message(request, messages.INFO, request.get_full_path(), extra_tags=SAVED_TAG, fail_silently=True)


def forget_on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Tell the browser to drop the drafts of the user who just logged out."""
    if request is None or user is None:
        return
    # The message goes in the messages cookie: the session it could also live in is flushed right after.
    messages.add_message(request, messages.INFO, str(user.pk), extra_tags=LOGGED_OUT_TAG, fail_silently=True)
