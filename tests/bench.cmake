# bench/run on a tiny day pair (3000 events): it generates the days, runs
# taqmpi on 1 and 2 ranks and the DuckDB pipeline (npm install of
# @duckdb/node-api into bench/duckdb/node_modules on first use: needs the npm
# registry, and fails, never skips, when the install fails) and checks that
# both agree on quote_final, and that the results folder holds the table,
# the CSV and the PNG plot. A smoke run only: no timing is asserted.
if(TARGET taqgen)
  add_test(NAME bench.smoke
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/bench_smoke.sh ${PROJECT_BINARY_DIR}/bench-smoke
                   ${PROJECT_BINARY_DIR} --events 3000 --ranks "1 2" --repeat 2 --settle 0)
  # Exit status decides (bench/run exits 1 on disagreement or a failed run);
  # the regex only makes a disagreement unmistakable in the log.
  set_tests_properties(bench.smoke PROPERTIES TIMEOUT 600
                       ENVIRONMENT "${TAQ_MPI_ENV}"
                       FAIL_REGULAR_EXPRESSION "agreement: FAILED"
                       RESOURCE_LOCK bench_duckdb_node_modules)
  # The same on a dirty day: both JSON layouts, mixed line ends, many rejects.
  add_test(NAME bench.smoke_dirty
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/bench_smoke.sh ${PROJECT_BINARY_DIR}/bench-smoke-dirty
                   ${PROJECT_BINARY_DIR} --events 3000 --ranks "1 2" --repeat 2 --settle 0
                   --taqgen "--exchanges 5 --crlf-share 0.1 --bad-share 0.02 --blank-share 0.01")
  set_tests_properties(bench.smoke_dirty PROPERTIES TIMEOUT 600
                       ENVIRONMENT "${TAQ_MPI_ENV}"
                       FAIL_REGULAR_EXPRESSION "agreement: FAILED"
                       RESOURCE_LOCK bench_duckdb_node_modules)
endif()
