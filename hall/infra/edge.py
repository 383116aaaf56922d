"""A service's edge: every request checked against the rules its proto declares
(protos/hall/v1/rules.proto) and the catalogue in force before a handler sees it. A bad
request is answered INVALID_ARGUMENT naming the field, and changes nothing.

The checks themselves are hall.domain.inputs; this module only walks the message by its
descriptor (the plan of each message type built once) and applies them."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import grpc
from google.protobuf.descriptor import FieldDescriptor

from hall.domain import identity, inputs, limits
from hall.domain.errors import InvalidArgument, quote
from hall.domain.ports import Catalogue
from hall.infra import auth, grpcutil
from hall.v1 import rules_pb2

_CODE = {rules_pb2.FieldRule.DEPARTMENT: "department", rules_pb2.FieldRule.SITE: "site",
         rules_pb2.FieldRule.ITEM: "item", rules_pb2.FieldRule.WINDOW: "window",
         rules_pb2.FieldRule.SECTOR: "sector", rules_pb2.FieldRule.PHONE: "phone",
         rules_pb2.FieldRule.ROLE: "role"}
_STRING, _BYTES, _ENUM, _MESSAGE = (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES,
                                    FieldDescriptor.TYPE_ENUM, FieldDescriptor.TYPE_MESSAGE)


@dataclass(frozen=True)
class _Field:
    name: str
    type: int
    repeated: bool
    map_entry: bool
    limit: int
    required: bool
    code: str | None
    multiline: bool
    max_items: int
    enum_numbers: frozenset | None
    message: object | None  # the field's message descriptor


@lru_cache(maxsize=None)
def plan(descriptor) -> tuple[_Field, ...]:
    """What to check in a message of this type: its fields with their rules."""
    fields = []
    for fd in descriptor.fields:
        options = fd.GetOptions()
        rule = options.Extensions[rules_pb2.rule] if options.HasExtension(rules_pb2.rule) else rules_pb2.FieldRule()
        repeated = fd.is_repeated
        message = fd.message_type if fd.type == _MESSAGE else None
        default = inputs.BYTES_MAX if fd.type == _BYTES else inputs.TEXT_MAX
        fields.append(_Field(
            fd.name, fd.type, repeated, bool(message and message.GetOptions().map_entry),
            rule.max or default, rule.required, _CODE.get(rule.code), rule.multiline,
            rule.max_items or inputs.ITEMS_MAX,
            frozenset(v.number for v in fd.enum_type.values) if fd.type == _ENUM else None, message))
    return tuple(fields)


def check(request, catalogue=None, path: str = "") -> None:
    """Raise InvalidArgument naming the first field of `request` that breaks its rule."""
    for f in plan(request.DESCRIPTOR):
        where = f"{path}{f.name}"
        value = getattr(request, f.name)
        if f.repeated:
            if len(value) > f.max_items:
                raise InvalidArgument(f"{where}: 最多 {f.max_items} 项 (at most {f.max_items} entries; {len(value)} were sent)")
            if f.map_entry:
                key_rule, value_rule = plan_of_entry(f.message)
                for k, v in value.items():
                    _scalar(key_rule, k, f"{where}[key]", catalogue)
                    if value_rule.type == _MESSAGE:
                        check(v, catalogue, f"{where}[{quote(k)}].")
                    else:
                        _scalar(value_rule, v, f"{where}[value]", catalogue)
                continue
            if f.required and not value:
                raise InvalidArgument(f"{where}: 必填 (required)")
            for i, v in enumerate(value):
                if f.type == _MESSAGE:
                    check(v, catalogue, f"{where}[{i}].")
                else:
                    _scalar(f, v, f"{where}[{i}]", catalogue)
        elif f.type == _MESSAGE:
            if request.HasField(f.name):
                check(value, catalogue, f"{where}.")
            elif f.required:
                raise InvalidArgument(f"{where}: 必填 (required)")
        else:
            _scalar(f, value, where, catalogue)


def plan_of_entry(entry) -> tuple[_Field, _Field]:
    """The key's and the value's rules of a map field's entry type."""
    fields = {f.name: f for f in plan(entry)}
    return fields["key"], fields["value"]


def _scalar(f: _Field, value, where: str, catalogue) -> None:
    if f.type == _STRING:
        if not value:
            if f.required:
                raise InvalidArgument(f"{where}: 必填 (required)")
            return
        problem = inputs.text_problem(value, f.limit, f.multiline) or (
            inputs.code_problem(f.code, value.strip(), catalogue) if f.code else None)
    elif f.type == _BYTES:
        problem = f"超过 {f.limit} 字节 (at most {f.limit} bytes; {len(value)} were sent)" if len(value) > f.limit else None
        if problem is None and f.required and not value:
            problem = "必填 (required)"
    elif f.type == _ENUM:
        problem = None if value in f.enum_numbers else f"没有这个取值 (not a value of {where}): {value}"
    else:
        return
    if problem:
        raise InvalidArgument(f"{where}: {problem}")


class EdgeCheck(grpc.ServerInterceptor):
    """Check every hall request before its handler; after the caller's sign-in
    (hall.infra.auth.ServerAuth runs first), so nobody learns the rules unauthenticated."""

    def __init__(self, catalogue: Catalogue | None):
        self.catalogue = catalogue

    def intercept_service(self, continuation, details):
        handler = continuation(details)
        if handler is None or handler.unary_unary is None or not details.method.startswith("/hall."):
            return handler
        inner = handler.unary_unary

        def behaviour(request, context):
            try:
                check(request, self.catalogue.current if self.catalogue else None)
            except InvalidArgument as exc:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, grpcutil.clean(str(exc)))
            return inner(request, context)

        return grpc.unary_unary_rpc_method_handler(
            behaviour, request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer)


class LookupLimit(grpc.ServerInterceptor):
    """Public look-ups by verification code (identity.LOOKUPS), at most `per_minute` per caller:
    the signed-in member of staff, or the client's address when not signed in. Beyond it the
    answer is RESOURCE_EXHAUSTED saying when to try again; nothing is looked up."""

    def __init__(self, per_minute: int = identity.LOOKUPS_PER_MINUTE):
        self.window = limits.PerMinute(per_minute)

    def intercept_service(self, continuation, details):
        handler = continuation(details)
        if handler is None or handler.unary_unary is None or not identity.is_lookup(details.method):
            return handler
        inner = handler.unary_unary

        def behaviour(request, context):
            verified = auth.claims()
            who = f"staff:{verified.actor.staff_id}" if verified else f"peer:{_address(context.peer())}"
            wait = self.window.admit(who)
            if wait:
                context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED,
                              f"查询过于频繁 (more than {self.window.limit} look-ups by verification code "
                              f"in a minute); try again in {max(1, round(wait))} s")
            return inner(request, context)

        return grpc.unary_unary_rpc_method_handler(
            behaviour, request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer)


def _address(peer: str) -> str:
    """ipv4:10.0.0.5:51234 → 10.0.0.5; ipv6:[::1]:51234 → ::1 (the port changes per connection)."""
    kind, _, rest = peer.partition(":")
    if kind == "ipv6":
        return rest.rsplit(":", 1)[0].strip("[]")
    return rest.rsplit(":", 1)[0] if kind == "ipv4" else peer
