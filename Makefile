.PHONY: build test demo schemas bench format lint

build:
	swift build

test:
	scripts/test.sh

demo:
	scripts/demo.sh

# swift-format with the checked-in .swift-format; `make test` (and so CI) runs the lint.
format:
	swift format --in-place --recursive --parallel Sources Tests Package.swift

lint:
	scripts/lint.sh

# Regenerate schemas/ and crds/ from the manifest model.
schemas:
	swift run dpctl schemas --write .

bench:
	bench/validate/run.sh
	bench/server/run.sh
	bench/apply/run.sh
	bench/reconcile/run.sh
