taq_add_suite(test_util SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_util.c)
