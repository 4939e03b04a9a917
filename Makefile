# Two commands set everything up on a fresh machine: `make run` (demo site) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install test opensearch opensearch-stop clean

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py ensure_local_admin
	$(PY) manage.py runserver $(HOST):$(PORT)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $@

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

opensearch:
	scripts/opensearch start

opensearch-stop:
	scripts/opensearch stop

clean:
	rm -rf $(VENV) db.sqlite3 media static
