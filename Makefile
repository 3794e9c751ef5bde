# The README's two commands are `make run` and `make test`; the rest are helpers.
.PHONY: run test setup lint bench messages

run:
	scripts/run.sh

test:
	scripts/test.sh $(ARGS)

setup:
	scripts/setup.sh --tests

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

messages:
	DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python manage.py makemessages -l zh_Hant -l en --ignore=.venv --ignore=tests --no-obsolete
	DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python manage.py compilemessages --ignore=.venv

bench:
	.venv/bin/python -m bench
