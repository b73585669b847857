# Fault tests: the real binary killed mid-date (TAQ_FAULT test hook), the
# output on a full or read-only tmpfs (needs root to mount), a PostgreSQL
# server stopped mid-run (the case starts and stops a server of its own:
# it cannot share the test_pg fixture's, which it would have to halt), and
# hostile lines end to end.
taq_add_suite(test_faults SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_faults.c
              ${CMAKE_CURRENT_SOURCE_DIR}/e2e_util.c TIMEOUT 300 SPAWNS_MPI)
add_dependencies(test_faults taqmpi taqgen)
if(NOT TAQ_WITH_TRACKER)
  set_tests_properties(test_faults.test_pg_stopped_mid_run PROPERTIES DISABLED TRUE)
endif()
