taq_add_suite(test_tracker SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_tracker.c
              ${CMAKE_CURRENT_SOURCE_DIR}/tracker_scenarios.c)
