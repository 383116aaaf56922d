"""The catalogue as a Nameko dependency: the one provider of reference data for a worker
process, built once in `setup()` like the repositories (nameko-examples' pattern). It asks
routing-api (the catalogue's owner) with the process's own service token and follows reloads
within seconds; each worker gets the client, whose `.current` is the version in force."""
from __future__ import annotations


from nameko.extensions import DependencyProvider

from hall.infra import auth, settings
from hall.infra.catalogue_client import CatalogueClient


class Catalogue(DependencyProvider):
    def __init__(self, service: str, **kwargs):
        self.service = service
        super().__init__(**kwargs)

    def setup(self):
        s = settings.load()
        channel = auth.carrying(auth.ServiceTokens.of(s, self.service), s.address("routing-api"))
        self.client = CatalogueClient(s.address("routing-api"), channel=channel)

    def start(self):
        self.client.load()

    def stop(self):
        self.client.close()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self.client
