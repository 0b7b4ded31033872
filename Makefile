# Two commands: `make run` (the main job on corpus/) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install clean

run: $(VENV)/.installed
	$(BIN)/align run corpus/ -o out/ --overwrite

test: $(VENV)/.installed
	$(BIN)/python -m pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV) || { echo 'cannot create a virtualenv: on Debian/Ubuntu run apt-get install python3-venv'; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) out
