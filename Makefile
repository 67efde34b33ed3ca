# One entry point for set-up, tests and the local stack. Every target builds the
# virtualenvs it needs from nothing, so a fresh clone needs only python3.
PYTHON ?= python3
VENV := .venv
LOCALAWS_VENV := .venv-localaws
CHECKOV_VENV := .venv-checkov
CONTRACT_VENV := .venv-contract
CDK_VENV := .venv-cdk
# What config/ declares, as Sceptre reads it (data_api_stack.project): every stack config,
# every environment folder, every region. Nothing here lists them: a new folder under
# config/ is rendered, linted and checked like the others.
PROJECT = $(VENV)/bin/python -m data_api_stack.project
ENV ?= dev
PORT ?= 3000

.PHONY: test up token smoke lint checkov nag rendered generate bench clean venv review openapi fuzz backfill

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@echo "Installing $(VENV): sceptre, troposphere, boto3, cfn-lint, pytest... (first run: about a minute)"
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(VENV)/bin/pip check
	touch $@

$(LOCALAWS_VENV)/.installed: requirements-localaws.txt
	@echo "Installing $(LOCALAWS_VENV): moto's server, the local AWS (first run: about a minute)"
	$(PYTHON) -m venv $(LOCALAWS_VENV)
	$(LOCALAWS_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-localaws.txt
	$(LOCALAWS_VENV)/bin/pip check
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	$(CHECKOV_VENV)/bin/pip check
	touch $@

$(CONTRACT_VENV)/.installed: requirements-contract.txt
	$(PYTHON) -m venv $(CONTRACT_VENV)
	$(CONTRACT_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-contract.txt
	$(CONTRACT_VENV)/bin/pip check
	touch $@

# aws-cdk-lib and cdk-nag (jsii: needs Node): `make nag` and the bench's CDK synth.
$(CDK_VENV)/.installed: requirements-cdk.txt
	$(PYTHON) -m venv $(CDK_VENV)
	$(CDK_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-cdk.txt
	$(CDK_VENV)/bin/pip check
	touch $@

venv: $(VENV)/.installed $(LOCALAWS_VENV)/.installed $(CHECKOV_VENV)/.installed $(CONTRACT_VENV)/.installed $(CDK_VENV)/.installed

## make test: set up the virtualenvs and run every test (unit, cfn-lint, end-to-end)
test: venv
	$(VENV)/bin/python -m pytest

## make up: local AWS + `sceptre launch -y dev` + local API on http://127.0.0.1:3000
up: venv
	$(VENV)/bin/python -m localdev.up --env $(ENV) --port $(PORT)

## make smoke URL=<stage url> [TOKEN=<token>] [ENV=<env>]: the pre-traffic checks over HTTP,
## on every collection of config/<env>/ when ENV is given (else on /data)
# ENV's default (dev) is not passed: only an ENV given on the command line or environment.
SMOKE_ENV := $(if $(filter file,$(origin ENV)),,$(if $(ENV),--env "$(ENV)"))
smoke: $(VENV)/.installed
	@TOKEN="$(TOKEN)" $(VENV)/bin/python -m localdev.smoke --url "$(URL)" $(SMOKE_ENV)

## make backfill ENV=<env> [ENDPOINT=<url>]: bring items written before a collection's
## indexes or expiry existed under them (ENDPOINT: make up's local AWS, else AWS's)
backfill: $(VENV)/.installed
	$(VENV)/bin/python -m localdev.backfill --env "$(ENV)" $(if $(ENDPOINT),--endpoint-url "$(ENDPOINT)")

## make token ROLE=reader|writer [ENV=dev]: a fresh token of a local user (while make up runs);
## RIGHTS="orders:write customers:read" instead of ROLE: exactly these collection rights
ROLE ?= writer
token: $(VENV)/.installed
	@$(VENV)/bin/python -m localdev.tokens --env $(ENV) --role $(ROLE) $(if $(RIGHTS),--rights "$(RIGHTS)")

## make generate: print the rendered API template of every environment
generate: $(VENV)/.installed
	envs="$$($(PROJECT) environments)" && for env in $$envs; do \
		$(VENV)/bin/sceptre --output json generate $$env/api.yaml || exit 1; \
	done

## make openapi ENV=dev: the environment's OpenAPI document -> openapi-$(ENV).json
## (server: the deployed stage's URL if the stack can be read, else a templated one)
OPENAPI_OUT ?= openapi-$(ENV).json
openapi: $(VENV)/.installed
	$(VENV)/bin/python -m data_api_stack.openapi_cli --env $(ENV) --out $(OPENAPI_OUT)

## make fuzz: the Schemathesis contract run, longer (FUZZ_EXAMPLES per operation and phase)
fuzz: venv
	CONTRACT_EXAMPLES=$${FUZZ_EXAMPLES:-500} $(VENV)/bin/python -m pytest -p no:randomly -q tests/test_contract_schemathesis.py

rendered: $(VENV)/.installed
	rm -rf .cache/rendered && mkdir -p .cache/rendered
	stacks="$$($(PROJECT) stacks)" && for stack in $$stacks; do \
		$(VENV)/bin/sceptre --output json generate $$stack > .cache/rendered/$$(echo $${stack%.yaml} | tr / -).json || exit 1; \
	done

## make lint: cfn-lint (every level, informational included, plus the serverless rules)
## on every rendered template
lint: rendered
	regions="$$($(PROJECT) regions)" && $(VENV)/bin/cfn-lint --include-checks I \
		--regions $$regions -a cfn_lint_serverless.rules -- .cache/rendered/*.json

## make review BASE=<rev> [ARGS="--format markdown --fail-on replacement"]: what the change
## since BASE does to every stack of every environment (offline; see README)
BASE ?= main
review: $(VENV)/.installed
	$(VENV)/bin/stack-review --base $(BASE) $(ARGS)

## make checkov: checkov, offline, on every rendered template (zero failed checks expected;
## the only skips are the inline ones in templates/data_api_stack/suppressions.py)
checkov: rendered $(CHECKOV_VENV)/.installed
	$(CHECKOV_VENV)/bin/checkov --skip-download --quiet --compact --framework cloudformation \
		-d .cache/rendered

## make nag: cdk-nag's AwsSolutions rules (through CfnInclude) on every rendered template;
## prints the unsuppressed findings as JSON and fails on any (suppressions: README)
nag: rendered $(CDK_VENV)/.installed
	$(CDK_VENV)/bin/python tools/cdk_nag_scan.py --fail .cache/rendered/*.json

## make bench: benchmarks side by side with the original CDK design -> bench/results.md
## (ARGS=--quick: one pass of every row with small counts, printed only, as make test runs it)
bench: venv
	$(VENV)/bin/python -m bench.run $(ARGS)

clean:
	rm -rf $(VENV) $(LOCALAWS_VENV) $(CHECKOV_VENV) $(CONTRACT_VENV) $(CDK_VENV) .pytest_cache
