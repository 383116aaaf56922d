"""The licence library (电子证照库, approval-api's BackOffice.FindLicences) as intake uses it:
the applicant's e-licences, to let a valid A/B-level licence replace a paper material. The
call carries the clerk's own token (hall.infra.auth.ClientAuth)."""
from __future__ import annotations

import logging

import grpc


log = logging.getLogger(__name__)
FIELDS = ("licence_number", "licence_type", "holder_id", "holder_name", "item_code", "department",
          "valid_from", "valid_to", "trust_level", "status")


class LicenceLibrary:
    def __init__(self, channel: grpc.Channel, timeout: float = 3.0):
        from hall.v1 import backoffice_pb2_grpc, licences_pb2
        self._pb = licences_pb2
        self._stub = backoffice_pb2_grpc.BackOfficeStub(channel)
        self._timeout = timeout

    def find(self, holder_id: str) -> tuple[list[dict], bool]:
        """(licences, reachable). When the library cannot answer, no licence replaces paper."""
        try:
            resp = self._stub.FindLicences(self._pb.FindLicencesRequest(holder_id=holder_id),
                                   timeout=self._timeout)
        except grpc.RpcError as exc:
            log.warning("licence library unavailable (%s); paper is required", exc.code())
            return [], False
        return [{f: getattr(lic, f) for f in FIELDS} for lic in resp.licences], True
