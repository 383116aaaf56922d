# One image for every process of the hall; each Kubernetes Deployment passes its module args
# (deploy/k8s/hall.yaml), e.g. `docker run IMAGE services.intake worker`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY pyproject.toml ./
COPY protos/ protos/
COPY hall/ hall/
COPY services/ services/
COPY simulators/ simulators/
COPY reference/ reference/

# the same generation as `make proto`; the generated modules are not in the repository
RUN python -m grpc_tools.protoc -Iprotos --python_out=. --pyi_out=. --grpc_python_out=. protos/hall/v1/*.proto \
    && python -m compileall -q hall services simulators

# numeric, so that Kubernetes' runAsNonRoot can check it
RUN groupadd --gid 10001 hall && useradd --uid 10001 --gid hall --no-create-home --shell /usr/sbin/nologin hall
USER 10001:10001

ENTRYPOINT ["python", "-m"]
CMD ["services.gateway"]
