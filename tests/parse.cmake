taq_add_suite(test_parse SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_parse.c)
