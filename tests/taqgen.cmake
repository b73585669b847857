# bench/taqgen: byte-for-byte determinism and exact manifest counts, checked
# with standard tools by taqgen_check.sh (tiny days, no timings).
if(TARGET taqgen)
  foreach(case determinism gzip manifest dates cli)
    add_test(NAME taqgen.${case}
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/taqgen_check.sh $<TARGET_FILE:taqgen>
                     ${CMAKE_CURRENT_BINARY_DIR}/scratch/taqgen_${case} ${case})
    set_tests_properties(taqgen.${case} PROPERTIES TIMEOUT 120)
  endforeach()
endif()
