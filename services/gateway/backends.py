"""What every part of the gateway shares: the caller's identity and the services behind it."""
from __future__ import annotations

import grpc

from hall.domain.identity import Actor
from hall.infra import grpcutil, tokens
from hall.v1 import internal_pb2_grpc

TIMEOUT = 10.0


class Backends:
    """One channel per service, shared by every gateway servicer."""

    def __init__(self, settings):
        self.settings = settings
        self.secret = settings.token_secret
        self.channels = {name: grpcutil.channel(settings.address(f"{name}-api"))
                         for name in ("intake", "approval", "delivery", "sla")}
        self.intake = internal_pb2_grpc.IntakeStub(self.channels["intake"])
        self.approval = internal_pb2_grpc.ApprovalStub(self.channels["approval"])
        self.delivery = internal_pb2_grpc.DeliveryStub(self.channels["delivery"])
        self.tracking = internal_pb2_grpc.TrackingStub(self.channels["sla"])

    def caller(self, context) -> Actor:
        """The verified caller from the `authorization: Bearer <token>` metadata, or UNAUTHENTICATED."""
        auth = dict(context.invocation_metadata()).get("authorization", "")
        if not auth.startswith("Bearer "):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "sign in: no staff token was sent")
        try:
            return tokens.verify(auth[7:], self.secret)
        except tokens.InvalidToken as exc:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, str(exc))
