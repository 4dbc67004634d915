# The two quick-start commands and a few conveniences around CMake presets.
#   make fleet   install what is missing, build, run the main job
#   make test    install what is missing, build, run every test (what CI runs)
.PHONY: fleet test deps build release asan bench clean

deps:
	@./scripts/install-deps.sh

release: deps
	@cmake --preset release >/dev/null && cmake --build --preset release -j2

fleet: release
	@./scripts/fleet.sh

test: deps
	@./scripts/test.sh

asan: deps
	@cmake --preset asan >/dev/null && cmake --build --preset asan -j2 && ctest --preset asan -j2

bench: release
	@for b in build/release/bench/*_bench; do echo "== $$b"; $$b; done

clean:
	rm -rf build
