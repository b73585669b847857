taq_add_suite(test_input SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_input.c)
target_link_libraries(test_input PRIVATE ZLIB::ZLIB)
taq_add_suite(test_plan_mpi SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_plan_mpi.c RANKS 1 3)
taq_add_suite(test_cli SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_cli.c)
