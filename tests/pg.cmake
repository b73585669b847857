# PostgreSQL tracker tests against a real throwaway server: a fixture starts
# it before the first test_pg case (tests/pg_server.sh, port TAQ_TEST_PGPORT
# or 54329, the next free one if taken) and stops it after the last one,
# also when cases fail. The cases find it through TAQ_TEST_PGSTATE.
if(TAQ_WITH_TRACKER)
  taq_add_suite(test_pg SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_pg.c
                ${CMAKE_CURRENT_SOURCE_DIR}/tracker_scenarios.c TIMEOUT 180 SPAWNS_MPI)
  set(TAQ_PG_STATE ${CMAKE_CURRENT_BINARY_DIR}/pg_server.state)
  set(TAQ_PG_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/pg_server.sh)
  get_property(TAQ_PG_CASES DIRECTORY PROPERTY TESTS)
  list(FILTER TAQ_PG_CASES INCLUDE REGEX "^test_pg\\.")
  add_test(NAME test_pg.server_start COMMAND sh ${TAQ_PG_SCRIPT} start ${TAQ_PG_STATE})
  add_test(NAME test_pg.server_stop COMMAND sh ${TAQ_PG_SCRIPT} stop ${TAQ_PG_STATE})
  set_tests_properties(test_pg.server_start PROPERTIES FIXTURES_SETUP taq_pg TIMEOUT 60)
  set_tests_properties(test_pg.server_stop PROPERTIES FIXTURES_CLEANUP taq_pg TIMEOUT 60)
  set_tests_properties(${TAQ_PG_CASES} PROPERTIES FIXTURES_REQUIRED taq_pg)
  set_property(TEST ${TAQ_PG_CASES} APPEND PROPERTY ENVIRONMENT TAQ_TEST_PGSTATE=${TAQ_PG_STATE})
endif()
