# The two commands: `make run` and `make test`. Everything else they need is installed here.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PROTOS := $(wildcard protos/hall/v1/*.proto)
GENERATED := hall/v1/gateway_pb2.py
STAMP := $(VENV)/.installed

WEB_STAMP := web/node_modules/.installed
WEB_DIST := web/dist/index.html
WEB_SOURCES := $(shell find web/src -path web/src/gen -prune -o -type f -print 2>/dev/null) web/index.html web/vite.config.ts web/scripts/gen.mjs

.PHONY: run street test unit integration bench fuzz chaos broker promtool proto handbook clean web chromium

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

# The console: Node.js and npm from Debian where missing, the locked packages (npm ci), then
# the TypeScript client generated from protos/ and the Vite build into web/dist (the gateway
# serves it on its HTTP port).
$(WEB_STAMP): web/package-lock.json
	@command -v npm >/dev/null || { apt-get update -q && apt-get install -y -q nodejs npm; }
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_DIST): $(WEB_STAMP) $(WEB_SOURCES) $(PROTOS) $(STAMP)
	cd web && PYTHON=$(abspath $(PY)) npm run build

web: $(WEB_DIST)

# Debian's Chromium (headless) and CJK fonts for the browser tests and the screenshots.
chromium:
	@test -x /usr/bin/chromium && fc-list 2>/dev/null | grep -q "Noto Sans CJK" || { apt-get update -q && \
	  apt-get install -y -q chromium chromium-driver fonts-noto-cjk; }

run: $(GENERATED) broker web
	$(PY) -m hall.runtime.run

# A street service centre's node beside `make run`'s district (docs/street-nodes.md): its own
# RabbitMQ node (with the shovel and management plugins, enabled in its own plugins file),
# database and ports. The machine's broker is left as it is.
SITE ?= LX03
street: $(GENERATED) broker
	SITE=$(SITE) $(PY) -m hall.runtime.street

# Two workers: each starts its own session hall (own vhost, database prefix, ports).
test: $(GENERATED) broker promtool web chromium
	cd web && npx vitest run
	$(PY) -m pytest -n 2

unit: $(GENERATED) promtool
	$(PY) -m pytest tests/unit

# The pipeline end to end, then the SLA scan at 10,000 and 1,000,000 stored cases (~10 min);
# both append their figures, with the machine, to docs/benchmarks.md.
bench: $(GENERATED) broker
	$(PY) -m bench.pipeline
	$(PY) -m bench.sla_scan --record

# The long fuzz campaign (bench/fuzz.py): about N requests generated from the protos over every
# public gateway method, then the earlier cases compared and a case end to end; appends
# its table of codes per method to docs/fuzz.md. The suite runs ~1,000 (tests/integration/test_fuzz.py).
N ?= 10000
fuzz: $(GENERATED) broker
	$(PY) -m bench.fuzz -n $(N)

# N cases through the gateway while every process, the broker (a node of its own, never the
# shared one) and the database die; checks nothing was lost or doubled and appends the
# figures, with the machine, to docs/reliability.md. SEED= replays a campaign.
chaos: $(GENERATED)
	$(PY) -m bench.chaos --cases $(N) $(if $(SEED),--seed $(SEED)) --record

handbook: $(STAMP)
	$(PY) -m hall.catalogue.handbook var/handbook

clean:
	rm -rf var hall/v1/*_pb2*.py hall/v1/*_pb2*.pyi web/dist web/src/gen
