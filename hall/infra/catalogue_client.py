"""The catalogue as routing-api serves it, for services that ask the questions intake asks.

Same reading interface as `hall.catalogue.CatalogueStore` (`load()`, `current`, `get(version)`):
the whole catalogue is fetched once per version as a snapshot and rebuilt locally, so every
question is answered in-process; a cheap version check every few seconds picks up reloads.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time

import grpc

from hall.catalogue import Catalogue as CatalogueVersion, CatalogueError, from_snapshot
from hall.domain.ports import Catalogue
from hall.infra import grpcutil
from hall.v1 import catalogue_pb2 as pb, catalogue_pb2_grpc

log = logging.getLogger(__name__)
REFRESH_SECONDS = float(os.environ.get("HALL_CATALOGUE_REFRESH_SECONDS", "3"))
TIMEOUT = 10.0


class CatalogueClient(Catalogue):
    def __init__(self, address: str, refresh_seconds: float = REFRESH_SECONDS, channel=None):
        self.address, self.refresh_seconds = address, refresh_seconds
        self._stub = catalogue_pb2_grpc.HallCatalogueStub(channel or grpcutil.channel(address))
        self._versions: dict[str, CatalogueVersion] = {}
        self._current: CatalogueVersion | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def current(self) -> CatalogueVersion | None:
        return self._current

    def load(self) -> CatalogueVersion:
        """The catalogue in force, waiting (and retrying) until routing-api answers; then
        follow routing's version in the background."""
        waited, last_log = time.monotonic(), 0.0
        while self._current is None:
            try:
                self.refresh()
            except (grpc.RpcError, CatalogueError) as exc:
                if time.monotonic() - last_log > 5:
                    last_log = time.monotonic()
                    log.warning("waiting %.0fs for the catalogue from routing-api at %s: %s",
                                time.monotonic() - waited, self.address, _why(exc))
                time.sleep(0.5)
        if self._thread is None and self.refresh_seconds > 0:
            self._thread = threading.Thread(target=self._follow, name="catalogue-refresh", daemon=True)
            self._thread.start()
        return self._current

    def refresh(self) -> CatalogueVersion:
        """Ask routing which version is in force and switch to it (fetching it if new)."""
        version = self._stub.GetCatalogueVersion(pb.GetCatalogueVersionRequest(), timeout=TIMEOUT).version
        cat = self.get(version)
        if cat is None:
            raise CatalogueError(f"snapshot {version}", "-", "routing-api does not have it any more")
        if self._current is not cat:
            log.info("catalogue %s in force (was %s)",
                     version, self._current.version if self._current else None)
            self._current = cat
        return cat

    def get(self, version: str) -> CatalogueVersion | None:
        """Any version routing-api ever loaded (None if it never did); fetched once, then kept."""
        if version in self._versions:
            return self._versions[version]
        try:
            reply = self._stub.GetCatalogueSnapshot(pb.GetCatalogueSnapshotRequest(version=version), timeout=TIMEOUT)
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise
        cat = from_snapshot(json.loads(reply.snapshot_json))
        with self._lock:
            return self._versions.setdefault(cat.version, cat)

    def _follow(self) -> None:
        failing = False
        while not self._stop.wait(self.refresh_seconds):
            try:
                self.refresh()
            except (grpc.RpcError, CatalogueError) as exc:  # keep the version we have
                if not failing:
                    log.warning("cannot check the catalogue version at %s, keeping %s: %s",
                                self.address, self._current.version, _why(exc))
                failing = True
            else:
                if failing:
                    log.info("routing-api at %s answers again", self.address)
                failing = False

    def close(self) -> None:
        self._stop.set()


def _why(exc: Exception) -> str:
    details = getattr(exc, "details", None)
    return (details() if callable(details) else None) or str(exc)
