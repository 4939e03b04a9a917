# Two commands set everything up on a fresh machine: `make run` (demo site) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install test opensearch opensearch-stop clean bench bench-full load relevance

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py ensure_local_admin
	@# The search worker computes the embeddings of what editors publish; the alerts worker prints digests to the
	@# console. Both stop with the server.
	$(PY) manage.py search_worker --poll 1 & search=$$!; $(PY) manage.py alerts_worker & alerts=$$!; \
	  trap 'kill $$search $$alerts 2>/dev/null' EXIT; $(PY) manage.py runserver $(HOST):$(PORT)

install: $(VENV)/.installed tests/browser/node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $@

# axe-core for the browser tests; without npm those tests are skipped (in CI that is a failure).
tests/browser/node_modules/.installed: tests/browser/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm missing: browser tests will be skipped"; fi

# The engine tests use the node `make opensearch` runs. Without Java and Maven they are skipped, except in CI
# (CI=true), where an engine that does not come up fails the run.
test: install
	@if command -v java >/dev/null && command -v mvn >/dev/null; then \
	  scripts/opensearch start || test "$$CI" != true; \
	else \
	  echo "Java or Maven missing: the search engine tests will be skipped"; test "$$CI" != true; \
	fi
	SEARCH_TEST_URL=$${SEARCH_TEST_URL:-http://127.0.0.1:$${OPENSEARCH_PORT:-9400}} $(PY) -m pytest $(PYTEST_ARGS)

opensearch:
	scripts/opensearch start

opensearch-stop:
	scripts/opensearch stop

clean:
	rm -rf $(VENV) db.sqlite3 media static

# Benchmarks (see BENCHMARKS.md): the real OpenSearch node and a throw-away PostgreSQL cluster (Debian's
# postgresql package, run as root). Results go to bench-results/<date-time>/.
BENCH_SIZES ?= 10000
bench: install
	scripts/opensearch start
	DATABASE_URL=$$(scripts/postgres start) SEARCH_URL=http://127.0.0.1:$${OPENSEARCH_PORT:-9400} \
	  $(PY) bench/run.py --sizes $(BENCH_SIZES)

bench-full:
	$(MAKE) bench BENCH_SIZES=1000,10000,100000

# Load test (not part of `make test`): gunicorn on loopback, wrk for 60 s.
load: install
	scripts/opensearch start
	DATABASE_URL=$$(scripts/postgres start) SEARCH_URL=http://127.0.0.1:$${OPENSEARCH_PORT:-9400} \
	  $(PY) bench/load.py

# Relevance on the judged queries (bench/relevance/): nDCG@10 and recall@10 per kind, engine and database,
# words and meaning together and each alone. RELEVANCE_ARGS="--tune" also searches the fusion values.
relevance: install
	scripts/opensearch start
	SEARCH_URL=http://127.0.0.1:$${OPENSEARCH_PORT:-9400} $(PY) bench/relevance.py $(RELEVANCE_ARGS)
