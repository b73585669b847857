taq_add_suite(test_e2e SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_e2e.c TIMEOUT 300)
add_dependencies(test_e2e taqmpi)
