# RCC Insight: `make run` to use it, `make test` to check it. Both create .venv first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# One BLAS thread per process: disclosure control decomposes thousands of small matrices,
# and OpenBLAS's threads made that 5 to 30 times slower on 2 cores (README, Performance).
export OPENBLAS_NUM_THREADS := 1

.PHONY: run test test-fast test-browser-loaded build bench screenshots clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

build: $(STAMP)  ## build the database if missing or stale, with the synthetic cohort
	$(BIN)/python -m data build --if-stale
	$(BIN)/python -m data synth --if-absent

run: build  ## serve the app on http://localhost:8501
	$(BIN)/streamlit run app.py --server.port 8501

test: $(STAMP)  ## the whole test suite: unit/AppTest, browser + accessibility, PostgreSQL
	scripts/test-stages

test-fast: $(STAMP)  ## unit and AppTest stages only
	$(BIN)/python -m pytest -q -n $${RCC_TEST_WORKERS:-2} --ignore=tests/browser

RUNS ?= 2
test-browser-loaded: $(STAMP)  ## the browser stage RUNS times in a row beside a CPU hog per core
	@hogs=""; trap 'kill $$hogs 2>/dev/null' EXIT INT TERM; \
	for core in $$(seq $$(nproc)); do $(BIN)/python -c "while True: pass" & hogs="$$hogs $$!"; done; \
	for run in $$(seq $(RUNS)); do \
	  echo "== browser run $$run of $(RUNS) beside $$(nproc) CPU hogs (pids$$hogs) =="; \
	  env RCC_BROWSER_REQUIRED=1 $(BIN)/python -m pytest -q tests/browser || exit 1; \
	done

bench: build  ## print performance figures
	$(BIN)/python bench/build_time.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/synth.py
	$(BIN)/python bench/load.py

screenshots: build  ## full-page PNGs of every page in Debian's Chromium
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) var
