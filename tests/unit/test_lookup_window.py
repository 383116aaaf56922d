"""Look-ups by verification code: a sliding minute per caller (hall.domain.limits)."""
from hall.domain import identity
from hall.domain.limits import PerMinute


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_a_caller_gets_the_limit_per_sliding_minute_and_others_their_own():
    clock = Clock()
    window = PerMinute(3, clock=clock)
    assert [window.admit("peer:10.0.0.5") for _ in range(3)] == [0.0, 0.0, 0.0]
    clock.t += 20
    assert window.admit("peer:10.0.0.5") == 40.0, "the first look-up leaves the minute in 40 s"
    assert window.admit("peer:10.0.0.6") == 0.0 and window.admit("staff:c-1") == 0.0
    clock.t += 40
    assert window.admit("peer:10.0.0.5") == 0.0


def test_refused_calls_are_not_counted_and_memory_stays_bounded():
    clock = Clock()
    window = PerMinute(1, clock=clock, callers_kept=10)
    assert window.admit("a") == 0.0
    for _ in range(100):
        assert window.admit("a") > 0
    clock.t += 60
    assert window.admit("a") == 0.0, "refusals did not extend the wait"
    for n in range(50):
        clock.t += 61
        window.admit(f"peer:{n}")
    assert len(window._calls) <= 11


def test_the_lookups_are_the_public_verification_calls():
    assert all(identity.is_public(m) and identity.is_lookup("/" + m) for m in identity.LOOKUPS)
    assert not identity.is_lookup("/hall.v1.Staff/SignIn")
