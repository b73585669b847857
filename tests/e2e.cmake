taq_add_suite(test_e2e SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_e2e.c ${CMAKE_CURRENT_SOURCE_DIR}/e2e_util.c TIMEOUT 300 SPAWNS_MPI)
add_dependencies(test_e2e taqmpi)
taq_add_suite(test_dist SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_dist.c ${CMAKE_CURRENT_SOURCE_DIR}/e2e_util.c TIMEOUT 300 SPAWNS_MPI)
add_dependencies(test_dist taqmpi taqgen)

# The sample under valgrind: no invalid access, no leak of ours (not in the
# sanitizer build: ASan and valgrind do not mix).
if(NOT TAQ_SANITIZE)
  add_test(NAME valgrind.sample
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/valgrind_sample.sh $<TARGET_FILE:taqmpi>
                   ${PROJECT_SOURCE_DIR})
  set_tests_properties(valgrind.sample PROPERTIES TIMEOUT 600
                       ENVIRONMENT "${TAQ_MPI_ENV};OMPI_MCA_mca_base_component_disable_dlclose=1")
endif()
