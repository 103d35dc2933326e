"""Broker and database in containers (testcontainers), where a Docker engine is reachable.

Our own machines have the Docker client but no engine; there the fixtures start local
processes instead (`devstack.infra`). MongoDB runs as a single-node replica set, because
transactions need one.
"""

from __future__ import annotations

import shutil
import subprocess


def docker_engine_reachable() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class ContainerInfrastructure:
    """RabbitMQ and a one-node MongoDB replica set, as containers, with their URLs."""

    def __init__(self) -> None:
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.waiting_utils import wait_for_logs
        from testcontainers.rabbitmq import RabbitMqContainer

        self.rabbitmq = RabbitMqContainer("rabbitmq:3.13-management").start()
        self.mongo = (
            DockerContainer("mongo:8.0").with_command("--replSet rs0 --bind_ip_all").with_exposed_ports(27017).start()
        )
        wait_for_logs(self.mongo, "Waiting for connections", timeout=60)
        self.mongo.exec(["mongosh", "--quiet", "--eval", "rs.initiate({_id:'rs0',members:[{_id:0,host:'localhost:27017'}]})"])
        host = self.mongo.get_container_host_ip()
        self.mongo_url = f"mongodb://{host}:{self.mongo.get_exposed_port(27017)}/?directConnection=true"
        params = self.rabbitmq.get_connection_params()
        self.amqp_url = f"amqp://guest:guest@{params.host}:{params.port}/"

    def stop(self) -> None:
        self.mongo.stop()
        self.rabbitmq.stop()
