"""Domain errors. Each kind maps to exactly one gRPC status at the edge (hall.infra.grpcutil)."""


class DomainError(Exception):
    """A request the rules refuse; the message is written for a clerk to read."""


class InvalidArgument(DomainError):
    """The request itself is malformed: a bad code, a missing field, a wrong checksum."""


class NotFound(DomainError):
    """The case (or other record) named does not exist."""


class StepOutOfOrder(DomainError):
    """The case is not in a state where this step may happen (FAILED_PRECONDITION)."""


class PermissionDenied(DomainError):
    """The caller's role, site or department does not allow this."""


class AlreadyDone(StepOutOfOrder):
    """The step was already recorded and happens once only; the earlier result stands."""


class Refused(DomainError):
    """不予受理: the hall may not accept this application here (classified item, not this
    site's competence, no delegation); FAILED_PRECONDITION with the reason."""


class Unauthenticated(DomainError):
    """No valid sign-in: no token, a wrong password, a locked account (UNAUTHENTICATED)."""


QUOTED = 80  # characters of an input that an error message repeats
_UNSAFE = str.maketrans({c: "\ufffd" for c in [*map(chr, range(0x20)), "\x7f", "\u200e", "\u200f",
                                                 *map(chr, range(0x202a, 0x202f)),
                                                 *map(chr, range(0x2066, 0x206a))]})


def printable(text: str) -> str:
    """`text` with control and bidirectional-override characters replaced (U+FFFD), so it can
    neither reorder nor hide the text around it."""
    return text.translate(_UNSAFE)


def quote(value) -> str:
    """An input as an error message repeats it: quoted, at most QUOTED characters, unsafe
    characters replaced (`printable`), so a hostile value cannot reorder or hide the text
    around it or make the message too long to send."""
    text = printable(str(value))
    if len(text) > QUOTED:
        text = text[:QUOTED - 1] + "…"
    return f"「{text}」"
