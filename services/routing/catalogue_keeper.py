"""The catalogue in force in routing-api: loaded from the reference files at start, reloaded
on request or when the files change, every version ever loaded kept and answerable."""
from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

from prometheus_client import Counter

from hall.catalogue import Catalogue, CatalogueError, from_snapshot, load_catalogue
from hall.catalogue.loader import catalogue_files
from hall.domain.clock import SHANGHAI
from hall.domain.errors import NotFound, Refused
from hall.domain.identity import SYSTEM, Actor
from services.routing.catalogue_repository import CatalogueRepository

log = logging.getLogger(__name__)
RELOADS = Counter("hall_catalogue_reloads_total", "Catalogue loads and reloads", ["outcome"])


def fingerprint(root: Path) -> tuple:
    """Names, sizes and modification times of the catalogue files: cheap to compare often."""
    out = []
    for path in catalogue_files(root):
        try:
            st = path.stat()
            out.append((path.as_posix(), st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            out.append((path.as_posix(), None, None))
    return tuple(out)


class CatalogueKeeper:
    def __init__(self, root: str | Path, repo: CatalogueRepository):
        self.root, self.repo = Path(root), repo
        self._lock = threading.Lock()
        self._versions: dict[str, Catalogue] = {}
        self._current: Catalogue | None = None
        self._seen: tuple | None = None
        self._stop = threading.Event()

    @property
    def current(self) -> Catalogue:
        return self._current

    def start(self) -> Catalogue:
        """Load the files; if they are invalid, the version last in force stays in force."""
        try:
            return self.reload(SYSTEM)[0]
        except Refused as refusal:
            fallback = self.repo.last_in_force()
            if fallback is None:
                raise SystemExit(f"no valid catalogue to start with: {refusal}") from None
            log.error("%s; starting with catalogue %s", refusal, fallback)
            self._current = self.get(fallback)
            return self._current

    def get(self, version: str) -> Catalogue:
        """Any version ever loaded, from memory or from its stored snapshot."""
        if version in self._versions:
            return self._versions[version]
        snapshot = self.repo.snapshot(version)
        if snapshot is None:
            raise NotFound(f"no catalogue version {version!r} was ever loaded")
        return self._versions.setdefault(version, from_snapshot(snapshot))

    def reload(self, actor: Actor) -> tuple[Catalogue, str | None, bool]:
        """Re-read the files: (catalogue in force, previous version, whether it changed).
        Invalid files raise Refused naming the file and entry; nothing changes then."""
        with self._lock:
            self._seen = fingerprint(self.root)
            previous = self._current.version if self._current else None
            now = datetime.now(SHANGHAI)
            try:
                cat = load_catalogue(self.root)
            except CatalogueError as exc:
                RELOADS.labels("refused").inc()
                self.repo.record_attempt(now, actor, "refused", None, previous, str(exc))
                stays = f"; catalogue {previous} stays in force" if previous else ""
                raise Refused(f"the reference files were not loaded: {exc}{stays}") from None
            self.repo.save_version(cat, now, actor)
            cat = self._versions.setdefault(cat.version, cat)
            self.repo.record_attempt(now, actor, "loaded", cat.version, previous)
            self._current = cat
            RELOADS.labels("loaded").inc()
        if cat.version != previous:
            log.info("catalogue %s in force (was %s), by %s", cat.version, previous, actor.staff_id)
        return cat, previous, cat.version != previous

    def watch(self, every: float) -> threading.Thread | None:
        """Reload whenever the files change on disk, checking every `every` seconds (0: never)."""
        if every <= 0:
            return None
        t = threading.Thread(target=self._watch, args=(every,), name="catalogue-watch", daemon=True)
        t.start()
        return t

    def _watch(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                if fingerprint(self.root) != self._seen:
                    self.reload(SYSTEM)
            except Refused as refusal:
                log.error("%s", refusal)
            except Exception:
                log.exception("checking the reference files failed")

    def stop(self) -> None:
        self._stop.set()
