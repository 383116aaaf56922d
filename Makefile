# The two commands: `make run` and `make test`. Everything else they need is installed here.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PROTOS := $(wildcard protos/hall/v1/*.proto)
GENERATED := hall/v1/gateway_pb2.py
STAMP := $(VENV)/.installed

.PHONY: run street test unit integration bench broker promtool proto handbook clean

$(STAMP): requirements.txt
	@command -v python3 >/dev/null || { apt-get update && apt-get install -y python3 python3-venv; }
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(GENERATED): $(PROTOS) $(STAMP)
	$(PY) -m grpc_tools.protoc -Iprotos --python_out=. --pyi_out=. --grpc_python_out=. $(PROTOS)
	touch $@

proto: $(GENERATED)

# RabbitMQ: install from Debian where it is missing, start it where it is not running.
broker:
	@command -v rabbitmq-server >/dev/null || { apt-get update -q && apt-get install -y -q rabbitmq-server; }
	@(echo > /dev/tcp/127.0.0.1/5672) 2>/dev/null || { rabbitmq-server -detached; \
	  for i in $$(seq 1 60); do (echo > /dev/tcp/127.0.0.1/5672) 2>/dev/null && break; sleep 1; done; }
	@rabbitmqctl -q await_startup >/dev/null 2>&1 || true

# promtool checks and unit-tests the alert rules (deploy/prometheus); Debian's prometheus has it.
promtool:
	@command -v promtool >/dev/null || { apt-get update -q && apt-get install -y -q prometheus; }

run: $(GENERATED) broker
	$(PY) -m hall.runtime.run

# A street service centre's node beside `make run`'s district (docs/street-nodes.md): its own
# RabbitMQ node (with the shovel and management plugins, enabled in its own plugins file),
# database and ports. The machine's broker is left as it is.
SITE ?= LX03
street: $(GENERATED) broker
	SITE=$(SITE) $(PY) -m hall.runtime.street

# Two workers: each starts its own session hall (own vhost, database prefix, ports).
test: $(GENERATED) broker promtool
	$(PY) -m pytest -n 2

unit: $(GENERATED) promtool
	$(PY) -m pytest tests/unit

# The pipeline end to end, then the SLA scan at 10,000 and 1,000,000 stored cases (~10 min);
# both append their figures, with the machine, to docs/benchmarks.md.
bench: $(GENERATED) broker
	$(PY) -m bench.pipeline
	$(PY) -m bench.sla_scan --record

handbook: $(STAMP)
	$(PY) -m hall.catalogue.handbook var/handbook

clean:
	rm -rf var hall/v1/*_pb2*.py hall/v1/*_pb2*.pyi
