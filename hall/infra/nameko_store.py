"""A Nameko dependency giving each worker its service's repository, backed by one MongoDB
client and one outbox relay per process."""
from __future__ import annotations

import os

from nameko.extensions import DependencyProvider

from hall.infra import settings
from hall.infra.batch import BatchingDatabase
from hall.infra.bus import Publisher
from hall.infra.mongo import connect
from hall.infra.outbox import Outbox


class Store(DependencyProvider):
    def __init__(self, service: str, repository_cls, **kwargs):
        self.service, self.repository_cls = service, repository_cls
        super().__init__(**kwargs)

    def setup(self):
        s = settings.load()
        self.client = connect(s.mongo_uri_of(self.service))
        db = self.client[s.database(self.service)]
        self.outbox = Outbox(db, Publisher(s.amqp_uri), self.repository_cls.COLLECTIONS,
                             sweep_every=float(os.environ.get("HALL_OUTBOX_SWEEP_SECONDS", "15")))
        # concurrent workers' inserts are committed together (hall/infra/batch.py)
        self.repository = self.repository_cls(BatchingDatabase(db), self.outbox)

    def start(self):
        self.outbox.start()

    def stop(self):
        self.outbox.stop()
        self.client.close()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self.repository
