taq_add_suite(test_e2e SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_e2e.c ${CMAKE_CURRENT_SOURCE_DIR}/e2e_util.c TIMEOUT 300)
add_dependencies(test_e2e taqmpi)
taq_add_suite(test_dist SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_dist.c ${CMAKE_CURRENT_SOURCE_DIR}/e2e_util.c TIMEOUT 300)
add_dependencies(test_dist taqmpi taqgen)
