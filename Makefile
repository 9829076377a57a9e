.PHONY: build test demo schemas bench

build:
	swift build

test:
	scripts/test.sh

demo:
	scripts/demo.sh

# Regenerate schemas/ and crds/ from the manifest model.
schemas:
	swift run dpctl schemas --write .

bench:
	bench/validate/run.sh
	bench/server/run.sh
	bench/apply/run.sh
	bench/reconcile/run.sh
