"""RabbitMQ virtual hosts, so that each test session (or test) has a bus of its own."""
from __future__ import annotations

import subprocess


def _ctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def create_vhost(name: str, user: str = "guest") -> str:
    _ctl("add_vhost", name)
    _ctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
    return name


def delete_vhost(name: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], capture_output=True, timeout=60)


def amqp_uri(vhost: str, host: str = "127.0.0.1", port: int = 5672) -> str:
    return f"amqp://guest:guest@{host}:{port}/{vhost}"
