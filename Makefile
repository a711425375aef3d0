# Two commands do everything: `make demo` and `make test`.
# Each creates .venv, installs what it needs (pinned by constraints.txt) and runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: demo test test-fast lint typecheck install bench clean system-packages messages

# What the report needs from Debian: Pango for WeasyPrint's PDF (and HarfBuzz's subsetter
# for its fonts), Noto fonts for names in every script, poppler for the tests that read
# the PDF back; Chromium for the web's browser tests; OpenSSL for the evidence tests'
# local timestamping authority and bundle recipe; Tesseract and its Uyghur, Chinese,
# Kazakh and Russian packs for OCR of evidence. Installed as root with apt-get; elsewhere, say what to install.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
	fonts-noto-core fonts-noto-cjk poppler-utils chromium openssl \
	tesseract-ocr tesseract-ocr-uig tesseract-ocr-chi-sim tesseract-ocr-kaz tesseract-ocr-rus

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "credible needs Python 3.11 or newer, found " + sys.version' 
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP) system-packages
	$(BIN)/credible demo --out demo-output

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy src

# The published datasets the estimators are validated against sit in ../shared/data
# beside the checkout; a clone made elsewhere on this machine finds them in /work/shared.
SHARED_DATA_FALLBACK := $(if $(CREDIBLE_SHARED_DATA),,$(if $(wildcard ../shared/data),,$(if $(wildcard /work/shared/data),CREDIBLE_SHARED_DATA=/work/shared/data)))

test: $(STAMP) system-packages lint typecheck
	$(SHARED_DATA_FALLBACK) $(BIN)/python -m pytest -q

# The quick loop while working: every test not marked slow.
test-fast: $(STAMP) system-packages
	$(BIN)/python -m pytest -q -m "not slow"

# The web's message catalogue, from its templates and code (Babel).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o src/credible/web/locale/messages.pot \
		--no-location --sort-output --omit-header src/credible/web

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

system-packages:
	@if dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $(SYSTEM_PACKAGES); \
	else echo "the report's PDF needs: apt-get install $(SYSTEM_PACKAGES)"; fi

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache demo-output
