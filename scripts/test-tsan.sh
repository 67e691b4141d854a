#!/usr/bin/env bash
# The multi-threaded tests under ThreadSanitizer (thread pool, forward pass on every kernel
# path, the GEMM). Separate from the default test command: it takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset tsan
cmake --build --preset tsan -j"$(nproc)" --target core_test model_golden_test kernels_matmul_test model_load_test
TSAN_OPTIONS=halt_on_error=1 ctest --preset tsan -R "ThreadPool|GoldenTest|MatmulTest|MappedFile|LoadModes" -j"$(nproc)"
