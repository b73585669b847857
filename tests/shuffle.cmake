taq_add_suite(test_shuffle SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_shuffle.c RANKS 1 2 4)
