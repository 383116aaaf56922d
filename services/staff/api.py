"""The staff service's gRPC API (staff-api): sign-in, oneself, the directory for the
administrator, the change log, the revocations verifiers poll. The one holder of the signing key."""
from __future__ import annotations

import logging
from datetime import datetime

from hall.domain.clock import SHANGHAI
from hall.domain.staff import Policy
from hall.infra import auth, grpcutil, tokens
from hall.infra.catalogue_client import CatalogueClient
from hall.infra.mongo import connect
from hall.runtime import api, process
from hall.v1 import staff_pb2 as pb, staff_pb2_grpc
from services.staff import config, handlers, messages
from services.staff.repository import MongoStaffRepository

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(SHANGHAI)


class StaffServicer(staff_pb2_grpc.StaffServicer):
    """Thin: decode, call the handler with the caller's Actor, encode."""

    def __init__(self, repo, signer, policy: Policy, accounts, catalogue):
        self.repo, self.signer, self.policy = repo, signer, policy
        self.accounts, self.catalogue = accounts, catalogue  # catalogue: has `.current`

    @grpcutil.unary("staff")
    def SignIn(self, request, context):
        """Sign in for a shift; UNAUTHENTICATED when refused. Needs no token."""
        result = handlers.sign_in(self.repo, self.signer, self.policy, self.accounts,
                                  **messages.sign_in(request), now=_now())
        return messages.sign_in_response(result)

    @grpcutil.unary("staff")
    def SignOut(self, request, context):
        """End the caller's session."""
        claims = auth.claims()
        ended = handlers.sign_out(self.repo, auth.caller(), claims.sid if claims else "", _now())
        return pb.SignOutResponse(ended=ended)

    @grpcutil.unary("staff")
    def WhoAmI(self, request, context):
        """The caller's own record."""
        return messages.member(handlers.who_am_i(self.repo, auth.caller()))

    @grpcutil.unary("staff")
    def ChangePassword(self, request, context):
        """Change one's own password, giving the old one."""
        handlers.change_password(self.repo, self.policy, auth.caller(),
                                 messages.text(request.old_password, "password", True),
                                 messages.text(request.new_password, "password", True), _now())
        return pb.ChangePasswordResponse()

    @grpcutil.unary("staff")
    def EnrolTotp(self, request, context):
        """A TOTP secret for the caller to scan."""
        secret, uri = handlers.enrol_totp(self.repo, auth.caller(), _now())
        return pb.EnrolTotpResponse(secret=secret, provisioning_uri=uri)

    @grpcutil.unary("staff")
    def ConfirmTotp(self, request, context):
        """Turn TOTP on with a right code."""
        code = messages.text(request.code, "code", True)
        return messages.member(handlers.confirm_totp(self.repo, auth.caller(), code, _now()))

    @grpcutil.unary("staff")
    def ListStaff(self, request, context):
        """The directory, filtered (admin)."""
        found = handlers.list_staff(self.repo, auth.caller(), messages.text(request.site, "site"),
                                    messages.text(request.department, "department"),
                                    messages.text(request.role, "role"), request.include_inactive)
        return pb.ListStaffResponse(staff=[messages.member(p) for p in found])

    @grpcutil.unary("staff")
    def GetStaff(self, request, context):
        """One member's record (admin)."""
        staff_id = messages.text(request.staff_id, "staff_id", True)
        return messages.member(handlers.get_staff(self.repo, auth.caller(), staff_id))

    @grpcutil.unary("staff")
    def AddStaff(self, request, context):
        """A new member of staff (admin)."""
        profile = handlers.add_staff(self.repo, self.policy, self.catalogue.current, auth.caller(),
                                     messages.member_fields(request.member),
                                     messages.text(request.password, "password"), _now())
        return messages.member(profile)

    @grpcutil.unary("staff")
    def UpdateStaff(self, request, context):
        """Change some of a member's fields (admin)."""
        fields = messages.member_fields(request.member)
        profile = handlers.update_staff(self.repo, self.catalogue.current, auth.caller(),
                                        messages.text(fields["staff_id"], "staff_id", True), fields,
                                        messages.strings(request.fields, "fields"), _now())
        return messages.member(profile)

    @grpcutil.unary("staff")
    def DeactivateStaff(self, request, context):
        """Stop a member signing in and revoke their tokens (admin)."""
        profile = handlers.deactivate_staff(self.repo, auth.caller(),
                                            messages.text(request.staff_id, "staff_id", True),
                                            messages.text(request.reason, "reason", True), _now())
        return messages.member(profile)

    @grpcutil.unary("staff")
    def ReactivateStaff(self, request, context):
        """Let a deactivated member sign in again (admin)."""
        staff_id = messages.text(request.staff_id, "staff_id", True)
        return messages.member(handlers.reactivate_staff(self.repo, auth.caller(), staff_id, _now()))

    @grpcutil.unary("staff")
    def SetPassword(self, request, context):
        """Set a member's password (admin)."""
        profile = handlers.set_password(self.repo, self.policy, auth.caller(),
                                        messages.text(request.staff_id, "staff_id", True),
                                        messages.text(request.new_password, "password", True), _now())
        return messages.member(profile)

    @grpcutil.unary("staff")
    def UnlockStaff(self, request, context):
        """Lift a lockout (admin)."""
        staff_id = messages.text(request.staff_id, "staff_id", True)
        return messages.member(handlers.unlock_staff(self.repo, auth.caller(), staff_id, _now()))

    @grpcutil.unary("staff")
    def ResetTotp(self, request, context):
        """Turn a member's TOTP off so they enrol again (admin)."""
        staff_id = messages.text(request.staff_id, "staff_id", True)
        return messages.member(handlers.reset_totp(self.repo, auth.caller(), staff_id, _now()))

    @grpcutil.unary("staff")
    def ListStaffChanges(self, request, context):
        """The change log, latest first (admin, supervisor)."""
        changes = handlers.list_changes(self.repo, auth.caller(),
                                        messages.text(request.staff_id, "staff_id"), request.limit)
        return pb.ListStaffChangesResponse(changes=[messages.change(c) for c in changes])

    @grpcutil.unary("staff")
    def ListRevocations(self, request, context):
        """Sessions ended and staff deactivated, for verifiers (system)."""
        sids, staff_ids = handlers.list_revocations(self.repo, auth.caller(), _now())
        return pb.ListRevocationsResponse(session_ids=sids, staff_ids=staff_ids)


def start(cfg: config.StaffConfig, repo, signer, catalogue) -> StaffServicer:
    """Seed the directory from the catalogue, give the administrator a first password if they
    have none; the servicer to serve."""
    policy = Policy(token_ttl=cfg.token_ttl)
    added = handlers.seed(repo, catalogue.load().staff.values(), _now())
    log.info("staff directory seeded: %d member(s) added", len(added))
    password = handlers.ensure_admin_password(repo, policy, _now())
    if password:
        tokens.write_private(cfg.admin_password_file, (password + "\n").encode())
        log.info("the administrator's first password is in %s (mode 0600)", cfg.admin_password_file)
    if cfg.service_accounts_file is None:
        log.warning("HALL_SERVICE_ACCOUNTS_FILE is not set: no hall process can sign in")
    return StaffServicer(repo, signer, policy, config.ServiceAccounts(cfg.service_accounts_file), catalogue)


def main() -> None:
    s = process.start("staff-api")
    cfg = config.load()
    signer = tokens.Signer.from_file(cfg.signing_key_file)
    repo = MongoStaffRepository(connect(s.mongo_uri_of("staff"))[s.database("staff")])
    trusted = auth.ProcessAuth.for_signer(s, signer, repo.revocations).start()
    catalogue = CatalogueClient(s.address("routing-api"), channel=trusted.channel(s.address("routing-api")))
    servicer = start(cfg, repo, signer, catalogue)
    try:
        api.serve(s, "staff-api", "staff", [
            (staff_pb2_grpc.add_StaffServicer_to_server, servicer, "hall.v1.Staff")], None, None, trusted, catalogue)
    finally:
        catalogue.close()
