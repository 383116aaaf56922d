"""Signing staff in for scripts — the demo, the benchmark and the tests — the way an
administrator would: the administrator signs in, gives a member of staff a fresh password
(recorded in the directory's change log, like any administrator's change) and that member
signs in with it. Nothing here bypasses the directory or the staff service."""
from __future__ import annotations

import secrets

import grpc

from hall.client import GatewayClient, sign_in
from hall.v1 import staff_pb2 as pb, staff_pb2_grpc


class Staffing:
    """An administrator's session at the gateway, handing out signed-in clients."""

    def __init__(self, address: str, admin_password: str, channel: grpc.Channel | None = None):
        self.address = address
        self.channel = channel or grpc.insecure_channel(address)
        self.admin_token = sign_in(self.channel, "admin", admin_password).access_token
        self.stub = staff_pb2_grpc.StaffStub(self.channel)
        self._clients: dict[tuple, GatewayClient] = {}

    @property
    def md(self):
        return (("authorization", f"Bearer {self.admin_token}"),)

    def member(self, staff_id: str) -> pb.StaffMember | None:
        try:
            return self.stub.GetStaff(pb.GetStaffRequest(staff_id=staff_id), metadata=self.md, timeout=10)
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise

    def find(self, role: str, site: str = "", department: str = "") -> pb.StaffMember:
        """A member of the directory with this role (at the site, of the department)."""
        found = self.stub.ListStaff(pb.ListStaffRequest(role=role, site=site, department=department),
                                    metadata=self.md, timeout=10).staff
        if not found:
            raise LookupError(f"no {role} at {site or 'any site'} {department}")
        return found[0]

    def ensure(self, staff_id: str, role: str, site: str, department: str = "") -> pb.StaffMember:
        """The member, added (or given the role) by the administrator where needed."""
        m = self.member(staff_id)
        if m is None:
            m = self.stub.AddStaff(pb.AddStaffRequest(member=pb.StaffMember(
                staff_id=staff_id, name=f"测试{staff_id}"[:20], roles=[role], site=site,
                department=department, active=True)), metadata=self.md, timeout=10)
        elif role not in m.roles or (m.site, m.department) != (site, department):
            if role not in m.roles:
                m.roles.append(role)
            m.site, m.department = site, department  # the administrator moves the member
            m = self.stub.UpdateStaff(pb.UpdateStaffRequest(member=m), metadata=self.md, timeout=10)
            self._clients = {k: v for k, v in self._clients.items() if k[0] != staff_id}  # sessions ended
        return m

    def client(self, staff_id: str, role: str) -> GatewayClient:
        """A client signed in as `staff_id` for a shift in `role` (one sign-in per pair)."""
        key = (staff_id, role)
        if key not in self._clients:
            password = "Pw-" + secrets.token_urlsafe(12)
            self.stub.SetPassword(pb.SetPasswordRequest(staff_id=staff_id, new_password=password),
                                  metadata=self.md, timeout=10)
            self._clients[key] = GatewayClient.signed_in(self.address, staff_id, password, role=role,
                                                         channel=self.channel)
        return self._clients[key]
