# One image for all five services; the command picks the service, e.g.
#   docker run estatedesk python -m services.dispatch
FROM python:3.11-slim

# HTTP_HOST: containers are reached from outside, so listen on every interface.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HTTP_HOST=0.0.0.0

WORKDIR /app

# Dependencies first, so that code changes reuse this layer.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY shared/ shared/
COPY services/ services/
COPY devstack/ devstack/

# An unprivileged user (the Kubernetes manifests run as this uid).
RUN useradd --system --uid 10001 --no-create-home estatedesk
USER 10001

EXPOSE 8001 8002 8003 8004 8005

# The default service; docker-compose.yml and deploy/k8s give each service its command.
CMD ["python", "-m", "services.intake"]
