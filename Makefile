# One-command entry points. Each sets up .venv/ on first use (tools/setup_env.sh; idempotent).
PY := .venv/bin/python

.PHONY: env demo test clean-env

env:
	@bash tools/setup_env.sh

demo: env
	@$(PY) tools/run_main_job.py $(ARGS)

test: env
	@$(PY) -m pytest tests -q -p no:cacheprovider $(ARGS)

clean-env:
	rm -rf .venv
