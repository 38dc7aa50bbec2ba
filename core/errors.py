"""The portal's refusals: a stable code for programs and tests, a message for the user."""


class PortalError(Exception):
    """A refused action. `code` never changes with the wording; `message` is in the user's language.

    Tests compare codes, so rewording a translation breaks nothing; views show the message.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message
