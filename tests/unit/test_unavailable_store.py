"""A call that fails because the service's database is restarting is UNAVAILABLE (retry the
same request), not INTERNAL: the chaos campaign's database restart showed INTERNAL answers
that the clients' retries then got through."""
from __future__ import annotations

import grpc
import pytest
from pymongo.errors import AutoReconnect, ServerSelectionTimeoutError

from hall.infra.grpcutil import unary


class Aborted(Exception):
    pass


class Context:
    def __init__(self):
        self.status = None

    def abort(self, code, details):
        self.status = (code, details)
        raise Aborted()

    def code(self):
        return self.status and self.status[0]


class Servicer:
    def __init__(self, exc):
        self.exc = exc

    @unary("approval")
    def RecordDecision(self, request, context):
        raise self.exc


@pytest.mark.parametrize("exc", [AutoReconnect("connection closed"), ServerSelectionTimeoutError("no server")])
def test_a_database_that_is_not_reachable_answers_unavailable(exc):
    ctx = Context()
    with pytest.raises(Aborted):
        Servicer(exc).RecordDecision(None, ctx)
    assert ctx.status[0] == grpc.StatusCode.UNAVAILABLE and "retry" in ctx.status[1]


def test_any_other_failure_is_still_internal_with_an_error_id():
    ctx = Context()
    with pytest.raises(Aborted):
        Servicer(KeyError("x")).RecordDecision(None, ctx)
    assert ctx.status[0] == grpc.StatusCode.INTERNAL and "internal error" in ctx.status[1]
