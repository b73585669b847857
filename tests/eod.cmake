# EOD load and analytics: plain processes (kernels need no MPI).
taq_add_suite(test_eod SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_eod.c)
taq_add_suite(test_analytics SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_analytics.c)
