"""The deployment files agree with the code: service names, ports, databases and settings.

No Docker and no cluster: the files are parsed and checked against devstack.stack and
shared.settings, and each service's settings are built from its compose environment.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from devstack.stack import DEFAULT_PORTS, SERVICES
from shared.settings import ServiceSettings

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
K8S_DIR = REPO / "deploy" / "k8s"
SETTINGS_FIELDS = set(ServiceSettings.model_fields)
# What a container must set itself: the defaults point at 127.0.0.1 or name no database.
REQUIRED_ENV = (
    "ENVIRONMENT", "HTTP_HOST", "HTTP_PORT", "MONGO_URL", "MONGO_DATABASE", "AMQP_URL", "JWT_SECRET", "OTLP_ENDPOINT",
)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def k8s_documents() -> dict[str, list[dict]]:
    files = sorted(K8S_DIR.glob("*.yaml"))
    assert files, "deploy/k8s has no manifests"
    return {path.name: [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc] for path in files}


def k8s_objects(k8s_documents: dict[str, list[dict]], kind: str | None = None) -> list[dict]:
    return [doc for docs in k8s_documents.values() for doc in docs if kind is None or doc.get("kind") == kind]


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    classes = [
        value for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, ServiceSettings) and value is not ServiceSettings
    ]
    assert len(classes) == 1, f"services.{service}.settings should define one settings class, found {classes}"
    return classes[0]


# --- docker-compose.yml -----------------------------------------------------------------------


def test_compose_parses_into_services(compose: dict) -> None:
    assert isinstance(compose, dict)
    assert isinstance(compose.get("services"), dict)


def test_compose_names_every_service_and_the_infrastructure(compose: dict) -> None:
    expected = {*SERVICES, "mongo", "rabbitmq", "otel-collector", "jaeger"}
    assert expected <= set(compose["services"]), f"missing: {sorted(expected - set(compose['services']))}"


def test_mongo_is_a_single_node_replica_set(compose: dict) -> None:
    mongo = compose["services"]["mongo"]
    command = mongo["command"] if isinstance(mongo["command"], str) else " ".join(mongo["command"])
    assert "--replSet rs0" in command
    assert "--bind_ip_all" in command
    init = " ".join(mongo["healthcheck"]["test"])
    assert "rs.initiate" in init and "_id: 'rs0'" in init and "mongo:27017" in init


def test_rabbitmq_exposes_amqp_and_management(compose: dict) -> None:
    rabbitmq = compose["services"]["rabbitmq"]
    assert rabbitmq["image"].startswith("rabbitmq:3.13-management")
    assert {"5672:5672", "15672:15672"} <= set(rabbitmq["ports"])


@pytest.mark.parametrize("service", SERVICES)
def test_service_runs_its_module_on_its_port(compose: dict, service: str) -> None:
    definition = compose["services"][service]
    assert definition["build"] == "."
    assert definition["command"] == ["python", "-m", f"services.{service}"]
    port = DEFAULT_PORTS[service]
    assert f"{port}:{port}" in definition["ports"]
    assert {"mongo", "rabbitmq"} <= set(definition["depends_on"])


@pytest.mark.parametrize("service", SERVICES)
def test_service_environment_is_complete(compose: dict, service: str) -> None:
    environment = compose["services"][service]["environment"]
    assert isinstance(environment, dict), "environment must be a mapping (the YAML merge key needs one)"
    missing = [name for name in REQUIRED_ENV if name not in environment]
    assert not missing, f"{service} lacks {missing}"
    assert environment["MONGO_DATABASE"] == f"estatedesk_{service}"
    assert int(environment["HTTP_PORT"]) == DEFAULT_PORTS[service]
    assert environment["HTTP_HOST"] == "0.0.0.0"


@pytest.mark.parametrize("service", SERVICES)
def test_every_compose_variable_is_a_setting(compose: dict, service: str) -> None:
    unknown = [name for name in compose["services"][service]["environment"] if name.lower() not in SETTINGS_FIELDS]
    assert not unknown, f"{service} sets variables no setting reads (typo?): {unknown}"
    assert all(name == name.upper() for name in compose["services"][service]["environment"])


@pytest.mark.parametrize("service", SERVICES)
def test_service_settings_load_from_the_compose_environment(
    compose: dict, service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the service would see in its container: every URL names a compose service, not 127.0.0.1."""
    for field in SETTINGS_FIELDS:
        monkeypatch.delenv(field.upper(), raising=False)
    for name, value in compose["services"][service]["environment"].items():
        monkeypatch.setenv(name, str(value))
    settings = settings_class(service)(_env_file=None)

    assert settings.service_name == service
    assert settings.http_host == "0.0.0.0"
    assert settings.http_port == DEFAULT_PORTS[service]
    assert settings.database_name == f"estatedesk_{service}"

    mongo = urlsplit(settings.mongo_url)
    assert mongo.hostname == "mongo"
    query = parse_qs(mongo.query)
    assert query.get("replicaSet") == ["rs0"]
    assert query.get("retryWrites", ["true"]) != ["false"], "keep retryWrites on against real MongoDB"
    assert urlsplit(settings.amqp_url).hostname == "rabbitmq"
    assert settings.otlp_endpoint == "http://otel-collector:4318/v1/traces"
    for url in (settings.mongo_url, settings.amqp_url, settings.otlp_endpoint):
        assert urlsplit(url).hostname in compose["services"], f"{url} names no compose service"
        assert urlsplit(url).hostname not in LOCAL_HOSTS


def test_collector_receives_otlp_http_and_exports_to_jaeger(compose: dict) -> None:
    collector = compose["services"]["otel-collector"]
    mount = next(volume for volume in collector["volumes"] if "otel-collector.yaml" in volume)
    source = mount.split(":")[0]
    config = yaml.safe_load((REPO / source).read_text(encoding="utf-8"))

    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")
    pipeline = config["service"]["pipelines"]["traces"]
    assert pipeline["receivers"] == ["otlp"]
    exporter = config["exporters"][pipeline["exporters"][0]]
    assert urlsplit(f"//{exporter['endpoint']}").hostname == "jaeger"
    assert "16686:16686" in compose["services"]["jaeger"]["ports"]


# --- deploy/k8s ---------------------------------------------------------------------------------


def test_every_manifest_parses_into_kubernetes_objects(k8s_documents: dict[str, list[dict]]) -> None:
    for name, documents in k8s_documents.items():
        assert documents, f"{name} is empty"
        for document in documents:
            assert {"apiVersion", "kind"} <= set(document), f"{name}: {document}"


def test_kustomization_lists_every_manifest(k8s_documents: dict[str, list[dict]]) -> None:
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text(encoding="utf-8"))
    assert set(kustomization["resources"]) == set(k8s_documents) - {"kustomization.yaml"}


def test_one_namespace_holds_everything(k8s_documents: dict[str, list[dict]]) -> None:
    namespaces = [doc["metadata"]["name"] for doc in k8s_objects(k8s_documents, "Namespace")]
    assert namespaces == ["estatedesk"]
    for document in k8s_objects(k8s_documents):
        if document["kind"] not in {"Namespace", "Kustomization"}:
            assert document["metadata"]["namespace"] == "estatedesk", document["metadata"]["name"]


def test_one_deployment_and_service_per_service(k8s_documents: dict[str, list[dict]]) -> None:
    deployments = sorted(doc["metadata"]["name"] for doc in k8s_objects(k8s_documents, "Deployment"))
    services = sorted(doc["metadata"]["name"] for doc in k8s_objects(k8s_documents, "Service"))
    assert deployments == sorted(SERVICES)
    assert services == sorted(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_deployment_runs_its_service_with_probes(k8s_documents: dict[str, list[dict]], service: str) -> None:
    deployment = next(d for d in k8s_objects(k8s_documents, "Deployment") if d["metadata"]["name"] == service)
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["python", "-m", f"services.{service}"]
    assert [port["containerPort"] for port in container["ports"]] == [DEFAULT_PORTS[service]]

    env = {item["name"]: item.get("value") for item in container["env"]}
    assert int(env["HTTP_PORT"]) == DEFAULT_PORTS[service]
    assert env["MONGO_DATABASE"] == f"estatedesk_{service}"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"

    # Its Service selects these pods.
    kube_service = next(s for s in k8s_objects(k8s_documents, "Service") if s["metadata"]["name"] == service)
    assert kube_service["spec"]["selector"].items() <= labels.items()


@pytest.mark.parametrize("service", SERVICES)
def test_deployment_environment_is_complete_and_known(k8s_documents: dict[str, list[dict]], service: str) -> None:
    """ConfigMap + Secret + the container's own env cover what a container must set, with no typo."""
    config_maps = {d["metadata"]["name"]: d.get("data", {}) for d in k8s_objects(k8s_documents, "ConfigMap")}
    secrets = {
        d["metadata"]["name"]: {**d.get("data", {}), **d.get("stringData", {})}
        for d in k8s_objects(k8s_documents, "Secret")
    }
    deployment = next(d for d in k8s_objects(k8s_documents, "Deployment") if d["metadata"]["name"] == service)
    (container,) = deployment["spec"]["template"]["spec"]["containers"]

    names = {item["name"] for item in container["env"]}
    for source in container["envFrom"]:
        if "configMapRef" in source:
            names |= set(config_maps[source["configMapRef"]["name"]])
        if "secretRef" in source:
            names |= set(secrets[source["secretRef"]["name"]])
    missing = [name for name in REQUIRED_ENV if name not in names]
    assert not missing, f"{service} lacks {missing}"
    unknown = [name for name in names if name.lower() not in settings_class(service).model_fields]
    assert not unknown, f"{service} sets variables no setting reads (typo?): {unknown}"


def test_intake_is_autoscaled_on_cpu(k8s_documents: dict[str, list[dict]]) -> None:
    (autoscaler,) = k8s_objects(k8s_documents, "HorizontalPodAutoscaler")
    spec = autoscaler["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "intake"}
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 10)
    assert [metric["resource"]["name"] for metric in spec["metrics"]] == ["cpu"]
    # CPU utilisation is measured against the request, so intake must have one.
    intake = next(d for d in k8s_objects(k8s_documents, "Deployment") if d["metadata"]["name"] == "intake")
    (container,) = intake["spec"]["template"]["spec"]["containers"]
    assert container["resources"]["requests"]["cpu"]
